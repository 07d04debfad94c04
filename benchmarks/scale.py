"""Time, memory and accuracy of leadlink on large generated lead tables, beside other tools.

For each size (default 100k, 300k and 1M leads) and seed, ``leadlink.dedupe`` runs on the
same generated leads and the script prints the seconds of each stage (validate, prepare,
train, predict, cluster, golden), the peak resident memory, the pairs compared, pairwise
and B-cubed F1 against the generator's person ids, the size of the review queue, and the
cost per lead against the smallest size (the goal: 1M leads within 1.2 times linear).
``--cli`` also runs the whole ``leadlink dedupe`` command on the leads as a CSV file, with
reading and writing the outputs: its stages are timed from its progress messages.

On one size (``--peers-at``, default 100k) the same leads also go through:

* splink        — the plain Splink 5 configuration a user writes from its documentation:
                  lower-cased fields and digits-only phones, blocking on name, phone and
                  email, NameComparison (with term frequencies), ExactMatch on phone and
                  city, EmailComparison, LevenshteinAtThresholds on company, EM on the
                  phone and the name rule, connected components at match probability 0.9;
* recordlinkage — the ``recordlinkage`` package: blocking on phone, email and a name key,
                  Jaro-Winkler on name and company, exact phone, email and city, the ECM
                  classifier, connected components. Its candidate pairs are capped
                  (``--recordlinkage-max-pairs``): the largest blocks are left out, and the
                  table says so;
* spark         — ``leadlink.dedupe`` on a local Spark session (``leadlink.spark``), when
                  that module is there (else skipped with a note): its time and its
                  agreement with the DuckDB run (pairwise F1 of Spark's clusters against
                  DuckDB's, and the share of DuckDB's clusters Spark reproduces exactly).

Every run is a child process of its own, so its peak memory is its own (the largest
resident set of the child and its children, such as Spark's JVM), with a time limit
(``--timeout``) and a memory limit (``--max-memory-gb``); a run that fails or is stopped is
recorded with its reason and the others go on. Generating the leads is not timed.

``--drop title`` runs the same leads without their job-title column (a CRM that records no
titles); write that run to another ``--output``.

Usage:  python benchmarks/scale.py [--leads 100000 300000 1000000] [--seeds 0 ...]
        [--cli] [--peers-at 100000] [--peers splink recordlinkage spark]
        [--drop COLUMN ...] [--timeout SECONDS] [--max-memory-gb GB] [--output PATH]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from _results import write_results

RESULTS = Path(__file__).resolve().parent / "results"
REPOSITORY = Path(__file__).resolve().parent.parent

#: The stages ``dedupe`` times, in order.
STAGES = ("validate", "prepare", "train", "predict", "cluster", "golden")

#: The English progress messages of ``leadlink dedupe`` that start each stage of the
#: command ("start" is the time before the first: the interpreter and the imports).
CLI_MESSAGES = {
    "reading ": "read",
    "validating ": "validate",
    "preparing match keys": "prepare",
    "training the match model": "train",
    "scoring candidate pairs": "predict",
    "clustering": "cluster",
    "building golden records": "golden",
    "writing outputs": "write",
}
CLI_STAGES = ("start", *CLI_MESSAGES.values())

PEERS = ("splink", "recordlinkage", "spark")
GOAL_COST_RATIO = 1.2
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


# ---------------------------------------------------------------------------------------
# Running a child: time, peak memory of its process tree, limits
# ---------------------------------------------------------------------------------------


@dataclass
class Finished:
    """What a child process did: its exit, time, peak memory and output."""

    returncode: int | None
    seconds: float
    peak_rss_mb: int
    stdout: str
    stderr: str
    stopped: str | None = None  # why it was stopped: time or memory limit
    #: (seconds since the start, line) of every line it wrote to stderr
    lines: list[tuple[float, str]] = field(default_factory=list)

    def failure(self) -> str | None:
        """Why the run gave no result, or None when it did."""
        if self.stopped:
            return self.stopped
        if self.returncode != 0:
            tail = self.stderr.strip().splitlines()[-3:]
            return scrub(f"exit code {self.returncode}: " + " | ".join(tail)[-500:])
        return None


def scrub(text: str) -> str:
    """``text`` without the paths of this machine (a traceback's files), for the results."""
    for path, name in ((str(REPOSITORY), "<repository>"), (tempfile.gettempdir(), "<temp>")):
        text = text.replace(path, name)
    return text


def tree_rss_mb(root: int) -> float:
    """Resident memory of ``root`` and all its descendants, in MB (Linux; 0 elsewhere).

    ``ru_maxrss`` of a child leaves out grandchildren that it does not wait for, such as
    the JVM of a Spark session, so the tree is sampled as well."""
    proc = Path("/proc")
    if not proc.is_dir():
        return 0.0
    children: dict[int, list[int]] = {}
    for entry in os.scandir(proc):
        if not entry.name.isdigit():
            continue
        try:
            stat = (proc / entry.name / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    pages, todo = 0, [root]
    while todo:
        pid = todo.pop()
        with contextlib.suppress(OSError, IndexError, ValueError):
            pages += int((proc / str(pid) / "statm").read_text().split()[1])
        todo.extend(children.get(pid, []))
    return pages * PAGE_BYTES / 2**20


def run_child(
    command: list[str], *, timeout: float, max_memory_mb: float, env: dict[str, str] | None = None
) -> Finished:
    """Run ``command`` in a session of its own, sampling the memory of its process tree;
    stop the whole session when it runs over ``timeout`` seconds or ``max_memory_mb``."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )
    lines: list[tuple[float, str]] = []
    out: list[str] = []

    def read_stderr() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.append((time.perf_counter() - started, line.rstrip("\n")))

    def read_stdout() -> None:
        assert process.stdout is not None
        out.extend(process.stdout)

    readers = [threading.Thread(target=f, daemon=True) for f in (read_stderr, read_stdout)]
    for reader in readers:
        reader.start()
    sampled, stopped = 0.0, None
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        rss = tree_rss_mb(process.pid)
        sampled = max(sampled, rss)
        elapsed = time.perf_counter() - started
        if stopped is None and elapsed > timeout:
            stopped = f"stopped after the time limit of {timeout:g} s"
        elif stopped is None and rss > max_memory_mb:
            stopped = f"stopped at {rss / 1024:.1f} GB, over the memory limit"
        if stopped is not None:
            _kill_session(process.pid)
        time.sleep(0.25)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    _kill_session(process.pid)  # what it started and left behind (a JVM)
    for reader in readers:
        reader.join(timeout=10)
    return Finished(
        returncode=process.returncode,
        seconds=seconds,
        peak_rss_mb=round(max(usage.ru_maxrss / 1024, sampled)),  # ru_maxrss is in KB
        stdout="".join(out),
        stderr="\n".join(line for _, line in lines),
        stopped=stopped,
        lines=lines,
    )


def _kill_session(pid: int) -> None:
    """Stop the session the child ``pid`` leads (it was started with a session of its own)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def child_result(command: list[str], args: argparse.Namespace) -> dict[str, Any]:
    """Run a child of this script and return its JSON line with its peak memory, or the
    reason it failed."""
    done = run_child(
        command, timeout=args.timeout, max_memory_mb=args.max_memory_gb * 1024, env=_env()
    )
    row: dict[str, Any] = {}
    reason = done.failure()
    if reason is None:
        try:
            row = json.loads(done.stdout.strip().splitlines()[-1])
        except (IndexError, json.JSONDecodeError):
            reason = scrub("no result line: " + done.stderr[-300:])
    if reason is not None:
        row = {"status": "failed", "reason": reason, "seconds": round(done.seconds, 1)}
    row.setdefault("status", "ok")
    row["peak_rss_mb"] = done.peak_rss_mb
    row["process_seconds"] = round(done.seconds, 1)
    return row


def _env() -> dict[str, str]:
    # English progress messages, which the command's stages are timed by.
    return {**os.environ, "LEADLINK_LANG": "en", "PYTHONWARNINGS": "ignore"}


def _this_script(kind: str, data: Path, seed: int, *extra: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--child", kind,
            "--data", str(data), "--seeds", str(seed), *extra]  # fmt: skip


# ---------------------------------------------------------------------------------------
# The children (``--child KIND``): each prints one JSON line
# ---------------------------------------------------------------------------------------


def child_generate(n_leads: int, seed: int, data: Path, cli: bool, dropped: list[str]) -> dict:
    """About ``n_leads`` generated leads to ``data``/leads.parquet (with the truth), and for
    ``--cli`` the same leads as the CSV file a user would have."""
    from leadlink.datasets import generate_leads

    probe = generate_leads(2000, seed=seed)
    people = int(n_leads / (len(probe) / 2000) * 1.05) + 1
    frame = generate_leads(people, seed=seed).head(n_leads)
    frame.to_parquet(data / "leads.parquet", index=False)
    if cli:
        frame.drop(columns=["person_id", "is_ghost", *dropped]).to_csv(
            data / "leads.csv", index=False
        )
    return {"leads": len(frame), "people": int(frame["person_id"].nunique())}


def _leads(data: Path, dropped: list[str]) -> tuple[pd.DataFrame, pd.Series]:
    frame = pd.read_parquet(data / "leads.parquet")
    truth = frame.pop("person_id")
    return frame.drop(columns=["is_ghost", *dropped]), truth


def _scores(predicted: Any, truth: pd.Series) -> dict[str, float]:
    import leadlink as ll

    scores = ll.evaluate_clusters(pd.Series(np.asarray(predicted)), truth.reset_index(drop=True))
    return {k: round(scores[k], 4) for k in ("pairwise_f1", "bcubed_f1")}


def review_size(result: Any) -> dict[str, Any]:
    """Clusters flagged for review by ``result.review()`` (every flagged cluster), and the
    items of ``result.review_queue()`` when the result has it (a ranked queue of a chosen
    size, with the number of all items and the expected wrong leads in and out of it)."""
    sizes: dict[str, Any] = {}
    started = time.perf_counter()
    sizes["review_clusters"] = int(result.review()["cluster_id"].nunique())
    sizes["review_seconds"] = round(time.perf_counter() - started, 2)
    queue = getattr(result, "review_queue", None)
    if callable(queue):
        try:
            started = time.perf_counter()
            ranked = queue()
            sizes["review_queue_seconds"] = round(time.perf_counter() - started, 2)
            # a ReviewQueue, or a table of its items
            items = ranked if isinstance(ranked, pd.DataFrame) else ranked.items
            sizes["review_queue"] = len(items)
            summary = getattr(ranked, "summary", None)
            if callable(summary):  # the items left out of the queue, summed up
                counts = summary()
                sizes["review_items"] = counts.get("items")
                sizes["expected_wrong_leads_queued"] = counts.get("expected_wrong_leads_queued")
                sizes["expected_wrong_leads_left"] = counts.get("expected_wrong_leads_left")
        except Exception as error:  # a method still being built must not end the run
            sizes["review_queue"] = f"failed: {type(error).__name__}"
    return sizes


def child_leadlink(data: Path, seed: int, dropped: list[str], keep_clusters: bool) -> dict:
    """``leadlink.dedupe`` on DuckDB, the library's default."""
    import leadlink as ll

    frame, truth = _leads(data, dropped)
    started = time.perf_counter()
    result = ll.dedupe(frame, id_column="lead_id", seed=seed)
    seconds = time.perf_counter() - started
    if keep_clusters:  # the reference the Spark run is compared with
        result.clusters.to_parquet(data / "clusters_duckdb.parquet", index=False)
    report = result.model.blocking_report
    return {
        "leads": len(frame),
        "seconds": round(seconds, 1),
        "stages": {stage: result.timings.get(stage) for stage in STAGES},
        "blocked_pairs": report.total_comparisons,
        "capped_keys": sum(report.capped_keys.values()),
        "largest_block": max(report.largest_block.values()),
        "scored_pairs": len(result.pairs),
        "largest_cluster": result.summary()["largest_cluster"],
        **_scores(result.clusters["cluster_id"], truth),
        **review_size(result),
    }


def plain_fields(frame: pd.DataFrame) -> pd.DataFrame:
    """The fields as a user cleans them without leadlink: trimmed and lower-cased, phones
    reduced to their digits, empty text as missing."""
    plain = pd.DataFrame({"unique_id": frame["lead_id"].astype(str)})
    for role in ("name", "phone", "email", "company", "city"):
        values = frame[role].astype("string").str.strip().str.lower()
        if role == "phone":
            values = values.str.replace(r"\D", "", regex=True)
        plain[role] = values.replace("", pd.NA)
    return plain


def child_splink(data: Path, seed: int, dropped: list[str]) -> dict:
    """The plain Splink 5 configuration (see the module's docstring)."""
    import logging

    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    logging.getLogger("splink").setLevel(logging.ERROR)
    frame, truth = _leads(data, dropped)
    started = time.perf_counter()
    plain = plain_fields(frame)
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("name").configure(term_frequency_adjustments=True),
            cl.ExactMatch("phone"),
            cl.EmailComparison("email"),
            cl.LevenshteinAtThresholds("company", [1, 3]),
            cl.ExactMatch("city"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("name"),
            block_on("phone"),
            block_on("email"),
        ],
    )
    linker = Linker(DuckDBAPI().register(plain), settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("phone"), block_on("email")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=seed)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("phone"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("name"))
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=0.9
    ).as_pandas_dataframe()
    seconds = time.perf_counter() - started
    kept = predictions.query_sql("select count(*) as n from {this}").as_record_list()[0]["n"]
    by_id = dict(zip(clusters["unique_id"].astype(str), clusters["cluster_id"].astype(str)))
    predicted = plain["unique_id"].map(lambda i: by_id.get(i, f"single-{i}"))
    return {
        "leads": len(frame),
        "seconds": round(seconds, 1),
        "pairs": int(kept),
        "pairs_note": "pairs predicted at match probability >= 0.5",
        "largest_cluster": int(predicted.value_counts().max()),
        **_scores(predicted, truth),
    }


def capped_blocks(keys: pd.DataFrame, max_pairs: int) -> tuple[pd.DataFrame, dict[str, Any]]:
    """``keys`` with the values of the largest blocks set missing until the blocks make at
    most ``max_pairs`` pairs (counted per key, before pairs found by two keys are merged)."""
    blocks = pd.concat(
        [keys[column].value_counts().rename_axis("value").reset_index().assign(key=column)
         for column in keys.columns],
        ignore_index=True,
    )  # fmt: skip
    blocks["pairs"] = blocks["count"] * (blocks["count"] - 1) // 2
    blocks = blocks.sort_values("pairs", ascending=False, ignore_index=True)
    total = int(blocks["pairs"].sum())
    # Leave out the largest blocks until what is left is under the cap.
    left_out = blocks[(total - blocks["pairs"].cumsum().shift(fill_value=0)) > max_pairs]
    kept = keys.copy()
    for column, values in left_out.groupby("key")["value"]:
        kept.loc[kept[column].isin(set(values)), column] = pd.NA
    return kept, {
        "block_pairs": total,
        "capped_blocks": len(left_out),
        "pairs_left_out": int(left_out["pairs"].sum()),
        "largest_block": int(blocks["count"].max()) if len(blocks) else 0,
    }


def child_recordlinkage(data: Path, seed: int, dropped: list[str], max_pairs: int) -> dict:
    """The ``recordlinkage`` package (see the module's docstring)."""
    import recordlinkage
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    frame, truth = _leads(data, dropped)
    started = time.perf_counter()
    plain = plain_fields(frame).set_index("unique_id")
    plain["name_key"] = plain["name"].str.replace(r"\s+", "", regex=True)
    keys, capping = capped_blocks(plain[["phone", "email", "name_key"]], max_pairs)
    indexer = recordlinkage.Index()
    for column in keys.columns:
        indexer.block(column)
    candidates = indexer.index(keys)
    compare = recordlinkage.Compare()
    compare.string("name", "name", method="jarowinkler", threshold=0.85, label="name")
    compare.exact("phone", "phone", label="phone")
    compare.exact("email", "email", label="email")
    compare.string("company", "company", method="jarowinkler", threshold=0.85, label="company")
    compare.exact("city", "city", label="city")
    features = compare.compute(candidates, plain)
    matches = recordlinkage.ECMClassifier(binarize=None).fit_predict(features)
    position = pd.Series(np.arange(len(plain)), index=plain.index)
    left = position.loc[matches.get_level_values(0)].to_numpy()
    right = position.loc[matches.get_level_values(1)].to_numpy()
    graph = coo_matrix((np.ones(len(left)), (left, right)), shape=(len(plain), len(plain)))
    _, labels = connected_components(graph, directed=False)
    seconds = time.perf_counter() - started
    note = (
        f"{capping['capped_blocks']} largest blocks left out "
        f"({capping['pairs_left_out']} of {capping['block_pairs']} pairs) to stay under "
        f"{max_pairs} pairs"
        if capping["capped_blocks"]
        else ""
    )
    return {
        "leads": len(frame),
        "seconds": round(seconds, 1),
        "pairs": len(candidates),
        "matched_pairs": len(matches),
        **capping,
        "largest_cluster": int(np.bincount(labels).max()),
        **_scores(labels, truth),
        "note": note,
    }


def agreement(ours: pd.DataFrame, reference: pd.DataFrame) -> dict[str, float]:
    """How far clusters (``lead_id``, ``cluster_id``) agree with the reference clusters of
    the same leads: pairwise F1 against them, and the share of reference clusters found
    exactly (the same members, no more)."""
    import leadlink as ll

    both = reference.astype(str).merge(ours.astype(str), on="lead_id", suffixes=("_ref", ""))
    scores = ll.evaluate_clusters(both["cluster_id"], both["cluster_id_ref"])
    size = both.groupby("cluster_id")["lead_id"].transform("size")
    both["same"] = both.groupby("cluster_id_ref")["cluster_id"].transform("nunique").eq(1) & (
        size == both.groupby("cluster_id_ref")["lead_id"].transform("size")
    )
    exact = both.groupby("cluster_id_ref")["same"].first()
    return {
        "agreement_pairwise_f1": round(scores["pairwise_f1"], 4),
        "agreement_clusters_identical": round(float(exact.mean()), 4),
        "leads_compared": len(both),
    }


def child_spark(data: Path, seed: int, dropped: list[str]) -> dict:
    """``leadlink.dedupe`` on a local Spark session, against the DuckDB run's clusters."""
    try:
        import leadlink.spark as leadlink_spark
    except ImportError as error:
        missing = f"module {error.name} missing" if error.name else type(error).__name__
        return {"status": "skipped", "note": f"leadlink.spark not importable ({missing})"}
    import leadlink as ll

    frame, truth = _leads(data, dropped)
    started = time.perf_counter()
    session = leadlink_spark.local_session()
    session_seconds = time.perf_counter() - started
    leads = session.createDataFrame(frame)
    started = time.perf_counter()
    result = ll.dedupe(leads, id_column="lead_id", seed=seed, backend=session)
    clusters = result.clusters
    if hasattr(clusters, "toPandas"):  # a Spark DataFrame: collected for the comparison
        clusters = clusters.toPandas()
    seconds = time.perf_counter() - started
    clusters = clusters.rename(columns={clusters.columns[0]: "lead_id"})[["lead_id", "cluster_id"]]
    pairs = result.pairs
    row = {
        "leads": len(frame),
        "seconds": round(seconds, 1),
        "session_seconds": round(session_seconds, 1),
        "stages": dict(getattr(result, "timings", {}) or {}),
        "pairs": int(pairs.count() if hasattr(pairs, "toPandas") else len(pairs)),
        "largest_cluster": int(clusters["cluster_id"].value_counts().max()),
    }
    # The truth in the order of the clusters Spark gives back.
    truth_by_id = dict(zip(frame["lead_id"].astype(str), truth))
    row.update(_scores(clusters["cluster_id"], clusters["lead_id"].astype(str).map(truth_by_id)))
    reference = data / "clusters_duckdb.parquet"
    if reference.is_file():
        duckdb_clusters = pd.read_parquet(reference)
        duckdb_clusters = duckdb_clusters.rename(columns={duckdb_clusters.columns[0]: "lead_id"})[
            ["lead_id", "cluster_id"]
        ]
        row.update(agreement(clusters, duckdb_clusters))
    else:
        row["note"] = "no DuckDB run of these leads to compare with"
    session.stop()
    return row


def run_as_child(args: argparse.Namespace) -> None:
    """Run one ``--child`` and print its JSON line."""
    import logging
    import warnings

    warnings.simplefilter("ignore")
    logging.disable(logging.WARNING)
    data, seed = Path(args.data), args.seeds[0]
    if args.child == "generate":
        row = child_generate(args.leads[0], seed, data, args.cli, args.drop)
    elif args.child == "leadlink":
        row = child_leadlink(data, seed, args.drop, args.keep_clusters)
    elif args.child == "splink":
        row = child_splink(data, seed, args.drop)
    elif args.child == "recordlinkage":
        row = child_recordlinkage(data, seed, args.drop, args.recordlinkage_max_pairs)
    else:
        row = child_spark(data, seed, args.drop)
    print(json.dumps(row, default=str))


# ---------------------------------------------------------------------------------------
# The command: leadlink dedupe on a CSV file, its stages from its progress messages
# ---------------------------------------------------------------------------------------


def cli_stages(lines: list[tuple[float, str]], total: float) -> dict[str, float]:
    """Seconds of each stage of ``leadlink dedupe`` from the times its progress messages
    (``leadlink: ... reading leads.csv``) reached stderr; ``start`` is the time before the
    first, ``write`` runs to the end of the process."""
    marks = [(0.0, "start")]
    for at, line in lines:
        # The message after the command's prefix (a progress bar may precede it).
        at_prefix = line.rfind("leadlink: ... ")
        message = line[at_prefix + len("leadlink: ... ") :] if at_prefix >= 0 else ""
        stage = next((s for prefix, s in CLI_MESSAGES.items() if message.startswith(prefix)), None)
        if stage is not None and stage not in {s for _, s in marks}:
            marks.append((at, stage))
    ends = [at for at, _ in marks[1:]] + [total]
    return {stage: round(end - at, 2) for (at, stage), end in zip(marks, ends)}


def cli_review(out: Path) -> dict[str, int]:
    """The review figures of a ``dedupe`` output folder: with ``review_all.csv`` (every
    flagged cluster), ``review.csv`` is the ranked queue; without it, the flagged clusters."""
    review = pd.read_csv(out / "review.csv", dtype=str, usecols=["cluster_id"])
    if not (out / "review_all.csv").is_file():
        return {"review_clusters": int(review["cluster_id"].nunique())}
    flagged = pd.read_csv(out / "review_all.csv", dtype=str, usecols=["cluster_id"])
    return {"review_clusters": int(flagged["cluster_id"].nunique()), "review_queue": len(review)}


def run_cli(data: Path, seed: int, truth: pd.DataFrame, args: argparse.Namespace) -> dict:
    """The whole ``leadlink dedupe`` command on ``data``/leads.csv, with its outputs."""
    out = data / "out"
    command = [sys.executable, "-m", "leadlink", "dedupe", str(data / "leads.csv"),
               "--id-column", "lead_id", "--output-dir", str(out), "--seed", str(seed)]  # fmt: skip
    done = run_child(
        command, timeout=args.timeout, max_memory_mb=args.max_memory_gb * 1024, env=_env()
    )
    row: dict[str, Any] = {"status": "ok", "seconds": round(done.seconds, 1)}
    reason = done.failure()
    if reason is not None:
        row.update(status="failed", reason=reason)
    else:
        import pyarrow.parquet as pq

        row["stages"] = cli_stages(done.lines, done.seconds)
        clusters = pd.read_csv(out / "clusters.csv", dtype=str)
        row["leads"] = len(clusters)
        row["scored_pairs"] = pq.ParquetFile(out / "pairs.parquet").metadata.num_rows
        person = dict(zip(truth["lead_id"].astype(str), truth["person_id"]))
        row.update(_scores(clusters["cluster_id"], clusters["lead_id"].map(person)))
        row.update(cli_review(out))
    row["peak_rss_mb"] = done.peak_rss_mb
    shutil.rmtree(out, ignore_errors=True)
    return row


# ---------------------------------------------------------------------------------------
# The parent: sizes, seeds, peers, tables
# ---------------------------------------------------------------------------------------


def add_cost_ratios(rows: list[dict[str, Any]]) -> None:
    """Each successful row's seconds per lead over the mean at the smallest size: 1.0 is
    linear, the goal at 1M leads is at most 1.2."""
    done = [r for r in rows if r.get("status") == "ok" and r.get("leads")]
    if not done:
        return
    smallest = min(r["leads"] for r in done)
    base = np.mean([r["seconds"] / r["leads"] for r in done if r["leads"] == smallest])
    for row in done:
        row["cost_ratio"] = round(row["seconds"] / row["leads"] / base, 2) if base else None


def run_peers(
    data: Path, leadlink_row: dict[str, Any], seed: int, args: argparse.Namespace
) -> list[dict[str, Any]]:
    """The other tools on the leads in ``data``, each with its time over leadlink's."""
    rows = []
    for peer in args.peers:
        extra = []
        if peer == "recordlinkage":
            extra = ["--recordlinkage-max-pairs", str(args.recordlinkage_max_pairs)]
        row = child_result(_this_script(peer, data, seed, *_dropped(args), *extra), args)
        if row["status"] == "ok" and leadlink_row.get("status") == "ok":
            row["times_leadlink"] = round(row["seconds"] / max(leadlink_row["seconds"], 0.1), 2)
        rows.append({"system": peer, "leads": leadlink_row["leads"], "seed": seed, **row})
        print(rows[-1], flush=True)
    return rows


def _dropped(args: argparse.Namespace) -> list[str]:
    return ["--drop", *args.drop] if args.drop else []


def table(rows: list[dict[str, Any]], columns: list[str], title: str) -> None:
    """Print ``rows`` under ``title``, one line each; stages flattened into columns."""
    if not rows:
        return
    print(f"\n{title}")
    flat = []
    for row in rows:
        line = {**row, **(row.get("stages") or {})}
        if line.get("status") != "ok":
            line["note"] = f"{line.get('status')}: {line.get('reason') or line.get('note', '')}"
        flat.append(line)
    shown = [c for c in columns if any(c in line for line in flat)]
    frame = pd.DataFrame(flat).reindex(columns=shown).convert_dtypes()
    if "note" in frame:
        frame["note"] = frame["note"].str.slice(0, 90)
    print(frame.astype(object).where(frame.notna(), "").to_string(index=False))


def main() -> None:
    args = arguments()
    if args.child:
        run_as_child(args)
        return
    leadlink_rows: list[dict[str, Any]] = []
    cli_rows: list[dict[str, Any]] = []
    peer_rows: list[dict[str, Any]] = []
    sizes = sorted(set(args.leads) | ({args.peers_at} if args.peers else set()))
    workdir = Path(args.workdir) if args.workdir else None
    for n in sizes:
        for seed in args.seeds:
            data = Path(tempfile.mkdtemp(prefix=f"scale_{n}_{seed}_", dir=workdir))
            try:
                generated = child_result(
                    _this_script("generate", data, seed, "--leads", str(n), *_dropped(args),
                                 *(["--cli"] if args.cli else [])),
                    args,
                )  # fmt: skip
                if generated["status"] != "ok":
                    generated["reason"] = f"generating the leads: {generated.get('reason')}"
                    leadlink_rows.append({"leads": n, "seed": seed, **generated})
                    continue
                peers_here = bool(args.peers) and n == args.peers_at
                keep = ["--keep-clusters"] if peers_here and "spark" in args.peers else []
                row = child_result(
                    _this_script("leadlink", data, seed, *_dropped(args), *keep), args
                )
                leadlink_rows.append({"leads": generated["leads"], "seed": seed, **row})
                print(leadlink_rows[-1], flush=True)
                if args.cli:
                    truth = pd.read_parquet(
                        data / "leads.parquet", columns=["lead_id", "person_id"]
                    )
                    cli_rows.append({"seed": seed, **run_cli(data, seed, truth, args)})
                    print(cli_rows[-1], flush=True)
                if peers_here:
                    peer_rows.extend(run_peers(data, leadlink_rows[-1], seed, args))
            finally:
                shutil.rmtree(data, ignore_errors=True)
    add_cost_ratios(leadlink_rows)
    add_cost_ratios(cli_rows)
    show(leadlink_rows, cli_rows, peer_rows)
    arguments_kept = {
        k: v
        for k, v in vars(args).items()
        if k not in ("child", "data", "workdir", "keep_clusters")
    }
    arguments_kept["output"] = relative_to_repository(args.output)
    write_results(
        args.output,
        "scale",
        arguments=arguments_kept,
        results=leadlink_rows,
        cli=cli_rows,
        peers=peer_rows,
    )


def show(
    leadlink_rows: list[dict[str, Any]],
    cli_rows: list[dict[str, Any]],
    peer_rows: list[dict[str, Any]],
) -> None:
    common = ["peak_rss_mb", "scored_pairs", "pairwise_f1", "bcubed_f1", "review_clusters",
              "review_queue", "review_items", "cost_ratio", "note"]  # fmt: skip
    table(
        leadlink_rows,
        ["leads", "seed", "seconds", *STAGES, *common],
        "leadlink.dedupe (seconds per stage; cost_ratio: seconds per lead over the smallest size)",
    )
    table(
        cli_rows,
        ["leads", "seed", "seconds", *CLI_STAGES, *common],
        "leadlink dedupe on a CSV file (the whole command, reading and writing included)",
    )
    compared = ["system", "leads", "seed", "seconds", "times_leadlink", "peak_rss_mb", "pairs",
                "pairwise_f1", "bcubed_f1", "largest_cluster", "agreement_pairwise_f1",
                "agreement_clusters_identical", "note"]  # fmt: skip
    table(
        peer_rows,
        compared,
        "beside leadlink (times_leadlink: seconds over leadlink.dedupe's on the same leads; "
        "agreement: Spark's clusters against DuckDB's)",
    )
    for rows, what in ((leadlink_rows, "leadlink.dedupe"), (cli_rows, "leadlink dedupe")):
        largest = max(
            (r for r in rows if "cost_ratio" in r), key=lambda r: r["leads"], default=None
        )
        smallest = min((r["leads"] for r in rows if "cost_ratio" in r), default=None)
        if largest is not None and largest["leads"] != smallest:
            verdict = "within" if largest["cost_ratio"] <= GOAL_COST_RATIO else "over"
            print(
                f"{what}: a lead costs {largest['cost_ratio']}x at {largest['leads']:,} leads "
                f"what it costs at {smallest:,} ({verdict} the goal of {GOAL_COST_RATIO}x)"
            )


def relative_to_repository(path: str) -> str:
    """``path`` relative to the repository when it lies inside it, for the results file."""
    resolved = Path(path).resolve()
    try:
        return str(resolved.relative_to(REPOSITORY))
    except ValueError:
        return resolved.name


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leads", type=int, nargs="+", default=[100_000, 300_000, 1_000_000])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument(
        "--drop", nargs="+", default=[], metavar="COLUMN", help="input columns to leave out"
    )
    parser.add_argument(
        "--cli", action="store_true", help="also time the leadlink dedupe command on a CSV file"
    )
    parser.add_argument(
        "--peers-at", type=int, default=100_000, metavar="N",
        help="the size the other tools run at (default 100000)",
    )  # fmt: skip
    parser.add_argument(
        "--peers", nargs="*", choices=PEERS, default=list(PEERS),
        help="the other tools to run (default all; --peers alone: none)",
    )  # fmt: skip
    parser.add_argument(
        "--recordlinkage-max-pairs", type=int, default=10_000_000, metavar="N",
        help="candidate pairs recordlinkage may compare; larger blocks are left out",
    )  # fmt: skip
    parser.add_argument(
        "--timeout", type=float, default=3600, metavar="SECONDS", help="limit of each run"
    )
    parser.add_argument(
        "--max-memory-gb", type=float, default=16, metavar="GB",
        help="a run is stopped when its processes hold more (default 16)",
    )  # fmt: skip
    parser.add_argument(
        "--workdir", default=None, help="folder for the generated leads (default: temp)"
    )
    parser.add_argument("--output", default=str(RESULTS / "scale.json"))
    # How the script runs its own children (not for use by hand).
    parser.add_argument("--child", choices=("generate", "leadlink", *PEERS), help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--keep-clusters", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


if __name__ == "__main__":
    main()
