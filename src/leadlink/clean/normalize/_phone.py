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

import random
import re
import warnings
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import cache, lru_cache
from typing import Any

import numpy as np
import phonenumbers
from phonenumbers import PhoneNumberType

from leadlink._i18n import say
from leadlink.clean.normalize._text import MAX_LENGTH, clean
from leadlink.errors import ConfigError, LeadlinkWarning

__all__ = [
    "DEFAULT_REGION",
    "LOCAL_PREFIX",
    "check_region",
    "describe",
    "describe_key",
    "describe_keys",
    "extension",
    "infer_region",
    "is_valid",
    "kind",
    "local_key",
    "match_key",
    "normalize",
    "settle_region",
]

#: The region of numbers without a country code when neither the caller nor the data say
#: otherwise.
DEFAULT_REGION = "CN"


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


# ------------------------------------------------------------------------ local numbers

#: How a local number's key starts. No E.164 number holds a letter, so a local key never
#: equals a valid number.
LOCAL_PREFIX = "local:"
#: The digit counts a local number may have: a subscriber number without its area code
#: (555-1234, 8888 6666) up to a whole national number of another region.
LOCAL_DIGITS = range(6, 16)
_RUNS = "0123456789" * 3 + "9876543210" * 3  # runs up or down, wrapping 9 -> 0


def local_key(value: Any, region: str = "CN") -> str | None:
    """``"local:<digits>"`` for a number that is not valid in ``region`` but has the digits
    of a phone number: a local number dialled without its area code (555-1234, 882 4567),
    or a number of another region. None for a valid number, an international number that
    is not valid (a "+" or "00" says which region it claims), a national number cut short,
    junk, and digit runs that nobody dials (0000000, 1234567).

    >>> local_key("882 4567"), local_key("(882) 4567 ext. 12"), local_key("882 45")
    ('local:8824567', 'local:8824567', None)
    """
    found, _ = _resolve(value, region)
    if found is not None:
        return None
    digits = _national_digits(value)
    if digits is None or len(set(digits)) == 1 or digits in _RUNS:
        return None
    if len(digits) <= _LOCAL_LENGTH.get(region, 7) and digits.startswith(_not_local(region)):
        return None  # a national number cut short (0755 1234, 139 0000): a typo
    return LOCAL_PREFIX + digits


@cache
def _not_local(region: str) -> tuple[str, ...]:
    """How a number of a local number's length cannot start in ``region``: with the trunk
    prefix (0 in China, 1 in the US), which comes before an area code; and in China with
    1, which starts mobiles (11 digits) and service numbers (10086), never a landline."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    prefix = getattr(metadata, "national_prefix", None) if metadata is not None else None
    return tuple(filter(None, (prefix, "1" if region == "CN" else None)))


#: What :func:`describe_key` gives: (key, extension, kind).
PhoneParts = tuple[str | None, str | None, str | None]


def describe_key(value: Any, region: str = "CN") -> PhoneParts:
    """(key, extension, kind) as matching uses them: :func:`describe` for a valid number,
    else the :func:`local_key` with kind ``"local"`` (compared exactly like any number)."""
    found, ext = _resolve(value, region)
    if found is not None:
        return found[0], ext, found[1]
    key = local_key(value, region)
    return key, ext, None if key is None else "local"


def describe_keys(values: Sequence[Any] | np.ndarray, region: str = "CN") -> list[PhoneParts]:
    """:func:`describe_key` of each value, the same answers, for many values at once.

    The text steps of the common cells (printable ASCII: spaces collapsed, the extension
    cut off, the digits kept) are done by Arrow on all of them together, and only the
    number behind the digits is looked up one by one (:func:`_lookup`, cached). Anything
    else (other text, numbers, a cell that is no valid number as written) goes through
    :func:`describe_key` itself.

    >>> found = describe_keys(["010-8888 6666 转 8001", "+1 415 555 2671 x12", None, "882 4567"])
    >>> found[:2]
    [('+861088886666', '8001', 'landline'), ('+14155552671', '12', 'mobile')]
    >>> found[2:]
    [(None, None, None), ('local:8824567', None, 'local')]
    """
    upper = region.upper() if isinstance(region, str) else "CN"  # (as _resolve reads it)
    found: list[PhoneParts | None] = [None] * len(values)
    ascii_at, digits, extensions = _ascii_digits(values)
    typed = _fast_many(digits, upper)
    for i, number, ext, fast in zip(ascii_at, digits.to_pylist(), extensions, typed):
        resolved = _lookup(number, upper) if fast is None else None if fast is _INVALID else fast
        if resolved is not None:
            found[i] = (resolved[0], ext, resolved[1])
    return [
        describe_key(value, region) if parts is None else parts
        for value, parts in zip(values, found)
    ]


# _split's extension, for text in printable ASCII (where Python's \s and \d and RE2's
# agree), with the main number before it: the shortest one is the leftmost match's.
_ASCII_EXTENSION = r"(?i)^(?P<main>.*?)(?:ext\.?|extension|x|#|,|;)\s*[:.]?\s*(?P<ext>\d{1,6})\s*$"


def _ascii_digits(
    values: Sequence[Any] | np.ndarray,
) -> tuple[list[int], Any, list[str | None]]:
    """For the values that are text in printable ASCII and not blank: their positions,
    the digits :func:`_resolve` looks up first (``_digits(main)``) and the extension it
    cuts off (``_split``), computed by Arrow on all of them at once."""
    import pyarrow as pa
    import pyarrow.compute as pc

    texts = pa.array(
        [value if isinstance(value, str) and value.isascii() else None for value in values],
        type=pa.string(),
    )
    # clean(): printable ASCII is cut to MAX_LENGTH, runs of spaces collapsed, trimmed
    printable = pc.fill_null(pc.match_substring_regex(texts, r"^[\x20-\x7e]*$"), False)
    text = pc.utf8_trim(
        pc.replace_substring_regex(pc.utf8_slice_codeunits(texts, 0, MAX_LENGTH), " {2,}", " "),
        " ",
    )
    keep = pc.and_(printable, pc.greater(pc.utf8_length(text), 0))
    at = np.flatnonzero(keep.to_numpy(zero_copy_only=False))
    text = text.filter(keep)
    # _split(): an extension after a marker, when the rest holds 7 digits or nothing
    # (null where there is none: flatten() gives the fields with the struct's nulls)
    main, ext = pc.extract_regex(text, _ASCII_EXTENSION).flatten()
    main_digits = pc.utf8_length(pc.replace_substring_regex(main, r"\D", ""))
    cut_off = pc.fill_null(
        pc.or_(pc.equal(pc.utf8_trim(main, " "), ""), pc.greater_equal(main_digits, 7)), False
    )
    main = pc.if_else(cut_off, main, text)
    ext = pc.if_else(cut_off, ext, pa.scalar(None, pa.string()))
    # _digits(): a "(0)" trunk prefix dropped, then only digits and "+"
    digits = pc.replace_substring_regex(pc.replace_substring(main, "(0)", ""), r"[^\d+]", "")
    return at.tolist(), digits, ext.to_pylist()


# The digits _fast reads without any rewriting in _lookup first: "+" and a country code,
# or (region CN) a Chinese national number that does not start with 86.
_PLUS_DIGITS = r"^\+[1-9]\d{1,18}$"
_CN_DIGITS = r"^0?[1-9]\d{6,10}$"


def _fast_many(digits: Any, region: str) -> list[_Resolved | None]:
    """What :func:`_lookup` gives for each run of digits (an Arrow string array) when
    :func:`_fast` reads it (``_INVALID`` for a shape it reads that is no valid number),
    typed by Arrow on all of them at once, a country code at a time; None for the digits
    left to :func:`_lookup` itself. The same steps as :func:`_fast`, on the same
    precompiled metadata (:func:`_region_rules`)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(digits)
    typed: list[_Resolved | None] = [None] * n
    plus = pc.fill_null(pc.match_substring_regex(digits, _PLUS_DIGITS), False)
    body = pc.utf8_slice_codeunits(digits, 1)
    # the country code of "+..." (codes are prefix-free: at most one length fits)
    code = national = pa.nulls(n, pa.string())
    for size in (3, 2, 1):
        prefix = pc.utf8_slice_codeunits(body, 0, size)
        codes = [str(c) for c in phonenumbers.COUNTRY_CODE_TO_REGION_CODE if len(str(c)) == size]
        known = pc.and_(plus, pc.is_in(prefix, value_set=pa.array(codes, pa.string())))
        code = pc.if_else(known, prefix, code)
        national = pc.if_else(known, pc.utf8_slice_codeunits(body, size), national)
    if region == "CN":
        chinese = pc.and_(
            pc.fill_null(pc.match_substring_regex(digits, _CN_DIGITS), False),
            pc.invert(pc.starts_with(digits, "86")),
        )
        code = pc.if_else(chinese, pa.scalar("86"), code)
        national = pc.if_else(chinese, pc.utf8_ltrim(digits, "0"), national)
    lengths = pc.utf8_length(national)
    readable = pc.fill_null(
        pc.and_(
            pc.and_(pc.greater_equal(lengths, 2), pc.less_equal(lengths, 17)),
            pc.invert(pc.starts_with(national, "0")),
        ),
        False,
    )
    code = pc.if_else(readable, code, pa.scalar(None, pa.string()))
    for country in pc.unique(code.drop_null()).to_pylist():
        at = np.flatnonzero(pc.equal(code, country).to_numpy(zero_copy_only=False))
        _type_country(int(country), national.take(pa.array(at)), at, typed)
    return typed


def _type_country(country: int, national: Any, at: np.ndarray, typed: list[Any]) -> None:
    """:func:`_fast`'s typing of the national numbers of one country code, at ``at``."""
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE[country]
    if regions[0] == phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY:
        return
    prefix = _region_rules(regions[0])[1]
    pending = np.ones(len(at), dtype=bool)
    if prefix is not None:  # phonenumbers might strip a prefix: left to _lookup
        pending &= ~_starts(national, prefix.pattern)
    taken = ~pending  # decided here, or left to _lookup
    for candidate in regions:
        leading, _, descs = _region_rules(candidate)
        here = ~taken & (True if leading is None else _starts(national, leading.pattern))
        if not here.any():
            continue
        kinds = _number_types(national, descs)
        known = here & (kinds != PhoneNumberType.UNKNOWN)
        hits = np.flatnonzero(known)
        numbers = national.take(hits).to_pylist()
        for i, number, kind in zip(at[hits].tolist(), numbers, kinds[hits].tolist()):
            typed[i] = (f"+{country}{number}", _KINDS.get(kind, "other"))
        done = known if leading is None else here
        for i in np.flatnonzero(done & ~known).tolist():
            typed[at[i]] = _INVALID
        taken |= done
    for i in np.flatnonzero(~taken).tolist():
        typed[at[i]] = _INVALID


def _starts(texts: Any, pattern: str) -> np.ndarray:
    """Where ``re.match(pattern)`` finds a match at the start of each text."""
    import pyarrow.compute as pc

    found = pc.match_substring_regex(texts, f"^(?:{pattern})")
    return np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)


def _number_types(national: Any, rules: _Descs) -> np.ndarray:
    """:func:`_number_type` of each national number (an Arrow string array)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    lengths = pc.utf8_length(national)

    def matches(desc: _Desc) -> np.ndarray:
        if desc is None:
            return np.zeros(len(national), dtype=bool)
        _, possible, pattern = desc
        fits = pc.match_substring_regex(national, f"^(?:{pattern.pattern})$")
        if possible:
            fits = pc.and_(fits, pc.is_in(lengths, value_set=pa.array(sorted(possible))))
        return np.asarray(fits.to_numpy(zero_copy_only=False), dtype=bool)

    descs, same_mobile_and_fixed = rules
    general, *special, fixed_line, mobile = descs
    kinds = np.full(len(national), PhoneNumberType.UNKNOWN, dtype=np.int64)
    open_ = matches(general)
    for desc in special:
        if desc is not None:
            hit = open_ & matches(desc)
            kinds[hit] = desc[0]
            open_ &= ~hit
    fixed = open_ & matches(fixed_line)
    mobile_fits = matches(mobile)
    if same_mobile_and_fixed:
        kinds[fixed] = PhoneNumberType.FIXED_LINE_OR_MOBILE
    else:
        kinds[fixed & mobile_fits] = PhoneNumberType.FIXED_LINE_OR_MOBILE
        kinds[fixed & ~mobile_fits] = PhoneNumberType.FIXED_LINE
        kinds[open_ & ~fixed & mobile_fits] = PhoneNumberType.MOBILE
    return kinds


def match_key(value: Any, region: str = "CN") -> str | None:
    """A phone in one text as matching sees it: the :func:`describe_key` key (E.164, or
    ``local:`` and the digits) with ``;ext=`` and the extension when there is one; None
    when it is not a phone number. The same number with any separators gives the same key.

    >>> match_key("010-8888 6666 转 8001"), match_key("882-4567"), match_key("(882) 45 67")
    ('+861088886666;ext=8001', 'local:8824567', 'local:8824567')
    """
    key, ext, _ = describe_key(value, region)
    if key is None:
        return None
    return f"{key};ext={ext}" if ext else key


# ---------------------------------------------------------------------- region inference

#: Regions tried when the numbers of a file do not fit the region given, besides those that
#: a leading country code names ("44 20 7946 0000" written without its "+").
COMMON_REGIONS = (
    "US", "GB", "CA", "AU", "SG", "HK", "TW", "JP", "IN", "MY", "KR", "CN", "DE", "FR", "NL",
    "IT", "ES", "NZ", "IE", "CH", "AT", "BE", "BR", "MX", "ZA", "PH", "TH", "ID", "VN", "AE",
)  # fmt: skip
#: Another region is inferred when it reads at least this share of the numbers written
#: without a country code ...
INFER_SHARE = 0.6
#: ... and when the region given leaves at least this share not valid, and at least twice
#: as many as the other region does. (Not higher: about 44 % of random ten-digit US
#: numbers happen to be valid Chinese landlines, measured on 500 of them.)
INFER_MIN_INVALID = 0.4
#: ... and at least this many times the share of random digits of the same lengths that
#: it reads: some regions' plans take most runs of digits (random 7- and 10-digit strings
#: are 75 % and 83 % valid German numbers; random 8-digit ones 59 % valid in Hong Kong,
#: 10-digit ones 34 % valid in the US).
CHANCE_RATIO = 2.0
#: Values looked at (the first this many non-blank ones), and at least this few numbers
#: without a country code among them before anything is inferred.
INFER_SAMPLE = 500
INFER_MIN_NUMBERS = 20
#: Random numbers drawn to measure what a region reads by chance.
_CHANCE_SAMPLE = 200
#: The longest local number (a subscriber number dialled without its area code) of a
#: region where it is longer than 7 digits.
_LOCAL_LENGTH = {"AU": 8, "CN": 8, "DE": 8, "GB": 8, "IN": 8, "JP": 8, "KR": 8, "TW": 8}
#: The most common numbers, read first in every region tried.
_FIRST_LOOK = 50


def _national_digits(value: Any) -> str | None:
    """The digits of a number written without a country code (those of its first number,
    extension split off), or None: blank, junk, or a "+" / "00" international number,
    which reads the same in every region."""
    text = clean(value)
    if text is None:
        return None
    main, _ = _split(text)
    if _SEVERAL.search(main):
        main = _SEVERAL.split(main, maxsplit=1)[0]
    digits = _digits(main)
    if not digits.isdigit() or digits.startswith("00") or len(digits) not in LOCAL_DIGITS:
        return None
    return digits


def infer_region(values: Iterable[Any], region: str = DEFAULT_REGION) -> str | None:
    """The region that the numbers written without a country code belong to, when it is
    not ``region``; None when ``region`` fits them, or no region clearly does.

    Looks at up to :data:`INFER_SAMPLE` values. ``region`` must leave at least
    :data:`INFER_MIN_INVALID` of the numbers not valid. The regions tried are
    :data:`COMMON_REGIONS` and those of a country code most numbers start with; one
    qualifies when it reads at least :data:`INFER_SHARE` of the numbers (those longer than
    a local number of ``region``: a local number says nothing about the region), leaves at most
    half as many not valid as ``region`` and reads them :data:`CHANCE_RATIO` times as
    often as random digits of the same lengths. The one that reads the most wins (ties:
    see below).

    >>> infer_region(["44 20 7946 %04d" % i for i in range(0, 3000, 100)])
    'GB'
    >>> infer_region(["736-%04d" % i for i in range(2000, 2030)]) is None  # local numbers
    True
    """
    counts: Counter[str] = Counter()
    seen = 0
    for value in values:
        if seen >= INFER_SAMPLE:
            break
        if clean(value) is None:
            continue
        seen += 1
        digits = _national_digits(value)
        if digits is not None:
            counts[digits] += 1
    total = sum(counts.values())
    if total < INFER_MIN_NUMBERS:
        return None

    def valid_in(candidate: str, numbers: Counter[str]) -> int:
        return sum(n for digits, n in numbers.items() if _lookup(digits, candidate) is not None)

    invalid_given = total - valid_in(region, counts)
    if invalid_given < INFER_MIN_INVALID * total:
        return None
    # a country code most numbers start with ("44 20 7946 0000": its "+" left out)
    codes: Counter[tuple[str, ...]] = Counter()
    for digits, n in counts.items():
        found = _split_country_code(digits)
        if found is not None:
            codes[found[1]] += n
    coded = {
        code_region
        for code_regions, n in codes.items()
        if n >= INFER_SHARE * total
        for code_region in code_regions
    }
    candidates = dict.fromkeys((*COMMON_REGIONS, *sorted(coded)))
    candidates.pop(region, None)
    candidates.pop(phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY, None)
    # Numbers no longer than a local number of ``region`` (a subscriber number without
    # its area code: 555-1234, 8888 6666 in China) say nothing about the region: they are
    # never read as another region's (8888 6666 is also a valid number in Singapore).
    longest = _LOCAL_LENGTH.get(region, 7)
    whole = Counter({digits: n for digits, n in counts.items() if len(digits) > longest})
    if not whole:
        return None
    # random numbers of the same lengths (seeded: the same answer each run)
    draw = random.Random(0)
    shapes = draw.choices(list(whole), k=_CHANCE_SAMPLE)
    chance = Counter(
        draw.choice("0123456789") + "".join(draw.choices("0123456789", k=len(shape) - 1))
        for shape in shapes
    )
    # a first look at a few numbers leaves out the regions that read few of them
    first = Counter(dict(whole.most_common(_FIRST_LOOK)))
    first_total = sum(first.values())
    scores: dict[str, int] = {}
    for candidate in candidates:
        if valid_in(candidate, first) < INFER_SHARE * first_total:
            continue
        valid = valid_in(candidate, whole)
        if valid < INFER_SHARE * total or 2 * (total - valid) > invalid_given:
            continue
        if valid / total >= CHANCE_RATIO * valid_in(candidate, chance) / _CHANCE_SAMPLE:
            # (in tenths: a region that reads 97 % of them ties with one that reads all)
            scores[candidate] = round(10 * valid / total)
    if not scores:
        return None
    best = max(scores.values())
    tied = [candidate for candidate, score in scores.items() if score == best]
    # Regions that read the numbers equally well: the same numbers (US and CA share +1)
    # are told apart by the region most of them are in; when they read different numbers
    # (03-1234-5678 is a valid Japanese, Australian and French number), the region is not
    # guessed.
    readings: dict[tuple[Any, ...], list[str]] = {}
    for candidate in tied:
        reading = tuple(_lookup(digits, candidate) for digits in first)
        readings.setdefault(reading, []).append(candidate)
    if len(readings) > 1:
        return None
    homes: Counter[str] = Counter()
    for digits, n in first.items():
        try:
            number = phonenumbers.parse(digits, tied[0])
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            homes[phonenumbers.region_code_for_number(number) or ""] += n
    return next((home for home, _ in homes.most_common() if home in tied), tied[0])


def settle_region(values: Iterable[Any], region: str | None = None) -> str:
    """The region to read a file's phone numbers with, checked (see :func:`check_region`).

    ``region=None`` means :data:`DEFAULT_REGION` unless the numbers say otherwise: when
    :func:`infer_region` finds another region, that one is used, with a warning that says
    so. An explicit ``region`` is kept; when the numbers fit another one better, a warning
    suggests it. The warnings are :class:`~leadlink.LeadlinkWarning`.
    """
    given = DEFAULT_REGION if region is None else check_region(region)
    inferred = infer_region(values, given)
    if inferred is None:
        return given
    if region is None:
        warnings.warn(
            say(
                f"most phone numbers written without a country code are not valid in "
                f"{given}, the default region, but are in {inferred}: they are read as "
                f"{inferred} numbers; pass region={inferred!r} (--region {inferred}) to say "
                f"so, or region={given!r} to keep {given}",
                f"多数不带国家代码的电话号码在默认地区 {given} 无效，但在 {inferred} 有效："
                f"已按 {inferred} 号码读取；可传入 region={inferred!r}（--region {inferred}）"
                f"明确指定，或传入 region={given!r} 保留 {given}",
            ),
            LeadlinkWarning,
            stacklevel=3,
        )
        return inferred
    warnings.warn(
        say(
            f"most phone numbers written without a country code are not valid in {given}, "
            f"the region given, but are in {inferred}; if that is where they are from, pass "
            f"region={inferred!r} (--region {inferred})",
            f"多数不带国家代码的电话号码在所给地区 {given} 无效，但在 {inferred} 有效；"
            f"如果它们来自该地区，请传入 region={inferred!r}（--region {inferred}）",
        ),
        LeadlinkWarning,
        stacklevel=3,
    )
    return given
