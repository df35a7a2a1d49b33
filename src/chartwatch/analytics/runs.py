"""A title's run: debut, peak, weeks, totals, best week, country footprint, records held.

``title(store, "All of Us Are Dead")`` answers for a title (an installment); for a show
with several charted installments it gives one line per installment and the totals.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from chartwatch.dates import week_label
from chartwatch.errors import NotFoundError
from chartwatch.results import Tabular
from chartwatch.titles import Show, Title

if TYPE_CHECKING:
    from chartwatch.forecast.run import RunForecast
    from chartwatch.view import View


@dataclass
class Week:
    """One week of a title's run in its global list."""

    week_start: dt.date
    week_end: dt.date
    category: str
    rank: int
    hours_viewed: int | None
    views: int | None
    cumulative_weeks_in_top_10: int | None
    countries_no1: int | None  # None where no country lists exist for the week
    countries_top10: int | None
    observed_at: dt.datetime  # when the row as shown was last published
    snapshot_id: int


@dataclass
class Debut:
    """The first week in the global Top 10. ``known`` is False for a title already listed in
    the first week of the lists (2021-07-04): its run began earlier, so that week is not a
    debut and is never used in debut records."""

    known: bool
    week_start: dt.date
    week_end: dt.date
    rank: int
    hours_viewed: int | None
    views: int | None
    note: str | None = None


@dataclass
class BestWeek:
    week_start: dt.date
    week_end: dt.date
    rank: int
    hours_viewed: int | None
    views: int | None
    measure: str  # "hours_viewed" (all weeks) or "views" (only when every week has views)


@dataclass
class CountryCount:
    iso2: str
    name: str
    weeks: int
    best_rank: int


@dataclass
class Countries:
    """Where the title was No. 1 and in the Top 10, from Netflix's country lists."""

    no1: list[CountryCount]
    top10: list[CountryCount]
    no1_by_week: dict[dt.date, int]
    top10_by_week: dict[dt.date, int]
    lists_cover: tuple[dt.date, dt.date] | None  # the weeks the store has country lists for
    note: str | None = None


@dataclass
class RecordHeld:
    """Where the title stood on a leaderboard when it set its figure (1 = the record)."""

    metric: str
    category: str
    week_end: dt.date
    value: int
    rank: int
    of: int
    record: bool
    holder: str | None  # the record holder at the time when this title was not it
    holder_value: int | None


@dataclass
class Engagement:
    """A title's row in one of Netflix's semiannual engagement reports (linked by
    :mod:`chartwatch.engagement.link`): the whole half-year, licensed weeks and weeks outside
    the Top 10 included. ``views`` and ``runtime_hours`` are None in the first report
    (January–June 2023), which has neither; ``title`` is the report's name for it."""

    report: str
    period_start: dt.date
    period_end: dt.date
    hours_viewed: int
    views: int | None
    runtime_hours: float | None
    release_date: dt.date | None
    available_globally: bool
    title: str
    snapshot_id: int
    observed_at: dt.datetime


@dataclass
class ShowEngagement:
    """A show's installments summed per report: ``installments`` are the keys of those in
    it; ``release_date`` is the earliest of theirs, ``available_globally`` true if any is."""

    report: str
    period_start: dt.date
    period_end: dt.date
    hours_viewed: int
    views: int | None
    runtime_hours: None
    release_date: dt.date | None
    available_globally: bool
    installments: list[str]


@dataclass
class EngagementTotal:
    """The sum over the reports a title (or a show's installments) is in; ``views`` over
    the reports that have views (from July 2023) only; None where there is nothing to sum."""

    hours_viewed: int | None
    views: int | None
    reports: int


def engagement_total(entries: list[Engagement] | list[ShowEngagement]) -> EngagementTotal:
    return EngagementTotal(
        hours_viewed=_sum([e.hours_viewed for e in entries]),
        views=_sum([e.views for e in entries]),
        reports=len(entries),
    )


def engagement_by_title(view: View) -> dict[str, list[Engagement]]:
    """Every linked report row visible in ``view`` (the reports published by its date),
    by title key, oldest report first: derived once per view from the store's links
    (:func:`chartwatch.engagement.link.store_links`, themselves made once per store
    content), so a title's engagement is a dictionary look-up."""

    def compute() -> dict[str, list[Engagement]]:
        from chartwatch.view import disk

        kept = disk.read_json(view, "engagement_by_title")
        if kept is not None:
            return {key: [_engagement_from_json(e) for e in rows] for key, rows in kept.items()}
        found = _read_engagement(view)
        disk.write_json(
            view,
            "engagement_by_title",
            {key: [_engagement_to_json(e) for e in rows] for key, rows in found.items()},
        )
        return found

    return view.derived("engagement_by_title", compute)


def _engagement_to_json(e: Engagement) -> list[Any]:
    return [
        e.report,
        e.period_start.isoformat(),
        e.period_end.isoformat(),
        e.hours_viewed,
        e.views,
        e.runtime_hours,
        None if e.release_date is None else e.release_date.isoformat(),
        e.available_globally,
        e.title,
        e.snapshot_id,
        e.observed_at.isoformat(),
    ]


def _engagement_from_json(row: list[Any]) -> Engagement:
    rep, start, end, hours, views, runtime, release, glob, name, sid, at = row
    return Engagement(
        report=rep,
        period_start=dt.date.fromisoformat(start),
        period_end=dt.date.fromisoformat(end),
        hours_viewed=hours,
        views=views,
        runtime_hours=runtime,
        release_date=None if release is None else dt.date.fromisoformat(release),
        available_globally=glob,
        title=name,
        snapshot_id=sid,
        observed_at=dt.datetime.fromisoformat(at),
    )


def _read_engagement(view: View) -> dict[str, list[Engagement]]:
    """Every linked report row of ``view`` read from the store, by title key."""
    from chartwatch.engagement.reports import report_rows

    linked = row_links(view)
    if not linked:
        return {}
    sql, params = report_rows(view.as_of)
    got = view.store.all(
        "SELECT r.report, r.kind, r.title, r.occurrence, r.period_start, r.period_end, "
        "r.hours_viewed, r.views, r.runtime_hours, r.release_date, r.available_globally, "
        f"r.snapshot_id, s.observed_at FROM {sql} r JOIN snapshots s USING (snapshot_id) "
        "ORDER BY r.period_start",
        params,
    )
    out: dict[str, list[Engagement]] = {}
    for rep, kind, name, occ, start, end, hours, views, runtime, release, glob, sid, at in got:
        key = linked.get((rep, kind, name, occ))
        if key is None:
            continue
        out.setdefault(key, []).append(
            Engagement(
                report=rep,
                period_start=start,
                period_end=end,
                hours_viewed=int(hours),
                views=None if views is None else int(views),
                runtime_hours=None if runtime is None else round(float(runtime), 4),
                release_date=release,
                available_globally=bool(glob),
                title=name,
                snapshot_id=int(sid),
                observed_at=at,
            )
        )
    return out


def row_links(view: View) -> dict[tuple[str, str, str, int], str]:
    """Each linked report row's title key (report, kind, title, occurrence -> key): the
    links of the store's current view, kept beside the store (linking takes seconds), so a
    new process reads them."""
    from chartwatch.view import View, disk

    now = View.of(view.store)
    kept = disk.read_json(now, "engagement_links")
    if kept is None:
        from chartwatch.engagement.link import store_links

        links = store_links(view.store)
        kept = [[*k, found.title] for k, found in links.by_row.items()]
        disk.write_json(now, "engagement_links", kept)
    return {(r, k, t, int(o)): key for r, k, t, o, key in kept}


def title_engagement(view: View, title: Title) -> list[Engagement]:
    """``title``'s rows in the engagement reports of ``view``, oldest report first."""
    return list(engagement_by_title(view).get(title.key, ()))


def show_engagement(entries: list[tuple[str, list[Engagement]]]) -> list[ShowEngagement]:
    """Installments' rows (key, rows) summed per report, oldest report first."""
    by_report: dict[str, ShowEngagement] = {}
    for key, rows in entries:
        for e in rows:
            s = by_report.get(e.report)
            if s is None:
                s = by_report[e.report] = ShowEngagement(
                    e.report, e.period_start, e.period_end, 0, None, None, None, False, []
                )
            s.hours_viewed += e.hours_viewed
            if e.views is not None:
                s.views = (s.views or 0) + e.views
            if e.release_date is not None and (
                s.release_date is None or e.release_date < s.release_date
            ):
                s.release_date = e.release_date
            s.available_globally = s.available_globally or e.available_globally
            s.installments.append(key)
    return sorted(by_report.values(), key=lambda s: s.period_start)


@dataclass
class TitleReport(Tabular):
    """``chartwatch title`` for one title; ``weeks`` is its run (``to_pandas()`` etc.)."""

    show: str
    season: str | None
    label: str
    film: bool
    category: str | None
    installment: dict[str, Any]
    aliases: list[str]
    as_of: dt.date | None
    debut: Debut | None
    peak_rank: int | None
    weeks_at_peak: int
    weeks_in_top10: int
    weeks_at_no1: int
    total_hours_viewed: int | None
    total_views: int | None  # over the weeks that have views (from 2023-06-18) only
    weeks_with_views: int
    best_week: BestWeek | None
    countries: Countries
    records: list[RecordHeld] = field(default_factory=list)
    # its rows in the engagement reports published by the view's date (empty unless full)
    engagement: list[Engagement] = field(default_factory=list)
    engagement_total: EngagementTotal = field(
        default_factory=lambda: EngagementTotal(None, None, 0)
    )
    weeks: list[Week] = field(default_factory=list)
    key: str = ""  # the stable key: ``Ballerina (film, English)``
    namesakes: list[str] = field(default_factory=list)  # keys of titles with its label
    # where a title still in the Top 10 is heading (None otherwise): chartwatch.forecast.run
    forecast: RunForecast | None = None
    view: dict[str, Any] = field(default_factory=dict)  # View.describe(): as_of, reconstructed…

    @property
    def ident(self) -> str:
        """The title's name in the derived weeks of :class:`~chartwatch.view.View`."""
        return self.key if self.namesakes else self.label

    def table_rows(self) -> list[dict[str, Any]]:
        return [
            {"label": self.label, **{k: getattr(w, k) for k in Week.__dataclass_fields__}}
            for w in self.weeks
        ]


@dataclass
class InstallmentLine:
    label: str
    key: (
        str  # a query that names this installment, not the show (``Stranger Things (TV, English)``)
    )
    kind: str
    number: int | None
    category: str | None
    debut_week_end: dt.date | None
    debut_known: bool
    debut_rank: int | None
    debut_hours_viewed: int | None
    peak_rank: int | None
    weeks_in_top10: int
    weeks_at_no1: int
    total_hours_viewed: int | None
    total_views: int | None


@dataclass
class ShowReport(Tabular):
    """``chartwatch title`` for a show with several charted installments."""

    show: str
    film: bool
    as_of: dt.date | None
    installments: list[InstallmentLine]
    weeks_in_top10: int
    weeks_at_no1: int
    total_hours_viewed: int | None
    total_views: int | None
    # its installments' rows in the engagement reports, summed per report
    engagement: list[ShowEngagement] = field(default_factory=list)
    engagement_total: EngagementTotal = field(
        default_factory=lambda: EngagementTotal(None, None, 0)
    )
    view: dict[str, Any] = field(default_factory=dict)  # View.describe(): as_of, reconstructed…

    def table_rows(self) -> list[dict[str, Any]]:
        return [
            {k: getattr(line, k) for k in InstallmentLine.__dataclass_fields__}
            for line in self.installments
        ]


def _sum(values: list[int | None]) -> int | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def best_week(weeks: list[Week]) -> BestWeek | None:
    """The best of ``weeks``: by views when every week has views, else by hours."""
    if not weeks:
        return None
    with_views = all(w.views is not None for w in weeks)
    b = max(weeks, key=lambda w: (w.views if with_views else w.hours_viewed) or 0)
    return BestWeek(
        b.week_start,
        b.week_end,
        b.rank,
        b.hours_viewed,
        b.views,
        "views" if with_views else "hours_viewed",
    )


def title_report(view: View, title: Title, *, full: bool = True) -> TitleReport:
    """The report for a resolved :class:`Title` in ``view``.

    ``full=False`` leaves out the country footprint (``countries`` empty, each week's
    country counts None), the standings (``records`` empty) and the forecast: for callers
    that read only the run (the title a brief is compared with). The view keeps the last
    report made (a title page's, which its brief reads again); callers read it, never
    change it."""
    key = (title.key, title.ident, title.film, full)
    return view.last("title_report", key, lambda: _title_report(view, title, full=full))


def _title_report(view: View, title: Title, *, full: bool) -> TitleReport:
    core = view.core
    crows = core.title_countries(title.ident, title.film) if full else []
    covered = core.country_weeks if full else frozenset()
    tally = _CountryTally(crows)
    weeks = [
        Week(
            week_start=w.week - dt.timedelta(days=6),
            week_end=w.week,
            category=w.category,
            rank=w.rank,
            hours_viewed=w.hours,
            views=w.views,
            cumulative_weeks_in_top_10=w.cumulative,
            countries_no1=tally.no1_week.get(w.week, 0) if w.week in covered else None,
            countries_top10=tally.top10_week.get(w.week, 0) if w.week in covered else None,
            observed_at=w.observed_at,
            snapshot_id=w.snapshot_id,
        )
        for w in core.title_weeks(title.ident, title.film)
    ]
    peak = min((w.rank for w in weeks), default=None)
    report = TitleReport(
        show=title.show,
        season=None if title.film else title.label,
        label=title.label,
        film=title.film,
        category=weeks[0].category if weeks else title.category,
        installment={
            "kind": title.installment.kind,
            "number": title.installment.number,
            "subtitle": title.installment.subtitle,
        },
        aliases=list(title.aliases),
        as_of=view.as_of,
        debut=_debut(weeks, core.list_start),
        peak_rank=peak,
        weeks_at_peak=sum(w.rank == peak for w in weeks),
        weeks_in_top10=len(weeks),
        weeks_at_no1=sum(w.rank == 1 for w in weeks),
        total_hours_viewed=_sum([w.hours_viewed for w in weeks]),
        total_views=_sum([w.views for w in weeks]),
        weeks_with_views=sum(w.views is not None for w in weeks),
        best_week=best_week(weeks),
        countries=tally.countries(_footprint_note(title, weeks, covered, crows, full), covered),
        weeks=weeks,
        key=title.key,
        namesakes=list(title.namesakes),
        view=view.describe(),
    )
    if full and weeks:
        report.records = _records_held(view, title, report.category)
        from chartwatch.forecast.documents import running_forecast

        report.forecast = running_forecast(view, title)
    if full:
        report.engagement = title_engagement(view, title)
        report.engagement_total = engagement_total(report.engagement)
    return report


class _CountryTally:
    """A title's country rows counted per week and per country."""

    def __init__(self, crows: list[Any]) -> None:
        self.no1_week: dict[dt.date, int] = {}
        self.top10_week: dict[dt.date, int] = {}
        self.per_country: dict[str, list[Any]] = {}  # iso2 -> [name, weeks, weeks at 1, best]
        for c in crows:
            self.top10_week[c.week] = self.top10_week.get(c.week, 0) + 1
            if c.rank == 1:
                self.no1_week[c.week] = self.no1_week.get(c.week, 0) + 1
            entry = self.per_country.setdefault(c.iso2, [c.name, 0, 0, 99])
            entry[1] += 1
            entry[2] += c.rank == 1
            entry[3] = min(entry[3], c.rank)

    def countries(self, note: str | None, covered: frozenset[dt.date]) -> Countries:
        items = self.per_country.items()
        return Countries(
            no1=[
                CountryCount(iso, e[0], e[2], e[3])
                for iso, e in sorted(items, key=lambda kv: (-kv[1][2], kv[1][0]))
                if e[2]
            ],
            top10=[
                CountryCount(iso, e[0], e[1], e[3])
                for iso, e in sorted(items, key=lambda kv: (-kv[1][1], kv[1][0]))
            ],
            no1_by_week=dict(sorted(self.no1_week.items())),
            top10_by_week=dict(sorted(self.top10_week.items())),
            lists_cover=(min(covered), max(covered)) if covered else None,
            note=note,
        )


def _debut(weeks: list[Week], list_start: dt.date | None) -> Debut | None:
    """The title's first week, and whether it is a debut (not the lists' first week)."""
    if not weeks:
        return None
    first = weeks[0]
    known = first.week_end != list_start
    return Debut(
        known=known,
        week_start=first.week_start,
        week_end=first.week_end,
        rank=first.rank,
        hours_viewed=first.hours_viewed,
        views=first.views,
        note=None
        if known
        else "already in the Top 10 in the first week of the lists "
        f"({week_label(first.week_end)}); its run began earlier, so that week is not its debut",
    )


def _footprint_note(
    title: Title, weeks: list[Week], covered: frozenset[dt.date], crows: list[Any], full: bool
) -> str | None:
    """What the country footprint cannot show: weeks after the country lists end, no
    country lists at all, or a title the lists name differently."""
    note = None
    if weeks and covered and weeks[-1].week_end > max(covered):
        note = (
            f"country lists in the store end with the week of {max(covered)}; "
            "later weeks have no country footprint"
        )
    elif not covered and full:
        note = "the store has no country lists"
    if title.unlinked_note and crows:
        note = title.unlinked_note
    return note


def _records_held(view: View, title: Title, category: str | None) -> list[RecordHeld]:
    """Where the title's debut and best week stood on its list's boards when set."""
    return [
        RecordHeld(
            metric=s.metric,
            category=s.category,
            week_end=s.week,
            value=s.value,
            rank=s.rank,
            of=s.of,
            record=s.rank == 1,
            holder=s.holder,
            holder_value=s.holder_value,
        )
        for s in view.core.standings(title.ident, title.film)
        if s.category == category
    ]


def show_report(view: View, show: Show) -> ShowReport:
    """One line per charted installment of ``show``, then the totals."""
    lines = []
    reports = [title_report(view, t, full=False) for t in show.titles]
    for t, r in zip(show.titles, reports, strict=True):
        lines.append(
            InstallmentLine(
                label=t.label,
                key=t.key,
                kind=t.installment.kind,
                number=t.installment.number,
                category=r.category,
                debut_week_end=r.debut.week_end if r.debut else None,
                debut_known=bool(r.debut and r.debut.known),
                debut_rank=r.debut.rank if r.debut else None,
                debut_hours_viewed=r.debut.hours_viewed if r.debut else None,
                peak_rank=r.peak_rank,
                weeks_in_top10=r.weeks_in_top10,
                weeks_at_no1=r.weeks_at_no1,
                total_hours_viewed=r.total_hours_viewed,
                total_views=r.total_views,
            )
        )
    engagement = show_engagement([(t.key, title_engagement(view, t)) for t in show.titles])
    return ShowReport(
        show=show.name,
        film=show.film,
        as_of=view.as_of,
        view=view.describe(),
        installments=lines,
        weeks_in_top10=sum(line.weeks_in_top10 for line in lines),
        weeks_at_no1=sum(line.weeks_at_no1 for line in lines),
        total_hours_viewed=_sum([line.total_hours_viewed for line in lines]),
        total_views=_sum([line.total_views for line in lines]),
        engagement=engagement,
        engagement_total=engagement_total(engagement),
    )


def title(view: View, query: str | Title | Show) -> TitleReport | ShowReport:
    """A title's run (or a show's installments) in ``view``: the document of
    ``chartwatch title``.

    ``query`` is resolved once, like every title argument (fuzzy; see
    :func:`chartwatch.titles.search.search`), or is an already resolved title or show.
    """
    target = view.resolve(query) if isinstance(query, str) else query
    if isinstance(target, Show):
        return show_report(view, target)
    report = title_report(view, target)
    if not report.weeks and not report.countries.top10:
        raise NotFoundError(f"{target.label!r} has no chart weeks in this view")
    return report
