"""CSV text as leadlink writes and reads it back: cells a spreadsheet would run as a
formula escaped with a leading quote (and unescaped on reading), and rows written by
DuckDB in the text pandas writes (see :func:`leadlink.io.write_table`).

Inside :func:`writes_behind`, the files are written by a thread of their own while the
caller builds the next table (see there)."""

from __future__ import annotations

import csv
import io
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

__all__ = [
    "escape_cell",
    "escaped_arrays",
    "escaped_frame",
    "escaped_text",
    "run_behind",
    "unescape_cell",
    "unescaped_frame",
    "write_csv",
    "write_text_csv",
    "writes_behind",
]


class _Behind:
    """One thread that writes a file while the caller builds the next table; one file at
    a time, so that no more than one table waits in memory to be written."""

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="leadlink-write")
        self._running: Future[None] | None = None

    def submit(self, job: Callable[[], None]) -> None:
        self.wait()
        self._running = self._executor.submit(job)

    def wait(self) -> None:
        """Wait for the file being written; its error, if it failed, is raised here."""
        running, self._running = self._running, None
        if running is not None:
            running.result()

    def close(self) -> None:
        self._executor.shutdown(wait=True)


_state = threading.local()


@contextmanager
def writes_behind() -> Iterator[None]:
    """Write the files of :func:`write_csv`, :func:`write_text_csv` and :func:`run_behind`
    in a thread beside the caller while the ``with`` block lasts; every file is written
    when it ends, and an error of a file (a full disk) is raised by the next file or there.

    The work done behind releases the interpreter's lock (DuckDB's CSV writer, Arrow's
    Parquet encoder, copying files), so on two or more cores a file is written while the
    next one's table is made in Python. One file at a time is written behind, so at most
    one finished table waits.
    """
    writer = _Behind()
    outer = getattr(_state, "behind", None)
    _state.behind = writer
    try:
        yield
        writer.wait()
    finally:
        _state.behind = outer
        writer.close()  # after an error: wait for the file being written, drop its error


def run_behind(job: Callable[[], None]) -> None:
    """Run ``job`` (writing a file) behind the caller inside :func:`writes_behind`, at once
    outside it."""
    writer = getattr(_state, "behind", None)
    if writer is None:
        job()
    else:
        writer.submit(job)


def _behind() -> bool:
    return getattr(_state, "behind", None) is not None


def write_csv(frame: pd.DataFrame, target: Path, *, texts: dict[int, object] | None = None) -> None:
    """``frame`` (escaped) as CSV: UTF-8 with BOM, CRLF rows (RFC 4180; Python's csv module
    quotes a cell holding a line break only when the break is part of the line terminator,
    and a bare "\\r" split rows), a cell quoted only when it holds a comma, a quote or a line
    break, and no value written as nothing.

    DuckDB writes the rows, on every core: a million golden records take seconds where
    pandas' writer takes most of a minute. The text is the one pandas writes, byte for byte
    (numbers as ``str`` writes them, True/False, times as pandas writes them, empty cells
    for none); a frame with a column whose text DuckDB would write otherwise (categories,
    mixed or nested cells, times with fractions of a second) is written by pandas. DuckDB
    reads the rows as an Arrow table, without the interpreter's lock; ``texts`` holds, by
    position, text columns already made Arrow arrays (by :func:`escaped_arrays`).
    """
    plain = _duckdb_columns(frame, texts or {})
    if plain is None:
        frame.to_csv(target, index=False, encoding="utf-8-sig", lineterminator="\r\n")
        return
    header = [str(c) for c in frame.columns]
    threads = 1 if _behind() else None
    run_behind(lambda: _write_rows(header, plain, target, threads=threads))


def write_text_csv(header: list[str], columns: list[object], target: Path) -> None:
    """Columns of text already escaped, as Arrow arrays (of :func:`escaped_text`), as CSV:
    the text :func:`write_csv` writes for a frame of these columns (two or more), without
    making the frame. ``header`` is written as it is."""
    plain: list[tuple[object, str | None]] = [(values, "text") for values in columns]
    threads = 1 if _behind() else None
    run_behind(lambda: _write_rows(header, plain, target, threads=threads))


def _write_rows(
    header: list[str],
    plain: list[tuple[object, str | None]],
    target: Path,
    *,
    threads: int | None = None,
) -> None:
    """The CSV of :func:`write_csv`: ``header`` by Python's csv module, the rows by
    DuckDB from the columns of :func:`_duckdb_columns`, on ``threads`` of its own (None:
    DuckDB's default, every core). Behind the caller, one thread: the caller's thread
    keeps a core busy, and DuckDB on one thread holds no rows back to put them in order
    (on two, writing a million golden records beside the making of lineage raised the
    peak by 0.44 GB)."""
    import duckdb
    import pyarrow as pa

    head = io.StringIO()
    csv.writer(head, lineterminator="\r\n").writerow(header)
    body = target.with_name(target.name + ".rows")
    selected = []
    for i, (_, how) in enumerate(plain):
        # A string of '' would be written "" (DuckDB's mark of an empty text, not a missing
        # one); pandas writes nothing, and so does NULL.
        selected.append(
            f"NULLIF(c{i}, '')" if how == "text" else f"strftime(c{i}, '{how}')" if how else f"c{i}"
        )
    rows = pa.table({f"c{i}": values for i, (values, _) in enumerate(plain)})
    connection = duckdb.connect()
    try:
        # DuckDB draws a progress bar on the terminal for a file that takes seconds
        connection.execute("SET enable_progress_bar = false")
        if threads is not None:
            connection.execute(f"SET threads = {int(threads)}")
        connection.register("leadlink_rows", rows)
        connection.execute(
            f"COPY (SELECT {', '.join(selected)} FROM leadlink_rows) TO '{_sql_text(body)}' "
            "(FORMAT csv, HEADER false, NEW_LINE '\r\n')"
        )
    finally:
        connection.close()
    try:
        with target.open("wb") as out, body.open("rb") as rows_file:
            out.write(head.getvalue().encode("utf-8-sig"))
            shutil.copyfileobj(rows_file, out, 1 << 20)
    finally:
        body.unlink(missing_ok=True)


#: How pandas writes a column of times without a zone, as strftime formats: dates alone
#: when every time is midnight, else to the second when none has a fraction of one.
_DATES, _SECONDS = "%Y-%m-%d", "%Y-%m-%d %H:%M:%S"
_NS_PER_SECOND, _NS_PER_DAY = 1_000_000_000, 86_400_000_000_000


def _duckdb_columns(
    frame: pd.DataFrame, texts: dict[int, object]
) -> list[tuple[object, str | None]] | None:
    """The columns of ``frame`` as Arrow arrays DuckDB should read to write pandas' CSV
    text, each with how to write it (``"text"``, a strftime format for times, None as it
    is): text (str or none) as it is, integers as they are, floats and booleans as the
    text pandas writes (``str``; empty for NaN), times without a zone in whole seconds
    formatted by DuckDB as pandas formats them; None when a column is of another kind."""
    import pyarrow as pa

    if frame.shape[1] < 2:
        return None  # a row of one empty cell is written "" by pandas, nothing by DuckDB
    columns: list[tuple[object, str | None]] = []
    for position in range(frame.shape[1]):
        column = frame.iloc[:, position]
        kind = column.dtype.kind
        if kind == "M" and isinstance(column.dtype, np.dtype):
            values = column.to_numpy(dtype="datetime64[ns]")
            missing = np.isnat(values)
            stamps = values.view(np.int64)[~missing]
            if (stamps % _NS_PER_SECOND != 0).any():
                text = _pandas_times(column)
                columns.append((pa.array(text, type=pa.large_string()), "text"))
                continue
            layout = _DATES if not (stamps % _NS_PER_DAY != 0).any() else _SECONDS
            columns.append((pa.array(values, mask=missing), layout))
            continue
        if kind == "M" or isinstance(column.dtype, pd.DatetimeTZDtype):
            text = _pandas_times(column)
            columns.append((pa.array(text, type=pa.large_string()), "text"))
            continue
        if not isinstance(column.dtype, np.dtype):
            return None  # categories, nullable integers
        if kind in "iu":
            columns.append((pa.array(column.to_numpy()), None))
        elif kind in "fb":
            values = column.to_numpy()
            missing = np.isnan(values) if kind == "f" else None
            columns.append((pa.array(values.astype(str), mask=missing), "text"))
        elif kind == "O" and infer_dtype(column, skipna=True) in ("string", "empty"):
            held = texts.get(position)
            if held is None:
                held = pa.array(
                    column.to_numpy(dtype=object), type=pa.large_string(), from_pandas=True
                )
            columns.append((held, "text"))
        else:
            return None
    return columns


def _pandas_times(column: pd.Series) -> np.ndarray:
    """pandas' own text of a column of times (no comma or quote, so one column split by
    lines is the text of each cell), None where there is no time."""
    lines = column.to_csv(index=False, header=False, lineterminator="\n").split("\n")
    text = np.asarray(lines[:-1], dtype=object)
    text[column.isna().to_numpy()] = None
    return text


def _sql_text(path: Path) -> str:
    """``path`` as a SQL string literal's content."""
    return str(path).replace("'", "''")


#: First characters that make Excel, LibreOffice or Google Sheets read a cell as a formula
#: (OWASP, "CSV Injection"): ``=HYPERLINK(...)``, ``@SUM(...)``, ``-2+3+cmd|' /C calc'!A0``.
_FORMULA_STARTS = "=+-@\t\r"
# A number or phone number ("+8613800138000", "-12.5", "+86 (10) 8888-6666"): no letter, no
# "|" or "!", so no function, cell reference or DDE call, only arithmetic on literals.
_PLAIN_NUMBER = re.compile(r"[+-]?\d[\d ().-]*")
# A cell as escape_cell writes it: one or more quotes, then a formula start.
_ESCAPED = re.compile(r"'+[=+\-@\t\r]")
_CHECK_FIRST = frozenset(_FORMULA_STARTS + "'")
# Where an escaped cell's text can be: a quote, then a formula start.
_ESCAPE_IN_TEXT = re.compile(r"'[=+\-@\t\r]")


def escape_cell(value: str) -> str:
    """``value`` as it is safe to write in a CSV cell that a spreadsheet opens.

    A value starting with ``= + - @``, a tab or a carriage return gets a leading ``'`` unless
    it is a plain number or phone number; a value that already looks escaped (``'=...``)
    gets one more, so that :func:`unescape_cell` gives every value back exactly.

    >>> escape_cell("=SUM(A1)"), escape_cell("@A1"), escape_cell("+8613800138000")
    ("'=SUM(A1)", "'@A1", '+8613800138000')
    """
    if value and value[0] in _FORMULA_STARTS and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    if value[:1] == "'" and _ESCAPED.match(value):
        return "'" + value
    return value


def unescape_cell(value: str) -> str:
    """The value :func:`escape_cell` escaped: ``'=SUM(A1)`` -> ``=SUM(A1)``.

    >>> unescape_cell("'=SUM(A1)"), unescape_cell("'' quoted"), unescape_cell("'+86")
    ('=SUM(A1)', "'' quoted", '+86')
    """
    return value[1:] if _ESCAPED.match(value) else value


def escaped_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell and header passed through :func:`escape_cell`;
    numbers, booleans and times are typed values, never formulas."""
    return escaped_arrays(frame)[0]


def escaped_arrays(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[int, object]]:
    """:func:`escaped_frame`, and its text columns as Arrow arrays of the escaped text (by
    position; :func:`write_csv` hands them to DuckDB as they are, so that a million texts
    are converted once)."""
    escaped = frame.copy(deep=False)  # isetitem below replaces columns, never edits them
    escaped.columns = [escape_cell(c) if isinstance(c, str) else c for c in frame.columns]
    texts: dict[int, object] = {}
    for position in range(escaped.shape[1]):
        column = escaped.iloc[:, position]
        if column.dtype.kind in "biufcmM":
            continue
        safe, text = _escaped_column(column.to_numpy(dtype=object), column)
        if safe is not None:
            escaped.isetitem(position, pd.Series(safe, index=column.index, dtype=object))
        if text is not None:
            texts[position] = text
    return escaped, texts


def escaped_text(values: np.ndarray) -> object | None:
    """``values`` (an object array) through :func:`escape_cell` as an Arrow array of text,
    as :func:`write_csv` hands a column of them to DuckDB; None when they are not all text
    (or none): such a column is written otherwise."""
    if infer_dtype(values, skipna=True) not in ("string", "empty"):
        return None
    return _escaped_column(values)[1]


def _escaped_column(
    values: np.ndarray, column: pd.Series | None = None
) -> tuple[np.ndarray | None, object]:
    """The cells ``values`` of a column (``column``, when there is one) through
    :func:`escape_cell`, or None when none changes; and the escaped column as an Arrow
    array of text, when it is text (or none).

    A column of text (or none) is searched by Arrow for cells that start as a formula or a
    quote and are not a number written in ASCII digits (phone numbers: a phone column
    starts every cell with "+"), and only those are looked at, each distinct text once;
    other columns are looked at cell by cell."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        text = pa.array(values, type=pa.large_string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return _escaped_cells(pd.Series(values, dtype=object) if column is None else column), None
    starts = pc.match_substring_regex(text, "^[=+\\-@\\t\\r']").fill_null(False)
    hit = np.flatnonzero(starts.to_numpy(zero_copy_only=False))
    if len(hit):  # what _PLAIN_NUMBER matches in ASCII digits: escape_cell keeps it as it is
        number = pc.match_substring_regex(text.take(hit), "^[+-]?[0-9][0-9 ().-]*$")
        hit = hit[~number.to_numpy(zero_copy_only=False)]
    if not len(hit):
        return None, text
    seen: dict[str, str] = {}
    safe = [seen.get(v) or seen.setdefault(v, escape_cell(v)) for v in values[hit].tolist()]
    changed = np.fromiter((a != b for a, b in zip(safe, values[hit])), bool, len(hit))
    if not changed.any():
        return None, text
    cells = values.copy()
    cells[hit[changed]] = np.asarray(safe, dtype=object)[changed]
    mask = np.zeros(len(values), dtype=bool)
    mask[hit[changed]] = True
    replaced = pa.array(
        [cell for cell, change in zip(safe, changed.tolist()) if change], type=pa.large_string()
    )
    return cells, pc.replace_with_mask(text, pa.array(mask), replaced)


def _escaped_cells(column: pd.Series) -> np.ndarray | None:
    """:func:`_escaped_column` of a column holding more than text: numbers, lists."""
    try:
        codes, uniques = pd.factorize(column, use_na_sentinel=True)
    except TypeError:  # unhashable cells (lists of lead ids): cell by cell
        cells = column.tolist()
        if not any(isinstance(cell, str) and cell[:1] in _CHECK_FIRST for cell in cells):
            return None
        return np.array(
            [escape_cell(cell) if isinstance(cell, str) else cell for cell in cells], dtype=object
        )
    distinct = list(uniques)
    safe = [escape_cell(v) if isinstance(v, str) and v[:1] in _CHECK_FIRST else v for v in distinct]
    changed = np.fromiter((a is not b for a, b in zip(safe, distinct)), bool, len(distinct))
    if not changed.any():
        return None
    cells = column.to_numpy(dtype=object).copy()
    hit = np.flatnonzero(codes >= 0)
    hit = hit[changed[codes[hit]]]
    table = np.empty(len(safe), dtype=object)
    for i, value in enumerate(safe):  # element by element: a tuple stays one cell
        table[i] = value
    cells[hit] = table[codes[hit]]
    return cells


def unescaped_frame(frame: pd.DataFrame, *, text: str | None = None) -> pd.DataFrame:
    """``frame`` read from a CSV with the escapes of :func:`write_table` taken off;
    ``text``: the CSV text it was read from, when at hand. A text holding no quote followed
    by a formula start holds no escaped cell (a cell's characters are in the text as they
    are, but for doubled double quotes), so its cells are not looked at: one search of the
    text instead of a look at every cell, 0.06 s against 0.8 s for a million leads."""
    frame.columns = [unescape_cell(c) if isinstance(c, str) else c for c in frame.columns]
    if text is not None and _ESCAPE_IN_TEXT.search(text) is None:
        return frame
    for position in range(frame.shape[1]):
        cells = frame.iloc[:, position].tolist()
        if any(isinstance(cell, str) and cell[:1] == "'" for cell in cells):
            plain = [unescape_cell(cell) if isinstance(cell, str) else cell for cell in cells]
            frame.isetitem(position, pd.Series(plain, index=frame.index, dtype=object))
    return frame
