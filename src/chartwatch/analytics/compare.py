"""Titles side by side: their weeks in the global Top 10, aligned on each title's first week
(week 1, week 2, …) or on the calendar.

``compare(store, ["All of Us Are Dead", "Squid Game: Season 1"])`` gives hours viewed by week
since each title's debut. Views exist only from the week ending 2023-06-18, so comparing views
needs titles whose every week has them; mixing the two regimes is refused with a message. A
title already listed in the first week of the lists (2021-07-04) has no known debut: its
weeks are counted from that week, and the result says so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from chartwatch.errors import AmbiguousTitleError, NotFoundError, UsageError
from chartwatch.results import Tabular, jsonable
from chartwatch.titles import Show, Title
from chartwatch.titles.search import describe
from chartwatch.vocabulary import VIEWS_FROM

if TYPE_CHECKING:
    from chartwatch.view import View


def _name(query: str | Title) -> str:
    return query if isinstance(query, str) else query.label


METRICS: dict[str, str] = {
    "hours": "hours viewed",
    "views": "views (from the week ending 2023-06-18)",
    "rank": "rank in the title's own global list",
}
ALIGNS: dict[str, str] = {
    "debut": "aligned on each title's first week in the Top 10",
    "calendar": "by calendar week",
}
_COLUMN = {"hours": "hours_viewed", "views": "views", "rank": "rank"}


@dataclass
class ComparedTitle:
    """One compared title. ``column`` is the key of its values in ``Comparison.rows`` (its
    label, with kind and year added when two compared titles share a label)."""

    label: str
    column: str
    show: str
    film: bool
    category: str | None
    first_week_end: dt.date
    last_week_end: dt.date
    debut_week_end: dt.date | None  # None when the debut is not known
    debut_known: bool
    weeks_in_top10: int
    key: str = ""  # the stable key: ``Ballerina (film, English)``
    # its unbroken stretches in the Top 10, as [first, last] week numbers (week 1 = its
    # first week): the first is the run people mean, the others re-entries
    stretches: list[list[int]] = field(default_factory=list)


@dataclass
class ComparedWeek:
    """One week of one title's run (the long table of ``to_pandas()``)."""

    label: str
    week_number: int  # 1 = the title's first week in the Top 10
    week_end: dt.date
    rank: int
    hours_viewed: int | None
    views: int | None


@dataclass
class Comparison(Tabular):
    """``chartwatch compare``. ``rows`` is the wide table (one row per week, one value per
    title); ``table_rows()`` the long one (one row per title and week)."""

    metric: str
    align: str
    as_of: dt.date | None
    titles: list[ComparedTitle]
    rows: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    weeks: list[ComparedWeek] = field(default_factory=list)
    view: dict[str, Any] = field(default_factory=dict)  # View.describe(): as_of, reconstructed…

    def table_rows(self) -> list[dict[str, Any]]:
        return [asdict(w) for w in self.weeks]

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON of ``chartwatch compare --json`` (see docs/analytics.md)."""
        return {
            "metric": self.metric,
            "align": self.align,
            **(self.view or {"as_of": jsonable(self.as_of)}),
            "titles": jsonable(self.titles),
            "rows": jsonable(self.rows),
            "notes": list(self.notes),
        }


def resolve_installment(view: View, query: str | Title) -> Title:
    """Resolve ``query`` to one title; a show with several installments is an error that
    lists them (:class:`AmbiguousTitleError`, exit code 1)."""
    target = view.resolve(query) if isinstance(query, str) else query
    if isinstance(target, Title):
        return target
    return _pick_one(query if isinstance(query, str) else target.name, target)


def _pick_one(query: str, show: Show) -> Title:
    exc = AmbiguousTitleError(query, [describe(t) for t in show.titles])
    exc.message = (
        f"{query!r} is the show {show.name} with {len(show.titles)} charted installments; "
        f"name one of them, e.g. {show.titles[-1].label!r}"
    )
    exc.args = (exc.message,)
    raise exc


def _views_problem(title: ComparedTitle, weeks: list[ComparedWeek]) -> str | None:
    with_views = sum(w.views is not None for w in weeks)
    if with_views == len(weeks):
        return None
    span = f"{title.first_week_end} to {title.last_week_end}"
    if with_views == 0:
        return f"{title.label!r} has no views (its weeks end {span})"
    return f"{title.label!r} has views for only {with_views} of its {len(weeks)} weeks ({span})"


def stretches(numbers: list[int]) -> list[list[int]]:
    """Unbroken runs of consecutive week numbers, as [first, last].

    >>> stretches([1, 2, 3, 40, 115, 116])
    [[1, 3], [40, 40], [115, 116]]
    """
    out: list[list[int]] = []
    for n in sorted(numbers):
        if out and n == out[-1][1] + 1:
            out[-1][1] = n
        else:
            out.append([n, n])
    return out


def compare(
    view: View,
    queries: list[str | Title],
    *,
    metric: str = "hours",
    align: str = "debut",
) -> Comparison:
    """Two or more titles' runs side by side in ``view``: the document of
    ``chartwatch compare``.

    ``metric`` is ``hours``, ``views`` or ``rank``; ``align`` is ``debut`` (week 1 = each
    title's first week in the Top 10) or ``calendar`` (by week-ending date). Each query is
    resolved like every title argument (or is a resolved title) and must name one
    installment. Raises :class:`UsageError` for bad options, :class:`AmbiguousTitleError`
    for a show or an ambiguous name and :class:`NotFoundError` when a title has no weeks or
    no views.
    """
    picked = _picked(view, queries, metric, align)
    core = view.core
    per_title = [_weeks_of(core, pick) for pick in picked]
    for pick, weeks in zip(picked, per_title, strict=True):
        if not weeks:
            raise NotFoundError(
                f"{pick.label!r} has no weeks in the global Top 10 in this view"
                + (" (it is only in country lists)" if pick.category is None else "")
            )
    labels = [t.label for t in picked]
    titles = [
        _compared(core, pick, weeks, labels.count(pick.label) == 1)
        for pick, weeks in zip(picked, per_title, strict=True)
    ]
    if metric == "views":
        problems = [
            p for t, w in zip(titles, per_title, strict=True) if (p := _views_problem(t, w))
        ]
        if problems:
            raise NotFoundError(
                "cannot compare views: Netflix publishes weekly views only from the week ending "
                f"{VIEWS_FROM}, and " + "; ".join(problems) + ". Use --metric hours"
            )
    return Comparison(
        metric=metric,
        align=align,
        as_of=view.as_of,
        view=view.describe(),
        titles=titles,
        rows=_wide(titles, per_title, metric, align),
        notes=_notes(titles, metric, align),
        weeks=[w for weeks in per_title for w in weeks],
    )


def _picked(view: View, queries: list[str | Title], metric: str, align: str) -> list[Title]:
    """The options checked and each query resolved to one installment, no title twice."""
    if metric not in METRICS:
        raise UsageError(f"{metric!r} is not one of {', '.join(METRICS)}", parameter="metric")
    if align not in ALIGNS:
        raise UsageError(f"{align!r} is not one of {', '.join(ALIGNS)}", parameter="align")
    if len(queries) < 2:
        raise UsageError("compare needs at least two titles", parameter="titles")
    picked = [resolve_installment(view, q) for q in queries]
    seen: dict[tuple[str, bool], str | Title] = {}
    for query, pick in zip(queries, picked, strict=True):
        ident = (pick.ident, pick.film)
        if ident in seen:
            raise UsageError(
                f"{_name(seen[ident])!r} and {_name(query)!r} are the same title ({pick.label})",
                parameter="titles",
            )
        seen[ident] = query
    return picked


def _by_week(core: Any, pick: Title) -> dict[dt.date, Any]:
    """The title's rows in the global Top 10, one a week: its best rank's."""
    by_week: dict[dt.date, Any] = {}
    for row in core.title_weeks(pick.ident, pick.film):
        kept = by_week.get(row.week)
        if kept is None or row.rank < kept.rank:
            by_week[row.week] = row
    return by_week


def _weeks_of(core: Any, pick: Title) -> list[ComparedWeek]:
    """The title's weeks in the global Top 10, numbered from its first."""
    by_week = _by_week(core, pick)
    first = min(by_week, default=None)
    return [
        ComparedWeek(pick.label, (week - first).days // 7 + 1, week, row.rank, row.hours, row.views)
        for week, row in sorted(by_week.items())
        if first is not None
    ]


def _compared(core: Any, pick: Title, weeks: list[ComparedWeek], unique: bool) -> ComparedTitle:
    known = weeks[0].week_end != core.list_start
    by_week = _by_week(core, pick)
    return ComparedTitle(
        label=pick.label,
        column=pick.label if unique else describe(pick),
        show=pick.show,
        film=pick.film,
        category=by_week[min(by_week)].category,
        first_week_end=weeks[0].week_end,
        last_week_end=weeks[-1].week_end,
        debut_week_end=weeks[0].week_end if known else None,
        debut_known=known,
        weeks_in_top10=len(weeks),
        key=pick.key,
        stretches=stretches([w.week_number for w in weeks]),
    )


def _notes(titles: list[ComparedTitle], metric: str, align: str) -> list[str]:
    """What the reader must know: runs that began before the lists, ranks across lists."""
    notes = []
    if align == "debut":
        for t in titles:
            if not t.debut_known:
                notes.append(
                    f"{t.label} was already in the Top 10 in the first week of the lists "
                    f"(week ending {t.first_week_end}); its run began earlier, so its weeks "
                    "are counted from that week, not from its debut"
                )
    if metric == "rank" and len({t.category for t in titles}) > 1:
        notes.append(
            "ranks are within each title's own list: "
            + "; ".join(f"{t.label}: {t.category}" for t in titles)
        )
    return notes


def _wide(
    titles: list[ComparedTitle], per_title: list[list[ComparedWeek]], metric: str, align: str
) -> list[dict[str, Any]]:
    """One row per week (number or week-ending date), one column per title."""
    column = _COLUMN[metric]
    table: dict[Any, dict[str, Any]] = {}
    for t, weeks in zip(titles, per_title, strict=True):
        for w in weeks:
            week_key = w.week_number if align == "debut" else w.week_end
            table.setdefault(week_key, {})[t.column] = getattr(w, column)
    return [
        {"week": week_key, **{t.column: values.get(t.column) for t in titles}}
        for week_key, values in sorted(table.items())
    ]
