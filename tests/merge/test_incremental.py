from __future__ import annotations

import json
import random

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadlink.errors import ColumnError, InputError
from leadlink.merge import IncrementalClusters
from leadlink.merge._cluster import cluster_id_for, cluster_pairs


def _pairs(rows, rule=None):
    pairs = pd.DataFrame(rows, columns=["id_l", "id_r", "match_probability"])
    if rule is not None:
        pairs["rule"] = rule
    return pairs


def _held(clusters):
    return clusters.assignments().set_index("id")["cluster_id"].sort_index()


def _batch(ids, pairs, **options):
    return cluster_pairs(ids, pairs, **options).set_index("id")["cluster_id"].sort_index()


def _co_members(assignments):
    together = set()
    for _, group in assignments.groupby(assignments):
        members = sorted(group.index)
        together.update((a, b) for i, a in enumerate(members) for b in members[i + 1 :])
    return together


def _pairwise_f1(got, expected):
    got_pairs, expected_pairs = _co_members(got), _co_members(expected)
    if not got_pairs and not expected_pairs:
        return 1.0
    return 2 * len(got_pairs & expected_pairs) / (len(got_pairs) + len(expected_pairs))


def _one_at_a_time(ids, pairs, order, **options):
    """Add every lead in ``order``, each with its pairs to the leads already added."""
    arrival = {lead: i for i, lead in enumerate(order)}
    later = [
        a if arrival.get(a, -1) > arrival.get(b, -1) else b
        for a, b in zip(pairs["id_l"], pairs["id_r"])
    ]
    empty = pairs.iloc[:0]
    pairs_of = dict(iter(pairs.groupby(pd.Series(later, index=pairs.index))))
    clusters = IncrementalClusters(**options)
    for lead in order:
        clusters.add(lead, pairs_of.get(lead, empty))
    return clusters


@pytest.fixture(scope="module")
def deduped():
    """Ids, scored pairs and threshold of a real batch run on 300 generated people."""
    import leadlink as ll
    from leadlink.datasets import generate_leads

    leads = generate_leads(300, seed=11).drop(columns=["person_id", "is_ghost"])
    result = ll.dedupe(leads)
    ids = result.clusters["lead_id"].astype(str).tolist()
    pairs = result.pairs.assign(id_l=result.pairs["id_l"].astype(str))
    pairs["id_r"] = pairs["id_r"].astype(str)
    batch = pd.Series(result.clusters["cluster_id"].to_numpy(), index=ids).sort_index()
    return ids, pairs, result.threshold, batch


@pytest.mark.parametrize("component_limit", [2000, 1])
def test_one_lead_at_a_time_in_any_order_agrees_with_batch(deduped, component_limit):
    ids, pairs, threshold, batch = deduped
    assert _batch(ids, pairs, threshold=threshold).equals(batch)
    rnd = random.Random(5)
    for _ in range(5 if component_limit == 2000 else 2):
        order = ids[:]
        rnd.shuffle(order)
        clusters = _one_at_a_time(
            ids, pairs, order, threshold=threshold, component_limit=component_limit
        )
        held = _held(clusters)
        assert _pairwise_f1(held, batch) >= 0.99
        if component_limit == 2000:  # linked components re-clustered whole: exactly batch
            assert held.equals(batch)


def test_starts_as_batch_and_removing_leads_stays_batch(deduped):
    ids, pairs, threshold, batch = deduped
    clusters = IncrementalClusters(ids, pairs, threshold=threshold)
    assert _held(clusters).equals(batch)
    # Take out the leads of the largest clusters (bridges among them) one by one.
    largest = batch.value_counts().index[:10]
    gone = [lead for lead in batch.index if batch[lead] in set(largest)][::2]
    for lead in gone:
        clusters.remove(lead)
    kept = [lead for lead in ids if lead not in set(gone)]
    assert _held(clusters).equals(_batch(kept, pairs, threshold=threshold))


def test_starting_from_given_clusters_is_starting_from_the_pairs(deduped):
    # a dedupe result's clusters are cluster_pairs' on its pairs: given, they are not
    # clustered again, and every change afterwards is the same as from the pairs
    ids, pairs, threshold, batch = deduped
    given = IncrementalClusters(ids, pairs, threshold=threshold, cluster_ids=batch[ids].tolist())
    plain = IncrementalClusters(ids, pairs, threshold=threshold)
    assert _held(given).equals(_held(plain))
    for lead in [
        lead for lead in batch.index if batch[lead] in set(batch.value_counts().index[:5])
    ]:
        assert given.remove(lead) == plain.remove(lead)
    assert _held(given).equals(_held(plain))
    with pytest.raises(InputError, match="cluster_ids"):
        IncrementalClusters(ids, pairs, threshold=threshold, cluster_ids=batch.tolist()[:-1])
    with pytest.raises(ColumnError):
        IncrementalClusters(ids, pairs[["id_l"]], threshold=threshold, cluster_ids=batch.tolist())


def test_removing_a_bridge_lead_splits_its_cluster():
    pairs = _pairs([("a", "b", 0.99), ("b", "c", 0.9)])
    clusters = IncrementalClusters(["a", "b", "c"], pairs, threshold=0.5)
    assert clusters.members(cluster_id_for("a")) == ["a", "b", "c"]
    touched = clusters.remove("b")
    assert touched == sorted([cluster_id_for("a"), cluster_id_for("c")])
    assert clusters.cluster_of("a") == cluster_id_for("a")
    assert clusters.cluster_of("c") == cluster_id_for("c")
    assert clusters.members(cluster_id_for("a")) == ["a"]
    assert "b" not in clusters and len(clusters) == 2


def test_removing_the_lead_that_kept_two_clusters_apart_lets_them_merge():
    # c links to a, but a's cluster-mate b is clearly a different person from c
    pairs = _pairs([("a", "b", 0.99), ("a", "c", 0.8), ("b", "c", 0.01)])
    clusters = IncrementalClusters(["a", "b", "c"], pairs, threshold=0.5)
    assert clusters.cluster_of("c") == cluster_id_for("c")
    touched = clusters.remove("b")
    assert clusters.cluster_of("c") == clusters.cluster_of("a") == cluster_id_for("a")
    assert touched == sorted([cluster_id_for("a"), cluster_id_for("c")])


def test_never_link_keeps_leads_apart():
    clusters = IncrementalClusters(["a", "b"], _pairs([("a", "b", 0.95)]), threshold=0.5)
    new = _pairs([("a", "c", 0.99), ("b", "c", 0.99)], rule=["", "never_link:national_id"])
    assert clusters.add("c", new) == cluster_id_for("a")
    # the strongest link (a-c) wins; b may not join a group holding c
    assert clusters.members(cluster_id_for("a")) == ["a", "c"]
    assert clusters.cluster_of("b") == cluster_id_for("b")
    assert clusters.last_changed == sorted([cluster_id_for("a"), cluster_id_for("b")])
    expected = _batch(
        ["a", "b", "c"],
        _pairs(
            [("a", "b", 0.95), ("a", "c", 0.99), ("b", "c", 0.99)],
            rule=["", "", "never_link:national_id"],
        ),
        threshold=0.5,
    )
    assert _held(clusters).equals(expected)


def test_a_low_score_without_evidence_against_it_does_not_keep_leads_apart():
    weights = {"name_weight": [9.0, 0.0], "phone_weight": [0.0, 5.6]}
    start = pd.DataFrame({"id_l": ["a"], "id_r": ["b"], "match_probability": [0.99]})
    clusters = IncrementalClusters(["a", "b"], start.assign(name_weight=9.0), threshold=0.5)
    new = pd.DataFrame(
        {"id_l": ["a", "b"], "id_r": ["c", "c"], "match_probability": [0.01, 0.9], **weights}
    )
    assert clusters.add("c", new) == cluster_id_for("a")  # a-c lacks evidence only
    clusters.update("c", new.assign(phone_weight=[-4.0, 5.6]))  # now a-c is contradicted
    assert clusters.cluster_of("c") == cluster_id_for("c")


def test_update_relinks_a_lead():
    pairs = _pairs([("a", "b", 0.99), ("b", "c", 0.2), ("c", "d", 0.97)])
    clusters = IncrementalClusters(["a", "b", "c", "d"], pairs, threshold=0.5)
    assert clusters.cluster_of("b") == cluster_id_for("a")
    # b's fields changed: it is now the same person as c and d, no longer as a
    cluster = clusters.update("b", _pairs([("a", "b", 0.01), ("b", "c", 0.98)]))
    assert cluster == cluster_id_for("b")
    assert clusters.members(cluster) == ["b", "c", "d"]
    assert clusters.members(cluster_id_for("c")) == []  # b is the smallest member now
    assert clusters.cluster_of("a") == cluster_id_for("a")
    assert clusters.last_changed == sorted(
        [cluster_id_for("a"), cluster_id_for("b"), cluster_id_for("c")]
    )


def test_ids_stay_when_an_unrelated_lead_arrives(deduped):
    ids, pairs, threshold, batch = deduped
    clusters = IncrementalClusters(ids, pairs, threshold=threshold)
    before = _held(clusters)
    cluster = clusters.add("ZZ-new", _pairs([(ids[0], "ZZ-new", 0.001)]))
    assert cluster == cluster_id_for("ZZ-new")
    assert clusters.last_changed == [cluster]
    assert _held(clusters).drop("ZZ-new").equals(before)
    # a lead joining a cluster with a larger id than its members keeps the cluster's id
    lead = batch.index[batch.duplicated(keep=False)][0]
    joined = clusters.add("ZZ-dup", _pairs([(lead, "ZZ-dup", 0.999)]))
    assert joined == batch[lead]
    assert _held(clusters).drop(["ZZ-new", "ZZ-dup"]).equals(before)


def test_state_round_trips_through_json(deduped):
    ids, pairs, threshold, _ = deduped
    clusters = IncrementalClusters(ids[:-1], pairs, threshold=threshold, cannot_link_below=0.01)
    state = json.loads(json.dumps(clusters.state()))
    again = IncrementalClusters.from_state(state)
    assert again.assignments().equals(clusters.assignments())
    assert (again.threshold, again.cannot_link_below) == (threshold, 0.01)
    last = ids[-1]
    new = pairs[(pairs["id_l"] == last) | (pairs["id_r"] == last)]
    assert again.add(last, new) == clusters.add(last, new)
    assert again.assignments().equals(clusters.assignments())
    with pytest.raises(InputError):
        IncrementalClusters.from_state({**state, "version": 99})
    with pytest.raises(InputError, match="damaged"):
        IncrementalClusters.from_state({**state, "links": [["a", "nobody", 0.9]]})


def _sorted(state: dict) -> dict:
    """A state with its pairs in one order (the order they are held in is no content)."""
    return {k: sorted(v) if k in ("links", "conflicts") else v for k, v in state.items()}


def test_columns_round_trip_and_a_loaded_index_changes_as_the_original(deduped):
    ids, pairs, threshold, _ = deduped
    clusters = IncrementalClusters(ids[:-3], pairs, threshold=threshold)
    again = IncrementalClusters.from_columns(clusters.columns())
    assert again.assignments().equals(clusters.assignments())
    assert again.state() == clusters.state()
    # the same changes on both: the arrays of the loaded one give way to dicts as needed
    batch = cluster_pairs(ids, pairs, threshold=threshold).set_index("id")["cluster_id"]
    largest = batch.value_counts().index[0]
    gone = batch.index[batch == largest][0]
    for held in (clusters, again):
        for last in ids[-3:]:
            held.add(last, pairs[(pairs["id_l"] == last) | (pairs["id_r"] == last)])
        held.remove(gone)
    assert again.assignments().equals(clusters.assignments())
    assert _sorted(again.state()) == _sorted(clusters.state())
    assert _sorted(IncrementalClusters.from_columns(again.columns()).state()) == _sorted(
        again.state()
    )
    with pytest.raises(InputError):
        IncrementalClusters.from_columns({**again.columns(), "version": 99})


def test_mistakes_are_named():
    clusters = IncrementalClusters(["a", "b"], _pairs([("a", "b", 0.9)]), threshold=0.5)
    with pytest.raises(InputError, match="update"):
        clusters.add("a", _pairs([]))
    with pytest.raises(InputError):
        clusters.remove("zz")
    with pytest.raises(InputError):
        clusters.add("c", _pairs([("a", "b", 0.9)]))
    with pytest.raises(ColumnError):
        clusters.add("c", pd.DataFrame({"id_l": ["a"], "id_r": ["c"]}))
    with pytest.raises(InputError):
        clusters.update("b", _pairs([("a", "c", 0.9)]))
    assert clusters.members(cluster_id_for("a")) == ["a", "b"]  # a mistake changes nothing
    assert clusters.add("c", _pairs([("c", "unknown", 0.99)])) == cluster_id_for("c")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11), st.floats(0, 1)), max_size=30),
    st.randoms(),
)
def test_any_arrival_and_removal_order_gives_the_batch_clusters(edges, rnd):
    ids = [f"L{i:02d}" for i in range(12)]
    seen = {}
    for a, b, p in edges:
        if a != b:
            seen[(min(a, b), max(a, b))] = p  # one score per pair, as the model gives
    pairs = _pairs([(f"L{a:02d}", f"L{b:02d}", p) for (a, b), p in seen.items()])
    order = ids[:]
    rnd.shuffle(order)
    clusters = _one_at_a_time(ids, pairs, order, threshold=0.6)
    assert _held(clusters).equals(_batch(ids, pairs, threshold=0.6))
    gone = rnd.sample(ids, 4)
    for lead in gone:
        clusters.remove(lead)
    kept = [lead for lead in ids if lead not in gone]
    assert _held(clusters).equals(_batch(kept, pairs, threshold=0.6))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 9), st.integers(0, 9), st.floats(0, 1), st.booleans()),
        max_size=25,
    ),
    st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9), st.floats(0, 1)), max_size=6),
    st.integers(0, 9),
)
def test_updates_and_never_links_give_the_batch_clusters(edges, new_edges, moved):
    ids = [f"L{i}" for i in range(10)]
    scores = {}
    for a, b, p, against in edges:
        if a != b:
            scores[(f"L{min(a, b)}", f"L{max(a, b)}")] = (p, -3.0 if against else 0.5, "")
    first = next(iter(scores), None)
    if first is not None:  # one pair decided by a never-link rule
        scores[first] = (scores[first][0], 0.0, "never_link:test")

    def table(items):
        return pd.DataFrame(
            [(a, b, p, w, r) for (a, b), (p, w, r) in items],
            columns=["id_l", "id_r", "match_probability", "phone_weight", "rule"],
        )

    clusters = IncrementalClusters(ids, table(scores.items()), threshold=0.6)
    lead = f"L{moved}"
    scores = {k: v for k, v in scores.items() if lead not in k}
    for a, b, p in new_edges:
        other = f"L{b}"
        if other != lead:
            scores[tuple(sorted((lead, other)))] = (p, 0.5 if a % 2 else -3.0, "")
    clusters.update(lead, table((k, v) for k, v in scores.items() if lead in k))
    assert _held(clusters).equals(_batch(ids, table(scores.items()), threshold=0.6))
