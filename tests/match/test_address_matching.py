"""Comparison levels and blocking presets of addresses, postcodes and websites."""

from __future__ import annotations

import pandas as pd
import pytest

from leadlink.clean._prepare import prepare
from leadlink.match._blocking import add_blocking_keys, presets_for
from leadlink.match._comparisons import ADDRESS, POSTCODE, WEBSITE
from tests.match.test_comparisons import _first_level


@pytest.mark.parametrize(
    ("left", "right", "level"),
    [
        ("12 North Main Street, Apt. 4", "12 N Main St #4", "exact"),
        ("12 North Main Street, Apt. 4", "12 N Main St, Apt 5", "same_building"),
        ("12 North Main Street", "12 N Main St, Suite 100", "same_building"),
        ("128 Main Street", "123 Main St", "number_typo"),
        ("12 Main Street", "21 Main St", "number_typo"),
        ("Main Street", "12 Main St", "same_street"),
        ("12 Main Street", "140 Main St", "other_number"),
        ("12 Main Street", "12 Mian Street", "similar"),
        ("12 Main Street", "400 Oak Avenue", "different"),
        ("广东省深圳市南山区科苑路15号2栋101室", "深圳市科苑路15号二栋101室", "exact"),
        ("科苑路15号2栋101室", "科苑路15号3栋", "same_building"),
        ("12 Main Street", None, "null"),
    ],
)
def test_address_levels(left, right, level):
    assert _first_level(ADDRESS, {"address": left}, {"address": right}) == level


@pytest.mark.parametrize(
    ("left", "right", "level"),
    [
        ("62704-1234", "62704", "exact"),
        ("SW1A 1AA", "sw1a1aa", "exact"),
        ("62704", "62705", "different"),
    ],
)
def test_postcode_levels(left, right, level):
    assert _first_level(POSTCODE, {"postcode": left}, {"postcode": right}) == level


def test_website_levels():
    def level(left: dict, right: dict) -> str:
        return _first_level(
            WEBSITE,
            {"website": None, "email": None} | left,
            {"website": None, "email": None} | right,
        )

    assert level({"website": "https://www.acme.com/x"}, {"website": "acme.com"}) == "exact"
    # one lead gives a website, the other a mailbox at that company's domain
    assert level({"website": "www.acme.com"}, {"email": "li@acme.com"}) == "mail_domain"
    # a free mail provider is no company's domain
    assert level({"website": "gmail.com"}, {"email": "li@gmail.com"}) == "null"
    assert level({"website": "acme.com"}, {"website": "other.com"}) == "different"


def _prepared(rows: list[dict[str, object]]) -> pd.DataFrame:
    leads = pd.DataFrame(rows)
    return prepare(
        leads.assign(lead_id=[f"L{i}" for i in range(len(leads))]),
        {role: role for role in leads.columns},
        id_column="lead_id",
    )


def test_presets_of_addresses_postcodes_and_websites():
    names = {p.name for p in presets_for(["company", "address", "postcode", "website"])}
    assert {"address", "website", "postcode_company"} <= names
    assert "postcode_name" not in names
    # a postcode alone blocks only where few leads give it
    (alone,) = presets_for(["postcode"])
    assert alone.name == "rare_postcode" and alone.max_block_size == 20


def test_address_and_postcode_blocks():
    prepared = _prepared(
        [
            {
                "company": "Riverside Clinic",
                "address": "12 North Main Street, Apt 4",
                "postcode": "62704",
            },
            {"company": "Riverside Clinic", "address": "12 N Main St", "postcode": "62704-1234"},
            {"company": "Oak Library", "address": "400 Oak Ave", "postcode": "62704"},
            {"company": "Oak Library", "address": "400 Oak Avenue, 60302", "postcode": None},
        ]
    )
    presets = presets_for(["company", "address", "postcode"], ["address", "postcode_company"])
    keyed, report = add_blocking_keys(prepared, presets)
    assert keyed["bk_address"].tolist()[:2] == ["12 n main st"] * 2
    assert keyed.at[2, "bk_address"] == keyed.at[3, "bk_address"]
    assert report.comparisons == {"address": 2, "postcode_company": 1}


def test_a_busy_building_is_capped_like_any_block():
    prepared = _prepared([{"address": f"1 Market St, Suite {i}"} for i in range(12)])
    keyed, report = add_blocking_keys(prepared, presets_for(["address"]), max_block_size=10)
    assert keyed["bk_address"].isna().all()
    assert report.capped_keys["address"] == 1
