"""prepare: one row per lead in input order, the same table in one or two processes,
shared lines recognised."""

from __future__ import annotations

import importlib
import sys

import pandas as pd
import pytest

from leadlink.clean._prepare import PREPARED_COLUMNS, prepare
from leadlink.schema import resolve_columns

# the module (``leadlink.clean._prepare`` is also the function, re-exported by the package)
prepare_module = importlib.import_module("leadlink.clean._prepare")


def _prepare(leads: pd.DataFrame) -> pd.DataFrame:
    return prepare(leads, resolve_columns(leads, id_column="lead_id"), id_column="lead_id")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="two processes need fork")
def test_two_processes_give_the_same_table_as_one(small_leads, monkeypatch):
    leads = small_leads.drop(columns=["person_id", "is_ghost"])
    one = _prepare(leads)
    monkeypatch.setattr(prepare_module, "PARALLEL_FROM", 1)
    calls = []

    class Recording(prepare_module.ProcessPoolExecutor):
        def submit(self, fn, /, *args, **kwargs):
            calls.append(fn.__name__)
            return super().submit(fn, *args, **kwargs)

    monkeypatch.setattr(prepare_module, "ProcessPoolExecutor", Recording)
    two = _prepare(leads)
    pd.testing.assert_frame_equal(one, two)
    assert calls, "the forked worker was not used"
    assert list(one.columns) == list(PREPARED_COLUMNS)
    assert one["unique_id"].tolist() == leads["lead_id"].astype(str).tolist()
    assert prepare_module._FORKED_TASKS == []  # nothing left behind for later forks


def test_shared_lines():
    leads = pd.DataFrame(
        {
            "lead_id": range(9),
            "name": ["张伟", "李娜", "王芳", "刘洋", "刘洋", "张伟", "Tom Li", "张总", "王总"],
            "phone": [
                "13800138000",  # three different full names: a shared mobile
                "138 0013 8000",
                "+86 138-0013-8000",
                "13900139000",  # one person twice: personal
                "13900139000",
                "010-88886666",  # a landline: shared
                "13700137000 转 12",  # given with an extension: shared
                "13600136000",  # two partial names (张总, 王总) are not full names
                "13600136000",
            ],
        }
    )
    prepared = _prepare(leads)
    assert prepared["phone_shared"].tolist() == [1, 1, 1, 0, 0, 1, 1, 0, 0]
    assert prepared["phone_shared"].dtype == "int8"


def test_shared_lines_without_phones():
    leads = pd.DataFrame({"lead_id": [1, 2], "name": ["张伟", "李娜"], "phone": [None, "n/a"]})
    assert _prepare(leads)["phone_shared"].tolist() == [0, 0]


@pytest.mark.parametrize(
    "column",
    [
        [],
        [None],
        [""],
        ["+8613800138000", None, "", "张伟", None],
        ["a\x00b", None, "c"],  # holds the separator: travels as a list
        ["a", 1, None],  # not all text
    ],
)
def test_worker_columns_travel_unchanged(column):
    packed = prepare_module._pack(column)
    assert prepare_module._unpack(packed) == column


def test_employer_named_by_a_shared_line_or_a_company_mail_domain():
    leads = pd.DataFrame(
        {
            "lead_id": range(10),
            "phone": [
                "010-62345678 转 1",  # the switchboard: three of four give 字节跳动
                "010-62345678 转 2",
                "010-62345678 转 3",
                "010-62345678",  # no company: the switchboard names it
                "021-55556666",  # a line whose two leads disagree: it names nobody
                "021-55556666",
                "021-55556666",
                "13800138000",  # a mobile names nobody ...
                "13800138000",
                "010-62345678 转 9",  # ... a lead's own company wins over its line
            ],
            "email": [None] * 3
            + ["x@acme.cn"]
            + [None] * 3
            + ["y@qq.com", "z@acme.cn", "w@acme.cn"],
            "company": ["字节跳动", "字节跳动有限公司", "字节跳动", None, "腾讯", "阿里巴巴"]
            + [None] * 3
            + ["Acme"],
        }
    )
    prepared = _prepare(leads)
    assert prepared["company"].tolist()[:4] == ["字节跳动", "字节跳动", "字节跳动", None]
    assert prepared["employer"].tolist() == [
        "字节跳动",
        "字节跳动",
        "字节跳动",
        "字节跳动",  # the line before the mail domain (acme, given once)
        "腾讯",
        "阿里巴巴",
        None,
        None,  # a mobile and a free mailbox
        "acme",  # the company mail domain
        "acme",
    ]
    assert prepared["employer_latin"].tolist()[3] == prepared["company_latin"].tolist()[0]


def test_employer_without_companies():
    leads = pd.DataFrame({"lead_id": [1, 2], "phone": ["010-62345678", "010-62345678"]})
    prepared = _prepare(leads)
    assert prepared["employer"].isna().all() and prepared["employer_latin"].isna().all()


def test_name_spelling_from_the_name_or_a_nameless_lead_s_mailbox():
    leads = pd.DataFrame(
        {
            "lead_id": range(6),
            "name": ["周强", "Qiang ZHOU", None, None, "张总", "周强"],
            "email": [None, None, "zhouqiang273@163.com", "ab12@qq.com", None, "li.na@qq.com"],
        }
    )
    spelling = _prepare(leads)["name_spelling"].tolist()
    assert spelling[0] == spelling[1] == spelling[2] == "".join(sorted("zhouqiang"))
    assert spelling[3] is None  # too few letters to spell a name
    assert spelling[4] is None  # a surname alone
    assert spelling[5] == spelling[0]  # a named lead spells its name, not its mailbox


def test_title_key_from_a_title_column_in_either_language():
    leads = pd.DataFrame(
        {
            "lead_id": [1, 2, 3, 4],
            "name": ["王伟", "王伟", "王伟", "王伟"],
            "职位": ["销售部经理", "Sales Manager", "无", None],
        }
    )
    prepared = _prepare(leads)
    assert prepared["title"].tolist() == ["manager sales", "manager sales", None, None]
    # without a title column, the column is there and empty
    assert _prepare(leads.drop(columns=["职位"]))["title"].isna().all()


def test_email_letters_drop_the_digits_of_the_mailbox_name_only():
    leads = pd.DataFrame({"lead_id": [1, 2], "email": ["WangWei2@163.com", "6959938983@qq.com"]})
    assert _prepare(leads)["email_letters"].tolist() == ["wangwei@163.com", "@qq.com"]


def test_an_unknown_phone_region_is_refused():
    from leadlink.errors import ConfigError

    leads = pd.DataFrame({"lead_id": ["a"], "phone": ["13800138000"]})
    with pytest.raises(ConfigError, match="region 'XX' is not a phone region"):
        prepare(leads, {"phone": "phone"}, id_column="lead_id", region="XX")
    prepared = prepare(leads, {"phone": "phone"}, id_column="lead_id", region="cn")
    assert prepared["phone"].tolist() == ["+8613800138000"]
