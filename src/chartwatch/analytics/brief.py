"""Fact briefs: the sentences a journalist would write about a title, each with its evidence.

``brief(store, "All of Us Are Dead", vs="Squid Game")`` builds short sentences from fixed
templates over computed values (no language model). Every fact carries the published rows
it rests on (list, week, category, rank, figure, measure, the snapshot that published it and
when that was observed), so each figure can be checked against Netflix's files.

The traps it respects:

* a title already listed in the lists' first week (2021-07-04) has an unknown earlier run:
  its first listed week is never called a debut and never ranked among debuts;
* Netflix ranks by hours until June 2023 and by views after; views exist only from the week
  ending 2023-06-18. Every sentence names its measure and compares like with like: views
  with views (views era only), hours with hours;
* the country lists carry ranks only (no hours): country facts are counts of countries;
* ``as_of`` keeps only weeks ending on or before the date, as published by then when the
  store observed anything by then (else as published now, and the brief says so).

Standings "at the time" use the leaderboards of :mod:`chartwatch.analytics.records` cut at
the week in question. A best week is placed twice: among all single weeks of all titles in
its category (every title-week counts, so one title's several big weeks each count), and
among titles by their best week (the ``week_hours`` / ``week_views`` leaderboards).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from chartwatch.analytics.frame import VIEWS_FROM, country_weeks, list_start, titled_rows
from chartwatch.analytics.records import records_held
from chartwatch.analytics.runs import BestWeek, RecordHeld, TitleReport, Week, title_report
from chartwatch.dates import end_of_day_utc
from chartwatch.errors import AmbiguousTitleError, NotFoundError, UsageError
from chartwatch.render.prose import count, figure, join, possessive, ratio, week_range
from chartwatch.results import Tabular, jsonable
from chartwatch.store.store import Store
from chartwatch.titles import Catalog, Show, Title, catalog, resolve
from chartwatch.titles.search import describe

UNITS = {"hours_viewed": "hours viewed", "views": "views"}
SHORT_UNITS = {"hours_viewed": "hours", "views": "views"}
LISTED_WEEKS = 5  # a country sentence names this many weeks; the evidence has every week
VIEWS_BEGAN = f"views were first published (week of {week_range(VIEWS_FROM)})"


@dataclass
class Evidence:
    """One published row (or, for country counts, one week of a country list) behind a fact.

    ``figure`` is the value in ``measure``: ``hours_viewed`` or ``views`` for a global row,
    ``countries_no1`` / ``countries_top10`` for a week's count of countries, ``rank`` for a
    country row (the country lists publish ranks only; ``figure`` is then null).
    """

    list: str
    week_end: dt.date
    category: str
    rank: int | None
    figure: int | None
    measure: str
    snapshot_id: int
    observed_at: dt.datetime
    title: str
    country_iso2: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = jsonable(self)
        if self.country_iso2 is None:
            del out["country_iso2"]
        return out


@dataclass
class Fact:
    """One sentence (or two) and the rows it rests on."""

    id: str
    text: str
    evidence: list[Evidence] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "evidence": [e.to_dict() for e in self.evidence]}


@dataclass
class Brief(Tabular):
    """``chartwatch brief``: the facts about one title; the table is one row per evidence."""

    label: str
    show: str
    category: str | None
    as_of: dt.date | None
    published_as_of: dt.date | None  # the view: as published by this date; None = now
    vs: str | None
    notes: list[str]
    facts: list[Fact]
    key: str = ""  # the stable key: ``Ballerina (film, English)``

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "key": self.key,
            "show": self.show,
            "category": self.category,
            "as_of": jsonable(self.as_of),
            "published_as_of": jsonable(self.published_as_of),
            "vs": self.vs,
            "notes": list(self.notes),
            "facts": [f.to_dict() for f in self.facts],
        }

    def table_rows(self) -> list[dict[str, Any]]:
        return [
            {"fact": f.id, **{k: getattr(e, k) for k in Evidence.__dataclass_fields__}}
            for f in self.facts
            for e in f.evidence
        ]


# -- the data a brief is written from ------------------------------------------------------


@dataclass
class _Row:
    """A title's global row, as the brief reads it for titles other than its own."""

    title: str
    week_end: dt.date
    category: str
    rank: int
    hours_viewed: int | None
    views: int | None
    snapshot_id: int
    observed_at: dt.datetime

    def evidence(self, measure: str) -> Evidence:
        value = self.views if measure == "views" else self.hours_viewed
        return Evidence(
            "global",
            self.week_end,
            self.category,
            self.rank,
            value,
            measure,
            self.snapshot_id,
            self.observed_at,
            self.title,
        )


@dataclass
class _Subject:
    """A resolved title and its run, cut at the brief's date."""

    title: Title
    report: TitleReport
    name: str  # how later sentences name it: the show, unless it has several installments

    @property
    def label(self) -> str:
        return self.title.label

    def row(self, w: Week) -> _Row:
        return _Row(
            self.label,
            w.week_end,
            w.category,
            w.rank,
            w.hours_viewed,
            w.views,
            w.snapshot_id,
            w.observed_at,
        )


@dataclass
class _Context:
    store: Store
    cat: Catalog
    view: dt.date | None  # publication view (None: current)
    through: dt.date | None  # weeks ending on or before
    start: dt.date | None  # the lists' first week


def _view(store: Store, as_of: dt.date | None) -> tuple[dt.date | None, list[str]]:
    """The publication view for ``as_of``: as published by then when the store observed a
    global list by then; else the current view (with a note)."""
    if as_of is None:
        return None, []
    seen = store.scalar(
        "SELECT count(*) FROM snapshots WHERE kind = 'global' AND observed_at <= ?",
        [end_of_day_utc(as_of)],
    )
    if seen:
        return as_of, []
    first = store.scalar("SELECT min(observed_at) FROM snapshots WHERE kind = 'global'")
    since = f" (its first global list was observed on {first:%Y-%m-%d})" if first else ""
    return None, [
        f"the store observed no list by {as_of}{since}: figures are as published now, "
        f"for weeks ending on or before {as_of}"
    ]


def _resolve_title(store: Store, query: str, view: dt.date | None) -> Title:
    target = resolve(store, query, as_of=view)
    if isinstance(target, Show):
        names = [describe(t) for t in target.titles]
        latest = max(
            target.titles,
            key=lambda t: (t.first_week or dt.date.min, t.installment.number or 0),
        )
        error = AmbiguousTitleError(query, names)
        error.message = (
            f"{query!r} is a show with {len(names)} charted installments and a brief is about "
            f"one; give one of them, e.g. {latest.label!r}"
        )
        error.args = (error.message,)
        raise error
    return target


def _best(weeks: list[Week]) -> BestWeek | None:
    """The best week as :func:`title_report` picks it: by views when every week has views."""
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


def _cut(ctx: _Context, r: TitleReport, *, full: bool = True) -> TitleReport:
    """``r`` with only the weeks ending on or before ``ctx.through``; the run's figures and
    (``full``) its standings recomputed from those weeks."""
    if ctx.through is None or all(w.week_end <= ctx.through for w in r.weeks):
        return r
    weeks = [w for w in r.weeks if w.week_end <= ctx.through]
    peak = min((w.rank for w in weeks), default=None)
    hours = [w.hours_viewed for w in weeks if w.hours_viewed is not None]
    views = [w.views for w in weeks if w.views is not None]
    cut = dataclasses.replace(
        r,
        debut=r.debut if weeks else None,
        peak_rank=peak,
        weeks_at_peak=sum(w.rank == peak for w in weeks),
        weeks_in_top10=len(weeks),
        weeks_at_no1=sum(w.rank == 1 for w in weeks),
        total_hours_viewed=sum(hours) if hours else None,
        total_views=sum(views) if views else None,
        best_week=_best(weeks),
        weeks=weeks,
        records=[],
    )
    if full:
        cut.records = records_held(ctx.store, cut, as_of=ctx.view)
    return cut


def _subject(ctx: _Context, query: str, *, full: bool = True) -> _Subject:
    """The title ``query`` names and its run; ``full=False`` (the ``--vs`` title, of which
    only the run is read) without its country footprint and standings."""
    title = _resolve_title(ctx.store, query, ctx.view)
    report = _cut(ctx, title_report(ctx.store, title, ctx.view, full=full), full=full)
    if not report.weeks:
        when = f" by {ctx.through}" if ctx.through else ""
        raise NotFoundError(f"{title.label!r} has no weeks in the global Top 10{when}")
    show = ctx.cat.shows.get((title.show, title.film))
    single = show is None or len(show.titles) == 1
    return _Subject(title, report, title.show if single else title.label)


def _title_rows(ctx: _Context, label: str, category: str, cutoff: dt.date) -> list[_Row]:
    only = ctx.cat.find(label, category.startswith("Films"))
    gsql, params = titled_rows(ctx.cat, ctx.view, "global", only=only)
    rows = ctx.store.all(
        f"""
        SELECT title, week, category, min(rank), any_value(weekly_hours_viewed),
               any_value(weekly_views), max(snapshot_id), max(observed_at)
        FROM {gsql} g WHERE title = ? AND category = ? AND week <= ?
        GROUP BY title, week, category ORDER BY week
        """,
        [*params, label, category, cutoff],
    )
    return [_Row(*row) for row in rows]


def _holder_row(ctx: _Context, rec: RecordHeld) -> _Row | None:
    """The row behind a record holder's figure: its debut, or its best week, by then."""
    if rec.holder is None:
        return None
    rows = _title_rows(ctx, rec.holder, rec.category, rec.week_end)
    if not rows:
        return None
    if rec.metric.startswith("debut"):
        return rows[0]
    column = "views" if rec.metric.endswith("views") else "hours_viewed"
    return next((r for r in rows if getattr(r, column) == rec.holder_value), None)


def _single_weeks(
    ctx: _Context, category: str, cutoff: dt.date, measure: str, value: int
) -> tuple[int, int, _Row | None]:
    """Where ``value`` stands among every title-week of ``category`` up to ``cutoff``: the
    number of weeks, the rank (1 + weeks with more), and the biggest week."""
    column = "weekly_views" if measure == "views" else "weekly_hours_viewed"
    gsql, params = titled_rows(ctx.cat, ctx.view, "global")
    where = f"FROM {gsql} g WHERE category = ? AND week <= ? AND {column} IS NOT NULL"
    total, above = ctx.store.all(
        f"SELECT count(*), count(*) FILTER (WHERE {column} > ?) {where}",
        [value, *params, category, cutoff],
    )[0]
    top = ctx.store.all(
        f"""SELECT title, week, category, rank, weekly_hours_viewed, weekly_views,
                   snapshot_id, observed_at {where}
            ORDER BY {column} DESC, week, rank LIMIT 1""",
        [*params, category, cutoff],
    )
    return int(total), int(above) + 1, _Row(*top[0]) if top else None


def _record(r: TitleReport, metric: str) -> RecordHeld | None:
    return next((x for x in r.records if x.metric == metric), None)


# -- the facts -----------------------------------------------------------------------------


def _lists_began(ctx: _Context) -> str:
    return f"the lists began (week of {week_range(ctx.start)})" if ctx.start else "the lists began"


def _debut(ctx: _Context, s: _Subject) -> Fact:
    r = s.report
    d = r.debut
    assert d is not None
    first = r.weeks[0]
    if not d.known:
        hours = f" with {figure(d.hours_viewed)} hours viewed" if d.hours_viewed else ""
        return Fact(
            "first_listed",
            f"{s.label} was already in the global {r.category} Top 10 in the lists' first "
            f"week, {week_range(d.week_end)}, at No. {d.rank}{hours}. Its run began before "
            "Netflix's lists did, so its first week on the chart is not known, and it is "
            "left out of first-week records.",
            [s.row(first).evidence("hours_viewed")],
        )
    if d.views is not None and d.week_end >= VIEWS_FROM:
        hours = f" and {figure(d.hours_viewed)} hours viewed" if d.hours_viewed else ""
        return Fact(
            "debut",
            f"{s.label} debuted at No. {d.rank} in the global {r.category} Top 10 with "
            f"{figure(d.views)} views{hours} for {week_range(d.week_end)} (Netflix ranks "
            "its lists by views from June 2023).",
            [s.row(first).evidence("views"), s.row(first).evidence("hours_viewed")],
        )
    return Fact(
        "debut",
        f"{s.label} debuted at No. {d.rank} in the global {r.category} Top 10 with "
        f"{figure(d.hours_viewed or 0)} hours viewed for {week_range(d.week_end)}.",
        [s.row(first).evidence("hours_viewed")],
    )


def _standing(
    ctx: _Context, rec: RecordHeld, measure: str, since: str
) -> tuple[str, list[Evidence]]:
    """``No. 2 of 74 debuts since …, behind X's 201.91 million hours (week of …)``."""
    text = f"No. {rec.rank} of {count(rec.of, 'debut')} since {since}"
    holder = _holder_row(ctx, rec)
    if rec.record or holder is None or rec.holder_value is None:
        return text, []
    text += (
        f", behind {possessive(rec.holder or '')} {figure(rec.holder_value)} "
        f"{SHORT_UNITS[measure]} (week of {week_range(holder.week_end)})"
    )
    return text, [holder.evidence(measure)]


def _debut_record(ctx: _Context, s: _Subject) -> Fact | None:
    r = s.report
    d = r.debut
    if d is None or not d.known:
        return None
    first = s.row(r.weeks[0])
    by_hours = _record(r, "debut_hours")
    by_views = _record(r, "debut_views")
    sentences = []
    evidence: list[Evidence] = []
    if by_views is not None:
        text, ev = _standing(ctx, by_views, "views", VIEWS_BEGAN)
        status = "was" if by_views.record else "was not"
        sentences.append(
            "By views, Netflix's ranking measure since June 2023, it "
            f"{status} the {r.category} debut record at the time: {text}."
        )
        evidence += [first.evidence("views"), *ev]
    if by_hours is not None:
        text, ev = _standing(ctx, by_hours, "hours_viewed", _lists_began(ctx))
        if by_views is not None:
            sentences.append(f"By hours viewed, it was {text}.")
        else:
            status = "was" if by_hours.record else "was not"
            sentences.append(
                f"It {status} the {r.category} debut record at the time: by hours viewed, {text}."
            )
        evidence += [first.evidence("hours_viewed"), *ev]
    if not sentences:
        return None
    return Fact("debut_record", " ".join(sentences), evidence)


def _best_week(ctx: _Context, s: _Subject) -> Fact | None:
    r = s.report
    b = r.best_week
    if b is None or r.category is None:
        return None
    measure = b.measure
    value = b.views if measure == "views" else b.hours_viewed
    if value is None:
        return None
    week = next(w for w in r.weeks if w.week_end == b.week_end)
    also = ""
    if measure == "views" and b.hours_viewed is not None:
        also = f" ({figure(b.hours_viewed)} hours viewed)"
    known = r.debut is not None and r.debut.known
    text = (
        f"Its best {'' if known else 'published '}week was {week_range(b.week_end)}, with "
        f"{figure(value)} {UNITS[measure]}{also} at No. {b.rank}"
        + ("." if known else " (its weeks before the lists began are not published).")
    )
    evidence = [s.row(week).evidence(measure)]
    if measure == "views" and b.hours_viewed is not None:
        evidence.append(s.row(week).evidence("hours_viewed"))
    total, rank, top = _single_weeks(ctx, r.category, b.week_end, measure, value)
    since = VIEWS_BEGAN if measure == "views" else _lists_began(ctx)
    by = "By views, at" if measure == "views" else "At"
    per_title = _record(r, "week_views" if measure == "views" else "week_hours")
    if rank == 1:
        text += (
            f" {by} the time it was the biggest of all {count(total, 'single week')} of "
            f"{r.category} titles since {since}."
        )
    else:
        text += (
            f" {by} the time it was No. {rank} among all {count(total, 'single week')} of "
            f"{r.category} titles since {since}"
        )
        if per_title is not None:
            text += (
                f", and No. {per_title.rank} of {count(per_title.of, 'title')} counting each "
                "title's best week once"
            )
        if top is not None:
            value_top = top.views if measure == "views" else top.hours_viewed
            text += (
                f"; the biggest was {possessive(top.title)} {figure(value_top or 0)} "
                f"{SHORT_UNITS[measure]} (week of {week_range(top.week_end)})"
            )
            evidence.append(top.evidence(measure))
        text += "."
    return Fact("best_week", text, evidence)


def _weeks_at_no1(ctx: _Context, s: _Subject) -> Fact:
    r = s.report
    since = "" if r.debut is None or r.debut.known else " since the lists began"
    if r.weeks_at_no1:
        weeks = [w for w in r.weeks if w.rank == 1]
        text = (
            f"{s.name} spent {count(r.weeks_at_no1, 'week')} at No. 1 in the global "
            f"{r.category} Top 10, and {count(r.weeks_in_top10, 'week')} in the Top 10{since}."
        )
    else:
        weeks = [w for w in r.weeks if w.rank == r.peak_rank]
        text = (
            f"{s.name} never reached No. 1 in the global {r.category} Top 10{since}: its "
            f"peak was No. {r.peak_rank} ({count(r.weeks_at_peak, 'week')}), in "
            f"{count(r.weeks_in_top10, 'week')} in the Top 10."
        )
    return Fact(
        "weeks_at_no1",
        text,
        [s.row(w).evidence("views" if w.views is not None else "hours_viewed") for w in weeks],
    )


def _countries(ctx: _Context, s: _Subject) -> list[Fact]:
    covered = sorted(
        w
        for w in country_weeks(ctx.store, ctx.view, ctx.cat)
        if not ctx.through or w <= ctx.through
    )
    r = s.report
    last = r.weeks[-1].week_end
    if not covered:
        return [Fact("countries", "The store has no country lists for its weeks.")]
    csql, params = titled_rows(ctx.cat, ctx.view, "countries", only=s.title)
    rows = ctx.store.all(
        f"""
        SELECT week, country_iso2, any_value(category), min(rank), max(snapshot_id),
               max(observed_at)
        FROM {csql} c WHERE title = ? AND film = ? AND week <= ?
        GROUP BY week, country_iso2 ORDER BY week, country_iso2
        """,
        [*params, s.title.ident, s.title.film, ctx.through or dt.date.max],
    )
    end = covered[-1]
    if r.weeks[0].week_end > end:
        return [
            Fact(
                "countries",
                f"The store's country lists end with the week of {week_range(end)}, before "
                f"{possessive(s.name)} run: there are no country figures for it.",
            )
        ]
    caveat = ""
    if last > end:
        caveat = (
            f" The store's country lists end with the week of {week_range(end)}; its later "
            "weeks have no country figures."
        )
    if not rows:
        return [
            Fact(
                "countries",
                f"{s.name} was in no country's Top 10 in the weeks with country lists." + caveat,
            )
        ]
    facts = []
    for fid, keep, measure, what in (
        ("countries", lambda rank: rank == 1, "countries_no1", "No. 1"),
        ("countries_top10", lambda rank: True, "countries_top10", "in the Top 10"),
    ):
        chosen = [row for row in rows if keep(row[3])]
        if not chosen:
            facts.append(
                Fact(
                    fid,
                    f"In Netflix's weekly country lists (ranks only), {s.name} was not No. 1 "
                    "in any country." + caveat,
                )
            )
            continue
        by_week: dict[dt.date, list[tuple[Any, ...]]] = {}
        for row in chosen:
            by_week.setdefault(row[0], []).append(row)
        counts = [(w, len(v)) for w, v in by_week.items()]
        named = counts if len(counts) <= LISTED_WEEKS + 1 else counts[:LISTED_WEEKS]
        parts = [f"{count(named[0][1], 'country', 'countries')} in the week of "]
        parts[0] += week_range(named[0][0])
        parts += [f"{n} in {week_range(w)}" for w, n in named[1:]]
        if len(named) < len(counts):
            rest = [n for _, n in counts[len(named) :]]
            spread = f"{min(rest)}–{max(rest)}" if min(rest) != max(rest) else str(rest[0])
            parts.append(f"{spread} a week in {len(rest)} later weeks")
        distinct = {row[1] for row in chosen}
        text = (
            f"In Netflix's weekly country lists (ranks only), {s.name} was {what} in "
            f"{join(parts, sep='; ')}"
        )
        if len(by_week) > 1:
            text += f": {count(len(distinct), 'country', 'countries')} in all"
        text += "."
        evidence = [
            Evidence(
                "countries",
                week,
                week_rows[0][2],
                1 if measure == "countries_no1" else None,
                len(week_rows),
                measure,
                max(x[4] for x in week_rows),
                max(x[5] for x in week_rows),
                s.label,
            )
            for week, week_rows in by_week.items()
        ]
        if measure == "countries_no1":
            firsts: dict[str, tuple[Any, ...]] = {}
            for row in chosen:
                firsts.setdefault(row[1], row)
            evidence += [
                Evidence("countries", w, c, rank, None, "rank", sid, obs, s.label, iso)
                for w, iso, c, rank, sid, obs in sorted(firsts.values(), key=lambda x: x[1])
            ]
        facts.append(Fact(fid, text + caveat, evidence))
    return facts


def _total(ctx: _Context, s: _Subject) -> Fact:
    r = s.report
    since = "" if r.debut is None or r.debut.known else " since the lists began"
    n = count(r.weeks_in_top10, "week")
    all_views = all(w.views is not None for w in r.weeks)
    hours = figure(r.total_hours_viewed or 0)
    if all_views and r.total_views is not None:
        text = (
            f"In its {n} in the global Top 10{since}, {s.name} drew "
            f"{figure(r.total_views)} views and {hours} hours viewed."
        )
        evidence = [s.row(w).evidence("views") for w in r.weeks]
    else:
        text = f"In its {n} in the global Top 10{since}, {s.name} was watched for {hours} hours."
        if r.total_views is not None:
            k = sum(w.views is not None for w in r.weeks)
            text += (
                f" Views, published only from the week of {week_range(VIEWS_FROM)}, add up "
                f"to {figure(r.total_views)} over {count(k, 'week')} of them."
            )
        evidence = [s.row(w).evidence("views") for w in r.weeks if w.views is not None]
    evidence += [s.row(w).evidence("hours_viewed") for w in r.weeks]
    text += " Netflix publishes weekly figures only for titles in its Top 10."
    return Fact("total", text, evidence)


def _forecast(ctx: _Context, s: _Subject) -> Fact | None:
    """For a title still in the Top 10: where its first weeks say the run is heading."""
    from chartwatch.forecast.run import running_forecast

    r = s.report
    last = r.weeks[-1].week_end if r.weeks else None
    fc = running_forecast(
        ctx.store,
        s.title.ident,
        s.title.film,
        last_week=last,
        as_of=ctx.view,
        through=ctx.through,
    )
    if fc is None:
        return None
    m = fc.hours
    text = (
        f"{s.name} is still in the Top 10. A statistical forecast from its first "
        f"{count(fc.weeks_used, 'week')}, not a published figure, puts its run at about "
        f"{figure(int(m.estimate))} hours viewed in the Top 10, between "
        f"{figure(int(m.low))} and {figure(int(m.high))} (80 % interval)"
    )
    if fc.hours_so_far > m.high:
        text += f"; it already has {figure(fc.hours_so_far)}, more than that"
    text += " (method and backtest: docs/forecast.md)."
    evidence = [s.row(w).evidence("hours_viewed") for w in r.weeks[: fc.weeks_used]]
    return Fact("forecast", text, evidence)


NUMBERED_KINDS = ("season", "part", "volume", "book", "chapter", "collection")


def _renewal(ctx: _Context, s: _Subject) -> Fact | None:
    """For a numbered TV installment whose next one has not charted: the renewal forecast.

    A later installment already in the lists answers the question, and is told by the
    catalogue without loading the forecast libraries; so is a missing forecast extra."""
    import importlib.util

    t = s.title
    inst = t.installment
    if t.film or inst.kind not in NUMBERED_KINDS or inst.number is None or not s.report.weeks:
        return None
    show = ctx.cat.shows.get((t.show, False))
    debut = s.report.weeks[0].week_end
    for other in show.titles if show else ():
        number, first = other.installment.number, other.first_week
        if number is None or number <= inst.number or first is None or first <= debut:
            continue
        if ctx.through is None or first <= ctx.through:
            return None  # a later installment has charted: the question is answered
    if any(importlib.util.find_spec(m) is None for m in ("pandas", "lifelines")):
        return None  # pragma: no cover - depends on the environment
    from chartwatch.forecast.renewal import forecast_installment

    try:
        g = forecast_installment(ctx.store, t.ident, as_of=ctx.view, through=ctx.through)
    except NotFoundError:  # too few renewals in this view to learn from
        return None
    if g is None or g.status.state != "waiting" or not g.p_next_within:
        return None
    p = g.p_next_within
    n = g.weeks_used or 0
    text = (
        f"Will there be another {inst.kind}? A statistical forecast from {possessive(s.name)} "
        f"first {count(n, 'week')} in the Top 10, not a published fact, gives a "
        f"{p[24]:.0%} chance that the next installment enters the global Top 10 within 24 "
        f"months of the debut ({p[12]:.0%} within 12, {p[36]:.0%} within 36)"
    )
    months = g.status.months or 0.0
    given = g.p_next_within_given_not_yet or {}
    later = [(h, q) for h, q in sorted(given.items()) if q is not None and h > months]
    if later and months >= 1:
        h, q = later[0]
        text += f"; {months:.0f} months on with none so far, {q:.0%} within {h}"
    text += (
        ". Learnt from the charts alone, which carry no production news: in its backtest it "
        "ranks installments only modestly better than the debut figure alone, so treat it "
        "as rough (method and backtest: docs/forecast.md)."
    )
    evidence = [s.row(w).evidence("hours_viewed") for w in s.report.weeks[:n]]
    return Fact("renewal", text, evidence)


def _vs(ctx: _Context, s: _Subject, o: _Subject) -> Fact:
    a, b = s.report, o.report
    sentences = []
    evidence: list[Evidence] = []
    da, db = a.debut, b.debut
    assert da is not None and db is not None
    if da.known and db.known:
        both_views = da.views is not None and db.views is not None
        measure = "views" if both_views else "hours_viewed"
        mine = da.views if both_views else da.hours_viewed
        theirs = db.views if both_views else db.hours_viewed
        note = ""
        if not both_views and (da.views is not None or db.views is not None):
            note = " (hours viewed: the measure both have)"
        if mine and theirs:
            sentences.append(
                f"{o.label} debuted at No. {db.rank} with {figure(theirs)} {UNITS[measure]} "
                f"({week_range(db.week_end)}), so {possessive(s.name)} debut was "
                f"{ratio(mine, theirs, o.name)}{note}."
            )
            evidence += [
                o.row(b.weeks[0]).evidence(measure),
                s.row(a.weeks[0]).evidence(measure),
            ]
    elif not db.known:
        sentences.append(
            f"{o.label} was already in the Top 10 in the lists' first week "
            f"({week_range(db.week_end)}), so its first week is not known and the two first "
            "weeks cannot be compared."
        )
    else:
        sentences.append(
            f"{possessive(s.name)} first week on the chart is not known (it was already listed "
            f"in the lists' first week), so its start cannot be compared with {possessive(o.name)}."
        )
    ba, bb = a.best_week, b.best_week
    if ba is not None and bb is not None:
        measure = "views" if ba.measure == bb.measure == "views" else "hours_viewed"
        mine = ba.views if measure == "views" else ba.hours_viewed
        theirs = bb.views if measure == "views" else bb.hours_viewed
        if mine and theirs:
            sentences.append(
                f"{possessive(o.name)} best week drew {figure(theirs)} {UNITS[measure]} "
                f"({week_range(bb.week_end)}); {possessive(s.name)} best, {figure(mine)}, was "
                f"{ratio(mine, theirs, o.name)}."
            )
            evidence += [
                o.row(next(w for w in b.weeks if w.week_end == bb.week_end)).evidence(measure),
                s.row(next(w for w in a.weeks if w.week_end == ba.week_end)).evidence(measure),
            ]
    since = "" if db.known else " since the lists began"
    sentences.append(
        f"{o.name} spent {count(b.weeks_at_no1, 'week')} at No. 1 and "
        f"{count(b.weeks_in_top10, 'week')} in the global Top 10{since} "
        f"({s.name}: {a.weeks_at_no1} and {a.weeks_in_top10})."
    )
    return Fact("vs", " ".join(sentences), evidence)


def brief(
    store: Store, query: str, *, vs: str | None = None, as_of: dt.date | None = None
) -> Brief:
    """The facts about one title, each with its evidence; compared with ``vs`` when given.

    ``as_of`` keeps only weeks ending on or before that date, as published by then (when
    the store observed nothing by then, as published now; the brief's ``notes`` say so).
    A query naming a show with several charted installments raises
    :class:`AmbiguousTitleError` listing them; a brief is about one installment.
    """
    view, notes = _view(store, as_of)
    cat = catalog(store, view)
    ctx = _Context(store, cat, view, as_of, list_start(store, view, cat))
    s = _subject(ctx, query)
    other = None
    if vs is not None:
        other = _subject(ctx, vs, full=False)
        if other.title.ident == s.title.ident and other.title.film == s.title.film:
            raise UsageError(f"--vs: {vs!r} is the title being briefed")
    facts: list[Fact | None] = [
        _debut(ctx, s),
        _debut_record(ctx, s),
        _best_week(ctx, s),
        _weeks_at_no1(ctx, s),
        *_countries(ctx, s),
        _total(ctx, s),
        _forecast(ctx, s),
        _renewal(ctx, s),
        _vs(ctx, s, other) if other is not None else None,
    ]
    return Brief(
        label=s.label,
        show=s.title.show,
        category=s.report.category,
        as_of=as_of,
        published_as_of=view,
        vs=other.label if other else None,
        notes=notes,
        facts=[f for f in facts if f is not None],
        key=s.title.key,
    )
