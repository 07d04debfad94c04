"""The public surface: what ``from leadlink import *`` gives, the stage packages' ``__all__``,
``python -m leadlink``, the version, and that no module imports the package root."""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

import leadlink as ll

# Pinned: removing or renaming one of these breaks users' code; adding one is a decision
# to write down in the CHANGELOG, so it has to change this list too.
PUBLIC_NAMES = [
    "ColumnError", "ConfigError", "DedupeResult", "EnrichResult", "InputError", "LeadIndex",
    "LeadModel", "LeadlinkError", "LeadlinkWarning", "LinkResult", "MatchResult", "ModelError", "OutcomeModel", "Problem", "ResourceError", "RuleReview",
    "SurvivorshipPolicy", "__version__", "conflicts", "dedupe", "enrich", "erase",
    "evaluate_clusters",
    "fit_outcome_model", "golden_records", "lineage", "link", "load_result", "merge", "missing_summary",
    "normalize",
    "prepare", "read_leads", "review_clusters", "review_rules", "score", "score_golden",
    "set_language", "split",
    "unmerge", "validate",
]  # fmt: skip

STAGES = ["leadlink.clean", "leadlink.match", "leadlink.merge", "leadlink.identify",
          "leadlink.explore", "leadlink.datasets"]  # fmt: skip

SOURCE = Path(ll.__file__).parent


def _isort_style(name: str) -> tuple[int, str]:
    """The order ruff's RUF022 keeps ``__all__`` in: CONSTANTS, then Classes, then the rest."""
    if name.isupper():
        return 0, name
    if name[:1].isupper():
        return 1, name
    return 2, name


def test_star_import_exports_exactly_the_pinned_names():
    namespace: dict[str, object] = {}
    exec("from leadlink import *", namespace)
    namespace.pop("__builtins__")
    assert sorted(namespace) == PUBLIC_NAMES
    assert ll.__all__ == PUBLIC_NAMES


def test_all_is_sorted_and_every_name_exists():
    assert list(ll.__all__) == sorted(ll.__all__, key=str)
    for name in ll.__all__:
        assert hasattr(ll, name), name


@pytest.mark.parametrize("package", STAGES)
def test_every_stage_has_a_sorted_all_of_names_that_exist(package):
    module = importlib.import_module(package)
    names = module.__all__
    assert names, package
    assert list(names) == sorted(names, key=_isort_style), package
    assert len(set(names)) == len(names), package
    missing = [name for name in names if not hasattr(module, name)]
    assert not missing, (package, missing)


def test_errors_share_one_base():
    for name in ("ColumnError", "ConfigError", "InputError", "ModelError", "ResourceError"):
        assert issubclass(getattr(ll, name), ll.LeadlinkError)


def test_the_warning_is_a_user_warning():
    assert issubclass(ll.LeadlinkWarning, UserWarning)
    assert not issubclass(ll.LeadlinkWarning, ll.LeadlinkError)


def test_golden_record_tools_are_exported():
    # not `from leadlink import merge`: the root's merge() function shadows the subpackage
    merge = importlib.import_module("leadlink.merge")

    for name in ("SurvivorshipPolicy", "conflicts", "golden_records", "lineage", "merge",
                 "split", "unmerge", "review_clusters"):  # fmt: skip
        assert getattr(ll, name) is getattr(merge, name), name


def test_python_dash_m_leadlink_prints_the_usage():
    completed = subprocess.run(
        [sys.executable, "-m", "leadlink", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("usage: leadlink"), completed.stdout
    for command in ("demo", "dedupe", "check", "score"):
        assert command in completed.stdout


def test_version_is_the_installed_distributions():
    assert ll.__version__ == importlib.metadata.version("leadlink")


def _is_submodule_of_root(name: str) -> bool:
    """Whether ``from leadlink import name`` gives a submodule and not a name of the root.

    ``leadlink.merge`` is both a subpackage and, once the root is imported, the root's
    ``merge()`` function, which is what ``from leadlink import merge`` then returns.
    """
    if importlib.util.find_spec(f"leadlink.{name}") is None:
        return False
    return getattr(ll, name, None) is importlib.import_module(f"leadlink.{name}")


def _root_imports(source: str, package: str) -> list[str]:
    """Imports in one module of ``package`` that read names from the package root ``leadlink``.

    ``from leadlink import clean`` (or ``from . import clean`` in a top-level module) imports a
    subpackage and is fine; ``import leadlink`` or ``from leadlink import dedupe`` reads the
    root's namespace, which is half-built while the root's own imports run.
    """
    parts = package.split(".")
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [f"import {alias.name}" for alias in node.names if alias.name == "leadlink"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = parts[: len(parts) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target == "leadlink":
                found += [
                    f"from leadlink import {alias.name}"
                    for alias in node.names
                    if not _is_submodule_of_root(alias.name)
                ]
    return found


@pytest.mark.parametrize(
    ("source", "package", "found"),
    [("import leadlink", "leadlink.merge", ["import leadlink"]),
     ("import leadlink as ll", "leadlink", ["import leadlink"]),
     ("from leadlink import dedupe, clean", "leadlink", ["from leadlink import dedupe"]),
     ("from .. import normalize", "leadlink.clean", ["from leadlink import normalize"]),
     ("from . import __version__", "leadlink", ["from leadlink import __version__"]),
     ("from .. import merge", "leadlink.identify", ["from leadlink import merge"]),
     ("from . import clean", "leadlink", []), ("from .. import schema", "leadlink.merge", []),
     ("from leadlink.clean import prepare", "leadlink", []), ("import leadlink.io", "leadlink", []),
     ("from ._version import __version__", "leadlink", [])],
)  # fmt: skip
def test_the_root_import_check_sees_every_spelling(source, package, found):
    assert _root_imports(source, package) == found


def test_no_module_imports_the_package_root():
    modules = sorted(SOURCE.rglob("*.py"))
    assert len(modules) > 20
    offenders = {}
    for path in modules:
        parts = path.relative_to(SOURCE.parent).with_suffix("").parts
        package = ".".join(parts[:-1])  # a package's __init__ belongs to the package itself
        if found := _root_imports(path.read_text(encoding="utf-8"), package):
            offenders[str(path.relative_to(SOURCE))] = found
    assert not offenders
