"""What a query sees: the current rows, or the charts as they stood on a date.

Both are SQL subqueries over ``row_versions`` with the same columns, so every read in
chartwatch takes an ``as_of`` and stays set-based.

**The as-of rule** (bitemporal): ``as_of D`` is the charts as they stood on ``D``.

* *Which weeks*: those Netflix had published by ``D``. A week's lists are published on the
  Tuesday after the Sunday that ends it (:data:`PUBLICATION_LAG`), so the week ending
  ``W`` is in the view when ``W + 2 days <= D``. The most-popular lists have no week: their
  rows are in the view when the store observed them by the end of ``D``.
* *Which value*: for each row (list, country, week, category, rank), the version the store
  had observed by the end of ``D`` (UTC) — what a reader could have seen then. A row of a
  published week that the store first observed *after* ``D`` (a store filled by ``update``
  today, or an archive that fetched the file a day late) takes its earliest observed
  version and is marked ``reconstructed``: Netflix may have revised it between ``D`` and
  that first observation.

So on a store built by ``replay`` an as-of answer is what had been fetched by then; on a
store filled today it is the earliest published value of every week published by then.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from chartwatch.dates import end_of_day_utc

# Netflix publishes a week's Top 10 on the Tuesday after the Sunday that ends the week.
PUBLICATION_LAG = dt.timedelta(days=2)

ROW_COLUMNS = (
    "list",
    "country_iso2",
    "week",
    "category",
    "rank",
    "country_name",
    "show_title",
    "season_title",
    "weekly_hours_viewed",
    "runtime",
    "weekly_views",
    "cumulative_weeks_in_top_10",
    "is_staggered_launch",
    "episode_launch_details",
    "hours_viewed_first_28_days",
    "hours_viewed_first_91_days",
    "views_first_91_days",
    "extra",
)


def last_published_week(as_of: dt.date) -> dt.date:
    """The latest week-ending date whose lists were published by ``as_of``.

    >>> last_published_week(dt.date(2022, 2, 1))  # a Tuesday: the week ending Jan 30
    datetime.date(2022, 1, 30)
    >>> last_published_week(dt.date(2022, 1, 31))
    datetime.date(2022, 1, 29)
    """
    return as_of - PUBLICATION_LAG


def visible_rows(as_of: dt.date | None = None) -> tuple[str, list[Any]]:
    """A subquery of the rows visible now (``as_of`` None) or as they stood on ``as_of``.

    Columns: :data:`ROW_COLUMNS` plus ``version_id``, ``snapshot_id`` (the snapshot the
    value shown was last seen in, by ``as_of``), ``observed_at`` and ``reconstructed``
    (true when the store first observed the row after ``as_of``; see the module's rule).
    """
    cols = ", ".join(f"v.{c}" for c in ROW_COLUMNS)
    if as_of is None:
        return (
            f"(SELECT {cols}, v.version_id, c.snapshot_id, c.observed_at, "
            "false AS reconstructed "
            "FROM current_rows c JOIN row_versions v USING (version_id))",
            [],
        )
    order = "struct_pack(t := s.observed_at, i := s.snapshot_id)"
    known = "FILTER (WHERE s.observed_at <= $end)"
    sql = f"""
        (SELECT {cols}, v.version_id, pick.snapshot_id, pick.observed_at, pick.reconstructed
         FROM (
            SELECT coalesce(arg_max(o.version_id, {order}) {known},
                            arg_min(o.version_id, {order})) AS version_id,
                   coalesce(arg_max(s.snapshot_id, {order}) {known},
                            arg_min(s.snapshot_id, {order})) AS snapshot_id,
                   coalesce(max(s.observed_at) {known}, min(s.observed_at)) AS observed_at,
                   count(*) {known} = 0 AS reconstructed
            FROM observations o
            JOIN snapshots s USING (snapshot_id)
            JOIN row_versions k USING (version_id)
            WHERE (k.week IS NOT NULL AND k.week <= $week)
               OR (k.week IS NULL AND s.observed_at <= $end)
            GROUP BY k.list, k.country_iso2, k.week, k.category, k.rank
         ) pick
         JOIN row_versions v USING (version_id))
    """
    return _positional(sql, {"end": end_of_day_utc(as_of), "week": last_published_week(as_of)})


def _positional(sql: str, named: dict[str, Any]) -> tuple[str, list[Any]]:
    """``sql`` with each ``$name`` replaced by ``?`` and its value in order, so the subquery
    composes with the positional parameters of the queries it is pasted into."""
    import re

    params: list[Any] = []

    def sub(m: re.Match[str]) -> str:
        params.append(named[m.group(1)])
        return "?"

    return re.sub(r"\$(\w+)", sub, sql), params
