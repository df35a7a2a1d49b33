"""Ingest of one engagement report (January-June 2024: 16,161 rows) against reading it.

Two cold processes, each timed from start to exit:

* chartwatch: ``chartwatch ingest REPORT.xlsx --db NEW.duckdb --json``: a new store (schema
  and migrations), the workbook read with openpyxl, every row checked and typed in DuckDB,
  one snapshot with its versions and observations.
* floor: ``python -c`` that opens the same workbook with openpyxl in read-only mode and
  iterates every row of every sheet (values only), nothing else. chartwatch reads the
  workbook the same way, so it cannot be faster than this.

The aim is chartwatch within 2x of the floor. One untimed warm-up round comes first; then
each round runs the two in alternating order so that background load falls on both alike.

    .venv/bin/python bench/bench_engagement.py [--repeat 5] [--json]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from _common import DATA, OtherLoad, arguments, child_env, parse, publish, run_timed, stats

AIM_RATIO_TO_FLOOR = 2.0
REPORT = DATA / "engagement" / "What_We_Watched_A_Netflix_Engagement_Report_2024Jan-Jun.xlsx"
FLOOR = (
    "import sys, openpyxl\n"
    "book = openpyxl.load_workbook(sys.argv[1], read_only=True, data_only=True)\n"
    "n = sum(1 for sheet in book.worksheets for _ in sheet.iter_rows(values_only=True))\n"
    "book.close()\n"
)


def main(argv: list[str] | None = None) -> int:
    args = parse(arguments(__doc__, repeat=5, repeat_help="timed rounds"), argv)
    chartwatch = str(Path(sys.executable).with_name("chartwatch"))
    with tempfile.TemporaryDirectory(prefix="bench-engagement-") as tmp:
        folder = Path(tmp)
        env = child_env(folder / "pycache")
        times: dict[str, list[float]] = {"chartwatch": [], "floor": []}

        def one(name: str, i: int) -> float:
            if name == "floor":
                return run_timed([sys.executable, "-c", FLOOR, str(REPORT)], env)[0]
            db = folder / f"store-{i}.duckdb"
            took, out = run_timed(
                [chartwatch, "ingest", str(REPORT), "--db", str(db), "--json"],
                env,
                keep_stdout=True,
            )
            assert '"accepted": 1' in out, out
            return took

        one("floor", -1)
        one("chartwatch", -1)  # warm-up: the page cache and the bytecode cache
        with OtherLoad() as load:
            for i in range(args.repeat):
                order = ("floor", "chartwatch") if i % 2 == 0 else ("chartwatch", "floor")
                for name in order:
                    times[name].append(one(name, i))
    cw, floor = statistics.median(times["chartwatch"]), statistics.median(times["floor"])
    result: dict[str, Any] = {
        "benchmark": "engagement",
        "report": REPORT.name,
        "chartwatch": stats(times["chartwatch"]),
        "floor": stats(times["floor"]),
        "ratio_to_floor": round(cw / floor, 3),
        "aim_ratio_to_floor": AIM_RATIO_TO_FLOOR,
        "aim_met": cw / floor <= AIM_RATIO_TO_FLOOR,
        "other_load_cores": load.cores,
    }
    return publish(result, args, _summary)


def _summary(r: dict[str, Any]) -> str:
    return (
        f"engagement report ingest ({r['report']}), cold processes, median of "
        f"{len(r['floor']['runs_s'])}:\n"
        f"  chartwatch ingest  {r['chartwatch']['median_s']:.2f} s\n"
        f"  openpyxl read-only {r['floor']['median_s']:.2f} s (the floor)\n"
        f"  ratio {r['ratio_to_floor']:.2f}x (aim <= {r['aim_ratio_to_floor']:.0f}x: "
        f"{'met' if r['aim_met'] else 'missed'}); other load {r['other_load_cores']} cores"
    )


if __name__ == "__main__":
    raise SystemExit(main())
