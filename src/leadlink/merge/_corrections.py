"""An analyst's corrections to clusters: :func:`merge`, :func:`split` and :func:`unmerge`.

Each takes a clusters table (a lead id column and ``cluster_id``, ``DedupeResult.clusters``)
and returns a corrected copy, same rows in the same order. Cluster ids are recomputed the
way :func:`leadlink.merge.cluster_pairs` names clusters (a hash of the smallest
member id), so a correction that is undone gives back the very same ids, and a cluster the
correction did not touch keeps its id. Rebuild golden records from the result with
:func:`leadlink.merge.golden_records`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from leadlink._i18n import say
from leadlink._values import id_text
from leadlink.errors import InputError
from leadlink.merge._cluster import cluster_id_for
from leadlink.schema import check_ids

__all__ = ["merge", "split", "unmerge"]


def unmerge(
    clusters: pd.DataFrame, lead_ids: Iterable[Any], *, id_column: str | None = None
) -> pd.DataFrame:
    """Take ``lead_ids`` out of their clusters, each into a cluster of its own.

    Returns a copy of ``clusters`` (same rows, same order) with ``cluster_id`` recomputed
    for every cluster that changed, as :mod:`leadlink.merge._cluster` names clusters (a hash of
    the smallest member id). Rebuild golden records with
    :func:`leadlink.merge.golden_records`.
    """
    ids, cluster, id_col = cluster_members(clusters, id_column)
    wanted = _known_ids(ids, lead_ids, id_col)
    groups = cluster.to_numpy(dtype=object).copy()
    for position in wanted:
        groups[position] = ("single", ids[position])
    return _renamed(clusters, ids, groups)


def split(
    clusters: pd.DataFrame,
    groups: Iterable[Iterable[Any]],
    *,
    id_column: str | None = None,
) -> pd.DataFrame:
    """Split one cluster into the given groups of lead ids; members of the cluster left out
    of every group stay together as one more group. Ids are recomputed (see :func:`unmerge`).
    """
    ids, cluster, id_col = cluster_members(clusters, id_column)
    group_lists = [_known_ids(ids, group, id_col) for group in groups]
    if not group_lists or not any(group_lists):
        raise InputError(
            say(
                "split needs at least one non-empty group of lead ids",
                "split 至少需要一组非空的线索 ID",
            )
        )
    every = [p for g in group_lists for p in g]
    if len(every) != len(set(every)):
        raise InputError(
            say(
                "a lead id is in more than one group; each lead goes to one group",
                "有线索 ID 出现在多个组中；每条线索只能分到一个组",
            )
        )
    touched = set(cluster.iloc[every])
    if len(touched) > 1:
        raise InputError(
            say(
                f"the groups hold leads of {len(touched)} clusters; split one cluster at a time "
                "(use unmerge to take leads out of several clusters)",
                f"这些组中的线索来自 {len(touched)} 个簇；一次只能拆分一个簇"
                "（要把线索从多个簇中移出，请用 unmerge）",
            )
        )
    labels = cluster.to_numpy(dtype=object).copy()
    for number, group in enumerate(group_lists):
        for position in group:
            labels[position] = ("group", number)
    return _renamed(clusters, ids, labels)


def merge(
    clusters: pd.DataFrame, lead_ids: Iterable[Any], *, id_column: str | None = None
) -> pd.DataFrame:
    """Merge the clusters holding ``lead_ids`` into one (a manual "same person" decision).
    Ids are recomputed (see :func:`unmerge`); ``unmerge`` or ``split`` undo it."""
    ids, cluster, id_col = cluster_members(clusters, id_column)
    wanted = _known_ids(ids, lead_ids, id_col)
    if not wanted:
        raise InputError(
            say(
                "merge needs at least one lead id",
                "merge 至少需要一个线索 ID",
            )
        )
    labels = cluster.to_numpy(dtype=object).copy()
    joined = set(cluster.iloc[wanted])
    labels[cluster.isin(joined).to_numpy()] = "merged"
    return _renamed(clusters, ids, labels)


def cluster_members(
    clusters: pd.DataFrame, id_column: str | None
) -> tuple[np.ndarray, pd.Series, str]:
    """The lead ids (checked: present, unique), the cluster of each, and the id column."""
    if not isinstance(clusters, pd.DataFrame) or "cluster_id" not in clusters.columns:
        raise InputError(
            say(
                "clusters must be a DataFrame with a lead id column and cluster_id, "
                "like DedupeResult.clusters",
                "clusters 须为含线索 ID 列和 cluster_id 列的 DataFrame，如 DedupeResult.clusters",
            )
        )
    if id_column is None:
        others = [c for c in clusters.columns if c != "cluster_id"]
        if len(others) != 1:
            raise InputError(
                say(
                    f"clusters has columns {list(map(str, clusters.columns))}; say which holds "
                    "the lead ids with id_column=...",
                    f"clusters 的列为 {list(map(str, clusters.columns))}；请用 id_column=... "
                    "指明哪一列是线索 ID",
                )
            )
        id_column = str(others[0])
    ids = check_ids(clusters, id_column).to_numpy(dtype=object)
    return ids, clusters["cluster_id"].reset_index(drop=True), id_column


def _known_ids(ids: np.ndarray, wanted: Iterable[Any], id_column: str) -> list[int]:
    """Positions of ``wanted`` among ``ids``, sorted; an unknown id is an error rather
    than ignored, so a typo does not silently leave a cluster as it was."""
    if isinstance(wanted, (str, bytes)):
        raise InputError(
            say(
                f"give lead ids as a list, e.g. [{str(wanted)!r}], not a string",
                f"线索 ID 请以列表形式给出，例如 [{str(wanted)!r}]，而不是字符串",
            )
        )
    position = pd.Index(ids)
    texts = [id_text(value) for value in wanted]
    found = position.get_indexer(texts)
    missing = [t for t, p in zip(texts, found) if p < 0]
    if missing:
        raise InputError(
            say(
                f"{len(missing)} lead id(s) are not in {id_column!r} of clusters "
                f"(the first: {missing[0]!r})",
                f"有 {len(missing)} 个线索 ID 不在 clusters 的 {id_column!r} 列中"
                f"（第一个：{missing[0]!r}）",
            )
        )
    return sorted(set(found.tolist()))


def _renamed(clusters: pd.DataFrame, ids: np.ndarray, labels: np.ndarray) -> pd.DataFrame:
    """``clusters`` with each group of equal labels named after its smallest member id."""
    codes, _ = pd.factorize(pd.Series(labels, dtype=object).map(repr))
    order = np.argsort(ids.astype(str), kind="stable")
    smallest: dict[int, str] = {}
    for i in order:
        smallest.setdefault(int(codes[i]), str(ids[i]))
    out = clusters.copy()
    out["cluster_id"] = [cluster_id_for(smallest[int(c)]) for c in codes]
    return out
