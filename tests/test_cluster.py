from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from leadlink.cluster import cluster_id_for, cluster_pairs


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
