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
