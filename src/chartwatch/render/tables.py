"""Result objects as Rich tables."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from chartwatch.ingestion.load import IngestResult
    from chartwatch.inventory import StoreStatus
    from chartwatch.lists import WeekChart
    from chartwatch.revisions import Change

_STATUS_STYLE = {"accepted": "green", "unchanged": "dim", "rejected": "bold red"}


def millions(value: int | None) -> str:
    """``124790000`` → ``124.79M``; None → empty."""
    if value is None:
        return ""
    return f"{value / 1e6:,.2f}M"


def ingest_table(results: Sequence[IngestResult], title: str = "Ingest") -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("file", overflow="fold")
    table.add_column("status")
    table.add_column("kind")
    table.add_column("rows", justify="right")
    table.add_column("new versions", justify="right")
    table.add_column("revised", justify="right")
    table.add_column("reason", overflow="fold")
    for r in results:
        reason = r.reason or "; ".join(r.warnings)
        if r.line is not None:
            reason = f"line {r.line}: {reason}"
        table.add_row(
            r.source,
            Text(r.status, style=_STATUS_STYLE[r.status]),
            r.kind or "",
            f"{r.rows:,}" if r.status != "rejected" else "",
            f"{r.new_versions:,}" if r.status == "accepted" else "",
            f"{r.revised:,}" if r.status == "accepted" else "",
            reason,
        )
    return table


def week_tables(chart: WeekChart) -> list[Table]:
    where = f"{chart.country_name} ({chart.country_iso2})" if chart.country_iso2 else "Global"
    tables = []
    for lst in chart.lists:
        has_views = any(r.weekly_views is not None for r in lst.rows)
        has_hours = any(r.weekly_hours_viewed is not None for r in lst.rows)
        table = Table(
            title=f"{where} · {lst.category} · {chart.label}"
            + (f" (as published by {chart.as_of})" if chart.as_of else ""),
            title_justify="left",
        )
        table.add_column("#", justify="right")
        table.add_column("title", overflow="fold")
        if has_views:
            table.add_column("views", justify="right")
        if has_hours:
            table.add_column("hours", justify="right")
        table.add_column("weeks", justify="right")
        for r in lst.rows:
            name = r.season_title or r.show_title
            cells = [str(r.rank), name]
            if has_views:
                cells.append(millions(r.weekly_views))
            if has_hours:
                cells.append(millions(r.weekly_hours_viewed))
            cells.append(
                "" if r.cumulative_weeks_in_top_10 is None else str(r.cumulative_weeks_in_top_10)
            )
            table.add_row(*cells)
        tables.append(table)
    return tables


def status_table(st: StoreStatus) -> Table:
    table = Table(
        title=f"{st.db} · schema v{st.schema_version} · {st.snapshots} snapshots · "
        f"last ingest {st.last_ingested_at:%Y-%m-%d %H:%M}"
        if st.last_ingested_at
        else st.db,
        title_justify="left",
    )
    for col, just in (
        ("list", "left"),
        ("snapshots", "right"),
        ("weeks", "right"),
        ("first week", "left"),
        ("last week", "left"),
        ("countries", "right"),
        ("rows", "right"),
        ("versions", "right"),
        ("revised rows", "right"),
        ("last published", "left"),
    ):
        table.add_column(col, justify=just)  # type: ignore[arg-type]
    for ls in st.lists:
        table.add_row(
            ls.list,
            str(ls.snapshots),
            str(ls.weeks),
            str(ls.first_week or ""),
            str(ls.last_week or ""),
            str(ls.countries or ""),
            f"{ls.rows:,}",
            f"{ls.versions:,}",
            f"{ls.revised_rows:,}",
            f"{ls.last_observed_at:%Y-%m-%d}" if ls.last_observed_at else "",
        )
    return table


def history_table(changes: Sequence[Change], limit: int) -> Table:
    shown = changes[:limit] if limit else changes
    more = len(changes) - len(shown)
    table = Table(
        title=f"{len(changes):,} changes"
        + (f" (first {len(shown)}; --limit 0 for all)" if more else ""),
        title_justify="left",
    )
    for col in (
        "list",
        "week",
        "where",
        "#",
        "field",
        "old",
        "new",
        "old published",
        "new published",
    ):
        table.add_column(col, overflow="fold")
    for c in shown:
        where = c.category + (f" · {c.country_iso2}" if c.country_iso2 else "")
        table.add_row(
            c.list,
            str(c.week or ""),
            where,
            str(c.rank),
            c.field,
            c.old or "—",
            c.new or "—",
            f"{c.old_first_published:%Y-%m-%d} → {c.old_last_published:%Y-%m-%d}",
            f"{c.new_first_published:%Y-%m-%d} → {c.new_last_published:%Y-%m-%d}",
        )
    return table
