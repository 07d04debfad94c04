"""Column mapping that fits real files: a detected role can be un-mapped and its column
compared as the user's own, and a table without an id column is numbered, said in a
warning."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import leadlink as ll
from leadlink.schema import ROW_ID_COLUMN, find_id_column, resolve_columns, with_row_ids


def organisations(n_sites: int = 120) -> pd.DataFrame:
    """An organisation list shaped like a public one: site names, street addresses,
    7-digit local phone numbers without an area code, a postcode on some rows, few emails.
    Every other site is listed twice, with the same phone and a respelt name."""
    rows = []
    streets = ("Main St", "Oak Avenue", "Elm Rd.", "Pine Street", "Lake Drive")
    for site in range(n_sites):
        copies = 2 if site % 2 == 0 else 1
        for copy in range(copies):
            rows.append(
                {
                    "Id": f"S{site}-{copy}",
                    "Site name": f"{'Saint' if copy else 'St.'} Site {site} Center",
                    "Address": f"{100 + site} {streets[site % len(streets)]}",
                    "Phone": f"{555 + site % 7}-{1000 + site:04d}",
                    "Postcode": f"9{site:04d}" if site % 3 == 0 else None,
                    "Email": f"office@site{site}.org" if site % 40 == 0 else None,
                }
            )
    return pd.DataFrame(rows)


def _quietly(**options):
    """dedupe() on the organisations, its LeadlinkWarnings recorded, not raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ll.LeadlinkWarning)
        result = ll.dedupe(options.pop("leads", organisations()), **options)
    return result, [str(w.message) for w in caught if w.category is ll.LeadlinkWarning]


def test_a_role_mapped_to_none_is_not_detected():
    frame = pd.DataFrame(columns=["姓名", "手机", "Phone 2"])
    assert resolve_columns(frame) == {"name": "姓名", "phone": "手机"}
    assert resolve_columns(frame, {"phone": None}) == {"name": "姓名"}
    assert resolve_columns(frame, {"phone": "Phone 2"}) == {"name": "姓名", "phone": "Phone 2"}


def test_an_unknown_role_mapped_to_none_is_refused():
    with pytest.raises(ll.ColumnError, match="unknown role 'fax'"):
        resolve_columns(pd.DataFrame(columns=["phone"]), {"fax": None})


def test_an_unmapped_role_is_left_out_of_validation_and_scoring():
    leads = pd.DataFrame({"lead_id": ["a", "b"], "name": ["张伟", "王芳"], "Phone": ["1", "2"]})
    report = ll.validate(leads, columns={"phone": None})  # type: ignore[dict-item]
    assert not any("phone" in str(code) for codes in report["problems"] for code in codes)
    scored = ll.score(leads, columns={"phone": None})  # type: ignore[dict-item]
    assert len(scored) == 2


@pytest.fixture(scope="module")
def unmapped():
    """The organisations without their ids, the phone un-mapped and compared as the user's
    own column: (result, warnings)."""
    return _quietly(
        leads=organisations().drop(columns=["Id"]),
        id_column=None,
        columns={"phone": None, "company": "Site name"},
        extra_columns={"Phone": "exact"},
    )


def test_an_unmapped_phone_is_compared_as_the_user_s_own_column(unmapped):
    result, said = unmapped
    assert "phone" not in result.roles
    assert result.model is not None and result.model.extra == {"Phone": "exact"}
    # the phone is compared as written: the two listings of a site agree exactly
    assert "Phone_level" in result.pairs.columns
    same = result.pairs.set_index(["id_l", "id_r"]).loc[("row_1", "row_2")]
    assert same["Phone_level"] == "exact"
    assert result.summary()["clusters_with_duplicates"] >= 1
    assert not any("not used for matching" in message for message in said)


def test_a_column_compared_twice_is_still_refused():
    with pytest.raises(ll.ConfigError, match="already compared as roles"):
        ll.dedupe(organisations(), id_column="Id", extra_columns={"Phone": "exact"})


def test_no_id_column_numbers_the_leads_in_every_output(unmapped):
    result, said = unmapped
    assert any("numbered row_1 to row_180" in message for message in said)
    assert result.clusters.columns[0] == ROW_ID_COLUMN
    assert result.clusters[ROW_ID_COLUMN].tolist()[:3] == ["row_1", "row_2", "row_3"]
    ids = set(result.clusters[ROW_ID_COLUMN])
    assert set(result.pairs["id_l"]) | set(result.pairs["id_r"]) <= ids
    assert set(result.lineage()["lead_id"]) <= ids
    # rows 1 and 2 are the two listings of site 0
    linked = result.clusters.set_index(ROW_ID_COLUMN)["cluster_id"]
    assert linked["row_1"] == linked["row_2"]


def _id_said(leads: pd.DataFrame) -> str:
    """The warning dedupe() gives about the id of ``leads``, which have no role, so that
    it stops right after choosing the id."""
    with pytest.warns(ll.LeadlinkWarning) as caught, pytest.raises(ll.ColumnError):
        ll.dedupe(leads)
    return " ".join(str(w.message) for w in caught)


def test_a_missing_default_id_falls_back_to_an_id_like_header_or_row_numbers():
    leads = pd.DataFrame({"Id": ["a", "b"], "note": ["x", "y"]})
    assert "the lead ids are taken from 'Id'" in _id_said(leads)
    assert "none that looks like an id" in _id_said(leads[["note"]])
    assert "none that looks like an id" in _id_said(leads.assign(Id="same"))


def test_a_named_id_column_that_is_missing_is_still_an_error():
    with pytest.raises(ll.ColumnError, match="id column 'ref'"):
        ll.dedupe(organisations(), id_column="ref")


def test_the_generator_s_chinese_id_header_is_detected():
    from leadlink.datasets import generate_leads

    leads = generate_leads(5, seed=3, headers="zh")
    assert find_id_column(leads) == "线索ID"
    assert "taken from '线索ID'" in _id_said(leads[["线索ID", "来源"]])


@pytest.mark.parametrize(
    ("columns", "found"),
    [
        (["Prospect ID", "name"], "Prospect ID"),
        (["record_id", "name"], "record_id"),
        (["客户ID", "编号"], "客户ID"),
        (["name", "phone"], None),
    ],
)
def test_id_like_headers(columns, found):
    frame = pd.DataFrame([[f"{c}{i}" for c in columns] for i in range(3)], columns=columns)
    assert find_id_column(frame) == found


def test_an_id_like_header_with_repeated_values_is_not_taken():
    assert find_id_column(pd.DataFrame({"id": [1, 1, 2], "name": ["a", "b", "c"]})) is None


def test_row_ids_do_not_replace_a_row_id_column():
    numbered, name = with_row_ids(pd.DataFrame({"row_id": [7, 8]}))
    assert name == "_row_id"
    assert numbered["row_id"].tolist() == [7, 8]
    assert numbered[name].tolist() == ["row_1", "row_2"]
