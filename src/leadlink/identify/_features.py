"""Any lead column as model features: numbers, yes/no flags, dates as ages, categories.

CRM exports hold behaviour as columns (visits, time on site, last activity, lead source,
occupation, do-not-call ...). :meth:`FeatureSpec.learn` reads what each column is from the
training leads, once; :meth:`FeatureSpec.encode` turns any leads into the same numeric
matrix, so a saved model scores next month's export exactly as it was trained:

* a **number** (``12``, ``" 3.5 "``, ``"1,200"``) stays a number; for the logistic model
  it is cut into quantile bins learnt on the training leads, plus a "not given" bin;
* a **flag** (yes/no, true/false, 是/否, 1/0) is 1 or 0;
* a **date** is its age in days at ``now``;
* a column with **one value besides blanks** (a budget or nothing, "Yes" or nothing) is 1
  where it is filled;
* a **category** keeps its frequent values (each a 0/1 feature) and groups the rest as
  "other"; a missing value sets none of them.

Columns that cannot teach anything are left out with the reason: one value only, or a
different value on almost every lead (an identifier or free text).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from leadlink._i18n import say
from leadlink._values import factorize, parse_times
from leadlink.identify._cells import is_null
from leadlink.identify._evidence import shown

__all__ = ["KINDS", "ColumnFeature", "FeatureSpec", "describe", "encode_column"]

_TRUE = frozenset({"yes", "y", "true", "t", "1", "是", "有", "对", "真", "checked", "on"})
_FALSE = frozenset({"no", "n", "false", "f", "0", "否", "无", "没有", "假", "unchecked", "off"})

#: A category value needs this many leads (and this share of them) to be its own feature.
_MIN_LEVEL_COUNT = 10
_MIN_LEVEL_SHARE = 0.002
_MAX_LEVELS = 40
#: Share of distinct values above which a text column is an identifier or free text.
_UNIQUE_SHARE = 0.5
#: A column with one value besides blanks is a "filled" feature when either side has
#: at least this share of the leads.
_MIN_GIVEN_SHARE = 0.01
#: The kinds of column a model reads.
KINDS = ("number", "flag", "date", "category", "filled")
#: Quantile bins of a number or an age in the logistic model.
_BINS = 8
_DAY = np.timedelta64(1, "D")


@dataclass(frozen=True)
class ColumnFeature:
    """What one column is, as learnt from the training leads."""

    column: str
    kind: str  # one of KINDS
    levels: tuple[str, ...] = ()
    edges: tuple[float, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "column": self.column,
            "kind": self.kind,
            "levels": list(self.levels),
            "edges": list(self.edges),
        }

    @classmethod
    def from_dict(cls, data: Any) -> ColumnFeature:
        if data.get("kind") not in KINDS:
            raise ValueError(
                say(
                    f"unknown column kind {data.get('kind')!r}",
                    f"未知的列类型 {data.get('kind')!r}",
                )
            )
        return cls(
            str(data["column"]),
            str(data["kind"]),
            tuple(str(v) for v in data.get("levels", ())),
            tuple(float(e) for e in data.get("edges", ())),
        )

    def names(self, for_trees: bool) -> list[str]:
        """The encoded features' names, in matrix order."""
        if self.kind == "category":
            return [f"{self.column}={v}" for v in self.levels] + [f"{self.column}=<other>"]
        if self.kind == "filled":
            return [self.column]
        if for_trees or self.kind == "flag":
            return [self.column] + ([] if for_trees else [f"{self.column}=<not given>"])
        return [f"{self.column}<bin{k}>" for k in range(len(self.edges) + 1)] + [
            f"{self.column}=<not given>"
        ]


@dataclass
class FeatureSpec:
    """The columns a model learns from, what each is, and the columns left out (column →
    reason, in English and Chinese)."""

    columns: list[ColumnFeature] = field(default_factory=list)
    left_out: dict[str, tuple[str, str]] = field(default_factory=dict)

    @classmethod
    def learn(
        cls, leads: pd.DataFrame, candidates: Sequence[str], now: pd.Timestamp
    ) -> FeatureSpec:
        spec = cls()
        n = len(leads)
        for column in candidates:
            values = leads[column]
            present = values[~values.map(is_null)]
            text = present.astype(str).str.strip()
            text = text[text != ""]
            if text.nunique() < 2:
                given = len(text) / max(1, n)
                if len(text) and _MIN_GIVEN_SHARE <= given <= 1 - _MIN_GIVEN_SHARE:
                    # One value or blank ("50万"/blank, "Yes"/blank): being filled is the news.
                    spec.columns.append(ColumnFeature(column, "filled"))
                else:
                    spec.left_out[column] = ("one value only", "只有一种取值")
                continue
            feature = _learn_column(column, values, text, n, now)
            if feature is None:
                spec.left_out[column] = (
                    "a different value on almost every lead (an identifier or free text)",
                    "几乎每条线索取值都不同（标识或自由文本）",
                )
                continue
            spec.columns.append(feature)
        return spec

    def to_dict(self) -> dict[str, Any]:
        return {
            "columns": [c.to_dict() for c in self.columns],
            "left_out": {k: list(v) for k, v in self.left_out.items()},
        }

    @classmethod
    def from_dict(cls, data: Any) -> FeatureSpec:
        return cls(
            [ColumnFeature.from_dict(c) for c in data.get("columns", [])],
            {str(k): (str(v[0]), str(v[1])) for k, v in data.get("left_out", {}).items()},
        )

    def names(self, for_trees: bool) -> list[str]:
        return [name for c in self.columns for name in c.names(for_trees)]

    def groups(self, for_trees: bool) -> list[str]:
        """The column each encoded feature comes from, in matrix order."""
        return [c.column for c in self.columns for _ in c.names(for_trees)]

    def encode(self, leads: pd.DataFrame, now: pd.Timestamp, for_trees: bool) -> np.ndarray:
        """The leads as the model's matrix; a learnt column missing from ``leads`` reads as
        not given on every lead (:func:`missing_columns` lets callers warn first)."""
        blocks = []
        for feature in self.columns:
            values = (
                leads[feature.column]
                if feature.column in leads.columns
                else pd.Series(np.full(len(leads), None, dtype=object), index=leads.index)
            )
            blocks.append(encode_column(feature, values, now, for_trees))
        if not blocks:
            return np.zeros((len(leads), 0))
        return np.column_stack(blocks)

    def texts(self, leads: pd.DataFrame, now: pd.Timestamp) -> dict[str, np.ndarray]:
        """Per learnt column, each lead's value in words for the reasons."""
        out = {}
        for feature in self.columns:
            if feature.column in leads.columns:
                values = leads[feature.column]
            else:
                values = pd.Series(np.full(len(leads), None, dtype=object), index=leads.index)
            out[feature.column] = describe(feature, values, now)
        return out

    def missing_columns(self, leads: pd.DataFrame) -> list[str]:
        return [c.column for c in self.columns if c.column not in leads.columns]


def _learn_column(
    column: str, values: pd.Series, text: pd.Series, n: int, now: pd.Timestamp
) -> ColumnFeature | None:
    lowered = set(text.str.lower().unique())
    if lowered <= _TRUE | _FALSE and lowered & _TRUE and lowered & _FALSE:
        return ColumnFeature(column, "flag")
    numbers = _numbers(values)
    parsed = int(np.isfinite(numbers).sum())
    if parsed >= 0.95 * len(text):
        finite = numbers[np.isfinite(numbers)]
        unique = np.unique(finite)
        if len(unique) >= 0.98 * n and np.all(unique == np.round(unique)) and n >= 50:
            return None  # a running number: an identifier
        return ColumnFeature(column, "number", edges=_edges(finite))
    if not pd.api.types.is_numeric_dtype(values.dtype):
        times = parse_times(values.where(~values.map(is_null), None))
        dated = int((~np.isnat(times)).sum())
        if dated >= 0.95 * len(text):
            ages = _ages(times, now)
            return ColumnFeature(column, "date", edges=_edges(ages[np.isfinite(ages)]))
    counts = text.str.casefold().value_counts()
    if len(counts) > _UNIQUE_SHARE * n and n >= 50:
        return None
    floor = max(_MIN_LEVEL_COUNT, _MIN_LEVEL_SHARE * n)
    levels = tuple(str(v) for v in counts[counts >= floor].index[:_MAX_LEVELS])
    return ColumnFeature(column, "category", levels=levels)


def _numbers(values: pd.Series) -> np.ndarray:
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.astype(float).to_numpy()
    if pd.api.types.is_numeric_dtype(values.dtype):
        return pd.to_numeric(values, errors="coerce").astype(float).to_numpy()
    codes, uniques = factorize(values)
    cleaned = pd.Series([str(v).strip().replace(",", "") for v in uniques], dtype=object)
    parsed = pd.to_numeric(cleaned, errors="coerce").astype(float).to_numpy()
    return np.append(parsed, np.nan)[codes]


def _ages(times: np.ndarray, now: Any) -> np.ndarray:
    ages = (np.datetime64(now, "ns") - times) / _DAY
    return np.where(np.isnat(times), np.nan, ages).astype(float)


def _edges(values: np.ndarray) -> tuple[float, ...]:
    if len(values) == 0:
        return ()
    quantiles = np.quantile(values, np.linspace(0, 1, _BINS + 1)[1:-1])
    return tuple(float(q) for q in np.unique(quantiles))


def encode_column(
    feature: ColumnFeature, values: pd.Series, now: pd.Timestamp, for_trees: bool
) -> np.ndarray:
    n = len(values)
    if feature.kind == "category":
        keys = _category_keys(values)
        levels = {v.casefold(): k for k, v in enumerate(feature.levels)}
        block = np.zeros((n, len(levels) + 1))
        codes, uniques = factorize(keys)
        slot = np.array([levels.get(u, len(levels)) for u in uniques] + [-1], dtype=np.int64)
        where = slot[codes]
        given = where >= 0
        block[np.flatnonzero(given), where[given]] = 1.0
        return block
    if feature.kind == "filled":
        return _given(values).astype(float)[:, None]
    if feature.kind == "flag":
        number = _flags(values)
    elif feature.kind == "number":
        number = _numbers(values)
    else:
        number = _ages(parse_times(values.where(~values.map(is_null), None)), now)
    if for_trees:
        return number[:, None]
    missing = ~np.isfinite(number)
    if feature.kind == "flag":
        return np.column_stack([np.where(missing, 0.0, number), missing.astype(float)])
    bins = np.searchsorted(np.asarray(feature.edges), number, side="right")
    block = np.zeros((n, len(feature.edges) + 2))
    block[np.arange(n), np.where(missing, len(feature.edges) + 1, bins)] = 1.0
    return block


def _given(values: pd.Series) -> np.ndarray:
    """A value is there: not missing and not blank."""
    return ~values.map(lambda v: is_null(v) or str(v).strip() == "").to_numpy(dtype=bool)


def _category_keys(values: pd.Series) -> pd.Series:
    text = values.map(lambda v: None if is_null(v) else str(v).strip().casefold())
    return text.where(text != "", None)


def _flags(values: pd.Series) -> np.ndarray:
    codes, uniques = factorize(values)
    read = []
    for value in uniques:
        key = str(value).strip().lower()
        read.append(1.0 if key in _TRUE else 0.0 if key in _FALSE else np.nan)
    return np.append(np.asarray(read, dtype=float), np.nan)[codes]


def describe(feature: ColumnFeature, values: pd.Series, now: pd.Timestamp) -> np.ndarray:
    """Each lead's value of a learnt column in words: ``visits is 5``, ``lead source:
    Google``, ``created 30 days ago``, ``time on site not given``."""
    column = feature.column
    missing = say(f"{column} not given", f"{column}未填写")
    if feature.kind == "date":
        ages = _ages(parse_times(values.where(~values.map(is_null), None)), now)
        out = np.full(len(values), missing, dtype=object)
        for i in np.flatnonzero(np.isfinite(ages)):
            days = round(float(ages[i]))
            out[i] = say(f"{column} {days} days ago", f"{column}在 {days} 天前")
        return out
    if feature.kind == "filled":
        given = say(f"{column} given", f"{column}已填写")
        return np.where(_given(values), given, missing).astype(object)
    codes, uniques = factorize(values)
    words = []
    for value in uniques:
        text = shown(value)
        if text.strip() == "":
            words.append(missing)
        elif feature.kind == "number":
            number = float(_numbers(pd.Series([value], dtype=object))[0])
            if np.isfinite(number):
                text = _number_text(number)
                words.append(say(f"{column} is {text}", f"{column}为 {text}"))
            else:
                words.append(missing)  # the model reads it as not given, so say so
        else:
            words.append(f"{column}: {text}")
    return np.asarray([*words, missing], dtype=object)[codes]


def _number_text(number: float) -> str:
    """``5``, ``1,200``, ``3.25``: a number as a person writes it."""
    if number == round(number) and abs(number) < 1e15:
        return f"{int(number):,}"
    return f"{number:,.2f}".rstrip("0").rstrip(".")
