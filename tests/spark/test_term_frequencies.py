"""Term frequencies among people on Spark: found on the driver for a table of a size one
machine holds, by label propagation in Spark for a larger one, the same either way."""

from __future__ import annotations

import pandas as pd
import pytest

from leadlink.match import _spark

pytestmark = pytest.mark.spark


def _keyed(spark):
    # Leads 1-3 are one person (a mobile, then a mailbox), 4 and 5 share a switchboard only.
    frame = pd.DataFrame(
        {
            "unique_id": ["1", "2", "3", "4", "5", "6"],
            "phone": ["+8613800138000", "+8613800138000", None, "+861088886666", "+861088886666", None],
            "phone_shared": [0, 0, None, 1, 1, None],
            "email": [None, "wei@example.com", "wei@example.com", None, None, "fang@example.com"],
            "name_key": ["zhang wei", "zhang wei", "zhang wei", "zhang wei", "wang fang", None],
        }
    )  # fmt: skip
    return spark.createDataFrame(frame)


def _shares(tables) -> dict[str, dict[str, float]]:
    out = {}
    for column, table in tables.items():
        frame = table.toPandas()
        out[column] = dict(zip(frame[column], frame[f"tf_{column}"]))
    return out


def test_leads_of_one_person_count_once(spark):
    shares = _shares(_spark._term_frequencies(_keyed(spark), {"name_key"}))

    # People with a name: {1, 2, 3}, {4}, {5}.
    assert shares == {"name_key": {"zhang wei": 2 / 3, "wang fang": 1 / 3}}


def test_spark_rounds_give_the_drivers_frequencies(spark, monkeypatch):
    on_driver = _shares(_spark._term_frequencies(_keyed(spark), {"name_key", "email"}))
    monkeypatch.setattr(_spark, "_DRIVER_ROWS", 0)

    assert _shares(_spark._term_frequencies(_keyed(spark), {"name_key", "email"})) == on_driver
