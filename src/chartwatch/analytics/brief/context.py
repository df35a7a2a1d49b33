"""Who and when a brief is about: the publication view for ``as_of``, the resolved title
and its run cut at that date (:class:`Subject`), and the :class:`Context` every fact
builder reads (the store, its catalogue in that view, the cut, the lists' first week).

A cut run keeps only the weeks ending on or before the date and recomputes its figures and
standings from them, so a brief "as of" a date says only what could be said then.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from chartwatch.analytics.brief.types import Evidence
from chartwatch.analytics.records import records_held
from chartwatch.analytics.runs import TitleReport, Week, best_week, title_report
from chartwatch.dates import end_of_day_utc
from chartwatch.errors import AmbiguousTitleError, NotFoundError
from chartwatch.store.store import Store
from chartwatch.titles import Catalog, Show, Title, resolve
from chartwatch.titles.search import describe


@dataclass
class Row:
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
class Subject:
    """A resolved title and its run, cut at the brief's date."""

    title: Title
    report: TitleReport
    name: str  # how later sentences name it: the show, unless it has several installments

    @property
    def label(self) -> str:
        return self.title.label

    def row(self, w: Week) -> Row:
        return Row(
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
class Context:
    """What every fact builder reads: the store, its catalogue in the view, and the cut."""

    store: Store
    cat: Catalog
    view: dt.date | None  # publication view (None: current)
    through: dt.date | None  # weeks ending on or before
    start: dt.date | None  # the lists' first week


def publication_view(store: Store, as_of: dt.date | None) -> tuple[dt.date | None, list[str]]:
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


def _cut(ctx: Context, r: TitleReport, *, full: bool = True) -> TitleReport:
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
        best_week=best_week(weeks),
        weeks=weeks,
        records=[],
    )
    if full:
        cut.records = records_held(ctx.store, cut, as_of=ctx.view)
    return cut


def subject(ctx: Context, query: str, *, full: bool = True) -> Subject:
    """The title ``query`` names and its run; ``full=False`` (the ``--vs`` title, of which
    only the run is read) without its country footprint and standings."""
    title = _resolve_title(ctx.store, query, ctx.view)
    report = _cut(ctx, title_report(ctx.store, title, ctx.view, full=full), full=full)
    if not report.weeks:
        when = f" by {ctx.through}" if ctx.through else ""
        raise NotFoundError(f"{title.label!r} has no weeks in the global Top 10{when}")
    show = ctx.cat.shows.get((title.show, title.film))
    single = show is None or len(show.titles) == 1
    return Subject(title, report, title.show if single else title.label)
