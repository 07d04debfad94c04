"""Golden records of a dedupe result: one per cluster, every value traced to a member
lead, laid out as lineage, and the conflicts where members disagree."""

from __future__ import annotations

import pandas as pd
import pytest

import leadlink as ll
from leadlink.merge import RULES, conflicts, golden_records, lineage


def test_every_lead_is_in_exactly_one_golden_record(generated):
    leads, _, result = generated
    golden = result.golden
    assert golden["cluster_id"].is_unique
    assert golden["n_leads"].sum() == len(leads)
    members = golden.explode("lead_ids")
    assert sorted(members["lead_ids"]) == sorted(leads["lead_id"])
    cluster_of = result.clusters.set_index("lead_id")["cluster_id"]
    assert (cluster_of[members["lead_ids"]].to_numpy() == members["cluster_id"].to_numpy()).all()


def test_every_golden_value_comes_from_a_member_lead(generated):
    leads, prepared, result = generated
    golden = golden_records(leads, prepared, result.clusters, result.roles, explain=True)
    by_id = leads.set_index("lead_id")
    cluster_of = result.clusters.set_index("lead_id")["cluster_id"]
    checked = 0
    for role in ("name", "phone", "email", "company", "city", "title"):
        has = golden[f"{role}_from"].notna()
        for cluster, value, source in zip(
            golden.loc[has, "cluster_id"], golden.loc[has, role], golden.loc[has, f"{role}_from"]
        ):
            assert cluster_of[source] == cluster
            assert by_id.loc[source, role] == value
            checked += 1
        assert golden.loc[~has, role].isna().all()
    assert checked > 500


def test_golden_records_do_not_depend_on_row_order(generated):
    leads, _, result = generated
    shuffled = leads.sample(frac=1.0, random_state=11)
    again = ll.dedupe(shuffled)
    pd.testing.assert_frame_equal(again.golden, result.golden)


def test_lineage_is_the_long_form_of_the_golden_record(generated):
    leads, prepared, result = generated
    golden = golden_records(leads, prepared, result.clusters, result.roles, explain=True)
    long = lineage(golden)
    assert list(long.columns) == ["cluster_id", "role", "value", "lead_id", "rule"]
    email = long[long["role"] == "email"].set_index("cluster_id")
    expected = golden.set_index("cluster_id")["email_from"].dropna()
    pd.testing.assert_series_equal(
        email["lead_id"].sort_index(), expected.sort_index(), check_names=False
    )
    singles = set(golden.loc[golden["n_leads"] == 1, "cluster_id"])
    assert set(long.loc[long["cluster_id"].isin(singles), "rule"]) == {"only_value"}
    assert set(long["rule"]) <= {*RULES, "only_value", "lead_id"}


def test_conflicts_list_every_distinct_value(generated):
    leads, prepared, result = generated
    found = conflicts(leads, prepared, result.clusters, result.roles, golden=result.golden)
    assert {"cluster_id", "role", "key", "value", "lead_ids", "survived"} <= set(found.columns)
    by_id = leads.set_index("lead_id")
    members = result.golden.set_index("cluster_id")["lead_ids"]
    for (cluster, role), rows in found.groupby(["cluster_id", "role"]):
        # Every non-blank value of a disputed role is listed, with the leads holding it.
        holders = [lead for ids in rows["lead_ids"] for lead in ids]
        expected = [
            lead for lead in members[cluster] if str(by_id.loc[lead, role] or "").strip() != ""
        ]
        assert sorted(holders) == sorted(expected)
        for value, ids in zip(rows["value"], rows["lead_ids"]):
            assert {by_id.loc[lead, role] for lead in ids} == {value}
        assert rows["key"].nunique(dropna=False) >= 2
        assert rows["survived"].sum() <= 1
    assert set(found["role"]) >= {"name", "phone"}


def test_golden_records_refuse_clusters_that_miss_leads(generated):
    leads, prepared, result = generated
    with pytest.raises(ll.InputError, match="every lead needs exactly one cluster"):
        golden_records(leads, prepared, result.clusters.iloc[1:], result.roles)


def test_golden_phone_and_email_are_shown_normalised_too(generated):
    """``phone_normalized`` / ``email_normalized`` sit beside the values as entered and
    hold the prepared key of the very lead the value came from."""
    leads, prepared, result = generated
    golden = golden_records(leads, prepared, result.clusters, result.roles)
    columns = golden.columns.tolist()
    keys = prepared.set_index("unique_id")
    for role in ("phone", "email"):
        assert columns.index(f"{role}_normalized") == columns.index(role) + 1
        has = golden[f"{role}_from"].notna()
        assert golden.loc[~has, f"{role}_normalized"].isna().all()
        for source, key in zip(golden.loc[has, f"{role}_from"], golden.loc[has, f"{role}_normalized"]):  # fmt: skip
            expected = keys.loc[source, role]
            if role == "phone" and pd.notna(keys.loc[source, "phone_ext"]):
                expected = f"{expected};ext={keys.loc[source, 'phone_ext']}"
            assert key == expected
    assert golden["phone_normalized"].str.fullmatch(r"\+\d{8,15}(;ext=\d+)?").all()
    assert (
        golden["email_normalized"].dropna() == golden["email_normalized"].dropna().str.lower()
    ).all()
    pd.testing.assert_frame_equal(result.golden, golden)  # the same in DedupeResult.golden


def test_normalised_golden_values_are_masked_and_hashed_like_the_values():
    from leadlink.clean import OutputMasking

    golden = pd.DataFrame(
        {
            "phone": ["+86 138 0013 8000 转 8001"],
            "phone_normalized": ["+8613800138000;ext=8001"],
            "email": ["ZW@Example.com"],
            "email_normalized": ["zw@example.com"],
        }
    )
    masked = OutputMasking("masked").columns(golden).iloc[0]
    assert "0013" not in masked["phone_normalized"] and "zw@" not in masked["email_normalized"]
    assert masked["phone_normalized"].startswith("+86138")
    hashed = OutputMasking("hashed", hash_key=b"k" * 16).columns(golden).iloc[0]
    assert hashed["phone_normalized"] == hashed["phone"]  # one pseudonym for one number
    assert hashed["email_normalized"] == hashed["email"]


def test_blank_values_are_told_without_normalising_them():
    """``_blank`` tests ``str.strip`` where ``_plain`` normalises (NFKC) first: the same
    for every character, alone and after text or white space."""
    import sys
    import unicodedata

    from leadlink.merge._golden import _blank, _plain

    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if 0xD800 <= code <= 0xDFFF:
            continue
        assert (unicodedata.normalize("NFKC", char).strip() == "") == (char.strip() == "")
    values = pd.Series(
        ["", " ", "\u3000", "\u00a0x", "a", None, float("nan"), 0, " " * 1000 + "x",
         "\u2003\u2028", "\u0301", " \u0308", "\ufeff", 1.5]
    )  # fmt: skip
    assert _blank(values).tolist() == pd.isna(_plain(values)).tolist()


def test_conflicts_find_the_golden_value_in_records_of_any_order(generated):
    leads, prepared, result = generated
    in_order = conflicts(leads, prepared, result.clusters, result.roles, golden=result.golden)
    shuffled = result.golden.sample(frac=1, random_state=0)
    other = conflicts(leads, prepared, result.clusters, result.roles, golden=shuffled)
    assert in_order["survived"].any()
    pd.testing.assert_frame_equal(in_order, other)


def test_lineage_layout_says_where_each_row_comes_from(generated):
    from leadlink.merge._golden import lineage_layout

    golden = generated[2].golden
    long = lineage(golden)
    roles, rows, role_at = lineage_layout(golden)
    assert long["cluster_id"].tolist() == golden["cluster_id"].to_numpy()[rows].tolist()
    assert long["role"].tolist() == [roles[i] for i in role_at]
