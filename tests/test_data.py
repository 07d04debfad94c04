"""The data-file loader (leadlink._data) and the data files shipped with the package."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

import leadlink
from leadlink import _data

_COUNTER = itertools.count()


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Path]]:
    """A throw-away importable package with an empty ``data/`` folder (a new name per
    test, as the loader caches by package and file name)."""
    name = f"leadlink_data_test_{next(_COUNTER)}"
    (tmp_path / name / "data").mkdir(parents=True)
    (tmp_path / name / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name, tmp_path / name / "data"


def _write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_bytes(text.encode("utf-8"))


def test_comments_and_empty_lines_are_skipped_and_other_whitespace_is_kept(package):
    name, folder = package
    _write(folder, "x.txt", "# header\n# Source: a test\n\nhong kong\n x \n#later comment\nb\n")
    assert _data.ordered(name, "x.txt") == ("hong kong", " x ", "b")
    assert _data.words(name, "x.txt") == frozenset({"hong kong", " x ", "b"})


def test_windows_line_endings_are_line_endings(package):
    name, folder = package
    _write(folder, "x.tsv", "# header\r\na\t1\r\nb\t2\r\n")
    assert _data.table(name, "x.tsv") == (("a", "1"), ("b", "2"))


def test_ordered_keeps_file_order_and_repeats(package):
    name, folder = package
    _write(folder, "x.txt", "# h\nb\na\nb\n")
    assert _data.ordered(name, "x.txt") == ("b", "a", "b")
    assert _data.words(name, "x.txt") == frozenset({"a", "b"})


def test_reads_are_cached(package):
    name, folder = package
    _write(folder, "x.txt", "# h\na\n")
    first = _data.words(name, "x.txt")
    _write(folder, "x.txt", "# h\nchanged\n")
    assert _data.words(name, "x.txt") is first


def test_table_rows_are_tuples_of_cells(package):
    name, folder = package
    _write(folder, "x.tsv", "# concept\tscript\tterm\nceo\tlatin\tchief executive officer\n")
    assert _data.table(name, "x.tsv") == (("ceo", "latin", "chief executive officer"),)


def test_a_ragged_table_names_the_file_and_row(package):
    name, folder = package
    _write(folder, "x.tsv", "# h\na\t1\nb 2\n")
    with pytest.raises(ValueError, match=r"x\.tsv: data row 2 has 1"):
        _data.table(name, "x.tsv")


def test_mapping_in_file_order_and_a_new_dict_each_call(package):
    name, folder = package
    _write(folder, "x.tsv", "# h\npeking\t北京\nbeijing\t北京\n")
    first = _data.mapping(name, "x.tsv")
    assert list(first.items()) == [("peking", "北京"), ("beijing", "北京")]
    first["x"] = "y"
    assert "x" not in _data.mapping(name, "x.tsv")


@pytest.mark.parametrize(
    ("text", "message"),
    [("# h\na\t1\na\t2\n", "'a' is listed twice"), ("# h\na\t1\t2\n", "needs 2 columns")],
)
def test_mapping_refuses_repeated_keys_and_other_widths(package, text, message):
    name, folder = package
    _write(folder, "x.tsv", text)
    with pytest.raises(ValueError, match=message):
        _data.mapping(name, "x.tsv")


def test_an_empty_file_is_an_empty_table(package):
    name, folder = package
    _write(folder, "x.tsv", "# only a header\n")
    assert _data.table(name, "x.tsv") == ()
    assert _data.mapping(name, "x.tsv") == {}


def test_a_missing_file_raises(package):
    name, _ = package
    with pytest.raises(FileNotFoundError):
        _data.words(name, "nope.txt")


# ---------------------------------------------------------------- the shipped data files

_ROOT = Path(leadlink.__file__).parent
_SHIPPED = sorted(
    path
    for folder in _ROOT.rglob("data")
    if folder.is_dir() and folder.parent.name != "datasets"  # (the sample leads CSV)
    for path in folder.iterdir()
    if path.suffix in (".txt", ".tsv")
)


def _package(path: Path) -> str:
    return ".".join(path.parent.parent.relative_to(_ROOT.parent).parts)


def test_data_files_are_found():
    assert len(_SHIPPED) >= 1


@pytest.mark.parametrize("path", _SHIPPED, ids=lambda path: str(path.relative_to(_ROOT)))
def test_each_data_file_opens_with_its_source_and_format(path: Path):
    header = list(
        itertools.takewhile(lambda line: line.startswith("#"), path.read_text("utf-8").split("\n"))
    )
    assert header, "a data file opens with a comment block"
    text = "\n".join(header)
    assert "Source:" in text
    assert "Format:" in text


@pytest.mark.parametrize("path", _SHIPPED, ids=lambda path: str(path.relative_to(_ROOT)))
def test_each_data_file_reads_cleanly(path: Path):
    package = _package(path)
    rows = _data.table(package, path.name) if path.suffix == ".tsv" else None
    entries = _data.ordered(package, path.name)
    assert entries, "no entries"
    assert "\r" not in path.read_text("utf-8"), "Unix line endings"
    cells = [cell for row in rows for cell in row] if rows is not None else list(entries)
    stray = [cell for cell in cells if cell != cell.strip() or not cell]
    assert not stray, f"cells with spaces at their ends, or empty: {stray}"
    if rows is None:
        repeated = sorted({entry for entry in entries if entries.count(entry) > 1})
        assert not repeated, f"entries listed twice: {repeated}"
