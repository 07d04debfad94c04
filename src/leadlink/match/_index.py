"""CandidateIndex: the batch model's blocking and scoring for one lead, in memory.

A CRM asks "does this lead already exist?" while the lead is typed in. Batch
:meth:`LeadModel.predict <leadlink.match.LeadModel.predict>` answers it for a whole table
through Splink and SQL; a call per lead would spend its time generating SQL. The index keeps
what the batch would compute on its content and answers for one lead in Python:

* per blocking preset of the model, a hash map key → leads, keyed as
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
  levels below the exact one, and the must-link / never-link rules.

For the same pair of leads, :meth:`CandidateIndex.score` gives the batch's levels and its
match weight within 1e-6. A lead that is not in the index is scored against the current
frequencies (the batch would count the new lead too: one more lead among thousands).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Collection, Hashable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from leadlink._i18n import say
from leadlink.errors import InputError, ModelError
from leadlink.match._blocking import DEFAULT_MAX_BLOCK_SIZE, BlockingPreset, presets_for
from leadlink.match._comparisons import ComparisonPreset, LevelPreset
from leadlink.match._copies import compared_columns
from leadlink.match._copies import identifying as is_identifying
from leadlink.match._levels import EXACT_ON, LEVEL_TESTS, NULL_UNLESS, LevelTest, Row, table_of
from leadlink.schema import PREPARED_COLUMNS

if TYPE_CHECKING:
    from leadlink.match._model import LeadModel

__all__ = ["INDEX_FORMAT", "INDEX_VERSION", "CandidateIndex"]

INDEX_FORMAT = "leadlink-candidate-index"
INDEX_VERSION = 1

#: Splink's floor under m and u before taking log2(m / u).
_M_U_FLOOR = 1e-300
#: The relative term-frequency adjustment is kept within ± this many bits (as predict).
_RELATIVE_LIMIT = 10.0


#: A scored pair: (match weight, level per role, weight per role), the row's id, the other
#: lead's id, the preset that finds the pair, the row and the other lead.
_Scored = tuple[tuple[float, list[int], list[float]], str, str, str | None, Row, Row]


class _Comparison:
    """One role's levels with their tests and weights, ready to score."""

    def __init__(self, model: LeadModel, role: str) -> None:
        preset: ComparisonPreset = model._comparison(role)
        kind = model._extra_kinds.get(role)
        table = table_of(preset, model.entity, kind)
        self.role = role
        self.display = model._display(role)
        self.preset = preset
        self.column = preset.null_column
        self.null_unless = NULL_UNLESS.get(table) if preset.null_unless is not None else None
        self.levels: tuple[LevelPreset, ...] = preset.levels
        self.tests: list[LevelTest] = [LEVEL_TESTS[table, level.id] for level in preset.levels]
        m, u = model._m[role], model._u[role]
        self.weights = [
            math.log2(max(mi, _M_U_FLOOR) / max(ui, _M_U_FLOOR)) for mi, ui in zip(m, u)
        ]
        # log2 of the u Splink's term-frequency adjustment starts from: the u of the first
        # level that is a plain exact match on the level's tf column
        self.tf_base: list[float | None] = []
        for level in preset.levels:
            base = None
            if level.tf_column is not None:
                for i, other in enumerate(preset.levels):
                    key = (table, other.id)
                    if key in EXACT_ON and (EXACT_ON[key] or self.column) == level.tf_column:
                        base = math.log2(u[i])
                        break
            self.tf_base.append(base)
        self.dtype = pd.CategoricalDtype([*preset.level_ids, "null"])


class CandidateIndex:
    """Candidates and scores for one lead against an in-memory table of prepared leads.

    Args:
        model: a fitted :class:`~leadlink.match.LeadModel`.
        prepared: :func:`leadlink.prepare` output (with the model's extra columns).

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
        from leadlink.match._model import _check_prepared

        model._fitted()
        _check_prepared(prepared)
        self._model = model
        self._roles = model.roles
        self._presets: tuple[BlockingPreset, ...] = presets_for(
            model.roles, model.blocking, model._extra_kinds, model.entity
        )
        self._caps = {
            p.name: min(model.max_block_size, p.max_block_size or model.max_block_size)
            for p in self._presets
        }
        self._preset_names = pd.CategoricalDtype([p.name for p in self._presets])
        self._comparisons = [_Comparison(model, role) for role in self._roles]
        # what the levels, keys and rules read: the prepared columns and the model's own
        self._columns: list[str] = [*PREPARED_COLUMNS, *model._extra_kinds]
        self._position = {c: i for i, c in enumerate(self._columns)}
        self._compared = compared_columns(prepared, self._roles)
        levels = [level for c in self._comparisons for level in c.levels]
        self._tf_columns = sorted(
            {level.tf_column for level in levels if level.tf_column}
            | {level.relative_tf for level in levels if level.relative_tf}
        )
        self._prior = math.log2(model.lambda_ / (1.0 - model.lambda_))
        self._rules = [
            (kind, role, model._rule_column(role), probability)
            for kind, roles, probability in (
                ("must_link", model.must_link, 1.0),
                ("never_link", model.never_link, 0.0),
            )
            for role in roles
        ]
        self._rows: dict[str, tuple[Any, ...]] = {}
        self._signature: dict[str, Hashable] = {}
        self._order: dict[str, int] = {}
        self._next = 0
        # key -> its leads, and for keys of two leads or more the distinct records among them
        self._blocks: dict[str, dict[Hashable, _Ids]] = {p.name: {} for p in self._presets}
        self._sizes: dict[str, dict[Hashable, dict[Hashable, int]]] = {
            p.name: {} for p in self._presets
        }
        # people: leads grouped by personal phone, mailbox and identical records
        self._linked: dict[Hashable, _Ids] = {}
        self._group_of: dict[str, int] = {}
        self._members: dict[int, set[str]] = {}
        self._next_group = 0
        self._counts: dict[str, dict[Any, int]] = {c: {} for c in self._tf_columns}
        self._totals: dict[str, int] = dict.fromkeys(self._tf_columns, 0)
        self._squares: dict[str, int] = dict.fromkeys(self._tf_columns, 0)
        self.add(prepared)

    # -- content -----------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, unique_id: object) -> bool:
        return unique_id in self._rows

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def add(self, rows: pd.DataFrame) -> None:
        """Add prepared rows; a row whose ``unique_id`` is known replaces the old one."""
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
        if len(rows) > _FEW_ROWS:
            self._add_many(rows)
            return
        for row in _records(rows, self._columns):
            unique_id = str(row["unique_id"])
            if unique_id in self._rows:
                self.remove(unique_id)
            self._insert(unique_id, row)

    def _add_many(self, rows: pd.DataFrame) -> None:
        """Many rows at once, column by column; people are grouped once, at the end."""
        from leadlink.match._blocking import _composite_key

        ids = rows["unique_id"].astype(str).to_numpy(dtype=object)
        # a lead given twice is kept as last given, in its last place
        last = ~pd.Series(ids).duplicated(keep="last").to_numpy()
        frame = rows[last].assign(unique_id=ids[last])
        ids = ids[last]
        for unique_id in ids:
            if unique_id in self._rows:
                self.remove(unique_id)
        values = {
            c: [_plain(v) for v in frame[c].astype(object).where(frame[c].notna(), None)]
            for c in self._columns
        }
        identifying = is_identifying(frame, self._model.entity)
        compared = list(zip(*(values[c] for c in self._compared)))
        signatures: list[Hashable] = [
            _digest(compared[i]) if identifying[i] else unique_id for i, unique_id in enumerate(ids)
        ]
        for unique_id, row, signature in zip(
            ids, zip(*(values[c] for c in self._columns)), signatures
        ):
            self._rows[unique_id] = row
            self._order[unique_id] = self._next
            self._next += 1
            self._signature[unique_id] = signature
        for preset in self._presets:
            keys = _composite_key(frame, preset.fields)
            for unique_id, key, signature in zip(ids, keys, signatures):
                if key is not None:
                    self._block_in(preset.name, key, unique_id, signature)
        personal = [
            phone if phone is not None and shared == 0 else None
            for phone, shared in zip(values["phone"], values["phone_shared"])
        ]
        for unique_id, phone, email, signature in zip(ids, personal, values["email"], signatures):
            if phone is not None:
                _put(self._linked, ("phone", phone), unique_id)
            if email is not None:
                _put(self._linked, ("email", email), unique_id)
            if not isinstance(signature, str):
                _put(self._linked, ("same", signature), unique_id)
        self._regroup()

    def remove(self, unique_id: str) -> None:
        """Take the lead out of the blocks and the term frequencies."""
        if unique_id not in self._rows:
            raise InputError(
                say(
                    f"no lead {unique_id!r} in the index",
                    f"索引中没有线索 {unique_id!r}",
                )
            )
        row = self._row(unique_id)
        signature = self._signature.pop(unique_id)
        for preset in self._presets:
            key = _key(row, preset.fields)
            if key is None:
                continue
            blocks = self._blocks[preset.name]
            _drop(blocks, key, unique_id)
            sizes = self._sizes[preset.name].get(key)
            if sizes is None:
                continue
            if isinstance(blocks.get(key), str):
                del self._sizes[preset.name][key]
            else:
                sizes[signature] -= 1
                if not sizes[signature]:
                    del sizes[signature]
        self._leave_group(unique_id, row, signature)
        del self._rows[unique_id]
        del self._order[unique_id]

    def row(self, unique_id: str) -> dict[str, Any]:
        """The prepared values of a lead in the index (``None`` for missing values)."""
        if unique_id not in self._rows:
            raise InputError(
                say(f"no lead {unique_id!r} in the index", f"索引中没有线索 {unique_id!r}")
            )
        return self._row(unique_id)

    # -- candidates ----------------------------------------------------------------------

    def candidates(self, row: pd.Series | Mapping[str, Any]) -> dict[str, str]:
        """The leads a blocking preset pairs with ``row``: unique_id → the first preset (in
        preset order) that finds it. The row itself is never its own candidate.

        A key shared by more leads than the preset's cap is not used alone, counted as the
        batch counts it on the current content with ``row`` in it.
        """
        record = self._record(row)
        unique_id = str(record["unique_id"])
        found: dict[str, str] = {}
        for preset in self._presets:
            members = self._block(preset, record, unique_id)
            if not members:
                continue
            lacking = None if preset.one_missing is None else record[preset.one_missing] is None
            position = self._position.get(preset.one_missing or "", -1)
            for other in members:
                if other == unique_id or other in found:
                    continue
                if lacking is not None and (self._rows[other][position] is None) == lacking:
                    continue
                found[other] = preset.name
        return found

    def _block(self, preset: BlockingPreset, record: Row, unique_id: str) -> Collection[str] | None:
        """The leads sharing ``record``'s key of ``preset``, or None when there are none or
        the key's block is over the cap."""
        key = _key(record, preset.fields)
        if key is None:
            return None
        members = self._blocks[preset.name].get(key)
        if members is None:
            return None
        if isinstance(members, str):
            if members == unique_id:
                return None
            size = 1 + (self._signature_of(record, unique_id) != self._signature[members])
            members = {members}
        else:
            sizes = self._sizes[preset.name][key]
            size = len(sizes)
            if unique_id not in members:
                size += self._signature_of(record, unique_id) not in sizes
        if size > self._caps[preset.name]:
            return None
        return members

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
        record = self._record(row)
        unique_id = str(record["unique_id"])
        position = self._order.get(unique_id, self._next)
        found = ids if isinstance(ids, Mapping) else self.candidates(record)
        results: list[_Scored] = []
        for other in ids:
            if other == unique_id:
                continue
            if other not in self._rows:
                raise InputError(
                    say(f"no lead {other!r} in the index", f"索引中没有线索 {other!r}")
                )
            candidate = self._row(other)
            # Splink's l is the lead that comes first in the table, the output's id_l the
            # smaller id as text: some levels read one side only (phone_shared_l)
            left_first = position < self._order[other]
            l, r = (record, candidate) if left_first else (candidate, record)  # noqa: E741
            text_left = record if unique_id < other else candidate
            scored = self._pair(l, r, text_left)
            results.append((scored, unique_id, other, found.get(other), record, candidate))
        return self._frame(results)

    def _pair(self, l: Row, r: Row, text_left: Row) -> tuple[float, list[int], list[float]]:  # noqa: E741
        """Match weight, level index (-1 for null) and weight of every role for (l, r)."""
        total = self._prior
        levels: list[int] = []
        weights: list[float] = []
        for comparison in self._comparisons:
            column = comparison.column
            if (l[column] is None or r[column] is None) and not (
                comparison.null_unless is not None and comparison.null_unless(l, r)
            ):
                levels.append(-1)
                weights.append(0.0)
                continue
            i = 0
            for i, test in enumerate(comparison.tests):  # noqa: B007
                if test(l, r, column):
                    break
            level = comparison.levels[i]
            weight = comparison.weights[i]
            total += weight
            base = comparison.tf_base[i]
            if base is not None and level.tf_column is not None:
                tf_l = self._frequency(level.tf_column, l[level.tf_column])
                tf_r = self._frequency(level.tf_column, r[level.tf_column])
                # greatest(coalesce(tf_l, tf_r), coalesce(tf_r, tf_l), 0): the rarer side
                # does not count, a value missing from the lookup takes the other's
                tf = tf_r if tf_l is None else tf_l if tf_r is None else max(tf_l, tf_r)
                if tf is not None:
                    adjust = 1.0 * (base - math.log2(tf))
                    weight += adjust
                    total += adjust
            if level.relative_tf is not None:
                relative = self._relative(level.relative_tf, text_left[level.relative_tf])
                weight += relative
                total += relative
            levels.append(i)
            weights.append(weight)
        return total, levels, weights

    def _relative(self, column: str, value: Any) -> float:
        frequency = self._frequency(column, value)
        if frequency is None:
            return 0.0
        total = self._totals[column]
        squares = self._squares[column] / (total * total)
        return float(np.clip(math.log2(squares / frequency), -_RELATIVE_LIMIT, _RELATIVE_LIMIT))

    def _frequency(self, column: str, value: Any) -> float | None:
        if value is None:
            return None
        count = self._counts[column].get(value)
        if not count:
            return None
        return count / max(self._totals[column], 1)

    def _frame(self, results: Sequence[_Scored]) -> pd.DataFrame:
        n = len(results)
        id_l = np.empty(n, dtype=object)
        id_r = np.empty(n, dtype=object)
        totals = np.empty(n, dtype=float)
        found = np.empty(n, dtype=object)
        level_codes = np.empty((len(self._comparisons), n), dtype=np.int64)
        weights = np.empty((len(self._comparisons), n), dtype=float)
        probability = np.empty(n, dtype=float)
        rules = np.full(n, "", dtype=object)
        for j, (scored, unique_id, other, found_by, record, candidate) in enumerate(results):
            total, levels, role_weights = scored
            id_l[j], id_r[j] = (unique_id, other) if unique_id < other else (other, unique_id)
            totals[j] = total
            probability[j] = 1.0 / (1.0 + 2.0 ** (-total))
            found[j] = found_by
            for k, comparison in enumerate(self._comparisons):
                level = levels[k]
                level_codes[k, j] = level if level >= 0 else len(comparison.levels)
                weights[k, j] = role_weights[k]
            for kind, _role, column, fixed in self._rules:
                a, b = record[column], candidate[column]
                if a is None or b is None:
                    continue
                if (a == b) if kind == "must_link" else (a != b):
                    probability[j] = fixed
                    rules[j] = f"{kind}:{_role}"
        data: dict[str, Any] = {
            "id_l": id_l,
            "id_r": id_r,
            "match_weight": totals,
            "match_probability": probability,
            "found_by": pd.Categorical(found, dtype=self._preset_names),
        }
        for k, comparison in enumerate(self._comparisons):
            data[f"{comparison.display}_level"] = pd.Categorical.from_codes(
                level_codes[k], dtype=comparison.dtype
            )
        for k, comparison in enumerate(self._comparisons):
            data[f"{comparison.display}_weight"] = np.round(weights[k], 4)
        data["rule"] = rules
        return pd.DataFrame(data, copy=False)

    # -- persistence ---------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        """The index as plain JSON-ready data: its prepared rows, in the order they came
        in (blocks and frequencies are rebuilt from them by :meth:`from_state`)."""
        ids = list(self._rows)
        return {
            "format": INDEX_FORMAT,
            "version": INDEX_VERSION,
            "columns": list(self._columns),
            "rows": {
                column: [self._rows[i][p] for i in ids] for column, p in self._position.items()
            },
        }

    @classmethod
    def from_state(cls, model: LeadModel, state: Mapping[str, Any]) -> CandidateIndex:
        """An index rebuilt from :meth:`state` data for ``model``."""
        if not isinstance(state, Mapping) or state.get("format") != INDEX_FORMAT:
            raise ModelError(
                say(
                    "not the state of a CandidateIndex (CandidateIndex.state())",
                    "这不是 CandidateIndex 的状态数据（CandidateIndex.state()）",
                )
            )
        if state.get("version") != INDEX_VERSION:
            raise ModelError(
                say(
                    f"CandidateIndex state version {state.get('version')!r} is not "
                    f"{INDEX_VERSION}; build the index again from the prepared leads",
                    f"CandidateIndex 状态版本 {state.get('version')!r} 不是 {INDEX_VERSION}；"
                    "请用预处理后的线索重新建立索引",
                )
            )
        columns = list(state["columns"])
        rows = state["rows"]
        frame = pd.DataFrame({c: pd.Series(rows[c], dtype=object) for c in columns})
        return cls(model, frame)

    # -- internals -----------------------------------------------------------------------

    def _row(self, unique_id: str) -> dict[str, Any]:
        return dict(zip(self._columns, self._rows[unique_id]))

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
        return {c: _plain(values[c]) for c in self._columns}

    def _signature_of(self, record: Row, unique_id: str) -> Hashable:
        """Records identical in everything compared are one record to the batch (see
        ``representatives``) when what they share identifies an entity."""
        if not self._identifies(record):
            return unique_id  # a group of its own
        return _digest(tuple(record[c] for c in self._compared))

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
            blocks = self._blocks.get(column)  # the presets "phone" and "email" key on them
            held = len(_ids(blocks.get(value))) if blocks is not None else 0
            return held + 1 <= DEFAULT_MAX_BLOCK_SIZE

        full_name = record["name_key"] is not None and record["name_partial"] == 0
        where = record["employer"] is not None or record["address"] is not None
        personal_phone = rare("phone") and record["phone_shared"] == 0
        return bool(rare("email") or personal_phone or (full_name and where))

    def _insert(self, unique_id: str, record: dict[str, Any]) -> None:
        record["unique_id"] = unique_id
        self._rows[unique_id] = tuple(record[c] for c in self._columns)
        self._order[unique_id] = self._next
        self._next += 1
        signature = self._signature_of(record, unique_id)
        self._signature[unique_id] = signature
        for preset in self._presets:
            key = _key(record, preset.fields)
            if key is not None:
                self._block_in(preset.name, key, unique_id, signature)
        self._join_group(unique_id, record, signature)

    def _block_in(self, preset: str, key: Hashable, unique_id: str, signature: Hashable) -> None:
        blocks = self._blocks[preset]
        before = blocks.get(key)
        _put(blocks, key, unique_id)
        if before is None:
            return
        sizes = self._sizes[preset].get(key)
        if sizes is None:
            assert isinstance(before, str)
            sizes = self._sizes[preset][key] = {self._signature[before]: 1}
        sizes[signature] = sizes.get(signature, 0) + 1

    def _regroup(self) -> None:
        """Group every lead into people anew: the connected leads of :attr:`_linked`."""
        parent: dict[str, str] = {}

        def root(member: str) -> str:
            while parent.get(member, member) != member:
                grand = parent.get(parent[member], parent[member])
                parent[member] = grand
                member = grand
            return member

        for linked in self._linked.values():
            if isinstance(linked, str):
                continue
            first = root(next(iter(linked)))
            for member in linked:
                other = root(member)
                if other != first:
                    parent[other] = first
        components: dict[str, set[str]] = {}
        for unique_id in self._rows:
            components.setdefault(root(unique_id), set()).add(unique_id)
        self._group_of, self._members, self._next_group = {}, {}, 0
        self._counts = {c: {} for c in self._tf_columns}
        self._totals = dict.fromkeys(self._tf_columns, 0)
        self._squares = dict.fromkeys(self._tf_columns, 0)
        for members in components.values():
            self._new_group(members)

    # -- people for term frequencies -------------------------------------------------------

    def _links(self, record: Row, signature: Hashable) -> list[Hashable]:
        links: list[Hashable] = []
        if record["phone"] is not None and record["phone_shared"] == 0:
            links.append(("phone", record["phone"]))
        if record["email"] is not None:
            links.append(("email", record["email"]))
        if not isinstance(signature, str):  # records identical to others: one person
            links.append(("same", signature))
        return links

    def _join_group(self, unique_id: str, record: Row, signature: Hashable) -> None:
        links = self._links(record, signature)
        groups = {self._group_of[m] for link in links for m in _ids(self._linked.get(link))}
        for link in links:
            _put(self._linked, link, unique_id)
        members = {unique_id}
        for group in groups:
            self._count(group, -1)
            members |= self._members.pop(group)
        self._new_group(members)

    def _leave_group(self, unique_id: str, record: Row, signature: Hashable) -> None:
        group = self._group_of.pop(unique_id)
        self._count(group, -1)
        for link in self._links(record, signature):
            _drop(self._linked, link, unique_id)
        rest = self._members.pop(group) - {unique_id}
        # the removed lead may have been the only link between others: regroup them
        while rest:
            start = rest.pop()
            component = {start}
            todo = [start]
            while todo:
                member = todo.pop()
                member_row = self._row(member)
                for link in self._links(member_row, self._signature[member]):
                    for other in _ids(self._linked.get(link)):
                        if other not in component:
                            component.add(other)
                            todo.append(other)
            rest -= component
            self._new_group(component)

    def _new_group(self, members: set[str]) -> None:
        group = self._next_group
        self._next_group += 1
        self._members[group] = members
        for member in members:
            self._group_of[member] = group
        self._count(group, +1)

    def _count(self, group: int, sign: int) -> None:
        """Add (sign +1) or take away (-1) the values of one person to the frequencies."""
        members = self._members[group]
        for column in self._tf_columns:
            p = self._position[column]
            values = {self._rows[m][p] for m in members} - {None}
            if not values:
                continue
            self._totals[column] += sign
            counts = self._counts[column]
            for value in values:
                before = counts.get(value, 0)
                after = before + sign
                self._squares[column] += after * after - before * before
                if after:
                    counts[value] = after
                else:
                    del counts[value]


#: Up to this many rows, :func:`_records` reads a frame row by row.
_FEW_ROWS = 32

#: Lead ids, kept as the bare id while there is one (most keys are one lead's).
_Ids = str | set[str]


def _ids(value: _Ids | None) -> Collection[str]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else value


def _put(mapping: dict[Hashable, _Ids], key: Hashable, unique_id: str) -> None:
    current = mapping.get(key)
    if current is None:
        mapping[key] = unique_id
    elif isinstance(current, str):
        mapping[key] = {current, unique_id}
    else:
        current.add(unique_id)


def _drop(mapping: dict[Hashable, _Ids], key: Hashable, unique_id: str) -> None:
    current = mapping[key]
    if isinstance(current, str):
        del mapping[key]
        return
    current.discard(unique_id)
    if len(current) == 1:
        mapping[key] = next(iter(current))


def _digest(values: tuple[Any, ...]) -> bytes:
    """16 bytes that stand for a record's compared values (equal values, equal bytes)."""
    return hashlib.blake2b(repr(values).encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _plain(value: Any) -> Any:
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


def _records(frame: pd.DataFrame, columns: Sequence[str]) -> Iterable[dict[str, Any]]:
    if len(frame) <= _FEW_ROWS:  # a lead typed in: no column-by-column conversion
        rows: Iterable[Sequence[Any]] = frame[list(columns)].to_numpy(dtype=object)
    else:
        values = [frame[c].astype(object).where(frame[c].notna(), None).tolist() for c in columns]
        rows = zip(*values)
    for row in rows:
        yield {c: _plain(v) for c, v in zip(columns, row)}


def _key(record: Row, fields: Sequence[str]) -> Hashable | None:
    """The blocking key of ``fields`` as :func:`~leadlink.match.add_blocking_keys` builds it
    (``_composite_key``): the value, or the values joined by U+001F; None when one is
    missing."""
    values = [record[f] for f in fields]
    if any(v is None for v in values):
        return None
    if len(values) == 1:
        return values[0]
    return "\x1f".join(map(str, values))
