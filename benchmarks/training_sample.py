"""Does learning from a sample of a large lead table cost accuracy?

``LeadModel.fit`` learns from at most ``TRAINING_SAMPLE`` leads (200,000), drawn at random
after the blocking keys are made on every lead. For each size and seed this script
prepares the same generated leads once, fits one model on every lead (``sample=None``) and
one on the sample, scores every blocked pair with each, clusters them the way ``dedupe``
does, and prints the fit time, λ, and pairwise and B-cubed F1 against the generator's
person ids, side by side. Both models score the same pairs, so any difference in F1 is the
sample's.

Usage:  python benchmarks/training_sample.py [--leads 1000000] [--seeds 0 1]
        [--sample 200000] [--output PATH]
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

from _results import write_results

RESULTS = Path(__file__).resolve().parent / "results"


def run(n_leads: int, seed: int, sample: int) -> list[dict]:
    import leadlink as ll
    from leadlink.datasets import generate_leads
    from leadlink.merge import cluster_pairs
    from leadlink.schema import resolve_columns

    probe = generate_leads(2000, seed=seed)
    people = int(n_leads / (len(probe) / 2000) * 1.05) + 1
    leads = generate_leads(people, seed=seed).head(n_leads).reset_index(drop=True)
    truth = leads.pop("person_id")
    ghost = leads.pop("is_ghost").to_numpy(dtype=bool)
    roles = resolve_columns(leads, id_column="lead_id")
    prepared = ll.prepare(leads, roles, id_column="lead_id")
    ids = prepared["unique_id"]
    rows = []
    for label, size in (("every lead", None), (f"sample of {sample:,}", sample)):
        started = time.perf_counter()
        model = ll.LeadModel(seed=seed).fit(prepared[~ghost], sample=size)
        fitted = time.perf_counter() - started
        pairs = model.predict(prepared[~ghost], min_probability=0.0)
        clusters = cluster_pairs(ids, pairs, threshold=model.threshold)
        scores = ll.evaluate_clusters(clusters["cluster_id"], truth)
        rows.append(
            {
                "leads": n_leads,
                "seed": seed,
                "trained_on": label,
                "fit_seconds": round(fitted, 1),
                "lambda": model.lambda_,
                "pairs": len(pairs),
                "pairwise_precision": round(scores["pairwise_precision"], 4),
                "pairwise_recall": round(scores["pairwise_recall"], 4),
                "pairwise_f1": round(scores["pairwise_f1"], 4),
                "bcubed_f1": round(scores["bcubed_f1"], 4),
            }
        )
        print(_line(rows[-1]), flush=True)
    return rows


def _line(row: dict) -> str:
    return (
        f"{row['leads']:>9,} {row['seed']:>4} {row['trained_on']:<20} {row['fit_seconds']:>7}"
        f" {row['lambda']:>10.3g} {row['pairs']:>10,} {row['pairwise_precision']:>6.4f}"
        f" {row['pairwise_recall']:>6.4f} {row['pairwise_f1']:>6.4f} {row['bcubed_f1']:>6.4f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--sample", type=int, default=200_000)
    parser.add_argument("--output", default=str(RESULTS / "training_sample.json"))
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    print(
        f"{'leads':>9} {'seed':>4} {'trained on':<20} {'fit s':>7} {'lambda':>10} "
        f"{'pairs':>10} {'prec':>6} {'recall':>6} {'F1':>6} {'B3 F1':>6}"
    )
    rows = [row for n in args.leads for seed in args.seeds for row in run(n, seed, args.sample)]
    write_results(args.output, "training_sample", arguments=vars(args), results=rows)


if __name__ == "__main__":
    main()
