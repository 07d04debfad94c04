"""Which cluster each lead is in: a clusters table lined up with the prepared leads.

Golden records and the review both take a clusters table as users hold it (one row per
lead, any order, ``DedupeResult.clusters`` or a corrected copy) and need the cluster of
every prepared lead in the prepared table's order; both read it from here, so a clusters
table is accepted or refused the same way everywhere.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from leadlink._i18n import say
from leadlink._values import id_text
from leadlink.errors import InputError

__all__ = ["aligned_clusters", "group_starts", "pair_positions"]


def aligned_clusters(lead_ids: np.ndarray, clusters: pd.DataFrame) -> np.ndarray:
    """The cluster id of every prepared lead, matched by lead id.

    ``clusters`` holds ``cluster_id`` and one lead id column; with other columns beside
    them it is taken as aligned row by row.
    """
    if not isinstance(clusters, pd.DataFrame) or "cluster_id" not in clusters.columns:
        raise InputError(
            say(
                "clusters must be a DataFrame with a lead id column and cluster_id, "
                "like DedupeResult.clusters",
                "clusters 须为含线索 ID 列和 cluster_id 列的 DataFrame，如 DedupeResult.clusters",
            )
        )
    if len(clusters) != len(lead_ids):
        raise InputError(
            say(
                f"clusters has {len(clusters)} rows for {len(lead_ids)} leads; every lead needs "
                "exactly one cluster",
                f"clusters 有 {len(clusters)} 行，而线索有 {len(lead_ids)} 条；"
                "每条线索须恰好属于一个簇",
            )
        )
    if clusters["cluster_id"].isna().any():
        raise InputError(
            say(
                "some leads have no cluster_id; every lead needs exactly one cluster",
                "有线索没有 cluster_id；每条线索须恰好属于一个簇",
            )
        )
    others = [c for c in clusters.columns if c != "cluster_id"]
    cluster_ids = clusters["cluster_id"].to_numpy(dtype=object)
    if len(others) != 1:
        return cluster_ids  # no single id column: aligned row by row
    ids = clusters[others[0]].map(id_text).to_numpy(dtype=object)
    if np.array_equal(ids, lead_ids.astype(str)):
        return cluster_ids
    found = pd.Index(ids).get_indexer(lead_ids.astype(str))
    if (found < 0).any():
        raise InputError(
            say(
                f"{int((found < 0).sum())} lead(s) of prepared are not in clusters; pass the "
                "clusters of these leads",
                f"prepared 中有 {int((found < 0).sum())} 条线索不在 clusters 中；请传入这些线索的 "
                "clusters",
            )
        )
    return cluster_ids[found]


def group_starts(sorted_codes: np.ndarray) -> np.ndarray:
    """True where a run of equal codes starts (the first member of each cluster once the
    leads are sorted by cluster)."""
    starts = np.ones(len(sorted_codes), dtype=bool)
    starts[1:] = sorted_codes[1:] != sorted_codes[:-1]
    return starts


def pair_positions(pairs: pd.DataFrame, lead_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The positions in ``lead_ids`` (unique texts) of each pair's ``id_l`` and ``id_r``,
    -1 for an id that is not there. The ids of both sides are numbered first and each
    distinct id is looked up once: a lead is in many pairs, and this takes half the time
    of looking up every end."""
    left, right = (pairs[side].astype(str).to_numpy(dtype=object) for side in ("id_l", "id_r"))
    codes, distinct = pd.factorize(np.concatenate([left, right]))
    found = pd.Index(lead_ids).get_indexer(distinct)[codes]
    return found[: len(left)], found[len(left) :]
