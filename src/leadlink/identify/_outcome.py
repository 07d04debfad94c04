"""The outcome model: which leads convert, as learnt by :func:`fit_outcome_model`.

An :class:`OutcomeModel` holds what the lead columns are (:mod:`._features`), the rules'
evidence it reads, the model itself — gradient-boosted trees as arrays (:mod:`._trees`) or a
logistic regression's weights —, its calibration, its tier cut-offs and its held-out
evaluation. :meth:`OutcomeModel.explain` splits every prediction into one contribution per
column or rule feature, which ``score`` turns into reasons.

Saved as JSON (:meth:`OutcomeModel.save`): loading runs no code and does not need
scikit-learn. Version 1 files (a logistic regression on the rules' evidence) still load.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from leadlink._i18n import say
from leadlink._values import reference_time
from leadlink.errors import LeadlinkError, ModelError
from leadlink.identify._evidence import Evidence, lead_keys, resolve_roles
from leadlink.identify._features import FeatureSpec
from leadlink.identify._measures import sigmoid
from leadlink.identify._rules import Rules, compile_source
from leadlink.identify._trees import TreeEnsemble

__all__ = ["METHODS", "OutcomeModel", "json_ready"]

METHODS = ("auto", "boosting", "logistic")
_FORMAT = "leadlink.OutcomeModel"
_VERSION = 2


class OutcomeModel:
    """Which leads convert, learnt by :func:`fit_outcome_model`; use it as
    ``score(leads, rules=model)`` or :meth:`predict`.

    Attributes:
        method: ``"boosting"`` or ``"logistic"``.
        columns: the lead columns it learnt from, and what each is
            (``{"total_visits": "number", "last_activity": "category", ...}``).
        rule_features: the rules' evidence it learnt from (``"budget stated"``, ...).
        left_out: column → why it was not learnt from (leak, identifier, one value ...).
        leaky: the columns the leakage guard left out, with the reason.
        cutoffs: ``{"high": p, "medium": p}``: the probabilities the tiers start at.
        evaluation: the held-out measures (``auc``, ``auc_rules``, ``high_tier_precision``,
            ``calibration_error``, ``deciles``, ``tiers``, ``split`` ...).
        auc_holdout, auc_rules_holdout: the model's and the rules' AUC on the held-out leads.
        n_train, n_holdout: leads used to fit and to evaluate.
    """

    def __init__(
        self,
        rules: Mapping[str, Any],
        *,
        method: str,
        spec: FeatureSpec,
        rule_features: Sequence[str],
        trees: TreeEnsemble | None = None,
        coefficients: Sequence[float] = (),
        intercept: float = 0.0,
        means: Sequence[float] = (),
        calibration: tuple[float, float] = (1.0, 0.0),
        cutoffs: Mapping[str, float] | None = None,
        evaluation: Mapping[str, Any] | None = None,
        leaky: Mapping[str, tuple[str, str]] | None = None,
        now: str | None = None,
    ) -> None:
        self.rules = dict(rules)
        self.method = method
        self.spec = spec
        self.rule_features = list(rule_features)
        self.trees = trees
        self._coefficients = np.asarray(coefficients, dtype=float)
        self.intercept = float(intercept)
        self._means = np.asarray(means, dtype=float)
        self.calibration = (float(calibration[0]), float(calibration[1]))
        self.cutoffs = dict(cutoffs or {"high": 0.5, "medium": 0.2})
        self.evaluation = dict(evaluation or {})
        self.leaky = dict(leaky or {})
        self.now = now

    # ------------------------------------------------------------------ description

    @property
    def columns(self) -> dict[str, str]:
        return {c.column: c.kind for c in self.spec.columns}

    @property
    def left_out(self) -> dict[str, str]:
        return {k: say(*v) for k, v in {**self.spec.left_out, **self.leaky}.items()}

    @property
    def coefficients(self) -> dict[str, float]:
        """The logistic model's log-odds per unit of each encoded feature (empty for
        boosting)."""
        return dict(zip(self._feature_names(), self._coefficients.tolist()))

    @property
    def auc_holdout(self) -> float:
        return float(self.evaluation.get("auc", math.nan))

    @property
    def auc_rules_holdout(self) -> float:
        return float(self.evaluation.get("auc_rules", math.nan))

    @property
    def n_train(self) -> int:
        return int(self.evaluation.get("n_train", 0))

    @property
    def n_holdout(self) -> int:
        return int(self.evaluation.get("n_holdout", 0))

    def __repr__(self) -> str:
        return (
            f"OutcomeModel(method={self.method!r}, columns={len(self.spec.columns)}, "
            f"rule_features={len(self.rule_features)}, auc_holdout={self.auc_holdout:.3f}, "
            f"auc_rules_holdout={self.auc_rules_holdout:.3f})"
        )

    def report(self) -> pd.DataFrame:
        """The held-out tiers: leads, conversions, conversion rate and lift per tier."""
        return pd.DataFrame(self.evaluation.get("tiers", []))

    # ------------------------------------------------------------------ saving

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready contents; :meth:`from_dict` reads them back."""
        return {
            "kind": _FORMAT,
            "version": _VERSION,
            "method": self.method,
            "rules": self.rules,
            "features": self.spec.to_dict(),
            "rule_features": self.rule_features,
            "trees": None if self.trees is None else self.trees.to_dict(),
            "coefficients": self._coefficients.tolist(),
            "intercept": self.intercept,
            "means": self._means.tolist(),
            "calibration": list(self.calibration),
            "cutoffs": self.cutoffs,
            "evaluation": json_ready(self.evaluation),
            "leaky": {k: list(v) for k, v in self.leaky.items()},
            "now": self.now,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> OutcomeModel:
        if not isinstance(data, Mapping) or data.get("kind") != _FORMAT:
            raise ModelError(
                say(
                    "not a leadlink OutcomeModel; save one with OutcomeModel.save",
                    "这不是 leadlink 的 OutcomeModel 文件；请用 OutcomeModel.save 保存",
                )
            )
        version = data.get("version", 1)
        if version != 1 and version != _VERSION:
            newer = isinstance(version, int) and not isinstance(version, bool) and version > 1
            raise ModelError(
                say(
                    f"OutcomeModel file version {version!r} is newer than this leadlink reads "
                    f"({_VERSION}); upgrade leadlink"
                    if newer
                    else f"OutcomeModel file version {version!r} is not one leadlink wrote; "
                    "fit and save the model again",
                    f"OutcomeModel 文件版本 {version!r} 比本版 leadlink 支持的（{_VERSION}）更新；"
                    "请升级 leadlink"
                    if newer
                    else f"OutcomeModel 文件版本 {version!r} 不是 leadlink 写出的；请重新训练并保存",
                )
            )
        try:
            if version == 1:
                model = cls._from_version_1(data)
                model._check_shapes()
                return model
            method = str(data["method"])
            if method not in METHODS[1:]:
                raise ValueError(say(f"unknown method {method!r}", f"未知的方法 {method!r}"))
            model = cls(
                data["rules"],
                method=method,
                spec=FeatureSpec.from_dict(data["features"]),
                rule_features=[str(f) for f in data["rule_features"]],
                trees=None if data["trees"] is None else TreeEnsemble.from_dict(data["trees"]),
                coefficients=data["coefficients"],
                intercept=data["intercept"],
                means=data["means"],
                calibration=(float(data["calibration"][0]), float(data["calibration"][1])),
                cutoffs={k: float(data["cutoffs"][k]) for k in ("high", "medium")},
                evaluation=data.get("evaluation", {}),
                leaky={k: (str(v[0]), str(v[1])) for k, v in data.get("leaky", {}).items()},
                now=data.get("now"),
            )
        except (KeyError, TypeError, ValueError, IndexError, AttributeError) as error:
            raise ModelError(
                say(
                    f"the OutcomeModel file is damaged ({type(error).__name__}: {error}); fit "
                    "and save the model again",
                    f"OutcomeModel 文件已损坏（{type(error).__name__}：{error}）；请重新训练并保存",
                )
            ) from error
        model._check_shapes()
        return model

    @classmethod
    def _from_version_1(cls, data: Mapping[str, Any]) -> OutcomeModel:
        """A model saved by leadlink 0.x: a logistic regression on the rules' evidence."""
        names = list(data["coefficients"])
        return cls(
            data["rules"],
            method="logistic",
            spec=FeatureSpec(),
            rule_features=names,
            coefficients=[float(data["coefficients"][n]) for n in names],
            intercept=float(data["intercept"]),
            means=[0.0] * len(names),
            evaluation={
                "auc": data.get("auc_holdout", math.nan),
                "auc_rules": data.get("auc_rules_holdout", math.nan),
                "n_train": data.get("n_train", 0),
                "n_holdout": data.get("n_holdout", 0),
            },
        )

    def _check_shapes(self) -> None:
        width = len(self._feature_names())
        bad = (
            self.trees.n_features != width
            if self.trees is not None
            else len(self._coefficients) != width or len(self._means) != width
        )
        numbers = [
            *self.calibration,
            self.intercept,
            *self._coefficients.tolist(),
            *self._means.tolist(),
            *self.cutoffs.values(),
        ]
        bad = bad or not all(math.isfinite(v) for v in numbers)
        try:
            self._compiled()  # the rules must compile, or scoring would fail later
        except (LeadlinkError, KeyError, TypeError, ValueError, AttributeError):
            bad = True
        if bad or not (0 <= self.cutoffs["medium"] <= self.cutoffs["high"] <= 1):
            raise ModelError(
                say(
                    "the OutcomeModel file is inconsistent (features and weights that do not "
                    "agree, a number that is not finite, or rules that do not compile); fit "
                    "and save the model again",
                    "OutcomeModel 文件前后不一致（特征与权重对不上、数值不是有限数，或规则无法编译）；"
                    "请重新训练并保存",
                )
            )

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=1), "utf-8")

    @classmethod
    def load(cls, path: str | Path) -> OutcomeModel:
        """Read a saved model. JSON only: nothing in the file is executed."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ModelError(
                say(
                    f"cannot read an OutcomeModel from {path}: {error}",
                    f"无法从 {path} 读取 OutcomeModel：{error}",
                )
            ) from error
        return cls.from_dict(data)

    # ------------------------------------------------------------------ predicting

    def predict(
        self,
        leads: pd.DataFrame,
        *,
        events: pd.DataFrame | None = None,
        columns: Mapping[str, str] | None = None,
        id_column: str = "lead_id",
        now: Any = None,
    ) -> pd.Series:
        """Each lead's calibrated probability of converting, on ``leads.index``."""
        reference = reference_time(now)
        compiled = self._compiled()
        roles = resolve_roles(leads, columns, id_column)
        keys = lead_keys(leads, id_column, required=events is not None)
        evidence = compiled.evidence(leads, roles, events, keys, id_column, reference)
        log_odds, _, _ = self.explain(leads, evidence, reference)
        return pd.Series(sigmoid(log_odds), index=leads.index, name="probability")

    def _compiled(self) -> Rules:
        return compile_source(copy.deepcopy(self.rules))

    def _feature_names(self) -> list[str]:
        return self.spec.names(self.method == "boosting") + self.rule_features

    def _design(self, leads: pd.DataFrame, evidence: Evidence, now: pd.Timestamp) -> np.ndarray:
        columns = self.spec.encode(leads, now, for_trees=self.method == "boosting")
        position = {name: j for j, name in enumerate(evidence.names)}
        rules = np.column_stack(
            [
                evidence.values[position[name]] if name in position else np.zeros(len(leads))
                for name in self.rule_features
            ]
            or [np.zeros((len(leads), 0))]
        )
        return np.column_stack([columns, rules])

    def explain(
        self, leads: pd.DataFrame, evidence: Evidence, now: pd.Timestamp
    ) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """Calibrated log-odds per lead, and their split into one contribution per column
        or rule feature (``(leads, groups)``, summing with a common bias to the log-odds),
        and the groups' names (a column, or ``"rule:"`` and a rule feature)."""
        x = self._design(leads, evidence, now)
        if self.trees is not None:
            bias, parts = self.trees.explain(x)
        else:
            parts = (x - self._means) * self._coefficients
            bias = np.full(len(x), self.intercept + float(self._means @ self._coefficients))
        groups = self.spec.groups(self.method == "boosting") + [
            f"rule:{name}" for name in self.rule_features
        ]
        names = list(dict.fromkeys(groups))
        column_of = {name: j for j, name in enumerate(names)}
        summed = np.zeros((len(x), len(names)))
        for j, group in enumerate(groups):
            summed[:, column_of[group]] += parts[:, j]
        slope, shift = self.calibration
        log_odds = slope * (bias + summed.sum(axis=1)) + shift
        return log_odds, slope * summed, names

    def tier(self, probability: np.ndarray) -> np.ndarray:
        high, medium = self.cutoffs["high"], self.cutoffs["medium"]
        return np.where(
            probability >= high, "high", np.where(probability >= medium, "medium", "low")
        ).astype(object)


def json_ready(value: Any) -> Any:
    """JSON-ready copy: numpy numbers as Python ones, NaN and infinity as null."""
    if isinstance(value, Mapping):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_ready(v) for v in value]
    if isinstance(value, (np.integer, np.bool_)):
        return value.item()
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    return value
