"""Organisation names as accounts: keys that tell a branch or a subsidiary from its parent.

:func:`leadlink.normalize.company` reads a company name as a person's employer: the person at
华润医药有限公司北京分公司 works for 华润医药, so the branch is dropped. When the unit is
the organisation itself (an account list, ``dedupe(entity="company")``), a branch, a site or
a subsidiary is an account of its own, and the key keeps what tells them apart:

>>> parts("北京动腾节集团股份有限公司杭州分公司").key
'动腾节集团·杭州分公司'
>>> parts("动腾节集团股份有限公司").key
'动腾节集团'
>>> parts("Mera Holdings Co., Ltd. - Chicago Branch").key
'mera holdings · chicago branch'

Legal forms in many languages go wherever they stand (N.V., B.V., GmbH, S.A., 有限公司), and
so do a region in brackets or in front, case, script and punctuation; common abbreviations
are spelt out (Intl, Tech, Ctr, Natl, Konink), letters written apart are joined (N V -> nv),
and ``words`` sorts the words, so shuffled word order meets:

>>> parts("ADIDAS INTERNATL MARKETING BV").key == parts("adidas International Marketing B.V.").key
True
>>> parts("Logistics Novatek, Inc.").words == parts("Novatek Logistics LLC").words
True
>>> parts("KONINK PHILIPS ELECTRONICS N V").key
'koninklijke philips electronics'

``brand`` is the name's first distinctive word (the Han key without its trade words): the
word a parent and its subsidiaries share (Mera Energy, Mera Health; 动腾节科技, 动腾节传媒).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, NamedTuple

from leadlink._data import mapping, ordered, words
from leadlink.clean.normalize._company import (
    _BRANCH,
    _BRANCH_ENDS,
    _LATIN_FORMS,
    _PARENS,
    _han_key,
    _is_region,
)
from leadlink.clean.normalize._places import LATIN_CITIES
from leadlink.clean.normalize._text import ascii_fold, clean, has_han, pinyin, to_simplified

__all__ = ["OrganisationParts", "parts"]

_DATA = "leadlink.clean.normalize"

#: Abbreviations and spelling variants of words in organisation names -> the word spelt out.
_ABBREVIATIONS: dict[str, str] = mapping(_DATA, "organisation_abbreviations.tsv")
# Words that end a group's name: kept in the key (a parent is not its subsidiary), but not
# taken as the form of a name.
_GROUP_WORDS = frozenset({"holding", "holdings", "group"})
_FORMS = frozenset(_LATIN_FORMS) - _GROUP_WORDS
# Words that carry no identity of their own in ``words``.
_STOP = frozenset({"the", "of", "and", "de", "der", "la", "le", "du", "des", "und", "et"})
# Words that say what an organisation does or is, not which one it is: never its brand.
_GENERIC = words(_DATA, "company_generic_words.txt") | words(
    _DATA, "organisation_generic_words.txt"
)
_INDUSTRY_HAN = sorted(ordered(_DATA, "company_industry_words.txt"), key=len, reverse=True)
# markup for a letter with a diacritic in patent registers: I{umlaut over (n)}ternational
_MARKUP = re.compile(r"\{[^{}]*?(?:\((\w)\))?\}")
_TOKEN = re.compile(r"[^\w]+|_")
_SEPARATOR = "·"
_DASH = re.compile(r"\s[-\u2013\u2014]+\s?|[-\u2013\u2014]+\s")
_BRANCH_LATIN = frozenset({"branch", "office", "division", "campus", "site", "plant"})
#: Legal forms written out in words, read as their abbreviation (a form ends a name).
_FORM_PHRASES = {
    "naamloze vennootschap": "nv",
    "besloten vennootschap": "bv",
    "societe anonyme": "sa",
    "sociedad anonima": "sa",
    "societa per azioni": "spa",
    "aktiengesellschaft": "ag",
    "gesellschaft mit beschrankter haftung": "gmbh",
    "kabushiki kaisha": "kk",
    "public limited company": "plc",
    "limited liability company": "llc",
    "societe par actions simplifiee": "sas",
}
_GROUP = re.compile("集团(?:股份|控股)?(?:有限)?(?:责任)?(?:公司)?$")


class OrganisationParts(NamedTuple):
    """An organisation name taken apart for matching accounts."""

    #: the name without legal forms or region, branch and site kept (Latin words spaced)
    key: str
    #: its distinct words sorted (Latin), or the key (Han): word order does not count
    words: str
    #: the first distinctive word, which a parent shares with its subsidiaries
    brand: str | None
    #: the key in Latin letters without spaces (pinyin for Han), for string similarity
    latin: str


def parts(value: Any) -> OrganisationParts | None:
    """The organisation keys of a name, or None for a missing or empty one."""
    text = clean(value)
    return None if text is None else _parts(text)


@lru_cache(maxsize=300_000)
def _parts(text: str) -> OrganisationParts | None:
    text = to_simplified(_MARKUP.sub(lambda m: m.group(1) or "", text)).casefold()
    text = _PARENS.sub(lambda m: " " if _is_region(m.group(1)) else f" {m.group(1)} ", text)
    if has_han(text):
        return _han(text)
    return _latin(text)


def _han(text: str) -> OrganisationParts | None:
    compact = re.sub(r"[\s\W_]+", "", text)
    branch = _BRANCH.search(compact) if compact.endswith(_BRANCH_ENDS) else None
    site = None
    if branch is not None and branch.start() > 1:
        site = re.sub(r"(?:省|市|自治区|特别行政区)(?=分|办|支|营)", "", branch.group(0))
        compact = compact[: branch.start()]
    head = _han_key(compact)
    if head is None:
        return None
    if _GROUP.search(compact) and not head.endswith("集团"):
        head += "集团"  # a parent is not its subsidiaries: 科动集团 is not 科动贸易
    key = head if site is None else f"{head}{_SEPARATOR}{site}"
    brand = head
    changed = True
    while changed:  # 动腾节集团 -> 动腾节, 华润医药 -> 华润
        changed = False
        for word in _INDUSTRY_HAN:
            if brand.endswith(word) and len(brand) - len(word) >= 2:
                brand = brand[: -len(word)]
                changed = True
                break
    latin = "".join(pinyin(key.replace(_SEPARATOR, ""))) or key
    return OrganisationParts(key, key, brand, latin)


def _latin(text: str) -> OrganisationParts | None:
    text = ascii_fold(text).replace("&", " and ").replace("+", " and ")
    for phrase, form in _FORM_PHRASES.items():  # naamloze vennootschap -> nv
        text = re.sub(rf"\b{phrase}\b", f" {form} ", text)
    # a site or branch after a dash: Bethel New Life - Lake and Pulaski, Acme - Berlin Branch
    head_text, *rest = _DASH.split(text, maxsplit=1)
    head, site = _name_words(head_text)
    if rest:
        site = site or _name_words(rest[0])[0]
    if not site and len(head) > 2 and head[-1] in _BRANCH_LATIN:  # Acme Shanghai Branch
        head, site = head[:-2], head[-2:]
    if not head:
        head, site = site, []
    if not head:
        return None
    key = " ".join(head) + (f" {_SEPARATOR} " + " ".join(site) if site else "")
    every = head + site
    distinct = sorted({t for t in every if t not in _STOP}) or sorted(set(every))
    brand = next((t for t in every if t not in _STOP and t not in _GENERIC and len(t) > 1), None)
    return OrganisationParts(key, " ".join(distinct), brand, "".join(every))


def _name_words(text: str) -> tuple[list[str], list[str]]:
    """The words of a name without legal forms or a leading city, abbreviations spelt out,
    and the words of a branch or site named after its legal form.

    A legal form ends a name: what follows it is where the organisation is (ADIDAS ...
    B.V., AMSTERDAM; Allianz SE Koniginstrasse 28 Munich Germany), dropped, unless it
    names a branch or an office (Acme Ltd Shanghai Branch), which is the site."""
    text = re.sub(r"\b([a-z])\.(?=[a-z]\b)", r"\1", text)  # s.a. -> sa., n.v. -> nv.
    tokens = [t for t in _TOKEN.split(text) if t]
    tokens = _join_letters(tokens)
    tokens = [_ABBREVIATIONS.get(t, t) for t in tokens]
    tokens = [w for t in tokens for w in t.split()]  # an abbreviation may spell two words
    if len(tokens) > 1 and tokens[0] == "the":
        tokens = tokens[1:]
    site: list[str] = []
    form = next((i for i, t in enumerate(tokens) if i > 0 and t in _FORMS), None)
    if form is not None:
        after = [t for t in tokens[form + 1 :] if t not in _FORMS]
        tokens = tokens[:form]
        if any(t in _BRANCH_LATIN for t in after):
            site = after
    kept = [t for t in tokens if t not in _FORMS] or tokens
    # a city in front of a name it is not all of (Beijing ByteDance Technology)
    for size in (2, 1):
        city = " ".join(kept[:size])
        rest = kept[size:]
        if city in LATIN_CITIES and rest and not all(t in _GENERIC for t in rest):
            return rest, site
    return kept, site


def _join_letters(tokens: list[str]) -> list[str]:
    """Runs of single letters joined into one word: n v -> nv, i b m -> ibm."""
    out: list[str] = []
    run: list[str] = []
    for token in [*tokens, ""]:
        if len(token) == 1 and token.isalpha():
            run.append(token)
            continue
        if run:
            out.append("".join(run))
            run = []
        if token:
            out.append(token)
    return out
