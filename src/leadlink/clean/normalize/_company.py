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

from leadlink._data import ordered, words
from leadlink.clean.normalize._places import LATIN_CITIES, REGIONS
from leadlink.clean.normalize._text import (
    PLACEHOLDERS,
    ascii_fold,
    clean,
    has_han,
    to_simplified,
)

__all__ = ["is_placeholder", "normalize"]

_DATA = "leadlink.clean.normalize"  # the package whose data/ folder holds the tables

# Legal forms at the end of a name (data/company_forms_*.txt); the Han ones longest first,
# so 股份有限公司 goes before 有限公司.
_HAN_FORMS = sorted(ordered(_DATA, "company_forms_han.txt"), key=len, reverse=True)
_LATIN_FORMS = words(_DATA, "company_forms_latin.txt")
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
    return stripped in REGIONS or stripped.lower() in LATIN_CITIES or stripped in _COUNTRY


_COUNTRY = words(_DATA, "company_country_words.txt")
_LEADING_FORMS = ordered(_DATA, "company_forms_leading.txt")
_BRANCH_ENDS = ordered(_DATA, "company_branch_words.txt")
# A branch is the company it belongs to: XX有限公司北京分公司 -> XX.
_BRANCH = re.compile(
    "(?:(?:中国|" + "|".join(REGIONS) + ")(?:省|市|自治区|特别行政区)?)?"
    "(?:" + "|".join(map(re.escape, _BRANCH_ENDS)) + ")+$"
)
# Words that name a trade, not a company. A leading region is kept when only such words
# would remain: 北京银行 and 南京银行 are different banks, 北京字节跳动科技 is 字节跳动科技.
_INDUSTRY = re.compile(
    "(?:" + "|".join(map(re.escape, ordered(_DATA, "company_industry_words.txt"))) + ")+"
)


_LEADING_REGION = re.compile(
    "^(?:" + "|".join(sorted(("中国", *REGIONS), key=len, reverse=True)) + ")"
    "(?:特别行政区|自治区|市|省)?"
)


def _strip_region(text: str) -> str:
    """A leading 中国/province/city (with 省/市 ...) when a brand remains after it."""
    match = _LEADING_REGION.match(text)
    if match is None:
        return text
    rest = text[match.end() :]
    core = _strip_forms(rest)
    if len(core) >= 2 and not _INDUSTRY.fullmatch(core):
        return rest
    return text


def _strip_forms(text: str) -> str:
    """Legal forms at the end (有限公司, 股份有限公司 ...) while something remains."""
    changed = True
    while changed:
        changed = False
        for form in _HAN_FORMS:
            if text.endswith(form) and len(text) > len(form):
                text = text[: -len(form)]
                changed = True
                break
    return text


def _han_key(text: str) -> str | None:
    text = re.sub(r"[\s\W_]+", "", text)
    # Each step only shortens the text; run them until none applies, so a key is its own key.
    previous = None
    while text != previous:
        previous = text
        for form in _LEADING_FORMS:  # Japanese legal forms may lead: 株式会社ソニー
            if text.startswith(form) and len(text) > len(form):
                text = text[len(form) :]
        branch = _BRANCH.search(text) if text.endswith(_BRANCH_ENDS) else None
        if branch and branch.start() > 1:
            text = text[: branch.start()]
        text = _strip_forms(text)
        text = _strip_region(text)
        if text.endswith("中国") and len(text) > 3:  # 微软中国, IBM中国
            text = text[:-2]
    return text or None


# Generic English words: a leading city is kept when only these would remain.
_GENERIC = words(_DATA, "company_generic_words.txt")
_LATIN_TOKEN = re.compile(r"[\W_]+")


def _latin_key(text: str) -> str | None:
    text = ascii_fold(text).replace("&", " and ")
    text = _DOTTED.sub(lambda m: m.group(0).replace(".", ""), text)
    tokens = [t for t in _LATIN_TOKEN.split(text) if t]
    if len(tokens) > 1 and tokens[0] == "the":
        tokens = tokens[1:]
    while len(tokens) > 1 and tokens[-1] in _LATIN_FORMS:
        tokens.pop()
    if len(tokens) > 2 and tokens[-1] == "china" and tokens[-2] not in ("of", "in", "for", "and"):
        tokens.pop()  # "Siemens China", not "Bank of China"
    for size in (2, 1):  # "Beijing ByteDance Technology", "Hong Kong Acme Trading"
        city = " ".join(tokens[:size])
        rest = tokens[size:]
        if city in LATIN_CITIES and rest and not all(t in _GENERIC for t in rest):
            tokens = rest
            break
    return "".join(tokens) or None


def normalize(value: Any) -> str | None:
    """The comparison key of a company name (None for missing or placeholder-free junk)."""
    text = clean(value)
    return None if text is None else _normalize(text)


_PLACEHOLDERS = PLACEHOLDERS | words(_DATA, "company_placeholders.txt")


_WHITESPACE = re.compile(r"\s+")
_TEST_COMPANY = re.compile(r"test\w*")


def is_placeholder(value: Any) -> bool:
    """A value that is not a real company: 无, 个人, 测试公司, n/a, 公司 ..."""
    text = clean(value)
    if text is None:
        return False
    compact = _WHITESPACE.sub("", to_simplified(text).casefold())
    return compact in _PLACEHOLDERS or "测试" in compact or bool(_TEST_COMPANY.fullmatch(compact))
