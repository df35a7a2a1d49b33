"""``chartwatch search``, ``title`` and ``records``: titles and leaderboards."""

from __future__ import annotations

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
)

QueryArg = Annotated[
    str,
    typer.Argument(
        help='A title or show, fuzzy: "all of us are dead", "ozark season 4", '
        '"the stranger (film)".',
        metavar="QUERY",
    ),
]


@app.command(rich_help_panel="Titles and records")
def search(
    query: QueryArg,
    limit: Annotated[int, typer.Option("--limit", help="How many matches.", min=1, max=100)] = 10,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Find titles and shows by name: fuzzy, ignoring case, accents, articles and typos."""
    from chartwatch.errors import NotFoundError
    from chartwatch.titles.search import search as find

    with errors():
        with store_for(db) as store:
            hits = find(store, query, limit=limit)
        if as_json:
            out_json([h.to_dict() for h in hits])
        elif hits:
            from chartwatch.render.analytics import search_view

            console().print(search_view(query, hits))
        if not hits:
            if as_json:
                raise typer.Exit(1)
            raise NotFoundError(f"no title matches {query!r}")


@app.command(rich_help_panel="Titles and records")
def title(
    query: QueryArg,
    as_of: AsOfOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """A title's run: debut, peak, weeks, totals, best week, country footprint, records.

    For a show with several charted installments: one line per installment, then totals.
    """
    from chartwatch.analytics.runs import TitleReport
    from chartwatch.analytics.runs import title as run_title

    with errors():
        asof = parse_date(as_of, "--as-of")
        with store_for(db) as store:
            report = run_title(store, query, as_of=asof)
            forecast = None
            if isinstance(report, TitleReport):  # still running: where it is heading
                from chartwatch.forecast.run import running_forecast

                last = report.weeks[-1].week_end if report.weeks else None
                forecast = running_forecast(
                    store, report.ident, report.film, last_week=last, as_of=asof
                )
        if as_json:
            data = report.to_dict()
            if forecast is not None:
                data["forecast"] = forecast.to_dict()
            out_json(data)
            return
        from chartwatch.render.analytics import show_view, title_view

        view = title_view(report) if isinstance(report, TitleReport) else show_view(report)
        console().print(view)
        if forecast is not None:
            console().print(f"Forecast: {forecast.text} ({forecast.caveat})")


@app.command(rich_help_panel="Titles and records")
def records(
    metric: Annotated[
        str,
        typer.Option(
            "--metric",
            help="debut_hours, debut_views, week_hours, week_views, weeks_in_top10, "
            "weeks_at_no1, countries_no1, first_28_days_hours or first_91_days_views.",
            metavar="M",
        ),
    ] = "debut_hours",
    category: Annotated[
        str | None,
        typer.Option(
            "--category", help='One list, e.g. "TV (Non-English)" or tv-non-english.', metavar="C"
        ),
    ] = None,
    top: Annotated[int, typer.Option("--top", help="How many places.", min=1, max=1000)] = 10,
    as_of: AsOfOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Leaderboards as they stood on a date (weeks ending on or before it)."""
    from chartwatch.analytics.records import records as board

    with errors():
        asof = parse_date(as_of, "--as-of")
        with store_for(db) as store:
            result = board(store, metric, category=category, as_of=asof, top=top)
        if as_json:
            out_json(
                [{k: v for k, v in e.items() if k != "label"} for e in result.to_dict()["entries"]]
            )
            return
        from chartwatch.render.analytics import leaderboard_view

        console().print(leaderboard_view(result))
