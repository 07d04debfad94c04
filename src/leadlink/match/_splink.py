"""The one door to Splink's internals.

Everywhere else leadlink uses Splink's public API: ``splink`` (``Linker``,
``SettingsCreator``, ``block_on``, ``DuckDBAPI``, ``SparkAPI``), the comparison, comparison
level and blocking rule libraries, ``splink.backends.*``, and the model JSON of
``linker.misc.save_model_to_json()``. What that API does not give is reached for here, and
only here, in small functions that say what they touch and why there is no public way.

Splink may move any of it in a minor release. ``tests/match/test_splink_door.py`` checks each
one against the installed Splink, so an upgrade fails there, naming the internal that moved,
instead of deep inside a fit. The door was written for the Splink versions in
:data:`TESTED_SPLINK`; widen the range only after that test passes on the new version.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np

# Types only: Splink exports its concrete database APIs and level creators, not their bases.
from splink.internals.comparison_level_creator import ComparisonLevelCreator
from splink.internals.database_api import DatabaseAPI

__all__ = [
    "EM_STORE_FUNCTION",
    "EM_STORE_MODULE",
    "TESTED_SPLINK",
    "ComparisonLevelCreator",
    "DatabaseAPI",
    "clear_table_cache",
    "collapsed_level",
    "column_reader",
    "dialect_name",
    "drop_table",
    "em_iterations",
    "is_database_api",
    "parse_exact_matches_once",
    "predict_selected",
    "registered_tables",
    "set_lambda",
    "sqlglot_dialect",
    "tables_made",
]

#: Splink versions this door was checked against: from the first (inclusive) up to the
#: second (exclusive).
TESTED_SPLINK = ("5.0.0", "5.1.0")

#: Where Splink 5 stores the m and u a maximisation step estimated, and refuses an m of 0
#: (see :func:`collapsed_level`).
EM_STORE_MODULE = "splink.internals.expectation_maximisation"
EM_STORE_FUNCTION = "populate_m_u_from_lookup"


# -- database APIs ---------------------------------------------------------------------


def is_database_api(value: object) -> bool:
    """Whether ``value`` is a Splink database API (DuckDB, Spark, Postgres, ...).

    Reaches into ``splink.internals.database_api``: Splink exports each backend's API but
    not their common base class, which is what ``backend=`` accepts.
    """
    return isinstance(value, DatabaseAPI)


def dialect_name(api: Any) -> str:
    """The SQL dialect of a database API as Splink names it (``"duckdb"``, ``"spark"``).

    Reads ``api.sql_dialect.sql_dialect_str``: the dialect object is internal, and Splink 5
    has no public getter for the backend's name.
    """
    return str(api.sql_dialect.sql_dialect_str)


def sqlglot_dialect(api: Any) -> str:
    """The sqlglot dialect a database API's SQL is written in (``"duckdb"``, ``"spark"``).

    Reads ``api.sql_dialect.sqlglot_dialect``, for SQL leadlink builds itself (typed nulls
    on Spark); Splink 5 has no public getter.
    """
    return str(api.sql_dialect.sqlglot_dialect)


def clear_table_cache(api: Any) -> None:
    """Empty Splink's cache of intermediate tables on a database API the caller shares.

    Calls ``api._intermediate_table_cache.invalidate_cache()``: Splink reuses a cached
    table whose SQL name matches, so a table left by the caller's earlier job (or our own)
    would be taken for this job's. Splink 5 only clears it from its private linker code.
    """
    api._intermediate_table_cache.invalidate_cache()


def tables_made(api: Any) -> list[str]:
    """Physical names of every table Splink has made on ``api``, oldest first.

    Reads ``api._intermediate_table_cache.executed_queries``: the only record of the tables
    a job made (and, on Spark, of the temporary views Splink forgets to drop), so a job on a
    shared database can drop its own tables and no one else's.
    """
    return [table.physical_name for table in api._intermediate_table_cache.executed_queries]


def registered_tables(api: Any) -> set[str]:
    """Names of the tables registered on ``api`` so far (a copy).

    Reads ``api._registered_table_names``: Splink 5 refuses a name registered twice but
    does not say which names are taken, nor drop them.
    """
    return set(api._registered_table_names)


def drop_table(api: Any, name: str) -> None:
    """Drop table ``name`` from ``api``'s database, and forget that Splink made it.

    ``delete_table_from_database`` is public; discarding the name from
    ``api._created_tables`` is not, and keeps Splink's own clean-up
    (``delete_tables_created_by_splink_from_db``) from dropping it a second time.
    """
    api.delete_table_from_database(name)
    api._created_tables.discard(name)


# -- training --------------------------------------------------------------------------


def set_lambda(linker: Any, value: float) -> None:
    """Set λ (the probability that two random records match) on a linker's settings.

    Writes ``linker._settings_obj._probability_two_random_records_match``: Splink 5 sets λ
    only from its own estimators, and leaves it at 0 or NaN when they find nothing, which
    then breaks its EM with a 'math domain error'. (It is read publicly, from
    ``linker.misc.save_model_to_json()["probability_two_random_records_match"]``.)
    """
    linker._settings_obj._probability_two_random_records_match = value


def em_iterations(session: Any) -> int:
    """How many iterations an EM training session ran (0 if Splink does not say).

    Reads ``session._core_model_settings_history``, one entry per iteration; Splink 5's
    public session only draws the history as charts.
    """
    return len(getattr(session, "_core_model_settings_history", None) or [])


def collapsed_level(error: BaseException) -> tuple[str, str] | None:
    """(comparison, level label) of the level whose m EM drove to 0, or None.

    Splink 5 refuses an m of exactly 0 with a plain ValueError (naming neither the
    comparison nor the level) while :data:`EM_STORE_FUNCTION` stores what a maximisation
    step estimated; the level is read from that function's frame in the traceback, its
    locals ``comparison_level`` (or ``cl``) and ``output_column_name``. Any other error,
    or another Splink layout, gives None: the session then fails as it would without this.
    """
    if not isinstance(error, ValueError) or "m_probability" not in str(error):
        return None
    tb = error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_name == EM_STORE_FUNCTION:
            names = tb.tb_frame.f_locals
            level = names.get("comparison_level", names.get("cl"))
            role, label = names.get("output_column_name"), getattr(level, "label_for_charts", None)
            if isinstance(role, str) and isinstance(label, str):
                return role, label
        tb = tb.tb_next
    return None


def parse_exact_matches_once() -> None:
    """Make Splink parse a comparison level's SQL once per condition instead of on every
    question about it (idempotent).

    Replaces ``_validate_sql`` and the properties ``_is_exact_match`` and
    ``_exact_match_colnames`` of ``splink.internals.comparison_level.ComparisonLevel`` by
    the same code with its answer kept per condition and dialect. Splink parses (and for
    the exact-match questions simplifies) the level's SQL with sqlglot each time: for
    every level of every linker made, for every term-frequency level on every EM iteration
    and training session, 4 to 6 CPU seconds of a fit at any size. The answers depend on
    nothing but the condition's text and the dialect; errors are raised as before (they
    are not kept).
    """
    from splink.internals import comparison_level as module

    level_class: Any = module.ComparisonLevel
    if hasattr(level_class, "_leadlink_splink_own"):
        return
    # Splink's own code, kept: for its errors, and for the door's test to compare answers
    own = {
        "_validate_sql": level_class._validate_sql,
        "_is_exact_match": level_class._is_exact_match.fget,
        "_exact_match_colnames": level_class._exact_match_colnames.fget,
    }

    def subclauses(condition: str, dialect: str) -> list[Any]:
        # parsed afresh for each question: reading the column names edits the trees
        tree = module.sqlglot.parse_one(condition.lower(), read=dialect)
        return list(module._get_and_subclauses(module.simplify(module.normalize(tree))))

    @lru_cache(maxsize=4096)
    def is_exact(condition: str, dialect: str) -> bool:
        return all(module._is_exact_match(expr) for expr in subclauses(condition, dialect))

    @lru_cache(maxsize=4096)
    def colnames(condition: str, dialect: str) -> tuple[str, ...]:
        return tuple(module._exact_match_colname(e) for e in subclauses(condition, dialect))

    def is_exact_match(level: Any) -> bool:
        return not level._is_else_level and is_exact(level.sql_condition, level.sqlglot_dialect)

    def exact_match_colnames(level: Any) -> list[str]:
        if not is_exact(level.sql_condition, level.sqlglot_dialect):
            return list(own["_exact_match_colnames"](level))  # raises Splink's error
        return list(colnames(level.sql_condition, level.sqlglot_dialect))

    parsed: set[tuple[str, str]] = set()

    def validate_sql(level: Any) -> bool:
        if level._is_else_level or (level.sql_condition, level.sqlglot_dialect) in parsed:
            return True
        own["_validate_sql"](level)  # Splink's error if it does not parse
        parsed.add((level.sql_condition, level.sqlglot_dialect))
        return True

    level_class._leadlink_splink_own = own
    level_class._validate_sql = validate_sql
    level_class._is_exact_match = property(is_exact_match)
    level_class._exact_match_colnames = property(exact_match_colnames)


# -- prediction ------------------------------------------------------------------------


def predict_selected(
    linker: Any, select: list[str], threshold_match_probability: float | None = None
) -> Any:
    """The pairs ``linker.inference.predict()`` scores, as a table of only the ``select``
    expressions (SQL over Splink's prediction columns: ``unique_id_l``, ``unique_id_r``,
    ``match_key``, ``match_weight``, ``match_probability``, ``gamma_<c>``, ``mw_<c>``,
    ``mw_tf_adj_<c>``) — a SplinkDataFrame.

    Splink's ``predict()`` materialises every column a comparison or a blocking rule reads,
    twice per pair, when its ``gamma_`` columns are wanted (``retain_matching_columns``); at
    1M leads that table was most of the time of scoring. This builds the same pipeline
    from Splink's own SQL (the public ``compute_blocked_pairs_for_predict``, then
    ``splink.internals``' comparison-vector and prediction SQL, with ``training_mode`` so
    that the levels are kept without the columns), adds the selection as its last step,
    and materialises only that. Same pairs and scores: tests/match/test_splink_door.py
    checks it against ``predict()``.
    """
    from splink.internals.comparison_vector_values import (
        compute_comparison_vector_values_from_id_pairs_sqls,
    )
    from splink.internals.dialects import SplinkDialect
    from splink.internals.pipeline import CTEPipeline
    from splink.internals.predict import predict_from_comparison_vectors_sqls
    from splink.internals.settings import Settings
    from splink.internals.vertically_concatenate import enqueue_df_concat_with_tf

    settings = linker._settings_obj
    columns = settings.column_info_settings
    blocked = linker.inference.compute_blocked_pairs_for_predict()
    try:
        pipeline = CTEPipeline([blocked])
        enqueue_df_concat_with_tf(linker, pipeline)
        vectors = Settings.columns_to_select_for_comparison_vector_values(
            unique_id_input_columns=columns.unique_id_input_columns,
            comparisons=settings.comparisons,
            retain_matching_columns=False,
            additional_columns_to_retain=[],
        )
        blocking = [
            column for uid in columns.unique_id_input_columns for column in uid.l_r_names_as_l_r
        ]
        for comparison in settings.comparisons:
            blocking.extend(comparison._columns_to_select_for_blocking())
        pipeline.enqueue_list_of_sqls(
            compute_comparison_vector_values_from_id_pairs_sqls(
                list(dict.fromkeys(blocking)),
                vectors,
                input_tablename_l="__splink__df_concat_with_tf",
                input_tablename_r="__splink__df_concat_with_tf",
                source_dataset_input_column=columns.source_dataset_input_column,
                unique_id_input_column=columns.unique_id_input_column,
                link_type=settings._link_type,
                sql_dialect_str=linker._sql_dialect_str,
            )
        )
        pipeline.enqueue_list_of_sqls(
            predict_from_comparison_vectors_sqls(
                unique_id_input_columns=columns.unique_id_input_columns,
                core_model_settings=settings.core_model_settings,
                sql_dialect=SplinkDialect.from_string(settings._sql_dialect_str),
                threshold_match_probability=threshold_match_probability,
                retain_matching_columns=False,
                retain_intermediate_calculation_columns=True,
                training_mode=True,
            )
        )
        pipeline.enqueue_sql(
            f"SELECT {', '.join(select)} FROM __splink__df_predict", "__leadlink_scored_pairs"
        )
        return linker._db_api.sql_pipeline_to_splink_dataframe(pipeline)
    finally:
        blocked.drop_table_from_database_and_remove_from_cache()


def column_reader(api: Any, table: str) -> Callable[[str], np.ndarray]:
    """A function giving one column of ``table`` (a table Splink made on ``api``) as a
    numpy array; NULL is NaN in numbers, None otherwise.

    On DuckDB each call reads one column, ``SELECT column FROM table`` through
    ``api._execute_sql_against_backend`` (the query Splink's public ``query_sql`` runs, but
    without its conversion of every column at once, which with the table's copy in the
    database was the peak of memory at 1M leads). Other backends read the table once
    through the public ``query_sql``.
    """
    if dialect_name(api) == "duckdb":

        def one(column: str) -> np.ndarray:
            relation = api._execute_sql_against_backend(f"SELECT {column} FROM {table}")
            return _filled(relation.fetchnumpy()[column])

        return one
    frame = api.query_sql(f"SELECT * FROM {table}", output_type="pandas")
    return lambda column: _filled(frame[column].to_numpy())


def _filled(values: Any) -> np.ndarray:
    if isinstance(values, np.ma.MaskedArray):
        values = values.filled(np.nan if values.dtype.kind == "f" else None)
    return np.asarray(values)
