"""dedupe on Spark end to end: the same leads give DuckDB's clusters and golden records."""

from __future__ import annotations

import pandas as pd
import pytest

import leadlink as ll
from leadlink.errors import ColumnError, ConfigError, InputError, LeadlinkError
from leadlink.metrics import evaluate_clusters

# Spark is optional: the session fixture (tests/conftest.py) skips these tests without
# pyspark or Java. Run only them with `make test-spark`; leave them out with -m "not spark".
pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def leads() -> pd.DataFrame:
    """About 1,900 generated leads of 1,000 people, without their truth columns."""
    from leadlink.datasets import generate_leads

    return generate_leads(1000, seed=11).drop(columns=["person_id", "is_ghost"])


@pytest.fixture(scope="module")
def on_duckdb(leads):
    return ll.dedupe(leads)


@pytest.fixture(scope="module")
def parquet_path(leads, tmp_path_factory):
    path = tmp_path_factory.mktemp("leads") / "leads.parquet"
    leads.to_parquet(path, index=False)
    return path


@pytest.fixture(scope="module")
def on_spark(spark, parquet_path, on_duckdb):
    """The pipeline on Spark: a Parquet path, the SparkSession as the backend. With
    DuckDB's model: training on Spark fits the same model on the same leads (all of them
    are in the sample), and is run by the test of a Spark DataFrame below."""
    return ll.dedupe(parquet_path, backend=spark, model=on_duckdb.model)


@pytest.fixture(scope="module")
def collected(on_spark):
    return on_spark.to_pandas()


def test_spark_clusters_agree_with_duckdb(on_duckdb, collected, leads):
    duckdb = on_duckdb.clusters.set_index("lead_id")["cluster_id"]
    spark = collected.clusters.set_index("lead_id")["cluster_id"].reindex(duckdb.index)

    agreement = evaluate_clusters(spark.to_numpy(), duckdb.to_numpy())
    assert agreement["pairwise_f1"] >= 0.98
    assert agreement["bcubed_f1"] >= 0.98
    assert (duckdb.map(duckdb.value_counts()) > 1).sum() > 500  # duplicates were found


def test_every_lead_is_in_one_cluster(on_spark, collected, leads):
    assert on_spark.clusters.count() == len(leads)
    assert sorted(collected.clusters["lead_id"]) == sorted(leads["lead_id"].astype(str))
    assert collected.clusters["cluster_id"].notna().all()
    assert collected.golden["n_leads"].sum() == len(leads)


def test_equal_clusters_have_equal_golden_records(on_duckdb, collected):
    duckdb = on_duckdb.golden.set_index("cluster_id")
    spark = collected.golden.set_index("cluster_id")
    same = duckdb.index.intersection(spark.index)
    assert len(same) >= 0.98 * len(duckdb)
    assert list(spark.columns) == list(duckdb.columns)
    pd.testing.assert_frame_equal(
        spark.loc[same].astype(str), duckdb.loc[same].astype(str), check_dtype=False
    )


def test_the_pairs_and_prepared_keys_are_duckdbs(on_duckdb, collected):
    assert list(collected.pairs.columns) == list(on_duckdb.pairs.columns)
    assert len(collected.pairs) == pytest.approx(len(on_duckdb.pairs), rel=0.01)
    prepared = collected.prepared.set_index("unique_id")
    expected = on_duckdb.prepared.set_index("unique_id").reindex(prepared.index)
    pd.testing.assert_frame_equal(
        prepared.astype(str), expected[prepared.columns].astype(str), check_dtype=False
    )


def test_a_spark_dataframe_trained_on_with_its_session(spark, leads, tmp_path):
    few = leads.head(300)
    result = ll.dedupe(spark.createDataFrame(few))  # backend None: the frame's session

    assert result.model is not None and result.model.is_fitted
    assert result.model.diagnostics["n_leads"] > 250  # all matchable leads, not a sample
    on_duckdb = ll.dedupe(few, model=result.model)
    collected = result.to_pandas()
    pd.testing.assert_frame_equal(
        collected.clusters.sort_values("lead_id").reset_index(drop=True),
        on_duckdb.clusters.sort_values("lead_id").reset_index(drop=True),
    )
    assert result.clusters.count() == len(few)
    written = result.write(tmp_path / "out")
    clusters = pd.read_parquet(written / "clusters.parquet")
    assert sorted(clusters["lead_id"]) == sorted(few["lead_id"])
    assert (written / "model.json").is_file()
    assert set(pd.read_parquet(written / "golden.parquet")["cluster_id"]) == set(
        clusters["cluster_id"]
    )


def test_a_spark_session_is_a_backend(spark):
    from leadlink.match import database_api

    assert type(database_api(spark)).__name__ == "SparkAPI"


@pytest.mark.parametrize(
    ("given", "options", "error"),
    [
        ("no/such/leads.parquet", {}, InputError),
        (None, {"id_column": "id"}, ColumnError),
        (None, {"hash_key": "secret"}, ConfigError),
        (None, {"threshold": 2}, ConfigError),
        (42, {}, InputError),
    ],
)
def test_bad_input_is_a_leadlink_error(spark, leads, given, options, error):
    from leadlink.spark import dedupe_spark

    source = spark.createDataFrame(leads.head(20)) if given is None else given
    with pytest.raises(error) as caught:
        dedupe_spark(source, backend=spark, **options)
    assert isinstance(caught.value, LeadlinkError)


def test_leads_with_nothing_to_match_on_are_refused_as_dedupe_refuses_them(spark):
    from leadlink.spark import dedupe_spark

    leads = pd.DataFrame({"lead_id": ["a", "b"], "note": ["x", "y"]})
    with pytest.raises(ColumnError) as local:
        ll.dedupe(leads, id_column="lead_id")
    with pytest.raises(ColumnError) as on_spark:
        dedupe_spark(spark.createDataFrame(leads), backend=spark, id_column="lead_id")
    assert str(on_spark.value) == str(local.value)


def test_repeated_ids_are_refused(spark, leads):
    twice = pd.concat([leads.head(5), leads.head(5)], ignore_index=True)
    with pytest.raises(InputError, match="unique"):
        ll.dedupe(spark.createDataFrame(twice), backend=spark)
