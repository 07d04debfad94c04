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
with :data:`PREPARED_PREFIX` and the validation columns with :data:`VALIDATION_PREFIX`,
so that golden records can be built from one row per lead.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
import pandas as pd

from leadlink.clean import EMPLOYER_MIN_SHARE, SHARED_LINE_NAMES, prepare, validate

__all__ = ["PREPARED_PREFIX", "VALIDATION_PREFIX", "prepare_leads", "split_row"]

PREPARED_PREFIX = "__p_"
VALIDATION_PREFIX = "__v_"


def _batch(
    leads: pd.DataFrame, roles: Mapping[str, str], id_column: str, region: str
) -> pd.DataFrame:
    """One batch: the leads, their prepared keys and their validation, side by side."""
    leads = leads.reset_index(drop=True)
    validation = validate(leads, columns=roles, region=region)
    prepared = prepare(leads, roles, id_column=id_column, region=region)
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

    return _settle_across_leads(leads.mapInPandas(run, schema=schema))


def _settle_across_leads(table: Any) -> Any:
    """``phone_shared`` and ``employer`` settled over every lead (see the module
    docstring)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    def p(name: str) -> Any:
        return F.col(PREPARED_PREFIX + name)

    by_phone = Window.partitionBy(PREPARED_PREFIX + "phone")
    line = p("phone_kind").isin("landline", "toll_free", "other") | p("phone_ext").isNotNull()
    full_name = F.when(p("name_partial") == 0, p("name_key"))
    names = F.size(F.collect_set(full_name).over(by_phone))
    shared = p("phone").isNotNull() & (
        (F.max(line.cast("int")).over(by_phone) > 0) | (names >= SHARED_LINE_NAMES)
    )
    table = (
        table.withColumn(PREPARED_PREFIX + "phone_shared", shared.cast("int"))
        .withColumn("_line", F.when(p("phone_shared") == 1, p("phone")))
        .withColumn("_domain", F.when(p("email_free") == 0, p("email_domain")))
    )
    employer = p("company")
    for source in ("_line", "_domain"):
        lookup = _majority(table, source).withColumnRenamed("_company", f"{source}_company")
        table = table.join(lookup, source, "left")
        employer = F.coalesce(employer, F.col(f"{source}_company"))
    latin = (
        table.where(p("company").isNotNull())
        .groupBy(p("company").alias("_employer"))
        .agg(F.min(p("company_latin")).alias("_employer_latin"))
    )
    table = table.withColumn("_employer", employer).join(latin, "_employer", "left")
    return (
        table.withColumn(PREPARED_PREFIX + "employer", F.col("_employer"))
        .withColumn(PREPARED_PREFIX + "employer_latin", F.col("_employer_latin"))
        .drop(
            "_line", "_domain", "_line_company", "_domain_company", "_employer", "_employer_latin"
        )
    )


def _majority(table: Any, source: str) -> Any:
    """Per value of ``source``: the company most leads there give, when they are
    :data:`EMPLOYER_MIN_SHARE` of the leads there that give one."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    company = F.col(PREPARED_PREFIX + "company")
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
