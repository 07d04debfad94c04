from __future__ import annotations

import itertools

import numpy as np
import pytest

from leadlink._i18n import set_language
from leadlink.errors import InputError
from leadlink.metrics import evaluate_clusters


def _brute_force(pred, truth):
    pairs = list(itertools.combinations(range(len(pred)), 2))
    same_p = {p for p in pairs if pred[p[0]] == pred[p[1]]}
    same_t = {p for p in pairs if truth[p[0]] == truth[p[1]]}
    tp = len(same_p & same_t)
    precision = tp / len(same_p) if same_p else 1.0
    recall = tp / len(same_t) if same_t else 1.0
    n = len(pred)
    b3p = (
        sum(
            sum(1 for j in range(n) if pred[j] == pred[i] and truth[j] == truth[i])
            / sum(1 for j in range(n) if pred[j] == pred[i])
            for i in range(n)
        )
        / n
    )
    b3r = (
        sum(
            sum(1 for j in range(n) if pred[j] == pred[i] and truth[j] == truth[i])
            / sum(1 for j in range(n) if truth[j] == truth[i])
            for i in range(n)
        )
        / n
    )
    return precision, recall, b3p, b3r


@pytest.mark.parametrize("seed", range(5))
def test_scores_equal_a_brute_force_count(seed):
    rng = np.random.default_rng(seed)
    pred = rng.integers(0, 6, 30).tolist()
    truth = rng.integers(0, 8, 30).tolist()
    scores = evaluate_clusters(pred, truth)
    p, r, b3p, b3r = _brute_force(pred, truth)
    assert scores["pairwise_precision"] == pytest.approx(p)
    assert scores["pairwise_recall"] == pytest.approx(r)
    assert scores["bcubed_precision"] == pytest.approx(b3p)
    assert scores["bcubed_recall"] == pytest.approx(b3r)


def test_perfect_clustering_scores_one():
    scores = evaluate_clusters(["a", "a", "b"], [7, 7, 9])
    assert scores["pairwise_f1"] == 1.0 and scores["bcubed_f1"] == 1.0


def test_mismatched_lengths_are_refused():
    with pytest.raises(InputError):
        evaluate_clusters([1, 2], [1])
    set_language("zh")
    with pytest.raises(InputError, match="预测标签与真实标签的长度不同（2 对 1）"):
        evaluate_clusters([1, 2], [1])
