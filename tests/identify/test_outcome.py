"""The outcome model: weights learnt from conversions, its AUC against the rules', saving."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from leadlink.errors import InputError, ModelError
from leadlink.identify import OutcomeModel, fit_outcome_model, score
from leadlink.identify._measures import auc

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
    logistic = fit_outcome_model(leads, converted, events=events, now=NOW, method="logistic")
    assert logistic.coefficients["budget stated"] > 0.5
    assert logistic.coefficients["events: demo_request"] > 0.5
    assert logistic.coefficients["title: is a decision-maker"] > 0.5

    result = score(leads, events=events, rules=model, now=NOW)
    assert result.index.equals(leads.index)
    assert result["score"].between(0, 100).all()
    assert auc(converted, result["score"]) > 0.7
    assert any("log-odds" in r for r in result.loc[0, "reasons"]) or not result.loc[0, "reasons"]
    assert all(r.startswith("[rule] ") for rs in result["reasons"] for r in rs)

    path = tmp_path / "outcome.json"
    model.save(path)
    again = OutcomeModel.load(path)
    assert again.to_dict() == model.to_dict()
    assert score(leads, events=events, rules=again, now=NOW).equals(result)


def test_outcome_model_refuses_one_sided_outcomes():
    leads, events, _ = _synthetic(50, seed=0)
    with pytest.raises(ModelError, match="at least 20 of each"):
        fit_outcome_model(leads, pd.Series(False, index=leads.index), events=events, now=NOW)
    with pytest.raises(InputError, match="0/1"):
        fit_outcome_model(leads, pd.Series("yes", index=leads.index))


def test_auc_matches_pair_counting():
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
    logistic = fit_outcome_model(
        leads, converted, events=events, now="2027-06-30", seed=1, method="logistic"
    )
    assert max(abs(c) for c in logistic.coefficients.values()) < 100
    assert abs(logistic.intercept) < 100
    assert model.auc_holdout > 0.65  # title and budget still carry it
    assert "1 event type(s) have events only long before now" in caplog.text
    fresh = pd.DataFrame({"lead_id": ["new"], "title": ["工程师"]})
    demo = pd.DataFrame({"lead_id": ["new"], "event": ["demo_request"], "timestamp": [NOW]})
    assert score(fresh, events=demo, rules=model, now=NOW).loc[0, "score"] < 90
