"""The leakage guard: columns that are the outcome in disguise are caught, honest noisy
columns are not, and fitting leaves the caught ones out with a warning that names them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from leadlink.identify import fit_outcome_model
from leadlink.identify._features import FeatureSpec
from leadlink.identify._leakage import find_leaks, single_column_auc
from leadlink.identify._measures import auc
from tests.identify._outcome_leads import NOW, one_thread, web_leads

COLUMNS = ["lead_source", "total_visits", "time_on_site", "last_activity", "do_not_email"]


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    with one_thread():
        yield


def _with_planted_columns(n: int = 2500, seed: int = 1) -> pd.DataFrame:
    """Web leads with a sales rep's tag written after the outcome, a grade filled in
    mostly for converters, and an honest but noisy engagement score."""
    leads = web_leads(n, seed)
    y = (leads["converted"] == "Yes").to_numpy()
    rng = np.random.default_rng(seed + 100)
    tag = np.where(
        y,
        rng.choice(["Closed by Horizzon", "Will revert after reading the email"], n, p=[0.8, 0.2]),
        rng.choice(
            ["Ringing", "Interested in other courses", "Lost to EINS", "Will revert after reading the email"],
            n,
            p=[0.4, 0.3, 0.2, 0.1],
        ),
    )  # fmt: skip
    leads["tags"] = np.where(rng.random(n) < 0.3, None, tag)  # as often blank either way
    filled = np.where(y, rng.random(n) < 0.9, rng.random(n) < 0.1)
    leads["lead_quality"] = np.where(filled, rng.choice(["High", "Medium", "Low"], n), None)
    leads["engagement"] = np.round(50 + 10 * (y + rng.normal(0.0, 1.0, n)), 1)
    return leads


@pytest.fixture(scope="module")
def planted() -> pd.DataFrame:
    return _with_planted_columns()


def _outcome(leads: pd.DataFrame) -> np.ndarray:
    return (leads["converted"] == "Yes").to_numpy()


def test_the_planted_columns_are_what_they_seem(planted):
    y = _outcome(planted)
    assert 0.72 < auc(y, planted["engagement"]) < 0.8


@pytest.fixture(scope="module")
def leaks(planted) -> dict:
    columns = [*COLUMNS, "tags", "lead_quality", "engagement"]
    spec = FeatureSpec.learn(planted, columns, NOW)
    return find_leaks(planted, _outcome(planted), spec, NOW)


def test_a_tag_written_after_the_outcome_is_caught(leaks):
    english, chinese = leaks["tags"]
    assert english.startswith("alone it predicts conversion with AUC 0.9")
    assert "AUC" in chinese


def test_a_grade_filled_mostly_for_converters_is_caught(leaks):
    english, chinese = leaks["lead_quality"]
    assert english.startswith("filled for 9") and "of converted leads and 1" in english
    assert "已转化线索中" in chinese


def test_honest_columns_are_not_flagged(leaks):
    """The engagement score alone reaches an AUC of about 0.75: informative, not a leak."""
    assert set(leaks) == {"tags", "lead_quality"}


def test_no_leaks_without_both_outcomes(planted):
    spec = FeatureSpec.learn(planted, ["tags"], NOW)
    assert find_leaks(planted, np.zeros(len(planted), dtype=bool), spec, NOW) == {}
    assert find_leaks(planted, np.ones(len(planted), dtype=bool), spec, NOW) == {}


def test_thresholds_can_be_tightened(planted):
    spec = FeatureSpec.learn(planted, ["engagement"], NOW)
    assert find_leaks(planted, _outcome(planted), spec, NOW, alone_auc=0.7) != {}


def test_a_number_unique_to_each_lead_does_not_score_by_memory():
    """An id-like float column: every lead its own bucket would reach AUC 1 in-sample; the
    cross-fitted AUC stays near chance."""
    rng = np.random.default_rng(3)
    y = rng.random(2000) < 0.3
    buckets = np.arange(2000)
    assert single_column_auc(buckets, y, seed=0) < 0.6


def test_single_column_auc_is_symmetric():
    rng = np.random.default_rng(4)
    y = rng.random(3000) < 0.4
    buckets = np.where(y, rng.integers(0, 3, 3000), rng.integers(2, 5, 3000))
    flipped = np.where(y, rng.integers(2, 5, 3000), rng.integers(0, 3, 3000))
    assert single_column_auc(buckets, y) > 0.9
    assert single_column_auc(flipped, y) > 0.9  # predicting the opposite way is as telling


# ---------------------------------------------------------------------------- fitting


@pytest.fixture(scope="module")
def warned_model(planted):
    with pytest.warns(UserWarning, match="outcome in disguise") as record:
        model = fit_outcome_model(planted, "converted", now=NOW, method="logistic")
    return model, [str(w.message) for w in record]


def test_fitting_leaves_the_leaks_out_with_a_warning_naming_them(warned_model):
    _, messages = warned_model
    (message,) = [m for m in messages if "disguise" in m]
    assert "left out 2 column(s)" in message
    assert "'tags'" in message and "'lead_quality'" in message
    assert "keep_columns" in message
    assert "'engagement'" not in message


def test_the_left_out_leaks_are_recorded_on_the_model(warned_model):
    model, _ = warned_model
    assert set(model.leaky) == {"tags", "lead_quality"}
    assert "tags" not in model.columns and "lead_quality" not in model.columns
    assert model.columns["engagement"] == "number"
    assert model.left_out["tags"].startswith("alone it predicts conversion")
    assert not any(name.startswith(("tags", "lead_quality")) for name in model.coefficients)


def test_keep_columns_keeps_a_flagged_column(planted):
    with pytest.warns(UserWarning, match="lead_quality") as record:
        model = fit_outcome_model(
            planted, "converted", now=NOW, method="logistic", keep_columns=["tags"]
        )
    assert all("'tags'" not in str(w.message) for w in record)
    assert model.columns["tags"] == "category"
    assert set(model.leaky) == {"lead_quality"}
    # learning from the leak makes the held-out leads look far easier than they are
    assert model.auc_holdout > 0.9


def test_no_warning_without_leaks():
    leads = web_leads(1500, seed=2)
    model = fit_outcome_model(leads, "converted", now=NOW, method="logistic")  # no warning
    assert model.leaky == {}
