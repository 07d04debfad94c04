"""fit_outcome_model: what it learns from (and never from), how it holds leads out, which
method it picks, where the tiers start, what the evaluation says, and how it refuses bad
arguments."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from leadlink.errors import ColumnError, ConfigError, InputError, ModelError
from leadlink.identify import OutcomeModel, fit_outcome_model
from leadlink.identify._measures import auc
from tests.identify._outcome_leads import NOW, b2b_leads, one_thread, web_leads

WEB_COLUMNS = {
    "lead_source": "category",
    "total_visits": "number",
    "time_on_site": "number",
    "last_activity": "category",
    "do_not_email": "flag",
}
CREATION_REASON = "the creation date: older leads had longer to convert"


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    with one_thread():
        yield


@pytest.fixture(scope="module")
def web() -> pd.DataFrame:
    return web_leads(2000, seed=0)


@pytest.fixture(scope="module")
def web_auto(web) -> OutcomeModel:
    return fit_outcome_model(web, "converted", now=NOW)


@pytest.fixture(scope="module")
def web_boosting(web) -> OutcomeModel:
    return fit_outcome_model(web, "converted", now=NOW, method="boosting")


@pytest.fixture(scope="module")
def web_logistic(web) -> OutcomeModel:
    return fit_outcome_model(web, "converted", now=NOW, method="logistic")


@pytest.fixture(scope="module")
def b2b() -> tuple[pd.DataFrame, pd.DataFrame]:
    return b2b_leads(2000, seed=0)


@pytest.fixture(scope="module")
def b2b_model(b2b) -> OutcomeModel:
    leads, events = b2b
    return fit_outcome_model(leads, "converted", events=events, now=NOW)


def _newest(leads: pd.DataFrame, share: float = 0.25) -> np.ndarray:
    """The held-out leads of a time split: the newest ``share`` (stable order on ties)."""
    order = np.argsort(pd.to_datetime(leads["created_at"]).to_numpy(), kind="stable")
    test = np.zeros(len(leads), dtype=bool)
    test[order[len(leads) - round(share * len(leads)) :]] = True
    return test


# ---------------------------------------------------------------------------- the outcome


def test_the_outcome_column_may_say_yes_and_no_in_english_or_chinese(web, web_logistic):
    chinese = web.assign(converted=web["converted"].map({"Yes": "是", "No": "否"}))
    again = fit_outcome_model(chinese, "converted", now=NOW, method="logistic")
    assert again.coefficients == web_logistic.coefficients
    assert again.evaluation == web_logistic.evaluation


@pytest.mark.parametrize(
    "spelling",
    [
        {"Yes": 1, "No": 0},
        {"Yes": True, "No": False},
        {"Yes": "已转化", "No": "未转化"},
        {"Yes": " TRUE ", "No": "false"},
        {"Yes": "y", "No": "n"},
    ],
)
def test_other_spellings_of_the_outcome(web, web_logistic, spelling):
    spelled = web.assign(converted=web["converted"].map(spelling))
    again = fit_outcome_model(spelled, "converted", now=NOW, method="logistic")
    assert again.coefficients == web_logistic.coefficients


def test_the_outcome_as_a_series_on_the_leads_index(web, web_logistic):
    shuffled = web.sample(frac=1.0, random_state=1)
    outcome = (web["converted"] == "Yes").astype(int)  # on web's order; aligned by index
    leads = shuffled.drop(columns=["converted"]).sort_index()
    again = fit_outcome_model(leads, outcome, now=NOW, method="logistic")
    assert again.coefficients == web_logistic.coefficients


def test_the_outcome_column_is_never_learnt_from(web_auto, web_boosting, web_logistic):
    for model in (web_auto, web_boosting, web_logistic):
        assert "converted" not in model.columns
        assert "converted" not in model.left_out
        assert not any(name.startswith("converted") for name in model._feature_names())
    # even when named in include
    model = fit_outcome_model(
        web_leads(1500, 3), "converted", now=NOW, method="logistic",
        include=["converted", "total_visits"],
    )  # fmt: skip
    assert list(model.columns) == ["total_visits"]


# ---------------------------------------------------------------------------- the columns


def test_every_informative_column_is_learnt(web_auto):
    assert web_auto.columns == WEB_COLUMNS
    assert web_auto.rule_features == []  # no contact, title or budget columns: no evidence


def test_personal_columns_are_never_learnt_from():
    """A handful of names, phones and emails repeat often enough to be categories, and
    predict the outcome; who a lead is is still no reason to convert."""
    leads = web_leads(1500, seed=4)
    rng = np.random.default_rng(4)
    converted = leads["converted"] == "Yes"
    leads["name"] = np.where(converted, "张伟", rng.choice(["李娜", "王芳", "刘洋"], len(leads)))
    leads["联系电话"] = np.where(converted, "13912345670", "13712345671")
    leads["email"] = np.where(converted, "a@acme.cn", rng.choice(["b@acme.cn", "c@acme.cn"], 1500))
    model = fit_outcome_model(leads, "converted", now=NOW, method="logistic")
    assert model.columns == WEB_COLUMNS
    assert {"name", "联系电话", "email"}.isdisjoint(model.left_out)
    named = fit_outcome_model(
        leads, "converted", now=NOW, method="logistic",
        include=["name", "联系电话", "email", "total_visits"],
    )  # fmt: skip
    assert list(named.columns) == ["total_visits"]
    mapped = fit_outcome_model(
        leads.rename(columns={"name": "contact"}), "converted", now=NOW,
        method="logistic", columns={"name": "contact"},
    )  # fmt: skip
    assert "contact" not in mapped.columns and "contact" not in mapped.left_out


def test_exclude_and_include(web):
    leads = web.head(1500)
    without = fit_outcome_model(
        leads, "converted", now=NOW, method="logistic", exclude=["time_on_site"]
    )
    assert set(without.columns) == set(WEB_COLUMNS) - {"time_on_site"}
    only = fit_outcome_model(
        leads, "converted", now=NOW, method="logistic", include=["lead_source", "do_not_email"]
    )
    assert only.columns == {"lead_source": "category", "do_not_email": "flag"}


def test_the_rules_evidence_is_learnt_and_stands_for_the_columns_it_reads(b2b, b2b_model):
    assert b2b_model.columns == {"industry": "category"}  # title and budget read by the rules
    assert {"budget stated", "events: demo_request"} <= set(b2b_model.rule_features)
    assert any(f.startswith("title: ") for f in b2b_model.rule_features)
    leads, events = b2b
    plain = fit_outcome_model(
        leads, "converted", events=events, now=NOW, method="logistic", use_rules=False
    )
    assert plain.rule_features == []
    assert set(plain.columns) == {"title", "industry", "budget"}
    assert plain.columns["budget"] == "filled"  # 50万 or blank: being filled is the news


def test_a_column_of_one_value_and_blanks_is_learnt(b2b):
    leads, events = b2b
    plain = fit_outcome_model(
        leads, "converted", events=events, now=NOW, method="logistic", use_rules=False
    )
    assert "budget" in plain.columns


def test_nothing_to_learn_from_is_refused(web):
    leads = web[["lead_id", "created_at", "converted"]]
    with pytest.raises(ModelError, match="nothing to learn from"):
        fit_outcome_model(leads, "converted", now=NOW, use_rules=False)


# ---------------------------------------------------------------------------- the split


def test_newest_leads_are_held_out_when_there_is_a_creation_date(web, web_auto):
    evaluation = web_auto.evaluation
    assert evaluation["split"] == "time"
    assert (web_auto.n_train, web_auto.n_holdout) == (1500, 500)
    newest = _newest(web)
    converted = (web["converted"] == "Yes").to_numpy()
    assert evaluation["conversion_rate"] == pytest.approx(converted[newest].mean())
    held_out = web_auto.predict(web[newest], now=NOW)
    assert evaluation["auc"] == pytest.approx(auc(converted[newest], held_out), abs=1e-12)
    assert "created_at" not in web_auto.columns
    assert web_auto.left_out["created_at"].startswith(CREATION_REASON)


def test_a_chinese_creation_date_header_also_sets_a_time_split(web):
    leads = web.head(1600).rename(columns={"created_at": "创建时间"})
    model = fit_outcome_model(leads, "converted", now=NOW, method="logistic")
    assert model.evaluation["split"] == "time"
    assert "创建时间" in model.left_out and "创建时间" not in model.columns


def test_a_named_time_column(web):
    leads = web.head(1600).rename(columns={"created_at": "first_touch"})
    model = fit_outcome_model(
        leads, "converted", now=NOW, method="logistic", time_column="first_touch"
    )
    assert model.evaluation["split"] == "time"
    assert model.left_out["first_touch"].startswith(CREATION_REASON)
    with pytest.raises(ColumnError, match="no time column 'nowhere'"):
        fit_outcome_model(leads, "converted", now=NOW, time_column="nowhere")


def test_stratified_without_a_creation_date(web):
    leads = web.drop(columns=["created_at"])
    model = fit_outcome_model(leads, "converted", now=NOW, method="logistic", holdout=0.3)
    assert model.evaluation["split"] == "stratified"
    converted = (leads["converted"] == "Yes").to_numpy()
    positives, negatives = converted.sum(), (~converted).sum()
    assert model.n_holdout == round(0.3 * positives) + round(0.3 * negatives)
    assert model.evaluation["conversion_rate"] == pytest.approx(converted.mean(), abs=0.002)


def test_stratified_when_creation_dates_are_mostly_missing(web):
    leads = web.head(1600).copy()
    leads.loc[leads.index[::5], "created_at"] = None  # known for 80 %
    model = fit_outcome_model(leads, "converted", now=NOW, method="logistic")
    assert model.evaluation["split"] == "stratified"


def test_time_column_none_gives_a_random_split(web):
    model = fit_outcome_model(web.head(1600), "converted", now=NOW, method="logistic",
                              time_column=None)  # fmt: skip
    assert model.evaluation["split"] == "stratified"


def test_the_creation_date_is_not_learnt_from_with_a_random_split(web):
    model = fit_outcome_model(web.head(1600), "converted", now=NOW, method="logistic",
                              time_column=None)  # fmt: skip
    assert "created_at" not in model.columns


def test_the_split_is_repeatable(web):
    leads = web.drop(columns=["created_at"]).head(1500)
    one = fit_outcome_model(leads, "converted", now=NOW, method="logistic", seed=5)
    two = fit_outcome_model(leads, "converted", now=NOW, method="logistic", seed=5)
    other = fit_outcome_model(leads, "converted", now=NOW, method="logistic", seed=6)
    assert one.to_dict() == two.to_dict()
    assert one.evaluation["auc"] != other.evaluation["auc"]


# ---------------------------------------------------------------------------- the method


def test_boosting_is_trees_and_logistic_is_weights(web_boosting, web_logistic):
    assert web_boosting.method == "boosting" and web_boosting.trees is not None
    assert web_boosting.coefficients == {}
    assert web_boosting.trees.n_features == len(web_boosting._feature_names())
    assert web_logistic.method == "logistic" and web_logistic.trees is None
    assert len(web_logistic.coefficients) == len(web_logistic._feature_names())
    assert "total_visits=<not given>" in web_logistic.coefficients
    assert list(web_boosting.evaluation["cv_auc"]) == ["boosting"]
    assert list(web_logistic.evaluation["cv_auc"]) == ["logistic"]


def test_the_logistic_weights_point_the_right_way(web_logistic):
    weights = web_logistic.coefficients
    assert weights["lead_source=reference"] > weights["lead_source=google"]
    assert weights["do_not_email"] < 0
    assert weights["last_activity=sms sent"] > weights["last_activity=email opened"]


def test_auto_keeps_logistic_unless_boosting_is_clearly_better(web_auto):
    cv = web_auto.evaluation["cv_auc"]
    assert set(cv) == {"logistic", "boosting"}
    expected = "boosting" if cv["boosting"] - cv["logistic"] >= 0.003 else "logistic"
    assert web_auto.method == expected


def test_auto_picks_boosting_for_an_interaction():
    """Conversion when both or neither of two numbers are high: binned columns added up
    cannot say it, trees can."""
    rng = np.random.default_rng(7)
    n = 2000
    a, b = rng.normal(size=n), rng.normal(size=n)
    p = np.where((a > 0) == (b > 0), 0.7, 0.15)
    leads = pd.DataFrame(
        {"lead_id": [f"X{i}" for i in range(n)], "a": np.round(a, 3), "b": np.round(b, 3)}
    )
    converted = pd.Series(rng.random(n) < p, index=leads.index)
    model = fit_outcome_model(leads, converted, now=NOW, use_rules=False)
    assert model.method == "boosting"
    assert model.auc_holdout > 0.7


# ---------------------------------------------------------------------------- the tiers


def _train_tiers(model: OutcomeModel, leads: pd.DataFrame) -> pd.Series:
    train = leads[~_newest(leads)]
    return pd.Series(model.tier(model.predict(train, now=NOW).to_numpy()))


@pytest.mark.parametrize("method", ["logistic", "boosting"])
def test_tier_shares_are_the_shares_of_the_training_leads(web, web_logistic, web_boosting, method):
    model = web_logistic if method == "logistic" else web_boosting
    shares = _train_tiers(model, web).value_counts(normalize=True)
    tolerance = 0.005 if method == "logistic" else 0.03  # trees tie many leads
    assert shares["high"] == pytest.approx(0.2, abs=tolerance)
    assert shares["medium"] == pytest.approx(0.3, abs=tolerance)
    assert shares["low"] == pytest.approx(0.5, abs=tolerance)


def test_other_tier_shares(web):
    model = fit_outcome_model(web, "converted", now=NOW, method="logistic",
                              tier_shares=(0.1, 0.0))  # fmt: skip
    assert model.cutoffs["medium"] == model.cutoffs["high"]
    shares = _train_tiers(model, web).value_counts(normalize=True)
    assert shares["high"] == pytest.approx(0.1, abs=0.005)
    assert "medium" not in shares


def test_tier_cutoffs_are_kept_as_given(web):
    model = fit_outcome_model(web, "converted", now=NOW, method="logistic",
                              tier_cutoffs=(0.6, 0.25))  # fmt: skip
    assert model.cutoffs == {"high": 0.6, "medium": 0.25}
    p = np.array([0.61, 0.6, 0.59, 0.25, 0.2499, 0.0])
    assert list(model.tier(p)) == ["high", "high", "medium", "medium", "low", "low"]


# ---------------------------------------------------------------------------- the evaluation

EVALUATION_KEYS = {
    "cv_auc", "split", "n_train", "n_holdout", "conversion_rate", "auc", "auc_rules",
    "high_tier_precision", "high_to_low", "calibration_error", "deciles", "tiers",
}  # fmt: skip


@pytest.mark.parametrize("name", ["web_auto", "web_boosting", "web_logistic", "b2b_model"])
def test_the_evaluation_is_complete_and_sane(request, name):
    model = request.getfixturevalue(name)
    evaluation = model.evaluation
    assert set(evaluation) == EVALUATION_KEYS
    assert 0.6 < evaluation["auc"] <= 1.0
    assert model.auc_holdout == evaluation["auc"]
    assert evaluation["calibration_error"] < 0.1  # the data follow a logistic process
    deciles = evaluation["deciles"]
    assert len(deciles) == 10 and sum(d["leads"] for d in deciles) == model.n_holdout
    predicted = [d["predicted"] for d in deciles]
    assert predicted == sorted(predicted)
    assert deciles[-1]["observed"] > deciles[0]["observed"]
    high, medium, low = evaluation["tiers"]
    assert [high["tier"], medium["tier"], low["tier"]] == ["high", "medium", "low"]
    assert high["leads"] + medium["leads"] + low["leads"] == model.n_holdout
    assert high["conversion_rate"] > medium["conversion_rate"] > low["conversion_rate"]
    assert high["lift"] > 1 > low["lift"]
    assert evaluation["high_tier_precision"] == high["conversion_rate"]
    assert evaluation["high_to_low"] == pytest.approx(
        high["conversion_rate"] / low["conversion_rate"]
    )
    report = model.report()
    assert list(report["tier"]) == ["high", "medium", "low"]


def test_the_rules_auc_is_measured_on_the_same_leads(b2b_model, web_auto):
    assert 0.65 < b2b_model.auc_rules_holdout < 1.0
    assert b2b_model.auc_holdout > 0.72
    assert web_auto.auc_rules_holdout == 0.5  # no rule evidence: every lead the same points


def test_the_probabilities_are_calibrated_on_the_held_out_leads(b2b, b2b_model):
    leads, events = b2b
    p = b2b_model.predict(leads, events=events, now=NOW)
    converted = leads["converted"].to_numpy()
    assert p.mean() == pytest.approx(converted.mean(), abs=0.03)
    assert auc(converted, p) > 0.72


# ---------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"method": "forest"}, ConfigError, "method must be one of auto, boosting, logistic"),
        ({"holdout": 0}, ConfigError, "holdout must be between 0 and 1"),
        ({"holdout": 1.0}, ConfigError, "holdout must be between 0 and 1"),
        ({"holdout": -0.2}, ConfigError, "holdout must be between 0 and 1"),
        ({"holdout": True}, ConfigError, "holdout must be between 0 and 1"),
        ({"tier_shares": (0.6, 0.5)}, ConfigError, r"high \+ medium <= 1"),
        ({"tier_shares": (0.0, 0.3)}, ConfigError, "0 < high"),
        ({"tier_shares": (0.2, -0.1)}, ConfigError, "tier_shares need"),
        ({"tier_shares": ("a", "b")}, ConfigError, "take two numbers"),
        ({"tier_shares": (0.2,)}, ConfigError, "take two numbers"),
        ({"tier_cutoffs": (0.2, 0.5)}, ConfigError, "0 <= medium <= high <= 1"),
        ({"tier_cutoffs": (1.2, 0.5)}, ConfigError, "tier_cutoffs need"),
        ({"include": ["total_visits", "pages"]}, ColumnError, r"no column\(s\) \['pages'\]"),
        ({"exclude": ["pages"]}, ColumnError, "include/exclude/keep_columns"),
        ({"keep_columns": ["pages"]}, ColumnError, "pages"),
        ({"time_column": "pages"}, ColumnError, "no time column 'pages'"),
    ],
)
def test_bad_arguments_are_refused_with_what_to_write(web, options, error, message):
    with pytest.raises(error, match=message):
        fit_outcome_model(web.head(400), "converted", now=NOW, **options)


def test_an_unknown_outcome_column(web):
    with pytest.raises(ColumnError, match="no column 'won' in the leads"):
        fit_outcome_model(web, "won", now=NOW)


@pytest.mark.parametrize(
    "converted",
    [
        pd.Series(2, index=range(300)),
        pd.Series(["yes", "maybe"] * 150),
        pd.Series([1.0, np.nan] * 150),
        pd.Series(1, index=range(1000, 1300)),  # another index
        [0, 1] * 150,
    ],
    ids=["two", "maybe", "missing", "misaligned", "a list"],
)
def test_an_outcome_that_is_not_0_or_1_is_refused(web, converted):
    with pytest.raises(InputError, match="converted must"):
        fit_outcome_model(web.head(300), converted, now=NOW)


def test_an_outcome_column_with_other_words_is_refused(web):
    leads = web.head(300).copy()
    leads.loc[leads.index[:5], "converted"] = "pending"
    with pytest.raises(InputError, match="0/1 or True/False"):
        fit_outcome_model(leads, "converted", now=NOW)


def test_leads_that_are_not_a_frame_are_refused(web):
    with pytest.raises(InputError, match="leads must be a pandas DataFrame, not dict"):
        fit_outcome_model(web.head(50).to_dict(), "converted", now=NOW)


@pytest.mark.parametrize(("positives", "seen"), [(0, 0), (19, 19), (300, 0)])
def test_too_few_of_one_outcome_is_refused(web, positives, seen):
    leads = web.head(300).assign(converted=["Yes"] * positives + ["No"] * (300 - positives))
    outcome = 1 if positives < 150 else 0
    with pytest.raises(ModelError, match=f"only {seen} lead\\(s\\) with converted={outcome}"):
        fit_outcome_model(leads, "converted", now=NOW)


def test_twenty_of_each_outcome_is_enough_to_fit(web):
    leads = web.head(200).assign(converted=(["Yes"] * 10 + ["No"] * 10) * 10)
    model = fit_outcome_model(leads, "converted", now=NOW, method="logistic", time_column=None)
    assert model.n_train + model.n_holdout == 200
    assert not math.isnan(model.auc_holdout)
