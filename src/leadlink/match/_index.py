"""CandidateIndex: the batch model's blocking and scoring for one lead, in memory.

A CRM asks "does this lead already exist?" while the lead is typed in. Batch
:meth:`LeadModel.predict <leadlink.match.LeadModel.predict>` answers it for a whole table
through Splink and SQL; a call per lead would spend its time generating SQL. The index keeps
what the batch would compute on its content and answers for one lead in Python:

* per blocking preset of the model, the leads by key, keyed as
  :func:`~leadlink.match.add_blocking_keys` keys them, with the same block-size caps counted
  on the current content (records identical in everything compared count once, as the
  batch collapses them) and the presets' conditions;
* the term frequencies the batch registers (values counted among people, see
  ``_person_term_frequencies``), kept current on every add and remove: leads are grouped
  into people by their personal phone and mailbox with a union of groups, and a removal
  regroups only the removed lead's people;
* each comparison level's predicate (:mod:`leadlink.match._levels`) and the model's m, u
  and λ: Splink's weights, its term-frequency adjustment (u replaced by the value's
  frequency, from the u of the exact level on that column), the relative adjustment of
  levels below the exact one, and the must-link / never-link rules (scored by
  :mod:`leadlink.match._scoring`).

A million leads held as Python objects (a dict per key, a tuple per lead, a set per
person) take gigabytes and minutes to rebuild, so the leads the index is built (or loaded)
with are held column by column instead: their prepared values as an Arrow table, and each
map as numpy arrays — stable 64-bit hashes of the keys, sorted, with the rows of each key in
an int array beside them, people as a group number per row, frequencies as counts beside
sorted value hashes (:mod:`leadlink.match._columns`). They are written to disk as they are
and memory-mapped when read back. What changes afterwards (leads added one at a time,
leads removed) is kept beside the arrays in small dicts and a mask, so a change costs what
it touches.

For the same pair of leads, :meth:`CandidateIndex.score` gives the batch's levels and its
match weight within 1e-6. A lead that is not in the index is scored against the current
frequencies (the batch would count the new lead too: one more lead among thousands).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
from pandas.api.types import infer_dtype

from leadlink._graph import components
from leadlink._i18n import say
from leadlink.errors import InputError, ModelError
from leadlink.match._blocking import DEFAULT_MAX_BLOCK_SIZE, BlockingPreset, presets_for
from leadlink.match._columns import (
    FEW_ROWS,
    INDEX_FORMAT,
    INDEX_VERSION,
    MISSING_HASH,
    Counts,
    Hashes,
    Keyed,
    arrow,
    combined_hash,
    combined_hashes,
    key_text,
    plain,
    plain_column,
    plain_records,
    read_columns,
    read_meta,
    stable_hashes,
    write_columns,
)
from leadlink.match._copies import compared_columns
from leadlink.match._copies import identifying as is_identifying
from leadlink.match._levels import Row
from leadlink.match._scoring import Scored, ScoredPairs, Scorer, relative_weight
from leadlink.schema import PREPARED_COLUMNS

if TYPE_CHECKING:
    from leadlink.match._model import LeadModel

__all__ = ["INDEX_FORMAT", "INDEX_VERSION", "CandidateIndex"]


class CandidateIndex:
    """Candidates and scores for one lead against an in-memory table of prepared leads.

    Args:
        model: a fitted :class:`~leadlink.match.LeadModel`.
        prepared: :func:`leadlink.prepare` output (with the model's extra columns).

    The leads it starts from are held column by column (see the module docstring): an
    Arrow table of their prepared values, and numpy arrays of their keys, people and
    frequencies; leads added or removed afterwards are kept beside them in small
    dictionaries. :meth:`save` writes the arrays as they are and :meth:`load` reads them
    back without preparing or grouping anything again.

    >>> from leadlink.datasets import generate_leads
    >>> from leadlink.schema import resolve_columns
    >>> import leadlink as ll
    >>> leads = generate_leads(60, seed=1).drop(columns=["person_id", "is_ghost"])
    >>> prepared = ll.prepare(leads, resolve_columns(leads, id_column="lead_id"),
    ...                       id_column="lead_id")
    >>> model = ll.match.LeadModel(seed=1).fit(prepared)
    >>> index = CandidateIndex(model, prepared)
    >>> row = prepared.iloc[0]
    >>> pairs = index.score(row, list(index.candidates(row)))
    >>> list(pairs.columns[:5])
    ['id_l', 'id_r', 'match_weight', 'match_probability', 'found_by']
    """

    def __init__(self, model: LeadModel, prepared: pd.DataFrame) -> None:
        from leadlink.match._tables import _check_prepared

        model._fitted()
        _check_prepared(prepared)
        self._setup(model)
        self._check_columns(prepared)
        self._compared = compared_columns(prepared, self._roles)
        self._freeze(self._frame_of(prepared))

    def _setup(self, model: LeadModel) -> None:
        """What comes from the model alone."""
        self._model = model
        self._roles = model.roles
        self._presets: tuple[BlockingPreset, ...] = presets_for(
            model.roles, model.blocking, model._extra_kinds, model.entity
        )
        self._caps = {
            p.name: min(model.max_block_size, p.max_block_size or model.max_block_size)
            for p in self._presets
        }
        self._scorer = Scorer(model, self._presets)
        # what the levels, keys and rules read: the prepared columns and the model's own
        self._columns: list[str] = [*PREPARED_COLUMNS, *model._extra_kinds]
        self._position = {c: i for i, c in enumerate(self._columns)}
        levels = [level for c in self._scorer.comparisons for level in c.levels]
        self._tf_columns = sorted(
            {level.tf_column for level in levels if level.tf_column}
            | {level.relative_tf for level in levels if level.relative_tf}
        )
        self._one_missing = sorted({p.one_missing for p in self._presets if p.one_missing})
        self._hashed: dict[str, int] = {}

    # -- content -----------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._row_of)

    def __contains__(self, unique_id: object) -> bool:
        return unique_id in self._row_of

    def __iter__(self) -> Iterator[str]:
        return iter(self._row_of)

    def add(self, rows: pd.DataFrame) -> None:
        """Add prepared rows; a row whose ``unique_id`` is known replaces the old one.

        A few rows are added one by one beside the arrays; many at once (more than
        ``FEW_ROWS``) are added by building the arrays again over everything held, as
        the batch would see the whole table."""
        self._check_columns(rows)
        if len(rows) > FEW_ROWS:
            held = self._held_frame()
            self._freeze(self._frame_of(pd.concat([held, rows[self._columns]], ignore_index=True)))
            return
        for row in plain_records(rows, self._columns):
            unique_id = str(row["unique_id"])
            if unique_id in self._row_of:
                self.remove(unique_id)
            self._insert(unique_id, row)

    def remove(self, unique_id: str) -> None:
        """Take the lead out of the blocks and the term frequencies."""
        if unique_id not in self._row_of:
            raise InputError(
                say(
                    f"no lead {unique_id!r} in the index",
                    f"索引中没有线索 {unique_id!r}",
                )
            )
        row = self._row_of[unique_id]
        record = self._rows([row])[0]
        signature = self._signature_at(row)
        group = self._group_at(row)
        self._count(group, -1)
        del self._row_of[unique_id]
        if row < self._n_base:
            self._alive[row] = False
        else:
            for preset in self._presets:
                key = _key(record, preset.fields)
                if key is not None:
                    self._blocks[preset.name].drop(self._hash(key), row)
            for kind, key in self._links(record, signature):
                self._linked[kind].drop(self._link_hash(kind, key), row)
        self._leave_group(row, group)
        if row >= self._n_base:
            del self._added[row]
            del self._added_signature[row]
            del self._added_tf[row]
            self._added_group.pop(row, None)

    def row(self, unique_id: str) -> dict[str, Any]:
        """The prepared values of a lead in the index (``None`` for missing values)."""
        if unique_id not in self._row_of:
            raise InputError(
                say(f"no lead {unique_id!r} in the index", f"索引中没有线索 {unique_id!r}")
            )
        found = dict(self._rows([self._row_of[unique_id]])[0])
        found.pop(_ROW)
        return found

    # -- candidates ----------------------------------------------------------------------

    def candidates(self, row: pd.Series | Mapping[str, Any]) -> dict[str, str]:
        """The leads a blocking preset pairs with ``row``: unique_id → the first preset (in
        preset order) that finds it. The row itself is never its own candidate.

        A key shared by more leads than the preset's cap is not used alone, counted as the
        batch counts it on the current content with ``row`` in it.
        """
        record = self._record(row)
        unique_id = str(record["unique_id"])
        own = self._row_of.get(unique_id, -1)
        found: dict[str, str] = {}
        signature: list[int] = []  # worked out once, when a block needs it
        for preset in self._presets:
            members = self._block(preset, record, own, signature)
            if members is None:
                continue
            rows = members.tolist()
            if preset.one_missing is not None:
                lacking = record[preset.one_missing] is None
                rows = [r for r, m in zip(rows, self._missing_at(preset.one_missing, members))
                        if m != lacking]  # fmt: skip
            for other in rows:
                if other == own:
                    continue
                other_id = self._ids[other]
                if other_id not in found:
                    found[other_id] = preset.name
        return found

    def _block(
        self, preset: BlockingPreset, record: Row, own: int, signature: list[int]
    ) -> np.ndarray | None:
        """The rows sharing ``record``'s key of ``preset``, or None when there are none or
        the key's block is over the cap."""
        key = _key(record, preset.fields)
        if key is None:
            return None
        keyed = self._blocks[preset.name]
        hashed = self._hash(key)
        slot = keyed.slot(hashed)
        frozen = keyed.frozen(slot)
        alive = frozen[self._alive[frozen]] if len(frozen) else frozen
        added = keyed.added.get(hashed, ())
        members = np.concatenate([alive, np.asarray(added, dtype=np.int64)]) if added else alive
        if not len(members):
            return None
        cap = self._caps[preset.name]
        count = len(members) + (own < 0 or own not in members)
        if count <= cap:  # even if every record were distinct
            return members
        distinct = int(self._distinct[preset.name][slot]) if slot >= 0 else 0
        if len(alive) == len(frozen) and not added and distinct > cap:
            return None  # the batch's count, nothing changed since
        if distinct - (len(frozen) - len(alive)) > cap:
            return None  # each removed lead takes one distinct record away at most
        signatures = set(self._signatures(members))
        size = len(signatures)
        if own < 0 or own not in members:
            if not signature:
                signature.append(self._signature_of(record, own))
            size += signature[0] not in signatures
        return None if size > cap else members

    # -- persistence ---------------------------------------------------------------------

    def save(self, path: str | Path) -> Path:
        """Write the index to the folder ``path``: ``rows.arrow`` (the prepared values the
        index reads, one row per lead), one ``.npy`` file per array and ``index.json``.
        Leads added or removed since the index was built are folded into the arrays
        first."""
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        index = self
        if self._added or not self._alive.all():
            index = CandidateIndex.__new__(CandidateIndex)
            index._setup(self._model)
            index._compared = self._compared
            index._freeze(index._frame_of(self._held_frame()))
        write_columns(
            folder,
            index._base,
            index._arrays(),
            {
                "columns": index._columns,
                "compared": index._compared,
                "presets": [p.name for p in index._presets],
                "tf_columns": index._tf_columns,
                "one_missing": index._one_missing,
                "groups": index._next_group,
                "totals": index._totals,
                "squares": index._squares,
            },
        )
        return folder

    @classmethod
    def load(cls, model: LeadModel, path: str | Path) -> CandidateIndex:
        """An index read back from a folder :meth:`save` wrote, for ``model``: the arrays
        are memory-mapped where they are only read, nothing is computed again."""
        folder = Path(path)
        meta = read_meta(folder)
        index = cls.__new__(cls)
        index._setup(model)
        if (
            meta["columns"] != index._columns
            or meta["presets"] != [p.name for p in index._presets]
            or meta["tf_columns"] != index._tf_columns
        ):
            raise ModelError(
                say(
                    "this CandidateIndex was saved for another model or by another version of "
                    "leadlink (its columns, blocking presets or frequency columns differ); "
                    "build it again from the leads",
                    "此 CandidateIndex 是为另一个模型或由另一版本的 leadlink 保存的"
                    "（列、分块预设或词频列不同）；请用线索重新建立",
                )
            )
        index._compared = list(meta["compared"])
        base, arrays = read_columns(folder, meta)
        index._hold(base, arrays, int(meta["groups"]), meta["totals"], meta["squares"])
        return index

    # -- internals: the arrays -------------------------------------------------------------

    def _check_columns(self, rows: pd.DataFrame) -> None:
        missing = [c for c in self._columns if c not in rows.columns]
        if missing:
            raise InputError(
                say(
                    f"the rows lack the prepared column(s) {', '.join(missing)}; prepare them "
                    "with leadlink.prepare() and the model's extra columns",
                    f"这些行缺少预处理列 {', '.join(missing)}；请用 leadlink.prepare() "
                    "并带上模型的附加列预处理",
                )
            )

    def _frame_of(self, rows: pd.DataFrame) -> pd.DataFrame:
        """The columns the index reads, ids as text, a lead given twice kept as last given
        (in its last place), missing values as None."""
        ids = rows["unique_id"].astype(str).to_numpy(dtype=object)
        last = ~pd.Series(ids).duplicated(keep="last").to_numpy()
        if last.all():  # the columns as they are, not copied (a million leads: 0.5 GB)
            columns = {c: rows[c].array for c in self._columns}
        else:
            columns = {c: rows[c].array[last] for c in self._columns}
        columns["unique_id"] = ids[last]
        return pd.DataFrame(columns, copy=False)

    def _held_frame(self) -> pd.DataFrame:
        """Every lead held, in the order they came, as a frame of the index's columns."""
        rows = sorted(self._row_of.values())
        records = self._rows(rows)
        frame = pd.DataFrame(records, columns=[*self._columns, _ROW])
        return frame.drop(columns=[_ROW]).astype(object)

    def _freeze(self, frame: pd.DataFrame) -> None:
        """Build the arrays of ``frame``'s leads (see :meth:`_hold` for what they are),
        column by column: each distinct key is hashed once (:class:`Hashes`)."""
        n = len(frame)
        # text columns go to Arrow as they are; others as plain Python values
        texts = {c: frame[c].to_numpy(dtype=object) for c in self._columns}
        texts = {c: v for c, v in texts.items() if infer_dtype(v, skipna=True) == "string"}
        values = {c: plain_column(frame[c]) for c in self._columns if c not in texts}
        base = pa.table(
            {
                c: pa.array(texts[c], type=pa.string(), from_pandas=True)
                if c in texts
                else _arrow_column(values[c])
                for c in self._columns
            }
        )
        plain_frame = pd.DataFrame({c: values.get(c, texts.get(c)) for c in self._columns},
                                   copy=False)  # fmt: skip
        hashes = Hashes(plain_frame, base)
        # records identical in everything compared are one record to the batch
        identifying = is_identifying(frame, self._model.entity) if n else np.zeros(0, bool)
        signature = -1 - np.arange(n, dtype=np.int64)
        if self._compared:
            chosen = np.flatnonzero(identifying)
            signature[chosen] = combined_hashes(
                (hashes.values(c)[chosen] for c in self._compared), len(chosen)
            )
        rows = np.arange(n, dtype=np.int64)
        arrays: dict[str, np.ndarray] = {"signature": signature}
        # distinct records per key: the distinct (key, record) numbers, a record numbered
        # by its signature
        record, records = pd.factorize(signature)
        for preset in self._presets:
            present, hashed = hashes.key(preset.fields)
            keyed = Keyed.build(hashed, rows[present])
            slots = np.searchsorted(keyed.keys, hashed)
            distinct = _distinct(slots * len(records) + record[present]) // max(len(records), 1)
            arrays |= keyed.arrays(f"block.{preset.name}")
            arrays[f"distinct.{preset.name}"] = np.bincount(
                distinct, minlength=len(keyed.keys)
            ).astype(np.int32)
        # people: leads joined by a personal phone, a mailbox or an identical record
        personal = plain_frame["phone_shared"].to_numpy(dtype=object) == 0
        edges_a: list[np.ndarray] = []
        edges_b: list[np.ndarray] = []
        for kind in ("phone", "email", "same"):
            if kind == "same":
                mask = signature >= 0
                hashed = signature[mask].astype(np.uint64)
            else:
                mask, hashed = hashes.key((kind,))
                if kind == "phone":
                    hashed = hashed[personal[mask]]
                    mask = mask & personal
            keyed = Keyed.build(hashed, rows[mask])
            arrays |= keyed.arrays(f"link.{kind}")
            sizes = np.diff(keyed.starts)
            edges_a.append(np.repeat(keyed.rows[keyed.starts[:-1]], sizes))
            edges_b.append(keyed.rows)
        groups = components(n, np.concatenate(edges_a), np.concatenate(edges_b))
        arrays["group"] = groups
        arrays |= Keyed.build(groups.astype(np.uint64), rows).arrays("members")
        totals: dict[str, int] = {}
        squares: dict[str, int] = {}
        n_groups = int(groups.max()) + 1 if n else 0
        for column in self._tf_columns:
            present, hashed = hashes.key((column,))
            unique, inverse = np.unique(hashed, return_inverse=True)
            codes = np.full(n, -1, dtype=np.int32)
            codes[present] = inverse
            # the people holding each value: the distinct (value, group) numbers
            people = _distinct(inverse.astype(np.int64) * n_groups + groups[present])
            counts = np.bincount(people // n_groups, minlength=len(unique)).astype(np.int64)
            arrays[f"tf.{column}.values"] = unique
            arrays[f"tf.{column}.counts"] = counts
            arrays[f"tf.{column}.codes"] = codes
            totals[column] = len(_distinct(people % n_groups))
            squares[column] = int((counts * counts).sum())
        for column in self._one_missing:
            arrays[f"missing.{column}"] = (
                base.column(column).is_null().to_numpy(zero_copy_only=False)
            )
        self._hold(base, arrays, n_groups, totals, squares)

    def _arrays(self) -> dict[str, np.ndarray]:
        """The arrays :meth:`_hold` takes, as they are now (only when nothing was added or
        removed since they were built: see :meth:`save`)."""
        arrays: dict[str, np.ndarray] = {"signature": self._signature, "group": self._group}
        for name, keyed in self._blocks.items():
            arrays |= keyed.arrays(f"block.{name}")
            arrays[f"distinct.{name}"] = self._distinct[name]
        for kind, keyed in self._linked.items():
            arrays |= keyed.arrays(f"link.{kind}")
        arrays |= self._members.arrays("members")
        for column, counts in self._tf.items():
            arrays[f"tf.{column}.values"] = counts.values
            arrays[f"tf.{column}.counts"] = counts.counts
            arrays[f"tf.{column}.codes"] = counts.codes
        for column, missing in self._missing.items():
            arrays[f"missing.{column}"] = missing
        return arrays

    def _hold(
        self,
        base: pa.Table,
        arrays: Mapping[str, np.ndarray],
        n_groups: int,
        totals: Mapping[str, int],
        squares: Mapping[str, int],
    ) -> None:
        """Hold the leads ``base`` (their prepared values, row by row) with their arrays:

        * ``signature`` per row: a 63-bit number standing for the compared values of a record that
          identifies its entity, else ``-1 - row`` (a record of its own);
        * per blocking preset, the rows by key (:class:`~leadlink.match._columns.Keyed`)
          and how many distinct records each key holds; per link of people (personal
          phone, mailbox, identical record), the rows by key;
        * ``group`` per row (its person) and the rows by group;
        * per term-frequency column, the values' hashes (sorted), how many people hold
          each, and each row's value as a position in them (-1: none);
        * per column a preset pairs only on one side missing, whether each row lacks it.

        What changes later stays beside them: rows added (a dict), rows removed (a mask),
        new groups (a dict), counts of values the arrays lack (a dict)."""
        self._base = base
        self._n_base = n = base.num_rows
        # one record batch: taking rows from it costs a third of taking them from a table
        batches = base.combine_chunks().to_batches()
        self._batch = batches[0] if len(batches) == 1 else base.combine_chunks()
        self._ids: list[str] = base.column("unique_id").to_pylist()
        self._row_of: dict[str, int] = dict(zip(self._ids, range(n)))
        self._alive = np.ones(n, dtype=bool)
        self._signature = np.asarray(arrays["signature"])
        self._blocks = {p.name: Keyed.of(arrays, f"block.{p.name}") for p in self._presets}
        self._distinct = {p.name: np.asarray(arrays[f"distinct.{p.name}"]) for p in self._presets}
        self._linked = {kind: Keyed.of(arrays, f"link.{kind}") for kind in ("phone", "email", "same")}  # fmt: skip
        self._group = np.array(arrays["group"], dtype=np.int32)  # changes: a copy
        self._members = Keyed.of(arrays, "members")
        self._groups: dict[int, set[int]] = {}  # groups made since
        self._next_group = n_groups
        self._tf = {
            column: Counts(
                np.asarray(arrays[f"tf.{column}.values"]),
                np.array(arrays[f"tf.{column}.counts"], dtype=np.int64),  # changes: a copy
                np.asarray(arrays[f"tf.{column}.codes"]),
            )
            for column in self._tf_columns
        }
        self._totals = {c: int(totals[c]) for c in self._tf_columns}
        self._squares = {c: int(squares[c]) for c in self._tf_columns}
        self._missing = {c: np.asarray(arrays[f"missing.{c}"]) for c in self._one_missing}
        self._added: dict[int, tuple[Any, ...]] = {}
        self._added_signature: dict[int, int] = {}
        self._added_tf: dict[int, dict[str, int | None]] = {}
        self._added_group: dict[int, int] = {}
        self._next = n
        self._decoded: dict[int, dict[str, Any]] = {}

    # -- internals: rows -------------------------------------------------------------------

    def _rows(self, rows: Sequence[int]) -> list[dict[str, Any]]:
        """The prepared values of ``rows`` (each with its row number under ``_ROW``; not
        to be changed: rows of the table are kept decoded for the next call)."""
        decoded = self._decoded
        wanted = [r for r in rows if r < self._n_base and r not in decoded]
        if wanted:
            if len(decoded) + len(wanted) > _ROWS_KEPT:
                # emptied, so the rows asked for that were kept are read again too
                decoded.clear()
                wanted = list(dict.fromkeys(r for r in rows if r < self._n_base))
            taken = self._batch.take(pa.array(wanted, pa.int64()))
            values = [column.to_pylist() for column in taken.columns]
            for r, record in zip(wanted, zip(*values)):
                decoded[r] = {**dict(zip(self._columns, record)), _ROW: r}
        return [
            decoded[r]
            if r < self._n_base
            else {**dict(zip(self._columns, self._added[r])), _ROW: r}
            for r in rows
        ]

    def _signature_at(self, row: int) -> int:
        if row < self._n_base:
            return int(self._signature[row])
        return self._added_signature[row]

    def _signatures(self, rows: np.ndarray) -> list[int]:
        base = rows[rows < self._n_base]
        out = self._signature[base].tolist()
        out += [self._added_signature[int(r)] for r in rows[rows >= self._n_base]]
        return out

    def _missing_at(self, column: str, rows: np.ndarray) -> list[bool]:
        missing = self._missing[column]
        position = self._position[column]
        return [
            bool(missing[r]) if r < self._n_base else self._added[r][position] is None
            for r in rows.tolist()
        ]

    def _held(self, preset: str, key: Hashable) -> int:
        """How many leads the index holds under ``key`` of ``preset``."""
        keyed = self._blocks.get(preset)
        if keyed is None:
            return 0
        hashed = self._hash(key)
        frozen = keyed.frozen(keyed.slot(hashed))
        return int(self._alive[frozen].sum()) + len(keyed.added.get(hashed, ()))

    def _hash(self, value: Any) -> int:
        """The stable 64-bit hash of a key or value (see
        :func:`~leadlink.match._columns.stable_hashes`)."""
        if type(value) is tuple:  # a key of several fields (see ``Hashes.key``)
            return combined_hash(self._hash(part) for part in value)
        text = key_text(value)
        found = self._hashed.get(text)
        if found is None:
            if len(self._hashed) > _HASHES_KEPT:
                self._hashed.clear()
            found = self._hashed[text] = int(stable_hashes(np.array([text], dtype=object))[0])
        return found

    def _content(self) -> dict[str, Any]:
        """What the index holds, independent of how it came to hold it (for tests): per
        preset, key → ids and distinct records; per frequency column, value → people."""
        current = sorted(self._row_of.values())
        records = self._rows(current)
        named = {}
        for r in current:
            signature = self._signature_at(r)
            named[r] = signature if signature >= 0 else self._ids[r]
        blocks: dict[str, dict[Hashable, tuple[list[str], int]]] = {}
        for preset in self._presets:
            held: dict[Hashable, list[int]] = {}
            for r, record in zip(current, records):
                key = _key(record, preset.fields)
                if key is not None:
                    held.setdefault(key, []).append(r)
            blocks[preset.name] = {
                key: (sorted(self._ids[r] for r in rows), len({named[r] for r in rows}))
                for key, rows in held.items()
            }
        counts = {}
        for column, tf in self._tf.items():
            found = {int(h): int(c) for h, c in zip(tf.values, tf.counts) if c}
            found |= {h: c for h, c in tf.added.items() if c}
            counts[column] = found
        return {"blocks": blocks, "counts": counts, "totals": self._totals,
                "squares": self._squares}  # fmt: skip

    # -- scoring -------------------------------------------------------------------------

    def score(
        self, row: pd.Series | Mapping[str, Any], ids: Sequence[str] | Mapping[str, str]
    ) -> pd.DataFrame:
        """Score ``row`` against the leads ``ids`` of the index, as
        :meth:`LeadModel.predict <leadlink.match.LeadModel.predict>` would score the pairs:
        the same columns (``id_l`` < ``id_r`` as text, ``match_weight``,
        ``match_probability``, ``found_by``, ``<role>_level``, ``<role>_weight``, ``rule``)
        and the same values. ``found_by`` is None for a pair no preset finds.

        ``ids`` may be what :meth:`candidates` returned for ``row`` (id → preset): its
        presets are then taken as they are instead of being looked up again.
        """
        return self._scorer.frame(self._scored(row, ids))

    def score_columns(
        self, row: pd.Series | Mapping[str, Any], ids: Sequence[str] | Mapping[str, str]
    ) -> ScoredPairs:
        """:meth:`score` in plain arrays (:class:`~leadlink.match._scoring.ScoredPairs`):
        the same values, without the DataFrame, for a caller that reads a few pairs."""
        return self._scorer.columns(self._scored(row, ids))

    def _scored(
        self, row: pd.Series | Mapping[str, Any], ids: Sequence[str] | Mapping[str, str]
    ) -> list[Scored]:
        record = self._record(row)
        unique_id = str(record["unique_id"])
        position = self._row_of.get(unique_id, self._next)
        found = ids if isinstance(ids, Mapping) else self.candidates(record)
        others = [other for other in ids if other != unique_id]
        for other in others:
            if other not in self._row_of:
                raise InputError(
                    say(f"no lead {other!r} in the index", f"索引中没有线索 {other!r}")
                )
        results: list[Scored] = []
        for other, candidate in zip(others, self._rows([self._row_of[o] for o in others])):
            # Splink's l is the lead that comes first in the table, the output's id_l the
            # smaller id as text: some levels read one side only (phone_shared_l)
            left_first = position < candidate[_ROW]
            l, r = (record, candidate) if left_first else (candidate, record)  # noqa: E741
            text_left = record if unique_id < other else candidate
            scored = self._scorer.pair(l, r, text_left, self._frequency, self._relative)
            results.append((scored, unique_id, other, found.get(other), record, candidate))
        return results

    def _relative(self, column: str, row: Row) -> float:
        return relative_weight(
            self._frequency(column, row), self._totals[column], self._squares[column]
        )

    def _frequency(self, column: str, row: Row) -> float | None:
        """The share of people holding ``row``'s value of ``column`` (None: missing, or a
        value no one in the index holds). A row of the index is looked up by position."""
        value = row[column]
        if value is None:
            return None
        count = self._tf[column].count(self._value_hash(column, row))
        if not count:
            return None
        return count / max(self._totals[column], 1)

    def _value_hash(self, column: str, row: Row) -> int | None:
        """The hash of ``row``'s value of a frequency column: read from the arrays for a
        row of the index, worked out for a record from outside."""
        at = row.get(_ROW)
        if at is not None and at < self._n_base:
            return self._tf[column].hash_at(at)
        if at is not None:
            return self._added_tf[at][column]
        value = row[column]
        return None if value is None else self._hash(value)

    # -- internals -----------------------------------------------------------------------

    def _record(self, row: pd.Series | Mapping[str, Any]) -> dict[str, Any]:
        values = row.to_dict() if isinstance(row, pd.Series) else dict(row)
        missing = [c for c in self._columns if c not in values]
        if missing:
            raise InputError(
                say(
                    f"the row lacks the prepared column(s) {', '.join(missing)}; prepare it "
                    "with leadlink.prepare() and the model's extra columns",
                    f"该行缺少预处理列 {', '.join(missing)}；请用 leadlink.prepare() "
                    "并带上模型的附加列预处理",
                )
            )
        return {c: plain(values[c]) for c in self._columns}

    def _signature_of(self, record: Row, row: int) -> int:
        """Records identical in everything compared are one record to the batch (see
        ``representatives``) when what they share identifies an entity: their signature;
        any other record is one of its own (``-1 - row``; a record from outside takes
        the next row's number)."""
        if not self._identifies(record):
            return -1 - (row if row >= 0 else self._next)
        return combined_hash(
            MISSING_HASH if record[c] is None else self._hash(record[c]) for c in self._compared
        )

    def _identifies(self, record: Row) -> bool:
        """Python twin of :func:`leadlink.match._copies.identifying`, for one record
        added to the index: a mailbox or number counts as the leads the index holds with
        it, this one included."""
        if self._model.entity == "company":
            return True

        def rare(column: str) -> bool:
            value = record[column]
            if value is None:
                return False
            # the presets "phone" and "email" key on them
            return self._held(column, value) + 1 <= DEFAULT_MAX_BLOCK_SIZE

        full_name = record["name_key"] is not None and record["name_partial"] == 0
        where = record["employer"] is not None or record["address"] is not None
        personal_phone = rare("phone") and record["phone_shared"] == 0
        return bool(rare("email") or personal_phone or (full_name and where))

    def _insert(self, unique_id: str, record: dict[str, Any]) -> None:
        record["unique_id"] = unique_id
        row = self._next
        self._next += 1
        signature = self._signature_of(record, row)
        self._ids.append(unique_id)
        self._row_of[unique_id] = row
        self._added[row] = tuple(record[c] for c in self._columns)
        self._added_signature[row] = signature
        self._added_tf[row] = {
            c: None if record[c] is None else self._hash(record[c]) for c in self._tf_columns
        }
        for preset in self._presets:
            key = _key(record, preset.fields)
            if key is not None:
                self._blocks[preset.name].put(self._hash(key), row)
        self._join_group(row, record, signature)

    # -- people for term frequencies -------------------------------------------------------

    @staticmethod
    def _links(record: Row, signature: int) -> list[tuple[str, Hashable]]:
        links: list[tuple[str, Hashable]] = []
        if record["phone"] is not None and record["phone_shared"] == 0:
            links.append(("phone", record["phone"]))
        if record["email"] is not None:
            links.append(("email", record["email"]))
        if signature >= 0:  # records identical to others: one person
            links.append(("same", signature))
        return links

    def _linked_rows(self, kind: str, key: Hashable) -> list[int]:
        """The rows held under a link of people."""
        keyed = self._linked[kind]
        hashed = self._link_hash(kind, key)
        frozen = keyed.frozen(keyed.slot(hashed))
        rows = frozen[self._alive[frozen]].tolist() if len(frozen) else []
        return rows + keyed.added.get(hashed, [])

    def _link_hash(self, kind: str, key: Hashable) -> int:
        """A link's key as the arrays hold it: the signature itself for identical records."""
        return key if kind == "same" and isinstance(key, int) else self._hash(key)

    def _group_at(self, row: int) -> int:
        return int(self._group[row]) if row < self._n_base else self._added_group[row]

    def _group_members(self, group: int) -> set[int]:
        found = self._groups.get(group)
        if found is not None:
            return found
        # a group of the arrays is whole until it is merged or split (then it is gone)
        return set(self._members.frozen(self._members.slot(group)).tolist())

    def _join_group(self, row: int, record: Row, signature: int) -> None:
        links = self._links(record, signature)
        groups = {self._group_at(m) for kind, key in links for m in self._linked_rows(kind, key)}
        for kind, key in links:
            self._linked[kind].put(self._link_hash(kind, key), row)
        members = {row}
        for group in groups:
            self._count(group, -1)
            members |= self._group_members(group)
            self._groups.pop(group, None)
        self._new_group(members)

    def _leave_group(self, row: int, group: int) -> None:
        """Regroup what is left of ``row``'s group (already counted out and unlinked)."""
        rest = self._group_members(group) - {row}
        self._groups.pop(group, None)
        # the removed lead may have been the only link between others: regroup them
        while rest:
            start = rest.pop()
            component = {start}
            todo = [start]
            while todo:
                member = todo.pop()
                member_row = self._rows([member])[0]
                for kind, key in self._links(member_row, self._signature_at(member)):
                    for other in self._linked_rows(kind, key):
                        if other not in component:
                            component.add(other)
                            todo.append(other)
            rest -= component
            self._new_group(component)

    def _new_group(self, members: set[int]) -> None:
        group = self._next_group
        self._next_group += 1
        self._groups[group] = members
        for member in members:
            if member < self._n_base:
                self._group[member] = group
            else:
                self._added_group[member] = group
        self._count(group, +1)

    def _count(self, group: int, sign: int) -> None:
        """Add (sign +1) or take away (-1) the values of one person to the frequencies."""
        members = self._group_members(group)
        for column in self._tf_columns:
            tf = self._tf[column]
            values = {
                tf.hash_at(m) if m < self._n_base else self._added_tf[m][column] for m in members
            } - {None}
            if not values:
                continue
            self._totals[column] += sign
            for value in values:
                assert value is not None
                before = tf.count(value)
                after = before + sign
                self._squares[column] += after * after - before * before
                tf.set(value, after)


#: The key under which a row of the index carries its row number (scoring reads the
#: row's frequencies from the arrays by it).
_ROW = "\x00row"
#: Rows of the table kept decoded (as dicts) per index, for candidates that recur.
_ROWS_KEPT = 20_000
#: Hashes of keys and values kept per index, to hash a recurring key once.
_HASHES_KEPT = 100_000


def _distinct(values: np.ndarray) -> np.ndarray:
    """The distinct integers of ``values``, sorted (``np.unique`` hashes them since numpy
    2.3: twenty times slower than a sort on a few hundred thousand spread numbers)."""
    ordered = np.sort(values)
    return (
        ordered[np.concatenate([[True], ordered[1:] != ordered[:-1]])] if len(ordered) else ordered
    )


def _arrow_column(values: np.ndarray) -> pa.Array:
    """A column of plain values as :func:`~leadlink.match._columns.arrow` makes it from a
    list (text straight from the array; Python's numbers as Arrow infers them)."""
    if len(values) and infer_dtype(values, skipna=True) == "string":
        return pa.array(values, type=pa.string(), from_pandas=True)
    return arrow(values.tolist())


def _key(record: Row, fields: Sequence[str]) -> Hashable | None:
    """The blocking key of ``fields`` as :func:`~leadlink.match.add_blocking_keys` builds it
    (``_composite_key``): the value, or the tuple of values; None when one is missing."""
    values = [record[f] for f in fields]
    if any(v is None for v in values):
        return None
    if len(values) == 1:
        return values[0]
    return tuple(values)
