"""``/api/v1/…``: one endpoint per command, answering exactly what ``--json`` prints.

Each function takes the open store and checked parameters, makes the view (the store as of
``as_of``), calls the command's one core function and returns its document: exactly what
the CLI prints for the same command and options (tests compare the two). A command
that prints ``[]`` and exits 1 when nothing matched (``search``, ``history``) answers ``[]``
with status 200 here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from chartwatch.store.store import Store
from chartwatch.view import View


def week(
    store: Store,
    *,
    week: dt.date | None,
    category: str | None,
    country: str | None,
    as_of: dt.date | None,
) -> Any:
    from chartwatch.lists import week as get_week

    view = View.of(store, as_of)
    return get_week(view, week=week, category=category, country=country).to_dict()


def title(store: Store, *, q: str, as_of: dt.date | None) -> Any:
    from chartwatch.analytics.runs import title as run_title

    return run_title(View.of(store, as_of), q).to_dict()


def records(
    store: Store, *, metric: str, category: str | None, as_of: dt.date | None, top: int
) -> Any:
    from chartwatch.analytics.records import records as board

    return board(View.of(store, as_of), metric, category=category, top=top).to_dict()


def compare(
    store: Store, *, titles: list[str], metric: str, align: str, as_of: dt.date | None
) -> Any:
    from chartwatch.analytics.compare import compare as run_compare

    view = View.of(store, as_of)
    return run_compare(view, list(titles), metric=metric, align=align).to_dict()


def countries(store: Store, *, q: str, week: dt.date | None, as_of: dt.date | None) -> Any:
    from chartwatch.analytics.countries import countries as footprint

    return footprint(View.of(store, as_of), q, week=week).to_dict()


def brief(store: Store, *, q: str, vs: str | None, as_of: dt.date | None) -> Any:
    from chartwatch.brief import brief as make_brief

    return make_brief(View.of(store, as_of), q, vs=vs).to_dict()


def search(store: Store, *, q: str, limit: int) -> Any:
    from chartwatch.engagement.names import original_names
    from chartwatch.titles.search import search as find

    view = View.of(store)
    return [h.to_dict() for h in find(view.titles, q, limit=limit, other=original_names(view))]


def history(
    store: Store,
    *,
    title: str | None,
    week: dt.date | None,
    list_name: str | None,
    country: str | None,
    include_new_columns: bool,
) -> Any:
    from chartwatch.revisions import history as get_history

    changes = get_history(
        store,
        title=title,
        week=week,
        list_name=list_name,
        country=country,
        include_new_columns=include_new_columns,
    )
    return [c.to_dict() for c in changes]


def status(store: Store) -> Any:
    from chartwatch.inventory import status as get_status

    return get_status(store).to_dict()


def greenlight(store: Store, *, q: str, as_of: dt.date | None, weeks: int) -> Any:
    from chartwatch.forecast.documents import greenlight as forecast

    return forecast(View.of(store, as_of), q, weeks=weeks).to_dict()


def greenlight_all(store: Store, *, as_of: dt.date | None, weeks: int) -> Any:
    from chartwatch.forecast.documents import watchlist

    return watchlist(View.of(store, as_of), weeks=weeks).to_dict()


def greenlight_backtest(
    store: Store, *, as_of: dt.date | None, weeks: int, horizon: int, strict: bool, seed: int
) -> Any:
    from chartwatch.forecast.scorecard import backtests

    return backtests(View.of(store, as_of), weeks=weeks, horizon=horizon, strict=strict, seed=seed)


def engagement(
    store: Store,
    *,
    report: str | None,
    kind: str | None,
    global_only: bool,
    released_in: int | None,
    top: int | None,
) -> Any:
    from chartwatch.engagement.answers import leaderboard

    return leaderboard(
        store,
        report=report,
        kind=kind,
        global_only=global_only,
        released_in=released_in,
        top=top,
    )


def engagement_summary(store: Store, *, report: str | None) -> Any:
    from chartwatch.engagement.answers import summary

    return summary(store, report=report)


def engagement_unlinked(store: Store, *, report: str | None, every_row: bool) -> Any:
    from chartwatch.engagement.answers import unlinked

    return unlinked(store, report=report, every_row=every_row)
