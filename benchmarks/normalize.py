"""Speed of `leadlink.prepare` (and `leadlink.validate`) on large generated lead tables.

Goal: 1,000,000 leads prepared in at most 20 s on a 2-core machine. Each size is timed in
the same process, after generation; the table shows leads per second and the distinct
values per field, since prepare normalises each distinct value once.

Usage:  python benchmarks/normalize.py [--leads 100000 1000000] [--seed 0] [--output PATH]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

import leadlink as ll
from _results import write_results
from leadlink.datasets import generate_leads
from leadlink.schema import resolve_columns

RESULTS = Path(__file__).resolve().parent / "results"
GOAL_SECONDS_PER_MILLION = 20.0


def leads_of_size(n_leads: int, seed: int) -> pd.DataFrame:
    """About ``n_leads`` generated leads (the generator takes people, not leads)."""
    probe = generate_leads(2000, seed=seed)
    per_person = len(probe) / 2000
    frame = generate_leads(int(n_leads / per_person * 1.05) + 1, seed=seed)
    return frame.head(n_leads).drop(columns=["person_id", "is_ghost"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leads", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", default=str(RESULTS / "normalize.json"))
    args = parser.parse_args()

    rows = []
    for n in args.leads:
        leads = leads_of_size(n, args.seed)
        roles = resolve_columns(leads, id_column="lead_id")
        distinct = {role: int(leads[col].nunique()) for role, col in roles.items()}
        started = time.perf_counter()
        ll.prepare(leads, roles, id_column="lead_id")
        prepare_seconds = time.perf_counter() - started
        started = time.perf_counter()
        ll.validate(leads, columns=roles)
        validate_seconds = time.perf_counter() - started
        row = {
            "leads": len(leads),
            "prepare_seconds": round(prepare_seconds, 2),
            "prepare_leads_per_second": round(len(leads) / prepare_seconds),
            "validate_seconds": round(validate_seconds, 2),
            "distinct_phones": distinct.get("phone"),
            "distinct_names": distinct.get("name"),
            "distinct_companies": distinct.get("company"),
            "goal_seconds": round(GOAL_SECONDS_PER_MILLION * len(leads) / 1e6, 2),
        }
        row["meets_goal"] = row["prepare_seconds"] <= row["goal_seconds"]
        rows.append(row)
        print(row, flush=True)

    print()
    print(pd.DataFrame(rows).to_string(index=False))
    write_results(args.output, "normalize", results=rows)


if __name__ == "__main__":
    main()
