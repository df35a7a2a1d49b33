"""Checks of a staged file against the store's own history of the same kind of list.

A file is checked against the lists the store already holds, as SQL over whole tables:

* :func:`cumulative_weeks`: each row's ``cumulative_weeks_in_top_10`` must follow from the
  title's earlier weeks in the same list (global category, or country and category): one
  more than at its previous listing, plus at most the weeks in between whose list neither
  the store nor the file holds.
* :func:`lists_missing`: lists the store holds for the weeks of the file that the file lacks.
  Missing where the file ends, in the order Netflix sorts its files, they were cut away.

The history is the file's own lists, and the store's current rows for the lists the file
does not hold (what the current view will be once the file is in).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from chartwatch.ingestion.kinds import COUNTRIES, GLOBAL, Kind
from chartwatch.ingestion.lists import Findings, list_key, list_name, title_twice
from chartwatch.ingestion.validate import FIRST_WEEK
from chartwatch.store.store import Store

# How Netflix sorts each kind of file: (column, descending). The last lines of a file cut at
# a list boundary are the lists that sort last.
ORDER: dict[str, tuple[tuple[str, bool], ...]] = {
    GLOBAL.name: (("week", True), ("category", False)),
    COUNTRIES.name: (("country_name", False), ("week", True), ("category", False)),
}
_CATEGORY_ONLY = (("category", False),)


def stage_held(store: Store, kind: Kind) -> int:
    """``_held``: the lists (country, week, category) of this kind the store holds and the
    file does not, from one scan of the current rows; returns how many. When there are none
    (a newer all-weeks file holds every list the store does), the history is the file's."""
    key = list_key(kind)
    same = " AND ".join(f"h.{k} = l.{k}" for k in key)
    made = store.one(  # CREATE … AS answers the number of rows it made
        f"""
        CREATE OR REPLACE TEMP TABLE _held AS
        SELECT * FROM (SELECT DISTINCT {", ".join(key)} FROM current_rows WHERE list = $list) h
        ANTI JOIN _lists l ON {same}
        """,
        {"list": kind.name},
    )
    return int(made[0]) if made else 0


def _history(kind: Kind, held: bool) -> str:
    """SQL of the rows of the history (``__line`` NULL for a store row): the list group,
    week, ``title``, a 64-bit hash of the list group and the title (two titles that hash
    alike would be about 5e-20 likely), and the cumulative weeks."""
    group, held_group = ("country_iso2", "c.country_iso2") if kind.has_country else ("''", "''")
    rows = (
        f"SELECT __line, {group} AS grp, week, category, "
        f"hash({group}, category, show_title, season_title) AS title, "
        "CAST(cumulative_weeks_in_top_10 AS INTEGER) AS c FROM _raw"
    )
    if not held:
        return rows
    same_list = " AND ".join(f"h.{k} = c.{k}" for k in list_key(kind))
    return f"""{rows}
        UNION ALL
        SELECT NULL, {held_group}, c.week, c.category,
               hash({held_group}, c.category, v.show_title, v.season_title),
               v.cumulative_weeks_in_top_10
        FROM (SELECT c.* FROM current_rows c SEMI JOIN _held h ON {same_list}
              WHERE c.list = $list) c
        JOIN row_versions v USING (version_id)
    """


def _stage_weeks(store: Store, kind: Kind, held: bool, holes: bool) -> bool:
    """``_weeks``: for each week of each list group (global category, or country and category)
    held by the file or the store, ``u``, the weeks since the first weekly list that the group
    lacks up to it. Returns whether any group lacks a week (else ``u`` is 0 throughout).
    ``holes``: whether a group of the file alone lacks one (:func:`lists.shape`)."""
    group = "country_iso2" if kind.has_country else "''"  # as in _history (not NULL: a join key)
    if not held and not holes:
        return False  # every group of the file holds every week since the first: no table
    lists = f"SELECT {group} AS grp, category, week FROM _lists"
    if held:
        lists += f"""
            UNION SELECT {group}, category, week FROM _held"""
    store.con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _weeks AS
        SELECT grp, category, week,
               datediff('day', DATE '{FIRST_WEEK}', week) // 7
               - dense_rank() OVER (PARTITION BY grp, category ORDER BY week) + 1 AS u
        FROM ({lists})
        """
    )
    return bool(store.scalar("SELECT max(u) > 0 FROM _weeks"))


def cumulative_weeks(store: Store, kind: Kind, held: bool, holes: bool, found: Findings) -> None:
    """Rows whose ``cumulative_weeks_in_top_10`` contradicts the title's history.

    ``gap`` is the number of weeks before the row (since its previous listing, or since the
    first weekly list) whose list is held neither by the store nor by the file: the title may
    have been listed in them. The count must be ``previous + 1`` to ``previous + 1 + gap``
    (``previous`` is 0 at a first listing). Netflix reuses a name for another title (two
    films called *Dhamaka*, two called *Noise*) and counts the new one from 1: a count that
    starts again at 1 (or up to ``1 + gap``) after weeks without the name is accepted; in the
    very next week it is a warning naming the rows. Anything else is rejected.

    One window over the rows, in order of title and week (one sort: cheaper than a window
    partitioned by title); the weeks each list group lacks come
    from ``_weeks``, a table of lists, joined only when some group lacks a week (never in
    Netflix's all-weeks files, which hold every week since the first).
    """
    if not kind.has_week:
        return
    holes = _stage_weeks(store, kind, held, holes)
    history = _history(kind, held)
    u, pu, gap = ("u, ", ", lag(u) OVER w AS pu", "u - CASE WHEN same THEN pu ELSE 0 END")
    if holes:
        history = f"SELECT h.*, w.u FROM ({history}) h JOIN _weeks w USING (grp, category, week)"
    else:  # no week lacked: the gap is 0 throughout
        u, pu, gap = "", "", "0"
    rows = store.all(
        f"""
        WITH t AS (
            SELECT __line, week, c, {u}lag(title) OVER w = title AS same, lag(week) OVER w AS pw,
                   lag(c) OVER w AS pc{pu}
            FROM ({history}) WINDOW w AS (ORDER BY title, week)
        ), v AS (
            SELECT __line, week, c, CASE WHEN same THEN pw END AS pw, pc, {gap} AS gap,
                   CASE WHEN same THEN pc ELSE 0 END AS before
            FROM t WHERE __line IS NOT NULL
        ), bad AS (
            SELECT __line, c, pw, pc, gap,
                   CASE WHEN pw = week THEN 'twice' WHEN c <= 1 + gap AND c < before + 1
                        THEN 'again' ELSE 'wrong' END AS what
            FROM v
            WHERE pw = week OR (NOT (c BETWEEN before + 1 AND before + 1 + gap)
                                AND NOT (c <= 1 + gap AND pw < week - 7))
        )
        SELECT b.what, count(*) OVER (PARTITION BY b.what), b.__line, b.c, b.pw, b.pc, b.gap,
               coalesce(r.season_title, r.show_title), {list_name(kind, "r")}
        FROM bad b JOIN _raw r USING (__line)
        QUALIFY row_number() OVER (PARTITION BY b.what ORDER BY b.__line) <= 3
        ORDER BY b.__line
        """,
        {"list": kind.name} if held else None,
    )
    if any(r[0] == "twice" for r in rows):  # a title twice in one week: twice in one list
        title_twice(store, kind, found, seen=True)
        return
    problem = next((r for r in rows if r[0] == "wrong"), None)
    if problem is not None:
        found.problems.append((int(problem[2]), _contradiction(*problem[2:])))
        return
    again = [r for r in rows if r[0] == "again"]
    if again:
        shown = "; ".join(
            f"{label!r} in {name}: {c} after {pc} (line {line})"
            for _, _, line, c, _, pc, _, label, name in again
        )
        found.warnings.append(
            f"cumulative_weeks_in_top_10 starts again the week after a listing in {again[0][1]} "
            f"rows ({shown}): another title of the same name?"
        )


def _contradiction(
    line: int, c: int, pw: dt.date | None, pc: int | None, gap: int, label: str, name: str
) -> str:
    head = f"cumulative_weeks_in_top_10 {c} for {label!r} ({name}) contradicts the store's history"
    if pw is None and not gap:
        return f"{head}: its first listing there, and every week before it is held, so 1"
    if pw is None:
        return (
            f"{head}: its first listing there, with {gap} earlier weeks held neither by the "
            f"store nor by the file, so at most {1 + gap}"
        )
    assert pc is not None
    expected = f"{pc + 1}" if not gap else f"{pc + 1} to {pc + 1 + gap}"
    return f"{head}: {pc} in the week ending {pw}, so {expected}"


def _order(kind: Kind, descending: bool = False) -> str:
    spec = ORDER.get(kind.name, _CATEGORY_ONLY)
    return ", ".join(f"{c} {'ASC' if desc == descending else 'DESC'}" for c, desc in spec)


def _sort_key(kind: Kind, row: tuple[Any, ...]) -> tuple[Any, ...]:
    """A list's place in the file's order, from its columns as in :data:`ORDER`."""
    spec = ORDER.get(kind.name, _CATEGORY_ONLY)
    return tuple(-v.toordinal() if desc else v for (_, desc), v in zip(spec, row, strict=True))


def lists_missing(store: Store, kind: Kind, found: Findings) -> None:
    """Lists the store holds for the weeks the file covers (all lists, for a kind without
    weeks) that the file lacks. Absence is not deletion, so they keep their earlier versions;
    but when they all sort after the file's last list, in the order Netflix sorts the file,
    the file lost its end: it is cut at a list boundary (rejected). Elsewhere a warning
    names them (Netflix may withdraw a country's lists)."""
    cols = [c for c, _ in ORDER.get(kind.name, _CATEGORY_ONLY)]
    weeks = (
        "WHERE week BETWEEN (SELECT min(week) FROM _lists) AND (SELECT max(week) FROM _lists)"
        if kind.has_week
        else ""
    )
    names = ""
    if kind.has_country:  # the name of each missing list's country, as the store has it
        names = """, (SELECT any_value(v.country_name) FROM current_rows c
                      JOIN row_versions v USING (version_id)
                      WHERE c.list = $list AND c.country_iso2 = h.country_iso2) AS country_name"""
    missing = f"SELECT h.*{names} FROM _held h {weeks}"
    first = store.one(
        f"SELECT {', '.join(cols)}, {list_name(kind)}, count(*) OVER () FROM ({missing}) "
        f"ORDER BY {_order(kind)} LIMIT 1",
        {"list": kind.name} if kind.has_country else None,
    )
    if first is None:
        return
    count, name = first[-1], first[-2]
    last = store.one(
        f"SELECT {', '.join(cols)}, {list_name(kind)}, last_line, "
        "last_line = (SELECT max(last_line) FROM _lists) "
        f"FROM _lists ORDER BY {_order(kind, descending=True)} LIMIT 1"
    )
    assert last is not None
    n = len(cols)
    of_its_weeks = " of its weeks" if kind.has_week else ""
    if last[-1] and _sort_key(kind, first[:n]) > _sort_key(kind, last[:n]):
        found.problems.append(
            (
                int(last[-2]),
                f"the file ends with the list {last[n]}, but the store holds {count} "
                f"{kind.name} lists{of_its_weeks} that come after it in Netflix's order "
                f"(first: {name}): the file is cut at a list boundary",
            )
        )
        return
    found.warnings.append(
        f"{count} {kind.name} lists the store holds"
        + (" for the weeks of this file" if kind.has_week else "")
        + f" are not in it (first: {name}); they keep their earlier versions"
    )


def history_problem(store: Store, kind: Kind, holes: bool, found: Findings) -> None:
    """Run the checks against the store's history (after the file's own checks passed).
    ``holes``: whether a list group of the file lacks a week (:func:`lists.shape`)."""
    held = stage_held(store, kind)
    cumulative_weeks(store, kind, bool(held), holes, found)
    if held:
        lists_missing(store, kind, found)
