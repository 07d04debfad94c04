"""dedupe on Spark: the stages of :func:`leadlink.dedupe`, each on the executors.

1. **validate and prepare**: the roles and the phone region are settled on a sample of the
   leads on the driver; then every batch of leads goes through leadlink's own
   :func:`~leadlink.validate` and :func:`~leadlink.prepare` (``mapInPandas``), and the two
   prepared columns that look across leads are settled over the whole table
   (:mod:`leadlink.spark._prepare`).
2. **train**: the :class:`~leadlink.LeadModel` is fitted on the driver, on a random sample
   of about ``sample_size`` prepared leads (all of them when there are fewer), drawn by a
   hash of the lead's id and the seed, in the order of the input. Training
   only ever reads bounded samples (its u and EM pairs are capped), so a bigger table would
   teach it little more; and sampling leads keeps λ's meaning: the matches and the pairs
   among a fraction f of the leads both shrink by f², so their ratio — λ — stays. The
   driver's DuckDB trains in seconds where Splink on Spark takes minutes for the same leads.
   A model passed in is used as it is.
3. **score**: :meth:`LeadModel.predict_table` scores the full prepared table through
   Splink's SparkAPI, with the same blocking caps, term frequencies and rules.
4. **cluster** and **golden records**: :mod:`leadlink.spark._cluster` — connected
   components in Spark, then :func:`~leadlink.merge.cluster_pairs` and
   :func:`~leadlink.merge.golden_records` on the executors, so the clusters and golden
   records are those the pandas run makes of the same pairs.

Every input lead is in ``clusters``: the count is checked before the result is returned.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from os import PathLike, fspath
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from leadlink._i18n import say
from leadlink.clean import check_region, settle_region
from leadlink.errors import ColumnError, ConfigError, InputError
from leadlink.match import (
    DEFAULT_MAX_BLOCK_SIZE,
    DEFAULT_THRESHOLD,
    LeadModel,
    check_max_pairs,
    check_threshold,
    database_api,
    is_spark_frame,
    spark_session_of,
)
from leadlink.merge import SurvivorshipPolicy, golden_records, read_decisions
from leadlink.pipeline import DedupeResult, check_match_roles, resolve_policy
from leadlink.schema import describe_columns, resolve_columns
from leadlink.spark._cluster import cluster_leads, golden_of_clusters
from leadlink.spark._prepare import (
    ORDER_COLUMN,
    PREPARED_PREFIX,
    VALIDATION_PREFIX,
    _batch,
    _spark_type,
    prepare_leads,
    split_row,
)

__all__ = ["DEFAULT_SAMPLE_SIZE", "SparkDedupeResult", "dedupe_spark"]

logger = logging.getLogger(__name__)

#: The model is trained on at most this many prepared leads, drawn at random.
DEFAULT_SAMPLE_SIZE = 200_000

#: Leads brought to the driver to settle the roles and the region, and to type the outputs.
_PROBE_SIZE = 2_000

#: The options of :func:`leadlink.dedupe` that run on Spark, and their defaults.
_SUPPORTED = {
    "id_column": "lead_id",
    "columns": None,
    "threshold": None,
    "backend": None,
    "seed": 0,
    "model": None,
    "max_block_size": DEFAULT_MAX_BLOCK_SIZE,
    "blocking": None,
    "max_pairs": None,
    "region": None,
    "policy": None,
    "match_ghosts": False,
    "progress": None,
}


@dataclass
class SparkDedupeResult:
    """What :func:`leadlink.dedupe` returns for leads in Spark.

    Attributes:
        clusters: one row per input lead: the id column (as text) and ``cluster_id``.
        golden: one row per cluster, the columns of :func:`~leadlink.golden_records`.
        pairs: the scored pairs, with the columns of :attr:`DedupeResult.pairs`
            (levels and ``found_by`` as text).
        model: the :class:`~leadlink.LeadModel` that scored them.
        roles: the role → column mapping that was used.
        threshold: the match probability at which pairs were linked.
        id_column: the leads' id column.
        rows: the leads with their prepared keys and validation, one row per lead (the
            prepared columns prefixed ``__p_``, the validation ones ``__v_``). It holds
            normalised phones and emails: do not log it. Its last column, ``__o_order``,
            is the lead's place in the input.
        timings: seconds per stage (Spark evaluates lazily: a stage's time includes the
            work it forced).
        policy: the survivorship policy that built ``golden``.

    The Spark DataFrames are computed on demand: :meth:`write` or :meth:`to_pandas`
    materialises them.
    """

    clusters: Any
    golden: Any
    pairs: Any
    model: LeadModel | None
    roles: dict[str, str]
    threshold: float
    id_column: str
    rows: Any = field(repr=False)
    lead_columns: list[str] = field(default_factory=list, repr=False)
    timings: dict[str, float] = field(default_factory=dict)
    policy: SurvivorshipPolicy = field(default_factory=SurvivorshipPolicy)

    def write(self, output_dir: str | PathLike[str]) -> Path:
        """Write ``clusters``, ``golden`` and ``pairs`` as Parquet folders (Spark writes a
        folder of part files per table) and the model as ``model.json`` into
        ``output_dir``; return its path. ``output_dir`` is a path Spark can write (a local
        folder, or ``hdfs://``/``s3a://`` on a cluster); the model file is written by the
        driver, locally."""
        target = fspath(output_dir)
        for name in ("clusters", "golden", "pairs"):
            getattr(self, name).write.mode("overwrite").parquet(f"{target}/{name}.parquet")
        if self.model is not None and "://" not in target:
            Path(target).mkdir(parents=True, exist_ok=True)
            self.model.save(Path(target) / "model.json")
        return Path(target)

    def to_pandas(self) -> DedupeResult:
        """The result as a :class:`~leadlink.DedupeResult` on the driver, for data that
        fits it: every table is collected, in id order."""
        rows = self.rows.toPandas().sort_values(PREPARED_PREFIX + "unique_id", kind="stable")
        leads, prepared, validation = split_row(rows, self.lead_columns)
        clusters = (
            self.clusters.toPandas()
            .set_index(self.id_column)
            .reindex(prepared["unique_id"].to_numpy())
            .rename_axis(self.id_column)
            .reset_index()
        )
        golden = _as_lists(self.golden.toPandas().sort_values("cluster_id").reset_index(drop=True))
        pairs = self.pairs.toPandas().sort_values(["id_l", "id_r"]).reset_index(drop=True)
        return DedupeResult(
            clusters=clusters,
            golden=golden,
            pairs=pairs,
            model=self.model,
            validation=_as_lists(validation),
            roles=self.roles,
            threshold=self.threshold,
            timings=dict(self.timings),
            leads=leads.reset_index(drop=True),
            prepared=prepared.reset_index(drop=True),
            policy=self.policy,
            decisions=read_decisions(None),
        )


def dedupe_spark(
    leads: Any, *, sample_size: int = DEFAULT_SAMPLE_SIZE, **options: Any
) -> SparkDedupeResult:
    """:func:`leadlink.dedupe` for leads in Spark: ``leads`` is a Spark DataFrame, or the
    path of a Parquet file or folder that the session reads. ``backend`` is the
    SparkSession (or ``"spark"``/None: the active one, else a local one started by
    :func:`leadlink.spark.local_session`). The options are those of
    :func:`leadlink.dedupe`; those that do not run on Spark yet (``extra_columns``,
    ``must_link``/``never_link``, ``hash_key``, masked ``outputs``, ``decisions``,
    ``entity="company"``) are refused with a :class:`~leadlink.ConfigError`.
    ``sample_size`` caps the leads the model is trained on (see the module docstring).
    """
    unsupported = sorted(
        name
        for name, value in options.items()
        if name not in _SUPPORTED and value not in (None, False, (), "clear", "person")
    )
    unknown = sorted(set(options) - set(_SUPPORTED) - _KNOWN_ELSEWHERE)
    if unsupported or unknown:
        names = unsupported + unknown
        raise ConfigError(
            say(
                f"{', '.join(names)} do(es) not run on Spark yet; leave them out, or "
                "deduplicate the leads as a pandas DataFrame (leads.toPandas()) on one machine",
                f"{', '.join(names)} 暂不支持在 Spark 上运行；请去掉这些选项，"
                "或在单机上以 pandas DataFrame（leads.toPandas()）去重",
            )
        )
    given = {**_SUPPORTED, **{k: v for k, v in options.items() if k in _SUPPORTED}}
    if not isinstance(sample_size, int) or sample_size < 2:
        raise ConfigError(
            say(
                f"sample_size must be an integer of at least 2, not {sample_size!r}",
                f"sample_size 须为不小于 2 的整数，而不是 {sample_size!r}",
            )
        )
    threshold = None if given["threshold"] is None else check_threshold(given["threshold"])
    max_pairs = None if given["max_pairs"] is None else check_max_pairs(given["max_pairs"])
    policy = resolve_policy(given["policy"])
    region_given = None if given["region"] is None else check_region(given["region"])
    model: LeadModel | None = given["model"]
    backend = given["backend"]
    # Leads already in Spark are read by their own session, unless another is given.
    in_spark = is_spark_frame(leads) and (backend is None or backend == "spark")
    session = leads.sparkSession if in_spark else spark_session_of(backend)
    db_api = database_api(session)
    assert db_api is not None  # a session always gives a SparkAPI
    frame = _read(session, leads)
    id_column = given["id_column"]
    if not isinstance(id_column, str) or id_column not in frame.columns:
        raise ColumnError(
            say(
                f"the leads have no id column {id_column!r}; on Spark the leads need one "
                f"(the input has {describe_columns(frame.columns, limit=10)}): pass "
                "id_column=...",
                f"线索中没有 ID 列 {id_column!r}；在 Spark 上线索必须有 ID 列"
                f"（输入的列为 {describe_columns(frame.columns, limit=10)}）：请传入 id_column=...",
            )
        )
    timings: dict[str, float] = {}
    started = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal started
        now = time.perf_counter()
        timings[stage] = round(now - started, 3)
        started = now

    from pyspark.sql import functions as F

    # Ids as text, spaces stripped, as check_ids writes them: the outputs join on them.
    frame = frame.withColumn(id_column, F.trim(F.col(id_column).cast("string")))
    counted = frame.agg(
        F.count("*").alias("n"),
        F.countDistinct(id_column).alias("distinct"),
        F.count(id_column).alias("present"),
    ).first()
    n_leads = int(counted["n"])
    if n_leads == 0:
        raise InputError(
            say("the input has no leads; nothing to deduplicate", "输入中没有线索；无需去重")
        )
    if counted["present"] < n_leads or counted["distinct"] < n_leads:
        raise InputError(
            say(
                f"the id column {id_column!r} must hold a unique value on every lead: "
                f"{n_leads - counted['present']} are empty and "
                f"{counted['present'] - counted['distinct']} repeat another",
                f"ID 列 {id_column!r} 须在每条线索上有唯一值：{n_leads - counted['present']} "
                f"条为空，{counted['present'] - counted['distinct']} 条与其他重复",
            )
        )
    probe = frame.limit(_PROBE_SIZE).toPandas()
    roles = resolve_columns(probe, given["columns"], id_column=id_column)
    check_match_roles(roles, frame.columns)
    region = settle_region(probe[roles["phone"]] if "phone" in roles else (), region_given)
    lead_columns = list(frame.columns)
    rows = prepare_leads(frame, probe, roles, id_column=id_column, region=region)
    rows = rows.localCheckpoint()
    lap("prepare")
    prepared_columns = [c for c in rows.columns if c.startswith(PREPARED_PREFIX)]
    matchable_rows = (
        rows if given["match_ghosts"] else rows.where(~F.col(VALIDATION_PREFIX + "is_ghost"))
    )
    matchable = matchable_rows.select(
        *[F.col(c).alias(c[len(PREPARED_PREFIX) :]) for c in prepared_columns]
    )
    n_matchable = matchable.count()
    if model is None and n_matchable >= 2:
        sample = _training_sample(
            matchable_rows, prepared_columns, sample_size / n_matchable, given["seed"]
        )
        model = LeadModel(
            threshold=DEFAULT_THRESHOLD if threshold is None else threshold,
            max_block_size=given["max_block_size"],
            blocking=given["blocking"],
            seed=given["seed"],
            max_pairs=max_pairs,
        ).fit(sample)
        logger.info("trained on %d of %d matchable leads", len(sample), n_matchable)
        lap("train")
    used = threshold if threshold is not None else (model.threshold if model else DEFAULT_THRESHOLD)
    if model is not None and n_matchable >= 2:
        pairs = model.predict_table(
            matchable, db_api=db_api, min_probability=0.0, max_pairs=max_pairs
        ).localCheckpoint()
    else:
        from pyspark.sql import types as T

        pairs = session.createDataFrame(
            [],
            T.StructType(
                [T.StructField(c, T.StringType()) for c in ("id_l", "id_r", "rule")]
                + [T.StructField("match_probability", T.DoubleType())]
            ),
        )
    lap("predict")
    ids = rows.select(F.col(PREPARED_PREFIX + "unique_id").alias("unique_id"))
    clusters = cluster_leads(ids, pairs, used).localCheckpoint()
    n_clustered = clusters.count()
    if n_clustered != n_leads:
        raise InputError(
            say(
                f"{n_leads} leads went in but {n_clustered} came out of clustering; "
                "this is a bug in leadlink, please report it",
                f"输入 {n_leads} 条线索，聚类后却有 {n_clustered} 条；这是 leadlink 的缺陷，请报告",
            )
        )
    lap("cluster")
    golden = golden_of_clusters(
        rows,
        clusters,
        lead_columns,
        roles,
        policy,
        _golden_schema(probe, roles, id_column, region, policy),
    )
    lap("golden")
    logger.info("dedupe on Spark: %d leads", n_leads)
    return SparkDedupeResult(
        clusters=clusters.withColumnRenamed("unique_id", id_column),
        golden=golden,
        pairs=pairs,
        model=model,
        roles=dict(roles),
        threshold=used,
        id_column=id_column,
        rows=rows,
        lead_columns=lead_columns,
        timings=timings,
        policy=policy,
    )


#: Options of :func:`leadlink.dedupe` that exist but do not run on Spark yet.
_KNOWN_ELSEWHERE = {
    "extra_columns",
    "must_link",
    "never_link",
    "hash_key",
    "outputs",
    "mask_names",
    "decisions",
    "entity",
}


def _training_sample(
    rows: Any, prepared_columns: list[str], fraction: float, seed: int
) -> pd.DataFrame:
    """The prepared leads the model is trained on, on the driver, in the order of the
    input: all of ``rows`` when ``fraction`` is 1 or more, else each lead with probability
    ``fraction``, drawn by a hash of its id and ``seed`` (the same leads whatever the
    partitions, unlike ``DataFrame.sample``)."""
    from pyspark.sql import functions as F

    table = rows.select(
        *[F.col(c).alias(c[len(PREPARED_PREFIX) :]) for c in prepared_columns],
        F.col(ORDER_COLUMN),
    )
    if fraction < 1:
        scale = 1 << 30
        drawn = F.pmod(F.xxhash64(F.col("unique_id"), F.lit(seed)), F.lit(scale))
        table = table.where(drawn < F.lit(int(fraction * scale)))
    return (
        table.toPandas()
        .sort_values(ORDER_COLUMN, kind="stable")
        .drop(columns=ORDER_COLUMN)
        .reset_index(drop=True)
    )


def _read(session: Any, leads: Any) -> Any:
    """``leads`` as a Spark DataFrame: itself, or the Parquet file or folder it names."""
    if is_spark_frame(leads):
        return leads
    if isinstance(leads, (str, PathLike)):
        path = fspath(leads)
        if "://" not in path and not Path(path).exists():
            raise InputError(
                say(
                    f"no such file or folder: {path!r}",
                    f"文件或文件夹不存在：{path!r}",
                )
            )
        try:
            return session.read.parquet(path)
        except Exception as error:  # Spark's AnalysisException and friends
            raise InputError(
                say(
                    f"cannot read {path!r} as Parquet ({type(error).__name__}); on Spark the "
                    "leads are a Spark DataFrame or a Parquet file or folder",
                    f"无法以 Parquet 读取 {path!r}（{type(error).__name__}）；在 Spark 上，"
                    "线索须为 Spark DataFrame 或 Parquet 文件/文件夹",
                )
            ) from None
    raise InputError(
        say(
            f"on Spark the leads are a Spark DataFrame or the path of a Parquet file or "
            f"folder, not {type(leads).__name__}",
            f"在 Spark 上，线索须为 Spark DataFrame 或 Parquet 文件/文件夹的路径，"
            f"而不是 {type(leads).__name__}",
        )
    )


def _golden_schema(
    probe: pd.DataFrame,
    roles: Mapping[str, str],
    id_column: str,
    region: str,
    policy: SurvivorshipPolicy,
) -> Any:
    """The Spark schema of the golden records, from a pandas run on the probe leads."""
    from pyspark.sql import types as T

    rows = _batch(probe, roles, id_column, region)
    leads, prepared, validation = split_row(rows, list(probe.columns))
    clustered = pd.DataFrame({"id": prepared["unique_id"], "cluster_id": prepared["unique_id"]})
    made = golden_records(
        leads, prepared, clustered, dict(roles), policy=policy, validation=validation
    )
    kinds = {"n_leads": T.LongType()}
    return T.StructType(
        [
            T.StructField(str(c), kinds.get(str(c)) or _spark_type(made[c]), True)
            for c in made.columns
        ]
    )


def _as_lists(frame: pd.DataFrame) -> pd.DataFrame:
    """Spark's arrays come back as numpy arrays: as lists, the way the pandas run gives
    them (``lead_ids``, ``sources``, ``problems``)."""
    for column in frame.columns:
        values = frame[column]
        if values.dtype == object and values.map(lambda v: isinstance(v, np.ndarray)).any():
            frame[column] = values.map(lambda v: v.tolist() if isinstance(v, np.ndarray) else v)
    return frame
