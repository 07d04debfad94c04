"""The Splink database a fit or predict runs on: DuckDB by default, Spark, or any Splink
database API the caller passes.

``backend`` (the option of :func:`leadlink.dedupe`) is ``None`` / ``"duckdb"`` (a private
in-memory DuckDB per fit and predict, with a memory limit and spill to disk), ``"spark"``
(the active SparkSession, or a local one started with Splink's similarity functions), or a
Splink ``DatabaseAPI`` instance. The model file does not depend on it: a model trained on
DuckDB scores on Spark.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pandas as pd

from leadlink.errors import ConfigError
from leadlink.match._splink import (
    clear_table_cache,
    dialect_name,
    drop_table,
    is_database_api,
    registered_tables,
    sqlglot_dialect,
    tables_made,
)

if TYPE_CHECKING:
    import duckdb

    from leadlink.match._splink import DatabaseAPI

__all__ = [
    "BACKENDS",
    "DUCKDB_MEMORY_LIMIT",
    "SPARK_SHUFFLE_PARTITIONS",
    "Database",
    "check_backend",
    "database",
    "database_api",
]

logger = logging.getLogger(__name__)


#: DuckDB may use this much memory before it spills to a temporary folder on disk.
DUCKDB_MEMORY_LIMIT = "768MB"

#: The backends :func:`leadlink.dedupe` knows by name; a Splink database API works too.
BACKENDS = ("duckdb", "spark")

#: Shuffle partitions of the local Spark session leadlink starts (Spark's 200 are meant
#: for a cluster, and make a small job on one machine slow).
SPARK_SHUFFLE_PARTITIONS = 4


def check_backend(backend: object) -> None:
    """Refuse a ``backend`` that :func:`database_api` cannot turn into a database."""
    if backend is None or (isinstance(backend, str) and backend in BACKENDS):
        return
    if is_database_api(backend):
        return
    raise ConfigError(
        f"backend {backend!r} is not available; choose None or 'duckdb' (the embedded "
        "DuckDB), 'spark' (the active SparkSession, or a local one), or a Splink database "
        "API such as splink.SparkAPI(spark_session=spark)"
    )


def database_api(backend: str | DatabaseAPI | None) -> DatabaseAPI | None:
    """The Splink database API for ``backend`` (see :func:`leadlink.dedupe`).

    None for ``None`` and ``"duckdb"``: :class:`LeadModel` then uses a private in-memory
    DuckDB per fit and predict. ``"spark"`` takes the active SparkSession, or starts a
    local one.
    """
    check_backend(backend)
    if backend is None or backend == "duckdb":
        return None
    if backend == "spark":
        return _spark_api()
    return backend  # type: ignore[return-value]  # a DatabaseAPI, as checked


def _spark_api() -> DatabaseAPI:
    """A Splink SparkAPI on the active SparkSession, or on a local one started now."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise ConfigError(
            "backend='spark' needs pyspark and Java 17 or later; install them with "
            "pip install 'leadlink[spark]', or use backend='duckdb'"
        ) from None
    from splink import SparkAPI
    from splink.backends.spark import similarity_jar_location

    session = SparkSession.getActiveSession()
    if session is None:
        session = (
            SparkSession.builder.master("local[2]")
            .appName("leadlink")
            # Splink's string similarity functions (Jaro-Winkler, Damerau-Levenshtein).
            .config("spark.jars", similarity_jar_location())
            .config("spark.sql.shuffle.partitions", str(SPARK_SHUFFLE_PARTITIONS))
            # Python workers run on this interpreter, not whatever python3 is on the PATH.
            .config("spark.pyspark.python", sys.executable)
            # Local mode needs no network: do not depend on the host name resolving.
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .getOrCreate()
        )
        session.sparkContext.setLogLevel("ERROR")
        logger.info("started a local Spark session (local[2]) for leadlink")
    if session.sparkContext.getCheckpointDir() is None:
        # Splink writes its intermediate tables to the checkpoint directory.
        import atexit
        import shutil
        import tempfile

        folder = tempfile.mkdtemp(prefix="leadlink-spark-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        session.sparkContext.setCheckpointDir(folder)
    return SparkAPI(spark_session=session)


def _duckdb_connection() -> duckdb.DuckDBPyConnection:
    """A private in-memory DuckDB that spills to disk past :data:`DUCKDB_MEMORY_LIMIT`."""
    import tempfile

    import duckdb

    return duckdb.connect(
        config={
            "memory_limit": DUCKDB_MEMORY_LIMIT,
            "temp_directory": tempfile.gettempdir(),
        }
    )


def _duckdb_api(connection: duckdb.DuckDBPyConnection) -> Any:
    from splink import DuckDBAPI

    return DuckDBAPI(connection)


class Database:
    """The Splink database of one fit or predict.

    By default a private in-memory DuckDB, closed at the end. A database API the caller
    passes is shared with their other work: Splink's cache of it is cleared first (a cached
    table of an earlier job would be taken for this job's), and the tables this job
    registered or made are dropped at the end.
    """

    def __init__(self, db_api: DatabaseAPI | None) -> None:
        self.owned = db_api is None
        # A private DuckDB's connection is kept, to be closed at the end.
        self._connection = _duckdb_connection() if db_api is None else None
        self.api: Any = db_api if self._connection is None else _duckdb_api(self._connection)
        self._inputs: list[str] = []
        self._made_before = 0
        self._registered_before: set[str] = set()
        if not self.owned:
            clear_table_cache(self.api)
            self._made_before = len(tables_made(self.api))
            self._registered_before = registered_tables(self.api)

    def register(self, frame: pd.DataFrame) -> Any:
        """``frame`` as a Splink table (a SplinkDataFrame)."""
        if self.owned:
            return self.api.register(frame)
        empty = [str(c) for c in frame.columns if frame[c].isna().all()]
        if not empty or dialect_name(self.api) == "duckdb":
            table = self.api.register(frame)
        else:
            table = self._register_with_typed_nulls(frame, empty)
        self._inputs.append(table.physical_name)
        return table

    def _register_with_typed_nulls(self, frame: pd.DataFrame, empty: list[str]) -> Any:
        """Register ``frame`` whose columns ``empty`` hold no value.

        Spark infers a column's type from its values, and refuses a column without any
        (a role missing from the leads, an empty lookup); such columns are added in SQL as
        typed nulls instead.
        """
        from sqlglot import exp

        dialect = sqlglot_dialect(self.api)
        present = [str(c) for c in frame.columns if str(c) not in empty]
        columns = [
            exp.cast(exp.null(), _sql_type(frame[c].dtype)).as_(c, quoted=True)
            if c in empty
            else exp.column(c, quoted=True)
            for c in map(str, frame.columns)
        ]
        query = exp.select(*columns)
        if present and len(frame):
            source = self.api.register(frame[present])
            self._inputs.append(source.physical_name)
            query = query.from_(source.physical_name)
        else:
            query = query.where("1 = 0")
        made = self.api.query_sql(query.sql(dialect=dialect), output_type="splink_df")
        return self.api.register(made.physical_name)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()  # frees the database's memory at once
            return
        # Every table made or registered for this job, including those Splink only forgot
        # (on Spark, Splink leaves the temporary views of the tables it drops behind).
        made = tables_made(self.api)[self._made_before :]
        registered = sorted(registered_tables(self.api) - self._registered_before)
        clear_table_cache(self.api)
        for name in dict.fromkeys([*made, *self._inputs, *registered]):
            drop_table(self.api, name)


@contextlib.contextmanager
def database(db_api: DatabaseAPI | None) -> Iterator[Database]:
    handle = Database(db_api)
    try:
        yield handle
    finally:
        handle.close()


def _sql_type(dtype: Any) -> str:
    """A SQL type for a pandas column of this dtype (text unless it is numeric)."""
    if pd.api.types.is_bool_dtype(dtype):
        return "BOOLEAN"
    if pd.api.types.is_integer_dtype(dtype):
        return "BIGINT"
    if pd.api.types.is_float_dtype(dtype):
        return "DOUBLE"
    return "TEXT"
