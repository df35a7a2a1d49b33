"""``/api/v1/…``: one endpoint per command, answering exactly what ``--json`` prints.

Each function takes the open store and checked parameters and returns the JSON document the
CLI prints for the same command and options (tests compare the two key by key). A command
that prints ``[]`` and exits 1 when nothing matched (``search``, ``history``) answers ``[]``
with status 200 here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from chartwatch.store.store import Store


def week(
    store: Store,
    *,
    week: dt.date | None,
    category: str | None,
    country: str | None,
    as_of: dt.date | None,
) -> Any:
    from chartwatch.charts import week as get_week

    return get_week(store, week=week, category=category, country=country, as_of=as_of).to_dict()


def title(store: Store, *, q: str, as_of: dt.date | None) -> Any:
    from chartwatch.analytics.runs import title as run_title

    return run_title(store, q, as_of=as_of).to_dict()


def records(
    store: Store, *, metric: str, category: str | None, as_of: dt.date | None, top: int
) -> Any:
    from chartwatch.analytics.records import records as board

    result = board(store, metric, category=category, as_of=as_of, top=top)
    return [{k: v for k, v in e.items() if k != "label"} for e in result.to_dict()["entries"]]


def compare(
    store: Store, *, titles: list[str], metric: str, align: str, as_of: dt.date | None
) -> Any:
    from chartwatch.analytics.compare import compare as run_compare

    return run_compare(store, titles, metric=metric, align=align, as_of=as_of).to_dict()


def countries(store: Store, *, q: str, week: dt.date | None, as_of: dt.date | None) -> Any:
    from chartwatch.analytics.countries import countries as footprint

    return footprint(store, q, week=week, as_of=as_of).to_dict()


def brief(store: Store, *, q: str, vs: str | None, as_of: dt.date | None) -> Any:
    from chartwatch.analytics.brief import brief as make_brief

    return make_brief(store, q, vs=vs, as_of=as_of).to_dict()


def search(store: Store, *, q: str, limit: int) -> Any:
    from chartwatch.titles.search import search as find

    return [h.to_dict() for h in find(store, q, limit=limit)]


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
    from chartwatch.summary import status as get_status

    return get_status(store).to_dict()


def greenlight(store: Store, *, q: str, as_of: dt.date | None, weeks: int) -> Any:
    from chartwatch.forecast.renewal import greenlight as forecast

    return forecast(store, q, as_of=as_of, weeks=weeks).to_dict()


def greenlight_all(store: Store, *, as_of: dt.date | None, weeks: int) -> Any:
    from chartwatch.forecast.renewal import watchlist

    return watchlist(store, as_of=as_of, weeks=weeks).to_list()


def greenlight_backtest(
    store: Store, *, as_of: dt.date | None, weeks: int, horizon: int, strict: bool, seed: int
) -> Any:
    from chartwatch.forecast.summary import backtests

    return backtests(store, as_of=as_of, weeks=weeks, horizon=horizon, strict=strict, seed=seed)
