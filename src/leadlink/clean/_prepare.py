"""Raw leads -> the prepared table of keys that matching uses.

Every normalizer runs once per *distinct* value of its column (CRM exports repeat values a
lot: switchboards, companies, cities), and the results are spread back with integer codes,
so preparing a million leads costs a few hundred thousand normalizer calls, not millions.

The prepared table has one row per input lead, in input order, with these columns (a
column is all-null when its role is absent):

==================  =============================================================
``unique_id``       the lead id as text
``name``            canonical name (script kept, 繁→简, honorifics dropped)
``name_key``        script-independent key: 张伟 == 張偉 == "Zhang Wei" == "wei zhang"
``name_nick``       ``name_key`` with English nicknames mapped (bob -> robert)
``name_han``        the simplified Han characters of the name, if any
``name_partial``    1 when the name is a single token (a surname from "张总"), else 0
``name_spelling``   the letters of a full name's ``name_key`` in sorted order ("qiang zhou"
                    -> "aghinoquz"); for a lead without a name, the letters of its mailbox
                    name (zhouqiang273@ spells the same), so the two can meet
``phone``           E.164 main number; for a number that is not valid in the region but
                    has 6 to 15 digits (a local number without its area code, 555-1234),
                    ``local:`` and its digits, which never equals an E.164 number
``phone_ext``       extension (转 / ext / x)
``phone_kind``      mobile, landline, toll_free, voip, other, local
``phone_tail``      the number's last seven digits, where a full number and the same number
                    written without its area code agree
``phone_shared``    1 when the number is a shared line: a landline or toll-free number, a
                    number given with an extension, or one given with three or more
                    different names; 0 for a personal number (a local number's kind of
                    line is unknown: only the extension or the names make it shared)
``email``           canonical mailbox
``email_user``      its local part
``email_domain``    its domain
``email_letters``   the mailbox without the digits of its name (wangwei2@163.com ->
                    wangwei@163.com)
``email_free``      1 when the mailbox is at a free provider (qq.com, gmail.com ...), else 0
``company``         company key (legal form, region and script variants removed)
``company_latin``   the company key in Latin letters (pinyin for Han), for fuzzy scores
``employer``        ``company``, or for a lead without one the company that the other leads
                    on its shared line or at its company mail domain give (when 60 % of
                    those that give one agree): a switchboard or a corporate domain names
                    an employer
``employer_latin``  ``employer`` in Latin letters
``org``             the name as an account (``dedupe(entity="company")``): legal forms and
                    region out, a branch or site kept ("mera holdings chicago branch",
                    "动腾节集团·杭州分公司"); see :mod:`leadlink.clean.normalize._organisation`
``org_words``       its distinct words sorted, so shuffled word order meets
``org_brand``       its first distinctive word, shared by a parent and its subsidiaries
``org_latin``       ``org`` in Latin letters without spaces (pinyin for Han)
``city``            canonical city
``title``           job title key, the same in either language and any wording
                    (销售部经理 / Sales Manager -> "manager sales")
``address``         address key: street-type words folded (Street, St. -> st), units last,
                    the postcode left out, and for Chinese addresses the province, city and
                    district (the city's role) left out
``address_street``  house number and street ("12 n main st", "科苑路15号"): one building
``address_road``    the street without its number ("n main st", "科苑路")
``address_number``  the house number
``address_unit``    unit, floor and building within the address ("f3 u4", "b2 r101")
``postcode``        postcode (ZIP+4 to five digits, "SW1A 1AA"); where a lead has none, the
                    one written in its address
``website``         the registrable domain of the company's website (acme.co.uk)
==================  =============================================================
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from leadlink._i18n import say
from leadlink._values import factorize, without_cycle_collection
from leadlink.clean import normalize
from leadlink.clean._parsed import EmailParts, ParsedColumns, PhoneParts
from leadlink.clean._privacy import hash_key_bytes, pseudonym
from leadlink.clean.normalize import _address, _email, _name, _organisation, _phone
from leadlink.clean.normalize._text import pinyin
from leadlink.errors import ColumnError, ConfigError
from leadlink.schema import PREPARED_COLUMNS, check_ids, describe_columns, map_distinct

__all__ = ["PREPARED_COLUMNS", "extra_column", "prepare"]

logger = logging.getLogger(__name__)


# (a tuple per distinct value of every field, and the normalisers' caches)
@without_cycle_collection()
def prepare(
    leads: pd.DataFrame,
    roles: Mapping[str, str],
    *,
    id_column: str,
    region: str | None = None,
    extra: Mapping[str, str] | None = None,
    hash_key: bytes | str | None = None,
    parsed: ParsedColumns | None = None,
) -> pd.DataFrame:
    """Turn raw leads into the prepared table described in the module docstring.

    With ``hash_key``, phone numbers, extensions and email addresses (and their mailbox
    names and domains, and the name spellings, which can come from a mailbox name), and
    the address keys and parts and the postcode are replaced by keyed hashes (HMAC-SHA256)
    right after they are normalised, so the prepared table, the database tables built from
    it, the scored pairs and the model never hold them in clear. Equal values still match;
    fuzzy levels (one digit apart, email typos, house numbers one typo apart, similar
    addresses) no longer fire. The website, a company's domain, stays clear.

    ``roles`` maps roles to columns of ``leads`` (see :func:`leadlink.schema.resolve_columns`).
    ``extra`` maps the user's own columns to a comparison kind (``exact``, ``fuzzy``,
    ``date``, ``numeric``); each becomes a prepared column named by :func:`extra_column`.
    ``region`` is the default phone region, a code phonenumbers knows (``"CN"``, ``"US"``);
    ``None`` means ``"CN"`` unless the numbers say otherwise: when most of those written
    without a country code are not valid in CN but are in one other region, that region is
    used, with a warning that names it.

    ``parsed`` holds the distinct values of ``leads``' columns and the phones and emails
    that :func:`leadlink.validate` of the same leads parsed (see
    :class:`~leadlink.clean.ParsedColumns`): they are not parsed again. It is ignored when
    it holds other leads or another region.
    """
    region = (
        _phone.settle_region(leads[roles["phone"]], None)
        if region is None and "phone" in roles and roles["phone"] in leads.columns
        else _phone.check_region(_phone.DEFAULT_REGION if region is None else region)
    )
    ids = check_ids(leads, id_column)
    n = len(leads)
    out: dict[str, Any] = {"unique_id": ids.to_numpy(dtype=object)}

    # Each field is described once per distinct value; large tables split the values of
    # every field between two processes. Each prepared column is first a table with one
    # slot per distinct value, spread to the rows by the value's code.
    fields = [
        (role, partial(d.describe, region=region) if d.regional else d.describe, d.columns)
        for role, d in _DESCRIBERS.items()
        if role in roles
    ]
    shared = parsed if parsed is not None and parsed.serves(leads, region) else None
    distinct = {
        role: factorize(leads[roles[role]]) if shared is None else shared.distinct(roles[role])
        for role, *_ in fields
    }
    tasks: list[_Task] = []
    for role, describer, names in fields:
        # phones and emails parsed already (by validate) are only laid out in columns
        found = None if shared is None else _parsed_values(shared, role, roles[role])
        if found is None:
            tasks.append((describer, distinct[role][1], names))
        else:
            tasks.append((_FROM_PARSED[role], found, names))
    described = _run_fields(tasks, parallel=n >= PARALLEL_FROM and len(fields) > 1)
    tables: dict[str, np.ndarray] = {}
    for (role, _, names), columns in zip(fields, described):
        codes = distinct[role][0]
        for name, table in zip(names, columns):
            tables[name] = table
            out[name] = table[codes]

    # the rows' numbers (codes of E.164 numbers, -1 where missing), for shared lines and
    # the employers they name
    numbers = _row_codes(tables["phone"], distinct["phone"][0]) if "phone" in distinct else None
    out["phone_shared"] = _shared_lines(
        tables,
        n,
        phone_codes=_codes_of(distinct, "phone"),
        numbers=numbers,
        name_codes=_codes_of(distinct, "name"),
    )
    out["name_spelling"] = _spellings(out, n)
    if "address_postcode" in out:
        # a postcode written in the address, for the leads that give none of their own
        given = out.get("postcode", np.full(n, None, dtype=object))
        out["postcode"] = np.where(pd.isna(given), out["address_postcode"], given)
    if "company" in distinct:
        # what can name an employer: a shared line, else a company (not free) mail domain
        sources = []
        if numbers is not None:
            sources.append(np.where(out["phone_shared"] == 1, numbers, -1))
        if "email" in distinct:
            domains = _row_codes(tables["email_domain"], distinct["email"][0])
            sources.append(np.where(out["email_free"] == 0, domains, -1))
        out["employer"], out["employer_latin"] = _employers(
            tables, company_codes=distinct["company"][0], sources=sources
        )
    prepared = pd.DataFrame(
        {
            col: out[col]
            if col in out
            # 0/1 columns are 0 where the role is missing, the others None
            else np.zeros(n, dtype="int8")
            if col in _FLAG_COLUMNS
            else np.full(n, None, dtype=object)
            for col in PREPARED_COLUMNS
        },
        copy=False,  # the arrays are new: no consolidating copy of a million-row table
    )
    for own, kind in (extra or {}).items():
        if own not in leads.columns:
            raise ColumnError(
                say(
                    f"extra column {own!r} is not in the input; the input has "
                    f"{describe_columns(leads.columns)}",
                    f"附加列 {own!r} 不在输入中；输入的列为 {describe_columns(leads.columns)}",
                )
            )
        if kind not in _EXTRA_NORMALIZERS:
            raise ConfigError(
                say(
                    f"unknown comparison kind {kind!r} for column {own!r}; "
                    f"choose one of {', '.join(_EXTRA_NORMALIZERS)}",
                    f"列 {own!r} 的比较方式 {kind!r} 未知；可选：{', '.join(_EXTRA_NORMALIZERS)}",
                )
            )
        own_values = map_distinct(leads[own], _EXTRA_NORMALIZERS[kind])
        prepared[extra_column(own)] = (
            pd.to_numeric(pd.Series(own_values), errors="coerce")
            if kind == "numeric"
            else own_values
        )
    if hash_key is not None:
        _pseudonymise(prepared, hash_key)
    logger.debug("prepared %d leads; roles: %s", n, ", ".join(sorted(roles)))
    return prepared


#: From this many leads on, fields are described in two processes (Linux, fork).
PARALLEL_FROM = 50_000

#: Prepared 0/1 columns (int8; 0 where the value or the role is missing).
_FLAG_COLUMNS = ("name_partial", "email_free")


def _describe_name(value: Any) -> tuple[Any, ...] | None:
    described = _name.describe(value)
    if described is None:
        return None
    partial = _is_partial(described[1])
    return (*described, partial, None if partial else _spelling(described[1]))


def _describe_phone(value: Any, region: str) -> tuple[Any, ...] | None:
    return _phone_columns(_phone.describe_key(value, region=region))


def _phone_columns(found: PhoneParts) -> tuple[Any, ...]:
    """The prepared phone columns of what :func:`~leadlink.clean.normalize._phone.describe_key`
    found."""
    key, ext, kind = found
    return key, ext, kind, _tail(key)


#: ``phone_tail`` holds this many last digits of a number: a subscriber number without its
#: area code (555-0123, 8888 6666) ends the full number (+1 415 555 0123).
TAIL_DIGITS = 7


def _tail(key: str | None) -> str | None:
    if key is None:
        return None
    digits = _NOT_DIGIT.sub("", key)
    return digits[-TAIL_DIGITS:] if len(digits) >= TAIL_DIGITS else None


def _describe_email(value: Any) -> tuple[Any, ...] | None:
    return _email_columns(_email.parts(value))


def _email_columns(found: EmailParts) -> tuple[Any, ...] | None:
    """The prepared email columns of what :func:`~leadlink.clean.normalize._email.parts`
    found."""
    if found is None:
        return None
    user, host = found
    email = f"{user}@{host}"
    # digits out of the mailbox name only: 163.com and 126.com stay two domains
    letters = f"{_DIGIT.sub('', user)}@{host}"
    return email, user, host, letters, int(_email.is_free_domain(host))


#: A spelling needs this many letters (a mailbox such as ab123@ spells no name).
SPELLING_MIN_LETTERS = 4
_NOT_LETTER = re.compile(r"[^a-z]+")


def _spelling(text: str | None) -> str | None:
    """The Latin letters of ``text`` in sorted order: the same for a name's key in any
    order and for a mailbox name that writes it (zhouqiang273, qiang.zhou)."""
    if text is None:
        return None
    letters = _NOT_LETTER.sub("", text.lower())
    return "".join(sorted(letters)) if len(letters) >= SPELLING_MIN_LETTERS else None


def _spellings(out: Mapping[str, Any], n: int) -> np.ndarray:
    """``name_spelling``: a full name's spelling, or for a lead without a name, its
    mailbox name's (spelt here, for the few leads without a name only)."""
    spelling = np.full(n, None, dtype=object)
    if "full_name_spelling" in out:
        spelling[:] = out["full_name_spelling"]
    if "email_user" in out:
        nameless = pd.isna(out["name_key"]) if "name_key" in out else np.ones(n, dtype=bool)
        codes, users = pd.factorize(out["email_user"][nameless], use_na_sentinel=True)
        spelt = np.array([*map(_spelling, users), None], dtype=object)  # -1: no mailbox
        spelling[nameless] = spelt[codes]
    return spelling


def _describe_company(value: Any) -> tuple[Any, ...] | None:
    key = normalize.company(value)
    org = _organisation.parts(value)
    if key is None and org is None:
        return None
    return (key, _latin(key), *(org or (None, None, None, None)))


def _describe_city(value: Any) -> tuple[Any, ...] | None:
    city = normalize.city(value)
    return None if city is None else (city,)


def _describe_title(value: Any) -> tuple[Any, ...] | None:
    title = normalize.title(value)
    return None if title is None else (title,)


def _describe_address(value: Any) -> tuple[Any, ...] | None:
    found = _address.parts(value)
    if found is None:
        return None
    return found.key, found.street, found.road, found.number, found.unit, found.postcode


def _describe_postcode(value: Any) -> tuple[Any, ...] | None:
    code = normalize.postcode(value)
    return None if code is None else (code,)


def _describe_website(value: Any) -> tuple[Any, ...] | None:
    domain = normalize.website(value)
    return None if domain is None else (domain,)


@dataclass(frozen=True)
class _Describer:
    """How one role becomes prepared columns: ``describe`` runs once per distinct value
    and returns one value per column of ``columns`` (or None for an unusable value)."""

    describe: Callable[..., tuple[Any, ...] | None]
    columns: tuple[str, ...]
    regional: bool = False  # takes the default region of phone numbers


#: The roles prepare describes, in order. ``full_name_spelling`` is an intermediate column
#: that :func:`_spellings` turns into ``name_spelling``; ``address_postcode`` one that
#: fills ``postcode`` where a lead has none.
_DESCRIBERS: dict[str, _Describer] = {
    "name": _Describer(
        _describe_name,
        ("name", "name_key", "name_nick", "name_han", "name_partial", "full_name_spelling"),
    ),
    "phone": _Describer(
        _describe_phone, ("phone", "phone_ext", "phone_kind", "phone_tail"), regional=True
    ),
    "email": _Describer(
        _describe_email, ("email", "email_user", "email_domain", "email_letters", "email_free")
    ),
    "company": _Describer(
        _describe_company,
        ("company", "company_latin", "org", "org_words", "org_brand", "org_latin"),
    ),
    "city": _Describer(_describe_city, ("city",)),
    "title": _Describer(_describe_title, ("title",)),
    "address": _Describer(
        _describe_address,
        (
            "address",
            "address_street",
            "address_road",
            "address_number",
            "address_unit",
            "address_postcode",
        ),
    ),
    "postcode": _Describer(_describe_postcode, ("postcode",)),
    "website": _Describer(_describe_website, ("website",)),
}


#: Roles whose values :class:`~leadlink.clean.ParsedColumns` may hold parsed, and how
#: what was found becomes their prepared columns.
_FROM_PARSED: dict[str, Callable[[Any], tuple[Any, ...] | None]] = {
    "phone": _phone_columns,
    "email": _email_columns,
}


def _parsed_values(parsed: ParsedColumns, role: str, column: Any) -> list[Any] | None:
    """What ``parsed`` found for each distinct value of the role's column, if it has it."""
    if role == "phone":
        return parsed.phones(column, parse=False)
    if role == "email":
        return parsed.emails(column, parse=False)
    return None


#: One field to describe: the describer, the distinct values, the prepared columns.
_Task = tuple[Callable[[Any], Any], Any, tuple[str, ...]]
#: A described column: values in a list, or an int8 array for a 0/1 column.
_Column = list[Any] | np.ndarray


def _describe_columns(task: _Task) -> list[_Column]:
    """The prepared columns of a field for its distinct values, column by column."""
    describer, values, columns = task
    described = [describer(value) for value in values]
    return [
        np.array([0 if d is None else d[i] or 0 for d in described], dtype="int8")
        if name in _FLAG_COLUMNS
        else [None if d is None else d[i] for d in described]
        for i, name in enumerate(columns)
    ]


def _table(parts: list[_Column], flag: bool) -> np.ndarray:
    """One slot per distinct value, from the parts in order, plus a last slot for a
    missing value (code -1): None, or 0 in a 0/1 column."""
    if flag:
        return np.concatenate([*parts, np.zeros(1, dtype="int8")])
    size = sum(len(part) for part in parts)
    table = np.empty(size + 1, dtype=object)
    start = 0
    for part in parts:
        table[start : start + len(part)] = part
        start += len(part)
    table[-1] = None
    return table


_SEPARATOR = "\x00"
#: A text column on its way back from the forked worker: the texts joined by NUL (an
#: empty slot for None) and where the Nones are; or the list itself when it cannot be
#: joined. One long text pickles in a single copy, where a list of strings costs a
#: memo entry and an object per value on both sides.
_Packed = tuple[str, np.ndarray] | _Column


def _pack(column: _Column) -> _Packed:
    if isinstance(column, np.ndarray):
        return column
    missing = np.fromiter((value is None for value in column), dtype=bool, count=len(column))
    try:
        text = _SEPARATOR.join(["" if value is None else value for value in column])
    except TypeError:  # not all text
        return column
    if text.count(_SEPARATOR) != max(len(column) - 1, 0):  # a value holds the separator
        return column
    return text, missing


def _unpack(packed: _Packed) -> _Column:
    if not isinstance(packed, tuple):
        return packed
    text, missing = packed
    values: list[Any] = text.split(_SEPARATOR) if len(missing) else []
    for i in np.flatnonzero(missing).tolist():
        values[i] = None
    return values


#: The fields being described, for the forked worker (it inherits them; nothing is pickled).
_FORKED_TASKS: list[_Task] = []


def _describe_first_parts(ends: list[int]) -> list[list[_Packed]]:
    return [
        [_pack(column) for column in _describe_columns((fn, values[:end], columns))]
        for (fn, values, columns), end in zip(_FORKED_TASKS, ends)
    ]


def _run_fields(tasks: list[_Task], *, parallel: bool) -> list[list[np.ndarray]]:
    """Each field's prepared columns as tables (see :func:`_table`)."""
    return [
        [
            _table([part[i] for part in parts], name in _FLAG_COLUMNS)
            for i, name in enumerate(columns)
        ]
        for (_, _, columns), parts in zip(tasks, _describe_parts(tasks, parallel=parallel))
    ]


def _describe_parts(tasks: list[_Task], *, parallel: bool) -> list[list[list[_Column]]]:
    """Each field's columns in parts, in order: one part, or two when ``parallel`` and the
    platform can fork. Then a forked worker describes the first half of every field while
    this process describes the second half. The worker inherits the values and the loaded
    normalizers, so only its results travel back, packed (see :data:`_Packed`), and both
    halves of every field cost about the same."""
    if parallel and sys.platform.startswith("linux") and (os.cpu_count() or 1) > 1:
        global _FORKED_TASKS
        ends = [len(values) // 2 for _, values, _ in tasks]
        _FORKED_TASKS = tasks
        try:
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
                first = pool.submit(_describe_first_parts, ends)
                second = [
                    _describe_columns((fn, values[end:], columns))
                    for (fn, values, columns), end in zip(tasks, ends)
                ]
                return [
                    [[_unpack(column) for column in packed], own]
                    for packed, own in zip(first.result(), second)
                ]
        except (OSError, BrokenProcessPool) as error:  # no fork here: do it in one process
            logger.debug("parallel prepare unavailable (%s)", type(error).__name__)
        finally:
            _FORKED_TASKS = []
    return [[_describe_columns(task)] for task in tasks]


def _codes_of(distinct: Mapping[str, tuple[np.ndarray, Any]], role: str) -> np.ndarray | None:
    return distinct[role][0] if role in distinct else None


def _row_codes(table: np.ndarray, raw_codes: np.ndarray) -> np.ndarray:
    """Each row's code among the distinct values of a prepared ``table`` (see
    :func:`_table`), -1 where missing: the table of distinct raw values is factorised, and
    the rows' codes into it spread the result, so no million-row column is hashed."""
    of_raw, _ = pd.factorize(table, use_na_sentinel=True)
    return of_raw[raw_codes]  # the last slot (missing) is None: -1


#: A number given with this many different full names is a shared line, not a person's.
SHARED_LINE_NAMES = 3


def _shared_lines(
    tables: Mapping[str, np.ndarray],
    n: int,
    *,
    phone_codes: np.ndarray | None,
    numbers: np.ndarray | None,
    name_codes: np.ndarray | None,
) -> np.ndarray:
    """1 for numbers that are shared lines (see the module docstring), else 0.

    ``phone_codes`` are the rows' codes of distinct raw phones and ``numbers`` the rows'
    number codes (:func:`_row_codes`); what each raw value says (kind, extension) is read
    from the tables of distinct raw values, so no million-row text column is hashed."""
    shared = np.zeros(n, dtype="int8")
    if phone_codes is None or numbers is None:
        return shared
    known = numbers >= 0
    if not known.any():
        return shared
    n_numbers = int(numbers.max()) + 1
    # (a local number's line is unknown: only an extension or several names make it shared)
    is_line = pd.Series(tables["phone_kind"]).isin(["landline", "toll_free", "other"])
    raw_is_line = (is_line | pd.Series(tables["phone_ext"]).notna()).to_numpy()
    per_number = np.bincount(
        numbers[known], weights=raw_is_line[phone_codes][known], minlength=n_numbers
    )
    is_shared = per_number > 0
    if name_codes is not None:
        # Different full names per number: distinct (number, name) pairs counted per number.
        full_name_keys = pd.Series(tables["name_key"]).where(tables["name_partial"] == 0)
        names = _row_codes(full_name_keys.to_numpy(dtype=object), name_codes)
        named = known & (names >= 0)
        if named.any():
            # (pandas' hash-based unique: np.unique took ten times as long on a 1M-lead
            # set with numpy 2.4, in a one-off timing)
            pairs = pd.unique(numbers[named].astype(np.int64) << 32 | names[named])
            names_per_number = np.bincount(pairs >> 32, minlength=n_numbers)
            is_shared |= names_per_number >= SHARED_LINE_NAMES
    shared[known] = is_shared[numbers[known]]
    return shared


#: A lead without a company takes the one that the other leads on its shared line (or at its
#: company mail domain) give, when at least this share of those that give a company agree.
EMPLOYER_MIN_SHARE = 0.6


def _employers(
    tables: Mapping[str, np.ndarray],
    *,
    company_codes: np.ndarray,
    sources: list[np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """The ``employer`` and ``employer_latin`` columns (see the module docstring).

    A switchboard or a corporate mail domain names an employer: the leads on it that give a
    company mostly give the same one. ``sources`` are per-row codes of what can name one
    (a shared line, then a company mail domain; -1 where nothing does): a lead without a
    company takes the company of its first source that names one."""
    key_of_raw, keys = pd.factorize(tables["company"], use_na_sentinel=True)
    employer = key_of_raw[company_codes]  # the last slot (missing) is None: -1
    given = employer >= 0
    for source in sources:
        lookup = _majority(source[given], employer[given], int(source.max(initial=-1)) + 1)
        need = (employer < 0) & (source >= 0)
        employer[need] = lookup[source[need]]
    # one Latin form per company key (the first distinct raw value's)
    latin_of_key = np.full(len(keys) + 1, None, dtype=object)
    raw_with_key = np.flatnonzero(key_of_raw >= 0)[::-1]  # the first wins, written last
    latin_of_key[key_of_raw[raw_with_key]] = tables["company_latin"][raw_with_key]
    names = np.empty(len(keys) + 1, dtype=object)  # the last slot (no employer) is None
    names[: len(keys)] = keys
    return names[employer], latin_of_key[employer]


def _majority(source: np.ndarray, company: np.ndarray, size: int) -> np.ndarray:
    """Per source code below ``size`` (a line, a domain): the company code most leads on
    it give, when they are :data:`EMPLOYER_MIN_SHARE` of the leads there, else -1."""
    known = source >= 0
    lookup = np.full(size, -1, dtype=np.int64)
    if not known.any():
        return lookup
    pairs, counts = np.unique(
        source[known].astype(np.int64) << 32 | company[known].astype(np.int64),
        return_counts=True,
    )
    of_source = pairs >> 32
    totals = np.bincount(of_source, weights=counts)
    # the most given company first within each source (ties: the lower company code)
    order = np.lexsort((-counts, of_source))
    first = order[np.r_[True, of_source[order][1:] != of_source[order][:-1]]]
    chosen = first[counts[first] >= EMPLOYER_MIN_SHARE * totals[of_source[first]]]
    lookup[of_source[chosen]] = pairs[chosen] & 0xFFFFFFFF
    return lookup


#: Prepared columns that hold personal contact data, hashed in pseudonymised mode. A
#: person's address is personal data too; a company's website is not (it stays clear).
PSEUDONYMISED_COLUMNS = (
    "phone",
    "phone_ext",
    "phone_tail",
    "email",
    "email_user",
    "email_domain",
    "email_letters",
    # a mailbox name's letters, sorted, for a lead without a name
    "name_spelling",
    "address",
    "address_street",
    "address_road",
    "address_number",
    "address_unit",
    "postcode",
)


def _pseudonymise(prepared: pd.DataFrame, hash_key: bytes | str) -> None:
    key = hash_key_bytes(hash_key)
    for column in PSEUDONYMISED_COLUMNS:
        prepared[column] = map_distinct(prepared[column], partial(pseudonym, key=key))


_DIGIT = re.compile(r"\d")
_NOT_DIGIT = re.compile(r"\D")


def _is_partial(key: Any) -> int | None:
    if not isinstance(key, str):
        return None
    return int(" " not in key)


def _latin(key: Any) -> str | None:
    """Company key in Latin letters, so that string similarity counts characters."""
    if not isinstance(key, str) or not key:
        return None
    if key.isascii():
        return key
    return "".join(pinyin(key)) or None


def extra_column(column: str) -> str:
    """The prepared column of the user's own column ``column`` (SQL-safe, stable).

    >>> extra_column("date_of_birth"), extra_column("身份证")
    ('x_date_of_birth', 'x_8eab4efd8bc1')
    """
    safe = "".join(
        ch if ch.isascii() and (ch.isalnum() or ch == "_") else f"{ord(ch):x}" for ch in column
    )
    return f"x_{safe.lower()}"


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value)[:1000]).strip().casefold()
    text = re.sub(r"\s+", " ", text)
    return text or None


def _identifier(value: Any) -> str | None:
    text = _text(value)
    if text is None:
        return None
    return re.sub(r"[\s\-_./]", "", text) or None


def _date(value: Any) -> str | None:
    """A date as YYYYMMDD; an 8-digit value that is not a valid date is kept as digits,
    so a typo in one digit still compares as a typo."""
    text = _text(value)
    if text is None:
        return None
    digits = re.sub(r"\D", "", text)
    if len(digits) == 8 and text.replace("-", "").replace("/", "").replace(".", "") == digits:
        return digits
    try:
        stamp = pd.to_datetime(text, errors="coerce", format="mixed")
    except (ValueError, TypeError, OverflowError):
        return None
    return None if pd.isna(stamp) else stamp.strftime("%Y%m%d")


def _number(value: Any) -> float | None:
    text = _text(value)
    if text is None:
        return None
    try:
        number = float(text.replace(",", ""))
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None


_EXTRA_NORMALIZERS: dict[str, Callable[[Any], Any]] = {
    "exact": _identifier,
    "fuzzy": _text,
    "date": _date,
    "numeric": _number,
}
