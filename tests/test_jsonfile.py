"""The one door for the JSON files users hand to leadlink: bounded size and depth, standard
JSON only, the caller's error class with a message instead of a RecursionError."""

from __future__ import annotations

import pytest

from leadlink._jsonfile import MAX_JSON_BYTES, MAX_JSON_DEPTH, MAX_JSON_VALUES, read_json
from leadlink.errors import ConfigError, ModelError


def _read(path, error=ConfigError):
    return read_json(path, what="rules file", what_zh="规则文件", error=error)


def test_a_plain_file_is_read(tmp_path):
    path = tmp_path / "ok.json"
    path.write_text('{"tiers": {"high": 75, "名称": [1, 2.5, null, true]}}', "utf-8")
    assert _read(path) == {"tiers": {"high": 75, "名称": [1, 2.5, None, True]}}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[" * 100_000 + "]" * 100_000, f"more than {MAX_JSON_DEPTH} deep"),  # RecursionError
        ('{"a":' * 40 + "1" + "}" * 40, f"more than {MAX_JSON_DEPTH} deep"),
        ('{"threshold": NaN}', "NaN, which JSON does not allow"),
        ('{"lambda": -Infinity}', "-Infinity, which JSON does not allow"),
        ('{"seed": 1, "seed": 2}', "'seed' appears twice"),
        ('{"seed": ' + "9" * 5000 + "}", "thousands of digits"),
        ('{"seed": ', "not valid JSON .*line 1"),
        ("[" + "0," * (MAX_JSON_VALUES + 1) + "0]", "more than 200,000 values"),
    ],
    ids=[
        "deep-list",
        "deep-object",
        "nan",
        "infinity",
        "repeated-key",
        "huge-int",
        "truncated",
        "many-values",
    ],
)
def test_hostile_files_get_the_callers_error_with_a_message(tmp_path, text, message):
    path = tmp_path / "bad.json"
    path.write_text(text, "utf-8")
    with pytest.raises(ModelError, match=message):
        _read(path, error=ModelError)


def test_a_file_larger_than_the_limit_is_not_read(tmp_path):
    path = tmp_path / "big.json"
    path.write_bytes(b" " * (MAX_JSON_BYTES + 1))
    with pytest.raises(ConfigError, match="larger than 4 MB"):
        _read(path)


def test_missing_unreadable_and_non_utf8_files(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        _read(tmp_path / "missing.json")
    with pytest.raises(ConfigError, match="cannot read rules file"):
        _read(tmp_path)  # a folder
    latin = tmp_path / "latin.json"
    latin.write_bytes('{"name": "café"}'.encode("latin-1"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        _read(latin)


def test_messages_in_chinese(tmp_path):
    from leadlink._i18n import set_language

    set_language("zh")
    path = tmp_path / "deep.json"
    path.write_text("[" * 5000 + "]" * 5000, "utf-8")
    with pytest.raises(ConfigError, match=f"嵌套超过 {MAX_JSON_DEPTH} 层"):
        _read(path)
