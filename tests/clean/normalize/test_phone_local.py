"""Numbers that are not valid in their region: local numbers keep a digits key, and a
file's region is inferred when most of its numbers belong to another one."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import leadlink as ll
from leadlink import LeadlinkWarning
from leadlink.clean import prepare, validate
from leadlink.clean.normalize import _phone

# (cell, region, prepared phone, extension, kind)
LOCAL_CASES = [
    ("882-4567", "CN", "local:8824567", None, "local"),
    ("882 4567", "CN", "local:8824567", None, "local"),
    ("(882) 4567", "CN", "local:8824567", None, "local"),
    ("８８２４５６７", "CN", "local:8824567", None, "local"),
    ("882-4567 ext. 12", "CN", "local:8824567", "12", "local"),
    ("882 4567 转 8001", "CN", "local:8824567", "8001", "local"),
    ("8888 6666", "CN", "local:88886666", None, "local"),  # a Chinese landline, no area code
    ("555-1234", "US", "local:5551234", None, "local"),
    ("555-1234 x7", "US", "local:5551234", "7", "local"),
    ("13800138001", "US", "local:13800138001", None, "local"),  # a Chinese mobile, read as US
    # valid numbers are unchanged
    ("138 0013 8001", "CN", "+8613800138001", None, "mobile"),
    ("(650) 253-0000", "US", "+16502530000", None, "mobile"),  # (US lines: either)
    # not local numbers: too short, a national number cut short, junk, digit runs,
    # an international number that is not valid
    ("882 45", "CN", None, None, None),
    ("139 0000", "CN", None, None, None),
    ("0882 4567", "CN", None, None, None),
    ("call me", "CN", None, None, None),
    ("1234567", "CN", None, None, None),
    ("0000000", "CN", None, None, None),
    ("7654321", "US", None, None, None),
    ("12345678901", "CN", None, None, None),
    ("+1 555 1234", "US", None, None, None),
]


@pytest.mark.parametrize(("cell", "region", "key", "ext", "kind"), LOCAL_CASES)
def test_local_numbers_keep_a_digits_key(
    cell: str, region: str, key: str | None, ext: str | None, kind: str | None
) -> None:
    assert _phone.describe_key(cell, region) == (key, ext, kind)


def test_a_local_key_never_equals_a_number_and_the_public_normalizer_is_unchanged() -> None:
    key = _phone.local_key("882-4567")
    assert key is not None and not key.startswith("+")
    assert ll.normalize.phone("882-4567") is None
    assert _phone.local_key("138 0013 8001") is None  # valid: no local key


def test_validation_flags_local_numbers_and_still_catches_placeholders() -> None:
    leads = pd.DataFrame(
        {
            "name": ["Ann Lee", "Bob Ray", "Cy Doe", "Di Poe", "Ed Roe"],
            "phone": ["882-4567", "1234567", "0000000", "139 0000", "882 45"],
        }
    )
    found = validate(leads, region="CN")
    assert found["problems"].tolist() == [
        ["phone.local"],
        ["phone.placeholder", "email.missing", "contact.none"]
        if "email" in found.columns
        else ["phone.placeholder", "contact.none"],
        ["phone.placeholder", "contact.none"],
        ["phone.invalid", "contact.none"],
        ["phone.invalid", "contact.none"],
    ]
    # a local number is a way to reach someone; placeholder-only leads stay ghosts
    assert found["is_ghost"].tolist() == [False, True, True, False, False]


def test_a_local_number_is_shared_only_by_what_the_leads_show() -> None:
    """Its kind of line is unknown: an extension (or three names) makes it a shared line."""
    leads = pd.DataFrame(
        {
            "id": ["a", "b", "c", "d"],
            "phone": ["882-4567", "882 4567 ext. 3", "884-1234", "138 0013 8001"],
        }
    )
    prepared = prepare(leads, {"phone": "phone"}, id_column="id", region="CN")
    assert prepared["phone"].tolist() == [
        "local:8824567",
        "local:8824567",
        "local:8841234",
        "+8613800138001",
    ]
    assert prepared["phone_kind"].tolist() == ["local", "local", "local", "mobile"]
    assert prepared["phone_shared"].tolist() == [1, 1, 0, 0]


# ------------------------------------------------------------------------ region inference


def _us_numbers(n: int, seed: int = 0) -> list[str]:
    """Valid US numbers in the usual national form, "(AAA) EEE-NNNN"."""
    import phonenumbers

    rng = np.random.default_rng(seed)
    numbers: list[str] = []
    while len(numbers) < n:
        area, exchange, line = (
            rng.integers(201, 990),
            rng.integers(200, 1000),
            rng.integers(0, 10_000),
        )
        digits = f"{area}{exchange}{line:04d}"
        if phonenumbers.is_valid_number(phonenumbers.parse(digits, "US")):
            numbers.append(f"({digits[:3]}) {digits[3:6]}-{digits[6:]}")
    return numbers


def test_a_us_file_read_without_a_region_is_read_as_us_and_said_so() -> None:
    phones = _us_numbers(60)
    leads = pd.DataFrame({"id": range(60), "phone": phones})
    with pytest.warns(LeadlinkWarning, match=r"read as US numbers.*region='US'"):
        prepared = prepare(leads, {"phone": "phone"}, id_column="id")
    assert prepared["phone"].str.startswith("+1").all()
    assert prepared["phone"].tolist() == [ll.normalize.phone(p, region="US") for p in phones]
    with pytest.warns(LeadlinkWarning, match="read as US numbers"):
        assert not validate(leads, required=())["problems"].map(bool).any()


def test_an_explicit_region_is_kept_with_a_suggestion() -> None:
    leads = pd.DataFrame({"id": range(60), "phone": _us_numbers(60, seed=1)})
    assert _phone.infer_region(leads["phone"], "CN") == "US"
    with pytest.warns(LeadlinkWarning, match=r"the region given.*region='US'"):
        assert _phone.settle_region(leads["phone"], "CN") == "CN"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # prepare trusts a region given (dedupe has already checked it)
        prepared = prepare(leads, {"phone": "phone"}, id_column="id", region="CN")
        assert _phone.settle_region(leads["phone"], "US") == "US"  # it fits: no warning
    assert not prepared["phone"].fillna("").str.startswith("+1").any()


@pytest.mark.parametrize(
    "phones",
    [
        [f"138{i:08d}" for i in range(1000, 60_000, 1000)],  # Chinese mobiles
        [f"882-{i:04d}" for i in range(100, 6000, 100)],  # local numbers: nothing to infer
        [f"8888 {i:04d}" for i in range(100, 6000, 100)],  # Chinese landlines without area code
        ["+65 9123 4567", "+44 20 7946 0123"] * 30,  # international: read anywhere
        ["882-4567"] * 5,  # too few to say
    ],
)
def test_nothing_is_inferred_when_the_default_fits_or_nothing_clearly_does(
    phones: list[str],
) -> None:
    assert _phone.infer_region(phones, "CN") is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _phone.settle_region(phones) == "CN"


def test_a_leading_country_code_without_its_plus_names_the_region() -> None:
    assert _phone.infer_region([f"44 20 7946 {i:04d}" for i in range(0, 5000, 100)]) == "GB"


# ------------------------------------------------------------ a local-number organisation list


def _organisations(n_rows: int = 300, seed: int = 7) -> tuple[pd.DataFrame, pd.Series]:
    """Sites with 7-digit local numbers; some sites appear twice or three times, with the
    number written another way and the name varied. Returns the rows and each row's site."""
    rng = np.random.default_rng(seed)
    words = ["Oak", "Pine", "River", "Hill", "Lake", "Cedar", "Maple", "Elm", "Bay", "Park"]
    kinds = ["Clinic", "School", "Library", "Pharmacy", "Bakery", "Garage", "Dental Care"]
    sites = []
    for i in range(220):
        name = f"{words[i % 10]} {words[(i // 10) % 10]} {kinds[i % 7]} {i}"
        number = f"{rng.choice([882, 883, 884, 886, 887])}{rng.integers(0, 10_000):04d}"
        sites.append((name, number))
    rows, truth = [], []
    for site in range(n_rows):
        index = site if site < 220 else int(rng.integers(0, 220))
        name, number = sites[index]
        if site >= 220:  # a duplicate, written differently
            name = name.upper() if rng.random() < 0.5 else f"{name} Inc."
            number = (
                f"{number[:3]} {number[3:]}"
                if rng.random() < 0.5
                else f"({number[:3]}) {number[3:]}"
            )
        else:
            number = f"{number[:3]}-{number[3:]}"
        rows.append({"Id": f"r{site}", "Site name": name, "Phone": number})
        truth.append(index)
    return pd.DataFrame(rows), pd.Series(truth)


def test_a_local_number_organisation_list_matches_on_its_numbers() -> None:
    leads, truth = _organisations()
    prepared = prepare(leads, {"phone": "Phone"}, id_column="Id")
    assert (prepared["phone_kind"] == "local").mean() > 0.9
    # a site list has no person's name: dedupe says it matches such lists weakly
    with pytest.warns(ll.LeadlinkWarning, match="company but no person's name"):
        result = ll.dedupe(
            leads,
            id_column="Id",
            columns={"company": "Site name", "phone": "Phone"},
            progress=False,
        )
    diagnostics = result.model.diagnostics
    assert "phone" in diagnostics["roles"]
    assert "phone" not in diagnostics["excluded_roles"]
    clusters = result.clusters.set_index("Id")["cluster_id"].reindex(leads["Id"]).to_numpy()
    # every duplicate pair (same site: same number, written another way) is found
    same_site = truth.to_numpy()[:, None] == truth.to_numpy()[None, :]
    same_cluster = clusters[:, None] == clusters[None, :]
    upper = np.triu(np.ones_like(same_site), k=1)
    true_pairs = int((same_site & upper).sum())
    found = int((same_site & same_cluster & upper).sum())
    wrong = int((~same_site & same_cluster & upper).sum())
    assert true_pairs > 50
    assert found >= 0.9 * true_pairs
    assert wrong <= 0.1 * found
