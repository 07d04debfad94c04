"""Accuracy of a clustering against ground truth: pairwise and B-cubed precision/recall/F1.

Both work on two labelings of the same leads (predicted cluster, true person) and never
enumerate pairs, so they are exact and fast on millions of leads.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from leadlink._i18n import say
from leadlink.errors import InputError

__all__ = ["evaluate_clusters"]


def evaluate_clusters(
    predicted: Sequence[object] | pd.Series, truth: Sequence[object] | pd.Series
) -> dict[str, float]:
    """Pairwise and B-cubed precision, recall and F1 of ``predicted`` against ``truth``.

    >>> scores = evaluate_clusters(["a", "a", "b"], [1, 1, 1])
    >>> scores["pairwise_precision"], round(scores["pairwise_recall"], 3)
    (1.0, 0.333)
    """
    pred = np.asarray(pd.factorize(pd.Series(list(predicted), dtype=object))[0])
    true = np.asarray(pd.factorize(pd.Series(list(truth), dtype=object))[0])
    if len(pred) != len(true):
        raise InputError(
            say(
                f"predicted and truth labels differ in length ({len(pred)} vs {len(true)})",
                f"预测标签与真实标签的长度不同（{len(pred)} 对 {len(true)}）",
            )
        )
    if (pred < 0).any() or (true < 0).any():
        raise InputError(
            say(
                "predicted and truth labels must not be missing",
                "预测标签和真实标签都不能有缺失值",
            )
        )
    n = len(pred)
    if n == 0:
        raise InputError(say("cannot evaluate an empty clustering", "无法评估空的聚类结果"))
    cells = pd.DataFrame({"p": pred, "t": true}).value_counts().reset_index(name="n")
    size_p = np.bincount(pred)
    size_t = np.bincount(true)
    n_cell = cells["n"].to_numpy(dtype=np.float64)

    def pairs(counts: np.ndarray) -> float:
        return float((counts * (counts - 1) / 2).sum())

    tp = pairs(n_cell)
    predicted_pairs = pairs(size_p.astype(np.float64))
    true_pairs = pairs(size_t.astype(np.float64))
    precision = tp / predicted_pairs if predicted_pairs else 1.0
    recall = tp / true_pairs if true_pairs else 1.0
    b3_precision = float((n_cell**2 / size_p[cells["p"].to_numpy()]).sum() / n)
    b3_recall = float((n_cell**2 / size_t[cells["t"].to_numpy()]).sum() / n)
    return {
        "pairwise_precision": precision,
        "pairwise_recall": recall,
        "pairwise_f1": _f1(precision, recall),
        "bcubed_precision": b3_precision,
        "bcubed_recall": b3_recall,
        "bcubed_f1": _f1(b3_precision, b3_recall),
        "true_pairs": true_pairs,
        "predicted_pairs": predicted_pairs,
    }


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0
