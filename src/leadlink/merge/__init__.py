"""Merge (线索合并): cluster scored pairs, survive one golden record per person, review and
correct the clusters.

Reads the base modules and :mod:`leadlink.clean` (validation feeds survivorship); it never
imports Splink: it works on the pair table the model produced.

* :func:`cluster_pairs` — clusters from scored pairs, resisting chains through shared lines;
* :func:`golden_records`, :func:`lineage`, :func:`conflicts` — survivorship by a registry of
  rules (:class:`SurvivorshipPolicy`);
* :func:`review_clusters` — the short, ranked queue of clusters worth a look;
* :func:`merge`, :func:`split`, :func:`unmerge` — an analyst's corrections.
"""

from __future__ import annotations

from leadlink.merge._cluster import (
    DEFAULT_CANNOT_LINK_BELOW,
    cluster_id_for,
    cluster_pairs,
)
from leadlink.merge._golden import (
    SurvivorshipPolicy,
    conflicts,
    golden_records,
    lineage,
    merge,
    split,
    unmerge,
)
from leadlink.merge._review import (
    DEFAULT_LARGE,
    DEFAULT_WEAK_BELOW,
    ReviewReason,
    review_clusters,
)

__all__ = [
    "DEFAULT_CANNOT_LINK_BELOW",
    "DEFAULT_LARGE",
    "DEFAULT_WEAK_BELOW",
    "ReviewReason",
    "SurvivorshipPolicy",
    "cluster_id_for",
    "cluster_pairs",
    "conflicts",
    "golden_records",
    "lineage",
    "merge",
    "review_clusters",
    "split",
    "unmerge",
]
