"""Who a brief is about: the resolved title and its run in the view (:class:`Subject`),
and the :class:`Context` every fact builder reads (the view, its title index, the lists'
first week). A view as of a date holds only the weeks published by then, so a brief "as
of" a date says only what could be said then.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chartwatch.analytics.runs import TitleReport, Week, title_report
from chartwatch.brief.types import Evidence
from chartwatch.errors import AmbiguousTitleError, NotFoundError
from chartwatch.titles import Show, Title, TitleIndex
from chartwatch.titles.search import describe

if TYPE_CHECKING:
    from chartwatch.view import View


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
    """What every fact builder reads: the view, its title index and the lists' first week."""

    view: View
    cat: TitleIndex
    start: dt.date | None  # the lists' first week


def notes(view: View) -> list[str]:
    """What a brief says about its view: that it is reconstructed, when it is."""
    line = view.notice()
    return [line] if line else []


def _resolve_title(view: View, query: str | Title) -> Title:
    target = view.resolve(query) if isinstance(query, str) else query
    if isinstance(target, Show):
        names = [describe(t) for t in target.titles]
        latest = max(
            target.titles,
            key=lambda t: (t.first_week or dt.date.min, t.installment.number or 0),
        )
        error = AmbiguousTitleError(str(query), names)
        error.message = (
            f"{query!r} is a show with {len(names)} charted installments and a brief is about "
            f"one; give one of them, e.g. {latest.label!r}"
        )
        error.args = (error.message,)
        raise error
    return target


def subject(ctx: Context, query: str | Title, *, full: bool = True) -> Subject:
    """The title ``query`` names and its run; ``full=False`` (the ``--vs`` title, of which
    only the run is read) without its country footprint and standings."""
    title = _resolve_title(ctx.view, query)
    report = title_report(ctx.view, title, full=full)
    if not report.weeks:
        when = f" by {ctx.view.as_of}" if ctx.view.as_of else ""
        raise NotFoundError(f"{title.label!r} has no weeks in the global Top 10{when}")
    show = ctx.cat.shows.get((title.show, title.film))
    single = show is None or len(show.titles) == 1
    return Subject(title, report, title.show if single else title.label)
