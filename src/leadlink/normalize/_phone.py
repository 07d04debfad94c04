"""Phone numbers: E.164 of the main number, the extension, the kind of line.

>>> normalize("８６１３８００１３８０００"), normalize("010-8888 6666 转 8001")
('+8613800138000', '+861088886666')
>>> extension("010-8888 6666 转 8001"), kind("+86 138 0013 8000")
('8001', 'mobile')

Chinese numbers (the common case) skip ``phonenumbers.parse``: the national number is cut
from the digits with a regex and typed with ``phonenumbers.number_type`` on the metadata of
+86, which gives the same answer as a full parse (a test compares both on random numbers).
Everything else goes through ``phonenumbers``. Results are cached on the digits, so the
formatting variants of one number share an entry.
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
    r"(?:转|轉|分机|分機|内线|內線|ext\.?|extension|x|#|,|;)\s*[:：.]?\s*(\d{1,6})\s*$",
    re.IGNORECASE,
)
# "010-88886666-8001": a trailing short dash group is an extension when the rest is valid.
_DASH_EXTENSION = re.compile(r"^(.*\d)\s*-\s*(\d{1,5})$")
# Several numbers in one cell: "13800138000 / 13900139000", "138...、139...".
_SEVERAL = re.compile(r"\s*(?:/|\||、|;|；|，|\bor\b|或)\s*")
_NOT_DIGIT = re.compile(r"[^\d+]")
_DIGITS = re.compile(r"\D")

# Chinese shapes cut without a parse: +86/0086/86 followed by the national number, or a
# national number with or without its trunk 0. National numbers that start with 11x, 12x or
# 179 are left to phonenumbers, which may read those digits as a carrier-selection prefix.
_CN_INTERNATIONAL = re.compile(r"^(?:\+86|0086)([1-9]\d{6,10})$")
_CN_NATIONAL = re.compile(r"^0?([1-9]\d{6,10})$")
_CARRIER_LIKE = re.compile(r"^1(?:[12]|79)")

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

_Resolved = tuple[str, str]  # (E.164, kind)


def _split(text: str) -> tuple[str, str | None]:
    match = _EXTENSION.search(text)
    if match and len(_DIGITS.sub("", text[: match.start()])) >= 7:
        return text[: match.start()], match.group(1)
    return text, None


def _digits(main: str) -> str:
    """Only digits and '+' count; a "(0)" trunk prefix after a country code is dropped."""
    return _NOT_DIGIT.sub("", main.replace("(0)", ""))


@lru_cache(maxsize=500_000)
def _lookup(digits: str, region: str) -> _Resolved | None:
    """(E.164, kind) of a run of digits, or None when it is not a valid number."""
    if not digits or len(digits) > 20 or "+" in digits[1:]:
        return None
    if region == "CN" and not digits.startswith(("+", "00")) and digits.startswith("86"):
        if len(digits) >= 12:
            digits = "+" + digits
    elif digits.startswith("00"):
        digits = "+" + digits[2:]
    if region == "CN" and not digits.startswith("+") and len(digits) < 7:
        return None  # shorter than any Chinese number (service codes like 10086 included)
    fast = _cn_fast(digits, region)
    if fast is not None:
        return None if fast is _INVALID else fast
    try:
        number = phonenumbers.parse(digits, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return e164, _KINDS.get(phonenumbers.number_type(number), "other")


_INVALID = ("", "")  # _cn_fast: the digits are a Chinese shape and not a valid number


def _cn_fast(digits: str, region: str) -> _Resolved | None:
    """A Chinese number typed on the +86 metadata without a full parse.

    None when the digits are not one of the shapes read here (the caller parses them);
    ``_INVALID`` when they are and the number is not valid.
    """
    match = _CN_INTERNATIONAL.match(digits)
    if match is None and region == "CN" and not digits.startswith("86"):
        # (phonenumbers may read a leading 86 as the country code: left to it)
        match = _CN_NATIONAL.match(digits)
    if match is None:
        return None
    national = match.group(1)
    if _CARRIER_LIKE.match(national):
        return None
    number_type = _cn_number_type(national)
    if number_type == PhoneNumberType.UNKNOWN:
        return _INVALID
    return "+86" + national, _KINDS.get(number_type, "other")


@lru_cache(maxsize=1)
def _cn_descs() -> tuple[tuple[int, frozenset[int], re.Pattern[str]] | None, ...]:
    """The +86 number descriptions in the order phonenumbers tries them, precompiled."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region("CN")
    order = (
        (PhoneNumberType.UNKNOWN, "general_desc"),
        (PhoneNumberType.PREMIUM_RATE, "premium_rate"),
        (PhoneNumberType.TOLL_FREE, "toll_free"),
        (PhoneNumberType.SHARED_COST, "shared_cost"),
        (PhoneNumberType.VOIP, "voip"),
        (PhoneNumberType.PERSONAL_NUMBER, "personal_number"),
        (PhoneNumberType.PAGER, "pager"),
        (PhoneNumberType.UAN, "uan"),
        (PhoneNumberType.VOICEMAIL, "voicemail"),
        (PhoneNumberType.FIXED_LINE, "fixed_line"),
        (PhoneNumberType.MOBILE, "mobile"),
    )
    descs: list[tuple[int, frozenset[int], re.Pattern[str]] | None] = []
    for number_type, attribute in order:
        desc = getattr(metadata, attribute, None) if metadata is not None else None
        pattern = getattr(desc, "national_number_pattern", None)
        if not pattern:
            descs.append(None)
            continue
        lengths = frozenset(getattr(desc, "possible_length", None) or ())
        descs.append((number_type, lengths, re.compile(pattern)))
    return tuple(descs)


def _cn_number_type(national: str) -> int:
    """``phonenumbers.number_type`` for a +86 national number, on precompiled patterns
    (the same descriptions tried in the same order as phonenumbers does)."""

    def matches(desc: tuple[int, frozenset[int], re.Pattern[str]] | None) -> bool:
        if desc is None:
            return False
        _, lengths, pattern = desc
        if lengths and len(national) not in lengths:
            return False
        return pattern.fullmatch(national) is not None

    general, *special, fixed_line, mobile = _cn_descs()
    if not matches(general):
        return PhoneNumberType.UNKNOWN
    for desc in special:
        if desc is not None and matches(desc):
            return desc[0]
    if matches(fixed_line):
        return (
            PhoneNumberType.FIXED_LINE_OR_MOBILE if matches(mobile) else PhoneNumberType.FIXED_LINE
        )
    return PhoneNumberType.MOBILE if matches(mobile) else PhoneNumberType.UNKNOWN


def _resolve(value: Any, region: str) -> tuple[_Resolved | None, str | None]:
    """((E.164, kind) of the main number, extension)."""
    text = clean(value)
    if text is None:
        return None, None
    region = region.upper() if isinstance(region, str) else "CN"
    main, ext = _split(text)
    found = _lookup(_digits(main), region)
    if found is None and ext is None:
        dashed = _DASH_EXTENSION.match(main)
        if dashed:
            found = _lookup(_digits(dashed.group(1)), region)
            if found is not None:
                ext = dashed.group(2)
    if found is None and ext is None and _SEVERAL.search(text):
        first = _SEVERAL.split(text, maxsplit=1)[0]
        if first:
            return _resolve(first, region)
    return found, ext


def normalize(value: Any, region: str = "CN") -> str | None:
    """E.164 of the main number (extension removed); None when it is not a valid number.

    With several numbers in one cell ("138... / 139..."), the first one.
    """
    found, _ = _resolve(value, region)
    return None if found is None else found[0]


def extension(value: Any, region: str = "CN") -> str | None:
    """The extension: '转123', '分机 123', 'ext. 123', 'x123', '#123', '010-88886666-123'
    -> '123'."""
    return _resolve(value, region)[1]


def describe(value: Any, region: str = "CN") -> tuple[str | None, str | None, str | None]:
    """(E.164, extension, kind) in one pass — what ``prepare`` needs per distinct value."""
    found, ext = _resolve(value, region)
    if found is None:
        return None, ext, None
    return found[0], ext, found[1]


def kind(value: Any, region: str = "CN") -> str | None:
    """'mobile', 'landline', 'toll_free', 'voip' or 'other'; None when not valid."""
    found, _ = _resolve(value, region)
    return None if found is None else found[1]


def is_valid(value: Any, region: str = "CN") -> bool:
    return _resolve(value, region)[0] is not None
