"""The Splink database a fit or predict runs on: DuckDB by default, Spark, or any Splink
database API the caller passes.

``backend`` (the option of :func:`leadlink.dedupe`) is ``None`` / ``"duckdb"`` (a private
in-memory DuckDB per fit and predict, with a memory limit and spill to disk), ``"spark"``
(the active SparkSession, or a local one started with Splink's similarity functions), a
``pyspark.sql.SparkSession`` (scored through ``splink.SparkAPI`` on that session), or a
Splink ``DatabaseAPI`` instance. The model file does not depend on it: a model trained on
DuckDB scores on Spark.

leadlink's own DuckDB holds the leads' phones and emails (in clear unless ``hash_key`` is
given), and so do the files it spills past its memory limit. It spills into a private
folder (mode 0700, named ``leadlink-duckdb-<pid>-...`` in the temporary folder) that is
removed when the job ends, on an error, at exit and on SIGTERM or SIGHUP; the folders of
leadlink processes that were killed outright (SIGKILL) are removed by the next leadlink
process that opens a database. The database may read or write no other file, install or
load no extension, and its settings are locked (:data:`DUCKDB_LOCKDOWN`).

A database API the caller passes is theirs: leadlink changes none of its settings (locking
a connection cannot be undone, and it may serve their other work), and says nothing about
them either; ``docs/security.md`` shows how to open one the way leadlink opens its own.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from leadlink._i18n import say
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
    "DUCKDB_LOCKDOWN",
    "DUCKDB_MEMORY_LIMIT",
    "PRIVATE_FOLDER_PREFIX",
    "SPARK_SHUFFLE_PARTITIONS",
    "Database",
    "check_backend",
    "database",
    "database_api",
    "is_spark_frame",
    "is_spark_session",
    "local_spark_session",
    "spark_session_of",
]

logger = logging.getLogger(__name__)


#: DuckDB may use this much memory before it spills to a temporary folder on disk.
DUCKDB_MEMORY_LIMIT = "768MB"

#: Set on leadlink's own DuckDB after its memory limit and spill folder, in this order: no
#: file or network access but its spill folder (Splink's tables are pandas frames
#: registered by name, which needs none), no extension installed or loaded on demand, and
#: then no setting changed by any later statement.
DUCKDB_LOCKDOWN = (
    ("enable_external_access", "false"),
    ("autoinstall_known_extensions", "false"),
    ("autoload_known_extensions", "false"),
    ("allow_community_extensions", "false"),
    ("lock_configuration", "true"),
)

#: The private folders leadlink makes (DuckDB's spill files, Spark's checkpoints) are
#: named ``<prefix><kind>-<pid>-<random>``; the pid tells a dead process's leftovers.
PRIVATE_FOLDER_PREFIX = "leadlink-"

#: The backends :func:`leadlink.dedupe` knows by name; a Splink database API works too.
BACKENDS = ("duckdb", "spark")

#: Shuffle partitions of the local Spark session leadlink starts (Spark's 200 are meant
#: for a cluster, and make a small job on one machine slow).
SPARK_SHUFFLE_PARTITIONS = 4


def check_backend(backend: object) -> None:
    """Refuse a ``backend`` that :func:`database_api` cannot turn into a database."""
    if backend is None or (isinstance(backend, str) and backend in BACKENDS):
        return
    if is_database_api(backend) or is_spark_session(backend):
        return
    raise ConfigError(
        say(
            f"backend {backend!r} is not available; choose None or 'duckdb' (the embedded "
            "DuckDB), 'spark' (the active SparkSession, or a local one), a SparkSession, "
            "or a Splink database API such as splink.SparkAPI(spark_session=spark)",
            f"后端 {backend!r} 不可用；可选 None 或 'duckdb'（内嵌的 DuckDB）、"
            "'spark'（当前的 SparkSession，或本地新建一个）、一个 SparkSession，"
            "或 Splink 数据库 API，例如 splink.SparkAPI(spark_session=spark)",
        )
    )


def is_spark_session(value: object) -> bool:
    """Whether ``value`` is a ``pyspark.sql.SparkSession`` (False without pyspark, which is
    not imported for the question)."""
    if "pyspark" not in sys.modules:
        return False  # a session cannot exist without pyspark imported
    from pyspark.sql import SparkSession

    return isinstance(value, SparkSession)


def is_spark_frame(value: object) -> bool:
    """Whether ``value`` is a Spark DataFrame (classic or Spark Connect), without importing
    pyspark."""
    kind = type(value)
    return kind.__name__ == "DataFrame" and kind.__module__.startswith("pyspark.sql")


def database_api(backend: object) -> DatabaseAPI | None:
    """The Splink database API for ``backend`` (see :func:`leadlink.dedupe`).

    None for ``None`` and ``"duckdb"``: :class:`LeadModel` then uses a private in-memory
    DuckDB per fit and predict. ``"spark"`` takes the active SparkSession, or starts a
    local one; a SparkSession is wrapped in ``splink.SparkAPI``.
    """
    check_backend(backend)
    if backend is None or backend == "duckdb":
        return None
    if backend == "spark":
        return _spark_api(spark_session_of("spark"))
    if is_spark_session(backend):
        return _spark_api(backend)
    return backend  # type: ignore[return-value]  # a DatabaseAPI, as checked


def spark_session_of(backend: object) -> Any:
    """The SparkSession ``backend`` stands for: the session itself, or for ``"spark"`` and
    None the active one, else a local one started by :func:`local_spark_session`."""
    if is_spark_session(backend):
        return backend
    _import_pyspark()
    from pyspark.sql import SparkSession

    session = SparkSession.getActiveSession()
    if session is None:
        session = local_spark_session()
    return session


def _import_pyspark() -> None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise ConfigError(
            say(
                "backend='spark' needs pyspark and Java 17 or later; install them with "
                "pip install 'leadlink[spark]', or use backend='duckdb'",
                "backend='spark' 需要 pyspark 和 Java 17 或更高版本；请用 "
                "pip install 'leadlink[spark]' 安装，或改用 backend='duckdb'",
            )
        ) from None


def local_spark_session(
    *,
    cores: int | None = None,
    memory: str = "4g",
    app_name: str = "leadlink",
    config: Mapping[str, str] | None = None,
) -> Any:
    """A local SparkSession set up the way leadlink needs it, or the running one.

    * Splink's string similarity functions (Jaro-Winkler, Damerau-Levenshtein) on the
      class path (``spark.jars`` = ``splink.backends.spark.similarity_jar_location()``);
    * a checkpoint directory in a private folder (mode 0700, removed at exit): Splink and
      leadlink's clustering write intermediate tables there, and they hold the leads' keys;
    * shuffle partitions a few per core (Spark's 200 are meant for a cluster);
    * the driver bound to 127.0.0.1 (no network, no host name to resolve), the web UI off;
    * Python workers on this interpreter (``PYSPARK_PYTHON``, when not set already), not
      whatever ``python3`` is on the PATH.

    ``cores`` is the number of local cores (all of them when None), ``memory`` the driver's
    memory (in local mode the executors run inside the driver); ``config`` adds or
    overrides Spark settings (``{"spark.local.dir": "/data/tmp"}``). When a session is running
    already, Spark returns it and these settings (but the checkpoint directory) are not
    applied: stop it first to start one with them.
    """
    _import_pyspark()
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    threads = cores if cores is not None else (os.cpu_count() or 2)
    # pyspark starts its Python workers with $PYSPARK_PYTHON (else whatever python3 is on
    # the PATH, without leadlink): this interpreter, unless the user chose one.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = (
        SparkSession.builder.master(f"local[{threads}]")
        .appName(app_name)
        .config("spark.jars", similarity_jar_location())
        .config("spark.driver.memory", memory)
        .config("spark.sql.shuffle.partitions", str(max(SPARK_SHUFFLE_PARTITIONS, 2 * threads)))
        .config("spark.default.parallelism", str(max(SPARK_SHUFFLE_PARTITIONS, 2 * threads)))
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
    )
    for name, value in (config or {}).items():
        builder = builder.config(name, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    _checkpoint_dir(session)
    logger.info("local Spark session for leadlink (local[%d])", threads)
    return session


def _checkpoint_dir(session: Any) -> None:
    if session.sparkContext.getCheckpointDir() is None:
        # Splink writes its intermediate tables (the leads' keys) to the checkpoint
        # directory: a private folder, removed at exit and on SIGTERM, for the session's life.
        session.sparkContext.setCheckpointDir(private_folder("spark"))


def _spark_api(session: Any) -> DatabaseAPI:
    """A Splink SparkAPI on ``session``, with a checkpoint directory."""
    from splink import SparkAPI

    _checkpoint_dir(session)
    return SparkAPI(spark_session=session)


def _duckdb_connection(spill_folder: str, threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """A private in-memory DuckDB that spills to ``spill_folder`` past
    :data:`DUCKDB_MEMORY_LIMIT`, with :data:`DUCKDB_LOCKDOWN` applied; ``threads`` (DuckDB's
    default when None) is set before the settings are locked."""
    import duckdb

    config: dict[str, Any] = {"memory_limit": DUCKDB_MEMORY_LIMIT, "temp_directory": spill_folder}
    if threads is not None:
        config["threads"] = threads
    # DuckDB refuses a spill folder once external access is off: these go first.
    connection = duckdb.connect(config=config)
    try:
        # DuckDB draws a progress bar on the terminal for a query longer than two seconds:
        # a script calling dedupe() would print bars it did not ask for (dedupe(progress=)
        # shows leadlink's own stages).
        connection.execute("SET enable_progress_bar = false")
        for name, value in DUCKDB_LOCKDOWN:
            connection.execute(f"SET {name} = {value}")
    except BaseException:
        connection.close()
        raise
    return connection


def _duckdb_api(connection: duckdb.DuckDBPyConnection) -> Any:
    from splink import DuckDBAPI

    return DuckDBAPI(connection)


class Database:
    """The Splink database of one fit or predict.

    By default a private in-memory DuckDB, closed at the end, and its spill folder removed.
    A database API the caller
    passes is shared with their other work: Splink's cache of it is cleared first (a cached
    table of an earlier job would be taken for this job's), and the tables this job
    registered or made are dropped at the end.
    """

    def __init__(self, db_api: DatabaseAPI | None, *, threads: int | None = None) -> None:
        self.owned = db_api is None
        # A private DuckDB's connection and spill folder are kept, to go at the end.
        self._connection: duckdb.DuckDBPyConnection | None = None
        self._folder: str | None = None
        self.api: Any = db_api
        if db_api is None:
            self._folder = private_folder("duckdb")
            try:
                self._connection = _duckdb_connection(self._folder, threads)
                self.api = _duckdb_api(self._connection)
            except BaseException:
                self.close()
                raise
        self._inputs: list[str] = []
        self._made_before = 0
        self._registered_before: set[str] = set()
        if not self.owned:
            clear_table_cache(self.api)
            self._made_before = len(tables_made(self.api))
            self._registered_before = registered_tables(self.api)

    def register(self, frame: pd.DataFrame) -> Any:
        """``frame`` (a pandas or, on Spark, a Spark DataFrame) as a Splink table (a
        SplinkDataFrame)."""
        if not isinstance(frame, pd.DataFrame):  # a Spark DataFrame: its types are set
            table = self.api.register(frame)
            self._inputs.append(table.physical_name)
            return table
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
        if self.owned:
            try:
                if self._connection is not None:
                    self._connection.close()  # frees the database's memory at once
            finally:
                if self._folder is not None:
                    remove_private_folder(self._folder)
            return
        # Every table made or registered for this job, including those Splink only forgot
        # (on Spark, Splink leaves the temporary views of the tables it drops behind).
        made = tables_made(self.api)[self._made_before :]
        registered = sorted(registered_tables(self.api) - self._registered_before)
        clear_table_cache(self.api)
        for name in dict.fromkeys([*made, *self._inputs, *registered]):
            drop_table(self.api, name)


@contextlib.contextmanager
def database(db_api: DatabaseAPI | None, *, threads: int | None = None) -> Iterator[Database]:
    """The :class:`Database` of one job, closed at the end; ``threads`` sets how many
    threads leadlink's own DuckDB uses (a database API passed in keeps its own)."""
    handle = Database(db_api, threads=threads)
    try:
        yield handle
    finally:
        handle.close()


# -- private folders ---------------------------------------------------------------------

_FOLDER_NAME = re.compile(re.escape(PRIVATE_FOLDER_PREFIX) + r"(duckdb|spark)-(\d+)-\w+")

#: The private folders of this process (and of no forked child): folder -> (pid, lock).
_live: dict[str, tuple[int, int]] = {}
_set_up_in: int | None = None  # the pid that swept and registered the clean-ups
_set_up_lock = threading.Lock()
_previous_handlers: dict[int, Any] = {}


def private_folder(kind: str) -> str:
    """A new folder only this user can read (mode 0700) for ``kind`` (``"duckdb"``,
    ``"spark"``) of data, named ``leadlink-<kind>-<pid>-<random>`` in the temporary folder.

    It is removed by :func:`remove_private_folder`, else at exit or on SIGTERM / SIGHUP.
    The first one a process makes also removes the folders of leadlink processes that no
    longer run (killed with SIGKILL, or by a crash).
    """
    _set_up()
    folder = tempfile.mkdtemp(prefix=f"{PRIVATE_FOLDER_PREFIX}{kind}-{os.getpid()}-")
    _live[folder] = (os.getpid(), _hold_lock(folder))
    return folder


def remove_private_folder(folder: str) -> None:
    """Remove a folder made by :func:`private_folder`, with everything in it."""
    _, lock = _live.pop(folder, (0, -1))
    shutil.rmtree(folder, ignore_errors=True)
    if lock >= 0:
        os.close(lock)


def _remove_all() -> None:
    """Remove this process's private folders (not those a parent made before a fork)."""
    pid = os.getpid()
    for folder, (owner, _) in list(_live.items()):
        if owner == pid:
            remove_private_folder(folder)


def _set_up() -> None:
    """Once per process: sweep dead processes' folders, and remove ours at exit and on
    SIGTERM / SIGHUP."""
    global _set_up_in
    with _set_up_lock:
        if _set_up_in == os.getpid():
            return
        _set_up_in = os.getpid()
        _sweep(tempfile.gettempdir())
        atexit.register(_remove_all)
        if threading.current_thread() is threading.main_thread():
            for name in ("SIGTERM", "SIGHUP"):
                number = getattr(signal, name, None)
                if number is not None:
                    _chain_handler(number)


def _chain_handler(number: int) -> None:
    previous = signal.getsignal(number)
    if previous in (signal.SIG_IGN, None) or previous is _on_signal:
        # ignored on purpose (nohup), or set outside Python: leave it as it is
        return
    _previous_handlers[number] = previous
    signal.signal(number, _on_signal)


def _on_signal(number: int, frame: Any) -> None:
    previous = _previous_handlers.get(number, signal.SIG_DFL)
    if callable(previous):
        # The program's own handler decides whether to stop: a job that goes on keeps
        # its folder, and it is removed when the job ends, by an exception or at exit.
        previous(number, frame)
        return
    # The default is to die of the signal: remove the folders first, then do so.
    _remove_all()
    signal.signal(number, signal.SIG_DFL)
    os.kill(os.getpid(), number)


def _sweep(root: str) -> None:
    """Remove the private folders in ``root`` of this user's leadlink processes that no
    longer run."""
    if os.name != "posix":  # os.kill(pid, 0) would end the process on Windows
        return
    try:
        entries = list(os.scandir(root))
    except OSError:
        return
    for entry in entries:
        found = _FOLDER_NAME.fullmatch(entry.name)
        if found is None:
            continue
        try:
            if not entry.is_dir(follow_symlinks=False):
                continue
            if entry.stat(follow_symlinks=False).st_uid != os.getuid():
                continue
        except OSError:
            continue
        pid = int(found[2])
        if pid == os.getpid() or _running(pid) or _lock_held(entry.path):
            continue
        logger.debug("removing the private folder of a leadlink process that is gone")
        shutil.rmtree(entry.path, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


_LOCK_FILE = ".lock"


def _hold_lock(folder: str) -> int:
    """Lock a file in ``folder`` for as long as this process runs or the folder lives:
    a process in another pid namespace (a container sharing /tmp) may carry a pid that
    looks dead from here, but its lock is seen."""
    try:
        import fcntl
    except ImportError:  # not POSIX
        return -1
    flags = os.O_CREAT | os.O_EXCL | os.O_RDWR | os.O_NOFOLLOW
    descriptor = os.open(os.path.join(folder, _LOCK_FILE), flags, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # a file system without locks: the pid alone tells
        os.close(descriptor)
        return -1
    return descriptor


def _lock_held(folder: str) -> bool:
    import fcntl

    try:
        descriptor = os.open(os.path.join(folder, _LOCK_FILE), os.O_RDWR | os.O_NOFOLLOW)
    except OSError:
        return False  # no lock file: its process died before taking it
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(descriptor)
    return False


def _sql_type(dtype: Any) -> str:
    """A SQL type for a pandas column of this dtype (text unless it is numeric)."""
    if pd.api.types.is_bool_dtype(dtype):
        return "BOOLEAN"
    if pd.api.types.is_integer_dtype(dtype):
        return "BIGINT"
    if pd.api.types.is_float_dtype(dtype):
        return "DOUBLE"
    return "TEXT"
