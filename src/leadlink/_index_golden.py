"""The golden records a :class:`leadlink.LeadIndex` holds, and how a new index makes them.

The base's records stay an Arrow table read by position (turning a million records into
Python dictionaries took seconds); records recomputed since an add, update or removal are
kept beside it as rows, and the base record of such a cluster is stale. A record is made
JSON-ready once, when it is asked for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from leadlink._index_files import joined, jsonable, positions
from leadlink.merge import SurvivorshipPolicy, golden_records

__all__ = ["GoldenRecords", "base_golden"]


class GoldenRecords:
    """The golden record of every cluster of an index, by cluster id."""

    def __init__(self, table: pa.Table | None = None) -> None:
        self._table = (
            table if table is not None else pa.table({"cluster_id": pa.array([], pa.string())})
        )
        ids = self._table.column("cluster_id").to_pylist()
        # one array per column: a record is read value by value (a slice of the table
        # turned into Python costs ten times more)
        self._arrays = [
            (name, column.combine_chunks())
            for name, column in zip(self._table.column_names, self._table.columns)
        ]
        self._position: dict[str, int] = dict(zip(ids, range(len(ids))))
        self._stale: set[str] = set()
        self._json: dict[str, dict[str, Any]] = {}
        self._rows: dict[str, dict[str, Any]] = {}

    def of(self, cluster_id: str, *, exists: bool) -> dict[str, Any] | None:
        """A cluster's golden record, JSON-ready; None for a cluster the index lacks
        (``exists``: whether the cluster still has members)."""
        found = self._json.get(cluster_id)
        if found is not None:
            return found
        row = self._rows.get(cluster_id)
        if row is None:
            position = self._position.get(cluster_id)
            if position is None or cluster_id in self._stale or not exists:
                return None
            row = {name: values[position].as_py() for name, values in self._arrays}
        found = jsonable(row)
        self._json[cluster_id] = found
        return found

    def replace(self, clusters: Iterable[str], golden: pd.DataFrame | None) -> None:
        """The records of ``clusters`` recomputed: ``golden`` holds those that still
        exist; the others lose their record."""
        for cluster_id in clusters:
            self._stale.add(cluster_id)
            self._json.pop(cluster_id, None)
            self._rows.pop(cluster_id, None)
        if golden is None:
            return
        rows = golden.set_index(golden["cluster_id"].astype(str))
        for cluster_id in rows.index:
            self._rows[cluster_id] = rows.loc[cluster_id].to_dict()

    def table(self) -> pa.Table:
        """Every current record as one table (what the index file holds)."""
        kept = [p for c, p in self._position.items() if c not in self._stale]
        return joined(
            self._table.take(positions(kept)),
            pd.DataFrame(list(self._rows.values()), columns=self._table.column_names),
        )


def base_golden(
    assignments: pd.DataFrame,
    base_ids: Iterable[str],
    text: pd.DataFrame,
    prepared: pd.DataFrame,
    validation: pd.DataFrame,
    roles: Mapping[str, str],
    policy: SurvivorshipPolicy | None,
) -> GoldenRecords:
    """The golden records of every cluster of a new index (``assignments``: ``id`` and
    ``cluster_id``), from the base's leads (as text, in the order of ``base_ids``),
    prepared keys and validation as they are in hand (reading them back from the tables
    took seconds at a million leads)."""
    if assignments.empty:
        return GoldenRecords()
    order = pd.Index(list(base_ids)).get_indexer(assignments["id"].astype(str))
    if not np.array_equal(order, np.arange(len(order))):  # (they keep the leads' order)
        text, prepared, validation = (frame.iloc[order] for frame in (text, prepared, validation))
    # the text as objects, None for missing, a column at a time (a frame-wide notna() and
    # where() on a million leads took seconds)
    missing: Any = None
    values = {i: text.iloc[:, i].to_numpy(dtype=object, na_value=missing)
              for i in range(text.shape[1])}  # fmt: skip
    entered = pd.DataFrame(values, copy=False).set_axis(text.columns, axis=1)
    golden = golden_records(
        entered,
        prepared.reset_index(drop=True),
        assignments,
        roles,
        policy=policy,
        validation=validation.reset_index(drop=True),
    )
    return GoldenRecords(pa.Table.from_pandas(golden, preserve_index=False))
