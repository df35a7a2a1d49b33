"""Cold start of the ``chartwatch`` command: ``--help`` and ``week`` on a prepared store.

Each command runs as a new process of the venv's ``chartwatch`` script (next to
``sys.executable``), so the time includes starting Python, importing, opening the store
and printing. The store is prepared first by one untimed ``chartwatch week --db STORE``
(the first use of an empty store loads the bundled data). Each command then gets one
untimed warm-up run (it also writes the bytecode cache) and ``--repeat`` timed runs.

Bytecode is cached in a temporary ``PYTHONPYCACHEPREFIX`` (and ``PYTHONDONTWRITEBYTECODE``
is cleared), as for an installed chartwatch whose ``.pyc`` files exist; the working tree
is left untouched. If a median is over its budget, ``python -X importtime`` shows which
imports take the time.

    .venv/bin/python bench/bench_startup.py [--repeat 10] [--json] [--importtime]
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from _common import OtherLoad, arguments, child_env, ms, parse, publish, run_timed, stats

BIN = Path(sys.executable).parent
CHARTWATCH = BIN / "chartwatch"
AIMS = {"help": 0.3, "week": 0.8}


def _run(argv: list[str], env: dict[str, str]) -> float:
    return run_timed(argv, env)[0]


def importtime(args: list[str], env: dict[str, str], top: int = 12) -> dict[str, Any]:
    """The imports of ``chartwatch ARGS`` that take the most time (from -X importtime)."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", str(CHARTWATCH), *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    entries = []
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)", line)
        if m:
            self_us, cumulative_us, indent, name = m.groups()
            entries.append((name, int(self_us), int(cumulative_us), len(indent) // 2))
    top_level = sorted((e for e in entries if e[3] == 0), key=lambda e: -e[2])[:top]
    by_self = sorted(entries, key=lambda e: -e[1])[:top]
    return {
        "total_import_s": sum(e[1] for e in entries) / 1e6,
        "top_level_by_cumulative": [
            {"module": n, "cumulative_s": c / 1e6} for n, _, c, _ in top_level
        ],
        "by_self": [{"module": n, "self_s": s / 1e6} for n, s, _, _ in by_self],
    }


def measure(repeat: int, force_importtime: bool) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with (
        tempfile.TemporaryDirectory(prefix="chartwatch-bench-startup-") as tmp,
        OtherLoad() as other,
    ):
        env = child_env(Path(tmp) / "pycache")
        db = Path(tmp) / "store.duckdb"
        commands = {
            "help": [str(CHARTWATCH), "--help"],
            "week": [str(CHARTWATCH), "week", "--db", str(db)],
        }
        prepare_s = _run(commands["week"], env)  # loads the bundled data; not timed below
        for name, argv in commands.items():
            _run(argv, env)  # warm-up
            times = [_run(argv, env) for _ in range(repeat)]
            results[name] = stats(times)
            results[name]["aim_s"] = AIMS[name]
            results[name]["aim_met"] = results[name]["median_s"] < AIMS[name]
        profiles = {}
        for name, argv in commands.items():
            if force_importtime or not results[name]["aim_met"]:
                profiles[name] = importtime(argv[1:], env)
        python_s = stats([_run([sys.executable, "-c", "pass"], env) for _ in range(repeat)])
        import_duckdb_s = stats(
            [_run([sys.executable, "-c", "import duckdb"], env) for _ in range(repeat)]
        )
    return {
        "benchmark": "startup",
        "repeat": repeat,
        "first_week_with_bundled_load_s": prepare_s,
        "results": results,
        "baseline_python_s": python_s,
        "baseline_import_duckdb_s": import_duckdb_s,
        "importtime": profiles,
        "other_load_cores": other.cores,
        "aim": "chartwatch --help < 0.3 s, chartwatch week < 0.8 s",
        "aim_met": all(r["aim_met"] for r in results.values()),
    }


def summary(result: dict[str, Any]) -> str:
    labels = {"help": "chartwatch --help", "week": "chartwatch week --db STORE"}
    lines = [
        f"Cold start as a new process; median of {result['repeat']} runs after one warm-up",
        "",
        f"  {'':<28}{'median':>9}{'min':>9}{'max':>9}{'aim':>9}",
    ]
    for name, r in result["results"].items():
        verdict = "met" if r["aim_met"] else f"MISSED by {ms(r['median_s'] - r['aim_s'])}"
        lines.append(
            f"  {labels[name]:<28}{ms(r['median_s']):>9}{ms(r['min_s']):>9}{ms(r['max_s']):>9}"
            f"{'< ' + ms(r['aim_s']):>9}  {verdict}"
        )
    python_s = result["baseline_python_s"]["median_s"]
    duckdb_s = result["baseline_import_duckdb_s"]["median_s"]
    lines += [
        f"  {'(python -c pass)':<28}{ms(python_s):>9}",
        f"  {'(python -c import duckdb)':<28}{ms(duckdb_s):>9}",
        "  first week on an empty store (loads the bundled data and writes the bytecode "
        f"cache; untimed above): {ms(result['first_week_with_bundled_load_s'])}",
        f"  other processes kept {result['other_load_cores']} of the cores busy meanwhile",
    ]
    for name, prof in result["importtime"].items():
        lines += ["", f"  -X importtime of {labels[name]} (imports {ms(prof['total_import_s'])}):"]
        for entry in prof["top_level_by_cumulative"]:
            lines.append(f"    {ms(entry['cumulative_s']):>8}  {entry['module']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = arguments(__doc__, repeat=10, repeat_help="timed runs of each")
    parser.add_argument(
        "--importtime", action="store_true", help="show -X importtime even when within budget"
    )
    args = parse(parser, argv)
    if not CHARTWATCH.exists():
        parser.error(f"no chartwatch script next to {sys.executable}; pip install -e . first")
    return publish(measure(args.repeat, args.importtime), args, summary)


if __name__ == "__main__":
    sys.exit(main())
