"""The one place ``chartwatch check`` reads the store: every analytics call the judge makes
goes through here, so a change of the analytics' signatures is a change of this module
alone.

A :class:`Facts` reads one :class:`~chartwatch.view.View` (the store as of a date, or now).
What it looks up (a title matched by name, its run, its country rows, where a figure stood
on its leaderboard) is kept on the view (``view.derived``), so a long text that names the
same title a hundred times reads its run once, and the next text checked against the same
view reads it not at all; a new snapshot makes a new view and retires it all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from chartwatch.analytics.runs import TitleReport, Week, title_report
from chartwatch.errors import AmbiguousTitleError, NotFoundError
from chartwatch.titles import Show, Title, TitleIndex
from chartwatch.titles.search import normalize, plain, resolve
from chartwatch.view import View

T = TypeVar("T")


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
    """A leaderboard line: who (``key``: their title's key, when known), with what, in
    which week."""

    rank: int
    label: str
    category: str
    week_end: dt.date | None
    value: int
    key: str | None = None


@dataclass
class _Lookups:
    """What check has looked up in one view, per title or query (kept on the view)."""

    resolved: dict[str, Title | Show | None] = field(default_factory=dict)
    reports: dict[str, TitleReport] = field(default_factory=dict)
    countries: dict[str, list[CountryRow]] = field(default_factory=dict)
    leaders: dict[tuple[str, str], Board | None] = field(default_factory=dict)


class Facts:
    """The store as the judge sees it: one view (``as_of`` None: now)."""

    def __init__(self, view: View) -> None:
        self.view = view
        self.as_of = view.as_of
        notice = view.notice()
        self.notes: list[str] = [notice] if notice else []
        self._seen = view.derived("check.lookups", _Lookups)
        # what this Facts has from the view's derived data, by key: the grammar asks for
        # the name index in every sentence (some 40,000 times in 1 MB of text)
        self._held: dict[str, Any] = {}

    def _derived(self, key: str, compute: Callable[[], T]) -> T:
        """The view's derived data ``key`` (:meth:`View.derived`), held here once asked."""
        if key not in self._held:
            self._held[key] = self.view.derived(key, compute)
        return self._held[key]  # type: ignore[no-any-return]

    # -- titles ---------------------------------------------------------------------------
    def titles(self) -> TitleIndex:
        """The titles of this view."""
        return self.view.titles

    def names(self) -> dict[str, str]:
        """Every name a title or show goes by (normalised as search does) → that name."""
        return self._derived("check.names", self._all_names)

    def _all_names(self) -> dict[str, str]:
        cat = self.titles()
        out: dict[str, str] = {}
        for title in cat.titles.values():
            for label in title.labels:
                out.setdefault(normalize(label), label)
        for show in cat.shows.values():
            out.setdefault(normalize(show.name), show.name)
        for key, (name, _target) in self.original_names().items():
            out.setdefault(key, name)
        return out

    def original_names(self) -> dict[str, tuple[str, Title | Show | None]]:
        """The original-language titles the engagement reports publish by this view's date
        (normalised) → (the name, the title or show it names; None where it names several):
        "La casa de papel" is Money Heist, as in ``search`` and ``title``."""
        from chartwatch.engagement.names import original_names

        return original_names(self.view).exact()

    def name_heads(self) -> dict[str, int]:
        """The first word of every name in :meth:`names` → the most words such a name has
        (a text's words are looked up only from a word some name starts with)."""
        return self._derived("check.heads", self._heads_of_names)

    def _heads_of_names(self) -> dict[str, int]:
        heads: dict[str, int] = {}
        for key in self.names():
            words = key.split(" ")
            heads[words[0]] = max(heads.get(words[0], 0), len(words))
        return heads

    def name_prefixes(self) -> frozenset[str]:
        """Every run of whole words a name in :meth:`names` starts with (``squid``,
        ``squid game``…): a text's words are read on from a name's first word only while
        they still start some name."""
        return self._derived("check.prefixes", self._prefixes_of_names)

    def _prefixes_of_names(self) -> frozenset[str]:
        out: set[str] = set()
        for key in self.names():
            words = key.split(" ")
            out.update(" ".join(words[:n]) for n in range(1, len(words) + 1))
        return frozenset(out)

    def resolve(self, query: str) -> Title | Show | None:
        """The title (or show) ``query`` names as ``chartwatch search`` matches it (or as an
        original-language title of the engagement reports, in full), or None when nothing,
        or several titles equally, match (in this view: a title that charts only later is
        not there)."""
        seen = self._seen.resolved
        if query not in seen:
            try:
                found: Title | Show | None = resolve(self.titles(), query)
            except (NotFoundError, AmbiguousTitleError):
                # an original-language title in full, as View.resolve reads it
                found = self.original_names().get(normalize(query), ("", None))[1]
            seen[query] = found
        return seen[query]

    def run(self, title: Title) -> TitleReport:
        """The title's weeks in the global Top 10 (no country footprint, no standings)."""
        reports = self._seen.reports
        if title.key not in reports:
            reports[title.key] = title_report(self.view, title, full=False)
        return reports[title.key]

    # -- lists ----------------------------------------------------------------------------
    def weeks_covered(self) -> tuple[dt.date, dt.date] | None:
        """The first and last week of the global lists in this view (asked for by nearly
        every judgement: held once read)."""
        return self._derived("check.weeks_covered", self._weeks_covered)

    def _weeks_covered(self) -> tuple[dt.date, dt.date] | None:
        core = self.view.core
        if core.list_start is None or core.last_week is None:
            return None
        return (core.list_start, core.last_week)

    def country_cover(self) -> tuple[dt.date, dt.date] | None:
        """The first and last week of the country lists in this view."""
        weeks = self.view.core.country_weeks
        return (min(weeks), max(weeks)) if weeks else None

    def country_names(self) -> dict[str, str]:
        """ISO code → country name, for the countries with lists."""
        lists = self.view.core.country_lists
        return self.view.derived(
            "check.country_names", lambda: {iso: name for iso, (name, _) in lists.items()}
        )

    def country_lookup(self) -> dict[str, str]:
        """Plain country name (or a usual short form: US, UK) → ISO code."""
        from chartwatch.check.claims import COUNTRY_ALIASES

        return self._derived(
            "check.country_lookup",
            lambda: {
                **{plain(n): iso for iso, n in self.country_names().items()},
                **COUNTRY_ALIASES,
            },
        )

    def country_rows(self, title: Title) -> list[CountryRow]:
        """Every country-list row of the title (under any of its labels)."""
        countries = self._seen.countries
        if title.key not in countries:
            countries[title.key] = [
                CountryRow(*r) for r in self.view.core.title_countries(title.ident, title.film)
            ]
        return countries[title.key]

    def read_countries(self, titles: Iterable[Title]) -> None:
        """Read the country rows of these titles in one go, before :meth:`country_rows`
        asks for them one at a time (a read per title costs about as much as one for
        many)."""
        want = {(t.ident, t.film) for t in titles if t.key not in self._seen.countries}
        if want:
            self.view.core.read_countries(want)

    def leader(self, title: Title, metric: str) -> Board | None:
        """Who led the title's list on the leaderboard ``metric`` (``debut_*`` or
        ``week_*``) in the week the title set its figure there: the title itself when it
        was the record then, else the holder with their figure and the week they set it.
        None when the title has no figure on that board."""
        leaders = self._seen.leaders
        key = (title.key, metric)
        if key not in leaders:
            leaders[key] = self._leader(title, metric)
        return leaders[key]

    def _leader(self, title: Title, metric: str) -> Board | None:
        core = self.view.core
        standing = next(iter(core.standings(title.ident, title.film, (metric,))), None)
        if standing is None:
            return None
        if standing.holder is None or standing.holder_value is None:
            return Board(1, title.label, standing.category, standing.week, standing.value,
                         title.key)  # fmt: skip
        film = bool(standing.holder_film)
        holder = self.titles().titles.get((standing.holder, film))
        weeks = core.title_weeks(standing.holder, film)
        views = metric.endswith("_views")
        if metric.startswith("debut_"):
            week = weeks[0].week if weeks else None
        else:
            week = next(
                (
                    w.week
                    for w in weeks
                    if w.week <= standing.week
                    and (w.views if views else w.hours) == standing.holder_value
                ),
                None,
            )
        return Board(
            1,
            holder.label if holder is not None else standing.holder,
            standing.category,
            week,
            standing.holder_value,
            holder.key if holder is not None else None,
        )


def week_of(report: TitleReport, week_end: dt.date) -> Week | None:
    """The title's week ending ``week_end``, if it was in the Top 10 then."""
    return next((w for w in report.weeks if w.week_end == week_end), None)


def most_popular(facts: Facts) -> list[dict[str, Any]]:
    """Netflix's most-popular lists (28-day hours until June 2023, 91-day views since) as
    published in this view, one dict per row."""
    view = facts.view

    def compute() -> list[dict[str, Any]]:
        sql, params = view.rows()
        rows = view.store.all(
            f"""SELECT category, rank, show_title, season_title, hours_viewed_first_28_days,
                       hours_viewed_first_91_days, views_first_91_days, snapshot_id,
                       observed_at
                FROM {sql} r WHERE list = 'most-popular' ORDER BY category, rank""",
            params,
        )
        keys = ("category", "rank", "show", "season", "hours_28", "hours_91", "views_91",
                "snapshot_id", "observed_at")  # fmt: skip
        return [dict(zip(keys, r, strict=True)) for r in rows]

    return view.derived("check.popular", compute)
