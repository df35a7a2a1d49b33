"""Where a figure stood at the time: the leaderboard lookups of a brief and the published
rows behind them (a record holder's debut or best week; a week's place among every
title-week of its category). The standings themselves come from
:mod:`chartwatch.analytics.records`, cut at the week in question.
"""

from __future__ import annotations

import bisect
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
    weeks, figures, best = _category_weeks(ctx, category, measure)
    total = bisect.bisect_right(weeks, cutoff)
    above = sum(1 for f in figures[:total] if f > value)
    return total, above + 1, best[total - 1] if total else None


def _category_weeks(
    ctx: Context, category: str, measure: str
) -> tuple[list[dt.date], list[int], list[Row]]:
    """Every title-week of ``category`` with a figure, in week order: the weeks, the
    figures, and the biggest week so far at each position (made once per view)."""

    def compute() -> tuple[list[dt.date], list[int], list[Row]]:
        film = category.startswith("Films")
        found = []
        for (ident, is_film), title_weeks in ctx.view.core.weeks.items():
            if is_film != film:
                continue
            for w in title_weeks:
                figure = w.views if measure == "views" else w.hours
                if w.category == category and figure is not None:
                    found.append((w.week, figure, ident, w))
        found.sort(key=lambda f: (f[0], -f[1], f[3].rank))
        best: list[Row] = []
        top: tuple[tuple[int, dt.date, int], Row] | None = None
        for week, figure, ident, w in found:
            order = (-figure, week, w.rank)
            if top is None or order < top[0]:
                row = Row(
                    ident, w.week, w.category, w.rank, w.hours, w.views, w.snapshot_id,
                    w.observed_at,
                )  # fmt: skip
                top = (order, row)
            best.append(top[1])
        return [f[0] for f in found], [f[1] for f in found], best

    return ctx.view.derived(f"brief_category_weeks:{category}:{measure}", compute)


def record(r: TitleReport, metric: str) -> RecordHeld | None:
    """Where ``r`` stands on the leaderboard ``metric`` (``debut_hours``, ``week_views``, …)."""
    return next((x for x in r.records if x.metric == metric), None)
