"""Cities, address lines, addresses taken apart for matching, and postcodes.

>>> city("北京市"), city("BEIJING"), city("广东省深圳市"), city("New York")
('北京', '北京', '深圳', 'new york')
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from leadlink._data import mapping
from leadlink.clean.normalize._places import CITIES, LATIN_CITIES, PROVINCES
from leadlink.clean.normalize._text import ascii_fold, clean, has_han, to_simplified

__all__ = ["AddressParts", "city", "key", "normalize", "parts", "postcode"]

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


class AddressParts(NamedTuple):
    """An address taken apart for matching (see :func:`parts`).

    Attributes:
        key: the whole address, normalised: street-type words folded (Street -> st),
            units last, the postcode (and for Chinese addresses the province, city and
            district, which are the city's role) left out.
        street: the house number and the street ("12 main st", "科苑路15号"): one
            building, whatever the unit; None without a house number.
        road: the street without the number ("main st", "科苑路").
        number: the house number ("12", "15").
        unit: the unit, floor and building within the address, folded ("f3 u4" for
            "Apt 4, 3rd Floor"; "b2 r101" for 2栋101室); None when none is given.
        postcode: a postcode written in the address, normalised (:func:`postcode`).
    """

    key: str
    street: str | None
    road: str | None
    number: str | None
    unit: str | None
    postcode: str | None


_DATA = "leadlink.clean.normalize"
#: Word -> its short form (``@u`` / ``@f``: a unit or floor word), data/address_words.tsv.
_WORDS: dict[str, str] = mapping(_DATA, "address_words.tsv")

_UK_POSTCODE = re.compile(r"([a-z]{1,2}\d[a-z\d]?)\s*(\d[a-z]{2})")
_POSTCODE_AT_END = (
    re.compile(r"\b(?P<code>[a-z]{1,2}\d[a-z\d]?\s*\d[a-z]{2})\s*$"),  # UK: SW1A 1AA
    re.compile(r"\b(?P<code>\d{5}(?:\s*-\s*\d{4})?)\s*$"),  # US ZIP, ZIP+4
    re.compile(r"\b(?P<code>\d{6})\s*$"),  # China, India ...
    # four digits after a comma or an Australian state: ", 1012", "NSW 2000"
    re.compile(r"(?:,\s*|\b(?:act|nsw|nt|qld|sa|tas|vic|wa)\s+)(?P<code>\d{4})\s*$"),
)
_COUNTRY_AT_END = re.compile(
    r",\s*(usa|us|united states( of america)?|uk|united kingdom|england|australia|canada|"
    r"china|prc|new zealand|singapore)\s*$"
)
_TOKEN = re.compile(r"#|[a-z0-9]+")
_LETTER = re.compile(r"[^\W\d_]")
_HOUSE_NUMBER = re.compile(r"\d+[a-z]?")
_ORDINAL = re.compile(r"(\d+)(?:st|nd|rd|th)?")
_UNIT_SLASH = re.compile(r"\b(\d+[a-z]?)\s*/\s*(\d+[a-z]?)\b")  # 12/34 Smith St: unit 12

_HAN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "两": 2}
_HAN_NUMBER = "〇零一二两三四五六七八九十"
_CN_POSTCODE = re.compile(r"(?:邮编|邮政编码)[:：]?\s*(\d{6})|(?<!\d)(\d{6})(?!\d)")
_CN_PROVINCE_SUFFIX = (
    "特别行政区",
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "自治区",
    "省",
    "市",
)
_CN_DISTRICT = re.compile(r"[\u4e00-\u9fff]{1,6}?(?:新区|区|县|旗|市)")
_CN_STREET = re.compile(r"(.+?(?:大道|大街|路|街|道|巷|弄|胡同|里))(\d+)(?:[-之](\d+))?号")
_CN_NUMBER = re.compile(r"(\d+)(?:[-之](\d+))?号(?!楼)")
_CN_UNIT = re.compile(rf"([a-z\d]+|[{_HAN_NUMBER}]+)(号楼|栋|幢|座|单元|楼|层|室|房|号)")
_CN_UNIT_KIND = {
    "号楼": "b", "栋": "b", "幢": "b", "座": "b", "单元": "u",
    "楼": "f", "层": "f", "室": "r", "房": "r", "号": "r",
}  # fmt: skip
_CITIES_BY_LENGTH = sorted(CITIES, key=len, reverse=True)


def parts(value: Any) -> AddressParts | None:
    """An address taken apart for matching, Chinese or international; None when nothing
    usable is left.

    >>> found = parts("12 North Main Street, Apt. 4, Springfield, IL 62704")
    >>> found.key, found.street, found.unit, found.postcode
    ('12 n main st springfield il u4', '12 n main st', 'u4', '62704')
    >>> found = parts("廣東省深圳市南山區科苑路15號2棟101室")
    >>> found.key, found.street, found.road, found.number, found.unit
    ('科苑路15号2栋101室', '科苑路15号', '科苑路', '15', 'b2 r101')
    """
    text = clean(value)
    if text is None:
        return None
    text = to_simplified(text)
    found = _han_parts(text) if has_han(text) else _latin_parts(text)
    # a number alone ("0", "123") is no address
    return found if found is not None and _LETTER.search(found.key) else None


def key(value: Any) -> str | None:
    """The comparable key of an address (:attr:`AddressParts.key`)."""
    found = parts(value)
    return None if found is None else found.key


def _latin_parts(text: str) -> AddressParts | None:
    folded = ascii_fold(text).casefold()
    folded = _COUNTRY_AT_END.sub("", folded.strip(" .;"))
    code = None
    for pattern in _POSTCODE_AT_END:
        match = pattern.search(folded)
        # not the house number of an address that is only a number
        if match is not None and re.search(r"[a-z]", folded[: match.start()]):
            code = postcode(match.group("code"))
            folded = folded[: match.start("code")]
            break
    folded = _UNIT_SLASH.sub(r"# \1 \2", folded)
    words: list[list[str]] = []  # per comma-separated segment
    units: list[str] = []
    for segment in folded.split(","):
        tokens = _TOKEN.findall(segment)
        kept: list[str] = []
        i = 0
        while i < len(tokens):
            word = "@u" if tokens[i] == "#" else _WORDS.get(tokens[i], tokens[i])
            if word.startswith("@"):
                if i + 1 < len(tokens) and _is_unit_id(tokens[i + 1]):
                    units.append(word[1] + _ORDINAL.sub(r"\1", tokens[i + 1]))
                    i += 2
                    continue
                if word == "@f" and kept and _ORDINAL.fullmatch(kept[-1]):  # 3rd floor
                    units.append("f" + _ORDINAL.sub(r"\1", kept.pop()))
                i += 1
                continue
            if word == "no" and i + 1 < len(tokens) and tokens[i + 1].isdigit():
                i += 1  # "No. 5": the number follows
                continue
            kept.append(word)
            i += 1
        if kept:
            words.append(kept)
    if not words:
        return None
    street = road = number = None
    for kept in words:
        at = next((i for i, w in enumerate(kept) if _HOUSE_NUMBER.fullmatch(w)), None)
        rest = kept[at + 1 :] if at is not None else []
        if at is not None and any(not w.isdigit() for w in rest):
            number, road = kept[at], " ".join(_up_to_street_type(rest))
            street = f"{number} {road}"
            break
    if road is None:
        road = " ".join(words[0]) if any(not w.isdigit() for w in words[0]) else None
    unit = " ".join(sorted(units)) or None
    key = " ".join(w for kept in words for w in kept) + (f" {unit}" if unit else "")
    return AddressParts(key, street, road, number, unit, code)


#: The folded street types (st, rd, ave ...): a street name ends with one.
_DIRECTIONS = frozenset(("n", "s", "e", "w", "ne", "nw", "se", "sw"))
_STREET_TYPES = frozenset(v for v in _WORDS.values() if not v.startswith("@")) - _DIRECTIONS


def _up_to_street_type(words: list[str]) -> list[str]:
    """The street name: the words up to its street type and a direction after it (the
    town and state that follow in the same segment are left out)."""
    for i, word in enumerate(words[1:], start=1):  # the first word may be "st" (Saint)
        if word in _STREET_TYPES:
            end = i + 2 if i + 1 < len(words) and words[i + 1] in _DIRECTIONS else i + 1
            return words[:end]
    return words


def _is_unit_id(token: str) -> bool:
    return bool(re.fullmatch(r"\d+[a-z]?|[a-z]\d*|\d+(?:st|nd|rd|th)", token))


def _han_parts(text: str) -> AddressParts | None:
    compact = re.sub(r"[^\w#]+|_", "", text.casefold())
    code = None
    match = _CN_POSTCODE.search(compact)
    if match is not None:
        code = match.group(1) or match.group(2)
        compact = compact[: match.start()] + compact[match.end() :]
    compact = _without_regions(compact)
    if not compact:
        return None
    street = road = number = None
    found = _CN_STREET.search(compact) or _CN_NUMBER.search(compact)
    after = compact
    if found is not None:
        if found.re is _CN_STREET:
            road, number = found.group(1), found.group(2)
        else:
            road, number = compact[: found.start()] or None, found.group(1)
        street = f"{road or ''}{number}号"
        after = compact[found.end() :]
    units = [_CN_UNIT_KIND[kind] + _arabic(n) for n, kind in _CN_UNIT.findall(after)]
    key = compact
    for n, kind in _CN_UNIT.findall(after):  # 二栋 and 2栋 are one key
        key = key.replace(f"{n}{kind}", f"{_arabic(n)}{kind}", 1)
    return AddressParts(key, street, road, number, " ".join(sorted(units)) or None, code)


def _without_regions(compact: str) -> str:
    """The address without its leading province, city and district (the city's role)."""
    for province in sorted(PROVINCES, key=len, reverse=True):
        if compact.startswith(province):
            rest = compact[len(province) :]
            for suffix in _CN_PROVINCE_SUFFIX:
                if rest.startswith(suffix):
                    rest = rest[len(suffix) :]
                    break
            compact = rest
            break
    for name in _CITIES_BY_LENGTH:
        if compact.startswith(name):
            compact = compact[len(name) :].removeprefix("市")
            break
    match = _CN_DISTRICT.match(compact)
    if match is not None and re.search(r"\d|路|街|道|巷|弄", compact[match.end() :]):
        compact = compact[match.end() :]
    return compact


def _arabic(number: str) -> str:
    """二 -> 2, 十二 -> 12, 二十 -> 20, 一〇一 -> 101; other text as it is."""
    if not number or any(c not in _HAN_NUMBER for c in number):
        return number
    if "十" not in number:
        return "".join(str(_HAN_DIGITS[c]) for c in number)
    tens, _, ones = number.partition("十")
    if len(tens) > 1 or len(ones) > 1:
        return number
    return str((_HAN_DIGITS[tens] if tens else 1) * 10 + (_HAN_DIGITS[ones] if ones else 0))


_POSTCODE_TEXT = re.compile(r"[\s\-.]+")


def postcode(value: Any) -> str | None:
    """A postcode: spaces and case folded; a US ZIP+4 to its five digits; a British
    postcode as "OUTWARD INWARD"; other codes (China's six digits, four-digit codes) as
    their letters and digits. None for anything that is no code.

    >>> postcode("62704-1234"), postcode("sw1a1aa"), postcode(" 100 080 "), postcode(2000.0)
    ('62704', 'SW1A 1AA', '100080', '2000')
    """
    text = clean(value)
    if text is None:
        return None
    text = text.casefold().removeprefix("邮编").strip(" :：")
    uk = _UK_POSTCODE.fullmatch(text.strip())
    if uk is not None:
        return f"{uk.group(1)} {uk.group(2)}".upper()
    compact = _POSTCODE_TEXT.sub("", text)
    if re.fullmatch(r"\d{5}\s*-?\s*\d{4}", text):  # ZIP+4
        return compact[:5]
    if not re.fullmatch(r"[a-z0-9]{3,10}", compact) or not re.search(r"\d", compact):
        return None
    if set(compact) == {"0"}:
        return None  # a placeholder
    return compact.upper()
