from __future__ import annotations

import ast
from pathlib import Path

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


SOURCE = Path(ll.__file__).parent

# Raise sites whose message never reaches a user as it is, by file and exception: errors
# in the data files shipped with leadlink (a broken install, not a user's input) and a
# lookup whose KeyError is caught by its caller.
INTERNAL_RAISES = {
    ("_data.py", "ValueError"),
    ("clean/normalize/_title.py", "ValueError"),
    ("datasets/_generate.py", "RuntimeError"),
    ("match/_comparisons.py", "KeyError"),
    ("_outputs.py", "RuntimeError"),  # a programming error: writing() before claim()
    ("_outputs.py", "NotADirectoryError"),  # an OSError its caller turns into ConfigError
}


def _said_names(function: ast.AST) -> set[str]:
    """Names assigned from a say(...) call in ``function`` (``message = say(...)``)."""
    names: set[str] = set()
    for node in ast.walk(function):
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and _is_say(node.value):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


def _assigned_names(function: ast.AST) -> set[str]:
    """Names bound by assignment in ``function``: a local ``say = progress`` would turn
    say(english, chinese) into a call of something else."""
    return {
        target.id
        for node in ast.walk(function)
        if isinstance(node, (ast.Assign, ast.AnnAssign))
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Name)
    }


def _is_caught_text(node: ast.AST | None, function: ast.AST) -> bool:
    """``str(error)`` of an error caught in ``function`` (``except LeadlinkError as
    error``): a message already written in both languages, passed on."""
    caught = {h.name for h in ast.walk(function) if isinstance(h, ast.ExceptHandler) and h.name}
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "str"
        and len(node.args) == 1
        and isinstance(node.args[0], ast.Name)
        and node.args[0].id in caught
    )


def _is_say(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "say"


def _english_only_raises(path: Path, root: Path) -> list[str]:
    tree = ast.parse(path.read_text("utf-8"))
    where = path.relative_to(root).as_posix()
    scope_of: dict[ast.AST, ast.AST] = {}  # each node -> its innermost function (or module)
    for scope in [tree, *(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef))]:
        for node in ast.walk(scope):
            if node is not scope:
                scope_of[node] = scope  # inner functions come later and win
    # functions of this file that return say(...): `raise InputError(_no_header(path))`
    said_by = {
        f.name
        for f in ast.walk(tree)
        if isinstance(f, ast.FunctionDef)
        and any(isinstance(r, ast.Return) and _is_say(r.value) for r in ast.walk(f))
    }
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
            continue
        func = node.exc.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if not name.endswith("Error") or (where, name) in INTERNAL_RAISES:
            continue
        first = node.exc.args[0] if node.exc.args else None
        if _is_say(first) and "say" not in _assigned_names(scope_of[node]):
            continue
        if isinstance(first, ast.Name) and first.id in _said_names(scope_of[node]):
            continue
        if _is_caught_text(first, scope_of[node]):
            continue
        if isinstance(first, ast.Call) and getattr(first.func, "id", None) in said_by:
            continue
        found.append((node.lineno, f"{where}:{node.lineno}: raise {name}(...) without say()"))
    return [text for _, text in sorted(found)]


def test_every_raised_message_is_written_in_both_languages():
    """A message a user reads is written in English and Chinese where it is raised:
    ``raise ConfigError(say("...", "..."))`` (or a variable assigned from say). A new
    English-only message fails here; errors that never reach a user go in
    INTERNAL_RAISES with the reason."""
    found = [
        line for path in sorted(SOURCE.rglob("*.py")) for line in _english_only_raises(path, SOURCE)
    ]
    assert not found, "\n".join(found)


def test_the_scan_finds_an_english_only_message(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "def f(x):\n"
        "    message = say('bad', '不对')\n"
        "    if x:\n"
        "        raise ConfigError(message)\n"
        "    raise InputError(f'bad {x}')\n"
        "def g(x):\n"
        "    raise InputError(h(x))\n"
        "def h(x):\n"
        "    return say(f'bad {x}', f'{x} 不对')\n"
        "def k(progress):\n"
        "    say = progress\n"
        "    raise InputError(say('bad', '不对'))\n",
        "utf-8",
    )
    assert _english_only_raises(sample, tmp_path) == [
        "sample.py:5: raise InputError(...) without say()",
        "sample.py:12: raise InputError(...) without say()",
    ]
