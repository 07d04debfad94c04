"""The layout keeps the one-way flow of DESIGN.md: base → clean → match → merge → identify
→ faces, Splink only in match/, and the drawing in docs/architecture.md is current."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _graph():
    spec = importlib.util.spec_from_file_location("import_graph", ROOT / "docs" / "import_graph.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["import_graph"] = module
    spec.loader.exec_module(module)
    return module


def test_no_module_imports_upward_or_reaches_into_splink_outside_match():
    _, problems = _graph().scan()
    assert problems == []


def test_every_module_belongs_to_a_layer():
    graph = _graph()
    for path in (ROOT / "src" / "leadlink").rglob("*.py"):
        assert graph.top_of(graph.module_name(path)) in graph._LAYER_OF, path


def test_the_drawing_in_the_docs_is_current():
    graph = _graph()
    edges, _ = graph.scan()
    drawn = (ROOT / "docs" / "architecture.md").read_text("utf-8")
    assert drawn == graph.render(edges), (
        "docs/architecture.md is stale: run python docs/import_graph.py --output "
        "docs/architecture.md"
    )
