"""Writing a file so that whoever reads it sees the old file or the new one, never half.

Saved indexes (:meth:`leadlink.LeadIndex.save`, :meth:`leadlink.match.CandidateIndex.save`)
are read back memory-mapped, possibly by the very index that saves over them; a mapped file
cut short under its reader is a bus error. So every file is written beside its place and
moved over it when complete: a file replaced stays readable to whoever has it mapped.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa

__all__ = ["replacing", "write_arrow"]


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A path beside ``path`` to write to; moved over ``path`` when the writing is done
    (removed if it fails).

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> with replacing(folder / "notes.txt") as aside:
    ...     _ = aside.write_text("written", "utf-8")
    >>> (folder / "notes.txt").read_text("utf-8"), sorted(p.name for p in folder.iterdir())
    ('written', ['notes.txt'])
    """
    aside = path.with_name(f".{path.name}.writing")
    try:
        yield aside
        os.replace(aside, path)
    finally:
        aside.unlink(missing_ok=True)


def write_arrow(path: Path, table: pa.Table) -> None:
    """Write ``table`` as an Arrow IPC file aside and move it over ``path`` once it is
    closed (see the module docstring)."""
    with (
        replacing(path) as aside,  # moved into place after the file is closed
        pa.OSFile(str(aside), "wb") as sink,
        pa.ipc.new_file(sink, table.schema) as writer,
    ):
        writer.write_table(table)
