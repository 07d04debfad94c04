"""The model on Spark: a model file trained on DuckDB scores the same pairs on Spark."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import leadlink as ll
from leadlink.clean._prepare import prepare
from leadlink.match._model import LeadModel
from leadlink.schema import resolve_columns

# Spark is optional (`pip install leadlink[spark]`, and a Java runtime): without it these
# tests are skipped, not errors. Deselect them with `-m "not spark"`.
pytestmark = pytest.mark.spark
# The session fixture (tests/conftest.py) skips them without pyspark or Java.


@pytest.fixture(scope="module")
def leads(small_leads):
    return small_leads.drop(columns=["person_id", "is_ghost"])


@pytest.fixture(scope="module")
def prepared(leads):
    return prepare(leads, resolve_columns(leads, id_column="lead_id"), id_column="lead_id")


@pytest.fixture(scope="module")
def duckdb_model(prepared):
    return LeadModel().fit(prepared)


def test_a_model_file_trained_on_duckdb_scores_the_same_pairs_on_spark(
    spark, duckdb_model, prepared, tmp_path
):
    from splink import SparkAPI

    model = LeadModel.load(duckdb_model.save(tmp_path / "model.json"))
    on_duckdb = model.predict(prepared)
    on_spark = model.predict(prepared, db_api=SparkAPI(spark_session=spark))

    assert len(on_duckdb) > 100
    assert list(on_spark.columns) == list(on_duckdb.columns)
    pd.testing.assert_frame_equal(on_spark[["id_l", "id_r"]], on_duckdb[["id_l", "id_r"]])
    np.testing.assert_allclose(
        on_spark["match_probability"], on_duckdb["match_probability"], rtol=0, atol=1e-6
    )
    levels = [c for c in on_duckdb.columns if c.endswith("_level")]
    assert levels == [f"{role}_level" for role in model.roles]
    pd.testing.assert_frame_equal(on_spark[levels], on_duckdb[levels])
    # the conditional block and the name level that reaches past the null level run there too
    assert (on_spark["found_by"] == "mailbox_name").any()
    assert (on_spark["name_level"] == "spelled_by_mailbox").any()
    # and the job title's levels, the one that compares words within titles included
    assert {"exact", "within", "different"} <= set(on_spark["title_level"])
    # The leads and Splink's tables are not left behind in the user's session.
    assert not [t.name for t in spark.catalog.listTables() if t.name.startswith("__splink")]


def test_leads_without_a_role_the_model_compares_score_on_spark(spark, duckdb_model, prepared):
    """Columns without any value (no lead has an email) reach Spark as typed nulls."""
    from splink import SparkAPI

    email_columns = ["email", "email_user", "email_domain", "email_letters"]
    without_email = prepared.assign(**dict.fromkeys(email_columns))
    on_duckdb = duckdb_model.predict(without_email)
    on_spark = duckdb_model.predict(without_email, db_api=SparkAPI(spark_session=spark))

    assert (on_spark["email_level"] == "null").all()
    pd.testing.assert_frame_equal(on_spark[["id_l", "id_r"]], on_duckdb[["id_l", "id_r"]])
    np.testing.assert_allclose(
        on_spark["match_probability"], on_duckdb["match_probability"], rtol=0, atol=1e-6
    )


def test_dedupe_on_spark_gives_the_duckdb_clusters(spark, duckdb_model, leads):
    on_duckdb = ll.dedupe(leads, model=duckdb_model)
    on_spark = ll.dedupe(leads, backend="spark", model=duckdb_model)  # the active session

    pd.testing.assert_frame_equal(on_spark.clusters, on_duckdb.clusters)
    assert (on_duckdb.golden["n_leads"] > 1).any()


def test_a_model_trained_on_spark_finds_the_same_duplicates_as_on_duckdb(
    spark, duckdb_model, prepared, small_leads
):
    from splink import SparkAPI

    on_spark = LeadModel().fit(prepared, db_api=SparkAPI(spark_session=spark))

    assert on_spark.roles == duckdb_model.roles
    sessions = on_spark.diagnostics["em_sessions"]
    assert sessions and not [s for s in sessions if "failed" in s]
    assert "u_failed" not in on_spark.diagnostics
    # u comes from a random sample, which Spark draws differently: the weights are close,
    # not equal, and the duplicates found are the same but for a few pairs.
    assert 0.5 < on_spark.lambda_ / duckdb_model.lambda_ < 2
    threshold = duckdb_model.threshold

    def found(model):
        pairs = model.predict(prepared)
        above = pairs[pairs["match_probability"] >= threshold]
        return set(zip(above["id_l"], above["id_r"]))

    spark_pairs, duckdb_pairs = found(on_spark), found(duckdb_model)
    assert len(duckdb_pairs) > 100
    assert len(spark_pairs & duckdb_pairs) / len(spark_pairs | duckdb_pairs) > 0.9
    person = dict(zip(small_leads["lead_id"].astype(str), small_leads["person_id"]))
    true_spark = sum(person[a] == person[b] for a, b in spark_pairs)
    true_duckdb = sum(person[a] == person[b] for a, b in duckdb_pairs)
    assert true_spark / len(spark_pairs) > 0.9
    assert abs(true_spark - true_duckdb) <= 0.05 * true_duckdb
