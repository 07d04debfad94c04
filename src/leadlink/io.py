"""Reading lead files (CSV or Parquet) with clear errors.

CSV exports from Chinese CRMs and Excel arrive as UTF-8, UTF-8 with a BOM, or GBK/GB18030,
with commas, semicolons or tabs. :func:`read_leads` tries the encodings in that order, sniffs
the delimiter, and reads every column as text so that ids and phone numbers keep their
leading zeros.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd

from leadlink.errors import InputError

__all__ = ["escape_cell", "read_leads", "unescape_cell", "write_table"]

_ENCODINGS = ("utf-8-sig", "gb18030")
_DELIMITERS = ",;\t|"


def read_leads(path: str | Path) -> pd.DataFrame:
    """Read a CSV, TSV or Parquet file of leads; every CSV column is read as text."""
    source = Path(path)
    if not source.exists():
        raise InputError(f"input file {str(source)!r} does not exist")
    if source.is_dir():
        raise InputError(f"{str(source)!r} is a folder; give a CSV or Parquet file")
    if source.stat().st_size == 0:
        raise InputError(f"input file {str(source)!r} is empty")
    if source.suffix.lower() in (".parquet", ".pq"):
        try:
            return pd.read_parquet(source)
        except Exception as error:  # pyarrow raises many types for damaged files
            raise InputError(
                f"cannot read {str(source)!r} as Parquet ({type(error).__name__}); "
                "check that the file is complete"
            ) from None
    raw = source.read_bytes()
    text = _decode(raw, source)
    delimiter = _sniff_delimiter(text)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skipinitialspace=False,
        )
    except pd.errors.EmptyDataError:
        raise InputError(f"input file {str(source)!r} has no header row") from None
    except pd.errors.ParserError as error:
        raise InputError(
            f"cannot parse {str(source)!r} as CSV ({str(error).splitlines()[0]}); "
            "check the delimiter and quoting"
        ) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return _unescaped(frame)


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` as CSV (UTF-8 with BOM, which Excel opens correctly) or Parquet.

    A CSV cell or header that a spreadsheet would run as a formula is written with a
    leading single quote (:func:`escape_cell`); :func:`read_leads` takes it off again, so
    the values round-trip. Parquet keeps every value as it is.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.suffix.lower() in (".parquet", ".pq"):
        frame.to_parquet(target, index=False)
    else:
        # CRLF rows (RFC 4180): Python's csv module quotes a cell holding a line break only
        # when the break is part of the line terminator, and a bare "\r" split rows.
        _escaped(frame).to_csv(target, index=False, encoding="utf-8-sig", lineterminator="\r\n")
    return target


#: First characters that make Excel, LibreOffice or Google Sheets read a cell as a formula
#: (OWASP, "CSV Injection"): ``=HYPERLINK(...)``, ``@SUM(...)``, ``-2+3+cmd|' /C calc'!A0``.
_FORMULA_STARTS = "=+-@\t\r"
# A number or phone number ("+8613800138000", "-12.5", "+86 (10) 8888-6666"): no letter, no
# "|" or "!", so no function, cell reference or DDE call, only arithmetic on literals.
_PLAIN_NUMBER = re.compile(r"[+-]?\d[\d ().-]*")
# A cell as escape_cell writes it: one or more quotes, then a formula start.
_ESCAPED = re.compile(r"'+[=+\-@\t\r]")
_CHECK_FIRST = frozenset(_FORMULA_STARTS + "'")


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


def _escaped(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell and header passed through :func:`escape_cell`;
    numbers, booleans and times are typed values, never formulas."""
    escaped = frame.copy(deep=False)  # isetitem below replaces columns, never edits them
    escaped.columns = [escape_cell(c) if isinstance(c, str) else c for c in frame.columns]
    for position in range(escaped.shape[1]):
        column = escaped.iloc[:, position]
        if column.dtype.kind in "biufcmM":
            continue
        cells = column.tolist()
        if any(isinstance(cell, str) and cell[:1] in _CHECK_FIRST for cell in cells):
            safe = [escape_cell(cell) if isinstance(cell, str) else cell for cell in cells]
            escaped.isetitem(position, pd.Series(safe, index=column.index, dtype=object))
    return escaped


def _unescaped(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` read from a CSV with the escapes of :func:`write_table` taken off."""
    frame.columns = [unescape_cell(c) if isinstance(c, str) else c for c in frame.columns]
    for position in range(frame.shape[1]):
        cells = frame.iloc[:, position].tolist()
        if any(isinstance(cell, str) and cell[:1] == "'" for cell in cells):
            plain = [unescape_cell(cell) if isinstance(cell, str) else cell for cell in cells]
            frame.isetitem(position, pd.Series(plain, index=frame.index, dtype=object))
    return frame


def _decode(raw: bytes, source: Path) -> str:
    for encoding in _ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(
        f"cannot decode {str(source)!r} as UTF-8 or GB18030; save it as UTF-8 and try again"
    )


def _sniff_delimiter(text: str) -> str:
    """The delimiter used most in the header row (comma when none is)."""
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","
