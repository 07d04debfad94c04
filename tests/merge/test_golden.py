from __future__ import annotations

import json

import pandas as pd
import pytest

import leadlink as ll
from leadlink.clean._prepare import prepare
from leadlink.merge._cluster import cluster_id_for
from leadlink.merge._golden import (
    DEFAULT_RULES,
    RULES,
    SurvivorshipPolicy,
    conflicts,
    golden_records,
    lineage,
    merge,
    split,
    unmerge,
)

ROLES = {
    "name": "name",
    "phone": "phone",
    "email": "email",
    "company": "company",
    "city": "city",
    "title": "title",
    "source": "source",
    "created_at": "created_at",
}


@pytest.fixture(scope="module")
def generated():
    from leadlink.datasets import generate_leads

    leads = generate_leads(200, seed=3).drop(columns=["person_id", "is_ghost"])
    result = ll.dedupe(leads)
    prepared = prepare(leads, result.roles, id_column="lead_id")
    return leads, prepared, result


def _build(rows, clusters=None, **options):
    """Golden records of small hand-written leads (one cluster unless given)."""
    leads = pd.DataFrame(rows)
    roles = {role: column for role, column in ROLES.items() if column in leads.columns}
    prepared = prepare(leads, roles, id_column="lead_id")
    cluster = clusters or ["C1"] * len(leads)
    frame = pd.DataFrame({"lead_id": leads["lead_id"], "cluster_id": cluster})
    return golden_records(leads, prepared, frame, roles, **options)


# ------------------------------------------------------------------------ whole flow


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


# -------------------------------------------------------------------------- policies


def test_default_policy_prefers_full_name_personal_phone_and_valid_email():
    golden = _build(
        [
            {"lead_id": "a", "name": "张总", "phone": "010-8888 6666 转 8001",
             "email": "sales@acme.cn", "created_at": "2024-05-01"},
            {"lead_id": "b", "name": "張偉", "phone": "13912345670",
             "email": "test@test.com", "created_at": "2024-06-01"},
            {"lead_id": "c", "name": "Zhang Wei", "phone": "010-8888 6666 转 8001",
             "email": "zhangwei@acme.cn", "created_at": "2024-01-01"},
        ]
    )  # fmt: skip
    record = golden.iloc[0]
    assert record["name_from"] in ("b", "c")  # a full name, not the surname of 张总
    assert record["phone"] == "13912345670"  # personal mobile beats the switchboard
    assert record["email"] == "zhangwei@acme.cn"  # valid and personal beats role/placeholder


@pytest.mark.parametrize(
    ("rule", "column", "rows", "expected"),
    [
        ("most_recent", "title", [("a", "经理", "2024-01-01"), ("b", "总监", "2025-01-01")], "b"),
        (
            "most_frequent",
            "company",
            [("a", "北京字节跳动科技有限公司", "2025-01-01"), ("b", "Acme, Inc.", "2024-01-01"),
             ("c", "字节跳动（北京）科技有限公司", "2024-01-01")],
            "a",
        ),
        ("most_complete", "name", [("a", "张总", "2025-01-01"), ("b", "张伟", "2024-01-01")], "b"),
        ("longest", "title", [("a", "VP", "2025-01-01"), ("b", "VP of Sales", "2024-01-01")], "b"),
        (
            "first_valid",
            "phone",
            [("a", "13800138000", "2025-01-01"), ("b", "13912345670", "2024-01-01")],
            "b",
        ),
        (
            "first_valid",
            "email",
            [("a", "x@mailinator.com", "2025-01-01"), ("b", "li@acme.cn", "2024-01-01")],
            "b",
        ),
    ],
)  # fmt: skip
def test_each_rule_picks_its_value(rule, column, rows, expected):
    role = column
    leads = [{"lead_id": i, column: v, "created_at": t} for i, v, t in rows]
    golden = _build(leads, policy=SurvivorshipPolicy(rules={role: [rule]}), explain=True)
    assert golden.loc[0, f"{role}_from"] == expected
    assert golden.loc[0, f"{role}_rule"] == rule


def test_one_job_in_two_languages_is_one_title_value():
    leads = [{"lead_id": "a", "title": "Sales Manager", "created_at": "2024-01-01"},
             {"lead_id": "b", "title": "销售部经理", "created_at": "2025-01-01"}]  # fmt: skip
    golden = _build(leads, explain=True)
    assert golden.loc[0, "title"] == "销售部经理"  # the most recent wording
    assert golden.loc[0, "title_rule"] == "only_value"  # not a conflict between two jobs


def test_ties_go_to_the_most_recent_then_the_smallest_id():
    golden = _build(
        [
            {"lead_id": "b", "city": "北京", "title": "经理", "created_at": "2024-01-01"},
            {"lead_id": "a", "city": "Shanghai", "title": "经理", "created_at": "2024-01-01"},
            {"lead_id": "c", "city": "上海", "title": "总监", "created_at": "2025-01-01"},
            {"lead_id": "d", "city": "北京", "title": "总监", "created_at": None},
        ],
        policy=SurvivorshipPolicy(rules={"title": "most_frequent"}),
    )
    assert golden.loc[0, "city_from"] == "c"  # 北京 x2 and 上海 x2 tie; c is newest
    assert golden.loc[0, "title_from"] == "c"


def test_source_priority():
    rows = [
        {"lead_id": "a", "phone": "13912345670", "source": "展会", "created_at": "2025-01-01"},
        {"lead_id": "b", "phone": "13700137001", "source": " crm ", "created_at": "2024-01-01"},
        {"lead_id": "c", "phone": "13600136002", "source": "官网表单", "created_at": "2024-01-01"},
    ]
    policy = SurvivorshipPolicy(rules={"phone": ["source_priority"]}, sources=["CRM", "官网表单"])
    golden = _build(rows, policy=policy)
    assert golden.loc[0, "phone_from"] == "b"
    assert golden.loc[0, "sources"] == ["crm", "官网表单", "展会"]
    with pytest.raises(ll.ConfigError, match="needs sources"):
        SurvivorshipPolicy(rules={"phone": ["source_priority"]})


def test_a_callable_rule_receives_the_values_in_lead_id_order():
    seen = []

    def shortest(values):
        seen.append(list(values))
        return min(range(len(values)), key=lambda i: len(values[i]))

    rows = [
        {"lead_id": "b", "title": "Head of Procurement"},
        {"lead_id": "a", "title": "Procurement"},
        {"lead_id": "c", "title": "Head"},
    ]
    golden = _build(rows, policy=SurvivorshipPolicy(rules={"title": [shortest]}), explain=True)
    assert seen == [["Procurement", "Head of Procurement", "Head"]]
    assert golden.loc[0, "title_from"] == "c"
    assert golden.loc[0, "title_rule"] == "shortest"
    with pytest.raises(ll.ConfigError, match="index from 0 to 2"):
        _build(rows, policy=SurvivorshipPolicy(rules={"title": [lambda values: 7]}))


def test_clusters_without_a_usable_value_get_none():
    golden = _build(
        [{"lead_id": "a", "phone": "not a number", "city": None}, {"lead_id": "b", "phone": ""}]
    )
    assert golden.loc[0, "phone"] is None and golden.loc[0, "phone_from"] is None


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"rules": {"email": ["newest"]}}, "unknown survivorship rule 'newest'"),
        ({"rules": {"fax": ["most_recent"]}}, "unknown role 'fax'"),
        ({"rules": {"city": ["personal"]}}, "personal rule applies to phone and email"),
        ({"rules": {"city": []}}, "non-empty list"),
        ({"rules": {"city": [1]}}, "list of rule names"),
        ({"rules": ["most_recent"]}, "'rules' must be an object"),
        ({"rule": {}}, "unknown key"),
        ({"sources": "CRM"}, "'sources' must be a list"),
        (["most_recent"], "must be a JSON object"),
    ],
)
def test_bad_config_says_what_to_fix(tmp_path, config, message):
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    with pytest.raises(ll.ConfigError, match=message):
        SurvivorshipPolicy.from_file(path)


def test_config_file_round_trip(tmp_path):
    path = tmp_path / "policy.json"
    path.write_text(
        '{"rules": {"email": "most_recent", "phone": ["source_priority", "most_frequent"]},'
        ' "sources": ["CRM", "官网表单"]}',
        encoding="utf-8",
    )
    policy = SurvivorshipPolicy.from_file(path)
    assert policy.rules_for("email") == ("most_recent",)
    assert policy.rules_for("phone") == ("source_priority", "most_frequent")
    assert policy.rules_for("name") == DEFAULT_RULES["name"]
    assert SurvivorshipPolicy.from_dict(policy.to_dict()) == policy
    with pytest.raises(ll.ConfigError, match="not valid JSON"):
        (tmp_path / "bad.json").write_text("{rules: }", encoding="utf-8")
        SurvivorshipPolicy.from_file(tmp_path / "bad.json")
    with pytest.raises(ll.ConfigError, match="cannot read"):
        SurvivorshipPolicy.from_file(tmp_path / "missing.json")


# -------------------------------------------------------------------- unmerge, split


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


def test_golden_records_refuse_clusters_that_miss_leads(generated):
    leads, prepared, result = generated
    with pytest.raises(ll.InputError, match="every lead needs exactly one cluster"):
        golden_records(leads, prepared, result.clusters.iloc[1:], result.roles)


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
