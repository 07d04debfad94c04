"""Lead-to-account linking against the generator's truth.

Runs :func:`leadlink.link` on leads from :func:`leadlink.datasets.generate_account_leads`
against the account list they were written from (:func:`leadlink.datasets.generate_accounts`,
one record per company), for two seeds and two sizes, with the library defaults. Prints,
per run, the precision, recall and F1 of the assignments (a lead's linked account is right
when it is its company's account; a lead from a company not in the list is right unlinked),
the leads per status, how often the best candidate of a lead with an account is right
whatever its status, and the seconds; writes ``benchmarks/results/link.json``.

    python benchmarks/link.py
    python benchmarks/link.py --seeds 1 2 3 --sizes 300:400 2000:3000
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import pandas as pd

import leadlink as ll
from _results import write_results
from leadlink.datasets import generate_account_leads, generate_accounts

RESULTS = Path(__file__).resolve().parent / "results" / "link.json"


def run(n_accounts: int, n_leads: int, seed: int) -> dict[str, Any]:
    accounts = generate_accounts(n_accounts, seed=seed, dup_rate=0)
    leads = generate_account_leads(accounts, n_leads, seed=seed)
    started = time.perf_counter()
    result = ll.link(
        leads.drop(columns=["account_id", "company_id"]),
        accounts.drop(columns=["company_id"]),
        seed=seed,
    )
    seconds = time.perf_counter() - started
    company = accounts.set_index("account_id")["company_id"]
    matches = result.matches.set_index("lead_id")
    truth = leads.set_index("lead_id")["company_id"].reindex(matches.index)
    found = matches["account_id"].map(company)
    assigned = found.notna()
    correct = int((assigned & (found == truth)).sum())
    precision = correct / assigned.sum() if assigned.any() else 1.0
    recall = correct / truth.notna().sum()
    best = matches["candidate_id"].map(company)
    return {
        "accounts": len(accounts),
        "leads": len(leads),
        "leads_with_account": int(truth.notna().sum()),
        "seed": seed,
        "precision": round(float(precision), 4),
        "recall": round(float(recall), 4),
        "f1": round(float(2 * precision * recall / (precision + recall)), 4),
        "candidate_right": round(float((best == truth)[truth.notna()].mean()), 4),
        **{status: int(n) for status, n in matches["status"].value_counts().items()},
        "seconds": round(seconds, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--sizes", nargs="+", default=["300:400", "1500:2000"],
                        help="accounts:leads pairs")  # fmt: skip
    args = parser.parse_args()
    runs = []
    for size in args.sizes:
        n_accounts, n_leads = (int(part) for part in size.split(":"))
        for seed in args.seeds:
            runs.append(run(n_accounts, n_leads, seed))
            print(runs[-1])
    table = pd.DataFrame(runs)
    columns = ["accounts", "leads", "seed", "precision", "recall", "f1", "candidate_right",
               "matched", "uncertain", "no_match", "seconds"]  # fmt: skip
    print()
    print(table.reindex(columns=columns).to_markdown(index=False))
    write_results(RESULTS, "link", runs=runs)


if __name__ == "__main__":
    main()
