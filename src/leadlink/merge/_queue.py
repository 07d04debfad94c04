"""A review queue people can work through (复核队列): the uncertain decisions of a run,
ranked by how many leads — or how much value — each is expected to put right.

:func:`~leadlink.review_clusters` lists every cluster worth a look; at a million leads
that is tens of thousands of clusters, more than any team reviews. :func:`review_queue`
cuts the same signals into items, one decision each, estimates from the match
probabilities how many leads each decision gets wrong, and ranks them:

``weak_link``
    Split a cluster at ``weak_below`` (keep only its links at least that strong). Every
    part but the largest is held in the cluster by its strongest link to the rest, of
    probability p. The part is wrongly merged only if every link holding it in is wrong:
    the product of 1 − p over those links is its *chance wrong*, and chance × its leads
    its *expected wrong leads* (one weak link of 0.7 holding one lead: 0.3).
``near_miss``
    Two clusters kept apart although their best pair scored from ``near_from`` to just
    under the threshold. The chance they are one person is the mean probability over
    every pair of leads across them (a pair not scored counts as 0); if they are, the
    smaller cluster's leads are wrongly split off: chance × its leads.
``large``, ``conflicting_identifiers``, and members hanging on a single link
    A cluster flagged for these reasons whose links are all strong is one item; its
    expected wrong leads are the sum over its members of 1 − the member's best link.
    When the cluster also has ``weak_link`` items, the reasons are added to those instead.

With ``value`` (an amount per lead: deal size, lead score), every item also carries the
value of the leads it puts at stake and the value expected to be wrongly placed, and the
queue is ranked by that. The queue holds the first ``size`` items; :attr:`ReviewQueue.rest`
sums up the others by reason, so that nothing flagged goes unmentioned.

Items name lead ids, cluster ids, counts and probabilities — never a name, a phone number
or an email — so the queue can be logged and shared. A reviewer's verdict on an item's
pair (``id_l``, ``id_r``) is a decision: a table of ``id_l``, ``id_r``, ``label`` fed back
with ``dedupe(decisions=...)`` or ``DedupeResult.at_threshold(..., decisions=...)``.

Everything is computed on whole arrays (no loop over clusters), so a million leads and
ten million pairs take seconds; only the ``size`` items shown get their text.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from leadlink._graph import component_roots
from leadlink._i18n import say
from leadlink.errors import ConfigError
from leadlink.merge._cluster import CONTRADICTION_WEIGHT
from leadlink.merge._members import group_starts
from leadlink.merge._review import (
    DEFAULT_LARGE,
    DEFAULT_WEAK_BELOW,
    ReviewContext,
    ReviewReason,
    check_review_options,
    check_scored_pairs,
    dispute_text,
)

__all__ = ["DEFAULT_NEAR_FROM", "DEFAULT_QUEUE_SIZE", "ReviewQueue", "review_queue"]

logger = logging.getLogger(__name__)

#: How many items :func:`review_queue` shows by default.
DEFAULT_QUEUE_SIZE = 100

#: Pairs across clusters scored from this probability to the threshold are near misses.
DEFAULT_NEAR_FROM = 0.2

#: Columns of the item tables built inside (see :func:`_item_frame`).
_ITEM_COLUMNS = [
    "links",
    "chance",
    "stake_value",
    "kind",
    "code",
    "other",
    "l",
    "r",
    "p",
    "part",
    "part_of",
    "at_stake",
    "wrong",
    "worth",
]

#: Columns of :attr:`ReviewQueue.rest`, one row per reason.
_REST_COLUMNS = ["items", "clusters", "leads_at_stake", "expected_wrong_leads"]

_WEAK, _NEAR, _LARGE, _CONFLICT = (
    ReviewReason.WEAK_LINK.value,
    ReviewReason.NEAR_MISS.value,
    ReviewReason.LARGE.value,
    ReviewReason.CONFLICTING_IDENTIFIERS.value,
)


@dataclass(frozen=True)
class ReviewQueue:
    """What :func:`review_queue` returns.

    Attributes:
        items: the queue, best first, one row per item: ``rank`` (1 first),
            ``cluster_id``, ``n_leads`` (the cluster's), ``reason`` (the item's kind, a
            :class:`~leadlink.merge.ReviewReason` value), ``reasons`` (every reason that
            applies, a list), ``id_l``, ``id_r`` and ``match_probability`` (the pair at
            stake: the link holding the part in, or the near miss's best pair),
            ``leads_at_stake`` (the leads the decision moves), ``expected_wrong_leads``,
            with ``value`` also ``value_at_stake`` and ``expected_value``;
            ``other_cluster_id`` (a near miss's other cluster), ``detail`` (readable,
            counts and probabilities only) and ``lead_ids`` (the leads at stake).
        rest: the items not in the queue, one row per reason (index ``reason``):
            ``items``, ``clusters``, ``leads_at_stake``, ``expected_wrong_leads`` (and
            ``expected_value`` with ``value``); empty when the queue holds everything.
        total: the number of items, in the queue and not.
    """

    items: pd.DataFrame
    rest: pd.DataFrame
    total: int

    def summary(self) -> dict[str, Any]:
        """Counts a person reads first: items queued and left, expected wrong leads in each."""
        queued_wrong = float(self.items["expected_wrong_leads"].sum())
        left_wrong = float(self.rest["expected_wrong_leads"].sum())
        return {
            "items": self.total,
            "queued": len(self.items),
            "left": self.total - len(self.items),
            "expected_wrong_leads_queued": round(queued_wrong, 2),
            "expected_wrong_leads_left": round(left_wrong, 2),
            "left_by_reason": {str(k): int(v) for k, v in self.rest["items"].items()},
        }

    def describe(self) -> str:
        """One readable sentence: the queue and what is left out of it, by reason."""
        s = self.summary()
        text = say(
            f"{s['queued']} of {s['items']} review items queued "
            f"({s['expected_wrong_leads_queued']:.1f} expected wrong leads)",
            f"复核队列 {s['queued']} 项（共 {s['items']} 项，"
            f"预计 {s['expected_wrong_leads_queued']:.1f} 条线索有误）",
        )
        if not s["left"]:
            return text
        by_reason = ", ".join(f"{k} {v}" for k, v in s["left_by_reason"].items())
        return text + say(
            f"; {s['left']} left out ({s['expected_wrong_leads_left']:.1f} expected wrong "
            f"leads: {by_reason})",
            f"；其余 {s['left']} 项未列入（预计 {s['expected_wrong_leads_left']:.1f} 条线索"
            f"有误：{by_reason}）",
        )


def review_queue(
    clusters: pd.DataFrame,
    pairs: pd.DataFrame,
    prepared: pd.DataFrame,
    *,
    size: int | None = DEFAULT_QUEUE_SIZE,
    value: Sequence[float] | pd.Series | np.ndarray | None = None,
    threshold: float | None = None,
    weak_below: float = DEFAULT_WEAK_BELOW,
    near_from: float | None = DEFAULT_NEAR_FROM,
    large: int = DEFAULT_LARGE,
    positions: tuple[np.ndarray, np.ndarray] | None = None,
    context: ReviewContext | None = None,
) -> ReviewQueue:
    """The uncertain merges and near misses of a run, ranked by expected wrong leads (or
    value), the first ``size`` of them with a summary of the rest (see the module
    docstring).

    Args:
        clusters: a lead id column and ``cluster_id``, one row per lead of ``prepared``
            (``DedupeResult.clusters``).
        pairs: scored pairs (``id_l``, ``id_r``, ``match_probability``), e.g.
            ``DedupeResult.pairs``.
        prepared: :func:`leadlink.prepare` output for the same leads.
        size: how many items the queue holds (1 or more); None for all of them.
        value: a number per lead, in the order of ``prepared`` (deal amount, lead score;
            missing counts as 0): the queue is then ranked by expected value.
        threshold: the probability the clusters were linked at
            (``DedupeResult.threshold``; default 0.5).
        weak_below: a cluster is split at this probability to find its weak links.
        near_from: pairs across clusters from this probability to the threshold are near
            misses; None leaves near misses out.
        large: a cluster with more members than this is ``large``.
        positions: where each pair's ``id_l`` and ``id_r`` are in ``prepared``
            (:func:`leadlink.merge.pair_positions`), when the caller has them.
        context: :meth:`~leadlink.merge.ReviewContext.of` the same clusters, pairs and
            prepared leads, when the caller has it (``positions`` is then not read).

    Returns:
        A :class:`ReviewQueue`.

    >>> clusters = pd.DataFrame({"lead_id": ["a", "b", "c"], "cluster_id": ["A", "A", "C"]})
    >>> pairs = pd.DataFrame({"id_l": ["a", "b"], "id_r": ["b", "c"],
    ...                       "match_probability": [0.8, 0.3]})
    >>> prepared = pd.DataFrame({"unique_id": ["a", "b", "c"]})
    >>> queue = review_queue(clusters, pairs, prepared, size=1)
    >>> queue.items[["reason", "id_l", "id_r", "expected_wrong_leads"]]
          reason id_l id_r  expected_wrong_leads
    0  weak_link    b    a                   0.2
    >>> queue.summary()["left_by_reason"], queue.summary()["expected_wrong_leads_left"]
    ({'near_miss': 1}, 0.15)
    """
    size = _check_options(size, threshold, weak_below, near_from, large)
    link_from = 0.5 if threshold is None else float(threshold)
    check_scored_pairs(pairs)
    amounts = None if value is None else _values(value, len(prepared))
    if context is None:
        # Only the columns read here: a copy of the whole prepared table costs more than
        # the rest.
        kept = ["unique_id", "phone", "phone_shared", "name_nick", "name_key", "name_partial"]
        context = ReviewContext.of(
            clusters, pairs, prepared[[c for c in kept if c in prepared.columns]],
            positions=positions,
        )  # fmt: skip
    lead_ids, codes, sizes = context.lead_ids, context.codes, context.sizes
    names = context.names.astype(str)
    graph = _Graph.of(pairs, context.positions, codes)
    weak, parts = _weak_parts(graph, codes, sizes, weak_below, amounts)
    near = _near_misses(graph, codes, sizes, link_from, near_from, amounts)
    items = pd.concat([frame for frame in (weak, near) if len(frame)] or [_item_frame()])
    disputes = context.disputes
    disputed = np.zeros(len(names), dtype=bool)
    for _, _, counts in disputes:
        disputed[counts.index.to_numpy(dtype=np.int64)] = True
    single = _single_links(graph, codes, sizes, link_from)
    low_pairs = _weakest_pairs(graph, codes, len(names))
    flags = _Flags(sizes, large, disputed, single, disputes, low_pairs, link_from)
    flagged = _flagged_clusters(graph, codes, sizes, weak, flags, amounts)
    items = pd.concat(
        [frame for frame in (items, flagged) if len(frame)] or [_item_frame()],
        ignore_index=True,
    )
    ranked = _ranked(items, names, lead_ids, amounts is not None)
    shown = ranked if size is None else ranked.iloc[:size]
    queue = _rows(shown, names, lead_ids, codes, sizes, parts, amounts is not None)
    queue["reasons"] = [
        flags.reasons(kind, code) for kind, code in zip(shown["kind"], shown["code"])
    ]
    queue["detail"] = _details(shown, flags, weak_below, link_from)
    rest = _rest(ranked.iloc[len(shown) :], amounts is not None)
    logger.info(
        "review queue: %d of %d item(s) queued, %.1f expected wrong lead(s) in it, %.1f left out",
        len(shown),
        len(ranked),
        float(shown["wrong"].sum()),
        float(rest["expected_wrong_leads"].sum()),
    )
    return ReviewQueue(items=queue, rest=rest, total=len(ranked))


def _check_options(
    size: int | None,
    threshold: float | None,
    weak_below: float,
    near_from: float | None,
    large: int,
) -> int | None:
    if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 1):
        raise ConfigError(
            say(
                f"size must be a whole number of items of 1 or more (or None for all), "
                f"not {size!r}",
                f"size 须为不小于 1 的整数（条目数），或 None 表示全部，而不是 {size!r}",
            )
        )
    check_review_options(large, threshold=threshold, weak_below=weak_below, near_from=near_from)
    return size


def _values(value: Any, n: int) -> np.ndarray:
    """The value of every lead as floats (missing as 0), refusing text and negatives."""
    series = value if isinstance(value, pd.Series) else pd.Series(np.asarray(value))
    if len(series) != n:
        raise ConfigError(
            say(
                f"value has {len(series)} entries for {n} leads; give one number per lead, "
                "in the order of the leads",
                f"value 有 {len(series)} 个值，而线索有 {n} 条；请按线索顺序为每条线索给出一个数",
            )
        )
    numbers = pd.to_numeric(series.reset_index(drop=True), errors="coerce")
    bad = numbers.isna() & series.reset_index(drop=True).notna()
    if bad.any() or (numbers < 0).any():
        count = int(bad.sum() + (numbers < 0).sum())
        raise ConfigError(
            say(
                f"value must hold numbers of 0 or more (a deal amount, a lead score); "
                f"{count} entries are not",
                f"value 须为不小于 0 的数（如成交金额、线索评分）；有 {count} 个值不是",
            )
        )
    return numbers.fillna(0.0).to_numpy(dtype=float)


@dataclass(frozen=True)
class _Graph:
    """The scored pairs as lead positions: ``left``, ``right``, ``p``, whether each pair
    is inside one cluster and whether a comparison speaks ``against`` it."""

    left: np.ndarray
    right: np.ndarray
    p: np.ndarray
    inside: np.ndarray
    against: np.ndarray

    @classmethod
    def of(
        cls, pairs: pd.DataFrame, positions: tuple[np.ndarray, np.ndarray], codes: np.ndarray
    ) -> _Graph:
        left, right = positions
        p = pairs["match_probability"].to_numpy(dtype=float)
        known = (left >= 0) & (right >= 0) & (left != right) & ~np.isnan(p)
        left, right, p = left[known], right[known], p[known]
        return cls(left, right, p, codes[left] == codes[right], _against(pairs)[known])

    def best_links(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Every lead's best link inside its cluster (-1 without one) and its partner."""
        ends = np.concatenate([self.left[self.inside], self.right[self.inside]])
        partners = np.concatenate([self.right[self.inside], self.left[self.inside]])
        p = np.concatenate([self.p[self.inside], self.p[self.inside]])
        best, partner = np.full(n, -1.0), np.full(n, -1, dtype=np.int64)
        order = np.lexsort((partners, -p, ends))
        first = order[group_starts(ends[order])]
        best[ends[first]], partner[ends[first]] = p[first], partners[first]
        return best, partner


def _against(pairs: pd.DataFrame) -> np.ndarray:
    """Whether a comparison speaks against each pair, or a never-link rule decided it (as
    :mod:`leadlink.merge._cluster` judges; the rules read once per distinct text)."""
    weights = [c for c in pairs.columns if c.endswith("_weight") and c != "match_weight"]
    if not weights:
        return np.ones(len(pairs), dtype=bool)
    against = np.zeros(len(pairs), dtype=bool)
    for column in weights:  # column by column: no copy of the pairs into one 2-D array
        against |= pairs[column].to_numpy(dtype=float) <= CONTRADICTION_WEIGHT
    if "rule" in pairs.columns:
        codes, rules = pd.factorize(pairs["rule"])
        never = np.asarray([str(rule).startswith("never_link") for rule in rules], dtype=bool)
        against |= (codes >= 0) & never[np.clip(codes, 0, None)] if len(never) else False
    return against


def _item_frame(**columns: Any) -> pd.DataFrame:
    """An item table: ``kind``, ``code`` (the cluster at stake), ``other`` (a near miss's
    other cluster, -1), ``l``, ``r`` (the pair at stake, -1), ``p``, ``part`` and
    ``part_of`` (how to find the leads at stake: ``part_of[lead] == part``), ``at_stake``,
    ``wrong`` and ``worth`` (expected value, 0 without values)."""
    return (pd.DataFrame(columns) if columns else pd.DataFrame()).reindex(columns=_ITEM_COLUMNS)


def _weak_parts(
    graph: _Graph,
    codes: np.ndarray,
    sizes: np.ndarray,
    weak_below: float,
    amounts: np.ndarray | None,
) -> tuple[pd.DataFrame, np.ndarray]:
    """The parts of each cluster held to the rest only by links below ``weak_below``, and
    every lead's part (the smallest position in it)."""
    n = len(codes)
    strong = graph.inside & (graph.p >= weak_below)
    labels = component_roots(n, graph.left[strong], graph.right[strong])
    part_sizes = np.bincount(labels, minlength=n)
    parts = np.flatnonzero(part_sizes)  # the labels in use, sorted
    parts = parts[sizes[codes[parts]] > part_sizes[parts]]  # clusters of more than one part
    # The largest part of each cluster is its core (ties: the one with the smallest lead).
    order = np.lexsort((parts, -part_sizes[parts], codes[parts]))
    parts = parts[order][~group_starts(codes[parts[order]])]
    # Each part's strongest link to the rest of its cluster, and the chance that every
    # link holding it in is wrong (each link is a piece of evidence that it belongs).
    cross = graph.inside & (labels[graph.left] != labels[graph.right])
    ends = np.concatenate([labels[graph.left[cross]], labels[graph.right[cross]]])
    near = np.concatenate([graph.left[cross], graph.right[cross]])
    far = np.concatenate([graph.right[cross], graph.left[cross]])
    p = np.concatenate([graph.p[cross], graph.p[cross]])
    order = np.lexsort((far, near, -p, ends))
    first = order[group_starts(ends[order])]
    at = pd.Index(ends[first]).get_indexer(parts)
    held = at >= 0
    pick = first[np.where(held, at, 0)]
    link_p = np.where(held, p[pick], 0.0)
    doubt = np.bincount(ends, weights=np.log1p(-np.clip(p, 0, 1 - 1e-12)), minlength=n)
    chance = np.exp(doubt[parts])
    links = np.bincount(ends, minlength=n)[parts]
    leads = part_sizes[parts]
    stake = np.zeros(len(parts))
    if amounts is not None:
        stake = np.bincount(labels, weights=amounts, minlength=n)[parts]
    frame = _item_frame(
        kind=_WEAK,
        code=codes[parts],
        other=-1,
        l=np.where(held, near[pick], -1),
        r=np.where(held, far[pick], -1),
        p=np.where(held, link_p, np.nan),
        part=parts,
        part_of="part",
        at_stake=leads,
        links=links,
        chance=chance,
        wrong=chance * leads,
        stake_value=stake,
        worth=chance * stake,
    )
    return frame, labels


def _near_misses(
    graph: _Graph,
    codes: np.ndarray,
    sizes: np.ndarray,
    link_from: float,
    near_from: float | None,
    amounts: np.ndarray | None,
) -> pd.DataFrame:
    """Pairs of clusters whose best pair scored from ``near_from`` to the threshold."""
    if near_from is None:
        return _item_frame()
    across = ~graph.inside
    left, right, p = graph.left[across], graph.right[across], graph.p[across]
    # The smaller cluster's leads are the ones wrongly split off (ties: the first code).
    a, b = codes[left], codes[right]
    a_small = (sizes[a] < sizes[b]) | ((sizes[a] == sizes[b]) & (a < b))
    small, big = np.where(a_small, a, b), np.where(a_small, b, a)
    near, far = np.where(a_small, left, right), np.where(a_small, right, left)
    key = small.astype(np.int64) * len(sizes) + big
    close = (p >= near_from) & (p < link_from)
    order = np.flatnonzero(close)[np.lexsort((far[close], near[close], -p[close], key[close]))]
    first = order[group_starts(key[order])]
    # The chance the two are one person: the mean over every pair of leads across them,
    # a pair not scored counting as 0 (leads that share no blocking key are rarely one
    # person; one pair near the threshold beside many apart is no near miss).
    at = pd.Index(key[first]).get_indexer(key)
    counted = at >= 0
    chance = np.bincount(at[counted], weights=p[counted], minlength=len(first))
    chance = chance / (sizes[small[first]] * sizes[big[first]])
    small, big = small[first], big[first]
    leads = sizes[small]
    stake = np.zeros(len(first))
    if amounts is not None:
        stake = np.bincount(codes, weights=amounts, minlength=len(sizes))[small]
    return _item_frame(
        kind=_NEAR,
        code=small,
        other=big,
        l=near[first],
        r=far[first],
        p=p[first],
        part=small,
        part_of="cluster",
        at_stake=leads,
        chance=chance,
        wrong=chance * leads,
        stake_value=stake,
        worth=chance * stake,
    )


def _single_links(
    graph: _Graph, codes: np.ndarray, sizes: np.ndarray, link_from: float
) -> np.ndarray:
    """How many members of each cluster (of three or more) hang on a single link."""
    linked = graph.inside & (graph.p >= link_from)
    links = np.bincount(
        np.concatenate([graph.left[linked], graph.right[linked]]), minlength=len(codes)
    )
    hanging = (sizes[codes] >= 3) & (links <= 1)
    return np.bincount(codes[hanging], minlength=len(sizes))


def _weakest_pairs(graph: _Graph, codes: np.ndarray, n_clusters: int) -> pd.DataFrame:
    """Every cluster's lowest-scored pair inside it that some comparison speaks against
    (two different personal mobiles, two names): ``p`` (NaN without one), ``l``, ``r``.
    A pair scored low only for lack of evidence (no name to compare) is no doubt."""
    doubted = graph.inside & graph.against
    left, right, p = graph.left[doubted], graph.right[doubted], graph.p[doubted]
    order = np.lexsort((right, left, p, codes[left]))
    first = order[group_starts(codes[left][order])]
    weakest = pd.DataFrame({"p": np.nan, "l": -1, "r": -1}, index=range(n_clusters))
    weakest.loc[codes[left[first]], ["p", "l", "r"]] = np.column_stack(
        [p[first], left[first], right[first]]
    )
    return weakest.astype({"l": np.int64, "r": np.int64})


def _flagged_clusters(
    graph: _Graph,
    codes: np.ndarray,
    sizes: np.ndarray,
    found: pd.DataFrame,
    flags: _Flags,
    amounts: np.ndarray | None,
) -> pd.DataFrame:
    """One item per cluster flagged as large, disputed, hanging on single links or holding
    a pair scored under the threshold, that has no weak part: its expected wrong leads
    are the sum of its members' doubts (1 − their best link), and at least the doubt on
    its lowest pair (the model's own chance that those two leads are not one person)."""
    low = flags.low_pairs["p"].to_numpy()
    flagged = (sizes > flags.large) | flags.disputed | (flags.single > 0) | (low < flags.link_from)
    weak = found.loc[found["kind"] == _WEAK, "code"].to_numpy(dtype=np.int64)
    flagged[weak] = False
    flagged &= sizes > 1
    chosen = np.flatnonzero(flagged)
    best, partner = graph.best_links(len(codes))
    doubt = 1 - np.clip(best, 0, 1)
    pair_doubt = 1 - np.nan_to_num(low[chosen], nan=1.0)
    wrong = np.maximum(np.bincount(codes, weights=doubt, minlength=len(sizes))[chosen], pair_doubt)
    stake: np.ndarray = np.zeros(len(chosen))
    worth: np.ndarray = np.zeros(len(chosen))
    if amounts is not None:
        stake = np.bincount(codes, weights=amounts, minlength=len(sizes))[chosen]
        worth = np.bincount(codes, weights=doubt * amounts, minlength=len(sizes))[chosen]
        worth = np.maximum(worth, pair_doubt * stake / sizes[chosen])
    # The pair at stake: the lowest pair when under the threshold, else the weakest
    # member's best link.
    members = np.flatnonzero(flagged[codes])
    order = members[np.lexsort((members, best[members], codes[members]))]
    weakest = order[group_starts(codes[order])]
    held = best[weakest] >= 0
    doubted = low[chosen] < flags.link_from
    pairs = flags.low_pairs.iloc[chosen]
    kind = np.where(
        sizes[chosen] > flags.large, _LARGE, np.where(flags.disputed[chosen], _CONFLICT, _WEAK)
    )
    return _item_frame(
        kind=kind,
        code=chosen,
        other=-1,
        l=np.where(doubted, pairs["l"], weakest),
        r=np.where(doubted, pairs["r"], np.where(held, partner[weakest], -1)),
        p=np.where(doubted, low[chosen], np.where(held, best[weakest], np.nan)),
        part=chosen,
        part_of="cluster",
        at_stake=sizes[chosen],
        chance=np.maximum(doubt[weakest], pair_doubt),
        wrong=wrong,
        stake_value=stake,
        worth=worth,
    )


def _ranked(
    items: pd.DataFrame, names: np.ndarray, lead_ids: np.ndarray, valued: bool
) -> pd.DataFrame:
    """Items best first: by expected value (with values) or expected wrong leads, then the
    bigger cluster, then the ids, so that equal items keep one order."""
    if items.empty:
        return items
    first_lead = np.where(items["l"] >= 0, lead_ids[items["l"].clip(lower=0)], "")
    keys = [first_lead, names[items["code"].to_numpy(dtype=np.int64)], -items["at_stake"]]
    keys += [-items["wrong"].to_numpy()]
    if valued:
        keys.append(-items["worth"].to_numpy())
    order = np.lexsort(keys)
    return items.iloc[order].reset_index(drop=True)


def _rows(
    shown: pd.DataFrame,
    names: np.ndarray,
    lead_ids: np.ndarray,
    codes: np.ndarray,
    sizes: np.ndarray,
    parts: np.ndarray,
    valued: bool,
) -> pd.DataFrame:
    """The queue's public columns for the items shown (but ``reasons`` and ``detail``)."""
    code = shown["code"].to_numpy(dtype=np.int64)
    other = shown["other"].to_numpy(dtype=np.int64)
    left = shown["l"].to_numpy(dtype=np.int64)
    right = shown["r"].to_numpy(dtype=np.int64)
    out = pd.DataFrame(
        {
            "rank": np.arange(1, len(shown) + 1),
            "cluster_id": names[code],
            "n_leads": sizes[code],
            "reason": shown["kind"].to_numpy(dtype=object),
            "reasons": pd.Series([None] * len(shown), dtype=object),
            "id_l": _ids_at(lead_ids, left),
            "id_r": _ids_at(lead_ids, right),
            "match_probability": shown["p"].to_numpy(dtype=float).round(4),
            "leads_at_stake": shown["at_stake"].to_numpy(dtype=np.int64),
            "chance_wrong": shown["chance"].to_numpy(dtype=float).round(4),
            "expected_wrong_leads": shown["wrong"].to_numpy(dtype=float).round(3),
        }
    )
    if valued:
        out["value_at_stake"] = shown["stake_value"].to_numpy(dtype=float).round(2)
        out["expected_value"] = shown["worth"].to_numpy(dtype=float).round(2)
    out["other_cluster_id"] = _ids_at(names, other)
    out["lead_ids"] = _lead_lists(shown, lead_ids, codes, parts)
    return out


def _ids_at(ids: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """``ids[positions]``, None where a position is -1."""
    found = ids[np.clip(positions, 0, None)] if len(ids) else np.full(len(positions), "")
    return np.asarray(np.where(positions >= 0, found, np.array(None, dtype=object)))


def _lead_lists(
    shown: pd.DataFrame, lead_ids: np.ndarray, codes: np.ndarray, parts: np.ndarray
) -> list[list[str]]:
    """The leads at stake of each item shown, sorted: the members of its part (a weak
    part) or of its cluster."""
    groups = {}
    for part_of, keys in (("part", parts), ("cluster", codes)):
        wanted = shown.loc[shown["part_of"] == part_of, "part"].to_numpy(dtype=np.int64)
        at = np.flatnonzero(np.isin(keys, wanted))
        order = at[np.argsort(keys[at], kind="stable")]
        starts = np.flatnonzero(group_starts(keys[order]))
        groups[part_of] = {
            int(keys[order[s]]): g for s, g in zip(starts, np.split(order, starts[1:]))
        }
    return [
        sorted(lead_ids[groups[part_of].get(int(part), [])].tolist())
        for part, part_of in zip(shown["part"].to_numpy(), shown["part_of"].to_numpy())
    ]


@dataclass(frozen=True)
class _Flags:
    """What else is wrong with each cluster, for the reasons and details of its items."""

    sizes: np.ndarray
    large: int
    disputed: np.ndarray
    single: np.ndarray
    disputes: tuple[tuple[str, np.ndarray, pd.Series], ...]
    low_pairs: pd.DataFrame
    link_from: float

    def reasons(self, kind: str, code: int) -> list[str]:
        found = [kind]
        if kind == _NEAR:
            return found
        if self.sizes[code] > self.large:
            found.append(_LARGE)
        if self.disputed[code]:
            found.append(_CONFLICT)
        if self.single[code] or self.low_pairs["p"].to_numpy()[code] < self.link_from:
            found.append(_WEAK)
        return list(dict.fromkeys(found))

    def texts(self, code: int) -> list[str]:
        """The cluster's other troubles, readable, without personal data."""
        found = []
        if self.sizes[code] > self.large:
            found.append(
                say(
                    f"more than {self.large} leads: check for a chain through a shared number, "
                    "company or common name",
                    f"超过 {self.large} 条线索：请检查是否经由共用号码、同一公司或常见姓名串联",
                )
            )
        for what, _, counts in self.disputes:
            if code in counts.index:
                words = dispute_text(what)
                found.append(
                    say(
                        f"{counts[code]} different {words} in one cluster",
                        f"同一个簇中有 {counts[code]} 个不同的{words}",
                    )
                )
        if self.single[code]:
            found.append(
                say(
                    f"{self.single[code]} lead(s) joined through a single link",
                    f"{self.single[code]} 条线索仅经由一条关联并入",
                )
            )
        low = float(self.low_pairs["p"].to_numpy()[code])
        if low < self.link_from:
            found.append(
                say(
                    f"two of its leads scored {low:.3f} against each other, under the "
                    f"threshold {self.link_from:g}: joined through others",
                    f"其中两条线索之间的匹配概率仅为 {low:.3f}，低于阈值 {self.link_from:g}："
                    "经由其他线索串联在一起",
                )
            )
        return found


def _details(shown: pd.DataFrame, flags: _Flags, weak_below: float, link_from: float) -> list[str]:
    """A readable sentence per item shown: counts and probabilities, never a value."""
    texts = []
    columns = ("kind", "code", "other", "at_stake", "p", "links", "chance", "wrong", "part_of")
    for kind, code_, other, k, p, links, chance, wrong, part_of in zip(
        *(shown[c].tolist() for c in columns)
    ):
        code, n = int(code_), int(flags.sizes[int(code_)])
        if kind == _NEAR:
            m = int(flags.sizes[int(other)])
            texts.append(
                say(
                    f"{k} lead(s) of this cluster scored {p:.3f} against a cluster of {m}, "
                    f"under the threshold {link_from:g} (mean over the pairs across: "
                    f"{chance:.3f}); expected {wrong:.2f} lead(s) wrongly split",
                    f"本簇 {k} 条线索与另一个 {m} 条线索的簇的匹配概率为 {p:.3f}，低于阈值 "
                    f"{link_from:g}（两簇间所有线索对的平均概率 {chance:.3f}）；"
                    f"预计 {wrong:.2f} 条线索被错误拆分",
                )
            )
            continue
        if part_of == "part":
            held = (
                say(
                    f"held in the cluster by {int(links)} link(s) under {weak_below:g}, the "
                    f"strongest {p:.3f} (chance all wrong {chance:.3f})",
                    f"仅经由 {int(links)} 条低于 {weak_below:g} 的关联留在簇中，最强为 {p:.3f}"
                    f"（全部有误的概率 {chance:.3f}）",
                )
                if p == p
                else say(
                    "with no scored pair to the rest of the cluster",
                    "与簇内其余线索没有打分的线索对",
                )
            )
            first = say(f"{k} of {n} leads {held}", f"{n} 条线索中有 {k} 条{held}")
        else:
            first = say(f"{n} leads", f"{n} 条线索")
        parts = [first, *flags.texts(code)]
        parts.append(
            say(
                f"expected {wrong:.2f} lead(s) wrongly merged",
                f"预计 {wrong:.2f} 条线索被错误合并",
            )
        )
        texts.append(say("; ", "；").join(parts))
    return texts


def _rest(left: pd.DataFrame, valued: bool) -> pd.DataFrame:
    """The items not in the queue, summed up by reason."""
    columns = [*_REST_COLUMNS, *(["expected_value"] if valued else [])]
    if left.empty:
        empty = pd.DataFrame({c: pd.Series(dtype=float) for c in columns})
        return empty.rename_axis("reason")
    rest = left.groupby("kind").agg(
        items=("kind", "size"),
        clusters=("code", "nunique"),
        leads_at_stake=("at_stake", "sum"),
        expected_wrong_leads=("wrong", "sum"),
        expected_value=("worth", "sum"),
    )
    rest = rest.sort_values("expected_wrong_leads", ascending=False, kind="stable")
    rest["expected_wrong_leads"] = rest["expected_wrong_leads"].round(2)
    rest["expected_value"] = rest["expected_value"].round(2)
    return rest.rename_axis("reason")[columns]
