"""Small helpers on cell values that every stage shares: ids as text, distinct values,
times as naive UTC, the values that say there is none.

One copy of each, so that every output of a run writes an id and reads a time the same way
(``clusters``, ``golden`` and ``pairs`` must join on the same id text).
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd

from leadlink._data import words
from leadlink._i18n import say
from leadlink.errors import ConfigError, InputError

__all__ = ["NO_VALUE", "as_list", "distinct_integers", "factorize", "id_text", "parse_times",
           "reference_time", "without_cycle_collection"]  # fmt: skip

#: Cell values that say "there is no value" in any field (none, null, n/a, -, /, ? ...),
#: lower case: compare after case folding. The one shared set (data/no_value.txt); each
#: field adds its own words to it (``NO_VALUE | words(...)``).
NO_VALUE: frozenset[str] = words("leadlink", "no_value.txt")

_NAT = np.datetime64("NaT", "ns")


def id_text(value: Any) -> str:
    """A lead or cluster id as text: surrounding spaces dropped, a whole float without
    its ``.0`` (ids read from Parquet or Excel often arrive as floats).

    >>> id_text(" L1 "), id_text(7.0), id_text(7.5)
    ('L1', '7', '7.5')
    """
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def positional(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` indexed 0..n-1: ``frame`` itself when it already is (``reset_index`` copies
    every column: a second or more for a million prepared leads), else such a copy. The
    callers read the frame, never write to it."""
    index = frame.index
    if isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1:
        return frame
    return frame.reset_index(drop=True)


def factorize(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes (-1 for missing, which indexes an extra last slot) and the distinct
    values; unhashable cells (lists, dicts) are factorised by their text.

    >>> codes, uniques = factorize(pd.Series(["a", None, "a", ["x"]]))
    >>> codes.tolist(), uniques.tolist()
    ([0, -1, 0, 1], ['a', "['x']"])
    """
    try:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    except TypeError:
        codes, uniques = pd.factorize(values.map(_hashable), use_na_sentinel=True)
    return codes, np.asarray(uniques, dtype=object)


def _hashable(value: Any) -> Any:
    try:
        hash(value)
    except TypeError:
        return str(value)
    return value


def parse_times(values: pd.Series) -> np.ndarray:
    """Times as naive UTC ``datetime64[ns]`` (naive input is taken as UTC); NaT where a
    value is not a time. Each distinct value is parsed once: ISO 8601 text vectorised,
    anything else (other text layouts, ``datetime`` objects) one by one. A bare number is
    not trusted as a time (seconds, milliseconds or 20240131?) and gives NaT.

    >>> times = parse_times(pd.Series(["2024-05-01T08:00:00+08:00", "1 May 2024", 20240501]))
    >>> [str(t)[:10] for t in times]
    ['2024-05-01', '2024-05-01', 'NaT']
    """
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return values.to_numpy(dtype="datetime64[ns]")
    codes, uniques = factorize(values)
    parsed = np.full(len(uniques) + 1, _NAT, dtype="datetime64[ns]")
    texts = pd.Series(uniques, dtype=object)
    iso = texts.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
    if iso.any():  # the common case, vectorised
        try:
            stamps = pd.to_datetime(texts[iso], errors="coerce", utc=True, format="ISO8601")
            parsed[:-1][iso] = stamps.dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")
        except (ValueError, TypeError, OverflowError):
            pass
    for i in np.flatnonzero(np.isnat(parsed[:-1])):
        parsed[i] = _to_utc(uniques[i])
    return parsed[codes]


def _to_utc(value: Any) -> np.datetime64:
    if isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
        return _NAT
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError, OverflowError):
        return _NAT
    if pd.isna(stamp):
        return _NAT
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return stamp.to_datetime64().astype("datetime64[ns]")


def reference_time(now: Any) -> pd.Timestamp:
    """``now`` (what "today" is for ages and staleness) as a naive UTC timestamp; the
    current time when None.

    >>> reference_time("2024-06-30T08:00:00+08:00")
    Timestamp('2024-06-30 00:00:00')
    """
    if now is None:
        return pd.Timestamp.now(tz="UTC").tz_localize(None)
    try:
        stamp = pd.Timestamp(now)
    except (ValueError, TypeError, OverflowError) as error:
        raise ConfigError(
            say(
                f"now={now!r} is not a time; pass e.g. '2024-06-30' or a pd.Timestamp",
                f"now={now!r} 不是时间；请传入如 '2024-06-30' 的日期或 pd.Timestamp",
            )
        ) from error
    if pd.isna(stamp):
        raise ConfigError(
            say(
                f"now={now!r} is not a time; pass e.g. '2024-06-30' or a pd.Timestamp",
                f"now={now!r} 不是时间；请传入如 '2024-06-30' 的日期或 pd.Timestamp",
            )
        )
    return (
        stamp.tz_localize(None)
        if stamp.tzinfo is None
        else stamp.tz_convert("UTC").tz_localize(None)
    )


def as_list(values: Iterable[Any] | None, name: str) -> list[Any]:
    """The identifiers given to ``name`` as a list; a single string is refused (it would
    be read as one identifier per character).

    >>> as_list(("L1", "L2"), "lead_ids"), as_list(None, "lead_ids")
    (['L1', 'L2'], [])
    """
    if values is None:
        return []
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise InputError(
            say(
                f"give {name} as a list, e.g. {name}=[...], not a single value",
                f"{name} 请以列表形式给出，例如 {name}=[...]，而不是单个值",
            )
        )
    return list(values)


def distinct_integers(values: np.ndarray) -> np.ndarray:
    """The distinct values of an integer array, ascending: ``np.unique`` by sorting (numpy
    2.4's ``np.unique`` hashes integers, several times slower on spread numbers).

    >>> distinct_integers(np.array([3, 1, 3, 2])).tolist()
    [1, 2, 3]
    """
    ordered = np.sort(values, kind="stable")
    if not len(ordered):
        return ordered
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


@contextmanager
def without_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused for the block, and running again after it (when it
    ran before).

    The collector runs a pass each time a few hundred containers (lists, tuples, cache
    entries) have been made, and a pass over every container the process holds each time
    their number has grown by a quarter. A stage that makes a container or two per
    distinct value or per lead, which never refer to one another, pays for passes that find
    nothing to free: at a million leads, :func:`leadlink.validate` spent 4.5 of its 19 CPU
    seconds in eight whole-heap passes while making one problem list per lead. Paused, the
    containers made meanwhile are looked at once, by the first pass after the block. Code
    that makes reference cycles (of its own or inside pandas) frees them then, not before.

    >>> import gc
    >>> with without_cycle_collection():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()
