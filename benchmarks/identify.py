"""Lead identification with machine learning: leadlink's outcome model against a tuned plain
scikit-learn pipeline, on the same split, on labelled lead-conversion data of several shapes.

No public lead-conversion set ships in a package, so the data come from
``leadlink.datasets.generate_lead_outcomes`` (its docstring documents the process: a latent
intent drives behaviour columns and conversion, with non-linear effects, interactions, a
time drift, missing values and planted leakage columns). Every set varies seed, size, shape
(web sign-ups, B2B leads) and header language.

For each set:

* **leadlink**: ``fit_outcome_model(leads, "converted")`` with its defaults — the leakage
  guard on, the newest quarter of the leads held out (time-based split on ``created_at``);
  its held-out predictions come from ``model.predict``;
* **baseline**: scikit-learn's ``HistGradientBoostingClassifier`` on the same columns leadlink
  learnt from plus the columns its rules read (categories as native categorical features),
  tuned by a grid search (learning rate, leaf count, leaf size, L2; 3-fold cross-validated
  AUC on the training leads), fitted on the same training leads and measured on the same
  held-out leads; and a one-hot logistic regression;
* measures on the held-out leads: AUC, the conversion rate of the high tier (the top 20 % by
  the training leads' predictions), the high tier's rate over the low tier's (the bottom
  50 %), the expected calibration error (10 equal-size bins) beside the error a perfectly
  calibrated model would show by chance on that many leads, fit time (each fit timed in this
  run), and whether every planted leakage column was kept out of the model (flagged by the
  leakage guard, or left out as an identifier).

Run: ``python benchmarks/identify.py`` (about 5 minutes on 2 cores); ``--quick`` for two
small sets. Writes ``benchmarks/results/identify.json``.
"""

from __future__ import annotations

import argparse
import itertools
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import OneHotEncoder
from threadpoolctl import threadpool_limits

from _results import write_results
from leadlink.datasets import generate_lead_outcomes
from leadlink.identify import fit_outcome_model
from leadlink.identify._measures import expected_calibration_error

NOW = "2026-06-30"
SETS = [  # (shape, headers, n, seed)
    ("web", "en", 8000, 1),
    ("web", "en", 8000, 2),
    ("web", "zh", 8000, 3),
    ("web", "en", 30000, 4),
    ("b2b", "en", 8000, 1),
    ("b2b", "zh", 8000, 2),
    ("b2b", "en", 3000, 3),
]
QUICK = [("web", "en", 4000, 1), ("b2b", "en", 4000, 1)]
GRID = {
    "learning_rate": (0.03, 0.1),
    "max_leaf_nodes": (7, 15, 31),
    "min_samples_leaf": (20, 80),
    "l2_regularization": (0.0, 1.0),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="two small sets only")
    parser.add_argument("--output", default="benchmarks/results/identify.json")
    args = parser.parse_args()
    # One thread for every fit, leadlink's and the baseline's: on 2 cores a few thousand
    # leads fit several times faster that way (leadlink does it by itself below 200,000).
    with threadpool_limits(limits=1):
        rows = [run(*spec) for spec in (QUICK if args.quick else SETS)]
    table = pd.DataFrame(rows)
    shown = [
        "set", "leads", "split", "method", "auc", "auc_baseline", "auc_gap", "auc_logistic",
        "ece", "ece_noise_floor", "ece_baseline", "high_precision", "high_to_low", "leaks_caught", "fit_s",
        "baseline_fit_s",
    ]  # fmt: skip
    with pd.option_context("display.width", 200, "display.precision", 3):
        print(table[shown].to_string(index=False))
    print(
        f"\nworst AUC gap to the tuned baseline {table['auc_gap'].min():+.3f}; "
        f"largest calibration error {table['ece'].max():.3f}; "
        f"smallest high/low conversion ratio {table['high_to_low'].min():.1f}; "
        f"(a perfectly calibrated model shows {table['ece_noise_floor'].min():.3f}-"
        f"{table['ece_noise_floor'].max():.3f} by chance on these held-out sizes); "
        f"planted leaks kept out of the model in {int(table['leaks_caught'].sum())} of "
        f"{len(table)} sets"
    )
    write_results(Path(args.output), "identify", now=NOW, sets=rows)


def run(shape: str, headers: str, n: int, seed: int) -> dict[str, Any]:
    frame = generate_lead_outcomes(n, seed=seed, shape=shape, headers=headers)
    outcome = frame.attrs["outcome_column"]
    planted = set(frame.attrs["leaky_columns"])
    id_column = frame.columns[0]
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the leakage guard's warning
        model = fit_outcome_model(frame, outcome, id_column=id_column, now=NOW, seed=seed)
    fit_seconds = time.perf_counter() - started
    y = frame[outcome].astype(bool).to_numpy()
    test = _held_out(frame, model)
    p = model.predict(frame, id_column=id_column, now=NOW).to_numpy()
    train_p = p[~test]
    ours = _measures(y[test], p[test], train_p)

    columns = list(model.columns) + _rule_columns(frame, model, outcome, id_column, planted)
    x = _plain_matrix(frame[columns])
    started = time.perf_counter()
    baseline, config = _tuned_boosting(x[~test], y[~test], seed)
    baseline_seconds = time.perf_counter() - started
    base_p = baseline.predict_proba(x[test])[:, 1]
    theirs = _measures(y[test], base_p, baseline.predict_proba(x[~test])[:, 1])
    logistic_auc = _logistic_auc(frame[columns], y, test)
    name = f"{shape}/{headers}/n={n}/seed={seed}"
    return {
        "set": name,
        "leads": n,
        "split": model.evaluation["split"],
        "method": model.method,
        "columns": columns,
        "auc": ours["auc"],
        "auc_baseline": theirs["auc"],
        "auc_gap": ours["auc"] - theirs["auc"],
        "auc_logistic": logistic_auc,
        "ece": ours["ece"],
        "ece_baseline": theirs["ece"],
        "high_precision": ours["high_precision"],
        "high_precision_baseline": theirs["high_precision"],
        "high_to_low": ours["high_to_low"],
        "high_to_low_baseline": theirs["high_to_low"],
        "ece_noise_floor": _ece_floor(p[test], seed),
        "leaks_planted": sorted(planted),
        "leaks_flagged": sorted(model.leaky),
        "leaks_left_out_otherwise": sorted(planted & set(model.left_out) - set(model.leaky)),
        "leaks_caught": not planted & set(model.columns),
        "false_leaks": sorted(set(model.leaky) - planted),
        "fit_s": fit_seconds,
        "baseline_fit_s": baseline_seconds,
        "baseline_config": config,
    }


def _held_out(frame: pd.DataFrame, model: Any) -> np.ndarray:
    """The leads leadlink held out: the newest ``n_holdout`` by creation time (the same
    stable order ``fit_outcome_model`` uses)."""
    if model.evaluation["split"] != "time":
        raise SystemExit("expected a time-based split; the generator writes created_at")
    created = next(c for c in frame.columns if c in ("created_at", "创建时间"))
    times = pd.to_datetime(frame[created]).to_numpy()
    order = np.argsort(times, kind="stable")
    test = np.zeros(len(frame), dtype=bool)
    test[order[len(frame) - model.n_holdout :]] = True
    return test


def _rule_columns(
    frame: pd.DataFrame, model: Any, outcome: str, id_column: str, planted: set[str]
) -> list[str]:
    """The columns leadlink's rules read (title, budget, timeline ...) rather than its
    column features: the baseline gets them as plain columns."""
    from leadlink.identify._evidence import resolve_roles

    roles = resolve_roles(frame, None, id_column)
    personal = {roles.get(r) for r in ("name", "phone", "email", "address", "created_at")}
    return [
        c
        for r, c in roles.items()
        if r in ("title", "company", "budget", "timeline", "need")
        and c not in model.columns
        and c not in personal | planted | {outcome, id_column}
    ]


def _plain_matrix(frame: pd.DataFrame) -> pd.DataFrame:
    """Numbers as numbers, everything else as pandas categories (native categorical
    support in scikit-learn's boosting)."""
    out = {}
    for column in frame.columns:
        number = pd.to_numeric(frame[column], errors="coerce")
        if number.notna().sum() >= 0.95 * frame[column].notna().sum():
            out[column] = number
        else:
            text = frame[column].astype(str).where(frame[column].notna())
            common = text.value_counts().index[:250]  # the boosting's category limit
            out[column] = text.where(text.isin(common) | text.isna(), "<other>").astype("category")
    return pd.DataFrame(out)


def _tuned_boosting(x: pd.DataFrame, y: np.ndarray, seed: int) -> tuple[Any, dict[str, Any]]:
    folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=seed)
    best, best_auc = {}, -1.0
    for values in itertools.product(*GRID.values()):
        config = dict(zip(GRID, values))
        scores = []
        for fit_rows, held in folds.split(x, y):
            model = _boosting(config, seed).fit(x.iloc[fit_rows], y[fit_rows])
            scores.append(roc_auc_score(y[held], model.predict_proba(x.iloc[held])[:, 1]))
        if np.mean(scores) > best_auc:
            best, best_auc = config, float(np.mean(scores))
    return _boosting(best, seed).fit(x, y), best


def _boosting(config: dict[str, Any], seed: int) -> HistGradientBoostingClassifier:
    return HistGradientBoostingClassifier(
        categorical_features="from_dtype",
        max_iter=600,
        early_stopping=True,
        n_iter_no_change=30,
        random_state=seed,
        **config,
    )


def _logistic_auc(frame: pd.DataFrame, y: np.ndarray, test: np.ndarray) -> float:
    x = _plain_matrix(frame)
    numbers = [c for c in x.columns if not isinstance(x[c].dtype, pd.CategoricalDtype)]
    categories = [c for c in x.columns if c not in numbers]
    encoded = OneHotEncoder(handle_unknown="ignore", min_frequency=10, sparse_output=False)
    cats = encoded.fit(x.loc[~test, categories].astype(str)).transform(x[categories].astype(str))
    nums = x[numbers].to_numpy(dtype=float)
    mean, spread = np.nanmean(nums[~test], axis=0), np.nanstd(nums[~test], axis=0) + 1e-9
    nums = np.nan_to_num((nums - mean) / spread)
    design = np.column_stack([cats, nums, np.isnan(x[numbers].to_numpy(dtype=float))])
    model = LogisticRegression(max_iter=3000).fit(design[~test], y[~test])
    return float(roc_auc_score(y[test], model.predict_proba(design[test])[:, 1]))


def _ece_floor(p: np.ndarray, seed: int, draws: int = 200) -> float:
    """The calibration error a perfectly calibrated model shows on this many held-out
    leads by chance alone: outcomes drawn from the predicted probabilities themselves."""
    rng = np.random.default_rng(seed)
    return float(
        np.mean([expected_calibration_error(rng.random(len(p)) < p, p) for _ in range(draws)])
    )


def _measures(y: np.ndarray, p: np.ndarray, train_p: np.ndarray) -> dict[str, float]:
    high_cut, low_cut = np.quantile(train_p, 0.8), np.quantile(train_p, 0.5)
    high, low = p >= high_cut, p < low_cut
    high_rate = float(y[high].mean()) if high.any() else float("nan")
    low_rate = float(y[low].mean()) if low.any() else float("nan")
    return {
        "auc": float(roc_auc_score(y, p)),
        "ece": expected_calibration_error(y, p),
        "high_precision": high_rate,
        "high_to_low": high_rate / low_rate if low_rate else float("inf"),
    }


if __name__ == "__main__":
    main()
