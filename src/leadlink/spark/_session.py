"""A local SparkSession for leadlink, its JVM set up for short runs on a few cores.

:func:`local_session` is :func:`leadlink.match.local_spark_session` (Splink's similarity
jar, a private checkpoint folder, a few shuffle partitions per core, no network, no UI)
with :data:`JAVA_OPTIONS` for the driver's JVM, in which a local session's executors run
too. They are settings of the JVM, so they apply only to a session this function starts:
a running session, or one started otherwise, keeps its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from leadlink.match import local_spark_session

__all__ = ["JAVA_OPTIONS", "local_session"]

#: Options of the local session's JVM.
#:
#: * ``-XX:TieredStopAtLevel=1``: only the JVM's quick compiler. A local run lasts a
#:   minute or two, and Spark generates new code for every query: on two cores the
#:   optimising compiler took more processor time compiling it than its faster code
#:   saved (preparing 100k leads: 33 s of processor time with it, 24 s without).
#: * ``-XX:-DontCompileHugeMethods``: compile long methods too. The method Spark
#:   generates to compute Splink's comparison levels is about 15 kB of bytecode, over the
#:   JVM's 8 kB limit: without this it runs interpreted, for every pair.
JAVA_OPTIONS = ("-XX:TieredStopAtLevel=1", "-XX:-DontCompileHugeMethods")


def local_session(
    *,
    cores: int | None = None,
    memory: str = "4g",
    app_name: str = "leadlink",
    config: Mapping[str, str] | None = None,
) -> Any:
    """A local SparkSession set up for leadlink, or the running one: see
    :func:`leadlink.match.local_spark_session` for its settings and arguments. The
    driver's JVM also gets :data:`JAVA_OPTIONS` (before any ``spark.driver.extraJavaOptions``
    of ``config``, so that those win)."""
    settings = dict(config or {})
    given = settings.get("spark.driver.extraJavaOptions", "")
    settings["spark.driver.extraJavaOptions"] = " ".join([*JAVA_OPTIONS, given]).strip()
    return local_spark_session(cores=cores, memory=memory, app_name=app_name, config=settings)
