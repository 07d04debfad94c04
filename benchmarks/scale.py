"""Time and peak memory of `leadlink.dedupe` on large generated lead tables.

Goal: 200,000 leads trained, scored and clustered in a few minutes with peak memory well
under 4 GB, on a 2-core machine. Each size runs in its own child process, so its peak
resident memory (`ru_maxrss` of the child) is its own; generating the leads is not timed.

``--drop title`` runs the same leads without their job-title column (a CRM that records no
titles); write that run to another ``--output``.

Usage:  python benchmarks/scale.py [--leads 50000 100000 200000] [--seeds 0 ...]
        [--drop COLUMN ...] [--output PATH]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

from _results import write_results

RESULTS = Path(__file__).resolve().parent / "results"

CHILD = r"""
import json, sys, time, logging, warnings
warnings.simplefilter("ignore")
import leadlink as ll
from leadlink.datasets import generate_leads
n_leads, seed, dropped = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
probe = generate_leads(2000, seed=seed)
frame = generate_leads(int(n_leads / (len(probe) / 2000) * 1.05) + 1, seed=seed).head(n_leads)
truth = frame.pop("person_id"); frame = frame.drop(columns=["is_ghost", *dropped])
started = time.perf_counter()
result = ll.dedupe(frame, id_column="lead_id", seed=seed)
seconds = time.perf_counter() - started
scores = ll.evaluate_clusters(result.clusters["cluster_id"], truth)
report = result.model.blocking_report
print(json.dumps({
    "leads": len(frame), "seconds": round(seconds, 1), "stages": result.timings,
    "blocked_pairs": report.total_comparisons, "capped_keys": sum(report.capped_keys.values()),
    "largest_block": max(report.largest_block.values()), "scored_pairs": len(result.pairs),
    "largest_cluster": result.summary()["largest_cluster"],
    "pairwise_f1": round(scores["pairwise_f1"], 4), "bcubed_f1": round(scores["bcubed_f1"], 4),
}))
"""


def run(n_leads: int, seed: int, dropped: list[str]) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(n_leads), str(seed), *dropped],
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"child failed for {n_leads} leads:\n{done.stderr[-2000:]}")
    row = json.loads(done.stdout.strip().splitlines()[-1])
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the largest child so far; sizes run in increasing order
    # (with several seeds, a row shows the largest run of its size so far).
    row["peak_rss_mb"] = round(max(peak_kb, before) / 1024)
    row["process_seconds_incl_generation"] = round(wall, 1)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leads", type=int, nargs="+", default=[50_000, 100_000, 200_000])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument(
        "--drop", nargs="+", default=[], metavar="COLUMN", help="input columns to leave out"
    )
    parser.add_argument("--output", default=str(RESULTS / "scale.json"))
    args = parser.parse_args()
    rows = []
    for n in sorted(args.leads):
        for seed in args.seeds:
            rows.append({"seed": seed, **run(n, seed, args.drop)})
            print(rows[-1], flush=True)
    shown = ["leads", "seed", "seconds", "peak_rss_mb", "blocked_pairs", "capped_keys", "largest_block",
             "largest_cluster", "pairwise_f1", "bcubed_f1"]  # fmt: skip
    print()
    print("  ".join(f"{c:>15}" for c in shown))
    for row in rows:
        print("  ".join(f"{row[c]!s:>15}" for c in shown))
    write_results(args.output, "scale", arguments=vars(args), results=rows)


if __name__ == "__main__":
    main()
