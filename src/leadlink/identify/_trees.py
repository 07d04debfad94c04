"""A gradient-boosted tree ensemble as plain arrays: predicted and explained in numpy.

:func:`fit_outcome_model` trains scikit-learn's ``HistGradientBoostingClassifier`` and
copies its trees here (:meth:`TreeEnsemble.from_sklearn`), so that

* a saved model is JSON — loading it runs no code (no pickle) and does not need
  scikit-learn;
* every prediction splits exactly into a bias and one contribution per feature: along the
  path a lead takes through a tree, each split moves the expected value (the mean leaf value
  of the training leads below a node) from the parent's to the child's, and that move is
  credited to the split's feature (the path attribution of Saabas, "Interpreting random
  forests", 2014). Summed over the trees, bias + contributions = the model's log-odds.

A split sends a lead left when its value is ``<=`` the threshold and a missing value the
side the tree learnt for it, as scikit-learn does; the tests check that the log-odds equal
``decision_function`` to 1e-9.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from leadlink._i18n import say
from leadlink.errors import ModelError

__all__ = ["TreeEnsemble"]

# Rows traversed at once: bounds the (rows × trees) work arrays to a few tens of MB.
_CHUNK = 4096


@dataclass(frozen=True)
class TreeEnsemble:
    """Trees stored side by side: node ``k`` of every array describes one node of one
    tree, ``roots`` says where each tree starts. ``left``/``right`` are absolute node
    numbers; a leaf has ``feature == -1``. ``value`` is a leaf's value, or for a split the
    expected value of the training leads below it."""

    baseline: float
    n_features: int
    roots: np.ndarray
    feature: np.ndarray
    threshold: np.ndarray
    missing_left: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray

    @classmethod
    def from_sklearn(cls, model: Any, n_features: int) -> TreeEnsemble:
        """The trees of a fitted binary ``HistGradientBoostingClassifier`` trained on
        numeric features only (no ``categorical_features``)."""
        roots, parts = [], []
        offset = 0
        for iteration in model._predictors:
            nodes = iteration[0].nodes
            if np.any(nodes["is_categorical"][~nodes["is_leaf"].astype(bool)]):
                raise ModelError(
                    say(
                        "categorical splits cannot be exported; encode categories as numbers",
                        "无法导出类别型分裂；请先把类别编码为数值",
                    )
                )
            roots.append(offset)
            parts.append(_tree_arrays(nodes, offset))
            offset += len(nodes)
        joined = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
        return cls(
            baseline=float(np.ravel(model._baseline_prediction)[0]),
            n_features=n_features,
            roots=np.asarray(roots, dtype=np.int64),
            **joined,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "baseline": self.baseline,
            "n_features": self.n_features,
            "roots": self.roots.tolist(),
            "feature": self.feature.tolist(),
            "threshold": [_finite(t) for t in self.threshold.tolist()],
            "missing_left": self.missing_left.astype(int).tolist(),
            "left": self.left.tolist(),
            "right": self.right.tolist(),
            "value": self.value.tolist(),
        }

    @classmethod
    def from_dict(cls, data: Any) -> TreeEnsemble:
        """Checked arrays from :meth:`to_dict`: node numbers inside the arrays, features
        inside ``n_features``, so a damaged file fails here and not in a traversal."""
        try:
            n_features = int(data["n_features"])
            arrays = {
                "roots": np.asarray(data["roots"], dtype=np.int64),
                "feature": np.asarray(data["feature"], dtype=np.int64),
                "threshold": np.asarray(
                    [np.inf if t is None else t for t in data["threshold"]], dtype=float
                ),
                "missing_left": np.asarray([bool(int(v)) for v in data["missing_left"]]),
                "left": np.asarray(data["left"], dtype=np.int64),
                "right": np.asarray(data["right"], dtype=np.int64),
                "value": np.asarray(data["value"], dtype=float),
            }
            baseline = float(data["baseline"])
            consistent = _consistent(arrays, n_features) and math.isfinite(baseline)
        except (KeyError, TypeError, ValueError, OverflowError) as error:
            raise ModelError(
                say(
                    f"the model file's trees are damaged ({type(error).__name__}); fit and "
                    "save the model again",
                    f"模型文件中的树已损坏（{type(error).__name__}）；请重新训练并保存模型",
                )
            ) from error
        if not consistent:
            raise ModelError(
                say(
                    "the model file's trees are inconsistent; fit and save the model again",
                    "模型文件中的树前后不一致；请重新训练并保存模型",
                )
            )
        return cls(baseline=baseline, n_features=n_features, **arrays)

    @property
    def n_trees(self) -> int:
        return len(self.roots)

    def explain(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per row the bias (the same for all: baseline + the trees' root values) and the
        ``(rows, features)`` contributions; bias + their row sums = the log-odds."""
        x = np.asarray(x, dtype=float)
        contributions = np.zeros((len(x), self.n_features))
        bias = self.baseline + float(self.value[self.roots].sum())
        for start in range(0, len(x), _CHUNK):
            rows = x[start : start + _CHUNK]
            contributions[start : start + _CHUNK] = self._walk(rows)
        return np.full(len(x), bias), contributions

    def log_odds(self, x: np.ndarray) -> np.ndarray:
        bias, contributions = self.explain(x)
        return bias + contributions.sum(axis=1)

    def _walk(self, rows: np.ndarray) -> np.ndarray:
        n = len(rows)
        out = np.zeros((n, self.n_features))
        node = np.broadcast_to(self.roots, (n, self.n_trees)).copy()
        row = np.broadcast_to(np.arange(n)[:, None], node.shape)
        while True:
            feature = self.feature[node]
            active = feature >= 0
            if not active.any():
                return out
            r, f, k = row[active], feature[active], node[active]
            seen = rows[r, f]
            go_left = np.where(np.isnan(seen), self.missing_left[k], seen <= self.threshold[k])
            child = np.where(go_left, self.left[k], self.right[k])
            np.add.at(out, (r, f), self.value[child] - self.value[k])
            node[active] = child


def _consistent(arrays: dict[str, np.ndarray], n_features: int) -> bool:
    """One-dimensional arrays of one length; every tree's root and every split's children
    inside them and after the split (so a traversal ends); features inside ``n_features``;
    finite values; split thresholds that are numbers (+inf splits given from missing)."""
    if any(a.ndim != 1 for a in arrays.values()) or n_features < 0:
        return False
    n = len(arrays["feature"])
    if n == 0 or any(len(a) != n for k, a in arrays.items() if k != "roots"):
        return False
    split = arrays["feature"] >= 0
    where = np.flatnonzero(split)
    roots = arrays["roots"]
    return bool(
        len(roots)
        and np.all((roots >= 0) & (roots < n))
        and np.all(np.isfinite(arrays["value"]))
        and not np.any(np.isnan(arrays["threshold"][split]))
        and np.all(arrays["feature"] < n_features)
        and np.all(arrays["left"][split] > where)
        and np.all(arrays["right"][split] > where)
        and np.all(arrays["left"][split] < n)
        and np.all(arrays["right"][split] < n)
    )


def _tree_arrays(nodes: np.ndarray, offset: int) -> dict[str, np.ndarray]:
    leaf = nodes["is_leaf"].astype(bool)
    left = nodes["left"].astype(np.int64)
    right = nodes["right"].astype(np.int64)
    count = nodes["count"].astype(float)
    value = nodes["value"].astype(float).copy()
    # Children come after their parent: fill expected values from the last node back.
    for k in range(len(nodes) - 1, -1, -1):
        if not leaf[k]:
            total = count[left[k]] + count[right[k]]
            value[k] = (
                (count[left[k]] * value[left[k]] + count[right[k]] * value[right[k]]) / total
                if total > 0
                else 0.5 * (value[left[k]] + value[right[k]])
            )
    return {
        "feature": np.where(leaf, -1, nodes["feature_idx"]).astype(np.int64),
        "threshold": np.where(leaf, np.inf, nodes["num_threshold"]).astype(float),
        "missing_left": nodes["missing_go_to_left"].astype(bool),
        "left": np.where(leaf, 0, left + offset),
        "right": np.where(leaf, 0, right + offset),
        "value": value,
    }


def _finite(value: float) -> float | None:
    """JSON has no infinity: a leaf's threshold (never read) is written as null."""
    return value if np.isfinite(value) else None
