"""How many of the review queue's first items are real errors, against flagged clusters
drawn at random.

Generated leads (``generate_leads``, truth in ``person_id``) go through ``ll.dedupe``; the
queue (:func:`leadlink.merge.review_queue`, every item) is then judged against the truth.
An item is a real error when the decision it asks for is right: a ``weak_link`` part
shares no person with the rest of its cluster, the two clusters of a ``near_miss`` share
one, a cluster item holds more than one person. The baseline draws clusters flagged by
:func:`leadlink.review_clusters` at random (200 draws) and counts those holding more than
one person. Precision@k is the share of real errors among the first k items.

    python benchmarks/review_queue.py                 # 57,500 people, about 112k leads
    python benchmarks/review_queue.py --people 5000   # a quick run
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np
import pandas as pd

import leadlink as ll
from _results import write_results
from leadlink.datasets import generate_leads
from leadlink.merge import review_queue

KS = (100, 500)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=57_500)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--output", default="benchmarks/results/review_queue.json")
    args = parser.parse_args()

    leads = generate_leads(args.people, seed=args.seed)
    truth = leads.pop("person_id").astype(str)
    leads = leads.drop(columns="is_ghost")
    started = time.perf_counter()
    result = ll.dedupe(leads)
    took_dedupe = time.perf_counter() - started
    assert result.prepared is not None
    started = time.perf_counter()
    queue = review_queue(
        result.clusters, result.pairs, result.prepared, size=None, threshold=result.threshold
    )
    took_queue = time.perf_counter() - started

    id_column = result.clusters.columns[0]
    person = dict(zip(result.clusters[id_column].astype(str), truth))
    people = (
        result.clusters.assign(person=truth.to_numpy())
        .groupby("cluster_id")["person"]
        .agg(set)
        .to_dict()
    )
    members = result.clusters.groupby("cluster_id")[id_column].agg(set).to_dict()
    items = queue.items
    real = np.array([_real_error(row, person, people, members) for row in items.itertuples()])

    flagged = result.review()["cluster_id"].unique()
    impure = np.array([len(people[c]) > 1 for c in flagged])
    rng = np.random.default_rng(0)
    rows = []
    for k in KS:
        drawn = [impure[rng.choice(len(flagged), min(k, len(flagged)), replace=False)].mean()
                 for _ in range(200)]  # fmt: skip
        rows.append(
            {
                "k": k,
                "queue_precision": round(float(real[:k].mean()), 3),
                "random_flagged_precision": round(float(np.mean(drawn)), 3),
                "queue_wrong_leads_found": int(items["leads_at_stake"][:k][real[:k]].sum()),
            }
        )
    by_reason = (
        pd.DataFrame({"reason": items["reason"], "real": real})
        .groupby("reason")["real"]
        .agg(["size", "mean"])
        .round(3)
    )

    print(f"{len(leads)} leads, {len(result.pairs)} scored pairs; dedupe {took_dedupe:.0f} s")
    print(f"review queue: {queue.total} items in {took_queue:.1f} s; "
          f"{len(flagged)} clusters flagged by review_clusters")  # fmt: skip
    print(f"\n{'k':>5} {'queue precision':>16} {'random flagged':>15} {'wrong leads found':>18}")
    for row in rows:
        print(f"{row['k']:>5} {row['queue_precision']:>16.3f} "
              f"{row['random_flagged_precision']:>15.3f} {row['queue_wrong_leads_found']:>18}")  # fmt: skip
    print("\nreal errors among all items, by reason:")
    print(by_reason.to_string())
    write_results(
        args.output,
        "review_queue",
        people=args.people,
        seed=args.seed,
        leads=len(leads),
        pairs=len(result.pairs),
        items=queue.total,
        flagged_clusters=len(flagged),
        seconds_dedupe=round(took_dedupe, 1),
        seconds_queue=round(took_queue, 2),
        precision_at_k=rows,
        real_error_share_by_reason={
            str(reason): {"items": int(row["size"]), "real_errors": float(row["mean"])}
            for reason, row in by_reason.iterrows()
        },
    )


def _real_error(
    row: Any, person: dict[str, str], people: dict[str, set[str]], members: dict[str, set[str]]
) -> bool:
    """Whether the decision an item asks for is right by the truth."""
    if row.reason == "near_miss":
        return bool(people[row.cluster_id] & people[row.other_cluster_id])
    at_stake = set(row.lead_ids)
    if at_stake != members[row.cluster_id]:  # a weak part: does it share no one with the rest?
        rest = members[row.cluster_id] - at_stake
        return not ({person[i] for i in at_stake} & {person[i] for i in rest})
    return len(people[row.cluster_id]) > 1


if __name__ == "__main__":
    main()
