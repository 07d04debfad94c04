"""Survivorship: the registry of rules, the policy that names them, and what each rule
picks in a cluster of hand-written leads."""

from __future__ import annotations

import inspect
import json

import numpy as np
import pandas as pd
import pytest

import leadlink as ll
from leadlink.clean._prepare import prepare
from leadlink.merge import DEFAULT_RULES, RULES, SurvivorshipPolicy, golden_records
from leadlink.merge._survivorship import SurvivorshipRule
from leadlink.schema import SURVIVED_ROLES

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


def _build(rows, clusters=None, **options):
    """Golden records of small hand-written leads (one cluster unless given)."""
    leads = pd.DataFrame(rows)
    roles = {role: column for role, column in ROLES.items() if column in leads.columns}
    prepared = prepare(leads, roles, id_column="lead_id")
    cluster = clusters or ["C1"] * len(leads)
    frame = pd.DataFrame({"lead_id": leads["lead_id"], "cluster_id": cluster})
    return golden_records(leads, prepared, frame, roles, **options)


# -------------------------------------------------------------------------- registry


def test_every_registered_rule_is_documented_and_accepted():
    assert list(RULES) == sorted(RULES)  # the order error messages list them in
    for name, rule in RULES.items():
        assert rule.name == name
        doc = inspect.getdoc(rule.score)
        assert doc and rule.description == doc, name
        assert "Ties:" in doc, f"{name}: say what the rule counts as a tie"
        for role in rule.roles or SURVIVED_ROLES:
            policy = SurvivorshipPolicy(rules={role: [name]}, sources=["CRM"])
            assert policy.rules_for(role) == (name,)
            assert SurvivorshipPolicy.from_dict(policy.to_dict()) == policy
        for role in set(SURVIVED_ROLES) - set(rule.roles or SURVIVED_ROLES):
            with pytest.raises(ll.ConfigError, match=f"the {name} rule applies to"):
                SurvivorshipPolicy(rules={role: [name]}, sources=["CRM"])


def test_an_unknown_rule_is_refused_with_the_list_of_registered_rules():
    with pytest.raises(ll.ConfigError, match="unknown survivorship rule 'newest'") as raised:
        SurvivorshipPolicy(rules={"email": ["first_valid", "newest"]})
    message = str(raised.value)
    assert ", ".join(RULES) in message
    assert "e.g. rules={'email': ['first_valid', 'personal', 'most_recent']}" in message


def test_default_rules_name_every_survived_role_and_only_registered_rules():
    assert set(DEFAULT_RULES) == set(SURVIVED_ROLES)
    for role, chain in DEFAULT_RULES.items():
        assert SurvivorshipPolicy().rules_for(role) == chain
        for name in chain:
            assert RULES[name].roles is None or role in RULES[name].roles, (role, name)


def test_a_rule_added_to_the_registry_is_accepted_and_applied(monkeypatch):
    def shortest(candidates):
        """The shortest value as entered. Ties: values of the same length."""
        return -np.array([len(str(v)) for v in candidates.entered], dtype=np.float64)

    with pytest.raises(ll.ConfigError, match="unknown survivorship rule 'shortest'"):
        SurvivorshipPolicy(rules={"title": ["shortest"]})
    monkeypatch.setitem(RULES, "shortest", SurvivorshipRule("shortest", shortest))
    rows = [
        {"lead_id": "a", "title": "Head of Procurement", "created_at": "2025-01-01"},
        {"lead_id": "b", "title": "Head", "created_at": "2024-01-01"},
    ]
    golden = _build(rows, policy=SurvivorshipPolicy(rules={"title": ["shortest"]}), explain=True)
    assert golden.loc[0, "title_from"] == "b"
    assert golden.loc[0, "title_rule"] == "shortest"


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


# ---------------------------------------------------------------------- policy files


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


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"rules": {"email": ["newest"]}}, "'email' 的存活规则 'newest' 未知；可选："),
        ({"rules": {"fax": ["most_recent"]}}, "存活规则中的角色 'fax' 未知"),
        ({"rules": {"city": ["personal"]}}, "personal 规则只适用于 phone、email，不适用于 'city'"),
        ({"rule": {}}, "存活规则配置中有未知的键 'rule'"),
    ],
)
def test_bad_config_says_what_to_fix_in_chinese(tmp_path, config, message):
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    ll.set_language("zh")
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


def test_a_deeply_nested_policy_file_is_a_config_error(tmp_path):
    """--policy with deeply nested JSON was a RecursionError (exit 1)."""
    path = tmp_path / "deep.json"
    path.write_text('{"rules": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    with pytest.raises(ll.ConfigError, match=r"survivorship config .* nests .* more than 32 deep"):
        SurvivorshipPolicy.from_file(path)
    path.write_text('{"rules": {}, "rules": {}}', encoding="utf-8")
    with pytest.raises(ll.ConfigError, match="'rules' appears twice"):
        SurvivorshipPolicy.from_file(path)
