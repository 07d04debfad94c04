"""Enrichment: fill missing lead fields from a reference table the user provides.

A company registry keyed by company name, a city list keyed by phone area, a CRM account
table ... is joined on the *normalised* key (so 字节跳动（北京）科技有限公司 finds the registry
row for 北京字节跳动科技有限公司), and only **missing** values are filled. A value that is
present is never overwritten; where it disagrees with the reference, the disagreement is
reported. Every filled value is recorded with the reference row it came from.

>>> import pandas as pd
>>> leads = pd.DataFrame({"company": ["字节跳动（北京）科技有限公司"], "city": [None]})
>>> registry = pd.DataFrame({"company": ["北京字节跳动科技有限公司"], "city": ["北京"]})
>>> result = enrich(leads, registry, key="company")
>>> result.leads["city"].tolist(), result.filled["value"].tolist()
(['北京'], ['北京'])
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from leadlink._i18n import say
from leadlink.clean import normalize
from leadlink.errors import ColumnError, ConfigError
from leadlink.schema import check_frame, resolve_columns

__all__ = ["EnrichResult", "enrich"]

_KEYS: dict[str, Callable[[Any], str | None]] = {
    "company": normalize.company,
    "email": normalize.email,
    "phone": normalize.phone,
    "name": normalize.name_key,
    "city": normalize.city,
}


@dataclass
class EnrichResult:
    """What :func:`enrich` returns.

    Attributes:
        leads: a copy of the leads with missing values filled (same index and columns).
        filled: one row per filled value: ``row`` (the lead's index label), ``role``,
            ``column``, ``value``, ``source`` and ``reference_row`` (the reference's index
            label the value came from).
        disagreements: one row per present value that differs from the reference (kept,
            not overwritten): ``row``, ``role``, ``column``, ``value``, ``reference_value``,
            ``reference_row``.
    """

    leads: pd.DataFrame
    filled: pd.DataFrame
    disagreements: pd.DataFrame


def enrich(
    leads: pd.DataFrame,
    reference: pd.DataFrame,
    *,
    key: str = "company",
    fields: Sequence[str] | None = None,
    columns: Mapping[str, str] | None = None,
    reference_columns: Mapping[str, str] | None = None,
    source: str = "reference",
) -> EnrichResult:
    """Fill the leads' missing ``fields`` from ``reference`` rows with the same ``key``.

    Args:
        leads: the raw leads.
        reference: the reference table; its roles are detected from its headers like the
            leads' (or mapped with ``reference_columns``).
        key: the role to join on: company, email, phone, name or city, compared after
            normalisation. Reference keys that appear on several rows are ambiguous and
            are not used.
        fields: roles to fill (default: every role both tables have, except the key).
        source: a name for the reference, recorded with every filled value.
    """
    check_frame(leads)
    check_frame(reference)
    if key not in _KEYS:
        raise ConfigError(
            say(
                f"key must be one of {', '.join(_KEYS)}, not {key!r}",
                f"key 须为 {', '.join(_KEYS)} 之一，而不是 {key!r}",
            )
        )
    lead_roles = resolve_columns(leads, columns)
    ref_roles = resolve_columns(reference, reference_columns)
    for table, roles in (("leads", lead_roles), ("reference", ref_roles)):
        if key not in roles:
            raise ColumnError(
                say(
                    f"the {table} have no {key!r} column to join on; map it with "
                    f"{'columns' if table == 'leads' else 'reference_columns'}={{{key!r}: '...'}}",
                    f"{table} 中没有可用于关联的 {key!r} 列；请用 "
                    f"{'columns' if table == 'leads' else 'reference_columns'}={{{key!r}: '...'}} "
                    "指定",
                )
            )
    shared = [r for r in ref_roles if r in lead_roles and r != key]
    chosen = list(fields) if fields is not None else shared
    unknown = [f for f in chosen if f not in shared]
    if unknown:
        raise ConfigError(
            say(
                f"cannot fill {unknown}: both tables need a column for each; fillable: {shared}",
                f"无法补全 {unknown}：两张表都须有对应的列；可补全的字段：{shared}",
            )
        )
    to_key = _KEYS[key]
    ref_keys = reference[ref_roles[key]].map(to_key)
    unique_keys = ref_keys[ref_keys.notna() & ~ref_keys.duplicated(keep=False)]
    row_of_key = pd.Series(unique_keys.index, index=unique_keys.to_numpy())
    lead_keys = leads[lead_roles[key]].map(to_key)
    matched = lead_keys.map(row_of_key)

    out = leads.copy()
    filled: list[dict[str, Any]] = []
    disagreements: list[dict[str, Any]] = []
    for role in chosen:
        lead_col, ref_col = lead_roles[role], ref_roles[role]
        if out[lead_col].dtype != object:
            out[lead_col] = out[lead_col].astype(object)
        for row, ref_row in matched.dropna().items():
            value = reference.at[ref_row, ref_col]
            if _blank(value):
                continue
            present = out.at[row, lead_col]
            if _blank(present):
                out.at[row, lead_col] = value
                filled.append({"row": row, "role": role, "column": lead_col, "value": value,
                               "source": source, "reference_row": ref_row})  # fmt: skip
            elif _comparable(role, present) != _comparable(role, value):
                disagreements.append({"row": row, "role": role, "column": lead_col,
                                      "value": present, "reference_value": value,
                                      "reference_row": ref_row})  # fmt: skip
    filled_columns = ["row", "role", "column", "value", "source", "reference_row"]
    disagreement_columns = ["row", "role", "column", "value", "reference_value", "reference_row"]
    return EnrichResult(
        leads=out,
        filled=pd.DataFrame(filled, columns=filled_columns),
        disagreements=pd.DataFrame(disagreements, columns=disagreement_columns),
    )


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and value != value:
        return True
    return isinstance(value, str) and not value.strip()


def _comparable(role: str, value: Any) -> Any:
    fn = _KEYS.get(role)
    if fn is None:
        return str(value).strip().casefold()
    return fn(value)
