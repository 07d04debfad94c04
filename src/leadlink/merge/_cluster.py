"""Clustering scored pairs into people, resisting chains.

Plain connected components at a threshold chain people together: one shared switchboard or
one common name links colleague to colleague until a cluster holds a department.
:func:`cluster_pairs` therefore merges greedily, strongest link first, and refuses a merge
when the two groups hold a pair of leads that the model scored as clearly different people
(``match_probability`` below ``cannot_link_below``): a link between two groups must not
contradict what is known about their other members. With ``cannot_link_below=0`` it is
plain connected components. Every lead — linked or not, ghost or not — gets exactly one
cluster.

A low score is a contradiction only when some comparison speaks against the pair (a
weight of ``CONTRADICTION_WEIGHT`` or less: two different personal mobiles, two extensions
of one switchboard, two different names) or a never-link rule decided it. A lead with no
name that shares only a switchboard with another scores low for lack of evidence, and that
does not keep it out of a group.
Pairs without per-comparison weights (``<role>_weight`` columns) are judged by their
probability alone.

Cluster ids are derived from the members, not from a counter: a cluster's id is a hash of its
smallest member id. The same leads therefore always get the same ids, whatever their order;
when new leads arrive, a cluster keeps its id unless a lead with a smaller id joins it or
two clusters merge (then the merged cluster takes the id of the one holding the smallest id).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from leadlink._graph import component_roots
from leadlink._i18n import say
from leadlink.errors import ConfigError

__all__ = ["cluster_id_for", "cluster_pairs"]


#: Pairs scored below this probability are taken as different people when clustering.
DEFAULT_CANNOT_LINK_BELOW = 0.05
#: A comparison with this match weight or less speaks against a pair (a Bayes factor of
#: 1/2: what it shows is at least twice as likely for two different people).
CONTRADICTION_WEIGHT = -1.0


def cluster_pairs(
    ids: Sequence[str] | pd.Series,
    pairs: pd.DataFrame,
    *,
    threshold: float,
    cannot_link_below: float | None = None,
) -> pd.DataFrame:
    """Cluster the leads linked by pairs with ``match_probability >= threshold``.

    Links are merged strongest first; a merge is refused when any pair across the two
    groups scored below ``cannot_link_below`` with a comparison against it, or was
    decided by a never-link rule (see the module docstring). ``cannot_link_below``
    defaults to :data:`DEFAULT_CANNOT_LINK_BELOW`, or to the threshold when that is lower:
    a threshold of 0 links every scored pair.
    Returns one row per id, in the order given: ``id`` and ``cluster_id``.
    """
    cannot_link_below = checked_limits(threshold, cannot_link_below)
    id_array = np.asarray(list(ids), dtype=object)
    position = pd.Index(id_array)
    left = position.get_indexer(pairs["id_l"])
    right = position.get_indexer(pairs["id_r"])
    probability = pairs["match_probability"].to_numpy(dtype=float)
    known = (left >= 0) & (right >= 0)
    left, right, probability = left[known], right[known], probability[known]
    # A never-link rule or decision is never a link, at any threshold (0 included), and
    # always keeps the two groups apart.
    never_all = _never_linked(pairs)
    never = never_all[known]
    strong = (probability >= threshold) & ~never
    # Strongest first; ties broken by the ids, so the result ignores row order.
    order = np.lexsort(
        (
            id_array[right[strong]].astype(str),
            id_array[left[strong]].astype(str),
            -probability[strong],
        )
    )
    conflicts = ((probability < cannot_link_below) & _contradicted(pairs, never_all)[known]) | never
    # A conflict matters only between two leads that some link would put in a group.
    linked = np.zeros(len(id_array), dtype=bool)
    linked[left[strong]] = True
    linked[right[strong]] = True
    conflicts &= linked[left] & linked[right]
    roots = _roots(
        len(id_array),
        left[strong][order],
        right[strong][order],
        left[conflicts],
        right[conflicts],
    )
    # Name each component after its smallest member id, so ids ignore row order.
    text = id_array.astype(str)
    order = np.argsort(text, kind="stable")
    components, first = np.unique(roots[order], return_index=True)
    names = np.array([cluster_id_for(t) for t in text[order[first]]], dtype=object)
    cluster_ids = names[np.searchsorted(components, roots)]
    return pd.DataFrame({"id": id_array, "cluster_id": cluster_ids})


def checked_limits(threshold: float, cannot_link_below: float | None) -> float:
    """``cannot_link_below`` as clustering uses it (the default filled in) after checking
    both limits: a probability threshold, and a floor between 0 and the threshold."""
    if not 0 <= threshold <= 1:
        raise ConfigError(
            say(
                f"threshold must be a match probability in [0, 1], not {threshold}",
                f"threshold 须为 [0, 1] 之间的匹配概率，而不是 {threshold}",
            )
        )
    if cannot_link_below is None:
        cannot_link_below = min(DEFAULT_CANNOT_LINK_BELOW, threshold)
    if not 0 <= cannot_link_below <= threshold:
        raise ConfigError(
            say(
                f"cannot_link_below must be between 0 and the threshold ({threshold}), "
                f"not {cannot_link_below}",
                f"cannot_link_below 须在 0 与 threshold（{threshold}）之间，"
                f"而不是 {cannot_link_below}",
            )
        )
    return cannot_link_below


def _contradicted(pairs: pd.DataFrame, never: np.ndarray | None = None) -> np.ndarray:
    """Whether each pair has a comparison against it or a never-link rule decided it; all
    True when the pairs carry no per-comparison weights. ``never``: the pairs'
    :func:`_never_linked`, when known."""
    weights = [c for c in pairs.columns if c.endswith("_weight") and c != "match_weight"]
    if not weights:
        return np.ones(len(pairs), dtype=bool)
    against = np.zeros(len(pairs), dtype=bool)
    for column in weights:  # column by column: no copy of the pairs into one 2-D array
        against |= pairs[column].to_numpy(dtype=float) <= CONTRADICTION_WEIGHT
    return against | (_never_linked(pairs) if never is None else never)


def _never_linked(pairs: pd.DataFrame) -> np.ndarray:
    """Whether a never-link rule or an analyst's non-match decision decided each pair."""
    if "rule" not in pairs.columns:
        return np.zeros(len(pairs), dtype=bool)
    rule = pairs["rule"]
    if isinstance(rule.dtype, pd.CategoricalDtype):  # each rule's name read once
        named = rule.cat.categories.astype(str).str.startswith("never_link")
        codes = rule.cat.codes.to_numpy()
        return np.asarray(named, dtype=bool)[codes] & (codes >= 0)
    # one test per distinct rule (most pairs have none: "")
    codes, names = pd.factorize(rule, use_na_sentinel=True)
    named = np.array([str(name).startswith("never_link") for name in names], dtype=bool)
    return np.append(named, False)[codes]


def cluster_id_for(smallest_member: str) -> str:
    """The stable id of a cluster whose smallest member id is ``smallest_member``."""
    digest = hashlib.sha1(smallest_member.encode("utf-8")).hexdigest()
    return f"C{digest[:12]}"


def _roots(
    n: int,
    left: np.ndarray,
    right: np.ndarray,
    conflict_left: np.ndarray,
    conflict_right: np.ndarray,
) -> np.ndarray:
    """The root (smallest member) of every node's group after :func:`_constrained_components`
    over the links in the order given: what it returns, for the price of plain components
    wherever no conflict can refuse a merge.

    A conflict can only refuse a merge inside one connected component of the links, and the
    greedy merges in one component never depend on another's. So the plain components are
    found with array operations, and the greedy union-find runs only over the links of the
    components that hold both leads of some conflicting pair; every other component is one
    group, rooted at its smallest member as the union-find roots it.
    """
    roots = component_roots(n, left, right)
    inside = roots[conflict_left] == roots[conflict_right]
    if not inside.any():
        return roots
    disputed = np.zeros(n, dtype=bool)
    disputed[roots[conflict_left[inside]]] = True
    nodes = np.flatnonzero(disputed[roots])  # ascending: local numbers keep the order
    links = disputed[roots[left]]

    def local(positions: np.ndarray) -> np.ndarray:
        return np.searchsorted(nodes, positions)

    grouped = _constrained_components(
        len(nodes),
        local(left[links]),
        local(right[links]),
        local(conflict_left[inside]),
        local(conflict_right[inside]),
    )
    roots[nodes] = nodes[grouped]
    return roots


def _constrained_components(
    n: int,
    left: np.ndarray,
    right: np.ndarray,
    conflict_left: np.ndarray,
    conflict_right: np.ndarray,
) -> np.ndarray:
    """Union-find over the links in the order given, skipping a union when the two groups
    contain a conflicting pair; returns the root of every node."""
    parent = list(range(n))
    members: dict[int, list[int]] = {}
    against: dict[int, set[int]] = {}
    for a, b in zip(conflict_left.tolist(), conflict_right.tolist()):
        against.setdefault(a, set()).add(b)
        against.setdefault(b, set()).add(a)

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in zip(left.tolist(), right.tolist()):
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        group_a = members.get(ra, [ra])
        group_b = members.get(rb, [rb])
        if len(group_a) > len(group_b):
            ra, rb, group_a, group_b = rb, ra, group_b, group_a
        if against and _conflict(group_a, rb, against, find):
            continue
        keep, drop = (ra, rb) if ra < rb else (rb, ra)
        parent[drop] = keep
        members[keep] = group_a + group_b
        members.pop(drop, None)
    return np.array([find(i) for i in range(n)], dtype=np.int64)


def _conflict(group: list[int], other_root: int, against: dict[int, set[int]], find: Any) -> bool:
    """Whether a member of ``group`` conflicts with a member of the group of ``other_root``."""
    for node in group:
        for other in against.get(node, ()):
            if find(other) == other_root:
                return True
    return False
