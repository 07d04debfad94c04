"""Scoring a prepared table's blocked pairs with a fitted model, in DuckDB through Splink.

:meth:`LeadModel.predict <leadlink.match.LeadModel.predict>` checks its arguments, finds the
table's identical records and calls :func:`score_pairs` on the distinct ones; each copy is
then paired with the record it copies by :func:`with_copies`. The pairs come back in the
order of their ids as text, read a column at a time from the database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from leadlink.match._adjust import relative_frequencies
from leadlink.match._backends import database
from leadlink.match._blocking import check_pair_budget, presets_for
from leadlink.match._copies import identical_pairs
from leadlink.match._quiet import quiet_splink
from leadlink.match._tables import (
    _dtype,
    _level_names,
    _model_columns,
    _text_ranks,
    register_term_frequencies,
    scored_columns,
    scoring_settings,
)

if TYPE_CHECKING:
    from leadlink.match._model import LeadModel
    from leadlink.match._splink import DatabaseAPI

__all__ = ["score_pairs", "with_copies"]


def score_pairs(
    model: LeadModel,
    prepared: pd.DataFrame,
    min_probability: float,
    db_api: DatabaseAPI | None,
    budget: int | None,
    *,
    with_rows: bool = False,
) -> Any:
    """The scored pairs of ``prepared``, in the order of their ids as text; with
    ``with_rows`` also the rows of ``prepared`` their two leads are (the pairs, the
    left rows, the right rows)."""
    roles = model.roles
    presets = presets_for(roles, model.blocking, model._extra_kinds, model.entity)
    keyed, report = model._keys(prepared, presets)
    check_pair_budget(report, budget, len(prepared))
    columns = ["id_l", "id_r", "match_weight", "match_probability", "found_by"]
    columns += [f"{r}_level" for r in roles] + [f"{r}_weight" for r in roles]
    if len(prepared) < 2 or report.total_comparisons == 0:
        empty = pd.DataFrame({c: pd.Series(dtype=_dtype(c)) for c in columns})
        none = np.zeros(0, dtype=np.int64)
        return (empty, none, none) if with_rows else empty
    from splink import Linker

    from leadlink.match._splink import column_reader, parse_exact_matches_once, predict_selected

    parse_exact_matches_once()
    with quiet_splink(), database(db_api) as db:
        # Integer ids inside the database: a pair costs two integers, not two strings.
        ids = keyed["unique_id"].to_numpy(dtype=object)
        table = db.register(_with_row_ids(keyed, _model_columns(keyed, presets)))
        linker = Linker(
            table, scoring_settings(model, presets), log_level=None, validate_settings=False
        )
        levels = [level for role in roles for level in model._comparison(role).levels]
        frequencies = register_term_frequencies(linker, db, keyed, levels)
        wanted = scored_columns(model, id_type="INTEGER", level_type="TINYINT")
        # Only these columns are made: Splink's predict() would materialise every
        # compared and blocking column of both leads of each pair as well.
        scored = predict_selected(linker, wanted, min_probability)
        # Read a column at a time: the whole table read at once was, with its copy in
        # the database and its conversion, the peak of memory at 1M leads.
        column = column_reader(db.api, scored.physical_name)
        left, right = column("l"), column("r")
        # ids are compared as text so that id_l < id_r holds for the string ids; each
        # id's place in text order is found once, and pairs are swapped and sorted by it.
        rank = _text_ranks(ids)
        swap = rank[left] > rank[right]
        left, right = np.where(swap, right, left), np.where(swap, left, right)
        # one whole number per pair (ranks < len(ids)): a stable sort of it is the order
        # of lexsort((right, left)) at half its cost (4.5M pairs: 1.7 -> 0.7 s)
        order = np.argsort(rank[left] * len(ids) + rank[right], kind="stable")
        del swap
        left, right = left[order], right[order]
        out = pd.DataFrame(
            {
                "id_l": ids[left],
                "id_r": ids[right],
                "match_weight": column("match_weight")[order].astype(float),
                "match_probability": column("match_probability")[order].astype(float),
                "found_by": pd.Categorical.from_codes(
                    column("match_key")[order].astype(int),
                    pd.Index([p.name for p in presets]),
                ),
            }
        )
        for role in roles:
            gamma = pd.Series(column(f"gamma_{role}")[order])
            out[f"{role}_level"] = _level_names(model._comparison(role), gamma)
        for role in roles:
            out[f"{role}_weight"] = column(f"w_{role}")[order].astype(float)
        scored.drop_table_from_database_and_remove_from_cache()
    relative_frequencies(
        out, keyed, left, {role: model._comparison(role) for role in roles}, frequencies
    )
    for role in roles:
        out[f"{role}_weight"] = out[f"{role}_weight"].round(4)
    out["rule"] = model._apply_rules(out, prepared)
    columns.append("rule")
    renames = {}
    for role in roles:
        if role != model._display(role):
            renames[f"{role}_level"] = f"{model._display(role)}_level"
            renames[f"{role}_weight"] = f"{model._display(role)}_weight"
    if list(out.columns) != columns:  # selecting copies every column: only when needed
        out = out[columns]
    out = out.rename(columns=renames, copy=False)
    return (out, left, right) if with_rows else out


def with_copies(
    model: LeadModel,
    prepared: pd.DataFrame,
    copies: pd.DataFrame,
    pairs: pd.DataFrame,
    left: np.ndarray,
    right: np.ndarray,
) -> pd.DataFrame:
    """The scored pairs of the distinct records (``pairs``, with the rows ``left`` and
    ``right`` of their leads in the distinct table) and each copy's pair with the record it
    copies, at the levels two identical records reach (``copies``: see
    :func:`~leadlink.match._copies.representatives`), in the order of their ids as text."""
    same = identical_pairs(model, copies, prepared, pairs.columns)
    known = pairs["found_by"].dtype
    presets = list(known.categories) if isinstance(known, pd.CategoricalDtype) else []
    found_by = pd.Categorical(
        np.concatenate(
            [pairs["found_by"].to_numpy(dtype=object), same["found_by"].to_numpy(dtype=object)]
        ),
        [*presets, "identical"],
    )
    id_l = np.concatenate([pairs["id_l"].to_numpy(), same["id_l"].to_numpy()])
    id_r = np.concatenate([pairs["id_r"].to_numpy(), same["id_r"].to_numpy()])
    order = _merged_order(prepared, copies, left, right)
    # Column by column, each freed from the scored pairs once placed: concatenating and
    # then sorting the tables held three copies of a million leads' pairs at once.
    out = pd.DataFrame(index=pd.RangeIndex(len(order)))
    for name in list(pairs.columns):
        if name == "found_by":
            out[name] = found_by[order]
        elif name == "id_l":
            out[name] = id_l[order]
        elif name == "id_r":
            out[name] = id_r[order]
        else:
            parts = [part for part in (pairs.pop(name), same[name]) if len(part)]
            both = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
            out[name] = both.iloc[order].reset_index(drop=True)
    return out


def _with_row_ids(keyed: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """``keyed``'s ``columns`` with ``unique_id`` replaced by the row numbers, for the
    database: a pair then costs two integers, not two strings. When ``columns`` are all of
    ``keyed``'s, in order, the other columns are not copied (selecting them and assigning
    the ids copied a million leads' table twice)."""
    if list(keyed.columns) != columns:
        keyed = keyed[columns]
    table = keyed.copy(deep=False)
    table["unique_id"] = np.arange(len(keyed))  # replaces the column in this copy only
    return table


def _merged_order(
    prepared: pd.DataFrame, copies: pd.DataFrame, left: np.ndarray, right: np.ndarray
) -> np.ndarray:
    """The order in which the pairs of the distinct records (rows ``left`` and ``right``
    of the distinct table, in the order of their ids as text) followed by the pairs of
    each copy with its representative (``copies``, see
    :func:`~leadlink.match._copies.representatives`) are in the order of their ids as
    text: the first pairs are in that order already, so the others are merged into them.
    """
    n = len(prepared)
    rank = _text_ranks(prepared["unique_id"].to_numpy(dtype=object))
    copy_rows = copies["row"].to_numpy(dtype=np.int64)
    distinct_rows = np.flatnonzero(~np.isin(np.arange(n), copy_rows))
    scored = rank[distinct_rows[left]] * n + rank[distinct_rows[right]]
    a = rank[copy_rows]
    b = rank[copies["representative_row"].to_numpy(dtype=np.int64)]
    same = np.minimum(a, b) * n + np.maximum(a, b)
    if len(scored) > 1 and not bool((np.diff(scored) > 0).all()):  # (never, as made)
        return np.argsort(np.concatenate([scored, same]), kind="stable")
    inserted = np.argsort(same, kind="stable")
    at = np.searchsorted(scored, same[inserted]) + np.arange(len(same))
    order = np.empty(len(scored) + len(same), dtype=np.int64)
    taken = np.zeros(len(order), dtype=bool)
    taken[at] = True
    order[at] = len(scored) + inserted
    order[~taken] = np.arange(len(scored))
    return order
