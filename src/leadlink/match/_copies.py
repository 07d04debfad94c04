"""Records identical in everything a model compares: one entity, scored once.

A list can hold one organisation (or one prolific contact) hundreds of times, written the
same way. Random pairs of such a list agree mostly because they are that entity (u far too
high), and the copies fill the blocks beyond their cap. :class:`~leadlink.match.LeadModel`
therefore trains on and scores one representative of each group of identical records, and
pairs every other member with it at the levels two identical records reach — for people
only where what the records share identifies a person (:func:`identifying`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from leadlink.match._blocking import DEFAULT_MAX_BLOCK_SIZE
from leadlink.schema import ROLE

if TYPE_CHECKING:
    from leadlink.match._model import LeadModel

__all__ = ["compared_columns", "identical_pairs", "identifying", "representatives"]


def identifying(
    prepared: pd.DataFrame, entity: str, common: int = DEFAULT_MAX_BLOCK_SIZE
) -> np.ndarray:
    """The records whose values, when another record repeats them all, make the two one
    entity: every account; a lead with an email, a personal phone, or a full name with a
    company or an address (two leads 张伟 in 北京 and nothing else are not one person). A
    mailbox or a "personal" number given on more than ``common`` leads is a default or a
    junk value, not a person's: it identifies no one."""
    if entity == "company":
        return np.ones(len(prepared), dtype=bool)

    def rare(column: str) -> np.ndarray:
        # each value's count by its number (a count per value mapped back to a million
        # leads as text took seconds)
        codes = pd.factorize(prepared[column], use_na_sentinel=True)[0]
        counts = np.bincount(codes[codes >= 0]) if len(codes) else np.zeros(0, np.int64)
        return (codes >= 0) & (np.append(counts, 0)[codes] <= common)

    full_name = (prepared["name_key"].notna() & (prepared["name_partial"] == 0)).to_numpy()
    where = (prepared["employer"].notna() | prepared["address"].notna()).to_numpy()
    personal_phone = rare("phone") & (prepared["phone_shared"] == 0).to_numpy()
    return np.asarray(rare("email") | personal_phone | (full_name & where), dtype=bool)


def representatives(
    prepared: pd.DataFrame, compared: Sequence[str], eligible: np.ndarray
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One record of each group of ``eligible`` records equal in every ``compared`` column
    (the first), and the others as ``unique_id`` with their ``representative``; a record
    that is not eligible is a group of its own.

    The copies also carry their rows in ``prepared`` (``row``) and their representative's
    (``representative_row``), so that their pairs are placed without looking ids up."""
    empty = pd.DataFrame({"unique_id": [], "representative": []}, dtype=object)
    empty["row"] = empty["representative_row"] = np.zeros(0, dtype=np.int64)
    if not compared or eligible.sum() < 2:
        return prepared, empty
    group = identical_groups(prepared, compared, eligible)
    first = ~pd.Series(group).duplicated().to_numpy()
    ids = prepared["unique_id"].to_numpy(dtype=object)
    row_of = np.zeros(group.max() + 1 if len(group) else 0, dtype=np.int64)
    row_of[group[first]] = np.flatnonzero(first)
    rows = np.flatnonzero(~first)
    representative_rows = row_of[group[rows]]
    copies = pd.DataFrame(
        {
            "unique_id": ids[rows],
            "representative": ids[representative_rows],
            "row": rows,
            "representative_row": representative_rows,
        }
    )
    distinct = prepared.take(np.flatnonzero(first))
    distinct.index = pd.RangeIndex(len(distinct))  # reset_index would copy every column
    return distinct, copies


def identical_groups(
    prepared: pd.DataFrame, compared: Sequence[str], eligible: np.ndarray
) -> np.ndarray:
    """A number per row, equal for the ``eligible`` rows equal in every ``compared``
    column (a missing value equal to a missing value) and different for any other two.

    The columns are numbered one after the other, each only on the rows that still share
    every column before it with another row: after a phone or a name nearly every lead is
    alone, so the twenty-odd compared columns of a million leads are not all factorised on
    every lead (at 1M leads that was most of finding the copies).

    >>> frame = pd.DataFrame({"a": ["x", "y", "x", None, None], "b": [1, 2, 1, 1, 1]})
    >>> identical_groups(frame, ["a", "b"], np.array([True, True, True, True, False])).tolist()
    [0, 2, 0, 4, 5]
    """
    n = len(prepared)
    rows = np.flatnonzero(eligible)  # the rows that may still share a group
    combined = np.zeros(len(rows), dtype=np.int64)
    # the groups do not depend on the order; the columns that part leads most go first
    first = [c for c in _PARTING_FIRST if c in compared]
    for column in [*first, *(c for c in compared if c not in first)]:
        if len(rows) < 2:
            break
        series = prepared[column]
        values: Any = series
        if len(rows) < n:
            values = (
                series.to_numpy()[rows]
                if isinstance(series.dtype, np.dtype)
                else series.array.take(rows)  # nullable and Arrow columns as themselves
            )
        codes = pd.factorize(values, use_na_sentinel=True)[0]
        # a missing value (-1) is a value like any other; codes < width
        width = int(codes.max()) + 2
        combined = pd.factorize(combined * width + codes.astype(np.int64) + 1)[0]
        counts = np.bincount(combined)
        shared = counts[combined] > 1
        if not shared.all():
            rows, combined = rows[shared], pd.factorize(combined[shared])[0]
    # rows still sharing a group are numbered by it, every other row after them alone
    n_groups = int(combined.max()) + 1 if len(rows) >= 2 else 0
    group = n_groups + np.arange(n, dtype=np.int64)
    if n_groups:
        group[rows] = combined
    return group


#: Columns in which few leads agree: :func:`identical_groups` numbers them first, and after
#: them only a sixth of a million generated leads still share every column read (two
#: thirds after the name and its keys).
_PARTING_FIRST = ("email", "phone", "name")


def compared_columns(table: pd.DataFrame, roles: Sequence[str]) -> list[str]:
    """The prepared columns of ``roles`` (and the user's own) that ``table`` holds."""
    wanted = {c for r in roles for c in (ROLE[r].prepared if r in ROLE else (r,))}
    return [c for c in table.columns if c in wanted]


def identical_pairs(
    model: LeadModel, copies: pd.DataFrame, prepared: pd.DataFrame, columns: pd.Index
) -> pd.DataFrame:
    """Pairs of each copy with its representative, at the strongest level of every
    role both give (the level two identical records reach), no term-frequency
    adjustment."""
    left = copies["representative"].to_numpy(dtype=object)
    right = copies["unique_id"].to_numpy(dtype=object)
    if "row" in copies.columns:  # from representatives(): the copies' rows are known
        at = copies["row"].to_numpy(dtype=np.int64)
    else:
        at = pd.Index(prepared["unique_id"]).get_indexer(right)
    swap = left.astype(str) > right.astype(str)
    out = pd.DataFrame({"id_l": np.where(swap, right, left), "id_r": np.where(swap, left, right)})
    prior = math.log2(model.lambda_ / (1.0 - model.lambda_))
    total = np.full(len(out), prior)
    for role in model.roles:
        preset = model._comparison(role)
        present = prepared[preset.null_column].notna().to_numpy()[at]
        weight = math.log2(model._m[role][0] / model._u[role][0])
        levels = pd.Categorical(
            np.where(present, preset.levels[0].id, "null"), [*preset.level_ids, "null"]
        )
        out[f"{model._display(role)}_level"] = levels
        out[f"{model._display(role)}_weight"] = np.where(present, round(weight, 4), 0.0)
        total += np.where(present, weight, 0.0)
    out["match_weight"] = total
    out["match_probability"] = 1.0 / (1.0 + np.exp2(-total))
    out["found_by"] = "identical"
    out["rule"] = model._apply_rules(out, prepared)
    return out[list(columns)]
