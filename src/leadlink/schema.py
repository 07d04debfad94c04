"""Roles, header detection and the column contract between stages.

A *role* is what a column means to leadlink (``"phone"``, ``"company"`` ...), whatever its
header says. Users map roles to their headers with ``columns={"phone": "手机"}``; roles
they leave out are detected from common English and Chinese headers. Columns with no role
are carried through untouched.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from leadlink._values import id_text
from leadlink.errors import ColumnError, InputError

__all__ = [
    "COMPARED_ROLES",
    "MATCH_ROLES",
    "PREPARED_COLUMNS",
    "ROLES",
    "check_frame",
    "check_ids",
    "map_distinct",
    "resolve_columns",
]

#: Every role leadlink understands, in display order.
ROLES: tuple[str, ...] = (
    "name",
    "phone",
    "email",
    "company",
    "city",
    "address",
    "title",
    "source",
    "created_at",
)

#: Roles that can find a person: leads are matched when one of them is present.
MATCH_ROLES: tuple[str, ...] = ("name", "phone", "email", "company", "city")

#: Roles the matching model compares: those, and the job title, which tells namesakes at
#: one company apart but finds no one by itself.
COMPARED_ROLES: tuple[str, ...] = (*MATCH_ROLES, "title")

#: The columns of the prepared table (:func:`leadlink.prepare`), in order.
PREPARED_COLUMNS: tuple[str, ...] = (
    "unique_id",
    "name",
    "name_key",
    "name_nick",
    "name_han",
    "name_partial",
    "name_spelling",
    "phone",
    "phone_ext",
    "phone_kind",
    "phone_shared",
    "email",
    "email_user",
    "email_domain",
    "email_letters",
    "email_free",
    "company",
    "company_latin",
    "employer",
    "employer_latin",
    "city",
    "title",
)

# Header spellings per role, compared after lower-casing and removing spaces, "_" and "-".
_HEADERS: dict[str, tuple[str, ...]] = {
    "name": (
        "name",
        "fullname",
        "contactname",
        "leadname",
        "customername",
        "contact",
        "person",
        "姓名",
        "名字",
        "联系人",
        "客户姓名",
        "联系人姓名",
        "客户名称",
        "称呼",
    ),
    "phone": (
        "phone",
        "mobile",
        "mobilephone",
        "cellphone",
        "cell",
        "tel",
        "telephone",
        "phonenumber",
        "mobilenumber",
        "contactnumber",
        "手机",
        "手机号",
        "手机号码",
        "电话",
        "联系电话",
        "电话号码",
        "联系方式",
        "移动电话",
    ),
    "email": (
        "email",
        "e mail",
        "emailaddress",
        "mail",
        "邮箱",
        "电子邮箱",
        "邮件",
        "电子邮件",
        "邮箱地址",
    ),
    "company": (
        "company",
        "companyname",
        "organization",
        "organisation",
        "org",
        "account",
        "accountname",
        "employer",
        "公司",
        "公司名称",
        "单位",
        "企业",
        "企业名称",
        "工作单位",
        "客户公司",
        "所属公司",
    ),
    "city": ("city", "town", "城市", "所在城市", "市"),
    "address": ("address", "streetaddress", "street", "地址", "详细地址", "联系地址", "公司地址"),
    "title": ("title", "jobtitle", "position", "role", "职位", "职务", "头衔", "岗位"),
    "source": ("source", "leadsource", "channel", "来源", "线索来源", "渠道", "获客渠道"),
    "created_at": (
        "createdat",
        "created",
        "createdate",
        "createddate",
        "createtime",
        "date",
        "timestamp",
        "创建时间",
        "创建日期",
        "录入时间",
        "时间",
        "日期",
        "提交时间",
    ),
}

_SEPARATORS = re.compile(r"[\s_\-]+")


def _header_key(header: object) -> str:
    return _SEPARATORS.sub("", str(header).strip().lower())


_LOOKUP: dict[str, str] = {
    _header_key(spelling): role for role, spellings in _HEADERS.items() for spelling in spellings
}


def resolve_columns(
    frame: pd.DataFrame,
    columns: Mapping[str, str] | None = None,
    *,
    id_column: str | None = None,
) -> dict[str, str]:
    """Map roles to column names of ``frame``.

    Explicit ``columns`` win; the remaining roles are detected from the headers. A header
    detected for two roles, or two headers detected for one role, is an error that names
    them and says how to choose.

    >>> resolve_columns(pd.DataFrame(columns=["姓名", "手机", "备注"]))
    {'name': '姓名', 'phone': '手机'}
    """
    check_frame(frame)
    explicit = dict(columns or {})
    for role, column in explicit.items():
        if role not in ROLES:
            raise ColumnError(
                f"unknown role {role!r} in columns; roles are {', '.join(ROLES)} "
                f"(for example columns={{'phone': '手机'}})"
            )
        if column not in frame.columns:
            raise ColumnError(
                f"columns maps role {role!r} to {column!r}, which is not a column of the "
                f"input; the input has {_list_columns(frame)}"
            )
    taken = set(explicit.values())
    if id_column is not None:
        taken.add(id_column)
    detected: dict[str, list[str]] = {}
    for column in frame.columns:
        if column in taken:
            continue
        detected_role = _LOOKUP.get(_header_key(column))
        if detected_role is not None and detected_role not in explicit:
            detected.setdefault(detected_role, []).append(str(column))
    resolved = dict(explicit)
    for role, found in detected.items():
        if len(found) > 1:
            raise ColumnError(
                f"several columns look like the {role!r} role: {', '.join(map(repr, found))}; "
                f"choose one with columns={{{role!r}: {found[0]!r}}}"
            )
        resolved[role] = found[0]
    return {role: resolved[role] for role in ROLES if role in resolved}


def check_frame(frame: object) -> pd.DataFrame:
    """Refuse anything that is not a pandas DataFrame with unique column names."""
    if not isinstance(frame, pd.DataFrame):
        raise InputError(
            f"leads must be a pandas DataFrame, not {type(frame).__name__}; "
            "read files with pandas.read_csv / read_parquet or use the leadlink CLI"
        )
    duplicated = frame.columns[frame.columns.duplicated()].tolist()
    if duplicated:
        raise InputError(
            f"the input has duplicate column names {duplicated!r}; rename them so each is unique"
        )
    return frame


def check_ids(frame: pd.DataFrame, id_column: str) -> pd.Series:
    """Return the id column as strings, refusing missing, null or duplicate ids."""
    if id_column not in frame.columns:
        raise ColumnError(
            f"id column {id_column!r} is not in the input; the input has {_list_columns(frame)} "
            "(pass id_column=... or --id-column)"
        )
    ids = frame[id_column]
    n_null = int(ids.isna().sum())
    if n_null:
        raise InputError(
            f"{n_null} lead(s) have no value in the id column {id_column!r}; "
            "every lead needs a unique id"
        )
    if ids.dtype.kind in "iu":
        as_text = ids.astype(str)
    elif pd.api.types.infer_dtype(ids, skipna=False) == "string":
        as_text = ids.str.strip()
    else:
        as_text = ids.map(id_text)
    if (as_text == "").any():
        raise InputError(
            f"{int((as_text == '').sum())} lead(s) have an empty id in {id_column!r}; "
            "every lead needs a unique id"
        )
    duplicated = as_text[as_text.duplicated(keep=False)]
    if not duplicated.empty:
        first_row = int(np.flatnonzero(as_text.duplicated(keep=False).to_numpy())[0])
        raise InputError(
            f"{duplicated.nunique()} id value(s) in {id_column!r} are used by more than one "
            f"lead (the first at row {first_row}); ids must be unique — de-duplicate the ids "
            "or pick another id column"
        )
    return as_text


def _list_columns(frame: pd.DataFrame, limit: int = 12) -> str:
    names = [repr(str(c)) for c in frame.columns[:limit]]
    more = "" if len(frame.columns) <= limit else f" and {len(frame.columns) - limit} more"
    return ", ".join(names) + more if names else "no columns"


def map_distinct(values: pd.Series, fn: Callable[[Any], Any]) -> np.ndarray:
    """Apply ``fn`` once per distinct value of ``values`` (CRM columns repeat values a lot);
    missing values map to None.

    >>> map_distinct(pd.Series(["a", None, "a"]), str.upper).tolist()
    ['A', None, 'A']
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = np.empty(len(uniques) + 1, dtype=object)
    mapped[: len(uniques)] = [fn(value) for value in uniques]
    mapped[-1] = None  # code -1 (missing) indexes the last slot
    return mapped[codes]
