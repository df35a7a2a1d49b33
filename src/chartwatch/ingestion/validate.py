"""Row-level checks and typing of a staged file, as SQL over the whole file at once.

DuckDB's CSV reader types the known columns as it reads (numbers as DOUBLE so that a
fraction is seen rather than rounded, dates, booleans); the staged table ``_raw`` then
holds the file plus ``__line``, the 1-based line number (the header is line 1).
:func:`first_bad_row` finds the first line that breaks a rule, :func:`duplicate_key` the
first key that appears twice; :func:`typed_select` turns the staged columns into the store's
columns once the rules have passed. Checks of whole lists are in
:mod:`~chartwatch.ingestion.lists`, checks against the store's history in
:mod:`~chartwatch.ingestion.history`.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from chartwatch.ingestion.kinds import VALUE_COLUMNS, Kind
from chartwatch.store.store import Store

INT_COLUMNS = tuple(c for c, t in VALUE_COLUMNS.items() if t in ("BIGINT", "INTEGER"))
TEXT_COLUMNS = ("show_title", "season_title", "country_name", "episode_launch_details")

# Netflix's first weekly lists (global and per country) are for the week ending 2021-07-04;
# cumulative_weeks_in_top_10 counts from there (in every file of the archive it is at most
# the number of weeks since then).
FIRST_WEEK = dt.date(2021, 7, 4)
# More than anything could reach: all of Netflix's viewing in a week is about 4 billion
# hours; the most viewed title of a week had 0.6 billion, the most popular list 2.2 billion.
CEILINGS = {
    "weekly_hours_viewed": 10**10,
    "weekly_views": 10**10,
    "hours_viewed_first_28_days": 10**11,
    "hours_viewed_first_91_days": 10**11,
    "views_first_91_days": 10**11,
    "runtime": 1000,  # hours in one season or film; the longest listed is 23
}
# Netflix rounds every published count to 10,000 (to 100,000 in later files).
ROUNDED_TO = 10_000
# Country names Netflix uses that pycountry knows under another name.
NETFLIX_COUNTRY_NAMES = {"RU": ("Russia",), "TR": ("Turkey",)}


def ident(name: str) -> str:
    """A column name as a quoted SQL identifier (headers are data, never trusted)."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    """A Python string as a SQL string literal (for names only; values go as parameters)."""
    return "'" + text.replace("'", "''") + "'"


def read_types(kind: Kind, columns: list[str]) -> dict[str, str]:
    """The type DuckDB's CSV reader gives each column of the file as it reads it."""
    types: dict[str, str] = {}
    for col in columns:
        if col in kind.known and col == "week":
            types[col] = "DATE"
        elif col in kind.known and (col == kind.rank_column or col in INT_COLUMNS):
            types[col] = "DOUBLE"
        elif col in kind.known and VALUE_COLUMNS.get(col) in ("DOUBLE", "BOOLEAN"):
            types[col] = VALUE_COLUMNS[col]
        else:
            types[col] = "VARCHAR"
    return types


def _blank(col: str) -> str:
    """NULL or only white space, as ``nullif(trim(col), '') IS NULL``. trim() copies every
    string, so it runs only on values that do not start with a printable ASCII character
    other than a space: those cannot trim to nothing."""
    return (
        f"CASE WHEN {col} IS NULL THEN true WHEN ascii({col}) BETWEEN 33 AND 126 THEN false "
        f"ELSE trim({col}) = '' END"
    )


def _num(col: str, value: str) -> str:
    return f"'{col} ' || CAST({value} AS VARCHAR)"


def _whole(col: str, value: str) -> str:
    """``col value`` for a whole number read as DOUBLE, printed without a cast to BIGINT
    when it is too big for one (a cast would fail the query instead of reporting it)."""
    return (
        f"'{col} ' || CASE WHEN abs({value}) < 1e15 THEN CAST(CAST({value} AS BIGINT) AS VARCHAR) "
        f"ELSE CAST({value} AS VARCHAR) END"
    )


def _row_rules(kind: Kind, columns: list[str], quoted: bool = True) -> list[tuple[str, str]]:
    """(condition that marks a bad row, message) pairs, in the order they are reported."""
    rules: list[tuple[str, str]] = []
    rank = kind.rank_column
    r = ident(rank)
    rules += [
        (f"{r} IS NULL", f"'{rank} is empty'"),
        (
            f"NOT isfinite({r}) OR {r} <> floor({r})",
            _num(rank, r) + " || ' is not a whole number'",
        ),
        (
            f"{r} NOT BETWEEN 1 AND 10",
            _whole(rank, r) + " || ' is outside 1–10'",
        ),
    ]
    if kind.has_week:
        rules += [
            ("week IS NULL", "'week is empty'"),
            (
                "dayofweek(week) <> 0",
                "'week ' || CAST(week AS VARCHAR) || ' is a ' || dayname(week) "
                "|| ', not a Sunday (Netflix weeks end on Sunday)'",
            ),
            (
                f"week < DATE '{FIRST_WEEK}'",
                "'week ' || CAST(week AS VARCHAR) || ' is before Netflix''s first weekly list "
                f"(the week ending {FIRST_WEEK})'",
            ),
            (
                # the latest complete week ends on the last Sunday; a day of slack for clocks
                "week > current_date + 1",
                "'week ' || CAST(week AS VARCHAR) || ' is in the future'",
            ),
        ]
    cats = ", ".join(literal(c) for c in kind.categories)
    rules += [
        ("category IS NULL", "'category is empty'"),
        (
            f"category NOT IN ({cats})",
            "'unknown category ''' || left(category, 40) || ''' "
            f"(expected one of: {', '.join(kind.categories)})'",
        ),
        (_blank("show_title"), "'show_title is empty'"),
    ]
    if kind.has_country:
        rules += [
            (
                # [A-Z]{2}: two bytes, each an ASCII capital (a regular expression is slower)
                "NOT coalesce(strlen(country_iso2) = 2 AND country_iso2[1] BETWEEN 'A' AND 'Z' "
                "AND country_iso2[2] BETWEEN 'A' AND 'Z', false)",
                "'country_iso2 ''' || left(coalesce(country_iso2, ''), 40) "
                "|| ''' is not a two-letter country code'",
            ),
            (_blank("country_name"), "'country_name is empty'"),
        ]
    # Only a quoted field can hold a tab or a line break: a file without quotes is spared it.
    for col in (c for c in TEXT_COLUMNS if c in columns and quoted):
        v = ident(col)
        rules.append(
            (
                f"contains({v}, chr(9)) OR contains({v}, chr(10)) OR contains({v}, chr(13))",
                f"'{col} holds a tab or a line break (a stray quote joining lines?)'",
            )
        )
    if "episode_launch_details" in columns:
        # JSON in every file that has it: a value that starts as JSON but does not parse was
        # cut (a quoted field cut between the two quotes of a doubled quote looks closed)
        v = ident("episode_launch_details")
        rules.append(
            (
                f"left({v}, 1) IN ('[', '{{') AND NOT json_valid({v})",
                "'episode_launch_details is JSON cut short or damaged'",
            )
        )
    for col in (c for c in (*INT_COLUMNS, "runtime") if c in columns):
        v = ident(col)
        rules.append((f"NOT isfinite({v})", _num(col, v) + " || ' is not a number'"))
        rules.append((f"{v} < 0", "'negative ' || " + _num(col, v)))
        if col != "runtime":
            rules.append((f"{v} <> floor({v})", _num(col, v) + " || ' is not a whole number'"))
        if col in CEILINGS:
            rules.append(
                (
                    f"{v} > {CEILINGS[col]}",
                    _whole(col, v) + f" || ' is implausible (more than {CEILINGS[col]:,})'",
                )
            )
    if "cumulative_weeks_in_top_10" in columns:
        v = ident("cumulative_weeks_in_top_10")
        rules.append(
            (
                f"{v} < 1",
                _whole("cumulative_weeks_in_top_10", v)
                + " || ' for a title listed that week (it counts that week: at least 1)'",
            )
        )
        if kind.has_week:
            weeks = f"(datediff('day', DATE '{FIRST_WEEK}', week) // 7 + 1)"
            rules.append(
                (
                    f"{v} > {weeks}",
                    _whole("cumulative_weeks_in_top_10", v)
                    + f" || ' is more than the ' || CAST({weeks} AS VARCHAR) "
                    "|| ' weekly lists Netflix had published by ' || CAST(week AS VARCHAR)",
                )
            )
    return rules


def first_bad_row(
    store: Store, kind: Kind, columns: list[str], quoted: bool = True
) -> tuple[int, str] | None:
    """The first (line, reason) in ``_raw`` that breaks a row rule, or None.

    A key that appears twice is found by :func:`duplicate_key`, once the rows are hashed.
    """
    rules = _row_rules(kind, columns, quoted)
    cases = " ".join(f"WHEN {cond} THEN {msg}" for cond, msg in rules)
    # WHERE and CASE WHEN both take NULL for false: a rule that is NULL is not broken.
    where = " OR ".join(f"({cond})" for cond, _ in rules)
    row = store.one(
        f"SELECT __line, CASE {cases} END FROM _raw WHERE {where} ORDER BY __line LIMIT 1"
    )
    return None if row is None else (int(row[0]), str(row[1]))


def duplicate_key(store: Store, kind: Kind, clash_sql: str) -> tuple[int, str] | None:
    """The first key that appears twice in ``_raw`` as (line, reason), or None.

    ``clash_sql`` is the cheap test: a query that returns a row when two rows have the same
    hash of their key. Only then are the lines looked for exactly, by the key itself.
    """
    if store.one(clash_sql) is None:
        return None
    key = ["category", ident(kind.rank_column)]
    if kind.has_week:
        key.append("week")
    if kind.has_country:
        key.append("country_iso2")
    dup = store.one(
        f"""
        SELECT min(__line), list(__line ORDER BY __line), any_value(category),
               any_value(CAST({ident(kind.rank_column)} AS INTEGER)),
               {"any_value(week)" if kind.has_week else "NULL"},
               {"any_value(country_iso2)" if kind.has_country else "NULL"}
        FROM _raw GROUP BY {", ".join(key)} HAVING count(*) > 1
        ORDER BY 1 LIMIT 1
        """
    )
    if dup is None:
        return None
    _, lines, category, rank, week, country = dup
    where_txt = (
        f"{category}" + (f", week {week}" if week else "") + (f", {country}" if country else "")
    )
    shown = ", ".join(str(x) for x in lines[:5])
    return int(lines[1]), f"rank {rank} appears twice for {where_txt} (lines {shown})"


def typed_select(kind: Kind, columns: list[str], unknown: list[str]) -> str:
    """SELECT over ``_raw`` giving the store's key, value and extra columns."""
    present = set(columns)
    out = [
        f"{literal(kind.name)} AS list",
        "country_iso2" if kind.has_country else "NULL::VARCHAR AS country_iso2",
        "week" if kind.has_week else "NULL::DATE AS week",
        "category",
        f"CAST({ident(kind.rank_column)} AS INTEGER) AS rank",
    ]
    for col, sqltype in VALUE_COLUMNS.items():
        if col not in present:
            out.append(f"NULL::{sqltype} AS {col}")
        elif sqltype in ("BIGINT", "INTEGER"):
            out.append(f"CAST({col} AS {sqltype}) AS {col}")
        else:
            out.append(col)
    if unknown:
        keys = ", ".join(literal(c) for c in unknown)
        vals = ", ".join(ident(c) for c in unknown)
        out.append(f"MAP([{keys}], [{vals}]) AS extra")
    else:
        out.append("NULL::MAP(VARCHAR, VARCHAR) AS extra")
    return "SELECT __line, " + ",\n       ".join(out) + " FROM _raw"


@cache
def _country_names() -> dict[str, frozenset[str]]:
    """Every ISO 3166-1 code with its names in lower case: pycountry's names and the names
    Netflix uses."""
    import pycountry  # lazy: only country files need it

    names: dict[str, set[str]] = {}
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            name = getattr(country, attr, None)
            if name:
                names.setdefault(country.alpha_2, set()).add(name.lower())
    for code, extra in NETFLIX_COUNTRY_NAMES.items():
        names[code].update(n.lower() for n in extra)
    return {code: frozenset(n) for code, n in names.items()}


def country_problem(store: Store) -> tuple[tuple[int, str] | None, list[str]]:
    """Check the countries of ``_raw``: (first (line, reason) to reject, warnings).

    An unknown code (``XX``) is rejected, and so is a name that is another country's name
    (``France`` for ``DE``); a name chartwatch does not know for a known code is a warning
    naming the rows, as Netflix may spell a country its own way. The file is reduced to its
    distinct (code, name) pairs in SQL (about a hundred); only those are looked up.
    """
    names = _country_names()
    owner = {name: code for code, known in sorted(names.items(), reverse=True) for name in known}
    pairs = store.all(
        "SELECT min(__line), country_iso2, country_name, count(*) FROM _raw "
        "GROUP BY country_iso2, country_name ORDER BY 1"
    )
    warnings: list[str] = []
    for line, code, name, n in pairs:
        if code not in names:
            return (int(line), f"country_iso2 {code!r} is not a country code (ISO 3166-1)"), []
        if name.lower() in names[code]:
            continue
        other = owner.get(name.lower())
        if other is not None:
            return (int(line), f"country_name {name!r} is the name of {other}, not of {code}"), []
        warnings.append(
            f"country_name {name!r} is not a name chartwatch knows for {code} "
            f"({n} rows from line {line}); kept as published"
        )
    return None, warnings
