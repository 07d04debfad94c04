"""Clusters kept current one lead at a time, with the rules of :func:`cluster_pairs`.

The real-time index adds, removes and updates leads one by one; re-clustering every pair of
the base on each change would take as long as a batch run. :class:`IncrementalClusters`
keeps, per lead, what clustering needs of its scored pairs — its links (the other lead and
the match probability) and its contradictions (the other lead: a comparison spoke against the
pair, or a never-link rule decided it) — so a change re-clusters only the leads it can affect,
from stored pairs, with no rescoring. A pair that is neither never changes a cluster and is
not kept.

Which leads can a change affect? :func:`cluster_pairs` merges only along links (pairs at or
above the threshold) and checks conflicts only between the two groups it is merging, so its
answer on one connected component of the links never depends on another component. A change
therefore re-clusters, with the batch algorithm, the linked component of the lead it touches
(for an addition, the component the new lead joins; for a removal, what is left of the
component it leaves). While that component holds at most ``component_limit`` leads the result
is exactly what :func:`cluster_pairs` gives on all the stored pairs — whatever order the
leads arrived in. (The pairs themselves are another matter: a lead is scored against the
leads present when it arrives, so what order-independence the whole index has also depends
on how it finds and scores candidates.)

A component larger than that (one switchboard or one very common name can link a thousand
leads) is not re-clustered whole, to keep a change cheap: an addition then re-clusters the
clusters the new lead links to, plus the new lead; a removal, the lead's former cluster and
the clusters of the leads it was scored against. That stays close to batch, but there the
answer can depend on arrival order: a lead freed from one cluster by a new contradiction is
not offered to clusters that the new lead does not link to, and two clusters kept apart only
by a removed lead's contradiction stay apart unless it was scored against both.

Cluster ids are :func:`cluster_id_for` of the smallest member id, as in batch: a cluster keeps
its id while its smallest member stays, whatever else arrives.

What the clusters start from (built from scored pairs, or loaded with
:meth:`IncrementalClusters.from_columns`) is held as arrays — each lead's cluster, each
cluster's leads and each lead's pairs in compressed rows (:class:`_Frozen`) — since a dict
per lead and a set per cluster cost over a kilobyte a lead and seconds per hundred thousand
leads to rebuild. A lead or cluster becomes a dict of its own only when a change touches
it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, MutableMapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from leadlink._i18n import say
from leadlink.errors import ColumnError, ConfigError, InputError
from leadlink.merge._cluster import (
    _constrained_components,
    _contradicted,
    _never_linked,
    checked_limits,
    cluster_id_for,
    cluster_pairs,
)

__all__ = ["DEFAULT_COMPONENT_LIMIT", "IncrementalClusters"]

#: Linked components up to this many leads are re-clustered whole on a change (exactly as
#: batch); larger ones only around the change (see the module docstring).
DEFAULT_COMPONENT_LIMIT = 2000
#: Version of the dictionary :meth:`IncrementalClusters.state` returns.
STATE_VERSION = 1

# What is kept of a scored pair is one float (about half the memory of a tuple holding the
# probability and two flags): a link keeps its probability (at or above the threshold, so
# never negative), a contradiction is _CONFLICT. A link is never a contradiction: a
# contradiction scored below cannot_link_below, which is at most the threshold, or was
# decided by a never-link rule, which is never a link.
_CONFLICT = -1.0
# The pairs of a lead that has none (never changed).
_NONE: dict[str, float] = {}
# (id, id, kept) for each pair worth keeping.
_Kept = list[tuple[str, str, float]]


class IncrementalClusters:
    """Clusters of leads, kept current as leads are added, removed and updated.

    Starts as ``cluster_pairs(ids, pairs, threshold=..., cannot_link_below=...)`` would
    (or from ``cluster_ids``, each lead's cluster id in the order of ``ids``, when the caller
    holds those clusters already, as a :func:`leadlink.dedupe` result does: clustering a
    million leads again takes seconds); every change afterwards gives what
    :func:`cluster_pairs` would give on the leads and pairs held then, as long as the
    linked component the change touches holds at most
    ``component_limit`` leads (see the module docstring for what happens beyond).

    >>> pairs = pd.DataFrame(
    ...     {"id_l": ["a", "b"], "id_r": ["b", "c"], "match_probability": [0.99, 0.9]}
    ... )
    >>> clusters = IncrementalClusters(["a", "b", "c"], pairs, threshold=0.5)
    >>> clusters.members(clusters.cluster_of("c"))
    ['a', 'b', 'c']
    >>> clusters.remove("b") == sorted({cluster_id_for("a"), cluster_id_for("c")})
    True
    >>> clusters.cluster_of("c") == cluster_id_for("c")
    True
    """

    def __init__(
        self,
        ids: Sequence[str] = (),
        pairs: pd.DataFrame | None = None,
        *,
        threshold: float,
        cannot_link_below: float | None = None,
        component_limit: int = DEFAULT_COMPONENT_LIMIT,
        cluster_ids: Sequence[str] | None = None,
    ) -> None:
        ids = [str(i) for i in ids]
        if pairs is None:
            pairs = pd.DataFrame({"id_l": [], "id_r": [], "match_probability": []})
        cannot_link_below = checked_limits(threshold, cannot_link_below)
        if cluster_ids is None:
            clustered = cluster_pairs(
                ids, _checked(pairs), threshold=threshold, cannot_link_below=cannot_link_below
            )
            cluster_ids = clustered["cluster_id"].astype(str).tolist()
        elif len(cluster_ids) != len(ids):
            raise InputError(
                say(
                    f"cluster_ids gives {len(cluster_ids)} cluster ids for {len(ids)} leads; "
                    "give one per lead, in the leads' order",
                    f"cluster_ids 为 {len(ids)} 条线索给出了 {len(cluster_ids)} 个聚类 ID；"
                    "请按线索顺序每条给一个",
                )
            )
        else:
            _checked(pairs)
            cluster_ids = [str(c) for c in cluster_ids]
        if component_limit < 1:
            raise ConfigError(
                say(
                    f"component_limit must be at least 1, not {component_limit}",
                    f"component_limit 须不小于 1，而不是 {component_limit}",
                )
            )
        self.threshold = float(threshold)
        self.cannot_link_below = float(cannot_link_below)
        self.component_limit = int(component_limit)
        if len(set(ids)) != len(ids):
            raise InputError(say("lead ids must be unique", "线索 ID 须唯一"))
        self._changed: list[str] = []
        left, right, kept = self._read_columns(pairs)
        self._hold(_Frozen.build(ids, list(cluster_ids), left, right, kept))

    def _hold(self, frozen: _Frozen) -> None:
        """Hold the leads, clusters and pairs of ``frozen`` (arrays), with what changes
        later beside them: only leads and clusters a change touches become dicts."""
        self._frozen = frozen
        # only leads with a link or a contradiction have pairs (most leads have none)
        self._pairs: MutableMapping[str, dict[str, float]] = _Pairs(frozen)
        self._cluster: MutableMapping[str, str] = _Assigned(frozen)
        self._members: MutableMapping[str, set[str]] = _Members(frozen)

    # -- reading -------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._cluster)

    def __contains__(self, lead_id: object) -> bool:
        return lead_id in self._cluster

    def cluster_of(self, lead_id: str) -> str:
        """The id of the cluster holding ``lead_id``."""
        self._known(lead_id)
        return self._cluster[lead_id]

    def members(self, cluster_id: str) -> list[str]:
        """The lead ids of a cluster, sorted; empty for an id no cluster has (any more)."""
        return sorted(self._members.get(cluster_id, ()))

    def assignments(self) -> pd.DataFrame:
        """One row per lead, in the order the leads came (an updated lead comes last):
        ``id`` and ``cluster_id``, as :func:`cluster_pairs` returns them."""
        ids, clusters = self._cluster.assignments()  # type: ignore[attr-defined]
        return pd.DataFrame({"id": ids, "cluster_id": clusters}, dtype=object)

    @property
    def last_changed(self) -> list[str]:
        """The cluster ids whose members the last add, remove or update changed, sorted:
        those that exist now and those that no longer do (their golden records are to be
        rebuilt or dropped)."""
        return list(self._changed)

    # -- changing ------------------------------------------------------------------------

    def add(self, lead_id: str, pairs: pd.DataFrame) -> str:
        """Add a lead with its scored pairs to the leads already held; returns its cluster id.

        ``pairs`` holds ``id_l``, ``id_r``, ``match_probability`` and, when the model gives
        them, ``<role>_weight`` columns and ``rule`` (as the model's predictions and the
        candidate index's scores do). Pairs with a lead not held are ignored, as
        :func:`cluster_pairs` ignores pairs of unknown ids.
        """
        lead_id = str(lead_id)
        if lead_id in self._cluster:
            raise InputError(
                say(
                    f"lead {lead_id!r} is already clustered: use update() to change it",
                    f"线索 {lead_id!r} 已在聚类中：请用 update() 修改",
                )
            )
        return self._insert(lead_id, self._rows_of(lead_id, pairs))

    def remove(self, lead_id: str) -> list[str]:
        """Take a lead out; its former cluster (and any cluster that only it kept apart
        from another) is re-clustered from the stored pairs, so a removal can split a
        cluster. Returns the cluster ids touched, sorted (see :attr:`last_changed`)."""
        lead_id = str(lead_id)
        self._known(lead_id)
        linked = self._linked(lead_id)
        scored = list(self._pairs.get(lead_id, ()))
        cluster = self._cluster.pop(lead_id)
        mates = self._members.pop(cluster) - {lead_id}
        for other in self._pairs.pop(lead_id, ()):
            others = self._pairs[other]
            del others[lead_id]
            if not others:
                del self._pairs[other]
        # The remaining mates keep the cluster for now; _recluster splits and renames it.
        if mates:
            self._members[cluster] = set(mates)
        component = self._component(linked) if linked else set()
        if component is None:
            component = set(mates)
            for other in scored:
                component |= self._members[self._cluster[other]]
        changed = set(self._recluster(component)) if component else set()
        self._changed = sorted(changed | {cluster})
        return list(self._changed)

    def update(self, lead_id: str, pairs: pd.DataFrame) -> str:
        """Replace a lead's pairs (its fields changed and it was scored again): remove and
        add it; returns its cluster id. :attr:`last_changed` covers both steps."""
        lead_id = str(lead_id)
        self._known(lead_id)
        rows = self._rows_of(lead_id, pairs)  # checked first: a mistake changes nothing
        removed = self.remove(lead_id)
        cluster = self._insert(lead_id, rows)
        self._changed = sorted(set(removed) | set(self._changed))
        return cluster

    # -- persistence ---------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        """Everything held, as plain JSON-ready values (see :meth:`from_state`): the
        options, each lead with its cluster id (in the order of :meth:`assignments`), the
        links (two ids and the match probability) and the contradictions (two ids)."""
        columns = self.columns()
        return {
            **{k: v for k, v in columns.items() if not isinstance(v, np.ndarray)},
            "clusters": [list(pair) for pair in zip(columns["id"], columns["cluster_id"])],
            "links": [
                [a, b, float(p)]
                for a, b, p in zip(columns["link_l"], columns["link_r"], columns["probability"])
            ],
            "conflicts": [list(pair) for pair in zip(columns["conflict_l"], columns["conflict_r"])],
        }

    def columns(self) -> dict[str, Any]:
        """Everything held as arrays, for saving (see :meth:`from_columns`): the options,
        ``id`` and ``cluster_id`` per lead, ``link_l``, ``link_r`` and ``probability`` per
        link, ``conflict_l`` and ``conflict_r`` per contradiction (each pair once)."""
        ids, clusters = self._cluster.assignments()  # type: ignore[attr-defined]
        left: list[str] = []
        right: list[str] = []
        kept: list[float] = []
        for a, others in self._pairs.items():
            for b, held in others.items():
                if a < b:
                    left.append(a)
                    right.append(b)
                    kept.append(held)
        value = np.array(kept, dtype=float)
        link = value >= 0
        return {
            "version": STATE_VERSION,
            "threshold": self.threshold,
            "cannot_link_below": self.cannot_link_below,
            "component_limit": self.component_limit,
            "id": np.array(ids, dtype=object),
            "cluster_id": np.array(clusters, dtype=object),
            "link_l": np.array(left, dtype=object)[link],
            "link_r": np.array(right, dtype=object)[link],
            "probability": value[link],
            "conflict_l": np.array(left, dtype=object)[~link],
            "conflict_r": np.array(right, dtype=object)[~link],
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> IncrementalClusters:
        """The clusters that :meth:`state` described, exactly (no re-clustering)."""
        if not isinstance(state, dict) or state.get("version") != STATE_VERSION:
            found = state.get("version") if isinstance(state, dict) else type(state).__name__
            raise InputError(
                say(
                    f"not an IncrementalClusters state of version {STATE_VERSION} "
                    f"(found {found!r})",
                    f"不是版本 {STATE_VERSION} 的 IncrementalClusters 状态（得到 {found!r}）",
                )
            )
        try:
            assigned = [(str(lead), str(cluster)) for lead, cluster in state["clusters"]]
            links = [(str(a), str(b), float(q)) for a, b, q in state["links"]]
            conflicts = [(str(a), str(b)) for a, b in state["conflicts"]]
            columns = {
                **{k: state[k] for k in ("threshold", "cannot_link_below", "component_limit")},
                "version": STATE_VERSION,
                "id": [lead for lead, _ in assigned],
                "cluster_id": [cluster for _, cluster in assigned],
                "link_l": [a for a, _, _ in links],
                "link_r": [b for _, b, _ in links],
                "probability": [q for _, _, q in links],
                "conflict_l": [a for a, _ in conflicts],
                "conflict_r": [b for _, b in conflicts],
            }
        except (KeyError, TypeError, ValueError) as error:
            raise InputError(
                say(
                    f"the IncrementalClusters state is damaged ({type(error).__name__}: "
                    f"{error}); save it again with state()",
                    f"IncrementalClusters 状态已损坏（{type(error).__name__}：{error}）；"
                    "请用 state() 重新保存",
                )
            ) from error
        return cls.from_columns(columns)

    @classmethod
    def from_columns(cls, columns: Mapping[str, Any]) -> IncrementalClusters:
        """The clusters that :meth:`columns` described (arrays or lists), exactly: the
        arrays are held as they are, nothing is clustered again. The ends of the pairs may
        be given as ids or as positions in ``id`` (integers: what a saved index stores, so
        that loading makes no string of them)."""
        if columns.get("version") != STATE_VERSION:
            raise InputError(
                say(
                    f"not IncrementalClusters columns of version {STATE_VERSION} "
                    f"(found {columns.get('version')!r})",
                    f"不是版本 {STATE_VERSION} 的 IncrementalClusters 列数据"
                    f"（得到 {columns.get('version')!r}）",
                )
            )
        clusters = cls(
            threshold=columns["threshold"],
            cannot_link_below=columns["cannot_link_below"],
            component_limit=columns["component_limit"],
        )
        ids = [str(i) for i in columns["id"]]
        left = np.concatenate([_ends(columns["link_l"]), _ends(columns["conflict_l"])])
        right = np.concatenate([_ends(columns["link_r"]), _ends(columns["conflict_r"])])
        kept = np.concatenate([np.asarray(columns["probability"], dtype=float),
                               np.full(len(columns["conflict_l"]), _CONFLICT)])  # fmt: skip
        unknown = (_nodes(ids, left) < 0) | (_nodes(ids, right) < 0)
        if unknown.any():
            raise InputError(
                say(
                    f"the IncrementalClusters state is damaged: {int(unknown.sum())} of its "
                    "pairs name leads that have no cluster; save it again with state()",
                    f"IncrementalClusters 状态已损坏：有 {int(unknown.sum())} 个线索对的线索"
                    "没有聚类；请用 state() 重新保存",
                )
            )
        clusters._hold(
            _Frozen.build(ids, [str(c) for c in columns["cluster_id"]], left, right, kept)
        )
        return clusters

    # -- inside --------------------------------------------------------------------------

    def _rows_of(self, lead_id: str, pairs: pd.DataFrame) -> _Kept:
        """The pairs of ``lead_id`` worth keeping, checked before anything changes."""
        _checked(pairs)
        for a, b in zip(pairs["id_l"].tolist(), pairs["id_r"].tolist()):
            if lead_id not in (str(a), str(b)):
                raise InputError(
                    say(
                        f"the pairs of lead {lead_id!r} must each hold it; one pairs "
                        f"{a!r} with {b!r}",
                        f"线索 {lead_id!r} 的线索对须都包含它；有一对是 {a!r} 与 {b!r}",
                    )
                )
        return self._read(pairs)

    def _insert(self, lead_id: str, rows: _Kept) -> str:
        """Add ``lead_id`` with its checked pairs and re-cluster what it links to."""
        self._cluster[lead_id] = cluster_id_for(lead_id)
        self._members.setdefault(cluster_id_for(lead_id), set()).add(lead_id)
        self._store(rows)
        linked = self._linked(lead_id)
        if not linked:
            self._changed = [cluster_id_for(lead_id)]
            return self._cluster[lead_id]
        component = self._component([lead_id])
        if component is None:
            component = {lead_id}
            for other in linked:
                component |= self._members[self._cluster[other]]
        changed = self._recluster(component)
        # The new lead's own cluster of a moment ago is no change unless it stays.
        alone = cluster_id_for(lead_id)
        self._changed = [c for c in changed if c != alone or c in self._members]
        return self._cluster[lead_id]

    def _known(self, lead_id: str) -> None:
        if lead_id not in self._cluster:
            raise InputError(
                say(f"no lead {lead_id!r} is clustered", f"聚类中没有线索 {lead_id!r}")
            )

    def _read_columns(self, pairs: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`_read` as three arrays (left ids, right ids, what is kept)."""
        if pairs.empty:
            return np.zeros(0, object), np.zeros(0, object), np.zeros(0, float)
        probability = pairs["match_probability"].to_numpy(dtype=float)
        never = _never_linked(pairs)
        conflict = never | ((probability < self.cannot_link_below) & _contradicted(pairs))
        wanted = conflict | ((probability >= self.threshold) & ~conflict)
        kept = np.where(conflict, _CONFLICT, probability)[wanted]
        left = pairs["id_l"].astype(str).to_numpy(dtype=object)[wanted]
        right = pairs["id_r"].astype(str).to_numpy(dtype=object)[wanted]
        return left, right, kept

    def _read(self, pairs: pd.DataFrame) -> _Kept:
        """The links and contradictions among ``pairs``, as they are kept; a pair that is
        neither never changes a cluster at this threshold and is left out (about 2 % of a
        model's pairs)."""
        if pairs.empty:
            return []
        probability = pairs["match_probability"].to_numpy(dtype=float)
        never = _never_linked(pairs)
        conflict = never | ((probability < self.cannot_link_below) & _contradicted(pairs))
        link = (probability >= self.threshold) & ~conflict
        kept = np.where(conflict, _CONFLICT, probability)
        wanted = np.flatnonzero(conflict | link).tolist()
        left, right, values = pairs["id_l"].tolist(), pairs["id_r"].tolist(), kept.tolist()
        return [(str(left[i]), str(right[i]), values[i]) for i in wanted]

    def _store(self, rows: _Kept) -> None:
        """Keep the pairs of leads held (others are ignored, as batch ignores them)."""
        held, pairs = self._cluster, self._pairs
        for a, b, kept in rows:
            if a != b and a in held and b in held:
                pairs.setdefault(a, {})[b] = kept
                pairs.setdefault(b, {})[a] = kept

    def _linked(self, lead_id: str) -> list[str]:
        """The leads linked to ``lead_id`` (a pair at or above the threshold)."""
        return [b for b, kept in self._pairs.get(lead_id, _NONE).items() if kept >= 0]

    def _component(self, seeds: Iterable[str]) -> set[str] | None:
        """The leads linked to the seeds, directly or through others; None when they are
        more than ``component_limit``."""
        seen = set(seeds)
        todo = list(seen)
        while todo:
            lead = todo.pop()
            for other, kept in self._pairs.get(lead, _NONE).items():
                if kept >= 0 and other not in seen:
                    seen.add(other)
                    if len(seen) > self.component_limit:
                        return None
                    todo.append(other)
        return seen

    def _recluster(self, leads: set[str]) -> list[str]:
        """Cluster ``leads`` (whole clusters) again with the batch algorithm on their stored
        pairs; returns the cluster ids that changed, before and after, sorted."""
        nodes = sorted(leads)
        index = {lead: i for i, lead in enumerate(nodes)}
        links: list[tuple[float, str, str]] = []
        conflicts: list[tuple[int, int]] = []
        for a in nodes:
            for b, kept in self._pairs.get(a, _NONE).items():
                if b <= a or b not in index:
                    continue
                if kept >= 0:
                    links.append((-kept, a, b))
                else:
                    conflicts.append((index[a], index[b]))
        # Strongest first, ties broken by the ids: the order cluster_pairs uses.
        links.sort()
        roots = _constrained_components(
            len(nodes),
            np.array([index[a] for _, a, _ in links], dtype=np.int64),
            np.array([index[b] for _, _, b in links], dtype=np.int64),
            np.array([a for a, _ in conflicts], dtype=np.int64),
            np.array([b for _, b in conflicts], dtype=np.int64),
        )
        groups: dict[int, list[str]] = {}
        for lead, root in zip(nodes, roots.tolist()):
            groups.setdefault(root, []).append(lead)  # nodes are sorted: the first is smallest
        before = {self._cluster[lead] for lead in nodes}
        old = {cluster: frozenset(self._members.pop(cluster, ())) for cluster in before}
        after: dict[str, frozenset[str]] = {}
        for group in groups.values():
            cluster = cluster_id_for(group[0])
            after[cluster] = frozenset(group)
            self._members[cluster] = set(group)
            for lead in group:
                self._cluster[lead] = cluster
        changed = {c for c in before if after.get(c) != old[c]}
        changed |= {c for c in after if old.get(c) != after[c]}
        return sorted(changed)


def _checked(pairs: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in ("id_l", "id_r", "match_probability") if c not in pairs.columns]
    if missing:
        raise ColumnError(
            say(
                f"scored pairs need the columns id_l, id_r and match_probability; "
                f"missing: {missing}",
                f"打分后的线索对须有 id_l、id_r、match_probability 列；缺少：{missing}",
            )
        )
    return pairs


def _ends(values: Any) -> np.ndarray:
    """One end of some pairs: positions (integers) as they are, ids as objects."""
    array = np.asarray(values)
    return array if array.dtype.kind in "iu" and len(array) else array.astype(object)


def _nodes(ids: list[str], ends: np.ndarray) -> np.ndarray:
    """Positions in ``ids`` of pair ends given as ids or positions (-1: unknown)."""
    if ends.dtype.kind in "iu":
        return np.where((ends >= 0) & (ends < len(ids)), ends, -1).astype(np.int64)
    return pd.Index(ids).get_indexer(ends)


class _Frozen:
    """The leads, clusters and pairs held when the clusters were built or loaded, as
    arrays: ``ids`` (a lead's node is its position), each node's cluster (a code into
    ``names``), the nodes of each cluster, and each node's pairs (other node and what is
    kept), all in compressed rows (``starts`` and the values)."""

    def __init__(
        self,
        ids: list[str],
        codes: np.ndarray,
        names: list[str],
        member_starts: np.ndarray,
        member_nodes: np.ndarray,
        pair_starts: np.ndarray,
        pair_nodes: np.ndarray,
        pair_kept: np.ndarray,
    ) -> None:
        self.ids = ids
        self.node = dict(zip(ids, range(len(ids))))
        self.codes, self.names = codes, names
        self.cluster = dict(zip(names, range(len(names))))
        self.member_starts, self.member_nodes = member_starts, member_nodes
        self.pair_starts, self.pair_nodes, self.pair_kept = pair_starts, pair_nodes, pair_kept

    @classmethod
    def build(
        cls,
        ids: list[str],
        clusters: list[str],
        left: np.ndarray,
        right: np.ndarray,
        kept: np.ndarray,
    ) -> _Frozen:
        """From each lead's cluster and the pairs worth keeping (pairs of unknown leads,
        and of a lead with itself, are left out; of a pair given twice the last counts)."""
        n = len(ids)
        codes, names = pd.factorize(pd.Series(clusters, dtype=object))
        codes = codes.astype(np.int32)
        member_nodes = np.argsort(codes, kind="stable").astype(np.int32)
        member_starts = np.concatenate([[0], np.cumsum(np.bincount(codes, minlength=len(names)))])
        a, b = _nodes(ids, left), _nodes(ids, right)
        fine = (a >= 0) & (b >= 0) & (a != b)
        a, b, value = a[fine], b[fine], np.asarray(kept, dtype=float)[fine]
        source = np.concatenate([a, b])
        order = np.argsort(source, kind="stable")
        pair_nodes = np.concatenate([b, a])[order].astype(np.int32)
        pair_kept = np.concatenate([value, value])[order]
        pair_starts = np.concatenate([[0], np.cumsum(np.bincount(source, minlength=n))])
        return cls(ids, codes, [str(c) for c in names], member_starts.astype(np.int64),
                   member_nodes, pair_starts.astype(np.int64), pair_nodes, pair_kept)  # fmt: skip

    def pairs_of(self, node: int) -> dict[str, float]:
        lo, hi = int(self.pair_starts[node]), int(self.pair_starts[node + 1])
        ids = self.ids
        return {
            ids[other]: kept
            for other, kept in zip(self.pair_nodes[lo:hi].tolist(), self.pair_kept[lo:hi].tolist())
        }

    def has_pairs(self, node: int) -> bool:
        return bool(self.pair_starts[node + 1] > self.pair_starts[node])

    def members_of(self, code: int) -> set[str]:
        lo, hi = int(self.member_starts[code]), int(self.member_starts[code + 1])
        return {self.ids[node] for node in self.member_nodes[lo:hi].tolist()}


def _absent(key: str) -> KeyError:
    """The KeyError of the mapping protocol (``in``, ``get`` and ``pop`` catch it inside
    the clusters): never a message to a user, who is told by ``_known`` instead."""
    return KeyError(key)


class _Overlay:
    """A mapping over :class:`_Frozen` arrays: a key of the arrays that is changed or
    read for change is copied into ``changed``; one deleted is marked ``dead``."""

    def __init__(self, frozen: _Frozen) -> None:
        self.frozen = frozen
        self.changed: dict[str, Any] = {}
        self.dead: set[str] = set()


class _Assigned(_Overlay, MutableMapping[str, str]):
    """Lead → cluster id. Iterates as a dict would: the leads of the arrays in their
    order, then those added since (a lead removed and added again comes last)."""

    def __init__(self, frozen: _Frozen) -> None:
        super().__init__(frozen)
        self.added: dict[str, str] = {}

    def _node(self, lead: str) -> int | None:
        node = self.frozen.node.get(lead)
        return None if node is None or lead in self.dead else node

    def __getitem__(self, lead: str) -> str:
        found = self.added.get(lead)
        if found is not None:
            return found
        found = self.changed.get(lead)
        if found is not None:
            return str(found)
        node = self._node(lead)
        if node is None:
            raise _absent(lead)
        return self.frozen.names[self.frozen.codes[node]]

    def __setitem__(self, lead: str, cluster: str) -> None:
        if lead in self.added or self._node(lead) is None:
            self.added[lead] = cluster
        else:
            self.changed[lead] = cluster

    def __delitem__(self, lead: str) -> None:
        if lead in self.added:
            del self.added[lead]
        elif self._node(lead) is not None:
            self.dead.add(lead)
            self.changed.pop(lead, None)
        else:
            raise _absent(lead)

    def __contains__(self, lead: object) -> bool:
        return lead in self.added or (isinstance(lead, str) and self._node(lead) is not None)

    def __iter__(self) -> Iterator[str]:
        dead = self.dead
        yield from (lead for lead in self.frozen.ids if lead not in dead)
        yield from list(self.added)

    def __len__(self) -> int:
        return len(self.frozen.ids) - len(self.dead) + len(self.added)

    def assignments(self) -> tuple[list[str], list[str]]:
        """The leads and their clusters, in order, read from the arrays in bulk."""
        names = self.frozen.names
        dead, changed = self.dead, self.changed
        ids: list[str] = []
        clusters: list[str] = []
        for lead, code in zip(self.frozen.ids, self.frozen.codes.tolist()):
            if lead in dead:
                continue
            ids.append(lead)
            clusters.append(changed.get(lead) or names[code])
        ids += self.added
        clusters += self.added.values()
        return ids, clusters


class _Members(_Overlay, MutableMapping[str, set[str]]):
    """Cluster id → its leads (a set, copied out of the arrays when asked for)."""

    def _code(self, cluster: str) -> int | None:
        code = self.frozen.cluster.get(cluster)
        return None if code is None or cluster in self.dead else code

    def __getitem__(self, cluster: str) -> set[str]:
        found = self.changed.get(cluster)
        if found is not None:
            return found
        code = self._code(cluster)
        if code is None:
            raise _absent(cluster)
        found = self.changed[cluster] = self.frozen.members_of(code)
        return found

    def __setitem__(self, cluster: str, members: set[str]) -> None:
        self.changed[cluster] = members

    def __delitem__(self, cluster: str) -> None:
        known = cluster in self.changed or self._code(cluster) is not None
        if not known:
            raise _absent(cluster)
        self.changed.pop(cluster, None)
        if cluster in self.frozen.cluster:
            self.dead.add(cluster)

    def __contains__(self, cluster: object) -> bool:
        return cluster in self.changed or (
            isinstance(cluster, str) and self._code(cluster) is not None
        )

    def __iter__(self) -> Iterator[str]:
        changed = self.changed
        yield from (c for c in self.frozen.names if c not in changed and self._code(c) is not None)
        yield from list(changed)

    def __len__(self) -> int:
        return sum(1 for _ in self)


class _Pairs(_Overlay, MutableMapping[str, dict[str, float]]):
    """Lead → its pairs (other lead → what is kept); a lead without pairs is absent."""

    def __getitem__(self, lead: str) -> dict[str, float]:
        found = self.changed.get(lead)
        if found is not None:
            return found
        node = self.frozen.node.get(lead)
        if node is None or lead in self.dead or not self.frozen.has_pairs(node):
            raise _absent(lead)
        found = self.changed[lead] = self.frozen.pairs_of(node)
        return found

    def __setitem__(self, lead: str, pairs: dict[str, float]) -> None:
        self.changed[lead] = pairs

    def __delitem__(self, lead: str) -> None:
        if lead not in self:
            raise _absent(lead)
        self.changed.pop(lead, None)
        if lead in self.frozen.node:
            self.dead.add(lead)

    def __contains__(self, lead: object) -> bool:
        if lead in self.changed:
            return True
        node = self.frozen.node.get(lead) if isinstance(lead, str) else None
        return node is not None and lead not in self.dead and self.frozen.has_pairs(node)

    def __iter__(self) -> Iterator[str]:
        frozen, changed, dead = self.frozen, self.changed, self.dead
        for node, lead in enumerate(frozen.ids):
            if lead not in changed and lead not in dead and frozen.has_pairs(node):
                yield lead
        yield from list(changed)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def items(self) -> Iterator[tuple[str, dict[str, float]]]:  # type: ignore[override]
        """Every lead with its pairs, those of the arrays read without being copied."""
        frozen, changed, dead = self.frozen, self.changed, self.dead
        for node, lead in enumerate(frozen.ids):
            if lead not in changed and lead not in dead and frozen.has_pairs(node):
                yield lead, frozen.pairs_of(node)
        yield from list(changed.items())
