"""Evidence from fields (title levels, mapped score roles, blanks) and from behaviour events
(joining on id text, half-life decay, the cap, the columns events need)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from leadlink.errors import ColumnError
from leadlink.identify import score

NOW = "2025-06-30"


# ---------------------------------------------------------------------------- fields


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


def test_empty_and_blank_leads():
    empty = score(pd.DataFrame({"lead_id": [], "name": []}), events=_one_event(1), now=NOW)
    assert empty.empty
    assert list(empty.columns) == ["score", "tier", "stage", "reasons"]
    blank = score(pd.DataFrame({"name": [None, ""], "title": [np.nan, " "]}))
    assert blank["score"].tolist() == [0, 0]
    assert blank["stage"].tolist() == ["new", "new"]


def test_columns_map_score_roles():
    leads = pd.DataFrame({"contact": ["张伟"], "money": ["20万"], "when": ["下个月"]})
    result = score(leads, columns={"budget": "money", "timeline": "when", "name": "contact"})
    assert result.loc[0, "reasons"] == [
        "budget 20万 is stated (+15)",
        "timeline 下个月 is within 90 days (+15)",
    ]
    with pytest.raises(ColumnError, match="not a column"):
        score(leads, columns={"budget": "预算"})


# ------------------------------------------------------------------------- behaviour


def _one_event(days_ago: float, kind: str = "demo_request", lead: str = "x") -> pd.DataFrame:
    when = pd.Timestamp(NOW) - pd.Timedelta(days=days_ago)
    return pd.DataFrame({"lead_id": [lead], "event": [kind], "timestamp": [when]})


def test_events_join_on_id_text_and_count_undated_events_at_half_weight():
    leads = pd.DataFrame({"lead_id": [1.0, 2.0, 2.0]}, index=["a", "b", "c"])
    events = pd.DataFrame(
        {
            "lead_id": [1, "2", 2, 1],
            "Event Type": ["visit", "Demo Request", "download", "visit"],
            "时间": ["2025-06-29", "2025-06-30T08:00:00+08:00", "not a date", None],
        }
    )
    result = score(leads, events=events, now=NOW)
    assert result.loc["a", "reasons"] == ["1 visit 1 day ago and 1 at an unknown time (+1.5)"]
    # a lead id used twice: both rows get that lead's events
    expected = ["1 demo request today (+12)", "1 download at an unknown time (+2.5)"]
    assert result.loc["b", "reasons"] == result.loc["c", "reasons"] == expected
    assert result.attrs["undated_events"] == 2
    assert result.attrs["skipped_events"] == {"no_lead_id": 0, "unknown_lead": 0, "no_type": 0}


def test_events_that_cannot_count_are_counted_and_logged_without_ids(caplog):
    """Issue 20: an event of an unreadable time or an unknown lead was dropped without a
    word (a demo request lost turned a score of 23.5 into 14)."""
    leads = pd.DataFrame(
        {"lead_id": ["L1"], "name": ["张伟"], "phone": ["13912345670"], "email": ["zw@acme.cn"]}
    )
    events = pd.DataFrame(
        {
            "lead_id": ["L1", "L1", "L9", None, "L1"],
            "event": ["demo_request", "visit", "demo_request", "visit", None],
            "timestamp": ["20/06/2025 下午", "2025-06-29", "2025-06-20", "2025-06-20", NOW],
        }
    )
    dated = events.assign(timestamp=["2025-06-20", "2025-06-29", "2025-06-20", None, NOW])
    without = score(leads, events=events.iloc[1:2], now=NOW).loc[0, "score"]
    with caplog.at_level("WARNING", logger="leadlink"):
        result = score(leads, events=events, now=NOW)
    assert result.loc[0, "score"] == pytest.approx(without + 6)  # the demo request, half
    assert "1 demo request at an unknown time (+6)" in result.loc[0, "reasons"]
    assert result.loc[0, "score"] < score(leads, events=dated, now=NOW).loc[0, "score"]
    assert result.attrs["skipped_events"] == {"no_lead_id": 1, "unknown_lead": 1, "no_type": 1}
    assert result.attrs["undated_events"] == 1
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "3 of 5 event(s) left out" in logged
    assert "1 event(s) have a missing or unreadable time" in logged
    assert "L9" not in logged and "L1" not in logged


def test_an_undated_event_is_never_recent_but_a_purchase_still_makes_a_customer():
    lead = pd.DataFrame({"lead_id": ["x"]})
    undated = pd.DataFrame({"lead_id": ["x"], "event": ["demo_request"], "timestamp": ["?"]})
    assert score(lead, events=undated, now=NOW).loc[0, "stage"] == "new"
    assert score(lead, events=_one_event(5), now=NOW).loc[0, "stage"] == "intent"
    bought = undated.assign(event="purchase")
    assert score(lead, events=bought, now=NOW).loc[0, "stage"] == "customer"


def test_no_events_no_counts():
    result = score(pd.DataFrame({"lead_id": ["x"]}))
    assert "skipped_events" not in result.attrs and "undated_events" not in result.attrs


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


def test_event_reasons_and_warnings_in_chinese(caplog):
    from leadlink._i18n import set_language

    set_language("zh")
    leads = pd.DataFrame({"lead_id": [1.0, 2.0]}, index=["a", "b"])
    events = pd.DataFrame(
        {
            "lead_id": [1, "2", 2, 1, "L9"],
            "Event Type": ["visit", "Demo Request", "download", "visit", "visit"],
            "时间": ["2025-06-29", "2025-06-30T08:00:00+08:00", "not a date", None, NOW],
        }
    )
    with caplog.at_level("WARNING", logger="leadlink"):
        result = score(leads, events=events, now=NOW)
    assert result.loc["a", "reasons"] == ["1 天前 1 次访问，另有 1 次时间未知（+1.5）"]
    assert result.loc["b", "reasons"] == ["今天 1 次预约演示（+12）", "1 次下载，时间未知（+2.5）"]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "1 个事件（共 5 个）未计入得分：0 个没有线索 ID，1 个的线索 ID 不在这批线索中" in logged
    assert "2 个事件的时间缺失或无法识别" in logged
    many = pd.concat([_one_event(0)] * 10, ignore_index=True)
    assert score(pd.DataFrame({"lead_id": ["x"]}), events=many, now=NOW).loc[0, "reasons"] == [
        "近 1 天内 10 次预约演示（+40）",
        "行为得分封顶 +40（未封顶为 +120）",
    ]


def test_events_need_their_columns():
    lead = pd.DataFrame({"lead_id": ["x"]})
    with pytest.raises(ColumnError, match="'timestamp' column"):
        score(lead, events=pd.DataFrame({"lead_id": ["x"], "event": ["visit"]}))
    with pytest.raises(ColumnError, match="lead id column"):
        score(lead, events=pd.DataFrame({"who": ["x"], "event": ["visit"], "time": [NOW]}))
    with pytest.raises(ColumnError, match="no id column"):
        score(pd.DataFrame({"name": ["张伟"]}), events=_one_event(1))
