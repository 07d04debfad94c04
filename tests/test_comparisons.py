"""Comparison levels on hand-made pairs: which level of a preset two leads reach."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from leadlink.comparisons import EMAIL
from leadlink.prepare import PREPARED_COLUMNS, prepare


def _first_level(preset, left: dict, right: dict) -> str:
    """The id of the first level of ``preset`` whose condition the pair meets."""
    prepared = prepare(
        pd.DataFrame([left, right]).assign(lead_id=["l", "r"]),
        {role: role for role in left},
        id_column="lead_id",
    )
    row = {f"{c}_l": prepared.at[0, c] for c in PREPARED_COLUMNS}
    row |= {f"{c}_r": prepared.at[1, c] for c in PREPARED_COLUMNS}
    con = duckdb.connect()
    con.register("pair", pd.DataFrame([row]))
    for level in preset.levels:
        condition = level.build().get_comparison_level("duckdb").sql_condition
        if con.execute(f"SELECT count(*) FROM pair WHERE {condition}").fetchone()[0]:
            return level.id
    raise AssertionError("no level matched")


@pytest.mark.parametrize(
    ("left", "right", "level"),
    [
        ("wangwei@acme.com", "wnagwei@acme.com", "typo"),  # two letters swapped
        ("wangwei@acme.com", "wangwie@acme.com", "typo"),
        ("dongmi2n05@gmail.com", "dongmin205@gmail.com", "typo"),  # a digit moved
        ("6959938983@qq.com", "6959938938@qq.com", "typo"),  # a QQ number mistyped
        ("6959938983@qq.com", "6959938984@qq.com", "typo"),
        ("wangwei@acme.com", "wangwei2@acme.com", "same_domain"),  # a numbered namesake
        ("wangwei2@acme.com", "wangwei3@acme.com", "same_domain"),
        ("wangwei@163.com", "wangwei2@163.com", "both_personal"),
        ("wangwei@acme.com", "wangwei@acme.com", "exact"),
    ],
)
def test_email_typo_level(left, right, level):
    assert _first_level(EMAIL, {"email": left}, {"email": right}) == level
