"""How :meth:`leadlink.LeadIndex.match` ranks and explains the leads a record may be: the
result it returns, the probability that the record is each found cluster's person, and the
candidates best first with why each matches (field by field)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from leadlink._index_files import jsonable
from leadlink.match import DEFAULT_THRESHOLD
from leadlink.merge import IncrementalClusters, contradicted

__all__ = ["SHOWN_FROM", "MatchResult", "cluster_probabilities", "ranked"]

#: Candidates at or above this probability are shown as duplicates by default.
SHOWN_FROM = 0.2


@dataclass
class MatchResult:
    """What :meth:`LeadIndex.match` found for one record.

    Attributes:
        candidates: existing leads, best first (by ``cluster_probability``, then by
            ``match_weight``): ``id``, ``match_probability`` and
            ``match_weight`` (the pair's, as batch scores it), ``cluster_probability``
            (that the record is this lead's person rather than another candidate's or
            someone new: see :meth:`LeadIndex.match`), ``cluster_id``, ``golden`` (the
            cluster's golden record) and ``why`` (per compared field: the level it agreed
            at, its weight in bits and what the level means).
        flagged: the record is a ghost (junk or a test entry), so it was not matched.
        problems: the record's problem codes (``phone.invalid``, ``name.placeholder`` ...).
        threshold: the index's match threshold: a candidate at or above it is the same
            person (or organisation) by the model's decision.
    """

    candidates: list[dict[str, Any]] = field(default_factory=list)
    flagged: bool = False
    problems: list[str] = field(default_factory=list)
    threshold: float = DEFAULT_THRESHOLD

    @property
    def duplicate(self) -> bool:
        """Whether the best candidate's ``cluster_probability`` reaches the threshold (the
        candidates come in its order, so: whether any candidate's does)."""
        return bool(self.candidates) and (
            self.candidates[0]["cluster_probability"] >= self.threshold
        )

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-ready data."""
        return {
            "flagged": self.flagged,
            "problems": list(self.problems),
            "duplicate": self.duplicate,
            "threshold": self.threshold,
            "candidates": jsonable(self.candidates),
        }


def ranked(
    pairs: Any,
    own: str,
    top: int,
    *,
    clusters: IncrementalClusters,
    threshold: float,
    descriptions: Mapping[tuple[str, str], str],
    golden_of: Callable[[str], dict[str, Any] | None],
) -> list[dict[str, Any]]:
    """The best ``top`` candidates of a record (``own``: its id in ``pairs``) as
    :class:`MatchResult` lists them, from its scored ``pairs``
    (:meth:`~leadlink.match.CandidateIndex.score_columns`' plain arrays): the clusters of
    the other leads from ``clusters``, each level's meaning from ``descriptions``, each
    cluster's golden record from ``golden_of``. Plain arrays: a record has a few dozen
    pairs at most, and pandas' set-up per column read cost more than scoring them all."""
    if not len(pairs):
        return []
    others = [r if lf == own else lf for lf, r in zip(pairs.id_l.tolist(), pairs.id_r.tolist())]
    found_in = [clusters.cluster_of(str(other)) for other in others]
    among = cluster_probabilities(pairs, found_in, clusters.cannot_link_below)
    # only the pairs shown are read: the best `top` of those at or above `shown`
    shown = min(SHOWN_FROM, threshold)
    kept = np.flatnonzero(pairs.match_probability >= shown)
    # best first: the surest person (cluster) first, then by the pair's weight (stable:
    # ties keep the pairs' order); a lead whose cluster the record contradicts comes
    # after the others however close the pair alone is
    surety = np.array([among[found_in[i]] for i in kept.tolist()], dtype=float)
    weight = pairs.match_weight[kept]
    best = kept[np.lexsort((-weight, -surety))][:top]
    levels = pairs.levels[:, best].tolist()
    weights = pairs.weights[:, best].tolist()
    probability = pairs.match_probability[best].tolist()
    match_weight = pairs.match_weight[best].tolist()
    rules = pairs.rule[best].tolist()
    out = []
    for j, i in enumerate(best.tolist()):
        cluster = found_in[i]
        why = []
        for k, display in enumerate(pairs.displays):
            level = pairs.level_names[k][levels[k][j]]
            if level == "null":
                continue
            why.append(
                {
                    "role": display,
                    "level": level,
                    "weight": round(weights[k][j], 2),
                    "description": descriptions.get((display, level), level),
                }
            )
        why.sort(key=lambda item: -abs(float(str(item["weight"]))))
        out.append(
            {
                "id": str(others[i]),
                "match_probability": round(probability[j], 6),
                "match_weight": round(match_weight[j], 4),
                "cluster_probability": round(among[cluster], 6),
                "cluster_id": cluster,
                "golden": dict(golden_of(cluster) or {}),
                "why": why,
                "rule": str(rules[j] or ""),
            }
        )
    return out


def cluster_probabilities(pairs: Any, clusters: list[str], below: float) -> dict[str, float]:
    """Per cluster found (``clusters``: each pair's other lead's), the probability that
    the record is that cluster's person rather than another found cluster's or someone
    new (see :meth:`LeadIndex.match <leadlink.LeadIndex.match>`): the odds of its best pair over one plus the sum of every
    cluster's. A certain pair (a must-link rule, or a probability that rounds to 1)
    shares the certainty with the other certain ones only.

    A cluster that holds a lead the record contradicts (a pair scored below the
    clusters' ``cannot_link_below`` (``below``) with a comparison against it, or a never-link
    rule: see :func:`leadlink.merge.cluster_pairs`) is not the record's person, as
    clustering would not let the record join it, unless the record's best pair with
    it is surer of one person than the contradiction is of two (at or above
    1 - ``below``: the same mobile, the same mailbox): it gets 0 and is
    left out of the sum. A 王伟 at a company who gives its switchboard is not the
    王伟 there whose own mobile is another one."""
    probability = pairs.match_probability
    conflict = probability < below
    low = np.flatnonzero(conflict)
    if len(low):  # the contradiction test reads the low pairs only
        never = [rule.startswith("never_link") for rule in pairs.rule[low].tolist()]
        spoken = (
            _speaks_against(pairs.weights[:, low].min(axis=0).tolist())
            if len(pairs.weights)
            else [True] * len(low)  # no comparison weights: the probability decides
        )
        conflict[low] = [s or n for s, n in zip(spoken, never)]
    best: dict[str, float] = {}
    against: set[str] = set()
    for cluster, p, conflicts in zip(clusters, probability.tolist(), conflict.tolist()):
        best[cluster] = max(best.get(cluster, 0.0), p)
        if conflicts:
            against.add(cluster)
    possible = {c: p for c, p in best.items() if c not in against or p >= 1.0 - below}
    certain = [c for c, p in possible.items() if p >= 1.0]
    if certain:
        return {c: 1.0 / len(certain) if c in certain else 0.0 for c in best}
    odds = {c: p / (1.0 - p) for c, p in possible.items()}
    total = 1.0 + sum(odds.values())
    return {c: odds.get(c, 0.0) / total for c in best}


def _speaks_against(lowest: list[float]) -> list[bool]:
    """Whether a comparison speaks against each pair (:func:`leadlink.merge.contradicted`,
    never-link rules aside), from each pair's lowest comparison weight: a comparison
    speaks against a pair when its weight is low enough, so the lowest one tells.

    The answer depends on that weight alone, and the weights of a model's levels are few,
    so it is kept per weight: a frame for ``contradicted`` to read is built only for a
    weight not seen yet (building one cost more than the rest of a match's ranking).
    """
    known = {weight: _AGAINST.get(weight) for weight in lowest}
    unseen = [weight for weight, against in known.items() if against is None]
    if unseen:
        frame = pd.DataFrame({"lowest_weight": np.array(unseen, dtype=float)})
        found = dict(zip(unseen, contradicted(frame).tolist()))
        known |= found
        if len(_AGAINST) + len(found) > _AGAINST_KEPT:
            _AGAINST.clear()
        _AGAINST.update(found)
    return [bool(known[weight]) for weight in lowest]


#: :func:`_speaks_against`'s answers by lowest weight, shared by the indexes of a process
#: (it depends on the weight alone); emptied when it would hold more than _AGAINST_KEPT.
_AGAINST: dict[float, bool] = {}
_AGAINST_KEPT = 100_000
