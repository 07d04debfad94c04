"""The merge stage's erasure: finding a person's leads, taking them out of the tables,
renaming the clusters that keep members (leadlink.erase runs these on results and folders)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from leadlink.errors import InputError
from leadlink.merge import (
    cluster_id_for,
    find_leads,
    holders_from_leads,
    holders_from_outputs,
    without_leads,
)

CLUSTERS = pd.DataFrame(
    {"lead_id": ["A1", "A2", "B1", "B2", "C1"], "cluster_id": ["CA", "CA", "CB", "CB", "CC"]}
)
# As the CSV files hold them: lead_ids as JSON text, values as entered.
GOLDEN = pd.DataFrame(
    {
        "cluster_id": ["CA", "CB", "CC"],
        "n_leads": ["2", "2", "1"],
        "lead_ids": ['["A1", "A2"]', '["B1", "B2"]', '["C1"]'],
        "phone": ["138 0013 8000", "010-8888 6666 转 8001", "010-8888 6666 转 8002"],
        "phone_from": ["A1", "B2", "C1"],
        "email": ["a@example.com", None, "c@example.com"],
        "email_from": ["A2", None, "C1"],
    }
)
CONFLICTS = pd.DataFrame(
    {
        "cluster_id": ["CB", "CB"],
        "role": ["email", "email"],
        "key": ["b1@example.com", "b2@example.com"],
        "value": ["B1@Example.com", "b2@example.com"],
        "lead_ids": ['["B1"]', '["B2"]'],
        "n_leads": ["1", "1"],
    }
)


def _holders():
    return holders_from_outputs(GOLDEN, CONFLICTS, "CN")


@pytest.mark.parametrize(
    ("named", "whole", "expected"),
    [
        ({"phones": ["+86 138-0013-8000"]}, True, ["A1", "A2"]),
        ({"phones": ["+86 138-0013-8000"]}, False, ["A1"]),
        # an extension finds that extension only, not the colleague on the switchboard
        ({"phones": ["01088886666 ext. 8001"]}, True, ["B1", "B2"]),
        ({"emails": ["b1@EXAMPLE.com"]}, False, ["B1"]),  # from the conflicts
        ({"lead_ids": ["C1", "A2"]}, False, ["A2", "C1"]),
    ],
)
def test_find_leads(named, whole, expected):
    found, not_found = find_leads(CLUSTERS, _holders(), whole_cluster=whole, **named)
    assert found == expected
    assert not_found == {"lead_ids": 0, "phones": 0, "emails": 0}


def test_find_leads_counts_what_matches_nothing_and_refuses_a_shared_line():
    found, not_found = find_leads(
        CLUSTERS, _holders(), lead_ids=["Z9"], phones=["010-8888 6666"], emails=["x@y.cn"]
    )
    assert found == []
    assert not_found == {"lead_ids": 1, "phones": 1, "emails": 1}
    shared = holders_from_leads(["A1", "B1"], ["13800138000", "+8613800138000"], [None, None], "CN")
    with pytest.raises(InputError, match="phone #1 matches 2 leads in 2 clusters"):
        find_leads(CLUSTERS, shared, phones=["138 0013 8000"])
    found, _ = find_leads(CLUSTERS, shared, phones=["138 0013 8000"], all_matches=True)
    assert found == ["A1", "A2", "B1", "B2"]


def test_without_leads_drops_rows_and_renames_the_clusters_that_keep_members():
    pairs = pd.DataFrame({"id_l": ["A1", "B1", "A2"], "id_r": ["A2", "B2", "C1"]})
    lineage = pd.DataFrame({"cluster_id": ["CA", "CB", "CC"], "lead_id": ["A1", "B2", "C1"]})
    scores = pd.DataFrame({"lead_id": ["A1", "C1"], "score": [1.0, 2.0]})
    tables, removed, renamed = without_leads(
        {
            "clusters": CLUSTERS,
            "golden": GOLDEN,
            "lineage": lineage,
            "conflicts": CONFLICTS,
            "review": None,
            "pairs": pairs,
            "scores": scores,
        },
        ["A1", "A2", "B1"],
        id_column="lead_id",
    )
    assert renamed == {"CB": cluster_id_for("B2")}
    assert tables["clusters"]["cluster_id"].tolist() == [cluster_id_for("B2"), "CC"]
    # the rebuilt cluster's rows go too, for rebuild_clusters to replace
    assert tables["golden"]["cluster_id"].tolist() == ["CC"]
    assert tables["conflicts"].empty
    assert tables["pairs"].to_dict("list") == {"id_l": [], "id_r": []}
    assert tables["scores"]["lead_id"].tolist() == ["C1"]
    assert tables["review"] is None
    assert removed == {
        "clusters": 3, "golden": 2, "lineage": 2, "conflicts": 2, "pairs": 3, "scores": 1
    }  # fmt: skip


def test_holders_read_lists_and_json_text_alike():
    as_lists = CONFLICTS.assign(lead_ids=CONFLICTS["lead_ids"].map(json.loads))
    assert holders_from_outputs(GOLDEN, as_lists, "CN").equals(_holders())
