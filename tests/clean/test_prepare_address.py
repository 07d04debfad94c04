"""The prepared columns of addresses, postcodes and websites."""

from __future__ import annotations

import pandas as pd

from leadlink.clean._prepare import prepare


def _prepare(rows: list[dict[str, object]]) -> pd.DataFrame:
    leads = pd.DataFrame(rows)
    return prepare(
        leads.assign(lead_id=[f"L{i}" for i in range(len(leads))]),
        {role: role for role in leads.columns},
        id_column="lead_id",
    )


def test_address_columns():
    prepared = _prepare([{"address": "12 North Main Street, Apt. 4, Springfield, IL 62704"}])
    row = prepared.iloc[0]
    assert row["address"] == "12 n main st springfield il u4"
    assert row["address_street"] == "12 n main st"
    assert row["address_road"] == "n main st"
    assert row["address_number"] == "12"
    assert row["address_unit"] == "u4"
    # no postcode column: the one written in the address
    assert row["postcode"] == "62704"
    assert "address_postcode" not in prepared.columns


def test_a_postcode_column_wins_and_the_address_fills_its_gaps():
    prepared = _prepare(
        [
            {"address": "5 Harbor Blvd, 62705", "postcode": "62799"},
            {"address": "5 Harbor Blvd, 62705", "postcode": None},
            {"address": "5 Harbor Blvd", "postcode": "62705-0001"},
        ]
    )
    assert prepared["postcode"].tolist() == ["62799", "62705", "62705"]


def test_website_column():
    prepared = _prepare([{"website": "https://www.acme.co.uk/about"}, {"website": "n/a"}])
    assert prepared["website"].tolist() == ["acme.co.uk", None]


def test_without_these_roles_the_columns_are_empty():
    prepared = _prepare([{"name": "张伟", "phone": "13800138000"}])
    for column in ("address", "address_street", "postcode", "website"):
        assert prepared[column].isna().all()
