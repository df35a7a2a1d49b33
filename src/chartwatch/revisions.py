"""What Netflix changed after publishing: every revision of every chart row.

A revision is a later snapshot publishing a different value for the same row key (list,
country, week, category, rank). Changes are reported per field, with when the old and the
new value were first and last published. A field that an older generation of the files
did not have at all (``is_staggered_launch`` before June 2023) appearing later is not a
revision and is left out unless ``include_new_columns`` is set.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from chartwatch.dates import week_ending
from chartwatch.store.store import Store
from chartwatch.vocabulary import VALUE_COLUMNS


@dataclass
class Change:
    """One field of one row, changed by a later snapshot. JSON keys are these field names."""

    list: str
    country_iso2: str | None
    week: dt.date | None
    category: str
    rank: int
    field: str
    old: str | None
    new: str | None
    old_first_published: dt.datetime
    old_last_published: dt.datetime
    new_first_published: dt.datetime
    new_last_published: dt.datetime
    new_snapshot_id: int

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for key, value in out.items():
            if isinstance(value, dt.date | dt.datetime):
                out[key] = value.isoformat()
        return out


def history(
    store: Store,
    *,
    title: str | None = None,
    week: dt.date | None = None,
    list_name: str | None = None,
    country: str | None = None,
    include_new_columns: bool = False,
) -> list[Change]:
    """Every field-level revision, optionally for rows whose title (old or new) contains
    ``title`` (case-insensitive), for the week holding ``week``, one list or one country.
    Ordered by the time the change was first published, then by row.
    """
    filters: list[str] = []
    title_match = "true"
    if title:
        pattern = "%" + title.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        match = "({t}.show_title ILIKE $title OR {t}.season_title ILIKE $title)"
        filters.append(match.format(t="row_versions"))
        # a change is about the title when the old or the new row names it
        title_match = "(" + match.format(t="a") + " OR " + match.format(t="b") + ")"
    named: dict[str, Any] = {"title": pattern} if title else {}
    if week:
        filters.append("week = $week")
        named["week"] = week_ending(week)
    if list_name:
        filters.append("list = $list")
        named["list"] = list_name
    if country:
        filters.append("country_iso2 = $country")
        named["country"] = country.strip().upper()
    key = "list, country_iso2, week, category, rank"
    where = " AND ".join(filters) if filters else "true"
    fields = [c for c in VALUE_COLUMNS] + ["extra"]
    diffs = ", ".join(
        f"struct_pack(field := '{f}', old := CAST(a.{f} AS VARCHAR), new := CAST(b.{f} AS VARCHAR))"
        for f in fields
    )
    new_col_filter = (
        ""
        if include_new_columns
        else "AND NOT (p.d.old IS NULL AND p.d.field <> 'extra' "
        "AND NOT list_contains(os.columns, p.d.field))"
    )
    rows = store.all(
        f"""
        WITH keys AS (
            SELECT DISTINCT {key} FROM row_versions WHERE {where}),
        vers AS (
            SELECT v.* FROM row_versions v SEMI JOIN keys k
            ON v.list = k.list AND v.category = k.category AND v.rank = k.rank
               AND v.week IS NOT DISTINCT FROM k.week
               AND v.country_iso2 IS NOT DISTINCT FROM k.country_iso2),
        multi AS (
            SELECT {key} FROM vers GROUP BY {key} HAVING count(*) > 1),
        obs AS (
            SELECT v.version_id, v.list, v.country_iso2, v.week, v.category, v.rank,
                   s.observed_at, s.snapshot_id
            FROM observations o JOIN snapshots s USING (snapshot_id)
            JOIN (SELECT v.* FROM vers v SEMI JOIN multi m
                  ON v.list = m.list AND v.category = m.category AND v.rank = m.rank
                     AND v.week IS NOT DISTINCT FROM m.week
                     AND v.country_iso2 IS NOT DISTINCT FROM m.country_iso2) v
              USING (version_id)),
        seq AS (
            SELECT *, lag(version_id) OVER (
                PARTITION BY {key} ORDER BY observed_at, snapshot_id) AS prev_id
            FROM obs),
        trans AS (
            SELECT prev_id AS old_id, version_id AS new_id, snapshot_id AS new_snapshot_id
            FROM seq WHERE prev_id IS NOT NULL AND prev_id <> version_id),
        span AS (
            SELECT version_id, min(observed_at) AS first_pub, max(observed_at) AS last_pub
            FROM obs GROUP BY version_id),
        pairs AS (
            SELECT t.*, unnest([{diffs}]) AS d
            FROM trans t
            JOIN row_versions a ON a.version_id = t.old_id
            JOIN row_versions b ON b.version_id = t.new_id)
        SELECT b.list, b.country_iso2, b.week, b.category, b.rank,
               p.d.field, p.d.old, p.d.new,
               so.first_pub, so.last_pub, sn.first_pub, sn.last_pub, p.new_snapshot_id
        FROM pairs p
        JOIN row_versions a ON a.version_id = p.old_id
        JOIN row_versions b ON b.version_id = p.new_id
        JOIN snapshots os ON os.snapshot_id = a.first_snapshot_id
        JOIN span so ON so.version_id = p.old_id
        JOIN span sn ON sn.version_id = p.new_id
        WHERE p.d.old IS DISTINCT FROM p.d.new AND {title_match} {new_col_filter}
        ORDER BY sn.first_pub, b.list, b.week, b.country_iso2, b.category, b.rank, p.d.field
        """,
        named,
    )
    return [Change(*row) for row in rows]


TITLE_FIELDS = ("show_title", "season_title")


def change_kind(change: Change) -> str:
    """What kind of change it is, as people read the revisions: ``rename`` (a title's name
    changed), ``value`` (a figure or another field changed), ``dropped`` (a later file no
    longer has the column: the value became empty) or ``added`` (a value appeared where the
    older file had none)."""
    if change.old is not None and change.new is None:
        return "dropped"
    if change.old is None and change.new is not None:
        return "added"
    return "rename" if change.field in TITLE_FIELDS else "value"


def grouped_history(
    store: Store,
    *,
    title: str | None = None,
    week: dt.date | None = None,
    list_name: str | None = None,
    country: str | None = None,
    include_new_columns: bool = False,
) -> dict[str, Any]:
    """The revisions of :func:`history` grouped for reading: the real renames and value
    changes by title (renames first), and the columns that later files dropped or added
    summarised, one line per list and column.

    Returns ``{"count", "titles": [{"title", "list", "renames", "values"}], "columns":
    [{"kind", "list", "field", "count", "first_week", "last_week", "first_published",
    "examples"}]}``: ``renames`` and ``values`` are changes as :meth:`Change.to_dict` gives
    them; ``examples`` are a few of the old values.
    """
    changes = history(
        store,
        title=title,
        week=week,
        list_name=list_name,
        country=country,
        include_new_columns=include_new_columns,
    )
    names = _row_titles(store, changes)
    titles: dict[tuple[str, str], dict[str, Any]] = {}
    columns: dict[tuple[str, str, str], dict[str, Any]] = {}
    for change in changes:
        kind = change_kind(change)
        key = (change.list, change.country_iso2, change.week, change.category, change.rank)
        if kind in ("rename", "value"):
            name = names.get(key) or change.new or "–"
            group = titles.setdefault(
                (name, change.list),
                {"title": name, "list": change.list, "renames": [], "values": []},
            )
            group["renames" if kind == "rename" else "values"].append(change.to_dict())
            continue
        col = columns.setdefault(
            (kind, change.list, change.field),
            {
                "kind": kind,
                "list": change.list,
                "field": change.field,
                "count": 0,
                "first_week": None,
                "last_week": None,
                "first_published": change.new_first_published.isoformat(),
                "examples": [],
            },
        )
        col["count"] += 1
        if change.week is not None:
            wk = change.week.isoformat()
            col["first_week"] = min(filter(None, [col["first_week"], wk]))
            col["last_week"] = max(filter(None, [col["last_week"], wk]))
        sample = change.old if kind == "dropped" else change.new
        if sample is not None and len(col["examples"]) < 3 and sample not in col["examples"]:
            col["examples"].append(sample)
    ordered = sorted(
        titles.values(),
        key=lambda g: (not g["renames"], -len(g["renames"]) - len(g["values"]), g["title"]),
    )
    return {
        "count": len(changes),
        "titles": ordered,
        "columns": sorted(columns.values(), key=lambda c: (-c["count"], c["list"], c["field"])),
    }


def _row_titles(store: Store, changes: list[Change]) -> dict[tuple[Any, ...], str]:
    """The title each changed row names in the current view (its season, else its show)."""
    if not changes:
        return {}
    rows = store.all(
        "SELECT c.list, c.country_iso2, c.week, c.category, c.rank, "
        "coalesce(v.season_title, v.show_title) "
        "FROM current_rows c JOIN row_versions v USING (version_id) "
        "WHERE c.week BETWEEN ? AND ?",
        [
            min((c.week for c in changes if c.week), default=dt.date.min),
            max((c.week for c in changes if c.week), default=dt.date.max),
        ],
    )
    return {tuple(r[:5]): r[5] for r in rows}
