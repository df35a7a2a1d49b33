"""The pages: each one is built as one data dict from the core's result objects, then
rendered as HTML (its template) or as JSON (the same dict) by :mod:`chartwatch.web.app`.

Builders take an open store and checked parameters (see :mod:`chartwatch.web.params`) and
return a :class:`Page`. They call the same functions the CLI calls; what they add is for
people: links between pages, chart specifications, the choices of the pickers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from chartwatch.errors import ChartwatchError, NotFoundError
from chartwatch.results import jsonable
from chartwatch.store.store import Store
from chartwatch.titles import Show, Title
from chartwatch.titles.search import OtherNames, describe, ranked_matches
from chartwatch.view import View
from chartwatch.web.errors import Suggestion, WebError, from_core
from chartwatch.web.links import Links, links_for, query_url, title_query

if TYPE_CHECKING:
    from chartwatch.render.shells import Shape

# the pages' charts take the width of their box (Vega-Lite's "container"): phones too
MAP_WIDTH = "container"
CHART_WIDTH = "container"


@dataclass
class Page:
    """One page: its template, its <title>, and the data both renderings show."""

    template: str
    title: str
    data: dict[str, Any] = field(default_factory=dict)


class Redirect(Exception):
    """Send the browser to the canonical address of what it asked for."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


def url(path: str, **params: Any) -> str:
    """``path`` with the given query parameters (None and empty values left out)."""
    items: list[tuple[str, Any]] = []
    for key, value in params.items():
        if value is None or value == "" or value == []:
            continue
        if isinstance(value, list):
            items.extend((key, str(v)) for v in value)
        else:
            items.append((key, str(value)))
    return path + ("?" + urlencode(items) if items else "")


# -- choices of the pickers ----------------------------------------------------------------


def weeks_available(view: View, *, country: str | None = None) -> list[dt.date]:
    """The weeks with a global chart (or ``country``'s chart), newest first."""
    core = view.core
    if country:
        found = core.country_lists.get(country.strip().upper())
        return sorted(found[1] if found else (), reverse=True)
    return sorted(core.global_weeks, reverse=True)


def countries_available(view: View) -> list[dict[str, str]]:
    """The countries with lists, by name: ``[{iso2, name}]``."""
    lists = view.core.country_lists
    return [
        {"iso2": iso, "name": name}
        for iso, (name, _) in sorted(lists.items(), key=lambda kv: (kv[1][0], kv[0]))
    ]


def _nearest(weeks: list[dt.date], day: dt.date, n: int = 3) -> list[dt.date]:
    return sorted(sorted(weeks, key=lambda w: abs((w - day).days))[:n])


def week_not_found(
    view: View,
    exc: NotFoundError,
    *,
    week: dt.date | None,
    country: str | None,
) -> WebError:
    """The 404 of a week (or country) without a chart, suggesting the nearest weeks that
    have one, or the countries that have lists."""
    as_of = view.as_of
    weeks = weeks_available(view, country=country)
    error = from_core(exc, parameter="week" if weeks else ("country" if country else None))
    if weeks:
        near = _nearest(weeks, week or weeks[0])
        error.suggestions = [
            Suggestion(f"the week ending {w}", url("/", week=w, country=country, as_of=as_of))
            for w in near
        ]
        if weeks[0] not in near:
            error.suggestions.append(
                Suggestion(f"the latest week ({weeks[0]})", url("/", country=country, as_of=as_of))
            )
    elif country:
        error.suggestions = [
            Suggestion(f"{c['name']} ({c['iso2']})", url("/", country=c["iso2"]))
            for c in countries_available(view)
        ] + [Suggestion("the global lists", "/")]
    return error


# -- / : one week's lists ------------------------------------------------------------------


def home(
    store: Store,
    *,
    week: dt.date | None = None,
    country: str | None = None,
    category: str | None = None,
    as_of: dt.date | None = None,
) -> Page:
    """The week's lists (the latest by default) with the week and country pickers."""
    from chartwatch.lists import week as get_week

    view = View.of(store, as_of)
    weeks = weeks_available(view, country=country)
    note = None
    try:
        chart = get_week(view, week=week, category=category, country=country)
    except NotFoundError as exc:
        if not (country and week and weeks):
            raise week_not_found(view, exc, week=week, country=country) from None
        # the pickers send the week shown with the country picked: that country's lists may
        # not reach it, so show its last list, and say so
        chart = get_week(view, week=weeks[0], category=category, country=country)
        note = (
            f"{chart.country_name} has no Top 10 list for the week of {week}; "
            f"this is its last list, the week ending {weeks[0]}."
        )
    links = links_for(view)
    data = chart.to_dict()
    for lst in data["lists"]:
        film = lst["category"].startswith("Films")
        for row in lst["rows"]:
            label = row["season_title"] or row["show_title"]
            row["url"] = links.label(label, film)
    position = weeks.index(chart.week_end) if chart.week_end in weeks else None
    newer = weeks[position - 1] if position else None
    older = weeks[position + 1] if position is not None and position + 1 < len(weeks) else None
    place = f"{chart.country_name}" if chart.country_iso2 else "Global"
    return Page(
        "home.html",
        f"{place} Top 10 · week ending {chart.week_end}",
        {
            "week": data,
            "weeks": [w.isoformat() for w in weeks],
            "countries": countries_available(view),
            "newer": url("/", week=newer, country=country, as_of=as_of) if newer else None,
            "older": url("/", week=older, country=country, as_of=as_of) if older else None,
            "json": url("/api/v1/week", week=chart.week_end, country=country, as_of=as_of),
            "note": note,
        },
    )


# -- /title/… ------------------------------------------------------------------------------


def _find(view: View, links: Links, path: str) -> Title | Show:
    target = links.target(path)
    if target is not None:
        return target
    query = title_query(path)
    try:
        return view.resolve(query)  # also by an original-language title typed in full
    except NotFoundError as exc:
        from chartwatch.engagement.names import original_names

        error = from_core(exc, parameter="title")
        error.suggestions = search_suggestions(links, query, other=original_names(view))
        raise error from None


def search_suggestions(
    links: Links, query: str, limit: int = 5, *, other: OtherNames | None = None
) -> list[Suggestion]:
    """The closest titles to ``query``, as suggestions of a 404 (``other``: more names to
    match, the original-language titles)."""
    return [
        Suggestion(describe(t), links.title(t))
        for t, _ in ranked_matches(links.cat, query, limit, other=other)
        if isinstance(t, Show | Title)
    ]


def title_page(
    store: Store,
    path: str,
    *,
    as_of: dt.date | None = None,
    compare_with: list[str] | None = None,
    fmt: str = "html",
    backtest: dict[str, Any] | None = None,
) -> Page:
    """A title's page (or a show's, for a show with several charted installments), with the
    forecasts and ``backtest``, their figures (see :func:`backtest_view`)."""
    from chartwatch.analytics.runs import title_report

    view = View.of(store, as_of)
    links = links_for(view)
    target = _find(view, links, path)
    canonical = links.title(target)
    if links.target(path) is None:  # found by a query: send it to the title's own address
        suffix = ".json" if fmt == "json" else ""
        raise Redirect(url(canonical + suffix, as_of=as_of, compare=compare_with))
    if isinstance(target, Show):
        return _show_page(view, links, target, backtest)
    report = title_report(view, target)
    if not report.weeks and not report.countries.top10:
        raise WebError(404, "not_found", f"{target.label!r} has no chart weeks in this view")
    query = describe(target)
    notes: list[str] = []
    data: dict[str, Any] = {
        "kind": "title",
        "title": report.to_dict(),
        "comparison": None,
        "reentries": [],
    }
    for rec in data["title"]["records"]:
        rec["holder_url"] = links.label(rec["holder"], target.film) if rec["holder"] else None
    for wk in data["title"]["weeks"]:
        wk["url"] = url("/", week=wk["week_end"], as_of=as_of)

    from chartwatch.brief import brief

    try:
        data["brief"] = brief(view, target).to_dict()
    except ChartwatchError as exc:
        data["brief"] = None
        notes.append(f"No brief: {exc.message}")
    run, compared = _run_chart(view, links, target, report, compare_with, data)
    charts_data = {"run": run, "map": _map(view, target, data, notes)}
    if fmt == "json":  # the charts as Vega-Lite; the HTML fills their shapes as Vega
        from chartwatch.render.shells import Shape

        charts_data = {k: v.spec() if isinstance(v, Shape) else v for k, v in charts_data.items()}
    data["forecast"] = forecasts(
        view, target, links, run=data["title"]["forecast"], backtest=backtest
    )
    data["charts"] = charts_data
    data["compared"] = compared
    data["notes"] = notes
    data["links"] = {
        "self": canonical,
        "json": url(canonical + ".json", as_of=as_of),
        "api": url("/api/v1/title", q=query, as_of=as_of),
        "countries_api": url("/api/v1/countries", q=query, as_of=as_of),
        "brief_api": url("/api/v1/brief", q=query, as_of=as_of),
        "history": url("/history", title=target.show),
        "history_api": url("/api/v1/history", title=target.show),
    }
    return Page("title.html", target.label, data)


def _show_page(view: View, links: Links, target: Show, backtest: dict[str, Any] | None) -> Page:
    """The page of a show with several charted installments, in the show's order."""
    from chartwatch.analytics.runs import show_report

    show = show_report(view, target).to_dict()
    lines = list(zip(show["installments"], target.titles, strict=True))
    for line, title in lines:
        line["url"] = links.title(title)
    # in the show's order: Season 1, 2, 3…, then the installments without a number
    lines.sort(key=lambda lt: _installment_order(lt[1]))
    show["installments"] = [line for line, _ in lines]
    return Page(
        "show.html",
        target.name,
        {
            "kind": "show",
            "show": show,
            "api": url("/api/v1/title", q=describe(target), as_of=view.as_of),
            "history": url("/history", title=target.name),
            "forecast": forecasts(view, target, links, backtest=backtest),
        },
    )


def _run_chart(
    view: View,
    links: Links,
    target: Title,
    report: Any,
    compare_with: list[str] | None,
    data: dict[str, Any],
) -> tuple[dict[str, Any] | Shape | None, list[dict[str, str]]]:
    """The run chart: the title's weeks, or the titles ``compare_with`` overlaid on it (then
    ``data`` gains the comparison and its re-entries), and the compared titles' addresses."""
    from chartwatch.render import charts

    if not compare_with:
        return (charts.run_shape(report, width=CHART_WIDTH) if report.weeks else None), []
    from chartwatch.analytics.compare import compare

    try:
        comparison = compare(view, [target, *compare_with])
    except ChartwatchError as exc:
        raise from_core(exc, parameter="compare") from None
    data["reentries"] = reentries(comparison)
    data["comparison"] = comparison.to_dict()
    compared = [{"label": t.column, "url": links.label(t.label, t.film)} for t in comparison.titles]
    return charts.compare_chart(comparison, width=CHART_WIDTH, first_runs=True), compared


def _map(view: View, target: Title, data: dict[str, Any], notes: list[str]) -> Shape | None:
    """The world map of the title's country lists (``data`` gains its footprint and the
    map's views), or None with a note saying why there is none."""
    from chartwatch.analytics.countries import countries
    from chartwatch.render.maps import map_shape

    data["footprint"] = None
    data["map_views"] = []
    try:
        footprint = countries(view, target)
    except ChartwatchError as exc:
        notes.append(f"No world map: {exc.message}")
        return None
    chart = map_shape(footprint, width=MAP_WIDTH)
    fp = footprint.to_dict()
    for c in fp["countries"]:
        c["whole_run"] = _whole_run(c)
    data["footprint"] = fp
    data["map_views"] = chart.slots["views"]
    return chart


def _installment_order(title: Title) -> tuple[bool, int, dt.date]:
    number = title.installment.number
    return (number is None, number or 0, title.first_week or dt.date.min)


def backtest_view(
    state: str, value: dict[str, Any] | None = None, message: str | None = None
) -> dict[str, Any]:
    """The backtest figures a page shows beside the forecasts: ``state`` (``ready``,
    ``computing``, ``failed``, ``unavailable``), ``message`` (why not, one line), and, when
    ready, ``renewal`` and ``run`` (:func:`chartwatch.forecast.scorecard.headline` of the
    backtests' document ``value``)."""
    from chartwatch.forecast.scorecard import headline

    figures = headline(value) if state == "ready" and value is not None else {}
    return {
        "state": state,
        "message": message,
        "renewal": figures.get("renewal"),
        "run": figures.get("run"),
    }


def forecasts(
    view: View,
    target: Title | Show,
    links: Links,
    *,
    run: dict[str, Any] | None = None,
    backtest: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The forecasts of a title's or show's page.

    ``renewal``: what ``greenlight --json`` prints for a TV installment (for a show, its
    latest installment), each comparable with its page's ``url``; None for films and when
    there is none (``renewal_note`` says why);
    ``run``: the run forecast of a title still in the Top 10 (``title --json``'s
    ``forecast``), else None; ``backtest``: their figures (:func:`backtest_view`).
    Without the forecast extra: ``available`` false, ``message`` and ``install`` say how to
    get it."""
    from chartwatch.forecast.scorecard import INSTALL, missing_extra

    missing = missing_extra()
    out: dict[str, Any] = {
        "available": missing is None,
        "message": missing,
        "install": INSTALL if missing else None,
        "renewal": None,
        "renewal_note": None,
        "run": None,
        "backtest": backtest or backtest_view("unavailable", message=missing),
    }
    if missing:
        return out
    film = isinstance(target, Title) and target.film
    if not film:
        from chartwatch.forecast.documents import greenlight

        try:
            out["renewal"] = greenlight(view, target).to_dict()
        except ChartwatchError as exc:
            out["renewal_note"] = exc.message
        else:
            for c in out["renewal"]["comparables"]:
                c["url"] = links.label(c["season"], False)
    if isinstance(target, Title):
        out["run"] = run  # the title document's forecast
    elif out["renewal"] is not None:
        out["run"] = out["renewal"]["run_forecast"]
    return out


def _whole_run(country: dict[str, Any]) -> str:
    if country["no1_weeks"]:
        return "No. 1"
    if country["top10_weeks"]:
        return "Top 10"
    return "Not in the Top 10" if country["by_week"] else "No list"


# -- /records, /compare, /search, /history, /status ------------------------------------------


RECORD_UNITS = {
    "debut_hours": "Hours viewed",
    "debut_views": "Views",
    "week_hours": "Hours viewed",
    "week_views": "Views",
    "weeks_in_top10": "Weeks",
    "weeks_at_no1": "Weeks",
    "countries_no1": "Countries",
    "first_28_days_hours": "Hours viewed",
    "first_91_days_views": "Views",
}
# the last day each leaderboard of the most-popular lists had figures, where Netflix stopped
LAST_PUBLISHED = {"first_28_days_hours": "2023-06-01"}


def records_available(view: View) -> list[str]:
    """The leaderboards with at least one entry in this view, in the order of
    :data:`~chartwatch.analytics.records.METRICS`."""
    from chartwatch.analytics.records import METRICS, records

    out = []
    for key in METRICS:
        try:
            records(view, key, top=1)
        except NotFoundError:
            continue
        out.append(key)
    return out


def _missing_board(metric: str, as_of: dt.date | None, available: list[str]) -> dict[str, Any]:
    """Why a leaderboard is empty in this view, in the page's words, with where to look."""
    from chartwatch.analytics.records import METRICS

    then = LAST_PUBLISHED.get(metric)
    links = []
    if then and (as_of is None or as_of.isoformat() > then):
        links.append(
            Suggestion(
                f"the board as it stood on {then}", url("/records", metric=metric, as_of=then)
            )
        )
    links += [Suggestion(METRICS[k], url("/records", metric=k, as_of=as_of)) for k in available]
    reason = {
        "first_28_days_hours": "Netflix published 28-day figures until June 2023; the lists "
        "in this view have 91-day figures instead",
        "debut_views": "views are published from the week ending 2023-06-18",
        "week_views": "views are published from the week ending 2023-06-18",
    }.get(metric, "none of the lists in this view has it")
    return {
        "message": f"No {METRICS[metric]} in this view: {reason}.",
        "suggestions": [asdict(s) for s in links],
    }


def records_page(
    store: Store,
    *,
    metric: str | None = None,
    category: str | None = None,
    as_of: dt.date | None = None,
    top: int = 10,
) -> Page:
    """A leaderboard with its pickers."""
    from chartwatch.analytics.records import METRICS, records
    from chartwatch.vocabulary import COUNTRY_CATEGORIES, GLOBAL_CATEGORIES

    metric = metric or "debut_hours"
    view = View.of(store, as_of)
    available = records_available(view)
    try:
        board = records(view, metric, category=category, top=top)
    except NotFoundError as exc:  # nothing qualifies: say so, and offer what there is
        if category and metric in available:  # the measure exists, not in this list
            error = from_core(exc, parameter="category")
            error.suggestions = [Suggestion("all lists", url("/records", metric=metric))]
            raise error from None
        return Page(
            "records.html",
            f"Records · {METRICS[metric]}",
            {
                "metric": metric,
                "measure": METRICS[metric],
                "unit": RECORD_UNITS[metric],
                "category": category,
                "as_of": jsonable(as_of),
                "top": top,
                "entries": [],
                "metrics": {k: v for k, v in METRICS.items() if k in available or k == metric},
                "missing": _missing_board(metric, as_of, available),
                "categories": [],
                "json": url("/api/v1/records", metric=metric, as_of=as_of, top=top),
            },
        )
    links = links_for(view)
    entries = []
    for e in board.entries:
        film = e.category.startswith("Films")
        entries.append({**jsonable(asdict(e)), "url": links.label(e.label, film)})
    categories = COUNTRY_CATEGORIES if metric == "countries_no1" else GLOBAL_CATEGORIES
    return Page(
        "records.html",
        f"Records · {METRICS[metric]}",
        {
            "metric": metric,
            "measure": board.measure,
            "category": board.category,
            "as_of": jsonable(as_of),
            "top": top,
            "entries": entries,
            "unit": RECORD_UNITS[metric],
            "metrics": {k: v for k, v in METRICS.items() if k in available or k == metric},
            "missing": None,
            "categories": list(categories),
            "json": url("/api/v1/records", metric=metric, category=category, as_of=as_of, top=top),
        },
    )


def compare_page(
    store: Store,
    *,
    titles: list[str],
    metric: str | None = None,
    align: str | None = None,
    as_of: dt.date | None = None,
    runs: str | None = None,
) -> Page:
    """Titles overlaid; with fewer than two titles, just the form. ``runs``: ``first``
    (the default) draws each title's first run in the Top 10, ``all`` its re-entries too."""
    from chartwatch.analytics.compare import ALIGNS, METRICS, compare

    data: dict[str, Any] = {
        "titles": titles,
        "metric": metric or "hours",
        "align": align or "debut",
        "metrics": METRICS,
        "aligns": ALIGNS,
        "comparison": None,
        "chart": None,
        "runs": runs or "first",
        "reentries": [],
    }
    if len(titles) >= 2:
        view = View.of(store, as_of)
        try:
            comparison = compare(
                view, list(titles), metric=metric or "hours", align=align or "debut"
            )
        except ChartwatchError as exc:
            raise from_core(exc, parameter="titles") from None
        from chartwatch.render import charts

        links = links_for(view)
        data["comparison"] = comparison.to_dict()
        data["chart"] = charts.compare_chart(
            comparison, width=CHART_WIDTH, first_runs=(runs or "first") == "first"
        )
        data["reentries"] = reentries(comparison)
        data["toggle"] = url(
            "/compare",
            titles=titles,
            metric=metric,
            align=align,
            as_of=as_of,
            runs="all" if (runs or "first") == "first" else None,
        )
        data["columns"] = [
            {"column": t.column, "url": links.label(t.label, t.film)} for t in comparison.titles
        ]
        data["json"] = url(
            "/api/v1/compare", titles=titles, metric=metric, align=align, as_of=as_of
        )
    name = "Compare titles"
    if data["comparison"] is not None:  # the titles' own names, not the queries typed
        name = " vs ".join(c["column"] for c in data["columns"])
    return Page("compare.html", name, data)


def reentries(comparison: Any) -> list[str]:
    """For each compared title that left the Top 10 and came back: when, in words
    ("Squid Game: Season 1 came back in weeks 40, 115, 171–177")."""
    out = []
    for t in comparison.titles:
        if len(t.stretches) < 2:
            continue
        first = t.stretches[0]
        spans = ", ".join(f"{a}" if a == b else f"{a}–{b}" for a, b in t.stretches[1:])
        out.append(
            f"{t.column}: weeks {first[0]}–{first[1]} in a row, then back in the Top 10 in "
            f"week{'s' if len(t.stretches) > 2 or t.stretches[1][0] != t.stretches[1][1] else ''} "
            f"{spans}"
        )
    return out


def search_page(store: Store, *, q: str | None, limit: int = 10) -> Page:
    """Titles matching ``q``, with their pages' addresses (the type-ahead reads the JSON)."""
    from chartwatch.engagement.names import original_names
    from chartwatch.titles.search import search

    results: list[dict[str, Any]] = []
    if q:
        view = View.of(store)
        cat = view.titles
        links = links_for(view)
        for hit in search(cat, q, limit=limit, other=original_names(view)):
            target: Title | Show | None
            if hit.kind == "show":
                target = cat.shows.get((hit.name, hit.film))
            else:
                target = cat.by_key.get(hit.key or "")
            results.append(
                {
                    **hit.to_dict(),
                    "url": links.title(target) if target is not None else query_url(hit.name),
                    "describe": describe(target) if target is not None else hit.name,
                }
            )
    return Page("search.html", f"Search: {q}" if q else "Search", {"q": q, "results": results})


HISTORY_TITLES = 200


def history_page(
    store: Store,
    *,
    title: str | None = None,
    week: dt.date | None = None,
    list_name: str | None = None,
    country: str | None = None,
) -> Page:
    """Revisions Netflix made, grouped by title and kind of change (renames first), the
    columns later files dropped summarised; the first 200 titles on the page."""
    from chartwatch.revisions import grouped_history

    doc = grouped_history(store, title=title, week=week, list_name=list_name, country=country)
    links = links_for(View.of(store))
    for group in doc["titles"][:HISTORY_TITLES]:
        group["url"] = (
            links.label(group["title"], False) if group["list"] != "most-popular" else None
        )
    return Page(
        "history.html",
        f"Revisions{f' · {title}' if title else ''}",
        {
            "title": title,
            "week": jsonable(week),
            "list": list_name,
            "country": country,
            "count": doc["count"],
            "shown": HISTORY_TITLES,
            "title_count": len(doc["titles"]),
            "titles": doc["titles"][:HISTORY_TITLES],
            "columns": doc["columns"],
            "json": url("/api/v1/history", title=title, week=week, list=list_name, country=country),
        },
    )


def status_page(store: Store) -> Page:
    from chartwatch.inventory import status

    return Page("status.html", "What the store holds", {"status": status(store).to_dict()})
