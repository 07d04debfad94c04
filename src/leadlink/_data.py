"""Tables of knowledge shipped with the package as data files, read once.

Word lists and mappings (legal forms, cities, titles, mail providers, header spellings ...)
live in ``data/`` folders beside the modules that use them, not in Python literals, so
that each can say where it came from (python-stdnum keeps ``stdnum/cn/loc.dat`` this way).
The file ``<package>/data/<name>`` is read with :mod:`importlib.resources`, so it works from
a wheel or a zip as well as from a source tree.

File format (UTF-8):

* one entry per line; a ``.tsv`` line is a row of cells separated by tabs;
* lines that start with ``#`` are comments, and empty lines are skipped; every file opens
  with a comment block that names its source, its licence or origin, and what each column
  means;
* only the line ending (``\\n`` or ``\\r\\n``) is removed: any other whitespace belongs to
  the entry (``hong kong``, ``chief executive officer``), so an entry cannot begin with
  ``#`` and a file must not leave stray spaces at the ends of its lines.

Each file is read once per process (:func:`functools.cache`); the results are immutable
(``frozenset``, ``tuple``) except :func:`mapping`, which returns a new ``dict`` each call.

>>> ordered("leadlink.clean.normalize", "provinces.txt")[:3]
('北京', '天津', '上海')
>>> mapping("leadlink.clean.normalize", "cities_latin.tsv")["peking"]
'北京'
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

__all__ = ["mapping", "ordered", "table", "words"]


@cache
def _entries(package: str, name: str) -> tuple[str, ...]:
    text = (files(package) / "data" / name).read_text(encoding="utf-8")
    lines = (line.removesuffix("\r") for line in text.split("\n"))
    return tuple(line for line in lines if line and not line.startswith("#"))


@cache
def ordered(package: str, name: str) -> tuple[str, ...]:
    """The entries of a word list in file order (for tables whose order decides which
    entry wins, such as the first matching province).

    Args:
        package: the dotted name of the package whose ``data/`` folder holds the file,
            e.g. ``"leadlink.clean.normalize"``.
        name: the file name, e.g. ``"provinces.txt"``.
    """
    return _entries(package, name)


@cache
def words(package: str, name: str) -> frozenset[str]:
    """The entries of a word list as a set (for membership tests); see :func:`ordered`."""
    return frozenset(_entries(package, name))


@cache
def table(package: str, name: str) -> tuple[tuple[str, ...], ...]:
    """The rows of a tab-separated table in file order, each a tuple of its cells.

    Raises:
        ValueError: a row has another number of cells than the first (a stray or a
            missing tab), naming the file and the row.
    """
    rows = tuple(tuple(entry.split("\t")) for entry in _entries(package, name))
    for number, row in enumerate(rows, start=1):
        if len(row) != len(rows[0]):
            raise ValueError(
                f"{package}/data/{name}: data row {number} has {len(row)} tab-separated "
                f"cells, the first row has {len(rows[0])}: {row!r}"
            )
    return rows


def mapping(package: str, name: str) -> dict[str, str]:
    """A two-column table as ``{first cell: second cell}``, in file order (a new dict
    each call, so a caller may keep and change its own).

    Raises:
        ValueError: the table has not two columns, or a key appears twice (which of the
            two values was meant cannot be told).
    """
    rows = table(package, name)
    if rows and len(rows[0]) != 2:
        raise ValueError(f"{package}/data/{name}: a mapping needs 2 columns, not {len(rows[0])}")
    result: dict[str, str] = {}
    for key, value in rows:
        if key in result:
            raise ValueError(f"{package}/data/{name}: key {key!r} is listed twice")
        result[key] = value
    return result
