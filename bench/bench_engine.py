"""The chart engine on 10 M and 100 M viewing events, against four other ways to do it.

The events are ``chartwatch synth`` of every bundled week (2021-07 to 2024-06: 156 weeks,
4,200 titles, 104 countries) with 0.1 % bad events (duplicates, negative and over-long
durations, unknown titles, bad country codes, missing fields). 10 M is scale 1e-4, 100 M
scale 1e-3 with the same sessions: ten times the events over the same titles, weeks and
countries, so the step from one to the other measures how the work scales with events.

Every contender computes the same global and country Top 10 lists from the same
Parquet file, in its own process (timed from start to exit; peak memory is the largest
sum of the resident memory of the process and its children, sampled every 0.1 s):

* chartwatch: ``chartwatch build EVENTS CATALOG -o DIR`` (DuckDB, all cores), from an
  empty output folder; also the same build again with nothing changed (incremental).
* floor: the same lists hand-written as DuckDB SQL (dedupe with ``QUALIFY``, one
  aggregate, the rankings): what a good analyst would write, with no file checks, state,
  most-popular lists or report. chartwatch aims to stay within 1.25x of it.
* polars: the same steps as a Polars lazy query on its streaming engine.
* pandas: the same steps as a pandas notebook would do them (read_parquet, sort and
  drop_duplicates, groupby), in a process capped at ``--pandas-cap`` GiB of memory so that
  running out of memory is an error, not a machine brought down.
* spark: ``chartwatch build --engine spark`` in local mode (``local[*]``).

The lists of every contender are checked against chartwatch's (week, list, rank, title).

    .venv/bin/python bench/bench_engine.py --events 10M [--only chartwatch,floor,...]
        [--data DIR] [--repeat N] [--pandas-cap GIB] [--timeout S] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _common import OtherLoad, emit_json, machine, stats

HERE = Path(__file__).resolve().parent
DATASETS = {"10M": 1e-4, "100M": 1e-3}
SESSION_MINUTES = 70
NOISE = 0.001
HOURS_STEP = {"10M": (1, 10), "100M": (10, 100)}
VIEWS_STEP = {"10M": 10, "100M": 100}
CONTENDERS = ("chartwatch", "floor", "polars", "pandas", "spark")
MAX_SECONDS = 86_400


# -- the data ------------------------------------------------------------------------------


def dataset(data: Path, size: str) -> Path:
    """DIR/size/events.parquet and catalog.csv, made once by synth and kept."""
    folder = data / size
    if not (folder / "events.parquet").exists():
        from chartwatch.engine import synth

        print(f"making {size} events in {folder} ...", file=sys.stderr, flush=True)
        report = synth(
            ["bundled"],
            folder,
            scale=DATASETS[size],
            noise=NOISE,
            session_minutes=SESSION_MINUTES,
        )
        (folder / "synth.json").write_text(json.dumps(report.to_dict(), indent=2))
    return folder


# -- measuring a process -------------------------------------------------------------------


def _tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and every process under it."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            status = (entry / "statm").read_text().split()
        except OSError:
            continue
        pid = int(entry.name)
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(pid)
        rss[pid] = int(status[1]) * os.sysconf("SC_PAGE_SIZE")
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total


def run_measured(argv: list[str], timeout: float) -> dict[str, Any]:
    """Run ``argv``; wall time, peak memory of its process tree, exit code, its JSON."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.1):
            peak = max(peak, _tree_rss(proc.pid))

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        out, err = proc.communicate(timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        timed_out = True
    done.set()
    thread.join()
    wall = time.perf_counter() - start
    result: dict[str, Any] = {
        "wall_s": wall,
        "peak_rss_gib": round(peak / 2**30, 2),
        "exit_code": proc.returncode,
        "timed_out": timed_out,
    }
    if proc.returncode == 0 and out.strip():
        try:
            result["output"] = json.loads(out.strip().splitlines()[-1])
        except ValueError:
            result["stdout_tail"] = out[-500:]
    if proc.returncode != 0:
        result["stderr_tail"] = err[-800:]
    return result


# -- the contenders (each runs in its own process via --run) -----------------------------


def _lists_from_chartwatch(out: Path) -> list[tuple[str, str, int, str]]:
    import csv

    rows: list[tuple[str, str, int, str]] = []
    with (out / "all-weeks-global.tsv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            rows.append((r["week"], r["category"], int(r["weekly_rank"]), r["show_title"]))
    with (out / "all-weeks-countries.tsv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            key = f"{r['country_iso2']} {r['category']}"
            rows.append((r["week"], key, int(r["weekly_rank"]), r["show_title"]))
    return sorted(rows)


def _save_lists(rows: list[tuple[str, str, int, str]], path: Path) -> None:
    path.write_text(json.dumps(sorted([list(r) for r in rows])))


FLOOR_SQL = """
SET TimeZone = 'UTC';
CREATE TEMP TABLE cat AS
    SELECT title_id, show_title,
           CASE WHEN type = 'TV' THEN 'TV' ELSE 'Films' END AS kind,
           CASE WHEN type = 'TV' THEN 'TV' ELSE 'Films' END || ' (' || language || ')' AS category,
           runtime,
           coalesce(CAST(from_week AS DATE), DATE '0001-01-07') AS from_week,
           coalesce(lead(CAST(from_week AS DATE))
                        OVER (PARTITION BY title_id ORDER BY from_week NULLS FIRST) - 1,
                    DATE '9999-12-31') AS to_day
    FROM read_csv('{catalog}', header = true, all_varchar = false);
CREATE TEMP TABLE sums AS
    SELECT week, title_id, country_iso2, sum(seconds) AS seconds
    FROM (
        SELECT *,
               CAST(started_at AS DATE) + CAST(7 - isodow(CAST(started_at AS DATE)) AS INTEGER)
                   AS week
        FROM read_parquet('{events}')
        WHERE event_id IS NOT NULL AND title_id IS NOT NULL AND country_iso2 IS NOT NULL
          AND started_at IS NOT NULL AND seconds IS NOT NULL
        QUALIFY row_number() OVER (PARTITION BY week, event_id
                                   ORDER BY started_at, seconds, title_id, country_iso2) = 1
    )
    WHERE seconds BETWEEN 0 AND {cap} AND regexp_full_match(country_iso2, '[A-Z][A-Z]')
    GROUP BY ALL;
CREATE TEMP TABLE scored AS
    SELECT s.week, s.title_id, s.country_iso2, s.seconds, c.show_title, c.kind, c.category,
           c.runtime,
           CASE WHEN s.week >= DATE '2023-06-18' THEN s.seconds / (3600 * c.runtime) END AS views
    FROM sums s JOIN cat c ON s.title_id = c.title_id AND s.week BETWEEN c.from_week AND c.to_day;
"""

FLOOR_LISTS = """
SELECT week, category, rank, show_title FROM (
    SELECT week, category, show_title,
           row_number() OVER (PARTITION BY week, category
                              ORDER BY views DESC NULLS LAST, seconds DESC, show_title, title_id)
               AS rank
    FROM (SELECT week, title_id, category, show_title, sum(seconds) AS seconds,
                 CASE WHEN week >= DATE '2023-06-18'
                      THEN sum(seconds) / (3600 * any_value(runtime)) END AS views
          FROM scored GROUP BY week, title_id, category, show_title)
) WHERE rank <= 10
UNION ALL
SELECT week, country_iso2 || ' ' || kind, rank, show_title FROM (
    SELECT week, country_iso2, kind, show_title,
           row_number() OVER (PARTITION BY week, country_iso2, kind
                              ORDER BY views DESC NULLS LAST, seconds DESC, show_title, title_id)
               AS rank
    FROM scored WHERE country_iso2 IN ({countries})
) WHERE rank <= 10
"""


def run_chartwatch(data: Path, work: Path, size: str) -> tuple[dict[str, Any], Callable[[], Any]]:
    out = work / "out"
    argv = [
        str(Path(sys.executable).parent / "chartwatch"),
        "build",
        str(data / "events.parquet"),
        str(data / "catalog.csv"),
        "-o",
        str(out),
        "--round-hours",
        "/".join(map(str, HOURS_STEP[size])),
        "--round-views",
        str(VIEWS_STEP[size]),
        "--json",
    ]
    proc = subprocess.run(argv, capture_output=True, text=True, check=True)
    report = json.loads(proc.stdout)
    info = {"charted_events": report["charted_events"], "problems": report["problems"]}
    return info, lambda: _lists_from_chartwatch(out)


def run_floor(data: Path, work: Path, size: str) -> tuple[dict[str, Any], Callable[[], Any]]:
    import duckdb

    from chartwatch.engine.countries import NETFLIX_COUNTRIES

    con = duckdb.connect()
    con.execute(f"SET temp_directory = '{work / 'tmp'}'")
    con.execute(
        FLOOR_SQL.format(
            events=data / "events.parquet", catalog=data / "catalog.csv", cap=MAX_SECONDS
        )
    )
    countries = ", ".join(f"'{c}'" for c in NETFLIX_COUNTRIES)
    rows = con.execute(FLOOR_LISTS.format(countries=countries)).fetchall()
    return {"rows": len(rows)}, lambda: [(str(w), c, int(r), t) for w, c, r, t in rows]


def _countries() -> list[str]:
    from chartwatch.engine.countries import NETFLIX_COUNTRIES

    return list(NETFLIX_COUNTRIES)


def _catalog_frame(path: Path) -> Any:
    import pandas as pd

    cat = pd.read_csv(path, keep_default_na=False, na_values=[""])
    cat["kind"] = cat["type"].where(cat["type"] == "TV", "Films")
    cat["category"] = cat["kind"] + " (" + cat["language"] + ")"
    cat["from_week"] = pd.to_datetime(cat["from_week"]).fillna(pd.Timestamp("1900-01-07"))
    cat = cat.sort_values(["title_id", "from_week"])
    nxt = cat.groupby("title_id")["from_week"].shift(-1)
    cat["to_day"] = (nxt - pd.Timedelta(days=1)).fillna(pd.Timestamp("2200-01-01"))
    return cat[["title_id", "show_title", "kind", "category", "runtime", "from_week", "to_day"]]


def _rank(frame: Any, keys: list[str]) -> Any:
    frame = frame.sort_values(
        [*keys, "views", "seconds", "show_title", "title_id"],
        ascending=[True] * len(keys) + [False, False, True, True],
        na_position="last",
    )
    frame["rank"] = frame.groupby(keys).cumcount() + 1
    return frame[frame["rank"] <= 10]


def run_pandas(data: Path, work: Path, size: str) -> tuple[dict[str, Any], Callable[[], Any]]:
    import pandas as pd

    def step(name: str) -> None:  # where it runs out of memory, if it does
        print(f"pandas: {name}", file=sys.stderr, flush=True)

    step("read_parquet")
    df = pd.read_parquet(data / "events.parquet")
    step("dropna")
    df = df.dropna(subset=["event_id", "title_id", "country_iso2", "started_at", "seconds"])
    step("week")
    day = df["started_at"].dt.tz_convert("UTC").dt.tz_localize(None).dt.normalize()
    df["week"] = day + pd.to_timedelta(6 - day.dt.weekday, unit="D")
    step("sort_values")
    df = df.sort_values(["week", "event_id", "started_at", "seconds", "title_id", "country_iso2"])
    step("drop_duplicates")
    df = df.drop_duplicates(["week", "event_id"], keep="first")
    step("groupby")
    df = df[(df["seconds"] >= 0) & (df["seconds"] <= MAX_SECONDS)]
    df = df[df["country_iso2"].str.fullmatch("[A-Z][A-Z]")]
    sums = df.groupby(["week", "title_id", "country_iso2"], as_index=False)["seconds"].sum()
    del df
    cat = _catalog_frame(data / "catalog.csv")
    scored = sums.merge(cat, on="title_id")
    scored = scored[(scored["week"] >= scored["from_week"]) & (scored["week"] <= scored["to_day"])]
    late = scored["week"] >= pd.Timestamp("2023-06-18")
    scored["views"] = (scored["seconds"] / (3600 * scored["runtime"])).where(late)
    glob = scored.groupby(["week", "title_id", "category", "show_title"], as_index=False).agg(
        seconds=("seconds", "sum"), runtime=("runtime", "first")
    )
    glob["views"] = (glob["seconds"] / (3600 * glob["runtime"])).where(
        glob["week"] >= pd.Timestamp("2023-06-18")
    )
    top = _rank(glob, ["week", "category"])
    country = scored[scored["country_iso2"].isin(_countries())].copy()
    country["list"] = country["country_iso2"] + " " + country["kind"]
    ctop = _rank(country, ["week", "list"])

    def rows() -> list[tuple[str, str, int, str]]:
        columns = ["week", "category", "rank", "show_title"]
        return [
            (w.date().isoformat(), c, int(r), t)
            for w, c, r, t in top[columns].itertuples(index=False)
        ] + [
            (w.date().isoformat(), c, int(r), t)
            for w, c, r, t in ctop[["week", "list", "rank", "show_title"]].itertuples(index=False)
        ]

    return {"rows": len(top) + len(ctop)}, rows


def run_polars(data: Path, work: Path, size: str) -> tuple[dict[str, Any], Callable[[], Any]]:
    import polars as pl

    events = pl.scan_parquet(data / "events.parquet")
    day = pl.col("started_at").dt.convert_time_zone("UTC").dt.date()
    sums = (
        events.drop_nulls(["event_id", "title_id", "country_iso2", "started_at", "seconds"])
        .with_columns(week=day + pl.duration(days=7 - day.dt.weekday()))
        .sort(["week", "event_id", "started_at", "seconds", "title_id", "country_iso2"])
        .unique(["week", "event_id"], keep="first", maintain_order=True)
        .filter(
            pl.col("seconds").is_between(0, MAX_SECONDS)
            & pl.col("country_iso2").str.contains(r"^[A-Z][A-Z]$")
        )
        .group_by(["week", "title_id", "country_iso2"])
        .agg(pl.col("seconds").sum())
        .collect(engine="streaming")
    )
    cat = pl.from_pandas(_catalog_frame(data / "catalog.csv")).with_columns(
        pl.col("from_week").dt.date(), pl.col("to_day").dt.date()
    )
    scored = sums.join(cat, on="title_id").filter(
        pl.col("week").is_between(pl.col("from_week"), pl.col("to_day"))
    )
    late = pl.col("week") >= pl.date(2023, 6, 18)
    views = pl.when(late).then(pl.col("seconds") / (3600 * pl.col("runtime")))

    def rank(frame: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
        return (
            frame.sort(
                [*keys, "views", "seconds", "show_title", "title_id"],
                descending=[False] * len(keys) + [True, True, False, False],
                nulls_last=True,
            )
            .with_columns(rank=pl.int_range(1, pl.len() + 1).over(keys))
            .filter(pl.col("rank") <= 10)
        )

    glob = (
        scored.group_by(["week", "title_id", "category", "show_title"])
        .agg(pl.col("seconds").sum(), pl.col("runtime").first())
        .with_columns(views=views)
    )
    top = rank(glob, ["week", "category"])
    country = scored.filter(pl.col("country_iso2").is_in(_countries())).with_columns(
        views=views, list=pl.col("country_iso2") + " " + pl.col("kind")
    )
    ctop = rank(country, ["week", "list"])

    def rows() -> list[tuple[str, str, int, str]]:
        return [
            (w.isoformat(), c, int(r), t)
            for w, c, r, t in top.select(["week", "category", "rank", "show_title"]).iter_rows()
        ] + [
            (w.isoformat(), c, int(r), t)
            for w, c, r, t in ctop.select(["week", "list", "rank", "show_title"]).iter_rows()
        ]

    return {"rows": top.height + ctop.height}, rows


def run_spark(data: Path, work: Path, size: str) -> tuple[dict[str, Any], Callable[[], Any]]:
    from chartwatch.engine import Method, build

    report = build(
        data / "events.parquet",
        data / "catalog.csv",
        work / "out",
        method=Method(hours_step=HOURS_STEP[size], views_step=VIEWS_STEP[size]),
        engine="spark",
        spark_master="local[*]",
        spark_conf={"spark.driver.memory": "12g", "spark.sql.shuffle.partitions": "64"},
    )
    return {"charted_events": report.charted_events}, lambda: _lists_from_chartwatch(work / "out")


Rows = list[tuple[str, str, int, str]]
RUNNERS: dict[str, Callable[[Path, Path, str], tuple[dict[str, Any], Callable[[], Rows]]]] = {
    "chartwatch": run_chartwatch,
    "floor": run_floor,
    "polars": run_polars,
    "pandas": run_pandas,
    "spark": run_spark,
}


def _cpu_seconds() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def child(name: str, data: Path, work: Path, size: str, cap_gib: float | None) -> int:
    if cap_gib:
        import resource

        limit = int(cap_gib * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    start = time.perf_counter()
    cpu_start = _cpu_seconds()
    try:
        result, rows = RUNNERS[name](data, work, size)
    except MemoryError:
        print("MemoryError", file=sys.stderr, flush=True)
        print(json.dumps({"error": "MemoryError", "work_s": time.perf_counter() - start}))
        return 3
    result["work_s"] = time.perf_counter() - start
    # CPU of this process and the processes it waited for (chartwatch's command line); not
    # Spark's JVM, which is not a child that is waited for
    result["work_cpu_s"] = _cpu_seconds() - cpu_start
    listed = rows()  # to compare with chartwatch's; not timed
    _save_lists(listed, work / "lists.json")
    _save_lists(listed, data / f"lists-{name}.json")  # kept for --compare
    print(json.dumps(result))
    return 0


# -- the benchmark -------------------------------------------------------------------------


def measure(
    size: str, data_root: Path, only: list[str], repeat: int, pandas_cap: float, timeout: float
) -> dict[str, Any]:
    data = dataset(data_root, size)
    synth_report = json.loads((data / "synth.json").read_text())
    events = synth_report["events"]
    results: dict[str, Any] = {}
    reference: list[Any] | None = None
    runs_of: dict[str, list[dict[str, Any]]] = {name: [] for name in only}
    # Round by round (chartwatch, floor, ..., then again), so that contenders measured
    # back to back share the machine's load; pandas and Spark run once.
    for round_no in range(repeat):
        for name in only:
            if round_no > 0 and name in ("pandas", "spark"):
                continue
            with tempfile.TemporaryDirectory(dir=data_root) as tmp:
                work = Path(tmp)
                argv = [sys.executable, __file__, "--run", name, "--dataset", str(data)]
                argv += ["--work", str(work), "--events", size]
                if name == "pandas":
                    argv += ["--pandas-cap", str(pandas_cap)]
                with OtherLoad() as load:
                    run = run_measured(argv, timeout)
                run["other_load_cores"] = load.cores
                # the contender's own work, without Python's start-up and the list check
                run["process_s"] = run["wall_s"]
                run["wall_s"] = run.get("output", {}).get("work_s", run["wall_s"])
                run["cpu_s"] = run.get("output", {}).get("work_cpu_s")
                lists = work / "lists.json"
                if lists.exists():
                    got = json.loads(lists.read_text())
                    if name == "chartwatch":
                        reference = got
                    run["same_lists_as_chartwatch"] = (
                        None if reference is None else got == reference
                    )
                if name == "chartwatch" and run["exit_code"] == 0:
                    # nothing changed: the incremental build reuses every week
                    again = run_measured(_rebuild_argv(data, work, size), timeout)
                    run["rebuild_unchanged_s"] = again["wall_s"]
                runs_of[name].append(run)
            print(f"  {size} {name}: {_line(run, events)}", file=sys.stderr, flush=True)
    for name, runs in runs_of.items():
        ok = [r for r in runs if r["exit_code"] == 0]
        results[name] = {
            "runs": runs,
            **(stats([r["wall_s"] for r in ok]) if ok else {}),
            "peak_rss_gib": max((r["peak_rss_gib"] for r in runs), default=None),
            "events_per_s": events / min(r["wall_s"] for r in ok) if ok else None,
            # core-microseconds per event, the least CPU of the runs (less skewed by load)
            "cpu_us_per_event": (
                min(r["cpu_s"] for r in ok if r.get("cpu_s")) / events * 1e6
                if any(r.get("cpu_s") for r in ok)
                else None
            ),
        }
    paired = [
        c["wall_s"] / f["wall_s"]
        for c, f in zip(runs_of.get("chartwatch", []), runs_of.get("floor", []), strict=False)
        if c["exit_code"] == 0 and f["exit_code"] == 0
    ]
    floor = results.get("floor", {}).get("min_s")
    cw = results.get("chartwatch", {}).get("min_s")
    return {
        "events": events,
        "parquet_gib": round((data / "events.parquet").stat().st_size / 2**30, 2),
        "results": results,
        "ratio_chartwatch_to_floor": cw / floor if cw and floor else None,
        # each round's chartwatch time over the floor's time measured right after it
        "paired_ratios": [round(r, 3) for r in paired],
    }


def _rebuild_argv(data: Path, work: Path, size: str) -> list[str]:
    return [
        str(Path(sys.executable).parent / "chartwatch"),
        "build",
        str(data / "events.parquet"),
        str(data / "catalog.csv"),
        "-o",
        str(work / "out"),
        "--round-hours",
        "/".join(map(str, HOURS_STEP[size])),
        "--round-views",
        str(VIEWS_STEP[size]),
        "--json",
    ]


def _line(run: dict[str, Any], events: int) -> str:
    if run["timed_out"]:
        return f"timed out after {run['wall_s']:.0f} s (peak {run['peak_rss_gib']} GiB)"
    if run["exit_code"] != 0:
        tail = run.get("stderr_tail", "").strip().splitlines()
        return f"failed (exit {run['exit_code']}, peak {run['peak_rss_gib']} GiB): {tail[-1:]}"
    same = run.get("same_lists_as_chartwatch")
    return (
        f"{run['wall_s']:.1f} s (CPU {run.get('cpu_s') or 0:.1f} s), "
        f"{events / run['wall_s'] / 1e6:.2f} M events/s, "
        f"peak {run['peak_rss_gib']} GiB, same lists: {same}, other load "
        f"{run.get('other_load_cores')} cores"
    )


def compare(data_root: Path, size: str) -> dict[str, bool]:
    """Each contender's last lists against chartwatch's (both kept in the data folder)."""
    folder = data_root / size
    reference = folder / "lists-chartwatch.json"
    if not reference.exists():
        raise SystemExit(f"no chartwatch lists in {folder}: run --only chartwatch first")
    expected = json.loads(reference.read_text())
    same = {}
    for path in sorted(folder.glob("lists-*.json")):
        name = path.stem.removeprefix("lists-")
        same[name] = json.loads(path.read_text()) == expected
    out = HERE / "results" / f"engine-{size}.json"
    if out.exists():
        result = json.loads(out.read_text(encoding="utf-8"))
        for name, ok in same.items():
            if name in result[size]["results"]:
                result[size]["results"][name]["same_lists_as_chartwatch"] = ok
        out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return same


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", choices=sorted(DATASETS), default="10M")
    parser.add_argument("--only", default=",".join(CONTENDERS), help="contenders, comma-separated")
    parser.add_argument(
        "--data",
        type=Path,
        default=Path(os.environ.get("CHARTWATCH_BENCH_DATA", "/tmp/chartwatch-bench")),
        help="where the generated events are kept (about 0.2 GiB for 10M, 2 GiB for 100M)",
    )
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--pandas-cap", type=float, default=16.0, help="GiB")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds per run")
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--compare",
        action="store_true",
        help="compare every contender's last lists with chartwatch's and record it",
    )
    parser.add_argument("--run", help=argparse.SUPPRESS)
    parser.add_argument("--dataset", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run:
        cap = args.pandas_cap if args.run == "pandas" else None
        return child(args.run, args.dataset, args.work, args.events, cap)
    args.data.mkdir(parents=True, exist_ok=True)
    if args.compare:
        print(json.dumps(compare(args.data, args.events), indent=2))
        return 0
    only = [c for c in args.only.split(",") if c]
    unknown = set(only) - set(CONTENDERS)
    if unknown:
        parser.error(f"unknown contender(s): {', '.join(sorted(unknown))}")
    info = machine()
    result = {
        "machine": info,
        args.events: measure(
            args.events, args.data, only, args.repeat, args.pandas_cap, args.timeout
        ),
    }
    out = HERE / "results" / f"engine-{args.events}.json"
    out.parent.mkdir(exist_ok=True)
    if out.exists():  # keep the contenders this run did not measure
        old = json.loads(out.read_text(encoding="utf-8"))
        kept = old.get(args.events, {}).get("results", {})
        result[args.events]["results"] = {**kept, **result[args.events]["results"]}
        result["machine_before"] = old.get("machine")
        cw = result[args.events]["results"].get("chartwatch", {}).get("min_s")
        floor = result[args.events]["results"].get("floor", {}).get("min_s")
        result[args.events]["ratio_chartwatch_to_floor"] = cw / floor if cw and floor else None
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    if args.json:
        emit_json(result)
    else:
        print(f"written: {out.relative_to(HERE.parent)}")
    shutil.rmtree(args.data / "tmp", ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
