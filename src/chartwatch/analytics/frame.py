"""The rows analytics read: visible chart rows labelled with their title's current name.

Every analytic query starts from :func:`titled_rows`, so a renamed title is one title in
every list (the country lists often keep Netflix's old labels).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from chartwatch.store.store import Store
from chartwatch.store.views import visible_rows
from chartwatch.titles.catalog import Catalog, Title, catalog

VIEWS_FROM = dt.date(2023, 6, 18)  # first week with weekly_views (Netflix ranks by views after)


def titled_rows(
    cat: Catalog,
    as_of: dt.date | None,
    list_name: str,
    *,
    only: Title | None = None,
    category: str | None = None,
) -> tuple[str, list[Any]]:
    """A subquery of one list's visible rows with ``title`` and ``film``.

    ``title`` is the row's title's :attr:`~chartwatch.titles.Title.ident`: its current
    label, or, for a label two titles share (two films named *Ballerina*, one in each
    Films list), the title's key (``Ballerina (film, English)``). Filter on ``title`` and
    ``film`` to read one title's rows, and pass that title as ``only``: unless its label is
    shared, the rows need no qualifying (which stops DuckDB from filtering early). A caller
    that keeps only one global list's rows may name it as ``category``: only the labels
    shared in that list are qualified, and none when it has none."""
    rows_sql, params = visible_rows(as_of)
    labels = list(cat.alias_of)
    label = "coalesce(a.canonical, coalesce(r.season_title, r.show_title))"
    title, split_params = "title", []
    if list_name in ("global", "countries") and (only is None or only.ident != only.label):
        # the few rows of a shared label: looked up by label and list (global) or label,
        # kind and week (countries) in two short lists, not joined
        if list_name == "global":
            pairs = [
                (f"{lab}\x1f{c}", ident)
                for lab, c, ident in cat.split_global
                if category is None or c == category
            ]
            lookup = "title || chr(31) || r.category"
        else:
            pairs = [
                (f"{lab}\x1f{str(film).lower()}\x1f{week.isoformat()}", ident)
                for lab, film, week, ident in cat.split_countries
            ]
            lookup = "title || chr(31) || film || chr(31) || r.week"
        if pairs:
            shared = sorted({p.split("\x1f")[0] for p, _ in pairs})
            title = f"""CASE WHEN list_contains(?::VARCHAR[], title)
                THEN coalesce(list_extract(?::VARCHAR[], list_position(?::VARCHAR[], {lookup})),
                              title)
                ELSE title END"""
            split_params = [shared, [i for _, i in pairs], [p for p, _ in pairs]]
    sql = f"""
        (SELECT r.*, {label} AS title, r.category LIKE 'Films%' AS film
         FROM {rows_sql} r
         LEFT JOIN (SELECT unnest(?::VARCHAR[]) AS label, unnest(?::VARCHAR[]) AS canonical) a
           ON a.label = coalesce(r.season_title, r.show_title)
         WHERE r.list = ?)
    """
    if split_params:  # the label computed once, then qualified where it is shared
        sql = f"(SELECT * REPLACE ({title} AS title) FROM {sql} r)"
    return sql, [
        *split_params,
        *params,
        labels,
        [cat.alias_of[k] for k in labels],
        list_name,
    ]


def list_start(
    store: Store, as_of: dt.date | None = None, cat: Catalog | None = None
) -> dt.date | None:
    """The first week of the global lists (2021-07-04 in Netflix's data).

    Computed once per view of the store and kept with its catalog (a title, a brief or a
    leaderboard asks for it several times; each ask was a scan of every visible row).
    ``cat``: the catalog of this view (``catalog(store, as_of)``) when the caller has it."""
    memo = (cat or catalog(store, as_of)).memo
    if "list_start" not in memo:
        rows_sql, params = visible_rows(as_of)
        value = store.scalar(f"SELECT min(week) FROM {rows_sql} r WHERE list = 'global'", params)
        memo["list_start"] = value if isinstance(value, dt.date) else None
    start: dt.date | None = memo["list_start"]
    return start


def country_weeks(
    store: Store, as_of: dt.date | None = None, cat: Catalog | None = None
) -> set[dt.date]:
    """The weeks for which country lists exist in the store (once per view, as
    :func:`list_start`; a new set each time, so callers may change it)."""
    memo = (cat or catalog(store, as_of)).memo
    if "country_weeks" not in memo:
        rows_sql, params = visible_rows(as_of)
        rows = store.all(f"SELECT DISTINCT week FROM {rows_sql} r WHERE list = 'countries'", params)
        memo["country_weeks"] = frozenset(r[0] for r in rows)
    return set(memo["country_weeks"])
