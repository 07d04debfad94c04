"""Ghost-lead detection against the generator's truth, and validate() speed.

Runs :func:`leadlink.validate` on :func:`leadlink.datasets.generate_leads` for several seeds,
sizes and ghost rates, prints ghost precision / recall / F1 per run, and writes
``benchmarks/results/ghosts.json``. The detector is not tuned per seed: every run uses the
library defaults.

    python benchmarks/ghosts.py                      # 5 seeds x 2 sizes x 3 ghost rates + 1M speed
    python benchmarks/ghosts.py --speed-leads 0      # skip the 1M-lead timing
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import leadlink as ll
from _results import write_results
from leadlink.datasets import generate_leads

RESULTS = Path(__file__).resolve().parent / "results" / "ghosts.json"
TRUTH_COLUMNS = ["person_id", "is_ghost"]


def _truth(frame: pd.DataFrame) -> np.ndarray:
    return frame["is_ghost"].astype(str).str.lower().isin(["true", "1"]).to_numpy()


def _scores(truth: np.ndarray, flagged: np.ndarray) -> dict[str, float | int]:
    tp = int((truth & flagged).sum())
    fp = int((~truth & flagged).sum())
    fn = int((truth & ~flagged).sum())
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": precision, "recall": recall, "f1": f1}


def _patterns(problems: pd.Series, limit: int = 5) -> list[list[Any]]:
    """The most common problem sets among some leads (codes only, never values)."""
    counts = Counter(" ".join(sorted(p)) or "(none)" for p in problems)
    return [[pattern, n] for pattern, n in counts.most_common(limit)]


def run_one(n_people: int, seed: int, ghost_rate: float) -> dict[str, Any]:
    frame = generate_leads(n_people, seed=seed, ghost_rate=ghost_rate)
    truth = _truth(frame)
    leads = frame.drop(columns=[c for c in TRUTH_COLUMNS if c in frame.columns])
    start = time.perf_counter()
    result = ll.validate(leads)
    seconds = time.perf_counter() - start
    flagged = result["is_ghost"].to_numpy(dtype=bool)
    return {
        "n_people": n_people,
        "seed": seed,
        "ghost_rate": ghost_rate,
        "n_leads": len(leads),
        "n_ghosts": int(truth.sum()),
        "seconds": round(seconds, 3),
        **_scores(truth, flagged),
        "missed": _patterns(result.loc[truth & ~flagged, "problems"]),
        "false_alarms": _patterns(result.loc[~truth & flagged, "problems"]),
    }


def speed(n_leads: int, seed: int) -> dict[str, Any]:
    """Time validate() on about ``n_leads`` generated leads (distinct values as generated)."""
    # The generator slows down faster than linearly with n_people, so a big table is made
    # of chunks of at most 100,000 people from consecutive seeds: new people, not copies.
    parts: list[pd.DataFrame] = []
    while sum(map(len, parts)) < n_leads:
        short = n_leads - sum(map(len, parts))
        parts.append(generate_leads(min(100_000, max(100, short // 2)), seed=seed + len(parts)))
    frame = pd.concat(parts, ignore_index=True).head(n_leads)
    frame = frame.drop(columns=TRUTH_COLUMNS, errors="ignore")
    start = time.perf_counter()
    result = ll.validate(frame)
    seconds = time.perf_counter() - start
    distinct = {c: int(frame[c].nunique()) for c in ("name", "phone", "email", "company")}
    return {
        "n_leads": len(frame),
        "seconds": round(seconds, 2),
        "leads_per_second": round(len(frame) / seconds),
        "distinct_values": distinct,
        "ghosts_flagged": int(result["is_ghost"].sum()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2_000, 20_000], help="people")
    parser.add_argument(
        "--ghost-rates",
        type=float,
        nargs="+",
        default=[0.02, 0.05, 0.15],
        help="passed to generate_leads(ghost_rate=...)",
    )
    parser.add_argument("--speed-leads", type=int, default=1_000_000, help="0 to skip")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    runs = []
    header = (
        f"{'people':>7} {'rate':>5} {'seed':>4} {'leads':>7} {'ghosts':>6} "
        f"{'prec':>6} {'recall':>6} {'F1':>6} {'fp':>4} {'fn':>4} {'sec':>6}"
    )
    print(header)
    print("-" * len(header))
    for n_people in args.sizes:
        for rate in args.ghost_rates:
            for seed in args.seeds:
                run = run_one(n_people, seed, rate)
                runs.append(run)
                print(
                    f"{n_people:>7} {rate:>5.2f} {seed:>4} {run['n_leads']:>7} "
                    f"{run['n_ghosts']:>6} {run['precision']:>6.3f} {run['recall']:>6.3f} "
                    f"{run['f1']:>6.3f} {run['fp']:>4} {run['fn']:>4} {run['seconds']:>6.2f}"
                )
    worst_precision = min(r["precision"] for r in runs)
    worst_recall = min(r["recall"] for r in runs)
    print("-" * len(header))
    print(f"worst precision {worst_precision:.3f}   worst recall {worst_recall:.3f}   (goal 0.95)")
    missed: Counter[str] = Counter()
    alarms: Counter[str] = Counter()
    for run in runs:
        missed.update(dict(run["missed"]))
        alarms.update(dict(run["false_alarms"]))
    if missed:
        print("most missed ghosts, by problem codes:")
        for pattern, n in missed.most_common(5):
            print(f"  {n:>6}  {pattern}")
    if alarms:
        print("most false alarms, by problem codes:")
        for pattern, n in alarms.most_common(5):
            print(f"  {n:>6}  {pattern}")

    timing = None
    if args.speed_leads:
        print(f"generating {args.speed_leads:,} leads for the speed run ...", flush=True)
        timing = speed(args.speed_leads, seed=args.seeds[0])
        print(
            f"speed: validate on {timing['n_leads']:,} leads took {timing['seconds']:.2f} s "
            f"({timing['leads_per_second']:,} leads/s); distinct values {timing['distinct_values']}"
        )

    write_results(
        args.output,
        "ghosts",
        goal={"precision": 0.95, "recall": 0.95},
        worst={"precision": worst_precision, "recall": worst_recall},
        runs=runs,
        speed=timing,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
