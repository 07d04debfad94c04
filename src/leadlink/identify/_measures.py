"""Measures of a conversion model on held-out leads: AUC, calibration, tiers.

Shared by the outcome model's evaluation and the rules' review, so both report the same
numbers the same way.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["auc", "calibration_table", "expected_calibration_error", "sigmoid", "tier_table"]


def calibration_table(y: np.ndarray, p: np.ndarray, bins: int = 10) -> list[dict[str, float]]:
    """Leads cut into ``bins`` groups of equal size by predicted probability: per group the
    leads, the mean predicted and the observed conversion."""
    order = np.argsort(p, kind="stable")
    rows = []
    for k, part in enumerate(np.array_split(order, bins)):
        if len(part):
            rows.append(
                {
                    "decile": k + 1,
                    "leads": len(part),
                    "predicted": float(p[part].mean()),
                    "observed": float(y[part].mean()),
                }
            )
    return rows


def expected_calibration_error(y: Any, p: Any, bins: int = 10) -> float:
    """The mean gap between predicted and observed conversion over ``bins`` equal-size
    groups of leads, weighted by their size.

    >>> expected_calibration_error([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5], bins=1)
    0.0
    """
    y, p = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    table = calibration_table(y, p, bins)
    return float(sum(r["leads"] * abs(r["predicted"] - r["observed"]) for r in table) / len(y))


def auc(labels: Any, scores: Any) -> float:
    """Area under the ROC curve (scikit-learn's), NaN when only one outcome is present.

    >>> auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.75
    """
    from sklearn.metrics import roc_auc_score

    y = np.asarray(labels, dtype=bool)
    if y.all() or not y.any():
        return math.nan
    return float(roc_auc_score(y, np.asarray(scores, dtype=float)))


def sigmoid(values: np.ndarray) -> np.ndarray:
    """The logistic function, clipped so that no value overflows."""
    return 1.0 / (1.0 + np.exp(-np.clip(values, -35, 35)))


def tier_table(
    y: np.ndarray, tiers: np.ndarray, p: np.ndarray | None = None
) -> list[dict[str, Any]]:
    """Per tier (high, medium, low): leads, conversions, conversion rate, lift over the
    overall rate and, with ``p``, the mean predicted probability."""
    y = np.asarray(y, dtype=float)
    rate = float(y.mean()) if len(y) else math.nan
    rows = []
    for name in ("high", "medium", "low"):
        members = tiers == name
        converted = int(y[members].sum())
        share = converted / members.sum() if members.any() else math.nan
        row: dict[str, Any] = {
            "tier": name,
            "leads": int(members.sum()),
            "converted": converted,
            "conversion_rate": share,
            "lift": share / rate if rate > 0 else math.nan,
        }
        if p is not None:
            row["expected_rate"] = float(p[members].mean()) if members.any() else math.nan
        rows.append(row)
    return rows
