"""The one place ``chartwatch check`` reads the store: every analytics call the judge makes
goes through here, so a change of the analytics' signatures (``f(store, query, as_of=…)``
today) is a change of this module alone.

A :class:`Facts` is bound to a store and a publication view (``as_of``) and caches what it
has read (a title's run, its country rows, a leaderboard), so a long text that names the
same title a hundred times reads its run once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from chartwatch.analytics.brief.context import publication_view
from chartwatch.analytics.frame import country_weeks, titled_rows
from chartwatch.analytics.records import _board, records_held
from chartwatch.analytics.runs import RecordHeld, TitleReport, Week, title_report
from chartwatch.errors import AmbiguousTitleError, NotFoundError
from chartwatch.store.store import Store
from chartwatch.store.views import visible_rows
from chartwatch.titles import Catalog, Show, Title, catalog, resolve
from chartwatch.titles.search import normalize, plain


@dataclass(frozen=True)
class CountryRow:
    """One week of one country's list that names the title."""

    week_end: dt.date
    iso2: str
    name: str
    category: str
    rank: int
    snapshot_id: int
    observed_at: dt.datetime


@dataclass(frozen=True)
class Board:
    """A leaderboard line: who, with what, in which week."""

    rank: int
    label: str
    category: str
    week_end: dt.date | None
    value: int


@dataclass
class Facts:
    """The store as the judge sees it: a publication view (``as_of`` None: now)."""

    store: Store
    as_of: dt.date | None = None
    view: dt.date | None = field(init=False, default=None)  # the publication view read
    notes: list[str] = field(init=False, default_factory=list)
    _resolved: dict[str, Title | Show | None] = field(default_factory=dict)
    _reports: dict[str, TitleReport] = field(default_factory=dict)
    _countries: dict[str, list[CountryRow]] = field(default_factory=dict)
    _boards: dict[tuple[Any, ...], list[Board]] = field(default_factory=dict)
    _records: dict[str, list[RecordHeld]] = field(default_factory=dict)
    _memo: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # as published by ``as_of`` when the store had observed a list by then; else as
        # published now, cut at ``as_of`` (a note says so), as a brief does
        self.view, self.notes = publication_view(self.store, self.as_of)

    # -- titles ---------------------------------------------------------------------------
    def catalog(self) -> Catalog:
        """The titles of this view (built once per store content and view)."""
        if "catalog" not in self._memo:
            self._memo["catalog"] = catalog(self.store, self.view)
        cat: Catalog = self._memo["catalog"]
        return cat

    def names(self) -> dict[str, str]:
        """Every name a title or show goes by (normalised as search does) → that name."""
        if "names" not in self._memo:
            cat = self.catalog()
            out: dict[str, str] = {}
            for title in cat.titles.values():
                for label in title.labels:
                    out.setdefault(normalize(label), label)
            for show in cat.shows.values():
                out.setdefault(normalize(show.name), show.name)
            self._memo["names"] = out
        names: dict[str, str] = self._memo["names"]
        return names

    def name_heads(self) -> dict[str, int]:
        """The first word of every name in :meth:`names` → the most words such a name has
        (a text's words are looked up only from a word some name starts with)."""
        if "heads" not in self._memo:
            heads: dict[str, int] = {}
            for key in self.names():
                words = key.split(" ")
                heads[words[0]] = max(heads.get(words[0], 0), len(words))
            self._memo["heads"] = heads
        out: dict[str, int] = self._memo["heads"]
        return out

    def resolve(self, query: str) -> Title | Show | None:
        """The title (or show) ``query`` names as ``chartwatch search`` matches it, or None
        when nothing, or several titles equally, match."""
        if query not in self._resolved:
            try:
                self._resolved[query] = resolve(self.store, query, as_of=self.view)
            except (NotFoundError, AmbiguousTitleError):
                self._resolved[query] = None
        return self._resolved[query]

    def run(self, title: Title) -> TitleReport:
        """The title's weeks in the global Top 10 (no country footprint, no standings)."""
        if title.key not in self._reports:
            report = title_report(self.store, title, self.view, full=False)
            if self.as_of is not None:
                report = dataclasses.replace(
                    report, weeks=[w for w in report.weeks if w.week_end <= self.as_of]
                )
            self._reports[title.key] = report
        return self._reports[title.key]

    def standings(self, title: Title) -> list[RecordHeld]:
        """Where its debut and best week stood in its list at the time."""
        if title.key not in self._records:
            self._records[title.key] = records_held(self.store, self.run(title), as_of=self.view)
        return self._records[title.key]

    # -- lists ----------------------------------------------------------------------------
    def weeks_covered(self) -> tuple[dt.date, dt.date] | None:
        """The first and last week of the global lists in this view."""
        if "global_span" not in self._memo:
            sql, params = visible_rows(self.view)
            row = self.store.one(
                f"SELECT min(week), max(week) FROM {sql} r WHERE list = 'global'", params
            )
            self._memo["global_span"] = (
                (row[0], min(row[1], self.as_of or row[1])) if row and row[0] else None
            )
        span: tuple[dt.date, dt.date] | None = self._memo["global_span"]
        return span

    def country_cover(self) -> tuple[dt.date, dt.date] | None:
        """The first and last week of the country lists in this view."""
        if "country_cover" not in self._memo:
            weeks = {w for w in country_weeks(self.store, self.view) if w <= (self.as_of or w)}
            self._memo["country_cover"] = (min(weeks), max(weeks)) if weeks else None
        cover: tuple[dt.date, dt.date] | None = self._memo["country_cover"]
        return cover

    def country_names(self) -> dict[str, str]:
        """ISO code → country name, for the countries with lists."""
        if "country_names" not in self._memo:
            sql, params = visible_rows(self.view)
            rows = self.store.all(
                f"SELECT country_iso2, arg_max(country_name, week) FROM {sql} r "
                "WHERE list = 'countries' GROUP BY country_iso2",
                params,
            )
            self._memo["country_names"] = dict(rows)
        names: dict[str, str] = self._memo["country_names"]
        return names

    def country_lookup(self) -> dict[str, str]:
        """Plain country name (or a usual short form: US, UK) → ISO code."""
        if "country_lookup" not in self._memo:
            from chartwatch.check.extract import COUNTRY_ALIASES

            self._memo["country_lookup"] = {
                **{plain(n): iso for iso, n in self.country_names().items()},
                **COUNTRY_ALIASES,
            }
        lookup: dict[str, str] = self._memo["country_lookup"]
        return lookup

    def country_rows(self, title: Title) -> list[CountryRow]:
        """Every country-list row of the title (under any of its labels)."""
        if title.key not in self._countries:
            cat = self.catalog()
            csql, params = titled_rows(cat, self.view, "countries", only=title)
            rows = self.store.all(
                f"""
                SELECT week, country_iso2, any_value(country_name), any_value(category),
                       min(rank), max(snapshot_id), max(observed_at)
                FROM {csql} c WHERE title = ? AND film = ?
                GROUP BY week, country_iso2 ORDER BY week, country_iso2
                """,
                [*params, title.ident, title.film],
            )
            cut = self.as_of or dt.date.max
            self._countries[title.key] = [CountryRow(*r) for r in rows if r[0] <= cut]
        return self._countries[title.key]

    def board(self, metric: str, category: str | None, cutoff: dt.date) -> list[Board]:
        """The leaderboard ``metric`` of ``category`` with the weeks ending by ``cutoff``."""
        cutoff = min(cutoff, self.as_of or cutoff)
        key = (metric, category, cutoff)
        if key not in self._boards:
            try:
                entries = _board(self.store, metric, category, cutoff, self.view, 20)
            except NotFoundError:
                entries = []
            self._boards[key] = [
                Board(e.rank, e.season or e.show, e.category, e.week_end, e.value) for e in entries
            ]
        return self._boards[key]


def week_of(report: TitleReport, week_end: dt.date) -> Week | None:
    """The title's week ending ``week_end``, if it was in the Top 10 then."""
    return next((w for w in report.weeks if w.week_end == week_end), None)


def most_popular(facts: Facts) -> list[dict[str, Any]]:
    """Netflix's most-popular lists (28-day hours until June 2023, 91-day views since) as
    published in this view, one dict per row."""
    if "popular" not in facts._memo:
        sql, params = visible_rows(facts.view)
        rows = facts.store.all(
            f"""SELECT category, rank, show_title, season_title, hours_viewed_first_28_days,
                       hours_viewed_first_91_days, views_first_91_days, snapshot_id,
                       observed_at
                FROM {sql} r WHERE list = 'most-popular' ORDER BY category, rank""",
            params,
        )
        keys = ("category", "rank", "show", "season", "hours_28", "hours_91", "views_91",
                "snapshot_id", "observed_at")  # fmt: skip
        facts._memo["popular"] = [dict(zip(keys, r, strict=True)) for r in rows]
    rows_out: list[dict[str, Any]] = facts._memo["popular"]
    return rows_out
