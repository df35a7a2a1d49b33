"""Where a figure stood at the time: the leaderboard lookups of a brief and the published
rows behind them (a record holder's debut or best week; a week's place among every
title-week of its category). The standings themselves come from
:mod:`chartwatch.analytics.records`, cut at the week in question.
"""

from __future__ import annotations

import datetime as dt

from chartwatch.analytics.brief.context import Context, Row
from chartwatch.analytics.frame import titled_rows
from chartwatch.analytics.runs import RecordHeld, TitleReport


def _title_rows(ctx: Context, label: str, category: str, cutoff: dt.date) -> list[Row]:
    only = ctx.cat.find(label, category.startswith("Films"))
    gsql, params = titled_rows(ctx.cat, ctx.view, "global", only=only)
    rows = ctx.store.all(
        f"""
        SELECT title, week, category, min(rank), any_value(weekly_hours_viewed),
               any_value(weekly_views), max(snapshot_id), max(observed_at)
        FROM {gsql} g WHERE title = ? AND category = ? AND week <= ?
        GROUP BY title, week, category ORDER BY week
        """,
        [*params, label, category, cutoff],
    )
    return [Row(*row) for row in rows]


def holder_row(ctx: Context, rec: RecordHeld) -> Row | None:
    """The row behind a record holder's figure: its debut, or its best week, by then."""
    if rec.holder is None:
        return None
    rows = _title_rows(ctx, rec.holder, rec.category, rec.week_end)
    if not rows:
        return None
    if rec.metric.startswith("debut"):
        return rows[0]
    column = "views" if rec.metric.endswith("views") else "hours_viewed"
    return next((r for r in rows if getattr(r, column) == rec.holder_value), None)


def single_weeks(
    ctx: Context, category: str, cutoff: dt.date, measure: str, value: int
) -> tuple[int, int, Row | None]:
    """Where ``value`` stands among every title-week of ``category`` up to ``cutoff``: the
    number of weeks, the rank (1 + weeks with more), and the biggest week."""
    column = "weekly_views" if measure == "views" else "weekly_hours_viewed"
    gsql, params = titled_rows(ctx.cat, ctx.view, "global", category=category)
    where = f"FROM {gsql} g WHERE category = ? AND week <= ? AND {column} IS NOT NULL"
    total, above = ctx.store.all(
        f"SELECT count(*), count(*) FILTER (WHERE {column} > ?) {where}",
        [value, *params, category, cutoff],
    )[0]
    top = ctx.store.all(
        f"""SELECT title, week, category, rank, weekly_hours_viewed, weekly_views,
                   snapshot_id, observed_at {where}
            ORDER BY {column} DESC, week, rank LIMIT 1""",
        [*params, category, cutoff],
    )
    return int(total), int(above) + 1, Row(*top[0]) if top else None


def record(r: TitleReport, metric: str) -> RecordHeld | None:
    """Where ``r`` stands on the leaderboard ``metric`` (``debut_hours``, ``week_views``, …)."""
    return next((x for x in r.records if x.metric == metric), None)
