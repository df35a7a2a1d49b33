"""A build, step by step: from viewing events and a catalogue to Netflix's Top 10 files.

The steps, whatever the engine:

1. check the catalogue and list the events files;
2. find the weeks to compute: every week of the range that was never built, or whose
   events files changed since (an incremental build reuses the others);
3. stage 1 of the method on the engine, over the files holding those weeks only; its
   daily sums replace those weeks in the state;
4. stage 2 on the engine over every week in the state: the lists, cumulative weeks, the
   most-popular lists, the bad-event counts;
5. write ``all-weeks-global.tsv``, ``all-weeks-countries.tsv``, ``most-popular.tsv`` and
   ``build-report.json`` into the output folder.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from chartwatch.engine import inputs, output
from chartwatch.engine.method import EARLIEST_DAY, Method, daily_sql, latest_day, lists_sql, lit
from chartwatch.engine.runners import (
    DuckDBRunner,
    Progress,
    Runner,
    SparkRunner,
    kept,
    parquet_glob,
)
from chartwatch.engine.state import FileState, State, WeekState
from chartwatch.errors import BadInputError, UsageError

ENGINES = ("duckdb", "spark")
REPORT_FILE = "build-report.json"
ONE_WEEK = dt.timedelta(days=7)


def week_end(day: dt.date) -> dt.date:
    """The Sunday ending the Monday–Sunday week that holds ``day``."""
    return day + dt.timedelta(days=6 - day.weekday())


def parse_weeks(text: str | None) -> tuple[dt.date | None, dt.date | None]:
    """``FROM..TO`` (either side may be left out) or one date, as week-ending Sundays."""
    if text is None or text.strip() == "":
        return None, None
    from chartwatch.dates import parse_date

    if ".." in text:
        left, right = text.split("..", 1)
    else:
        left = right = text
    first = week_end(parse_date(left, option="weeks")) if left.strip() else None
    last = week_end(parse_date(right, option="weeks")) if right.strip() else None
    if first and last and first > last:
        raise UsageError(f"{text!r} ends before it starts", parameter="weeks")
    return first, last


@dataclass
class BuildReport:
    """What a build did. ``problems`` counts bad events over every week in the output;
    ``this_run`` counts what only this run saw (events outside the range, events without
    a start time)."""

    out_dir: str
    engine: str
    weeks: int
    first_week: str | None
    last_week: str | None
    weeks_built: list[str]
    weeks_reused: int
    events_read: int
    charted_events: int
    problems: dict[str, int]
    this_run: dict[str, int]
    unknown_titles: list[dict[str, Any]]
    files: dict[str, int]
    method: dict[str, Any]
    seconds: float
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _weeks_between(first: dt.date, last: dt.date) -> list[dt.date]:
    out = []
    w = first
    while w <= last:
        out.append(w)
        w += ONE_WEEK
    return out


def _connect(
    memory_limit: str | None, temp_dir: Path, threads: int | None
) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    inputs.run(con, "SET TimeZone = 'UTC'")
    temp_dir.mkdir(parents=True, exist_ok=True)
    inputs.run(con, f"SET temp_directory = {inputs.quote_path(temp_dir)}")
    inputs.run(con, "SET preserve_insertion_order = false")
    inputs.run(con, "SET enable_progress_bar = true")
    inputs.run(con, "SET enable_progress_bar_print = false")
    for parameter, value, sql in (
        (
            "memory_limit",
            memory_limit,
            f"SET memory_limit = {inputs.quote_path(memory_limit or '')}",
        ),
        ("threads", threads, f"SET threads = {int(threads or 0)}"),
    ):
        if not value:
            continue
        try:
            inputs.run(con, sql)
        except duckdb.Error as exc:
            raise UsageError(str(exc).splitlines()[0], parameter=parameter) from None
    return con


def build(
    events: str | Path,
    catalog: str | Path,
    out_dir: str | Path,
    *,
    method: Method | None = None,
    engine: str = "duckdb",
    weeks: tuple[dt.date | None, dt.date | None] = (None, None),
    full: bool = False,
    memory_limit: str | None = None,
    temp_dir: str | Path | None = None,
    threads: int | None = None,
    spark_master: str | None = None,
    spark_conf: dict[str, str] | None = None,
    spark_session: Any = None,
    progress: Progress | None = None,
) -> BuildReport:
    """Build Netflix-format Top 10 files from viewing events; see docs/engine.md.

    ``weeks`` limits the build to the weeks from..to (week-ending Sundays; either may be
    None); weeks built earlier outside it stay as they were. ``full`` ignores the state
    and recomputes everything. Raises :class:`~chartwatch.errors.BadInputError` for a bad
    catalogue or events file and when a title ranked by views has no runtime.
    """
    started = time.perf_counter()
    method = method or Method()
    if engine not in ENGINES:
        raise UsageError(f"{engine!r} is not one of {', '.join(ENGINES)}", parameter="engine")
    out = Path(out_dir).expanduser()
    out.mkdir(parents=True, exist_ok=True)
    state = State.load(out)
    tmp = Path(temp_dir).expanduser() if temp_dir else state.root / "tmp"
    con = _connect(memory_limit, tmp, threads)
    runner: Runner | None = None
    try:
        state.root.mkdir(parents=True, exist_ok=True)
        inputs.load_catalog(con, catalog)
        inputs.load_countries(con)
        # a folder of events may hold the catalogue too (synth writes both side by side)
        files = inputs.event_files(events, exclude=Path(catalog))
        if full or state.stage1 != method.stage1():
            state.reset()
        state.stage1 = method.stage1()

        spans = _spans(con, state, files, method)
        first, last = _week_range(events, spans, weeks, bool(state.weeks))
        in_range = _weeks_between(first, last)
        before = {key: s.file for key, s in state.weeks.items()}
        todo = _todo(state, files, spans, in_range, limited=weeks != (None, None))

        this_run = {"outside_range": 0, "incomplete_without_time": 0, "implausible_time": 0}
        events_read = 0
        if todo:
            runner = _runner(engine, con, spark_master, spark_conf, spark_session)
            sql = daily_sql(
                method,
                first - dt.timedelta(days=6),
                last,
                None if len(todo) == len(in_range) else todo,
            )
            events_read = _daily_sums(
                con, runner, state, files, spans, todo, sql, this_run, progress
            )
        _compact_daily(con, state, before)
        state.save()

        daily = state.daily_paths()
        if not daily:
            raise BadInputError(str(events), "no events in the weeks to build")
        first_built, last_built = daily[0][0], daily[-1][0]
        tables = _list_inputs(con, state, daily)
        if runner is None:
            runner = _runner(engine, con, spark_master, spark_conf, spark_session)
        results = runner.lists(
            con,
            tables,
            lists_sql(method, first_built - dt.timedelta(days=6), last_built),
            keep=("countries",),
        )
        _check_runtimes(results["missing_runtime"], catalog)
        problems, charted = _tally(results["problems"])
        unlisted = next((int(c or 0) for p, c in results["problems"] if p == "unlisted_country"), 0)
        if charted <= 0:
            bad = {**problems, **this_run}
            counted = ", ".join(f"{k} {v:,}" for k, v in bad.items() if v) or "none read"
            raise BadInputError(
                str(events), f"no valid events to chart in the weeks built ({counted})"
            )
        notes: list[str] = []
        files_written = _write(out, results, con, method, notes)
        unknown = sorted(results["unknown_titles"], key=lambda r: (-int(r[1]), str(r[0])))
        if unlisted:
            notes.append(
                f"{unlisted:,} events come from countries without a published country list; "
                "they count toward the global lists"
            )
        report = BuildReport(
            out_dir=str(out),
            engine=engine,
            weeks=len(daily),
            first_week=first_built.isoformat(),
            last_week=last_built.isoformat(),
            weeks_built=[w.isoformat() for w in todo],
            weeks_reused=len({w for w, _ in daily} - set(todo)),
            events_read=events_read,
            charted_events=charted,
            problems=problems,
            this_run=this_run,
            unknown_titles=[{"title_id": t, "events": int(n)} for t, n in unknown[:10]],
            files=files_written,
            method=method.to_dict(),
            seconds=round(time.perf_counter() - started, 3),
            notes=notes,
        )
        output.write_atomic(
            out / REPORT_FILE, (json.dumps(report.to_dict(), indent=2) + "\n").encode("utf-8")
        )
        return report
    finally:
        if runner is not None:
            runner.close()
        con.close()


def _todo(
    state: State,
    files: list[inputs.EventFile],
    spans: dict[str, tuple[dt.date, dt.date] | None],
    in_range: list[dt.date],
    *,
    limited: bool,
) -> list[dt.date]:
    """The weeks of ``in_range`` to compute: new ones, and those whose files changed.
    Unless ``limited`` (by --weeks), the range is the events' own: the state forgets the
    weeks no file holds any more."""
    todo = [
        w
        for w in in_range
        if (old := state.weeks.get(w.isoformat())) is None
        or old.inputs != [f.fingerprint for f in _holding(files, spans, w)]
    ]
    if not limited:
        for key in list(state.weeks):
            if dt.date.fromisoformat(key) not in in_range:
                del state.weeks[key]
    return todo


def _list_inputs(
    con: duckdb.DuckDBPyConnection, state: State, daily: list[tuple[dt.date, Path]]
) -> dict[str, list[str]]:
    """The lists' inputs as files: the daily sums (a file holds several weeks: each read
    once) and the catalogue, versions and countries, written to Parquet and dropped."""
    tables: dict[str, list[str]] = {"daily": sorted({str(p) for _, p in daily})}
    for name in ("catalog", "versions", "countries"):
        path = state.root / f"{name}.parquet"
        inputs.run(con, f"COPY {name} TO {inputs.quote_path(path)} (FORMAT parquet)")
        inputs.run(con, f"DROP TABLE {name}")
        tables[name] = [str(path)]
    return tables


def _check_runtimes(missing: list[Any], catalog: str | Path) -> None:
    """A title ranked by views needs a runtime: the catalogue is rejected naming those
    without one."""
    if not missing:
        return
    names = sorted(f"{r[2] or r[1]} ({r[0]})" for r in missing)
    shown = "; ".join(names[:10]) + (f"; and {len(names) - 10} more" if len(names) > 10 else "")
    raise BadInputError(
        str(catalog),
        f"no runtime for {len(names)} title(s) ranked by views: {shown}. "
        "Give their runtime in hours, or rank by hours (--rank-by hours)",
    )


def _spans(
    con: duckdb.DuckDBPyConnection, state: State, files: list[inputs.EventFile], method: Method
) -> dict[str, tuple[dt.date, dt.date] | None]:
    """Every file's span of weeks: recorded, or read from the file when new or changed
    (and recorded in ``state``)."""
    spans: dict[str, tuple[dt.date, dt.date] | None] = {}
    for f in files:
        seen, span = state.known_span(f)
        if not seen:
            days = inputs.event_span(con, f, method.timezone)
            span = (week_end(days[0]), week_end(days[1])) if days else None
        spans[f.path] = span
    state.files = {
        f.path: FileState(
            f.size,
            f.mtime_ns,
            spans[f.path][0].isoformat() if spans[f.path] else None,  # type: ignore[index]
            spans[f.path][1].isoformat() if spans[f.path] else None,  # type: ignore[index]
        )
        for f in files
    }
    return spans


def _week_range(
    events: str | Path,
    spans: dict[str, tuple[dt.date, dt.date] | None],
    weeks: tuple[dt.date | None, dt.date | None],
    built_before: bool,
) -> tuple[dt.date, dt.date]:
    """The first and last week to build: ``weeks``, each side the events' own if left out."""
    covered = [s for s in spans.values() if s is not None]
    want_first, want_last = weeks
    if not covered and not built_before:
        raise BadInputError(
            str(events),
            f"no events with a start time from {EARLIEST_DAY} to {latest_day()} "
            "(the plausible days; see docs/engine.md)",
        )
    first = want_first or (min(s[0] for s in covered) if covered else None)
    last = want_last or (max(s[1] for s in covered) if covered else None)
    if first is None or last is None:
        raise BadInputError(str(events), "no events with a start time in --weeks")
    if first > last:
        raise UsageError(f"no events before {last} (the events start {first})", parameter="weeks")
    return first, last


def _holding(
    files: list[inputs.EventFile],
    spans: dict[str, tuple[dt.date, dt.date] | None],
    week: dt.date,
) -> list[inputs.EventFile]:
    """The event files whose span holds ``week``."""
    return [
        f
        for f in files
        if spans[f.path] is not None and spans[f.path][0] <= week <= spans[f.path][1]  # type: ignore[index]
    ]


def _daily_sums(
    con: duckdb.DuckDBPyConnection,
    runner: Runner,
    state: State,
    files: list[inputs.EventFile],
    spans: dict[str, tuple[dt.date, dt.date] | None],
    todo: list[dt.date],
    sql: str,
    this_run: dict[str, int],
    progress: Progress | None,
) -> int:
    """Stage 1 for the weeks ``todo``: the daily sums of the files that hold them, written
    beside the state; counts what only this run read into ``this_run``; returns the
    events read."""
    readers = {f.path for w in todo for f in _holding(files, spans, w)}
    to_read = [f for f in files if f.path in readers]
    if to_read:
        runner.daily(con, to_read, sql, progress)
    else:
        inputs.run(
            con,
            "CREATE OR REPLACE TEMP TABLE s1 (week DATE, day DATE, title_id VARCHAR, "
            "country_iso2 VARCHAR, status VARCHAR, grain VARCHAR, seconds BIGINT, "
            "events BIGINT)",
        )
    counts = inputs.one(
        con,
        "SELECT sum(events), sum(events) FILTER (WHERE status = 'outside_range'), "
        "sum(events) FILTER (WHERE status = 'incomplete' AND week IS NULL), "
        "sum(events) FILTER (WHERE status = 'implausible_time') "
        "FROM s1 WHERE grain = 'country'",
    )
    (
        events_read,
        this_run["outside_range"],
        this_run["incomplete_without_time"],
        this_run["implausible_time"],
    ) = (int(c or 0) for c in (counts or (0, 0, 0, 0)))
    written = _write_daily(con, state, todo)
    for w in todo:
        state.weeks[w.isoformat()] = WeekState(
            [f.fingerprint for f in _holding(files, spans, w)], written.get(w)
        )
    inputs.run(con, "DROP TABLE s1")
    return events_read


# What each status of stage 1 is counted as in the report's problems ("ok" is charted).
_PROBLEM_OF = {
    "duplicate": "duplicates",
    "negative": "negative_seconds",
    "over_cap": "over_max_seconds",
    **{p: p for p in ("incomplete", "bad_country", "unknown_title", "bad_seconds", "nan_seconds")},
}


def _tally(statuses: list[tuple[str, Any]]) -> tuple[dict[str, int], int]:
    """The report's problems and the events charted, from the count of each status (an
    event of an unknown title is read as ok by stage 1 but not charted)."""
    problems = dict.fromkeys(
        (
            "duplicates",
            "bad_seconds",
            "nan_seconds",
            "negative_seconds",
            "over_max_seconds",
            "incomplete",
            "bad_country",
            "unknown_title",
        ),
        0,
    )
    charted = 0
    for status, count in statuses:
        if status == "ok":
            charted += int(count or 0)
        elif status in _PROBLEM_OF:
            problems[_PROBLEM_OF[status]] += int(count or 0)
    return problems, charted - problems["unknown_title"]


def _write_daily(
    con: duckdb.DuckDBPyConnection, state: State, weeks: list[dt.date]
) -> dict[dt.date, str]:
    """Write stage 1's result (table ``s1``) for ``weeks`` into one new Parquet file:
    {week: the file's name} for the weeks that have sums.

    One file for the whole run (a file per week cost twice the time at 10 M events); its
    name is fresh, so the state's old files stay valid until ``state.json`` moves on.
    """
    if not weeks:
        return {}
    wanted = "week IN (" + ", ".join(lit(w) for w in sorted(weeks)) + ")"
    keep = f"status <> 'outside_range' AND {wanted}"
    held = [r[0] for r in con.execute(f"SELECT DISTINCT week FROM s1 WHERE {keep}").fetchall()]
    if not held:
        return {}
    state.daily_dir.mkdir(parents=True, exist_ok=True)
    name = state.new_daily_file()
    inputs.run(
        con,
        f"COPY (SELECT * FROM s1 WHERE {keep}) TO {inputs.quote_path(state.daily_dir / name)} "
        "(FORMAT parquet, COMPRESSION zstd)",
    )
    return {week: name for week in held}


def _compact_daily(
    con: duckdb.DuckDBPyConnection, state: State, before: dict[str, str | None]
) -> None:
    """Rewrite each daily-sums file that still serves some of its weeks but no longer all
    (a week rebuilt from changed events, or gone from the range), keeping only the weeks it
    serves: stage 2 then reads whole files. Rewritten files get fresh names."""
    serves: dict[str, list[str]] = {}
    for week, s in state.weeks.items():
        if s.file is not None:
            serves.setdefault(s.file, []).append(week)
    held: dict[str, set[str]] = {}
    for week, name in before.items():
        if name is not None:
            held.setdefault(name, set()).add(week)
    for name, weeks in sorted(serves.items()):
        if name not in held or held[name] == set(weeks):
            continue
        fresh = state.new_daily_file()
        source = inputs.quote_path(parquet_glob(str(state.daily_dir / name)))
        wanted = ", ".join(lit(dt.date.fromisoformat(w)) for w in sorted(weeks))
        inputs.run(
            con,
            f"COPY (SELECT * FROM read_parquet({source}) WHERE week IN ({wanted})) "
            f"TO {inputs.quote_path(state.daily_dir / fresh)} (FORMAT parquet, COMPRESSION zstd)",
        )
        for week in weeks:
            state.weeks[week].file = fresh


def _runner(
    engine: str,
    con: duckdb.DuckDBPyConnection,
    master: str | None,
    conf: dict[str, str] | None,
    session: Any,
) -> Runner:
    if engine == "spark":
        return SparkRunner(master, conf, session)
    return DuckDBRunner(con)


_EMPTY = {
    output.GLOBAL_FILE: "no title of the catalogue has charted events",
    output.COUNTRIES_FILE: "no events come from a country with a published list",
    output.MOST_POPULAR_FILE: "no title released on or after the first day of the events has "
    "had its {days} days yet",
}


def _write(
    out: Path,
    results: dict[str, Any],
    con: duckdb.DuckDBPyConnection,
    method: Method,
    notes: list[str],
) -> dict[str, int]:
    """Write the files that have rows (Netflix never publishes an empty list); their row
    counts. A file with no rows is not written (an older one is removed) and a note says
    why. The country lists are in ``con`` (the runner left them there)."""
    days = method.most_popular_days
    header = output.MOST_POPULAR_91_HEADER if days == 91 else output.MOST_POPULAR_28_HEADER
    global_lines = output.global_lines(results["global"])
    popular_lines = output.most_popular_lines(results["most_popular"], days)
    country_rows, country_text = output.countries_text(con, kept("countries"))
    inputs.run(con, f"DROP TABLE {kept('countries')}")
    files: list[tuple[str, int, bytes]] = [
        (
            output.GLOBAL_FILE,
            len(global_lines),
            output.tsv_bytes(output.GLOBAL_HEADER, global_lines),
        ),
        (
            output.COUNTRIES_FILE,
            country_rows,
            output.tsv_text_bytes(output.COUNTRIES_HEADER, country_text),
        ),
        (output.MOST_POPULAR_FILE, len(popular_lines), output.tsv_bytes(header, popular_lines)),
    ]
    written = {}
    for name, rows, data in files:
        if rows:
            output.write_atomic(out / name, data)
            written[name] = rows
        else:
            (out / name).unlink(missing_ok=True)
            notes.append(f"{name} not written: " + _EMPTY[name].format(days=days))
    return written
