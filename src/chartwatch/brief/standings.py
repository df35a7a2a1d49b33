"""Where a figure stood at the time: the leaderboard lookups of a brief and the published
rows behind them (a record holder's debut or best week; a week's place among every
title-week of its category). The standings themselves come from
:mod:`chartwatch.analytics.records`, cut at the week in question.
"""

from __future__ import annotations

import datetime as dt

from chartwatch.analytics.runs import RecordHeld, TitleReport
from chartwatch.brief.context import Context, Row


def _title_rows(ctx: Context, ident: str, category: str, cutoff: dt.date) -> list[Row]:
    film = category.startswith("Films")
    return [
        Row(ident, w.week, w.category, w.rank, w.hours, w.views, w.snapshot_id, w.observed_at)
        for w in ctx.view.core.title_weeks(ident, film)
        if w.category == category and w.week <= cutoff
    ]


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
    total = above = 0
    top: tuple[tuple[int, dt.date, int], Row] | None = None
    film = category.startswith("Films")
    for (ident, is_film), weeks in ctx.view.core.weeks.items():
        if is_film != film:
            continue
        for w in weeks:
            figure = w.views if measure == "views" else w.hours
            if w.category != category or w.week > cutoff or figure is None:
                continue
            total += 1
            above += figure > value
            order = (-figure, w.week, w.rank)
            if top is None or order < top[0]:
                row = Row(
                    ident,
                    w.week,
                    w.category,
                    w.rank,
                    w.hours,
                    w.views,
                    w.snapshot_id,
                    w.observed_at,
                )
                top = (order, row)
    return total, above + 1, top[1] if top else None


def record(r: TitleReport, metric: str) -> RecordHeld | None:
    """Where ``r`` stands on the leaderboard ``metric`` (``debut_hours``, ``week_views``, …)."""
    return next((x for x in r.records if x.metric == metric), None)
