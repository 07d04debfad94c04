"""Scoring a pair of leads in Python as the batch model scores it in SQL, for the real-time
index (:class:`~leadlink.match.CandidateIndex`).

Each comparison level's predicate (:mod:`leadlink.match._levels`) and the model's m, u and
λ give Splink's weights; a level on a term-frequency column replaces u by the value's
frequency (from the u of the exact level on that column), levels below the exact one get
the relative adjustment, and the must-link / never-link rules fix the probability. The
frequencies are the index's: :class:`Scorer` asks for them through two functions.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from leadlink.match._blocking import BlockingPreset
from leadlink.match._comparisons import ComparisonPreset, LevelPreset
from leadlink.match._levels import EXACT_ON, LEVEL_TESTS, NULL_UNLESS, LevelTest, Row, table_of

if TYPE_CHECKING:
    from leadlink.match._model import LeadModel

__all__ = [
    "Comparison",
    "Frequency",
    "Relative",
    "Scored",
    "ScoredPairs",
    "Scorer",
    "Weights",
    "relative_weight",
]

#: Splink's floor under m and u before taking log2(m / u).
_M_U_FLOOR = 1e-300
#: The relative term-frequency adjustment is kept within ± this many bits (as predict).
_RELATIVE_LIMIT = 10.0

#: A pair's match weight, level per role (-1: null) and weight per role.
Weights = tuple[float, list[int], list[float]]
#: A scored pair: its weights, the row's id, the other lead's id, the preset that finds
#: the pair, the row and the other lead.
Scored = tuple[Weights, str, str, str | None, Row, Row]
#: The share of people holding a row's value of a column (None: missing or held by none).
Frequency = Callable[[str, Row], float | None]
#: The relative term-frequency adjustment of a row's value of a column, in bits.
Relative = Callable[[str, Row], float]


class Comparison:
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


class Scorer:
    """What scoring a pair takes from the model: per role its levels, tests and weights
    (:class:`Comparison`), the prior, the must-link / never-link rules, and the names of
    the blocking ``presets`` (the ``found_by`` column)."""

    def __init__(self, model: LeadModel, presets: Sequence[BlockingPreset]) -> None:
        self.comparisons = [Comparison(model, role) for role in model.roles]
        self.displays = tuple(c.display for c in self.comparisons)
        self.level_names = tuple((*c.preset.level_ids, "null") for c in self.comparisons)
        self.preset_names = pd.CategoricalDtype([p.name for p in presets])
        self.prior = math.log2(model.lambda_ / (1.0 - model.lambda_))
        self.rules = [
            (kind, role, model._rule_column(role), probability)
            for kind, roles, probability in (
                ("must_link", model.must_link, 1.0),
                ("never_link", model.never_link, 0.0),
            )
            for role in roles
        ]

    def pair(
        self,
        l: Row,  # noqa: E741
        r: Row,
        text_left: Row,
        frequency: Frequency,
        relative: Relative,
    ) -> Weights:
        """Match weight, level index (-1 for null) and weight of every role for (l, r);
        ``frequency`` and ``relative`` read the index's term frequencies."""
        total = self.prior
        levels: list[int] = []
        weights: list[float] = []
        for comparison in self.comparisons:
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
                tf_l = frequency(level.tf_column, l)
                tf_r = frequency(level.tf_column, r)
                # greatest(coalesce(tf_l, tf_r), coalesce(tf_r, tf_l), 0): the rarer side
                # does not count, a value missing from the lookup takes the other's
                tf = tf_r if tf_l is None else tf_l if tf_r is None else max(tf_l, tf_r)
                if tf is not None:
                    adjust = 1.0 * (base - math.log2(tf))
                    weight += adjust
                    total += adjust
            if level.relative_tf is not None:
                adjust = relative(level.relative_tf, text_left)
                weight += adjust
                total += adjust
            levels.append(i)
            weights.append(weight)
        return total, levels, weights

    def columns(self, results: Sequence[Scored]) -> ScoredPairs:
        """The pairs scored, column by column in plain arrays, with the must-link /
        never-link rules applied: what :meth:`frame` holds, without building a DataFrame
        (which costs more than scoring the few pairs of one record)."""
        n = len(results)
        id_l = np.empty(n, dtype=object)
        id_r = np.empty(n, dtype=object)
        totals = np.empty(n, dtype=float)
        found = np.empty(n, dtype=object)
        level_codes = np.empty((len(self.comparisons), n), dtype=np.int64)
        weights = np.empty((len(self.comparisons), n), dtype=float)
        probability = np.empty(n, dtype=float)
        rules = np.full(n, "", dtype=object)
        for j, (scored, unique_id, other, found_by, record, candidate) in enumerate(results):
            total, levels, role_weights = scored
            id_l[j], id_r[j] = (unique_id, other) if unique_id < other else (other, unique_id)
            totals[j] = total
            probability[j] = 1.0 / (1.0 + 2.0 ** (-total))
            found[j] = found_by
            for k, comparison in enumerate(self.comparisons):
                level = levels[k]
                level_codes[k, j] = level if level >= 0 else len(comparison.levels)
                weights[k, j] = role_weights[k]
            for kind, _role, column, fixed in self.rules:
                a, b = record[column], candidate[column]
                if a is None or b is None:
                    continue
                if (a == b) if kind == "must_link" else (a != b):
                    probability[j] = fixed
                    rules[j] = f"{kind}:{_role}"
        return ScoredPairs(
            id_l=id_l,
            id_r=id_r,
            match_weight=totals,
            match_probability=probability,
            found_by=found,
            levels=level_codes,
            weights=np.round(weights, 4),
            rule=rules,
            displays=self.displays,
            level_names=self.level_names,
        )

    def frame(self, results: Sequence[Scored]) -> pd.DataFrame:
        """The pairs scored, as :meth:`LeadModel.predict <leadlink.match.LeadModel.predict>`
        gives them, with the must-link / never-link rules applied."""
        pairs = self.columns(results)
        data: dict[str, Any] = {
            "id_l": pairs.id_l,
            "id_r": pairs.id_r,
            "match_weight": pairs.match_weight,
            "match_probability": pairs.match_probability,
            "found_by": pd.Categorical(pairs.found_by, dtype=self.preset_names),
        }
        for k, comparison in enumerate(self.comparisons):
            data[f"{comparison.display}_level"] = pd.Categorical.from_codes(
                pairs.levels[k], dtype=comparison.dtype
            )
        for k, comparison in enumerate(self.comparisons):
            data[f"{comparison.display}_weight"] = pairs.weights[k]
        data["rule"] = pairs.rule
        return pd.DataFrame(data, copy=False)


@dataclass(frozen=True)
class ScoredPairs:
    """Scored pairs in plain arrays, one entry per pair (what :meth:`Scorer.frame` puts in
    a DataFrame): ``id_l`` < ``id_r`` as text, ``match_weight``, ``match_probability``,
    ``found_by`` (a preset's name or None), ``rule`` (``""`` or the rule that fixed the
    probability), and per comparison of the scorer (rows, in its order) the ``levels``
    (the level's index; the number of levels for null) and the ``weights`` (rounded to 4
    decimals, as the frame holds them); ``displays`` names the comparisons as the frame's
    columns do, ``level_names`` their levels by index (the last: ``"null"``)."""

    id_l: np.ndarray
    id_r: np.ndarray
    match_weight: np.ndarray
    match_probability: np.ndarray
    found_by: np.ndarray
    levels: np.ndarray
    weights: np.ndarray
    rule: np.ndarray
    displays: tuple[str, ...]
    level_names: tuple[tuple[str, ...], ...]

    def __len__(self) -> int:
        return len(self.id_l)


def relative_weight(frequency: float | None, total: int, squares: int) -> float:
    """The relative term-frequency adjustment of a value held by the share ``frequency``
    of ``total`` people, where ``squares`` is the sum of the squared counts of all values:
    log2 of the mean frequency over the value's, within ±10 bits; 0 for a value no one
    holds.

    >>> relative_weight(0.25, total=4, squares=4)
    0.0
    """
    if frequency is None:
        return 0.0
    mean = squares / (total * total)
    return float(np.clip(math.log2(mean / frequency), -_RELATIVE_LIMIT, _RELATIVE_LIMIT))
