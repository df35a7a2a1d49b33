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
from typing import Any

from chartwatch.analytics.frame import VIEWS_FROM, list_start, titled_rows
from chartwatch.errors import AmbiguousTitleError, NotFoundError, UsageError
from chartwatch.results import Tabular, jsonable
from chartwatch.store.store import Store
from chartwatch.titles import Show, Title, catalog, resolve
from chartwatch.titles.search import describe

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

    def table_rows(self) -> list[dict[str, Any]]:
        return [asdict(w) for w in self.weeks]

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON of ``chartwatch compare --json`` (see docs/analytics.md)."""
        return {
            "metric": self.metric,
            "align": self.align,
            "as_of": jsonable(self.as_of),
            "titles": jsonable(self.titles),
            "rows": jsonable(self.rows),
            "notes": list(self.notes),
        }


def resolve_installment(store: Store, query: str, *, as_of: dt.date | None = None) -> Title:
    """Resolve ``query`` to one title; a show with several installments is an error that
    lists them (:class:`AmbiguousTitleError`, exit code 1)."""
    target = resolve(store, query, as_of=as_of)
    if isinstance(target, Title):
        return target
    return _pick_one(query, target)


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
    store: Store,
    queries: list[str],
    *,
    metric: str = "hours",
    align: str = "debut",
    as_of: dt.date | None = None,
) -> Comparison:
    """Two or more titles' runs side by side.

    ``metric`` is ``hours``, ``views`` or ``rank``; ``align`` is ``debut`` (week 1 = each
    title's first week in the Top 10) or ``calendar`` (by week-ending date). Each query is
    resolved like every title argument and must name one installment. Raises
    :class:`UsageError` for bad options, :class:`AmbiguousTitleError` for a show or an
    ambiguous name and :class:`NotFoundError` when a title has no weeks or no views.
    """
    if metric not in METRICS:
        raise UsageError(f"--metric: {metric!r} is not one of {', '.join(METRICS)}")
    if align not in ALIGNS:
        raise UsageError(f"--align: {align!r} is not one of {', '.join(ALIGNS)}")
    if len(queries) < 2:
        raise UsageError("compare needs at least two titles")
    picked = [resolve_installment(store, q, as_of=as_of) for q in queries]
    seen: dict[tuple[str, bool], str] = {}
    for query, pick in zip(queries, picked, strict=True):
        ident = (pick.ident, pick.film)
        if ident in seen:
            raise UsageError(f"{seen[ident]!r} and {query!r} are the same title ({pick.label})")
        seen[ident] = query

    cat = catalog(store, as_of)
    gsql, gparams = titled_rows(cat, as_of, "global")
    rows = store.all(
        f"""
        WITH picked AS (
            SELECT unnest(?::VARCHAR[]) AS label, unnest(?::BOOLEAN[]) AS film,
                   unnest(?::INTEGER[]) AS pos),
        weeks AS (
            SELECT p.pos, g.week, min(g.rank) AS rank,
                   arg_min(g.weekly_hours_viewed, g.rank) AS hours,
                   arg_min(g.weekly_views, g.rank) AS views,
                   arg_min(g.category, g.rank) AS category
            FROM {gsql} g JOIN picked p ON g.title = p.label AND g.film = p.film
            GROUP BY p.pos, g.week)
        SELECT pos, week,
               date_diff('day', min(week) OVER (PARTITION BY pos), week) // 7 + 1 AS week_number,
               rank, hours, views, category
        FROM weeks ORDER BY pos, week
        """,
        [
            [t.ident for t in picked],
            [t.film for t in picked],
            list(range(len(picked))),
            *gparams,
        ],
    )
    per_title: list[list[ComparedWeek]] = [[] for _ in picked]
    first_category: dict[int, str] = {}
    for pos, week, number, rank, hours, views, category in rows:
        per_title[pos].append(ComparedWeek(picked[pos].label, number, week, rank, hours, views))
        first_category.setdefault(pos, category)
    for pick, weeks in zip(picked, per_title, strict=True):
        if not weeks:
            raise NotFoundError(
                f"{pick.label!r} has no weeks in the global Top 10 in this view"
                + (" (it is only in country lists)" if pick.category is None else "")
            )

    start = list_start(store, as_of)
    labels = [t.label for t in picked]
    titles = []
    for pos, (pick, weeks) in enumerate(zip(picked, per_title, strict=True)):
        known = weeks[0].week_end != start
        titles.append(
            ComparedTitle(
                label=pick.label,
                column=pick.label if labels.count(pick.label) == 1 else describe(pick),
                show=pick.show,
                film=pick.film,
                category=first_category.get(pos, pick.category),
                first_week_end=weeks[0].week_end,
                last_week_end=weeks[-1].week_end,
                debut_week_end=weeks[0].week_end if known else None,
                debut_known=known,
                weeks_in_top10=len(weeks),
                key=pick.key,
                stretches=stretches([w.week_number for w in weeks]),
            )
        )

    if metric == "views":
        problems = [
            p for t, w in zip(titles, per_title, strict=True) if (p := _views_problem(t, w))
        ]
        if problems:
            raise NotFoundError(
                "cannot compare views: Netflix publishes weekly views only from the week ending "
                f"{VIEWS_FROM}, and " + "; ".join(problems) + ". Use --metric hours"
            )

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

    column = _COLUMN[metric]
    table: dict[Any, dict[str, Any]] = {}  # week number or week-ending date -> values
    for t, weeks in zip(titles, per_title, strict=True):
        for w in weeks:
            week_key = w.week_number if align == "debut" else w.week_end
            table.setdefault(week_key, {})[t.column] = getattr(w, column)
    wide: list[dict[str, Any]] = [
        {"week": week_key, **{t.column: values.get(t.column) for t in titles}}
        for week_key, values in sorted(table.items())
    ]
    return Comparison(
        metric=metric,
        align=align,
        as_of=as_of,
        titles=titles,
        rows=wide,
        notes=notes,
        weeks=[w for weeks in per_title for w in weeks],
    )
