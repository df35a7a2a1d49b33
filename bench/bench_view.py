"""The store view: answers as lookups in data derived once per content stamp.

Measures the way people meet the code:

* **cold processes** (a new ``chartwatch`` process per command, median of ``--repeat``):
  ``brief "all of us are dead"`` and ``greenlight "squid game"`` on a store whose derived
  data is ready, and the first command after a new snapshot (derived data not ready yet:
  it derives, fits and writes beside the store);
* **warm, in one process**: ``title`` for every title of the store in random order, and
  ``brief --vs`` for random pairs of TV titles, against
  - the floor: DuckDB's own SQL reading the same title's rows from the store, and
  - what users do today: a pandas notebook computing the same run (and, for the brief, the
    same standings) from frames already in memory (``_pandas_analytics``).

    .venv/bin/python bench/bench_view.py [--repeat 5] [--titles 300] [--json]
"""

from __future__ import annotations

import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import chartwatch
from _common import arguments, child_env, decompress_to, parse, publish, stats
from chartwatch.analytics.runs import title_report
from chartwatch.brief import brief
from chartwatch.view import View

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "view.json"
CHARTWATCH = Path(sys.executable).parent / "chartwatch"
AIMS = {"cold_s": 1.0, "title_ms": 5.0, "brief_vs_ms": 20.0}


def _cold(args: list[str], db: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        [str(CHARTWATCH), *args, "--db", str(db)], env=env, check=True, capture_output=True
    )
    return time.perf_counter() - start


def cold(db: Path, repeat: int, pycache: Path) -> dict[str, Any]:
    env = child_env(pycache)
    out: dict[str, Any] = {}
    commands = {
        "brief": ["brief", "all of us are dead"],
        "greenlight": ["greenlight", "squid game"],
        "title": ["title", "all of us are dead"],
    }
    for name, args in commands.items():
        shutil.rmtree(Path(str(db) + ".derived"), ignore_errors=True)
        out[name] = {"not_ready_s": round(_cold(args, db, env), 3)}  # derives, fits, writes
    # ready: `chartwatch prepare` has derived everything (what `serve` does in the background)
    start = time.perf_counter()
    _cold(["prepare"], db, env)
    out["prepare_s"] = round(time.perf_counter() - start, 3)
    for name, args in commands.items():
        out[name]["ready"] = stats([_cold(args, db, env) for _ in range(repeat)])
    return out


def _ms_stats(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 3),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 3),
        "n": len(ordered),
    }


def warm(db: Path, folder: Path, n_titles: int, seed: int) -> dict[str, Any]:
    import _pandas_analytics as pda

    rng = random.Random(seed)
    g, c = pda.load(folder)
    with chartwatch.open_store(db) as store:
        view = View.of(store)
        titles = [t for t in view.titles.titles.values() if t.category and t.first_week]
        rng.shuffle(titles)
        titles = titles[:n_titles]
        core = view.core

        def debuted(t: Any) -> bool:  # a known debut: the pandas notebook needs one
            weeks = core.title_weeks(t.ident, t.film)
            return bool(weeks) and weeks[0].week != core.list_start and t.ident == t.label

        tv = [t for t in titles if not t.film and debuted(t)]
        pairs = list(zip(tv, reversed(tv), strict=True))
        pairs = [(a, b) for a, b in pairs if a is not b][: max(20, n_titles // 3)]
        # chartwatch: title reports, then briefs with --vs
        ours_title = []
        for t in titles:
            start = time.perf_counter()
            title_report(view, t)
            ours_title.append(time.perf_counter() - start)
        ours_brief = []
        for a, b in pairs:
            start = time.perf_counter()
            brief(view, a, vs=b)
            ours_brief.append(time.perf_counter() - start)
        # the floor: DuckDB reading each title's weeks and country rows from the store
        floor = []
        for t in titles:
            start = time.perf_counter()
            store.all(
                """SELECT v.week, v.category, v.rank, v.weekly_hours_viewed, v.weekly_views
                   FROM current_rows c JOIN row_versions v USING (version_id)
                   WHERE v.list IN ('global', 'countries')
                     AND coalesce(v.season_title, v.show_title) = ?""",
                [t.label],
            )
            floor.append(time.perf_counter() - start)
    # pandas, frames in memory: the same run, and for a brief the standings too
    labels = set(g["season_title"])
    theirs_title = []
    for t in titles:
        if t.label not in labels:
            continue
        start = time.perf_counter()
        pda.title_run(g, c, t.label)
        theirs_title.append(time.perf_counter() - start)
    theirs_brief = []
    for a, b in pairs:
        if a.label not in labels or b.label not in labels:
            continue
        start = time.perf_counter()
        run = pda.title_run(g, c, a.label)
        pda.debut_standing(g, a.label)
        pda.best_week_standing(g, a.label, run["category"], run["best_week"])
        pda.title_run(g, None, b.label)
        theirs_brief.append(time.perf_counter() - start)
    return {
        "titles": len(titles),
        "pairs": len(pairs),
        "title": _ms_stats(ours_title),
        "brief_vs": _ms_stats(ours_brief),
        "floor_duckdb_title_rows": _ms_stats(floor),
        "pandas_title": _ms_stats(theirs_title),
        "pandas_brief_vs": _ms_stats(theirs_brief),
    }


def measure(repeat: int, n_titles: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        folder = tmp / "files"
        folder.mkdir()
        decompress_to(folder)
        db = tmp / "store.duckdb"
        with chartwatch.open_store(db) as store:
            chartwatch.load_bundled(store)
        start = time.perf_counter()
        with chartwatch.open_store(db) as store:
            View.of(store).core  # noqa: B018 - derive (and write) the core
        derive_core_s = time.perf_counter() - start
        result = {
            "derive_core_s": round(derive_core_s, 3),
            "cold": cold(db, repeat, tmp / "pycache"),  # ends with the store prepared
            "warm": warm(db, folder, n_titles, seed=0),
            "aims": AIMS,
        }
    w = result["warm"]
    result["ratios"] = {
        "title_vs_pandas": round(w["title"]["median_ms"] / w["pandas_title"]["median_ms"], 3),
        "brief_vs_pandas": round(w["brief_vs"]["median_ms"] / w["pandas_brief_vs"]["median_ms"], 3),
        "title_vs_floor": round(
            w["title"]["median_ms"] / w["floor_duckdb_title_rows"]["median_ms"], 3
        ),
    }
    return result


def summary(r: dict[str, Any]) -> str:
    w, c = r["warm"], r["cold"]
    lines = [
        f"derive the core (title index, weeks, boards) once: {r['derive_core_s']:.2f} s",
        "cold processes (median; first after a new snapshot in brackets):",
    ]
    lines.append(f"  prepare (everything, once): {c['prepare_s']:.2f} s")
    for name, v in c.items():
        if name == "prepare_s":
            continue
        lines.append(
            f"  {name}: {v['ready']['median_s']:.2f} s ({v['not_ready_s']:.2f} s)"
            f"  aim ≤ {AIMS['cold_s']} s"
        )
    lines += [
        f"warm, {w['titles']} titles in random order:",
        f"  title      {w['title']['median_ms']} ms (p95 {w['title']['p95_ms']} ms)"
        f"  pandas {w['pandas_title']['median_ms']} ms"
        f"  DuckDB rows {w['floor_duckdb_title_rows']['median_ms']} ms"
        f"  aim ≤ {AIMS['title_ms']} ms",
        f"  brief --vs {w['brief_vs']['median_ms']} ms (p95 {w['brief_vs']['p95_ms']} ms)"
        f"  pandas {w['pandas_brief_vs']['median_ms']} ms  aim ≤ {AIMS['brief_vs_ms']} ms",
        f"ratios: {r['ratios']}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = arguments(__doc__, repeat=5, repeat_help="cold processes per command")
    parser.add_argument("--titles", type=int, default=300, help="titles timed warm")
    args = parse(parser, argv)
    result = measure(args.repeat, args.titles)
    return publish(result, args, summary, RESULTS)


if __name__ == "__main__":
    sys.exit(main())
