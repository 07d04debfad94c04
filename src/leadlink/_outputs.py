"""Output folders the command line writes whole: one run's files, or the previous ones as
they were.

A command claims its ``--output-dir`` before it reads anything (:meth:`OutputFolder.claim`):
the folder is created if missing and locked (``.leadlink.lock``, so that a second run into
it stops at once with exit code 2 instead of mixing its files in), and it must hold nothing
leadlink did not write unless ``--overwrite`` is given. The run writes its files into a
private staging folder inside the output folder (the same filesystem, so moves are
renames); :meth:`OutputFolder.writing` then moves them into place with :func:`os.replace`,
which replaces a symbolic link instead of writing through it, and writes
``leadlink-run.json`` last: the manifest that lists the run's files with their SHA-256.
The previous run's files that the new run does not write are removed; files leadlink did
not write are never removed. If anything fails, the files moved so far go back and the
folder holds the previous run's outputs, as they were.

A dedupe run also records in its manifest the settings it ran with, in the library's terms
(:func:`dedupe_settings`: the id column, the role → column mapping, the region, the
threshold, the survivorship policy, how the outputs show phones and emails, the leads file),
so that ``leadlink rethreshold`` can cluster its pairs again later without asking for them
(:func:`read_dedupe_run`).
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from leadlink._i18n import say
from leadlink._version import __version__
from leadlink.errors import ConfigError, InputError, ResourceError

__all__ = [
    "LOCK",
    "MANIFEST",
    "SETTINGS",
    "OutputFolder",
    "SavedRun",
    "dedupe_settings",
    "read_dedupe_run",
    "read_manifest",
]

#: The manifest of a run: format, version, command, options, time, files with SHA-256.
MANIFEST = "leadlink-run.json"
#: The lock file a run holds while it may write into the folder.
LOCK = ".leadlink.lock"
_STAGING = ".leadlink-tmp-"
#: The key of a dedupe run's manifest options that holds :func:`dedupe_settings`.
SETTINGS = "settings"
_FORMAT = "leadlink-run"
_MANIFEST_MAX_BYTES = 1 << 20
#: The files a dedupe output folder must hold to be clustered again.
_DEDUPE_FILES = ("pairs.parquet", "clusters.csv")


class OutputFolder:
    """The folder one CLI run writes its outputs to (see the module docstring).

    Use it as a context manager around the whole command: entering claims the folder
    (creates, locks, checks it), leaving releases the lock and, when the run failed, removes
    the folders it created. Write the outputs inside :meth:`writing`.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        overwrite: bool = False,
        command: str = "",
        options: Mapping[str, Any] | None = None,
    ) -> None:
        self.path = Path(path)
        self.overwrite = overwrite
        self._command = command
        self._options = dict(options or {})
        self._lock_fd: int | None = None
        self._created: list[Path] = []  # folders this run created, deepest first
        self._committed = False

    def __enter__(self) -> OutputFolder:
        self.claim()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()

    def claim(self) -> None:
        """Create and lock the folder; refuse it when the outputs cannot go there.

        Raises:
            ConfigError: the path is a file, cannot be created or written, or the folder
                holds files leadlink did not write (and ``overwrite`` is off).
            ResourceError: another leadlink run holds the folder.
        """
        if self.path.exists() and not self.path.is_dir():
            raise ConfigError(
                say(
                    f"--output-dir {self.path} is a file, not a folder; give the path of a "
                    "folder (it is created if missing)",
                    f"--output-dir {self.path} 是文件而不是文件夹；"
                    "请给出文件夹的路径（不存在时会自动创建）",
                )
            )
        try:
            self._make_folders()
            self._lock()
            self._remove_stale_staging()
            foreign = self._survey()[1]
        except OSError as error:
            self.release()
            raise ConfigError(
                say(
                    f"cannot write to the output folder {self.path}/ ({_reason(error)}); choose "
                    "a folder you can write to",
                    f"无法写入输出文件夹 {self.path}/（{_reason(error)}）；请选择有写权限的文件夹",
                )
            ) from None
        except ResourceError:
            self.release()
            raise
        if foreign and not self.overwrite:
            self.release()
            raise ConfigError(
                say(
                    f"the output folder {self.path}/ holds files leadlink did not write or that "
                    f"were changed since ({_some(foreign)}); choose a new or empty folder, or add "
                    "--overwrite to replace leadlink's outputs in it (other files are kept)",
                    f"输出文件夹 {self.path}/ 中有不是 leadlink 写入的文件，或写入后被改动过"
                    f"（{_some(foreign)}）；请选择新的或空的文件夹，"
                    "或加上 --overwrite 以替换其中 leadlink 的输出（其他文件会保留）",
                )
            )

    def record(self, name: str, value: Any) -> None:
        """Keep ``value`` (plain JSON data) under ``name`` in the options the manifest
        lists, beside the command line's: what a later command needs to know of this run
        (call before :meth:`writing`)."""
        self._options[name] = value

    def release(self) -> None:
        """Unlock the folder; after a failed run, remove the folders the claim created."""
        if self._lock_fd is not None:
            if not self._committed and self._created:
                with suppress(OSError):
                    os.unlink(self.path / LOCK)
            os.close(self._lock_fd)  # closing the file releases the lock
            self._lock_fd = None
        if not self._committed:
            for folder in self._created:  # deepest first; rmdir leaves a non-empty one
                with suppress(OSError):
                    os.rmdir(folder)
        self._created = []

    @contextmanager
    def writing(self) -> Iterator[Path]:
        """A new, empty staging folder to write the outputs into; on a clean exit from the
        ``with`` block its files replace the previous run's in the output folder.

        Raises:
            ResourceError: a file could not be written or moved (disk full, permissions);
                the output folder holds what it held before.
            ConfigError: files leadlink did not write appeared under the outputs' names
                during the run (and ``overwrite`` is off), or an output's name is a folder.
        """
        if self._lock_fd is None:
            raise RuntimeError("claim the output folder before writing to it")
        staging: Path | None = None
        try:
            staging = Path(tempfile.mkdtemp(prefix=_STAGING, dir=self.path))
            yield staging
            self._commit(staging)
        except OSError as error:
            raise ResourceError(
                say(
                    f"cannot write the outputs to {self.path}/ ({_reason(error)}); the folder "
                    "holds what it held before",
                    f"无法把输出写入 {self.path}/（{_reason(error)}）；文件夹保持原样",
                )
            ) from None
        finally:
            if staging is not None:
                shutil.rmtree(staging, ignore_errors=True)

    def _make_folders(self) -> None:
        missing = []
        folder = self.path
        while not folder.exists() and folder != folder.parent:
            missing.append(folder)
            folder = folder.parent
        for folder in reversed(missing):
            try:
                folder.mkdir()
            except FileExistsError:
                if not folder.is_dir():  # a dangling symbolic link, or a file just made
                    raise NotADirectoryError(errno.ENOTDIR, "not a folder") from None
                continue
            self._created.insert(0, folder)

    def _lock(self) -> None:
        lock = self.path / LOCK
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(lock, flags, 0o644)
        except OSError as error:
            if error.errno not in (errno.ELOOP, errno.EMLINK) or not lock.is_symlink():
                raise
            lock.unlink()  # a link where the lock goes: replace it, never follow it
            fd = os.open(lock, flags, 0o644)
        try:
            _lock_file(fd)
        except OSError as error:
            os.close(fd)
            if isinstance(error, BlockingIOError) or error.errno in (errno.EACCES, errno.EAGAIN):
                raise ResourceError(
                    say(
                        f"another leadlink run is writing to {self.path}/; wait for it to finish "
                        "or choose another --output-dir",
                        f"另一个 leadlink 任务正在写入 {self.path}/；"
                        "请等它结束，或换一个 --output-dir",
                    )
                ) from None
            raise
        self._lock_fd = fd

    def _remove_stale_staging(self) -> None:
        """Staging folders of runs that were killed: nobody else holds the lock."""
        for entry in _scan(self.path):
            if entry.name.startswith(_STAGING):
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    with suppress(OSError):
                        os.unlink(entry.path)

    def _survey(self) -> tuple[set[str], set[str]]:
        """(the previous run's files as it wrote them, every other entry of the folder)."""
        listed = _listed_files(self.path)
        previous: set[str] = set()
        foreign: set[str] = set()
        for entry in _scan(self.path):
            name = entry.name
            if name == LOCK and entry.is_file(follow_symlinks=False):
                continue
            if name.startswith(_STAGING) and entry.is_dir(follow_symlinks=False):
                continue
            if name == MANIFEST and listed is not None:
                continue
            if (
                listed is not None
                and name in listed
                and entry.is_file(follow_symlinks=False)
                and _sha256(Path(entry.path)) == listed[name]
            ):
                previous.add(name)
            else:
                foreign.add(name)
        return previous, foreign

    def _commit(self, staging: Path) -> None:
        names = sorted(entry.name for entry in _scan(staging))
        files = {}
        for name in names:
            _fsync(staging / name)
            files[name] = {
                "bytes": (staging / name).stat().st_size,
                "sha256": _sha256(staging / name),
            }
        manifest = {
            "format": _FORMAT,
            "version": __version__,
            "command": self._command,
            "options": self._options,
            "written_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "files": files,
        }
        (staging / MANIFEST).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2, default=str) + "\n", "utf-8"
        )
        _fsync(staging / MANIFEST)

        previous, foreign = self._survey()
        clash = foreign & {*names, MANIFEST}
        if clash and not self.overwrite:
            raise ConfigError(
                say(
                    f"files leadlink did not write appeared in {self.path}/ during the run "
                    f"({_some(clash)}); the outputs were not written — move them away or add "
                    "--overwrite",
                    f"运行期间 {self.path}/ 中出现了不是 leadlink 写入的文件（{_some(clash)}）；"
                    "输出未写入——请移走这些文件，或加上 --overwrite",
                )
            )
        outgoing = sorted(previous | clash | ({MANIFEST} & _entries(self.path)))
        for name in [*names, MANIFEST]:
            target = self.path / name
            if target.is_dir() and not target.is_symlink():
                raise ConfigError(
                    say(
                        f"{target} is a folder where leadlink writes a file; move it away and run "
                        "again",
                        f"{target} 是文件夹，而 leadlink 要在这里写入文件；请把它移走后重新运行",
                    )
                )
        # Move the old files aside first, the old manifest among them: until the new
        # manifest is in place the folder does not claim to hold one run's files.
        aside = staging / ".previous"
        aside.mkdir()
        moved: list[str] = []
        placed: list[str] = []
        try:
            if MANIFEST in outgoing:
                os.replace(self.path / MANIFEST, aside / MANIFEST)
                moved.append(MANIFEST)
            for name in outgoing:
                if name != MANIFEST:
                    os.replace(self.path / name, aside / name)
                    moved.append(name)
            for name in [*names, MANIFEST]:
                os.replace(staging / name, self.path / name)
                placed.append(name)
        except OSError:
            for name in placed:
                with suppress(OSError):
                    os.unlink(self.path / name)
            for name in moved:
                with suppress(OSError):
                    os.replace(aside / name, self.path / name)
            raise
        self._committed = True
        _fsync(self.path)


def _lock_file(fd: int) -> None:
    """Lock ``fd`` for this process without waiting; OSError when another one holds it."""
    if sys.platform == "win32":
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def read_manifest(folder: str | Path) -> dict[str, Any] | None:
    """The manifest of the run that wrote ``folder`` (``leadlink-run.json``), or None when
    there is none that leadlink wrote (missing, a link, damaged, too large)."""
    path = Path(folder) / MANIFEST
    try:
        if not path.is_file() or path.is_symlink() or path.stat().st_size > _MANIFEST_MAX_BYTES:
            return None
        data = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or data.get("format") != _FORMAT:
        return None
    return data


def dedupe_settings(result: Any, *, leads_file: str | Path | None = None) -> dict[str, Any]:
    """What :func:`leadlink.pipeline.load_result` needs to rebuild a dedupe result from
    its output folder, as plain data for the manifest (:meth:`OutputFolder.record` under
    :data:`SETTINGS`): the id column, roles, region, threshold, survivorship policy, how
    the outputs show phones, emails and names, whether phones and emails were matched as
    keyed hashes (never the key), the number of leads and the leads file (absolute)."""
    masking = result.masking
    return {
        "id_column": str(result.clusters.columns[0]),
        "roles": {str(role): str(column) for role, column in result.roles.items()},
        "region": masking.region,
        "threshold": float(result.threshold),
        "policy": None if result.policy is None else result.policy.to_dict(),
        "outputs": masking.mode,
        "mask_names": bool(masking.names),
        "hashed": masking.hash_key is not None,
        "leads": len(result.clusters),
        "leads_file": None if leads_file is None else str(Path(leads_file).resolve()),
    }


@dataclass(frozen=True)
class SavedRun:
    """A dedupe output folder as :func:`read_dedupe_run` found it."""

    folder: Path
    #: The command that wrote it (``dedupe``, ``demo``, ``rethreshold``).
    command: str
    #: The command line's options as the manifest lists them.
    options: dict[str, Any]
    #: :func:`dedupe_settings` of the run.
    settings: dict[str, Any]


def read_dedupe_run(folder: str | os.PathLike[str]) -> SavedRun:
    """The output folder of a dedupe run, checked to hold what clustering it again needs:
    ``pairs.parquet``, ``clusters.csv`` and a manifest with the run's settings.

    Raises:
        InputError: the folder is missing, or is not such a folder (the message says
            which file is missing and what to do).
    """
    where = Path(folder)
    if not where.is_dir():
        raise InputError(
            say(
                f"{str(where)!r} is not a folder; give the --output-dir of a leadlink dedupe run",
                f"{str(where)!r} 不是文件夹；请给出 leadlink dedupe 的 --output-dir",
            )
        )
    for name in _DEDUPE_FILES:
        if not (where / name).is_file():
            raise InputError(
                say(
                    f"{str(where)!r} has no {name}, so it is not the output folder of a "
                    "leadlink dedupe run (or a file was removed); run leadlink dedupe again",
                    f"{str(where)!r} 中没有 {name}，不是 leadlink dedupe 的输出文件夹"
                    "（或有文件被删除）；请重新运行 leadlink dedupe",
                )
            )
    manifest = read_manifest(where) or {}
    options = manifest.get("options")
    settings = options.get(SETTINGS) if isinstance(options, dict) else None
    if not isinstance(options, dict) or not isinstance(settings, dict):
        raise InputError(
            say(
                f"the manifest of {str(where)!r} ({MANIFEST}) is missing or does not record "
                "the run's settings (written by an older leadlink, or by another command); "
                "run leadlink dedupe again",
                f"{str(where)!r} 的清单（{MANIFEST}）缺失，或未记录该次运行的设置"
                "（由较早版本的 leadlink 或其他命令写入）；请重新运行 leadlink dedupe",
            )
        )
    return SavedRun(where, str(manifest.get("command") or ""), options, settings)


def _listed_files(folder: Path) -> dict[str, str] | None:
    """{file name: SHA-256} from the manifest leadlink wrote in ``folder``, or None
    (missing, a link, damaged, too large, or not leadlink's)."""
    data = read_manifest(folder)
    if data is None:
        return None
    files = data.get("files")
    if not isinstance(files, dict):
        return None
    return {
        str(name): str(entry["sha256"])
        for name, entry in files.items()
        if isinstance(entry, dict) and isinstance(entry.get("sha256"), str)
    }


def _scan(folder: Path) -> list[os.DirEntry[str]]:
    with os.scandir(folder) as entries:
        return list(entries)


def _entries(folder: Path) -> set[str]:
    return {entry.name for entry in _scan(folder)}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync(path: Path) -> None:
    """Flush a file, or a folder's entries, to disk (folders: not on every platform)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        with suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def _some(names: set[str]) -> str:
    listed = sorted(names)
    shown = ", ".join(listed[:3])
    return shown if len(listed) <= 3 else f"{shown} and {len(listed) - 3} more"


def _reason(error: OSError) -> str:
    return error.strerror or type(error).__name__
