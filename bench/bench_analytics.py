"""Title, brief and records on the real data: in-process, cold from the command line, and
against the pandas an analyst writes in a notebook (issue 3, "Speed").

Aims: ``title``, ``brief`` and ``records`` each under 50 ms warm in-process; the command
line under 1 s cold; 10x or better against pandas over the same files.

* chartwatch, in-process, on a store loaded with the bundled data: warm (median and p95 of
  ``--repeat`` calls after a warm-up), with the title_index rebuilt before each call (its cache
  and the forecast history's cleared), and the first call in a new process.
* chartwatch, cold command line: ``chartwatch title|brief|records ... --db STORE`` as new
  processes on a store prepared beforehand; median of 5 after one warm-up.
* pandas (``bench/_pandas_analytics.py``): ``read_csv`` of the raw TSVs (decompressed to a
  temporary folder) and the same answers, timed as "compute only" (frames in memory), "load +
  compute" (a notebook cell from scratch) and as a new process running that cell.

The pandas answers are checked against chartwatch's before anything is timed. Each round
times chartwatch and pandas back to back, alternating which goes first.

    .venv/bin/python bench/bench_analytics.py [--repeat 30] [--json] [--profile]

The results (with the machine) are also written to bench/results/analytics.json.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import chartwatch
from _common import (
    OtherLoad,
    arguments,
    child_env,
    decompress_to,
    ms,
    parse,
    publish,
    run_timed,
    sql_timed,
    stats,
)
from chartwatch.view import View

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "analytics.json"
BIN = Path(sys.executable).parent
CHARTWATCH = BIN / "chartwatch"
AIM_WARM_S = 0.050
AIM_CLI_S = 1.0
AIM_RATIO = 10.0
CLI_REPEAT = 5
WARM_UP = 3

QUERY, VS = "All of Us Are Dead", "Squid Game"
CATEGORY = "TV (Non-English)"  # as in _pandas_analytics (imported lazily: it imports pandas)
TASKS = ("title", "brief", "records_debut", "records_week")
LABELS = {
    "title": f'title("{QUERY}")',
    "brief": f'brief("{QUERY}", vs="{VS}")',
    "records_debut": f'records("debut_hours", category="{CATEGORY}")',
    "records_week": 'records("week_hours")',
}
CLI_ARGS: dict[str, list[str] | None] = {
    "title": ["title", QUERY],
    "brief": ["brief", QUERY, "--vs", VS],
    "records_debut": ["records", "--metric", "debut_hours", "--category", CATEGORY],
    "records_week": None,  # one records command is enough for the CLI aim
}


def chartwatch_calls(store: Any) -> dict[str, Callable[[], Any]]:
    from chartwatch import brief
    from chartwatch.analytics import records, runs

    return {
        "title": lambda: runs.title(View.of(store), QUERY),
        "brief": lambda: brief.brief(View.of(store), QUERY, vs=VS),
        "records_debut": lambda: records.records(View.of(store), "debut_hours", category=CATEGORY),
        "records_week": lambda: records.records(View.of(store), "week_hours"),
    }


def _catalog(store: Any) -> Any:
    return View.of(store).titles


def clear_caches(store: Any = None) -> None:
    """Forget what chartwatch derived for the store's views (in memory; what is kept beside
    the store file is read back, not derived again)."""
    if store is not None:
        store.shared.clear()


# -- the answers must agree ----------------------------------------------------------------


def check_answers(store: Any, g: Any, c: Any) -> dict[str, Any]:
    """Assert that pandas and chartwatch give the same key numbers; return what was checked."""
    import _pandas_analytics as pda
    from chartwatch import brief
    from chartwatch.analytics import records, runs
    from chartwatch.render.prose import count, figure

    def same(what: str, ours: Any, theirs: Any) -> None:
        if ours != theirs:
            raise SystemExit(f"pandas and chartwatch disagree on {what}: {theirs!r} != {ours!r}")

    checked = 0

    def run_matches(report: Any, p: dict[str, Any], who: str) -> None:
        nonlocal checked
        cw = {
            "category": report.category,
            "debut_week": report.debut.week_end,
            "debut_known": report.debut.known,
            "debut_rank": report.debut.rank,
            "debut_hours": report.debut.hours_viewed,
            "peak_rank": report.peak_rank,
            "weeks_at_peak": report.weeks_at_peak,
            "weeks_in_top10": report.weeks_in_top10,
            "weeks_at_no1": report.weeks_at_no1,
            "total_hours": report.total_hours_viewed,
            "best_week": report.best_week.week_end,
            "best_hours": report.best_week.hours_viewed,
        }
        if "no1_by_week" in p:
            cw |= {
                "no1_by_week": report.countries.no1_by_week,
                "top10_by_week": report.countries.top10_by_week,
                "countries_no1": len(report.countries.no1),
                "countries_top10": len(report.countries.top10),
            }
        for key, value in cw.items():
            same(f"{who} {key}", value, p[key])
            checked += 1

    aouad = runs.title(View.of(store), QUERY)
    squid = runs.title(View.of(store), VS)
    same("the title resolved", aouad.label, pda.LABEL)
    same("the --vs title resolved", squid.label, pda.VS)
    run_matches(aouad, pda.title(g, c), "title")

    pb = pda.brief(g, c)
    run_matches(aouad, pb["run"], "brief")
    run_matches(squid, pb["vs"], "brief --vs")
    held = {r.metric: r for r in aouad.records}
    deb, best = pb["debut"], pb["best_week"]
    for what, ours, theirs in (
        ("debut rank at the time", held["debut_hours"].rank, deb["rank"]),
        ("debuts at the time", held["debut_hours"].of, deb["of"]),
        ("debut record holder", held["debut_hours"].holder, deb["holder"]),
        ("debut record", held["debut_hours"].holder_value, deb["holder_hours"]),
        ("best-week rank among titles", held["week_hours"].rank, best["title_rank"]),
        ("titles at the best week", held["week_hours"].of, best["titles"]),
    ):
        same(what, ours, theirs)
        checked += 1
    text = {f.id: f.text for f in brief.brief(View.of(store), QUERY, vs=VS).facts}
    first_no1 = pb["run"]["no1_by_week"][pb["run"]["debut_week"]]
    for fact, phrase in (
        ("debut_record", f"No. {deb['rank']} of {count(deb['of'], 'debut')}"),
        ("debut_record", f"{deb['holder']}'s {figure(deb['holder_hours'])} hours"),
        (
            "best_week",
            f"No. {best['single_week_rank']} among all "
            f"{count(best['single_weeks'], 'single week')}",
        ),
        ("best_week", f"No. {best['title_rank']} of {count(best['titles'], 'title')}"),
        ("best_week", f"{best['biggest']}'s {figure(best['biggest_hours'])} hours"),
        ("vs", f"{figure(pb['vs']['debut_hours'])} hours viewed"),
        ("vs", f"{count(pb['vs']['weeks_at_no1'], 'week')} at No. 1"),
        ("countries", f"No. 1 in {count(first_no1, 'country', 'countries')}"),
    ):
        if phrase not in text.get(fact, ""):
            raise SystemExit(f"the brief's {fact!r} fact does not say {phrase!r}: {text.get(fact)}")
        checked += 1

    for task, metric, category in (
        ("records_debut", "debut_hours", CATEGORY),
        ("records_week", "week_hours", None),
    ):
        board = records.records(View.of(store), metric, category=category)
        ours = [(e.label, e.week_end, e.value) for e in board.entries]
        df = pda.TASKS[task][0](g, c)
        theirs = [
            (label, week.date(), int(value))
            for label, week, value in zip(
                df["label"], df["week"], df["weekly_hours_viewed"], strict=True
            )
        ]
        same(f"the {metric} leaderboard", ours, theirs)
        checked += len(ours)
    return {"values_checked": checked, "agree": True}


# -- timings -------------------------------------------------------------------------------


def _time(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def p95(times: list[float]) -> float:
    if len(times) < 2:
        return times[0]
    return statistics.quantiles(times, n=20, method="inclusive")[-1]


def summarise(times: list[float]) -> dict[str, Any]:
    return {**stats(times), "p95_s": p95(times)}


def in_process(store: Any, folder: Path, repeat: int) -> dict[str, Any]:
    """Warm chartwatch against pandas compute-only and load + compute, round by round."""
    import _pandas_analytics as pda

    calls = chartwatch_calls(store)
    frames = pda.load(folder)
    pandas_compute = {n: (lambda f=f: f(*frames)) for n, (f, _) in pda.TASKS.items()}
    pandas_cell = {n: (lambda n=n: pda.cell(n, folder)) for n in pda.TASKS}
    contenders = {
        "chartwatch_warm": calls,
        "pandas_compute": pandas_compute,
        "pandas_load_compute": pandas_cell,
    }
    for fns in contenders.values():  # warm-up
        for fn in fns.values():
            for _ in range(WARM_UP):
                fn()
    runs: dict[str, dict[str, list[float]]] = {k: defaultdict(list) for k in contenders}
    names = list(contenders)
    for round_no in range(repeat):
        order = names[round_no % len(names) :] + names[: round_no % len(names)]
        for task in TASKS:
            for name in order:
                runs[name][task].append(_time(contenders[name][task]))
    # the title_index (and search index) rebuilt before each call: what a new view costs
    cold: dict[str, list[float]] = defaultdict(list)
    for _ in range(max(3, repeat // 3)):
        for task in TASKS:
            clear_caches(store)
            cold[task].append(_time(calls[task]))
    catalog_s = []
    for _ in range(max(3, repeat // 3)):
        clear_caches(store)
        catalog_s.append(_time(lambda: _catalog(store)))
    out = {name: {t: summarise(v) for t, v in r.items()} for name, r in runs.items()}
    out["chartwatch_cold_catalog"] = {t: summarise(v) for t, v in cold.items()}
    out["catalog_build"] = summarise(catalog_s)
    return out


def _run(argv: list[str], env: dict[str, str]) -> tuple[float, str]:
    return run_timed(argv, env, keep_stdout=True)


def processes(db: Path, folder: Path, tmp: Path, repeat: int) -> dict[str, Any]:
    """New processes: the chartwatch command line, the first call in a new Python process,
    and the pandas cell run as a script."""
    env = child_env(tmp / "pycache")
    out: dict[str, dict[str, Any]] = {"cli": {}, "first_call": {}, "pandas_script": {}}
    for task in TASKS:
        argv = CLI_ARGS[task]
        if argv is not None:
            cli = [str(CHARTWATCH), *argv, "--db", str(db)]
            _run(cli, env)  # warm-up (also writes the bytecode cache)
            out["cli"][task] = summarise([_run(cli, env)[0] for _ in range(repeat)])
            out["cli"][task]["argv"] = ["chartwatch", *argv, "--db", "STORE"]
        first = [sys.executable, str(Path(__file__)), "--first-call", task, "--db", str(db)]
        _run(first, env)
        firsts = [json.loads(_run(first, env)[1])["first_call_s"] for _ in range(repeat)]
        out["first_call"][task] = summarise(firsts)
        script = [sys.executable, str(HERE / "_pandas_analytics.py"), task, str(folder)]
        _run(script, env)
        out["pandas_script"][task] = summarise([_run(script, env)[0] for _ in range(repeat)])
    return out


def first_call(task: str, db: Path) -> float:
    """In a new process: open the store and time the first call (the title_index is built, lazy
    imports such as rapidfuzz happen)."""
    store = chartwatch.open_store(db)
    try:
        return _time(chartwatch_calls(store)[task])
    finally:
        store.close()


# -- where the time goes -------------------------------------------------------------------


_SUBQUERIES = (
    (re.compile(r"\(SELECT r\.\*, coalesce\(a\.canonical.*?WHERE r\.list = [?$\w]+\)"), "TITLED"),
    (re.compile(r"\(SELECT v\.list, .*?USING \(version_id\)\)"), "VISIBLE"),
)

_BOARD = re.compile(r"SELECT \* FROM \( ?SELECT show_title, CASE WHEN film .*? (\w+), (\w+), title")


def _shorten(sql: str) -> str:
    """A statement on one line, with the subqueries every analytic repeats named
    ``TITLED`` (frame.titled_rows) and ``VISIBLE`` (views.visible_rows)."""
    text = " ".join(sql.split())
    for pattern, name in _SUBQUERIES:
        text = pattern.sub(name, text)
    board = _BOARD.match(text)
    if board:
        return f"leaderboard of {board[2]}: per-title aggregates over TITLED (records._board)"
    return text.replace("( ", "(").replace(" )", ")")[:160]


def profile(store: Any, calls_per_task: int = 10) -> dict[str, Any]:
    """Per call, warm: time in each SQL statement, and the Python functions that take the
    rest (cProfile, own time)."""
    calls = chartwatch_calls(store)
    calls["catalog_build"] = lambda: (clear_caches(store), _catalog(store))
    out = {}
    for task, fn in calls.items():
        fn()
        prof = cProfile.Profile()
        with sql_timed(store, _shorten) as timed:
            start = time.perf_counter()
            prof.enable()
            for _ in range(calls_per_task):
                fn()
            prof.disable()
            total = (time.perf_counter() - start) / calls_per_task
        sql = sum(t for _, t in timed.spent.values()) / calls_per_task
        st = pstats.Stats(prof)
        own = sorted(
            (
                (f"{Path(file).name}:{line}({func})", tt / calls_per_task)
                for (file, line, func), (_, _, tt, _, _) in st.stats.items()  # type: ignore[attr-defined]
                if "execute" not in func and Path(file).name != Path(__file__).name
            ),
            key=lambda item: -item[1],
        )
        out[task] = {
            "call_s": total,
            "sql_s": sql,
            "python_s": total - sql,
            "statements_per_call": sum(n for n, _ in timed.spent.values()) / calls_per_task,
            "statements": [
                {"sql": s, "calls": n / calls_per_task, "s": t / calls_per_task}
                for s, (n, t) in sorted(timed.spent.items(), key=lambda kv: -kv[1][1])
            ],
            "python_top": [{"function": f, "s": t} for f, t in own[:8]],
        }
    return out


# -- the whole benchmark -------------------------------------------------------------------


def ratios(result: dict[str, Any]) -> dict[str, Any]:
    """pandas time / chartwatch time (how many times faster chartwatch is; aim >= 10)."""
    ip, pr = result["in_process"], result["processes"]
    out: dict[str, Any] = {}
    for task in TASKS:
        warm = ip["chartwatch_warm"][task]["median_s"]
        entry = {
            "warm_vs_pandas_compute": ip["pandas_compute"][task]["median_s"] / warm,
            "warm_vs_pandas_load_compute": ip["pandas_load_compute"][task]["median_s"] / warm,
        }
        if task in pr["cli"]:
            cli = pr["cli"][task]["median_s"]
            entry["cli_vs_pandas_load_compute"] = ip["pandas_load_compute"][task]["median_s"] / cli
            entry["cli_vs_pandas_script"] = pr["pandas_script"][task]["median_s"] / cli
        out[task] = entry
    return out


def measure(repeat: int, with_profile: bool) -> dict[str, Any]:
    import pandas as pd

    import _pandas_analytics as pda

    if pda.CATEGORY != CATEGORY:
        raise SystemExit("bench_analytics and _pandas_analytics ask about different categories")

    with (
        tempfile.TemporaryDirectory(prefix="chartwatch-bench-analytics-") as tmp_name,
        OtherLoad() as other,
    ):
        tmp = Path(tmp_name)
        folder = tmp / "tsv"
        folder.mkdir()
        decompress_to(folder)
        db = tmp / "store.duckdb"
        store = chartwatch.open_store(db)
        try:
            load_s = _time(lambda: chartwatch.load_bundled(store))
            g, c = pda.load(folder)
            checks = check_answers(store, g, c)
            ip = in_process(store, folder, repeat)
            prof = profile(store) if with_profile else None
        finally:
            store.close()
        procs = processes(db, folder, tmp, CLI_REPEAT)
    result: dict[str, Any] = {
        "benchmark": "analytics",
        "repeat": repeat,
        "cli_repeat": CLI_REPEAT,
        "pandas_version": pd.__version__,
        "bundled_load_s": load_s,
        "answers": checks,
        "in_process": ip,
        "processes": procs,
        "other_load_cores": other.cores,
        "aim": (
            f"title, brief, records < {AIM_WARM_S * 1000:.0f} ms warm; CLI < {AIM_CLI_S:g} s "
            f"cold; >= {AIM_RATIO:g}x pandas"
        ),
    }
    result["ratios"] = ratios(result)
    warm = ip["chartwatch_warm"]
    result["aims"] = {
        "warm": {t: warm[t]["median_s"] < AIM_WARM_S for t in TASKS},
        "cli": {t: r["median_s"] < AIM_CLI_S for t, r in procs["cli"].items()},
        "ratio_warm_vs_pandas_compute": {
            t: r["warm_vs_pandas_compute"] >= AIM_RATIO for t, r in result["ratios"].items()
        },
        "ratio_cli_vs_pandas_load_compute": {
            t: r["cli_vs_pandas_load_compute"] >= AIM_RATIO
            for t, r in result["ratios"].items()
            if "cli_vs_pandas_load_compute" in r
        },
    }
    result["aim_met"] = all(all(v.values()) for v in result["aims"].values())
    if prof is not None:
        result["profile"] = prof
    return result


def _x(value: float) -> str:
    return f"{value:.2f}x" if value < 10 else f"{value:.0f}x"


def summary(result: dict[str, Any]) -> str:
    ip, pr, rt = result["in_process"], result["processes"], result["ratios"]
    warm, cold = ip["chartwatch_warm"], ip["chartwatch_cold_catalog"]
    width = max(len(label) for label in LABELS.values()) + 2
    lines = [
        f"chartwatch in-process on the bundled data (store loaded in "
        f"{ms(result['bundled_load_s'])}); warm = median (p95) of {result['repeat']} calls; "
        f"pandas {result['pandas_version']} over the same raw files; the answers agree "
        f"({result['answers']['values_checked']} values checked)",
        "",
        f"  {'':<{width}}{'warm':>8}{'p95':>8}{'titles':>9}{'first':>8}  aim < {ms(AIM_WARM_S)}",
        f"  {'':<{width}}{'':>8}{'':>8}{'rebuilt':>9}{'call':>8}",
    ]
    for task in TASKS:
        w = warm[task]["median_s"]
        verdict = "met" if w < AIM_WARM_S else f"MISSED ({w / AIM_WARM_S:.1f}x the aim)"
        lines.append(
            f"  {LABELS[task]:<{width}}{ms(w):>8}{ms(warm[task]['p95_s']):>8}"
            f"{ms(cold[task]['median_s']):>9}{ms(pr['first_call'][task]['median_s']):>8}"
            f"  {verdict}"
        )
    lines += [
        f"  (title_index rebuilt: caches cleared before each call; first call: in a new process; "
        f"building the title index alone: {ms(ip['catalog_build']['median_s'])})",
        "",
        f"  against pandas: time and pandas / chartwatch warm (aim >= {AIM_RATIO:g}x)",
        f"  {'':<{width}}{'compute only':>22}{'load + compute':>22}",
    ]
    for task in TASKS:
        comp = ip["pandas_compute"][task]["median_s"]
        cell = ip["pandas_load_compute"][task]["median_s"]
        lines.append(
            f"  {LABELS[task]:<{width}}{ms(comp):>12}{_x(rt[task]['warm_vs_pandas_compute']):>10}"
            f"{ms(cell):>12}{_x(rt[task]['warm_vs_pandas_load_compute']):>10}"
        )
    lines += [
        "",
        f"Cold command line (new process, prepared store); median of {result['cli_repeat']} "
        f"after one warm-up; aim < {AIM_CLI_S:g} s and >= {AIM_RATIO:g}x pandas load + compute",
        "",
    ]
    for task, r in pr["cli"].items():
        verdict = "met" if r["median_s"] < AIM_CLI_S else "MISSED"
        lines += [
            f"  {' '.join(r['argv'])}",
            f"    {ms(r['median_s'])} (max {ms(r['max_s'])}): {verdict}; pandas load + compute "
            f"{ms(ip['pandas_load_compute'][task]['median_s'])} "
            f"({_x(rt[task]['cli_vs_pandas_load_compute'])}), the pandas cell as a new process "
            f"{ms(pr['pandas_script'][task]['median_s'])} ({_x(rt[task]['cli_vs_pandas_script'])})",
        ]
    lines.append(f"  other processes kept {result['other_load_cores']} of the cores busy meanwhile")
    if "profile" in result:
        for task, p in result["profile"].items():
            lines += [
                "",
                f"Where {task} spends its time (warm, per call: {ms(p['call_s'])}; SQL "
                f"{ms(p['sql_s'])} in {p['statements_per_call']:.0f} statements, Python "
                f"{ms(p['python_s'])}):",
            ]
            for st in p["statements"][:8]:
                lines.append(f"  {st['s'] * 1000:6.1f} ms  x{st['calls']:<3g} {st['sql'][:100]}")
            lines.append("  Python, own time:")
            for fn in p["python_top"][:5]:
                lines.append(f"  {fn['s'] * 1000:6.1f} ms  {fn['function']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = arguments(__doc__, repeat=30, repeat_help="warm calls of each")
    parser.add_argument(
        "--profile", action="store_true", help="also show where each call spends its time"
    )
    parser.add_argument("--first-call", choices=TASKS, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parse(parser, argv)
    if args.first_call:  # the child process of the first-call timing
        print(json.dumps({"first_call_s": first_call(args.first_call, args.db)}))
        return 0
    if not CHARTWATCH.exists():
        parser.error(f"no chartwatch script next to {sys.executable}; pip install -e . first")
    return publish(measure(args.repeat, args.profile), args, summary, save=RESULTS)


if __name__ == "__main__":
    sys.exit(main())
