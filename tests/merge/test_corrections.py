"""An analyst's corrections: merge, split and unmerge, and the cluster ids they give."""

from __future__ import annotations

import pandas as pd
import pytest

import leadlink as ll
from leadlink.merge import cluster_id_for, golden_records, merge, split, unmerge


def _ids(clusters):
    return clusters.set_index("lead_id")["cluster_id"]


def test_unmerge_makes_singletons_and_renames_what_is_left(generated):
    leads, prepared, result = generated
    clusters = result.clusters
    biggest = result.golden.sort_values("n_leads").iloc[-1]
    first, second, *rest = biggest["lead_ids"]
    out = unmerge(clusters, [first])
    ids = _ids(out)
    assert ids[first] == cluster_id_for(first)
    assert ids[second] == cluster_id_for(second)  # the rest is named after its smallest id
    assert (ids[rest] == ids[second]).all()
    unchanged = ~clusters["lead_id"].isin(biggest["lead_ids"])
    assert (out.loc[unchanged, "cluster_id"] == clusters.loc[unchanged, "cluster_id"]).all()
    golden = golden_records(leads, prepared, out, result.roles)
    assert len(golden) == len(result.golden) + 1
    assert golden["n_leads"].sum() == len(leads)


def test_merge_then_unmerge_restores_the_clusters(generated):
    _, _, result = generated
    clusters = result.clusters
    singles = result.golden.loc[result.golden["n_leads"] == 1, "lead_ids"].str[0].tolist()
    pair = result.golden.loc[result.golden["n_leads"] == 2, "lead_ids"].iloc[0]
    merged = merge(clusters, [singles[0], singles[1], pair[0]])
    assert _ids(merged)[[singles[0], singles[1], *pair]].nunique() == 1
    restored = split(merged, [[singles[0]], [singles[1]]])
    pd.testing.assert_frame_equal(restored, clusters)
    pd.testing.assert_frame_equal(unmerge(merge(clusters, singles[:2]), singles[:2]), clusters)


def test_split_into_groups(generated):
    _, _, result = generated
    members = result.golden.sort_values("n_leads").iloc[-1]["lead_ids"]
    out = split(result.clusters, [members[:1], members[1:2]])
    ids = _ids(out)[members]
    assert ids.nunique() == (3 if len(members) > 2 else 2)
    assert ids[members[0]] == cluster_id_for(members[0])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda c, g: unmerge(c, ["nope"]), "not in 'lead_id'"),
        (lambda c, g: unmerge(c, "L0000001"), "as a list"),
        (lambda c, g: split(c, []), "at least one"),
        (lambda c, g: split(c, [g[0][:1], g[0][:1]]), "more than one group"),
        (lambda c, g: split(c, [g[0][:1], g[1][:1]]), "one cluster at a time"),
        (lambda c, g: unmerge(c.assign(extra=1), g[0]), "id_column"),
    ],
)
def test_bad_corrections_get_an_input_error(generated, call, message):
    _, _, result = generated
    groups = result.golden.sort_values("n_leads", ascending=False)["lead_ids"].tolist()
    with pytest.raises(ll.InputError, match=message):
        call(result.clusters, groups)


def test_bad_corrections_are_explained_in_chinese(generated):
    _, _, result = generated
    ll.set_language("zh")
    with pytest.raises(ll.InputError, match="线索 ID 请以列表形式给出"):
        unmerge(result.clusters, "L0000001")
    with pytest.raises(ll.InputError, match="split 至少需要一组非空的线索 ID"):
        split(result.clusters, [])


def test_unmerge_then_merge_back_restores_clusters_and_golden_records(generated):
    leads, prepared, result = generated
    multi = result.golden.loc[result.golden["n_leads"] >= 2, "lead_ids"]
    members = multi.iloc[len(multi) // 2]
    taken = members[-1]  # not the smallest id, so the cluster keeps its id meanwhile
    apart = unmerge(result.clusters, [taken])
    assert _ids(apart)[taken] == cluster_id_for(taken)
    assert _ids(apart)[members[0]] == _ids(result.clusters)[members[0]]
    back = merge(apart, [taken, members[0]])
    pd.testing.assert_frame_equal(back, result.clusters)
    original = golden_records(leads, prepared, result.clusters, result.roles)
    rebuilt = golden_records(leads, prepared, back, result.roles)
    pd.testing.assert_frame_equal(rebuilt, original)
    pd.testing.assert_frame_equal(original, result.golden)
