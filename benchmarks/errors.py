"""What leadlink still gets wrong: the missed and the wrong pairs of one generated set, by kind.

Runs ``leadlink.dedupe`` on generated leads, compares its clusters with the truth, and
sorts every missed pair (same person, different clusters) and every wrong pair (different
people, one cluster) by what the two leads share: their name (same key, spelled by a
mailbox, different, one missing), employer, phone and email, and whether the model
compared the pair at all (a pair that no blocking key brings together can only be joined
through other leads). It also reports how ambiguous the set is: how many people share
their name with another person, and with a colleague at the same employer, and the match
weight the model learnt for every comparison level.

Usage:  python benchmarks/errors.py [--people 20000] [--seed 9] [--corruption 0.6]
        [--top 12] [--output PATH]
"""

from __future__ import annotations

import argparse
import logging
import warnings
from collections import Counter
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd

import leadlink as ll
from _results import write_results
from leadlink.datasets import generate_leads

RESULTS = Path(__file__).resolve().parent / "results"


def same_cluster_pairs(ids: np.ndarray, labels: np.ndarray) -> set[tuple[str, str]]:
    """Every pair of ids (in sorted order) that share a label."""
    pairs: set[tuple[str, str]] = set()
    for members in pd.Series(ids).groupby(labels).agg(list):
        pairs.update(combinations(sorted(members), 2))
    return pairs


def relation(left: object, right: object) -> str:
    if pd.isna(left) or pd.isna(right):
        return "missing"
    return "same" if left == right else "different"


def name_relation(prepared: pd.DataFrame, a: str, b: str) -> str:
    found = relation(prepared.at[a, "name_key"], prepared.at[b, "name_key"])
    if (
        found == "missing"
        and relation(prepared.at[a, "name_spelling"], prepared.at[b, "name_spelling"]) == "same"
    ):
        return "spelled by mailbox"
    return found


def describe(
    pairs: set[tuple[str, str]], prepared: pd.DataFrame, compared: set[tuple[str, str]]
) -> Counter[tuple[str, ...]]:
    kinds: Counter[tuple[str, ...]] = Counter()
    for a, b in pairs:
        kinds[
            (
                name_relation(prepared, a, b),
                relation(prepared.at[a, "employer"], prepared.at[b, "employer"]),
                relation(prepared.at[a, "phone"], prepared.at[b, "phone"]),
                relation(prepared.at[a, "email"], prepared.at[b, "email"]),
                "compared" if (a, b) in compared else "not compared",
            )
        ] += 1
    return kinds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--corruption", type=float, default=0.6)
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument("--output", default=str(RESULTS / "errors.json"))
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)

    leads = generate_leads(args.people, seed=args.seed, corruption=args.corruption)
    result = ll.dedupe(leads, id_column="lead_id", seed=0)
    keep = ~result.validation["is_ghost"].to_numpy()
    ids = leads["lead_id"].astype(str).to_numpy()[keep]
    truth = same_cluster_pairs(ids, leads["person_id"].to_numpy()[keep])
    found = same_cluster_pairs(ids, result.clusters["cluster_id"].to_numpy()[keep])
    missed, wrong = truth - found, found - truth
    scored = result.pairs
    compared = {
        (min(a, b), max(a, b))
        for a, b in zip(scored["id_l"].astype(str), scored["id_r"].astype(str))
    }
    assert result.prepared is not None
    prepared = result.prepared.set_index(result.prepared["unique_id"].astype(str))

    # How ambiguous the set is: each person's most frequent name key and employer.
    people = (
        prepared.loc[ids, ["name_key", "employer"]]
        .assign(person=leads["person_id"].to_numpy()[keep])
        .groupby("person")
        .agg(lambda s: s.mode().iloc[0] if s.notna().any() else None)
    )
    named = people.dropna(subset=["name_key"])
    name_sizes = named.groupby("name_key").size()
    both = named.dropna(subset=["employer"])
    colleague_sizes = both.groupby(["name_key", "employer"]).size()

    tp = len(truth & found)
    summary = {
        "leads": len(leads),
        "people": len(people),
        "true_pairs": len(truth),
        "found_pairs": len(found),
        "pairwise_precision": round(tp / len(found), 4) if found else 1.0,
        "pairwise_recall": round(tp / len(truth), 4) if truth else 1.0,
        "missed_pairs": len(missed),
        "wrong_pairs": len(wrong),
        "largest_name_share_of_people": round(float(name_sizes.max()) / len(people), 4),
        "largest_employer_share_of_people": round(
            float(people["employer"].value_counts().max()) / len(people), 4
        ),
        "people_sharing_their_name": round(
            float(name_sizes[name_sizes > 1].sum()) / len(people), 4
        ),
        "people_sharing_name_and_employer": round(
            float(colleague_sizes[colleague_sizes > 1].sum()) / len(people), 4
        ),
    }
    columns = ["name", "employer", "phone", "email", "compared"]
    tables = {}
    for label, pairs in (("missed", missed), ("wrong", wrong)):
        kinds = describe(pairs, prepared, compared)
        rows = [
            dict(zip(columns, kind), pairs=count, share=round(count / max(len(pairs), 1), 3))
            for kind, count in kinds.most_common(args.top)
        ]
        tables[label] = rows
        name_only = sum(
            count
            for (name, _, phone, email, _), count in kinds.items()
            if name in ("same", "spelled by mailbox") and phone != "same" and email != "same"
        )
        summary[f"{label}_sharing_a_name_but_no_phone_or_email"] = name_only
        print(f"\n{label} pairs: {len(pairs)} (the {args.top} most common kinds)")
        print(pd.DataFrame(rows).to_string(index=False))

    print()
    for key, value in summary.items():
        print(f"{key:<48} {value}")
    # The weights the model learnt on this set, which the docs quote.
    assert result.model is not None
    weights = {
        f"{row.role}.{row.level}": round(float(row.match_weight), 2)
        for row in result.model.parameters.itertuples()
    }
    print()
    print("match weights: " + ", ".join(f"{k} {v:+.2f}" for k, v in weights.items()))
    write_results(
        args.output,
        "errors",
        arguments=vars(args),
        summary=summary,
        kinds=tables,
        match_weights=weights,
    )


if __name__ == "__main__":
    main()
