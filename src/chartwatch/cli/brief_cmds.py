"""``chartwatch brief``: the facts a journalist would write about a title, with evidence."""

from __future__ import annotations

from typing import Annotated

import typer

from chartwatch.cli.app import (
    DbOption,
    JsonOption,
    app,
    console,
    errors,
    out_json,
    view_for,
)
from chartwatch.cli.title_cmds import QueryArg


@app.command(rich_help_panel="Titles and records")
def brief(
    query: QueryArg,
    vs: Annotated[
        str | None,
        typer.Option(
            "--vs",
            help='A title to compare it with, e.g. "Squid Game" (resolved like QUERY).',
            metavar="OTHER",
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="The brief as it stood on DATE (YYYY-MM-DD): only the weeks published by then, "
            "each row as the store knew it then (see docs/store.md, 'as of').",
            metavar="DATE",
        ),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The facts about a title as short sentences, each followed by its evidence.

    Debut, whether it was the category's debut record at the time, best week and where it
    stood, weeks at No. 1, country counts, total, and the comparison with --vs. Built from
    fixed templates over computed values; every figure names its measure and the published
    row (list, week, rank, snapshot) it comes from.
    """
    from chartwatch.brief import brief as make_brief

    with errors(), view_for(db, as_of) as view:
        result = make_brief(view, query, vs=vs)
        if as_json:
            out_json(result.to_dict())
            return
        from chartwatch.render.brief import brief_view

        console().print(brief_view(result))
