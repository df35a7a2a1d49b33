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
from chartwatch.ingestion.lists import Findings, list_name
from chartwatch.ingestion.validate import FIRST_WEEK
from chartwatch.store.store import Store

# How Netflix sorts each kind of file: (column, descending). The last lines of a file cut at
# a list boundary are the lists that sort last.
ORDER: dict[str, tuple[tuple[str, bool], ...]] = {
    GLOBAL.name: (("week", True), ("category", False)),
    COUNTRIES.name: (("country_name", False), ("week", True), ("category", False)),
}
_CATEGORY_ONLY = (("category", False),)


def holds(store: Store, kind: Kind) -> bool:
    """Whether the store holds any list of this kind (else there is no history to check)."""
    return store.one("SELECT 1 FROM current_rows WHERE list = ? LIMIT 1", [kind.name]) is not None


def _history(kind: Kind, held: bool) -> str:
    """SQL of the rows of the history (``__line`` NULL for a store row): the list group,
    week, a 64-bit hash of the title and the cumulative weeks."""
    group = "country_iso2" if kind.has_country else "NULL::VARCHAR"
    rows = (
        f"SELECT __line, {group} AS grp, week, category, hash(show_title, season_title) "
        "AS title, CAST(cumulative_weeks_in_top_10 AS INTEGER) AS c FROM _raw"
    )
    if not held:
        return rows
    same_list = "l.week = c.week AND l.category = c.category"
    if kind.has_country:
        same_list += " AND l.country_iso2 = c.country_iso2"
    return f"""{rows}
        UNION ALL
        SELECT NULL, c.country_iso2, c.week, c.category, hash(v.show_title, v.season_title),
               v.cumulative_weeks_in_top_10
        FROM (SELECT c.* FROM current_rows c ANTI JOIN _lists l ON {same_list}
              WHERE c.list = $list) c
        JOIN row_versions v USING (version_id)
    """


def cumulative_weeks(store: Store, kind: Kind, held: bool, found: Findings) -> None:
    """Rows whose ``cumulative_weeks_in_top_10`` contradicts the title's history.

    ``gap`` is the number of weeks before the row (since its previous listing, or since the
    first weekly list) whose list is held neither by the store nor by the file: the title may
    have been listed in them. The count must be ``previous + 1`` to ``previous + 1 + gap``
    (``previous`` is 0 at a first listing). Netflix reuses a name for another title (two
    films called *Dhamaka*, two called *Noise*) and counts the new one from 1: a count that
    starts again at 1 (or up to ``1 + gap``) after weeks without the name is accepted; in the
    very next week it is a warning naming the rows. Anything else is rejected.
    """
    if not kind.has_week:
        return
    history = _history(kind, held)
    rows = store.all(
        f"""
        WITH t AS (
            SELECT *, dense_rank() OVER (PARTITION BY grp, category ORDER BY week) AS idx
            FROM ({history})
        ), u AS (
            SELECT __line, week, c, idx, lag(week) OVER w AS pw, lag(c) OVER w AS pc,
                   lag(idx) OVER w AS pidx
            FROM t WINDOW w AS (PARTITION BY grp, category, title ORDER BY week)
        ), v AS (
            SELECT __line, week, c, pw, pc,
                   CASE WHEN pw IS NULL THEN datediff('day', DATE '{FIRST_WEEK}', week) // 7
                        - (idx - 1) ELSE datediff('day', pw, week) // 7 - (idx - pidx) END AS gap,
                   CASE WHEN pw IS NULL THEN 0 ELSE pc END AS before
            FROM u WHERE __line IS NOT NULL
        ), bad AS (
            SELECT __line, c, pw, pc, gap, (c <= 1 + gap AND c < before + 1) AS again
            FROM v
            WHERE NOT (c BETWEEN before + 1 AND before + 1 + gap)
              AND NOT (c <= 1 + gap AND pw < week - 7)
        )
        SELECT b.__line, b.c, b.pw, b.pc, b.gap, b.again, count(*) OVER (PARTITION BY again),
               coalesce(r.season_title, r.show_title), {list_name(kind, "r")}
        FROM bad b JOIN _raw r USING (__line)
        QUALIFY row_number() OVER (PARTITION BY again ORDER BY __line) <= 3
        ORDER BY b.__line
        """,
        {"list": kind.name} if held else None,
    )
    problem = next((r for r in rows if not r[5]), None)
    if problem is not None:
        found.problems.append((int(problem[0]), _contradiction(*problem)))
    again = [r for r in rows if r[5]]
    if again and problem is None:
        shown = "; ".join(
            f"{label!r} in {name}: {c} after {pc} (line {line})"
            for line, c, _, pc, _, _, _, label, name in again
        )
        found.warnings.append(
            f"cumulative_weeks_in_top_10 starts again the week after a listing in {again[0][6]} "
            f"rows ({shown}): another title of the same name?"
        )


def _contradiction(
    line: int, c: int, pw: dt.date | None, pc: int | None, gap: int, *rest: Any
) -> str:
    label, name = rest[-2], rest[-1]
    head = f"cumulative_weeks_in_top_10 {c} for {label!r} ({name}) contradicts the store's history"
    if pw is None:
        most = f"at most {1 + gap}" if gap else "1"
        return f"{head}: the title's first listing there, with {gap} earlier weeks not held: {most}"
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
    key = (["country_iso2"] if kind.has_country else []) + (["week"] if kind.has_week else [])
    key.append("category")
    same = " AND ".join(f"l.{k} = c.{k}" for k in key)
    weeks = (
        "AND c.week BETWEEN (SELECT min(week) FROM _lists) AND (SELECT max(week) FROM _lists)"
        if kind.has_week
        else ""
    )
    names = ", any_value(v.country_name) AS country_name" if kind.has_country else ""
    missing = f"""
        SELECT {", ".join(f"c.{k}" for k in key)}{names}
        FROM current_rows c JOIN row_versions v USING (version_id)
        WHERE c.list = $list {weeks}
          AND NOT EXISTS (SELECT 1 FROM _lists l WHERE {same})
        GROUP BY ALL
    """
    first = store.one(
        f"SELECT {', '.join(cols)}, {list_name(kind)}, count(*) OVER () FROM ({missing}) "
        f"ORDER BY {_order(kind)} LIMIT 1",
        {"list": kind.name},
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
    if last[-1] and _sort_key(kind, first[:n]) > _sort_key(kind, last[:n]):
        found.problems.append(
            (
                int(last[-2]),
                f"the file ends with the list {last[n]}, but the store holds {count} "
                f"{kind.name} lists of its weeks that come after it in Netflix's order "
                f"(first: {name}): the file is cut at a list boundary",
            )
        )
        return
    found.warnings.append(
        f"{count} {kind.name} lists the store holds for the weeks of this file are not in it "
        f"(first: {name}); they keep their earlier versions"
    )


def history_problem(store: Store, kind: Kind, found: Findings) -> None:
    """Run the checks against the store's history (after the file's own checks passed)."""
    held = holds(store, kind)
    cumulative_weeks(store, kind, held, found)
    if held:
        lists_missing(store, kind, found)
