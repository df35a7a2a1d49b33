"""Ingest of the real global and country files into a fresh store, against two baselines.

Three ways to get ``all-weeks-global.tsv`` and ``all-weeks-countries.tsv`` (uncompressed,
as users download them) into a new DuckDB file on disk, each timed from "no database
file" to "database file closed":

* chartwatch: ``open_store`` (creates the schema), ``chartwatch.ingest(store, paths)``
  (checks, versioned rows, observations, current view; one transaction per file), close.
* floor: DuckDB alone, ``CREATE TABLE t AS SELECT * FROM read_csv(path, delim='\\t')``
  for each file, close. Nothing chartwatch does can be faster than this.
* pandas: what users do today, ``pandas.read_csv(path, sep='\\t')`` for each file, then
  ``CREATE TABLE t AS SELECT * FROM df`` in DuckDB, close.

One untimed warm-up round comes first; then each round runs the three in a rotating
order so that background load on the machine falls on all of them alike.

    .venv/bin/python bench/bench_ingest.py [--repeat 5] [--json] [--profile]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

import chartwatch
from _common import OtherLoad, arguments, decompress_to, ms, parse, publish, sql_timed, stats

AIM_RATIO_TO_FLOOR = 2.0


def run_chartwatch(db: Path, paths: list[Path]) -> dict[str, Any]:
    cpu = time.process_time()
    start = time.perf_counter()
    store = chartwatch.open_store(db)
    opened = time.perf_counter()
    try:
        results = chartwatch.ingest(store, paths)
        ingested = time.perf_counter()
    finally:
        store.close()
    end = time.perf_counter()
    cpu = time.process_time() - cpu
    bad = [r for r in results if r.status != "accepted"]
    if bad:
        raise SystemExit(f"chartwatch did not accept {bad[0].source}: {bad[0].reason}")
    return {
        "wall_s": end - start,
        "cpu_s": cpu,
        "open_s": opened - start,
        "ingest_s": ingested - opened,
        "close_s": end - ingested,
        "rows": sum(r.rows for r in results),
    }


def run_floor(db: Path, paths: list[Path]) -> dict[str, Any]:
    cpu = time.process_time()
    start = time.perf_counter()
    con = duckdb.connect(str(db))
    try:
        for i, path in enumerate(paths):
            con.execute(
                f"CREATE TABLE t{i} AS SELECT * FROM read_csv($path, delim = '\t')",
                {"path": str(path)},
            )
    finally:
        con.close()
    wall = time.perf_counter() - start
    cpu = time.process_time() - cpu
    with duckdb.connect(str(db), read_only=True) as con:  # untimed check
        rows = sum(
            con.execute(f"SELECT count(*) FROM t{i}").fetchall()[0][0] for i in range(len(paths))
        )
    return {"wall_s": wall, "cpu_s": cpu, "rows": rows}


def run_pandas(db: Path, paths: list[Path]) -> dict[str, Any]:
    import pandas as pd

    cpu = time.process_time()
    start = time.perf_counter()
    frames = [pd.read_csv(path, sep="\t") for path in paths]
    con = duckdb.connect(str(db))
    try:
        for i, df in enumerate(frames):
            con.register("df", df)
            con.execute(f"CREATE TABLE t{i} AS SELECT * FROM df")
            con.unregister("df")
    finally:
        con.close()
    return {
        "wall_s": time.perf_counter() - start,
        "cpu_s": time.process_time() - cpu,
        "rows": sum(len(df) for df in frames),
    }


RUNNERS: dict[str, Callable[[Path, list[Path]], dict[str, Any]]] = {
    "chartwatch": run_chartwatch,
    "floor": run_floor,
    "pandas": run_pandas,
}


def measure(repeat: int) -> dict[str, Any]:
    import pandas as pd  # imported once, outside the timings

    runs: dict[str, list[dict[str, Any]]] = defaultdict(list)
    with (
        tempfile.TemporaryDirectory(prefix="chartwatch-bench-ingest-") as tmp,
        OtherLoad() as other,
    ):
        folder = Path(tmp)
        paths = decompress_to(folder)
        sizes = {p.name: p.stat().st_size for p in paths}
        names = list(RUNNERS)
        for round_no in range(repeat + 1):  # round 0 is the warm-up
            order = names[round_no % len(names) :] + names[: round_no % len(names)]
            for name in order:
                db = folder / f"{name}-{round_no}.duckdb"
                result = RUNNERS[name](db, paths)
                result["db_bytes"] = db.stat().st_size
                db.unlink()
                Path(f"{db}.wal").unlink(missing_ok=True)
                if round_no:
                    runs[name].append(result)
    rows = {name: results[0]["rows"] for name, results in runs.items()}
    medians = {n: statistics.median(r["wall_s"] for r in results) for n, results in runs.items()}
    cpu = {n: statistics.median(r["cpu_s"] for r in results) for n, results in runs.items()}
    cw = runs["chartwatch"]
    out: dict[str, Any] = {
        "benchmark": "ingest",
        "repeat": repeat,
        "files": sizes,
        "rows": rows,
        "pandas_version": pd.__version__,
        "other_load_cores": other.cores,
        "results": {name: stats([r["wall_s"] for r in results]) for name, results in runs.items()},
        # CPU time of the process (all threads): other processes disturb it far less than
        # wall time, so it still compares the work done when the machine is busy.
        "cpu": {name: stats([r["cpu_s"] for r in results]) for name, results in runs.items()},
        "cpu_ratio_chartwatch_to_floor": cpu["chartwatch"] / cpu["floor"],
        "chartwatch_parts_median_s": {
            part: statistics.median(r[part] for r in cw)
            for part in ("open_s", "ingest_s", "close_s")
        },
        "db_bytes": {name: results[0]["db_bytes"] for name, results in runs.items()},
        "ratio_chartwatch_to_floor": medians["chartwatch"] / medians["floor"],
        "ratio_chartwatch_to_pandas": medians["chartwatch"] / medians["pandas"],
        "ratio_pandas_to_floor": medians["pandas"] / medians["floor"],
        "aim": f"chartwatch within {AIM_RATIO_TO_FLOOR:g}x of the floor",
    }
    out["aim_met"] = out["ratio_chartwatch_to_floor"] <= AIM_RATIO_TO_FLOOR
    return out


def profile() -> dict[str, Any]:
    """One chartwatch ingest with the time of every SQL statement (the rest is Python).

    The files are ingested one call each: given several, ``ingest`` stages the next file on
    a second connection while one loads, and only the store's own connection is timed.
    """
    with tempfile.TemporaryDirectory(prefix="chartwatch-bench-profile-") as tmp:
        folder = Path(tmp)
        paths = decompress_to(folder)
        run_chartwatch(folder / "warm-up.duckdb", paths)
        store = chartwatch.open_store(folder / "profiled.duckdb")
        try:
            with sql_timed(store) as timed:
                start = time.perf_counter()
                for path in paths:
                    chartwatch.ingest(store, [path])
                total = time.perf_counter() - start
        finally:
            store.close()
    statements = sorted(timed.spent.items(), key=lambda item: -item[1][1])
    sql_total = sum(t for _, t in timed.spent.values())
    return {
        "ingest_s": total,
        "sql_s": sql_total,
        "python_s": total - sql_total,
        "statements": [{"sql": sql, "calls": n, "s": t} for sql, (n, t) in statements],
    }


def summary(result: dict[str, Any]) -> str:
    res = result["results"]
    rows = result["rows"]
    lines = [
        f"Ingest of {' + '.join(result['files'])} "
        f"({sum(result['files'].values()) / 2**20:.1f} MiB, {rows['chartwatch']:,} rows) into a "
        f"fresh DuckDB file; median of {result['repeat']} runs",
        "",
        f"  {'':<11}{'median':>10}{'min':>10}{'max':>10}",
    ]
    for name in ("chartwatch", "floor", "pandas"):
        r = res[name]
        lines.append(f"  {name:<11}{ms(r['median_s']):>10}{ms(r['min_s']):>10}{ms(r['max_s']):>10}")
    parts = result["chartwatch_parts_median_s"]
    lines += [
        "",
        f"  chartwatch = open {ms(parts['open_s'])} + ingest() {ms(parts['ingest_s'])} "
        f"+ close {ms(parts['close_s'])}",
        f"  chartwatch / floor  = {result['ratio_chartwatch_to_floor']:.2f}x  "
        f"(aim <= {AIM_RATIO_TO_FLOOR:g}x: {'met' if result['aim_met'] else 'MISSED'})",
        f"  chartwatch / pandas = {result['ratio_chartwatch_to_pandas']:.2f}x",
        f"  pandas / floor      = {result['ratio_pandas_to_floor']:.2f}x",
        f"  other processes kept {result['other_load_cores']} of the cores busy meanwhile",
    ]
    if "cpu" in result:
        cpu = result["cpu"]
        lines.append(
            f"  CPU time (all threads, median): chartwatch {ms(cpu['chartwatch']['median_s'])}, "
            f"floor {ms(cpu['floor']['median_s'])}, "
            f"ratio {result['cpu_ratio_chartwatch_to_floor']:.2f}x"
        )
    if rows["floor"] != rows["chartwatch"] or rows["pandas"] != rows["chartwatch"]:
        lines.append(f"  note: row counts differ: {rows}")
    if "profile" in result:
        prof = result["profile"]
        lines += [
            "",
            f"Where chartwatch.ingest() spends its time (one run, {ms(prof['ingest_s'])}: "
            f"SQL {ms(prof['sql_s'])}, Python {ms(prof['python_s'])}):",
        ]
        for st in prof["statements"][:12]:
            lines.append(f"  {ms(st['s']):>8}  x{st['calls']}  {st['sql'][:80]}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = arguments(__doc__, repeat=5, repeat_help="timed runs of each")
    parser.add_argument(
        "--profile", action="store_true", help="also time each SQL statement of one ingest"
    )
    args = parse(parser, argv)
    result = measure(args.repeat)
    if args.profile:
        result["profile"] = profile()
    return publish(result, args, summary)


if __name__ == "__main__":
    sys.exit(main())
