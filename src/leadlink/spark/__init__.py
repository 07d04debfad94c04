"""Spark: deduplicate leads that do not fit one machine, with the same stages and results.

``leadlink.dedupe(leads, backend=spark)`` with ``leads`` a Spark DataFrame or the path of a
Parquet file or folder runs :func:`dedupe_spark`: validation and preparation on the
executors with leadlink's own normalisers, a model trained on a bounded sample, pairs
scored through Splink's Spark backend on the whole table, clusters and golden records made
by leadlink's own functions on the executors. It returns a :class:`SparkDedupeResult` of
Spark DataFrames (:meth:`SparkDedupeResult.write` writes them as Parquet,
:meth:`SparkDedupeResult.to_pandas` collects a small one into a :class:`~leadlink.DedupeResult`).

* :func:`local_session` — a local SparkSession set up for leadlink (Splink's similarity
  jar, a private checkpoint folder, a few shuffle partitions per core, no network, no UI);
* :func:`dedupe_spark` — the pipeline; ``docs/spark.md`` shows how to submit it to a
  cluster.

It sits on top like :mod:`leadlink.pipeline`, and is the one place besides
:mod:`leadlink.match` that reads pyspark (which it needs only when called).
"""

from __future__ import annotations

from leadlink.match import local_spark_session as local_session
from leadlink.spark._pipeline import DEFAULT_SAMPLE_SIZE, SparkDedupeResult, dedupe_spark

__all__ = ["DEFAULT_SAMPLE_SIZE", "SparkDedupeResult", "dedupe_spark", "local_session"]
