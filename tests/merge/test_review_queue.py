from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from leadlink.clean._prepare import prepare
from leadlink.errors import ColumnError, ConfigError, LeadlinkError
from leadlink.merge import ReviewReason, review_clusters, review_queue

ROLES = {"name": "name", "phone": "phone"}

LEADS = pd.DataFrame(
    [
        # A: a tight pair — nothing to review.
        ("a1", "张伟", "13912345670", "A", 10.0),
        ("a2", "張偉", "139 1234 5670", "A", 10.0),
        # B: a strong trio with a fourth lead held by one link of 0.6.
        ("b1", "李娜", "13700137001", "B", 1.0),
        ("b2", "李娜", "13700137001", "B", 1.0),
        ("b3", "李娜", "13700137001", "B", 1.0),
        ("b4", "李娜", None, "B", 500.0),
        # C: a pair linked at 0.9.
        ("c1", "王芳", "13600136001", "C", 1.0),
        ("c2", "王芳", None, "C", 1.0),
        # D, E: two pairs kept apart by a pair scored 0.4 (and three unscored).
        ("d1", "刘洋", "13500135001", "D", 1.0),
        ("d2", "刘洋", "13500135001", "D", 1.0),
        ("e1", "刘洋", "13500135002", "E", 1.0),
        ("e2", "刘洋", "13500135002", "E", 1.0),
        # F: a single lead scored 0.45 against c1's cluster... and nothing else.
        ("f1", "陈静", None, "F", 1.0),
    ],
    columns=["lead_id", "name", "phone", "cluster_id", "amount"],
)

PAIRS = pd.DataFrame(
    [
        ("a1", "a2", 0.999),
        ("b1", "b2", 0.99),
        ("b2", "b3", 0.99),
        ("b1", "b3", 0.99),
        ("b3", "b4", 0.6),
        ("c1", "c2", 0.9),
        ("d1", "d2", 0.99),
        ("e1", "e2", 0.99),
        ("d1", "e1", 0.4),
        ("c2", "f1", 0.45),
        ("a1", "f1", 0.01),  # across clusters, too weak to be a near miss
    ],
    columns=["id_l", "id_r", "match_probability"],
)


@pytest.fixture(scope="module")
def prepared():
    return prepare(LEADS, ROLES, id_column="lead_id")


def _queue(prepared, **options):
    return review_queue(LEADS[["lead_id", "cluster_id"]], PAIRS, prepared, **options)


def test_items_are_ranked_by_expected_wrong_leads(prepared):
    items = _queue(prepared, size=None).items
    assert items["rank"].tolist() == list(range(1, len(items) + 1))
    assert items["expected_wrong_leads"].is_monotonic_decreasing
    # b4 hangs on one link of 0.6: 0.4 expected wrong leads; f1 scored 0.45 against the
    # pair C (one pair of two scored): 0.225; c2's link of 0.9: 0.1; D and E: one pair of
    # four scored 0.4, 0.1 a pair of leads, two leads at stake: 0.2.
    head = items.iloc[0]
    assert (head["cluster_id"], head["reason"]) == ("B", ReviewReason.WEAK_LINK.value)
    assert {head["id_l"], head["id_r"]} == {"b3", "b4"}
    assert head["lead_ids"] == ["b4"] and head["leads_at_stake"] == 1
    assert head["expected_wrong_leads"] == pytest.approx(0.4)
    assert items["expected_wrong_leads"].tolist() == pytest.approx([0.4, 0.225, 0.2, 0.1])
    near = items[items["reason"] == ReviewReason.NEAR_MISS.value]
    assert set(near["cluster_id"]) == {"F", "D"}
    assert set(near["other_cluster_id"]) == {"C", "E"}
    assert "A" not in set(items["cluster_id"])


def test_size_is_respected_and_the_rest_adds_up(prepared):
    everything = _queue(prepared, size=None)
    queue = _queue(prepared, size=2)
    assert len(queue.items) == 2 and queue.total == everything.total == 4
    assert queue.items["cluster_id"].tolist() == everything.items["cluster_id"][:2].tolist()
    assert int(queue.rest["items"].sum()) == 2
    total = everything.items["expected_wrong_leads"].sum()
    queued = queue.items["expected_wrong_leads"].sum()
    assert queued + queue.rest["expected_wrong_leads"].sum() == pytest.approx(total)
    summary = queue.summary()
    assert summary["queued"] + summary["left"] == summary["items"] == 4
    assert summary["left_by_reason"] == {"near_miss": 1, "weak_link": 1}
    assert "2 left out" in queue.describe()
    assert everything.rest.empty and "left out" not in everything.describe()


def test_a_value_column_ranks_by_expected_value(prepared):
    queue = _queue(prepared, size=None, value=LEADS["amount"])
    items = queue.items
    assert items["expected_value"].is_monotonic_decreasing
    head = items.iloc[0]
    assert head["lead_ids"] == ["b4"]
    assert head["value_at_stake"] == 500.0
    assert head["expected_value"] == pytest.approx(200.0)
    assert "expected_value" in queue.rest.columns
    # without values: no value columns
    assert "expected_value" not in _queue(prepared).items.columns


def test_no_personal_data_in_details(prepared):
    items = _queue(prepared, size=None).items
    text = " ".join(items["detail"])
    for value in LEADS[["name", "phone"]].stack().astype(str):
        assert value not in text
    assert all(any(ch.isdigit() for ch in detail) for detail in items["detail"])


def test_near_misses_can_be_left_out(prepared):
    items = _queue(prepared, size=None, near_from=None).items
    assert ReviewReason.NEAR_MISS.value not in set(items["reason"])


def test_conflicting_and_large_clusters_without_weak_links_are_items(prepared):
    leads = pd.DataFrame(
        {
            "lead_id": ["g1", "g2", *[f"h{i:02d}" for i in range(12)]],
            "name": ["王芳", "王明", *["赵磊"] * 12],
            "phone": ["13600136001", "13600136009", *["13800138000"] * 12],
            "cluster_id": ["G", "G", *["H"] * 12],
        }
    )
    hs = [f"h{i:02d}" for i in range(12)]
    pairs = pd.DataFrame(
        [("g1", "g2", 0.97)] + [(a, b, 0.99) for a, b in itertools.pairwise(hs)],
        columns=["id_l", "id_r", "match_probability"],
    )
    queue = review_queue(
        leads[["lead_id", "cluster_id"]], pairs, prepare(leads, ROLES, id_column="lead_id")
    )
    by_cluster = queue.items.set_index("cluster_id")
    assert by_cluster.loc["H", "reason"] == ReviewReason.LARGE.value
    assert by_cluster.loc["H", "expected_wrong_leads"] == pytest.approx(0.12)
    assert by_cluster.loc["G", "reason"] == ReviewReason.CONFLICTING_IDENTIFIERS.value
    assert "2 different personal phone numbers" in by_cluster.loc["G", "detail"]


def test_an_empty_run_gives_an_empty_queue():
    leads = pd.DataFrame({"lead_id": ["x", "y"], "name": ["张伟", "王芳"]})
    clusters = pd.DataFrame({"lead_id": ["x", "y"], "cluster_id": ["X", "Y"]})
    pairs = pd.DataFrame({"id_l": [], "id_r": [], "match_probability": []})
    queue = review_queue(clusters, pairs, prepare(leads, {"name": "name"}, id_column="lead_id"))
    assert queue.items.empty and queue.rest.empty and queue.total == 0
    assert "rank" in queue.items.columns


@pytest.mark.parametrize(
    "options",
    [
        {"size": 0},
        {"size": -3},
        {"size": 2.5},
        {"size": True},
        {"threshold": 1.5},
        {"weak_below": -0.1},
        {"near_from": 2},
        {"large": 0},
        {"value": [1.0, 2.0]},
        {"value": ["a lot"] * len(LEADS)},
        {"value": [-1.0] * len(LEADS)},
    ],
)
def test_bad_options_are_config_errors(prepared, options, monkeypatch):
    monkeypatch.setenv("LEADLINK_LANG", "zh")
    with pytest.raises(ConfigError) as raised:
        _queue(prepared, **options)
    assert isinstance(raised.value, LeadlinkError)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(raised.value))


def test_the_result_method_and_a_value_column(generated):
    leads, _, result = generated
    amounts = pd.Series(np.arange(len(leads), dtype=float))
    result.leads = result.leads.assign(amount=amounts.to_numpy())
    try:
        queue = result.review_queue(size=5, value="amount")
        assert len(queue.items) <= 5 and "expected_value" in queue.items.columns
        assert queue.total >= len(queue.items)
        assert set(queue.items["cluster_id"]) <= set(result.clusters["cluster_id"])
        with pytest.raises(ColumnError):
            result.review_queue(value="no such column")
    finally:
        result.leads = result.leads.drop(columns="amount")


@pytest.mark.parametrize(
    "options",
    [{"large": 0}, {"threshold": 1.5}, {"weak_below": -0.1}, {"weak_below": True}],
)
def test_the_review_table_and_the_queue_refuse_options_alike(prepared, options):
    clusters = LEADS[["lead_id", "cluster_id"]]
    with pytest.raises(ConfigError) as table:
        review_clusters(clusters, PAIRS, prepared, **options)
    with pytest.raises(ConfigError) as queue:
        _queue(prepared, **options)
    assert str(table.value) == str(queue.value)


def test_numpy_probabilities_are_options_like_any_number(prepared):
    threshold, weak_below = np.float32(0.5), np.float64(0.95)
    queue = _queue(prepared, threshold=threshold, weak_below=weak_below)
    assert queue.items.equals(_queue(prepared, threshold=0.5, weak_below=0.95).items)
