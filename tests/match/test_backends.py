"""leadlink's own DuckDB: locked down, spilling into a private folder that goes at the end,
on an error, on SIGTERM, and after a SIGKILL with the next run; a caller's own database is
left as it is."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

import leadlink as ll
from leadlink.match import _backends
from leadlink.match._backends import DUCKDB_LOCKDOWN, PRIVATE_FOLDER_PREFIX, database

SETTINGS = (
    "enable_external_access",
    "autoinstall_known_extensions",
    "autoload_known_extensions",
    "allow_community_extensions",
    "lock_configuration",
    "memory_limit",
    "temp_directory",
    "enable_progress_bar",
)


@pytest.fixture
def temp_root(tmp_path, monkeypatch) -> Path:
    """The temporary folder leadlink sees (TMPDIR), empty, apart from the shared one."""
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


def _ours(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith(PRIVATE_FOLDER_PREFIX))


def _settings(connection: duckdb.DuckDBPyConnection) -> dict[str, str]:
    rows = connection.execute(
        "SELECT name, value FROM duckdb_settings() WHERE list_contains(?, name)", [list(SETTINGS)]
    ).fetchall()
    return {name: str(value) for name, value in rows}


@pytest.fixture
def leads(small_leads) -> pd.DataFrame:
    return small_leads.drop(columns=["person_id", "is_ghost"]).head(200)


# ------------------------------------------------------------------ the settings


def test_leadlinks_duckdb_is_locked_down_and_spills_into_a_private_folder(temp_root):
    with database(None) as db:
        assert db._connection is not None
        settings = _settings(db._connection)
        folder = Path(settings["temp_directory"])
        mode = stat.S_IMODE(folder.stat().st_mode)
    assert {name: settings[name] for name, _ in DUCKDB_LOCKDOWN} == dict(DUCKDB_LOCKDOWN)
    assert settings["enable_progress_bar"] == "false"  # no bar printed into a caller's script
    assert folder.parent == temp_root
    assert folder.name.startswith(f"{PRIVATE_FOLDER_PREFIX}duckdb-{os.getpid()}-")
    assert mode == 0o700
    assert not folder.exists()
    assert _ours(temp_root) == []


@pytest.mark.parametrize(
    "statement",
    [
        "COPY (SELECT 1) TO '{out}/leak.csv'",
        "SELECT * FROM read_csv('{out}/leads.csv')",
        "ATTACH '{out}/other.duckdb'",
        "INSTALL httpfs",
        "LOAD httpfs",
        "SET enable_external_access = true",
        "SET lock_configuration = false",
        "SET temp_directory = '{out}'",
        "SET memory_limit = '100GB'",
    ],
)
def test_leadlinks_duckdb_refuses_files_extensions_and_new_settings(statement, tmp_path, temp_root):
    (tmp_path / "leads.csv").write_text("phone\n13800138000\n", "utf-8")
    with database(None) as db, pytest.raises(duckdb.Error):
        assert db._connection is not None
        db._connection.execute(statement.format(out=tmp_path)).fetchall()
    assert not (tmp_path / "leak.csv").exists()


def test_spill_files_land_only_in_the_private_folder(temp_root, monkeypatch):
    monkeypatch.setattr(_backends, "DUCKDB_MEMORY_LIMIT", "48MB")
    phones = pd.DataFrame({"phone": [f"+86138{i:08d}" for i in range(1_200_000)]})
    with database(None) as db:
        assert db._connection is not None and db._folder is not None
        db._connection.register("leads", phones)
        db._connection.execute(
            "CREATE TABLE t AS SELECT phone || phone || phone AS p FROM leads ORDER BY p DESC"
        )
        spilled = [p for p in os.listdir(db._folder) if p.endswith(".tmp")]
        others = [p for p in temp_root.iterdir() if str(p) != db._folder]
    assert spilled, "expected DuckDB to spill past 48MB"
    assert others == []
    assert _ours(temp_root) == []


def test_a_whole_dedupe_runs_locked_down_and_leaves_no_folder(leads, temp_root, monkeypatch):
    seen: list[dict[str, str]] = []
    opened = _backends._duckdb_connection

    def recording(*args: Any, **kwargs: Any) -> duckdb.DuckDBPyConnection:
        connection = opened(*args, **kwargs)
        seen.append(_settings(connection))
        return connection

    monkeypatch.setattr(_backends, "_duckdb_connection", recording)
    result = ll.dedupe(leads)
    assert len(seen) == 3  # training (u on every core, then EM on one) and scoring
    assert all(s["lock_configuration"] == "true" for s in seen)
    assert all(s["enable_external_access"] == "false" for s in seen)
    assert (result.golden["n_leads"] > 1).any()
    assert _ours(temp_root) == []


def test_the_folder_goes_when_the_job_fails(temp_root):
    with pytest.raises(RuntimeError), database(None):
        assert len(_ours(temp_root)) == 1
        raise RuntimeError("a failed fit")
    assert _ours(temp_root) == []


def test_a_callers_own_duckdb_is_used_as_it_is(leads, temp_root):
    from splink import DuckDBAPI

    connection = duckdb.connect()
    before = _settings(connection)
    result = ll.dedupe(leads, backend=DuckDBAPI(connection))
    assert _settings(connection) == before
    assert before["lock_configuration"] == "false"  # theirs to change, even now
    connection.execute("SET threads = 1")
    assert (result.golden["n_leads"] > 1).any()
    assert _ours(temp_root) == []  # no private folder: the caller's database spills


# ------------------------------------------------------------------ signals


# A dedupe that stops, with its database open, as soon as it has registered the leads;
# it prints the spill folder and waits to be killed.
_STOPPED_DEDUPE = textwrap.dedent(
    """
    import signal, sys, time
    {before}
    import leadlink as ll
    from leadlink.datasets import generate_leads
    from leadlink.match import _backends

    register = _backends.Database.register

    def register_and_wait(self, frame):
        table = register(self, frame)
        print(self._folder, flush=True)
        while True:
            time.sleep(0.05)

    _backends.Database.register = register_and_wait
    ll.dedupe(generate_leads(40, seed=1).drop(columns=["person_id", "is_ghost"]))
    """
)


def _stopped_dedupe(root: Path, before: str = "") -> tuple[subprocess.Popen[str], Path]:
    process = subprocess.Popen(
        [sys.executable, "-c", _STOPPED_DEDUPE.format(before=before)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(root)},
    )
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    if not line:
        process.kill()
        raise AssertionError(process.communicate()[1])
    folder = Path(line)
    assert folder.parent == root and folder.is_dir()
    assert folder.name.startswith(f"{PRIVATE_FOLDER_PREFIX}duckdb-{process.pid}-")
    return process, folder


def test_sigterm_removes_the_folder_and_still_ends_the_process(tmp_path):
    process, folder = _stopped_dedupe(tmp_path)
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=60)
    assert process.returncode == -signal.SIGTERM  # died of the signal, as before
    assert not folder.exists()
    assert _ours(tmp_path) == []


def test_sigterm_chains_to_the_programs_own_handler(tmp_path):
    before = "signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(3))"
    process, folder = _stopped_dedupe(tmp_path, before)
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=60)
    assert process.returncode == 3  # the program's handler ran
    assert not folder.exists()  # and the job's clean-up, as its exception unwound


def test_the_folder_of_a_killed_process_is_swept_by_the_next(tmp_path):
    process, folder = _stopped_dedupe(tmp_path)
    process.kill()  # SIGKILL cannot be caught: the folder stays behind
    process.communicate(timeout=60)
    assert folder.exists()
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        alive = tmp_path / f"{PRIVATE_FOLDER_PREFIX}duckdb-{running.pid}-alive"
        not_ours = tmp_path / f"other-duckdb-{process.pid}-x"
        for kept in (alive, not_ours):
            kept.mkdir()
        _backends._sweep(str(tmp_path))
        assert not folder.exists()
        assert alive.exists() and not_ours.exists()
    finally:
        running.kill()
        running.wait()


def test_a_folder_whose_lock_is_held_is_kept_though_its_pid_looks_dead(tmp_path, monkeypatch):
    # A process in another pid namespace (a container sharing /tmp) holds the lock.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    folder = Path(_backends.private_folder("duckdb"))
    try:
        dead = folder.with_name(f"{PRIVATE_FOLDER_PREFIX}duckdb-{_dead_pid()}-x")
        folder.rename(dead)
        _backends._sweep(str(tmp_path))
        assert dead.exists()
    finally:
        _backends.remove_private_folder(str(folder))
        if dead.exists():
            _backends._sweep(str(tmp_path))  # the lock is released now
    assert not dead.exists()


def _dead_pid() -> int:
    """The pid of a process that has ended (and been reaped)."""
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    return ended.pid


def test_an_unknown_backend_is_refused_in_both_languages():
    with pytest.raises(ll.ConfigError, match="backend 'sqlite' is not available"):
        _backends.check_backend("sqlite")
    ll.set_language("zh")
    with pytest.raises(ll.ConfigError, match="后端 'sqlite' 不可用；可选 None 或 'duckdb'"):
        _backends.check_backend("sqlite")
