"""leadlink link: the outputs written with every lead in matches.csv, Excel in, the column
mappings of each file, exit 2 on bad input (in Chinese too) and exit 3 when no lead is
linked."""

from __future__ import annotations

import pandas as pd
import pytest

from leadlink.cli import main
from leadlink.datasets import generate_account_leads, generate_accounts
from leadlink.io import read_leads, write_table
from leadlink.linking import STATUSES
from leadlink.match import LeadModel


@pytest.fixture(scope="module")
def tables(tmp_path_factory) -> tuple[pd.DataFrame, pd.DataFrame]:
    """80 generated leads and the 60 accounts they were written against, truth dropped."""
    accounts = generate_accounts(60, seed=3, dup_rate=0)
    leads = generate_account_leads(accounts, 80, seed=3)
    return leads.drop(columns=["account_id", "company_id"]), accounts.drop(columns="company_id")


@pytest.fixture()
def files(tmp_path, tables):
    leads, accounts = tables
    leads_file, accounts_file = tmp_path / "leads.csv", tmp_path / "accounts.csv"
    write_table(leads, leads_file)
    write_table(accounts, accounts_file)
    return str(leads_file), str(accounts_file)


def _link(*argv: str) -> int:
    return main(["link", *argv, "--quiet"])


def test_link_writes_the_outputs_with_every_lead(tmp_path, files, tables, capsys):
    out = tmp_path / "out"
    assert _link(*files, "--output-dir", str(out), "--seed", "3") == 0
    for name in ("matches.csv", "pairs.csv", "pairs.parquet", "model.json"):
        assert (out / name).exists(), name
    assert not (out / "matches.xlsx").exists()
    matches = read_leads(out / "matches.csv")
    assert matches["lead_id"].tolist() == tables[0]["lead_id"].tolist()
    assert set(matches["status"]) <= set(STATUSES)
    assert set(matches["account_id"].dropna()) <= set(tables[1]["account_id"])
    assert LeadModel.load(out / "model.json").entity == "company"
    printed = capsys.readouterr().out.strip()
    counts = matches["status"].value_counts()
    assert printed.startswith(
        f"80 leads: {counts['matched']} matched, {counts.get('uncertain', 0)} uncertain, "
        f"{counts.get('no_match', 0)} no_match;"
    )
    assert len(printed.splitlines()) == 1


def test_link_reads_workbooks_and_writes_one(tmp_path, tables):
    leads, accounts = tables
    workbook = tmp_path / "leads.xlsx"
    with pd.ExcelWriter(workbook) as writer:
        pd.DataFrame({"note": ["not the leads"]}).to_excel(writer, sheet_name="说明", index=False)
        leads.to_excel(writer, sheet_name="线索", index=False)
    write_table(accounts, tmp_path / "accounts.parquet")
    out = tmp_path / "out"
    argv = [str(workbook), str(tmp_path / "accounts.parquet"), "--sheet", "线索"]
    assert _link(*argv, "--output-dir", str(out), "--seed", "3") == 0
    from_excel = pd.read_excel(out / "matches.xlsx", dtype=str)
    assert from_excel["lead_id"].tolist() == leads["lead_id"].tolist()


def test_columns_of_each_file_are_mapped(tmp_path, tables):
    leads, accounts = tables
    leads = leads.rename(columns={"lead_id": "线索编号", "company": "单位"})
    accounts = accounts.rename(columns={"account_id": "客户编号", "company": "单位全称"})
    write_table(leads, tmp_path / "leads.csv")
    write_table(accounts, tmp_path / "accounts.csv")
    out = tmp_path / "out"
    argv = [
        str(tmp_path / "leads.csv"), str(tmp_path / "accounts.csv"), "--output-dir", str(out),
        "--lead-id", "线索编号", "--account-id", "客户编号", "--lead-column", "company=单位",
        "--account-column", "company=单位全称", "--seed", "3",
    ]  # fmt: skip
    assert _link(*argv) == 0
    matches = read_leads(out / "matches.csv")
    assert matches["lead_id"].tolist() == leads["线索编号"].tolist()
    pairs = read_leads(out / "pairs.csv")
    assert "company_level" in pairs.columns
    assert (matches["status"] == "matched").sum() > len(matches) / 2


def test_a_missing_id_column_exits_2_with_the_message(tmp_path, files, capsys):
    out = tmp_path / "out"
    assert _link(*files, "--output-dir", str(out), "--account-id", "客户ID") == 2
    error = capsys.readouterr().err
    assert error.startswith("leadlink: error: accounts:")
    assert "'客户ID'" in error and len(error.strip().splitlines()) == 1
    assert not out.exists()


def test_a_bad_mapping_names_its_option(tmp_path, files, capsys):
    assert _link(*files, "--output-dir", str(tmp_path / "o"), "--lead-column", "company") == 2
    assert "--lead-column takes ROLE=COLUMN" in capsys.readouterr().err


def test_errors_in_chinese(tmp_path, files, capsys, monkeypatch):
    from leadlink._i18n import set_language

    monkeypatch.setenv("LEADLINK_LANG", "zh")
    set_language(None)
    assert _link(*files, "--output-dir", str(tmp_path / "o"), "--lead-id", "编号") == 2
    error = capsys.readouterr().err
    assert error.startswith("leadlink: 错误：线索表：") and "'编号'" in error


def test_no_lead_linked_exits_3_and_says_why(tmp_path, files, capsys):
    # At threshold 1 no account is sure enough: the outputs are written all the same.
    out = tmp_path / "out"
    assert _link(*files, "--output-dir", str(out), "--seed", "3", "--threshold", "1") == 3
    captured = capsys.readouterr()
    assert " 0 matched" in captured.out
    assert "leadlink: warning: no lead reached the threshold 1 (the best scored" in captured.err
    assert "exit code 3" in captured.err
    matches = read_leads(out / "matches.csv")
    assert len(matches) == 80 and matches["account_id"].isna().all()
