"""Over-merging before and after chain-resistant clustering, on the same scored pairs.

Plain connected components at the threshold (``cannot_link_below=0``) against leadlink's
default (links merged strongest first, merges refused across pairs scored below 0.05), on
generated leads with shared switchboards and common names. Prints pairwise precision /
recall / F1, B-cubed F1 and the largest clusters; writes a JSON result.

Usage:  python benchmarks/clustering.py [--seeds 41 42 43] [--people 20000]
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

import pandas as pd

import leadlink as ll
from _results import write_results
from leadlink.datasets import generate_leads
from leadlink.merge._cluster import DEFAULT_CANNOT_LINK_BELOW, cluster_pairs

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[41, 42, 43])
    parser.add_argument("--people", type=int, default=20000)
    parser.add_argument("--output", default=str(RESULTS / "clustering.json"))
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    rows = []
    for seed in args.seeds:
        leads = generate_leads(args.people, seed=seed)
        truth = leads.pop("person_id")
        leads = leads.drop(columns=["is_ghost"])
        result = ll.dedupe(leads, id_column="lead_id")
        for name, below in (("connected components", 0.0),
                            ("chain-resistant", DEFAULT_CANNOT_LINK_BELOW)):  # fmt: skip
            clusters = cluster_pairs(
                leads["lead_id"].astype(str), result.pairs, threshold=result.threshold,
                cannot_link_below=below,
            )  # fmt: skip
            scores = ll.evaluate_clusters(clusters["cluster_id"], truth)
            sizes = clusters["cluster_id"].value_counts()
            rows.append(
                {
                    "seed": seed,
                    "leads": len(leads),
                    "clustering": name,
                    "pairwise_precision": round(scores["pairwise_precision"], 4),
                    "pairwise_recall": round(scores["pairwise_recall"], 4),
                    "pairwise_f1": round(scores["pairwise_f1"], 4),
                    "bcubed_f1": round(scores["bcubed_f1"], 4),
                    "largest_clusters": sizes.head(3).tolist(),
                    "clusters_over_10": int((sizes > 10).sum()),
                }
            )
            print(rows[-1], flush=True)
    print()
    print(pd.DataFrame(rows).to_string(index=False))
    write_results(args.output, "clustering", results=rows)


if __name__ == "__main__":
    main()
