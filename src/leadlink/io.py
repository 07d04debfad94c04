"""Reading lead files (CSV or Parquet) with clear errors.

CSV exports from Chinese CRMs and Excel arrive as UTF-8, UTF-8 with a BOM, or GBK/GB18030,
with commas, semicolons or tabs. :func:`read_leads` tries the encodings in that order, sniffs
the delimiter, and reads every column as text so that ids and phone numbers keep their
leading zeros.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from leadlink.errors import InputError

__all__ = ["read_leads", "write_table"]

_ENCODINGS = ("utf-8-sig", "gb18030")
_DELIMITERS = ",;\t|"


def read_leads(path: str | Path) -> pd.DataFrame:
    """Read a CSV, TSV or Parquet file of leads; every CSV column is read as text."""
    source = Path(path)
    if not source.exists():
        raise InputError(f"input file {str(source)!r} does not exist")
    if source.is_dir():
        raise InputError(f"{str(source)!r} is a folder; give a CSV or Parquet file")
    if source.stat().st_size == 0:
        raise InputError(f"input file {str(source)!r} is empty")
    if source.suffix.lower() in (".parquet", ".pq"):
        try:
            return pd.read_parquet(source)
        except Exception as error:  # pyarrow raises many types for damaged files
            raise InputError(
                f"cannot read {str(source)!r} as Parquet ({type(error).__name__}); "
                "check that the file is complete"
            ) from None
    raw = source.read_bytes()
    text = _decode(raw, source)
    delimiter = _sniff_delimiter(text)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skipinitialspace=False,
        )
    except pd.errors.EmptyDataError:
        raise InputError(f"input file {str(source)!r} has no header row") from None
    except pd.errors.ParserError as error:
        raise InputError(
            f"cannot parse {str(source)!r} as CSV ({str(error).splitlines()[0]}); "
            "check the delimiter and quoting"
        ) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` as CSV (UTF-8 with BOM, which Excel opens correctly) or Parquet."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.suffix.lower() in (".parquet", ".pq"):
        frame.to_parquet(target, index=False)
    else:
        frame.to_csv(target, index=False, encoding="utf-8-sig")
    return target


def _decode(raw: bytes, source: Path) -> str:
    for encoding in _ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(
        f"cannot decode {str(source)!r} as UTF-8 or GB18030; save it as UTF-8 and try again"
    )


def _sniff_delimiter(text: str) -> str:
    """The delimiter used most in the header row (comma when none is)."""
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","
