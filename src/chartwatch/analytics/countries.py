"""A title's country footprint in detail: for every country with lists in the store and every
week of the title's run that has country lists, No. 1, its rank in the Top 10, or absent.

The country lists often keep Netflix's old label (``Ozark: Season 4 Part 1``); rows are read
through :func:`~chartwatch.analytics.frame.titled_rows`, so they count for the title under
its current name. The bundled country lists end with the week ending 2022-02-27.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from chartwatch.analytics.compare import resolve_installment
from chartwatch.analytics.frame import country_weeks, titled_rows
from chartwatch.dates import week_ending
from chartwatch.errors import NotFoundError
from chartwatch.results import Tabular
from chartwatch.store.store import Store
from chartwatch.store.views import visible_rows
from chartwatch.titles import catalog

NO1, TOP10, ABSENT, NO_LIST = "no1", "top10", "absent", "no_list"


@dataclass
class CountryRun:
    """One country's weeks. ``by_week`` maps each week to the title's rank there, or None
    when it was not in that country's Top 10; a week the country had no list is left out."""

    iso2: str
    name: str
    no1_weeks: int
    top10_weeks: int  # No. 1 weeks included
    best_rank: int | None
    by_week: dict[dt.date, int | None]


@dataclass
class Footprint(Tabular):
    """``chartwatch countries``; ``table_rows()`` has one row per country and week."""

    label: str
    show: str
    film: bool
    category: str | None  # its global list; None if it only charted in country lists
    as_of: dt.date | None
    week: dt.date | None  # the one week asked for with --week
    weeks: list[dt.date]
    countries: list[CountryRun]
    countries_no1: int  # countries where it was No. 1 in at least one of the weeks
    countries_top10: int
    no1_by_week: dict[dt.date, int]
    top10_by_week: dict[dt.date, int]
    lists_cover: tuple[dt.date, dt.date] | None
    note: str | None = None
    aliases: list[str] = field(default_factory=list)
    key: str = ""  # the stable key: ``Ballerina (film, English)``

    def table_rows(self) -> list[dict[str, Any]]:
        out = []
        for c in self.countries:
            for week in self.weeks:
                if week not in c.by_week:
                    rank, status = None, NO_LIST
                else:
                    rank = c.by_week[week]
                    status = ABSENT if rank is None else NO1 if rank == 1 else TOP10
                out.append(
                    {
                        "iso2": c.iso2,
                        "name": c.name,
                        "week_end": week,
                        "rank": rank,
                        "status": status,
                    }
                )
        return out


def _cover_text(cover: tuple[dt.date, dt.date] | None) -> str:
    if cover is None:
        return "the store has no country lists"
    return f"the store's country lists cover only the weeks ending {cover[0]} to {cover[1]}"


def countries(
    store: Store,
    query: str,
    *,
    week: dt.date | None = None,
    as_of: dt.date | None = None,
) -> Footprint:
    """Where ``query`` was No. 1, in the Top 10, or absent, country by country and week by
    week. ``week`` (any day of it) narrows to one week. Raises :class:`NotFoundError` when
    the title has no rows in the country lists (or none in ``week``)."""
    title = resolve_installment(store, query, as_of=as_of)
    cat = catalog(store, as_of)
    csql, cparams = titled_rows(cat, as_of, "countries", only=title)
    gsql, gparams = titled_rows(cat, as_of, "global", only=title)
    # the title's weeks, global or in any country, and whether a country listed it
    run = store.all(
        f"""
        SELECT week, bool_or(in_countries) FROM (
            SELECT week, true AS in_countries FROM {csql} c WHERE title = ? AND film = ?
            UNION ALL
            SELECT week, false FROM {gsql} g WHERE title = ? AND film = ?)
        GROUP BY week ORDER BY week
        """,
        [*cparams, title.ident, title.film, *gparams, title.ident, title.film],
    )
    covered = country_weeks(store, as_of)
    cover = (min(covered), max(covered)) if covered else None
    if not any(in_countries for _, in_countries in run):
        span = f": its weeks end {run[0][0]} to {run[-1][0]}, and" if run else ";"
        raise NotFoundError(
            f"{title.label!r} has no rows in the country lists{span} {_cover_text(cover)}"
        )
    weeks = [w for w, _ in run if w in covered]
    if week is not None:
        wanted = week_ending(week)
        if wanted not in covered:
            raise NotFoundError(
                f"no country lists for the week ending {wanted}; {_cover_text(cover)}"
            )
        if wanted not in weeks:
            raise NotFoundError(
                f"{title.label!r} was in no Top 10 in the week ending {wanted}; its weeks with "
                f"country lists end {weeks[0]} to {weeks[-1]}"
            )
        weeks = [wanted]

    rows_sql, rparams = visible_rows(as_of)
    rows = store.all(
        f"""
        WITH lists AS (
            SELECT DISTINCT country_iso2 AS iso2, week FROM {rows_sql} r
            WHERE list = 'countries'),
        names AS (
            SELECT country_iso2 AS iso2, arg_max(country_name, week) AS name FROM {rows_sql} r
            WHERE list = 'countries' GROUP BY country_iso2),
        mine AS (
            SELECT country_iso2 AS iso2, week, min(rank) AS rank FROM {csql} c
            WHERE title = ? AND film = ? GROUP BY country_iso2, week),
        weeks AS (SELECT unnest(?::DATE[]) AS week),
        grid AS (
            SELECT n.iso2, n.name, w.week, l.week IS NOT NULL AS listed, m.rank
            FROM names n CROSS JOIN weeks w
            LEFT JOIN lists l ON l.iso2 = n.iso2 AND l.week = w.week
            LEFT JOIN mine m ON m.iso2 = n.iso2 AND m.week = w.week)
        SELECT iso2, name, week, listed, rank,
               count(*) FILTER (WHERE rank = 1) OVER (PARTITION BY iso2) AS no1_weeks,
               count(rank) OVER (PARTITION BY iso2) AS top10_weeks,
               min(rank) OVER (PARTITION BY iso2) AS best_rank
        FROM grid
        ORDER BY no1_weeks DESC, top10_weeks DESC, best_rank NULLS LAST, name, iso2, week
        """,
        [*rparams, *rparams, *cparams, title.ident, title.film, weeks],
    )
    by_country: dict[str, CountryRun] = {}
    no1_by_week = dict.fromkeys(weeks, 0)
    top10_by_week = dict.fromkeys(weeks, 0)
    for iso2, name, wk, listed, rank, no1, top10, best in rows:
        entry = by_country.get(iso2)
        if entry is None:
            entry = by_country[iso2] = CountryRun(iso2, name, no1, top10, best, {})
        if listed:
            entry.by_week[wk] = rank
        if rank is not None:
            top10_by_week[wk] += 1
            no1_by_week[wk] += rank == 1
    runs = list(by_country.values())

    note = None
    if run and cover and week is None:
        later = [w for w, _ in run if w > cover[1]]
        earlier = [w for w, _ in run if w < cover[0]]
        parts = []
        if earlier:
            parts.append(f"{len(earlier)} weeks before {cover[0]} (from {earlier[0]})")
        if later:
            parts.append(f"{len(later)} weeks after {cover[1]} (to {later[-1]})")
        if parts:
            note = f"{_cover_text(cover)}; its " + " and ".join(parts) + " have no country lists"
    if title.unlinked_note:
        note = title.unlinked_note
    return Footprint(
        label=title.label,
        show=title.show,
        film=title.film,
        category=title.category,
        as_of=as_of,
        week=weeks[0] if week is not None else None,
        weeks=weeks,
        countries=runs,
        countries_no1=sum(c.no1_weeks > 0 for c in runs),
        countries_top10=sum(c.top10_weeks > 0 for c in runs),
        no1_by_week=no1_by_week,
        top10_by_week=top10_by_week,
        lists_cover=cover,
        note=note,
        aliases=list(title.aliases),
        key=title.key,
    )
