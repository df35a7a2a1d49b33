"""A title's country footprint in detail: for every country with lists in the store and every
week of the title's run that has country lists, No. 1, its rank in the Top 10, or absent.

The country lists often keep Netflix's old label (``Ozark: Season 4 Part 1``); rows are read
through the derived weeks of :class:`~chartwatch.view.View`, so they count for the title under
its current name. The bundled country lists end with the week ending 2022-02-27.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from chartwatch.analytics.compare import resolve_installment
from chartwatch.dates import week_ending
from chartwatch.errors import NotFoundError
from chartwatch.results import Tabular
from chartwatch.titles import Title

if TYPE_CHECKING:
    from chartwatch.view import View

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
    view: dict[str, Any] = field(default_factory=dict)  # View.describe(): as_of, reconstructed…

    def to_dict(self) -> dict[str, Any]:
        """:meth:`Tabular.to_dict`, the same document, with the countries' weeks written
        directly: a title's 94 countries by its weeks are most of a title page's data, and
        taking each apart generically was a third of building the page."""
        iso = {w: w.isoformat() for w in self.weeks}
        countries = [
            {
                "iso2": c.iso2,
                "name": c.name,
                "no1_weeks": c.no1_weeks,
                "top10_weeks": c.top10_weeks,
                "best_rank": c.best_rank,
                "by_week": {iso[w]: rank for w, rank in c.by_week.items()},
            }
            for c in self.countries
        ]
        out = Tabular.to_dict(dataclasses.replace(self, countries=[]))
        out["countries"] = countries  # in its place: the key is there, its value empty
        return out

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


def _country_runs(
    country_lists: dict[str, tuple[str, frozenset[dt.date]]],
    crows: list[Any],
    weeks: list[dt.date],
) -> list[CountryRun]:
    """Every country with lists, its rank in each of ``weeks`` it has a list for (from the
    title's country rows ``crows``), best first. Most countries never had the title and
    have a list every week: their weeks are made in one step."""
    mine: dict[str, dict[dt.date, int]] = {}
    for c in crows:
        mine.setdefault(c.iso2, {})[c.week] = c.rank
    every = frozenset(weeks)
    runs: list[CountryRun] = []
    for iso2, (name, listed) in country_lists.items():
        ranks = mine.get(iso2)
        if every <= listed:
            if ranks is None:
                runs.append(CountryRun(iso2, name, 0, 0, None, dict.fromkeys(weeks)))
                continue
            by_week = {w: ranks.get(w) for w in weeks}
        else:
            by_week = {w: (ranks or {}).get(w) for w in weeks if w in listed}
        in_weeks = [r for r in by_week.values() if r is not None]
        runs.append(
            CountryRun(
                iso2,
                name,
                sum(r == 1 for r in in_weeks),
                len(in_weeks),
                min(in_weeks, default=None),
                by_week,
            )
        )
    runs.sort(
        key=lambda c: (
            -c.no1_weeks,
            -c.top10_weeks,
            c.best_rank is None,
            c.best_rank or 0,
            c.name,
            c.iso2,
        )
    )
    return runs


def _cover_text(cover: tuple[dt.date, dt.date] | None) -> str:
    if cover is None:
        return "the store has no country lists"
    return f"the store's country lists cover only the weeks ending {cover[0]} to {cover[1]}"


def countries(
    view: View,
    query: str | Title,
    *,
    week: dt.date | None = None,
) -> Footprint:
    """Where ``query`` was No. 1, in the Top 10, or absent, country by country and week by
    week, in ``view``: the document of ``chartwatch countries``. ``week`` (any day of it)
    narrows to one week. Raises :class:`NotFoundError` when the title has no rows in the
    country lists (or none in ``week``)."""
    title = resolve_installment(view, query)
    core = view.core
    crows = core.title_countries(title.ident, title.film)
    in_countries = {c.week for c in crows}
    run = sorted(in_countries | {w.week for w in core.title_weeks(title.ident, title.film)})
    covered = core.country_weeks
    cover = (min(covered), max(covered)) if covered else None
    if not in_countries:
        span = f": its weeks end {run[0]} to {run[-1]}, and" if run else ";"
        raise NotFoundError(
            f"{title.label!r} has no rows in the country lists{span} {_cover_text(cover)}"
        )
    weeks = [w for w in run if w in covered]
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

    runs = _country_runs(core.country_lists, crows, weeks)
    no1_by_week = dict.fromkeys(weeks, 0)
    top10_by_week = dict.fromkeys(weeks, 0)
    for c in runs:
        if not c.top10_weeks:
            break  # the rest were in no Top 10 (best first)
        for wk, rank in c.by_week.items():
            if rank is not None:
                top10_by_week[wk] += 1
                no1_by_week[wk] += rank == 1

    note = None
    if run and cover and week is None:
        later = [w for w in run if w > cover[1]]
        earlier = [w for w in run if w < cover[0]]
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
        as_of=view.as_of,
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
        view=view.describe(),
    )
