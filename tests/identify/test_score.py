from __future__ import annotations

import json
import logging
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadlink.errors import ColumnError, ConfigError, InputError, ModelError
from leadlink.identify._score import (
    CHAMP_RULES,
    DEFAULT_RULES,
    OutcomeModel,
    _timeline_days,
    auc,
    fit_outcome_model,
    load_rules,
    score,
    score_golden,
)

NOW = "2025-06-30"


def _leads() -> pd.DataFrame:
    """Crafted leads, on a non-default index to catch misalignment."""
    return pd.DataFrame(
        {
            "lead_id": ["hot", "bare", "ghost", "buyer", "won", "clicker"],
            "姓名": ["张伟", "李娜", "测试", "王芳", "Bob Smith", "陈静"],
            "手机": ["13912345670", None, "13800138000", "13712345671", "+1 415 434 8446", None],
            "邮箱": ["zhangwei@acme.cn", None, "test@test.com", None, "bob@acme.com", None],
            "公司": ["北京某某科技有限公司", None, "测试公司", "Acme Inc", "Acme Inc", None],
            "职位": ["采购总监", None, None, "Head of Procurement", "CTO", None],
            "预算": ["50万", None, None, "无", None, None],
            "预计采购时间": ["3个月内", None, None, "明年", None, None],
            "状态": [None, None, None, None, "已成交", None],
        },
        index=[50, 40, 30, 20, 10, 0],
    )


def _events() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "lead_id": ["hot"] * 3 + ["buyer", "clicker", "clicker", "nobody"],
            "event": ["demo_request", "预约演示", "download", "pricing", "visit", "visit", "form"],
            "timestamp": [
                "2025-06-25",
                "2025-06-20T10:00:00+08:00",
                "2025-06-01",
                "2025-06-15",
                "2025-06-28",
                "2025-06-29",
                "2025-06-01",
            ],
        }
    )


@pytest.fixture(scope="module")
def scored() -> pd.DataFrame:
    return score(_leads(), events=_events(), now=NOW)


# ---------------------------------------------------------------------- evidence


def test_result_is_aligned_and_keeps_every_row(scored):
    leads = _leads()
    assert scored.index.equals(leads.index)
    assert list(scored.columns) == ["score", "tier", "stage", "reasons"]
    assert scored["score"].dtype == float
    assert scored["score"].between(0, 100).all()
    assert set(scored["tier"]) <= {"high", "medium", "low"}
    assert all(isinstance(r, list) for r in scored["reasons"])


def test_engaged_decision_maker_outranks_a_bare_name(scored):
    hot, bare = scored.loc[50], scored.loc[40]
    assert hot["score"] > 80 > bare["score"]
    assert hot["tier"] == "high"
    assert bare["tier"] == "low"
    assert bare["reasons"] == []


def test_reasons_name_the_fields_and_points(scored):
    reasons = scored.loc[50, "reasons"]
    assert "title 采购总监 is a decision-maker (+20)" in reasons
    assert "budget 50万 is stated (+15)" in reasons
    assert "timeline 3个月内 is within 90 days (+15)" in reasons
    assert "company 北京某某科技有限公司 is known (+10)" in reasons
    assert "valid phone (+8)" in reasons
    # the two demo requests (one written 预约演示) are counted together
    assert any(r.startswith("2 demo requests in the last 10 days (+") for r in reasons)
    # largest effect first
    points = [float(r.rsplit("(", 1)[1].rstrip(")")) for r in reasons]
    assert points == sorted(points, key=abs, reverse=True)


def test_reasons_never_show_phones_or_emails(scored):
    text = " ".join(" ".join(r) for r in scored["reasons"])
    for value in ("13912345670", "zhangwei@acme.cn", "bob@acme.com", "test@test.com"):
        assert value not in text


def test_ghost_lead_is_low_and_says_why(scored):
    ghost = scored.loc[30]
    assert ghost["score"] == 0
    assert ghost["tier"] == "low"
    assert ghost["reasons"][0].startswith("ghost lead (placeholder phone number")
    assert ghost["reasons"][0].endswith("(-50)")


def test_budget_none_and_far_timeline_earn_nothing(scored):
    reasons = " ".join(scored.loc[20, "reasons"])
    assert "title Head of Procurement is a decision-maker (+20)" in reasons
    assert "budget" not in reasons
    assert "timeline" not in reasons  # 明年 is beyond 365 days


def test_stages(scored):
    assert scored.loc[10, "stage"] == "customer"  # 状态 已成交
    assert scored.loc[50, "stage"] == "intent"  # demo requests
    assert scored.loc[20, "stage"] == "intent"  # a pricing page view
    assert scored.loc[0, "stage"] == "potential"  # two visits
    assert scored.loc[40, "stage"] == "new"
    assert scored.loc[30, "stage"] == "new"


def test_purchase_event_makes_a_customer_and_high_tier_means_intent():
    leads = pd.DataFrame({"lead_id": [1, 2], "title": ["CEO", "CEO"], "budget": ["1M", "1M"]})
    leads["timeline"] = ["this quarter", "ASAP"]
    leads["email"] = ["ceo@acme.com", "ceo@other.com"]
    leads["company"] = ["Acme", "Other"]
    events = pd.DataFrame({"lead_id": [1], "event": ["Purchase"], "timestamp": ["2020-01-01"]})
    result = score(leads, events=events, now=NOW)
    assert result["stage"].tolist() == ["customer", "intent"]
    assert result.loc[1, "tier"] == "high"


def test_no_events_and_no_id_column_still_scores():
    leads = pd.DataFrame({"name": ["张伟"], "title": ["总经理"]})
    assert score(leads).loc[0, "reasons"] == ["title 总经理 is a top executive (+25)"]


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("总经理", "is a top executive (+25)"),
        ("总经理助理", "is an assistant or junior role (-5)"),
        ("VP of Sales", "is a top executive (+25)"),
        ("Director, IT", "is a decision-maker (+20)"),
        ("采购经理", "has purchasing authority (+15)"),
        ("销售经理", "is a manager (+10)"),
        ("MVP developer", None),
        ("工程师", None),
    ],
)
def test_title_levels(title, expected):
    reasons = score(pd.DataFrame({"title": [title]})).loc[0, "reasons"]
    assert reasons == ([] if expected is None else [f"title {title} {expected}"])


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("3个月内", 90),
        ("一个月", 30),
        ("半年内", 180),
        ("两周", 14),
        ("1-3 months", 90),
        ("within 6 months", 180),
        ("本季度", 90),
        ("next quarter", 180),
        ("尽快", 7),
        ("今年", 365),
        ("2025-08", 46),
        ("2025年9月30日", 92),
        ("看情况", "stated"),
        ("暂无计划", None),
        ("暂不考虑", None),
        ("no plans for now", None),
        (None, None),
    ],
)
def test_timeline_reading(text, days):
    found = _timeline_days(text, pd.Timestamp(NOW))
    if days is None:
        assert found is None
    elif days == "stated":
        assert found is not None and np.isnan(found)
    else:
        assert found == pytest.approx(days, abs=1)


def test_empty_and_blank_leads():
    empty = score(pd.DataFrame({"lead_id": [], "name": []}), events=_one_event(1), now=NOW)
    assert empty.empty
    assert list(empty.columns) == ["score", "tier", "stage", "reasons"]
    blank = score(pd.DataFrame({"name": [None, ""], "title": [np.nan, " "]}))
    assert blank["score"].tolist() == [0, 0]
    assert blank["stage"].tolist() == ["new", "new"]


def test_events_join_on_id_text_and_skip_unreadable_times():
    leads = pd.DataFrame({"lead_id": [1.0, 2.0, 2.0]}, index=["a", "b", "c"])
    events = pd.DataFrame(
        {
            "lead_id": [1, "2", 2, 1],
            "Event Type": ["visit", "Demo Request", "download", "visit"],
            "时间": ["2025-06-29", "2025-06-30T08:00:00+08:00", "not a date", None],
        }
    )
    result = score(leads, events=events, now=NOW)
    assert result.loc["a", "reasons"] == ["1 visit 1 day ago (+1)"]
    # a lead id used twice: both rows get that lead's events
    assert (
        result.loc["b", "reasons"] == result.loc["c", "reasons"] == ["1 demo request today (+12)"]
    )


def test_columns_map_score_roles():
    leads = pd.DataFrame({"contact": ["张伟"], "money": ["20万"], "when": ["下个月"]})
    result = score(leads, columns={"budget": "money", "timeline": "when", "name": "contact"})
    assert result.loc[0, "reasons"] == [
        "budget 20万 is stated (+15)",
        "timeline 下个月 is within 90 days (+15)",
    ]
    with pytest.raises(ColumnError, match="not a column"):
        score(leads, columns={"budget": "预算"})


# ----------------------------------------------------------------------- behaviour


def _one_event(days_ago: float, kind: str = "demo_request", lead: str = "x") -> pd.DataFrame:
    when = pd.Timestamp(NOW) - pd.Timedelta(days=days_ago)
    return pd.DataFrame({"lead_id": [lead], "event": [kind], "timestamp": [when]})


def test_old_events_count_less_by_half_life():
    lead = pd.DataFrame({"lead_id": ["x"]})
    fresh = score(lead, events=_one_event(0), now=NOW).loc[0, "score"]
    month = score(lead, events=_one_event(30), now=NOW).loc[0, "score"]
    year = score(lead, events=_one_event(365), now=NOW).loc[0, "score"]
    assert fresh == 12
    assert month == pytest.approx(6, abs=0.05)
    assert year < 0.05 < month < fresh
    assert score(lead, events=_one_event(30), now=NOW).loc[0, "reasons"] == [
        "1 demo request 30 days ago (+6)"
    ]


def test_behaviour_is_capped():
    lead = pd.DataFrame({"lead_id": ["x"]})
    many = pd.concat([_one_event(0)] * 10, ignore_index=True)
    result = score(lead, events=many, now=NOW).loc[0]
    assert result["score"] == 40
    assert result["reasons"] == [
        "10 demo requests in the last 1 day (+40)",
        "behaviour capped at +40 (uncapped +120)",
    ]


def test_events_need_their_columns():
    lead = pd.DataFrame({"lead_id": ["x"]})
    with pytest.raises(ColumnError, match="'timestamp' column"):
        score(lead, events=pd.DataFrame({"lead_id": ["x"], "event": ["visit"]}))
    with pytest.raises(ColumnError, match="lead id column"):
        score(lead, events=pd.DataFrame({"who": ["x"], "event": ["visit"], "time": [NOW]}))
    with pytest.raises(ColumnError, match="no id column"):
        score(pd.DataFrame({"name": ["张伟"]}), events=_one_event(1))


# --------------------------------------------------------------------------- rules


def test_presets_and_overrides():
    assert load_rules() == DEFAULT_RULES
    assert load_rules("CHAMP") == CHAMP_RULES
    custom = load_rules({"tiers": {"high": 80}, "events": {"weights": {"visit": 4}}})
    assert custom["tiers"] == {"high": 80, "medium": 40}
    assert custom["events"]["weights"]["visit"] == 4
    assert custom["events"]["weights"]["demo_request"] == 12
    assert load_rules({"extends": "champ"})["need"] == {"points": 20}


def test_champ_weighs_challenges_more():
    leads = pd.DataFrame({"需求": ["想替换现有CRM系统"]})
    assert score(leads).loc[0, "score"] == 10
    assert score(leads, rules="champ").loc[0, "score"] == 20


def test_custom_rules_dict_changes_scores_and_tiers():
    leads = pd.DataFrame({"title": ["经理", "总监"]})
    rules = {
        "extends": None,
        "tiers": {"high": 30, "medium": 10},
        "title": {"levels": [{"label": "manages", "points": 35, "keywords": ["经理"]}]},
    }
    result = score(leads, rules=rules)
    assert result["score"].tolist() == [35, 0]
    assert result["tier"].tolist() == ["high", "low"]
    assert result.loc[0, "reasons"] == ["title 经理 manages (+35)"]


def test_custom_rules_from_json_file(tmp_path):
    path = tmp_path / "rules.json"
    path.write_text(
        json.dumps({"ghost": None, "company": {"points": 50}, "tiers": {"medium": 45}}),
        encoding="utf-8",
    )
    leads = pd.DataFrame({"name": ["测试"], "phone": ["13800138000"], "company": ["Acme"]})
    result = score(leads, rules=path)
    assert result.loc[0, "score"] == 50  # no ghost penalty any more
    assert result.loc[0, "tier"] == "medium"
    assert score(leads, rules=str(path)).equals(result)


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ({"tier": {"high": 80}}, "unknown rules section.*'tier'.*tiers"),
        ({"tiers": {"high": 30, "medium": 50}}, "medium <= high"),
        ({"tiers": {"high": 120}}, r"rules\['tiers'\]\['high'\] must be between 0 and 100"),
        ({"tiers": {"hi": 80}}, "unknown key.*'hi'.*high, medium"),
        ({"events": {"half_life_days": 0}}, "half_life_days'] must be more than 0"),
        ({"events": {"weights": {"visit": "high"}}}, r"\['visit'\] must be a number"),
        ({"events": {"weights": ["visit"]}}, "must map event types to points"),
        ({"company": {"points": True}}, "must be a number"),
        ({"company": 10}, r"rules\['company'\] must be an object like"),
        ({"title": {"levels": [{"label": "x", "points": 5}]}}, "keywords'] must be a non-empty"),
        ({"timeline": {"levels": [{"days": 90, "points": 5}]}}, "within_days and points"),
        ({"stage": {"intent_events": "demo"}}, "must be a list of words"),
        ({"extends": "meddic"}, "'bant', 'champ' or null"),
        ("gold", "neither a preset"),
        (42, "not a int"),
    ],
)
def test_invalid_rules_say_what_to_fix(rules, message):
    with pytest.raises(ConfigError, match=message):
        score(pd.DataFrame({"name": ["张伟"]}), rules=rules)


def test_unreadable_rules_files(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"tiers": {"high": 70,}}', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"not valid JSON.*line 1"):
        load_rules(broken)
    bad_yaml = tmp_path / "broken.yaml"
    bad_yaml.write_text("tiers: [high: 70\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_rules(bad_yaml)


def test_yaml_rules_files(tmp_path, monkeypatch):
    yaml_file = tmp_path / "rules.yaml"
    yaml_file.write_text("tiers:\n  high: 75\n", encoding="utf-8")
    assert load_rules(yaml_file)["tiers"]["high"] == 75  # PyYAML is a dependency
    assert load_rules(str(yaml_file)) == load_rules({"tiers": {"high": 75}})
    monkeypatch.setitem(sys.modules, "yaml", None)  # as if PyYAML were not installed
    with pytest.raises(ConfigError, match="PyYAML is not installed; write the rules as JSON"):
        load_rules(yaml_file)


def test_bad_arguments():
    with pytest.raises(InputError):
        score([{"name": "张伟"}])  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="not a time"):
        score(pd.DataFrame({"name": ["张伟"]}), now="yesterday-ish")


# ------------------------------------------------------------------ merged history


def _three_spellings() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    leads = pd.DataFrame(
        {
            "lead_id": ["L1", "L2", "L3", "L4"],
            "name": ["张伟", "張偉", "Zhang Wei", "李娜"],
            "phone": ["13912345670", "139 1234 5670", None, "13712345671"],
            "title": [None, "采购总监", None, None],
            "budget": [None, None, "30万", None],
        },
        index=[7, 8, 9, 10],
    )
    events = pd.DataFrame(
        {
            "lead_id": ["L1", "L2", "L3", "L4"],
            "event": ["form"] * 4,
            "timestamp": [pd.Timestamp(NOW)] * 4,
        }
    )
    golden = pd.DataFrame(
        {
            "cluster_id": ["c1", "c2"],
            "n_leads": [3, 1],
            # L2 listed twice: its form must still count once
            "lead_ids": [["L1", "L2", "L2", "L3"], ["L4"]],
            "name": ["张伟", "李娜"],
            "phone": ["13912345670", "13712345671"],
            "title": ["采购总监", None],
        },
        index=[100, 101],
    )
    return leads, events, golden


def test_golden_scoring_counts_every_members_events_once():
    leads, events, golden = _three_spellings()
    people = score_golden(golden, leads, events, now=NOW)
    assert people.index.equals(golden.index)
    assert people["cluster_id"].tolist() == ["c1", "c2"]
    person = people.loc[100]
    assert "3 form submissions in the last 1 day (+24)" in person["reasons"]
    assert "title 采购总监 is a decision-maker (+20)" in person["reasons"]
    assert "budget 30万 is stated (+15)" in person["reasons"]  # from member L3
    assert person["score"] == 24 + 20 + 15 + 8
    # one lead alone scores only its own form
    alone = score(leads, events=events, now=NOW)
    assert alone["score"].max() < person["score"]
    assert people.loc[101, "score"] == 8 + 8


def test_score_with_golden_gives_each_lead_its_persons_score():
    leads, events, golden = _three_spellings()
    extra = pd.concat([leads, pd.DataFrame({"lead_id": ["L5"], "name": ["王芳"]}, index=[11])])
    result = score(extra, events=events, golden=golden, now=NOW)
    assert result.index.equals(extra.index)
    assert result["cluster_id"].tolist() == ["c1", "c1", "c1", "c2", None]
    assert result.loc[[7, 8, 9], "score"].nunique() == 1
    assert result.loc[11, "score"] == 0


def test_golden_with_a_lead_in_two_clusters_is_refused():
    leads, events, golden = _three_spellings()
    golden["lead_ids"] = [["L1", "L2", "L3"], ["L4", "L1"]]
    with pytest.raises(InputError, match="more than one cluster"):
        score_golden(golden, leads, events, now=NOW)


def test_golden_from_dedupe(small_result, small_leads):
    leads = small_leads.drop(columns=["person_id", "is_ghost"])
    people = score_golden(small_result.golden, leads, now=NOW)
    assert len(people) == len(small_result.golden)
    assert people["score"].between(0, 100).all()
    per_lead = score(leads, golden=small_result.golden, now=NOW)
    assert per_lead.index.equals(leads.index)
    assert per_lead["cluster_id"].notna().all()


# -------------------------------------------------------------------- outcome model


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


# ----------------------------------------------------------------------- properties


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["总监", "CEO", "", None, "经理助理", "x" * 40]),
            st.sampled_from(["13912345670", "13800138000", None, "abc"]),
            st.sampled_from(["50万", "无", None, 0, 1_000_000]),
        ),
        max_size=12,
    ),
    st.lists(st.integers(min_value=-(10**6), max_value=10**6), unique=True, max_size=12),
)
def test_any_leads_score_in_range_on_their_index(rows, index):
    leads = pd.DataFrame(rows, columns=["title", "phone", "budget"], dtype=object)
    index = (index + list(range(10**7, 10**7 + len(rows))))[: len(rows)]
    leads.index = pd.Index(index, dtype="int64")
    result = score(leads, now=NOW)
    assert result.index.equals(leads.index)
    assert len(result) == len(leads)
    assert result["score"].between(0, 100).all()


def test_nothing_personal_is_logged(caplog):
    leads, events, golden = _three_spellings()
    with caplog.at_level(logging.DEBUG, logger="leadlink"):
        score(leads, events=events, now=NOW)
        score_golden(golden, leads, events, now=NOW)
    logged = " ".join(record.getMessage() for record in caplog.records)
    for value in ("13912345670", "张伟", "Zhang Wei", "采购总监", "30万"):
        assert value not in logged
