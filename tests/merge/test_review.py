from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

import leadlink as ll
from leadlink.clean._prepare import prepare
from leadlink.merge._review import ReviewReason, review_clusters

ROLES = {"name": "name", "phone": "phone", "email": "email"}

LEADS = pd.DataFrame(
    [
        # C1: a tight trio, every pair strong — nothing to review.
        ("a1", "张伟", "13912345670", "zhangwei@acme.cn", "C1"),
        ("a2", "張偉", "139 1234 5670", None, "C1"),
        ("a3", "Zhang Wei", "+86 13912345670", "zhangwei@acme.cn", "C1"),
        # C2: a chain b1 - b2 - b3, and b3's only link is weak.
        ("b1", "李娜", "13700137001", None, "C2"),
        ("b2", "李娜", "13700137001", "lina@acme.cn", "C2"),
        ("b3", "李娜", None, "lina@acme.cn", "C2"),
        # C3: two personal mobiles and two full names.
        ("c1", "王芳", "13600136001", None, "C3"),
        ("c2", "王明", "13600136009", None, "C3"),
        # C4: a shared switchboard and a surname only: not a conflict.
        ("d1", "刘洋", "010-8888 6666 转 8001", None, "C4"),
        ("d2", "刘总", "010-8888 6666 转 8001", None, "C4"),
        # singletons are never reviewed
        ("e1", "陈静", "13500135000", None, "C5"),
    ],
    columns=["lead_id", "name", "phone", "email", "cluster_id"],
)

PAIRS = pd.DataFrame(
    [
        ("a1", "a2", 0.999),
        ("a1", "a3", 0.998),
        ("a2", "a3", 0.997),
        ("b1", "b2", 0.99),
        ("b2", "b3", 0.91),
        ("b1", "b3", 0.2),
        ("c1", "c2", 0.97),
        ("d1", "d2", 0.99),
        ("a1", "e1", 0.01),  # across clusters: ignored
    ],
    columns=["id_l", "id_r", "match_probability"],
)


@pytest.fixture(scope="module")
def prepared():
    return prepare(LEADS, ROLES, id_column="lead_id")


def _review(prepared, **options):
    clusters = LEADS[["lead_id", "cluster_id"]]
    return review_clusters(clusters, PAIRS, prepared, **options)


def test_crafted_clusters_get_their_reasons(prepared):
    review = _review(prepared, threshold=0.9)
    reasons = {(c, r): ids for c, r, ids in zip(review["cluster_id"], review["reason"],
                                                review["lead_ids"])}  # fmt: skip
    assert set(reasons) == {("C2", "weak_link"), ("C3", "conflicting_identifiers")}
    assert reasons["C2", "weak_link"] == ["b1", "b3"]  # b3 is weak; b1 and b3 hang on one link
    assert reasons["C3", "conflicting_identifiers"] == ["c1", "c2"]
    detail = review.set_index("reason")["detail"]
    assert (
        "2 different personal phone numbers and 2 different full names"
        in detail["conflicting_identifiers"]
    )
    assert "below 0.95 (weakest 0.910)" in detail["weak_link"]
    assert set(review["reason"]) <= {r.value for r in ReviewReason}


def test_large_clusters(prepared):
    review = _review(prepared, large=2, threshold=0.9)
    large = review[review["reason"] == "large"]
    assert large["cluster_id"].tolist() == ["C1", "C2"]
    assert large["lead_ids"].iloc[0] == ["a1", "a2", "a3"]
    assert review["n_leads"].is_monotonic_decreasing


def test_weak_below_is_configurable(prepared):
    review = _review(prepared, weak_below=0.9, threshold=0.95)
    weak = review[review["reason"] == "weak_link"].set_index("cluster_id")
    # b3's best (0.91) is above 0.9, but counting links from 0.95 leaves the trio b1 - b2
    # joined by one link and b3 by none.
    assert weak.loc["C2", "lead_ids"] == ["b1", "b2", "b3"]
    assert weak.loc["C2", "detail"] == (
        "3 of 3 leads weakly held: 3 lead(s) joined through a single link"
    )


def test_a_member_with_no_pair_inside_its_cluster_is_weak(prepared):
    clusters = LEADS[["lead_id", "cluster_id"]].copy()
    clusters.loc[clusters["lead_id"] == "e1", "cluster_id"] = "C1"  # a manual merge
    review = review_clusters(clusters, PAIRS[PAIRS["id_r"] != "e1"], prepared)
    weak = review[(review["cluster_id"] == "C1") & (review["reason"] == "weak_link")]
    assert weak["lead_ids"].iloc[0] == ["e1"]
    assert "no scored pair inside the cluster" in weak["detail"].iloc[0]


def test_no_personal_data_in_the_review_or_the_log(prepared, caplog):
    with caplog.at_level(logging.DEBUG, logger="leadlink"):
        review = _review(prepared, large=1)
    text = review["detail"].str.cat(sep=" ") + caplog.text
    for column in ("name", "phone", "email"):
        for value in LEADS[column].dropna():
            assert str(value) not in text
    assert "13912345670" not in text and "张" not in text


def test_nothing_to_review_gives_an_empty_table(prepared):
    clusters = LEADS[["lead_id"]].assign(cluster_id=LEADS["lead_id"])
    review = review_clusters(clusters, PAIRS, prepared)
    assert review.empty
    assert list(review.columns) == ["cluster_id", "n_leads", "reason", "detail", "lead_ids"]


def test_review_of_a_dedupe_result(generated):
    _, prepared, result = generated
    review = review_clusters(result.clusters, result.pairs, prepared, threshold=result.threshold)
    sizes = result.golden.set_index("cluster_id")["n_leads"]
    assert (sizes[review["cluster_id"]] > 1).all()
    members = result.golden.set_index("cluster_id")["lead_ids"]
    for cluster, ids in zip(review["cluster_id"], review["lead_ids"]):
        assert set(ids) <= set(members[cluster])


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"large": 0}, ll.ConfigError, "large"),
        ({"weak_below": 2}, ll.ConfigError, "weak_below"),
        ({"threshold": -1}, ll.ConfigError, "threshold"),
    ],
)
def test_bad_options(prepared, options, error, message):
    with pytest.raises(error, match=message):
        _review(prepared, **options)


def test_pairs_without_probabilities_are_refused(prepared):
    with pytest.raises(ll.InputError, match="match_probability"):
        review_clusters(LEADS[["lead_id", "cluster_id"]], PAIRS[["id_l", "id_r"]], prepared)


def test_details_and_errors_in_chinese(prepared):
    from leadlink._i18n import set_language

    set_language("zh")
    review = _review(prepared, threshold=0.9)
    detail = review.set_index("reason")["detail"]
    assert (
        detail["conflicting_identifiers"] == "2 个不同的个人手机号和2 个不同的全名出现在同一个簇中"
    )
    assert "关联较弱" in detail["weak_link"]
    assert "（最弱 0.910）" in detail["weak_link"]
    # reason codes stay the same in every language
    assert set(review["reason"]) == {"weak_link", "conflicting_identifiers"}
    with pytest.raises(ll.ConfigError, match="须为"):
        _review(prepared, weak_below=2)


# -- the context the review and the review queue share ------------------------------------


def test_review_and_queue_are_the_same_with_the_shared_context(generated):
    import dataclasses

    from leadlink.merge import ReviewContext, review_queue

    _, _, result = generated
    clusters, pairs, prepared = result.clusters, result.pairs, result.prepared
    context = ReviewContext.of(clusters, pairs, prepared)
    alone = review_clusters(clusters, pairs, prepared, threshold=result.threshold)
    shared = review_clusters(clusters, pairs, prepared, threshold=result.threshold, context=context)
    pd.testing.assert_frame_equal(alone, shared)
    for size in (None, 3):
        queue = review_queue(clusters, pairs, prepared, size=size, threshold=result.threshold)
        again = review_queue(
            clusters, pairs, prepared, size=size, threshold=result.threshold, context=context
        )
        pd.testing.assert_frame_equal(queue.items, again.items)
        pd.testing.assert_frame_equal(queue.rest, again.rest)
        assert queue.total == again.total
    # The result's methods build the context once for both, again for new clusters.
    fresh = dataclasses.replace(result)
    pd.testing.assert_frame_equal(fresh.review(), alone)
    held = fresh._review_context(fresh.prepared)
    pd.testing.assert_frame_equal(
        fresh.review_queue(size=None).items,
        review_queue(clusters, pairs, prepared, size=None, threshold=result.threshold).items,
    )
    assert fresh._review_context(fresh.prepared) is held
    fresh.clusters = fresh.clusters.copy()
    assert fresh._review_context(fresh.prepared) is not held


def test_a_shared_context_words_its_disputes_in_the_language_of_each_call(prepared):
    from leadlink._i18n import language
    from leadlink.merge import ReviewContext

    clusters = LEADS[["lead_id", "cluster_id"]]
    with language("en"):
        context = ReviewContext.of(clusters, PAIRS, prepared)
    with language("zh"):
        review = review_clusters(clusters, PAIRS, prepared, threshold=0.9, context=context)
    detail = review.set_index("reason")["detail"]
    assert detail["conflicting_identifiers"].startswith("2 个不同的个人手机号")


def test_cluster_codes_are_pandas_sorted_factorisation():
    import numpy as np

    from leadlink.merge._members import cluster_codes

    for ids in (
        ["C2", "C10", "C1", "C2", "张", "Ω", "z", "Z", "\U0001f600", "a\x00"],
        ["\ud800", "a", "\ud800"],  # a lone surrogate: Arrow cannot hold it, pandas sorts
        [3, 1, 3, 2],
        [],
    ):
        values = np.asarray(ids, dtype=object)
        codes, names = cluster_codes(values)
        expected_codes, expected_names = pd.factorize(values, sort=True)
        assert codes.tolist() == expected_codes.tolist()
        assert names.tolist() == list(expected_names)


def test_distinct_values_per_cluster_are_what_groupby_nunique_counts():
    from leadlink.merge._review import _distinct_values

    rng = np.random.default_rng(0)
    codes = rng.integers(0, 300, 2000)
    values = np.asarray([f"v{n}" for n in rng.integers(0, 40, 2000)], dtype=object)
    expected = pd.Series(values).groupby(codes).nunique()
    expected = expected[expected >= 2]
    found = _distinct_values(codes, values)
    assert found.index.tolist() == expected.index.tolist()
    assert found.tolist() == expected.tolist()
    assert _distinct_values(codes[:0], values[:0]).empty
