"""Reading lead files (CSV or Parquet) with clear errors.

CSV exports from Chinese CRMs and Excel arrive as UTF-8, UTF-8 with a BOM, or GBK/GB18030,
with commas, semicolons, tabs or bars. :func:`read_leads` tries the encodings in that order,
sniffs the delimiter, and reads every column as text so that ids and phone numbers keep their
leading zeros. A file is read right or refused with an :class:`~leadlink.errors.InputError`:
never a column shifted, merged or dropped without a word.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from leadlink._i18n import say
from leadlink.errors import InputError
from leadlink.schema import describe_columns, looks_contact

__all__ = ["escape_cell", "read_leads", "unescape_cell", "write_table"]

_ENCODINGS = ("utf-8-sig", "gb18030")
_DELIMITERS = ",;\t|"


def read_leads(path: str | Path) -> pd.DataFrame:
    """Read a CSV, TSV or Parquet file of leads; every CSV column is read as text.

    The first row of a CSV file is its header; header names lose their surrounding spaces.
    The delimiter is the one of ``, ; tab |`` that splits the header into the most columns
    (a comma when the header has one column).
    A data row with fewer fields than the header has missing values in the last columns;
    separators after the last column (``L1,张伟,138...,`` under ``lead_id,name,phone``, as
    many exports write them) are ignored when nothing follows them. Lines holding nothing
    but spaces and tabs are skipped like blank lines. Empty cells are missing values (NaN);
    every other cell keeps its text exactly, spaces included.

    Raises:
        InputError: the file cannot be read or would be read wrongly: a row with values
            beyond the header's columns, duplicate headers (``Phone`` and ``phone ``
            included), an empty header over a column with values, a first row that holds
            phones, emails or numbers instead of headers, a Parquet column of nested or
            binary values. Messages name rows and columns, never a cell's value.
    """
    source = Path(path)
    if not source.exists():
        raise InputError(
            say(
                f"input file {str(source)!r} does not exist",
                f"输入文件 {str(source)!r} 不存在",
            )
        )
    if source.is_dir():
        raise InputError(
            say(
                f"{str(source)!r} is a folder; give a CSV or Parquet file",
                f"{str(source)!r} 是文件夹；请给出 CSV 或 Parquet 文件",
            )
        )
    if source.stat().st_size == 0:
        raise InputError(
            say(f"input file {str(source)!r} is empty", f"输入文件 {str(source)!r} 是空的")
        )
    if source.suffix.lower() in (".parquet", ".pq"):
        return _read_parquet(source)
    raw = source.read_bytes()
    text = _decode(raw, source)
    delimiter = _sniff_delimiter(text)
    header = _header_row(text, delimiter, source)
    width = len(header)
    frame = _parse_csv(text, delimiter, width + 1, source)
    if frame is None:  # a row has two or more fields beyond the header: count the widest
        frame = _parse_csv(text, delimiter, _widest_row(text, delimiter, source), source)
        if frame is None:
            raise InputError(
                say(
                    f"cannot parse {str(source)!r} as CSV: the rows have different numbers "
                    "of fields; check the delimiter and quoting",
                    f"无法按 CSV 解析 {str(source)!r}：各行的字段数不一致；请检查分隔符和引号",
                )
            )
    if [None if pd.isna(cell) else cell for cell in frame.iloc[0, :width]] != [
        cell or None for cell in header
    ]:  # pandas and the csv module split the header differently: trust neither
        raise InputError(
            say(
                f"cannot parse {str(source)!r} as CSV: its quoting is ambiguous; save it "
                "again with standard quoting (a quote inside a quoted cell doubled)",
                f"无法按 CSV 解析 {str(source)!r}：引号用法有歧义；请按标准引号规则重新保存"
                "（带引号的单元格内的引号写两次）",
            )
        )
    frame = frame.iloc[1:].reset_index(drop=True)  # the first record is the header
    names = [cell.strip() for cell in header]
    while names and not names[-1] and frame[len(names) - 1].isna().all():
        names.pop()  # a separator after the last header: an empty column, not a column
    _check_headers(names, source)
    beyond = frame.iloc[:, len(names) :]
    if beyond.notna().to_numpy().any():
        row = int(beyond.notna().any(axis=1).to_numpy().argmax()) + 1
        raise InputError(
            say(
                f"row {row} of {str(source)!r} (counting the rows after the header) has more "
                f"values than the header has columns ({len(names)}); a value without a "
                "header would land in the wrong column — check the delimiter and quoting, "
                "or add the missing header",
                f"{str(source)!r} 的第 {row} 行（表头之后起算）的值比表头的列数（{len(names)}）"
                "多；没有表头的值会落到错误的列 —— 请检查分隔符和引号，或补上缺少的表头",
            )
        )
    frame = frame.iloc[:, : len(names)]
    frame.columns = names
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
        say(
            f"cannot decode {str(source)!r} as UTF-8 or GB18030; save it as UTF-8 and try again",
            f"无法按 UTF-8 或 GB18030 解码 {str(source)!r}；请另存为 UTF-8 后重试",
        )
    )


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the header row into the most fields, read with quoting
    (``name,"a;b"`` is two fields split by commas); a comma when none splits it."""
    best, most = ",", 1
    for delimiter in _DELIMITERS:
        try:
            first = _first_record(text, delimiter)
        except csv.Error:
            continue
        quoted_wrongly = any('"' in cell for cell in first)
        if len(first) > most and not quoted_wrongly:
            best, most = delimiter, len(first)
    return best


def _header_row(text: str, delimiter: str, source: Path) -> list[str]:
    """The header cells, read with the csv module; refuses a first row that is data."""
    try:
        header = _first_record(text, delimiter)
    except csv.Error as error:
        raise InputError(
            say(
                f"cannot parse the header row of {str(source)!r} as CSV ({error}); check "
                "the quoting",
                f"无法按 CSV 解析 {str(source)!r} 的表头行（{error}）；请检查引号",
            )
        ) from None
    cells = [cell.strip() for cell in header]
    if not any(cells):
        raise InputError(_no_header(source))
    if _looks_like_data(cells):
        # The "headers" are a lead's values: never quote them.
        raise InputError(
            say(
                f"the file {str(source)!r} seems to have no header row; add one (e.g. "
                "lead_id,name,phone,email,company): its first row holds phones, emails or "
                "numbers, not column names",
                f"文件 {str(source)!r} 似乎没有表头行；请加上一行表头（例如 "
                "lead_id,name,phone,email,company）：它的第一行是电话、邮箱或数字，而不是列名",
            )
        )
    return header


_BLANK_LINES = re.compile(r"(?:[ \t]*(?:\r\n|\n|\r))*")
_HEADER_SPAN = 1 << 20  # the header row is read from the first MiB, not a copy of the file


def _first_record(text: str, delimiter: str) -> list[str]:
    """The first record after any blank lines (lines of only spaces and tabs, which pandas
    skips too); [] if none."""
    blank = _BLANK_LINES.match(text)
    start = blank.end() if blank else 0
    head = io.StringIO(text[start : start + _HEADER_SPAN])
    return next(csv.reader(head, delimiter=delimiter), [])


_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def _looks_like_data(cells: Sequence[str]) -> bool:
    """A header row holding a phone or an email, or mostly numbers, is a row of data."""
    filled = [cell for cell in cells if cell]
    if any(looks_contact(cell) for cell in filled):
        return True
    numbers = sum(_NUMBER.fullmatch(cell) is not None for cell in filled)
    return numbers * 2 > len(filled)


def _check_headers(names: Sequence[str], source: Path) -> None:
    """Refuse empty and duplicate headers (compared without case), which pandas would
    rename to ``Unnamed: 2`` / ``phone.1`` and so lose from every role."""
    empty = [i for i, name in enumerate(names, start=1) if not name]
    if empty:
        numbers = ", ".join(map(str, empty))
        raise InputError(
            say(
                f"column(s) {numbers} of {str(source)!r} have no header; give every column a "
                "name in the first row",
                f"{str(source)!r} 的第 {numbers} 列没有表头；请在第一行给每一列起名",
            )
        )
    columns: dict[str, list[int]] = {}
    for number, name in enumerate(names, start=1):
        columns.setdefault(name.casefold(), []).append(number)
    repeated = [numbers for numbers in columns.values() if len(numbers) > 1]
    if repeated:
        groups = [
            (describe_columns(names[n - 1] for n in numbers), ", ".join(map(str, numbers)))
            for numbers in repeated
        ]
        raise InputError(
            say(
                f"{str(source)!r} has duplicate headers: "
                f"{'; '.join(f'{heads} in columns {where}' for heads, where in groups)} (names "
                "are compared without case and surrounding spaces); rename all but one of "
                "each so every column has its own name",
                f"{str(source)!r} 有重复的表头："
                f"{'；'.join(f'第 {where} 列的 {heads}' for heads, where in groups)}"
                "（比较时不分大小写、忽略首尾空格）；请重命名，使每一列都有自己的名字",
            )
        )


def _parse_csv(text: str, delimiter: str, width: int, source: Path) -> pd.DataFrame | None:
    """Every record as text in ``width`` positional columns (the header is record 0), or
    None when a record has more fields than that."""
    try:
        return pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            header=None,
            names=list(range(width)),
            index_col=False,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skipinitialspace=False,
        )
    except pd.errors.EmptyDataError:
        raise InputError(_no_header(source)) from None
    except pd.errors.ParserError as error:
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        if "fields in line" in message:
            return None
        raise InputError(_unparsable(source, message)) from None


def _widest_row(text: str, delimiter: str, source: Path) -> int:
    try:
        return max(
            (len(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)), default=1
        )
    except csv.Error as error:
        raise InputError(_unparsable(source, str(error))) from None


def _unparsable(source: Path, reason: str) -> str:
    return say(
        f"cannot parse {str(source)!r} as CSV ({reason}); check the delimiter and quoting",
        f"无法按 CSV 解析 {str(source)!r}（{reason}）；请检查分隔符和引号",
    )


def _no_header(source: Path) -> str:
    return say(
        f"input file {str(source)!r} has no header row",
        f"输入文件 {str(source)!r} 没有表头行",
    )


def _read_parquet(source: Path) -> pd.DataFrame:
    """A Parquet file of plain columns; nested (struct, list, map) and binary columns are
    refused: a cell must be one value that leadlink can read as text."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    def damaged(error: Exception) -> InputError:
        return InputError(
            say(
                f"cannot read {str(source)!r} as Parquet ({type(error).__name__}); "
                "check that the file is complete",
                f"无法按 Parquet 读取 {str(source)!r}（{type(error).__name__}）；"
                "请检查文件是否完整",
            )
        )

    try:
        schema = pq.read_schema(source)
    except Exception as error:  # pyarrow raises many types for damaged files
        raise damaged(error) from None
    _check_headers([name.strip() for name in schema.names], source)

    def unreadable(kind: pa.DataType) -> bool:
        if pa.types.is_dictionary(kind):
            return unreadable(kind.value_type)
        return bool(
            pa.types.is_nested(kind)
            or pa.types.is_binary(kind)
            or pa.types.is_large_binary(kind)
            or pa.types.is_fixed_size_binary(kind)
        )

    nested = [field.name.strip() for field in schema if unreadable(field.type)]
    if nested:
        # Refused rather than turned into JSON text: a phone inside {"mobile": ...} compared
        # as the text of the whole struct would match wrongly without a word.
        raise InputError(
            say(
                f"{str(source)!r} has column(s) of nested or binary values "
                f"({describe_columns(nested)}); leadlink reads one text, number or time per "
                "cell — flatten them into plain columns (one per field you need), cast "
                "binary to string, or drop them",
                f"{str(source)!r} 有嵌套或二进制值的列（{describe_columns(nested)}）；"
                "leadlink 每个单元格只读一个文本、数字或时间 —— 请把它们展开成普通列（每个需要的"
                "字段一列）、把二进制转成字符串，或删掉这些列",
            )
        )
    try:
        frame = pd.read_parquet(source)
    except Exception as error:  # pyarrow raises many types for damaged files
        raise damaged(error) from None
    frame.columns = [str(column).strip() for column in frame.columns]
    return frame
