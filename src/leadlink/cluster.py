"""Clustering scored pairs into people.

:func:`cluster_pairs` links every pair at or above the threshold and takes connected
components. Every lead — linked or not, ghost or not — gets exactly one cluster.

Cluster ids are derived from the members, not from a counter: a cluster's id is a hash of its
smallest member id. The same leads therefore always get the same ids, whatever their order;
when new leads arrive, a cluster keeps its id unless a lead with a smaller id joins it or
two clusters merge (then the merged cluster takes the id of the one holding the smallest id).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import pandas as pd

from leadlink.errors import ConfigError

__all__ = ["cluster_id_for", "cluster_pairs"]


def cluster_pairs(
    ids: Sequence[str] | pd.Series,
    pairs: pd.DataFrame,
    *,
    threshold: float,
) -> pd.DataFrame:
    """Connected components of the pairs with ``match_probability >= threshold``.

    Returns one row per id, in the order given: ``id`` and ``cluster_id``.
    """
    if not 0 <= threshold <= 1:
        raise ConfigError(f"threshold must be a match probability in [0, 1], not {threshold}")
    id_array = np.asarray(list(ids), dtype=object)
    position = pd.Index(id_array)
    linked = pairs.loc[pairs["match_probability"] >= threshold, ["id_l", "id_r"]]
    left = position.get_indexer(linked["id_l"])
    right = position.get_indexer(linked["id_r"])
    known = (left >= 0) & (right >= 0)
    roots = _components(len(id_array), left[known], right[known])
    # Name each component after its smallest member id, so ids ignore row order.
    order = np.argsort(id_array.astype(str), kind="stable")
    smallest: dict[int, str] = {}
    for i in order:
        smallest.setdefault(int(roots[i]), str(id_array[i]))
    cluster_ids = [cluster_id_for(smallest[int(r)]) for r in roots]
    return pd.DataFrame({"id": id_array, "cluster_id": cluster_ids})


def cluster_id_for(smallest_member: str) -> str:
    """The stable id of a cluster whose smallest member id is ``smallest_member``."""
    digest = hashlib.sha1(smallest_member.encode("utf-8")).hexdigest()
    return f"C{digest[:12]}"


def _components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Union-find with path halving; returns the root of every node."""
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in zip(left.tolist(), right.tolist()):
        ra, rb = find(a), find(b)
        if ra != rb:
            if ra < rb:
                parent[rb] = ra
            else:
                parent[ra] = rb
    return np.array([find(i) for i in range(n)], dtype=np.int64)
