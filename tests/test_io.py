from __future__ import annotations

import pandas as pd
import pytest

from leadlink.errors import InputError
from leadlink.io import read_leads, write_table

TEXT = "编号,姓名,手机\n001,张伟,013900139000\n002,李娜,\n"


@pytest.mark.parametrize(
    ("payload", "name"),
    [
        (TEXT.encode("utf-8"), "utf8.csv"),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "bom.csv"),
        (TEXT.encode("gbk"), "gbk.csv"),
        (TEXT.replace(",", "\t").encode("utf-8"), "tabs.tsv"),
        (TEXT.replace(",", ";").encode("gb18030"), "semicolons.csv"),
    ],
)
def test_csv_encodings_and_delimiters(tmp_path, payload, name):
    path = tmp_path / name
    path.write_bytes(payload)
    frame = read_leads(path)
    assert frame.columns.tolist() == ["编号", "姓名", "手机"]
    assert frame["编号"].tolist() == ["001", "002"]  # leading zeros survive
    assert frame["手机"].iloc[0] == "013900139000"
    assert pd.isna(frame["手机"].iloc[1])


def test_parquet_round_trip(tmp_path):
    frame = pd.DataFrame({"id": ["1", "2"], "name": ["张伟", "Zhang Wei"]})
    path = write_table(frame, tmp_path / "x.parquet")
    pd.testing.assert_frame_equal(read_leads(path), frame)


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda p: None, "does not exist"),
        (lambda p: p.write_bytes(b""), "empty"),
        (lambda p: p.write_bytes(b"\n\n"), "no header"),
        (lambda p: p.mkdir(), "folder"),
    ],
)
def test_unreadable_inputs_are_refused(tmp_path, setup, message):
    path = tmp_path / "leads.csv"
    setup(path)
    with pytest.raises(InputError, match=message):
        read_leads(path)


def test_damaged_parquet_is_refused(tmp_path):
    path = tmp_path / "x.parquet"
    path.write_bytes(b"PAR1 not really")
    with pytest.raises(InputError, match="Parquet"):
        read_leads(path)


# Files are read right or refused (issue 20): never a column shifted, merged or dropped.

HEADER = "lead_id,name,phone\n"


def _csv(tmp_path, text, name="leads.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize(
    "text",
    [
        HEADER + "L1,张伟,13800138000,\nL2,李娜,13900139000,\n",  # every row (the export bug)
        HEADER + "L1,张伟,13800138000\nL2,李娜,13900139000,\n",  # some rows
        HEADER + "L1,张伟,13800138000,,,\nL2,李娜,13900139000,\n",  # several separators
        "lead_id,name,phone,\nL1,张伟,13800138000,\nL2,李娜,13900139000,\n",  # header too
        "lead_id;name;phone;\r\nL1;张伟;13800138000;\r\nL2;李娜;13900139000;\r\n",
    ],
)
def test_a_trailing_separator_does_not_shift_the_columns(tmp_path, text):
    frame = read_leads(_csv(tmp_path, text))
    assert frame.columns.tolist() == ["lead_id", "name", "phone"]
    assert frame.to_dict("list") == {
        "lead_id": ["L1", "L2"],
        "name": ["张伟", "李娜"],
        "phone": ["13800138000", "13900139000"],
    }


@pytest.mark.parametrize(
    ("text", "row"),
    [
        (HEADER + "L1,张伟,13800138000,zw@example.com\nL2,李娜,13900139000\n", 1),
        (HEADER + "L1,张伟,13800138000,\nL2,李娜,13900139000,北京\n", 2),
        (HEADER + "L1,张伟,13800138000\nL2,李娜,13900139000,,,x\n", 2),
        (HEADER + "L1,张伟,138,00138000\n", 1),  # an unquoted delimiter inside a value
    ],
)
def test_a_value_beyond_the_header_is_refused_by_row_number(tmp_path, text, row):
    with pytest.raises(InputError, match=rf"row {row} .* more values than the header") as error:
        read_leads(_csv(tmp_path, text))
    for value in ("zw@example.com", "北京", "00138000", "13900139000", "张伟"):
        assert value not in str(error.value)


def test_rows_with_fewer_fields_have_missing_values(tmp_path):
    frame = read_leads(_csv(tmp_path, HEADER + "L1,张伟\nL2\nL3,,13900139000\n"))
    assert frame["lead_id"].tolist() == ["L1", "L2", "L3"]
    assert frame["name"].isna().tolist() == [False, True, True]
    assert frame["phone"].isna().tolist() == [True, True, False]


def test_cells_keep_their_text(tmp_path):
    text = 'lead_id,name,note\n" L1",Zhang Wei ,"a, ""b""\nc"\n007,,\n'
    frame = read_leads(_csv(tmp_path, text))
    assert frame["lead_id"].tolist() == [" L1", "007"]
    assert frame["name"].iloc[0] == "Zhang Wei "
    assert frame["note"].iloc[0] == 'a, "b"\nc'
    assert frame.iloc[1, 1:].isna().all()


@pytest.mark.parametrize(
    ("header", "named"),
    [
        ("lead_id,phone,phone", r"'phone' and 'phone' in columns 2, 3"),
        ("lead_id,Phone, phone ", r"'Phone' and 'phone' in columns 2, 3"),
        ("lead_id,name,手机,NAME", r"'name' and 'NAME' in columns 2, 4"),
    ],
)
def test_duplicate_headers_are_refused(tmp_path, header, named):
    path = _csv(tmp_path, header + "\nL1,a,b\n")
    with pytest.raises(InputError, match=rf"duplicate headers: {named}.*rename"):
        read_leads(path)


def test_an_empty_header_over_values_is_refused(tmp_path):
    with pytest.raises(InputError, match=r"column\(s\) 2 .* have no header"):
        read_leads(_csv(tmp_path, "lead_id,,phone\nL1,x,13900139000\n"))


@pytest.mark.parametrize(
    "first_row",
    [
        "张伟,13800138000,zw@example.com",
        "Zhang Wei,+86 138 0013 8000,",
        "1,2,3",
        "L1,张伟,zw@example.com",
    ],
)
def test_a_file_without_a_header_row_is_refused_without_quoting_it(tmp_path, first_row):
    path = _csv(tmp_path, first_row + "\nL2,李娜,13900139000\n")
    with pytest.raises(InputError, match="seems to have no header row; add one") as error:
        read_leads(path)
    for value in first_row.split(","):
        assert len(value) < 3 or value not in str(error.value)


def _parquet(tmp_path, table):
    import pyarrow.parquet as pq

    path = tmp_path / "leads.parquet"
    pq.write_table(table, path)
    return path


def test_parquet_columns_of_nested_or_binary_values_are_refused(tmp_path):
    import pyarrow as pa

    table = pa.table(
        {
            "lead_id": ["L1", "L2"],
            "name": ["张伟", "李娜"],
            "tags": [["a"], []],
            "phone": [{"mobile": "13800138000"}, {"mobile": None}],
            "company": pa.array([[("k", "v")], []], pa.map_(pa.string(), pa.string())),
            "photo": [b"\x89PNG", b""],
        }
    )
    with pytest.raises(InputError, match="nested or binary") as error:
        read_leads(_parquet(tmp_path, table))
    message = str(error.value)
    assert "'tags', 'phone', 'company' and 'photo'" in message
    assert "flatten" in message and "'name'" not in message


def test_parquet_duplicate_headers_are_refused(tmp_path):
    import pyarrow as pa

    table = pa.Table.from_arrays(
        [pa.array(["L1"]), pa.array(["a"]), pa.array(["b"])], names=["lead_id", "phone", "Phone "]
    )
    with pytest.raises(InputError, match="duplicate headers: 'phone' and 'Phone'"):
        read_leads(_parquet(tmp_path, table))


def test_read_errors_in_chinese(tmp_path):
    from leadlink._i18n import set_language

    set_language("zh")  # the autouse fixture in conftest.py resets it
    with pytest.raises(InputError, match="似乎没有表头行"):
        read_leads(_csv(tmp_path, "张伟,13800138000\n"))
    with pytest.raises(InputError, match=r"第 2 行.*比表头的列数（3）多"):
        read_leads(_csv(tmp_path, HEADER + "L1,a,b\nL2,a,b,c\n"))
    with pytest.raises(InputError, match="重复的表头"):
        read_leads(_csv(tmp_path, "a,A\n1,2\n"))


# -- CSV text: the rows DuckDB writes are the text pandas writes --------------------------

_CELLS = ["plain", "", None, "a,b", 'say "hi"', "two\nlines", "cr\ronly", " padded ", "中文",
          "=SUM(A1)", "+8613800138000", "'=quoted", "-x", "\t=tab", "'", "1e5"]  # fmt: skip


def _pandas_text(frame: pd.DataFrame) -> bytes:
    """What write_table wrote before DuckDB wrote the rows: pandas' CSV of the escaped
    frame, UTF-8 with BOM, CRLF."""
    from leadlink._csv_text import escaped_frame

    text = escaped_frame(frame).to_csv(index=False, lineterminator="\r\n")
    return text.encode("utf-8-sig")


def test_csv_text_is_pandas_text_for_every_kind_of_cell(tmp_path):
    import numpy as np

    rng = np.random.default_rng(0)
    n = 3000
    cells = [_CELLS[i] for i in rng.integers(0, len(_CELLS), n)]
    frame = pd.DataFrame(
        {
            "text": cells,
            "late text": [None] * (n - 3) + ["x", "", "y,z"],  # DuckDB samples the first rows
            "number": rng.integers(-5, 5, n),
            "float": np.where(
                rng.random(n) < 0.2, np.nan, rng.normal(size=n) * 10.0 ** rng.integers(-8, 17, n)
            ),
            "flag": rng.random(n) < 0.5,
            "day": pd.Timestamp("2024-03-01") + pd.to_timedelta(rng.integers(0, 400, n), unit="D"),
            "time": pd.Timestamp("2024-03-01 08:30:01")
            + pd.to_timedelta(rng.integers(0, 10**9, n), unit="s"),
            "=formula header": cells[::-1],
            3: ["lead"] * n,
        },
        index=rng.permutation(n),
    )
    frame.loc[frame.index[:5], "time"] = pd.NaT
    target = write_table(frame, tmp_path / "out.csv")
    assert target.read_bytes() == _pandas_text(frame)
    back = read_leads(target)
    read = back["text"].astype(object)
    assert read.where(read.notna(), None).tolist() == [c if c else None for c in cells]


@pytest.mark.parametrize(
    "frame",
    [
        pd.DataFrame({"only": ["", None, "x"]}),  # one column: a lone empty cell is ""
        pd.DataFrame({"a": [], "b": []}, dtype=object),
        pd.DataFrame({"kind": pd.Categorical(["a", None, "b,c"]), "n": [1, 2, 3]}),
        pd.DataFrame({"mixed": ["a", 1, 2.5], "n": pd.array([1, None, 3], dtype="Int64")}),
        pd.DataFrame(
            {
                "zone": pd.to_datetime(["2024-01-01", None]).tz_localize("Asia/Shanghai"),
                "x": ["1", "2"],
            }
        ),
        # times with fractions of a second, times that are all missing, all midnight
        pd.DataFrame(
            {
                "at": pd.to_datetime(["2024-01-01 08:00:00.250", None, "2024-01-02 00:00:00.000"]),
                "none": pd.to_datetime([None, None, None]),
                "day": pd.to_datetime(["2024-01-01", "1999-12-31", None]),
                "x": ["1", "2", "3"],
            }
        ),
        # numbers and phones in other digits, formulas after a quote, formula starts
        pd.DataFrame(
            {
                "cell": [
                    "+\uff11\uff12",
                    "-\u0663",
                    "+86 (10) 8888-6666",
                    "+86\n",
                    "'+1",
                    "@",
                    "-",
                ],
                "n": range(7),
            }
        ),
    ],
)
def test_csv_text_of_frames_pandas_still_writes(tmp_path, frame):
    target = write_table(frame, tmp_path / "out.csv")
    assert target.read_bytes() == _pandas_text(frame)
    assert not list(tmp_path.glob("*.rows"))  # the rows file is gone


def test_a_frame_of_categories_is_measured_against_a_sheet():
    from leadlink.io import fits_excel

    short = pd.DataFrame({"level": pd.Categorical(["exact", None, "similar"])})
    long = pd.DataFrame({"level": pd.Categorical(["x" * 40_000, "exact"])})
    assert fits_excel(short) and not fits_excel(long)


@pytest.mark.parametrize(
    ("cells", "read"),
    [
        (["O'Brien", "'quoted'", "it's"], ["O'Brien", "'quoted'", "it's"]),  # no escape
        (["O'Brien", "'=SUM(A1)", "'+b x"], ["O'Brien", "=SUM(A1)", "+b x"]),
        (['"\'@x, y"', "''-z", "'\tt"], ["@x, y", "'-z", "\tt"]),  # inside quotes too
    ],
)
def test_cells_are_unescaped_only_where_the_text_holds_an_escape(tmp_path, cells, read):
    from leadlink._csv_text import unescaped_frame

    text = "id,'=name\n" + "".join(f"L{i},{cell}\n" for i, cell in enumerate(cells))
    back = read_leads(_csv(tmp_path, text))
    assert back.columns.tolist() == ["id", "=name"]
    assert back["=name"].tolist() == read
    looked = pd.DataFrame({"v": [cell.strip('"') for cell in cells]})
    expected = unescaped_frame(looked.copy())
    assert unescaped_frame(looked, text=text)["v"].tolist() == expected["v"].tolist()
