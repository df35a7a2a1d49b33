"""Leaderboards as they stood on a date: debuts, single weeks, runs, country reach, and
Netflix's most-popular lists.

Only weeks ending on or before the date count, and only what had been published by then.
A title already listed in the first week of the lists (2021-07-04) has no known debut and
never enters a debut leaderboard. Views exist only from the week ending 2023-06-18, so the
views leaderboards cover that era only; every leaderboard says which measure it ranks by.

Ties are broken the same way every time: a title's best week is the earliest of its weeks
with the best figure, and equal figures rank by that week (earlier first), then by the
title's name, then its list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from chartwatch.errors import NotFoundError, UsageError
from chartwatch.lists import resolve_category
from chartwatch.results import Tabular
from chartwatch.titles.index import title_key

if TYPE_CHECKING:
    from chartwatch.view import View

METRICS: dict[str, str] = {
    "debut_hours": "hours viewed in the debut week",
    "debut_views": "views in the debut week (debuts from the week ending 2023-06-18)",
    "week_hours": "hours viewed in the title's best single week",
    "week_views": "views in the title's best single week (weeks from 2023-06-18)",
    "weeks_in_top10": "weeks in the global Top 10",
    "weeks_at_no1": "weeks at No. 1 in the global Top 10",
    "countries_no1": "countries where it was No. 1 in a single week (country lists)",
    "first_28_days_hours": "hours viewed in the first 28 days (Netflix's most-popular list)",
    "first_91_days_views": "views in the first 91 days (Netflix's most-popular list)",
}


@dataclass
class Entry:
    """One line of a leaderboard. JSON keys: rank, show, season, category, week_end, value,
    key. ``label`` is the title's ident (its label, or its key when a namesake shares the
    label); ``key`` its stable key (``None`` on the most-popular lists, which name no list
    language for a title that never reached the weekly lists)."""

    rank: int
    show: str
    season: str | None
    category: str
    week_end: dt.date | None
    value: int
    label: str
    key: str | None = None


@dataclass
class Leaderboard(Tabular):
    """``chartwatch records``; ``entries`` is the table."""

    metric: str
    measure: str
    category: str | None
    as_of: dt.date | None
    entries: list[Entry] = field(default_factory=list)
    view: dict[str, Any] = field(default_factory=dict)  # View.describe(): as_of, reconstructed…

    def table_rows(self) -> list[dict[str, Any]]:
        return [{k: getattr(e, k) for k in Entry.__dataclass_fields__} for e in self.entries]

    def to_dict(self) -> dict[str, Any]:
        """``chartwatch records --json``: the board with its entries (docs/json.md)."""
        out = super().to_dict()
        for entry in out["entries"]:
            del entry["label"]  # the ident, an internal name: ``key`` names the title
        return out


def _entries(view: View, metric: str, category: str | None, top: int | None) -> list[Entry]:
    cat = view.titles
    rows = view.core.board(metric)
    if category:
        rows = [r for r in rows if r.category == category]
    if top:
        rows = rows[:top]
    entries = []
    for i, r in enumerate(rows, start=1):
        found = cat.find(r.ident, r.film)
        if found is None and r.category.endswith(")"):  # a global list's category: shared label
            found = cat.by_key.get(title_key(cat.canonical(r.ident), r.film, r.category))
        season = r.season
        if found is not None and season == found.ident != found.label:
            season = found.label  # the label, not the ident that qualifies a shared one
        entries.append(
            Entry(
                rank=i,
                show=r.show,
                season=season,
                category=r.category,
                week_end=r.week,
                value=int(r.value),
                label=r.ident,
                key=found.key if found is not None else None,
            )
        )
    return entries


def records(
    view: View,
    metric: str = "debut_hours",
    *,
    category: str | None = None,
    top: int = 10,
) -> Leaderboard:
    """The leaderboard ``metric`` as it stood in ``view`` (weeks published by its as-of
    date): the document of ``chartwatch records``.

    ``category`` narrows to one list (``"TV (Non-English)"``, short forms accepted; the
    country metric takes Films or TV). Raises :class:`NotFoundError` when nothing qualifies.
    """
    if metric not in METRICS:
        raise UsageError(f"{metric!r} is not one of {', '.join(METRICS)}", parameter="metric")
    if top < 1 or top > 1000:
        raise UsageError("give a number from 1 to 1000", parameter="top")
    cat_name = None
    if category:
        cat_name = resolve_category(category, country=metric == "countries_no1")
    entries = _entries(view, metric, cat_name, top)
    if not entries:
        hint = ""
        if metric == "first_28_days_hours":
            hint = (
                "; Netflix published 28-day figures in its most-popular lists until June 2023 "
                "(they give 91-day views now): a store that observed those lists, such as a "
                "replay of the archive, has them as of a date before then (--as-of 2023-06-01)"
            )
        elif metric == "first_91_days_views":
            hint = "; the most-popular lists carry no dates, so a view has them only once observed"
        elif metric.endswith("_views"):
            hint = "; views are published from the week ending 2023-06-18"
        raise NotFoundError(f"no {METRICS[metric]} in this view{hint}")
    return Leaderboard(metric, METRICS[metric], cat_name, view.as_of, entries, view.describe())
