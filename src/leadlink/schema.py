"""Roles, header detection and the column contract between stages.

A *role* is what a column means to leadlink (``"phone"``, ``"company"`` ...), whatever its
header says. Users map roles to their headers with ``columns={"phone": "手机"}``; roles
they leave out are detected from common English and Chinese headers. Columns with no role
are carried through untouched.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from leadlink._data import table, words
from leadlink._i18n import say
from leadlink._values import factorize, id_text
from leadlink.errors import ColumnError, InputError

__all__ = [
    "COMPARED_ROLES",
    "MATCH_ROLES",
    "PREPARED_COLUMNS",
    "ROLE",
    "ROLES",
    "ROLE_OF_COLUMN",
    "ROLE_SPECS",
    "ROW_ID_COLUMN",
    "SCORE_ROLES",
    "SCORE_ROLE_SPECS",
    "SURVIVED_ROLES",
    "Role",
    "check_frame",
    "check_ids",
    "describe_columns",
    "find_id_column",
    "looks_contact",
    "looks_personal",
    "map_distinct",
    "resolve_columns",
    "with_row_ids",
]


@dataclass(frozen=True)
class Role:
    """What leadlink does with one role; declared once here and read by every stage.

    Attributes:
        name: the role, as users write it in ``columns={...}``.
        prepared: the columns :func:`leadlink.prepare` makes from it, in table order.
        key: the prepared column that *is* the role's value for hard rules
            (``must_link=["email"]``) and survivorship; None when the role has no prepared
            column (survivorship then normalises the raw value itself).
        extension: a prepared column that makes the key distinct for survivorship (two
            extensions of one switchboard are two numbers).
        finds: the role can find a person on its own (leads without any are not matched).
        compared: the matching model compares it.
        survived: golden records carry it.
    """

    name: str
    prepared: tuple[str, ...] = ()
    key: str | None = None
    extension: str | None = None
    finds: bool = False
    compared: bool = False
    survived: bool = False

    @property
    def headers(self) -> tuple[str, ...]:
        """The header spellings detected as this role (``data/headers.tsv``)."""
        return _HEADERS.get(self.name, ())


#: Every role, in display order. Adding a role = one entry here, its header spellings in
#: ``data/headers.tsv``, its normaliser, and (when compared) its comparison preset.
ROLE_SPECS: tuple[Role, ...] = (
    Role(
        "name",
        prepared=("name", "name_key", "name_nick", "name_han", "name_partial", "name_spelling"),
        key="name_key",
        finds=True,
        compared=True,
        survived=True,
    ),
    Role(
        "phone",
        prepared=("phone", "phone_ext", "phone_kind", "phone_shared", "phone_tail"),
        key="phone",
        extension="phone_ext",
        finds=True,
        compared=True,
        survived=True,
    ),
    Role(
        "email",
        prepared=("email", "email_user", "email_domain", "email_letters", "email_free"),
        key="email",
        finds=True,
        compared=True,
        survived=True,
    ),
    Role(
        "company",
        prepared=(
            "company",
            "company_latin",
            "employer",
            "employer_latin",
            "org",
            "org_words",
            "org_brand",
            "org_latin",
        ),
        key="company",
        finds=True,
        compared=True,
        survived=True,
    ),
    Role("city", prepared=("city",), key="city", finds=True, compared=True, survived=True),
    # A job title tells namesakes at one company apart but finds no one by itself.
    Role("title", prepared=("title",), key="title", compared=True, survived=True),
    # An address finds an organisation (or a household); its street and number block.
    Role(
        "address",
        prepared=("address", "address_street", "address_road", "address_number", "address_unit"),
        key="address",
        finds=True,
        compared=True,
        survived=True,
    ),
    # A postcode narrows a name or a company down, but finds no one by itself; one written
    # in the address is used when the leads have no postcode column.
    Role("postcode", prepared=("postcode",), key="postcode", compared=True, survived=True),
    # A company's website, as its registrable domain: compared with the company mail domain.
    Role("website", prepared=("website",), key="website", finds=True, compared=True, survived=True),
    Role("source"),
    Role("created_at"),
)

#: Roles only scoring reads (:func:`leadlink.score`); map them with
#: ``columns={"budget": "预算金额"}`` or let them be detected from the headers.
SCORE_ROLE_SPECS: tuple[Role, ...] = (
    Role("budget"),
    Role("timeline"),
    Role("need"),
    Role("status"),
)

#: Role name -> its declaration, for every role including the scoring ones.
ROLE: dict[str, Role] = {spec.name: spec for spec in (*ROLE_SPECS, *SCORE_ROLE_SPECS)}

#: Every role leadlink understands, in display order.
ROLES: tuple[str, ...] = tuple(spec.name for spec in ROLE_SPECS)

#: Roles that can find a person: leads are matched when one of them is present.
MATCH_ROLES: tuple[str, ...] = tuple(spec.name for spec in ROLE_SPECS if spec.finds)

#: Roles the matching model compares.
COMPARED_ROLES: tuple[str, ...] = tuple(spec.name for spec in ROLE_SPECS if spec.compared)

#: Roles golden records carry, in their column order: the compared roles first, then those
#: only carried (the address).
SURVIVED_ROLES: tuple[str, ...] = tuple(
    spec.name
    for spec in sorted(ROLE_SPECS, key=lambda spec: not spec.compared)  # stable
    if spec.survived
)

#: Roles only scoring reads.
SCORE_ROLES: tuple[str, ...] = tuple(spec.name for spec in SCORE_ROLE_SPECS)

#: The columns of the prepared table (:func:`leadlink.prepare`), in order.
PREPARED_COLUMNS: tuple[str, ...] = (
    "unique_id",
    *(column for spec in ROLE_SPECS for column in spec.prepared),
)

#: Prepared column -> the role it is made from (``employer`` -> ``company``).
ROLE_OF_COLUMN: dict[str, str] = {
    column: spec.name for spec in ROLE_SPECS for column in spec.prepared
}

_SEPARATORS = re.compile(r"[\s_\-]+")


def _header_key(header: object) -> str:
    return _SEPARATORS.sub("", str(header).strip().lower())


def _read_headers() -> dict[str, tuple[str, ...]]:
    spellings: dict[str, list[str]] = {}
    for role, spelling in table("leadlink", "headers.tsv"):
        spellings.setdefault(role, []).append(_header_key(spelling))
    return {role: tuple(dict.fromkeys(found)) for role, found in spellings.items()}


# Header spellings per role, compared after lower-casing and removing spaces, "_" and "-".
_HEADERS: dict[str, tuple[str, ...]] = _read_headers()
_LOOKUP: dict[str, str] = {
    spelling: role for role, spellings in _HEADERS.items() for spelling in spellings
}


def resolve_columns(
    frame: pd.DataFrame,
    columns: Mapping[str, str | None] | None = None,
    *,
    id_column: str | None = None,
    roles: Sequence[str] = ROLES,
) -> dict[str, str]:
    """Map roles to column names of ``frame``.

    Explicit ``columns`` win; the remaining roles are detected from the headers. A role
    mapped to None is left unmapped: nothing is detected for it, and the column that
    would have been detected is one of the user's own (``columns={"phone": None}``, then
    ``extra_columns={"Phone": "exact"}``). ``roles`` are the roles to look for (scoring
    adds :data:`SCORE_ROLES`). A header detected for two roles, or two headers detected
    for one role, is an error that names them and says how to choose.

    >>> resolve_columns(pd.DataFrame(columns=["姓名", "手机", "备注"]))
    {'name': '姓名', 'phone': '手机'}
    >>> resolve_columns(pd.DataFrame(columns=["姓名", "手机"]), {"phone": None})
    {'name': '姓名'}
    """
    check_frame(frame)
    if columns is not None and not isinstance(columns, Mapping):
        raise ColumnError(
            say(
                f"columns must map roles to column names, e.g. columns={{'phone': '手机'}}, "
                f"not a {type(columns).__name__}",
                f"columns 须为“角色 → 列名”的映射，例如 columns={{'phone': '手机'}}，"
                f"而不是 {type(columns).__name__}",
            )
        )
    given = dict(columns or {})
    unmapped = {role for role, column in given.items() if column is None}
    explicit = {role: column for role, column in given.items() if column is not None}
    for role in unmapped - set(roles):
        explicit[role] = ""  # refused below as an unknown role
    for role, column in explicit.items():
        if role not in roles:
            raise ColumnError(
                say(
                    f"unknown role {role!r} in columns; roles are {', '.join(roles)} "
                    f"(for example columns={{'phone': '手机'}})",
                    f"columns 中的角色 {role!r} 未知；可用的角色有 {', '.join(roles)}"
                    f"（例如 columns={{'phone': '手机'}}）",
                )
            )
        if column not in frame.columns:
            raise ColumnError(
                say(
                    f"columns maps role {role!r} to {column!r}, which is not a column of the "
                    f"input; the input has {_list_columns(frame)}",
                    f"columns 把角色 {role!r} 对应到 {column!r}，但输入中没有这一列；"
                    f"输入的列为 {_list_columns(frame)}",
                )
            )
    taken = set(explicit.values())
    if id_column is not None:
        taken.add(id_column)
    detected: dict[str, list[str]] = {}
    for column in frame.columns:
        if column in taken:
            continue
        detected_role = _LOOKUP.get(_header_key(column))
        if (
            detected_role is not None
            and detected_role in roles
            and detected_role not in explicit
            and detected_role not in unmapped
        ):
            detected.setdefault(detected_role, []).append(str(column))
    resolved = dict(explicit)
    for role, found in detected.items():
        if len(found) > 1:
            raise ColumnError(
                say(
                    f"several columns look like the {role!r} role: {', '.join(map(repr, found))}; "
                    f"choose one with columns={{{role!r}: {found[0]!r}}}",
                    f"有多列看起来都是 {role!r} 角色：{', '.join(map(repr, found))}；"
                    f"请用 columns={{{role!r}: {found[0]!r}}} 指定其中一列",
                )
            )
        resolved[role] = found[0]
    return {role: resolved[role] for role in roles if role in resolved}


def check_frame(frame: object) -> pd.DataFrame:
    """Refuse anything that is not a pandas DataFrame with unique column names."""
    if not isinstance(frame, pd.DataFrame):
        raise InputError(
            say(
                f"leads must be a pandas DataFrame, not {type(frame).__name__}; "
                "read files with pandas.read_csv / read_parquet or leadlink.read_leads",
                f"线索数据须为 pandas DataFrame，而不是 {type(frame).__name__}；"
                "请用 pandas.read_csv / read_parquet 或 leadlink.read_leads 读取文件",
            )
        )
    duplicated = frame.columns[frame.columns.duplicated()].tolist()
    if duplicated:
        raise InputError(
            say(
                f"the input has duplicate column names {duplicated!r}; rename them so each is "
                "unique",
                f"输入中有重复的列名 {duplicated!r}；请重命名，使每个列名都唯一",
            )
        )
    return frame


def check_ids(frame: pd.DataFrame, id_column: str) -> pd.Series:
    """Return the id column as strings, refusing missing, null or duplicate ids."""
    if id_column not in frame.columns:
        raise ColumnError(
            say(
                f"id column {id_column!r} is not in the input; the input has "
                f"{_list_columns(frame)} "
                "(pass id_column=... or --id-column)",
                f"输入中没有 ID 列 {id_column!r}；输入的列为 {_list_columns(frame)}"
                "（请传入 id_column=... 或 --id-column）",
            )
        )
    ids = frame[id_column]
    n_null = int(ids.isna().sum())
    if n_null:
        raise InputError(
            say(
                f"{n_null} lead(s) have no value in the id column {id_column!r}; "
                "every lead needs a unique id",
                f"有 {n_null} 条线索的 ID 列 {id_column!r} 为空值；每条线索都需要唯一的 ID",
            )
        )
    if ids.dtype.kind in "iu":
        as_text = ids.astype(str)
    elif pd.api.types.infer_dtype(ids, skipna=False) == "string":
        as_text = ids.str.strip()
    else:
        as_text = ids.map(id_text)
    if (as_text == "").any():
        raise InputError(
            say(
                f"{int((as_text == '').sum())} lead(s) have an empty id in {id_column!r}; "
                "every lead needs a unique id",
                f"有 {int((as_text == '').sum())} 条线索的 ID（{id_column!r} 列）为空；"
                "每条线索都需要唯一的 ID",
            )
        )
    duplicated = as_text[as_text.duplicated(keep=False)]
    if not duplicated.empty:
        first_row = int(np.flatnonzero(as_text.duplicated(keep=False).to_numpy())[0])
        raise InputError(
            say(
                f"{duplicated.nunique()} id value(s) in {id_column!r} are used by more than one "
                f"lead (the first at row {first_row}); ids must be unique — de-duplicate the ids "
                "or pick another id column",
                f"{id_column!r} 列中有 {duplicated.nunique()} 个 ID 被多条线索共用"
                f"（第一个在第 {first_row} 行）；ID 必须唯一——请先对 ID 去重，或换用其他 ID 列",
            )
        )
    return as_text


#: Headers taken as the lead id when the default ``lead_id`` is not in a table, compared as
#: role headers are (case, spaces, ``_`` and ``-`` ignored), best first. ``线索ID`` is what
#: :func:`leadlink.datasets.generate_leads` writes with ``headers="zh"``.
ID_HEADERS: tuple[str, ...] = (
    "lead_id", "leadid", "id", "线索id", "线索编号", "线索编码", "record_id", "recordid",
    "prospect_id", "contact_id", "customer_id", "客户id", "客户编号", "联系人id", "编号", "序号",
    "row_id",
)  # fmt: skip

#: The id column :func:`with_row_ids` adds to a table that has none.
ROW_ID_COLUMN = "row_id"


def find_id_column(frame: pd.DataFrame) -> str | None:
    """The column of ``frame`` whose header looks like a lead id (:data:`ID_HEADERS`,
    best first) and whose values are a usable id (none missing, none repeated); None when
    no column qualifies.

    >>> find_id_column(pd.DataFrame({"线索ID": ["L1", "L2"], "姓名": ["张伟", "王芳"]}))
    '线索ID'
    """
    by_key: dict[str, str] = {}
    for column in frame.columns:
        by_key.setdefault(_header_key(column), str(column))
    for spelling in ID_HEADERS:
        header = by_key.get(_header_key(spelling))
        if header is None:
            continue
        values = frame[header]
        if values.notna().all() and not values.map(id_text).duplicated().any():
            return header
    return None


def with_row_ids(frame: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """``frame`` with an id column in front holding the row numbers, ``row_1`` for the
    first lead (one-based: the first lead under a spreadsheet's header row is ``row_1``),
    and that column's name: :data:`ROW_ID_COLUMN`, or with underscores in front when the
    table has a column of that name already.

    >>> with_row_ids(pd.DataFrame({"姓名": ["张伟", "王芳"]}))[0]["row_id"].tolist()
    ['row_1', 'row_2']
    """
    name = ROW_ID_COLUMN
    while name in frame.columns:
        name = "_" + name
    numbered = frame.copy()
    numbered.insert(0, name, [f"row_{i}" for i in range(1, len(frame) + 1)])
    return numbered, name


def _list_columns(frame: pd.DataFrame, limit: int = 12) -> str:
    return describe_columns(frame.columns, limit=limit)


def describe_columns(columns: Iterable[object], *, limit: int = 12) -> str:
    """The column names for an error message, never one that could be personal data.

    A header that looks like a phone, an email or a Chinese name (:func:`looks_personal`)
    is counted, not quoted: in a file without a header row the "headers" are the first
    lead's values.

    >>> describe_columns(["lead_id", "姓名", "13800138000", "zw@example.com"])
    "'lead_id', '姓名' and 2 that look like personal data, not shown (is the first row a header?)"
    """
    names = [str(column) for column in columns]
    shown = [name for name in names if not looks_personal(name)]
    hidden = len(names) - len(shown)
    parts = [repr(name) for name in shown[:limit]]
    if len(shown) > limit:
        parts.append(say(f"{len(shown) - limit} more", f"另外 {len(shown) - limit} 列"))
    if hidden:
        parts.append(
            say(
                f"{hidden} that look{'s' if hidden == 1 else ''} like personal data, not "
                "shown (is the first row a header?)",
                f"{hidden} 列看起来像个人信息，未显示（第一行是表头吗？）",
            )
        )
    if not parts:
        return say("no columns", "没有列")
    if len(parts) == 1:
        return parts[0]
    return say(
        ", ".join(parts[:-1]) + " and " + parts[-1], "、".join(parts[:-1]) + "和" + parts[-1]
    )


_CONTACT_SEPARATORS = re.compile(r"[\s\-().+/]")
_LONG_NUMBER = re.compile(r"\d{7,}")
_HAN_NAME = re.compile(r"[\u4e00-\u9fff]{2,3}")
_SURNAMES: frozenset[str] = words("leadlink", "common_surnames.txt")


def looks_contact(text: str) -> bool:
    """Whether ``text`` could be a phone number or an email: it holds an ``@`` or seven
    digits in a row (spaces, dashes, dots, brackets and ``+`` between them ignored).

    >>> looks_contact("138 0013 8000"), looks_contact("zw@example.com"), looks_contact("电话2")
    (True, True, False)
    """
    return "@" in text or _LONG_NUMBER.search(_CONTACT_SEPARATORS.sub("", text)) is not None


def looks_personal(value: object) -> bool:
    """Whether a header could be personal data that messages must not quote: a phone, an
    email (:func:`looks_contact`), or two or three Han characters that start with a common
    surname and are no known header spelling (``张伟`` yes; ``姓名``, ``备注`` no).

    >>> [looks_personal(v) for v in ("张伟", "姓名", "备注", "13800138000", "phone")]
    [True, False, False, True, False]
    """
    text = str(value).strip()
    if looks_contact(text):
        return True
    return (
        _HAN_NAME.fullmatch(text) is not None
        and text[0] in _SURNAMES
        and _header_key(text) not in _LOOKUP
    )


def map_distinct(values: pd.Series, fn: Callable[[Any], Any]) -> np.ndarray:
    """Apply ``fn`` once per distinct value of ``values`` (CRM columns repeat values a lot);
    missing values map to None.

    >>> map_distinct(pd.Series(["a", None, "a"]), str.upper).tolist()
    ['A', None, 'A']
    """
    codes, uniques = factorize(values)  # unhashable cells (lists) by their text
    mapped = np.empty(len(uniques) + 1, dtype=object)
    mapped[: len(uniques)] = [fn(value) for value in uniques]
    mapped[-1] = None  # code -1 (missing) indexes the last slot
    return mapped[codes]
