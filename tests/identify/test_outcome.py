"""The outcome model: weights learnt from conversions, its AUC against the rules', saving."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from leadlink.errors import InputError, ModelError
from leadlink.identify import OutcomeModel, fit_outcome_model, score
from leadlink.identify._outcome import _logistic, auc, sigmoid
from leadlink.identify._rules import compile_rules

NOW = "2025-06-30"


def _synthetic(n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    titles = rng.choice(["总监", "经理", "工程师", "CEO", None], size=n)
    budget = rng.choice(["50万", None], size=n, p=[0.3, 0.7])
    leads = pd.DataFrame({"lead_id": [f"L{i}" for i in range(n)], "title": titles})
    leads["budget"] = budget
    demos = rng.poisson(0.6, size=n)
    events = pd.DataFrame(
        {
            "lead_id": np.repeat(leads["lead_id"].to_numpy(), demos),
            "event": "demo_request",
            "timestamp": pd.Timestamp(NOW) - pd.to_timedelta(rng.integers(0, 60, demos.sum()), "D"),
        }
    )
    log_odds = (
        -2.0
        + 1.5 * np.isin(titles, ["总监", "CEO"])
        + 1.2 * (budget != None)  # noqa: E711
        + 1.0 * np.minimum(demos, 3)
    )
    converted = pd.Series(rng.random(n) < 1 / (1 + np.exp(-log_odds)), index=leads.index)
    return leads, events, converted


def test_outcome_model_beats_chance_and_scores(tmp_path):
    leads, events, converted = _synthetic(1200, seed=3)
    model = fit_outcome_model(leads, converted, events=events, now=NOW, seed=1)
    assert model.auc_holdout > 0.7
    assert model.auc_rules_holdout > 0.6
    assert model.n_holdout == pytest.approx(300, abs=2)
    assert model.coefficients["budget stated"] > 0.5
    assert model.coefficients["events: demo_request"] > 0.5
    assert model.coefficients["title: is a decision-maker"] > 0.5

    result = score(leads, events=events, rules=model, now=NOW)
    assert result.index.equals(leads.index)
    assert result["score"].between(0, 100).all()
    assert auc(converted, result["score"]) > 0.7
    assert any("log-odds" in r for r in result.loc[0, "reasons"]) or not result.loc[0, "reasons"]

    path = tmp_path / "outcome.json"
    model.save(path)
    again = OutcomeModel.load(path)
    assert again.coefficients == model.coefficients
    assert score(leads, events=events, rules=again, now=NOW).equals(result)


def test_outcome_model_refuses_one_sided_outcomes():
    leads, events, _ = _synthetic(50, seed=0)
    with pytest.raises(ModelError, match="at least 4 of each"):
        fit_outcome_model(leads, pd.Series(False, index=leads.index), events=events, now=NOW)
    with pytest.raises(InputError, match="0/1"):
        fit_outcome_model(leads, pd.Series("yes", index=leads.index))


def test_auc_from_ranks_matches_pair_counting():
    rng = np.random.default_rng(0)
    labels = rng.random(200) < 0.3
    scores = rng.integers(0, 10, 200).astype(float)  # many ties
    pos, neg = scores[labels], scores[~labels]
    pairs = (pos[:, None] > neg[None, :]).mean() + 0.5 * (pos[:, None] == neg[None, :]).mean()
    assert auc(labels, scores) == pytest.approx(pairs)
    assert np.isnan(auc([1, 1], [0.2, 0.3]))


def test_old_events_give_bounded_coefficients_and_a_warning(caplog):
    """Issue 20: with events two years before ``now`` every decayed count is ~1e-7 and the
    weight of a demo request came out at 2.9e7, so any fresh demo request of a scored lead
    made its score 100."""
    leads, events, converted = _synthetic(1200, seed=3)
    with caplog.at_level("WARNING", logger="leadlink"):
        model = fit_outcome_model(leads, converted, events=events, now="2027-06-30", seed=1)
    assert max(abs(c) for c in model.coefficients.values()) < 100
    assert abs(model.intercept) < 100
    assert model.auc_holdout > 0.65  # title and budget still carry it
    assert "1 event type(s) have events only long before now" in caplog.text
    fresh = pd.DataFrame({"lead_id": ["new"], "title": ["工程师"]})
    demo = pd.DataFrame({"lead_id": ["new"], "event": ["demo_request"], "timestamp": [NOW]})
    assert score(fresh, events=demo, rules=model, now=NOW).loc[0, "score"] < 90


def _standardised_fit(x: np.ndarray, y: np.ndarray, l2: float) -> tuple[np.ndarray, float]:
    """The fit before issue 20 (L2 on standardised features), as a reference."""
    mean, spread = x.mean(axis=0), x.std(axis=0)
    varying = spread > 1e-12
    z = np.where(varying, (x - mean) / np.where(varying, spread, 1.0), 0.0)
    design = np.column_stack([np.ones(len(z)), z])
    penalty = np.r_[0.0, np.full(z.shape[1], l2)]
    beta = np.zeros(design.shape[1])
    for _ in range(100):
        p = sigmoid(design @ beta)
        hessian = (design * (p * (1 - p))[:, None]).T @ design + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, design.T @ (y - p) - penalty * beta)
        beta += step
        if np.max(np.abs(step)) < 1e-8:
            break
    weights = np.where(varying, beta[1:] / np.where(varying, spread, 1.0), 0.0)
    return weights, float(beta[0] - weights @ mean)


def test_recent_events_predict_as_before():
    """On a normal case (events in the last 60 days) the penalty on the features' own unit
    gives the predictions of the standardised one, within 2 points of 100."""
    leads, events, converted = _synthetic(1200, seed=3)
    keys = leads["lead_id"].to_numpy(dtype=object)
    evidence = compile_rules(None).evidence(
        leads, {"title": "title", "budget": "budget"}, events, keys, "lead_id", pd.Timestamp(NOW)
    )
    x = np.column_stack([v for n, v in zip(evidence.names, evidence.values) if n != "events: cap"])
    y = converted.astype(int).to_numpy()
    weights, intercept = _standardised_fit(x, y, 1.0)
    before = 100 * sigmoid(intercept + x @ weights)
    weights, intercept = _logistic(x, y, 1.0)
    after = 100 * sigmoid(intercept + x @ weights)
    assert np.abs(after - before).max() < 2
    assert auc(y, after) == pytest.approx(auc(y, before), abs=0.002)
