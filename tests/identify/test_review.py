"""The rules' review against outcomes: lift and verdict per rule, tiers, the leads the tiers
got wrong, suggested cut-offs, saving."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import leadlink as ll
from leadlink._i18n import set_language
from leadlink.errors import ColumnError, ConfigError, InputError, ModelError
from leadlink.identify import RuleReview, review_rules, score
from leadlink.identify._measures import auc

NOW = "2025-06-30"
# Lower cut-offs than BANT's, so that every tier has leads on these few fields.
RULES = {"tiers": {"high": 40, "medium": 20}}


def _synthetic(n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """Leads whose conversion rises with a senior title, a stated budget and demo requests,
    falls when a company is given, and does not depend on the stated need."""
    rng = np.random.default_rng(seed)
    titles = rng.choice(["总监", "经理", "工程师", "CEO", None], size=n)
    budget = rng.choice(["50万", None], size=n, p=[0.3, 0.7])
    need = rng.choice(["CRM 系统", None], size=n)
    company = rng.choice(["Acme Ltd", None], size=n, p=[0.4, 0.6])
    leads = pd.DataFrame(
        {
            "lead_id": [f"L{i}" for i in range(n)],
            "title": titles,
            "budget": budget,
            "need": need,
            "company": company,
        }
    )
    demos = rng.poisson(0.6, size=n)
    events = pd.DataFrame(
        {
            "lead_id": np.repeat(leads["lead_id"].to_numpy(), demos),
            "event": "demo_request",
            "timestamp": pd.Timestamp(NOW) - pd.to_timedelta(rng.integers(0, 60, demos.sum()), "D"),
        }
    )
    log_odds = (
        -1.5
        + 1.5 * np.isin(titles, ["总监", "CEO"])
        + 1.2 * (budget != None)  # noqa: E711
        + 1.0 * np.minimum(demos, 3)
        - 1.2 * (company != None)  # noqa: E711
    )
    converted = pd.Series(rng.random(n) < 1 / (1 + np.exp(-log_odds)), index=leads.index)
    return leads, events, converted


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    return _synthetic(3000, seed=11)


@pytest.fixture(scope="module")
def review(data) -> RuleReview:
    leads, events, converted = data
    return review_rules(leads, converted, rules=RULES, events=events, now=NOW)


def _row(review: RuleReview, rule: str) -> dict:
    rows = review.rules.set_index("rule")
    return rows.loc[rule].to_dict()


@pytest.mark.parametrize(
    "rule", ["budget stated", "title: is a decision-maker", "events: demo_request"]
)
def test_a_rule_that_fires_on_converters_has_lift_and_is_kept_or_raised(review, rule):
    row = _row(review, rule)
    assert row["leads"] > 100
    assert row["lift"] > 1.1
    assert row["conversion_rate"] > row["rate_not_fired"]
    assert row["verdict"] in ("keep", "raise")
    assert row["suggested_points"] > 0 and row["weight"] > 0


def test_a_rule_that_fires_at_random_is_dropped(review):
    row = _row(review, "need stated")
    assert row["lift"] == pytest.approx(1, abs=0.1)
    assert row["verdict"] == "drop"
    assert row["advice"] == "drop (no lift)"


def test_a_rule_that_fires_on_leads_that_convert_less_is_reversed(review):
    row = _row(review, "company known")
    assert row["points"] == 10 and row["lift"] < 0.9
    assert row["verdict"] == "reverse"
    assert row["advice"] == "reverse (fires on leads that convert less)"
    assert row["suggested_points"] < 0


def test_rules_that_never_fire_are_unclear_and_the_cap_is_no_rule(review):
    rows = review.rules.set_index("rule")
    assert rows.loc["events: webinar", "leads"] == 0
    assert rows.loc["events: webinar", "verdict"] == "unclear"
    assert "events: cap" not in rows.index
    assert set(review.rules["verdict"]) <= {"keep", "raise", "lower", "drop", "reverse", "unclear"}
    assert "never fired on these leads: " in review.summary()


def test_the_points_are_the_rules_and_the_suggestions_are_on_their_scale(review):
    rows = review.rules.set_index("rule")
    assert rows.loc["budget stated", "points"] == 15
    assert rows.loc["title: is a top executive", "points"] == 25
    # one factor turns every learnt weight into points: yes/no rules keep their ratios
    budget, top = rows.loc["budget stated"], rows.loc["title: is a top executive"]
    assert budget["suggested_points"] / top["suggested_points"] == pytest.approx(
        budget["weight"] / top["weight"], rel=0.02
    )
    assert 5 < budget["suggested_points"] < 40
    assert review.points_scale > 0


def test_misclassified_are_exactly_the_high_non_converters_and_low_converters(data, review):
    leads, events, converted = data
    scored = score(leads, events=events, rules=RULES, now=NOW)
    high = scored.index[(scored["tier"] == "high") & ~converted]
    low = scored.index[(scored["tier"] == "low") & converted]
    assert len(high) and len(low)
    wrong = review.misclassified
    assert list(wrong.index) == [
        *scored.loc[high, "score"].sort_values(ascending=False, kind="stable").index,
        *scored.loc[low, "score"].sort_values(kind="stable").index,
    ]
    assert list(wrong.columns) == ["lead_id", "score", "tier", "converted", "reasons"]
    assert (wrong["lead_id"] == leads.loc[wrong.index, "lead_id"]).all()
    assert (wrong["score"] == scored.loc[wrong.index, "score"]).all()
    assert wrong["converted"].tolist() == [False] * len(high) + [True] * len(low)
    assert wrong["reasons"].tolist() == scored.loc[wrong.index, "reasons"].tolist()


def test_tiers_and_auc_are_those_of_the_scores(data, review):
    leads, events, converted = data
    scored = score(leads, events=events, rules=RULES, now=NOW)
    tiers = review.tiers.set_index("tier")
    for tier in ("high", "medium", "low"):
        members = scored["tier"] == tier
        assert tiers.loc[tier, "leads"] == members.sum()
        assert tiers.loc[tier, "converted"] == converted[members].sum()
    assert tiers.loc["high", "lift"] > 1 > tiers.loc["low", "lift"]
    assert review.auc == pytest.approx(auc(converted, scored["score"]))
    assert review.auc > 0.65
    rate = tiers["conversion_rate"]
    assert review.high_to_low == pytest.approx(rate["high"] / rate["low"])
    assert review.cutoffs == {"high": 40.0, "medium": 20.0}
    assert review.n_leads == 3000 and review.n_converted == converted.sum()


def test_suggested_cutoffs_give_the_tier_shares_nearest_to_the_target(data, review):
    leads, events, converted = data
    points = score(leads, events=events, rules=RULES, now=NOW)["score"].to_numpy()
    high, medium = review.suggested_cutoffs["high"], review.suggested_cutoffs["medium"]
    assert medium <= high

    def gap(cut: float, share: float) -> float:
        return abs((points >= cut).mean() - share)

    assert all(gap(high, 0.2) <= gap(c, 0.2) for c in np.unique(points))
    assert all(gap(medium, 0.5) <= gap(c, 0.5) for c in np.unique(points))
    shares = review.suggested_tiers.set_index("tier")["leads"] / len(points)
    assert shares["high"] == pytest.approx(0.2, abs=0.05)
    assert shares["high"] + shares["medium"] == pytest.approx(0.5, abs=0.05)
    other = review_rules(leads, converted, rules=RULES, events=events, now=NOW,
                         tier_shares=(0.1, 0.2))  # fmt: skip
    assert other.suggested_cutoffs["high"] >= high


def test_json_round_trip(review):
    data = review.to_dict()
    text = json.dumps(data, allow_nan=False, ensure_ascii=False)
    again = RuleReview.from_dict(json.loads(text))
    assert again.to_dict() == data
    pd.testing.assert_frame_equal(again.rules, review.rules)
    pd.testing.assert_frame_equal(again.tiers, review.tiers)
    pd.testing.assert_frame_equal(again.misclassified, review.misclassified, check_index_type=False)
    assert again.summary() == review.summary()
    assert data["rules"][0]["conversion_rate"] is None  # NaN as null: a rule that never fires
    assert data["misclassified"][0]["index"] == int(review.misclassified.index[0])
    with pytest.raises(InputError, match="not a leadlink rule review"):
        RuleReview.from_dict({"kind": "something else"})
    with pytest.raises(InputError, match="damaged"):
        RuleReview.from_dict({**data, "rules": None})


def test_the_outcome_column_can_hold_words(data):
    leads, events, converted = data
    words = leads.assign(converted=np.where(converted, "是", "否"))
    by_name = review_rules(words, "converted", rules=RULES, events=events, now=NOW)
    by_series = review_rules(leads, converted, rules=RULES, events=events, now=NOW)
    pd.testing.assert_frame_equal(by_name.rules, by_series.rules)
    assert by_name.to_dict() == by_series.to_dict()


def test_without_an_id_column_the_misclassified_show_the_index():
    leads, _, converted = _synthetic(600, seed=2)
    review = review_rules(leads.drop(columns="lead_id"), converted, rules=RULES, now=NOW)
    assert review.id_column is None
    assert list(review.misclassified.columns) == ["score", "tier", "converted", "reasons"]
    assert RuleReview.from_dict(review.to_dict()).to_dict() == review.to_dict()


def test_bad_inputs_are_refused_in_words():
    leads, _, converted = _synthetic(200, seed=0)
    with pytest.raises(InputError, match="leads must be a pandas DataFrame"):
        review_rules(leads.to_dict(), converted)
    with pytest.raises(ColumnError, match="no column 'won'"):
        review_rules(leads, "won")
    with pytest.raises(ModelError, match="cannot review the rules: only 0 lead"):
        review_rules(leads, pd.Series(False, index=leads.index))
    with pytest.raises(InputError, match="0/1"):
        review_rules(leads, pd.Series("maybe", index=leads.index))
    with pytest.raises(ConfigError, match="tier_shares"):
        review_rules(leads, converted, tier_shares=(0.8, 0.5))
    with pytest.raises(ConfigError, match="tier_shares"):
        review_rules(leads, converted, tier_shares="high")  # type: ignore[arg-type]
    with pytest.raises(ConfigError):
        review_rules(leads, converted, rules={"tiers": {"high": 10, "medium": 50}})


def test_summary_and_advice_in_chinese(data):
    leads, events, converted = data
    set_language("zh")
    review = review_rules(leads, converted, rules=RULES, events=events, now=NOW)
    text = review.summary()
    assert text.startswith("评分规则复核：3000 条线索")
    assert "高意向层的转化率是低意向层的" in text
    assert _row(review, "need stated")["advice"] == "删除（没有提升）"
    assert _row(review, "need stated")["verdict"] == "drop"  # codes stay


def test_repr_is_one_line_and_str_is_the_summary(review):
    assert "\n" not in repr(review) and repr(review).startswith("RuleReview(leads=3000")
    assert str(review) == review.summary()


def test_exported_from_the_package_root():
    assert ll.review_rules is review_rules
    assert ll.RuleReview is RuleReview
