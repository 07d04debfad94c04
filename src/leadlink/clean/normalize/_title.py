"""Job titles: a comparison key that does not depend on wording, language, script or case.

A title is cut into words (Latin words; Han text by the longest known term), each word is
mapped to the job concept it names in either language (销售 and Sales are ``sales``, 经理,
Manager and Mgr are ``manager``), filler words are dropped (部, department, of), and the
key is the concepts in sorted order. Words the tables do not know are kept as they are,
so two unknown titles still compare by their text.

>>> key("销售经理") == key("Sales Manager") == key("销售部经理") == key("sales mgr")
True
>>> key("VP of Sales") == key("Vice President, Sales") == key("销售副总裁")
True
>>> key("高级工程师"), key("Sr. Engineer"), key("CEO") == key("首席执行官")
('engineer senior', 'engineer senior', True)
>>> key("IT主管"), key("-"), key("无")
('head it', None, None)
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import groupby
from typing import Any

from leadlink.clean.normalize._text import (
    NO_VALUE,
    ascii_fold,
    clean,
    has_han,
    is_han,
    to_simplified,
)

__all__ = ["key"]

#: concept -> Latin spellings (words or phrases) and Han terms that name it.
_CONCEPTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "ceo": (("ceo", "chief executive officer", "chief executive"), ("首席执行官", "执行总裁")),
    "cto": (("cto", "chief technology officer", "chief technical officer"), ("首席技术官",)),
    "cfo": (
        ("cfo", "chief financial officer", "chief finance officer"),
        ("首席财务官", "财务总监"),
    ),
    "coo": (("coo", "chief operating officer", "chief operations officer"), ("首席运营官",)),
    "cmo": (("cmo", "chief marketing officer"), ("首席市场官",)),
    "cio": (("cio", "chief information officer"), ("首席信息官",)),
    "chief": (("chief",), ("首席",)),
    "president": (("president",), ("总裁",)),
    "vp": (("vp", "vice president", "svp", "evp", "avp"), ("副总裁",)),
    "chairman": (("chairman", "chairwoman", "chair", "chairperson"), ("董事长",)),
    "board_member": (("board member",), ("董事",)),
    "founder": (("founder", "co founder", "cofounder"), ("创始人", "联合创始人")),
    "owner": (("owner", "proprietor", "boss"), ("老板", "业主", "店主")),
    "partner": (("partner",), ("合伙人",)),
    "general_manager": (("general manager", "gm"), ("总经理",)),
    "deputy": (("deputy",), ("副",)),
    "director": (("director", "dir"), ("总监",)),
    "head": (
        ("head", "lead", "leader", "supervisor", "in charge", "team lead"),
        ("主管", "负责人", "主任", "组长", "部长", "领导"),
    ),
    "manager": (("manager", "mgr", "manger", "managing"), ("经理",)),
    "senior": (("senior", "sr", "snr"), ("高级", "资深")),
    "junior": (("junior", "jr"), ("初级",)),
    "assistant": (("assistant", "asst", "assist"), ("助理",)),
    "secretary": (("secretary",), ("秘书",)),
    "specialist": (("specialist", "officer", "executive", "exec"), ("专员",)),
    "representative": (("representative", "rep", "agent"), ("代表",)),
    "engineer": (("engineer", "eng", "engr"), ("工程师",)),
    "developer": (("developer", "dev", "programmer"), ("开发", "程序员", "开发工程师")),
    "architect": (("architect",), ("架构师",)),
    "designer": (("designer",), ("设计师",)),
    "analyst": (("analyst",), ("分析师",)),
    "consultant": (("consultant", "advisor", "adviser"), ("顾问",)),
    "accountant": (("accountant",), ("会计",)),
    "expert": (("expert",), ("专家",)),
    "staff": (("staff", "clerk"), ("职员", "员工", "文员")),
    "sales": (("sales", "selling"), ("销售", "业务")),
    "key_account": (("key account", "key accounts"), ("大客户",)),
    "account": (("account", "accounts", "client", "customer"), ("客户",)),
    "software": (("software",), ("软件",)),
    "procurement": (
        ("procurement", "purchasing", "purchase", "buyer", "sourcing"),
        ("采购", "采购员", "买手"),
    ),
    "marketing": (("marketing", "mkt", "market"), ("市场", "营销", "市场营销")),
    "business_development": (("business development", "bd"), ("商务", "商务拓展", "业务拓展")),
    "it": (("it", "information technology"), ("信息技术", "信息化")),
    "tech": (("technology", "technical", "tech"), ("技术",)),
    "rd": (("r d", "rd", "research and development", "research development"), ("研发",)),
    "research": (("research", "researcher"), ("研究", "研究员")),
    "product": (("product",), ("产品",)),
    "operations": (("operations", "operation", "ops"), ("运营", "运维")),
    "finance": (("finance", "financial"), ("财务", "金融")),
    "hr": (("hr", "human resources", "human resource", "people"), ("人事", "人力资源", "人力")),
    "admin": (("admin", "administration", "administrative"), ("行政",)),
    "customer_service": (
        ("customer service", "customer support", "support"),
        ("客服", "客户服务", "售后"),
    ),
    "legal": (("legal", "counsel", "lawyer"), ("法务", "律师")),
    "quality": (("quality", "qa", "qc"), ("质量", "质检", "品质")),
    "logistics": (("logistics", "supply chain"), ("物流", "供应链")),
    "teacher": (("teacher", "lecturer"), ("老师", "教师", "讲师")),
    "professor": (("professor", "prof"), ("教授",)),
    "doctor": (("doctor", "physician"), ("医生", "医师")),
    "regional": (("regional", "region", "area"), ("区域", "大区")),
    "project": (("project",), ("项目",)),
}

#: Words that name no concept of their own (a department, a preposition).
_FILLER_LATIN = frozenset(["of", "the", "and", "for", "in", "department", "dept", "dep", "team"])
_FILLER_HAN = ("部门", "部", "中心", "人员", "员", "的", "兼")
#: Values that are not a title.
_PLACEHOLDERS = NO_VALUE | {"other", "test", "测试", "xxx", "x", "0"}

_LATIN_WORD = re.compile(r"[^\W_]+")


def _phrases() -> tuple[list[tuple[list[str], str]], dict[str, str]]:
    """Latin phrases (longest first) and Han terms, each with its concept."""
    latin: list[tuple[list[str], str]] = []
    han: dict[str, str] = {}
    for concept, (spellings, terms) in _CONCEPTS.items():
        latin += [(spelling.split(), concept) for spelling in spellings]
        han.update(dict.fromkeys(terms, concept))
    han.update(dict.fromkeys(_FILLER_HAN, ""))
    latin.sort(key=lambda phrase: len(phrase[0]), reverse=True)
    return latin, han


_LATIN_PHRASES, _HAN_TERMS = _phrases()
_LONGEST_HAN = max(map(len, _HAN_TERMS))


def _latin_concepts(words: list[str]) -> list[str]:
    found: list[str] = []
    i = 0
    while i < len(words):
        for phrase, concept in _LATIN_PHRASES:
            if words[i : i + len(phrase)] == phrase:
                found.append(concept)
                i += len(phrase)
                break
        else:
            if words[i] not in _FILLER_LATIN:
                found.append(words[i])
            i += 1
    return found


def _han_concepts(text: str) -> list[str]:
    """Longest known term first, left to right; unknown characters run together as one
    word (品牌经理 is 品牌 and manager)."""
    found: list[str] = []
    unknown = ""
    i = 0
    while i < len(text):
        for size in range(min(_LONGEST_HAN, len(text) - i), 0, -1):
            concept = _HAN_TERMS.get(text[i : i + size])
            if concept is not None:
                if unknown:
                    found.append(unknown)
                    unknown = ""
                if concept:
                    found.append(concept)
                i += size
                break
        else:
            unknown += text[i]
            i += 1
    if unknown:
        found.append(unknown)
    return found


@lru_cache(maxsize=50_000)
def _key(text: str) -> str | None:
    text = text.lower()
    if text in _PLACEHOLDERS:
        return None
    if has_han(text):
        text = to_simplified(text)
    # C.E.O. and Sr. lose their dots; R&D and "VP, Sales" become words
    text = text.replace(".", "").replace("&", " ")
    concepts: list[str] = []
    for han, run in groupby(text, key=is_han):
        part = "".join(run)
        if han:
            concepts += _han_concepts(part)
        else:
            concepts += _latin_concepts(_LATIN_WORD.findall(ascii_fold(part)))
    if not any(char.isalpha() for concept in concepts for char in concept):
        return None  # no letter: "123", "---"
    found = " ".join(sorted(set(concepts)))
    return None if found in _PLACEHOLDERS else found  # "ÑA" folds to "na"


def key(value: Any) -> str | None:
    """The comparison key of a job title, None for a missing or placeholder value."""
    text = clean(value)
    if text is None:
        return None
    return _key(text)
