"""Validate and prepare leads on the executors.

Each batch of leads goes through leadlink's own :func:`~leadlink.validate` and
:func:`~leadlink.prepare` (``mapInPandas``): the same normalisers, the same columns. Two
prepared columns look across leads, and a batch sees only its own, so they are settled
again over the whole table in Spark afterwards, by the rules :mod:`leadlink.clean` states:

* ``phone_shared``: a number is a shared line when any lead gives it as a landline,
  toll-free or other line or with an extension, or when three or more different full
  names give it;
* ``employer`` / ``employer_latin``: a lead without a company takes the company most leads
  on its shared line (else its company mail domain) give, when they are 60 % of the leads
  there that give one. Ties between two companies go to the smaller company key here (to
  the first seen in pandas); the Latin form of a key is its smallest.

The row layout: the leads' own columns as they came, then the prepared columns prefixed
with :data:`PREPARED_PREFIX`, the validation columns with :data:`VALIDATION_PREFIX` and
the lead's place in the input (:data:`ORDER_COLUMN`), so that golden records can be
built from one row per lead.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
import pandas as pd

from leadlink.clean import (
    EMPLOYER_MIN_SHARE,
    SHARED_LINE_NAMES,
    ParsedColumns,
    prepare,
    validate,
)

__all__ = ["ORDER_COLUMN", "PREPARED_PREFIX", "VALIDATION_PREFIX", "prepare_leads", "split_row"]

PREPARED_PREFIX = "__p_"
VALIDATION_PREFIX = "__v_"
#: The lead's place in the input (increasing in the order Spark read the leads): the
#: model is trained on the leads in this order, as :func:`leadlink.dedupe` trains on them
#: in the order they came, whatever order the shuffles of Spark left them in.
ORDER_COLUMN = "__o_order"


def _batch(
    leads: pd.DataFrame, roles: Mapping[str, str], id_column: str, region: str
) -> pd.DataFrame:
    """One batch: the leads, their prepared keys and their validation, side by side."""
    leads = leads.reset_index(drop=True)
    # each distinct phone and email of the batch is parsed once, for both stages
    parsed = ParsedColumns(leads, region)
    validation = validate(leads, columns=roles, region=region, parsed=parsed)
    prepared = prepare(leads, roles, id_column=id_column, region=region, parsed=parsed)
    return pd.concat(
        [
            leads,
            prepared.add_prefix(PREPARED_PREFIX),
            validation.reset_index(drop=True).add_prefix(VALIDATION_PREFIX),
        ],
        axis=1,
    )


def _spark_type(column: pd.Series) -> Any:
    """The Spark type of a prepared or validation column, from a small pandas run."""
    from pyspark.sql import types as T

    dtype = column.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return T.BooleanType()
    if pd.api.types.is_integer_dtype(dtype):
        return T.IntegerType()
    if pd.api.types.is_float_dtype(dtype):
        return T.DoubleType()
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return T.TimestampType()
    first = column.dropna()
    if len(first) and isinstance(first.iloc[0], (list, tuple, np.ndarray)):
        return T.ArrayType(T.StringType())
    return T.StringType()


def prepare_leads(
    leads: Any,
    sample: pd.DataFrame,
    roles: Mapping[str, str],
    *,
    id_column: str,
    region: str,
) -> Any:
    """``leads`` (a Spark DataFrame) with prepared and validation columns, computed on the
    executors; ``sample`` (a few leads on the driver) gives the output's types."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    roles = dict(roles)
    shown = _batch(sample, roles, id_column, region)
    fields = list(leads.schema.fields)
    fields += [
        T.StructField(str(c), _spark_type(shown[c]), True)
        for c in shown.columns[len(sample.columns) :]
    ]
    schema = T.StructType(fields)

    def run(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for batch in batches:
            if len(batch):
                yield _batch(batch, roles, id_column, region)

    # Computed once: the lookups of _settle_across_leads and the rows both read it. The
    # row's place in the input is kept beside it (see ORDER_COLUMN).
    mapped = (
        leads.mapInPandas(run, schema=schema)
        .withColumn(ORDER_COLUMN, F.monotonically_increasing_id())
        .localCheckpoint()
    )
    return _settle_across_leads(mapped)


def _settle_across_leads(table: Any) -> Any:
    """``phone_shared`` and ``employer`` settled over every lead (see the module
    docstring).

    The lookups are made from a narrow projection of the table (the few columns they
    read) and kept only where they change something: the lines found shared, the shared
    lines and mail domains with a majority company, the Latin forms of the companies.
    Joined back, they leave the wide rows where they are: no shuffle of the leads, and no
    partition holding every lead without a phone or a company mail domain (a join on a
    null key sends them all to one task)."""
    from pyspark.sql import functions as F

    def p(name: str) -> Any:
        return F.col(PREPARED_PREFIX + name)

    narrow = table.select(
        *[
            p(name).alias(name)
            for name in (
                "phone",
                "phone_kind",
                "phone_ext",
                "name_partial",
                "name_key",
                "email_free",
                "email_domain",
                "company",
                "company_latin",
            )
        ]
    )
    line = (
        F.col("phone_kind").isin("landline", "toll_free", "other") | F.col("phone_ext").isNotNull()
    )
    full_name = F.when(F.col("name_partial") == 0, F.col("name_key"))
    by_phone = (
        narrow.where(F.col("phone").isNotNull())
        .groupBy("phone")
        .agg(
            F.max(line.cast("int")).alias("_any_line"),
            F.countDistinct(full_name).alias("_names"),
        )
        .select(
            F.col("phone").alias("_phone"),
            ((F.col("_any_line") > 0) | (F.col("_names") >= SHARED_LINE_NAMES)).alias("_shared"),
        )
    )
    # A line is shared, or not known to be (no lead gives its kind): the others are not.
    shared = _small(by_phone.where(F.col("_shared").isNull() | F.col("_shared")))

    def flag(frame: Any, phone: Any) -> Any:
        joined = frame.join(shared, phone == F.col("_phone"), "left")
        settled = F.when(phone.isNull(), F.lit(0)).otherwise(
            F.when(F.col("_phone").isNull(), F.lit(0)).otherwise(F.col("_shared").cast("int"))
        )
        return joined.withColumn("_phone_shared", settled).drop("_phone", "_shared")

    flagged = flag(narrow, F.col("phone"))
    sources = flagged.select(
        F.when(F.col("_phone_shared") == 1, F.col("phone")).alias("_line"),
        F.when(F.col("email_free") == 0, F.col("email_domain")).alias("_domain"),
        "company",
    )
    table = flag(table, p("phone"))
    table = table.withColumn(PREPARED_PREFIX + "phone_shared", F.col("_phone_shared")).drop(
        "_phone_shared"
    )
    employer = p("company")
    for source, value in (
        ("_line", F.when(p("phone_shared") == 1, p("phone"))),
        ("_domain", F.when(p("email_free") == 0, p("email_domain"))),
    ):
        lookup = _small(
            _majority(sources, source).select(
                F.col(source).alias(f"{source}_key"), F.col("_company").alias(f"{source}_company")
            )
        )
        table = table.join(lookup, value == F.col(f"{source}_key"), "left")
        employer = F.coalesce(employer, F.col(f"{source}_company"))
    latin = _small(
        narrow.where(F.col("company").isNotNull())
        .groupBy(F.col("company").alias("_employer_key"))
        .agg(F.min("company_latin").alias("_employer_latin"))
    )
    table = table.withColumn("_employer", employer)
    table = table.join(latin, F.col("_employer") == F.col("_employer_key"), "left")
    return (
        table.withColumn(PREPARED_PREFIX + "employer", F.col("_employer"))
        .withColumn(PREPARED_PREFIX + "employer_latin", F.col("_employer_latin"))
        .drop(
            "_line_key",
            "_line_company",
            "_domain_key",
            "_domain_company",
            "_employer",
            "_employer_key",
            "_employer_latin",
        )
    )


#: A lookup of at most this many rows is sent whole to every task (a broadcast join);
#: a larger one is joined by a shuffle.
_BROADCAST_ROWS = 500_000


def _small(lookup: Any) -> Any:
    """``lookup`` computed once (checkpointed), and marked for a broadcast join when it
    has at most :data:`_BROADCAST_ROWS` rows."""
    from pyspark.sql import functions as F

    made = lookup.localCheckpoint()
    return F.broadcast(made) if made.count() <= _BROADCAST_ROWS else made


def _majority(table: Any, source: str) -> Any:
    """Per value of ``source`` (a column of ``table``, beside ``company``): the company
    most leads there give, when they are :data:`EMPLOYER_MIN_SHARE` of the leads there
    that give one."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    company = F.col("company")
    given = table.where(F.col(source).isNotNull() & company.isNotNull())
    counts = given.groupBy(source, company.alias("_company")).agg(F.count("*").alias("n"))
    ranked = Window.partitionBy(source).orderBy(F.desc("n"), F.asc("_company"))
    total = Window.partitionBy(source)
    return (
        counts.withColumn("_rank", F.row_number().over(ranked))
        .withColumn("_total", F.sum("n").over(total))
        .where((F.col("_rank") == 1) & (F.col("n") >= EMPLOYER_MIN_SHARE * F.col("_total")))
        .select(source, "_company")
    )


def split_row(
    frame: pd.DataFrame, lead_columns: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The leads, prepared and validation tables of rows laid out by
    :func:`prepare_leads`, aligned row by row."""
    frame = frame.reset_index(drop=True)

    def strip(prefix: str) -> pd.DataFrame:
        chosen = [c for c in frame.columns if c.startswith(prefix)]
        return frame[chosen].rename(columns={c: c[len(prefix) :] for c in chosen})

    return frame[lead_columns], strip(PREPARED_PREFIX), strip(VALIDATION_PREFIX)
