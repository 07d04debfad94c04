"""Weights for the scoring evidence learnt from past conversions.

The rules give points by judgement; :func:`fit_outcome_model` learns how much the same
evidence (title level, budget, timeline, events ...) says about conversion in your own
history, with an L2-penalised logistic regression in numpy, and reports its held-out AUC
next to the rules' so you can see whether learning helped. ``score(leads, rules=model)``
then scores with the learnt weights.
"""

from __future__ import annotations

import copy
import json
import logging
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from leadlink._i18n import say
from leadlink._values import reference_time
from leadlink.errors import ConfigError, InputError, ModelError
from leadlink.identify._evidence import Evidence, lead_keys, resolve_roles
from leadlink.identify._rules import Rules, compile_rules, compile_source

__all__ = ["OutcomeModel", "auc", "fit_outcome_model", "sigmoid"]

logger = logging.getLogger(__name__)


class OutcomeModel:
    """Weights for the scoring evidence learnt from past conversions.

    Made by :func:`fit_outcome_model`; use it with ``score(leads, rules=model)``, which
    gives ``score = 100 × P(convert)`` and reasons in log-odds. The features are those the
    rules read (title level, company known, budget, timeline level, need, valid contact,
    ghost, and per event type ``log(1 + decayed count)``).

    Attributes:
        coefficients: feature → log-odds per unit of the feature (1 = present).
        intercept: log-odds of a lead with none of the features.
        auc_holdout: the model's AUC on the held-out leads.
        auc_rules_holdout: the rules' AUC on the same held-out leads.
        n_train, n_holdout: leads used to fit and to evaluate.
    """

    def __init__(
        self,
        rules: Mapping[str, Any],
        coefficients: Mapping[str, float],
        intercept: float,
        *,
        auc_holdout: float = math.nan,
        auc_rules_holdout: float = math.nan,
        n_train: int = 0,
        n_holdout: int = 0,
        l2: float = 1.0,
    ) -> None:
        self.rules = dict(rules)
        self.coefficients = dict(coefficients)
        self.intercept = float(intercept)
        self.auc_holdout = float(auc_holdout)
        self.auc_rules_holdout = float(auc_rules_holdout)
        self.n_train = int(n_train)
        self.n_holdout = int(n_holdout)
        self.l2 = float(l2)

    def __repr__(self) -> str:
        return (
            f"OutcomeModel(features={len(self.coefficients)}, auc_holdout="
            f"{self.auc_holdout:.3f}, auc_rules_holdout={self.auc_rules_holdout:.3f})"
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready contents; :meth:`from_dict` reads them back."""
        return {
            "kind": "leadlink.OutcomeModel",
            "version": 1,
            "rules": self.rules,
            "coefficients": self.coefficients,
            "intercept": self.intercept,
            "auc_holdout": self.auc_holdout,
            "auc_rules_holdout": self.auc_rules_holdout,
            "n_train": self.n_train,
            "n_holdout": self.n_holdout,
            "l2": self.l2,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> OutcomeModel:
        if not isinstance(data, Mapping) or data.get("kind") != "leadlink.OutcomeModel":
            raise ModelError(
                say(
                    "not a leadlink OutcomeModel; save one with OutcomeModel.save",
                    "这不是 leadlink 的 OutcomeModel 文件；请用 OutcomeModel.save 保存",
                )
            )
        return cls(
            data["rules"],
            data["coefficients"],
            data["intercept"],
            auc_holdout=data.get("auc_holdout", math.nan),
            auc_rules_holdout=data.get("auc_rules_holdout", math.nan),
            n_train=data.get("n_train", 0),
            n_holdout=data.get("n_holdout", 0),
            l2=data.get("l2", 1.0),
        )

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=2), "utf-8")

    @classmethod
    def load(cls, path: str | Path) -> OutcomeModel:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            raise ModelError(
                say(
                    f"cannot read an OutcomeModel from {path}: {error}",
                    f"无法从 {path} 读取 OutcomeModel：{error}",
                )
            ) from error
        return cls.from_dict(data)

    def _compiled(self) -> Rules:
        return compile_source(copy.deepcopy(self.rules))

    def _log_odds(self, evidence: Evidence) -> tuple[np.ndarray, np.ndarray]:
        """Each lead's log-odds of converting, and each feature's contribution to it."""
        x = evidence.matrix()
        weights = np.array([self.coefficients.get(name, 0.0) for name in evidence.names])
        contributions = x * weights
        return self.intercept + contributions.sum(axis=1), contributions


def fit_outcome_model(
    leads: pd.DataFrame,
    converted: pd.Series,
    *,
    events: pd.DataFrame | None = None,
    rules: Mapping[str, Any] | str | Path | None = None,
    columns: Mapping[str, str] | None = None,
    id_column: str = "lead_id",
    now: Any = None,
    holdout: float = 0.25,
    l2: float = 1.0,
    seed: int = 0,
) -> OutcomeModel:
    """Learn weights for the rules' evidence from which leads converted.

    An L2-penalised logistic regression (Newton–IRLS in numpy) on the features the rules
    read. A random ``holdout`` share of the leads (stratified, drawn with ``seed``) is kept
    out of fitting; :attr:`OutcomeModel.auc_holdout` and
    :attr:`OutcomeModel.auc_rules_holdout` compare model and rules on it.

    Args:
        converted: bool or 0/1 per lead, on ``leads.index``.
        l2: penalty on the coefficients, each in log-odds per unit of its feature (the
            intercept is free); see :func:`_logistic`.

    Raises:
        InputError: ``converted`` does not cover every lead with 0/1.
        ModelError: too few leads of one outcome to fit and evaluate.
    """
    compiled = compile_rules(rules)
    reference = reference_time(now)
    if not isinstance(converted, pd.Series):
        raise InputError(
            say(
                "converted must be a pandas Series of 0/1 or bool on leads.index",
                "converted 须为与 leads.index 对齐、取值为 0/1 或 bool 的 pandas Series",
            )
        )
    aligned = converted.reindex(leads.index)
    if aligned.isna().any() or not aligned.isin([0, 1, True, False]).all():
        raise InputError(
            say(
                "converted must hold 0/1 or True/False for every lead, on the same index as leads",
                "converted 须为每条线索给出 0/1 或 True/False，且索引与 leads 相同",
            )
        )
    if not 0 < holdout < 1 or isinstance(l2, bool) or l2 < 0:
        raise ConfigError(
            say(
                "holdout must be between 0 and 1 and l2 at least 0",
                "holdout 须在 0 到 1 之间，l2 须不小于 0",
            )
        )
    y = aligned.astype(int).to_numpy()
    roles = resolve_roles(leads, columns, id_column)
    keys = lead_keys(leads, id_column, required=events is not None)
    evidence = compiled.evidence(leads, roles, events, keys, id_column, reference)
    rng = np.random.default_rng(seed)
    test = np.zeros(len(y), dtype=bool)
    for outcome in (0, 1):
        where = np.flatnonzero(y == outcome)
        if len(where) < 4:
            raise ModelError(
                say(
                    f"only {len(where)} lead(s) with converted={outcome}; the outcome model needs "
                    "at least 4 of each outcome (more for a useful model)",
                    f"converted={outcome} 的线索只有 {len(where)} 条；转化预测模型每种结果"
                    "至少需要 4 条（要得到有用的模型还需要更多）",
                )
            )
        chosen = rng.choice(where, size=max(1, round(holdout * len(where))), replace=False)
        test[chosen] = True
    _warn_if_events_decayed(evidence)
    x = evidence.matrix()
    keep = [j for j, name in enumerate(evidence.names) if name != "events: cap"]
    names = [evidence.names[j] for j in keep]
    x = x[:, keep]
    coefficients, intercept = _logistic(x[~test], y[~test], l2)
    model = OutcomeModel(
        compiled.source,
        dict(zip(names, coefficients.tolist())),
        intercept,
        n_train=int((~test).sum()),
        n_holdout=int(test.sum()),
        l2=l2,
    )
    log_odds, _ = model._log_odds(evidence)
    rule_points = (
        np.column_stack(evidence.points).sum(axis=1) if evidence.points else np.zeros(len(y))
    )
    model.auc_holdout = auc(y[test], log_odds[test])
    model.auc_rules_holdout = auc(y[test], rule_points[test])
    logger.info(
        "outcome model: %d features, holdout AUC %.3f (rules %.3f)",
        len(names),
        model.auc_holdout,
        model.auc_rules_holdout,
    )
    return model


def _warn_if_events_decayed(evidence: Evidence) -> None:
    """Warn when an event type's events all decayed to almost nothing (over about 6.6
    half-lives before ``now``): the model can learn little from them, which usually means
    ``now`` is not the time the outcomes were taken."""
    faded = sum(
        1
        for name, values, is_event in zip(evidence.names, evidence.values, evidence.is_event)
        if is_event and name != "events: cap" and values.any() and values.max() < 0.01
    )
    if faded:
        logger.warning(
            say(
                "%d event type(s) have events only long before now (each worth under 1 %% of "
                "a fresh one): the outcome model learns little from them; fit with now= the "
                "time the outcomes were taken",
                "%d 种事件类型的事件都远早于 now（每个的权重不到新事件的 1%%）："
                "转化预测模型很难从中学到什么；请把 now= 设为获取转化结果的时间",
            ),
            faded,
        )


def _logistic(x: np.ndarray, y: np.ndarray, l2: float) -> tuple[np.ndarray, float]:
    """Newton–IRLS for logistic regression with an L2 penalty on the coefficients as they
    are reported — log-odds per unit of each feature (1 = present, or one more event) —
    and a free intercept. Returns the weights and the intercept.

    The penalty is on the features' own unit, not on standardised ones: a feature whose
    values barely vary (events decayed to almost nothing because they are old relative to
    ``now``) then keeps a small weight instead of one divided by its tiny spread (±10⁵),
    which would make any fresh event of a scored lead dominate its score. The features are
    centred for the solve, so the intercept does not pull on the weights; features that do
    not vary get weight 0.
    """
    mean = x.mean(axis=0)
    varying = x.std(axis=0) > 1e-12
    centred = np.where(varying, x - mean, 0.0)
    design = np.column_stack([np.ones(len(centred)), centred])
    penalty = np.full(design.shape[1], l2)
    penalty[0] = 0.0
    beta = np.zeros(design.shape[1])
    beta[0] = math.log((y.mean() + 1e-3) / (1 - y.mean() + 1e-3))
    for _ in range(100):
        p = sigmoid(design @ beta)
        gradient = design.T @ (y - p) - penalty * beta
        hessian = (design * (p * (1 - p))[:, None]).T @ design + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        beta += step
        if np.max(np.abs(step)) < 1e-8:
            break
    weights = np.where(varying, beta[1:], 0.0)
    intercept = float(beta[0] - np.sum(weights * mean))
    return weights, intercept


def auc(labels: Any, scores: Any) -> float:
    """Area under the ROC curve from ranks (Mann–Whitney), ties counted half.

    >>> auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.75
    """
    y = np.asarray(labels, dtype=bool)
    ranks = pd.Series(np.asarray(scores, dtype=float)).rank(method="average").to_numpy()
    positives, negatives = int(y.sum()), int((~y).sum())
    if positives == 0 or negatives == 0:
        return math.nan
    return float((ranks[y].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def sigmoid(values: np.ndarray) -> np.ndarray:
    """The logistic function, clipped so that no value overflows."""
    return 1.0 / (1.0 + np.exp(-np.clip(values, -35, 35)))
