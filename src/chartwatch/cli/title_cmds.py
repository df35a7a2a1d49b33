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
    print_view,
    view_for,
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
    """Find titles and shows by name: fuzzy, ignoring case, accents, articles and typos.

    Names that hold every word typed leave out weaker fuzzy matches. With engagement reports
    in the store, the original-language titles they publish match too ("la casa de papel"
    finds Money Heist).
    """
    from chartwatch.errors import NotFoundError
    from chartwatch.titles.search import search as find

    with errors():
        with view_for(db) as view:
            from chartwatch.engagement.names import original_names

            hits = find(view.titles, query, limit=limit, other=original_names(view))
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

    with errors(), view_for(db, as_of) as view:
        report = run_title(view, query)
        if as_json:
            out_json(report.to_dict())
            return
        from chartwatch.render.analytics import show_view, title_view

        shown = title_view(report) if isinstance(report, TitleReport) else show_view(report)
        print_view(view, shown)
        if isinstance(report, TitleReport) and report.forecast is not None:
            fc = report.forecast
            console().print(f"Forecast: {fc.text} ({fc.caveat})")


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

    with errors(), view_for(db, as_of) as view:
        result = board(view, metric, category=category, top=top)
        if as_json:
            out_json(result.to_dict())
            return
        from chartwatch.render.analytics import leaderboard_view

        print_view(view, leaderboard_view(result))
