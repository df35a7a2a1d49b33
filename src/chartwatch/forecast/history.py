"""The chart history the forecasts learn from: one row per title and week of the global
Top 10, as published now or as of a date, with each week's figure put on a common scale.

Netflix ranked by hours viewed until the week ending 2023-06-11 and by views from the week
ending 2023-06-18. A week's *figure* is the measure the list was ranked by that week; its
*level* is the figure divided by the category's typical figure at the time (the median of
every Top 10 entry of the same category and measure over the 26 weeks up to and including
that week, so no later week enters). A level of 2.0 means twice a typical Top 10 week.

Everything is set-based: one SQL query over the store, then DataFrame expressions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from chartwatch.errors import require_extra
from chartwatch.titles import parse_label
from chartwatch.vocabulary import VIEWS_FROM

if TYPE_CHECKING:
    from chartwatch.view import View

TYPICAL_WEEKS = 26  # the window of the category's typical level
WEEK = dt.timedelta(days=7)


def pandas() -> Any:
    """pandas, or a clear message when the forecast extra is missing."""
    require_extra("forecast", ("pandas",), "forecasts")
    import pandas as pd

    return pd


@dataclass(frozen=True)
class History:
    """The global Top 10 weeks of every title in one view of the store.

    ``weeks``: title, film, show, category, week, rank, hours, views, runtime, figure
    (the ranking measure), measure (``hours`` or ``views``), typical, level, floor_level (the
    level of the week's No. 10 in the same list: an upper bound for a title not listed).
    ``titles``: title, film, show, category (of its first week), kind, number, relabelled
    (a first season Netflix now calls a limited series), first_week, last_week.
    ``first_week``/``last_week`` bound the lists in this view; ``cutoff`` is set when the
    history was cut at an earlier week (a backtest origin).
    """

    weeks: Any
    titles: Any
    first_week: dt.date
    last_week: dt.date
    as_of: dt.date | None = None
    cutoff: dt.date | None = None
    key: tuple[Any, ...] = ()  # the view it was read from: (stamp, as_of)
    floors: Any = field(default=None, repr=False)  # category, week, floor_level
    countries: Any = field(default=None, repr=False)  # title, film, week, countries (Top 10)
    country_weeks: frozenset[dt.date] = frozenset()  # weeks with country lists
    # what is fitted on this history (models by weeks used): kept with it, so with its view
    memo: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    def until(self, week: dt.date) -> History:
        """The history as it stood after ``week`` was published: later weeks dropped.

        Levels need no recomputing: each uses only its own and earlier weeks."""
        weeks = self.weeks[self.weeks["week"] <= week]
        first = weeks.groupby(["title", "film"], as_index=False).agg(
            first_week=("week", "min"), last_week=("week", "max")
        )
        titles = self.titles.drop(columns=["first_week", "last_week"]).merge(
            first, on=["title", "film"], how="inner"
        )
        return replace(
            self,
            memo={},
            weeks=weeks,
            titles=titles,
            last_week=min(week, self.last_week),
            cutoff=week,
            floors=self.floors[self.floors["week"] <= week],
            countries=self.countries[self.countries["week"] <= week],
            country_weeks=frozenset(w for w in self.country_weeks if w <= week),
        )


_WEEKS_SQL = f"""
    WITH g AS (
        SELECT title, film, any_value(show_title) AS "show", week,
               min(category) AS category, min(rank) AS rank,
               any_value(hours) AS hours, any_value(views) AS views,
               any_value(runtime) AS runtime
        FROM cw_history_weeks GROUP BY title, film, week),
    m AS (
        SELECT *, CASE WHEN week >= ? AND views IS NOT NULL THEN 'views' ELSE 'hours' END
                      AS measure,
                  CASE WHEN week >= ? AND views IS NOT NULL THEN views ELSE hours END
                      AS figure
        FROM g),
    cw AS (SELECT DISTINCT category, week, measure FROM m),
    typ AS (
        SELECT cw.category, cw.week, cw.measure, median(m.figure) AS typical
        FROM cw JOIN m ON m.category = cw.category AND m.measure = cw.measure
         AND m.week > cw.week - INTERVAL '{TYPICAL_WEEKS * 7} days' AND m.week <= cw.week
        GROUP BY ALL)
    SELECT m.*, typ.typical, m.figure / typ.typical AS level,
           min(m.figure) OVER (PARTITION BY m.category, m.week) / typ.typical
               AS floor_level
    FROM m JOIN typ USING (category, week, measure)
    ORDER BY title, film, week
"""


def load_history(view: View) -> History:
    """The global Top 10 history of ``view``, built once per view from its derived weeks
    (:class:`chartwatch.view.core.Core`) and kept with it."""
    return view.derived("forecast_history", lambda: _build(view))


def _build(view: View) -> History:
    pd = pandas()
    core = view.core
    cat = core.titles
    raw = pd.DataFrame(
        [
            (ident, film, w.show, w.week, w.category, w.rank, w.hours, w.views, w.runtime)
            for (ident, film), weeks in core.weeks.items()
            for w in weeks
        ],
        columns=[
            "title",
            "film",
            "show_title",
            "week",
            "category",
            "rank",
            "hours",
            "views",
            "runtime",
        ],
    )
    if raw.empty:
        raise_empty()
    con = view.store.con.cursor()  # a connection of its own: registering is per connection
    try:
        con.register("cw_history_weeks", raw)
        weeks = con.execute(_WEEKS_SQL, [VIEWS_FROM, VIEWS_FROM]).df()
    finally:
        con.close()
    weeks["week"] = pd.to_datetime(weeks["week"]).dt.date
    floors = weeks.groupby(["category", "week"], as_index=False).agg(
        floor_level=("floor_level", "min")
    )
    titles = (
        weeks.sort_values("week")
        .groupby(["title", "film"], as_index=False)
        .agg(
            show=("show", "first"),
            category=("category", "first"),
            first_week=("week", "min"),
            last_week=("week", "max"),
        )
    )
    parsed = []
    for title, film, show in titles[["title", "film", "show"]].itertuples(index=False):
        entry = cat.titles.get((title, bool(film)))
        inst = (
            entry.installment
            if entry is not None
            else parse_label(show, None if film or title == show else title, film=bool(film))
        )
        kind, number, relabelled = inst.kind, inst.number, False
        if kind == "limited" and entry is not None:
            # Netflix relabels first seasons that were not renewed as limited series; the
            # label it used first is what a forecaster at the time saw.
            for alias in entry.aliases:
                old = parse_label(inst.show, alias)
                if old.kind == "season" and old.number == 1 and not old.subtitle:
                    kind, number, relabelled = "season", 1, True
        parsed.append((inst.show, kind, number, relabelled))
    titles["show"] = [p[0] for p in parsed]
    titles["kind"] = [p[1] for p in parsed]
    titles["number"] = pd.array([p[2] for p in parsed], dtype="Int64")
    titles["relabelled"] = [p[3] for p in parsed]
    weeks = weeks.drop(columns=["show"]).merge(
        titles[["title", "film", "show"]], on=["title", "film"]
    )
    counts: dict[tuple[str, bool, dt.date], set[str]] = {}
    for (ident, film), crows in core.country_rows.items():
        for c in crows:
            counts.setdefault((ident, film, c.week), set()).add(c.iso2)
    countries = pd.DataFrame(
        [(t, f, w, len(isos)) for (t, f, w), isos in counts.items()],
        columns=["title", "film", "week", "countries"],
    )
    return History(
        weeks=weeks,
        titles=titles,
        first_week=min(weeks["week"]),
        last_week=max(weeks["week"]),
        as_of=view.as_of,
        key=view.key,
        floors=floors,
        countries=countries,
        country_weeks=frozenset(countries["week"]),
    )


def raise_empty() -> None:
    from chartwatch.errors import NotFoundError

    raise NotFoundError("the store has no global Top 10 weeks in this view")
