"""Leaderboards as they stood on a date: debuts, single weeks, runs, country reach, and
Netflix's most-popular lists.

Only weeks ending on or before the date count, and only what had been published by then.
A title already listed in the first week of the lists (2021-07-04) has no known debut and
never enters a debut leaderboard. Views exist only from the week ending 2023-06-18, so the
views leaderboards cover that era only; every leaderboard says which measure it ranks by.

Ties are broken the same way every time: a title's best week is the earliest of its weeks
with the best figure, and equal figures rank by that week (earlier first), then by the
title's name, then its list.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from chartwatch.analytics.frame import VIEWS_FROM, list_start, titled_rows
from chartwatch.charts import resolve_category
from chartwatch.errors import NotFoundError, UsageError
from chartwatch.results import Tabular
from chartwatch.store.store import Store
from chartwatch.store.views import visible_rows
from chartwatch.titles import catalog
from chartwatch.titles.catalog import title_key

if TYPE_CHECKING:
    from chartwatch.analytics.runs import RecordHeld, TitleReport

METRICS: dict[str, str] = {
    "debut_hours": "hours viewed in the debut week",
    "debut_views": "views in the debut week (debuts from the week ending 2023-06-18)",
    "week_hours": "hours viewed in the title's best single week",
    "week_views": "views in the title's best single week (weeks from 2023-06-18)",
    "weeks_in_top10": "weeks in the global Top 10",
    "weeks_at_no1": "weeks at No. 1 in the global Top 10",
    "countries_no1": "countries where it was No. 1 in a single week (country lists)",
    "first_28_days_hours": "hours viewed in the first 28 days (Netflix's most-popular list)",
    "first_91_days_views": "views in the first 91 days (Netflix's most-popular list)",
}


@dataclass
class Entry:
    """One line of a leaderboard. JSON keys: rank, show, season, category, week_end, value,
    key. ``label`` is the title's ident (its label, or its key when a namesake shares the
    label); ``key`` its stable key (``None`` on the most-popular lists, which name no list
    language for a title that never reached the weekly lists)."""

    rank: int
    show: str
    season: str | None
    category: str
    week_end: dt.date | None
    value: int
    label: str
    key: str | None = None


@dataclass
class Leaderboard(Tabular):
    """``chartwatch records``; ``entries`` is the table."""

    metric: str
    measure: str
    category: str | None
    as_of: dt.date | None
    entries: list[Entry] = field(default_factory=list)

    def table_rows(self) -> list[dict[str, Any]]:
        return [{k: getattr(e, k) for k in Entry.__dataclass_fields__} for e in self.entries]


_PER_TITLE = {
    "debut_week": "min(week)",
    "debut_hours": "arg_min(weekly_hours_viewed, week)",
    "debut_views": "arg_min(weekly_views, week)",
    "best_hours": "max(weekly_hours_viewed)",
    # the earliest week with the best figure (a plain arg_max picks either of two tied weeks)
    "best_hours_week": "arg_min(week, struct_pack(v := -weekly_hours_viewed, w := week)) "
    "FILTER (WHERE weekly_hours_viewed IS NOT NULL)",
    "best_views": "max(weekly_views)",
    "best_views_week": "arg_min(week, struct_pack(v := -weekly_views, w := week)) "
    "FILTER (WHERE weekly_views IS NOT NULL)",
    "weeks": "count(DISTINCT week)",
    "last_week": "max(week)",
    "no1_weeks": "count(DISTINCT week) FILTER (WHERE rank = 1)",
    "last_no1_week": "max(week) FILTER (WHERE rank = 1)",
}


def _per_title_sql(gsql: str, used: str) -> str:
    """One row per title: the figures of :data:`_PER_TITLE` that ``used`` (the SQL that
    reads them) names. Only those are computed: DuckDB does not drop the aggregates a
    query leaves unread, and the two ``count(DISTINCT)`` double a leaderboard's time."""
    figures = "".join(
        f", {expr} AS {name}"
        for name, expr in _PER_TITLE.items()
        if re.search(rf"\b{name}\b", used)
    )
    return f"""
        SELECT title, film, any_value(show_title) AS show_title,
               arg_min(category, week) AS category{figures}
        FROM {gsql} g WHERE week <= $cutoff GROUP BY title, film
    """


_SELECT = {
    "debut_hours": ("debut_hours", "debut_week", "debut_week > $start"),
    "debut_views": (
        "debut_views",
        "debut_week",
        "debut_week > $start AND debut_week >= $views_from",
    ),
    "week_hours": ("best_hours", "best_hours_week", "true"),
    "week_views": ("best_views", "best_views_week", "true"),
    "weeks_in_top10": ("weeks", "last_week", "true"),
    "weeks_at_no1": ("no1_weeks", "last_no1_week", "no1_weeks > 0"),
}


def _board(
    store: Store,
    metric: str,
    category: str | None,
    cutoff: dt.date,
    as_of: dt.date | None,
    top: int | None,
) -> list[Entry]:
    cat = catalog(store, as_of)
    named: dict[str, Any] = {"cutoff": cutoff}
    if metric in _SELECT:
        gsql, gparams = titled_rows(cat, as_of, "global", category=category)
        value, week, where = _SELECT[metric]
        named["start"] = list_start(store, as_of, cat) or dt.date.min
        named["views_from"] = VIEWS_FROM
        base = _per_title_sql(gsql, f"{value} {week} {where}")
        sql = f"""
            SELECT show_title, CASE WHEN film THEN NULL ELSE title END, category, {week},
                   {value}, title
            FROM ({base}) p
            WHERE {where} AND {value} IS NOT NULL {"AND category = $category" if category else ""}
        """
    elif metric == "countries_no1":
        gsql, gparams = titled_rows(cat, as_of, "countries")
        sql = f"""
            SELECT any_value(show_title), CASE WHEN film THEN NULL ELSE title END,
                   CASE WHEN film THEN 'Films' ELSE 'TV' END,
                   arg_min(week, struct_pack(n := -n, w := week)), max(n), title
            FROM (SELECT title, film, week, any_value(show_title) AS show_title,
                         count(DISTINCT country_iso2) AS n
                  FROM {gsql} c WHERE rank = 1 AND week <= $cutoff GROUP BY title, film, week)
            GROUP BY title, film
            {"HAVING CASE WHEN film THEN 'Films' ELSE 'TV' END = $category" if category else ""}
        """
    else:
        column = {
            "first_28_days_hours": "hours_viewed_first_28_days",
            "first_91_days_views": "views_first_91_days",
        }[metric]
        rows_sql, gparams = visible_rows(as_of)
        sql = f"""
            SELECT show_title, season_title, category, NULL::DATE, {column},
                   coalesce(season_title, show_title)
            FROM {rows_sql} r
            WHERE list = 'most-popular' AND {column} IS NOT NULL
              {"AND category = $category" if category else ""}
        """
    if category:
        named["category"] = category
    # positional params of the subqueries come first; named ones are bound by name
    sql_positional = sql
    for i in range(len(gparams)):
        sql_positional = sql_positional.replace("?", f"$p{i}", 1)
    named.update({f"p{i}": v for i, v in enumerate(gparams)})
    named = {k: v for k, v in named.items() if f"${k}" in sql_positional}
    limit = f"LIMIT {int(top)}" if top else ""
    rows = store.all(
        # value, then its week (earlier first), then the title, then its list: a total order
        f"SELECT * FROM ({sql_positional}) ORDER BY 5 DESC, 4 NULLS LAST, 6, 3 {limit}",
        named,
    )
    entries = []
    for i, (s, season, c, w, v, label) in enumerate(rows, start=1):
        film = c.startswith("Films")
        found = cat.find(label, film)
        if found is None and c.endswith(")"):  # a global list's category: a shared label
            found = cat.by_key.get(title_key(cat.canonical(label), film, c))
        if found is not None and season == found.ident != found.label:
            season = found.label  # the label, not the ident that qualifies a shared one
        entries.append(
            Entry(
                rank=i,
                show=s,
                season=season,
                category=c,
                week_end=w,
                value=int(v),
                label=label,
                key=found.key if found is not None else None,
            )
        )
    return entries


def records(
    store: Store,
    metric: str,
    *,
    category: str | None = None,
    as_of: dt.date | None = None,
    top: int = 10,
) -> Leaderboard:
    """The leaderboard for ``metric`` as it stood on ``as_of`` (default: now).

    ``category`` narrows to one list (``"TV (Non-English)"``, short forms accepted; the
    country metric takes Films or TV). Raises :class:`NotFoundError` when nothing qualifies.
    """
    if metric not in METRICS:
        raise UsageError(f"--metric: {metric!r} is not one of {', '.join(METRICS)}")
    if top < 1 or top > 1000:
        raise UsageError("--top: give a number from 1 to 1000")
    cat_name = None
    if category:
        cat_name = resolve_category(category, country=metric == "countries_no1")
    cutoff = as_of or dt.date.max
    entries = _board(store, metric, cat_name, cutoff, as_of, top)
    if not entries:
        hint = ""
        if metric == "first_28_days_hours":
            hint = "; Netflix published 28-day figures until June 2023: try --as-of 2023-06-01"
        elif metric.endswith("_views"):
            hint = "; views are published from the week ending 2023-06-18"
        raise NotFoundError(f"no {METRICS[metric]} in this view{hint}")
    return Leaderboard(metric, METRICS[metric], cat_name, as_of, entries)


def records_held(
    store: Store, report: TitleReport, *, as_of: dt.date | None = None
) -> list[RecordHeld]:
    """Where a title's debut and best week stood in its category at the time."""
    from chartwatch.analytics.runs import RecordHeld

    if not report.category or not report.weeks:
        return []
    checks: list[tuple[str, dt.date, int | None]] = []
    if report.debut and report.debut.known:
        checks.append(("debut_hours", report.debut.week_end, report.debut.hours_viewed))
        if report.debut.views is not None:
            checks.append(("debut_views", report.debut.week_end, report.debut.views))
    best_hours = max(report.weeks, key=lambda w: w.hours_viewed or 0)
    checks.append(("week_hours", best_hours.week_end, best_hours.hours_viewed))
    with_views = [w for w in report.weeks if w.views is not None]
    if with_views:
        best_views = max(with_views, key=lambda w: w.views or 0)
        checks.append(("week_views", best_views.week_end, best_views.views))
    held = []
    for metric, week, value in checks:
        if value is None:
            continue
        board = _board(store, metric, report.category, week, as_of, None)
        mine = next((e for e in board if e.label == report.ident), None)
        if mine is None:
            continue
        leader = board[0]
        held.append(
            RecordHeld(
                metric=metric,
                category=report.category,
                week_end=week,
                value=value,
                rank=mine.rank,
                of=len(board),
                record=mine.rank == 1,
                holder=None if mine.rank == 1 else leader.label,
                holder_value=None if mine.rank == 1 else leader.value,
            )
        )
    return held
