"""What the store holds: snapshots, weeks covered per list, rows, versions, last update."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from chartwatch.store.store import Store


@dataclass
class ListStatus:
    """One list (global, countries, most-popular) in the current view."""

    list: str
    snapshots: int
    rows: int
    versions: int
    revised_rows: int
    weeks: int
    first_week: dt.date | None
    last_week: dt.date | None
    countries: int
    last_observed_at: dt.datetime | None


@dataclass
class StoreStatus:
    """``chartwatch status``; ``to_dict()`` gives its stable JSON."""

    db: str
    schema_version: int
    snapshots: int
    observations: int
    last_ingested_at: dt.datetime | None
    lists: list[ListStatus] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        def fix(value: Any) -> Any:
            if isinstance(value, dt.datetime | dt.date):
                return value.isoformat()
            if isinstance(value, dict):
                return {k: fix(v) for k, v in value.items()}
            if isinstance(value, list):
                return [fix(v) for v in value]
            return value

        out: dict[str, Any] = fix(asdict(self))
        return out


def status(store: Store) -> StoreStatus:
    """Summarise the store."""
    head = store.one(
        "SELECT count(*), max(ingested_at), (SELECT count(*) FROM observations) FROM snapshots"
    )
    assert head is not None
    result = StoreStatus(
        db=store.label,
        schema_version=store.schema_version,
        snapshots=int(head[0]),
        observations=int(head[2]),
        last_ingested_at=head[1],
    )
    from chartwatch.engagement.reports import report_rows

    engagement, params = report_rows()
    rows = store.all(
        f"""
        WITH cur AS (
            SELECT list, count(*) AS rows, count(DISTINCT week) AS weeks, min(week) AS first_week,
                   max(week) AS last_week, count(DISTINCT country_iso2) AS countries
            FROM current_rows GROUP BY list
            UNION ALL
            SELECT 'engagement', count(*), 0, NULL, NULL, 0 FROM {engagement}),
        ver AS (
            SELECT list, count(*) AS versions FROM row_versions GROUP BY list
            UNION ALL
            SELECT 'engagement', count(*) FROM engagement_versions),
        rev AS (
            SELECT list, count(*) AS revised FROM (
                SELECT list FROM row_versions
                GROUP BY list, country_iso2, week, category, rank HAVING count(*) > 1)
            GROUP BY list
            UNION ALL
            SELECT 'engagement', count(*) FROM (
                SELECT 1 FROM engagement_versions
                GROUP BY report, kind, title, occurrence HAVING count(*) > 1)),
        snap AS (
            SELECT kind AS list, count(*) AS snapshots, max(observed_at) AS last_observed
            FROM snapshots GROUP BY kind)
        SELECT snap.list, snap.snapshots, coalesce(cur.rows, 0), coalesce(ver.versions, 0),
               coalesce(rev.revised, 0), coalesce(cur.weeks, 0), cur.first_week, cur.last_week,
               coalesce(cur.countries, 0), snap.last_observed
        FROM snap LEFT JOIN cur USING (list) LEFT JOIN ver USING (list) LEFT JOIN rev USING (list)
        ORDER BY CASE snap.list WHEN 'global' THEN 0 WHEN 'countries' THEN 1
                                WHEN 'most-popular' THEN 2 ELSE 3 END
        """,
        params,
    )
    result.lists = [ListStatus(*row) for row in rows]
    return result
