"""Re-thresholding a result without re-running (``DedupeResult.at_threshold``) and the
analyst's decisions it honours: the same clusters as a run at that threshold, monotonic in
the threshold, decisions that split and link and stick."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

import leadlink as ll
from leadlink.errors import ConfigError, InputError


@pytest.fixture(scope="module")
def leads() -> pd.DataFrame:
    from leadlink.datasets import generate_leads

    return generate_leads(400, seed=11).drop(columns=["person_id", "is_ghost"])


@pytest.fixture(scope="module")
def result(leads):
    return ll.dedupe(leads, id_column="lead_id")


def _cluster_of(result) -> pd.Series:
    return result.clusters.set_index("lead_id")["cluster_id"]


def _linked_pair(result) -> tuple[str, str]:
    """Two leads that make a cluster of their own, linked by a pair above the threshold."""
    pairs = result.pairs
    sizes = result.golden.set_index("cluster_id")["n_leads"]
    cluster = _cluster_of(result)
    for left, right, chance in pairs[["id_l", "id_r", "match_probability"]].itertuples(index=False):
        if chance >= result.threshold and sizes[cluster[left]] == 2:
            return left, right
    raise AssertionError("no cluster of two in the generated leads")


def _unscored_singletons(result) -> tuple[str, str]:
    """Two leads each alone in its cluster with no scored pair between them."""
    sizes = result.golden.set_index("cluster_id")["n_leads"]
    cluster = _cluster_of(result)
    singles = [lead for lead, c in cluster.items() if sizes[c] == 1]
    scored = set(zip(result.pairs["id_l"], result.pairs["id_r"]))
    for left in singles:
        for right in singles:
            if left < right and (left, right) not in scored and (right, left) not in scored:
                return left, right
    raise AssertionError("no two unscored single leads")


def _decision(left: str, right: str, label: str) -> pd.DataFrame:
    return pd.DataFrame({"id_l": [left], "id_r": [right], "label": [label]})


def _check_every_lead_once(new, leads: pd.DataFrame) -> None:
    assert new.clusters["lead_id"].tolist() == leads["lead_id"].tolist()
    assert new.clusters["cluster_id"].notna().all()
    members = [lead for listed in new.golden["lead_ids"] for lead in listed]
    assert sorted(members) == sorted(leads["lead_id"])
    assert new.golden["n_leads"].sum() == len(leads)
    assert set(new.golden["cluster_id"]) == set(new.clusters["cluster_id"])


def test_the_run_threshold_gives_the_run_clusters_and_golden_records(result):
    again = result.at_threshold(result.threshold)
    pd.testing.assert_frame_equal(again.clusters, result.clusters)
    pd.testing.assert_frame_equal(again.golden, result.golden)
    assert again.threshold == result.threshold
    assert again.model is result.model
    assert set(again.timings) == {"recluster"}


def test_clusters_grow_in_number_with_the_threshold(result):
    counts = [
        len(result.at_threshold(t).golden) for t in (0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 0.97, 0.99, 1.0)
    ]
    assert counts == sorted(counts)
    assert counts[0] < counts[-1]
    lower, higher = result.at_threshold(0.2), result.at_threshold(0.95)
    assert len(lower.golden) <= len(result.golden) <= len(higher.golden)


def test_the_result_it_comes_from_is_left_as_it_was(result):
    clusters, golden = result.clusters.copy(), result.golden.copy()
    result.at_threshold(0.99, decisions=_decision(*_linked_pair(result), "non_match"))
    pd.testing.assert_frame_equal(result.clusters, clusters)
    pd.testing.assert_frame_equal(result.golden, golden)
    assert result.decisions.empty


def test_a_new_threshold_gives_what_a_run_at_it_gives(result, leads):
    again = result.at_threshold(0.99)
    run = ll.dedupe(leads, id_column="lead_id", model=result.model, threshold=0.99)
    pd.testing.assert_frame_equal(again.clusters, run.clusters)
    pd.testing.assert_frame_equal(again.golden, run.golden)
    assert len(again.golden) > len(result.golden)


@pytest.mark.parametrize("threshold", [0.0, 0.5, 0.99, 1.0])
def test_every_lead_is_in_the_new_clusters_once(result, leads, threshold):
    _check_every_lead_once(result.at_threshold(threshold), leads)


def test_a_non_match_decision_splits_a_linked_pair_and_sticks(result, leads):
    left, right = _linked_pair(result)
    assert _cluster_of(result)[left] == _cluster_of(result)[right]
    new = result.at_threshold(result.threshold, decisions=_decision(right, left, "否"))
    assert _cluster_of(new)[left] != _cluster_of(new)[right]
    assert len(new.golden) == len(result.golden) + 1
    kept = {"id_l": min(left, right), "id_r": max(left, right), "label": "non_match"}
    assert new.decisions.to_dict("records") == [kept]
    # Re-thresholded again, with no decisions given: the earlier one still holds.
    lower = new.at_threshold(0.1)
    assert _cluster_of(lower)[left] != _cluster_of(lower)[right]
    assert lower.decisions.to_dict("records") == [kept]
    _check_every_lead_once(lower, leads)


def test_a_match_decision_links_two_leads_never_scored(result, leads):
    left, right = _unscored_singletons(result)
    new = result.at_threshold(result.threshold, decisions=_decision(left, right, "yes"))
    assert _cluster_of(new)[left] == _cluster_of(new)[right]
    assert len(new.golden) == len(result.golden) - 1
    decided = new.pairs[new.pairs["rule"] == "must_link: decision"]
    assert decided[["id_l", "id_r", "found_by"]].values.tolist() == [
        [min(left, right), max(left, right), "decision"]
    ]
    assert decided["match_probability"].tolist() == [1.0]
    # Even at the highest threshold the decision links them.
    highest = new.at_threshold(1.0)
    assert _cluster_of(highest)[left] == _cluster_of(highest)[right]
    _check_every_lead_once(highest, leads)


def test_a_later_decision_on_the_same_pair_wins(result):
    left, right = _linked_pair(result)
    split = result.at_threshold(result.threshold, decisions=_decision(left, right, "non_match"))
    rejoined = split.at_threshold(result.threshold, decisions=_decision(right, left, "match"))
    assert _cluster_of(rejoined)[left] == _cluster_of(rejoined)[right]
    assert rejoined.decisions["label"].tolist() == ["match"]


def test_a_non_match_decision_holds_at_threshold_0(result):
    left, right = _linked_pair(result)
    new = result.at_threshold(0.0, decisions=_decision(left, right, "non_match"))
    assert _cluster_of(new)[left] != _cluster_of(new)[right]


def test_dedupe_honours_decisions(result, leads, tmp_path):
    apart = _linked_pair(result)
    together = _unscored_singletons(result)
    labels = tmp_path / "labels.csv"
    pd.DataFrame(
        {"lead_a": [apart[1], together[0]], "lead_b": [apart[0], together[1]],
         "label": ["different", "same"]}
    ).to_csv(labels, index=False)  # fmt: skip
    run = ll.dedupe(leads, id_column="lead_id", model=result.model, decisions=labels)
    cluster = _cluster_of(run)
    assert cluster[apart[0]] != cluster[apart[1]]
    assert cluster[together[0]] == cluster[together[1]]
    assert sorted(run.decisions["label"]) == ["match", "non_match"]
    assert len(run.golden) == len(result.golden)  # one split, one join
    # The run's decisions hold at any other threshold.
    lower = run.at_threshold(0.1)
    assert _cluster_of(lower)[apart[0]] != _cluster_of(lower)[apart[1]]


@pytest.mark.parametrize("threshold", [-0.1, 1.5, float("nan"), "high", None])
def test_a_bad_threshold_is_refused(result, threshold):
    with pytest.raises(ConfigError, match="threshold"):
        result.at_threshold(threshold)


def test_a_bad_decisions_table_is_refused_before_any_work(result):
    with pytest.raises(InputError, match="label"):
        result.at_threshold(0.5, decisions=pd.DataFrame({"id_l": ["L1"], "id_r": ["L2"]}))


def test_a_result_without_its_leads_cannot_be_re_thresholded(result):
    with pytest.raises(InputError, match="at_threshold"):
        replace(result, leads=None).at_threshold(0.5)
