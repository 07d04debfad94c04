"""The faster paths of training and scoring at scale give what the plain ones gave: group
numbers, identifying records, agreeing pairs, the order of pairs with copies, the edit
distance shortcut of the email typo level."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd
import pytest

from leadlink.clean._prepare import prepare
from leadlink.match import LeadModel
from leadlink.match._blocking import group_codes
from leadlink.match._copies import DEFAULT_MAX_BLOCK_SIZE, identifying
from leadlink.match._training import _agreeing_pairs
from leadlink.schema import resolve_columns


def _numbered_a_column_at_a_time(frame: pd.DataFrame, columns: list[str], missing_apart: bool):
    """group_codes as it was: the combination numbered afresh after every column."""
    combined = np.zeros(len(frame), dtype=np.int64)
    missing = np.zeros(len(frame), dtype=bool)
    for column in columns:
        codes = pd.factorize(frame[column], use_na_sentinel=True)[0].astype(np.int64)
        absent = codes < 0
        missing |= absent
        width = int(codes.max()) + 2
        combined = pd.factorize(combined * width + np.where(absent, width - 1, codes))[0]
    if missing_apart and missing.any():
        out = np.full(len(frame), -1, dtype=np.int64)
        present = ~missing
        out[present] = pd.factorize(combined[present])[0]
        return out
    return combined


@pytest.mark.parametrize("missing_apart", [True, False])
def test_group_numbers_are_those_numbered_a_column_at_a_time(missing_apart):
    rng = np.random.default_rng(0)
    n = 5000
    frame = pd.DataFrame(
        {
            # wide columns: their numbers multiplied overflow, so some are numbered afresh
            **{f"wide{i}": rng.integers(0, 3000, n).astype(str) for i in range(8)},
            "flag": rng.integers(0, 2, n),
            "city": rng.choice(["北京", "上海", None], n),
            "few": rng.choice(["a", "b"], n),
        }
    )
    frame.loc[rng.random(n) < 0.1, "wide3"] = None
    rows = rng.integers(0, n, n // 2)  # repeated rows, so that groups have several
    frame = pd.concat([frame, frame.iloc[rows]], ignore_index=True)
    for columns in (["flag"], ["city", "few"], list(frame.columns), ["few", "wide0", "flag"]):
        expected = _numbered_a_column_at_a_time(frame, columns, missing_apart)
        found = group_codes(frame, columns, missing_apart=missing_apart)
        assert found.dtype == np.int64
        assert found.tolist() == expected.tolist()


def test_identifying_counts_values_as_value_counts_did():
    rng = np.random.default_rng(1)
    n = 3000
    common = "+8613800000000"
    frame = pd.DataFrame(
        {
            "phone": rng.choice([common, "+8613911111111", None, *map(str, range(500))], n),
            "email": rng.choice(["a@x.cn", None, *map(str, range(300))], n),
            "phone_shared": rng.integers(0, 2, n).astype("int8"),
            "name_key": rng.choice(["zhang wei", None], n),
            "name_partial": rng.integers(0, 2, n).astype("int8"),
            "employer": rng.choice(["acme", None], n),
            "address": [None] * n,
        }
    )
    frame.loc[: DEFAULT_MAX_BLOCK_SIZE + 5, "phone"] = common  # one number too common

    def rare(column: str) -> pd.Series:
        values = frame[column]
        return values.notna() & (values.map(values.value_counts()) <= DEFAULT_MAX_BLOCK_SIZE)

    full_name = frame["name_key"].notna() & (frame["name_partial"] == 0)
    where = frame["employer"].notna() | frame["address"].notna()
    expected = rare("email") | (rare("phone") & (frame["phone_shared"] == 0)) | (full_name & where)
    found = identifying(frame, "person")
    assert found.dtype == bool
    assert found.tolist() == expected.tolist()
    assert identifying(frame.head(0), "person").tolist() == []


def test_agreeing_pairs_are_counted_as_pairs_of_records_are():
    rng = np.random.default_rng(2)
    n = 400
    records = pd.DataFrame(
        {
            "email": rng.choice(["a", "b", "c", None], n),
            "phone": rng.choice(["1", "2", "3", "4", None], n),
            "name_nick": rng.choice(["x", "y", None], n),
            "phone_shared": rng.integers(0, 2, n),
        }
    )
    keys = [("email",), ("phone", "name_nick")]
    personal = [None, "phone_shared"]
    found = 0
    for i, j in combinations(range(n), 2):
        a, b = records.iloc[i], records.iloc[j]
        same_email = a["email"] is not None and a["email"] == b["email"]
        same_line = (
            a["phone"] is not None
            and a["name_nick"] is not None
            and a["phone"] == b["phone"]
            and a["name_nick"] == b["name_nick"]
            and a["phone_shared"] == 0
            and b["phone_shared"] == 0
        )
        found += same_email or same_line
    assert _agreeing_pairs(records, keys, personal) == found


def test_pairs_with_copies_come_in_the_order_of_their_ids_as_text(small_leads):
    leads = small_leads.drop(columns=["person_id", "is_ghost"]).head(1500)
    # copies of some leads under ids that sort among the others (and one before all)
    copies = leads.sample(120, random_state=0).copy()
    copies["lead_id"] = [f"{i}-copy" for i in copies["lead_id"]]
    copies.iloc[0, copies.columns.get_loc("lead_id")] = "0"
    both = pd.concat([leads, copies], ignore_index=True).sample(frac=1, random_state=1)
    prepared = prepare(both, resolve_columns(both, id_column="lead_id"), id_column="lead_id")
    model = LeadModel(seed=0).fit(prepared)
    pairs = model.predict(prepared, min_probability=0.0)
    assert (pairs["found_by"] == "identical").sum() >= 119
    key = list(zip(pairs["id_l"].astype(str), pairs["id_r"].astype(str)))
    assert key == sorted(key)
    assert len(set(key)) == len(key)
    assert (pairs["id_l"].astype(str) < pairs["id_r"].astype(str)).all()
    # the same as sorting the pairs afresh
    again = pairs.sample(frac=1, random_state=2)
    again = again.iloc[np.lexsort((again["id_r"].astype(str), again["id_l"].astype(str)))]
    pd.testing.assert_frame_equal(pairs, again.reset_index(drop=True))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("wangwei@qq.com", "wnagwei@qq.com"),  # swapped
        ("张伟@例子.中国", "伟张@例子.中国"),  # swapped, several bytes a character
        ("zhang@a.cn", "zhàng@a.cn"),  # one character of two bytes
        ("ab", "ba"),
        ("a张", "张a"),
        ("x", ""),
        ("é@b", "e\u0301@b"),  # a combining accent: one more code point
    ],
)
def test_a_damerau_levenshtein_distance_of_one_is_a_levenshtein_distance_of_two_at_most(a, b):
    """The email typo level tests Levenshtein <= 2 before Damerau-Levenshtein <= 1, which
    holds only if both count the same units (characters, or bytes) on this DuckDB."""
    import duckdb

    connection = duckdb.connect()
    try:
        distance, damerau = connection.execute(
            "SELECT levenshtein(?, ?), damerau_levenshtein(?, ?)", [a, b, a, b]
        ).fetchone()
    finally:
        connection.close()
    if damerau <= 1:
        assert distance <= 2


@pytest.mark.parametrize(
    "values",
    [
        ["王芳", "Zhang", "zhang", "é", "e\u0301", "", "10", "9", "张伟"],
        [3, 1, 2],  # not texts: sorted by pandas
        ["b", "a", "b"],  # not distinct: sorted by pandas
    ],
)
def test_frequencies_sorted_by_arrow_are_sorted_as_by_pandas(values):
    from leadlink.match._training import _by_value

    series = pd.Series(
        np.arange(len(values), dtype=float), index=pd.Index(values, name="value"), name="tf_x"
    )
    pd.testing.assert_series_equal(_by_value(series), series.sort_index(), check_exact=True)


def test_the_table_scored_has_row_ids_and_leaves_the_keyed_table_as_it_was():
    from leadlink.match._predict import _with_row_ids

    keyed = pd.DataFrame({"unique_id": ["b", "a", "c"], "name": ["x", "y", None], "bk": [1, 2, 3]})
    before = keyed.copy()
    table = _with_row_ids(keyed, list(keyed.columns))
    assert table["unique_id"].tolist() == [0, 1, 2]
    assert table.columns.tolist() == keyed.columns.tolist()
    pd.testing.assert_frame_equal(keyed, before)
    fewer = _with_row_ids(keyed, ["name", "unique_id"])
    assert fewer.columns.tolist() == ["name", "unique_id"]
    pd.testing.assert_frame_equal(keyed, before)
