"""Choosing a match threshold without labels: what each threshold would give, and how
precise it is expected to be.

:func:`threshold_table` re-clusters a result's scored pairs at each threshold (no preparing,
training or scoring) and reports the pairs linked, clusters, duplicates found and the
largest cluster — and the **expected** pairwise precision, recall and F1, computed from the
model's match probabilities alone:

* every pair of leads put in one cluster is a true match with the probability of the
  strongest path between them inside the cluster — the weakest link on that path (the
  maximin, or bottleneck, probability), which is their own score when that is the strongest:
  two leads whose direct comparison says little (no name on one of them) but who are both
  the same person as a third are judged by that third;
* every scored pair left in two clusters is a missed match with its probability.

So expected precision = E[true pairs in clusters] / pairs in clusters, and expected recall =
E[true pairs in clusters] / E[true pairs among all scored pairs]. Matches that blocking never
compared are invisible to both (see the blocking report for how many there may be).

With ground truth (``truth=``: a person id per lead) or labelled pairs (``labels=``), the
measured precision, recall and F1 stand beside the expected ones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from leadlink._i18n import say
from leadlink._values import id_text
from leadlink.errors import InputError
from leadlink.merge import apply_decisions, cluster_pairs, read_decisions
from leadlink.metrics import evaluate_clusters

__all__ = ["DEFAULT_THRESHOLDS", "expected_scores", "threshold_table"]

#: Thresholds a table shows by default.
DEFAULT_THRESHOLDS: tuple[float, ...] = (0.1, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.97, 0.99)
# Clusters larger than this estimate their unscored pairs by the median scored pair inside
# (the maximin search is cubic in the cluster size).
_MAXIMIN_LIMIT = 60


def threshold_table(
    result: Any,
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
    *,
    truth: pd.Series | Mapping[str, Any] | None = None,
    labels: Any = None,
) -> pd.DataFrame:
    """Per threshold: ``pairs_linked`` (scored pairs at or above it), ``clusters``,
    ``clusters_with_duplicates``, ``duplicates_found`` (leads merged into another),
    ``largest_cluster``, ``expected_precision``, ``expected_recall``, ``expected_f1`` —
    and with ``truth`` (person id per lead id) ``precision``, ``recall``, ``f1`` of the
    clusters' pairs, or with ``labels`` (labelled pairs, see
    :func:`leadlink.merge.read_decisions`) those on the labelled pairs.

    ``result`` is a :class:`leadlink.DedupeResult`; its decisions are honoured.
    """
    id_column = result.clusters.columns[0]
    ids = result.clusters[id_column].map(id_text)
    pairs = apply_decisions(result.pairs, result.decisions, ids)
    decided = read_decisions(labels) if labels is not None else None
    truth_series = _truth(truth, ids) if truth is not None else None
    rows = []
    for threshold in thresholds:
        clustered = cluster_pairs(ids, pairs, threshold=float(threshold))
        sizes = clustered["cluster_id"].value_counts()
        row: dict[str, Any] = {
            "threshold": float(threshold),
            "pairs_linked": int((pairs["match_probability"] >= threshold).sum()),
            "clusters": len(sizes),
            "clusters_with_duplicates": int((sizes > 1).sum()),
            "duplicates_found": int((sizes - 1).sum()),
            "largest_cluster": int(sizes.max()) if len(sizes) else 0,
            **expected_scores(clustered, pairs),
        }
        if truth_series is not None:
            found = evaluate_clusters(
                pd.Series(clustered["cluster_id"].to_numpy(), index=ids.to_numpy()),
                truth_series,
            )
            row |= {
                "precision": found["pairwise_precision"],
                "recall": found["pairwise_recall"],
                "f1": found["pairwise_f1"],
            }
        elif decided is not None:
            row |= on_labels(clustered, decided)
        rows.append(row)
    return pd.DataFrame(rows)


def expected_scores(clustered: pd.DataFrame, pairs: pd.DataFrame) -> dict[str, float]:
    """Expected pairwise precision, recall and F1 of ``clustered`` (``id``,
    ``cluster_id``) from the probabilities of ``pairs`` (see the module docstring)."""
    cluster_of = pd.Series(clustered["cluster_id"].to_numpy(), index=clustered["id"].to_numpy())
    left = pairs["id_l"].map(id_text)
    right = pairs["id_r"].map(id_text)
    probability = pairs["match_probability"].to_numpy(dtype=float)
    cl = left.map(cluster_of).to_numpy(dtype=object)
    cr = right.map(cluster_of).to_numpy(dtype=object)
    together = (cl == cr) & pd.notna(cl)
    missed = float(probability[~together & pd.notna(cl) & pd.notna(cr)].sum())
    sizes = cluster_of.value_counts()
    in_clusters = float((sizes * (sizes - 1) / 2).sum())
    if in_clusters == 0:
        return {
            "expected_precision": float("nan"),
            "expected_recall": 0.0 if missed > 0 else float("nan"),
            "expected_f1": 0.0 if missed > 0 else float("nan"),
        }
    inside = pd.DataFrame(
        {
            "cluster": cl[together],
            "l": left.to_numpy()[together],
            "r": right.to_numpy()[together],
            "p": probability[together],
        }
    )
    size_of = inside["cluster"].map(sizes)
    # Two leads: their one pair is the only path. Larger clusters: the maximin search.
    pairs_of_two = inside[size_of == 2]
    expected_true = float(pairs_of_two.groupby("cluster", sort=False)["p"].max().sum())
    larger = inside[size_of > 2].sort_values("cluster", kind="stable")
    if len(larger):
        codes = larger["cluster"].to_numpy(dtype=object)
        starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
        ends = np.r_[starts[1:], len(codes)]
        left_ids, right_ids = larger["l"].to_numpy(), larger["r"].to_numpy()
        chances = larger["p"].to_numpy()
        for start, end in zip(starts, ends):
            expected_true += _cluster_expected(
                int(sizes[codes[start]]),
                left_ids[start:end],
                right_ids[start:end],
                chances[start:end],
            )
    precision = expected_true / in_clusters
    total = expected_true + missed
    recall = expected_true / total if total > 0 else float("nan")
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    return {"expected_precision": precision, "expected_recall": recall, "expected_f1": f1}


def _cluster_expected(
    size: int, left: np.ndarray, right: np.ndarray, probability: np.ndarray
) -> float:
    """Expected true pairs inside one cluster of ``size`` leads from its scored pairs."""
    n_pairs = size * (size - 1) / 2
    if size > _MAXIMIN_LIMIT:
        return float(n_pairs * np.median(probability))
    members, codes = np.unique(np.concatenate([left, right]).astype(str), return_inverse=True)
    k = len(members)
    a, b = codes[: len(left)], codes[len(left) :]
    best = np.zeros((k, k))
    np.maximum.at(best, (a, b), probability)
    best = np.maximum(best, best.T)
    for m in range(k):  # maximin paths (Floyd-Warshall on min/max)
        best = np.maximum(best, np.minimum(best[:, m : m + 1], best[m : m + 1, :]))
    upper = best[np.triu_indices(k, 1)]
    # Members reached by no scored pair inside (not possible for clusters made from these
    # pairs) count with the weakest path found.
    unreached = max(0.0, n_pairs - len(upper))
    return float(upper.sum() + unreached * (upper.min() if len(upper) else 0.0))


def _truth(truth: Any, ids: pd.Series) -> pd.Series:
    series = pd.Series(truth) if isinstance(truth, Mapping) else truth
    if not isinstance(series, pd.Series):
        raise InputError(
            say(
                "truth must be a Series or dict of person id by lead id",
                "truth 须为以线索 ID 为索引、取值为人员 ID 的 Series 或 dict",
            )
        )
    series = pd.Series(series.to_numpy(), index=series.index.map(id_text))
    missing = ~ids.isin(series.index)
    if missing.any():
        raise InputError(
            say(
                f"truth has no person id for {int(missing.sum())} of the {len(ids)} leads",
                f"truth 缺少 {int(missing.sum())} 条线索（共 {len(ids)} 条）的人员 ID",
            )
        )
    return series.loc[ids.to_numpy()]


def on_labels(clustered: pd.DataFrame, labels: pd.DataFrame) -> dict[str, float]:
    """Precision, recall and F1 of the clusters on the labelled pairs: a labelled match in
    one cluster is a true positive, a labelled non-match in one cluster a false positive, a
    labelled match in two clusters a false negative."""
    cluster_of = pd.Series(clustered["cluster_id"].to_numpy(), index=clustered["id"].to_numpy())
    known = labels["id_l"].isin(cluster_of.index) & labels["id_r"].isin(cluster_of.index)
    labels = labels[known]
    same = labels["id_l"].map(cluster_of).to_numpy() == labels["id_r"].map(cluster_of).to_numpy()
    match = (labels["label"] == "match").to_numpy()
    tp, fp, fn = int((same & match).sum()), int((same & ~match).sum()), int((~same & match).sum())
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "labelled_pairs": len(labels)}
