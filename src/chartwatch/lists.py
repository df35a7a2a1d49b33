"""One week's Top 10 lists: the global four, or one country's two."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from chartwatch.dates import week_ending, week_label
from chartwatch.errors import NotFoundError, UsageError
from chartwatch.results import jsonable
from chartwatch.vocabulary import COUNTRY_CATEGORIES, GLOBAL_CATEGORIES

if TYPE_CHECKING:
    from chartwatch.view import View


@dataclass
class ChartRow:
    """One line of a list. Fields a generation of the files did not publish are None."""

    rank: int
    show_title: str
    season_title: str | None
    weekly_hours_viewed: int | None
    weekly_views: int | None
    runtime: float | None
    cumulative_weeks_in_top_10: int | None
    is_staggered_launch: bool | None


@dataclass
class WeekList:
    """One category's Top 10 for one week (global, or one country's)."""

    category: str
    rows: list[ChartRow]


@dataclass
class WeekChart:
    """The lists of one week. ``to_dict()`` gives the stable JSON of ``chartwatch week``."""

    week_end: dt.date
    week_start: dt.date
    label: str
    country_iso2: str | None
    country_name: str | None
    as_of: dt.date | None
    lists: list[WeekList] = field(default_factory=list)
    # as_of, reconstructed (some of these rows were first observed after as_of), first_observed
    view: dict[str, Any] = field(default_factory=dict)

    @property
    def notice(self) -> str | None:
        """The one line a table prints when the chart is reconstructed, else None."""
        if not self.view.get("reconstructed"):
            return None
        return (
            f"as of {self.as_of}, reconstructed from files first observed "
            f"{self.view['first_observed']}: Netflix may have revised these rows since"
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = jsonable(self)  # not asdict: it deep-copies every value
        out.update(out.pop("view"))
        return out


def _norm(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def resolve_category(text: str, *, country: bool) -> str:
    """Accept ``"TV (English)"``, ``tv-english``, ``"films non english"``… (any case)."""
    choices = COUNTRY_CATEGORIES if country else GLOBAL_CATEGORIES
    wanted = _norm(text)
    for choice in choices:
        if _norm(choice) == wanted:
            return choice
    raise UsageError(
        f"{text!r} is not a category of the {'country' if country else 'global'} "
        f"lists; use one of: {', '.join(choices)}",
        parameter="category",
    )


def _span(
    view: View,
    iso: str | None,
    rows_sql: str,
    params: list[Any],
    where: str,
    where_params: list[Any],
) -> tuple[Any, ...] | None:
    """(first week, last week, country name) of the global lists or country ``iso``: from
    the view's core when it is loaded (a server's pages), else one query (a command)."""
    core = view.peek("core")
    if core is not None:
        if iso is None:
            weeks: Any = core.global_weeks
            name = None
        else:
            name, weeks = core.country_lists.get(iso, (None, ()))
        return (min(weeks), max(weeks), name) if weeks else None
    return view.store.one(
        f"SELECT min(week), max(week), any_value(country_name) FROM {rows_sql} r WHERE {where}",
        params + where_params,
    )


_ROW_COLUMNS = """category, rank, show_title, season_title, weekly_hours_viewed, weekly_views,
    runtime, cumulative_weeks_in_top_10, is_staggered_launch,
    CASE WHEN reconstructed THEN observed_at END"""


def _week_rows(
    view: View,
    list_name: str,
    target: dt.date,
    cat: str | None,
    rows: tuple[str, list[Any]],
    where: tuple[str, list[Any]],
) -> list[tuple[Any, ...]]:
    """The rows of the week ``target`` (of category ``cat``, or all), by category and rank:
    ``rows`` is the view's rows subquery, ``where`` picks the list (and country) as for
    :func:`_span`.

    The current view's global lists are read once, whole, and kept with the view when its
    core is loaded (a server's pages: a week's page is then a look-up, where the query
    scanned every row version, 5-10 ms); a command, an as-of view or a country asks for
    the one week."""
    if list_name == "global" and view.as_of is None and view.peek("core") is not None:
        weeks = view.derived("global_week_rows", lambda: _global_rows(view))
        return [r for r in weeks.get(target, ()) if cat is None or r[0] == cat]
    (rows_sql, params), (base_where, base_params) = rows, where
    clause = base_where + " AND week = ?" + (" AND category = ?" if cat else "")
    return view.store.all(
        f"SELECT {_ROW_COLUMNS} FROM {rows_sql} r WHERE {clause} ORDER BY category, rank",
        params + base_params + [target] + ([cat] if cat else []),
    )


def _global_rows(view: View) -> dict[dt.date, list[tuple[Any, ...]]]:
    """Every week's global rows, by category and rank, as :func:`_week_rows` gives them."""
    rows_sql, params = view.rows()
    out: dict[dt.date, list[tuple[Any, ...]]] = {}
    for week_end, *row in view.store.all(
        f"SELECT week, {_ROW_COLUMNS} FROM {rows_sql} r WHERE list = 'global' "
        "ORDER BY week, category, rank",
        params,
    ):
        out.setdefault(week_end, []).append(tuple(row))
    return out


def week(
    view: View,
    *,
    week: dt.date | None = None,
    category: str | None = None,
    country: str | None = None,
) -> WeekChart:
    """The chart of the week holding ``week`` (any day; default: the latest week).

    Global lists by default; ``country`` (ISO 3166-1 alpha-2) gives that country's Films
    and TV lists. Raises :class:`NotFoundError` if there is no such chart.
    """
    iso = country.strip().upper() if country else None
    list_name = "countries" if iso else "global"
    cat = resolve_category(category, country=bool(iso)) if category else None
    as_of = view.as_of
    rows_sql, params = view.rows()
    base_where = "list = ?" + (" AND country_iso2 = ?" if iso else "")
    base_params: list[Any] = [list_name] + ([iso] if iso else [])
    span = _span(view, iso, rows_sql, params, base_where, base_params)
    if span is None or span[0] is None:
        what = f"country {iso}" if iso else "global lists"
        when = f" as published by {as_of}" if as_of else ""
        hint = (
            " (country lists use ISO codes such as US, GB, KR; see `chartwatch status`)"
            if iso
            else "; run `chartwatch update` or `chartwatch ingest`"
        )
        raise NotFoundError(f"no {what} in the store{when}{hint}")
    first, last, country_name = span
    target = week_ending(week) if week else last
    rows = _week_rows(view, list_name, target, cat, (rows_sql, params), (base_where, base_params))
    if not rows:
        what = f"{iso} " if iso else "global "
        raise NotFoundError(
            f"no {what}chart{f' for {cat}' if cat else ''} for the week {week_label(target)}; "
            f"the store has weeks ending {first} to {last}"
        )
    chart = WeekChart(
        week_end=target,
        week_start=target - dt.timedelta(days=6),
        label=week_label(target),
        country_iso2=iso,
        country_name=country_name if iso else None,
        as_of=as_of,
    )
    # reconstructed or not: said of this chart's own rows, not the whole view
    first = min((r[-1] for r in rows if r[-1] is not None), default=None)
    chart.view = {
        "as_of": as_of.isoformat() if as_of else None,
        "reconstructed": first is not None,
        "first_observed": first.date().isoformat() if first is not None else None,
    }
    current: WeekList | None = None
    for category_name, *values in rows:
        if current is None or current.category != category_name:
            current = WeekList(category=category_name, rows=[])
            chart.lists.append(current)
        rank, show, season, hours, views, runtime, cum, staggered, _first = values
        current.rows.append(
            ChartRow(
                rank=rank,
                show_title=show,
                season_title=season,
                weekly_hours_viewed=hours,
                weekly_views=views,
                runtime=runtime,
                cumulative_weeks_in_top_10=cum,
                is_staggered_launch=staggered,
            )
        )
    return chart
