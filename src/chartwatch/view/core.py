"""What every analysis reads, derived once per view: :class:`Core`.

From the view's visible rows (:func:`chartwatch.store.rows.visible_rows`), in a handful of
set-based queries:

* the title index (:func:`chartwatch.titles.index.build_index`): every title with
  the names Netflix gave it;
* each title's weeks in its global list (:class:`TitleWeek`) and its rows in the country
  lists (:class:`CountryRow`), labelled with the title's ident, so a renamed title is one
  title in every list and two films with one name are two;
* the most-popular lists' rows, the countries with lists and their weeks, the lists'
  first and last week, and whether the view is reconstructed.

From those, in one pass over the weeks in order (a sweep, not a query per title), the
leaderboards of the view (:meth:`Core.board`) and where each title's debut and best week
stood on theirs at the time (:meth:`Core.standings`): a title report or a brief is then a
handful of lookups.

The tables are written beside the store (:mod:`chartwatch.view.disk`) and read back by a
new process instead of being derived again.
"""

from __future__ import annotations

import bisect
import datetime as dt
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple

from chartwatch.titles.index import TitleIndex, build_index, index_from_json, index_to_json
from chartwatch.view import disk

if TYPE_CHECKING:
    from chartwatch.store.store import Store
    from chartwatch.view import View

from chartwatch.vocabulary import VIEWS_FROM

TitleKey = tuple[str, bool]  # (ident, film)
SWEPT = ("debut_hours", "debut_views", "week_hours", "week_views")  # set week by week
# A core read from disk reads the country rows of the first few titles asked one title at a
# time (a command asks for one or two), then all of them at once (a server, a benchmark).
PER_TITLE_READS = 8


class TitleWeek(NamedTuple):
    """One week of a title in its global list."""

    week: dt.date
    category: str
    rank: int
    hours: int | None
    views: int | None
    cumulative: int | None
    runtime: float | None
    observed_at: dt.datetime
    snapshot_id: int
    show: str


class CountryRow(NamedTuple):
    """One week of a title in one country's list (ranks only)."""

    week: dt.date
    iso2: str
    name: str
    category: str
    rank: int
    snapshot_id: int
    observed_at: dt.datetime


class PopularRow(NamedTuple):
    """One row of Netflix's all-time most-popular lists."""

    category: str
    rank: int
    show: str
    season: str | None
    hours_28: int | None
    views_91: int | None
    snapshot_id: int
    observed_at: dt.datetime


class BoardRow(NamedTuple):
    """One title on a leaderboard: its figure and the week it was set (None on the
    most-popular lists). Sorted by value (highest first), then week, ident, category."""

    value: int
    week: dt.date | None
    ident: str
    film: bool
    category: str
    show: str
    season: str | None


@dataclass(frozen=True)
class Standing:
    """Where a title's figure stood on its category's leaderboard when it was set."""

    metric: str
    category: str
    week: dt.date
    value: int
    rank: int
    of: int
    holder: str | None  # the ident of the leader then, when it was not this title
    holder_film: bool | None
    holder_value: int | None


# -- deriving ---------------------------------------------------------------------------------


def _titled(cat: TitleIndex, rows: str, list_name: str) -> tuple[str, list[Any]]:
    """One list's visible rows with ``title`` (the title's ident) and ``film``: old labels
    read as the current one, the rows of a label two titles share given to each."""
    labels = list(cat.alias_of)
    label = "coalesce(a.canonical, coalesce(r.season_title, r.show_title))"
    title, split_params = "title", []
    if list_name == "global":
        pairs = [(f"{lab}\x1f{c}", ident) for lab, c, ident in cat.split_global]
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
         FROM {rows} r
         LEFT JOIN (SELECT unnest(?::VARCHAR[]) AS label, unnest(?::VARCHAR[]) AS canonical) a
           ON a.label = coalesce(r.season_title, r.show_title)
         WHERE r.list = ?)
    """
    if split_params:
        sql = f"(SELECT * REPLACE ({title} AS title) FROM {sql} r)"
    return sql, [*split_params, labels, [cat.alias_of[k] for k in labels], list_name]


_TABLES = {
    "weeks": """
        SELECT title AS ident, film, week, category, min(rank) AS rank,
               any_value(weekly_hours_viewed) AS hours, any_value(weekly_views) AS views,
               any_value(cumulative_weeks_in_top_10) AS cumulative, any_value(runtime) AS runtime,
               max(observed_at) AS observed_at, max(snapshot_id) AS snapshot_id,
               any_value(show_title) AS show
        FROM {global} g GROUP BY title, film, week, category
        ORDER BY ident, film, week
    """,
    "countries": """
        SELECT title AS ident, film, week, country_iso2 AS iso2,
               any_value(country_name) AS name, any_value(category) AS category,
               min(rank) AS rank, max(snapshot_id) AS snapshot_id, max(observed_at) AS observed_at
        FROM {countries} c GROUP BY title, film, week, country_iso2
        ORDER BY ident, film, week, iso2
    """,
    "popular": """
        SELECT category, rank, show_title AS show, season_title AS season,
               hours_viewed_first_28_days AS hours_28, views_first_91_days AS views_91,
               snapshot_id, observed_at
        FROM cw_view_rows WHERE list = 'most-popular' ORDER BY category, rank
    """,
    "lists": """
        SELECT country_iso2 AS iso2, arg_max(country_name, week) AS name,
               list(DISTINCT week ORDER BY week) AS weeks
        FROM cw_view_rows WHERE list = 'countries' GROUP BY country_iso2 ORDER BY iso2
    """,
}


def _facts(store: Store) -> dict[str, Any]:
    row = store.one(
        """
        SELECT bool_or(reconstructed), min(observed_at) FILTER (WHERE reconstructed),
               min(week) FILTER (WHERE list = 'global'), max(week) FILTER (WHERE list = 'global')
        FROM cw_view_rows
        """
    )
    assert row is not None
    reconstructed, first, start, last = row
    return {
        "reconstructed": bool(reconstructed),
        "first_observed": first.date().isoformat() if first else None,
        "list_start": start.isoformat() if start else None,
        "last_week": last.isoformat() if last else None,
    }


def derive_core(view: View) -> Core:
    """Derive the core of ``view`` from the store (and write it beside the store)."""
    store = view.store
    rows_sql, params = view.rows()
    con = store.con
    con.execute(f"CREATE OR REPLACE TEMP TABLE cw_view_rows AS SELECT * FROM {rows_sql} r", params)
    try:
        facts = _facts(store)
        cat = build_index(store, "cw_view_rows")
        gsql, gparams = _titled(cat, "cw_view_rows", "global")
        csql, cparams = _titled(cat, "cw_view_rows", "countries")
        tables: dict[str, list[tuple[Any, ...]]] = {}
        for name, sql in _TABLES.items():
            query = sql.format(**{"global": gsql, "countries": csql})
            used = gparams if "{global}" in sql else cparams if "{countries}" in sql else []
            con.execute(f"CREATE OR REPLACE TEMP TABLE cw_{name} AS {query}", used)
            tables[name] = store.all(f"SELECT * FROM cw_{name}")
            disk.write_table(view, name, f"cw_{name}")
        disk.write_json(view, "titles", index_to_json(cat))
        disk.write_json(view, "facts", facts)  # last: its presence says the rest is there
    finally:
        for name in ("view_rows", *_TABLES):
            con.execute(f"DROP TABLE IF EXISTS cw_{name}")
    return Core(facts, cat, tables)


def load_core(view: View) -> Core:
    """The core of ``view``: read from beside the store when it is there, else derived."""
    facts = disk.read_json(view, "facts")
    if facts is not None:
        cat_json = disk.read_json(view, "titles")
        paths = {name: disk.table_path(view, name) for name in _TABLES}
        if cat_json is not None and all(paths.values()):
            try:
                tables: dict[str, Any] = {
                    name: view.store.all("SELECT * FROM read_parquet(?)", [str(path)])
                    for name, path in paths.items()
                    if name != "countries"  # 66,000 rows: read when a title asks
                }
            except Exception:
                pass
            else:
                tables["countries"] = paths["countries"]
                return Core(facts, index_from_json(cat_json), tables)
    return derive_core(view)


# -- the core ---------------------------------------------------------------------------------


def _read(path: Any, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """Rows of a derived Parquet file, read on a connection of its own (the view's may be
    in use by another thread)."""
    import duckdb

    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def _day(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


class Core:
    """The derived data of one view. Built by :func:`load_core`; read-only after that."""

    def __init__(
        self, facts: dict[str, Any], title_index: TitleIndex, tables: dict[str, Any]
    ) -> None:
        """``tables``: the rows of each derived table; ``countries`` may instead be the path
        of its Parquet file, read a title at a time (or whole, for a board) when asked."""
        self.titles = title_index
        self.reconstructed: bool = facts["reconstructed"]
        self.first_observed = _day(facts["first_observed"])
        self.list_start = _day(facts["list_start"])  # the first week of the global lists
        self.last_week = _day(facts["last_week"])  # the last week of the global lists
        self.weeks: dict[TitleKey, list[TitleWeek]] = {}
        for ident, film, *rest in tables["weeks"]:
            self.weeks.setdefault((ident, bool(film)), []).append(TitleWeek(*rest))
        self._countries: Any = tables["countries"]  # rows, or the Parquet file's path
        self._by_title: dict[TitleKey, list[CountryRow]] = {}
        self._lock = threading.Lock()
        self.popular = [PopularRow(*r) for r in tables["popular"]]
        # country -> (its latest name, the weeks it has lists for)
        self.country_lists: dict[str, tuple[str, frozenset[dt.date]]] = {
            iso: (name, frozenset(weeks)) for iso, name, weeks in tables["lists"]
        }
        self._sweeps: dict[tuple[str, str], Any] = {}
        self._boards: dict[str, list[BoardRow]] = {}  # every list together, sorted
        self._series_memo: dict[str, Any] = {}
        self.global_weeks: frozenset[dt.date] = frozenset(
            w.week for weeks in self.weeks.values() for w in weeks
        )
        self.country_weeks: frozenset[dt.date] = frozenset().union(
            *(weeks for _, weeks in self.country_lists.values())
        )

    def title_weeks(self, ident: str, film: bool) -> list[TitleWeek]:
        """A title's weeks in its global list, in order ([] if it has none)."""
        return self.weeks.get((ident, film), [])

    @cached_property
    def country_rows(self) -> dict[TitleKey, list[CountryRow]]:
        """Every title's rows in the country lists (all of them: for boards and forecasts)."""
        rows = self._countries
        if not isinstance(rows, list):
            rows = _read(rows, "SELECT * FROM read_parquet(?)", [str(rows)])
        out: dict[TitleKey, list[CountryRow]] = {}
        for ident, film, *rest in rows:
            out.setdefault((ident, bool(film)), []).append(CountryRow(*rest))
        return out

    def title_countries(self, ident: str, film: bool) -> list[CountryRow]:
        """A title's rows in the country lists, by week and country (read for this title
        alone when the core came from disk and no board needed them all)."""
        key = (ident, film)
        if key in self._by_title:  # read before, alone or with others (read_countries)
            return self._by_title[key]
        if (
            "country_rows" in self.__dict__
            or isinstance(self._countries, list)
            or len(self._by_title) >= PER_TITLE_READS  # many titles asked: read them all
        ):
            return self.country_rows.get((ident, film), [])
        with self._lock:
            if key not in self._by_title:
                rows = _read(
                    self._countries,
                    "SELECT * EXCLUDE (ident, film) FROM read_parquet(?) "
                    "WHERE ident = ? AND film = ? ORDER BY week, iso2",
                    [str(self._countries), ident, film],
                )
                self._by_title[key] = [CountryRow(*r) for r in rows]
            return self._by_title[key]

    def read_countries(self, keys: Iterable[TitleKey]) -> None:
        """Read the country rows of several titles in one pass over the Parquet file, for
        :meth:`title_countries` to return: for a caller that knows which titles it will ask
        about (``chartwatch check`` before it judges a text's claims)."""
        if "country_rows" in self.__dict__ or isinstance(self._countries, list):
            return
        with self._lock:
            want = {k for k in keys if k not in self._by_title}
            if not want:
                return
            rows = _read(
                self._countries,
                "SELECT * FROM read_parquet(?) WHERE list_contains(?, ident) "
                "ORDER BY ident, film, week, iso2",
                [str(self._countries), sorted({ident for ident, _ in want})],
            )
            found: dict[TitleKey, list[CountryRow]] = {k: [] for k in want}
            for ident, film, *rest in rows:
                if (ident, bool(film)) in found:
                    found[(ident, bool(film))].append(CountryRow(*rest))
            self._by_title.update(found)

    # -- leaderboards ----------------------------------------------------------------------
    def _series(self, metric: str) -> dict[TitleKey, tuple[str, str, list[tuple[dt.date, int]]]]:
        """Per title: (category, show, the (week, figure) pairs that can set its figure)."""
        out: dict[TitleKey, tuple[str, str, list[tuple[dt.date, int]]]] = {}
        start = self.list_start or dt.date.min
        for key, weeks in self.weeks.items():
            first = weeks[0]
            views = metric.endswith("_views")
            if metric in ("week_hours", "week_views"):
                pairs = [
                    (w.week, v) for w in weeks if (v := w.views if views else w.hours) is not None
                ]
            else:  # a debut: its first week, when known (after the lists' first week)
                value = first.views if views else first.hours
                ok = first.week > start and (not views or first.week >= VIEWS_FROM)
                pairs = [(first.week, value)] if ok and value is not None else []
            if pairs:
                out[key] = (first.category, first.show, pairs)
        return out

    def _swept(
        self, metric: str, category: str
    ) -> tuple[list[BoardRow], dict[TitleKey, list[Standing]]]:
        """The leaderboard ``metric`` of one list as it ends, and each of its titles'
        standing when it set its figure: one pass over the list's weeks in order, made once
        (a title's report needs its own list's four; a board, every list's)."""
        key = (metric, category)
        with self._lock:
            if key not in self._sweeps:
                series = self._all_series(metric)
                keys = [k for k, (c, _, _) in series.items() if c == category]
                standings: dict[TitleKey, list[Standing]] = {}
                rows = self._sweep(metric, category, keys, series, standings)
                self._sweeps[key] = (rows, standings)
            found: tuple[list[BoardRow], dict[TitleKey, list[Standing]]] = self._sweeps[key]
            return found

    def _all_series(
        self, metric: str
    ) -> dict[TitleKey, tuple[str, str, list[tuple[dt.date, int]]]]:
        found = self._series_memo.get(metric)
        if found is None:
            found = self._series_memo[metric] = self._series(metric)
        return found

    def _sweep(
        self,
        metric: str,
        category: str,
        keys: list[TitleKey],
        series: dict[TitleKey, tuple[str, str, list[tuple[dt.date, int]]]],
        standings: dict[TitleKey, list[Standing]],
    ) -> list[BoardRow]:
        updates: dict[dt.date, list[tuple[TitleKey, int]]] = {}
        best: dict[TitleKey, tuple[dt.date, int]] = {}  # the week each title's figure was set
        for key in keys:
            pairs = series[key][2]
            top = max(v for _, v in pairs)
            best[key] = next((w, v) for w, v in pairs if v == top)
            for week, value in pairs:
                updates.setdefault(week, []).append((key, value))
        board: list[tuple[Any, ...]] = []
        current: dict[TitleKey, tuple[Any, ...]] = {}
        checks: dict[dt.date, list[TitleKey]] = {}
        for key, (week, _) in best.items():
            checks.setdefault(week, []).append(key)
        for week in sorted(updates):
            for key, value in updates[week]:
                old = current.get(key)
                if old is not None and value <= -old[0]:
                    continue
                if old is not None:
                    del board[bisect.bisect_left(board, old)]
                entry = (-value, week, key[0], category, key[1])
                bisect.insort(board, entry)
                current[key] = entry
            for key in checks.get(week, []):
                mine = current[key]
                rank = bisect.bisect_left(board, mine) + 1
                leader = board[0]
                standings.setdefault(key, []).append(
                    Standing(
                        metric,
                        category,
                        week,
                        -mine[0],
                        rank,
                        len(board),
                        None if rank == 1 else leader[2],
                        None if rank == 1 else leader[4],
                        None if rank == 1 else -leader[0],
                    )
                )
        return [
            BoardRow(-v, w, ident, film, category, series[(ident, film)][1], _season(ident, film))
            for v, w, ident, _c, film in board
        ]

    def board(self, metric: str) -> list[BoardRow]:
        """The leaderboard ``metric`` of the whole view, every list together (filter by
        ``category`` for one list), sorted."""
        if metric in SWEPT:
            found = self._boards.get(metric)
            if found is None:
                with self._lock:
                    categories = sorted({c for c, _, _ in self._all_series(metric).values()})
                rows = [r for c in categories for r in self._swept(metric, c)[0]]
                found = self._boards[metric] = sorted(rows, key=_order)
            return found
        return self._counted[metric]

    def warm(self) -> None:
        """Sweep every board and read every country row now (what a server does before it
        answers from a new copy)."""
        for metric in SWEPT:
            self.board(metric)
        self.country_rows  # noqa: B018 - read once, kept

    def standings(self, ident: str, film: bool, metrics: tuple[str, ...] = SWEPT) -> list[Standing]:
        """Where the title's debut and best week stood on their list's boards when set: on
        the boards ``metrics`` (all four unless asked for fewer: each board is swept the
        first time it is asked for, and ``check`` asks for one)."""
        weeks = self.title_weeks(ident, film)
        if not weeks:
            return []
        category = weeks[0].category
        return [s for m in metrics for s in self._swept(m, category)[1].get((ident, film), [])]

    @cached_property
    def _counted(self) -> dict[str, list[BoardRow]]:
        """The boards that count weeks or countries, and the most-popular lists'."""
        weeks_in, at_no1, countries = [], [], []
        for (ident, film), weeks in self.weeks.items():
            first = weeks[0]
            season = _season(ident, film)
            weeks_in.append(
                BoardRow(
                    len({w.week for w in weeks}),
                    weeks[-1].week,
                    ident,
                    film,
                    first.category,
                    first.show,
                    season,
                )
            )
            no1 = sorted({w.week for w in weeks if w.rank == 1})
            if no1:
                at_no1.append(
                    BoardRow(len(no1), no1[-1], ident, film, first.category, first.show, season)
                )
        for (ident, film), crows in self.country_rows.items():
            per_week: dict[dt.date, int] = {}
            for c in crows:
                if c.rank == 1:
                    per_week[c.week] = per_week.get(c.week, 0) + 1
            if per_week:
                top = max(per_week.values())
                week = min(w for w, n in per_week.items() if n == top)
                show = self._show_of(ident, film)
                countries.append(
                    BoardRow(
                        top,
                        week,
                        ident,
                        film,
                        "Films" if film else "TV",
                        show,
                        _season(ident, film),
                    )
                )
        out = {
            "weeks_in_top10": weeks_in,
            "weeks_at_no1": at_no1,
            "countries_no1": countries,
        }
        for metric, col in (
            ("first_28_days_hours", "hours_28"),
            ("first_91_days_views", "views_91"),
        ):
            out[metric] = [
                BoardRow(
                    getattr(p, col),
                    None,
                    p.season or p.show,
                    p.category.startswith("Films"),
                    p.category,
                    p.show,
                    p.season,
                )
                for p in self.popular
                if getattr(p, col) is not None
            ]
        return {k: sorted(v, key=_order) for k, v in out.items()}

    def _show_of(self, ident: str, film: bool) -> str:
        title = self.titles.titles.get((ident, film))
        return title.show if title is not None else ident


def _season(ident: str, film: bool) -> str | None:
    return None if film else ident


def _order(row: BoardRow) -> tuple[Any, ...]:
    """Highest figure first; then the week it was set (earlier first; none last), the
    title's ident and its list: the same total order every time."""
    return (-row.value, row.week is None, row.week or dt.date.min, row.ident, row.category)
