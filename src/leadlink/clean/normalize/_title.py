"""Job titles: a comparison key that does not depend on wording, language, script or case.

A title is cut into words (Latin words; Han text by the longest known term), each word is
mapped to the job concept it names in either language (销售 and Sales are ``sales``, 经理,
Manager and Mgr are ``manager``), filler words are dropped (部, department, of), and the
key is the concepts in sorted order. Words the tables do not know are kept as they are,
so two unknown titles still compare by their text.

>>> key("销售经理") == key("Sales Manager") == key("销售部经理") == key("sales mgr")
True
>>> key("VP of Sales") == key("Vice President, Sales") == key("销售副总裁")
True
>>> key("高级工程师"), key("Sr. Engineer"), key("CEO") == key("首席执行官")
('engineer senior', 'engineer senior', True)
>>> key("IT主管"), key("-"), key("无")
('head it', None, None)
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import groupby
from typing import Any

from leadlink._data import ordered, table
from leadlink.clean.normalize._text import (
    PLACEHOLDERS,
    ascii_fold,
    clean,
    has_han,
    is_han,
    to_simplified,
)

__all__ = ["key"]

_DATA = "leadlink.clean.normalize"  # the package whose data/ folder holds the tables

#: Words that name no concept of their own (a department, a preposition).
_FILLER_LATIN = frozenset(ordered(_DATA, "title_filler_latin.txt"))
_FILLER_HAN = ordered(_DATA, "title_filler_han.txt")
#: Values that are not a title.
_PLACEHOLDERS = PLACEHOLDERS | frozenset(ordered(_DATA, "title_placeholders.txt"))

_LATIN_WORD = re.compile(r"[^\W_]+")


def _phrases() -> tuple[list[tuple[list[str], str]], dict[str, str]]:
    """Latin phrases (longest first) and Han terms, each with its concept, from
    data/title_concepts.tsv (concept, script, term)."""
    latin: list[tuple[list[str], str]] = []
    han: dict[str, str] = {}
    for concept, script, term in table(_DATA, "title_concepts.tsv"):
        if script == "latin":
            latin.append((term.split(), concept))
        elif script == "han":
            han[term] = concept
        else:
            raise ValueError(f"title_concepts.tsv: script is latin or han, not {script!r}")
    han.update(dict.fromkeys(_FILLER_HAN, ""))
    latin.sort(key=lambda phrase: len(phrase[0]), reverse=True)
    return latin, han


_LATIN_PHRASES, _HAN_TERMS = _phrases()
_LONGEST_HAN = max(map(len, _HAN_TERMS))


def _latin_concepts(words: list[str]) -> list[str]:
    found: list[str] = []
    i = 0
    while i < len(words):
        for phrase, concept in _LATIN_PHRASES:
            if words[i : i + len(phrase)] == phrase:
                found.append(concept)
                i += len(phrase)
                break
        else:
            if words[i] not in _FILLER_LATIN:
                found.append(words[i])
            i += 1
    return found


def _han_concepts(text: str) -> list[str]:
    """Longest known term first, left to right; unknown characters run together as one
    word (品牌经理 is 品牌 and manager)."""
    found: list[str] = []
    unknown = ""
    i = 0
    while i < len(text):
        for size in range(min(_LONGEST_HAN, len(text) - i), 0, -1):
            concept = _HAN_TERMS.get(text[i : i + size])
            if concept is not None:
                if unknown:
                    found.append(unknown)
                    unknown = ""
                if concept:
                    found.append(concept)
                i += size
                break
        else:
            unknown += text[i]
            i += 1
    if unknown:
        found.append(unknown)
    return found


@lru_cache(maxsize=50_000)
def _key(text: str) -> str | None:
    text = text.lower()
    if text in _PLACEHOLDERS:
        return None
    if has_han(text):
        text = to_simplified(text)
    # C.E.O. and Sr. lose their dots; R&D and "VP, Sales" become words
    text = text.replace(".", "").replace("&", " ")
    concepts: list[str] = []
    for han, run in groupby(text, key=is_han):
        part = "".join(run)
        if han:
            concepts += _han_concepts(part)
        else:
            concepts += _latin_concepts(_LATIN_WORD.findall(ascii_fold(part)))
    if not any(char.isalpha() for concept in concepts for char in concept):
        return None  # no letter: "123", "---"
    found = " ".join(sorted(set(concepts)))
    return None if found in _PLACEHOLDERS else found  # "ÑA" folds to "na"


def key(value: Any) -> str | None:
    """The comparison key of a job title, None for a missing or placeholder value."""
    text = clean(value)
    if text is None:
        return None
    return _key(text)
