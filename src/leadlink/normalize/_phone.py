"""Phone numbers: E.164 of the main number, the extension, the kind of line.

>>> normalize("８６１３８００１３８０００"), normalize("010-8888 6666 转 8001")
('+8613800138000', '+861088886666')
>>> extension("010-8888 6666 转 8001"), kind("+86 138 0013 8000")
('8001', 'mobile')
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import phonenumbers
from phonenumbers import PhoneNumberType

from leadlink.normalize._text import clean

__all__ = ["describe", "extension", "is_valid", "kind", "normalize"]

_EXTENSION = re.compile(
    r"(?:转|轉|分机|分機|内线|ext\.?|extension|x|#|,|;)\s*[:：]?\s*(\d{1,6})\s*$", re.IGNORECASE
)
# A bare CN mobile with optional country prefix and separators: the common case, parsed
# without phonenumbers (it gives the same answer, faster).
_CN_MOBILE = re.compile(r"^(?:\+?86|0086)?(1[3-9]\d{9})$")
_KINDS = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "landline",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "mobile",
    PhoneNumberType.TOLL_FREE: "toll_free",
    # 400 numbers in China are shared-cost service lines; callers treat them like 800.
    PhoneNumberType.SHARED_COST: "toll_free",
    PhoneNumberType.UAN: "toll_free",
    PhoneNumberType.VOIP: "voip",
}


def _split(value: Any) -> tuple[str, str | None] | None:
    text = clean(value)
    if text is None:
        return None
    match = _EXTENSION.search(text)
    if match and len(re.sub(r"\D", "", text[: match.start()])) >= 7:
        return text[: match.start()], match.group(1)
    return text, None


def _parse(main: str, region: str) -> phonenumbers.PhoneNumber | None:
    # Formatting variants of one number share a cache entry: only digits and '+' count.
    return _parse_digits(re.sub(r"[^\d+]", "", main.replace("(0)", "")), region)


@lru_cache(maxsize=500_000)
def _parse_digits(digits: str, region: str) -> phonenumbers.PhoneNumber | None:
    if not digits or len(digits) > 20:
        return None
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    elif region == "CN" and digits.startswith("86") and len(digits) >= 12:
        digits = "+" + digits
    try:
        number = phonenumbers.parse(digits, region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


@lru_cache(maxsize=1)
def _cn_mobile_prefixes() -> frozenset[str]:
    """The 1xx mobile prefixes phonenumbers accepts, so the fast path agrees with it."""
    valid = set()
    for prefix in range(130, 200):
        samples = (f"+86{prefix}{tail}" for tail in ("12345678", "87654321", "55500011"))
        if all(phonenumbers.is_valid_number(phonenumbers.parse(s)) for s in samples):
            valid.add(str(prefix))
    return frozenset(valid)


_DASH_EXTENSION = re.compile(r"^(.*\d)\s*-\s*(\d{1,5})$")


def _main(main: str, region: str) -> str | None:
    compact = re.sub(r"[\s\-().]", "", main)
    fast = _CN_MOBILE.match(compact)
    if (
        fast
        and (region == "CN" or compact.startswith(("+86", "0086")))
        and fast.group(1)[:3] in _cn_mobile_prefixes()
    ):
        return "+86" + fast.group(1)
    number = _parse(main, region)
    if number is None:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _resolve(value: Any, region: str) -> tuple[str | None, str | None]:
    """(E.164 of the main number, extension)."""
    split = _split(value)
    if split is None:
        return None, None
    main, ext = split
    e164 = _main(main, region)
    if e164 is None and ext is None:
        # "010-88886666-8001": a trailing dash group is an extension when the rest is valid.
        dashed = _DASH_EXTENSION.match(main)
        if dashed:
            e164 = _main(dashed.group(1), region)
            if e164 is not None:
                ext = dashed.group(2)
    return e164, ext


def normalize(value: Any, region: str = "CN") -> str | None:
    """E.164 of the main number (extension removed); None when it is not a valid number."""
    return _resolve(value, region)[0]


def extension(value: Any, region: str = "CN") -> str | None:
    """The extension: '转123', '分机 123', 'ext. 123', 'x123', '#123', '010-88886666-123'
    -> '123'."""
    return _resolve(value, region)[1]


def describe(value: Any, region: str = "CN") -> tuple[str | None, str | None, str | None]:
    """(E.164, extension, kind) in one pass — what ``prepare`` needs per distinct value."""
    e164, ext = _resolve(value, region)
    return e164, ext, _kind_of(e164, region)


@lru_cache(maxsize=500_000)
def _kind_of(e164: str | None, region: str) -> str | None:
    if e164 is None:
        return None
    if e164.startswith("+861") and len(e164) == 14:
        return "mobile"
    number = _parse(e164, region)
    if number is None:
        return None
    return _KINDS.get(phonenumbers.number_type(number), "other")


def kind(value: Any, region: str = "CN") -> str | None:
    """'mobile', 'landline', 'toll_free', 'voip' or 'other'; None when not valid."""
    return _kind_of(normalize(value, region), region)


def is_valid(value: Any, region: str = "CN") -> bool:
    return normalize(value, region) is not None
