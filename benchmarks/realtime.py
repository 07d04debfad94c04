"""Real-time duplicate checks with ``leadlink.LeadIndex``: build, memory, latency, accuracy,
incremental clusters, the HTTP service, and Splink 5's ``predict_between`` beside it.

Per size (in leads) of generated leads:

1. **build** — a sample of held-out duplicates (a lead whose person keeps another lead in
   the base) and of new people (every lead of the person left out) is taken away; the base
   is deduplicated with ``ll.dedupe`` (as a nightly batch run would) and the index built
   from its result with ``LeadIndex.from_result``; with ``--train-leads N`` the model is
   trained on a sample of N base leads instead and the index built with
   ``LeadIndex(base, model=...)``, which scores the whole base once. Reported: the
   build time, the process's resident-memory growth at its peak during the build (sampled
   every 20 ms), ``save`` time and size on disk, and ``load`` time and peak memory of a
   fresh process that only loads the index.
2. **queries** — ``index.match(record)`` one record at a time, warm: latency p50/p95/p99
   over the held-out records; top-1 hit rate (the best candidate is a lead of the same
   person) on the held-out duplicates, and the share detected (that best candidate's
   ``cluster_probability`` at or above the index's threshold: the warning says the person
   exists); false-alarm rate (a new person gets that warning); both rates at other thresholds; and, told from the generated
   fields and the truth alone, what each duplicate shares with its person's other leads
   (a phone or mailbox, or only a name and a company ...) and how many new people have a
   namesake at their company in the base.
3. **incremental** (once, on ``--agreement-people`` people) — every lead added one at a
   time to an index that starts from one lead, in three random orders; pairwise F1 of the
   resulting clusters against batch ``ll.dedupe`` clusters of the same leads and model.
4. **http** (on the smallest size) — ``leadlink serve`` over the saved index in a child
   process; ``--clients`` threads post ``/match`` for ``--seconds`` seconds (throughput,
   p50/p99), then post ``--adds`` new leads concurrently and check that every one is in
   the index afterwards.
5. **splink** (on the smallest size) — Splink 5's ``linker.inference.predict_between``
   on the same held-out records against the same base, with the trained model's
   comparisons, m/u, λ, blocking rules and term-frequency tables (a Splink linker built
   from the ``LeadModel``, as its batch ``predict`` builds one); median and p99.

Usage:  python benchmarks/realtime.py [--sizes 100000 1000000] [--queries 2000] [--quick]
        [--train-leads N] [--agreement-people 3000] [--seconds 20] [--clients 4]
        [--no-http] [--no-splink] [--no-incremental] [--output PATH]
        (``--sizes`` with no value runs the incremental section alone)
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import psutil

import leadlink as ll
from _results import write_results
from leadlink.datasets import generate_leads

RESULTS = Path(__file__).resolve().parent / "results"
GOALS = {
    "p50_ms": 5.0,
    "p99_ms": 50.0,
    "build_s": 60.0,
    "load_s": 10.0,
    "memory_mb": 2048,
    "top1": 0.95,
    "false_alarms": 0.02,
    "agreement_f1": 0.99,
    "http_matches_per_s": 200,
}


# -- measuring ----------------------------------------------------------------------------


class PeakMemory:
    """The process's resident memory, sampled every 20 ms in a thread: ``growth_mb`` is the
    peak during the block over what the process held before it."""

    def __init__(self) -> None:
        self.process = psutil.Process()
        self.before = self.peak = self.process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.process.memory_info().rss)

    @property
    def growth_mb(self) -> int:
        return round((self.peak - self.before) / 2**20)

    @property
    def peak_mb(self) -> int:
        return round(self.peak / 2**20)


@contextmanager
def timed() -> Iterator[dict[str, float]]:
    out: dict[str, float] = {}
    started = time.perf_counter()
    yield out
    out["seconds"] = time.perf_counter() - started


def percentiles(ms: list[float]) -> dict[str, float]:
    values = np.asarray(ms, dtype=float)
    if values.size == 0:
        return {"p50_ms": float("nan"), "p95_ms": float("nan"), "p99_ms": float("nan")}
    return {f"p{q}_ms": round(float(np.percentile(values, q)), 2) for q in (50, 95, 99)} | {
        "mean_ms": round(float(values.mean()), 2),
        "max_ms": round(float(values.max()), 1),
    }


# -- data ---------------------------------------------------------------------------------


def leads_for(n_leads: int, seed: int) -> pd.DataFrame:
    """About ``n_leads`` generated leads (generated per person, as scale.py does)."""
    probe = generate_leads(2000, seed=seed)
    people = int(n_leads / (len(probe) / 2000) * 1.05) + 1
    return generate_leads(people, seed=seed).head(n_leads).reset_index(drop=True)


def hold_out(
    frame: pd.DataFrame, n_each: int, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The base, held-out duplicates and new people. A duplicate is the latest lead of a
    person with at least two non-ghost leads (the others stay in the base); a new person
    is a person all of whose leads leave the base, queried with one non-ghost lead."""
    rng = np.random.default_rng(seed)
    real = frame[~frame["is_ghost"]]
    counts = real.groupby("person_id").size()
    multi = counts.index[counts >= 2].to_numpy()
    single = counts.index[counts == 1].to_numpy()
    n_dup = min(n_each, len(multi))
    dup_people = rng.choice(multi, n_dup, replace=False)
    # new people are drawn from people with one lead and with several alike
    pool = np.concatenate([single, np.setdiff1d(multi, dup_people)])
    new_people = rng.choice(pool, min(n_each, len(pool)), replace=False)
    latest = (
        real[real["person_id"].isin(dup_people)]
        .sort_values("created_at", kind="stable")
        .groupby("person_id")
        .tail(1)
    )
    new = (
        real[real["person_id"].isin(new_people)]
        .sample(frac=1.0, random_state=seed)
        .groupby("person_id")
        .head(1)
    )
    gone = set(latest.index) | set(frame.index[frame["person_id"].isin(new_people)])
    base = frame.drop(index=list(gone)).reset_index(drop=True)
    return base, latest.reset_index(drop=True), new.reset_index(drop=True)


def record_of(row: pd.Series | dict) -> dict[str, Any]:
    """A held-out lead as a record typed in: its input fields, without id and truth."""
    out = {}
    for key, value in dict(row).items():
        if key in ("lead_id", "person_id", "is_ghost"):
            continue
        if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
            continue
        out[key] = value.isoformat() if isinstance(value, pd.Timestamp) else value
    return out


# -- 1. build -----------------------------------------------------------------------------


def build(base: pd.DataFrame, train_leads: int | None, seed: int) -> tuple[Any, dict]:
    inputs = base.drop(columns=["person_id", "is_ghost"])
    row: dict[str, Any] = {"base_leads": len(base)}
    if train_leads is None or len(base) <= train_leads:
        with timed() as train:
            result = ll.dedupe(inputs, id_column="lead_id", seed=seed)
        row["trained_on"] = f"the base ({len(base)} leads)"
        row["dedupe_s"] = round(train["seconds"], 1)
        with PeakMemory() as memory, timed() as took:
            index = ll.LeadIndex.from_result(result)
        row["built_with"] = "LeadIndex.from_result(dedupe result)"
    else:
        sample = inputs.sample(n=train_leads, random_state=seed)
        with timed() as train:
            result = ll.dedupe(sample, id_column="lead_id", seed=seed)
        row["trained_on"] = f"a random sample of {train_leads} base leads"
        row["dedupe_s"] = round(train["seconds"], 1)
        model, roles, region = result.model, result.roles, result.masking.region
        del result
        with PeakMemory() as memory, timed() as took:
            index = ll.LeadIndex(inputs, model=model, id_column="lead_id", columns=roles,
                                 region=region)  # fmt: skip
        row["built_with"] = "LeadIndex(base, model=...) (scores the base once)"
    row["build_s"] = round(took["seconds"], 1)
    row["build_rss_growth_mb"] = memory.growth_mb
    row["rss_after_build_mb"] = memory.peak_mb
    return index, row


LOAD_CHILD = r"""
import json, sys, time, warnings
warnings.simplefilter("ignore")
import psutil, leadlink as ll

def status():
    # VmHWM is this process's own peak (ru_maxrss carries the parent's over exec);
    # RssAnon is memory of its own, RssFile pages of memory-mapped files (reclaimable)
    out = {}
    with open("/proc/self/status") as lines:
        for line in lines:
            key, _, value = line.partition(":")
            if key in ("VmHWM", "VmRSS", "RssAnon", "RssFile"):
                out[key] = round(int(value.split()[0]) / 1024)
    return out

before = psutil.Process().memory_info().rss
started = time.perf_counter()
index = ll.LeadIndex.load(sys.argv[1])
seconds = time.perf_counter() - started
after = status()
print(json.dumps({"load_s": round(seconds, 2), "loaded_leads": len(index),
                  "load_process_peak_mb": after["VmHWM"],
                  "load_rss_growth_mb": round((psutil.Process().memory_info().rss - before) / 2**20),
                  "loaded_rss_anon_mb": after.get("RssAnon"),
                  "loaded_rss_file_mb": after.get("RssFile")}))
"""


def save_and_load(index: Any, folder: Path) -> dict:
    with timed() as took:
        index.save(folder)
    size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
    done = subprocess.run([sys.executable, "-c", LOAD_CHILD, str(folder)],
                          capture_output=True, text=True, check=False)  # fmt: skip
    if done.returncode != 0:
        print(done.stderr[-2000:], file=sys.stderr)
        loaded = {"load_error": done.stderr.strip().splitlines()[-1][:300]}
    else:
        loaded = json.loads(done.stdout.strip().splitlines()[-1])
    return {"save_s": round(took["seconds"], 1), "disk_mb": round(size / 2**20, 1), **loaded}


# -- 2. queries ---------------------------------------------------------------------------


def query(index: Any, dups: pd.DataFrame, new: pd.DataFrame, base: pd.DataFrame) -> dict:
    person_of = dict(zip(base["lead_id"].astype(str), base["person_id"]))
    evidence = Evidence(base)
    records = [(record_of(r), "dup", r["person_id"]) for _, r in dups.iterrows()]
    records += [(record_of(r), "new", r["person_id"]) for _, r in new.iterrows()]
    random.Random(0).shuffle(records)
    for record, _, _ in records[:20]:  # warm up
        index.match(record)
    latencies: list[float] = []
    hits = dup_flagged = dup_empty = alarms = new_flagged = 0
    misses: Counter[str] = Counter()
    false_alarms: Counter[str] = Counter()
    # the best candidate's probability per query, for the hit and alarm rates at other
    # thresholds (0 when there is none or it is not the person's)
    hit_p: list[float] = []
    alarm_p: list[float] = []
    by_evidence: dict[str, Counter[str]] = {}
    for record, kind, person in records:
        started = time.perf_counter()
        found = index.match(record)
        latencies.append((time.perf_counter() - started) * 1000)
        best = found.candidates[0] if found.candidates else None
        # what the warning reads: the probability that the record is the best candidate's
        # person rather than another candidate's or someone new (the pair's, before it)
        p = 0.0 if best is None else best.get("cluster_probability", best["match_probability"])
        if kind == "dup":
            dup_flagged += found.flagged
            dup_empty += best is None and not found.flagged
            hit = best is not None and person_of.get(best["id"]) == person
            hits += hit
            hit_p.append(p if hit else 0.0)
            if best is not None and not hit:
                misses[_agreement(best)] += 1
            counts = by_evidence.setdefault(evidence.shared(record, person), Counter())
            counts["duplicates"] += 1
            counts["top1"] += hit
            counts["detected"] += hit and p >= index.threshold
        else:
            new_flagged += found.flagged
            alarm = best is not None and p >= index.threshold
            alarms += alarm
            alarm_p.append(p)
            if alarm:
                false_alarms[_agreement(best)] += 1
            counts = by_evidence.setdefault("new person", Counter())
            namesake = evidence.namesakes(record) > 0
            counts["new_people"] += 1
            counts["with_namesake"] += namesake
            counts["alarms"] += alarm
            counts["alarms_with_namesake"] += alarm and namesake
    n_dups, n_new = max(len(dups), 1), max(len(new), 1)
    return {
        "queries": len(records),
        **percentiles(latencies),
        "duplicates": len(dups),
        "top1_hit_rate": round(hits / n_dups, 4),
        # the best candidate is the person's and at or above the threshold: a warning
        # that names the right lead
        "dup_detected_rate": round(sum(q >= index.threshold for q in hit_p) / n_dups, 4),
        "dup_no_candidate": dup_empty,
        "dup_flagged_as_ghost": dup_flagged,
        "new_people": len(new),
        "false_alarm_rate": round(alarms / n_new, 4),
        "new_flagged_as_ghost": new_flagged,
        "threshold": round(index.threshold, 4),
        # the same two rates had the warning another threshold
        "by_threshold": {
            str(t): {
                "dup_detected_rate": round(sum(q >= t for q in hit_p) / n_dups, 4),
                "false_alarm_rate": round(sum(q >= t for q in alarm_p) / n_new, 4),
            }
            for t in THRESHOLDS
        },
        # duplicates by what they share with their person's other leads (see Evidence),
        # and new people by whether a lead of another person has their name and company
        "by_evidence": {k: dict(v) for k, v in sorted(by_evidence.items())},
        # what the wrong best candidates agreed on (field:level with weight > 0), commonest first
        "wrong_top1_agreed_on": dict(misses.most_common(6)),
        "false_alarms_agreed_on": dict(false_alarms.most_common(6)),
    }


#: Warning thresholds the hit and false-alarm rates are also given at.
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9)


class Evidence:
    """What a held-out lead shares with the other leads of its person in the base, told
    from the generated fields and the truth alone (not from the model): ``phone/email``
    (the same mailbox, or the same number when no other person gives it: not a
    switchboard), else which of ``name`` (the same name key) and ``company`` (the same
    company key, or one within the other) it shares with one of them, or ``neither``.
    A name and company alone are what namesakes at one employer share too."""

    def __init__(self, base: pd.DataFrame) -> None:
        real = base[~base["is_ghost"]]
        self.leads_of = real.groupby("person_id").indices
        self.rows = real.reset_index(drop=True)
        self.phone = [ll.normalize.phone(v) if isinstance(v, str) else None
                      for v in self.rows["phone"]]  # fmt: skip
        self.email = [ll.normalize.email(v) if isinstance(v, str) else None
                      for v in self.rows["email"]]  # fmt: skip
        self.name = [ll.normalize.name_key(v) if isinstance(v, str) else None
                     for v in self.rows["name"]]  # fmt: skip
        self.company = [ll.normalize.company(v) if isinstance(v, str) else None
                        for v in self.rows["company"]]  # fmt: skip
        people_on = pd.DataFrame({"phone": self.phone, "person": self.rows["person_id"]})
        people = people_on.dropna().drop_duplicates().groupby("phone").size()
        self.shared_phones = set(people.index[people > 1])
        self.name_company = Counter(
            (n, c) for n, c in zip(self.name, self.company) if n is not None and c is not None
        )

    def _fields(self, record: dict) -> tuple[str | None, str | None, str | None, str | None]:
        def norm(role: str, function: Any) -> str | None:
            value = record.get(role)
            return function(value) if isinstance(value, str) else None

        return (norm("phone", ll.normalize.phone), norm("email", ll.normalize.email),
                norm("name", ll.normalize.name_key), norm("company", ll.normalize.company))  # fmt: skip

    def shared(self, record: dict, person: str) -> str:
        phone, email, name, company = self._fields(record)
        found: set[str] = set()
        leads = self.leads_of.get(person, ())
        for i in leads:
            if (email is not None and email == self.email[i]) or (
                phone is not None and phone == self.phone[i] and phone not in self.shared_phones
            ):
                return "phone/email"
            if name is not None and name == self.name[i]:
                found.add("name")
            other = self.company[i]
            if company and other and (company in other or other in company):
                found.add("company")
        if not len(leads):
            return "no other lead"
        return " + ".join(sorted(found)) or "neither"

    def namesakes(self, record: dict) -> int:
        """Leads in the base with the record's name key and company key."""
        _, _, name, company = self._fields(record)
        return self.name_company.get((name, company), 0) if name and company else 0


def _agreement(candidate: dict) -> str:
    """The fields a candidate agreed on with a positive weight, as ``role:level`` joined."""
    agreed = sorted(f"{w['role']}:{w['level']}" for w in candidate["why"] if w["weight"] > 0)
    return " + ".join(agreed) or "(nothing)"


# -- 3. incremental clusters --------------------------------------------------------------


def incremental(n_people: int, orders: int, seed: int) -> dict:
    frame = generate_leads(n_people, seed=seed + 1)
    inputs = frame.drop(columns=["person_id", "is_ghost"])
    result = ll.dedupe(inputs, id_column="lead_id", seed=seed)
    batch = result.clusters.set_index("lead_id")["cluster_id"]
    rows = []
    for order in range(orders):
        shuffled = inputs.sample(frac=1.0, random_state=seed + order).reset_index(drop=True)
        with timed() as took:
            index = ll.LeadIndex(shuffled.head(1), model=result.model, id_column="lead_id",
                                 columns=result.roles, region=result.masking.region,
                                 threshold=result.threshold, policy=result.policy)  # fmt: skip
            add_ms = []
            for _, lead in shuffled.iloc[1:].iterrows():
                record = {k: v for k, v in lead.items() if not _missing(v)}
                started = time.perf_counter()
                index.add(record)
                add_ms.append((time.perf_counter() - started) * 1000)
        got = index.clusters().set_index("lead_id")["cluster_id"].reindex(batch.index)
        scores = ll.evaluate_clusters(list(got.astype(str)), list(batch.astype(str)))
        rows.append(
            {
                "order": order,
                "leads": len(inputs),
                "pairwise_f1": round(scores["pairwise_f1"], 4),
                "pairwise_precision": round(scores["pairwise_precision"], 4),
                "pairwise_recall": round(scores["pairwise_recall"], 4),
                "same_clusters_exactly": bool(_partition(got) == _partition(batch)),
                "add_p50_ms": round(float(np.percentile(add_ms, 50)), 2),
                "add_p99_ms": round(float(np.percentile(add_ms, 99)), 2),
                "seconds": round(took["seconds"], 1),
            }
        )
        print(rows[-1], flush=True)
    return {"people": n_people, "leads": len(inputs), "orders": rows,
            "min_pairwise_f1": min(r["pairwise_f1"] for r in rows)}  # fmt: skip


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _partition(assign: pd.Series) -> set[frozenset[str]]:
    return {frozenset(map(str, g.index)) for _, g in assign.groupby(assign.astype(str))}


# -- 4. http ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http(folder: Path, records: list[dict], seconds: float, clients: int, adds: int) -> dict:
    import httpx

    port = free_port()
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    server = subprocess.Popen(
        [sys.executable, "-m", "leadlink", "serve", "--index", str(folder), "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        started = time.perf_counter()
        while True:
            if server.poll() is not None:
                raise SystemExit(f"service failed: {server.stderr.read().decode()[-2000:]}")
            try:
                health = httpx.get(f"{url}/health", timeout=2).json()
                break
            except httpx.HTTPError:
                time.sleep(0.5)
        ready_s = time.perf_counter() - started
        for record in records[:20]:
            httpx.post(f"{url}/match", json={"record": _jsonable(record)}, timeout=30)

        latencies: list[list[float]] = [[] for _ in range(clients)]
        errors = [0] * clients
        deadline = time.perf_counter() + seconds

        def client(k: int) -> None:
            with httpx.Client(base_url=url, timeout=30) as session:
                i = k
                while time.perf_counter() < deadline:
                    body = {"record": _jsonable(records[i % len(records)])}
                    t = time.perf_counter()
                    response = session.post("/match", json=body)
                    latencies[k].append((time.perf_counter() - t) * 1000)
                    errors[k] += response.status_code != 200
                    i += clients

        began = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(client, range(clients)))
        wall = time.perf_counter() - began
        flat = [x for part in latencies for x in part]
        row: dict[str, Any] = {
            "clients": clients,
            "seconds": round(wall, 1),
            "matches": len(flat),
            "errors": sum(errors),
            "matches_per_s": round(len(flat) / wall, 1),
            **percentiles(flat),
            "service_ready_s": round(ready_s, 1),
        }
        # concurrent adds, with matches going on beside them
        before = int(health["leads"])
        new_ids = [f"bench_add_{i}" for i in range(adds)]
        add_ms: list[float] = []

        def add(i: int) -> tuple[int, str | None]:
            body = {**_jsonable(records[i % len(records)]), "lead_id": new_ids[i]}
            t = time.perf_counter()
            response = httpx.post(f"{url}/leads", json=body, timeout=60)
            add_ms.append((time.perf_counter() - t) * 1000)
            if i % 2 == 0:
                httpx.post(f"{url}/match", json={"record": _jsonable(records[i])}, timeout=60)
            return response.status_code, response.json().get("id")

        with ThreadPoolExecutor(clients) as pool:
            outcomes = list(pool.map(add, range(adds)))
        after = int(httpx.get(f"{url}/health", timeout=10).json()["leads"])
        row |= {
            "adds": adds,
            "adds_accepted": sum(code == 201 for code, _ in outcomes),
            "add_ids_returned": len({i for _, i in outcomes if i in set(new_ids)}),
            "leads_before": before,
            "leads_after": after,
            "adds_lost": adds - (after - before),
            "add_p50_ms": round(float(np.percentile(add_ms, 50)), 1),
            "add_p99_ms": round(float(np.percentile(add_ms, 99)), 1),
        }
    finally:
        server.terminate()  # the service saves the index, with the leads added, on exit
        try:
            server.wait(timeout=120)
        except subprocess.TimeoutExpired:
            server.kill()
    saved = ll.LeadIndex.load(folder)
    row["adds_in_saved_index"] = sum(lead_id in saved for lead_id in new_ids)
    return row


def _jsonable(record: dict) -> dict:
    return {k: (v if isinstance(v, (str, int, float, bool)) else str(v)) for k, v in record.items()}


# -- 5. splink ----------------------------------------------------------------------------


def splink_between(index: Any, records: list[dict], limit: int) -> dict:
    """``predict_between`` of Splink 5, one record at a time, with a linker built from the
    index's LeadModel as its batch ``predict`` builds one (comparisons with the model's m/u,
    λ, the blocking presets' rules, the term-frequency tables of the base)."""
    from splink import DuckDBAPI, Linker, SettingsCreator

    from leadlink.match._blocking import add_blocking_keys, presets_for
    from leadlink.match._tables import (
        _model_columns,
        _prediction_rules,
        register_term_frequencies,
    )

    model = index.model
    presets = presets_for(model.roles, model.blocking, model._extra_kinds, model.entity)
    held = index._base_prepared.to_pandas()  # the index holds its base as an Arrow table
    prepared = held[~held["unique_id"].isin(index._ghosts)].reset_index(drop=True)
    keyed, _ = add_blocking_keys(prepared, presets, max_block_size=model.max_block_size)
    columns = _model_columns(keyed, presets)
    db = DuckDBAPI()
    with timed() as setup:
        base = db.register(keyed[columns].reset_index(drop=True))
        settings = SettingsCreator(
            link_type="dedupe_only",
            unique_id_column_name="unique_id",
            probability_two_random_records_match=model.lambda_,
            comparisons=[model._comparison(r).build(model._m[r], model._u[r]) for r in model.roles],
            blocking_rules_to_generate_predictions=_prediction_rules(presets),
        )
        linker = Linker(base, settings, log_level=None)
        levels = [level for role in model.roles for level in model._comparison(role).levels]
        register_term_frequencies(linker, db, keyed, levels)
    latencies: list[float] = []
    splink_only: list[float] = []
    pairs: list[int] = []
    for i, record in enumerate(records[: limit + 5]):
        started = time.perf_counter()
        values = index._prepare(index._values(record, f"q{i}"), f"q{i}")
        row = pd.DataFrame([values], columns=list(prepared.columns)).astype(prepared.dtypes)
        row_keyed, _ = add_blocking_keys(row, presets, max_block_size=model.max_block_size)
        between = time.perf_counter()
        new = db.register(row_keyed[columns])
        found = linker.inference.predict_between(
            new, base, threshold_match_probability=0.01
        ).as_pandas_dataframe()
        ended = time.perf_counter()
        if i >= 5:  # the first few warm up
            latencies.append((ended - started) * 1000)
            splink_only.append((ended - between) * 1000)
            pairs.append(len(found))
    return {
        "system": "splink predict_between",
        "queries": len(latencies),
        "setup_s": round(setup["seconds"], 1),
        **percentiles(latencies),
        "predict_between_p50_ms": percentiles(splink_only)["p50_ms"],
        "predict_between_p99_ms": percentiles(splink_only)["p99_ms"],
        "mean_pairs": round(float(np.mean(pairs)), 1) if pairs else 0,
    }


# -- main ---------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[100_000, 1_000_000],
                        help="leads per run")  # fmt: skip
    parser.add_argument("--queries", type=int, default=2000,
                        help="held-out records per size, half duplicates, half new people")  # fmt: skip
    parser.add_argument("--train-leads", type=int, default=None,
                        help="train on a sample of this many leads when the base is larger, "
                        "and build the index from the leads and model (default: dedupe "
                        "the whole base and build the index from its result)")  # fmt: skip
    parser.add_argument("--agreement-people", type=int, default=3000)
    parser.add_argument("--orders", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=20.0, help="HTTP load-test length")
    parser.add_argument("--clients", type=int, default=4, help="HTTP client threads")
    parser.add_argument("--adds", type=int, default=200, help="concurrent adds over HTTP")
    parser.add_argument("--splink-queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--no-splink", action="store_true")
    parser.add_argument("--no-incremental", action="store_true")
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    parser.add_argument("--output", default=None, help="default: results/realtime.json")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.queries, args.agreement_people = [5000], 200, 300
        args.seconds, args.adds, args.splink_queries, args.orders = 5.0, 40, 30, 2
    output = Path(args.output) if args.output else RESULTS / "realtime.json"
    logging.getLogger("splink").setLevel(logging.ERROR)
    warnings.simplefilter("ignore")

    sizes: list[dict] = []
    http_row: dict | None = None
    splink_row: dict | None = None
    workdir = Path(tempfile.mkdtemp(prefix="leadlink-realtime-"))
    try:
        for n in sorted(args.sizes):
            print(f"\n== {n} leads", flush=True)
            frame = leads_for(n, args.seed)
            base, dups, new = hold_out(frame, args.queries // 2, args.seed)
            index, row = build(base, args.train_leads, args.seed)
            row = {"leads": n, **row}
            print(row, flush=True)
            row |= query(index, dups, new, base)
            print(row, flush=True)
            sizes.append(row)
            _write(output, args, sizes, None, http_row, splink_row)
            folder = workdir / f"index_{n}"
            row |= save_and_load(index, folder)
            print(row, flush=True)
            records = [record_of(r) for _, r in pd.concat([dups, new]).iterrows()]
            random.Random(1).shuffle(records)
            if n == min(args.sizes):
                if not args.no_splink:
                    splink_row = splink_between(index, records, args.splink_queries)
                    splink_row["leads"] = n
                    print(splink_row, flush=True)
                if not args.no_http:
                    served = workdir / f"served_{n}"
                    shutil.copytree(folder, served)
                    http_row = http(served, records, args.seconds, args.clients, args.adds)
                    http_row["leads"] = n
                    print(http_row, flush=True)
            del index
            _write(output, args, sizes, None, http_row, splink_row)
        agreement = None
        if not args.no_incremental:
            print(f"\n== incremental clusters, {args.agreement_people} people", flush=True)
            agreement = incremental(args.agreement_people, args.orders, args.seed)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    _table("build and load", sizes, ["leads", "base_leads", "dedupe_s", "build_s",
           "build_rss_growth_mb", "save_s", "disk_mb", "load_s", "load_process_peak_mb"])  # fmt: skip
    _table("match, one record at a time", sizes, ["leads", "queries", "p50_ms", "p95_ms",
           "p99_ms", "top1_hit_rate", "dup_detected_rate", "false_alarm_rate",
           "dup_no_candidate", "threshold"])  # fmt: skip
    for row in sizes:
        _table(f"{row['leads']} leads: the warning at other thresholds",
               [{"threshold": t, **v} for t, v in row.get("by_threshold", {}).items()],
               ["threshold", "dup_detected_rate", "false_alarm_rate"])  # fmt: skip
        _table(f"{row['leads']} leads: by what a query shares with its person's leads",
               [{"shared": k, **v} for k, v in row.get("by_evidence", {}).items()],
               ["shared", "duplicates", "top1", "detected", "new_people", "with_namesake",
                "alarms", "alarms_with_namesake"])  # fmt: skip
    if splink_row is not None and sizes:
        ours = {"system": "leadlink LeadIndex.match", **sizes[0]}
        _table("beside Splink", [ours, splink_row], ["system", "leads", "queries", "p50_ms",
               "p95_ms", "p99_ms"])  # fmt: skip
    if agreement is not None:
        _table("incremental clusters vs batch", agreement["orders"], ["order", "leads",
               "pairwise_f1", "pairwise_precision", "pairwise_recall", "same_clusters_exactly",
               "add_p50_ms", "add_p99_ms"])  # fmt: skip
    if http_row is not None:
        _table("HTTP service", [http_row], ["leads", "clients", "matches_per_s", "p50_ms",
               "p99_ms", "errors", "adds", "adds_accepted", "adds_lost"])  # fmt: skip
    _write(output, args, sizes, agreement, http_row, splink_row)


def _write(output: Path, args: argparse.Namespace, sizes: list, agreement: dict | None,
           http_row: dict | None, splink_row: dict | None) -> None:  # fmt: skip
    arguments = {k: v for k, v in vars(args).items() if k != "output"}
    write_results(output, "realtime", arguments=arguments, goals=GOALS, cpus=os.cpu_count(),
                  sizes=sizes, incremental=agreement, http=http_row, splink=splink_row)  # fmt: skip


def _table(title: str, rows: list[dict], shown: list[str]) -> None:
    print(f"\n{title}")
    print("  ".join(f"{c:>20}" for c in shown))
    for row in rows:
        print("  ".join(f"{row.get(c, '')!s:>20}" for c in shown))


if __name__ == "__main__":
    main()
