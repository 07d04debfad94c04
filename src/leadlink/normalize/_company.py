"""Company names: a comparison key without legal form, region, script or case variants.

>>> normalize("北京字节跳动科技有限公司") == normalize("字节跳动（北京）科技有限公司")
True
>>> normalize("北京字節跳動科技有限公司") == normalize("字节跳动科技")
True
>>> normalize("Acme, Inc.") == normalize("The ACME Incorporated")
True
>>> normalize("Apple Inc") == normalize("Apple Bank")
False
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from leadlink.normalize._places import LATIN_CITIES, REGIONS
from leadlink.normalize._text import ascii_fold, clean, has_han, to_simplified

__all__ = ["is_placeholder", "normalize"]

# Longest first, so 股份有限公司 goes before 有限公司.
_HAN_FORMS = sorted(
    [
        "股份有限公司",
        "有限责任公司",
        "集团股份有限公司",
        "集团有限公司",
        "有限公司",
        "股份公司",
        "总公司",
        "分公司",
        "集团公司",
        "公司",
        "集团",
        "有限",
        "株式会社",
        "有限会社",
        "合伙企业",
        "有限合伙",
        "工作室",
        "事务所",
        "商行",
        "门市部",
    ],
    key=len,
    reverse=True,
)
# Industry words that follow a brand: kept (different companies keep different keys) but
# a key that is only a region + industry word is still allowed to match its full form.
_LATIN_FORMS = frozenset(
    [
        "inc",
        "incorporated",
        "llc",
        "lc",
        "ltd",
        "limited",
        "corp",
        "corporation",
        "co",
        "company",
        "cos",
        "plc",
        "llp",
        "lp",
        "gmbh",
        "mbh",
        "ag",
        "kg",
        "ohg",
        "sa",
        "sas",
        "sarl",
        "sàrl",
        "srl",
        "spa",
        "bv",
        "nv",
        "pty",
        "pte",
        "pvt",
        "kk",
        "oy",
        "oyj",
        "ab",
        "as",
        "asa",
        "aps",
        "a/s",
        "bhd",
        "sdn",
        "tbk",
        "jsc",
        "ojsc",
        "pjsc",
        "zao",
        "ooo",
        "kft",
        "sro",
        "zrt",
        "se",
        "holding",
        "holdings",
        "group",
    ]
)
_DOTTED = re.compile(r"\b(?:(?:[a-z]\.){2,}[a-z]?\.?)")
_PARENS = re.compile(r"[(\[（【](.*?)[)\]）】]")
_REGION_SUFFIX = ("市", "省", "自治区", "特别行政区")


@lru_cache(maxsize=300_000)
def _normalize(text: str) -> str | None:
    text = to_simplified(text).casefold()
    text = _PARENS.sub(lambda m: "" if _is_region(m.group(1)) else f" {m.group(1)} ", text)
    if has_han(text):
        return _han_key(text)
    return _latin_key(text)


def _is_region(text: str) -> bool:
    stripped = text.strip()
    for suffix in _REGION_SUFFIX:
        if stripped.endswith(suffix):
            stripped = stripped[: -len(suffix)]
    return stripped in REGIONS or stripped.lower() in LATIN_CITIES or stripped == "中国"


_LEADING_FORMS = ("株式会社", "有限会社", "合同会社")


def _han_key(text: str) -> str | None:
    text = re.sub(r"[\s\W_]+", "", text)
    for form in _LEADING_FORMS:  # Japanese legal forms may lead: 株式会社ソニー
        if text.startswith(form) and len(text) > len(form):
            text = text[len(form) :]
    for _ in range(2):  # 北京市海淀区 / 中国北京
        for region in ("中国", *REGIONS):
            if text.startswith(region) and len(text) > len(region) + 1:
                rest = text[len(region) :]
                for suffix in _REGION_SUFFIX:
                    if rest.startswith(suffix) and len(rest) > len(suffix) + 1:
                        rest = rest[len(suffix) :]
                        break
                text = rest
                break
    changed = True
    while changed:
        changed = False
        for form in _HAN_FORMS:
            if text.endswith(form) and len(text) > len(form):
                text = text[: -len(form)]
                changed = True
                break
    return text or None


def _latin_key(text: str) -> str | None:
    text = ascii_fold(text).replace("&", " and ")
    text = _DOTTED.sub(lambda m: m.group(0).replace(".", ""), text)
    tokens = [t for t in re.split(r"[^a-z0-9]+", text) if t]
    if tokens and tokens[0] == "the":
        tokens = tokens[1:]
    while len(tokens) > 1 and tokens[-1] in _LATIN_FORMS:
        tokens.pop()
    return "".join(tokens) or None


def normalize(value: Any) -> str | None:
    """The comparison key of a company name (None for missing or placeholder-free junk)."""
    text = clean(value)
    return None if text is None else _normalize(text)


_PLACEHOLDERS = frozenset(
    [
        "无",
        "暂无",
        "个人",
        "自由职业",
        "未知",
        "不详",
        "测试",
        "测试公司",
        "test",
        "testcompany",
        "n/a",
        "na",
        "none",
        "null",
        "-",
        "--",
        "公司",
        "有限公司",
        "xxx",
        "xx",
        "某某公司",
        "某公司",
        "abc",
        "company",
        "unknown",
        "待定",
        "其他",
        "其它",
        "学生",
        "无业",
    ]
)


def is_placeholder(value: Any) -> bool:
    """A value that is not a real company: 无, 个人, 测试公司, n/a, 公司 ..."""
    text = clean(value)
    if text is None:
        return False
    compact = re.sub(r"\s+", "", to_simplified(text).casefold())
    return compact in _PLACEHOLDERS or "测试" in compact or bool(re.fullmatch(r"test\w*", compact))
