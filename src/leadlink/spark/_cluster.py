"""Clusters and golden records in Spark, by leadlink's own functions.

Clustering is exact, not an approximation of :func:`~leadlink.merge.cluster_pairs`: that
function only ever merges leads joined by a pair at or above the threshold, and only the
pairs between leads of one such connected component can stop a merge. So the connected
components of the pairs above the threshold are found first — on the driver when there
are at most :data:`DRIVER_EDGES` such pairs (two ids each), else in Spark (min-label
propagation, checkpointed each round) — and :func:`~leadlink.merge.cluster_pairs` then runs
on each component's pairs on the executors (``applyInPandas``, many components to a
group): the clusters, their chain resistance and their ids are those of the pandas run
given the same pairs. Leads in no pair above the threshold are clusters of their own, with
the id :func:`~leadlink.merge.cluster_id_for` gives them (the same hash, in Spark SQL).

Golden records are built by :func:`~leadlink.merge.golden_records` on whole clusters, again
many clusters to a group, with the same survivorship policy.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from leadlink.merge import SurvivorshipPolicy, cluster_pairs, golden_records
from leadlink.spark._prepare import split_row

__all__ = ["cluster_leads", "golden_of_clusters"]

logger = logging.getLogger(__name__)

#: Rounds of label propagation at most: a component wider than this (a chain of that many
#: links) is not followed to its end, and its far ends stay apart.
MAX_ROUNDS = 100

#: Up to this many pairs above the threshold, their connected components are found on the
#: driver (a few seconds of numpy at this size) instead of by rounds of label propagation
#: in Spark, each of which costs three shuffles.
DRIVER_EDGES = 2_000_000


def _buckets(session: Any) -> int:
    return max(int(session.conf.get("spark.sql.shuffle.partitions")), 1)


def components(edges: Any) -> Any:
    """``id`` and ``component`` (its smallest id) for every id in ``edges`` (``a``, ``b``):
    on the driver when there are at most :data:`DRIVER_EDGES` edges, else in Spark."""
    edges = edges.localCheckpoint()
    if edges.count() <= DRIVER_EDGES:
        return _components_on_driver(edges)
    return _propagated(edges)


def _components_on_driver(edges: Any) -> Any:
    """:func:`components` of the edges collected to the driver, by SciPy's connected
    components; the same labels (a component's smallest id) as label propagation."""
    from pyspark.sql import types as T
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    collected = edges.toPandas()
    codes, uniques = pd.factorize(
        pd.concat([collected["a"], collected["b"]], ignore_index=True), sort=True
    )
    ids = np.asarray(uniques, dtype=object)
    n, m = len(ids), len(collected)
    graph = coo_matrix((np.ones(m, dtype=np.int8), (codes[:m], codes[m:])), shape=(n, n))
    count, label = connected_components(graph, directed=False)
    # The ids are sorted: the smallest position of a label is its smallest id.
    smallest = np.full(count, n, dtype=np.int64)
    np.minimum.at(smallest, label, np.arange(n))
    found = pd.DataFrame({"id": ids, "component": ids[smallest[label]]})
    schema = T.StructType(
        [T.StructField("id", T.StringType()), T.StructField("component", T.StringType())]
    )
    return edges.sparkSession.createDataFrame(found, schema=schema)


def _propagated(edges: Any) -> Any:
    """:func:`components` by min-label propagation in Spark, checkpointed each round."""
    from pyspark.sql import functions as F

    both = (
        edges.select(F.col("a").alias("src"), F.col("b").alias("dst"))
        .union(edges.select(F.col("b").alias("src"), F.col("a").alias("dst")))
        .distinct()
        .localCheckpoint()
    )
    labels = both.groupBy(F.col("src").alias("id")).agg(
        F.least(F.col("src"), F.min("dst")).alias("component")
    )
    labels = labels.localCheckpoint()
    for round_ in range(MAX_ROUNDS):
        reached = (
            both.join(labels.withColumnRenamed("id", "src"), "src")
            .groupBy(F.col("dst").alias("id"))
            .agg(F.min("component").alias("reached"))
        )
        moved = (
            labels.join(reached, "id", "left")
            .select(
                "id",
                F.least("component", F.coalesce("reached", "component")).alias("component"),
                (F.col("reached") < F.col("component")).alias("moved"),
            )
            .localCheckpoint()
        )
        still = moved.where(F.col("moved")).limit(1).count()
        labels = moved.drop("moved")
        if not still:
            logger.info("connected components settled in %d rounds", round_ + 1)
            break
    return labels


def cluster_leads(ids: Any, pairs: Any, threshold: float) -> Any:
    """``unique_id`` and ``cluster_id`` for every id of ``ids`` (a Spark DataFrame of
    ``unique_id``): the clusters :func:`~leadlink.merge.cluster_pairs` makes of ``pairs``
    at ``threshold`` (see the module docstring)."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    never = F.coalesce(F.col("rule").startswith("never_link"), F.lit(False))
    strong = pairs.where((F.col("match_probability") >= threshold) & ~never)
    found = components(strong.select(F.col("id_l").alias("a"), F.col("id_r").alias("b")))
    left = found.select(F.col("id").alias("id_l"), F.col("component"))
    right = found.select(F.col("id").alias("id_r"), F.col("component").alias("_right"))
    wanted = [
        c
        for c in pairs.columns
        if c in ("id_l", "id_r", "match_probability", "rule")
        or (c.endswith("_weight") and c != "match_weight")
    ]
    within = (
        pairs.select(*wanted)
        .join(left, "id_l")
        .join(right, "id_r")
        .where(F.col("component") == F.col("_right"))
        .drop("_right")
        .withColumn("_bucket", F.abs(F.hash("component")) % _buckets(pairs.sparkSession))
    )
    schema = T.StructType(
        [T.StructField("unique_id", T.StringType()), T.StructField("cluster_id", T.StringType())]
    )

    def clusters_of(group: pd.DataFrame) -> pd.DataFrame:
        members = pd.unique(pd.concat([group["id_l"], group["id_r"]], ignore_index=True))
        made = cluster_pairs(pd.Series(members, dtype=object), group, threshold=threshold)
        return made.rename(columns={"id": "unique_id"})

    linked = within.groupBy("_bucket").applyInPandas(clusters_of, schema=schema)
    alone = F.concat(F.lit("C"), F.substring(F.sha1(F.col("unique_id")), 1, 12))
    return (
        ids.select("unique_id")
        .join(linked, "unique_id", "left")
        .select("unique_id", F.coalesce(F.col("cluster_id"), alone).alias("cluster_id"))
    )


def golden_of_clusters(
    rows: Any,
    clusters: Any,
    lead_columns: list[str],
    roles: Mapping[str, str],
    policy: SurvivorshipPolicy,
    schema: Any,
) -> Any:
    """The golden record of every cluster: :func:`~leadlink.merge.golden_records` on the
    rows of :func:`~leadlink.spark._prepare.prepare_leads` (``rows``) joined to their
    cluster, many clusters to a group; ``schema`` is the output's Spark schema."""
    from pyspark.sql import functions as F

    from leadlink.spark._prepare import PREPARED_PREFIX

    roles = dict(roles)
    joined = rows.join(
        clusters.withColumnRenamed("unique_id", PREPARED_PREFIX + "unique_id"),
        PREPARED_PREFIX + "unique_id",
    ).withColumn("_bucket", F.abs(F.hash("cluster_id")) % _buckets(rows.sparkSession))

    def golden_of(group: pd.DataFrame) -> pd.DataFrame:
        leads, prepared, validation = split_row(
            group.drop(columns=["cluster_id", "_bucket"]), lead_columns
        )
        clustered = pd.DataFrame(
            {"id": prepared["unique_id"].to_numpy(), "cluster_id": group["cluster_id"].to_numpy()}
        )
        made = golden_records(
            leads, prepared, clustered, roles, policy=policy, validation=validation
        )
        return made[[field.name for field in schema.fields]]

    return joined.groupBy("_bucket").applyInPandas(golden_of, schema=schema)
