"""Draw leadlink's import graph by stage and check that it flows one way.

Reads every module under ``src/leadlink`` with :mod:`ast` (nothing is imported), groups
modules into layers — the base, then the stages clean → match → merge → identify, then the
faces (pipeline, cli) — and prints the graph as Markdown: a Mermaid flowchart of the
stage-level edges and a table of which module imports which across stages. It exits 1
when a module imports a later layer, a stage's private module from another package, the
package root, or Splink outside ``match/``.

Usage:  python docs/import_graph.py [--check] [--output docs/architecture.md]
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import defaultdict
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "leadlink"

#: Layers, in flow order: a module may import its own layer and earlier ones only.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "base",
        (
            "_version",
            "_i18n",
            "_progress",
            "_values",
            "_graph",
            "_data",
            "_jsonfile",
            "_files",
            "errors",
            "schema",
            "_csv_text",
            "io",
            "metrics",
            "datasets",
        ),
    ),
    ("clean", ("clean",)),
    ("match", ("match",)),
    ("merge", ("merge",)),
    ("identify", ("identify",)),
    ("explore", ("explore",)),
    (
        "faces",
        (
            "pipeline",
            "spark",
            "realtime",
            "_index_files",
            "_index_golden",
            "_index_ranking",
            "linking",
            "_run_warnings",
            "_erasure",
            "cli",
            "serve",
            "_outputs",
            "__main__",
            "__init__",
        ),
    ),
)
_LAYER_OF = {top: i for i, (_, tops) in enumerate(LAYERS) for top in tops}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(parts)


def top_of(module: str) -> str:
    """``leadlink.clean._prepare`` -> ``clean``; the package root is ``__init__``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imports(path: Path) -> list[tuple[str, int]]:
    """(imported module, line) for every import in a file, lazy ones included."""
    found: list[tuple[str, int]] = []
    tree = ast.parse(path.read_text("utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, node.lineno))
            # `from leadlink.clean import normalize` imports the subpackage too
            found += [(f"{node.module}.{alias.name}", node.lineno) for alias in node.names
                      if (SRC.parent / node.module.replace(".", "/") / alias.name).is_dir()]  # fmt: skip
    return found


def scan() -> tuple[dict[tuple[str, str], set[str]], list[str]]:
    """Stage-level edges (with the modules behind each) and the rule violations."""
    edges: dict[tuple[str, str], set[str]] = defaultdict(set)
    problems: list[str] = []
    for path in sorted(SRC.rglob("*.py")):
        source = module_name(path)
        source_top = top_of(source)
        source_layer = _LAYER_OF[source_top]
        where = path.relative_to(SRC.parent.parent)
        for target, line in imports(path):
            root = target.split(".")[0]
            # leadlink.spark runs the stages on Spark's executors, so it reads pyspark too
            if (root == "splink" and source_top != "match") or (
                root == "pyspark" and source_top not in ("match", "spark")
            ):
                problems.append(f"{where}:{line}: imports {target} outside match/")
            if target.startswith("splink.internals") and source != "leadlink.match._splink":
                problems.append(
                    f"{where}:{line}: imports {target}; Splink internals belong in "
                    "leadlink.match._splink"
                )
            if root != "leadlink":
                continue
            if target == "leadlink" and source_top != "__main__":
                problems.append(f"{where}:{line}: imports the package root")
                continue
            target_top = top_of(target)
            if target_top == source_top:
                continue
            edges[(LAYERS[source_layer][0], LAYERS[_LAYER_OF[target_top]][0])].add(
                f"{source} → {target}"
            )
            if _LAYER_OF[target_top] > source_layer:
                problems.append(f"{where}:{line}: {source} imports the later {target}")
            private = [p for p in target.split(".")[2:] if p.startswith("_")]
            if private and target_top in ("clean", "match", "merge", "identify"):
                problems.append(
                    f"{where}:{line}: {source} imports {target}, private to {target_top}/; "
                    f"import from leadlink.{target_top}"
                )
    return edges, problems


def render(edges: dict[tuple[str, str], set[str]]) -> str:
    lines = [
        "# Architecture: the import graph",
        "",
        "Generated by `python docs/import_graph.py --output docs/architecture.md` from the",
        "source (a test checks it is current). Layers in flow order; an arrow is an import.",
        "No module imports a later layer, another stage's private modules or the package",
        "root, and Splink is imported only in `match/`.",
        "",
        "| layer | modules |",
        "|---|---|",
    ]
    for name, tops in LAYERS:
        modules = sorted(
            module_name(p) for p in SRC.rglob("*.py") if top_of(module_name(p)) in tops
        )
        lines.append(f"| {name} | {', '.join(f'`{m}`' for m in modules)} |")
    lines += ["", "```mermaid", "flowchart TD"]
    for (source, target), behind in sorted(edges.items()):
        if source != target:
            lines.append(f"    {source} -->|{len(behind)}| {target}")
    lines += ["```", "", "| from | to | imports |", "|---|---|---|"]
    for (source, target), behind in sorted(edges.items()):
        if source != target:
            shown = "<br>".join(sorted(behind))
            lines.append(f"| {source} | {target} | {shown} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only check the rules")
    parser.add_argument("--output", help="write the Markdown drawing here (default: stdout)")
    args = parser.parse_args()
    edges, problems = scan()
    for problem in problems:
        print(problem, file=sys.stderr)
    if not args.check:
        text = render(edges)
        if args.output:
            Path(args.output).write_text(text, "utf-8")
        else:
            print(text, end="")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
