"""Reading lead files (CSV, Excel or Parquet) with clear errors.

CSV exports from Chinese CRMs and Excel arrive as UTF-8, UTF-8 with a BOM, or GBK/GB18030,
with commas, semicolons, tabs or bars. :func:`read_leads` tries the encodings in that order,
sniffs the delimiter, and reads every column as text so that ids and phone numbers keep their
leading zeros. A file is read right or refused with an :class:`~leadlink.errors.InputError`:
never a column shifted, merged or dropped without a word.

Excel workbooks (``.xlsx``, ``.xlsm``) are read with openpyxl, one sheet at a time, every
cell as the text a CSV export of the sheet would hold: ``00123`` stays ``00123``, a whole
number has no ``.0``, a date is ``2024-01-05``. A file is read by what it holds, not by its
name: a workbook named ``.csv`` is read as a workbook, and a CSV named ``.xlsx`` is refused
with a message that says it is text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from leadlink._csv_text import (
    escape_cell,
    escaped_arrays,
    unescape_cell,
    unescaped_frame,
    write_csv,
)
from leadlink._i18n import say
from leadlink.errors import ConfigError, InputError
from leadlink.schema import describe_columns, looks_contact

__all__ = ["escape_cell", "fits_excel", "read_leads", "unescape_cell", "write_table"]

_ENCODINGS = ("utf-8-sig", "gb18030")
_DELIMITERS = ",;\t|"
_EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")

#: A sheet of a workbook: its name, or its position counting from 0.
Sheet = str | int


def read_leads(path: str | Path, sheet: Sheet | None = None) -> pd.DataFrame:
    """Read a CSV, TSV, Excel or Parquet file of leads; every CSV and Excel cell as text.

    The first row of a CSV file is its header; header names lose their surrounding spaces.
    The delimiter is the one of ``, ; tab |`` that splits the header into the most columns
    (a comma when the header has one column).
    A data row with fewer fields than the header has missing values in the last columns;
    separators after the last column (``L1,张伟,138...,`` under ``lead_id,name,phone``, as
    many exports write them) are ignored when nothing follows them. Lines holding nothing
    but spaces and tabs are skipped like blank lines. Empty cells are missing values (NaN);
    every other cell keeps its text exactly, spaces included.

    An Excel workbook (``.xlsx``, ``.xlsm``; ``.xls`` when the ``xlrd`` package is
    installed) is read from its first sheet, or from ``sheet``: a sheet name, or a position
    counting from 0 (``"1"`` is the second sheet unless a sheet is named ``1``). Its first
    row that is not blank is the header; blank rows are skipped. A cell reads as a CSV
    export of the sheet would hold it: text as it is, a whole number without ``.0``
    (``13800138000``), a number formatted with leading zeros (``00000``) with them, a date
    as ``2024-01-05`` (with ``09:30`` or ``09:30:15`` when its format shows the time),
    ``TRUE``/``FALSE``, a formula as its last computed value. A column with neither header
    nor values (a spacer) is left out.

    Raises:
        InputError: the file cannot be read or would be read wrongly: a row with values
            beyond the header's columns, duplicate headers (``Phone`` and ``phone ``
            included), an empty header over a column with values, a first row that holds
            phones, emails or numbers instead of headers, a Parquet column of nested or
            binary values, an empty sheet, a sheet that is not there, a file named
            ``.xlsx`` that is not a workbook. Messages name rows and columns, never a
            cell's value.
        ConfigError: ``sheet`` given for a file that is not a workbook.
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
        _no_sheet(sheet, source)
        return _read_parquet(source)
    kind = _workbook_kind(source)
    if kind is not None:
        return _read_workbook(source, sheet, kind)
    raw = source.read_bytes()
    if source.suffix.lower() in _EXCEL_SUFFIXES:
        raise InputError(_not_a_workbook(source, raw))
    _no_sheet(sheet, source)
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
    return unescaped_frame(frame, text=text)


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` as CSV (UTF-8 with BOM, which Excel opens correctly), Parquet or an
    Excel workbook (``.xlsx``).

    A CSV cell or header that a spreadsheet would run as a formula is written with a
    leading single quote (:func:`escape_cell`); :func:`read_leads` takes it off again, so
    the values round-trip. Parquet keeps every value as it is. A workbook has one sheet:
    text is written as text, never as a formula (``=SUM(A1)`` shows as it is), ids keep
    their zeros, numbers and times are typed; control characters Excel cannot hold (those
    below a space but tab, line feed and carriage return) become U+FFFD.

    Raises:
        InputError: for ``.xlsx``, ``frame`` does not fit a sheet (see :func:`fits_excel`);
            nothing is written then.
    """
    target = Path(path)
    if target.suffix.lower() == ".xlsx":
        _check_fits_excel(frame, target)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.suffix.lower() in (".parquet", ".pq"):
        frame.to_parquet(target, index=False)
    elif target.suffix.lower() == ".xlsx":
        _write_xlsx(frame, target)
    else:
        escaped, texts = escaped_arrays(frame)
        write_csv(escaped, target, texts=texts)
    return target


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
        raise InputError(_data_as_header(source))
    return header


def _data_as_header(source: Path) -> str:
    # The "headers" are a lead's values: never quote them.
    return say(
        f"the file {str(source)!r} seems to have no header row; add one (e.g. "
        "lead_id,name,phone,email,company): its first row holds phones, emails or "
        "numbers, not column names",
        f"文件 {str(source)!r} 似乎没有表头行；请加上一行表头（例如 "
        "lead_id,name,phone,email,company）：它的第一行是电话、邮箱或数字，而不是列名",
    )


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


# ------------------------------------------------------------------------------ Excel

_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003, or an encrypted .xlsx


def _workbook_kind(source: Path) -> str | None:
    """``"xlsx"`` for an Office Open XML workbook, ``"xls"`` for an OLE2 file (an Excel
    97-2003 workbook, or a password-protected one), None for anything else; a ZIP archive
    that is not a workbook is refused here, with what it holds."""
    with source.open("rb") as handle:
        magic = handle.read(8)
    if magic.startswith(_OLE2_MAGIC):
        return "xls"
    if not magic.startswith(_ZIP_MAGIC):
        return None
    try:
        with zipfile.ZipFile(source) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError) as error:
        raise _damaged_workbook(source, error) from None
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        what = ("an Excel binary workbook (.xlsb)", "Excel 二进制工作簿（.xlsb）")
    elif "content.xml" in names:
        what = ("an OpenDocument spreadsheet (.ods)", "OpenDocument 电子表格（.ods）")
    else:
        what = ("a ZIP archive, not a workbook", "ZIP 压缩包，而不是工作簿")
    raise InputError(
        say(
            f"{str(source)!r} is {what[0]}; leadlink reads .xlsx workbooks, CSV and Parquet "
            "— save it as .xlsx or CSV (or unzip it) and try again",
            f"{str(source)!r} 是{what[1]}；leadlink 读取 .xlsx 工作簿、CSV 和 Parquet —— "
            "请另存为 .xlsx 或 CSV（或先解压）后重试",
        )
    )


def _not_a_workbook(source: Path, raw: bytes) -> str:
    """The message for a file named like a workbook that is none: what it holds instead."""
    head = raw[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml")):
        return say(
            f"{str(source)!r} is not an Excel workbook but a web page or XML (some CRMs "
            "export such a file named .xls); open it in Excel and save it as .xlsx or CSV",
            f"{str(source)!r} 不是 Excel 工作簿，而是网页或 XML（有些 CRM 导出这样的文件并命名"
            "为 .xls）；请用 Excel 打开并另存为 .xlsx 或 CSV",
        )
    for encoding in _ENCODINGS:
        try:
            raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        return say(
            f"{str(source)!r} is not an Excel workbook: it holds text, most likely a CSV "
            f"file named {source.suffix}; give it a .csv name and try again",
            f"{str(source)!r} 不是 Excel 工作簿：它的内容是文本，多半是被命名为 {source.suffix} "
            "的 CSV 文件；请把它改名为 .csv 后重试",
        )
    return say(
        f"{str(source)!r} is not an Excel workbook (it is neither an .xlsx nor an .xls file); "
        "check that it is complete, or save it again from Excel",
        f"{str(source)!r} 不是 Excel 工作簿（既不是 .xlsx 也不是 .xls 文件）；"
        "请检查文件是否完整，或从 Excel 重新保存",
    )


def _no_sheet(sheet: Sheet | None, source: Path) -> None:
    if sheet is not None:
        raise ConfigError(
            say(
                f"a sheet ({sheet!r}) was given, but {str(source)!r} is not an Excel workbook; "
                "leave the sheet out",
                f"指定了工作表（{sheet!r}），但 {str(source)!r} 不是 Excel 工作簿；请去掉工作表参数",
            )
        )


def _damaged_workbook(source: Path, error: Exception) -> InputError:
    return InputError(
        say(
            f"cannot read {str(source)!r} as an Excel workbook ({type(error).__name__}); "
            "check that the file is complete, or save it again from Excel",
            f"无法按 Excel 工作簿读取 {str(source)!r}（{type(error).__name__}）；"
            "请检查文件是否完整，或从 Excel 重新保存",
        )
    )


def _read_workbook(source: Path, sheet: Sheet | None, kind: str) -> pd.DataFrame:
    """One sheet of an Excel workbook, every cell as text (see :func:`read_leads`)."""
    if kind == "xls":
        return _read_xls(source, sheet)
    import openpyxl

    handle = source.open("rb")  # a handle: openpyxl refuses a path not named .xlsx
    try:
        workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for damaged files
        handle.close()
        raise _damaged_workbook(source, error) from None
    try:
        names = [worksheet.title for worksheet in workbook.worksheets]
        name = _sheet_name(names, sheet, source)
        worksheet = workbook[name]
        worksheet.reset_dimensions()  # some exporters write a wrong size: read every row
        try:
            rows = [
                [_cell_text(cell.value, getattr(cell, "number_format", None)) for cell in row]
                for row in worksheet.iter_rows()
            ]
        except Exception as error:  # a damaged sheet part
            raise _damaged_workbook(source, error) from None
    finally:
        workbook.close()
        handle.close()
    return _sheet_frame(rows, source, name)


def _read_xls(source: Path, sheet: Sheet | None) -> pd.DataFrame:
    """An Excel 97-2003 workbook, with xlrd when it is installed."""
    try:
        import xlrd  # noqa: F401
    except ImportError:
        raise InputError(
            say(
                f"{str(source)!r} is an Excel 97-2003 workbook (.xls) or a password-protected "
                "one; reading .xls needs the xlrd package (pip install xlrd) — or save it from "
                "Excel as .xlsx (without a password) or CSV",
                f"{str(source)!r} 是 Excel 97-2003 工作簿（.xls）或加了密码的工作簿；读取 .xls "
                "需要 xlrd 包（pip install xlrd）—— 或在 Excel 中另存为 .xlsx（不加密码）或 CSV",
            )
        ) from None
    try:
        book = pd.ExcelFile(source, engine="xlrd")
        name = _sheet_name([str(n) for n in book.sheet_names], sheet, source)
        cells = book.parse(name, header=None, dtype=object)
    except InputError:
        raise
    except Exception as error:  # xlrd raises many types for damaged or encrypted files
        raise _damaged_workbook(source, error) from None
    rows = [[_cell_text(value, None) for value in row] for row in cells.itertuples(index=False)]
    return _sheet_frame(rows, source, name)


def _sheet_name(names: Sequence[str], sheet: Sheet | None, source: Path) -> str:
    """The name of the sheet ``sheet`` names: by name (exact, then without case), else by
    position from 0; the first sheet when None."""
    if not names:
        raise InputError(say(f"{str(source)!r} has no worksheet", f"{str(source)!r} 中没有工作表"))
    if sheet is None:
        return names[0]
    if isinstance(sheet, str):
        if sheet in names:
            return sheet
        folded = [n for n in names if n.strip().casefold() == sheet.strip().casefold()]
        if len(folded) == 1:
            return folded[0]
    position = sheet if isinstance(sheet, int) else _position(sheet)
    if position is not None and not isinstance(position, bool) and 0 <= position < len(names):
        return names[position]
    shown = ", ".join(f"{i}: {n!r}" for i, n in enumerate(names))
    raise InputError(
        say(
            f"{str(source)!r} has no sheet {sheet!r}; its sheets are {shown} (give a name, "
            "or a position counting from 0)",
            f"{str(source)!r} 中没有工作表 {sheet!r}；它的工作表为 {shown}（请给出名称，"
            "或从 0 开始的序号）",
        )
    )


def _position(text: str) -> int | None:
    stripped = text.strip()
    return int(stripped) if stripped.isdigit() else None


def _sheet_frame(rows: list[list[str | None]], source: Path, sheet: str) -> pd.DataFrame:
    """The cells of a sheet as a table of text: the first row that is not blank is the
    header; blank rows are skipped, spacer columns (no header, no value) left out."""
    filled = [row for row in rows if any(cell is not None for cell in row)]
    where = say(f"sheet {sheet!r} of {str(source)!r}", f"{str(source)!r} 的工作表 {sheet!r}")
    if not filled:
        raise InputError(
            say(
                f"{where} is empty; give the sheet that holds the leads (--sheet NAME, or "
                "sheet=... in Python)",
                f"{where}是空的；请指定存放线索的工作表（--sheet 名称，或在 Python 中用 sheet=...）",
            )
        )
    width = max(len(row) for row in filled)
    header, *body = ([*row, *[None] * (width - len(row))] for row in filled)
    names = [(cell or "").strip() for cell in header]
    if _looks_like_data(names):
        raise InputError(_data_as_header(source))
    keep = [i for i, name in enumerate(names) if name or any(row[i] is not None for row in body)]
    unnamed = [i for i in keep if not names[i]]
    if unnamed:
        letters = ", ".join(_column_letter(i) for i in unnamed)
        raise InputError(
            say(
                f"column(s) {letters} of {where} have values but no header (a header cell "
                "merged across columns leaves the others blank); give every column its own "
                "name in the header row",
                f"{where}的第 {letters} 列有值但没有表头（跨列合并的表头单元格会让其余列的表头"
                "为空）；请在表头行给每一列单独起名",
            )
        )
    _check_headers([names[i] for i in keep], source)
    frame = pd.DataFrame(
        [[float("nan") if row[i] is None else row[i] for i in keep] for row in body],
        columns=pd.Index([names[i] for i in keep], dtype=object),
        dtype=object,
    )
    return frame


def _column_letter(index: int) -> str:
    """Excel's name of the column at ``index`` (from 0): A, B, ..., Z, AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')
_ZEROS = re.compile(r"0+")


def _cell_text(value: object, number_format: str | None) -> str | None:
    """A cell's value as the text a CSV export of the sheet holds; None when blank."""
    if value is None or (isinstance(value, (float, dt.datetime)) and value != value):
        return None  # pandas gives NaN and NaT for the blank cells of an .xls
    if isinstance(value, str):
        return value or None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return _datetime_text(value, number_format)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S" if value.second else "%H:%M")
    if isinstance(value, (int, float)):
        return _number_text(value, number_format)
    return str(value)  # a timedelta, an error code


def _number_text(value: float, number_format: str | None) -> str:
    """``13800138000`` for 13800138000.0, ``00123`` for 123 formatted ``00000``."""
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)
        if not value.is_integer() or abs(value) >= 1e15:
            return repr(value)
        value = int(value)
    text = str(value)
    if number_format and _ZEROS.fullmatch(number_format) and value >= 0:
        return text.zfill(len(number_format))  # an id kept with its leading zeros
    return text


def _datetime_text(value: dt.datetime, number_format: str | None) -> str:
    """``2024-01-05``, with the time when the cell's format shows one (or, without a
    format, when it is not midnight)."""
    shown = _QUOTED.sub("", number_format or "").lower()
    if number_format and ("y" in shown or "d" in shown or "h" in shown or "s" in shown):
        has_date = "y" in shown or "d" in shown
        has_time = "h" in shown or "s" in shown
    else:
        has_date, has_time = True, value.time() != dt.time(0)
    clock = "%H:%M:%S" if (value.second or "s" in shown) else "%H:%M"
    if has_date and has_time:
        return value.strftime(f"%Y-%m-%d {clock}")
    if has_time:
        return value.strftime(clock)
    return value.strftime("%Y-%m-%d")


#: What one sheet holds: rows (the header is one more) and characters in a cell.
_EXCEL_ROWS = 1_048_575
_EXCEL_CELL = 32_767


def fits_excel(frame: pd.DataFrame) -> bool:
    """Whether ``frame`` fits one Excel sheet: at most 1,048,575 rows under the header,
    16,384 columns and 32,767 characters in a cell."""
    if len(frame) > _EXCEL_ROWS or frame.shape[1] > 16_384:
        return False
    for position in range(frame.shape[1]):
        column = frame.iloc[:, position]
        if column.dtype.kind in "biufcmMb":
            continue
        if isinstance(column.dtype, pd.CategoricalDtype):  # each text once
            column = pd.Series(column.cat.categories, dtype=object)
        texts = column.map(lambda v: len(v) if isinstance(v, str) else 0)
        if len(texts) and int(texts.max()) > _EXCEL_CELL:
            return False
    return True


def _check_fits_excel(frame: pd.DataFrame, target: Path) -> None:
    if not fits_excel(frame):
        raise InputError(
            say(
                f"{target.name} would not fit an Excel sheet ({len(frame)} rows; a sheet "
                f"holds {_EXCEL_ROWS} and {_EXCEL_CELL} characters in a cell); use the CSV "
                "or Parquet output",
                f"{target.name} 放不进一个 Excel 工作表（{len(frame)} 行；一个工作表最多 "
                f"{_EXCEL_ROWS} 行、每格 {_EXCEL_CELL} 个字符）；请使用 CSV 或 Parquet 输出",
            )
        )


_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _write_xlsx(frame: pd.DataFrame, target: Path) -> None:
    """``frame`` as a one-sheet workbook, written in openpyxl's streaming mode."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=re.sub(r"[\\/?*:\[\]]", "_", target.stem)[:31] or "Sheet1")
    sheet.freeze_panes = "A2"

    def cell(value: object) -> WriteOnlyCell:
        written = WriteOnlyCell(sheet, value=_excel_value(value))
        if isinstance(written.value, str):
            written.data_type = "s"  # text, never a formula
        return written

    sheet.append([cell(str(name)) for name in frame.columns])
    for row in frame.itertuples(index=False, name=None):
        sheet.append([cell(value) for value in row])
    book.save(target)


def _excel_value(value: object) -> object:
    """``value`` as openpyxl writes it: Python scalars, None for missing values, naive
    times (Excel has no time zones: an aware time is written as its ISO text)."""
    if isinstance(value, (list, tuple, dict)):
        return str(value)
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, (float, np.floating)) and np.isnan(value):
        return None
    if isinstance(value, np.datetime64) and np.isnat(value):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()  # a numpy scalar
    if isinstance(value, str):
        return _ILLEGAL.sub("\ufffd", value)
    if isinstance(value, (bool, int, float, dt.date, dt.time, dt.timedelta)):
        return value
    return _ILLEGAL.sub("\ufffd", str(value))
