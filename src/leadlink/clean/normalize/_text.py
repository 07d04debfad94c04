"""Shared text helpers: cleaning any cell value, Unicode width, Han script, pinyin."""

from __future__ import annotations

import math
import numbers
import re
import unicodedata
from decimal import Decimal
from functools import lru_cache
from typing import Any

from leadlink._data import mapping, words
from leadlink._values import NO_VALUE

__all__ = [
    "MAX_LENGTH",
    "PLACEHOLDERS",
    "ascii_fold",
    "clean",
    "has_han",
    "is_han",
    "pinyin",
    "surname_pinyin",
    "to_pinyin_tokens",
    "to_simplified",
]

#: What a name, company or title cell holds when there is none: the shared no-value set
#: and the words of data/placeholders.txt (无, 暂无, 其他, unknown, . ...); each of the three
#: fields adds its own.
PLACEHOLDERS = NO_VALUE | words("leadlink.clean.normalize", "placeholders.txt")

#: Cells longer than this are cut before any expensive step (a 1 MB cell is junk).
MAX_LENGTH = 400

# Control characters (tab, line breaks, NUL ...) separate words: each becomes a space.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Invisible characters that separate nothing: removed, so "Zh\u200bang Wei" is "Zhang Wei"
# (a space there would split the name, the company or the mailbox in two). Soft hyphen,
# combining grapheme joiner, Mongolian vowel separator, zero-width space / non-joiner /
# joiner, direction marks, embeddings and isolates, word joiner and invisible operators,
# deprecated format characters, variation selectors, byte-order mark, tag characters.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufe00-\ufe0f\ufeff"
    "\U000e0000-\U000e007f\U000e0100-\U000e01ef]"
)
_SPACES = re.compile(r"\s+")
# A Han ideograph: in these blocks and a word character, so an unassigned code point in
# them (U+FADA) is not taken for one, which would send "Ù\ufada" down the Han path and
# leave a key that the Latin path then folds again.
# (the word check after the block range: as fast as the range alone, where a check before
# it costs twice the time on Latin text, in a one-off timing)
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff](?<=\w)")


def clean(value: Any) -> str | None:
    """Any cell value as NFKC text (full-width folded to half-width), control characters
    read as spaces, invisible ones (zero-width space, soft hyphen, byte-order mark ...)
    removed, whitespace collapsed; None for missing, empty or non-text values.

    >>> clean("  １３８　0013 "), clean(13800138000.0), clean(float("nan"))
    ('138 0013', '13800138000', None)
    """
    if isinstance(value, str):
        if value.isascii() and value.isprintable():
            # NFKC leaves printable ASCII as it is and there are no control characters:
            # only runs of spaces to collapse (most cells).
            text = value[:MAX_LENGTH]
            if "  " in text:
                text = _SPACES.sub(" ", text)
            return text.strip() or None
        text = value
    elif value is None or isinstance(value, bool):
        return None
    elif isinstance(value, numbers.Integral):  # int, numpy integers
        number_text = _integer_text(int(value))
        if number_text is None:
            return None
        text = number_text
    elif isinstance(value, (numbers.Real, Decimal)):  # float, numpy floats, Decimal
        try:
            number = float(value)
        except (OverflowError, ValueError):
            return None
        if not math.isfinite(number):
            return None
        text = (_integer_text(int(number)) or "") if number.is_integer() else repr(number)
    else:
        return None  # bytes, containers, pandas.NA ...: not a cell value we can read
    text = unicodedata.normalize("NFKC", text[: MAX_LENGTH * 2])[:MAX_LENGTH]
    text = _SPACES.sub(" ", _CONTROL.sub(" ", _INVISIBLE.sub("", text))).strip()
    return text or None


def _integer_text(number: int) -> str | None:
    # str() of an int with thousands of digits raises (Python's int/str conversion limit)
    if abs(number) >= 10**MAX_LENGTH:
        return None
    return str(number)


def has_han(text: str) -> bool:
    return bool(_HAN.search(text))


def is_han(char: str) -> bool:
    return bool(_HAN.fullmatch(char))


@lru_cache(maxsize=1)
def _converter() -> Any:
    from opencc import OpenCC

    return OpenCC("t2s")


@lru_cache(maxsize=1)
def _traditional_chars() -> frozenset[str]:
    """Every character that opencc's t2s dictionaries may change: text with none of them
    comes out of opencc unchanged, so it need not go in (most leads are simplified)."""
    from pathlib import Path

    import opencc

    folder = Path(opencc.__file__).parent / "dictionary"
    chars: set[str] = set()
    for name in ("TSCharacters.txt", "TSPhrases.txt"):
        for line in (folder / name).read_text("utf-8").splitlines():
            source, _, targets = line.partition("\t")
            target = targets.split(" ")[0] if targets else source
            if len(target) != len(source):
                chars.update(source)
            else:
                chars.update(a for a, b in zip(source, target) if a != b)
    return frozenset(chars)


@lru_cache(maxsize=200_000)
def to_simplified(text: str) -> str:
    """繁体 → 简体 (opencc); text without traditional characters is returned as is."""
    if not has_han(text):
        return text
    traditional = _traditional_chars()
    if not any(ch in traditional for ch in text):
        return text
    return str(_converter().convert(text))


@lru_cache(maxsize=200_000)
def pinyin(han: str) -> tuple[str, ...]:
    """Pinyin syllables without tones (ü written v, pypinyin's default), one per Han
    character, read in context (phrases); non-Han runs kept as they are.

    The text is cut into words the way pypinyin cuts it, and each word is read once and
    cached (pypinyin reads word by word, so this is its reading of the whole text; company
    names share words such as 科技 and 信息)."""
    from pypinyin.seg.simpleseg import seg

    return tuple(syllable for word in seg(han) for syllable in _word_pinyin(word))


@lru_cache(maxsize=100_000)
def _word_pinyin(word: str) -> tuple[str, ...]:
    from pypinyin import Style, lazy_pinyin

    return tuple(s.lower() for s in lazy_pinyin(word, style=Style.NORMAL, errors="default"))


def to_pinyin_tokens(han_text: str) -> list[str]:
    """Pinyin syllables of a Han text, no tones: '张伟' -> ['zhang', 'wei']."""
    return list(pinyin(han_text))


# Surnames read differently from the everyday character (单 is dan, as a surname shan):
# pypinyin has no surname mode (data/surname_pinyin.tsv).
_SURNAMES = mapping("leadlink.clean.normalize", "surname_pinyin.tsv")


def surname_pinyin(surname: str) -> str:
    """The pinyin of a Han surname as one token: '单' -> 'shan', '欧阳' -> 'ouyang'."""
    return _SURNAMES.get(surname) or "".join(pinyin(surname))


def ascii_fold(text: str) -> str:
    """Strip accents: 'José Müller' -> 'Jose Muller' (other scripts are kept, recomposed)."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped)
