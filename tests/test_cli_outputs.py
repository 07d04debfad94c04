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
    _assert_same_parquet(tmp_path / "fast.parquet", tmp_path / "flat.parquet")
    back = pd.read_parquet(tmp_path / "fast.parquet")
    assert back["name_level"].isin(["exact", "similar", "different", "nan"]).all()
    assert back["found_by"].dtype == object


def _assert_same_parquet(path, expected):
    """The same file for every reader: Parquet schema, the metadata Arrow and pandas
    stored, the values; only the encoding of the levels may differ (see
    ``_write_pairs_parquet``)."""
    import pyarrow.parquet as pq

    written, wanted = pq.ParquetFile(path), pq.ParquetFile(expected)
    assert written.schema == wanted.schema
    assert written.metadata.metadata == wanted.metadata.metadata
    assert written.metadata.num_rows == wanted.metadata.num_rows
    table = pq.read_table(path)
    assert table.equals(pq.read_table(expected))
    assert table.schema.equals(pq.read_table(expected).schema, check_metadata=True)
    pd.testing.assert_frame_equal(pd.read_parquet(path), pd.read_parquet(expected))


def test_pairs_parquet_levels_keep_nan_and_odd_categories(tmp_path):
    levels = pd.Categorical(["nan", None, "exact", "nan"], categories=["exact", "nan", "x"])
    numbers = pd.Categorical([1, None, 2, 1])
    pairs = pd.DataFrame(
        {"id_l": ["a", "b", "c", "d"], "id_r": ["e", "f", "g", "h"], "level": levels, "n": numbers}
    )
    _write_pairs_parquet(pairs, tmp_path / "fast.parquet")
    _flat(pairs).to_parquet(tmp_path / "flat.parquet", index=False)
    _assert_same_parquet(tmp_path / "fast.parquet", tmp_path / "flat.parquet")
    assert pd.read_parquet(tmp_path / "fast.parquet")["level"].tolist() == [
        "nan", "nan", "exact", "nan"
    ]  # fmt: skip


def test_files_written_behind_are_the_same_and_their_errors_are_raised(tmp_path):
    from leadlink._csv_text import run_behind, writes_behind
    from leadlink.io import write_table

    frame = pd.DataFrame({"id": ["L1", "=L2", None], "n": [1, 2, 3], "t": ["x", "y,z", ""]})
    write_table(frame, tmp_path / "now.csv")
    with writes_behind():
        write_table(frame, tmp_path / "behind.csv")
        write_table(frame, tmp_path / "next.csv")
    for name in ("behind.csv", "next.csv"):
        assert (tmp_path / name).read_bytes() == (tmp_path / "now.csv").read_bytes()

    def fail() -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space"), writes_behind():
        run_behind(fail)
    with pytest.raises(OSError, match="No space"), writes_behind():
        run_behind(fail)
        write_table(frame, tmp_path / "after.csv")  # waits for the one before


def _golden_frame(values: list[object], *, explain: bool = False) -> pd.DataFrame:
    """Golden records by hand: three clusters (ids out of order), a name and a phone each,
    ``values`` as their names, the second record without a phone."""
    golden = pd.DataFrame(
        {
            "cluster_id": ["C3", "C1", "C2"],
            "n_leads": [2, 1, 1],
            "lead_ids": [["L5", "L6"], ["L1"], ["=L2"]],
            "name": values,
            "name_from": ["L5", "L1", "=L2"],
            "phone": ["+86 138 0013 8000", None, "@phone"],
            "phone_from": ["L6", None, "=L2"],
        }
    )
    if explain:
        golden["name_rule"] = ["most_recent", "only_value", "lead_id"]
    return golden


@pytest.mark.parametrize(
    ("values", "explain"),
    [
        (["Zhang Wei", "=SUM(A1)", "'=already"], False),  # formulas escaped in both files
        (['say "hi", then', "line\nbreak", ""], False),  # quoted cells, an empty one
        ([None, np.nan, "-12"], False),
        (["text", 7, "more"], False),  # a number among texts: pandas writes both files
        (["a", "b", "c"], True),  # rules: lineage made a table
    ],
)
def test_golden_and_lineage_files_are_what_write_table_writes(tmp_path, values, explain):
    from leadlink.cli._matching import _golden_files
    from leadlink.io import write_table
    from leadlink.merge import lineage

    golden = _golden_frame(values, explain=explain)
    (tmp_path / "new").mkdir()
    written = _golden_files(golden, tmp_path / "new")
    assert [path.name for path in written] == ["golden_records.csv", "lineage.csv"]
    write_table(_json_lists(golden), tmp_path / "golden_records.csv")
    write_table(lineage(golden), tmp_path / "lineage.csv")
    for name in ("golden_records.csv", "lineage.csv"):
        assert (tmp_path / "new" / name).read_bytes() == (tmp_path / name).read_bytes()


def test_lineage_of_golden_records_without_roles_is_its_header(tmp_path):
    from leadlink.cli._matching import _golden_files
    from leadlink.io import write_table
    from leadlink.merge import lineage

    golden = pd.DataFrame({"cluster_id": ["C1"], "n_leads": [1], "lead_ids": [["L1"]]})
    _golden_files(golden, tmp_path)
    write_table(lineage(golden), tmp_path / "expected.csv")
    assert (tmp_path / "lineage.csv").read_bytes() == (tmp_path / "expected.csv").read_bytes()


def test_pairs_parquet_from_ids_at_hand_is_the_same_file(tmp_path):
    import pyarrow as pa

    from leadlink.merge._members import placed_pairs

    rng = np.random.default_rng(1)
    n = 3000
    pairs = pd.DataFrame(
        {
            "match_weight": rng.normal(size=n),
            "id_l": [f"L{i}" for i in rng.integers(0, 900, n)],
            "found_by": pd.Categorical(rng.choice(["phone", "email"], n)),
            "id_r": [f"中{i}" for i in rng.integers(900, 1800, n)],
            "rule": [""] * n,
        }
    )
    lead_ids = np.asarray([f"L{i}" for i in range(900)] + [f"中{i}" for i in range(900, 1800)])
    positions, ids = placed_pairs(pairs, lead_ids)
    assert ids is not None and all(isinstance(side, pa.Array) for side in ids)
    assert (lead_ids[positions[0]] == pairs["id_l"].to_numpy()).all()
    _write_pairs_parquet(pairs, tmp_path / "held.parquet", ids=ids)
    _write_pairs_parquet(pairs, tmp_path / "plain.parquet")
    _flat(pairs).to_parquet(tmp_path / "flat.parquet", index=False)
    held = (tmp_path / "held.parquet").read_bytes()
    assert held == (tmp_path / "plain.parquet").read_bytes()
    _assert_same_parquet(tmp_path / "held.parquet", tmp_path / "flat.parquet")
