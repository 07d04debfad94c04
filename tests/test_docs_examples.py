"""Every ```python example in README.md and docs/*.md runs as written.

A page's examples run in order in one namespace, as a reader would paste them one after the
other, in an empty temporary folder (files an example writes stay there). An example that
cannot run by nature — it needs a Spark cluster, say — is marked in the page with a comment
on the line before it, ``<!-- example: not run (the reason) -->``, and skipped; the marks
are counted here so that they stay rare. The API reference (docs/reference/) is generated
from docstrings, whose examples run as doctests.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```python\s*$")
NOT_RUN = re.compile(r"^<!--\s*example:\s*not run\s*\((?P<reason>[^)]+)\)\s*-->$")

#: Pages whose examples take over ten seconds (they train models: on the bundled sample, or
#: several on smaller generated sets).
SLOW = {"README.md", "quickstart.md", "model.md"}


def examples(page: Path) -> list[tuple[int, str, str | None]]:
    """(first line, code, reason it is not run or None) of each ```python block."""
    lines = page.read_text("utf-8").splitlines()
    found = []
    for number, line in enumerate(lines):
        if not FENCE.match(line):
            continue
        end = next(i for i in range(number + 1, len(lines)) if lines[i].startswith("```"))
        before = next((lines[i] for i in range(number - 1, -1, -1) if lines[i].strip()), "")
        mark = NOT_RUN.match(before.strip())
        found.append((number + 2, "\n".join(lines[number + 1 : end]), mark and mark["reason"]))
    return found


def _pages() -> list:
    return [
        pytest.param(page, id=page.name, marks=[pytest.mark.slow] if page.name in SLOW else [])
        for page in PAGES
        if examples(page)
    ]


@pytest.mark.parametrize("page", _pages())
def test_the_examples_of_a_page_run_in_order(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "__main__"}
    name = page.relative_to(ROOT).as_posix()
    with warnings.catch_warnings(record=True) as caught:
        # Warnings show as they would to a reader; below, only leadlink's own may appear.
        warnings.simplefilter("always")
        for line, code, not_run in examples(page):
            if not_run:
                continue
            # Padded so that a traceback names the line of the page.
            exec(compile("\n" * (line - 1) + code, name, "exec"), namespace)
    unexpected = [w for w in caught if not issubclass(w.category, UserWarning)]
    assert not unexpected, [str(w.message) for w in unexpected]


def test_marks_are_rare_and_give_a_reason():
    marked = {
        f"{page.name}:{line}": reason
        for page in PAGES
        for line, _, reason in examples(page)
        if reason is not None
    }
    assert all(reason.strip() for reason in marked.values())
    assert len(marked) <= 6, marked
    for page in PAGES:
        text = page.read_text("utf-8")
        # A mark must sit right above a python block, or it marks nothing.
        assert text.count("<!-- example:") == sum(
            reason is not None for _, _, reason in examples(page)
        ), page.name
