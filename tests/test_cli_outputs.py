"""The CLI's output files are made without Python text per cell, and hold what the plain
way made: list cells as json.dumps writes them, pairs.parquet as pandas wrote _flat(pairs)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from leadlink.cli._matching import _flat, _json_list, _json_lists, _write_pairs_parquet


@pytest.mark.parametrize(
    "values",
    [
        [],
        ["L1"],
        ["L1", "L2", "中文"],
        ['say "hi"', "back\\slash"],
        ["tab\there", "nul\x00", "line\nbreak", "\x1f"],
        ["", " "],
        ["L1", 2, None, 3.5],
        [["nested"]],
        ["\u2028", "é"],
    ],
)
def test_a_list_cell_is_the_text_json_dumps_writes(values):
    assert _json_list(values) == json.dumps(values, ensure_ascii=False)


@pytest.mark.parametrize(
    "cells",
    [
        [["a", "b"], [], None, ["中文"], [""]],  # texts only, none to escape: joined at once
        [["a"], ['say "hi"'], []],  # one escape: each list on its own
        [["a", 1], ["b"], "text", 2.5],
        [("a", "b"), ["a"]],  # a tuple is no list
    ],
)
def test_a_column_of_lists_is_json_text(cells):
    from leadlink.cli._matching import _json_cells

    expected = [
        json.dumps(cell, ensure_ascii=False) if isinstance(cell, list) else cell for cell in cells
    ]
    assert _json_cells(cells) == expected


def test_list_columns_become_json_and_others_stay():
    frame = pd.DataFrame({"ids": [["a", "b"], [], None], "n": [1, 2, 3], "t": ["x", None, "z"]})
    flat = _json_lists(frame)
    assert flat["ids"].tolist() == ['["a", "b"]', "[]", None]
    assert flat["n"].tolist() == [1, 2, 3] and flat["t"].tolist() == ["x", None, "z"]


def test_pairs_parquet_is_the_file_of_the_flat_pairs(tmp_path):
    rng = np.random.default_rng(0)
    n = 5000
    levels = pd.Categorical(rng.choice(["exact", "similar", "different"], n))
    levels[rng.random(n) < 0.1] = np.nan  # no level: written "nan", as astype(str) did
    pairs = pd.DataFrame(
        {
            "id_l": [f"L{i}" for i in rng.integers(0, 900, n)],
            "id_r": [f"L{i}" for i in rng.integers(900, 1800, n)],
            "match_weight": rng.normal(size=n),
            "match_probability": rng.random(n),
            "found_by": pd.Categorical(rng.choice(["phone", "email"], n)),
            "name_level": levels,
            "rule": [None] * n,
        }
    )
    _write_pairs_parquet(pairs, tmp_path / "fast.parquet")
    _flat(pairs).to_parquet(tmp_path / "flat.parquet", index=False)
    assert (tmp_path / "fast.parquet").read_bytes() == (tmp_path / "flat.parquet").read_bytes()
    back = pd.read_parquet(tmp_path / "fast.parquet")
    assert back["name_level"].isin(["exact", "similar", "different", "nan"]).all()
    assert back["found_by"].dtype == object
