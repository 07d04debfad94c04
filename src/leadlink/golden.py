"""Golden records: one row per cluster, built from its member leads by survivorship.

The default policy, for each role: among the members whose value is usable after
normalisation, take the normalised value held by the most members; ties go to the more
complete (longer) value, then to the most recent lead (by ``created_at`` when present), then
to the smallest lead id. The golden record shows that lead's value as it was entered, and
records which lead it came from (``<role>_from``), so every golden value can be traced to a
member lead.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

__all__ = ["GOLDEN_ROLES", "golden_records"]

#: Roles that survive into golden records, with the prepared column that judges them.
GOLDEN_ROLES: dict[str, str] = {
    "name": "name",
    "phone": "phone",
    "email": "email",
    "company": "company",
    "city": "city",
    "title": "",
    "address": "",
}


def golden_records(
    leads: pd.DataFrame,
    prepared: pd.DataFrame,
    clusters: pd.DataFrame,
    roles: Mapping[str, str],
) -> pd.DataFrame:
    """One row per cluster: ``cluster_id``, ``n_leads``, ``lead_ids``, the survived values
    under role names with ``<role>_from`` lineage, ``first_seen``/``last_seen`` and
    ``sources`` when those roles exist.

    ``leads``, ``prepared`` and ``clusters`` are aligned row by row.
    """
    cluster_ids = clusters["cluster_id"].to_numpy(dtype=object)
    lead_ids = prepared["unique_id"].to_numpy(dtype=object)
    base = pd.DataFrame({"cluster_id": cluster_ids, "lead_id": lead_ids})
    recency = _timestamps(leads, roles)
    base["_ts"] = recency
    grouped = base.groupby("cluster_id", sort=True)
    golden = pd.DataFrame(
        {
            "n_leads": grouped.size(),
            "lead_ids": grouped["lead_id"].agg(lambda s: sorted(s.astype(str))),
        }
    )
    for role, judge in GOLDEN_ROLES.items():
        column = roles.get(role)
        if column is None:
            continue
        raw = leads[column].to_numpy(dtype=object)
        key = prepared[judge].to_numpy(dtype=object) if judge else _plain(raw)
        golden = golden.join(_survive(base, raw, key, role))
    if recency is not None:
        golden["first_seen"] = grouped["_ts"].min()
        golden["last_seen"] = grouped["_ts"].max()
    source = roles.get("source")
    if source is not None:
        base["_source"] = _plain(leads[source].to_numpy(dtype=object))
        golden["sources"] = base.groupby("cluster_id", sort=True)["_source"].agg(
            lambda s: sorted(set(s.dropna().astype(str)))
        )
    return golden.reset_index()


def _survive(base: pd.DataFrame, raw: np.ndarray, key: np.ndarray, role: str) -> pd.DataFrame:
    frame = base[["cluster_id", "lead_id", "_ts"]].copy()
    frame["_key"] = key
    frame["_raw"] = raw
    frame = frame[frame["_key"].notna()]
    if frame.empty:
        return pd.DataFrame(columns=[role, f"{role}_from"])
    frame["_count"] = frame.groupby(["cluster_id", "_key"])["lead_id"].transform("size")
    frame["_length"] = frame["_key"].astype(str).str.len()
    frame["_ts_sort"] = pd.to_datetime(frame["_ts"]).fillna(pd.Timestamp.min)
    frame = frame.sort_values(
        ["cluster_id", "_count", "_length", "_ts_sort", "lead_id"],
        ascending=[True, False, False, False, True],
        kind="stable",
    )
    chosen = frame.drop_duplicates("cluster_id").set_index("cluster_id")
    return pd.DataFrame({role: chosen["_raw"], f"{role}_from": chosen["lead_id"]})


def _timestamps(leads: pd.DataFrame, roles: Mapping[str, str]) -> pd.Series | None:
    column = roles.get("created_at")
    if column is None:
        return None
    stamps = pd.to_datetime(leads[column], errors="coerce", utc=True, format="mixed")
    return pd.Series(stamps.dt.tz_localize(None).to_numpy(), dtype="datetime64[ns]")


def _plain(values: np.ndarray) -> np.ndarray:
    """Raw values with blanks as missing, for roles that have no normaliser."""
    out = values.copy()
    for i, value in enumerate(out):
        if (
            value is None
            or (isinstance(value, float) and np.isnan(value))
            or (isinstance(value, str) and not value.strip())
        ):
            out[i] = None
    return out
