"""Fuzzing file reading: every file is read right or refused, never shifted or dropped.

Lead tables with Chinese and Latin text, delimiters, quotes and line breaks inside cells,
empty cells and ids of several types are written as CSV (any of four delimiters, trailing
separators, three quoting styles, UTF-8, UTF-8 with a BOM or GB18030, LF or CRLF) and as
Parquet, then read back with :func:`leadlink.read_leads`:

* a well-formed file gives the same rows, the same columns (headers without their
  surrounding spaces) and every cell's text exactly (an empty cell is missing);
* a damaged file gives that or an :class:`~leadlink.errors.InputError`, never a frame whose
  columns are not the header's;
* ``leadlink check`` on any of them exits 0 or 2 (a clear message), never 1 (a traceback).
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
import re
import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from leadlink.cli import main
from leadlink.errors import InputError
from leadlink.io import read_leads
from leadlink.schema import check_ids

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

DELIMITERS = [",", ";", "\t", "|"]
QUOTING = [csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC]
ENCODINGS = ["utf-8", "utf-8-sig", "gb18030"]

LATIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
HAN = "张伟李娜王芳刘洋陈静北京上海科技有限公司總經理張偉"
# Cell text: every character that makes CSV hard (delimiters, quotes, line breaks) besides
# letters, digits, Han characters and what phones and emails hold.
CELL_CHARS = LATIN + HAN + "0123456789 .-+@_'()" + ',;\t|"\n\r'

# A cell as the CSV writer (leadlink.io.write_table) escapes a formula: the reader takes
# the quote off again, so such text does not come back as written.
_ESCAPED = re.compile(r"'+[=+\-@\t\r]")


_BLANK = re.compile(r"[ \t]*")


def _header_key(name: str) -> str:
    return name.strip().casefold()


headers = st.lists(
    st.one_of(
        st.sampled_from(["lead_id", "name", "phone", "email", "company", "姓名", "手机", "城市"]),
        st.text(alphabet=LATIN + HAN + "_ ", min_size=1, max_size=8).filter(lambda h: h.strip()),
    ),
    min_size=1,
    max_size=6,
    unique_by=_header_key,
)
cells = st.one_of(
    st.just(""),
    st.text(alphabet=CELL_CHARS, max_size=12),
    st.sampled_from(["13800138000", "+86 138 0013 8000", "zw@example.com", "0", "007", " "]),
).filter(lambda text: not _ESCAPED.match(text))
ids = st.one_of(
    st.integers(-(10**12), 10**12).map(str),
    st.floats(allow_nan=False, allow_infinity=False, width=32).map(repr),
    st.text(alphabet=LATIN + HAN + "0123456789 ", min_size=1, max_size=8),
)


@st.composite
def tables(draw) -> tuple[list[str], list[list[str]]]:
    """A header row and data rows of text; the first column holds ids."""
    names = draw(headers)
    n_rows = draw(st.integers(0, 6))
    rows = [[draw(ids), *(draw(cells) for _ in names[1:])] for _ in range(n_rows)]
    return names, rows


@st.composite
def csv_files(draw) -> tuple[bytes, list[str], list[list[str]]]:
    """A CSV file as an export might write it, with the header and rows it holds."""
    names, rows = draw(tables())
    # A one-column header shows no delimiter: the reader takes a comma (documented).
    delimiter = draw(st.sampled_from(DELIMITERS)) if len(names) > 1 else ","
    quoting = draw(st.sampled_from(QUOTING))
    terminator = draw(st.sampled_from(["\n", "\r\n"]))
    trailing = draw(st.sampled_from(["none", "data rows", "every row", "some rows"]))
    spaced = [draw(st.sampled_from(["", " ", "  "])) + name for name in names]
    buffer = io.StringIO()
    # "\r\n" makes the writer quote a cell holding either character; it is cut off below.
    writer = csv.writer(buffer, delimiter=delimiter, quoting=quoting, lineterminator="\r\n")
    lines = []
    for number, row in enumerate([spaced, *rows]):
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(row)
        line = buffer.getvalue().removesuffix("\r\n")
        extra = (
            trailing == "every row"
            or (trailing == "data rows" and number > 0)
            or (trailing == "some rows" and number > 0 and draw(st.booleans()))
        )
        if extra:
            line += delimiter * draw(st.integers(1, 2))
        lines.append(line)
    text = terminator.join(lines) + draw(st.sampled_from(["", terminator]))
    # A line of nothing but spaces and tabs is skipped like a blank line (documented).
    rows = [row for row, line in zip(rows, lines[1:]) if not _BLANK.fullmatch(line)]
    encoding = draw(st.sampled_from(ENCODINGS))
    payload = text.encode(encoding)
    if encoding == "gb18030":
        # GB18030 bytes that also decode as UTF-8 are read as UTF-8: no reader can tell.
        with contextlib.suppress(UnicodeDecodeError):
            payload.decode("utf-8")
            assume(False)
    return payload, names, rows


def _write(payload: bytes, folder: str, name: str = "leads.csv") -> Path:
    path = Path(folder) / name
    path.write_bytes(payload)
    return path


def _same_cell(read: object, written: str) -> bool:
    if written == "":
        return read is None or (isinstance(read, float) and math.isnan(read))
    return read == written


def _assert_read_right(frame: pd.DataFrame, names: list[str], rows: list[list[str]]) -> None:
    assert frame.columns.tolist() == [name.strip() for name in names]
    assert len(frame) == len(rows)
    for i, row in enumerate(rows):
        for j, written in enumerate(row):
            assert _same_cell(frame.iat[i, j], written), (i, j, frame.iat[i, j], written)


@FUZZ
@given(csv_files())
def test_a_well_formed_csv_is_read_right(file):
    payload, names, rows = file
    with tempfile.TemporaryDirectory() as folder:
        frame = read_leads(_write(payload, folder))
    _assert_read_right(frame, names, rows)


@st.composite
def damaged_csv_files(draw) -> tuple[bytes, list[str], list[list[str]]]:
    """A well-formed file with a few bytes inserted, deleted or changed."""
    payload, names, rows = draw(csv_files())
    data = bytearray(payload)
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        byte = draw(st.sampled_from([*b',;\t|"\n\rx,;\t|"\n\rx', 0xFF]))  # 0xFF: rarely
        if action == "insert":
            data.insert(at, byte)
        elif at < len(data):
            if action == "delete":
                del data[at]
            else:
                data[at] = byte
    return bytes(data), names, rows


@FUZZ
@given(damaged_csv_files())
def test_a_damaged_csv_is_read_with_its_own_header_or_refused(file):
    payload, _, _ = file
    with tempfile.TemporaryDirectory() as folder:
        try:
            frame = read_leads(_write(payload, folder))
        except InputError:
            return
    # The columns are header cells: none made up (pandas' "Unnamed: 3"), renamed
    # ("phone.1") or empty, none twice.
    text = payload.decode("utf-8-sig", errors="replace")
    for column in frame.columns:
        assert isinstance(column, str) and column and column == column.strip()
        assert not re.fullmatch(r"Unnamed: \d+", column) or column in text
    assert len({column.casefold() for column in frame.columns}) == frame.shape[1]


@st.composite
def parquet_frames(draw) -> pd.DataFrame:
    names = draw(headers)
    n_rows = draw(st.integers(0, 6))
    kind = draw(st.sampled_from(["int", "float", "text"]))
    if kind == "int":
        id_values: list[object] = draw(
            st.lists(st.integers(-(10**9), 10**9), min_size=n_rows, max_size=n_rows)
        )
    elif kind == "float":
        id_values = [
            float(v)
            for v in draw(st.lists(st.integers(0, 10**6), min_size=n_rows, max_size=n_rows))
        ]
    else:
        id_values = draw(st.lists(ids, min_size=n_rows, max_size=n_rows))
    columns: dict[str, list[object]] = {names[0]: id_values}
    for name in names[1:]:
        columns[name] = [draw(cells) or None for _ in range(n_rows)]
    return pd.DataFrame(columns)


@FUZZ
@given(parquet_frames())
def test_parquet_is_read_as_written_and_ids_are_one_text(frame):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "leads.parquet"
        frame.to_parquet(path, index=False)
        read = read_leads(path)
    expected = frame.copy()
    expected.columns = [str(c).strip() for c in frame.columns]
    pd.testing.assert_frame_equal(read, expected, check_dtype=False, check_column_type=False)
    column = read.columns[0]
    try:
        texts = check_ids(read, column)
    except InputError:
        return  # duplicate or empty ids: refused
    for value, text in zip(read[column], texts):
        assert text == text.strip()
        if isinstance(value, float):
            assert text == (str(int(value)) if value.is_integer() else str(value))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(csv_files(), damaged_csv_files()))
def test_leadlink_check_exits_0_or_2_never_1(file):
    payload, names, _ = file
    stderr = io.StringIO()
    with tempfile.TemporaryDirectory() as folder:
        path = _write(payload, folder)
        argv = ["check", str(path), "--id-column", names[0].strip(), "--quiet"]
        with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
            code = main([*argv, "--output-dir", str(Path(folder) / "out")])
    assert code in (0, 2), stderr.getvalue()
    assert "Traceback" not in stderr.getvalue()
