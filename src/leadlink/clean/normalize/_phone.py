"""Phone numbers: E.164 of the main number, the extension, the kind of line.

>>> normalize("８６１３８００１３８０００"), normalize("010-8888 6666 转 8001")
('+8613800138000', '+861088886666')
>>> extension("010-8888 6666 转 8001"), kind("+86 138 0013 8000")
('8001', 'mobile')

International numbers ("+65 9123 4567") and Chinese national ones (the common cases) skip
``phonenumbers.parse``: the country code and national number are cut from the digits and
the number is typed on its region's metadata the way ``phonenumbers.number_type`` does,
which gives the same answer as a full parse (tests compare both on random numbers of every
country code). Shapes that need judgement (a possible national or carrier prefix, a leading
0) go through ``phonenumbers``. Results are cached on the digits, so the
formatting variants of one number share an entry.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Any

import phonenumbers
from phonenumbers import PhoneNumberType

from leadlink._i18n import say
from leadlink.clean.normalize._text import clean
from leadlink.errors import ConfigError

__all__ = ["check_region", "describe", "extension", "is_valid", "kind", "normalize"]


def check_region(region: object) -> str:
    """``region`` as the upper-case region code phonenumbers knows (``"cn"`` -> ``"CN"``),
    or a ConfigError that names a few: an unknown default region makes nearly every
    number without a country code invalid, so it is refused before any work."""
    code = region.strip().upper() if isinstance(region, str) else None
    if code is None or code not in phonenumbers.SUPPORTED_REGIONS:
        examples = "CN, HK, TW, SG, US, GB, JP, DE"
        raise ConfigError(
            say(
                f"region {region!r} is not a phone region leadlink knows; give the two-letter "
                f"code of the country most numbers without a country code belong to, e.g. "
                f"{examples} ({len(phonenumbers.SUPPORTED_REGIONS)} regions are supported)",
                f"不认识电话地区 {region!r}；请给出多数不带国家代码的号码所属国家/地区的两字母代码，"
                f"例如 {examples}（共支持 {len(phonenumbers.SUPPORTED_REGIONS)} 个地区）",
            )
        )
    return code


# What may stand before an extension: "转 8001", "分机8001", "ext. 8001", "x8001", "#8001".
_EXTENSION_MARKERS = (
    "转",
    "轉",
    "分机",
    "分機",
    "内线",
    "內線",
    r"ext\.?",
    "extension",
    "x",
    "#",
    ",",
    ";",
)
_EXTENSION = re.compile(
    rf"(?:{'|'.join(_EXTENSION_MARKERS)})\s*[:：.]?\s*(\d{{1,6}})\s*$", re.IGNORECASE
)
# The first characters of the markers: a cell without any of them has no extension (most
# cells), and the costlier search above is skipped.
_EXTENSION_MARK = re.compile(
    f"[{''.join(sorted(re.escape(m[0]) for m in set(_EXTENSION_MARKERS)))}]", re.IGNORECASE
)
# "010-88886666-8001": a trailing short dash group is an extension when the rest is valid.
_DASH_EXTENSION = re.compile(r"^(.*\d)\s*-\s*(\d{1,5})$")
# Several numbers in one cell: "13800138000 / 13900139000", "138...、139...".
_SEVERAL = re.compile(r"\s*(?:/|\||、|;|；|，|\bor\b|或)\s*")
_NOT_DIGIT = re.compile(r"[^\d+]")
_DIGITS = re.compile(r"\D")

# A Chinese national number with or without its trunk 0, read without a parse.
_CN_NATIONAL = re.compile(r"^0?([1-9]\d{6,10})$")

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
    """(main number, extension): the extension after a marker that follows a number of
    at least 7 digits, or a cell that holds only an extension ("转8001", "ext. 123": an
    extension column, or the second half of a number split over two cells)."""
    if not _EXTENSION_MARK.search(text):
        return text, None
    match = _EXTENSION.search(text)
    if match is None:
        return text, None
    main = text[: match.start()]
    if not main.strip() or len(_DIGITS.sub("", main)) >= 7:
        return main, match.group(1)
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
    fast = _fast(digits, region)
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


_INVALID = ("", "")  # _fast: the digits are a shape read here and not a valid number


def _fast(digits: str, region: str) -> _Resolved | None:
    """E.164 and kind without ``phonenumbers.parse``, for the shapes that need no judgement.

    Read here: "+<country code><national number>" and, with region CN, a Chinese national
    number with or without its trunk 0. The number is typed on its region's metadata,
    trying the same descriptions in the same order as phonenumbers does. None when the
    digits are not such a shape (a national number that could start with a national or
    carrier prefix, a leading 0, a non-geographic code): the caller parses them.
    ``_INVALID`` when they are and the number is not valid.
    """
    if digits.startswith("+"):
        found = _split_country_code(digits[1:])
        if found is None:
            return None
        country_code, regions, national = found
    elif region == "CN" and not digits.startswith("86"):
        # (phonenumbers may read a leading 86 as the country code: left to it)
        match = _CN_NATIONAL.match(digits)
        if match is None:
            return None
        country_code, regions, national = 86, ("CN",), match.group(1)
    else:
        return None
    if not 2 <= len(national) <= 17 or national.startswith("0"):
        return None
    if regions[0] == phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY:
        return None
    prefix = _region_rules(regions[0])[1]
    if prefix is not None and prefix.match(national):
        return None  # phonenumbers might strip a national or carrier prefix here
    # The number's region, as phonenumbers picks it among the regions of a shared code
    # (+1, +7, +44 ...): the first whose leading digits match, or, for regions without
    # leading digits, the first where the number is of a known type.
    for candidate in regions:
        leading, _, descs = _region_rules(candidate)
        if leading is not None and not leading.match(national):
            continue
        number_type = _number_type(national, descs)
        if number_type == PhoneNumberType.UNKNOWN:
            if leading is None:
                continue
            return _INVALID
        return f"+{country_code}{national}", _KINDS.get(number_type, "other")
    return _INVALID


def _split_country_code(body: str) -> tuple[int, tuple[str, ...], str] | None:
    """(country code, its regions, national number) of the digits after a '+'."""
    if not body.isdigit() or body.startswith("0"):
        return None
    for size in (1, 2, 3):
        regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(int(body[:size]))
        if regions:
            return int(body[:size]), tuple(regions), body[size:]
    return None


_Desc = tuple[int, frozenset[int], re.Pattern[str]] | None
_Descs = tuple[tuple[_Desc, ...], bool]


@cache
def _region_rules(region: str) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None, _Descs]:
    """(leading digits, national prefix for parsing, number descriptions) of a region,
    precompiled; the descriptions in the order phonenumbers tries them."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
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
    descs: list[_Desc] = []
    for number_type, attribute in order:
        desc = getattr(metadata, attribute, None) if metadata is not None else None
        pattern = getattr(desc, "national_number_pattern", None)
        if not pattern:
            descs.append(None)
            continue
        lengths = frozenset(getattr(desc, "possible_length", None) or ())
        descs.append((number_type, lengths, re.compile(pattern)))
    leading = getattr(metadata, "leading_digits", None)
    prefix = getattr(metadata, "national_prefix_for_parsing", None)
    same = bool(getattr(metadata, "same_mobile_and_fixed_line_pattern", False))
    return (
        re.compile(leading) if leading else None,
        re.compile(prefix) if prefix else None,
        (tuple(descs), same),
    )


def _matches(national: str, desc: _Desc) -> bool:
    if desc is None:
        return False
    _, lengths, pattern = desc
    if lengths and len(national) not in lengths:
        return False
    return pattern.fullmatch(national) is not None


def _number_type(national: str, rules: _Descs) -> int:
    """``phonenumbers.number_type`` for a national number on a region's precompiled
    descriptions (phonenumbers' own ``_number_type_helper``, step by step)."""

    descs, same_mobile_and_fixed = rules
    general, *special, fixed_line, mobile = descs
    if not _matches(national, general):
        return PhoneNumberType.UNKNOWN
    for desc in special:
        if desc is not None and _matches(national, desc):
            return desc[0]
    if _matches(national, fixed_line):
        if same_mobile_and_fixed or _matches(national, mobile):
            return PhoneNumberType.FIXED_LINE_OR_MOBILE
        return PhoneNumberType.FIXED_LINE
    if not same_mobile_and_fixed and _matches(national, mobile):
        return PhoneNumberType.MOBILE
    return PhoneNumberType.UNKNOWN


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
