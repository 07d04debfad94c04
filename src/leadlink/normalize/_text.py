"""Shared text helpers: cleaning any cell value, Unicode width, Han script, pinyin."""

from __future__ import annotations

import math
import re
import unicodedata
from functools import lru_cache
from typing import Any

__all__ = ["MAX_LENGTH", "ascii_fold", "clean", "has_han", "is_han", "pinyin", "to_simplified"]

#: Cells longer than this are cut before any expensive step (a 1 MB cell is junk).
MAX_LENGTH = 400

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_SPACES = re.compile(r"\s+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def clean(value: Any) -> str | None:
    """Any cell value as NFKC text (full-width folded to half-width), without control
    characters, with whitespace collapsed; None for missing, empty or non-text values.

    >>> clean("  １３８　0013 "), clean(13800138000.0), clean(float("nan"))
    ('138 0013', '13800138000', None)
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        text = str(int(value)) if value.is_integer() else repr(value)
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, str):
        text = value
    else:
        return None
    text = unicodedata.normalize("NFKC", text[: MAX_LENGTH * 2])[:MAX_LENGTH]
    text = _SPACES.sub(" ", _CONTROL.sub(" ", text)).strip()
    return text or None


def has_han(text: str) -> bool:
    return bool(_HAN.search(text))


def is_han(char: str) -> bool:
    return bool(_HAN.fullmatch(char))


@lru_cache(maxsize=1)
def _converter() -> Any:
    from opencc import OpenCC

    return OpenCC("t2s")


@lru_cache(maxsize=200_000)
def to_simplified(text: str) -> str:
    """繁体 → 简体 (opencc); text without Han characters is returned as is."""
    if not has_han(text):
        return text
    return str(_converter().convert(text))


@lru_cache(maxsize=200_000)
def pinyin(han: str) -> tuple[str, ...]:
    """Pinyin syllables without tones, one per Han character (non-Han runs kept)."""
    from pypinyin import Style, lazy_pinyin

    return tuple(s.lower() for s in lazy_pinyin(han, style=Style.NORMAL, errors="default"))


def ascii_fold(text: str) -> str:
    """Strip accents: 'José Müller' -> 'Jose Muller'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
