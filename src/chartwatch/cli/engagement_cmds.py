"""``chartwatch engagement``: the semiannual engagement reports, linked to the Top 10."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from chartwatch.cli.app import DbOption, JsonOption, app, console, errors, out_json, store_for


def _hours(value: int | None) -> str:
    return "" if value is None else f"{value / 1e6:,.1f}M"


def _runtime(value: float | None) -> str:
    if value is None:
        return ""
    minutes = round(value * 60)
    return f"{minutes // 60}:{minutes % 60:02d}"


@app.command(rich_help_panel="Engagement reports")
def engagement(
    report: Annotated[
        str | None,
        typer.Option(
            "--report", help="The report, e.g. 2024H1 (default: the latest).", metavar="ID"
        ),
    ] = None,
    kind: Annotated[
        str | None, typer.Option("--kind", help="Only tv or film rows.", metavar="tv|film")
    ] = None,
    global_only: Annotated[
        bool, typer.Option("--global-only", help="Only titles available globally.")
    ] = False,
    released_in: Annotated[
        int | None,
        typer.Option("--released-in", help="Only titles released in this year.", metavar="YEAR"),
    ] = None,
    top: Annotated[int, typer.Option("--top", help="How many rows.", metavar="N")] = 10,
    every: Annotated[
        bool,
        typer.Option("--all", help="Every row (about 16,000); with --unlinked, every row."),
    ] = False,
    show_unlinked: Annotated[
        bool,
        typer.Option(
            "--unlinked",
            help="What is not linked: titles that charted in the half-year without a row "
            "(with --all, also every row linked to no Top 10 title), and why.",
        ),
    ] = False,
    show_summary: Annotated[
        bool,
        typer.Option(
            "--summary",
            help="Per report: the share of hours of titles that never charted, the share of "
            "the top 1 % and 10 % of titles, titles per release year.",
        ),
    ] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """A semiannual engagement report's leaderboard, each row linked to its Top 10 title.

    Netflix's What We Watched reports list every title watched for 50,000 hours or more in a
    half-year. Rows are ranked by views where the report has them, else by hours; LABEL is
    the Top 10 title the row is linked to (empty: it never charted, or it was not found).
    """
    from chartwatch.engagement import answers

    with errors(), store_for(db) as store:
        if show_summary:
            doc = answers.summary(store, report=report)
            out_json(doc) if as_json else _print_summary(doc)
            return
        if show_unlinked:
            doc = answers.unlinked(store, report=report, every_row=every)
            out_json(doc) if as_json else _print_unlinked(doc)
            return
        doc = answers.leaderboard(
            store,
            report=report,
            kind=kind,
            global_only=global_only,
            released_in=released_in,
            top=None if every else top,
        )
        out_json(doc) if as_json else _print_board(doc)


def _print_board(doc: dict[str, Any]) -> None:
    from rich.table import Table

    table = Table(
        title=f"{doc['report']} ({doc['period_start']} to {doc['period_end']}): "
        f"{doc['titles']:,} titles, {_hours(doc['total_hours_viewed'])} hours, "
        f"ranked by {doc['ranked_by'].replace('_', ' ')}",
        title_justify="left",
    )
    for name, justify in (
        ("#", "right"),
        ("title", "left"),
        ("kind", "left"),
        ("released", "left"),
        ("global", "left"),
        ("hours", "right"),
        ("runtime", "right"),
        ("views", "right"),
        ("Top 10 title", "left"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for r in doc["rows"]:
        table.add_row(
            str(r["rank"]),
            r["title"] + (f" // {r['original_title']}" if r["original_title"] else ""),
            r["kind"] or "",
            str(r["release_date"] or ""),
            "yes" if r["available_globally"] else "no",
            _hours(r["hours_viewed"]),
            _runtime(r["runtime_hours"]),
            _hours(r["views"]),
            r["label"] or "",
        )
    console().print(table)


def _print_unlinked(doc: dict[str, Any]) -> None:
    c = console()
    c.print(
        f"{doc['report']}: {doc['charted_linked']} of {doc['charted']} titles in the global "
        "Top 10 during the half-year are linked to a row.",
        markup=False,
    )
    for t in doc["titles"]:
        c.print(f"  not linked: {t['label']}: {t['reason']}", markup=False)
    for r in doc.get("rows", []):
        c.print(f"  {r['title']} ({_hours(r['hours_viewed'])} hours): {r['reason']}", markup=False)


def _print_summary(doc: dict[str, Any]) -> None:
    from rich.table import Table

    table = Table(title="What the Top 10 leaves out", title_justify="left")
    for name in (
        "report",
        "titles",
        "hours",
        "never charted",
        "top 1 %",
        "top 10 %",
        "no release date",
        "most titles released in",
    ):
        table.add_column(name)
    for r in doc["reports"]:
        years = sorted(r["titles_by_release_year"].items(), key=lambda kv: -kv[1])[:3]
        table.add_row(
            r["report"],
            f"{r['titles']:,}",
            _hours(r["total_hours_viewed"]),
            f"{r['share_never_charted']:.1%}",
            f"{r['share_top_1_percent']:.1%}",
            f"{r['share_top_10_percent']:.1%}",
            f"{r['titles_without_release_date']:,}",
            ", ".join(f"{y} ({n})" for y, n in years),
        )
    console().print(table)
