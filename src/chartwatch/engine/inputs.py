"""The two inputs of a build: viewing-event files and the title catalogue.

Events are Parquet or CSV files (one file, a folder of them, or a glob) with the columns
``event_id, title_id, country_iso2, started_at, seconds`` (others, such as
``profile_id``, are ignored). The catalogue is a CSV (or Parquet) file, one row per title:
``title_id, show_title, season_title, type, language, runtime, release_date`` and the
optional ``is_staggered_launch, episode_launch_details, from_week`` (a title whose runtime
changes has one row per change). It is checked whole; a bad row is rejected with its line
and the reason.
"""

from __future__ import annotations

import datetime as dt
import glob
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from chartwatch.errors import BadInputError, UsageError

EVENT_COLUMNS = ("event_id", "title_id", "country_iso2", "started_at", "seconds")
CATALOG_REQUIRED = ("title_id", "show_title", "type", "language")
CATALOG_OPTIONAL = (
    "season_title",
    "runtime",
    "release_date",
    "is_staggered_launch",
    "episode_launch_details",
    "from_week",
)
_EVENT_SUFFIXES = (".parquet", ".csv", ".csv.gz")


def one(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None
) -> tuple[Any, ...] | None:
    """The first row of a query, or None (the whole result is fetched, so the connection is
    free for the next statement)."""
    rows = con.execute(sql, params or []).fetchall()
    return rows[0] if rows else None


def run(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> None:
    """Run a statement to completion (DuckDB keeps a result open until it is fetched)."""
    con.execute(sql, params or []).fetchall()


def quote_path(path: str | Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


@dataclass(frozen=True)
class EventFile:
    """One events file and its fingerprint (an incremental build re-reads changed files)."""

    path: str
    size: int
    mtime_ns: int

    @property
    def format(self) -> str:
        return "parquet" if self.path.lower().endswith(".parquet") else "csv"

    @property
    def fingerprint(self) -> list[Any]:
        return [self.path, self.size, self.mtime_ns]


def event_files(spec: str | Path, exclude: Path | None = None) -> list[EventFile]:
    """The files an EVENTS argument names: a file, a folder (searched recursively) or a glob.

    ``exclude`` (the catalogue, when it sits among the events) is left out.
    """
    text = str(spec)
    path = Path(text).expanduser()
    if path.is_dir():
        found = sorted(
            p for p in path.rglob("*") if p.is_file() and p.name.lower().endswith(_EVENT_SUFFIXES)
        )
    elif path.is_file():
        found = [path]
    elif any(ch in text for ch in "*?["):
        # an absolute pattern: Path.glob takes relative ones only
        matches = glob.glob(text, recursive=True)  # noqa: PTH207
        found = sorted(Path(p) for p in matches if Path(p).is_file())
    else:
        raise UsageError(f"{text} does not exist", parameter="events")
    if exclude is not None:
        skip = exclude.expanduser().resolve()
        found = [p for p in found if p.resolve() != skip]
    if not found:
        raise UsageError(f"no .parquet or .csv files in {text}", parameter="events")
    files = []
    for p in found:
        if not p.name.lower().endswith(_EVENT_SUFFIXES):
            raise UsageError(f"{p} is not a .parquet, .csv or .csv.gz file", parameter="events")
        st = p.stat()
        files.append(EventFile(str(p.resolve()), st.st_size, st.st_mtime_ns))
    formats = {f.format for f in files}
    if len(formats) > 1:
        raise UsageError(
            "mixes Parquet and CSV files; convert them to one format", parameter="events"
        )
    return files


def read_events_sql(files: list[EventFile]) -> str:
    """A DuckDB relation over the files (CSV read as text; the method casts it)."""
    paths = "[" + ", ".join(quote_path(f.path) for f in files) + "]"
    if files[0].format == "parquet":
        return f"read_parquet({paths}, union_by_name = true)"
    # DuckDB pushes a TRY_CAST of a column into the CSV reader, which then fails on the
    # first value that does not convert (seconds "abc", a start time "yesterday") instead
    # of giving NULL: `|| ''` keeps the columns text until the method casts them.
    return (
        "(SELECT * REPLACE (seconds || '' AS seconds, started_at || '' AS started_at) "
        f"FROM {_raw_csv(files)})"
    )


def _raw_csv(files: list[EventFile]) -> str:
    paths = "[" + ", ".join(quote_path(f.path) for f in files) + "]"
    return f"read_csv({paths}, header = true, all_varchar = true, union_by_name = true)"


def check_event_columns(con: duckdb.DuckDBPyConnection, file: EventFile) -> None:
    """Reject a file that lacks one of the event columns, naming the column."""
    try:
        relation = _raw_csv([file]) if file.format == "csv" else read_events_sql([file])
        cols = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()]
    except duckdb.Error as exc:
        raise BadInputError(
            file.path, f"not a readable {file.format} file ({_first(exc)})"
        ) from None
    missing = [c for c in EVENT_COLUMNS if c not in cols]
    if missing and file.format == "csv":
        _check_csv_shape(con, file)
    if missing:
        raise BadInputError(
            file.path,
            f"missing event column {missing[0]!r} (events need {', '.join(EVENT_COLUMNS)})",
            line=1 if file.format == "csv" else None,
        )


def _check_csv_shape(con: duckdb.DuckDBPyConnection, file: EventFile) -> None:
    """A CSV file whose header names the event columns but that DuckDB's sniffer read
    otherwise is ragged (a line with more or fewer fields): say so, with the line."""
    import gzip

    opener = gzip.open if file.path.lower().endswith(".gz") else open
    try:
        with opener(file.path, "rt", encoding="utf-8", errors="replace", newline="") as f:
            header = f.readline()
    except OSError as exc:
        raise BadInputError(file.path, f"not a readable csv file ({exc})") from None
    names = [c.strip().strip('"') for c in header.rstrip("\r\n").split(",")]
    if not all(c in names for c in EVENT_COLUMNS):
        return
    try:
        run(
            con,
            f"SELECT count(*) FROM read_csv({quote_path(file.path)}, header = true, "
            "all_varchar = true, delim = ',', quote = '\"', escape = '\"', "
            "auto_detect = false, "
            "columns = {" + ", ".join(f"'{n}': 'VARCHAR'" for n in names) + "})",
        )
    except duckdb.Error as exc:
        line = re.search(r"[Ll]ine:? (\d+)", str(exc))
        where = "a line" if line is None else "the line"
        raise BadInputError(
            file.path,
            f"ragged: {where} has another number of fields than the header's {len(names)} "
            f"({', '.join(names)})",
            line=int(line.group(1)) if line else None,
        ) from None


def event_span(
    con: duckdb.DuckDBPyConnection, file: EventFile, timezone: str
) -> tuple[dt.date, dt.date] | None:
    """The first and last local day of the events in ``file`` (None if it has none).

    A Parquet file says in its footer the smallest and largest start time of each row
    group, so its span costs no scan; a CSV file (or Parquet without statistics) is read.
    """
    check_event_columns(con, file)

    from chartwatch.engine.method import EARLIEST_DAY, latest_day

    earliest, latest = EARLIEST_DAY, latest_day()

    def local(expr: str) -> str:
        at = "" if timezone.upper() == "UTC" else f" AT TIME ZONE '{timezone}'"
        return f"CAST(TRY_CAST({expr} AS TIMESTAMPTZ){at} AS DATE)"

    try:
        if file.format == "parquet":
            row = one(
                con,
                f"SELECT count(*), count({local('stats_min')}), count({local('stats_max')}), "
                f"min({local('stats_min')}), max({local('stats_max')}) "
                f"FROM parquet_metadata({quote_path(file.path)}) "
                "WHERE path_in_schema = 'started_at'",
            )
            # statistics do: unless an event lies outside the plausible days (then read)
            if (
                row is not None
                and row[0]
                and row[0] == row[1] == row[2]
                and earliest <= row[3]
                and row[4] <= latest
            ):
                return row[3], row[4]
        # events dated outside the plausible days are bad events: they extend no span
        day = local("started_at")
        row = one(
            con,
            f"SELECT min({day}), max({day}) FROM {read_events_sql([file])} "
            f"WHERE {day} BETWEEN DATE '{earliest}' AND DATE '{latest}'",
        )
    except duckdb.Error as exc:
        raise BadInputError(file.path, f"cannot read the events ({_first(exc)})") from None
    if row is None or row[0] is None:
        return None
    return row[0], row[1]


def _first(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0]


# -- the catalogue -------------------------------------------------------------------------

# (condition that marks a row bad, reason) — checked in this order, first bad row reported.
_RULES = [
    ("title_id IS NULL OR trim(title_id) = ''", "empty title_id"),
    ("show_title IS NULL OR trim(show_title) = ''", "empty show_title"),
    (
        "regexp_matches(coalesce(show_title, '') || coalesce(season_title, ''), '[\\x00-\\x1f]')",
        "a title holds a tab, line break or other control character",
    ),
    (
        "lower(trim(coalesce(type, ''))) NOT IN ('films', 'film', 'movie', 'tv', 'series')",
        "type must be Films or TV",
    ),
    (
        "lower(trim(coalesce(language, ''))) NOT IN ('english', 'non-english')",
        "language must be English or Non-English",
    ),
    (
        "runtime IS NOT NULL AND trim(runtime) <> '' AND (TRY_CAST(runtime AS DOUBLE) IS NULL "
        "OR NOT isfinite(TRY_CAST(runtime AS DOUBLE)) OR TRY_CAST(runtime AS DOUBLE) < 0)",
        "runtime must be a number of hours, 0 or more",
    ),
    (
        "release_date IS NOT NULL AND trim(release_date) <> '' "
        "AND TRY_CAST(trim(release_date) AS DATE) IS NULL",
        "release_date must be a date (YYYY-MM-DD)",
    ),
    (
        "is_staggered_launch IS NOT NULL AND lower(trim(is_staggered_launch)) "
        "NOT IN ('', 'true', 'false')",
        "is_staggered_launch must be true or false",
    ),
    (
        "from_week IS NOT NULL AND trim(from_week) <> '' "
        "AND TRY_CAST(trim(from_week) AS DATE) IS NULL",
        "from_week must be a date (YYYY-MM-DD)",
    ),
]

_NORMAL = """
SELECT row_no,
       trim(title_id) AS title_id,
       show_title,
       CASE WHEN season_title IS NULL OR trim(season_title) IN ('', 'N/A') THEN NULL
            ELSE season_title END AS season_title,
       CASE WHEN lower(trim(type)) IN ('tv', 'series') THEN 'TV' ELSE 'Films' END AS kind,
       CASE WHEN lower(trim(language)) = 'english' THEN 'English' ELSE 'Non-English' END
           AS language,
       TRY_CAST(NULLIF(trim(release_date), '') AS DATE) AS release_date,
       TRY_CAST(NULLIF(trim(runtime), '') AS DOUBLE) AS runtime,
       coalesce(lower(trim(is_staggered_launch)) = 'true', false) AS is_staggered_launch,
       coalesce(episode_launch_details, '') AS episode_launch_details,
       -- the Sunday ending the week of from_week; the first row of a title applies from the start
       CASE WHEN NULLIF(trim(from_week), '') IS NULL THEN DATE '0001-01-07' ELSE
           CAST(trim(from_week) AS DATE)
           + CAST(6 - (date_diff('day', DATE '1970-01-05', CAST(trim(from_week) AS DATE)) % 7
                       + 7) % 7 AS INTEGER) END AS from_week
FROM raw_catalog
"""


def load_catalog(con: duckdb.DuckDBPyConnection, path: str | Path) -> int:
    """Read, check and normalise the catalogue; the number of titles.

    Leaves two tables: ``catalog`` (one row per title: its identity, kind, language,
    category, release date and ``title_order``, its place in the lists' tie-break) and
    ``versions`` (per title and range of weeks: runtime, staggered launch and its details).
    A title has several rows when its runtime changes (episodes released in parts, a
    staggered launch): ``from_week`` says from which week a row applies; the earliest row
    also applies to the weeks before it.
    """
    source = str(path)
    _read_catalog(con, source)
    for condition, reason in _RULES:
        row = one(con, f"SELECT min(row_no) FROM raw_catalog WHERE {condition}")
        if row is not None and row[0] is not None:
            raise BadInputError(source, reason, line=int(row[0]) + 1)
    run(con, f"CREATE OR REPLACE TEMP TABLE norm_catalog AS {_NORMAL}")
    run(con, "DROP TABLE raw_catalog")
    _check_versions(con, source)
    _catalog_tables(con)
    run(con, "DROP TABLE norm_catalog")
    count = one(con, "SELECT count(*) FROM catalog")
    titles = int(count[0]) if count else 0
    if not titles:
        raise BadInputError(source, "the catalogue holds no titles (a header and no rows)")
    return titles


def _read_catalog(con: duckdb.DuckDBPyConnection, source: str) -> None:
    """The catalogue file as the table ``raw_catalog``: every column as text (NULL where
    an optional one is absent), numbered by row; a file that is not one is rejected."""
    p = Path(source).expanduser()
    if not p.is_file():
        raise UsageError(f"{source} does not exist", parameter="catalog")
    name = p.name.lower()
    if name.endswith(".parquet"):
        reader = f"read_parquet({quote_path(p)})"
    else:
        delim = "\\t" if name.endswith((".tsv", ".tsv.gz")) else ","
        reader = (
            f"read_csv({quote_path(p)}, header = true, all_varchar = true, delim = '{delim}', "
            "quote = '\"', escape = '\"')"
        )
    try:
        cols = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()]
    except duckdb.Error as exc:
        raise BadInputError(source, f"not a readable catalogue ({_first(exc)})") from None
    missing = [c for c in CATALOG_REQUIRED if c not in cols]
    if missing:
        raise BadInputError(
            source,
            f"missing catalogue column {missing[0]!r} (a catalogue needs "
            f"{', '.join(CATALOG_REQUIRED)}; optional: {', '.join(CATALOG_OPTIONAL)})",
            line=1,
        )
    select = ", ".join(
        f"CAST({_ident(c)} AS VARCHAR) AS {c}" if c in cols else f"CAST(NULL AS VARCHAR) AS {c}"
        for c in (*CATALOG_REQUIRED, *CATALOG_OPTIONAL)
    )
    try:
        run(
            con,
            "CREATE OR REPLACE TEMP TABLE raw_catalog AS "
            f"SELECT row_number() OVER () AS row_no, {select} FROM {reader}",
        )
    except duckdb.Error as exc:
        raise BadInputError(source, f"not a readable catalogue ({_first(exc)})") from None


def _check_versions(con: duckdb.DuckDBPyConnection, source: str) -> None:
    """A title's rows (in ``norm_catalog``) differ only in what may change with
    ``from_week``, once per ``from_week``."""
    dup = one(
        con,
        "SELECT title_id, min(row_no), max(row_no) FROM norm_catalog "
        "GROUP BY title_id, from_week HAVING count(*) > 1 ORDER BY 3 LIMIT 1",
    )
    if dup is not None:
        raise BadInputError(
            source,
            f"title_id {dup[0]!r} appears twice for the same from_week "
            f"(first on line {int(dup[1]) + 1})",
            line=int(dup[2]) + 1,
        )
    differs = one(
        con,
        "SELECT title_id, max(row_no) FROM norm_catalog GROUP BY title_id "
        "HAVING count(DISTINCT (show_title, coalesce(season_title, ''), kind, language, "
        "coalesce(CAST(release_date AS VARCHAR), ''))) > 1 ORDER BY 2 LIMIT 1",
    )
    if differs is not None:
        raise BadInputError(
            source,
            f"the rows of title_id {differs[0]!r} differ in show_title, season_title, type, "
            "language or release_date (only runtime, is_staggered_launch and "
            "episode_launch_details may change with from_week)",
            line=int(differs[1]) + 1,
        )


def _catalog_tables(con: duckdb.DuckDBPyConnection) -> None:
    """``catalog`` and ``versions`` from ``norm_catalog``."""
    # title_order: the titles in the tie-break order of the lists (show, season — empty
    # first — and id, byte by byte), numbered once here so that every ranking compares one
    # integer instead of three strings.
    run(
        con,
        "CREATE OR REPLACE TEMP TABLE catalog AS "
        "SELECT *, row_number() OVER (ORDER BY show_title ASC NULLS FIRST, "
        "season_title ASC NULLS FIRST, title_id ASC NULLS FIRST) AS title_order FROM ("
        "SELECT DISTINCT title_id, show_title, season_title, kind, language, "
        "kind || ' (' || language || ')' AS category, release_date FROM norm_catalog)",
    )
    run(
        con,
        "CREATE OR REPLACE TEMP TABLE versions AS "
        "SELECT title_id, "
        "CASE WHEN row_number() OVER w = 1 THEN DATE '0001-01-07' ELSE from_week END "
        "AS from_week, "
        "coalesce(lead(from_week) OVER w - 7, DATE '9999-12-26') AS to_week, "
        "runtime, is_staggered_launch, episode_launch_details FROM norm_catalog "
        "WINDOW w AS (PARTITION BY title_id ORDER BY from_week)",
    )


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def load_countries(con: duckdb.DuckDBPyConnection) -> None:
    """The table ``countries`` (country_iso2, country_name): the lists Netflix publishes."""
    from chartwatch.engine.countries import NETFLIX_COUNTRIES

    run(con, "CREATE OR REPLACE TEMP TABLE countries (country_iso2 VARCHAR, country_name VARCHAR)")
    values = ", ".join(f"({quote_path(k)}, {quote_path(v)})" for k, v in NETFLIX_COUNTRIES.items())
    run(con, f"INSERT INTO countries VALUES {values}")
