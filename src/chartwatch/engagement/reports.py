"""What a query sees of the engagement reports: for each report, the rows of its latest
observed snapshot (now, or as published by a date).

A report is published whole, so a re-published report (with corrections) replaces the
earlier one; every version stays in ``engagement_versions``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from chartwatch.dates import end_of_day_utc

ROW_COLUMNS = (
    "report",
    "kind",
    "title",
    "occurrence",
    "original_title",
    "available_globally",
    "release_date",
    "hours_viewed",
    "runtime_hours",
    "views",
    "extra",
)


def latest_reports(as_of: dt.date | None = None) -> tuple[str, list[Any]]:
    """A subquery of each report's latest snapshot: ``report, snapshot_id, period_start,
    period_end, observed_at``."""
    cutoff = "WHERE s.observed_at <= ?" if as_of is not None else ""
    params = [end_of_day_utc(as_of)] if as_of is not None else []
    latest = "struct_pack(t := s.observed_at, i := s.snapshot_id)"
    sql = f"""
        (SELECT r.report, arg_max(r.snapshot_id, {latest}) AS snapshot_id,
                arg_max(r.period_start, {latest}) AS period_start,
                arg_max(r.period_end, {latest}) AS period_end,
                max(s.observed_at) AS observed_at
         FROM engagement_reports r JOIN snapshots s USING (snapshot_id)
         {cutoff}
         GROUP BY r.report)
    """
    return sql, params


def report_rows(as_of: dt.date | None = None) -> tuple[str, list[Any]]:
    """A subquery of the current rows of every report: :data:`ROW_COLUMNS` plus
    ``version_id``, ``snapshot_id``, ``sheet``, ``row``, ``period_start``, ``period_end``."""
    reports, params = latest_reports(as_of)
    cols = ", ".join(f"v.{c}" for c in ROW_COLUMNS)
    sql = f"""
        (SELECT {cols}, v.version_id, o.snapshot_id, o.sheet, o."row",
                l.period_start, l.period_end
         FROM {reports} l
         JOIN engagement_observations o USING (snapshot_id)
         JOIN engagement_versions v USING (version_id))
    """
    return sql, params
