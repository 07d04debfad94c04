"""Cities and address lines.

>>> city("北京市"), city("BEIJING"), city("广东省深圳市"), city("New York")
('北京', '北京', '深圳', 'new york')
"""

from __future__ import annotations

import re
from typing import Any

from leadlink.clean.normalize._places import CITIES, LATIN_CITIES, PROVINCES
from leadlink.clean.normalize._text import ascii_fold, clean, has_han, to_simplified

__all__ = ["city", "normalize"]

_SUFFIXES = ("特别行政区", "自治区", "市", "省", "区", "县")
_BY_LENGTH = sorted(CITIES, key=len, reverse=True)


def city(value: Any) -> str | None:
    """Canonical city: 北京市 -> 北京, Beijing -> 北京, 广东省深圳市 -> 深圳; other Latin
    names folded to lower case."""
    text = clean(value)
    if text is None:
        return None
    text = to_simplified(text)
    if has_han(text):
        compact = re.sub(r"[\s\W_]+", "", text)
        for province in PROVINCES:
            if compact.startswith(province) and len(compact) > len(province) + 1:
                rest = compact[len(province) :].removeprefix("省")
                if any(rest.startswith(c) for c in _BY_LENGTH):
                    compact = rest
                break
        for name in _BY_LENGTH:
            if compact.startswith(name):
                return name
        stripped = True
        while stripped:
            stripped = False
            for suffix in _SUFFIXES:
                if compact.endswith(suffix) and len(compact) > len(suffix) + 1:
                    compact = compact[: -len(suffix)]
                    stripped = True
                    break
        for name in _BY_LENGTH:  # 苏州市市 -> 苏州
            if compact.startswith(name):
                return name
        return compact if has_han(compact) else None
    folded = " ".join(re.split(r"[^a-z']+", ascii_fold(text).casefold())).strip()
    folded = re.sub(r"\s+(city|shi)$", "", folded)
    return LATIN_CITIES.get(folded, folded) or None


def normalize(value: Any) -> str | None:
    """An address line: NFKC, 繁→简, whitespace collapsed, case folded."""
    text = clean(value)
    return None if text is None else to_simplified(text).casefold()
