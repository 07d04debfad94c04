"""The outcome model: weights learnt from conversions, its AUC against the rules', saving."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from leadlink.errors import InputError, ModelError
from leadlink.identify import OutcomeModel, fit_outcome_model, score
from leadlink.identify._outcome import auc

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
