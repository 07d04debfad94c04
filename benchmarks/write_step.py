"""Time the write step of ``leadlink dedupe``: every output file, and the whole step.

The leads (``--leads`` generated with ``--seed``, or ``--leads-file``, the CSV or Parquet a
user has; the generator's ``person_id`` and ``is_ghost`` are dropped) go through
``leadlink.dedupe`` once; then the script times what the command does after its
"writing outputs" message, on the same result:

* the whole step, as the command runs it: ``result.review()``, ``result.review_queue()``
  and the writing of every file into an output folder (manifest and checksums included);
* each output alone, in the order the command writes them, its table built and written:
  the review's shared context (the leads' clusters, where each pair's leads are, the
  disputed identifiers; built once for review_all.csv and review.csv), clusters.csv,
  golden_records.csv with lineage.csv (lineage is laid out from the golden records' text
  columns, converted once for both), conflicts.csv, review_all.csv (``result.review()``),
  review.csv (``result.review_queue(size=200)``), pairs.parquet (and pairs.csv when the
  pairs fit a sheet) and model.json. Written one after another here, so the sum can be
  more than the whole step, which writes each file behind the making of the next table.

Times on a machine shared with other work vary by a fifth or more from run to run: to
compare two versions of the code, run both back to back on the same leads.

``--result PATH`` keeps the dedupe result as a pickle: saved there on the first run, read
back on the next ones (with the same code for the result's classes), so that the write step
can be timed again, or by two versions of the code, without deduplicating again.

Usage:  python benchmarks/write_step.py [--leads 300000] [--seed 0] [--leads-file PATH]
        [--result PATH] [--output PATH]
"""

from __future__ import annotations

import argparse
import dataclasses
import pickle
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from _results import write_results

RESULTS = Path(__file__).resolve().parent / "results"
REPOSITORY = Path(__file__).resolve().parent.parent

#: How many items review.csv holds: the command's default (``--review-size``).
REVIEW_SIZE = 200


def generated_leads(n_leads: int, seed: int) -> pd.DataFrame:
    """About ``n_leads`` generated leads, as benchmarks/scale.py makes them."""
    from leadlink.datasets import generate_leads

    probe = generate_leads(2000, seed=seed)
    people = int(n_leads / (len(probe) / 2000) * 1.05) + 1
    return generate_leads(people, seed=seed).head(n_leads)


def shown_path(path: str) -> str:
    """``path`` relative to the repository, or its name alone: no machine paths in the
    results."""
    resolved = Path(path).resolve()
    try:
        return str(resolved.relative_to(REPOSITORY))
    except ValueError:
        return resolved.name


def timed(step: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = step()
    return time.perf_counter() - started, value


def fresh(result: Any) -> Any:
    """A copy of ``result`` without what its methods keep between calls (the review's
    context), so that each timing starts cold."""
    return dataclasses.replace(result)


def whole_step(result: Any, folder: Path) -> list[Path]:
    """What ``leadlink dedupe`` does after "writing outputs"."""
    from leadlink._outputs import OutputFolder
    from leadlink.cli._matching import _write_outputs

    with OutputFolder(folder, command="dedupe") as out:
        review = result.review()
        queue = result.review_queue(size=REVIEW_SIZE)
        return _write_outputs(result, out, review=review, queue=queue, leads_file="leads.csv")


def each_output(result: Any, folder: Path) -> dict[str, float]:
    """Seconds of each output alone, its table built and written, in the command's order."""
    from leadlink.cli._matching import _golden_files, _json_lists, _pair_texts, _pairs_files
    from leadlink.io import write_table

    folder.mkdir(parents=True, exist_ok=True)
    steps: dict[str, Callable[[], Any]] = {
        "review context": lambda: result._review_context(result.prepared),
        "clusters.csv": lambda: write_table(result.clusters, folder / "clusters.csv"),
        "golden_records.csv, lineage.csv": lambda: _golden_files(result.golden, folder),
        "conflicts.csv": lambda: write_table(
            _json_lists(result.conflicts()), folder / "conflicts.csv"
        ),
        "review_all.csv": lambda: write_table(
            _json_lists(result.review()), folder / "review_all.csv"
        ),
        "review.csv": lambda: write_table(
            _json_lists(result.review_queue(size=REVIEW_SIZE).items), folder / "review.csv"
        ),
        "pairs": lambda: _pairs_files(result.pairs, folder, ids=_pair_texts(result)),
        "model.json": lambda: result.model.save(folder / "model.json"),
    }
    return {name: round(timed(step)[0], 2) for name, step in steps.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=300_000, help="leads to generate")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--leads-file", help="read these leads instead (CSV or Parquet)")
    parser.add_argument("--result", help="pickle of the dedupe result: read, or made and saved")
    parser.add_argument("--output", default=str(RESULTS / "write_step.json"))
    args = parser.parse_args()

    import leadlink as ll
    from leadlink.io import read_leads

    saved = Path(args.result) if args.result else None
    dedupe_seconds = None  # not run when the result is read back
    if saved is not None and saved.exists():
        with saved.open("rb") as file:
            result = pickle.load(file)
    else:
        if args.leads_file:
            leads = read_leads(args.leads_file)
        else:
            leads = generated_leads(args.leads, args.seed)
        leads = leads.drop(columns=["person_id", "is_ghost"], errors="ignore")
        dedupe_seconds, result = timed(
            lambda: ll.dedupe(leads, id_column="lead_id", seed=args.seed)
        )
        del leads
        if saved is not None:
            with saved.open("wb") as file:
                pickle.dump(result, file, protocol=pickle.HIGHEST_PROTOCOL)
    with tempfile.TemporaryDirectory() as scratch:
        whole = Path(scratch) / "whole"
        whole_seconds, written = timed(lambda: whole_step(fresh(result), whole))
        sizes = {path.name: (whole / path.name).stat().st_size for path in written}
        outputs = each_output(fresh(result), Path(scratch) / "each")

    print(
        f"\n{len(result.clusters)} leads, {len(result.pairs)} scored pairs, {len(result.golden)} clusters"
    )
    if dedupe_seconds is not None:
        print(f"dedupe: {dedupe_seconds:.1f} s")
    print()
    print(f"{'output':<34}{'seconds':>9}")
    for name, seconds in outputs.items():
        print(f"{name:<34}{seconds:>9.2f}")
    print(f"{'(sum)':<34}{sum(outputs.values()):>9.2f}")
    print(f"{'whole write step':<34}{whole_seconds:>9.2f}")
    write_results(
        args.output,
        "write_step",
        leads=len(result.clusters),
        seed=args.seed,
        leads_file=shown_path(args.leads_file) if args.leads_file else None,
        scored_pairs=len(result.pairs),
        clusters=len(result.golden),
        dedupe_seconds=round(dedupe_seconds, 1) if dedupe_seconds is not None else None,
        write_step_seconds=round(whole_seconds, 2),
        outputs_seconds=outputs,
        file_bytes=sizes,
    )


if __name__ == "__main__":
    main()
