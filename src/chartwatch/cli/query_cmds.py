"""``chartwatch status``, ``week``, ``history`` and ``export``: looking at the store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from chartwatch.cli.app import (
    AsOfOption,
    DbOption,
    JsonOption,
    app,
    console,
    errors,
    out_json,
    parse_date,
    store_for,
    view_for,
)


@app.command(rich_help_panel="Charts and the store")
def status(db: DbOption = None, as_json: JsonOption = False) -> None:
    """What the store holds: snapshots, weeks covered per list, rows, revisions, last update."""
    from chartwatch.inventory import status as get_status

    with errors(), store_for(db) as store:
        result = get_status(store)
        if as_json:
            out_json(result.to_dict())
        else:
            from chartwatch.render.tables import status_table

            console().print(status_table(result))


@app.command(rich_help_panel="Charts and the store")
def week(
    week: Annotated[
        str | None,
        typer.Option(
            "--week",
            help="Any day of the week to show (YYYY-MM-DD); weeks run Monday to Sunday. "
            "Default: the latest week.",
            metavar="DATE",
        ),
    ] = None,
    category: Annotated[
        str | None,
        typer.Option(
            "--category",
            help='One list: "Films (English)", "TV (Non-English)"… or short forms such as '
            "tv-english; with --country: Films or TV. Default: all.",
            metavar="C",
        ),
    ] = None,
    country: Annotated[
        str | None,
        typer.Option(
            "--country", help="A country's lists, by ISO code (US, GB, KR…).", metavar="XX"
        ),
    ] = None,
    as_of: AsOfOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """One week's Top 10: the four global lists by default, or a country's Films and TV."""
    from chartwatch.lists import week as get_week

    with errors():
        day = parse_date(week, "--week")
        with view_for(db, as_of) as view:
            chart = get_week(view, week=day, category=category, country=country)
        if as_json:
            out_json(chart.to_dict())
        else:
            from chartwatch.render.tables import week_tables

            c = console()
            if notice := chart.notice:
                c.print(notice, style="dim")
            for table in week_tables(chart):
                c.print(table)


@app.command(rich_help_panel="Charts and the store")
def history(
    title: Annotated[
        str | None,
        typer.Option(
            "--title", help="Rows whose show or season title (old or new) contains this text."
        ),
    ] = None,
    week: Annotated[
        str | None,
        typer.Option(
            "--week", help="Rows of the week holding this date (YYYY-MM-DD).", metavar="DATE"
        ),
    ] = None,
    list_name: Annotated[
        str | None,
        typer.Option("--list", help="global, countries or most-popular.", metavar="LIST"),
    ] = None,
    country: Annotated[
        str | None, typer.Option("--country", help="One country's rows (ISO code).", metavar="XX")
    ] = None,
    include_new_columns: Annotated[
        bool,
        typer.Option(
            "--include-new-columns",
            help="Also list values that appeared because a later generation of the files "
            "added a column (e.g. is_staggered_launch in June 2023).",
        ),
    ] = False,
    limit: Annotated[
        int,
        typer.Option("--limit", help="Rows to show in the table (0: all). JSON has all.", min=0),
    ] = 50,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """What Netflix changed after publishing: old value, new value, and when each was
    first and last published. For a title, a week, a list, or the whole store."""
    from chartwatch.errors import NotFoundError, UsageError
    from chartwatch.revisions import history as get_history
    from chartwatch.vocabulary import LISTS

    with errors():
        if list_name is not None and list_name not in LISTS:
            raise UsageError(f"{list_name!r} is not one of {', '.join(LISTS)}", parameter="list")
        day = parse_date(week, "--week")
        with store_for(db) as store:
            changes = get_history(
                store,
                title=title,
                week=day,
                list_name=list_name,
                country=country,
                include_new_columns=include_new_columns,
            )
        if as_json:
            out_json([c.to_dict() for c in changes])
        elif changes:
            from chartwatch.render.tables import history_table

            console().print(history_table(changes, limit))
        if not changes:
            if not as_json:
                raise NotFoundError("no revisions match; Netflix did not change these rows")
            raise typer.Exit(1)


@app.command(rich_help_panel="Charts and the store")
def export(
    output: Annotated[
        Path, typer.Option("-o", "--output", help="The file to write.", metavar="PATH")
    ],
    format: Annotated[
        str | None,
        typer.Option("--format", help="csv, parquet or json. Default: from the file's extension."),
    ] = None,
    list_name: Annotated[
        str | None,
        typer.Option("--list", help="Only global, countries or most-popular.", metavar="LIST"),
    ] = None,
    as_of: AsOfOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write the current view (or the view as of a date) to CSV, Parquet or JSON."""
    from chartwatch.errors import UsageError
    from chartwatch.exports import FORMATS
    from chartwatch.exports import export as run_export
    from chartwatch.vocabulary import LISTS

    with errors():
        fmt = format or output.suffix.lstrip(".").lower() or "csv"
        if fmt not in FORMATS:
            raise UsageError(
                f"{fmt!r} is not one of {', '.join(FORMATS)} (give --format or a "
                ".csv/.parquet/.json file name)",
                parameter="format",
            )
        if list_name is not None and list_name not in LISTS:
            raise UsageError(f"{list_name!r} is not one of {', '.join(LISTS)}", parameter="list")
        asof = parse_date(as_of, "--as-of")
        with store_for(db) as store:
            result = run_export(store, output, format=fmt, as_of=asof, list_name=list_name)
        if as_json:
            out_json(result.to_dict())
        else:
            console().print(f"Wrote {result.rows:,} rows to {result.path} ({result.format}).")


@app.command(rich_help_panel="Charts and the store")
def prepare(
    as_of: AsOfOption = None,
    no_backtests: Annotated[
        bool, typer.Option("--no-backtests", help="Skip the backtests (the slowest part).")
    ] = False,
    core_only: Annotated[
        bool,
        typer.Option(
            "--core-only", help="Only the catalogue, weeks and boards (no forecasts, no backtests)."
        ),
    ] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Derive now what answers need (catalogue, boards, forecasts, backtests), so the
    commands and pages that follow answer at once.

    Derived data is kept beside the store per content, and is otherwise derived by the first
    command that needs it after a new snapshot; `serve` prepares in the background.
    """
    from chartwatch.prepare import prepare as run_prepare
    from chartwatch.store.store import open_snapshot
    from chartwatch.view import View

    with errors():
        day = parse_date(as_of, "--as-of")
        with store_for(db) as store:  # created and loaded on first use, as by every reader
            path = store.path
        # the work reads an in-memory copy: the file is not held while it runs (tens of
        # seconds for the backtests), so writers are not kept waiting
        with open_snapshot(path, wait=30.0) if path is not None else store_for(db) as source:
            done = run_prepare(
                View.of(source, day), backtests=not no_backtests, forecasts=not core_only
            )
    if as_json:
        out_json(done.to_dict())
        return
    parts = ", ".join(f"{name} {s:.2f} s" for name, s in done.seconds.items())
    skipped = f"; skipped {', '.join(done.skipped)}" if done.skipped else ""
    console().print(f"Prepared the view {done.as_of or 'now'}: {parts}{skipped}.", markup=False)
