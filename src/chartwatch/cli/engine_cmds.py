"""``chartwatch build`` and ``synth``: Top 10 charts from viewing events, and events to test it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from chartwatch.cli.app import JsonOption, app, console, err, errors, out_json

if TYPE_CHECKING:
    from chartwatch.engine.pipeline import BuildReport
    from chartwatch.engine.synthetic import SynthReport

WeeksOption = Annotated[
    str | None,
    typer.Option(
        "--weeks",
        help="Only these weeks: FROM..TO (any day of each week, YYYY-MM-DD; either side may "
        "be left out) or one date. Default: every week of the events.",
        metavar="FROM..TO",
    ),
]


def _n(count: int, word: str) -> str:
    """``1 week``, ``2 weeks``, ``1,200 events``."""
    return f"{count:,} {word}" + ("" if count == 1 else "s")


# The engine's keywords whose option (or argument) has another name on the command line.
FLAGS = {
    "events": "EVENTS",
    "catalog": "CATALOG",
    "hours_step": "--round-hours",
    "views_step": "--round-views",
    "most_popular_days": "--most-popular",
    "sources": "--from",
    "spark_conf": "--spark-conf",
}


def _steps(text: str) -> tuple[int, int]:
    """``--round-hours``: N, or BEFORE/AFTER the switch week (the keyword ``hours_step``)."""
    from chartwatch.errors import UsageError

    parts = text.split("/")
    try:
        values = [int(p.replace(",", "").replace("_", "")) for p in parts]
    except ValueError:
        raise UsageError(
            f"{text!r} is not N or BEFORE/AFTER (whole numbers)", parameter="hours_step"
        ) from None
    if len(values) == 1:
        return values[0], values[0]
    if len(values) == 2:
        return values[0], values[1]
    raise UsageError(f"{text!r} is not N or BEFORE/AFTER", parameter="hours_step")


@app.command(rich_help_panel="Charts from your own viewing events")
def build(
    events: Annotated[
        str,
        typer.Argument(
            help="Viewing events: a .parquet or .csv file, a folder of them, or a glob. "
            "Columns: event_id, title_id, country_iso2, started_at (UTC), seconds.",
            metavar="EVENTS",
            show_default=False,
        ),
    ],
    catalog: Annotated[
        Path,
        typer.Argument(
            help="The titles, a .csv file: title_id, show_title, season_title, type (Films/TV), "
            "language (English/Non-English), runtime (hours), release_date.",
            metavar="CATALOG",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="Folder for all-weeks-global.tsv, all-weeks-countries.tsv, most-popular.tsv "
            "and build-report.json (and the state that makes the next build incremental).",
            metavar="DIR",
            show_default=False,
        ),
    ],
    engine: Annotated[
        str,
        typer.Option(
            "--engine",
            help="duckdb (this machine, out of core) or spark (needs the spark extra).",
            metavar="duckdb|spark",
        ),
    ] = "duckdb",
    weeks: WeeksOption = None,
    rank_by: Annotated[
        str,
        typer.Option(
            "--rank-by",
            help="views, hours, or auto: hours before --switch-week and views from it, as "
            "Netflix did.",
            metavar="auto|views|hours",
        ),
    ] = "auto",
    switch_week: Annotated[
        str,
        typer.Option(
            "--switch-week",
            help="The first week ranked by views and rounded with the later hours step.",
            metavar="DATE",
        ),
    ] = "2023-06-18",
    round_hours: Annotated[
        str,
        typer.Option(
            "--round-hours",
            help="Round published hours to this step: BEFORE/AFTER the switch week, or one "
            "step for all.",
            metavar="N|B/A",
        ),
    ] = "10000/100000",
    round_views: Annotated[
        int,
        typer.Option("--round-views", help="Round published views to this step.", min=1),
    ] = 100_000,
    max_seconds: Annotated[
        int,
        typer.Option(
            "--max-seconds",
            help="The longest plausible viewing event; longer ones are counted and left out.",
            min=1,
        ),
    ] = 86_400,
    timezone: Annotated[
        str,
        typer.Option(
            "--timezone",
            help="Weeks run Monday to Sunday in this time zone (IANA name).",
            metavar="TZ",
        ),
    ] = "UTC",
    most_popular: Annotated[
        int,
        typer.Option(
            "--most-popular",
            help="most-popular.tsv over the first 91 days from release (ranked by views) or "
            "the first 28 (ranked by hours, the older file).",
            metavar="91|28",
        ),
    ] = 91,
    full: Annotated[
        bool,
        typer.Option("--full", help="Recompute every week (ignore what earlier builds kept)."),
    ] = False,
    memory_limit: Annotated[
        str | None,
        typer.Option(
            "--memory-limit",
            help="DuckDB's memory limit, e.g. 4GB (default: 80% of RAM); beyond it DuckDB "
            "spills to --temp-dir.",
            metavar="SIZE",
        ),
    ] = None,
    temp_dir: Annotated[
        Path | None,
        typer.Option(
            "--temp-dir",
            help="Where DuckDB spills (default: DIR/.chartwatch-build/tmp).",
            metavar="PATH",
        ),
    ] = None,
    threads: Annotated[
        int | None,
        typer.Option("--threads", help="DuckDB threads (default: every core).", min=1),
    ] = None,
    spark_master: Annotated[
        str | None,
        typer.Option(
            "--spark-master",
            help="Spark master URL for --engine spark (default local[*]; spark://host:7077, "
            "yarn…).",
            metavar="URL",
        ),
    ] = None,
    spark_conf: Annotated[
        list[str] | None,
        typer.Option(
            "--spark-conf",
            help="A Spark setting KEY=VALUE for --engine spark (repeatable).",
            metavar="KEY=VALUE",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Build Netflix-format Top 10 files from viewing events, the way Netflix makes its own.

    Hours viewed are seconds ÷ 3600 per title per week (Monday to Sunday); views are hours
    ÷ runtime. Writes the global lists (Films/TV × English/Non-English), the country lists,
    and the most-popular lists, in exactly Netflix's file formats, so `chartwatch ingest`
    reads them. Bad events (duplicates, negative or too long durations, unknown titles,
    bad country codes, events outside --weeks) are counted and reported. Run it again with
    more events and only the weeks that changed are recomputed. See docs/engine.md.
    """
    from chartwatch.dates import parse_date
    from chartwatch.engine.method import Method
    from chartwatch.engine.pipeline import build as run_build
    from chartwatch.engine.pipeline import parse_weeks

    with errors(FLAGS):
        conf = _settings(spark_conf or [])
        method = Method(
            timezone=timezone,
            rank_by=rank_by,  # type: ignore[arg-type]
            switch_week=parse_date(switch_week, option="switch_week"),
            hours_step=_steps(round_hours),
            views_step=round_views,
            max_seconds=max_seconds,
            most_popular_days=most_popular,
        )
        with _bar(f"build ({engine})", quiet=as_json) as advance:
            report = run_build(
                events,
                catalog,
                output,
                method=method,
                engine=engine,
                weeks=parse_weeks(weeks),
                full=full,
                memory_limit=memory_limit,
                temp_dir=temp_dir,
                threads=threads,
                spark_master=spark_master,
                spark_conf=conf,
                progress=advance,
            )
        if as_json:
            out_json(report.to_dict())
        else:
            _print_build(report)


def _settings(items: list[str]) -> dict[str, str]:
    """``--spark-conf KEY=VALUE`` options as a dict."""
    from chartwatch.errors import UsageError

    conf: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"{item!r} is not KEY=VALUE", parameter="spark_conf")
        conf[key.strip()] = value.strip()
    return conf


@contextmanager
def _bar(label: str, *, quiet: bool) -> Iterator[Callable[[float], None]]:
    """A progress bar on standard error (none when ``quiet``), given the share done."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from chartwatch.cli.ingest_cmds import console_err

    progress = Progress(
        TextColumn(label),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        transient=True,
        disable=quiet,
        console=console_err(),
    )
    with progress:
        task = progress.add_task("", total=1.0)
        yield lambda fraction: progress.update(task, completed=fraction)


def _print_build(report: BuildReport) -> None:
    c = console()
    built = len(report.weeks_built)
    c.print(
        f"Built {_n(report.weeks, 'week')} ({report.first_week} to {report.last_week}) with "
        f"{report.engine} in {report.seconds:.1f} s: {built} computed from "
        f"{report.events_read:,} events, {report.weeks_reused} reused.",
        markup=False,
        soft_wrap=True,
    )
    for name, rows in report.files.items():
        c.print(f"  {Path(report.out_dir) / name}: {rows:,} rows", markup=False, soft_wrap=True)
    c.print(f"Charted events: {report.charted_events:,}", markup=False, soft_wrap=True)
    bad = {k: v for k, v in {**report.problems, **report.this_run}.items() if v}
    if bad:
        c.print(
            "Set aside: " + ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in bad.items()),
            markup=False,
            soft_wrap=True,
        )
        for t in report.unknown_titles[:5]:
            err(f"Warning: unknown title_id {t['title_id']!r} ({_n(t['events'], 'event')})")
    for note in report.notes:
        err(f"Note: {note}")


@app.command(rich_help_panel="Charts from your own viewing events")
def synth(
    charts: Annotated[
        list[str],
        typer.Option(
            "--from",
            help="Netflix Top 10 files to reproduce (global, countries), a folder of them, or "
            "'bundled' for the real data shipped with chartwatch. Repeatable.",
            metavar="CHARTS",
            show_default=False,
        ),
    ],
    scale: Annotated[
        float,
        typer.Option(
            "--scale",
            help="Hours viewed relative to Netflix's (1e-4: a service 10,000 times smaller).",
            metavar="S",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="Folder for events.parquet and catalog.csv.",
            metavar="DIR",
            show_default=False,
        ),
    ],
    weeks: WeeksOption = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the pseudo-random choices.")] = 0,
    noise: Annotated[
        float,
        typer.Option(
            "--noise",
            help="Add this share of bad events (duplicates, negative or too long durations, "
            "unknown titles, bad countries, missing fields), which a build must set aside.",
            metavar="F",
        ),
    ] = 0.0,
    session_minutes: Annotated[
        float,
        typer.Option(
            "--session-minutes", help="Average length of one viewing session.", metavar="M"
        ),
    ] = 45.0,
    as_json: JsonOption = False,
) -> None:
    """Generate viewing events whose charts are the given real charts, scaled.

    Writes DIR/events.parquet (accounts, countries, binges within each week) and
    DIR/catalog.csv, calibrated so that `chartwatch build` gives back the same ranks, and
    hours equal to the real ones × S (rounded to Netflix's steps × S); country lists are
    reproduced where the files have them. Prints the build command to use.
    """
    from chartwatch.engine.pipeline import parse_weeks
    from chartwatch.engine.synthetic import synth as run_synth

    with errors(FLAGS):
        report = run_synth(
            charts,
            output,
            scale=scale,
            weeks=parse_weeks(weeks),
            seed=seed,
            noise=noise,
            session_minutes=session_minutes,
        )
        if as_json:
            out_json({**report.to_dict(), "build_command": report.build_command})
        else:
            _print_synth(report)


def _print_synth(report: SynthReport) -> None:
    c = console()
    out = Path(report.out_dir)
    c.print(
        f"Wrote {_n(report.events, 'event')} ({_n(report.titles, 'title')}, "
        f"{_n(report.weeks, 'week')} "
        f"{report.first_week} to {report.last_week}, country lists in {report.country_weeks}) "
        f"to {out / 'events.parquet'} and {out / 'catalog.csv'} in {report.seconds:.1f} s.",
        markup=False,
        soft_wrap=True,
    )
    noisy = {k: v for k, v in report.noise.items() if v}
    if noisy:
        c.print(
            "Bad events added: "
            + ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in noisy.items()),
            markup=False,
            soft_wrap=True,
        )
    c.print(f"Build them back with:\n  {report.build_command}", markup=False, soft_wrap=True)
    for miss in report.misses[:20]:
        err(f"Warning: cannot reproduce {miss} within the rounding of its figures")
    for note in report.notes:
        err(f"Note: {note}")
