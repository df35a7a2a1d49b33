"""``chartwatch compare`` and ``countries``: titles side by side, a title country by country."""

from __future__ import annotations

from typing import Annotated

import typer

from chartwatch.cli.app import (
    AsOfOption,
    DbOption,
    JsonOption,
    app,
    errors,
    out_json,
    parse_date,
    print_view,
    view_for,
)


@app.command(rich_help_panel="Titles and records")
def compare(
    queries: Annotated[
        list[str],
        typer.Argument(
            help='Two or more titles, each one installment: "all of us are dead" '
            '"squid game: season 1".',
            metavar="TITLE",
            show_default=False,
        ),
    ],
    metric: Annotated[
        str,
        typer.Option(
            "--metric",
            help="hours (every week), views (weeks from 2023-06-18) or rank.",
            metavar="M",
        ),
    ] = "hours",
    align: Annotated[
        str,
        typer.Option(
            "--align",
            help="debut: week 1 = each title's first week in the Top 10; calendar: by week.",
            metavar="A",
        ),
    ] = "debut",
    as_of: AsOfOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Titles' runs side by side: week by week since each one's debut, or by calendar week."""
    from chartwatch.analytics.compare import compare as run_compare

    with errors():
        with view_for(db, as_of) as view:
            result = run_compare(view, list(queries), metric=metric, align=align)
        if as_json:
            out_json(result.to_dict())
            return
        from chartwatch.render.analytics import compare_view

        print_view(view, compare_view(result))


@app.command(rich_help_panel="Titles and records")
def countries(
    query: Annotated[
        str,
        typer.Argument(
            help='One title (an installment), fuzzy: "all of us are dead", "ozark season 4".',
            metavar="QUERY",
        ),
    ],
    week: Annotated[
        str | None,
        typer.Option(
            "--week",
            help="Only the week holding this date (YYYY-MM-DD, any day of the week).",
            metavar="DATE",
        ),
    ] = None,
    as_of: AsOfOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """A title's country footprint: No. 1, its rank in the Top 10, or absent, for every
    country with lists and every week of its run that has country lists."""
    from chartwatch.analytics.countries import countries as footprint

    with errors():
        day = parse_date(week, "--week")
        with view_for(db, as_of) as view:
            result = footprint(view, query, week=day)
        if as_json:
            out_json(result.to_dict())
            return
        from chartwatch.render.analytics import footprint_view

        print_view(view, footprint_view(result))
