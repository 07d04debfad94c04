"""Merge review (合并结果验证): the clusters worth a human look, and why.

:func:`review_clusters` returns one row per cluster and reason:

============================  ==============================================================
``large``                     more members than ``large``: big clusters are where chains
                              through switchboards and common names end up
``weak_link``                 a member whose best link inside the cluster is below
                              ``weak_below``, or (in a cluster of three or more) that
                              hangs on a single link
``conflicting_identifiers``   two different personal phone numbers (``phone_shared == 0``),
                              or two different full names, in one cluster
============================  ==============================================================

The reasons and their explanations hold counts and probabilities only — never a name, a
phone number or an email — so the table can be logged and shared. Correct what a reviewer
rejects with :func:`leadlink.unmerge` or :func:`leadlink.split`.
"""

from __future__ import annotations

import logging
import numbers
from dataclasses import dataclass
from enum import Enum
from typing import Any, cast

import numpy as np
import pandas as pd

from leadlink._i18n import get_language, language, say
from leadlink._values import positional
from leadlink.errors import ConfigError, InputError
from leadlink.merge._members import aligned_clusters, cluster_codes, placed_pairs

__all__ = ["ReviewContext", "ReviewReason", "review_clusters"]

logger = logging.getLogger(__name__)

#: A member whose best link inside its cluster is below this is a ``weak_link``.
DEFAULT_WEAK_BELOW = 0.95

#: Clusters with more members than this are ``large``.
DEFAULT_LARGE = 10

_COLUMNS = ["cluster_id", "n_leads", "reason", "detail", "lead_ids"]


class ReviewReason(str, Enum):
    """Stable reason codes in ``review_clusters(...)["reason"]``."""

    LARGE = "large"
    WEAK_LINK = "weak_link"
    CONFLICTING_IDENTIFIERS = "conflicting_identifiers"
    #: Only in :func:`leadlink.merge.review_queue`: two clusters kept apart by a pair scored
    #: just under the threshold (a merge that may have been missed).
    NEAR_MISS = "near_miss"


@dataclass(frozen=True)
class ReviewContext:
    """What :func:`review_clusters` and :func:`~leadlink.merge.review_queue` both work out
    from one run's clusters, pairs and prepared leads before anything of their own: every
    lead's id and cluster, the clusters' ids and sizes, where each pair's two leads are,
    and what members of one cluster disagree on. ``DedupeResult`` builds it once for both
    (at a million leads each of them spent most of its time on this); build one with
    :meth:`of`.

    Attributes:
        lead_ids: the prepared leads' ids, as text, in the prepared table's order.
        codes: every lead's cluster, numbered in the order of ``names``.
        names: the cluster ids, sorted.
        sizes: the leads of every cluster, by code.
        positions: where each pair's ``id_l`` and ``id_r`` are in ``lead_ids`` (-1: not
            there).
        disputes: per identifier the members of one cluster disagree on (``"phone"``:
            personal phone numbers, ``"name"``: full names): (the identifier, the leads
            holding one, the number of different values per disputed cluster code).
        pair_ids: the pairs' ``id_l`` and ``id_r`` as Arrow arrays of text, when they
            were looked up as such (see :func:`leadlink.merge._members.placed_pairs`);
            None otherwise.
    """

    lead_ids: np.ndarray
    codes: np.ndarray
    names: np.ndarray
    sizes: np.ndarray
    positions: tuple[np.ndarray, np.ndarray]
    disputes: tuple[tuple[str, np.ndarray, pd.Series], ...]
    pair_ids: tuple[Any, Any] | None = None

    @classmethod
    def of(
        cls,
        clusters: pd.DataFrame,
        pairs: pd.DataFrame,
        prepared: pd.DataFrame,
        *,
        positions: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> ReviewContext:
        """The context of ``clusters`` and ``pairs`` over ``prepared`` (the arguments of
        :func:`review_clusters`); ``positions`` when the caller has them."""
        check_scored_pairs(pairs)
        prepared = positional(prepared)
        lead_ids = prepared["unique_id"].to_numpy(dtype=object).astype(str)
        codes, names = cluster_codes(aligned_clusters(lead_ids, clusters))
        sizes = np.bincount(codes, minlength=len(names))
        pair_ids = None
        if positions is None:
            positions, pair_ids = placed_pairs(pairs, lead_ids)
        disputes = tuple(_disputed(prepared, codes, sizes[codes] > 1))
        return cls(lead_ids, codes, names, sizes, positions, disputes, pair_ids)


def review_clusters(
    clusters: pd.DataFrame,
    pairs: pd.DataFrame,
    prepared: pd.DataFrame,
    *,
    large: int = DEFAULT_LARGE,
    weak_below: float = DEFAULT_WEAK_BELOW,
    threshold: float | None = None,
    positions: tuple[np.ndarray, np.ndarray] | None = None,
    context: ReviewContext | None = None,
) -> pd.DataFrame:
    """Clusters worth a human look, one row per cluster and reason.

    Args:
        clusters: a lead id column and ``cluster_id``, one row per lead of ``prepared``
            (``DedupeResult.clusters``).
        pairs: scored pairs (``id_l``, ``id_r``, ``match_probability``), e.g.
            ``DedupeResult.pairs``; pairs across clusters are ignored.
        prepared: :func:`leadlink.prepare` output for the same leads.
        large: a cluster with more members than this is ``large``.
        weak_below: a member whose best link inside its cluster is below this is weak.
        threshold: the probability from which a pair counts as a link when counting a
            member's links (``DedupeResult.threshold``); default ``weak_below``'s floor of
            0.5, i.e. any pair the model thinks more likely a match than not.
        positions: where each pair's ``id_l`` and ``id_r`` are in ``prepared``
            (:func:`leadlink.merge.pair_positions`), when the caller has them.
        context: :meth:`ReviewContext.of` the same clusters, pairs and prepared leads,
            when the caller has it (``positions`` is then not read).

    Returns:
        ``cluster_id``, ``n_leads``, ``reason`` (a :class:`ReviewReason` value), ``detail``
        (readable, without personal data) and ``lead_ids`` (the members concerned), largest
        clusters first.
    """
    check_review_options(large, weak_below=weak_below, threshold=threshold)
    link_from = 0.5 if threshold is None else threshold
    check_scored_pairs(pairs)
    if context is None:
        context = ReviewContext.of(clusters, pairs, prepared, positions=positions)
    lead_ids, codes, names, sizes = context.lead_ids, context.codes, context.names, context.sizes
    multi = sizes[codes] > 1
    # One language for every row, read once: say() per row would look it up each time.
    with language(get_language()):
        rows: list[dict[str, object]] = []
        is_large = sizes[codes] > large
        for c, members in _members_by_cluster(codes, lead_ids, is_large):
            rows.append(
                _row(
                    names[c],
                    sizes[c],
                    ReviewReason.LARGE,
                    say(
                        f"{sizes[c]} leads in one cluster (more than {large}); check for a chain "
                        "through a shared number, company or common name",
                        f"一个簇中有 {sizes[c]} 条线索（超过 {large}）；请检查是否经由共用号码、"
                        "同一公司或常见姓名串联在一起",
                    ),
                    members,
                )
            )
        rows += _weak_links(
            pairs, context.positions, lead_ids, codes, names, sizes, multi, weak_below, link_from
        )
        rows += _conflicting(context.disputes, lead_ids, codes, names, sizes)

    if not rows:
        return pd.DataFrame({column: pd.Series(dtype=object) for column in _COLUMNS})
    out = pd.DataFrame(rows, columns=_COLUMNS)
    reason_order = {reason.value: i for i, reason in enumerate(ReviewReason)}
    out["_r"] = out["reason"].map(reason_order)
    out = out.sort_values(
        ["n_leads", "cluster_id", "_r"], ascending=[False, True, True], kind="stable"
    )
    out = out.drop(columns="_r").reset_index(drop=True)
    logger.info(
        "review: %d cluster(s) flagged (%s)",
        out["cluster_id"].nunique(),
        ", ".join(f"{k}: {v}" for k, v in out["reason"].value_counts().sort_index().items()),
    )
    return out


def check_review_options(large: int, **probabilities: float | None) -> None:
    """Refuse a ``large`` that is not a whole number of leads of 1 or more, and any of
    ``probabilities`` (option name → value, None for not given) that is not a match
    probability in [0, 1]: the options :func:`review_clusters` and
    :func:`~leadlink.merge.review_queue` share, checked and worded the same for both."""
    if isinstance(large, bool) or not isinstance(large, int) or large < 1:
        raise ConfigError(
            say(
                f"large must be a whole number of leads of 1 or more, not {large!r}",
                f"large 须为不小于 1 的整数（线索数），而不是 {large!r}",
            )
        )
    for name, probability in probabilities.items():
        if probability is None:
            continue
        if (
            isinstance(probability, bool)
            or not isinstance(probability, numbers.Real)
            or not (0 <= probability <= 1)
        ):
            raise ConfigError(
                say(
                    f"{name} must be a match probability in [0, 1], not {probability!r}",
                    f"{name} 须为 [0, 1] 之间的匹配概率，而不是 {probability!r}",
                )
            )


def check_scored_pairs(pairs: pd.DataFrame) -> None:
    """Refuse ``pairs`` without the columns of scored pairs (``id_l``, ``id_r``,
    ``match_probability``)."""
    missing = {"id_l", "id_r", "match_probability"} - set(pairs.columns)
    if missing:
        raise InputError(
            say(
                f"pairs lacks {', '.join(sorted(missing))}; pass the scored pairs "
                "(DedupeResult.pairs or LeadModel.predict output)",
                f"pairs 缺少列 {', '.join(sorted(missing))}；请传入打分后的线索对"
                "（DedupeResult.pairs 或 LeadModel.predict 的输出）",
            )
        )


def _row(
    cluster: object, size: int, reason: ReviewReason, detail: str, members: np.ndarray
) -> dict[str, object]:
    return {
        "cluster_id": cluster,
        "n_leads": int(size),
        "reason": reason.value,
        "detail": detail,
        "lead_ids": sorted(members.tolist()),
    }


def _weak_links(
    pairs: pd.DataFrame,
    positions: tuple[np.ndarray, np.ndarray],
    lead_ids: np.ndarray,
    codes: np.ndarray,
    names: np.ndarray,
    sizes: np.ndarray,
    multi: np.ndarray,
    weak_below: float,
    link_from: float,
) -> list[dict[str, object]]:
    left, right = positions
    probability = pairs["match_probability"].to_numpy(dtype=float)
    inside = (left >= 0) & (right >= 0)
    inside[inside] = codes[left[inside]] == codes[right[inside]]
    left, right, probability = left[inside], right[inside], probability[inside]
    ends = np.concatenate([left, right])
    both = np.concatenate([probability, probability])
    best = np.full(len(lead_ids), -1.0)
    np.maximum.at(best, ends, both)
    links = np.bincount(ends[both >= link_from], minlength=len(lead_ids))
    weak = multi & (best < weak_below)
    single = multi & (sizes[codes] >= 3) & (links <= 1)
    flagged = weak | single
    frame = pd.DataFrame(
        {
            "c": codes[flagged],
            "scored_weak": (weak & (best >= 0))[flagged],
            "unlinked": (best < 0)[flagged],
            "single": (single & ~weak)[flagged],
            "best": np.where(weak & (best >= 0), best, np.inf)[flagged],
        }
    )
    stats = frame.groupby("c").agg(
        n=("c", "size"),
        scored_weak=("scored_weak", "sum"),
        unlinked=("unlinked", "sum"),
        single=("single", "sum"),
        weakest=("best", "min"),
    )
    rows = []
    for (c, members), stat in zip(
        _members_by_cluster(codes, lead_ids, flagged), stats.itertuples(index=False)
    ):
        parts = []
        if stat.scored_weak:
            parts.append(
                say(
                    f"best link of {stat.scored_weak} lead(s) below {weak_below:g} "
                    f"(weakest {stat.weakest:.3f})",
                    f"{stat.scored_weak} 条线索的最强关联低于 {weak_below:g}"
                    f"（最弱 {stat.weakest:.3f}）",
                )
            )
        if stat.unlinked:
            parts.append(
                say(
                    f"{stat.unlinked} lead(s) with no scored pair inside the cluster",
                    f"{stat.unlinked} 条线索在簇内没有打分的线索对",
                )
            )
        if stat.single:
            parts.append(
                say(
                    f"{stat.single} lead(s) joined through a single link",
                    f"{stat.single} 条线索仅经由一条关联并入",
                )
            )
        rows.append(
            _row(
                names[c],
                sizes[c],
                ReviewReason.WEAK_LINK,
                say(
                    f"{stat.n} of {sizes[c]} leads weakly held: ",
                    f"{sizes[c]} 条线索中 {stat.n} 条关联较弱：",
                )
                + say("; ", "；").join(parts),
                members,
            )
        )
    return rows


def _members_by_cluster(
    codes: np.ndarray, lead_ids: np.ndarray, mask: np.ndarray
) -> list[tuple[int, np.ndarray]]:
    """(cluster code, lead ids) for the leads in ``mask``, by cluster code."""
    picked = np.flatnonzero(mask)
    order = picked[np.argsort(codes[picked], kind="stable")]
    if not len(order):
        return []
    sorted_codes = codes[order]
    starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]])
    groups = np.split(lead_ids[order], starts[1:])
    return [(int(sorted_codes[s]), g) for s, g in zip(starts, groups)]


def _disputed(
    prepared: pd.DataFrame, codes: np.ndarray, multi: np.ndarray
) -> list[tuple[str, np.ndarray, pd.Series]]:
    """What members of one cluster disagree on: for personal phone numbers (``"phone"``)
    and full names (``"name"``), (which, the leads holding one, the number of different
    values per disputed cluster code); :func:`dispute_text` words which."""
    n = len(prepared)

    def column(name: str) -> pd.Series:
        return prepared[name] if name in prepared else pd.Series(np.nan, index=range(n))

    phone = column("phone")
    shared = column("phone_shared")
    personal = multi & phone.notna().to_numpy() & (shared.fillna(1).to_numpy() == 0)
    name = column("name_nick").fillna(column("name_key"))
    partial = column("name_partial").fillna(1).to_numpy()
    full_name = multi & name.notna().to_numpy() & (partial == 0)
    found = []
    for what, mask, values in (("phone", personal, phone), ("name", full_name, name)):
        if not mask.any():
            continue
        found.append(
            (what, mask, _distinct_values(codes[mask], values.to_numpy(dtype=object)[mask]))
        )
    return found


def _distinct_values(codes: np.ndarray, values: np.ndarray) -> pd.Series:
    """How many different ``values`` (none missing) each cluster code holds, for the codes
    with two or more, by code: pandas' ``groupby(codes).nunique()`` (which sorts the
    values of a million leads as objects), found as the distinct pairs of code and value
    number."""
    numbers = pd.factorize(values)[0].astype(np.int64)
    width = np.int64(numbers.max() + 1) if len(numbers) else np.int64(1)
    pairs = np.unique(codes.astype(np.int64) * width + numbers)
    held, counts = np.unique(pairs // width, return_counts=True)
    many = counts >= 2
    return pd.Series(counts[many].astype(np.int64), index=pd.Index(held[many], name="c"), name="v")


def dispute_text(what: str) -> str:
    """What :func:`_disputed` calls ``"phone"`` and ``"name"``, in words."""
    if what == "phone":
        return say("personal phone numbers", "个人手机号")
    return say("full names", "全名")


def _conflicting(
    disputes: tuple[tuple[str, np.ndarray, pd.Series], ...],
    lead_ids: np.ndarray,
    codes: np.ndarray,
    names: np.ndarray,
    sizes: np.ndarray,
) -> list[dict[str, object]]:
    texts: dict[int, list[str]] = {}
    holders = np.zeros(len(lead_ids), dtype=bool)
    for what, mask, disputed in disputes:
        words = dispute_text(what)
        for c, count in disputed.items():
            texts.setdefault(int(cast(int, c)), []).append(
                say(f"{count} different {words}", f"{count} 个不同的{words}")
            )
        holders |= mask & np.isin(codes, disputed.index.to_numpy())
    return [
        _row(
            names[c],
            sizes[c],
            ReviewReason.CONFLICTING_IDENTIFIERS,
            say(" and ", "和").join(texts[c]) + say(" in one cluster", "出现在同一个簇中"),
            members,
        )
        for c, members in _members_by_cluster(codes, lead_ids, holders)
    ]
