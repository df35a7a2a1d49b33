"""What a query sees: the current rows, or what had been published as of a date.

Both are SQL subqueries over ``row_versions`` with the same columns, so every read in
chartwatch takes an ``as_of`` and stays set-based.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from chartwatch.dates import end_of_day_utc

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


def visible_rows(as_of: dt.date | None = None) -> tuple[str, list[Any]]:
    """A subquery of the rows visible now (``as_of`` None) or as published by ``as_of``.

    Columns: :data:`ROW_COLUMNS` plus ``version_id``, ``snapshot_id`` (the snapshot the row
    was last seen in) and ``observed_at``. ``as_of`` includes everything observed on that
    day (UTC).
    """
    cols = ", ".join(f"v.{c}" for c in ROW_COLUMNS)
    if as_of is None:
        return (
            f"(SELECT {cols}, v.version_id, c.snapshot_id, c.observed_at "
            "FROM current_rows c JOIN row_versions v USING (version_id))",
            [],
        )
    sql = f"""
        (SELECT {cols}, v.version_id, latest.snapshot_id, latest.observed_at
         FROM (
            SELECT arg_max(o.version_id, struct_pack(t := s.observed_at, i := s.snapshot_id))
                       AS version_id,
                   arg_max(s.snapshot_id, struct_pack(t := s.observed_at, i := s.snapshot_id))
                       AS snapshot_id,
                   max(s.observed_at) AS observed_at
            FROM observations o
            JOIN snapshots s USING (snapshot_id)
            JOIN row_versions k USING (version_id)
            WHERE s.observed_at <= ?
            GROUP BY k.list, k.country_iso2, k.week, k.category, k.rank
         ) latest
         JOIN row_versions v USING (version_id))
    """
    return sql, [end_of_day_utc(as_of)]
