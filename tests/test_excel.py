"""Reading Excel workbooks: every cell as the text a CSV export would hold, one sheet at a
time, and clear errors for what is not a workbook."""

from __future__ import annotations

import datetime as dt
import zipfile

import pandas as pd
import pytest
from openpyxl import Workbook

from leadlink.errors import ConfigError, InputError
from leadlink.io import read_leads

HEADER = ["lead_id", "姓名", "手机", "创建时间", "金额"]


def _workbook(path, sheets):
    """Write ``sheets`` ({title: rows}) to ``path``; a row's cell may be (value, format)."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for r, row in enumerate(rows, start=1):
            for c, cell in enumerate(row, start=1):
                value, number_format = cell if isinstance(cell, tuple) else (cell, None)
                if value is None:
                    continue
                written = sheet.cell(row=r, column=c, value=value)
                if number_format:
                    written.number_format = number_format
    book.save(path)
    return path


@pytest.fixture
def leads_xlsx(tmp_path):
    return _workbook(
        tmp_path / "leads.xlsx",
        {
            "线索": [
                HEADER,
                ["00123", "张伟", 13800138000, (dt.datetime(2024, 1, 5), "yyyy-mm-dd"), 12.5],
                [(7, "00000"), "李娜", "+86 139 0013 9000", dt.datetime(2024, 2, 1, 9, 30), 3.0],
                [None, None, None, None, None],  # a blank row, skipped like a blank CSV line
                ["L3", "  Zhang Wei ", None, (dt.date(2024, 3, 9), "d/m/yyyy"), True],
            ],
            "Accounts": [["company", "city"], ["北京某某科技有限公司", "北京"]],
            "Empty": [],
        },
    )


def test_first_sheet_every_cell_as_text(leads_xlsx):
    frame = read_leads(leads_xlsx)
    assert frame.columns.tolist() == HEADER
    assert frame["lead_id"].tolist() == ["00123", "00007", "L3"]  # zeros kept
    assert frame["姓名"].tolist() == ["张伟", "李娜", "  Zhang Wei "]  # text exactly
    assert frame["手机"].tolist()[:2] == ["13800138000", "+86 139 0013 9000"]  # no ".0"
    assert pd.isna(frame["手机"].iloc[2])
    assert frame["创建时间"].tolist() == ["2024-01-05", "2024-02-01 09:30:00", "2024-03-09"]
    assert frame["金额"].tolist() == ["12.5", "3", "TRUE"]
    assert all(isinstance(v, str) for v in frame["lead_id"])


def test_excel_reads_like_the_same_csv(tmp_path, leads_xlsx):
    """A workbook and the CSV of the same cells give the same table."""
    frame = read_leads(leads_xlsx)
    csv = tmp_path / "same.csv"
    frame.to_csv(csv, index=False, encoding="utf-8")
    pd.testing.assert_frame_equal(read_leads(csv), frame)


@pytest.mark.parametrize("sheet", ["Accounts", "accounts", 1, "1"])
def test_sheet_by_name_or_position(leads_xlsx, sheet):
    frame = read_leads(leads_xlsx, sheet=sheet)
    assert frame.to_dict("list") == {"company": ["北京某某科技有限公司"], "city": ["北京"]}


def test_missing_sheet_lists_the_sheets(leads_xlsx):
    with pytest.raises(InputError, match=r"no sheet 'Leads'.*0: '线索', 1: 'Accounts'"):
        read_leads(leads_xlsx, sheet="Leads")
    with pytest.raises(InputError, match="no sheet 5"):
        read_leads(leads_xlsx, sheet=5)


def test_empty_sheet(leads_xlsx):
    with pytest.raises(InputError, match=r"sheet 'Empty' .* is empty"):
        read_leads(leads_xlsx, sheet="Empty")


def test_header_row_below_blank_rows_and_spacer_columns(tmp_path):
    path = _workbook(
        tmp_path / "spaced.xlsx",
        {"S": [[], [None, "lead_id", None, "phone"], [None, "1", None, "13800138000"]]},
    )
    frame = read_leads(path)
    assert frame.to_dict("list") == {"lead_id": ["1"], "phone": ["13800138000"]}


def test_values_under_a_blank_header(tmp_path):
    """A header merged across two columns leaves the second one blank: refused, with the
    column's letter."""
    path = _workbook(
        tmp_path / "merged.xlsx",
        {"S": [["lead_id", "联系方式", None], ["1", "13800138000", "zw@example.com"]]},
    )
    with pytest.raises(InputError, match=r"column.s. C of sheet 'S'.*no header"):
        read_leads(path)


def test_duplicate_headers(tmp_path):
    path = _workbook(tmp_path / "dup.xlsx", {"S": [["phone", "Phone "], ["1", "2"]]})
    with pytest.raises(InputError, match="duplicate headers"):
        read_leads(path)


def test_header_only_sheet(tmp_path):
    path = _workbook(tmp_path / "header.xlsx", {"S": [["lead_id", "name"]]})
    frame = read_leads(path)
    assert frame.columns.tolist() == ["lead_id", "name"] and frame.empty


def test_first_row_of_data_is_no_header(tmp_path):
    path = _workbook(tmp_path / "noheader.xlsx", {"S": [["1", "张伟", "13800138000"]]})
    with pytest.raises(InputError, match="no header row"):
        read_leads(path)


def test_csv_named_xlsx_says_it_is_text(tmp_path):
    path = tmp_path / "renamed.xlsx"
    path.write_text("lead_id,name\n1,张伟\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"not an Excel workbook: it holds text.*\.csv"):
        read_leads(path)


def test_html_named_xls(tmp_path):
    path = tmp_path / "export.xls"
    path.write_text("<html><table><tr><td>lead_id</td></tr></table></html>")
    with pytest.raises(InputError, match="web page"):
        read_leads(path)


def test_workbook_named_csv_is_read_as_a_workbook(tmp_path, leads_xlsx):
    renamed = tmp_path / "leads.csv"
    renamed.write_bytes(leads_xlsx.read_bytes())
    pd.testing.assert_frame_equal(read_leads(renamed), read_leads(leads_xlsx))


def test_zip_that_is_no_workbook(tmp_path):
    path = tmp_path / "leads.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("leads.csv", "lead_id\n1\n")
    with pytest.raises(InputError, match="ZIP archive"):
        read_leads(path)


def test_damaged_workbook(tmp_path, leads_xlsx):
    path = tmp_path / "cut.xlsx"
    path.write_bytes(leads_xlsx.read_bytes()[:300])
    with pytest.raises(InputError, match=r"cannot read .* as an Excel workbook"):
        read_leads(path)


def test_old_xls_without_xlrd(tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "xlrd", None)  # import xlrd raises ImportError
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    with pytest.raises(InputError, match=r"\.xls.*pip install xlrd"):
        read_leads(path)


def test_sheet_for_a_csv_is_a_config_error(tmp_path):
    path = tmp_path / "leads.csv"
    path.write_text("lead_id\n1\n")
    with pytest.raises(ConfigError, match="not an Excel workbook"):
        read_leads(path, sheet="Leads")


def test_whole_and_fractional_numbers():
    from leadlink.io import _cell_text

    assert _cell_text(13800138000.0, "General") == "13800138000"
    assert _cell_text(0.1, "General") == "0.1"
    assert _cell_text(-3.0, None) == "-3"
    assert _cell_text(42, "000000") == "000042"
    assert _cell_text(dt.time(9, 5), "h:mm") == "09:05"
    assert _cell_text(dt.datetime(2024, 1, 5, 9, 30), "yyyy/m/d") == "2024-01-05"
    assert _cell_text(dt.datetime(2024, 1, 5, 9, 30, 15), "h:mm:ss") == "09:30:15"
    assert _cell_text(float("nan"), None) is None
    assert _cell_text("", None) is None


def test_write_xlsx_round_trips_as_text(tmp_path):
    from openpyxl import load_workbook

    from leadlink.io import write_table

    frame = pd.DataFrame(
        {
            "lead_id": ["00123", "L2"],
            "name": ['=HYPERLINK("http://x")', "张伟\x07"],
            "n_leads": [3, 1],
            "score": [0.5, float("nan")],
            "first_seen": pd.to_datetime(["2024-01-05 09:30", None]),
        }
    )
    path = write_table(frame, tmp_path / "golden_records.xlsx")
    sheet = load_workbook(path).active
    assert sheet.title == "golden_records"
    assert sheet["B2"].data_type == "s"  # text, not a formula that Excel would run
    back = read_leads(path)
    assert back["lead_id"].tolist() == ["00123", "L2"]
    assert back["name"].tolist() == ['=HYPERLINK("http://x")', "张伟\ufffd"]
    assert back["n_leads"].tolist() == ["3", "1"]
    assert back["score"].iloc[0] == "0.5" and pd.isna(back["score"].iloc[1])
    assert back["first_seen"].iloc[0] == "2024-01-05 09:30:00" and pd.isna(
        back["first_seen"].iloc[1]
    )


def test_write_xlsx_refuses_what_a_sheet_cannot_hold(tmp_path):
    from leadlink.io import fits_excel, write_table

    long = pd.DataFrame({"lead_ids": ["x" * 40_000]})
    assert not fits_excel(long)
    with pytest.raises(InputError, match="would not fit an Excel sheet"):
        write_table(long, tmp_path / "big.xlsx")
    assert not (tmp_path / "big.xlsx").exists()
