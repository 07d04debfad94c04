"""Rules: the presets, overrides, rules files (JSON, YAML) and the messages for invalid rules."""

from __future__ import annotations

import json
import sys
from importlib import resources

import numpy as np
import pandas as pd
import pytest

from leadlink.errors import ConfigError
from leadlink.identify import load_rules, score
from leadlink.identify._rules import CHAMP_RULES, DEFAULT_RULES, KINDS, RuleKind


def test_presets_and_overrides():
    assert load_rules() == DEFAULT_RULES
    assert load_rules("CHAMP") == CHAMP_RULES
    custom = load_rules({"tiers": {"high": 80}, "events": {"weights": {"visit": 4}}})
    assert custom["tiers"] == {"high": 80, "medium": 40}
    assert custom["events"]["weights"]["visit"] == 4
    assert custom["events"]["weights"]["demo_request"] == 12
    assert load_rules({"extends": "champ"})["need"] == {"points": 20}


def test_champ_weighs_challenges_more():
    leads = pd.DataFrame({"需求": ["想替换现有CRM系统"]})
    assert score(leads).loc[0, "score"] == 10
    assert score(leads, rules="champ").loc[0, "score"] == 20


def test_custom_rules_dict_changes_scores_and_tiers():
    leads = pd.DataFrame({"title": ["经理", "总监"]})
    rules = {
        "extends": None,
        "tiers": {"high": 30, "medium": 10},
        "title": {"levels": [{"label": "manages", "points": 35, "keywords": ["经理"]}]},
    }
    result = score(leads, rules=rules)
    assert result["score"].tolist() == [35, 0]
    assert result["tier"].tolist() == ["high", "low"]
    assert result.loc[0, "reasons"] == ["title 经理 manages (+35)"]


def test_custom_rules_from_json_file(tmp_path):
    path = tmp_path / "rules.json"
    path.write_text(
        json.dumps({"ghost": None, "company": {"points": 50}, "tiers": {"medium": 45}}),
        encoding="utf-8",
    )
    leads = pd.DataFrame({"name": ["测试"], "phone": ["13800138000"], "company": ["Acme"]})
    result = score(leads, rules=path)
    assert result.loc[0, "score"] == 50  # no ghost penalty any more
    assert result.loc[0, "tier"] == "medium"
    assert score(leads, rules=str(path)).equals(result)


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ({"tier": {"high": 80}}, "unknown rules section.*'tier'.*tiers"),
        ({"tiers": {"high": 30, "medium": 50}}, "medium <= high"),
        ({"tiers": {"high": 120}}, r"rules\['tiers'\]\['high'\] must be between 0 and 100"),
        ({"tiers": {"hi": 80}}, "unknown key.*'hi'.*high, medium"),
        ({"events": {"half_life_days": 0}}, "half_life_days'] must be more than 0"),
        ({"events": {"weights": {"visit": "high"}}}, r"\['visit'\] must be a number"),
        ({"events": {"weights": ["visit"]}}, "must map event types to points"),
        ({"company": {"points": True}}, "must be a number"),
        ({"company": 10}, r"rules\['company'\] must be an object like"),
        ({"title": {"levels": [{"label": "x", "points": 5}]}}, "keywords'] must be a non-empty"),
        ({"timeline": {"levels": [{"days": 90, "points": 5}]}}, "within_days and points"),
        ({"stage": {"intent_events": "demo"}}, "must be a list of words"),
        ({"extends": "meddic"}, "'bant', 'champ' or null"),
        ("gold", "neither a preset"),
        (42, "not a int"),
    ],
)
def test_invalid_rules_say_what_to_fix(rules, message):
    with pytest.raises(ConfigError, match=message):
        score(pd.DataFrame({"name": ["张伟"]}), rules=rules)


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ({"tier": {"high": 80}}, "评分规则中有未知的配置段 'tier'；可用的配置段为"),
        ({"tiers": {"high": 30, "medium": 50}}, "分数线须满足 medium <= high"),
        ({"tiers": {"high": 120}}, r"rules\['tiers'\]\['high'\] 须在 0 到 100 之间，而不是 120"),
        ({"events": {"half_life_days": 0}}, "half_life_days'] 须大于 0"),
        ("gold", "既不是预设"),
    ],
)
def test_invalid_rules_say_what_to_fix_in_chinese(rules, message):
    from leadlink._i18n import set_language

    set_language("zh")
    with pytest.raises(ConfigError, match=message):
        score(pd.DataFrame({"name": ["张伟"]}), rules=rules)


def test_title_levels_may_carry_a_chinese_label():
    from leadlink._i18n import set_language

    level = {"label": "is a buyer", "label_zh": "是采购", "points": 30, "keywords": ["采购"]}
    leads = pd.DataFrame({"title": ["采购经理"]})
    rules = {"title": {"levels": [level]}}
    assert score(leads, rules=rules).loc[0, "reasons"] == ["title 采购经理 is a buyer (+30)"]
    set_language("zh")
    assert score(leads, rules=rules).loc[0, "reasons"] == ["职位“采购经理”是采购（+30）"]
    # without label_zh the label is shown as written
    plain = {"title": {"levels": [{"label": "采购", "points": 30, "keywords": ["采购"]}]}}
    assert score(leads, rules=plain).loc[0, "reasons"] == ["职位“采购经理”采购（+30）"]
    with pytest.raises(ConfigError, match=r"\['label_zh'\] 须为简短的中文"):
        score(leads, rules={"title": {"levels": [{**level, "label_zh": ""}]}})


def test_unreadable_rules_files(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"tiers": {"high": 70,}}', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"not valid JSON.*line 1"):
        load_rules(broken)


def test_yaml_rules_files(tmp_path):
    pytest.importorskip("yaml", reason="PyYAML comes with the yaml (and dev) extra")
    yaml_file = tmp_path / "rules.yaml"
    yaml_file.write_text("tiers:\n  high: 75\n", encoding="utf-8")
    assert load_rules(yaml_file)["tiers"]["high"] == 75
    assert load_rules(str(yaml_file)) == load_rules({"tiers": {"high": 75}})
    bad_yaml = tmp_path / "broken.yaml"
    bad_yaml.write_text("tiers: [high: 70\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_rules(bad_yaml)


def test_yaml_without_pyyaml_says_what_to_install(tmp_path, monkeypatch):
    yaml_file = tmp_path / "rules.yml"
    yaml_file.write_text("tiers:\n  high: 75\n", encoding="utf-8")
    monkeypatch.setitem(sys.modules, "yaml", None)  # as if PyYAML were not installed
    with pytest.raises(
        ConfigError,
        match=r"PyYAML is not installed; write the rules as JSON .*pip install 'leadlink\[yaml\]'",
    ):
        load_rules(yaml_file)


# ------------------------------------------------------------------- preset files, kinds


@pytest.mark.parametrize(("name", "framework"), [("bant", "IBM"), ("champ", "InsightSquared")])
def test_preset_files_say_where_they_come_from(name, framework):
    text = resources.files("leadlink.identify").joinpath(f"presets/{name}.json").read_text("utf-8")
    about = json.loads(text)["about"]
    assert framework in about["source"]
    assert "leadlink's own choices" in about["leadlink"]
    assert "about" not in load_rules(name)  # a note for readers, not a rule


def test_champ_is_bant_with_other_weights():
    differ = {key for key in DEFAULT_RULES if DEFAULT_RULES[key] != CHAMP_RULES[key]}
    assert differ == {"name", "need", "budget", "timeline"}
    assert list(CHAMP_RULES) == list(DEFAULT_RULES)


def test_own_rules_may_carry_an_about_note():
    rules = {"about": "our tiers, agreed with sales in May", "tiers": {"high": 80}}
    assert load_rules(rules) == load_rules({"tiers": {"high": 80}})


def test_every_kind_has_its_section_in_the_presets():
    assert set(KINDS) | {"name"} == set(DEFAULT_RULES) == set(CHAMP_RULES)


def test_a_new_kind_of_rule_is_one_registry_entry(monkeypatch):
    # A "source" rule: points for leads that came from a referral.
    def read(section, name):
        return None if section is None else section.get("points")

    def gather(context, rules, name):
        points = rules[name]
        referred, _ = context.per_value("source", lambda v: v == "referral", False)
        texts = np.where(referred, "came from a referral", None)
        context.evidence.add("referral", referred, referred * points, texts)

    monkeypatch.setitem(KINDS, "source", RuleKind(frozenset({"points"}), read, gather))
    leads = pd.DataFrame({"source": ["referral", "官网表单"]})
    result = score(leads, rules={"source": {"points": 45}})
    assert result["score"].tolist() == [45, 0]
    assert result["tier"].tolist() == ["medium", "low"]
    assert result.loc[0, "reasons"] == ["came from a referral (+45)"]


def test_deeply_nested_or_exploding_rules_files_are_config_errors(tmp_path):
    """--rules with deeply nested JSON was a RecursionError (exit 1)."""
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"rules file .* nests objects or lists more than 32"):
        load_rules(deep)


def test_yaml_rules_files_are_bounded_too(tmp_path):
    pytest.importorskip("yaml", reason="PyYAML comes with the yaml (and dev) extra")
    deep = tmp_path / "deep.yaml"
    deep.write_text("[" * 5000 + "]" * 5000, encoding="utf-8")
    with pytest.raises(ConfigError, match="nests objects or lists more than 32"):
        load_rules(deep)
    # a few lines of aliases that expand to a billion values
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="more than 200,000 values"):
        load_rules(bomb)
