"""How the real-time index (:mod:`leadlink.match._index`) holds its leads column by column,
and the folder it saves them to.

A million leads held as Python objects take gigabytes and minutes to rebuild, so the leads
a :class:`~leadlink.match.CandidateIndex` is built (or loaded) with are kept as arrays:
their prepared values as an Arrow table (:func:`arrow`, :func:`plain`), each map as stable
64-bit hashes of its keys, sorted, with the rows of each key beside them (:class:`Keyed`),
frequencies as counts beside sorted value hashes (:class:`Counts`), people as connected
components (:func:`components`). :func:`write_columns` writes them as they are
(``rows.arrow``, one ``.npy`` file per array, ``index.json``) and :func:`read_columns`
maps them back into memory.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas._libs.hashing import hash_object_array
from pandas.api.types import infer_dtype

from leadlink._files import replacing, write_arrow
from leadlink._i18n import say
from leadlink.errors import ModelError

__all__ = [
    "FEW_ROWS",
    "INDEX_FORMAT",
    "INDEX_VERSION",
    "MISSING_HASH",
    "Counts",
    "Hashes",
    "Keyed",
    "arrow",
    "combined_hash",
    "combined_hashes",
    "key_text",
    "plain",
    "plain_column",
    "plain_records",
    "read_columns",
    "read_meta",
    "stable_hashes",
    "write_columns",
]

INDEX_FORMAT = "leadlink-candidate-index"
INDEX_VERSION = 3

#: Up to this many rows, :func:`plain_records` reads a frame row by row (and the index adds
#: them one by one beside its arrays).
FEW_ROWS = 32
#: The key of the stable hash (pandas' default: the same in every process).
_HASH_KEY = "0123456789123456"
_NO_ROWS = np.zeros(0, dtype=np.int64)


def key_text(value: Any) -> str:
    """A key or value as the text that is hashed: a whole float as the integer (so 3.0
    and 3 are one key, as they are one key of a dict)."""
    if type(value) is str:
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def stable_hashes(values: np.ndarray) -> np.ndarray:
    """Stable 64-bit hashes (the same in every process, unlike ``hash()``) of keys or
    values, for arrays saved in one process and searched in another."""
    if not len(values):
        return np.zeros(0, dtype=np.uint64)
    if values.dtype == object and _all_text(values):
        texts = values  # the text of a str is itself
    else:
        texts = np.array([key_text(v) for v in values.tolist()], dtype=object)
    return hash_object_array(texts, _HASH_KEY, "utf8")


def _all_text(values: np.ndarray) -> bool:
    """Whether every value of an object array is a str (pandas checks it in C)."""
    return bool(infer_dtype(values, skipna=False) == "string")


class Hashes:
    """The stable hashes of the keys of a frame's columns, each distinct value hashed once.

    A column's values are numbered (``pd.factorize``) and only the distinct ones hashed; a
    key of several columns is numbered from its columns' numbers, and only its distinct
    combinations are joined into text and hashed. A million leads hold a few hundred
    thousand names, cities and employers, and hashing text costs a microsecond a value.
    """

    def __init__(self, frame: pd.DataFrame, table: pa.Table | None = None) -> None:
        self._frame = frame
        self._table = table
        self._columns: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray] | None] = {}

    def _numbered(self, column: str) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """Per row the number of its value (-1: missing), the distinct values and their
        hashes; None for a column of values other than text (hashed row by row).

        A text column of ``table`` (the same values as Arrow) is numbered by Arrow, in
        the order the values first come, as ``pd.factorize`` numbers them (a third of
        the time on a million leads)."""
        if column not in self._columns and self._table is not None:
            found = self._table.column(column)
            if pa.types.is_string(found.type):
                encoded = pc.dictionary_encode(found.combine_chunks())
                codes = encoded.indices.fill_null(-1).to_numpy().astype(np.int32)
                uniques = encoded.dictionary.to_numpy(zero_copy_only=False).astype(object)
                self._columns[column] = (codes, uniques, stable_hashes(uniques))
        if column not in self._columns:
            values = self._frame[column].to_numpy(dtype=object)
            codes, uniques = pd.factorize(values)
            uniques = np.asarray(uniques, dtype=object)
            # numbering merges values Python holds equal (1, 1.0, True) whose texts differ
            plain_text = _all_text(uniques) or not len(uniques)
            self._columns[column] = (
                (codes.astype(np.int32), uniques, stable_hashes(uniques)) if plain_text else None
            )
        return self._columns[column]

    def key(self, fields: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """The rows whose key of ``fields`` is complete (a mask) and the key's hash for
        each of them: the hash of the value for one field; for several, the
        :func:`combined_hashes` of their values' hashes (the index hashes a key it is asked
        for the same way). Equal values, equal keys, as in the key
        :func:`~leadlink.match.add_blocking_keys` builds."""
        if len(fields) == 1:
            numbered = self._numbered(fields[0])
            if numbered is None:
                return self._row_by_row(fields)
            codes, _, hashes = numbered
            present = codes >= 0
            return present, hashes[codes[present]]
        hashed = [self.values(f) for f in fields]
        present = np.ones(len(self._frame), dtype=bool)
        for values in hashed:
            present &= values != np.uint64(MISSING_HASH)
        combined = combined_hashes((values[present] for values in hashed), int(present.sum()))
        return present, combined.astype(np.uint64)

    def values(self, column: str) -> np.ndarray:
        """Per row the stable hash of its value in ``column``, :data:`MISSING_HASH` where
        it has none (what :func:`combined_hashes` combines)."""
        numbered = self._numbered(column)
        if numbered is not None:
            codes, _, hashes = numbered
            out = np.full(len(codes), MISSING_HASH, dtype=np.uint64)
            out[codes >= 0] = hashes[codes[codes >= 0]]
            return out
        out = np.full(len(self._frame), MISSING_HASH, dtype=np.uint64)
        column_values = self._frame[column].to_numpy(dtype=object)
        if infer_dtype(column_values, skipna=True) in ("integer", "boolean"):
            # values of one kind: numbering merges none whose texts differ
            codes, uniques = pd.factorize(column_values)
            present = codes >= 0
            out[present] = stable_hashes(np.asarray(uniques, dtype=object))[codes[present]]
            return out
        present, hashed = self._row_by_row((column,))
        out[present] = hashed
        return out

    def _row_by_row(self, fields: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """One field's present rows and their values' hashes, value by value."""
        (field,) = fields
        values = self._frame[field].to_numpy(dtype=object)
        present = ~pd.isna(values)
        return present, stable_hashes(values[present])


class Keyed:
    """Rows by key hash, as arrays: ``keys`` (sorted, distinct), ``starts`` (where each
    key's rows begin in ``rows``, and the end), ``rows``; and a dict of the rows put
    under a key since (rows of the arrays that are removed are masked by the index)."""

    def __init__(self, keys: np.ndarray, starts: np.ndarray, rows: np.ndarray) -> None:
        self.keys, self.starts, self.rows = keys, starts, rows
        self.added: dict[int, list[int]] = {}

    @classmethod
    def build(cls, hashes: np.ndarray, rows: np.ndarray) -> Keyed:
        hashes = np.asarray(hashes, dtype=np.uint64)
        rows = np.asarray(rows, dtype=np.int64)
        if len(rows) < 2 or bool((rows[1:] > rows[:-1]).all()):  # rows in order: sort keys
            order = np.argsort(hashes, kind="stable")
        else:
            order = np.lexsort((rows, hashes))
        ordered = hashes[order]
        first = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))
        keys = ordered[first] if len(ordered) else ordered
        starts = np.append(first[: len(keys)], len(ordered)).astype(np.int64)
        return cls(keys, starts, rows[order])

    @classmethod
    def of(cls, arrays: Mapping[str, np.ndarray], name: str) -> Keyed:
        return cls(arrays[f"{name}.keys"], arrays[f"{name}.starts"], arrays[f"{name}.rows"])

    def arrays(self, name: str) -> dict[str, np.ndarray]:
        return {f"{name}.keys": self.keys, f"{name}.starts": self.starts,
                f"{name}.rows": self.rows}  # fmt: skip

    def slot(self, hashed: int) -> int:
        """The position of a key in ``keys``, -1 when the arrays lack it."""
        at = int(np.searchsorted(self.keys, np.uint64(hashed)))
        return at if at < len(self.keys) and int(self.keys[at]) == hashed else -1

    def frozen(self, slot: int) -> np.ndarray:
        if slot < 0:
            return _NO_ROWS
        return np.asarray(self.rows[self.starts[slot] : self.starts[slot + 1]])

    def put(self, hashed: int, row: int) -> None:
        self.added.setdefault(hashed, []).append(row)

    def drop(self, hashed: int, row: int) -> None:
        rows = self.added[hashed]
        rows.remove(row)
        if not rows:
            del self.added[hashed]


class Counts:
    """How many people hold each value of a frequency column: ``values`` (the values'
    hashes, sorted), ``counts`` beside them, ``codes`` (each row's value as a position
    in ``values``, -1 for none) and a dict for values the arrays lack."""

    def __init__(self, values: np.ndarray, counts: np.ndarray, codes: np.ndarray) -> None:
        self.values, self.counts, self.codes = values, counts, codes
        self.added: dict[int, int] = {}

    def hash_at(self, row: int) -> int | None:
        code = int(self.codes[row])
        return None if code < 0 else int(self.values[code])

    def _slot(self, hashed: int) -> int:
        at = int(np.searchsorted(self.values, np.uint64(hashed)))
        return at if at < len(self.values) and int(self.values[at]) == hashed else -1

    def count(self, hashed: int | None) -> int:
        if hashed is None:
            return 0
        slot = self._slot(hashed)
        return int(self.counts[slot]) if slot >= 0 else self.added.get(hashed, 0)

    def set(self, hashed: int, count: int) -> None:
        slot = self._slot(hashed)
        if slot >= 0:
            self.counts[slot] = count
        elif count:
            self.added[hashed] = count
        else:
            self.added.pop(hashed, None)


#: The hash a missing value counts as in a record's :func:`combined_hash`.
MISSING_HASH = 0x9E3779B97F4A7C15
_BITS = (1 << 64) - 1


def combined_hash(hashes: Iterable[int]) -> int:
    """A 63-bit number that stands for a record's compared values (equal values, equal
    numbers), from the stable hash of each value in order (:data:`MISSING_HASH` for a
    missing one): each is added to the number so far, mixed by SplitMix64's finaliser.
    :func:`combined_hashes` gives the same numbers for many records at once."""
    h = 0
    for value in hashes:
        h = (h + value) & _BITS
        h ^= h >> 30
        h = (h * 0xBF58476D1CE4E5B9) & _BITS
        h ^= h >> 27
        h = (h * 0x94D049BB133111EB) & _BITS
        h ^= h >> 31
    return h >> 1


def combined_hashes(columns: Iterable[np.ndarray], rows: int) -> np.ndarray:
    """:func:`combined_hash` of each of ``rows`` rows, from one array of value hashes per
    column (``uint64``; arrays wrap around as the masks above do), taken one at a time (a
    generator of them holds one column in memory, not all).

    >>> hashes = [np.array([1, 2], dtype=np.uint64), np.array([3, 4], dtype=np.uint64)]
    >>> combined_hashes(hashes, 2).tolist() == [combined_hash([1, 3]), combined_hash([2, 4])]
    True
    """
    h = np.zeros(rows, dtype=np.uint64)
    for values in columns:
        h = h + values.astype(np.uint64, copy=False)
        h ^= h >> np.uint64(30)
        h *= np.uint64(0xBF58476D1CE4E5B9)
        h ^= h >> np.uint64(27)
        h *= np.uint64(0x94D049BB133111EB)
        h ^= h >> np.uint64(31)
    return (h >> np.uint64(1)).astype(np.int64)


def arrow(values: list[Any]) -> pa.Array:
    """A column of plain values as Arrow (values of mixed kinds as text)."""
    try:
        return pa.array(values, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array([None if v is None else str(v) for v in values], pa.string())


def plain(value: Any) -> Any:
    """A prepared value as a plain Python value, None when missing."""
    if value is None or type(value) is str:
        return value
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return None
    return value


def plain_column(values: pd.Series) -> np.ndarray:
    """A column's values as :func:`plain` makes them, in an object array: text stays as
    it is, numbers become Python's, missing values None (value by value only when the
    column holds something else)."""
    if values.dtype != object:  # numbers made Python's by astype(object)
        return values.astype(object).where(values.notna(), None).to_numpy(dtype=object)
    out = values.to_numpy(dtype=object, copy=True)
    out[pd.isna(out)] = None
    if infer_dtype(out, skipna=True) in ("string", "empty"):  # text, or nothing at all
        return out
    return np.fromiter((plain(v) for v in out), dtype=object, count=len(out))


def plain_records(frame: pd.DataFrame, columns: Sequence[str]) -> Iterable[dict[str, Any]]:
    """The rows of ``frame`` as dicts of ``columns``' plain values."""
    if len(frame) <= FEW_ROWS:  # a lead typed in: no column-by-column conversion
        rows: Iterable[Sequence[Any]] = frame[list(columns)].to_numpy(dtype=object)
    else:
        values = [frame[c].astype(object).where(frame[c].notna(), None).tolist() for c in columns]
        rows = zip(*values)
    for row in rows:
        yield {c: plain(v) for c, v in zip(columns, row)}


# -- the folder ------------------------------------------------------------------------------


def write_columns(
    folder: Path, base: pa.Table, arrays: Mapping[str, np.ndarray], settings: Mapping[str, Any]
) -> None:
    """Write ``rows.arrow`` (``base``: the prepared values, one row per lead), one ``.npy``
    file per array and, last, ``index.json`` (format, version, ``settings``, the arrays'
    names)."""
    # each file is written aside and moved into place: an index loaded from this very
    # folder reads its files memory-mapped, and a file cut short under a map is a
    # bus error (a file replaced stays readable to whoever has it mapped)
    write_arrow(folder / "rows.arrow", base)
    for name, values in arrays.items():
        with replacing(folder / f"{name}.npy") as written, written.open("wb") as out:
            np.save(out, values, allow_pickle=False)
    meta = {"format": INDEX_FORMAT, "version": INDEX_VERSION, **settings, "arrays": sorted(arrays)}
    with replacing(folder / "index.json") as written:
        written.write_text(json.dumps(meta, ensure_ascii=False), "utf-8")


def read_meta(folder: Path) -> dict[str, Any]:
    """``index.json`` of the folder, of this format and version."""
    try:
        meta = json.loads((folder / "index.json").read_text("utf-8"))
    except (OSError, ValueError) as error:
        raise ModelError(
            say(
                f"no CandidateIndex in {str(folder)!r} ({type(error).__name__}); "
                "write one with CandidateIndex.save()",
                f"{str(folder)!r} 中没有 CandidateIndex（{type(error).__name__}）；"
                "请用 CandidateIndex.save() 写出",
            )
        ) from error
    if not isinstance(meta, dict) or meta.get("format") != INDEX_FORMAT:
        raise ModelError(
            say(
                "not a saved CandidateIndex (CandidateIndex.save())",
                "这不是保存的 CandidateIndex（CandidateIndex.save()）",
            )
        )
    if meta.get("version") != INDEX_VERSION:
        raise ModelError(
            say(
                f"CandidateIndex version {meta.get('version')!r} is not "
                f"{INDEX_VERSION}; build the index again from the prepared leads",
                f"CandidateIndex 版本 {meta.get('version')!r} 不是 {INDEX_VERSION}；"
                "请用预处理后的线索重新建立索引",
            )
        )
    return meta


def read_columns(folder: Path, meta: Mapping[str, Any]) -> tuple[pa.Table, dict[str, np.ndarray]]:
    """``rows.arrow`` and the arrays ``meta`` names, memory-mapped (nothing is read until
    it is touched)."""
    base = pa.ipc.open_file(pa.memory_map(str(folder / "rows.arrow"), "r")).read_all()
    arrays = {
        name: np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False)
        for name in meta["arrays"]
    }
    return base, arrays
