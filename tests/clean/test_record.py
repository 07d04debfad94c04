"""prepare_record / validate_record: one lead gives the row that prepare and validate give
for a one-row table of it, on generated leads and accounts with junk, ghosts, local
numbers and extra columns of every kind."""

from __future__ import annotations

import math
import random
from typing import Any

import numpy as np
import pandas as pd
import pytest

from leadlink.clean import extra_column, prepare, prepare_record, validate, validate_record
from leadlink.datasets import generate_accounts, generate_leads
from leadlink.errors import ColumnError, ConfigError, InputError
from leadlink.schema import PREPARED_COLUMNS, resolve_columns

#: Values people and exports put in any cell.
JUNK: list[Any] = [
    None,
    "",
    "   ",
    "nan",
    "N/A",
    "无",
    "-",
    0,
    1.5,
    13800138000,
    float("nan"),
    pd.NaT,
    True,
    "€",
    "😴",
    "x" * 5000,
    "test",
    "asdf",
    "13800138000",
    "555-1234",
    "8888 6666 转 801",
    "asdf@asdf.com",
    "info@acme.com",
    "张伟 先生",
    "Zhang Wei",
    "北京某某科技有限公司",
    "12 Main St., Springfield, IL 62704",
    "Room 101, 科苑路15号, 深圳",
    "www.example.co.uk",
]

#: The user's own columns, one of each comparison kind (a Chinese header among them).
EXTRA = {"birthday": "date", "证件号": "exact", "note": "fuzzy", "budget": "numeric"}


def _with_extras(table: pd.DataFrame, rng: random.Random) -> pd.DataFrame:
    n = len(table)
    table = table.copy()
    table["birthday"] = [
        rng.choice([None, "1990-02-03", "03/04/1985", "19871231", "20230231", "not a date"])
        for _ in range(n)
    ]
    table["证件号"] = [
        rng.choice([None, "1101-0119 90", f"ID-{rng.randint(1, 50)}"]) for _ in range(n)
    ]
    table["note"] = [rng.choice([None, " VIP  Customer", "回访", "ＡＢＣ"]) for _ in range(n)]
    table["budget"] = [rng.choice([None, "1,200", 3.5, "lots", "1e400", 7]) for _ in range(n)]
    return table


def _with_junk(table: pd.DataFrame, columns: list[str], rng: random.Random) -> pd.DataFrame:
    table = table.astype(object)
    for column in columns:
        for row in rng.sample(range(len(table)), k=len(table) // 12):
            table.iat[row, table.columns.get_loc(column)] = rng.choice(JUNK)
    return table


def _cases() -> list[tuple[pd.DataFrame, dict[str, str], str, str]]:
    """(table, roles, id column, region): English and Chinese leads, accounts."""
    rng = random.Random(16)
    cases = []
    for headers, n_people, region in (("en", 600, "CN"), ("zh", 600, "CN")):
        leads = generate_leads(n_people, seed=7, headers=headers, ghost_rate=0.08)
        leads = leads.drop(columns=["person_id", "is_ghost"]).head(700)
        id_column = leads.columns[0]
        roles = resolve_columns(leads, id_column=id_column)
        leads = _with_junk(_with_extras(leads, rng), list(roles.values()), rng)
        cases.append((leads.reset_index(drop=True), roles, id_column, region))
    accounts = generate_accounts(400, seed=3).drop(columns=["company_id"]).head(600)
    roles = resolve_columns(accounts, id_column="account_id")
    accounts = _with_junk(_with_extras(accounts, rng), list(roles.values()), rng)
    cases.append((accounts.reset_index(drop=True), roles, "account_id", "US"))
    return cases


CASES = _cases()


def test_the_cases_cover_what_they_should():
    assert sum(len(table) for table, *_ in CASES) == 2000
    roles = set().union(*(roles for _, roles, _, _ in CASES))
    assert {"name", "phone", "email", "company", "address", "postcode", "website"} <= roles
    problems = {
        code
        for table, roles, _, region in CASES
        for codes in validate(table, columns=roles, region=region)["problems"]
        for code in codes
    }
    assert {"phone.local", "phone.placeholder", "name.placeholder", "contact.none"} <= problems


def _same(mine: Any, theirs: Any) -> bool:
    if theirs is None:
        return mine is None
    if isinstance(theirs, float) and math.isnan(theirs):
        return isinstance(mine, float) and math.isnan(mine)
    if isinstance(theirs, (np.integer, np.floating)):
        return type(mine) is type(theirs.item()) and mine == theirs
    return type(mine) is type(theirs) and mine == theirs


def _differences(mine: dict[str, Any], frame: pd.DataFrame, row: int, columns) -> list[str]:
    return [
        f"{column}: {mine[column]!r} != {frame[column].to_numpy()[row]!r}"
        for column in columns
        if not _same(mine[column], frame[column].to_numpy()[row])
    ]


def _prepared(record, roles, id_column, region):
    return prepare_record(
        record, roles=roles, id_value=record[id_column], region=region, extra=EXTRA
    )


#: Prepared columns that depend on the other leads of a table.
TABLE_LEVEL = ("phone_shared", "employer", "employer_latin")


@pytest.mark.parametrize("case", range(len(CASES)))
def test_every_row_matches_the_table_where_rows_do_not_meet(case):
    """Columns of one lead alone equal the whole table's; so does validate."""
    table, roles, id_column, region = CASES[case]
    prepared = prepare(table, roles, id_column=id_column, region=region, extra=EXTRA)
    checked = validate(table, columns=roles, region=region)
    columns = [c for c in prepared.columns if c not in TABLE_LEVEL]
    assert set(prepared.columns) == {*PREPARED_COLUMNS, *map(extra_column, EXTRA)}
    for row, record in enumerate(table.to_dict("records")):
        mine = _prepared(record, roles, id_column, region)
        assert list(mine) == list(prepared.columns)
        assert _differences(mine, prepared, row, columns) == [], row
        is_ghost, problems = validate_record(record, roles=roles, region=region)
        assert is_ghost is bool(checked["is_ghost"].iloc[row])
        assert problems == checked["problems"].iloc[row], row


def _check_one_row_tables(rows: list[int]) -> None:
    for case, (table, roles, id_column, region) in enumerate(CASES):
        records = table.to_dict("records")
        for row in rows:
            if row >= len(records):
                continue
            record = records[row]
            one = pd.DataFrame([record])
            prepared = prepare(one, roles, id_column=id_column, region=region, extra=EXTRA)
            mine = _prepared(record, roles, id_column, region)
            assert list(mine) == list(prepared.columns)
            assert _differences(mine, prepared, 0, prepared.columns) == [], (case, row)
            checked = validate(one, columns=roles, region=region)
            assert validate_record(record, roles=roles, region=region) == (
                bool(checked["is_ghost"].iloc[0]),
                checked["problems"].iloc[0],
            ), (case, row)


def test_rows_match_one_row_tables():
    _check_one_row_tables(list(range(0, 700, 9)))


@pytest.mark.slow
def test_every_row_matches_its_one_row_table():
    _check_one_row_tables(list(range(700)))


def test_shared_lines_and_employers_as_in_a_one_row_table():
    roles = {"name": "n", "phone": "p", "company": "c", "email": "e"}
    record = {"n": "", "p": "010-8888 6666", "c": "北京字节跳动科技有限公司", "e": "li.na@x.cn"}
    row = prepare_record(record, roles=roles, id_value=" L1 ", region="CN")
    assert (row["unique_id"], row["phone_shared"], row["employer"]) == ("L1", 1, row["company"])
    assert row["name_spelling"] == "ailn"  # the mailbox name spells it
    mobile = prepare_record({**record, "p": "13912345670"}, roles=roles, id_value=1, region="CN")
    assert mobile["phone_shared"] == 0


def test_a_missing_column_is_an_empty_cell():
    roles = {"name": "name", "phone": "phone"}
    partial = prepare_record({"name": "张伟"}, roles=roles, id_value="L1", region="CN")
    full = prepare_record({"name": "张伟", "phone": None}, roles=roles, id_value="L1", region="CN")
    assert partial == full
    assert validate_record({"name": "张伟"}, roles=roles, region="CN") == (
        False,
        ["phone.missing", "contact.none"],
    )


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: prepare_record({}, roles={}, id_value=None, region="CN"), InputError),
        (lambda: prepare_record({}, roles={}, id_value=" ", region="CN"), InputError),
        (lambda: prepare_record({}, roles={}, id_value="L1", region="XX"), ConfigError),
        (lambda: validate_record({}, roles={}, region="XX"), ConfigError),
        (lambda: validate_record({}, roles={"colour": "c"}, region="CN"), ColumnError),
        (
            lambda: prepare_record({}, roles={}, id_value="L1", region="CN", extra={"a": "exact"}),
            ColumnError,
        ),
        (
            lambda: prepare_record(
                {"a": 1}, roles={}, id_value="L1", region="CN", extra={"a": "odd"}
            ),
            ConfigError,
        ),
    ],
)
def test_refusals(call, error):
    with pytest.raises(error):
        call()
