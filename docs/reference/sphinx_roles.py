"""A Griffe extension: the Sphinx (reStructuredText) habits of leadlink's docstrings, in
Markdown for the API reference.

The docstrings name other objects the Sphinx way (``:func:`~leadlink.validate```,
``:class:`LeadModel```, ``:data:`DEFAULT_RULES```), show examples as doctest blocks and
a few tables as reStructuredText simple tables, which mkdocstrings would print as plain
text. This extension rewrites, before the docstrings are parsed:

* a role into the object's name in code type, linked to its entry in the reference when it
  has one (an optional cross-reference: a name that is not rendered, such as a private
  module, stays plain code instead of failing the strict build); ``~`` shows the last part
  of the path only, as in Sphinx;
* a doctest block (``>>>`` lines and their output, up to a blank line) into a code block;
* a simple table (between ``====  ====`` borders) into a preformatted block;
* a paragraph ending in ``::`` (a literal block follows) into one ending in ``:``.

The source docstrings stay as they are: the doctests still run in ``make test``.
Used from mkdocs.yml: ``extensions: [docs/reference/sphinx_roles.py:SphinxRoles]``.
"""

from __future__ import annotations

import html
import re
from functools import partial
from typing import Any

import griffe

ROLE = re.compile(r":(?:py:)?(?:func|class|meth|data|attr|mod|exc|obj|const):`(?P<target>[^`]+)`")
TABLE_BORDER = re.compile(r"^\s*=+(\s+=+)+\s*$")


class SphinxRoles(griffe.Extension):
    """Rewrites every docstring of the package once it is loaded."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        for obj in _objects(pkg):
            if obj.docstring is not None:
                text = ROLE.sub(partial(_link, obj), obj.docstring.value)
                obj.docstring.value = _blocks(text)


def _objects(obj: griffe.Object) -> list[griffe.Object]:
    """``obj`` and every object defined under it (aliases are rewritten where defined)."""
    found = [obj]
    for member in obj.members.values():
        if not member.is_alias:
            found += _objects(member)  # type: ignore[arg-type]
    return found


def _link(obj: griffe.Object, match: re.Match[str]) -> str:
    target = match["target"].strip()
    short = target.startswith("~")
    target = target.lstrip("~.")
    shown = target.rsplit(".", 1)[-1] if short else target
    first, _, rest = target.partition(".")
    try:
        identifier = obj.resolve(first) + (f".{rest}" if rest else "")
    except (griffe.NameResolutionError, KeyError):
        identifier = target
    return (
        f'<autoref identifier="{html.escape(identifier)}" optional>'
        f"<code>{html.escape(shown)}</code></autoref>"
    )


def _blocks(text: str) -> str:
    """Doctest blocks and simple tables fenced, ``::`` paragraphs ended with ``:``."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        indent = line[: len(line) - len(line.lstrip())]
        if line.lstrip().startswith(">>>"):
            end = i
            while end < len(lines) and lines[end].strip():
                end += 1
            out += [f"{indent}```pycon", *lines[i:end], f"{indent}```"]
            i = end
        elif TABLE_BORDER.match(line):
            # The table ends at the border followed by a blank line (or the end).
            end = i + 1
            while end < len(lines) and not (
                TABLE_BORDER.match(lines[end])
                and (end + 1 == len(lines) or not lines[end + 1].strip())
            ):
                end += 1
            end = min(end + 1, len(lines))
            out += [f"{indent}```text", *lines[i:end], f"{indent}```"]
            i = end
        else:
            out.append(line[:-1] if line.endswith("::") and line.strip() != "::" else line)
            i += 1
    return "\n".join(out)
