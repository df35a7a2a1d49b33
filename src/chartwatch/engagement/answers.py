"""What ``chartwatch engagement`` answers: one function per mode, each returning the whole
JSON document (keys in docs/json.md).

- :func:`leaderboard`: a report's rows, ranked by views where the report has them, else
  by hours, each with the Top 10 title it is linked to;
- :func:`unlinked`: what is not linked, and why;
- :func:`summary`: per report, what the Top 10 leaves out and how concentrated viewing is.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Any

from chartwatch.engagement.link import Links, fold, store_links
from chartwatch.engagement.reports import ROW_COLUMNS, latest_reports, report_rows
from chartwatch.errors import NotFoundError, UsageError

if TYPE_CHECKING:
    from chartwatch.store.store import Store

KINDS = ("tv", "film")


def reports(store: Store) -> list[tuple[str, dt.date, dt.date]]:
    """The reports in the store, oldest first: (id, period start, period end)."""
    sql, params = latest_reports()
    return [
        (str(r), s, e)
        for r, s, e in store.all(
            f"SELECT report, period_start, period_end FROM {sql} ORDER BY period_end", params
        )
    ]


def _pick(store: Store, report: str | None) -> tuple[str, dt.date, dt.date]:
    known = reports(store)
    if not known:
        raise NotFoundError(
            "the store holds no engagement report; `chartwatch ingest REPORT.xlsx` loads one"
        )
    if report is None:
        return known[-1]
    for item in known:
        if item[0].lower() == report.lower():
            return item
    raise NotFoundError(
        f"no engagement report {report!r}; the store has {', '.join(k[0] for k in known)}"
    )


def _rows(store: Store, report: str) -> list[dict[str, Any]]:
    sql, params = report_rows()
    cols = tuple(c for c in ROW_COLUMNS if c not in ("report", "extra"))
    got = store.all(f"SELECT {', '.join(cols)} FROM {sql} WHERE report = ?", [*params, report])
    return [dict(zip(cols, r, strict=True)) for r in got]


def _links(store: Store, links: Links | None) -> Links:
    return links if links is not None else store_links(store)


def _row_kind(row: dict[str, Any], label: str | None, film_of: dict[str, bool]) -> str | None:
    if row["kind"] in KINDS:
        return str(row["kind"])
    if label is not None:
        return "film" if film_of.get(label) else "tv"
    return None


def leaderboard(
    store: Store,
    *,
    report: str | None = None,
    kind: str | None = None,
    global_only: bool = False,
    released_in: int | None = None,
    top: int | None = 10,
    links: Links | None = None,
) -> dict[str, Any]:
    """A report's leaderboard (the latest report unless ``report``), ``top`` rows or all
    (``top`` None). ``rank`` is the place among the rows that pass the filters, by views
    where the report has them, else by hours (ties share a rank)."""
    if kind is not None and kind not in KINDS:
        raise UsageError(f"{kind!r} is not one of {', '.join(KINDS)}", parameter="kind")
    if top is not None and top < 1:
        raise UsageError("give a number of rows of at least 1", parameter="top")
    rid, start, end = _pick(store, report)
    found = _links(store, links)
    film_of = _film_of(store)
    rows = _rows(store, rid)
    has_views = any(r["views"] is not None for r in rows)
    out: list[dict[str, Any]] = []
    for r in rows:
        key = (rid, r["kind"], r["title"], r["occurrence"])
        ln = found.by_row.get(key)
        label = ln.title if ln else None
        row_kind = _row_kind(r, label, film_of)
        if kind is not None and row_kind != kind:
            continue
        if global_only and not r["available_globally"]:
            continue
        if released_in is not None and (
            r["release_date"] is None or r["release_date"].year != released_in
        ):
            continue
        out.append(
            {
                "rank": 0,
                "title": r["title"],
                "original_title": r["original_title"],
                "kind": row_kind,
                "available_globally": r["available_globally"],
                "release_date": r["release_date"],
                "hours_viewed": r["hours_viewed"],
                "runtime_hours": None
                if r["runtime_hours"] is None
                else round(r["runtime_hours"], 4),
                "views": r["views"],
                "label": label,
            }
        )
    measure = "views" if has_views else "hours_viewed"
    out.sort(key=lambda x: (-(x[measure] or 0), -x["hours_viewed"], x["title"]))
    previous: Any = None
    for i, x in enumerate(out, start=1):
        value = (x[measure] or 0, x["hours_viewed"] if measure == "hours_viewed" else None)
        x["rank"] = out[i - 2]["rank"] if value == previous else i
        previous = value
    total = sum(x["hours_viewed"] for x in out)
    return {
        "report": rid,
        "period_start": start,
        "period_end": end,
        "ranked_by": "views" if has_views else "hours_viewed",
        "titles": len(out),
        "total_hours_viewed": total,
        "rows": out if top is None else out[:top],
    }


def _film_of(store: Store) -> dict[str, bool]:
    from chartwatch.engagement.link import store_titles

    return {t.key: t.film for t in store_titles(store)}


def unlinked(
    store: Store,
    *,
    report: str | None = None,
    every_row: bool = False,
    links: Links | None = None,
) -> dict[str, Any]:
    """What is not linked in a report: the Top 10 titles that charted in its half-year but
    have no row (``titles``), and, with ``every_row``, every row linked to no Top 10 title
    (``rows``), each with the reason."""
    from chartwatch.engagement.link import charted_titles, store_titles

    rid, start, end = _pick(store, report)
    found = _links(store, links)
    placed = found.by_title()
    titles = store_titles(store)
    charted = charted_titles(store, start, end)
    missing = [
        {
            "label": t.key,
            "first_week": t.first_week,
            "last_week": t.last_week,
            "reason": "no row of the report has its name, original title, name without a "
            "year, or season wording (or every such row is another title's)",
        }
        for t in titles
        if t.key in charted and (rid, t.key) not in placed
    ]
    out: dict[str, Any] = {
        "report": rid,
        "period_start": start,
        "period_end": end,
        "charted": len(charted),
        "charted_linked": len(charted) - len(missing),
        "titles": missing,
    }
    if every_row:
        names = {fold(label) for t in titles for label in t.labels}
        rows = []
        for r in _rows(store, rid):
            if (rid, r["kind"], r["title"], r["occurrence"]) in found.by_row:
                continue
            known = fold(r["title"]) in names
            rows.append(
                {
                    "title": r["title"],
                    "original_title": r["original_title"],
                    "hours_viewed": r["hours_viewed"],
                    "reason": "a Top 10 title has this name but is linked to another row, "
                    "or its release date or weeks rule this row out"
                    if known
                    else "no Top 10 title has this name (it never charted)",
                }
            )
        rows.sort(key=lambda x: -x["hours_viewed"])
        out["rows"] = rows
    return out


def summary(
    store: Store, *, report: str | None = None, links: Links | None = None
) -> dict[str, Any]:
    """Per report (or the one named): its hours, the share of hours that went to titles that
    never charted in the Top 10 (rows linked to no title), the share of the top 1 % and top
    10 % of titles, and how many titles per release year."""
    found = _links(store, links)
    chosen = [_pick(store, report)] if report is not None else reports(store)
    if not chosen:
        _pick(store, None)  # raises: no report
    out = []
    for rid, start, end in chosen:
        rows = _rows(store, rid)
        hours = sorted((r["hours_viewed"] for r in rows), reverse=True)
        total = sum(hours)
        never = sum(
            r["hours_viewed"]
            for r in rows
            if (rid, r["kind"], r["title"], r["occurrence"]) not in found.by_row
        )
        years: dict[str, int] = {}
        for r in rows:
            if r["release_date"] is not None:
                y = str(r["release_date"].year)
                years[y] = years.get(y, 0) + 1
        n = len(hours)

        def share(fraction: float, hours: list[int] = hours, total: int = total) -> float:
            k = max(1, math.ceil(len(hours) * fraction))
            return round(sum(hours[:k]) / total, 4) if total else 0.0

        out.append(
            {
                "report": rid,
                "period_start": start,
                "period_end": end,
                "titles": n,
                "total_hours_viewed": total,
                "linked_titles": n
                - sum(
                    1
                    for r in rows
                    if (rid, r["kind"], r["title"], r["occurrence"]) not in found.by_row
                ),
                "hours_never_charted": never,
                "share_never_charted": round(never / total, 4) if total else 0.0,
                "share_top_1_percent": share(0.01),
                "share_top_10_percent": share(0.10),
                "titles_by_release_year": dict(sorted(years.items())),
                "titles_without_release_date": sum(1 for r in rows if r["release_date"] is None),
            }
        )
    return {"reports": out}
