"""score(): the result frame (score, tier, stage, reasons) on the leads' index, and scoring
merged people (score_golden, score(..., golden=...))."""

from __future__ import annotations

import logging

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadlink.errors import ConfigError, InputError
from leadlink.identify import score, score_golden

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


# ---------------------------------------------------------------------------- result


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


def test_reasons_in_chinese_keep_the_numbers_and_the_codes(scored):
    from leadlink._i18n import set_language

    set_language("zh")
    chinese = score(_leads(), events=_events(), now=NOW)
    reasons = chinese.loc[50, "reasons"]
    assert "职位“采购总监”是决策人（+20）" in reasons
    assert "预算“50万”已填写（+15）" in reasons
    assert "采购时间“3个月内”在 90 天以内（+15）" in reasons
    assert "公司“北京某某科技有限公司”有效（+10）" in reasons
    assert "电话有效（+8）" in reasons
    assert any(r.startswith("近 10 天内 2 次预约演示（+") for r in reasons)
    ghost = chinese.loc[30, "reasons"][0]
    assert ghost.startswith("幽灵线索（占位电话号码；") and ghost.endswith("（-50）")
    # one reason per English reason, in the same order; scores, tiers and stages unchanged
    assert [len(r) for r in chinese["reasons"]] == [len(r) for r in scored["reasons"]]
    for english, translated in zip(scored["reasons"], chinese["reasons"]):
        assert [r.rsplit("(", 1)[1] for r in english] == [
            r.rsplit("（", 1)[1].replace("）", ")") for r in translated
        ]
    assert chinese.drop(columns="reasons").equals(scored.drop(columns="reasons"))


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


def test_bad_arguments():
    with pytest.raises(InputError):
        score([{"name": "张伟"}])  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="not a time"):
        score(pd.DataFrame({"name": ["张伟"]}), now="yesterday-ish")


# -------------------------------------------------------------------- merged history


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


def test_golden_scoring_counts_the_events_of_no_member():
    leads, events, golden = _three_spellings()
    extra = pd.concat([leads, pd.DataFrame({"lead_id": ["L5"], "name": ["王芳"]}, index=[11])])
    events = pd.concat(
        [events, pd.DataFrame({"lead_id": ["L5", "L9"], "event": ["form"] * 2, "timestamp": NOW})]
    )
    people = score_golden(golden, extra, events, now=NOW)
    assert people.attrs["skipped_events"]["unknown_lead"] == 2  # L5 is in no cluster
    # scoring each lead: L5 is scored alone, with its own form; only L9 is unknown
    per_lead = score(extra, events=events, golden=golden, now=NOW)
    assert per_lead.attrs["skipped_events"]["unknown_lead"] == 1
    assert per_lead.loc[11, "reasons"] == ["1 form submission today (+8)"]


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


# ------------------------------------------------------------------------ properties


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
