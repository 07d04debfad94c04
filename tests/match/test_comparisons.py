"""Comparison levels on hand-made pairs: which level of a preset two leads reach."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from leadlink.clean._prepare import PREPARED_COLUMNS, prepare
from leadlink.match._comparisons import COMPANY, EMAIL, NAME, PHONE, TITLE


def _first_level(preset, left: dict, right: dict, others: tuple[dict, ...] = ()) -> str:
    """The id of the first level of ``preset`` whose condition the pair meets (prepared
    beside the ``others``, which can name a switchboard's company)."""
    leads = pd.DataFrame([left, right, *others])
    prepared = prepare(
        leads.assign(lead_id=[f"lead{i}" for i in range(len(leads))]),
        {role: role for role in leads.columns},
        id_column="lead_id",
    )
    row = {f"{c}_l": prepared.at[0, c] for c in PREPARED_COLUMNS}
    row |= {f"{c}_r": prepared.at[1, c] for c in PREPARED_COLUMNS}
    con = duckdb.connect()
    con.register("pair", pd.DataFrame([row]))
    # the comparison as Splink builds it: its null level first, then the preset's levels
    built = preset.build().get_comparison("duckdb").comparison_levels
    for level, name in zip(built, ["null", *preset.level_ids]):
        condition = level.sql_condition
        if condition == "ELSE":
            return name
        if con.execute(f"SELECT count(*) FROM pair WHERE {condition}").fetchone()[0]:
            return name
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
        ("wangwei@163.com", "wangwei@165.com", "same_user"),  # a mistyped domain
        ("wangwei@acme.com", "wangwei@acme.com", "exact"),
    ],
)
def test_email_typo_level(left, right, level):
    assert _first_level(EMAIL, {"email": left}, {"email": right}) == level


@pytest.mark.parametrize(
    ("left", "right", "level"),
    [
        # a role account beside a person's mailbox at its company: not two desks
        ("info@acme.com", "wangwei@acme.com", "different"),
        ("sales2@acme.com", "wangwei@acme.com", "different"),
        # one role account given twice: compared by its mailbox name, as common as it is
        ("info@acme.com", "info@acme.com", "same_user"),
        ("hr@acme.com", "hr@acme.com", "same_user"),
        # people's mailboxes are as before
        ("wangwei@acme.com", "lina@acme.com", "same_domain"),
        ("infoman@acme.com", "infoman@acme.com", "exact"),
    ],
)
def test_a_role_mailbox_is_no_persons(left, right, level):
    assert _first_level(EMAIL, {"email": left}, {"email": right}) == level
    # the Python twin the real-time index scores with decides the pair the same way
    from leadlink.match._levels import LEVEL_TESTS

    leads = pd.DataFrame({"email": [left, right], "lead_id": ["a", "b"]})
    prepared = prepare(leads, {"email": "email"}, id_column="lead_id")
    rows = [{c: (None if pd.isna(v) else v) for c, v in prepared.iloc[i].items()} for i in (0, 1)]
    twin = next(lv for lv in EMAIL.level_ids if LEVEL_TESTS["email", lv](rows[0], rows[1], "email"))
    assert twin == level


# Two colleagues who give their company on the switchboard of 字节跳动 and a mail domain of
# Acme, where a third colleague gives his company too.
_COLLEAGUES = (
    {"phone": "010-62345678 转 801", "company": "北京字节跳动科技有限公司"},
    {"phone": "010-62345678 转 802", "company": "字节跳动科技（北京）有限公司"},
    {"email": "tom@acme-robotics.com", "company": "Acme Robotics Inc."},
    {"email": "ann@acme-robotics.com", "company": "ACME Robotics"},
)


@pytest.mark.parametrize(
    ("left", "right", "level"),
    [
        # no company given, but the switchboard names it: the same employer
        (
            {"phone": "010-62345678 转 803"},
            {"phone": "13800138000", "company": "字节跳动科技有限公司"},
            "exact",
        ),
        # ... and a company mail domain names it
        (
            {"email": "li@acme-robotics.com"},
            {"phone": "13800138000", "company": "Acme Robotics GmbH"},
            "exact",
        ),
        # the switchboard names another company than the one the other lead gives
        (
            {"phone": "010-62345678"},
            {"phone": "13800138000", "company": "百度在线网络技术有限公司"},
            "different",
        ),
        # a mobile, or a mailbox at a free provider, names no employer
        ({"phone": "13900139000"}, {"phone": "13800138000", "company": "字节跳动"}, "null"),
        ({"email": "li@qq.com"}, {"phone": "13800138000", "company": "字节跳动"}, "null"),
    ],
)
def test_company_through_the_employer_a_line_or_domain_names(left, right, level):
    assert _first_level(COMPANY, left, right, _COLLEAGUES) == level


def test_same_switchboard_of_the_named_employer_is_counted_once():
    # The company a switchboard names is counted by the company comparison; the shared line
    # itself then restates it.
    left = {"phone": "010-62345678 转 803"}
    right = {"phone": "010-62345678", "company": "字节跳动科技"}
    assert _first_level(PHONE, left, right, _COLLEAGUES) == "shared_line_same_company"
    assert _first_level(COMPANY, left, right, _COLLEAGUES) == "exact"


@pytest.mark.parametrize(
    ("left", "right", "level"),
    [
        # a web form with only a mailbox, beside the same person's lead with a name
        ({"email": "zhouqiang273@163.com"}, {"name": "周强"}, "spelled_by_mailbox"),
        ({"email": "qiang.zhou@acme.com"}, {"name": "ZHOU Qiang"}, "spelled_by_mailbox"),
        ({"email": "zhouqiang273@163.com"}, {"name": "周敏"}, "null"),  # another name
        ({"email": "ab12@163.com"}, {"name": "周强"}, "null"),  # too short to spell one
        # two leads without a name: nothing to compare
        ({"email": "zhouqiang273@163.com"}, {"email": "zhouqiang@qq.com"}, "null"),
        # both named: the names decide, whatever the mailboxes spell
        (
            {"name": "周敏", "email": "zhouqiang273@163.com"},
            {"name": "周强", "email": "x@qq.com"},
            "different",
        ),
    ],
)
def test_a_nameless_lead_whose_mailbox_spells_the_name(left, right, level):
    left = {"name": None, "email": None} | left
    right = {"name": None, "email": None} | right
    assert _first_level(NAME, left, right) == level


def test_the_mailbox_that_spells_the_name_is_counted_once():
    # the same mailbox name at two domains restates what the name level counts
    left = {"name": None, "email": "zhouqiang273@163.com"}
    right = {"name": "周强", "email": "zhouqiang273@qq.com"}
    assert _first_level(NAME, left, right) == "spelled_by_mailbox"
    assert _first_level(EMAIL, left, right) == "same_user_same_name"


@pytest.mark.parametrize(
    ("left", "right", "level"),
    [
        ("销售部经理", "Sales Manager", "exact"),  # the same job in other words
        ("CEO", "首席执行官", "exact"),
        ("工程师", "Senior Engineer", "within"),  # a promotion keeps the job's words
        ("销售", "华东区销售经理", "within"),
        ("Manager", "Sales Manager APAC", "within"),
        ("销售经理", "销售总监", "different"),
        ("engineer", "engineering manager", "different"),  # a word, not a part of one
        ("Manager", "无", "null"),  # a placeholder is no title
        ("Manager", None, "null"),
    ],
)
def test_title_levels(left, right, level):
    assert _first_level(TITLE, {"title": left}, {"title": right}) == level
