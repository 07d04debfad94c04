"""``leadlink check`` and ``leadlink score`` find the lead ids as ``dedupe`` does: the
``--id-column``, else a column named like an id, else the row numbers, said in a warning."""

from __future__ import annotations

import pandas as pd
import pytest

from leadlink.cli import main


@pytest.fixture()
def leads(small_leads) -> pd.DataFrame:
    return small_leads.drop(columns=["person_id", "is_ghost"]).head(40)


def _run(command: str, leads: pd.DataFrame, tmp_path, *options: str) -> tuple[int, pd.DataFrame]:
    path = tmp_path / "leads.csv"
    leads.to_csv(path, index=False)
    out = tmp_path / "out"
    code = main([command, str(path), "--output-dir", str(out), "--quiet", *options])
    written = out / ("validation.csv" if command == "check" else "scores.csv")
    table = pd.read_csv(written, dtype=str, encoding="utf-8-sig") if written.exists() else None
    return code, table


@pytest.mark.parametrize("command", ["check", "score"])
def test_without_an_id_column_the_rows_are_numbered_with_a_warning(
    command, leads, tmp_path, capsys
):
    code, table = _run(command, leads.drop(columns=["lead_id"]), tmp_path)
    assert code == 0
    err = capsys.readouterr().err
    assert (
        "leadlink: warning: no 'lead_id' column and none that looks like an id: the leads are "
        "numbered row_1 to row_40 in input order, in a 'row_id' column of every output" in err
    )
    assert table.columns[0] == "row_id"
    assert table["row_id"].tolist() == [f"row_{i}" for i in range(1, 41)]


@pytest.mark.parametrize("command", ["check", "score"])
@pytest.mark.parametrize("header", ["Id", "线索ID", "record_id"])
def test_an_id_like_header_gives_the_ids_with_a_warning(command, header, leads, tmp_path, capsys):
    code, table = _run(command, leads.rename(columns={"lead_id": header}), tmp_path)
    assert code == 0
    err = capsys.readouterr().err
    assert f"leadlink: warning: no 'lead_id' column: the lead ids are taken from {header!r}" in err
    assert table.columns[0] == header
    assert table[header].tolist() == leads["lead_id"].tolist()


@pytest.mark.parametrize("command", ["check", "score"])
def test_the_id_column_given_is_used_without_a_word(command, leads, tmp_path, capsys):
    code, table = _run(command, leads.rename(columns={"lead_id": "crm_key"}), tmp_path,
                       "--id-column", "crm_key")  # fmt: skip
    assert code == 0
    assert "warning" not in capsys.readouterr().err
    assert table["crm_key"].tolist() == leads["lead_id"].tolist()
    # a file with lead_id needs no option and says nothing either
    code, table = _run(command, leads, tmp_path, "--overwrite")
    assert code == 0
    assert "warning" not in capsys.readouterr().err
    assert table.columns[0] == "lead_id"


@pytest.mark.parametrize("command", ["check", "score"])
def test_an_id_column_named_but_missing_is_refused_as_dedupe_refuses_it(
    command, leads, tmp_path, capsys
):
    code, _ = _run(command, leads, tmp_path, "--id-column", "nope")
    assert code == 2
    err = capsys.readouterr().err
    assert "'nope'" in err and "warning" not in err
    dedupe_code, _ = _run("dedupe", leads, tmp_path, "--id-column", "nope", "--overwrite")
    assert dedupe_code == code
    assert capsys.readouterr().err.splitlines()[-1] == err.splitlines()[-1]


def test_repeated_ids_in_an_id_like_column_are_not_taken(leads, tmp_path, capsys):
    code, table = _run("check", leads.drop(columns=["lead_id"]).assign(id="same"), tmp_path)
    assert code == 0
    assert "none that looks like an id" in capsys.readouterr().err
    assert table.columns[0] == "row_id"


def test_the_warning_is_in_chinese_with_lang_zh(leads, tmp_path, capsys):
    code, _ = _run("score", leads.drop(columns=["lead_id"]), tmp_path, "--lang", "zh")
    assert code == 0
    err = capsys.readouterr().err
    assert "警告：没有 'lead_id' 列，也没有像 ID 的列" in err and "row_1 至 row_40" in err


@pytest.mark.parametrize("command", ["check", "score", "dedupe"])
def test_a_table_of_no_leads_is_refused(command, tmp_path, capsys):
    path = tmp_path / "notes.csv"
    path.write_text("note,text\n", "utf-8")
    code = main([command, str(path), "--output-dir", str(tmp_path / "out"), "--quiet"])
    assert code == 2
    err = capsys.readouterr().err
    assert "the input has no leads; nothing to" in err and "warning" not in err
