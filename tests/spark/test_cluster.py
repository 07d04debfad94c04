"""Connected components on Spark: found on the driver when the links are few, by label
propagation in Spark when they are many, with the same labels either way."""

from __future__ import annotations

import pandas as pd
import pytest

from leadlink.spark import _cluster

pytestmark = pytest.mark.spark


def _edges(spark):
    # A chain, a star, a pair given twice and both ways, ids in Han script and in digits.
    pairs = [("d", "c"), ("c", "b"), ("b", "a"), ("h", "x"), ("h", "y"), ("h", "z")]
    pairs += [("张伟", "10"), ("10", "张伟"), ("张伟", "10"), ("9", "10")]
    return spark.createDataFrame(pd.DataFrame(pairs, columns=["a", "b"]))


def _labels(found) -> dict[str, str]:
    frame = found.toPandas()
    return dict(zip(frame["id"], frame["component"]))


def test_each_id_is_labelled_with_the_smallest_id_it_reaches(spark):
    labels = _labels(_cluster.components(_edges(spark)))

    assert labels == {
        "a": "a", "b": "a", "c": "a", "d": "a",
        "h": "h", "x": "h", "y": "h", "z": "h",
        "10": "10", "9": "10", "张伟": "10",
    }  # fmt: skip


def test_many_links_are_followed_in_spark_to_the_same_labels(spark, monkeypatch):
    on_driver = _labels(_cluster.components(_edges(spark)))
    monkeypatch.setattr(_cluster, "DRIVER_EDGES", 0)

    assert _labels(_cluster.components(_edges(spark))) == on_driver


def test_no_links_make_no_components(spark):
    empty = _edges(spark).limit(0)

    assert _labels(_cluster.components(empty)) == {}
