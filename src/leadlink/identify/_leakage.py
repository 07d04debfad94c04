"""The leakage guard: columns that are the outcome in disguise.

A CRM export often holds what happened after the lead was worked: a sales rep's tag
("Closed by …", "Lost to …"), a quality grade filled in after the call, a status, a number
given on re-import that sorts converted leads last. A model that learns from them looks
excellent on the history and is useless on new leads, which do not have them yet.

:func:`find_leaks` flags a column when, on the training leads,

* **alone it predicts the outcome** far better than behaviour does: its values (numbers and ages cut into
  quantile bins, a missing value as a value of its own) encoded by the conversion rate
  learnt on one half of the leads reach an AUC of at least ``alone_auc`` on the other half
  (cross-fitted both ways, so a column with a different value on every lead does not score
  by memory), or
* **it is filled mostly for one outcome**: the shares of converted and other leads that have
  a value differ by at least ``fill_gap``.

The reasons are plain sentences in English and Chinese; nothing logged holds a value.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from leadlink._values import factorize
from leadlink.identify._cells import is_null
from leadlink.identify._features import ColumnFeature, FeatureSpec, encode_column

__all__ = ["ALONE_AUC", "FILL_GAP", "SUSPECT_AUC", "find_leaks", "single_column_auc"]

#: A column whose values alone reach this holdout AUC is taken for a leak. Behaviour
#: columns of real and generated exports reach 0.55–0.75 alone; post-outcome tags and
#: grades 0.85 and more.
ALONE_AUC = 0.82
#: The same for a column whose header names an outcome-like thing (a tag, a status, a
#: grade, a result ...): those are usually written after the lead was worked.
SUSPECT_AUC = 0.7
_SUSPECT_WORDS = (
    "tag", "status", "stage", "quality", "grade", "rating", "result", "outcome",
    "disposition", "won", "lost", "closed", "reason", "converted", "qualified",
    "标签", "状态", "阶段", "质量", "评级", "等级", "结果", "成交", "赢单", "丢单", "原因",
    "转化", "跟进",
)  # fmt: skip
#: A column filled for this much larger a share of one outcome than of the other.
FILL_GAP = 0.6
_QUANTILE_BINS = 20


def find_leaks(
    leads: pd.DataFrame,
    y: np.ndarray,
    spec: FeatureSpec,
    now: pd.Timestamp,
    *,
    seed: int = 0,
    alone_auc: float = ALONE_AUC,
    fill_gap: float = FILL_GAP,
) -> dict[str, tuple[str, str]]:
    """Column → why it looks like the outcome in disguise (English, Chinese)."""
    found: dict[str, tuple[str, str]] = {}
    y = np.asarray(y, dtype=bool)
    if y.all() or not y.any():
        return found
    for feature in spec.columns:
        values = leads[feature.column]
        filled = ~values.map(is_null).to_numpy(dtype=bool)
        if feature.kind == "category":
            filled &= values.astype(str).str.strip().ne("").to_numpy()
        yes, no = float(filled[y].mean()), float(filled[~y].mean())
        if abs(yes - no) >= fill_gap:
            found[feature.column] = (
                f"filled for {yes:.0%} of converted leads and {no:.0%} of the others",
                f"已转化线索中 {yes:.0%} 填写了此列，其他线索中为 {no:.0%}",
            )
            continue
        score = single_column_auc(_bucket(feature, values, now), y, seed=seed)
        if score >= (SUSPECT_AUC if _suspect(feature.column) else alone_auc):
            found[feature.column] = (
                f"alone it predicts conversion with AUC {score:.2f}",
                f"仅凭此列预测转化的 AUC 即达 {score:.2f}",
            )
    return found


def _suspect(column: str) -> bool:
    """The header names something usually written after the outcome (``Tags``,
    ``Lead Quality``, ``跟进状态``): compared on words, so ``stage`` is not in
    ``onstage_visits`` but ``lead_status`` and ``LeadStatus`` are."""
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", column)
    words = set(re.split(r"[^0-9a-zA-Z]+", spaced.lower()))
    words |= {w[:-1] for w in words if w.endswith("s")}
    return any(w in words if w.isascii() else w in column for w in _SUSPECT_WORDS)


def single_column_auc(buckets: np.ndarray, y: np.ndarray, *, seed: int = 0) -> float:
    """Holdout AUC of one column's buckets (integers, one per lead) encoded by conversion
    rate: learnt on one random half, scored on the other, both ways; at least 0.5 (a
    column that predicts the opposite way is as telling)."""
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(seed)
    half = rng.random(len(y)) < 0.5
    encoded = np.empty(len(y))
    prior = float(y.mean())
    for learn, apply in ((half, ~half), (~half, half)):
        size = int(buckets.max()) + 1 if len(buckets) else 1
        hits = np.bincount(buckets[learn], weights=y[learn].astype(float), minlength=size)
        seen = np.bincount(buckets[learn], minlength=size)
        rate = (hits + prior) / (seen + 1.0)  # one lead's worth of the prior: no 0/0
        encoded[apply] = rate[buckets[apply]]
    if y.all() or not y.any():
        return 0.5
    score = float(roc_auc_score(y, encoded))
    return max(score, 1.0 - score)


def _bucket(feature: ColumnFeature, values: pd.Series, now: pd.Timestamp) -> np.ndarray:
    """One integer per lead: the category, or the quantile bin of a number or age; missing
    values share a bucket of their own."""
    if feature.kind == "category":
        keys = values.map(lambda v: None if is_null(v) else str(v).strip().casefold())
        codes, _ = factorize(keys.where(keys != "", None))
        return np.where(codes < 0, codes.max() + 1 if len(codes) else 0, codes).astype(np.int64)
    number = encode_column(feature, values, now, for_trees=True)[:, 0]
    finite = np.isfinite(number)
    if not finite.any():
        return np.zeros(len(number), dtype=np.int64)
    edges = np.unique(np.quantile(number[finite], np.linspace(0, 1, _QUANTILE_BINS + 1)[1:-1]))
    bins = np.searchsorted(edges, number, side="right")
    return np.where(finite, bins, len(edges) + 1).astype(np.int64)
