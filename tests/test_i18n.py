from __future__ import annotations

import pytest

import leadlink as ll
from leadlink._i18n import get_language, say, set_language


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({"LEADLINK_LANG": "zh"}, "zh"),
        ({"LEADLINK_LANG": "en", "LANG": "zh_CN.UTF-8"}, "en"),
        ({"LANG": "zh_CN.UTF-8"}, "zh"),
        ({"LANG": "zh_TW.UTF-8"}, "zh"),
        ({"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),
        ({"LC_ALL": "C", "LANG": "zh_CN.UTF-8"}, "en"),
        ({"LANG": "de_DE.UTF-8"}, "en"),
        ({}, "en"),
    ],
)
def test_language_from_the_environment(monkeypatch, environment, expected):
    for variable in ("LEADLINK_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)
    for variable, value in environment.items():
        monkeypatch.setenv(variable, value)
    assert get_language() == expected


def test_an_explicit_choice_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv("LEADLINK_LANG", "en")
    set_language("zh-Hans")
    assert say("invalid phone", "电话无效") == "电话无效"
    set_language(None)
    assert say("invalid phone", "电话无效") == "invalid phone"


def test_an_unknown_language_is_refused_with_the_choices():
    with pytest.raises(ll.ConfigError, match="en, zh"):
        set_language("fr")


def test_the_refusal_of_an_unknown_language_is_itself_translated():
    set_language("zh")
    with pytest.raises(ll.ConfigError, match="不支持语言 'fr'；可选：en, zh"):
        set_language("fr")


def test_set_language_is_public():
    ll.set_language("zh")
    assert get_language() == "zh"
    assert "set_language" in ll.__all__
