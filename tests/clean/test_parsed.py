"""ParsedColumns: validate and prepare of the same leads parse each phone and email once,
and give the same tables as without it."""

from __future__ import annotations

import pandas as pd
import pandas.testing as pdt
import pytest

from leadlink.clean import ParsedColumns, prepare, validate
from leadlink.clean.normalize import _email, _phone
from leadlink.schema import resolve_columns

# The corners of both checks: placeholders, local numbers, extensions, several numbers
# in one cell, role and disposable mailboxes, malformed addresses, blanks.
_ODD = pd.DataFrame(
    {
        "lead_id": [f"O{i}" for i in range(12)],
        "name": ["张伟", "测试", "Li Ming", None, "asdf", "王芳", "Bob Smith", "", "x", "陈静",
                 "Zhang Wei", "无"],
        "phone": ["13800138000", "138 0013 8000", "010-8888 6666 转 8001", "882 4567", "无",
                  "+1 415 555 0123", "12345", None, "13912345678 / 13900139000",
                  "+44 7700 900123", "010-88886666-12", 13912345670.0],
        "email": ["info@acme.com", "a@a.com", "Zhang.Wei+crm@GoogleMail.com", "bad@", None,
                  "x@mailinator.com", "test01@qq.com", "sales2@acme.com", "li.ming@163.com",
                  "LI.MING@163.COM", "not an email", "n/a"],
        "company": ["Acme", "测试公司", None, "北京某某科技有限公司", "个人", "Acme, Inc.", "无",
                    None, "Acme", "", "test", "Globex"],
    }
)  # fmt: skip


@pytest.fixture(params=["odd", "generated"])
def leads(request, small_leads) -> pd.DataFrame:
    if request.param == "odd":
        return _ODD
    return small_leads.drop(columns=["person_id", "is_ghost"])


def test_validate_and_prepare_give_the_same_tables_with_and_without_it(leads):
    roles = resolve_columns(leads, id_column="lead_id")
    parsed = ParsedColumns(leads, "CN")
    checked = validate(leads, columns=roles, region="CN", parsed=parsed)
    prepared = prepare(leads, roles, id_column="lead_id", region="CN", parsed=parsed)
    pdt.assert_frame_equal(checked, validate(leads, columns=roles, region="CN"))
    pdt.assert_frame_equal(prepared, prepare(leads, roles, id_column="lead_id", region="CN"))


def test_prepare_reuses_what_validate_parsed(monkeypatch):
    roles = resolve_columns(_ODD, id_column="lead_id")
    parsed = ParsedColumns(_ODD, "CN")
    validate(_ODD, columns=roles, region="CN", parsed=parsed)
    calls = []
    for module, name in ((_phone, "describe_key"), (_email, "parts")):
        original = getattr(module, name)

        def counted(*args, _original=original, **kwargs):
            calls.append(args[0])
            return _original(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)
    prepare(_ODD, roles, id_column="lead_id", region="CN", parsed=parsed)
    assert calls == []


def test_each_distinct_phone_is_parsed_once(monkeypatch):
    leads = pd.DataFrame({"phone": ["138 0013 8000", "138 0013 8000", None, "882 4567"] * 3})
    calls = []
    original = _phone.describe_keys

    def counted(values, region="CN"):
        calls.extend(values)
        return original(values, region)

    monkeypatch.setattr(_phone, "describe_keys", counted)
    parsed = ParsedColumns(leads, "CN")
    assert parsed.phones("phone") == parsed.phones("phone")
    assert sorted(calls) == ["138 0013 8000", "882 4567"]
    assert parsed.emails("phone", parse=False) is None


def test_it_is_ignored_for_other_leads_or_another_region():
    roles = resolve_columns(_ODD, id_column="lead_id")
    other = _ODD.assign(phone=_ODD["phone"].iloc[::-1].to_numpy())
    for parsed in (ParsedColumns(other, "CN"), ParsedColumns(_ODD, "US")):
        validate(other if parsed.region == "CN" else _ODD, columns=roles, parsed=parsed)
        pdt.assert_frame_equal(
            prepare(_ODD, roles, id_column="lead_id", region="CN", parsed=parsed),
            prepare(_ODD, roles, id_column="lead_id", region="CN"),
        )
        pdt.assert_frame_equal(
            validate(_ODD, columns=roles, region="CN", parsed=parsed),
            validate(_ODD, columns=roles, region="CN"),
        )
