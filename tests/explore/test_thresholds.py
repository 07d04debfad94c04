"""The threshold table: what each threshold gives, its expected precision and recall from
the model's probabilities alone, and the measured ones beside them with truth or labels."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from leadlink.errors import InputError
from leadlink.explore import DEFAULT_THRESHOLDS, expected_scores, threshold_table
from leadlink.merge import read_decisions

COUNTS = [
    "threshold", "pairs_linked", "clusters", "clusters_with_duplicates", "duplicates_found",
    "largest_cluster",
]  # fmt: skip
EXPECTED = ["expected_precision", "expected_recall", "expected_f1"]
MEASURED = ["precision", "recall", "f1"]


@pytest.fixture(scope="module")
def truth(small_leads) -> pd.Series:
    return small_leads.set_index("lead_id")["person_id"]


def _hand_made(decisions=None) -> SimpleNamespace:
    """Four leads: a-b 0.9 and b-c 0.8 (a-c never scored), c-d 0.3."""
    clusters = pd.DataFrame({"lead_id": list("abcd"), "cluster_id": list("abcd")})
    pairs = pd.DataFrame(
        {
            "id_l": ["a", "b", "c"],
            "id_r": ["b", "c", "d"],
            "match_weight": [3.2, 2.0, -1.2],
            "match_probability": [0.9, 0.8, 0.3],
        }
    )
    return SimpleNamespace(clusters=clusters, pairs=pairs, decisions=read_decisions(decisions))


def test_the_table_has_the_counts_and_the_expected_scores(small_result):
    table = threshold_table(small_result)
    assert list(table.columns) == COUNTS + EXPECTED
    assert table["threshold"].tolist() == list(DEFAULT_THRESHOLDS)
    assert (table["clusters"] + table["duplicates_found"] == len(small_result.clusters)).all()


def test_the_counts_move_one_way_with_the_threshold(small_result):
    table = threshold_table(small_result, np.linspace(0.0, 1.0, 21))
    assert table["clusters"].is_monotonic_increasing
    assert table["pairs_linked"].is_monotonic_decreasing
    assert table["duplicates_found"].is_monotonic_decreasing
    assert table["clusters"].iloc[0] < table["clusters"].iloc[-1]
    linked = [(small_result.pairs["match_probability"] >= t).sum() for t in table["threshold"]]
    assert table["pairs_linked"].tolist() == linked


def test_expected_scores_are_probabilities(small_result):
    table = threshold_table(small_result, np.linspace(0.05, 0.99, 12))
    values = table[EXPECTED].to_numpy()
    assert not np.isnan(values).any()
    assert ((values >= 0) & (values <= 1)).all()


def test_the_run_threshold_row_matches_the_run(small_result):
    row = threshold_table(small_result, [small_result.threshold]).iloc[0]
    summary = small_result.summary()
    assert row["clusters"] == summary["clusters"]
    assert row["clusters_with_duplicates"] == summary["clusters_with_duplicates"]
    assert row["duplicates_found"] == summary["leads_merged_away"]
    assert row["largest_cluster"] == summary["largest_cluster"]


def test_with_truth_expected_is_close_to_measured_on_generated_leads(small_result, truth):
    table = threshold_table(small_result, [0.5, 0.6, 0.7, 0.8, 0.9, 0.95], truth=truth)
    assert list(table.columns) == COUNTS + EXPECTED + MEASURED
    for expected, measured in zip(EXPECTED, MEASURED):
        gap = (table[expected] - table[measured]).abs()
        assert gap.max() <= 0.05, (expected, table[["threshold", expected, measured]])


def test_truth_as_a_dict_gives_the_same_table(small_result, truth):
    as_series = threshold_table(small_result, [0.5, 0.9], truth=truth)
    as_dict = threshold_table(small_result, [0.5, 0.9], truth=truth.to_dict())
    pd.testing.assert_frame_equal(as_series, as_dict)


def test_truth_missing_a_lead_or_of_the_wrong_kind_is_refused(small_result, truth):
    with pytest.raises(InputError, match="no person id for 1 of"):
        threshold_table(small_result, [0.5], truth=truth.iloc[1:])
    with pytest.raises(InputError, match="truth must be"):
        threshold_table(small_result, [0.5], truth=list(truth))


def test_with_labels_the_measured_scores_come_from_the_labelled_pairs(small_result, truth):
    pairs = small_result.pairs
    same = (pairs["id_l"].map(truth) == pairs["id_r"].map(truth)).to_numpy()
    labels = pd.DataFrame(
        {"id_l": pairs["id_l"], "id_r": pairs["id_r"], "label": np.where(same, "是", "否")}
    )
    table = threshold_table(small_result, [0.3, 0.9], labels=labels)
    assert list(table.columns) == [*COUNTS, *EXPECTED, *MEASURED, "labelled_pairs"]
    assert (table["labelled_pairs"] == len(labels)).all()
    # On every scored pair, labelled from the truth: the pairwise scores over scored pairs.
    for threshold, row in zip([0.3, 0.9], table.itertuples()):
        cluster = small_result.at_threshold(threshold).clusters.set_index("lead_id")["cluster_id"]
        together = (pairs["id_l"].map(cluster) == pairs["id_r"].map(cluster)).to_numpy()
        tp, fp = int((together & same).sum()), int((together & ~same).sum())
        fn = int((~together & same).sum())
        assert row.precision == pytest.approx(tp / (tp + fp))
        assert row.recall == pytest.approx(tp / (tp + fn))


def test_truth_wins_over_labels(small_result, truth):
    labels = pd.DataFrame({"id_l": ["x"], "id_r": ["y"], "label": ["match"]})
    table = threshold_table(small_result, [0.5], truth=truth, labels=labels)
    assert "labelled_pairs" not in table.columns


def test_a_hand_made_table_gives_the_numbers_worked_out_by_hand():
    labels = pd.DataFrame(
        {"id_l": ["a", "c", "a", "zz"], "id_r": ["c", "d", "d", "a"],
         "label": ["match", "non_match", "match", "match"]}
    )  # fmt: skip
    table = threshold_table(_hand_made(), [0.5, 0.95], labels=labels).set_index("threshold")
    at_half = table.loc[0.5]
    assert at_half[COUNTS[1:]].tolist() == [2, 2, 1, 2, 3]
    # In {a, b, c}: a-b 0.9, b-c 0.8 and a-c by the path through b, min(0.9, 0.8) = 0.8;
    # c-d (0.3) is a match missed with probability 0.3.
    assert at_half["expected_precision"] == pytest.approx((0.9 + 0.8 + 0.8) / 3)
    assert at_half["expected_recall"] == pytest.approx(2.5 / 2.8)
    # a-c labelled match, together; c-d non-match, apart; a-d match, apart; zz unknown.
    assert at_half["labelled_pairs"] == 3
    assert (at_half["precision"], at_half["recall"]) == (1.0, 0.5)
    assert at_half["f1"] == pytest.approx(2 / 3)
    # Nothing linked: no precision to expect, every scored match missed.
    nothing = table.loc[0.95]
    assert nothing["clusters"] == 4 and nothing["pairs_linked"] == 0
    assert np.isnan(nothing["expected_precision"]) and nothing["expected_recall"] == 0.0
    assert np.isnan(nothing["precision"]) and nothing["recall"] == 0.0


def test_the_result_decisions_are_honoured():
    kept_apart = _hand_made(pd.DataFrame({"id_l": ["b"], "id_r": ["a"], "label": ["no"]}))
    row = threshold_table(kept_apart, [0.5]).iloc[0]
    assert row["clusters"] == 3  # {a}, {b, c}, {d}
    assert row["largest_cluster"] == 2


def test_expected_scores_take_the_maximin_path_for_an_unscored_pair():
    clustered = pd.DataFrame({"id": ["a", "b", "c"], "cluster_id": ["C1", "C1", "C1"]})
    pairs = pd.DataFrame({"id_l": ["a", "b"], "id_r": ["b", "c"], "match_probability": [0.9, 0.8]})
    scores = expected_scores(clustered, pairs)
    assert scores["expected_precision"] == pytest.approx((0.9 + 0.8 + 0.8) / 3)
    assert scores["expected_recall"] == pytest.approx(1.0)
    precision = scores["expected_precision"]
    assert scores["expected_f1"] == pytest.approx(2 * precision / (precision + 1))


def test_expected_scores_take_the_stronger_path_over_a_weak_direct_pair():
    clustered = pd.DataFrame({"id": ["a", "b", "c"], "cluster_id": ["C1", "C1", "C1"]})
    pairs = pd.DataFrame(
        {"id_l": ["a", "b", "a"], "id_r": ["b", "c", "c"], "match_probability": [0.9, 0.8, 0.2]}
    )
    scores = expected_scores(clustered, pairs)
    assert scores["expected_precision"] == pytest.approx((0.9 + 0.8 + 0.8) / 3)


def test_expected_scores_of_pairs_of_two_and_singletons():
    clustered = pd.DataFrame({"id": list("abcd"), "cluster_id": ["C1", "C1", "C2", "C3"]})
    pairs = pd.DataFrame(
        {"id_l": ["a", "b", "c"], "id_r": ["b", "c", "d"], "match_probability": [0.6, 0.1, 0.3]}
    )
    scores = expected_scores(clustered, pairs)
    assert scores["expected_precision"] == pytest.approx(0.6)
    assert scores["expected_recall"] == pytest.approx(0.6 / 1.0)
    alone = pd.DataFrame({"id": list("ab"), "cluster_id": ["C1", "C2"]})
    nothing = expected_scores(alone, pairs.iloc[:0])
    assert all(np.isnan(v) for v in nothing.values())
