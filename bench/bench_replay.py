"""Replay of the whole archive bundle (140 weekly commits) into a fresh store.

Each run opens a new store in a real DuckDB file and times ``chartwatch.replay(store,
bundle)``: cloning the bundle, listing every version of every data file, and ingesting
each one (one transaction per file). Then it times a second replay of the same bundle
into the same store, where every file is already known ("unchanged") and nothing is
written. The time between results is added up per kind of file, to show where it goes.

    .venv/bin/python bench/bench_replay.py [--repeat 3] [--json]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import chartwatch
from _common import BUNDLE, OtherLoad, arguments, parse, publish, seconds, stats

AIM_SECONDS = 20.0


def run_once(db: Path) -> dict[str, Any]:
    per_kind: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0])
    last = [0.0]

    def on_start(_count: int) -> None:
        last[0] = time.perf_counter()

    def on_result(result: Any) -> None:
        now = time.perf_counter()
        entry = per_kind[f"{result.kind or 'rejected'} ({result.status})"]
        entry[0] += 1
        entry[1] += now - last[0]
        entry[2] += result.rows
        last[0] = now

    with chartwatch.open_store(db) as store:
        with OtherLoad() as other:
            start = time.perf_counter()
            first = chartwatch.replay(store, BUNDLE, on_start=on_start, on_result=on_result)
            replay_s = time.perf_counter() - start
        start = time.perf_counter()
        second = chartwatch.replay(store, BUNDLE)
        noop_s = time.perf_counter() - start
        row_versions = store.scalar("SELECT count(*) FROM row_versions")
        observations = store.scalar("SELECT count(*) FROM observations")
    if second.accepted or second.unchanged != first.accepted:
        raise SystemExit(f"the second replay was not a no-op: {second.to_dict()}")
    return {
        "replay_s": replay_s,
        "other_load_cores": other.cores,
        "noop_s": noop_s,
        "commits": first.commits,
        "files": first.files,
        "accepted": first.accepted,
        "unchanged": first.unchanged,
        "rejected": len(first.rejected),
        "row_versions": row_versions,
        "observations": observations,
        "db_bytes": db.stat().st_size,
        "per_kind": {
            k: {"files": n, "s": t, "rows": rows} for k, (n, t, rows) in sorted(per_kind.items())
        },
    }


def measure(repeat: int) -> dict[str, Any]:
    runs = []
    with tempfile.TemporaryDirectory(prefix="chartwatch-bench-replay-") as tmp:
        for i in range(repeat):
            runs.append(run_once(Path(tmp) / f"replay-{i}.duckdb"))
    replay = stats([r["replay_s"] for r in runs])
    noop = stats([r["noop_s"] for r in runs])
    first = runs[0]
    median_run = min(runs, key=lambda r: abs(r["replay_s"] - replay["median_s"]))
    return {
        "benchmark": "replay",
        "repeat": repeat,
        "bundle": str(BUNDLE.relative_to(BUNDLE.parents[2])),
        "bundle_bytes": BUNDLE.stat().st_size,
        "commits": first["commits"],
        "files": first["files"],
        "accepted": first["accepted"],
        "rejected": first["rejected"],
        "row_versions": first["row_versions"],
        "observations": first["observations"],
        "db_bytes": first["db_bytes"],
        "other_load_cores_per_run": [r["other_load_cores"] for r in runs],
        "results": {"replay": replay, "noop_replay": noop},
        "files_per_s": first["files"] / replay["median_s"],
        "noop_files_per_s": first["files"] / noop["median_s"],
        "per_kind_of_median_run": median_run["per_kind"],
        "aim": f"replay under {AIM_SECONDS:g} s on a 2-core machine",
        "aim_met": replay["median_s"] < AIM_SECONDS,
        "per_file_ms_median": 1000 * statistics.median(r["replay_s"] / r["files"] for r in runs),
    }


def summary(result: dict[str, Any]) -> str:
    replay = result["results"]["replay"]
    noop = result["results"]["noop_replay"]
    lines = [
        f"Replay of {result['bundle']} ({result['commits']} commits, {result['files']} file "
        f"versions: {result['accepted']} accepted, {result['rejected']} rejected) into a fresh "
        f"store; {result['repeat']} runs",
        "",
        f"  replay        median {seconds(replay['median_s'])}  "
        f"(min {seconds(replay['min_s'])}, max {seconds(replay['max_s'])})  "
        f"{result['files_per_s']:.1f} files/s, {result['per_file_ms_median']:.0f} ms/file",
        f"  no-op replay  median {seconds(noop['median_s'])}  "
        f"(min {seconds(noop['min_s'])}, max {seconds(noop['max_s'])})  "
        f"{result['noop_files_per_s']:.0f} files/s",
        f"  aim: under {AIM_SECONDS:g} s: {'met' if result['aim_met'] else 'MISSED'} "
        f"({replay['median_s'] / AIM_SECONDS:.0%} of the budget)",
        f"  store afterwards: {result['row_versions']:,} row versions, "
        f"{result['observations']:,} observations, {result['db_bytes'] / 2**20:.1f} MiB",
        "  other processes kept "
        f"{', '.join(str(c) for c in result['other_load_cores_per_run'])} "
        "of the cores busy during each replay",
        "",
        "  where the median run spent its time:",
    ]
    for kind, k in sorted(result["per_kind_of_median_run"].items(), key=lambda kv: -kv[1]["s"]):
        lines.append(
            f"    {kind:<26} {k['files']:>4} files {seconds(k['s']):>9}  "
            f"{1000 * k['s'] / k['files']:>6.0f} ms/file  {k['rows'] / k['files']:>8,.0f} rows/file"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse(arguments(__doc__, repeat=3, repeat_help="timed replays"), argv)
    return publish(measure(args.repeat), args, summary)


if __name__ == "__main__":
    sys.exit(main())
