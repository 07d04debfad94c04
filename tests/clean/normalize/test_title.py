"""Job titles: one key for a job in any wording, language, script or case."""

from __future__ import annotations

import pytest

from leadlink import normalize as nz

SAME_JOB = [
    ("销售经理", "Sales Manager", "销售部经理", "sales mgr", "SALES MANAGER", "銷售經理"),
    ("VP Sales", "VP of Sales", "Vice President, Sales", "销售副总裁"),
    ("CEO", "C.E.O.", "Chief Executive Officer", "首席执行官"),
    ("总经理", "General Manager", "GM", "總經理"),
    ("IT主管", "IT Supervisor", "IT Head", "信息技术主管", "Head of IT"),
    ("Head of Procurement", "Procurement Head", "采购主管", "Head, Procurement"),
    ("采购", "采购员", "Buyer", "Purchasing"),
    ("高级工程师", "Senior Engineer", "Sr. Engineer", "资深工程师"),
    ("研发总监", "R&D Director", "Director of R&D", "Director, Research and Development"),
    ("人力资源经理", "HR Manager", "Human Resources Manager", "人事经理"),
    ("大客户经理", "Key Account Manager"),
    ("副总经理", "Deputy General Manager"),
    ("市场部专员", "Marketing Specialist", "市场专员"),
]


@pytest.mark.parametrize("spellings", SAME_JOB, ids=lambda group: group[0])
def test_one_job_has_one_key(spellings):
    keys = {nz.title(spelling) for spelling in spellings}
    assert len(keys) == 1 and None not in keys, keys


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("销售经理", "销售总监"),  # a promotion is another title
        ("Sales Manager", "Marketing Manager"),
        ("总经理", "经理"),
        ("CEO", "CTO"),
        ("总裁", "副总裁"),
        ("工程师", "高级工程师"),
        ("Engineer", "Software Engineer"),
    ],
)
def test_other_jobs_have_other_keys(a, b):
    assert nz.title(a) != nz.title(b)


def test_key_is_sorted_concepts_and_unknown_words_are_kept():
    assert nz.title("Sales Manager") == "manager sales"
    assert (
        nz.title("区域销售经理") == nz.title("Regional Sales Manager") == "manager regional sales"
    )
    # words the tables do not know still compare by their text
    assert nz.title("Growth Hacker") == "growth hacker"
    assert nz.title("品牌经理") == "manager 品牌"
    assert nz.title("創始人兼CEO") == nz.title("Co-Founder & CEO") == "ceo founder"


@pytest.mark.parametrize("value", ["-", "无", "N/A", "unknown", "测试", "123", "---", "", None])
def test_placeholders_are_no_title(value):
    assert nz.title(value) is None


def test_key_is_stable():
    for spellings in SAME_JOB:
        for spelling in spellings:
            key = nz.title(spelling)
            assert nz.title(key) == key
