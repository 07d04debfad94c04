"""Personal names: canonical form, script-independent key, nicknames, placeholders.

>>> normalize("張 偉 先生"), normalize("SMITH, Dr. John")
('张伟', 'john smith')
>>> key("张伟") == key("Zhang Wei") == key("wei ZHANG") == key("張偉")
True
>>> key("张伟明") == key("Zhang Weiming")
True
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from leadlink._data import ordered, table, words
from leadlink.clean.normalize._text import (
    PLACEHOLDERS,
    ascii_fold,
    clean,
    has_han,
    pinyin,
    surname_pinyin,
    to_simplified,
)

__all__ = ["describe", "han", "is_placeholder", "key", "nickname_key", "normalize"]

_DATA = "leadlink.clean.normalize"  # the package whose data/ folder holds the tables

# Titles and honorifics written after a Han surname or name (张总, 王经理, 李女士), longest first.
_HAN_TITLES = sorted(ordered(_DATA, "name_titles_han.txt"), key=len, reverse=True)
_LATIN_TITLES = words(_DATA, "name_titles_latin.txt")
_COMPOUND_SURNAMES = words(_DATA, "name_compound_surnames.txt")
_PLACEHOLDERS = PLACEHOLDERS | words(_DATA, "name_placeholders.txt")
_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890")
# Nickname -> formal name; a nickname of two names stands for the first listed.
_NICKNAMES: dict[str, str] = {}
for _formal, _short in table(_DATA, "name_nicknames.tsv"):
    for _nick in _short.split():
        _NICKNAMES.setdefault(_nick, _formal)

_MAX_NAME = 100
_TITLE_ENDINGS = frozenset(title[-1] for title in _HAN_TITLES)
_NON_NAME = re.compile(r"[^\w\s'\-]|\d|_")
_BRACKETED = re.compile(r"[(\[（【<《][^)\]）】>》]*[)\]）】>》]?")
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


@lru_cache(maxsize=300_000)
def _normalize(text: str) -> str | None:
    text = to_simplified(text)
    # "张伟（销售）", "John Smith (Acme)": what is in brackets is not the name.
    unbracketed = _BRACKETED.sub(" ", text)
    if unbracketed.strip():
        text = unbracketed
    if "," in text and not has_han(text):
        last, _, first = text.partition(",")
        text = f"{first} {last}"
    text = _NON_NAME.sub(" ", text)
    if not has_han(text):
        return _latin(text)
    han_chars = "".join(_HAN_RUN.findall(text))
    latin = _latin(_HAN_RUN.sub(" ", text))
    han_name = _strip_han_titles(han_chars)
    if not han_name:
        # A lone title after a Latin name ("John Smith先生") is not a name.
        return latin
    if latin and _is_lone_surname(han_name):
        # "Tony 王": an English given name with a Han surname.
        return f"{latin} {han_name}"
    return han_name


def _latin(text: str) -> str | None:
    tokens = [t.strip("'-") for t in ascii_fold(text).casefold().split()]
    tokens = [t for t in tokens if t and t.rstrip(".") not in _LATIN_TITLES]
    return " ".join(tokens) or None


def _is_lone_surname(han_name: str) -> bool:
    return len(han_name) == 1 or han_name in _COMPOUND_SURNAMES


def _strip_han_titles(name: str) -> str:
    """张伟先生 -> 张伟, 王经理 -> 王, 张总 -> 张, 李娜姐 -> 李娜; a name that is only a
    title -> ''. Titles are dropped from the end while something remains, so a given name
    that really ends in a title character (总, 工, 姐, 哥) loses it: rare, and accepted."""
    stripped = True
    while stripped and name and name[-1] in _TITLE_ENDINGS:  # 张总经理先生
        stripped = False
        for title in _HAN_TITLES:
            if name.endswith(title):
                name = name[: -len(title)]
                stripped = True
                break
    return name


def normalize(value: Any) -> str | None:
    """Canonical name: NFKC, 繁→简, honorifics and titles dropped, "Last, First"
    reordered, Latin case folded, spaces inside Han names removed."""
    text = clean(value)
    # A personal name is short: longer cells are cut (bounds the pinyin work too).
    return None if text is None else _normalize(text[:_MAX_NAME])


# Spellings of pinyin ü: 吕 is "lv" in pypinyin, "Lü", "Lu" or "Lyu" in Latin letters.
_U_SPELLINGS = {"lv": "lu", "nv": "nu", "lyu": "lu", "nyu": "nu", "lve": "lue", "nve": "nue"}
_PINYIN_SYLLABLE = re.compile(
    r"(?:[bpmfdtnlgkhjqxrzcsyw]|zh|ch|sh)?"
    r"(?:a|o|e|ai|ei|ao|ou|an|en|ang|eng|ong|er|i|ia|ie|iao|iu|ian|in|iang|ing|iong"
    r"|u|ua|uo|uai|ui|uan|un|uang|v|ve|ue|van|vn)"
)
_NOT_LETTER = re.compile(r"[\W\d_]")


def _latin_tokens(name: str) -> list[str]:
    """Tokens of a Latin-script name; a hyphenated pinyin given name is one token
    ("Wei-Ming" -> 'weiming', as 伟明), other hyphenated names are split ("Mary-Jane")."""
    tokens: list[str] = []
    for word in name.replace("'", "").split():
        parts = [p for p in word.split("-") if p]
        if len(parts) > 1 and all(_PINYIN_SYLLABLE.fullmatch(p) for p in parts):
            tokens.append("".join(parts))
        else:
            tokens.extend(parts)
    return tokens


@lru_cache(maxsize=300_000)
def _keys(name: str) -> tuple[str | None, str | None]:
    """(key, nickname key) of a canonical name, from one pass over its tokens."""
    tokens: list[str] = []
    han_runs = _HAN_RUN.findall(name)
    if han_runs:
        han_name = "".join(han_runs)
        split = 2 if han_name[:2] in _COMPOUND_SURNAMES else 1
        tokens.append(surname_pinyin(han_name[:split]))
        given = "".join(_U_SPELLINGS.get(s, s) for s in pinyin(han_name[split:]))
        if given:
            tokens.append(given)
        name = _HAN_RUN.sub(" ", name)
    latin = _latin_tokens(name)
    if len(tokens) + len(latin) >= 3:
        # Middle initials come and go ("James C. Martin" / "James Martin"); a lone
        # initial ("J. Smith") stays, as it is all there is of the given name.
        latin = [t for t in latin if len(_NOT_LETTER.sub("", t)) > 1] or latin
    plain = _joined([*tokens, *latin])
    if not any(t in _NICKNAMES for t in latin):
        return plain, plain
    return plain, _joined([*tokens, *(_NICKNAMES.get(t, t) for t in latin)])


def _joined(tokens: list[str]) -> str | None:
    tokens = [_U_SPELLINGS.get(t, t) for t in (_NOT_LETTER.sub("", t) for t in tokens)]
    return " ".join(sorted(t for t in tokens if t)) or None


def key(value: Any) -> str | None:
    """Script- and order-independent key: 张伟, 張偉, "Zhang Wei", "wei ZHANG" -> 'wei zhang'.

    Middle initials are left out ("James C. Martin" -> 'james martin').

    Han names become surname + given name in pinyin, the given name as one token
    (张伟明 -> 'weiming zhang'), which is how Chinese names are written in Latin letters
    (passports, "Zhang Weiming"); a hyphenated pinyin given name is joined the same way
    ("Wei-Ming"). Surnames use their surname reading (单 -> shan), ü is written u (吕 -> lu,
    like "Lü" and "Lu"). Other scripts keep their letters, case folded.
    """
    name = normalize(value)
    return None if name is None else _keys(name)[0]


def nickname_key(value: Any) -> str | None:
    """Like :func:`key`, with English nicknames mapped to the formal name (bob -> robert)."""
    name = normalize(value)
    return None if name is None else _keys(name)[1]


def han(value: Any) -> str | None:
    """The simplified Han characters of the name, or None if it has none."""
    name = normalize(value)
    return None if name is None else _han_chars(name)


def _han_chars(name: str) -> str | None:
    if not has_han(name):
        return None
    return "".join(_HAN_RUN.findall(name)) or None


def describe(value: Any) -> tuple[str, str | None, str | None, str | None] | None:
    """The canonical name, its key, nickname key and Han characters, normalising once
    (what :func:`key`, :func:`nickname_key` and :func:`han` give, for ``prepare``)."""
    name = normalize(value)
    if name is None:
        return None
    return name, *_keys(name), _han_chars(name)


_WHITESPACE = re.compile(r"\s+")
_TEST_NAME = re.compile(r"test\d*|.*test.*user|user\d+|客户\d+")
_NO_LETTERS = re.compile(r"[\W\d_]+")


def is_placeholder(value: Any) -> bool:
    """A value that is not a real name: 测试, test, 无, n/a, xxx, keyboard mash ..."""
    text = clean(value)
    if text is None:
        return False
    folded = to_simplified(text).casefold().strip()
    compact = _WHITESPACE.sub("", folded)
    if compact in _PLACEHOLDERS or folded in _PLACEHOLDERS:
        return True
    if "测试" in compact or _TEST_NAME.fullmatch(compact):
        return True
    if _NO_LETTERS.fullmatch(compact):
        return True
    if len(compact) >= 3 and len(set(compact)) == 1:
        return True
    return len(compact) >= 4 and any(compact in row for row in _KEYBOARD_ROWS)
