"""leadlink.clean._validate: reason codes, ghost verdicts, options, missing_summary, bad input."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import leadlink as ll
from leadlink.clean._validate import GHOST_THRESHOLD, Problem, missing_summary, validate
from leadlink.errors import ColumnError, ConfigError, InputError
from leadlink.schema import ROLES

# fmt: off
# One crafted lead per row: what it is, its fields, the exact reason codes, the verdict.
# "-" in a field means None. Hard negatives (real people that look odd) are marked "real".
CASES: list[tuple[str, str, str, str, str, str, bool]] = [
    # label                          name            phone                     email                      company           problems                                                                  ghost
    ("clean CN mobile",              "张伟",          "13917263548",            "zhangwei@bytedance.com",  "北京字节跳动科技有限公司", "",                                                                    False),
    ("traditional, spaced +86",      "張偉",          "+86 139 1726 3548",      "zw1988@qq.com",           "字節跳動",        "",                                                                        False),
    ("US lead",                      "Robert Smith",  "+1 415 692 7310",        "bob.smith@acme.com",      "Acme, Inc.",      "",                                                                        False),
    ("UK landline",                  "Olivia Brown",  "+44 20 7123 4567",       "olivia@brownandco.co.uk", "Brown & Co Ltd",  "",                                                                        False),
    ("real: a few repeated digits",  "李娜",          "13900001111",            "lina@163.com",            "-",               "",                                                                        False),
    ("real: QQ number mailbox",      "陈静",          "18612349876",            "384729102@qq.com",        "-",               "",                                                                        False),
    ("real: reduplicated pinyin",    "Wang Tingting", "15821096633",            "tingting@163.com",        "-",               "",                                                                        False),
    ("real: role mailbox only",      "王芳",          "13712345098",            "info@acme.cn",            "-",               "email.role",                                                              False),
    ("real: switchboard + 转",        "赵磊",          "010-8888 6666 转 8001",   "-",                       "-",               "email.missing",                                                           False),
    ("real: no phone, good email",   "刘洋",          "-",                      "liuyang@sina.com",        "-",               "phone.missing",                                                           False),
    ("real: no contact at all",      "孙丽",          "-",                      "-",                       "-",               "phone.missing email.missing contact.none",                                False),
    ("real: phone typo, no email",   "周杰",          "1390000",                "-",                       "-",               "phone.invalid email.missing contact.none",                                False),
    ("real: disposable email only",  "Li Ming",       "-",                      "liming@mailinator.com",   "-",               "phone.missing email.disposable",                                          False),
    ("real: bad email, good phone",  "吴敏",          "13598761234",            "wumin@",                  "-",               "email.syntax",                                                            False),
    ("real: fake email, good phone", "Zhang Wei",     "13917263548",            "test@test.com",           "-",               "email.placeholder",                                                       False),
    ("real: fake phone, good email", "王芳",          "13800138000",            "wangfang@163.com",        "-",               "phone.placeholder",                                                       False),
    ("real: test name, good phone",  "测试",          "13917263548",            "-",                       "-",               "email.missing name.placeholder",                                          False),
    ("real: placeholder company",    "黄勇",          "13661234987",            "huangyong@126.com",       "测试公司",        "company.placeholder",                                                     False),
    ("ghost: 13800138000 alone",     "张伟",          "13800138000",            "-",                       "-",               "phone.placeholder email.missing contact.none",                            True),
    ("ghost: +86 13800138000",       "-",             "+86 13800138000",        "-",                       "-",               "phone.placeholder email.missing name.missing contact.none required.name", True),
    ("ghost: 12345678901 + 测试",    "测试",          "12345678901",            "-",                       "-",               "phone.placeholder email.missing name.placeholder contact.none",           True),
    ("ghost: all ones",              "刘强",          "11111111111",            "-",                       "-",               "phone.placeholder email.missing contact.none",                            True),
    ("ghost: all zeros",             "杨帆",          "00000000000",            "-",                       "-",               "phone.placeholder email.missing contact.none",                            True),
    ("ghost: 13888888888",           "赵六",          "13888888888",            "-",                       "-",               "phone.placeholder email.missing contact.none",                            True),
    ("ghost: sequential tail",       "钱七",          "13912345678",            "-",                       "-",               "phone.placeholder email.missing contact.none",                            True),
    ("ghost: US 555-01xx",           "Mary Jones",    "+1 212 555 0123",        "-",                       "-",               "phone.placeholder email.missing contact.none",                            True),
    ("ghost: test@test.com + test",  "test",          "-",                      "test@test.com",           "-",               "phone.missing email.placeholder name.placeholder contact.none",           True),
    ("ghost: a@a.com + asdf",        "asdf",          "-",                      "a@a.com",                 "-",               "phone.missing email.placeholder name.placeholder contact.none",           True),
    ("ghost: xxx@example.com",       "xxx",           "-",                      "xxx@example.com",         "-",               "phone.missing email.placeholder name.placeholder contact.none",           True),
    ("ghost: asdf@qq.com only",      "Tom Lee",       "-",                      "asdf@qq.com",             "-",               "phone.missing email.placeholder contact.none",                            True),
    ("ghost: 无, nothing else",      "无",            "-",                      "-",                       "-",               "phone.missing email.missing name.placeholder contact.none",               True),
    ("ghost: mash name, bad phone",  "asdfgh",        "123",                    "-",                       "-",               "phone.invalid email.missing name.placeholder contact.none",               True),
    ("ghost: test name, throwaway",  "测试",          "-",                      "x9k2@mailinator.com",     "-",               "phone.missing email.disposable name.placeholder",                         True),
    ("ghost: empty row",             "-",             "-",                      "-",                       "-",               "phone.missing email.missing name.missing contact.none required.name",     True),
]
# fmt: on


def _frame(cases: list[tuple[str, str, str, str, str, str, bool]]) -> pd.DataFrame:
    def value(text: str) -> str | None:
        return None if text == "-" else text

    return pd.DataFrame(
        {
            "name": [value(c[1]) for c in cases],
            "phone": [value(c[2]) for c in cases],
            "email": [value(c[3]) for c in cases],
            "company": [value(c[4]) for c in cases],
        },
        index=[c[0] for c in cases],
    )


@pytest.fixture(scope="module")
def crafted() -> pd.DataFrame:
    return validate(_frame(CASES))


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_crafted_lead(crafted: pd.DataFrame, case: tuple) -> None:
    label, *_, expected_problems, expected_ghost = case
    row = crafted.loc[label]
    assert sorted(row["problems"]) == sorted(expected_problems.split()), label
    assert bool(row["is_ghost"]) is expected_ghost, (label, row["ghost_score"])


def test_table_is_big_and_balanced() -> None:
    assert len(CASES) >= 25
    assert sum(c[6] for c in CASES) >= 10
    assert sum(not c[6] for c in CASES) >= 10


def test_output_contract(crafted: pd.DataFrame) -> None:
    assert list(crafted.columns) == ["is_ghost", "ghost_score", "problems", "ghost_reasons"]
    assert crafted["is_ghost"].dtype == bool
    assert crafted["ghost_score"].between(0, 1).all()
    assert (crafted["is_ghost"] == (crafted["ghost_score"] > GHOST_THRESHOLD)).all()
    codes = {p.value for p in Problem}
    for problems in crafted["problems"]:
        assert isinstance(problems, list)
        assert all(type(p) is str and p in codes for p in problems)
    # every ghost is explained, and only ghosts are
    assert (crafted["ghost_reasons"].astype(bool) == crafted["is_ghost"]).all()


def test_explanation_names_the_signals(crafted: pd.DataFrame) -> None:
    reasons = crafted.loc["ghost: 12345678901 + 测试", "ghost_reasons"]
    assert "placeholder phone" in reasons and "placeholder name" in reasons
    assert "12345678901" not in reasons  # explanations never repeat personal data


def test_problem_lists_are_not_shared(crafted: pd.DataFrame) -> None:
    a, b = crafted["problems"].iloc[0], crafted["problems"].iloc[1]
    assert a == b == []
    a.append("x")
    assert b == []


def test_problem_codes_are_stable_strings() -> None:
    for problem in Problem:
        assert re.fullmatch(r"[a-z]+\.[a-z_]+", problem.value)
        assert problem == problem.value and str(problem) == problem.value
    assert {f"required.{role}" for role in ROLES} <= {p.value for p in Problem}


# One field at a time: the codes that field alone produces.
# fmt: off
PHONES: list[tuple[str, str]] = [
    ("13800138000",          "phone.placeholder"),
    ("+86 138 0013 8000",    "phone.placeholder"),
    ("12345678901",          "phone.placeholder"),
    ("11111111111",          "phone.placeholder"),
    ("00000000000",          "phone.placeholder"),
    ("13888888888",          "phone.placeholder"),
    ("13912345678",          "phone.placeholder"),
    ("13987654321",          "phone.placeholder"),
    ("13912121212",          "phone.placeholder"),
    ("123456",               "phone.placeholder"),
    ("1234567890",           "phone.placeholder"),
    ("+1 212 555 0123",      "phone.placeholder"),
    ("+44 7700 900123",      "phone.placeholder"),
    ("13900001111",          ""),
    ("13912345670",          ""),
    ("13812348765",          ""),
    ("13800138001",          ""),
    ("010-8888 6666 转 8001", ""),
    ("+1 415 692 7310",      ""),
    ("1390000",              "phone.invalid"),
    ("call me",              "phone.invalid"),
    ("无",                   "phone.missing"),
    ("  ",                   "phone.missing"),
]
EMAILS: list[tuple[str, str]] = [
    ("test@test.com",        "email.placeholder"),
    ("a@a.com",              "email.placeholder"),
    ("asdf@qq.com",          "email.placeholder"),
    ("asdf@asdf.com",        "email.placeholder"),
    ("xxx@example.com",      "email.placeholder"),
    ("wei@example.org",      "email.placeholder"),
    ("test01@163.com",       "email.placeholder"),
    ("123@qq.com",           "email.placeholder"),
    ("123456789@qq.com",     "email.placeholder"),
    ("lin@shop.test",        "email.placeholder"),
    ("lili@163.com",         ""),
    ("wei.wei@acme.cn",      ""),
    ("yuyu@126.com",         ""),
    ("384729102@qq.com",     ""),
    ("zwm1988@qq.com",       ""),
    ("Zhang.Wei+crm@Gmail.com", ""),
    ("info@acme.cn",         "email.role"),
    ("x9k2@mailinator.com",  "email.disposable"),
    ("zhang@",               "email.syntax"),
    ("asdf",                 "email.syntax email.placeholder"),
    ("暂无",                 "email.missing"),
]
NAMES: list[tuple[str, str]] = [
    ("测试",                 "name.placeholder"),
    ("test",                 "name.placeholder"),
    ("asdf",                 "name.placeholder"),
    ("xxx",                  "name.placeholder"),
    ("无",                   "name.placeholder"),
    ("sdfsdf",               "name.placeholder"),
    ("qwkh",                 "name.placeholder"),
    ("张伟",                 ""),
    ("張偉",                 ""),
    ("Lily",                 ""),
    ("Smith",                ""),
    ("Wang Tingting",        ""),
    ("weiwei",               ""),
    ("欧阳娜娜",             ""),
    ("N/A",                  "name.missing"),
]
# fmt: on


def _codes_of(role: str, value: str) -> list[str]:
    result = validate(pd.DataFrame({role: [value]}), required=())
    return sorted(p for p in result.loc[0, "problems"] if p != "contact.none")


@pytest.mark.parametrize(("value", "codes"), PHONES, ids=[p[0] for p in PHONES])
def test_phone_codes(value: str, codes: str) -> None:
    assert _codes_of("phone", value) == sorted(codes.split())


@pytest.mark.parametrize(("value", "codes"), EMAILS, ids=[e[0] for e in EMAILS])
def test_email_codes(value: str, codes: str) -> None:
    assert _codes_of("email", value) == sorted(codes.split())


@pytest.mark.parametrize(("value", "codes"), NAMES, ids=[n[0] for n in NAMES])
def test_name_codes(value: str, codes: str) -> None:
    assert _codes_of("name", value) == sorted(codes.split())


def test_placeholder_company_alone_is_not_a_ghost() -> None:
    leads = pd.DataFrame({"name": ["张伟"] * 3, "phone": ["13917263548"] * 3,
                          "company": ["测试公司", "个人", "N/A"]})  # fmt: skip
    result = validate(leads)
    assert list(result["problems"]) == [["company.placeholder"]] * 2 + [[]]
    assert not result["is_ghost"].any()


def test_generated_leads(small_leads: pd.DataFrame) -> None:
    leads = small_leads.drop(columns=["person_id", "is_ghost"])
    result = validate(leads)
    assert result.index.equals(leads.index)
    truth = small_leads["is_ghost"].to_numpy(dtype=bool)
    flagged = result["is_ghost"].to_numpy(dtype=bool)
    assert truth.any()
    precision = (truth & flagged).sum() / flagged.sum()
    recall = (truth & flagged).sum() / truth.sum()
    assert precision >= 0.9 and recall >= 0.9, (precision, recall)


def test_generated_leads_with_chinese_headers() -> None:
    from leadlink.datasets import generate_leads

    leads = generate_leads(200, seed=3, headers="zh")
    truth = leads.pop("is_ghost").to_numpy(dtype=bool)
    result = validate(leads.drop(columns=[c for c in leads.columns if c.startswith("person")]))
    assert (result["is_ghost"].to_numpy() == truth).mean() > 0.97


# ------------------------------------------------------------------------- index, rows


def test_same_index_and_every_row_kept() -> None:
    leads = _frame(CASES)
    leads.index = pd.Index([1000 - 7 * i for i in range(len(leads))], name="crm_row")
    shuffled = leads.sample(frac=1.0, random_state=3)
    result = validate(shuffled)
    assert result.index.equals(shuffled.index)
    expected = {1000 - 7 * i: c[6] for i, c in enumerate(CASES)}
    assert {k: bool(v) for k, v in result["is_ghost"].items()} == expected


def test_duplicate_index_labels_and_duplicate_rows() -> None:
    leads = pd.concat([_frame(CASES[:3]), _frame(CASES[18:19])] * 2)
    leads.index = ["same"] * len(leads)
    result = validate(leads)
    assert len(result) == len(leads)
    assert result["is_ghost"].tolist() == [False, False, False, True] * 2


def test_empty_frame() -> None:
    result = validate(pd.DataFrame({"name": [], "phone": []}))
    assert len(result) == 0
    assert list(result.columns) == ["is_ghost", "ghost_score", "problems", "ghost_reasons"]


def test_chinese_headers_are_detected() -> None:
    leads = pd.DataFrame({"姓名": ["测试", "张伟"], "手机": ["13800138000", "13917263548"]})
    result = validate(leads)
    assert result["is_ghost"].tolist() == [True, False]
    assert "phone.placeholder" in result["problems"].iloc[0]


def test_explicit_columns_and_untouched_extra_columns() -> None:
    leads = pd.DataFrame({"联系人": ["asdf"], "tel_no": ["12345678901"], "备注": ["vip"]})
    result = validate(leads, columns={"name": "联系人", "phone": "tel_no"})
    assert sorted(result.loc[0, "problems"]) == sorted(
        ["phone.placeholder", "name.placeholder", "contact.none"]
    )


def test_odd_cell_types_never_raise() -> None:
    leads = pd.DataFrame(
        {
            "name": ["张伟", 3, None, 4.5, True, "😴", "\x00", ["a"]],
            "phone": [13917263548, 13917263548.0, np.nan, "€", "", "+86 ☎", b"138", {"x": 1}],
            "email": [None, 1, "@", "a@", "@b.com", "a b@c.com", "😴@😴.com", pd.NA],
        }
    )
    result = validate(leads)
    assert len(result) == len(leads)
    assert result.loc[0, "problems"] == ["email.missing"]
    assert not any(p.startswith("phone.") for p in result.loc[1, "problems"])  # float phone


def test_one_normalizer_call_per_distinct_value(monkeypatch: pytest.MonkeyPatch) -> None:
    from leadlink.clean.normalize import _phone

    calls: list[object] = []
    original = _phone.describe_keys

    def counting(values: list[object], region: str = "CN") -> list[tuple[str | None, ...]]:
        calls.extend(values)
        return original(values, region=region)

    monkeypatch.setattr(_phone, "describe_keys", counting)
    leads = pd.DataFrame({"phone": ["13917263548", "13800138000", None] * 1000})
    validate(leads)
    assert len(calls) == 2


@settings(max_examples=25, deadline=None)
@given(st.permutations(range(len(CASES))))
def test_verdicts_do_not_depend_on_row_order(order: list[int]) -> None:
    leads = _frame([CASES[i] for i in order])
    result = validate(leads)
    assert {label: bool(g) for label, g in result["is_ghost"].items()} == {
        c[0]: c[6] for c in CASES
    }


# ---------------------------------------------------------------------------- options


def test_required_roles() -> None:
    leads = pd.DataFrame({"name": ["张伟", " "], "phone": ["13917263548", None]})
    result = validate(leads, required=("name", "phone", "company"))
    assert "required.company" in result.loc[0, "problems"]  # no company column at all
    assert "required.name" not in result.loc[0, "problems"]
    assert {"required.name", "required.phone", "required.company"} <= set(result.loc[1, "problems"])
    nothing = validate(leads, required=())
    assert not any(p.startswith("required.") for ps in nothing["problems"] for p in ps)


def test_required_unknown_role() -> None:
    with pytest.raises(ConfigError, match="required"):
        validate(pd.DataFrame({"name": ["x"]}), required=("mobile",))


def test_ghost_reasons_in_chinese_with_the_same_codes() -> None:
    leads = pd.DataFrame({"name": ["张伟", "测试"], "phone": ["13912345670", "13800138000"]})
    english = validate(leads)
    ll.set_language("zh")
    chinese = validate(leads)
    assert chinese.loc[1, "ghost_reasons"] == "占位电话号码；占位姓名；没有有效的电话或邮箱"
    assert chinese.loc[0, "ghost_reasons"] == ""
    # codes, verdicts and scores do not depend on the language
    assert chinese.drop(columns="ghost_reasons").equals(english.drop(columns="ghost_reasons"))
    assert chinese.loc[1, "problems"] == ["phone.placeholder", "name.placeholder", "contact.none"]


def test_option_errors_in_chinese() -> None:
    ll.set_language("zh")
    with pytest.raises(ConfigError, match="required 中有未知的角色 'mobile'；可用的角色有"):
        validate(pd.DataFrame({"name": ["x"]}), required=("mobile",))
    with pytest.raises(ConfigError, match="stale_after='soon' 不是时长"):
        validate(pd.DataFrame({"name": ["x"], "created_at": ["2024-01-01"]}), stale_after="soon")


def test_stale_after() -> None:
    leads = pd.DataFrame(
        {
            "name": ["张伟", "李娜", "王芳", "陈静", "赵磊"],
            "phone": ["13917263548"] * 5,
            "创建时间": [
                "2024-01-01",
                "2024-06-20",
                None,
                "not a date",
                "2024-03-01T08:00:00+08:00",
            ],
        }
    )
    result = validate(leads, stale_after="90D", now="2024-06-30")
    stale = ["lead.stale" in p for p in result["problems"]]
    assert stale == [True, False, False, False, True]
    assert not result["is_ghost"].any()  # old is not fake
    none_stale = validate(leads, stale_after=pd.Timedelta(days=400), now="2024-06-30")
    assert not any("lead.stale" in p for p in none_stale["problems"])


def test_stale_with_datetime_column_and_tz_now() -> None:
    leads = pd.DataFrame(
        {"name": ["张伟", "李娜"], "created_at": pd.to_datetime(["2020-01-01", "2024-06-01"])}
    )
    result = validate(
        leads, stale_after="180 days", now=pd.Timestamp("2024-06-30", tz="Asia/Shanghai")
    )
    assert ["lead.stale" in p for p in result["problems"]] == [True, False]


def test_stale_with_mixed_date_formats() -> None:
    import datetime as dt

    when = ["2023/12/31", pd.Timestamp("2024-06-01"), dt.date(2020, 5, 1), "2024-06-29 23:00",
            20200101, "2024年6月1日"]  # fmt: skip
    leads = pd.DataFrame({"name": ["张伟"] * len(when), "created_at": when})
    result = validate(leads, stale_after="90D", now="2024-06-30")
    # numbers and unreadable text are never called stale
    assert ["lead.stale" in p for p in result["problems"]] == [
        True,
        False,
        True,
        False,
        False,
        False,
    ]


def test_stale_needs_a_date_column() -> None:
    with pytest.raises(ColumnError, match="created_at"):
        validate(pd.DataFrame({"name": ["x"]}), stale_after="30D")


@pytest.mark.parametrize("stale_after", ["soon", "-5D", 0])
def test_stale_after_must_be_a_duration(stale_after: object) -> None:
    leads = pd.DataFrame({"name": ["x"], "created_at": ["2024-01-01"]})
    with pytest.raises(ConfigError, match="stale_after"):
        validate(leads, stale_after=stale_after)  # type: ignore[arg-type]


def test_now_must_be_a_time() -> None:
    leads = pd.DataFrame({"name": ["x"], "created_at": ["2024-01-01"]})
    with pytest.raises(ConfigError, match="now"):
        validate(leads, stale_after="30D", now="yesterday-ish")


def test_region_for_national_numbers() -> None:
    leads = pd.DataFrame({"name": ["Robert Smith"], "phone": ["(650) 253-0000"]})
    assert validate(leads, region="US").loc[0, "problems"] == []
    # not valid in CN, but a dialable number of another region: kept as a local number
    assert validate(leads, region="CN").loc[0, "problems"] == ["phone.local"]


# ----------------------------------------------------------------------- missing_summary


def test_missing_summary() -> None:
    leads = pd.DataFrame(
        {
            "name": ["张伟", "测试", None, "李娜"],
            "phone": ["13917263548", "13800138000", "123", None],
            "email": ["a.real@acme.com", None, "bad@", "test@test.com"],
            "city": ["北京", None, "上海", ""],
        }
    )
    summary = missing_summary(leads)
    assert list(summary.index) == ["name", "phone", "email", "city"]
    assert list(summary.columns) == [
        "column", "n_leads", "missing", "missing_share", "invalid", "invalid_share",
    ]  # fmt: skip
    assert summary.loc["name", ["missing", "invalid"]].tolist() == [1, 1]
    assert summary.loc["phone", ["missing", "invalid"]].tolist() == [1, 2]
    assert summary.loc["email", ["missing", "invalid"]].tolist() == [1, 2]
    assert summary.loc["city", ["missing", "invalid"]].tolist() == [2, 0]
    assert summary.loc["phone", "invalid_share"] == pytest.approx(0.5)
    assert (summary["n_leads"] == 4).all()


def test_missing_summary_dates_and_empty() -> None:
    leads = pd.DataFrame({"name": ["a b"], "created_at": ["someday"]})
    assert missing_summary(leads).loc["created_at", "invalid"] == 1
    empty = missing_summary(pd.DataFrame({"phone": []}))
    assert empty.loc["phone", "missing_share"] == 0.0


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("leads", [None, [{"name": "x"}], {"name": ["x"]}, pd.Series(["x"])])
def test_not_a_frame(leads: object) -> None:
    with pytest.raises(InputError, match="DataFrame"):
        validate(leads)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="DataFrame"):
        missing_summary(leads)  # type: ignore[arg-type]


def test_unknown_role() -> None:
    with pytest.raises(ColumnError, match="unknown role 'mobile'"):
        validate(pd.DataFrame({"tel": ["1"]}), columns={"mobile": "tel"})


def test_mapped_column_not_in_frame() -> None:
    with pytest.raises(ColumnError, match="not a column"):
        validate(pd.DataFrame({"tel": ["1"]}), columns={"phone": "手机"})


def test_columns_must_be_a_mapping() -> None:
    with pytest.raises(ColumnError, match="columns"):
        validate(pd.DataFrame({"tel": ["1"]}), columns=["phone"])  # type: ignore[arg-type]


def test_public_api() -> None:
    assert ll.validate is validate


@pytest.mark.parametrize("stale_after", ["1000", 1000, 180.0, " 90 ", True])
def test_a_number_without_a_unit_is_refused_with_examples(stale_after: object) -> None:
    """check --stale-after 1000 flagged every lead: pandas read 1000 as nanoseconds."""
    leads = pd.DataFrame({"name": ["x"], "created_at": ["2024-01-01"]})
    with pytest.raises(ConfigError, match=r"has no unit; write e\.g\. '180D' \(days\).*'6M'"):
        validate(leads, stale_after=stale_after)  # type: ignore[arg-type]


@pytest.mark.parametrize("stale_after", ["6m", "12h", "3600s"])
def test_a_duration_under_a_day_is_refused(stale_after: str) -> None:
    leads = pd.DataFrame({"name": ["x"], "created_at": ["2024-01-01"]})
    with pytest.raises(ConfigError, match=r"less than a day.*a small 'm' is minutes"):
        validate(leads, stale_after=stale_after)


@pytest.mark.parametrize(
    ("stale_after", "expected"),
    [
        ("6M", [True, False, False]),  # six calendar months before 2024-06-30: 2023-12-30
        ("6 months", [True, False, False]),
        ("6个月", [True, False, False]),
        ("1Y", [False, False, False]),
        ("181D", [True, False, True]),
        ("181天", [True, False, True]),
        ("26周", [True, False, False]),  # 182 days: 2023-12-31 is not before the cutoff
        (pd.DateOffset(months=6), [True, False, False]),
    ],
)
def test_durations_in_days_weeks_months_and_years(stale_after: object, expected: list[bool]):
    leads = pd.DataFrame(
        {"name": ["a", "b", "c"], "created_at": ["2023-12-29", "2024-05-15", "2023-12-31"]}
    )
    result = validate(leads, stale_after=stale_after, now="2024-06-30")  # type: ignore[arg-type]
    assert ["lead.stale" in p for p in result["problems"]] == expected


def test_an_unknown_phone_region_is_refused_before_any_work() -> None:
    """--region XX was accepted silently; then most phones were invalid."""
    leads = pd.DataFrame({"name": ["x"], "phone": ["13800138000"]})
    for region in ("XX", "", "china"):
        with pytest.raises(ConfigError, match=r"is not a phone region .*e\.g\. CN, HK, TW"):
            validate(leads, region=region)
        with pytest.raises(ConfigError, match="is not a phone region"):
            missing_summary(leads, region=region)
    # None is CN unless the numbers say otherwise, for validate and missing_summary alike
    assert missing_summary(leads, region=None).equals(missing_summary(leads, region="CN"))
    assert validate(leads, region=None).equals(validate(leads, region="CN"))
    lower = validate(leads, region="cn")
    assert lower["problems"].tolist() == validate(leads, region="CN")["problems"].tolist()


def test_no_blank_token_holds_a_digit():
    # The phone check looks a value up among the blank tokens only when the normaliser
    # found no number in it: a value it found one in holds digits, so it cannot be blank.
    from leadlink.clean._validate import _BLANK_CONTACT_TOKENS, _BLANK_TOKENS

    assert not any(char.isdigit() for token in _BLANK_CONTACT_TOKENS for char in token)
    assert _BLANK_TOKENS <= _BLANK_CONTACT_TOKENS


def test_phone_formatting_variants_are_judged_alike():
    # placeholders are judged once per E.164 number, for every way of writing it
    leads = pd.DataFrame(
        {"phone": ["13800138000", "138 0013 8000", "+86 138-0013-8000", "13912345670", "无"]}
    )
    problems = validate(leads, required=())["problems"].tolist()
    assert problems[:3] == [["phone.placeholder", "contact.none"]] * 3
    assert problems[3:] == [[], ["phone.missing", "contact.none"]]


def test_validate_leaves_the_cycle_collector_as_it_found_it():
    import gc

    leads = pd.DataFrame({"name": ["张伟"], "phone": ["13912345670"]})
    validate(leads)
    assert gc.isenabled()
    gc.disable()
    try:
        validate(leads)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_keyboard_rows_and_periods_on_every_short_text():
    # the look-up of row stretches and the quick test of periods against their plain forms
    from itertools import product

    from leadlink.clean._validate import _KEYBOARD_ROWS, _on_keyboard_row, _period

    for size in range(5):
        for chars in product("qwaz12", repeat=size):
            text = "".join(chars)
            assert _on_keyboard_row(text) is any(
                text in row or text in row[::-1] for row in _KEYBOARD_ROWS
            )
            plain = next(
                (p for p in range(1, min(3, len(text) - 1) + 1) if text[p:] == text[:-p]), 0
            )
            assert _period(text, 3) == plain
