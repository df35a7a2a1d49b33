"""Checks of each list of a staged file as a whole, and of the file's set of lists.

Run once every row of ``_raw`` has passed the row rules (:mod:`~chartwatch.ingestion.validate`)
and no key appears twice. The file's lists are first reduced to ``_lists``, one row per list
(its key, how many ranks, the highest, its first and last line): most checks then read a few
thousand rows instead of the file. Each check is a small function that adds what it finds to
a :class:`Findings`; :func:`list_problem` runs them all and reports the first problem by line.
Checks against what the store already holds are in :mod:`~chartwatch.ingestion.history`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from chartwatch.ingestion.kinds import MOST_POPULAR, Kind
from chartwatch.ingestion.validate import (
    CEILINGS,
    FIRST_WEEK,
    INT_COLUMNS,
    ROUNDED_TO,
    ident,
    literal,
)
from chartwatch.store.store import Store

# From the week ending 2023-06-18 the global lists are ranked by views, before by hours.
VIEWS_RANKED_FROM = "2023-06-18"


@dataclass
class Findings:
    """What the checks of one file found: problems (line, reason) that reject it, and
    warnings that accept it. The file is rejected for the problem on the first line."""

    problems: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def first(self) -> tuple[int, str] | None:
        return min(self.problems) if self.problems else None


def list_key(kind: Kind) -> list[str]:
    """The columns that tell one list of a file from another (the rank aside)."""
    return (
        (["country_iso2"] if kind.has_country else [])
        + (["week"] if kind.has_week else [])
        + ["category"]
    )


def list_name(kind: Kind, alias: str = "") -> str:
    """SQL text naming a list (columns as in :func:`list_key`, of table ``alias``)."""
    a = f"{alias}." if alias else ""
    parts = [f"{a}category"]
    if kind.has_week:
        parts.append(f"', week ' || CAST({a}week AS VARCHAR)")
    if kind.has_country:
        parts.append(f"', ' || {a}country_iso2")
    return " || ".join(parts)


def stage_lists(store: Store, kind: Kind) -> None:
    """``_lists``: one row per list of ``_raw`` with its size, top rank and lines."""
    rank = ident(kind.rank_column)
    key = ", ".join(list_key(kind))
    names = ", any_value(country_name) AS country_name" if kind.has_country else ""
    store.con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _lists AS
        SELECT {key}, count(*) AS n, CAST(max({rank}) AS INTEGER) AS top,
               min(__line) AS first_line, max(__line) AS last_line{names}
        FROM _raw GROUP BY {key}
        """
    )


@dataclass(frozen=True)
class Shape:
    """Counts over ``_lists`` that say which checks have anything to look at, from one
    query: lists short of 10 ranks, full ones, with a gap in their ranks; weeks lacking a
    category the file has; countries starting after the file's first week; and whether some
    list group (category, or country and category) lacks a week since the first weekly list.
    """

    short: int = 0
    full: int = 0
    gaps: int = 0
    lacking: int = 0
    late: int = 0
    holes: bool = False


def shape(store: Store, kind: Kind) -> Shape:
    """The :class:`Shape` of ``_lists``, in one query (a few thousand rows at most)."""
    group = "country_iso2" if kind.has_country else "NULL"
    lacking = late = holes = "0"
    if kind.has_week:
        per_week = "country_iso2, week" if kind.has_country else "week"
        lacking = f"""(SELECT count(*) FROM (SELECT count(*) AS n FROM _lists GROUP BY {per_week})
                      WHERE n < (SELECT count(DISTINCT category) FROM _lists))"""
        since = f"datediff('day', DATE '{FIRST_WEEK}', last) // 7 + 1"
        holes = f"""(SELECT coalesce(bool_or(n <> {since}), false)
                     FROM (SELECT count(*) AS n, max(week) AS last FROM _lists
                           GROUP BY {group}, category))"""
    if kind.has_country:
        late = """(SELECT count(*) FROM (SELECT min(week) AS first FROM _lists
                   GROUP BY country_iso2) WHERE first > (SELECT min(week) FROM _lists))"""
    row = store.one(
        "SELECT count(*) FILTER (n < 10), count(*) FILTER (n >= 10), "
        f"count(*) FILTER (top <> n), {lacking}, {late}, {holes} FROM _lists"
    )
    return Shape(*row) if row else Shape()


def rank_gaps(store: Store, kind: Kind, counts: Shape, found: Findings) -> bool:
    """A list whose ranks have a gap (ranks are unique and in 1-10 by now, so a list of n
    rows whose highest rank is not n has one), or a short list among full ones. Returns
    whether the file has short lists without a problem (for :func:`short_lists`)."""
    short, full, gaps = counts.short, counts.full, counts.gaps
    if not gaps and not (short and full > short):
        return bool(short)
    rank = ident(kind.rank_column)
    row = store.one(
        f"""
        SELECT max(r.__line), {list_name(kind, "l")}, any_value(l.n),
               list(CAST(r.{rank} AS INTEGER) ORDER BY r.{rank})
        FROM _lists l JOIN _raw r USING ({", ".join(list_key(kind))})
        WHERE {"l.top <> l.n" if gaps else "l.n < 10"}
        GROUP BY ALL ORDER BY 1 LIMIT 1
        """
    )
    assert row is not None
    line, name, n, ranks = row
    missing = sorted(set(range(1, 11)) - set(ranks))
    found.problems.append(
        (
            int(line),
            f"the list {name} has {n} of 10 ranks (missing {', '.join(map(str, missing))}): "
            "a rank was lost or the file is cut short",
        )
    )
    return False


def short_lists(store: Store, kind: Kind, found: Findings) -> None:
    """Most lists of the file are short (ranks 1 to n, no gap): a file ``chartwatch build``
    made from a small catalogue (a warning), unless the store's lists of this kind are mostly
    full: then the file's short lists were cut (a file cut at a line boundary early on)."""
    first = store.one(
        f"SELECT last_line, {list_name(kind)}, n, (SELECT count(*) FROM _lists), "
        "(SELECT count(*) FROM _lists WHERE n < 10) FROM _lists WHERE n < 10 "
        "ORDER BY last_line LIMIT 1"
    )
    assert first is not None
    line, name, n, lists, short = first
    held_short, held = store.one(
        "SELECT count(*) FILTER (n < 10), count(*) FROM (SELECT count(*) AS n FROM current_rows "
        "WHERE list = ? GROUP BY country_iso2, week, category)",
        [kind.name],
    ) or (0, 0)
    if held and held - held_short > held_short:
        found.problems.append(
            (
                int(line),
                f"the list {name} has {n} of 10 ranks (ranks 1-{n}), while the store's "
                f"{kind.name} lists have 10 ({held - held_short} of {held}): the file is cut short",
            )
        )
        return
    found.warnings.append(
        f"{short} of {lists} lists have fewer than 10 titles (first: {name}, {n} titles, "
        f"line {line}): Netflix's lists have 10; a file built from few titles?"
    )


def title_twice(store: Store, kind: Kind, found: Findings, *, seen: bool = False) -> None:
    """The same title twice in one list. A cheap pass groups a hash of the list and title;
    only when it finds a pair (a hash may collide) does the exact query run, and decide.
    ``seen``: a pass of the caller's found one (the window of
    :func:`chartwatch.ingestion.history.cumulative_weeks` sees a title twice in a week)."""
    key = ", ".join(list_key(kind))
    if not seen and not store.one(
        f"SELECT 1 FROM _raw GROUP BY hash({key}, show_title, season_title) "
        "HAVING count(*) > 1 LIMIT 1"
    ):
        return
    rank = ident(kind.rank_column)
    row = store.one(
        f"""
        SELECT max(__line), {list_name(kind)}, any_value(show_title),
               any_value(season_title), list(CAST({rank} AS INTEGER) ORDER BY {rank})
        FROM _raw GROUP BY {key}, show_title, season_title HAVING count(*) > 1
        ORDER BY 1 LIMIT 1
        """
    )
    if row is not None:
        line, name, show, season, ranks = row
        label = show if season is None else season
        ranks_text = ", ".join(map(str, ranks))
        found.problems.append(
            (int(line), f"the list {name} holds {label!r} twice (ranks {ranks_text})")
        )


def _measure(kind: Kind, columns: list[str]) -> tuple[str, str] | None:
    """(SQL value, SQL name) of what a list is ranked by, or None if the file lacks it."""
    if kind.has_country:
        return None
    if kind is MOST_POPULAR:
        for col in (
            "views_first_91_days",
            "hours_viewed_first_91_days",
            "hours_viewed_first_28_days",
        ):
            if col in columns:
                return ident(col), literal(col)
        return None
    views = f"week < DATE '{VIEWS_RANKED_FROM}'"
    if "weekly_views" in columns:
        return (
            f"CASE WHEN {views} THEN weekly_hours_viewed ELSE weekly_views END",
            f"CASE WHEN {views} THEN 'weekly_hours_viewed' ELSE 'weekly_views' END",
        )
    return f"CASE WHEN {views} THEN weekly_hours_viewed END", "'weekly_hours_viewed'"


def out_of_order(store: Store, kind: Kind, columns: list[str], found: Findings) -> None:
    """A list not in order of what it is ranked by (hours until the week ending 2023-06-18,
    views from then; the most-popular lists: 28-day hours, later 91-day views), or a last
    line with a tenth or less of the rank above it: the file cut inside its last number (in
    Netflix's files the last line never has less than 0.8 of it; within a list the smallest
    step seen is 0.05, so this is checked on the last line only, where a file can be cut)."""
    measure = _measure(kind, columns)
    if measure is None:
        return
    value, what = measure
    rank = ident(kind.rank_column)
    key = ", ".join(list_key(kind))
    row = store.one(
        f"""
        WITH m AS (
            SELECT __line, {list_name(kind)} AS name, CAST({rank} AS INTEGER) AS rank,
                   {value} AS v, {what} AS what,
                   lag({value}) OVER (PARTITION BY {key} ORDER BY {rank}) AS above
            FROM _raw
        )
        SELECT __line, name, rank, what, CAST(v AS BIGINT), CAST(above AS BIGINT), v > above
        FROM m
        WHERE v > above OR (__line = (SELECT max(__line) FROM _raw) AND v * 10 <= above)
        ORDER BY __line LIMIT 1
        """
    )
    if row is None:
        return
    line, name, r, what, v, above, disorder = row
    found.problems.append(
        (
            int(line),
            f"the list {name} is out of order: rank {r} has {what} {v:,}, more than "
            f"rank {r - 1} ({above:,})"
            if disorder
            else f"the last line has {what} {v:,}, a tenth or less of rank {r - 1}'s "
            f"({above:,}): the file is cut inside its last number",
        )
    )


def cut_in_last_number(store: Store, columns: list[str], found: Findings) -> None:
    """The last line holds the only count of the file not rounded as Netflix rounds every
    count (to 10,000): the file is cut inside its last number (``5090`` for ``50900000``)."""
    counts = [c for c in CEILINGS if c in columns and c in INT_COLUMNS]
    if not counts:
        return
    unrounded = " OR ".join(f"{ident(c)} % {ROUNDED_TO} <> 0" for c in counts)
    row = store.one(
        f"SELECT max(__line) FILTER ({unrounded}), count(*) FILTER ({unrounded}), "
        "max(__line) FROM _raw"
    )
    if row is not None and row[1] == 1 and row[0] == row[2]:
        found.problems.append(
            (
                int(row[0]),
                f"the last line holds a count not rounded to {ROUNDED_TO:,} as every other "
                "count of the file is: the file is cut inside its last number",
            )
        )


def week_lacks_lists(store: Store, kind: Kind, counts: Shape, found: Findings) -> None:
    """A week (of a country, in a country file) without a category the file has for its
    other weeks: Netflix publishes every category every week (all four global lists, Films
    and TV for each country), so it was cut away (the file cut at a list boundary: the last
    lines of a file are its oldest week, or the oldest week of its last country) or lost."""
    if not counts.lacking:
        return
    group = ["country_iso2", "week"] if kind.has_country else ["week"]
    cols = ", ".join(group)
    row = store.one(
        f"""
        WITH w AS (
            SELECT {cols}, count(*) AS n, list(category ORDER BY category) AS has,
                   max(last_line) AS line
            FROM _lists GROUP BY {cols}
        )
        SELECT line, {" || ', ' || ".join(f"CAST({c} AS VARCHAR)" for c in reversed(group))},
               has, (SELECT list(DISTINCT category ORDER BY category) FROM _lists)
        FROM w WHERE n < (SELECT count(DISTINCT category) FROM _lists)
        ORDER BY line LIMIT 1
        """
    )
    if row is None:
        return
    line, where, has, every = row
    lacking = [c for c in every if c not in has]
    found.problems.append(
        (
            int(line),
            f"week {where} has no {', '.join(lacking)} list, which the file has for its other "
            "weeks: a list was lost or the file is cut at a list boundary",
        )
    )


def late_countries(store: Store, counts: Shape, found: Findings) -> None:
    """Countries whose lists start later than the file's first week (a warning): the
    signature of a country file cut at a list boundary inside its last country's weeks, but
    also what a country Netflix adds would look like. The store's history decides when it
    holds those weeks (:func:`chartwatch.ingestion.history.lists_missing`)."""
    if not counts.late:
        return
    rows = store.all(
        """
        SELECT country_iso2, min(week), count(DISTINCT week), min(first_line)
        FROM _lists GROUP BY country_iso2
        HAVING min(week) > (SELECT min(week) FROM _lists)
        ORDER BY 4
        """
    )
    if rows:
        weeks = store.scalar("SELECT count(DISTINCT week) FROM _lists")
        shown = "; ".join(
            f"{c} from {w} ({n} of {weeks} weeks, line {ln})" for c, w, n, ln in rows[:3]
        )
        more = f" and {len(rows) - 3} more" if len(rows) > 3 else ""
        found.warnings.append(
            f"{len(rows)} countries have lists for fewer weeks than the file ({shown}{more}): "
            "countries Netflix added, or the file is cut at a list boundary"
        )


def list_problem(store: Store, kind: Kind, columns: list[str], found: Findings) -> Shape:
    """Add to ``found`` where a list of ``_raw`` as a whole makes no sense (the file is
    rejected for the first by line) and the warnings; return the counts of :func:`shape`.

    A list must hold ranks 1 to n without a gap, and ten of them (each Netflix list has ten
    titles: one missing means a rank was lost or the file is cut short) unless most lists of
    the file are short (:func:`short_lists`: a file built from a small catalogue, whose weeks
    may also lack lists); no title twice; be in order of what it is
    ranked by (:func:`out_of_order`); and every week must hold every category
    (:func:`week_lacks_lists`). A cut inside the last number of a file is caught as a
    count that is not rounded (:func:`cut_in_last_number`) or out of scale.
    """
    stage_lists(store, kind)
    counts = shape(store, kind)
    built = rank_gaps(store, kind, counts, found)  # mostly short lists: a small catalogue
    if built:
        short_lists(store, kind, found)
    if not kind.has_week:  # else the history's window sees it (history.cumulative_weeks)
        title_twice(store, kind, found)
    out_of_order(store, kind, columns, found)
    cut_in_last_number(store, columns, found)
    if not built:  # a small catalogue has weeks without enough titles for some lists
        week_lacks_lists(store, kind, counts, found)
        late_countries(store, counts, found)
    return counts
