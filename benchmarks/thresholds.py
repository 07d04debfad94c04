"""Choosing a threshold without labels: how close the expected precision and recall are to
the measured ones, and how long re-thresholding takes next to a full run.

For several seeds and sizes of generated leads (``leadlink.datasets.generate_leads``, with
ground truth), ``dedupe`` runs once; ``leadlink.explore.threshold_table`` then gives, per
threshold from 0.3 to 0.97, the expected pairwise precision and recall (from the model's
probabilities only) and the measured ones (against the truth). The table prints the
largest gap per set, and every row is in the JSON.

Then, on one large set, ``DedupeResult.at_threshold`` re-clusters the saved pairs and
rebuilds the golden records at three other thresholds; its time is reported as a share of
the full run's, both measured in this run.

Run: ``python benchmarks/thresholds.py`` (about 6 minutes on 2 cores); ``--quick`` for a
small check. Writes ``benchmarks/results/thresholds.json``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import pandas as pd

import leadlink as ll
from _results import write_results
from leadlink.datasets import generate_leads
from leadlink.explore import threshold_table

THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.97)
SETS = [(2000, 1), (2000, 2), (2000, 3), (20000, 1), (20000, 2), (20000, 3)]
QUICK = [(1000, 1)]
LARGE = 120_000  # people: about 200,000 leads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--output", default="benchmarks/results/thresholds.json")
    args = parser.parse_args()
    calibration = [calibrate(people, seed) for people, seed in (QUICK if args.quick else SETS)]
    summary = pd.DataFrame([c["summary"] for c in calibration])
    with pd.option_context("display.width", 200, "display.precision", 3):
        print(summary.to_string(index=False))
    timing = rethreshold(20_000 if args.quick else LARGE, seed=7)
    print(
        f"\nre-thresholding {timing['leads']:,} leads: full run {timing['full_s']:.1f} s, "
        f"at_threshold {timing['at_threshold_s']:.2f} s a threshold "
        f"({timing['share']:.1%} of the run)"
    )
    write_results(
        Path(args.output),
        "thresholds",
        thresholds=list(THRESHOLDS),
        calibration=calibration,
        rethreshold=timing,
    )


def calibrate(people: int, seed: int) -> dict[str, Any]:
    leads = generate_leads(people, seed=seed)
    truth = dict(zip(leads["lead_id"], leads["person_id"]))
    result = ll.dedupe(leads.drop(columns=["person_id", "is_ghost"]), id_column="lead_id")
    table = threshold_table(result, THRESHOLDS, truth=truth)
    gap_p = (table["expected_precision"] - table["precision"]).abs()
    gap_r = (table["expected_recall"] - table["recall"]).abs()
    gap_f = (table["expected_f1"] - table["f1"]).abs()
    return {
        "summary": {
            "set": f"{len(leads):,} leads (seed {seed})",
            "max_gap_precision": float(gap_p.max()),
            "max_gap_recall": float(gap_r.max()),
            "max_gap_f1": float(gap_f.max()),
            "mean_gap_precision": float(gap_p.mean()),
            "mean_gap_recall": float(gap_r.mean()),
        },
        "table": table.to_dict("records"),
    }


def rethreshold(people: int, seed: int) -> dict[str, Any]:
    leads = generate_leads(people, seed=seed).drop(columns=["person_id", "is_ghost"])
    started = time.perf_counter()
    result = ll.dedupe(leads, id_column="lead_id")
    full = time.perf_counter() - started
    seconds = []
    for threshold in (0.7, 0.9, 0.97):
        started = time.perf_counter()
        result.at_threshold(threshold)
        seconds.append(time.perf_counter() - started)
    mean = sum(seconds) / len(seconds)
    return {
        "leads": len(leads),
        "full_s": full,
        "at_threshold_s": mean,
        "at_threshold_each_s": seconds,
        "share": mean / full,
    }


if __name__ == "__main__":
    main()
