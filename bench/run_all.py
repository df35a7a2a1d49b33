"""Run every benchmark, write bench/results/latest.json and print a Markdown table.

Each benchmark runs as its own process (``bench_x.py --json``) so that none inherits
another's imports or caches. ``make bench`` runs this script.

    .venv/bin/python bench/run_all.py [--repeat N] [--json]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from _common import emit_json, machine, ms, seconds

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "latest.json"
BENCHMARKS = ("ingest", "replay", "startup", "analytics")


def run(name: str, repeat: int | None) -> dict[str, Any]:
    argv = [sys.executable, str(HERE / f"bench_{name}.py"), "--json"]
    if repeat is not None:
        argv += ["--repeat", str(repeat)]
    print(f"running bench_{name}.py ...", file=sys.stderr, flush=True)
    proc = subprocess.run(argv, stdout=subprocess.PIPE, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"bench_{name}.py failed with exit code {proc.returncode}")
    result: dict[str, Any] = json.loads(proc.stdout)
    result.pop("machine", None)  # recorded once, at the top
    return result


def _verdict(met: bool, measured: float, aim: float, *, ratio: bool = False) -> str:
    if met:
        return "met"
    over = f"{measured / aim:.2f}x the aim" if ratio else f"over by {seconds(measured - aim)}"
    return f"**missed** ({over})"


def table(results: dict[str, Any]) -> str:
    ing, rep, start = results["ingest"], results["replay"], results["startup"]
    cw = ing["results"]["chartwatch"]["median_s"]
    floor = ing["results"]["floor"]["median_s"]
    pandas = ing["results"]["pandas"]["median_s"]
    ratio = ing["ratio_chartwatch_to_floor"]
    replay = rep["results"]["replay"]["median_s"]
    noop = rep["results"]["noop_replay"]["median_s"]
    help_s = start["results"]["help"]["median_s"]
    week_s = start["results"]["week"]["median_s"]
    rows = [
        ("Benchmark", "chartwatch (median)", "Reference (median)", "Ratio", "Aim", "Result"),
        ("---", "---:", "---:", "---:", "---", "---"),
        (
            f"Ingest global + countries ({ing['rows']['chartwatch']:,} rows), fresh store",
            ms(cw),
            f"floor, DuckDB read_csv: {ms(floor)}",
            f"{ratio:.2f}x",
            "≤ 2x floor",
            _verdict(ing["aim_met"], ratio, 2.0, ratio=True),
        ),
        (
            "″ against what users do today",
            ms(cw),
            f"pandas read_csv + DuckDB: {ms(pandas)}",
            f"{ing['ratio_chartwatch_to_pandas']:.2f}x",
            "",
            "",
        ),
        (
            f"Replay archive ({rep['commits']} commits, {rep['files']} files), fresh store",
            seconds(replay),
            f"{rep['files_per_s']:.1f} files/s",
            "",
            "< 20 s",
            _verdict(rep["aim_met"], replay, 20.0),
        ),
        (
            "Second replay (all unchanged)",
            seconds(noop),
            f"{rep['noop_files_per_s']:.0f} files/s",
            "",
            "",
            "",
        ),
        (
            "`chartwatch --help`, cold process",
            ms(help_s),
            f"python -c pass: {ms(start['baseline_python_s']['median_s'])}",
            "",
            "< 0.3 s",
            _verdict(start["results"]["help"]["aim_met"], help_s, 0.3),
        ),
        (
            "`chartwatch week --db STORE`, cold process",
            ms(week_s),
            f"python -c 'import duckdb': {ms(start['baseline_import_duckdb_s']['median_s'])}",
            "",
            "< 0.8 s",
            _verdict(start["results"]["week"]["aim_met"], week_s, 0.8),
        ),
    ]
    rows += analytics_rows(results["analytics"])
    return "\n".join("| " + " | ".join(row) + " |" for row in rows)


def analytics_rows(an: dict[str, Any]) -> list[tuple[str, ...]]:
    """title, brief, records: warm in-process against pandas on frames in memory, and the
    cold command line against a pandas notebook cell from scratch (read_csv + compute)."""
    ip, cli, ratios = an["in_process"], an["processes"]["cli"], an["ratios"]
    names = {
        "title": "`title`",
        "brief": "`brief --vs`",
        "records_debut": "`records debut_hours` (one category)",
        "records_week": "`records week_hours`",
    }
    rows = []
    for task, name in names.items():
        warm = ip["chartwatch_warm"][task]["median_s"]
        ratio = ratios[task]["warm_vs_pandas_compute"]
        rows.append(
            (
                f"{name}, warm in-process",
                ms(warm),
                f"pandas, frames in memory: {ms(ip['pandas_compute'][task]['median_s'])}",
                f"{ratio:.2f}x",
                "< 50 ms; ≥ 10x",
                f"{_verdict(warm < 0.05, warm, 0.05)}; ≥ 10x "
                f"{_verdict(ratio >= 10, ratio, 10, ratio=True)}",
            )
        )
    for task, r in cli.items():
        cold = r["median_s"]
        ratio = ratios[task]["cli_vs_pandas_load_compute"]
        rows.append(
            (
                f"{names[task]}, command line cold",
                ms(cold),
                f"pandas read_csv + compute: {ms(ip['pandas_load_compute'][task]['median_s'])}",
                f"{ratio:.2f}x",
                "< 1 s; ≥ 10x",
                f"{_verdict(cold < 1.0, cold, 1.0)}; ≥ 10x "
                f"{_verdict(ratio >= 10, ratio, 10, ratio=True)}",
            )
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--repeat", type=int, help="runs of every benchmark (default: each script's own)"
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    if args.repeat is not None and args.repeat < 1:
        parser.error("--repeat must be at least 1")
    info = machine()
    results = {name: run(name, args.repeat) for name in BENCHMARKS}
    data = {"machine": info, **results}
    RESULTS.parent.mkdir(exist_ok=True)
    tmp = RESULTS.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    tmp.replace(RESULTS)
    if args.json:
        emit_json(data)
    else:
        print(
            f"{info['date']}, {info['nproc']} cores ({info['cpu_model']}), Python "
            f"{info['python']}, DuckDB {info['duckdb']}, chartwatch {info['chartwatch']} "
            f"({info['git_commit']})\n"
        )
        print(table(results))
        print(
            "\nOther processes kept busy (cores, of "
            f"{info['nproc']}): ingest {results['ingest']['other_load_cores']}, replay "
            f"{results['replay']['other_load_cores_per_run']}, startup "
            f"{results['startup']['other_load_cores']}, analytics "
            f"{results['analytics']['other_load_cores']}"
        )
        print(
            "\nanalytics ratios are pandas time / chartwatch time (how many times faster "
            "chartwatch is; the aim is 10x)"
        )
        print(f"\nwritten: {RESULTS.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
