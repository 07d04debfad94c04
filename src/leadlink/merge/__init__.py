"""Merge (线索合并): cluster scored pairs, survive one golden record per person, review and
correct the clusters.

Reads the base modules and :mod:`leadlink.clean` (validation feeds survivorship); it never
imports Splink: it works on the pair table the model produced.

* :func:`cluster_pairs` — clusters from scored pairs, resisting chains through shared lines;
  :func:`contradicted` — the pairs it takes as two people when they score low;
* :class:`SurvivorshipPolicy` — which value survives, per role, by rules from the registry
  :data:`RULES` (defaults: :data:`DEFAULT_RULES`);
* :func:`golden_records`, :func:`lineage`, :func:`conflicts` — one record per person, where
  each value came from, and where members disagree; :func:`refresh_golden` rebuilds only
  the records of clusters that changed;
* :class:`IncrementalClusters` — the same clusters kept current as leads are added, removed
  and updated one at a time (the real-time index);
* :func:`review_clusters` — every cluster worth a look, with its reasons;
* :func:`review_queue` — the uncertain decisions ranked by the leads (or value) they put
  at stake, a queue of the size asked for and a summary of the rest (:class:`ReviewQueue`);
* :func:`merge`, :func:`split`, :func:`unmerge` — an analyst's corrections;
* :func:`read_decisions`, :func:`apply_decisions` — an analyst's labels on pairs (match /
  non-match) kept as decisions that every later run honours;
* :func:`find_leads`, :func:`without_leads`, :func:`rebuild_clusters` — erasing a person
  (PIPL, GDPR) from the outputs, reported as an :class:`Erasure`; ``leadlink.erase`` runs
  them on a result or an output folder.

Inside, imports go one way: ``_members`` (clusters lined up with leads) and ``_cluster``
depend on nothing here; ``_survivorship`` (the policy and its rules) on nothing here;
``_golden`` on ``_members`` and ``_survivorship``; ``_review`` on ``_members``;
``_queue`` on ``_members`` and ``_review``;
``_corrections`` and ``_incremental`` on ``_cluster``; ``_decisions`` on nothing here; ``_erase`` on ``_cluster``, ``_golden``, ``_review`` and
``_survivorship``.

Import from it with ``from leadlink.merge import cluster_pairs``: the attribute
``leadlink.merge`` is the public function :func:`leadlink.merge` (an analyst's merge of
clusters), whose name is older than this folder.
"""

from __future__ import annotations

from leadlink.merge._cluster import (
    DEFAULT_CANNOT_LINK_BELOW,
    cluster_id_for,
    cluster_pairs,
)
from leadlink.merge._cluster import _contradicted as contradicted
from leadlink.merge._corrections import merge, split, unmerge
from leadlink.merge._decisions import (
    DECIDED_WEIGHT,
    DecisionsLike,
    apply_decisions,
    read_decisions,
)
from leadlink.merge._erase import (
    Erasure,
    find_leads,
    holders_from_leads,
    holders_from_outputs,
    rebuild_clusters,
    without_leads,
)
from leadlink.merge._golden import (
    conflicts,
    golden_records,
    lineage,
    lineage_layout,
    refresh_golden,
)
from leadlink.merge._incremental import IncrementalClusters
from leadlink.merge._members import pair_positions
from leadlink.merge._queue import (
    DEFAULT_NEAR_FROM,
    DEFAULT_QUEUE_SIZE,
    ReviewQueue,
    review_queue,
)
from leadlink.merge._review import (
    DEFAULT_LARGE,
    DEFAULT_WEAK_BELOW,
    ReviewContext,
    ReviewReason,
    review_clusters,
)
from leadlink.merge._survivorship import DEFAULT_RULES, RULES, SurvivorshipPolicy

__all__ = [
    "DECIDED_WEIGHT",
    "DEFAULT_CANNOT_LINK_BELOW",
    "DEFAULT_LARGE",
    "DEFAULT_NEAR_FROM",
    "DEFAULT_QUEUE_SIZE",
    "DEFAULT_RULES",
    "DEFAULT_WEAK_BELOW",
    "RULES",
    "DecisionsLike",
    "Erasure",
    "IncrementalClusters",
    "ReviewContext",
    "ReviewQueue",
    "ReviewReason",
    "SurvivorshipPolicy",
    "apply_decisions",
    "cluster_id_for",
    "cluster_pairs",
    "conflicts",
    "contradicted",
    "find_leads",
    "golden_records",
    "holders_from_leads",
    "holders_from_outputs",
    "lineage",
    "lineage_layout",
    "merge",
    "pair_positions",
    "read_decisions",
    "rebuild_clusters",
    "refresh_golden",
    "review_clusters",
    "review_queue",
    "split",
    "unmerge",
    "without_leads",
]
