from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import leadlink as ll
from leadlink.merge._cluster import cluster_id_for, cluster_pairs
from leadlink.merge._members import aligned_clusters, group_starts


def _pairs(rows):
    return pd.DataFrame(rows, columns=["id_l", "id_r", "match_probability"])


def test_components_above_threshold_and_singletons():
    ids = ["a", "b", "c", "d", "e"]
    pairs = _pairs([("a", "b", 0.99), ("b", "c", 0.95), ("d", "e", 0.5)])
    out = cluster_pairs(ids, pairs, threshold=0.9)
    assert out["id"].tolist() == ids
    got = dict(zip(out["id"], out["cluster_id"]))
    assert got["a"] == got["b"] == got["c"] == cluster_id_for("a")
    assert got["d"] != got["e"]
    assert got["e"] == cluster_id_for("e")


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 19), st.integers(0, 19), st.floats(0, 1)), max_size=40),
    st.randoms(),
)
def test_clusters_do_not_depend_on_row_order(edges, rnd):
    ids = [f"L{i:02d}" for i in range(20)]
    pairs = _pairs([(f"L{a:02d}", f"L{b:02d}", p) for a, b, p in edges])
    first = cluster_pairs(ids, pairs, threshold=0.6).set_index("id")["cluster_id"]
    shuffled_ids = ids[:]
    rnd.shuffle(shuffled_ids)
    shuffled_pairs = pairs.sample(frac=1.0, random_state=rnd.randint(0, 1000))
    second = cluster_pairs(shuffled_ids, shuffled_pairs, threshold=0.6).set_index("id")[
        "cluster_id"
    ]
    assert first.sort_index().equals(second.sort_index())


def test_a_clearly_different_pair_stops_a_chain():
    pairs = _pairs([("a", "b", 0.99), ("b", "c", 0.98), ("a", "c", 0.01)])
    resisted = cluster_pairs(["a", "b", "c"], pairs, threshold=0.5)
    got = dict(zip(resisted["id"], resisted["cluster_id"]))
    assert resisted["cluster_id"].nunique() == 2
    assert got["a"] == got["b"] == cluster_id_for("a")  # the strongest link wins
    assert got["c"] == cluster_id_for("c")
    chained = cluster_pairs(["a", "b", "c"], pairs, threshold=0.5, cannot_link_below=0)
    assert chained["cluster_id"].nunique() == 1


def test_only_a_low_score_with_evidence_against_it_stops_a_chain():
    # a-c scored low: in one case a comparison speaks against it (two different personal
    # mobiles), in the other it only lacks evidence (a nameless lead, a shared switchboard)
    def scored(phone_weight, rule=""):
        return pd.DataFrame(
            {
                "id_l": ["a", "b", "a"],
                "id_r": ["b", "c", "c"],
                "match_probability": [0.99, 0.98, 0.01],
                "name_weight": [9.0, 0.0, 0.0],
                "phone_weight": [0.0, 12.0, phone_weight],
                "rule": ["", "", rule],
            }
        )

    def clusters(pairs):
        return cluster_pairs(["a", "b", "c"], pairs, threshold=0.5)["cluster_id"].nunique()

    assert clusters(scored(phone_weight=-4.0)) == 2  # contradicted: the chain stops
    assert clusters(scored(phone_weight=-0.2)) == 1  # too weak to count against it
    assert clusters(scored(phone_weight=5.6)) == 1  # low for lack of evidence only
    assert clusters(scored(phone_weight=5.6, rule="never_link:national_id")) == 2


def test_cluster_ids_survive_new_leads_that_do_not_touch_them():
    before_pairs = [("L02", "L03", 0.99), ("L04", "L05", 0.97), ("L06", "L07", 0.96)]
    before = cluster_pairs([f"L{i:02d}" for i in range(2, 9)], _pairs(before_pairs), threshold=0.5)
    # New leads: L09 joins {L04, L05} (a larger id), L01 joins {L06, L07} (a smaller id),
    # L10 and L11 form a new cluster; {L02, L03} and L08 are not touched.
    new_pairs = [("L05", "L09", 0.95), ("L01", "L06", 0.98), ("L10", "L11", 0.99)]
    after = cluster_pairs(
        [f"L{i:02d}" for i in range(1, 12)], _pairs(before_pairs + new_pairs), threshold=0.5
    )
    old = before.set_index("id")["cluster_id"]
    new = after.set_index("id")["cluster_id"]
    for unchanged in ("L02", "L03", "L08", "L04", "L05"):
        assert new[unchanged] == old[unchanged], unchanged
    assert new["L09"] == old["L04"]
    assert new["L06"] == new["L07"] == new["L01"] == cluster_id_for("L01") != old["L06"]
    assert new["L10"] == new["L11"] == cluster_id_for("L10")


# ------------------------------------------------- clusters lined up with prepared leads


def test_clusters_are_lined_up_with_the_leads_by_id():
    lead_ids = np.array(["L1", "L2", "L3"], dtype=object)
    clusters = pd.DataFrame({"lead_id": ["L3", " L1", "L2"], "cluster_id": ["C3", "C1", "C1"]})
    assert aligned_clusters(lead_ids, clusters).tolist() == ["C1", "C1", "C3"]
    # with no single id column the table is taken row by row
    rows = clusters.assign(note="x")
    assert aligned_clusters(lead_ids, rows).tolist() == ["C3", "C1", "C1"]


@pytest.mark.parametrize(
    ("clusters", "message"),
    [
        (pd.DataFrame({"lead_id": ["L1", "L2"]}), "lead id column and cluster_id"),
        (pd.DataFrame({"lead_id": ["L1"], "cluster_id": ["C1"]}), "1 rows for 2 leads"),
        (pd.DataFrame({"lead_id": ["L1", "L2"], "cluster_id": ["C1", None]}), "no cluster_id"),
        (pd.DataFrame({"lead_id": ["L1", "L9"], "cluster_id": ["C1", "C9"]}), "not in clusters"),
    ],
)
def test_clusters_that_do_not_fit_the_leads_are_refused(clusters, message):
    with pytest.raises(ll.InputError, match=message):
        aligned_clusters(np.array(["L1", "L2"], dtype=object), clusters)


def test_group_starts_marks_the_first_of_each_run():
    assert group_starts(np.array([0, 0, 1, 2, 2, 2])).tolist() == [
        True,
        False,
        True,
        True,
        False,
        False,
    ]
    assert group_starts(np.array([], dtype=np.int64)).tolist() == []


@pytest.mark.parametrize("threshold", [0.0, 0.01, 1.0])
def test_any_threshold_in_0_1_works_with_the_default_cannot_link(threshold):
    """threshold 0 raised 'cannot_link_below must be between 0 and the threshold' after
    training: the default cannot_link_below (0.05) was above it. 0 links every pair."""
    pairs = _pairs([("a", "b", 0.99), ("b", "c", 0.02), ("c", "d", 0.0), ("e", "f", 1.0)])
    out = cluster_pairs(list("abcdefg"), pairs, threshold=threshold)
    got = dict(zip(out["id"], out["cluster_id"]))
    if threshold == 0.0:
        assert got["a"] == got["b"] == got["c"] == got["d"] and got["e"] == got["f"]
    if threshold == 1.0:
        assert got["e"] == got["f"] and len({got["a"], got["b"], got["c"], got["d"]}) == 4
    assert got["g"] == cluster_id_for("g")
