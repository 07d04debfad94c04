"""Learning the outcome model: which leads convert, from your own history.

:func:`fit_outcome_model` learns from every informative column of the leads — numbers
(visits, time on site, amounts), yes/no flags, dates as ages, categories (source, last
activity, occupation, city) — and from the evidence the scoring rules read (title level,
budget, timeline, valid contact, ghost, decayed behaviour events), with scikit-learn:

* the model: gradient-boosted trees (``HistGradientBoostingClassifier``) or a logistic
  regression on binned columns, chosen by cross-validated AUC on the training leads
  (``method="auto"``), or the one you name;
* **calibrated**: the model's log-odds are rescaled (Platt scaling) on out-of-fold
  predictions of the training leads, so that ``probability`` means the share that convert;
* **leakage guard** (:mod:`._leakage`): columns that are the outcome in disguise are left
  out with a warning that names them (``keep_columns=`` keeps one anyway);
* **honest evaluation**: the newest leads are held out when the leads have a creation date
  (train on older, test on newer), else a stratified random share; AUC, the rules' AUC,
  precision of the high tier, expected calibration error, conversion per decile and lift
  per tier are measured on them and saved with the model (:attr:`OutcomeModel.evaluation`);
* **tiers** (high / medium / low) are cut on the predicted probability: by target shares of
  the training leads (default: the top 20 % high, the next 30 % medium) or by your own
  probability cut-offs.

``score(leads, rules=model)`` then gives each lead its calibrated probability, its tier and
its reasons — every reason a column value or a rule in words with its effect in log-odds,
marked ``[data]`` or ``[rule]``. Business policy stays with the rules: a ghost lead is low
whatever the model says.

The model is saved as JSON (:meth:`OutcomeModel.save`): loading it runs no code and does
not need scikit-learn — the trees are stored as arrays (:mod:`._trees`).
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from leadlink._i18n import say
from leadlink._values import parse_times, reference_time
from leadlink.errors import ColumnError, ConfigError, InputError, ModelError
from leadlink.identify._cells import is_null
from leadlink.identify._evidence import Evidence, lead_keys, resolve_roles
from leadlink.identify._features import FeatureSpec
from leadlink.identify._leakage import find_leaks
from leadlink.identify._measures import (
    auc,
    calibration_table,
    expected_calibration_error,
    sigmoid,
    tier_table,
)
from leadlink.identify._outcome import METHODS, OutcomeModel
from leadlink.identify._rules import Rules, compile_rules
from leadlink.identify._trees import TreeEnsemble

__all__ = ["fit_outcome_model", "read_outcomes"]

logger = logging.getLogger(__name__)

# Roles never learnt from: who the lead is is no reason to convert (and is personal data).
_PERSONAL_ROLES = ("name", "phone", "email", "address")
# Roles the rules read; with use_rules their evidence stands for them.
_RULE_ROLES = ("title", "company", "budget", "timeline", "need")
# Boosting settings: shallow trees, a slow learning rate and early stopping on a tenth of
# the training leads; chosen on generated and public-shaped data, not tuned per data set.
_BOOSTING = {
    "learning_rate": 0.05,
    "max_iter": 500,
    "max_leaf_nodes": 15,
    "min_samples_leaf": 20,
    "l2_regularization": 1.0,
    "early_stopping": True,
    "validation_fraction": 0.1,
    "n_iter_no_change": 30,
}
# With creation dates, the newest lead weighs this many times the oldest in calibration
# (mean held-out calibration error on six generated sets with drift: 0.0247 unweighted,
# 0.0233 at 4, 0.0224 at 16).
_RECENCY = 16.0
# Fits on fewer training leads than this run on one thread (see fit_outcome_model).
_ONE_THREAD_BELOW = 200_000
# The logistic model's inverse penalty on one-hot bins and the rules' features.
_LOGISTIC_C = 0.5
# The simpler model is kept unless boosting's cross-validated AUC is this much better.
_PREFER_LOGISTIC_WITHIN = 0.003


def fit_outcome_model(
    leads: pd.DataFrame,
    converted: pd.Series | str,
    *,
    events: pd.DataFrame | None = None,
    rules: Mapping[str, Any] | str | Path | None = None,
    columns: Mapping[str, str] | None = None,
    id_column: str = "lead_id",
    now: Any = None,
    include: Sequence[str] | None = None,
    exclude: Sequence[str] = (),
    keep_columns: Sequence[str] = (),
    use_rules: bool = True,
    method: str = "auto",
    holdout: float = 0.25,
    time_column: str | None = "auto",
    tier_shares: tuple[float, float] = (0.2, 0.3),
    tier_cutoffs: tuple[float, float] | None = None,
    seed: int = 0,
) -> OutcomeModel:
    """Learn which leads convert from every informative column and the rules' evidence.

    Args:
        leads: the leads, one row each, with any columns (behaviour, source, dates ...).
        converted: the outcome per lead (bool or 0/1 on ``leads.index``), or the name of
            the column of ``leads`` that holds it (that column is then not learnt from).
        events: behaviour events as for :func:`score` (their decayed counts are features).
        rules: the rules whose evidence the model also learns from, and whose ghost rule
            keeps ghosts in the low tier (default BANT).
        columns: role → column, as for :func:`score`.
        include: learn from these columns only (besides the rules' evidence); default:
            every column but the id, the outcome and personal data (name, phone, email,
            address) and, with ``use_rules``, the columns the rules read (title, company,
            budget, timeline, need).
        exclude: columns never to learn from.
        keep_columns: columns to learn from even when the leakage guard flags them.
        use_rules: learn from the rules' evidence too.
        method: ``"auto"`` (the better of the two by cross-validated AUC; the logistic model
            when they are within 0.003), ``"boosting"`` or ``"logistic"``.
        holdout: share of the leads held out for the evaluation (the newest, when there is
            a creation date; else stratified at random with ``seed``).
        time_column: the column of creation dates for a time-based split; ``"auto"`` finds
            the ``created_at`` role; ``None`` for a random split.
        tier_shares: shares of the training leads in the high and medium tiers.
        tier_cutoffs: probabilities where the high and medium tiers start, instead.

    Raises:
        InputError: ``converted`` does not give 0/1 for every lead.
        ColumnError: a named column is missing.
        ConfigError: an argument is out of range.
        ModelError: too few leads of one outcome to fit and evaluate, or nothing to learn.
    """
    _check_arguments(method, holdout, tier_shares, tier_cutoffs)
    reference = reference_time(now)
    compiled = compile_rules(rules)
    y, outcome_column = read_outcomes(leads, converted)
    roles = resolve_roles(leads, columns, id_column)
    keys = lead_keys(leads, id_column, required=events is not None)
    evidence = compiled.evidence(leads, roles, events, keys, id_column, reference)
    candidates = _candidates(
        leads, roles, id_column, outcome_column, include, exclude, use_rules, keep_columns
    )
    test, split, recency = _split(leads, y, roles, time_column, holdout, seed)
    created = roles.get("created_at") if time_column in ("auto", None) else time_column
    if created is not None and created in candidates and include is None:
        candidates.remove(created)
    else:
        created = None
    train_leads = leads.iloc[np.flatnonzero(~test)]
    spec = FeatureSpec.learn(train_leads, candidates, reference)
    if created is not None:
        spec.left_out[created] = (
            "the creation date: older leads had longer to convert and a new lead is always "
            "young, so its age would mislead"
            + (" (it sets the time-based evaluation instead)" if split == "time" else ""),
            "创建时间：早期线索有更长时间转化，而新线索总是很“年轻”，用其时长会误导模型"
            + ("（它只用于按时间划分评估集）" if split == "time" else ""),
        )
    leaky = {
        column: reason
        for column, reason in find_leaks(train_leads, y[~test], spec, reference, seed=seed).items()
        if column not in keep_columns
    }
    if leaky:
        spec.columns = [c for c in spec.columns if c.column not in leaky]
        warnings.warn(
            say(
                f"left out {len(leaky)} column(s) that look like the outcome in disguise: "
                + "; ".join(f"{c!r} ({r[0]})" for c, r in leaky.items())
                + ". Pass keep_columns=[...] to learn from one anyway.",
                f"有 {len(leaky)} 列看起来是变相的转化结果，已排除："
                + "；".join(f"{c!r}（{r[1]}）" for c, r in leaky.items())
                + "。如仍要使用，请传入 keep_columns=[...]。",
            ),
            UserWarning,
            stacklevel=2,
        )
    _warn_if_events_decayed(evidence)
    rule_features = _rule_features(evidence) if use_rules else []
    if not spec.columns and not rule_features:
        raise ModelError(
            say(
                "nothing to learn from: no informative column and no rule evidence; name the "
                "behaviour columns with include=[...] or use_rules=True",
                "没有可学习的内容：既没有有用的列，也没有规则证据；请用 include=[...] 指定行为列"
                "或设置 use_rules=True",
            )
        )
    from threadpoolctl import threadpool_limits

    # Below _ONE_THREAD_BELOW training leads the fits run on one thread: on a two-core
    # machine a 3,000-lead boosting fit took 11.7 s on two OpenMP threads against 2.0 s on
    # one (the threads' start-up and synchronisation per split outweigh the work).
    with threadpool_limits(limits=1 if (~test).sum() < _ONE_THREAD_BELOW else None):
        model = _fit(
            compiled, spec, rule_features, leaky, evidence, leads, y, test, recency, method,
            reference, seed,
        )  # fmt: skip
    model.cutoffs = _cutoffs(model, leads, evidence, reference, ~test, tier_shares, tier_cutoffs)
    model.evaluation = _evaluate(model, leads, evidence, reference, y, test, split)
    logger.info(
        "outcome model: %s on %d column(s) and %d rule feature(s); holdout AUC %.3f "
        "(rules %.3f), %d column(s) left out as leaks",
        model.method,
        len(spec.columns),
        len(rule_features),
        model.auc_holdout,
        model.auc_rules_holdout,
        len(leaky),
    )
    return model


def _check_arguments(
    method: str,
    holdout: float,
    shares: tuple[float, float],
    cutoffs: tuple[float, float] | None,
) -> None:
    if method not in METHODS:
        raise ConfigError(
            say(
                f"method must be one of {', '.join(METHODS)}, not {method!r}",
                f"method 须为 {', '.join(METHODS)} 之一，而不是 {method!r}",
            )
        )
    if isinstance(holdout, bool) or not 0 < holdout < 1:
        raise ConfigError(say("holdout must be between 0 and 1", "holdout 须在 0 到 1 之间"))
    try:
        high, medium = (float(v) for v in (cutoffs if cutoffs is not None else shares))
    except (TypeError, ValueError) as error:
        raise ConfigError(
            say(
                "tier_shares and tier_cutoffs take two numbers: (high, medium)",
                "tier_shares 与 tier_cutoffs 须为两个数：(high, medium)",
            )
        ) from error
    ok = (
        0 <= medium <= high <= 1
        if cutoffs is not None
        else high > 0 and medium >= 0 and high + medium <= 1
    )
    if not ok:
        raise ConfigError(
            say(
                "tier_shares need 0 < high and high + medium <= 1; tier_cutoffs need "
                "0 <= medium <= high <= 1",
                "tier_shares 须满足 0 < high 且 high + medium <= 1；tier_cutoffs 须满足 "
                "0 <= medium <= high <= 1",
            )
        )


def read_outcomes(leads: pd.DataFrame, converted: pd.Series | str) -> tuple[np.ndarray, str | None]:
    if not isinstance(leads, pd.DataFrame):
        raise InputError(
            say(
                f"leads must be a pandas DataFrame, not {type(leads).__name__}",
                f"leads 须为 pandas DataFrame，而不是 {type(leads).__name__}",
            )
        )
    outcome_column = None
    if isinstance(converted, str):
        if converted not in leads.columns:
            raise ColumnError(
                say(
                    f"no column {converted!r} in the leads to read the outcome from",
                    f"线索中没有用来读取转化结果的列 {converted!r}",
                )
            )
        outcome_column = converted
        converted = _outcome_values(leads[converted])
    if not isinstance(converted, pd.Series):
        raise InputError(
            say(
                "converted must be a pandas Series of 0/1 or bool on leads.index, or the name "
                "of the outcome column",
                "converted 须为与 leads.index 对齐、取值为 0/1 或 bool 的 pandas Series，或转化结果列的列名",
            )
        )
    aligned = converted.reindex(leads.index)
    if aligned.isna().any() or not aligned.isin([0, 1, True, False]).all():
        raise InputError(
            say(
                "converted must hold 0/1 or True/False (yes/no, 是/否) for every lead, on the "
                "same index as leads",
                "converted 须为每条线索给出 0/1 或 True/False（yes/no、是/否），且索引与 leads 相同",
            )
        )
    y = aligned.astype(int).to_numpy()
    for outcome in (0, 1):
        if (y == outcome).sum() < 20:
            raise ModelError(
                say(
                    f"only {(y == outcome).sum()} lead(s) with converted={outcome}; the outcome "
                    "model needs at least 20 of each outcome (hundreds for a useful model)",
                    f"converted={outcome} 的线索只有 {(y == outcome).sum()} 条；转化预测模型每种"
                    "结果至少需要 20 条（要得到有用的模型需要数百条）",
                )
            )
    return y, outcome_column


def _outcome_values(values: pd.Series) -> pd.Series:
    """An outcome column as 0/1: numbers, bools, and yes/no words in English and Chinese;
    anything else stays as it is and is refused by the caller."""
    words = {"yes": 1, "y": 1, "true": 1, "t": 1, "1": 1, "是": 1, "已转化": 1, "转化": 1,
             "no": 0, "n": 0, "false": 0, "f": 0, "0": 0, "否": 0, "未转化": 0}  # fmt: skip

    def read(value: Any) -> Any:
        if is_null(value) or isinstance(value, (bool, np.bool_)):
            return value
        if isinstance(value, (int, float, np.number)):
            return value
        return words.get(str(value).strip().lower(), value)

    return values.map(read)


def _candidates(
    leads: pd.DataFrame,
    roles: Mapping[str, str],
    id_column: str,
    outcome_column: str | None,
    include: Sequence[str] | None,
    exclude: Sequence[str],
    use_rules: bool,
    keep_columns: Sequence[str],
) -> list[str]:
    named = [*(include or ()), *exclude, *keep_columns]
    unknown = [c for c in named if c not in leads.columns]
    if unknown:
        raise ColumnError(
            say(
                f"no column(s) {unknown} in the leads (include/exclude/keep_columns)",
                f"线索中没有列 {unknown}（include/exclude/keep_columns）",
            )
        )
    never = {id_column, outcome_column, *exclude}
    never |= {roles[r] for r in _PERSONAL_ROLES if r in roles}
    if include is not None:
        return [c for c in dict.fromkeys(include) if c not in never]
    if use_rules:
        never |= {roles[r] for r in _RULE_ROLES if r in roles}
    return [c for c in leads.columns if c not in never and isinstance(c, str)]


def _split(
    leads: pd.DataFrame,
    y: np.ndarray,
    roles: Mapping[str, str],
    time_column: str | None,
    holdout: float,
    seed: int,
) -> tuple[np.ndarray, str, np.ndarray]:
    """The held-out leads (a bool mask), how they were chosen — the newest ``holdout``
    share when creation dates are known for nine leads in ten, else stratified at random —
    and each lead's weight in the calibration: with dates, :data:`_RECENCY` times more for
    the newest lead than for the oldest, so that the probabilities follow the latest
    conversion rate when it drifts."""
    column = roles.get("created_at") if time_column == "auto" else time_column
    if column is not None and time_column != "auto" and column not in leads.columns:
        raise ColumnError(
            say(f"no time column {column!r} in the leads", f"线索中没有时间列 {column!r}")
        )
    if column is not None:
        times = parse_times(leads[column].where(~leads[column].map(is_null), None))
        known = ~np.isnat(times)
        if known.mean() >= 0.9:
            order = np.argsort(np.where(known, times, times[known].min()), kind="stable")
            test = np.zeros(len(y), dtype=bool)
            test[order[len(y) - max(1, round(holdout * len(y))) :]] = True
            if all((y[test] == o).sum() >= 5 and (y[~test] == o).sum() >= 10 for o in (0, 1)):
                rank = np.empty(len(y))
                rank[order] = np.arange(len(y)) / max(1, len(y) - 1)
                return test, "time", _RECENCY ** (rank - 1.0)
    rng = np.random.default_rng(seed)
    test = np.zeros(len(y), dtype=bool)
    for outcome in (0, 1):
        where = np.flatnonzero(y == outcome)
        test[rng.choice(where, size=max(1, round(holdout * len(where))), replace=False)] = True
    return test, "stratified", np.ones(len(y))


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


def _rule_features(evidence: Evidence) -> list[str]:
    """The rules' features that vary: the events' cap is a note, not a feature."""
    return [
        name
        for name, values in zip(evidence.names, evidence.values)
        if name != "events: cap" and np.nanstd(values) > 1e-12
    ]


def _fit(
    compiled: Rules,
    spec: FeatureSpec,
    rule_features: list[str],
    leaky: dict[str, tuple[str, str]],
    evidence: Evidence,
    leads: pd.DataFrame,
    y: np.ndarray,
    test: np.ndarray,
    recency: np.ndarray,
    method: str,
    now: pd.Timestamp,
    seed: int,
) -> OutcomeModel:
    """Cross-validate the methods on the training leads, keep the better, calibrate it on
    its out-of-fold log-odds and fit it on all the training leads."""
    from sklearn.linear_model import LogisticRegression

    train = np.flatnonzero(~test)
    kept = {}
    for kind in ("logistic", "boosting") if method == "auto" else (method,):
        model = OutcomeModel(
            compiled.source, method=kind, spec=spec, rule_features=rule_features, leaky=leaky,
            now=str(now),
        )  # fmt: skip
        x = model._design(leads.iloc[train], evidence.subset(train), now)
        oof = _out_of_fold(kind, x, y[train], seed)
        kept[kind] = (model, x, oof, auc(y[train], oof))
    chosen = (
        "logistic"
        if "logistic" in kept
        and ("boosting" not in kept or kept["boosting"][3] - kept["logistic"][3] < _PREFER_LOGISTIC_WITHIN)
        else "boosting"
    )  # fmt: skip
    model, x, oof, _ = kept[chosen]
    platt = LogisticRegression(C=1e6, max_iter=1000).fit(
        oof[:, None], y[train], sample_weight=recency[train]
    )
    model.calibration = (float(platt.coef_[0, 0]), float(platt.intercept_[0]))
    fitted = _estimator(chosen, seed).fit(x, y[train])
    if chosen == "boosting":
        model.trees = TreeEnsemble.from_sklearn(fitted, x.shape[1])
    else:
        model._coefficients = fitted.coef_[0].astype(float)
        model.intercept = float(fitted.intercept_[0])
        model._means = x.mean(axis=0)  # contributions are measured from the average lead
    model.evaluation = {"cv_auc": {k: v[3] for k, v in kept.items()}}
    return model


def _estimator(method: str, seed: int) -> Any:
    if method == "boosting":
        from sklearn.ensemble import HistGradientBoostingClassifier

        return HistGradientBoostingClassifier(random_state=seed, **_BOOSTING)
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=_LOGISTIC_C, max_iter=3000)


def _out_of_fold(method: str, x: np.ndarray, y: np.ndarray, seed: int) -> np.ndarray:
    """Log-odds of each training lead from a model fitted without it (stratified folds:
    five, or three above 50,000 leads)."""
    from sklearn.model_selection import StratifiedKFold

    folds = StratifiedKFold(n_splits=5 if len(y) <= 50_000 else 3, shuffle=True, random_state=seed)
    out = np.zeros(len(y))
    for fit_rows, held in folds.split(x, y):
        estimator = _estimator(method, seed).fit(x[fit_rows], y[fit_rows])
        out[held] = estimator.decision_function(x[held])
    return out


def _cutoffs(
    model: OutcomeModel,
    leads: pd.DataFrame,
    evidence: Evidence,
    now: pd.Timestamp,
    train: np.ndarray,
    shares: tuple[float, float],
    cutoffs: tuple[float, float] | None,
) -> dict[str, float]:
    if cutoffs is not None:
        return {"high": float(cutoffs[0]), "medium": float(cutoffs[1])}
    rows = np.flatnonzero(train)
    log_odds, _, _ = model.explain(leads.iloc[rows], evidence.subset(rows), now)
    p = sigmoid(log_odds)
    high = float(np.quantile(p, 1 - shares[0]))
    medium = float(np.quantile(p, 1 - shares[0] - shares[1])) if shares[1] > 0 else high
    return {"high": high, "medium": min(medium, high)}


def _evaluate(
    model: OutcomeModel,
    leads: pd.DataFrame,
    evidence: Evidence,
    now: pd.Timestamp,
    y: np.ndarray,
    test: np.ndarray,
    split: str,
) -> dict[str, Any]:
    rows = np.flatnonzero(test)
    held = evidence.subset(rows)
    log_odds, _, _ = model.explain(leads.iloc[rows], held, now)
    p = sigmoid(log_odds)
    truth = y[rows]
    points = np.column_stack(held.points).sum(axis=1) if held.points else np.zeros(len(rows))
    tiers = model.tier(p)
    rate = float(truth.mean())
    tier_rows = tier_table(truth, tiers, p)
    return {
        **model.evaluation,
        "split": split,
        "n_train": int((~test).sum()),
        "n_holdout": int(test.sum()),
        "conversion_rate": rate,
        "auc": auc(truth, p),
        "auc_rules": auc(truth, points),
        "high_tier_precision": float(tier_rows[0]["conversion_rate"]),
        "high_to_low": float(
            tier_rows[0]["conversion_rate"] / tier_rows[2]["conversion_rate"]
            if tier_rows[2]["conversion_rate"]
            else math.inf
        ),
        "calibration_error": expected_calibration_error(truth, p),
        "deciles": calibration_table(truth, p),
        "tiers": tier_rows,
    }
