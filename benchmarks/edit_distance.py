"""The cost of the edit-distance levels on random pairs, with and without the length test
that now goes before them (``abs(length(a) - length(b)) <= 1``: values one edit apart are
at most one character apart in length).

Random pairs are what u is estimated on, and most blocked pairs of different people reach
these levels too. On the emails and phones of generated leads, each condition is counted
over every pair of ``--rows`` leads in DuckDB; the counts must be equal (the test drops no
pair one edit apart) and the times are compared. One run, the best of ``--repeats``.

Usage:  python benchmarks/edit_distance.py [--rows 2000] [--repeats 3] [--output PATH]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import duckdb

from _results import write_results

RESULTS = Path(__file__).resolve().parent / "results"

CONDITIONS = {
    "email": ("damerau_levenshtein(l.v, r.v) <= 1",),
    "phone": ("levenshtein(l.v, r.v) <= 1",),
}
GUARD = "abs(length(l.v) - length(r.v)) <= 1 AND "


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--output", default=str(RESULTS / "edit_distance.json"))
    args = parser.parse_args()

    import leadlink as ll
    from leadlink.datasets import generate_leads
    from leadlink.schema import resolve_columns

    leads = generate_leads(args.rows, seed=0).drop(columns=["person_id", "is_ghost"])
    prepared = ll.prepare(leads, resolve_columns(leads, id_column="lead_id"), id_column="lead_id")
    connection = duckdb.connect()
    rows = []
    print(f"{'column':8} {'pairs':>10} {'plain s':>8} {'guarded s':>9} {'ratio':>6} {'equal':>6}")
    for column, (condition,) in CONDITIONS.items():
        values = prepared[[column]].dropna().head(args.rows).rename(columns={column: "v"})
        connection.register("values_df", values)
        connection.execute(
            "CREATE OR REPLACE TABLE t AS SELECT row_number() OVER () AS id, v FROM values_df"
        ).fetchall()
        connection.unregister("values_df")
        timed = {}
        for name, where in (("plain", condition), ("guarded", GUARD + condition)):
            best, count = float("inf"), None
            for _ in range(args.repeats):
                started = time.perf_counter()
                count = connection.execute(
                    f"SELECT count(*) FROM t l JOIN t r ON l.id < r.id WHERE {where}"
                ).fetchall()[0][0]
                best = min(best, time.perf_counter() - started)
            timed[name] = (round(best, 3), int(count))
        n = len(values)
        row = {
            "column": column,
            "pairs": n * (n - 1) // 2,
            "plain_seconds": timed["plain"][0],
            "guarded_seconds": timed["guarded"][0],
            "ratio": round(timed["plain"][0] / timed["guarded"][0], 2),
            "matches_plain": timed["plain"][1],
            "matches_guarded": timed["guarded"][1],
        }
        row["equal"] = row["matches_plain"] == row["matches_guarded"]
        rows.append(row)
        print(
            f"{column:8} {row['pairs']:>10,} {row['plain_seconds']:>8} "
            f"{row['guarded_seconds']:>9} {row['ratio']:>6} {row['equal']!s:>6}"
        )
    write_results(args.output, "edit_distance", arguments=vars(args), results=rows)


if __name__ == "__main__":
    main()
