"""The training recipe of LeadModel: EM sessions, repairs of degenerate levels, u corrected
for matches, person term frequencies."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import combinations
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from leadlink._graph import component_roots
from leadlink._i18n import say
from leadlink._values import distinct_integers
from leadlink.errors import InputError
from leadlink.match._comparisons import ENTITY_COMPARISONS, comparison_for
from leadlink.match._splink import collapsed_level, em_iterations, set_lambda

if TYPE_CHECKING:
    from leadlink.match._blocking import BlockingPreset
    from leadlink.match._comparisons import ComparisonPreset

# m for a level EM never saw; u for a level random sampling never saw.
_UNSEEN_M = 1e-3
# A level EM never saw among matches is taken to be this many times rarer among them.
_UNSEEN_RATIO = 100.0
# Pseudo-count toward the prior when conditioning levels on a neutral one (see _neutralised).
_NEUTRAL_PSEUDO = 0.01
_PROB_FLOOR = 1e-6


#: How many levels an EM session may fix as unseen (the level EM drove to 0, see
#: :func:`leadlink.match._splink.collapsed_level`) before it is given up.
_MAX_COLLAPSED = 6


def _em_session(
    make_linker: Callable[[dict[str, Any]], Any],
    settings: dict[str, Any],
    rule: Any,
    max_pairs: float,
    record: dict[str, Any],
) -> Any | None:
    """One EM session on a linker of its own, made from ``settings``; the trained linker,
    or None when the session failed (said in ``record``).

    When EM drives a level's m to 0 (Splink 5 refuses to store it), that level's m is
    fixed as an unseen level's and the session runs again, up to ``_MAX_COLLAPSED`` times.
    """
    fixed: list[str] = []
    while True:
        linker = make_linker(settings)
        try:
            session = linker.training.estimate_parameters_using_expectation_maximisation(
                rule, max_pairs=max_pairs
            )
        except Exception as error:  # Splink's ZeroDivisionError, math domain error ...
            collapsed = collapsed_level(error)
            if (
                len(fixed) < _MAX_COLLAPSED
                and collapsed is not None
                and _fix_collapsed(settings, *collapsed)
            ):
                fixed.append(".".join(collapsed))
                record["fixed_unseen"] = fixed
                continue
            record["failed"] = (
                f"{type(error).__name__}: EM could not estimate on these blocks (too few "
                "pairs, or nearly all of them matches); the next session that trains these "
                "roles is used, else they keep conservative priors"
            )
            return None
        record["iterations"] = em_iterations(session)
        return linker


def _fix_collapsed(settings: dict[str, Any], role: str, label: str) -> bool:
    """Fix the m of a level EM drove to 0 at what an unseen level gets (:func:`_unseen_m`);
    False when the level is not found or is fixed already."""
    for comparison in settings.get("comparisons", []):
        if comparison.get("output_column_name") != role:
            continue
        for level in comparison.get("comparison_levels", []):
            if level.get("label_for_charts") != label or level.get("fix_m_probability"):
                continue
            level["m_probability"] = _unseen_m(_finite(level.get("u_probability")))
            level["fix_m_probability"] = True
            return True
    return False


def _fill_unseen(m: float | None, u: float | None, u_pairs: float) -> tuple[float, float]:
    """m and u for levels training never observed.

    A level EM never saw among the matches it trained on, but random sampling saw among
    non-matches, is evidence against a match: it is taken to be at least a hundred times
    rarer among matches (weight ≤ −6.6; two extensions on one switchboard are two desks).
    One random sampling never saw is rarer than one in the pairs sampled. When neither was
    seen the level is neutral (weight 0) rather than a guess.
    """
    if m is None and u is None:
        return _UNSEEN_M, _UNSEEN_M
    if u is None:
        u = 0.5 / u_pairs
    if m is None:
        m = _unseen_m(u)
    return max(m, _PROB_FLOOR), max(u, _PROB_FLOOR)


def _cap_against(preset: ComparisonPreset, m: list[float], u: list[float]) -> list[str]:
    """Cap, in place, the m of ``preset``'s ``against`` levels at u / ``_UNSEEN_RATIO``
    (weight ≤ −6.6); return the levels whose m was lowered, as ``role.level``."""
    capped = []
    for i, level in enumerate(preset.levels):
        if level.against and m[i] > u[i] / _UNSEEN_RATIO:
            m[i] = max(u[i] / _UNSEEN_RATIO, _PROB_FLOOR)
            capped.append(f"{preset.role}.{level.id}")
    return capped


def _strongest_first(preset: ComparisonPreset, m: list[float], u: list[float]) -> bool:
    """Keep, in place, the strongest agreement of a comparison at least as strong as any
    weaker one; True when it had to be raised.

    EM trains a comparison on blocks where another one agrees. When every duplicate of a
    list differs in exactly one field (a typo in the name or in the date of birth, never
    both: the RLdata lists), the pairs blocked on the same date hold no duplicate with the
    same name, and EM finds the exact name *rarer* among matches than among non-matches: an
    exact agreement would count against a match. Where the strongest level (the first that
    is neither neutral nor against) weighs clearly less than a weaker level (by more than
    half a bit), its m is raised until it weighs as much as the weaker one, at most to the
    prior's, and the other levels' m share the rest in their proportions.
    """
    free = [i for i, level in enumerate(preset.levels) if not (level.neutral or level.against)]
    if len(free) < 2:
        return False
    first, rest = free[0], free[1:]
    weight = math.log2(m[first] / u[first])
    strongest_other = max(math.log2(m[i] / u[i]) for i in rest)
    if weight >= strongest_other - _MARGIN_BITS:
        return False
    raised = min(preset.prior()[0][first], u[first] * 2.0**strongest_other)
    if raised <= m[first]:
        return False
    others = sum(m) - m[first]
    scale = (1.0 - raised) / others if others > 0 else 0.0
    for i in range(len(m)):
        m[i] = raised if i == first else max(m[i] * scale, _PROB_FLOOR)
    return True


#: A strongest agreement is repaired when a weaker one outweighs it by more than this.
_MARGIN_BITS = 0.5


def _unseen_m(u: float | None) -> float:
    """m of a level never seen among matches: a hundred times rarer among them than among
    non-matches (u), at most ``_UNSEEN_M``; ``_UNSEEN_M`` when u is unknown."""
    return _UNSEEN_M if u is None else max(min(_UNSEEN_M, u / _UNSEEN_RATIO), _PROB_FLOOR)


def _neutralised(
    m: Sequence[float], u: Sequence[float], neutral: Sequence[bool], prior_m: Sequence[float]
) -> tuple[list[float], list[float]]:
    """m and u with the ``neutral`` levels weighed 0 and the others conditioned on them
    not holding.

    A neutral level is evidence another comparison already counts (the same city when the
    companies agree). Its weight is 0 (m = u), and the other levels are what this
    comparison tells *beyond* it: P(level | match, not neutral) over P(level | non-match,
    not neutral). Without the conditioning, a city that agrees for a lead with no company
    would lose the share of matches that the same-company level took. When EM put nearly
    all matches on the neutral level, the little left says little, so the conditional m is
    smoothed toward the prior's proportions (a pseudo-count of 0.01).
    """
    free_m = [value for value, flag in zip(m, neutral) if not flag]
    free_prior = [value for value, flag in zip(prior_m, neutral) if not flag]
    prior_total = sum(free_prior) or 1.0
    mass = sum(free_m)
    u_neutral = sum(value for value, flag in zip(u, neutral) if flag)
    scale_u = 1.0 / (1.0 - u_neutral) if u_neutral < 0.99 else 1.0
    new_m: list[float] = []
    new_u: list[float] = []
    for m_level, u_level, flag, p_level in zip(m, u, neutral, prior_m):
        if flag:
            new_m.append(u_level)
            new_u.append(u_level)
        else:
            smoothed = (m_level + _NEUTRAL_PSEUDO * p_level / prior_total) / (
                mass + _NEUTRAL_PSEUDO
            )
            new_m.append(min(max(smoothed, _PROB_FLOOR), 1.0))
            new_u.append(min(u_level * scale_u, 1.0))
    return new_m, new_u


def _without_matches(m: Sequence[float], u: Sequence[float], lam: float) -> list[float]:
    """u with the matches taken out of the random sample it was counted on.

    Random sampling counts every sampled pair as a non-match, but a fraction λ of them are
    matches: the observed frequency of a level is (1 - λ)·u + λ·m. For a level that is rare
    among non-matches and common among matches (the same personal mobile, the same
    mailbox) the matches are a large part of what was counted, and u comes out several
    times too high. Solved for u, floored at a tenth of the observed value so that an
    overestimated λ or m cannot make a level unboundedly strong; renormalised.
    """
    corrected = [
        max((observed - lam * m_level) / (1.0 - lam), observed / 10.0)
        for m_level, observed in zip(m, u)
    ]
    total = sum(corrected)
    return [max(value / total, _PROB_FLOOR) for value in corrected]


class _Pairs:
    """The values of the two leads of drawn pairs, a column read when first needed (None
    where missing): :meth:`left` and :meth:`right` give a side's values as an object
    array."""

    def __init__(self, records: pd.DataFrame, left: np.ndarray, right: np.ndarray) -> None:
        self._records = records
        self._rows = np.concatenate([left, right])
        self.size = len(left)
        self._columns: dict[str, np.ndarray] = {}

    def values(self, name: str) -> np.ndarray:
        """Both sides of column ``name``: the left leads' values, then the right leads'."""
        if name not in self._columns:
            values = self._records[name].take(self._rows).to_numpy(dtype=object)
            values[pd.isna(values)] = None
            self._columns[name] = values
        return self._columns[name]

    def left(self, name: str, at: np.ndarray) -> np.ndarray:
        return self.values(name)[at]

    def right(self, name: str, at: np.ndarray) -> np.ndarray:
        return self.values(name)[self.size + at]

    def row(self, k: int) -> _Row:
        return _Row(self, k)


class _Row(dict[str, Any]):
    """Lead ``k`` of :class:`_Pairs` (the right lead of pair k is ``size + k``) as a mapping
    of column → value (None when missing), read a column at a time: the levels' tests read a
    few of the table's columns."""

    def __init__(self, pairs: _Pairs, k: int) -> None:
        super().__init__()
        self._pairs, self._k = pairs, k

    def __missing__(self, name: str) -> Any:
        value = self[name] = self._pairs.values(name)[self._k]
        return value


def _equal(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a = b`` in SQL for each pair: both present and equal."""
    return ~pd.isna(a) & ~pd.isna(b) & (a == b)


def _flagged(a: np.ndarray, flag: int) -> np.ndarray:
    return ~pd.isna(a) & (a == flag)


#: A whole-array test of some pairs at one level: ``test(pairs, at)`` says, for the pairs
#: numbered ``at``, whether they reach the level.
_ArrayTest = Callable[[_Pairs, np.ndarray], np.ndarray]


def _same(column: str) -> _ArrayTest:
    return lambda p, at: _equal(p.left(column, at), p.right(column, at))


def _same_key(p: _Pairs, at: np.ndarray) -> np.ndarray:
    han_l, han_r = pd.isna(p.left("name_han", at)), pd.isna(p.right("name_han", at))
    return _same("name_key")(p, at) & (han_l == han_r)


def _spelled(p: _Pairs, at: np.ndarray) -> np.ndarray:
    key_l, key_r = pd.isna(p.left("name_key", at)), pd.isna(p.right("name_key", at))
    return (key_l != key_r) & _same("name_spelling")(p, at)


def _latin_names(p: _Pairs, at: np.ndarray) -> np.ndarray:
    both = ~pd.isna(p.left("name_key", at)) & ~pd.isna(p.right("name_key", at))
    return both & pd.isna(p.left("name_han", at)) & pd.isna(p.right("name_han", at))


def _one_partial(p: _Pairs, at: np.ndarray) -> np.ndarray:
    return _flagged(p.left("name_partial", at), 1) | _flagged(p.right("name_partial", at), 1)


#: Whole-array twins of levels of :data:`~leadlink.match._levels.LEVEL_TESTS` (those of the
#: comparisons with ``relative_tf`` levels, which :func:`agreement_u` counts): the level's
#: answer for many pairs at once. tests/match/test_training.py holds each to its twin.
_ARRAY_TESTS: dict[tuple[str, str], _ArrayTest] = {
    ("name", "exact"): _same("name"),
    ("name", "same_key"): _same_key,
    ("name", "same_key_other_script"): _same("name_key"),
    ("name", "nickname"): _same("name_nick"),
    ("name", "spelled_by_mailbox"): _spelled,
}
#: Whole-array conditions that hold wherever a level holds: only the pairs that meet it are
#: given to the level's own test (a Jaro-Winkler score is computed for few pairs).
_ARRAY_FILTERS: dict[tuple[str, str], _ArrayTest] = {
    ("name", "similar"): _latin_names,
    ("name", "surname_only"): _one_partial,
}
#: Whole-array twins of :data:`~leadlink.match._levels.NULL_UNLESS`.
_ARRAY_NULL_UNLESS: dict[str, _ArrayTest] = {"name": _spelled}


def _reached(
    pairs: _Pairs,
    at: np.ndarray,
    test: Callable[[Any, Any], bool],
    array_test: _ArrayTest | None = None,
    array_filter: _ArrayTest | None = None,
) -> np.ndarray:
    """Which of the pairs numbered ``at`` pass ``test`` (of two rows): by its whole-array
    twin ``array_test`` when it has one, else one pair at a time, leaving out those that
    fail ``array_filter`` (when given)."""
    if array_test is not None:
        return np.asarray(array_test(pairs, at), dtype=bool)
    hit = np.zeros(len(at), dtype=bool)
    candidates = range(len(at)) if array_filter is None else np.flatnonzero(array_filter(pairs, at))
    for j in candidates:
        k = int(at[j])
        hit[j] = test(pairs.row(k), pairs.row(pairs.size + k))
    return hit


def _on_column(test: Callable[[Any, Any, str], bool], column: str) -> Callable[[Any, Any], bool]:
    """A level's test (which also takes the comparison's column) as a test of two rows."""
    return lambda left, right: test(left, right, column)


def _level_counts(
    pairs: _Pairs,
    table: str,
    preset: ComparisonPreset,
    null_unless: Callable[[Any, Any], bool] | None,
    last: int,
) -> np.ndarray:
    """How many of the drawn pairs reach each level of ``preset`` up to level ``last``
    (each pair counted at the first level it reaches, as DuckDB picks it; pairs with the
    comparison's column missing on one side are not compared unless ``null_unless``)."""
    from leadlink.match._levels import LEVEL_TESTS

    null_column = preset.null_column
    everyone = np.arange(pairs.size)
    left, right = pairs.left(null_column, everyone), pairs.right(null_column, everyone)
    open_ = ~(pd.isna(left) | pd.isna(right))
    if null_unless is not None:
        missing = np.flatnonzero(~open_)
        unless = _reached(pairs, missing, null_unless, _ARRAY_NULL_UNLESS.get(table))
        open_[missing[unless]] = True
    counts = np.zeros(len(preset.levels), dtype=np.int64)
    for i, level in enumerate(preset.levels[: last + 1]):
        at = np.flatnonzero(open_)
        if not len(at):
            break
        key = (table, level.id)
        hit = _reached(
            pairs,
            at,
            _on_column(LEVEL_TESTS[key], null_column),
            _ARRAY_TESTS.get(key),
            _ARRAY_FILTERS.get(key),
        )
        counts[i] = int(hit.sum())
        open_[at[hit]] = False
    return counts


#: Pairs drawn, per column, among the pairs that agree on it (see :func:`agreement_u`).
AGREEMENT_PAIRS = 50_000


def agreement_u(
    records: pd.DataFrame, preset: ComparisonPreset, table: str, seed: int
) -> dict[int, float]:
    """The share of compared pairs of ``records`` at each level of ``preset`` that has a
    ``relative_tf`` column, counted among pairs that agree on that column: level index →
    frequency (matches included, as random sampling counts them).

    Such a level (the same name key, a mailbox that spells the other's name) holds only for
    pairs that agree on its column, and most of those pairs share a common value: the
    mailbox wang.wei@ meets every 王伟. The random pairs that estimate u come from a sample
    of about 2,000 records, among which a common name's few nameless leads are there or
    not: on 97k generated leads it gave ``spelled_by_mailbox`` a u of 4.0e-6, where 2.5e-5
    of the table's non-matching pairs are at that level (its weight came out 2.7 bits too
    strong, 13.6 instead of 10.8). Here
    the pairs that agree on the column are counted exactly from the value counts, and a
    sample of them, drawn in proportion to each value's pairs, tells which level each pair
    reaches (:data:`~leadlink.match._levels.LEVEL_TESTS`, the levels' Python twins): the
    level's frequency is the share of agreeing pairs at it times the share of compared pairs
    that agree (every agreeing pair is tested when there are at most
    :data:`AGREEMENT_PAIRS`). Compared pairs are those where both records have the
    comparison's column (the few pairs ``null_unless`` adds are left out of that count).

    The levels are decided for all drawn pairs at once where they have a whole-array twin
    (:data:`_ARRAY_TESTS`; the name levels), the others pair by pair: on 200k leads a loop
    over 150,000 pairs took about 5 s.
    """
    from leadlink.match._levels import NULL_UNLESS

    wanted = {
        i: level.relative_tf
        for i, level in enumerate(preset.levels)
        if level.relative_tf is not None and level.relative_tf in records.columns
    }
    present = int(records[preset.null_column].notna().sum())
    compared = present * (present - 1) / 2
    if not wanted or compared == 0:
        return {}
    null_unless = NULL_UNLESS.get(table) if preset.null_unless is not None else None
    rng = np.random.default_rng(seed)
    # The pairs are drawn by position within each value's group of records; which record
    # is at a position is settled after, by content, for the groups drawn only.
    draws: dict[str, tuple[np.ndarray, int, tuple[np.ndarray, ...] | None]] = {}
    sample: tuple[np.ndarray, ...] | None
    drawable = np.zeros(len(records), dtype=bool)
    for column in dict.fromkeys(wanted.values()):
        codes = pd.factorize(records[column], sort=True, use_na_sentinel=True)[0]
        sizes = np.bincount(codes[codes >= 0]).astype(np.int64)
        pairs = sizes * (sizes - 1) // 2
        agreeing = int(pairs.sum())
        if agreeing == 0:
            continue
        if agreeing <= AGREEMENT_PAIRS:  # every agreeing pair
            sample = None
            drawn_groups = np.flatnonzero(sizes >= 2)
        else:  # a sample, each value's group drawn in proportion to its pairs
            groups = rng.choice(len(sizes), size=AGREEMENT_PAIRS, p=pairs / agreeing)
            first = rng.integers(0, sizes[groups])
            second = rng.integers(0, sizes[groups] - 1)
            second += second >= first  # two different records of the group
            sample = (groups, first, second)
            drawn_groups = np.unique(groups)
        in_drawn = np.zeros(len(sizes) + 1, dtype=bool)  # the last slot: no value (-1)
        in_drawn[drawn_groups] = True
        drawable |= in_drawn[codes]
        draws[column] = (codes, agreeing, sample)
    content = _content_hashes(records, drawable)
    out: dict[int, float] = {}
    for column, (codes, agreeing, sample) in draws.items():
        rows = np.flatnonzero(codes >= 0)
        rows = rows[np.lexsort((content[rows], codes[rows]))]
        sizes = np.bincount(codes[rows]).astype(np.int64)
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        if sample is None:
            shared = np.flatnonzero(sizes >= 2)
            within = [np.triu_indices(int(sizes[g]), k=1) for g in shared]
            left = np.concatenate([rows[starts[g] + i] for g, (i, _) in zip(shared, within)])
            right = np.concatenate([rows[starts[g] + j] for g, (_, j) in zip(shared, within)])
        else:
            groups, first, second = sample
            left = rows[starts[groups] + first]
            right = rows[starts[groups] + second]
        drawn = len(left)
        last = max(i for i, level_column in wanted.items() if level_column == column)
        counts = _level_counts(_Pairs(records, left, right), table, preset, null_unless, last)
        for i, level_column in wanted.items():
            if level_column == column and counts[i] > 0:
                out[i] = float(counts[i] / drawn * agreeing / compared)
    return out


def _content_hashes(records: pd.DataFrame, wanted: np.ndarray) -> np.ndarray:
    """A hash of the content of each record where ``wanted`` (0 elsewhere), by which the
    records of one value are ordered: not by their ids or rows, since the representative
    of identical records, and so its id, depends on the order the leads came in. Only the
    records of the groups drawn are hashed (about half of them on 200k leads)."""
    content = np.zeros(len(records), dtype=np.uint64)
    at = np.flatnonzero(wanted)
    if len(at):
        content[at] = pd.util.hash_pandas_object(
            records.iloc[at].drop(columns=["unique_id"], errors="ignore"), index=False
        ).to_numpy()
    return content


def _person_term_frequencies(
    prepared: pd.DataFrame, columns: Iterable[str]
) -> dict[str, pd.Series]:
    """How often each value of each column occurs among people rather than among leads:
    column → frequency indexed by value.

    Splink's term frequencies count leads, so a rare name given on four leads by one
    person looks four times as common as it is, and exactly the people with duplicates
    get their name discounted. Leads that share a personal mobile or a mailbox are counted
    as one person here (grouped once for all columns); the frequency of a value is the
    share of such groups that use it.
    """
    n = len(prepared)
    keys = [
        prepared["phone"].where(prepared["phone_shared"] == 0),
        prepared["email"],
    ]
    # each lead joined to the first lead of its line and of its mailbox; a person is a
    # connected component, numbered by its smallest lead
    left: list[np.ndarray] = []
    right: list[np.ndarray] = []
    for key in keys:
        code = pd.factorize(key, use_na_sentinel=True)[0]
        at = np.flatnonzero(code >= 0)
        # codes are numbered in order of first appearance: a code's first lead is where
        # the running largest code grows
        highest = np.maximum.accumulate(code[at])
        first = at[np.r_[True, highest[1:] > highest[:-1]]] if len(at) else at
        left.append(at)
        right.append(first[code[at]])
    group = component_roots(n, np.concatenate(left), np.concatenate(right))
    frequencies: dict[str, pd.Series] = {}
    for column in sorted(columns):
        codes, values = pd.factorize(prepared[column], use_na_sentinel=True)
        present = codes >= 0
        people = group[present]
        # the distinct (value, person) pairs, as numbers
        seen = distinct_integers(codes[present].astype(np.int64) * max(n, 1) + people)
        per_value = np.bincount(seen // max(n, 1), minlength=len(values))
        total = max(len(distinct_integers(people)), 1)
        index = pd.Index(np.asarray(values), name="value")
        frequencies[column] = (
            _by_value(pd.Series(per_value, index=index, name=f"tf_{column}")) / total
        )
    return frequencies


def _by_value(series: pd.Series) -> pd.Series:
    """``series.sort_index()`` for an index of distinct texts, sorted by Arrow (UTF-8 bytes
    are in code point order, as Python compares texts): numpy's sort of the 450,000
    distinct phones of a million leads took a second."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        values = pa.array(series.index.to_numpy(dtype=object), type=pa.string())
    except (pa.ArrowException, TypeError, ValueError):
        return series.sort_index()
    if values.null_count or not series.index.is_unique:
        return series.sort_index()
    return series.iloc[pc.array_sort_indices(values).to_numpy()]


def _finite(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) and number > 0 else None


def _levels_by_role(linker: Any) -> dict[str, list[dict[str, Any]]]:
    """The non-null levels of every comparison in the linker's current settings."""
    settings = linker.misc.save_model_to_json()
    return {
        c["output_column_name"]: [
            lv for lv in c["comparison_levels"] if not lv.get("is_null_level")
        ]
        for c in settings.get("comparisons", [])
    }


# EM sessions in order of preference, per entity. For people: the same personal phone, the
# same email, then the same name at the same company. A session that fails (same-email
# blocks can hold only matches, which drives EM's λ to 1) is followed by the next one that
# trains its roles. For organisations: the same phone, the same name, the same building.
_TRAINING_ORDER = {
    "person": ("phone", "email", "name_company", "name_city", "phone_name", "email_user"),
    "company": ("org_phone", "org", "org_address", "org_email", "org_words", "phone_tail"),
}


def _training_presets(
    presets: Sequence[BlockingPreset], entity: str = "person"
) -> list[BlockingPreset]:
    """Candidate EM sessions, most preferred first (a session cannot train the roles it
    blocks on; :meth:`LeadModel.fit` skips those whose roles are trained already)."""
    preferred = _TRAINING_ORDER[entity]

    def order(preset: BlockingPreset) -> tuple[int, int]:
        rank = preferred.index(preset.name) if preset.name in preferred else 99
        return rank, len(preset.fields)

    return sorted(presets, key=order)


# A role whose values cover less of the leads than this is left out of the model.
_MIN_COVERAGE = 0.02


def _usable_roles(
    prepared: pd.DataFrame, extra_kinds: Mapping[str, str], entity: str = "person"
) -> tuple[list[str], dict[str, str]]:
    roles: list[str] = []
    excluded: dict[str, str] = {}
    n = len(prepared)
    candidates = list(ENTITY_COMPARISONS[entity]) + list(extra_kinds)
    for role in candidates:
        preset = comparison_for(role, dict(extra_kinds), entity)
        if preset.null_column not in prepared.columns:
            raise InputError(
                say(
                    f"the prepared table has no column {preset.null_column!r}; prepare the leads "
                    "with the same extra columns the model was given",
                    f"预处理表中没有列 {preset.null_column!r}；"
                    "预处理线索时请使用与训练模型时相同的附加列",
                )
            )
        values = prepared[preset.null_column]
        present = int(values.notna().sum())
        if present == 0:
            excluded[role] = "absent"
        elif present / n < _MIN_COVERAGE:
            excluded[role] = f"only {present} of {n} leads have a usable value"
        elif _one_value(values):
            excluded[role] = "every lead has the same value"
        else:
            roles.append(role)
    return roles, excluded


def _one_value(values: pd.Series) -> bool:
    """Whether every present value is the same (``nunique() < 2``); two different values
    among the first thousand say no without hashing a million values."""
    head = values.iloc[:1000].dropna()
    if len(head) and bool((head != head.iloc[0]).any()):
        return False
    return bool(values.nunique(dropna=True) < 2)


# -- λ, the prior probability that two records are the same entity ----------------------

#: λ is first estimated with this recall assumed for the deterministic rules.
LAMBDA_RECALL = 0.8
#: Per entity, the deterministic rules that estimate λ: blocking presets whose equal keys
#: (nearly) always mean a match, and the comparison levels at which the rule holds. People:
#: the same mailbox; the same personal phone and name (see :data:`LAMBDA_PERSONAL`).
#: Organisations: the same name, branch included, in any word order; the same phone number.
LAMBDA_RULES: dict[str, tuple[tuple[tuple[str, ...], dict[str, tuple[str, ...]]], ...]] = {
    "person": (
        (("email",), {"email": ("exact",)}),
        (
            ("phone_name",),
            {
                "phone": ("same_personal",),
                "name": ("exact", "same_key", "same_key_other_script", "nickname"),
            },
        ),
    ),
    "company": (
        (("org", "org_words"), {"company": ("exact", "same_words")}),
        (("org_phone",), {"phone": ("same_number", "other_extension")}),
    ),
}
#: A λ rule's pairs count only where this 0/1 column of the prepared table is 0 on both
#: leads: the same phone and name on a switchboard are often two colleagues of one name.
#: On 100k generated leads 18 % of the pairs of same phone and name were two people, and λ
#: came out 27 % above the true share of matching pairs (10 % with personal lines only), so
#: that every pair of namesakes at one company scored too high.
LAMBDA_PERSONAL: dict[str, str] = {"phone_name": "phone_shared"}


def estimate_lambda(
    linker: Any,
    presets: Sequence[BlockingPreset],
    n: int,
    entity: str,
    make_rule: Callable[[str], Any],
    records: pd.DataFrame | None = None,
) -> tuple[float, str]:
    """λ from the pairs the entity's deterministic rules find (with
    :data:`LAMBDA_RECALL`), and how it was found; one duplicate per record when no rule's
    preset is among ``presets`` or the rules find nothing. λ is set on ``linker``.

    The pairs are counted by Splink on the linker's table, or, when ``records`` are given
    (every record of an account list, of which the linker holds the distinct ones), on
    those records: λ is the chance that two *records* are one organisation."""
    names = {p.name: p for p in presets}
    used = [name for rule, _ in LAMBDA_RULES[entity] for name in rule if name in names]
    rules = [
        f'l."{names[k].column}" = r."{names[k].column}"'
        + (f' AND l."{LAMBDA_PERSONAL[k]}" = 0 AND r."{LAMBDA_PERSONAL[k]}" = 0'
           if k in LAMBDA_PERSONAL else "")
        for k in used
    ]  # fmt: skip
    fallback = min(0.5, 1.0 / max(n - 1, 1))
    if not rules:
        return fallback, "default: one duplicate per lead"
    if records is not None:
        total = len(records) * (len(records) - 1) / 2
        found = _agreeing_pairs(
            records, [names[k].fields for k in used], [LAMBDA_PERSONAL.get(k) for k in used]
        )
        value = found / total / LAMBDA_RECALL if total else math.nan
    else:
        try:
            linker.training.estimate_probability_two_random_records_match(
                [make_rule(rule) for rule in rules], recall=LAMBDA_RECALL
            )
            value = float(linker.misc.save_model_to_json()["probability_two_random_records_match"])
        except Exception:  # Splink raises plain exceptions on degenerate data
            value = math.nan
    # Splink leaves λ at 0 or NaN when the rules find nothing, which breaks its EM
    # with a 'math domain error': λ is put back.
    if not math.isfinite(value) or value <= 0:
        set_lambda(linker, fallback)
        return fallback, "default: deterministic rules found nothing"
    value = min(value, 0.5)
    set_lambda(linker, value)
    return value, f"deterministic rules {sorted(used)}, recall {LAMBDA_RECALL}"


def _agreeing_pairs(
    records: pd.DataFrame,
    keys: Sequence[Sequence[str]],
    personal: Sequence[str | None] | None = None,
) -> float:
    """How many pairs of ``records`` agree on at least one of ``keys`` (each a tuple of
    columns, all given and equal, and where ``personal`` names a 0/1 column for the key,
    that column 0), by inclusion and exclusion over the keys."""
    codes = []
    for fields, flag in zip(keys, personal or [None] * len(keys)):
        parts = [pd.factorize(records[f], use_na_sentinel=True)[0] for f in fields]
        code = _joint(parts)
        missing = np.zeros(len(records), dtype=bool)
        for part in parts:
            missing |= part < 0
        if flag is not None:
            missing |= records[flag].to_numpy() != 0
        codes.append(np.where(missing, -1, code))
    found = 0.0
    for size in range(1, len(codes) + 1):
        for chosen in combinations(codes, size):
            valid = np.logical_and.reduce([c >= 0 for c in chosen])
            if not valid.any():
                continue
            joint = _joint([c[valid] for c in chosen])
            counts = np.bincount(joint).astype(float)
            found += (-1) ** (size + 1) * float((counts * (counts - 1) / 2).sum())
    return found


def _joint(parts: Sequence[np.ndarray]) -> np.ndarray:
    """The number of each row's combination of values in ``parts`` (codes of -1 and up, of
    equal length), rows equal in every part numbered alike: whole numbers combined a part at
    a time, not a Python tuple per row (seconds for a million records).

    >>> _joint([np.array([0, 1, 0, -1]), np.array([2, 2, 2, 2])]).tolist()
    [0, 1, 0, 2]
    """
    combined = np.zeros(len(parts[0]), dtype=np.int64)
    for part in parts:
        part = np.asarray(part, dtype=np.int64) + 1  # -1 (missing) is a value here
        width = int(part.max()) + 1 if len(part) else 1
        combined = pd.factorize(combined * width + part)[0].astype(np.int64)
    return combined


def rule_recall(
    prepared: pd.DataFrame,
    trained: set[str],
    m: Mapping[str, Sequence[float]],
    comparison: Callable[[str], ComparisonPreset],
    entity: str,
) -> float | None:
    """The share of matching pairs that the λ rules find, from the trained m.

    λ is first estimated from the pairs that the deterministic rules find, divided by an
    assumed recall. Once m is trained, that recall follows from it: a match has both values
    present (coverage²) and the rule's levels (m); the rules are taken as independent. None
    when a rule's roles were not trained.
    """

    # An organisation's name levels have priors written for lists of names alone (see
    # ORGANISATION.prior_m): they stand in for an m that nothing could train.
    usable = set(m) if entity == "company" else trained

    def agree(role: str, levels: Sequence[str]) -> float | None:
        if role not in usable or role not in m:
            return None
        preset = comparison(role)
        coverage = float(prepared[preset.null_column].notna().mean())
        agreeing = sum(m[role][preset.level_ids.index(level)] for level in levels)
        return coverage**2 * min(agreeing, 1.0)

    misses = 1.0
    used = False
    for _, rule in LAMBDA_RULES[entity]:
        parts = [agree(role, levels) for role, levels in rule.items()]
        if None not in parts:
            misses *= 1.0 - math.prod(p for p in parts if p is not None)
            used = True
    if not used:
        return None
    return float(min(max(1.0 - misses, 0.05), 0.95))
