"""One lead at a time: :func:`prepare` and :func:`validate` for a single record.

The real-time index prepares and checks each lead as it is typed in. Going through the
table functions with a one-row DataFrame costs milliseconds, nearly all of it pandas
building and filling frames; the normalisers themselves are cached and fast. These two
functions run the same per-value describers and checks (imported from
:mod:`leadlink.clean._prepare` and :mod:`leadlink.clean._validate`, never copied) on the
values of one record, and compute the table-level columns as a one-row table gives them:

* ``phone_shared`` — a number's kind of line or its extension only: one lead cannot
  give a number with three different names;
* ``employer`` — the lead's own company: with one lead, no other lead on its line or
  mail domain can name one;
* ``name_spelling`` and ``postcode`` — from the lead's own mailbox name and address, as
  in the table.

A column absent from the record counts as an empty cell. The result is the row that the
table function gives for a one-row table of the record; tests check it value by value on
generated leads.

>>> row = prepare_record(
...     {"姓名": "張偉", "手机": "138 0013 8000 转 12"},
...     roles={"name": "姓名", "phone": "手机"},
...     id_value="L1",
...     region="CN",
... )
>>> row["unique_id"], row["name"], row["phone"], row["phone_ext"], row["phone_shared"]
('L1', '张伟', '+8613800138000', '12', 1)
>>> validate_record({"name": "测试", "phone": "13800138000"}, roles={}, region="CN")
(True, ['phone.placeholder', 'name.placeholder', 'contact.none'])
"""

from __future__ import annotations

import datetime
from collections.abc import Hashable, Mapping
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from leadlink._i18n import say
from leadlink._values import id_text
from leadlink.clean._prepare import (
    _DESCRIBERS,
    _EXTRA_NORMALIZERS,
    _FLAG_COLUMNS,
    _spelling,
    extra_column,
)
from leadlink.clean._validate import (
    _BIT,
    _FIELD_CHECKS,
    GHOST_THRESHOLD,
    Problem,
    _presence_check,
    _required_roles,
    _verdict,
)
from leadlink.clean.normalize import _phone
from leadlink.errors import ColumnError, ConfigError, InputError
from leadlink.schema import PREPARED_COLUMNS, describe_columns, resolve_columns

__all__ = ["prepare_record", "validate_record"]

#: Kinds of line that make a number shared (as ``_shared_lines`` in prepare reads them).
_LINE_KINDS = frozenset({"landline", "toll_free", "other"})


def prepare_record(
    values: Mapping[str, Any],
    *,
    roles: Mapping[str, str],
    id_value: Any,
    region: str,
    extra: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The prepared row of one lead, as :func:`~leadlink.clean.prepare` gives it for a
    one-row table.

    ``values`` maps the lead's input columns to its values (a row of the leads table);
    ``roles`` maps roles to those columns, ``id_value`` is the lead's id, ``region`` the
    default phone region, and ``extra`` maps the user's own columns to a comparison kind,
    all as for ``prepare``. The result holds every column of
    :data:`~leadlink.schema.PREPARED_COLUMNS` and one per extra column
    (:func:`~leadlink.clean.extra_column`): 0/1 flags as ints, None for a missing value
    (NaN in a numeric extra column, as the table holds it).

    Raises:
        InputError: ``id_value`` is missing or blank.
        ColumnError: an extra column is not in ``values``.
        ConfigError: ``region`` is not a phone region, or an extra column's kind is unknown.
    """
    region = _region(region)
    out: dict[str, Any] = dict.fromkeys(PREPARED_COLUMNS)
    for flag in _FLAG_COLUMNS:
        out[flag] = 0
    out["unique_id"] = _unique_id(id_value)
    described: dict[str, Any] = {}
    for role, describer in _DESCRIBERS.items():
        if role not in roles:
            continue
        value = _cell(values.get(roles[role]))
        found = (
            None
            if value is None
            else describer.describe(value, region=region)
            if describer.regional
            else describer.describe(value)
        )
        for i, column in enumerate(describer.columns):
            if column in _FLAG_COLUMNS:
                described[column] = 0 if found is None else int(found[i] or 0)
            else:
                described[column] = None if found is None else found[i]
    for column, value in described.items():
        if column in out:
            out[column] = value

    # table-level columns, as a table of this one lead gives them
    out["phone_shared"] = int(
        _present(described.get("phone"))
        and (described.get("phone_kind") in _LINE_KINDS or _present(described.get("phone_ext")))
    )
    spelling = described.get("full_name_spelling")
    if "email" in roles and not _present(described.get("name_key")):
        user = described["email_user"]
        spelling = _spelling(user) if _present(user) else None
    out["name_spelling"] = spelling
    if "address" in roles and not _present(out["postcode"]):
        out["postcode"] = described["address_postcode"]
    if "company" in roles and _present(described["company"]):
        out["employer"] = described["company"]
        out["employer_latin"] = described["company_latin"]

    for own, kind in (extra or {}).items():
        if own not in values:
            raise ColumnError(
                say(
                    f"extra column {own!r} is not in the record; the record has "
                    f"{describe_columns(list(values))}",
                    f"附加列 {own!r} 不在这条记录中；记录的列为 {describe_columns(list(values))}",
                )
            )
        normalizer = _EXTRA_NORMALIZERS.get(kind)
        if normalizer is None:
            raise ConfigError(
                say(
                    f"unknown comparison kind {kind!r} for column {own!r}; "
                    f"choose one of {', '.join(_EXTRA_NORMALIZERS)}",
                    f"列 {own!r} 的比较方式 {kind!r} 未知；可选：{', '.join(_EXTRA_NORMALIZERS)}",
                )
            )
        value = _cell(values[own])
        normalized = None if value is None else normalizer(value)
        if kind == "numeric":
            normalized = float("nan") if normalized is None else float(normalized)
        out[extra_column(own)] = normalized
    return out


def validate_record(
    values: Mapping[str, Any],
    *,
    roles: Mapping[str, str],
    region: str,
) -> tuple[bool, list[str]]:
    """The ghost verdict and problem codes of one lead, as
    :func:`~leadlink.clean.validate` gives them for a one-row table (``required=("name",)``,
    no ``stale_after``).

    ``values`` maps the lead's input columns to its values; ``roles`` maps roles to them,
    and the roles left out are detected from the headers, as in ``validate``. A column
    that ``roles`` names but ``values`` lacks counts as an empty cell.

    Raises:
        ColumnError: an unknown role, or headers that make a role ambiguous.
        ConfigError: ``region`` is not a phone region.
    """
    region = _region(region)
    resolved = _resolved_roles(
        tuple(values) + tuple(c for c in roles.values() if c not in values),
        tuple(roles.items()),
    )
    mask = 0
    phone_ok = email_ok = False
    missing: dict[str, bool] = {}
    for role, make_check in _FIELD_CHECKS.items():
        if role not in resolved:
            continue
        bits, blank, ok = make_check(region)(_cell(values.get(resolved[role])))
        mask |= bits
        missing[role] = blank
        if role == "phone":
            phone_ok = ok
        elif role == "email":
            email_ok = ok
    if ("phone" in resolved or "email" in resolved) and not (phone_ok or email_ok):
        mask |= _BIT[Problem.CONTACT_NONE]
    for role in _REQUIRED:
        if role not in resolved:
            blank = True
        elif role in missing:
            blank = missing[role]
        else:
            blank = _presence_check(region)(_cell(values.get(resolved[role])))[1]
        if blank:
            mask |= _BIT[Problem(f"required.{role}")]
    email_reach = email_ok and not mask & _BIT[Problem.EMAIL_DISPOSABLE]
    return _judged(mask, int(phone_ok) | int(email_reach) << 1)


#: ``validate``'s default ``required``.
_REQUIRED = _required_roles(("name",))


@lru_cache(maxsize=4096)
def _judged(mask: int, reach: int) -> tuple[bool, list[str]]:
    score, problems, _ = _verdict(mask, reach)
    return bool(score > GHOST_THRESHOLD), list(problems)


@lru_cache(maxsize=256)
def _resolved_roles(
    headers: tuple[Hashable, ...], roles: tuple[tuple[str, str], ...]
) -> dict[str, str]:
    """Roles resolved on the record's headers; the same few header sets come back on
    every call, so the answer is kept."""
    return resolve_columns(pd.DataFrame(columns=list(headers)), dict(roles))


@lru_cache(maxsize=64)
def _region(region: str) -> str:
    return _phone.check_region(region)


def _unique_id(value: Any) -> str:
    text = None if _cell(value) is None else id_text(_cell(value))
    if not text:
        raise InputError(
            say(
                "the lead has no id; every lead needs a unique id",
                "这条线索没有 ID；每条线索都需要唯一的 ID",
            )
        )
    return text


def _present(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and value != value)


def _cell(value: Any) -> Any:
    """The value as the table functions see it in a one-row table: None when pandas
    counts it as missing, numpy scalars as Python ones, times as Timestamps, and an
    unhashable value (a list) as its text."""
    if value is None or isinstance(value, str):
        return value
    try:
        hash(value)
    except TypeError:
        return str(value)
    if pd.isna(value):
        return None
    if isinstance(value, (datetime.datetime, np.datetime64)):
        return pd.Timestamp(value)
    return value.item() if isinstance(value, np.generic) else value
