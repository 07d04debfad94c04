"""Scoring a prepared table that lives in Spark, without bringing it to the driver.

:meth:`LeadModel.predict` takes a pandas table; :meth:`LeadModel.predict_table` takes a
Spark DataFrame of the same prepared columns and returns the pairs as a Spark DataFrame,
with the same columns. Every step that :meth:`~LeadModel.predict` takes in pandas is taken
here on the executors, step for step:

1. records identical in everything compared are scored once (see :mod:`._copies`): the
   representative of a group is its smallest id here (the first in row order in pandas,
   which a distributed table does not have); the others are paired with it by
   :func:`~leadlink.match._copies.identical_pairs` itself, one group at a time;
2. blocking keys with the same caps, counted per preset into a
   :class:`~leadlink.match.BlockingReport` and checked against the pair budget before any
   pair is made;
3. term frequencies among people (leads sharing a personal mobile or a mailbox count once):
   by :func:`~leadlink.match._training._person_term_frequencies` itself on the few columns
   it reads, brought to the driver, up to :data:`_DRIVER_ROWS` records; beyond, by the same
   label propagation in Spark;
4. Splink's ``predict`` through its SparkAPI, then level names, the relative term-frequency
   adjustment of names and the must-link / never-link rules in Spark SQL.

The pairs are checkpointed (written to the session's checkpoint directory) before Splink's
tables are dropped, so the result does not depend on them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from leadlink.match._backends import database
from leadlink.match._blocking import (
    DEFAULT_MAX_BLOCK_SIZE,
    BlockingPreset,
    BlockingReport,
    check_pair_budget,
    presets_for,
)
from leadlink.match._copies import compared_columns, identical_pairs
from leadlink.match._quiet import quiet_splink

if TYPE_CHECKING:
    from leadlink.match._model import LeadModel
    from leadlink.match._splink import DatabaseAPI

__all__ = ["pair_columns", "predict_spark"]

#: Label propagation for the people behind term frequencies stops after this many rounds,
#: as in pandas.
_PEOPLE_ROUNDS = 20

#: Up to this many distinct records, the people behind term frequencies are found on the
#: driver, from four or five of their columns.
_DRIVER_ROWS = 2_000_000


def pair_columns(model: LeadModel) -> list[str]:
    """The columns of the pairs :meth:`LeadModel.predict` returns, in order."""
    shown = [model._display(r) for r in model.roles]
    return [
        "id_l",
        "id_r",
        "match_weight",
        "match_probability",
        "found_by",
        *[f"{r}_level" for r in shown],
        *[f"{r}_weight" for r in shown],
        "rule",
    ]


def predict_spark(
    model: LeadModel,
    prepared: Any,
    db_api: DatabaseAPI,
    *,
    min_probability: float,
    budget: int | None,
) -> Any:
    """The pairs of ``prepared`` (a Spark DataFrame) as a Spark DataFrame; see the module
    docstring."""
    from pyspark.sql import functions as F

    session = prepared.sparkSession
    roles = model.roles
    compared = compared_columns(_Columns(prepared.columns), roles)  # type: ignore[arg-type]
    if compared:
        flagged = prepared.withColumn("_eligible", _identifying(prepared, model.entity))
        representative = F.when(
            F.col("_eligible"), F.min("unique_id").over(_window(*compared, "_eligible"))
        ).otherwise(F.col("unique_id"))
        with_groups = (
            flagged.withColumn("_representative", representative).drop("_eligible")
        ).localCheckpoint()
    else:  # nothing compared: every record is its own group
        with_groups = prepared.withColumn("_representative", F.col("unique_id"))
    distinct = with_groups.where(F.col("unique_id") == F.col("_representative")).drop(
        "_representative"
    )
    presets = presets_for(roles, model.blocking, model._extra_kinds, model.entity)
    keyed, report = _blocking_keys(distinct, presets, model.max_block_size)
    n_distinct = distinct.count()
    check_pair_budget(report, budget, n_distinct)
    columns = pair_columns(model)
    pairs = (
        _scored(model, keyed, presets, db_api, min_probability)
        if n_distinct >= 2 and report.total_comparisons > 0
        else None
    )
    copies = with_groups.where(F.col("unique_id") != F.col("_representative"))
    same = _identical(model, with_groups, columns) if not copies.isEmpty() else None
    found = [p for p in (pairs, same) if p is not None]
    if not found:
        return session.createDataFrame([], _schema(columns))
    out = found[0] if len(found) == 1 else found[0].unionByName(found[1])
    out = _with_rules(model, out, prepared)
    return out.select(*columns)


class _Columns:
    """A stand-in with the ``columns`` of a Spark DataFrame, for helpers that read only
    them."""

    def __init__(self, columns: Sequence[str]) -> None:
        self.columns = list(columns)


def _window(*columns: str) -> Any:
    from pyspark.sql import Window

    return Window.partitionBy(*columns)


def _identifying(prepared: Any, entity: str, common: int = DEFAULT_MAX_BLOCK_SIZE) -> Any:
    """:func:`~leadlink.match._copies.identifying` as a Spark column."""
    from pyspark.sql import functions as F

    if entity == "company":
        return F.lit(True)

    def rare(column: str) -> Any:
        count = F.count(F.col(column)).over(_window(column))
        return F.col(column).isNotNull() & (count <= common)

    full_name = F.col("name_key").isNotNull() & (F.col("name_partial") == 0)
    where = F.col("employer").isNotNull() | F.col("address").isNotNull()
    personal_phone = rare("phone") & (F.col("phone_shared") == 0)
    return F.coalesce(rare("email") | personal_phone | (full_name & where), F.lit(False))


def _blocking_keys(
    distinct: Any, presets: Sequence[BlockingPreset], max_block_size: int
) -> tuple[Any, BlockingReport]:
    """:func:`~leadlink.match._blocking.add_blocking_keys` on a Spark DataFrame: every
    preset's key in one long table, its blocks counted in one aggregation, and the keys
    of blocks over the cap (or, for a one-missing preset, making no pair) left out."""
    from pyspark.sql import functions as F

    report = BlockingReport(max_block_size=max_block_size)
    entries = []
    for i, preset in enumerate(presets):
        fields = [F.col(f) for f in preset.fields]
        present = F.lit(True)
        for field in fields:
            present = present & field.isNotNull()
        key = F.concat_ws("\x1f", *[f.cast("string") for f in fields])
        lacking = (
            F.col(preset.one_missing).isNull() if preset.one_missing is not None else F.lit(False)
        )
        entries.append(
            F.struct(
                F.lit(i).alias("preset"),
                F.when(present, key).alias("key"),
                lacking.alias("lacking"),
            )
        )
    long = (
        distinct.select("unique_id", F.explode(F.array(*entries)).alias("e"))
        .select("unique_id", "e.preset", "e.key", "e.lacking")
        .where(F.col("key").isNotNull())
    )
    caps = {
        i: min(max_block_size, p.max_block_size or max_block_size) for i, p in enumerate(presets)
    }
    one_missing = [i for i, p in enumerate(presets) if p.one_missing is not None]
    cap = F.lit(max_block_size)
    for i, value in caps.items():
        cap = F.when(F.col("preset") == i, F.lit(value)).otherwise(cap)
    blocks = (
        long.groupBy("preset", "key")
        .agg(F.count("*").alias("size"), F.sum(F.col("lacking").cast("long")).alias("without"))
        .withColumn("kept", F.col("size") <= cap)
        .withColumn(
            "made",
            F.when(
                F.col("preset").isin(one_missing),
                F.col("without") * (F.col("size") - F.col("without")),
            ).otherwise(F.col("size") * (F.col("size") - 1) / 2),
        )
        .localCheckpoint()
    )
    kept, size = F.col("kept"), F.col("size")
    counted = {
        row["preset"]: row
        for row in blocks.groupBy("preset")
        .agg(
            F.sum(F.when(kept, F.col("made")).otherwise(0)).alias("pairs"),
            F.max(F.when(kept, size)).alias("largest"),
            F.sum(F.when(~kept, 1).otherwise(0)).alias("capped_keys"),
            F.sum(F.when(~kept, size).otherwise(0)).alias("capped_leads"),
        )
        .collect()
    }
    for i, preset in enumerate(presets):
        row = counted.get(i)
        report.comparisons[preset.name] = int(row["pairs"] or 0) if row else 0
        report.largest_block[preset.name] = int(row["largest"] or 0) if row else 0
        report.capped_keys[preset.name] = int(row["capped_keys"] or 0) if row else 0
        report.capped_leads[preset.name] = int(row["capped_leads"] or 0) if row else 0
    usable = blocks.where(kept & (F.col("made") > 0)).select("preset", "key")
    # A block of one lead makes no pair and is not joined either way: leaving its key out
    # changes no pair.
    wide = (
        long.join(usable, ["preset", "key"])
        .groupBy("unique_id")
        .pivot("preset", list(range(len(presets))))
        .agg(F.first("key"))
    )
    wide = wide.select("unique_id", *[F.col(str(i)).alias(p.column) for i, p in enumerate(presets)])
    keyed = distinct.join(_small(wide), "unique_id", "left")
    return keyed.localCheckpoint(), report


def _people(keyed: Any, columns: Sequence[str] = ()) -> Any:
    """``unique_id``, ``columns`` of ``keyed`` and a ``_person`` column: leads that share a
    personal mobile or a mailbox (directly or through others) carry the same label, within
    :data:`_PEOPLE_ROUNDS`. Only the columns needed are carried through the rounds, each of
    which is written out."""
    from pyspark.sql import functions as F

    personal = F.when(F.col("phone_shared") == 0, F.col("phone"))
    carried = list(dict.fromkeys(["unique_id", "email", *columns]))
    table = keyed.select(
        *carried, personal.alias("_phone_key"), F.col("unique_id").alias("_person")
    )
    table = table.localCheckpoint()
    for _ in range(_PEOPLE_ROUNDS):
        smallest = F.col("_person")
        for key in ("_phone_key", "email"):
            through = F.when(F.col(key).isNotNull(), F.min("_person").over(_window(key)))
            smallest = F.least(smallest, F.coalesce(through, smallest))
        moved = table.withColumn("_next", smallest).localCheckpoint()
        changed = moved.where(F.col("_next") != F.col("_person")).limit(1).count()
        table = moved.drop("_person").withColumnRenamed("_next", "_person")
        if not changed:
            break
    return table


def _term_frequencies(keyed: Any, columns: set[str]) -> dict[str, Any]:
    """Column → Spark DataFrame of ``<column>`` and ``tf_<column>``: the share of people
    using each value (see :func:`~leadlink.match._training._person_term_frequencies`)."""
    from pyspark.sql import functions as F

    if not columns:
        return {}
    ordered = sorted(columns)
    types = dict(keyed.dtypes)
    if all(types[c] == "string" for c in ordered) and keyed.count() <= _DRIVER_ROWS:
        return _term_frequencies_on_driver(keyed, ordered)
    people = _people(keyed, ordered)
    entries = [
        F.struct(F.lit(c).alias("column"), F.col(c).cast("string").alias("value")) for c in ordered
    ]
    long = (
        people.select("_person", F.explode(F.array(*entries)).alias("e"))
        .select("_person", "e.column", "e.value")
        .where(F.col("value").isNotNull())
        .distinct()
    )
    totals = long.groupBy("column").agg(F.countDistinct("_person").alias("total"))
    shares = (
        long.groupBy("column", "value")
        .agg(F.count("*").alias("n"))
        .join(totals, "column")
        .select("column", "value", (F.col("n") / F.col("total")).alias("tf"))
        .localCheckpoint()
    )
    return {
        c: shares.where(F.col("column") == c).select(
            F.col("value").cast(types[c]).alias(c), F.col("tf").alias(f"tf_{c}")
        )
        for c in ordered
    }


def _term_frequencies_on_driver(keyed: Any, ordered: list[str]) -> dict[str, Any]:
    """:func:`_term_frequencies` by pandas' own
    :func:`~leadlink.match._training._person_term_frequencies`, on the few columns it reads
    brought to the driver: one pass instead of a Spark job per round of label propagation."""
    from pyspark.sql import types as T

    from leadlink.match._training import _person_term_frequencies

    needed = list(dict.fromkeys(["phone", "phone_shared", "email", *ordered]))
    found = _person_term_frequencies(keyed.select(*needed).toPandas(), ordered)
    session = keyed.sparkSession
    tables = {}
    for column in ordered:
        tf = found[column]
        frame = pd.DataFrame(
            {column: tf.index.to_numpy(dtype=object), f"tf_{column}": tf.to_numpy(dtype=float)}
        )
        schema = T.StructType(
            [T.StructField(column, T.StringType()), T.StructField(f"tf_{column}", T.DoubleType())]
        )
        tables[column] = session.createDataFrame(frame, schema=schema).localCheckpoint()
    return tables


def _scored(
    model: LeadModel,
    keyed: Any,
    presets: Sequence[BlockingPreset],
    db_api: DatabaseAPI,
    min_probability: float,
) -> Any:
    """Splink's scores of the blocked pairs of ``keyed``, with level names, the relative
    term-frequency adjustment and the pair's ids in order (id_l < id_r)."""
    from pyspark.sql import functions as F
    from splink import Linker

    from leadlink.match._splink import predict_selected
    from leadlink.match._tables import _model_columns, scored_columns, scoring_settings

    roles = model.roles
    levels = [level for role in roles for level in model._comparison(role).levels]
    frequencies = _term_frequencies(
        keyed,
        {level.tf_column for level in levels if level.tf_column}
        | {level.relative_tf for level in levels if level.relative_tf},
    )
    table_columns = _model_columns(_Columns(keyed.columns), presets)  # type: ignore[arg-type]
    with quiet_splink(), database(db_api) as db:
        table = db.register(keyed.select(*table_columns))
        linker = Linker(table, scoring_settings(model, presets), log_level=None)
        for column in dict.fromkeys(level.tf_column for level in levels if level.tf_column):
            lookup = db.register(frequencies[column])
            linker.table_management.register_term_frequency_lookup(lookup, column)
        # Only these columns are made (see predict_selected), as in batch scoring.
        found = predict_selected(
            linker, scored_columns(model, id_type="STRING", level_type="INT"), min_probability
        )
        # Written to the checkpoint directory: Splink's tables are dropped on leaving.
        pairs = found.as_spark_dataframe().checkpoint(eager=True)
    names = [p.name for p in presets]
    found_by = F.lit(None).cast("string")
    for i, name in reversed(list(enumerate(names))):
        found_by = F.when(F.col("match_key") == i, F.lit(name)).otherwise(found_by)
    out = pairs.select(
        F.least("l", "r").alias("id_l"),
        F.greatest("l", "r").alias("id_r"),
        F.col("match_weight").cast("double").alias("match_weight"),
        F.col("match_probability").cast("double").alias("match_probability"),
        found_by.alias("found_by"),
        *[_level_name(model, r).alias(f"{r}_level") for r in roles],
        *[F.col(f"w_{r}").cast("double").alias(f"{r}_weight") for r in roles],
    )
    out = _relative_frequencies(model, out, keyed, frequencies)
    for role in roles:
        out = out.withColumn(f"{role}_weight", F.round(f"{role}_weight", 4))
    return out.withColumn("rule", F.lit("")).withColumnsRenamed(
        {
            f"{r}{suffix}": f"{model._display(r)}{suffix}"
            for r in roles
            if model._display(r) != r
            for suffix in ("_level", "_weight")
        }
    )


def _level_name(model: LeadModel, role: str) -> Any:
    """Splink's gamma (levels numbered from the weakest, -1 for null) as the level's id."""
    from pyspark.sql import functions as F

    preset = model._comparison(role)
    n = len(preset.levels)
    name = F.lit("null")
    for i, level in enumerate(preset.levels):
        name = F.when(F.col(f"gamma_{role}") == n - 1 - i, F.lit(level.id)).otherwise(name)
    return name


def _relative_frequencies(
    model: LeadModel, out: Any, keyed: Any, frequencies: dict[str, Any]
) -> Any:
    """:meth:`LeadModel._relative_frequencies` in Spark: the weight of a level with a
    ``relative_tf`` column moves by log2 of Σ tf² / tf(value of id_l), within ±10 bits.

    The values of id_l are joined to the pairs once for every such column, and each
    column's frequencies (one row per value) are sent whole to the tasks when small; the
    adjustments are then added level by level, in the order pandas adds them."""
    from pyspark.sql import functions as F

    levels = [
        (role, level)
        for role in model.roles
        for level in model._comparison(role).levels
        if level.relative_tf is not None
    ]
    if not levels:
        return out
    squares: dict[str, float] = {}
    for column in dict.fromkeys(level.relative_tf for _, level in levels):
        assert column is not None
        tf = frequencies[column]
        squares[column] = float(tf.agg(F.sum(F.col(f"tf_{column}") ** 2)).first()[0] or 0.0)
    used = [column for column, total in squares.items() if total > 0]
    if not used:
        return out
    values = _small(
        keyed.select(
            F.col("unique_id").alias("_id"), *[F.col(c).alias(f"_value_{c}") for c in used]
        )
    )
    out = out.join(values, out["id_l"] == F.col("_id"), "left").drop("_id")
    for column in used:
        lookup = _small(
            frequencies[column].select(
                F.col(column).alias(f"_key_{column}"), F.col(f"tf_{column}").alias(f"_tf_{column}")
            )
        )
        out = out.join(lookup, F.col(f"_value_{column}") == F.col(f"_key_{column}"), "left")
    for role, level in levels:
        column = level.relative_tf
        if column not in used:
            continue
        tf = F.col(f"_tf_{column}")
        adjust = F.least(F.greatest(F.log2(F.lit(squares[column]) / tf), F.lit(-10.0)), F.lit(10.0))
        adjust = F.when((F.col(f"{role}_level") == level.id) & tf.isNotNull(), adjust).otherwise(
            F.lit(0.0)
        )
        out = (
            out.withColumn("_adjust", adjust)
            .withColumn(f"{role}_weight", F.col(f"{role}_weight") + F.col("_adjust"))
            .withColumn("match_weight", F.col("match_weight") + F.col("_adjust"))
            .drop("_adjust")
        )
    out = out.drop(*[f"{prefix}{c}" for c in used for prefix in ("_value_", "_key_", "_tf_")])
    return out.withColumn("match_probability", 1.0 / (1.0 + F.pow(2.0, -F.col("match_weight"))))


#: A table of at most this many rows is sent whole to every task (a broadcast join); a
#: larger one is joined by a shuffle.
_BROADCAST_ROWS = 500_000


def _small(table: Any) -> Any:
    """``table`` computed once (checkpointed), marked for a broadcast join when it has at
    most :data:`_BROADCAST_ROWS` rows."""
    from pyspark.sql import functions as F

    made = table.localCheckpoint()
    return F.broadcast(made) if made.count() <= _BROADCAST_ROWS else made


def _identical(model: LeadModel, with_groups: Any, columns: list[str]) -> Any:
    """The pairs of every copy with its representative, made by
    :func:`~leadlink.match._copies.identical_pairs` on the executors, many groups of
    copies to a call (a group never split between calls)."""
    from pyspark.sql import functions as F

    needed = sorted(
        {"unique_id", *(model._comparison(r).null_column for r in model.roles)}
        | {model._rule_column(r) for r in (*model.must_link, *model.never_link)}
    )
    buckets = max(int(with_groups.sparkSession.conf.get("spark.sql.shuffle.partitions")), 1)
    in_groups = (
        with_groups.withColumn("_members", F.count("*").over(_window("_representative")))
        .where(F.col("_members") > 1)
        .select(*needed, "_representative")
        .withColumn("_bucket", F.abs(F.hash("_representative")) % buckets)
    )
    schema = _schema(columns)

    def pairs_of(group: pd.DataFrame) -> pd.DataFrame:
        copies = group.loc[
            group["unique_id"] != group["_representative"], ["unique_id", "_representative"]
        ].rename(columns={"_representative": "representative"})
        made = identical_pairs(
            model, copies, group.drop(columns=["_representative", "_bucket"]), pd.Index(columns)
        )
        for column in made.columns:
            if isinstance(made[column].dtype, pd.CategoricalDtype):
                made[column] = made[column].astype(str)
        made["rule"] = ""  # the rules are applied to every pair together, below
        return made

    # Many groups to a call: one call per group of copies cost a Python call each.
    return in_groups.groupBy("_bucket").applyInPandas(pairs_of, schema=schema)


def _with_rules(model: LeadModel, pairs: Any, prepared: Any) -> Any:
    """:meth:`LeadModel._apply_rules` in Spark: must-link pairs get probability 1, never-link
    pairs 0 (never-link wins), and ``rule`` names the rule that decided."""
    from pyspark.sql import functions as F

    if not (model.must_link or model.never_link):
        return pairs
    for kind, roles, probability in (
        ("must_link", model.must_link, 1.0),
        ("never_link", model.never_link, 0.0),
    ):
        for role in roles:
            column = model._rule_column(role)
            left = prepared.select(F.col("unique_id").alias("_l"), F.col(column).alias("_vl"))
            right = prepared.select(F.col("unique_id").alias("_r"), F.col(column).alias("_vr"))
            joined = pairs.join(left, pairs["id_l"] == left["_l"], "left").join(
                right, pairs["id_r"] == right["_r"], "left"
            )
            both = F.col("_vl").isNotNull() & F.col("_vr").isNotNull()
            same = F.col("_vl") == F.col("_vr")
            hit = both & (same if kind == "must_link" else ~same)
            pairs = (
                joined.withColumn(
                    "match_probability",
                    F.when(hit, F.lit(probability)).otherwise(F.col("match_probability")),
                )
                .withColumn("rule", F.when(hit, F.lit(f"{kind}:{role}")).otherwise(F.col("rule")))
                .drop("_l", "_vl", "_r", "_vr")
            )
    return pairs


def _schema(columns: Sequence[str]) -> Any:
    """The Spark schema of the pair columns."""
    from pyspark.sql.types import DoubleType, StringType, StructField, StructType

    def kind(column: str) -> Any:
        numeric = column in ("match_weight", "match_probability") or column.endswith("_weight")
        return DoubleType() if numeric else StringType()

    return StructType([StructField(c, kind(c), True) for c in columns])
