"""Which cluster each lead is in: a clusters table lined up with the prepared leads.

Golden records and the review both take a clusters table as users hold it (one row per
lead, any order, ``DedupeResult.clusters`` or a corrected copy) and need the cluster of
every prepared lead in the prepared table's order; both read it from here, so a clusters
table is accepted or refused the same way everywhere.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

from leadlink._i18n import say
from leadlink._values import id_text
from leadlink.errors import InputError

__all__ = [
    "aligned_clusters",
    "cluster_codes",
    "group_starts",
    "pair_positions",
    "placed_pairs",
]


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
    ids = _id_texts(clusters[others[0]])
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


def _id_texts(column: pd.Series) -> np.ndarray:
    """``column.map(id_text)``: a column of texts only (the ids of ``DedupeResult.clusters``)
    is stripped without the checks for floats, three times faster at a million leads."""
    values = column.to_numpy(dtype=object)
    if infer_dtype(values, skipna=False) != "string":
        return column.map(id_text).to_numpy(dtype=object)
    stripped = np.empty(len(values), dtype=object)
    stripped[:] = [str(value).strip() for value in values.tolist()]
    return stripped


def cluster_codes(cluster_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize(cluster_ids, sort=True)``: a code per lead and the cluster ids in
    order, as an object array. Texts are numbered unsorted and only the distinct ids are
    sorted, by Arrow (in code point order, as Python compares texts): pandas' sort of
    half a million Python texts took four seconds at a million leads, and the review,
    the review queue and the conflicts each made it.

    >>> codes, names = cluster_codes(np.array(["b", "a", "b"], dtype=object))
    >>> codes.tolist(), names.tolist()
    ([1, 0, 1], ['a', 'b'])
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    values = np.asarray(cluster_ids, dtype=object)
    if infer_dtype(values, skipna=False) == "string":
        codes, uniques = pd.factorize(values)
        distinct = np.asarray(uniques, dtype=object)
        try:  # a text Arrow cannot hold (a lone surrogate) is sorted by pandas
            order = pc.sort_indices(pa.array(distinct, type=pa.large_string())).to_numpy()
        except (pa.ArrowException, UnicodeError):
            pass
        else:
            rank = np.empty(len(order), dtype=np.intp)
            rank[order] = np.arange(len(order), dtype=np.intp)
            return rank[codes], distinct[order]
    codes, uniques = pd.factorize(values, sort=True)
    return codes, np.asarray(uniques, dtype=object)


def group_starts(sorted_codes: np.ndarray) -> np.ndarray:
    """True where a run of equal codes starts (the first member of each cluster once the
    leads are sorted by cluster)."""
    starts = np.ones(len(sorted_codes), dtype=bool)
    starts[1:] = sorted_codes[1:] != sorted_codes[:-1]
    return starts


def pair_positions(pairs: pd.DataFrame, lead_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The positions in ``lead_ids`` (unique texts) of each pair's ``id_l`` and ``id_r``,
    -1 for an id that is not there. Ids that are all texts are looked up by Arrow (a third
    less time than pandas' hash table of Python texts at millions of pairs); others as
    their text, by pandas, each distinct id once."""
    return placed_pairs(pairs, lead_ids)[0]


def placed_pairs(
    pairs: pd.DataFrame, lead_ids: np.ndarray
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[Any, Any] | None]:
    """:func:`pair_positions`, and the pairs' ``id_l`` and ``id_r`` as the Arrow arrays
    of text they were looked up as (what Arrow makes of those columns: pairs.parquet is
    written from them, so that millions of Python texts are converted once); None when
    the ids are not all texts."""
    import pyarrow as pa
    import pyarrow.compute as pc

    sides = [pairs[side].to_numpy(dtype=object) for side in ("id_l", "id_r")]
    if all(infer_dtype(ids, skipna=False) == "string" for ids in sides):
        try:
            known = pa.array(np.asarray(lead_ids, dtype=object), type=pa.string())
            texts = [pa.array(ids, type=pa.string()) for ids in sides]
            # both sides in one look-up: the set of a million ids is hashed once, not twice
            found = pc.index_in(pa.chunked_array(texts), value_set=known)
        except (pa.ArrowException, UnicodeError):
            pass
        else:
            both = found.fill_null(-1).to_numpy().astype(np.intp)
            return (both[: len(texts[0])], both[len(texts[0]) :]), (texts[0], texts[1])
    left, right = (pairs[side].astype(str).to_numpy(dtype=object) for side in ("id_l", "id_r"))
    codes, distinct = pd.factorize(np.concatenate([left, right]))
    positions = pd.Index(lead_ids).get_indexer(distinct)[codes]
    return (positions[: len(left)], positions[len(left) :]), None
