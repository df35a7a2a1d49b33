"""Writing the lists in exactly Netflix's published formats.

Tab-separated, a header line, ``\\n`` line ends and no newline after the last line, ``N/A``
for an empty season, fields holding a quote, tab or line break quoted CSV-style (as Netflix
quotes ``episode_launch_details``), rows in Netflix's order. The engines return the rows;
this module alone turns them into text, so two engines that agree on the rows write the
same bytes. The small files are written from Python; the country lists (every country,
every week: 293,000 rows for three years) are formatted by SQL in the build's local DuckDB
connection, where either engine leaves them, so that no Python loop runs per row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import duckdb

from chartwatch.engine.method import lit
from chartwatch.vocabulary import COUNTRY_CATEGORIES, GLOBAL_CATEGORIES

GLOBAL_FILE = "all-weeks-global.tsv"
COUNTRIES_FILE = "all-weeks-countries.tsv"
MOST_POPULAR_FILE = "most-popular.tsv"

GLOBAL_HEADER = (
    "week",
    "category",
    "weekly_rank",
    "show_title",
    "season_title",
    "weekly_hours_viewed",
    "runtime",
    "weekly_views",
    "cumulative_weeks_in_top_10",
    "is_staggered_launch",
    "episode_launch_details",
)
COUNTRIES_HEADER = (
    "country_name",
    "country_iso2",
    "week",
    "category",
    "weekly_rank",
    "show_title",
    "season_title",
    "cumulative_weeks_in_top_10",
)
MOST_POPULAR_91_HEADER = (
    "category",
    "rank",
    "show_title",
    "season_title",
    "hours_viewed_first_91_days",
    "runtime",
    "views_first_91_days",
)
MOST_POPULAR_28_HEADER = (
    "category",
    "rank",
    "show_title",
    "season_title",
    "hours_viewed_first_28_days",
)

_GLOBAL_ORDER = {c: i for i, c in enumerate(GLOBAL_CATEGORIES)}


def runtime_text(hours: float | None, staggered: bool = False) -> str:
    """Netflix's runtime: hours to 4 decimals, trailing zeros dropped (``1.7833``, ``2``).

    A staggered launch is published with runtime ``0``.
    """
    if staggered:
        return "0"
    if hours is None:
        return ""
    d = Decimal(repr(float(hours))).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _season(value: str | None) -> str:
    return "N/A" if value is None or value == "" else value


def _int(value: Any) -> str:
    return "" if value is None else str(int(value))


def _quoter() -> Callable[[str], str]:
    """Quote a field as Python's csv module does for Netflix's files (tab-separated, ``"``
    doubled, only when the field holds a quote, a tab or a line break), memoised: titles
    repeat week after week."""
    cache: dict[str, str] = {}

    def quote(value: str) -> str:
        out = cache.get(value)
        if out is None:
            out = value
            if '"' in value or "\t" in value or "\n" in value:
                out = '"' + value.replace('"', '""') + '"'
            cache[value] = out
        return out

    return quote


def _weeks(values: Iterable[Any]) -> dict[Any, tuple[int, str]]:
    """Each distinct week: its sort key (latest first) and its text."""
    return {w: (-w.toordinal(), _date(w)) for w in set(values)}


def global_lines(rows: Sequence[Sequence[Any]]) -> list[str]:
    """Rows of the ``global`` query → the lines of ``all-weeks-global.tsv``, in order.

    Views and runtime are published for the weeks ranked by views, as Netflix does since
    June 2023; they are empty for the weeks ranked by hours.
    """
    q = _quoter()
    weeks = _weeks(r[0] for r in rows)
    ordered = sorted(rows, key=lambda r: (weeks[r[0]][0], _GLOBAL_ORDER[r[1]], r[2]))
    out = []
    for (
        week,
        category,
        rank,
        show,
        season,
        hours,
        runtime,
        views,
        cum,
        stag,
        details,
        by_views,
        _,
    ) in ordered:
        fields = (
            weeks[week][1],
            category,
            str(rank),
            q(show),
            q(_season(season)),
            _int(hours),
            runtime_text(runtime, bool(stag)) if by_views else "",
            _int(views) if by_views else "",
            str(cum),
            "true" if stag else "false",
            q(details or ""),
        )
        out.append("\t".join(fields))
    return out


def _sql_quoted(column: str) -> str:
    """SQL for a text field as :func:`_quoter` writes it."""
    return (
        f"CASE WHEN contains({column}, '\"') OR contains({column}, chr(9)) "
        f"OR contains({column}, chr(10)) THEN '\"' || replace({column}, '\"', '\"\"') || '\"' "
        f"ELSE {column} END"
    )


def countries_text(con: duckdb.DuckDBPyConnection, table: str) -> tuple[int, str]:
    """The rows of the ``countries`` query, left in ``table`` → the number of rows and the
    lines of ``all-weeks-countries.tsv`` (without the header): by country name (byte by
    byte, as Python compares text), then week (latest first), category and rank.

    The same text :func:`_quoter` and ``str`` would make, built by DuckDB in parallel."""
    season = "CASE WHEN season_title IS NULL OR season_title = '' THEN 'N/A' ELSE season_title END"
    categories = "[" + ", ".join(lit(c) for c in COUNTRY_CATEGORIES) + "]"
    row = con.execute(
        f"""
        SELECT count(*), string_agg(line, chr(10) ORDER BY country_name, week DESC,
                                    list_position({categories}, category), rank)
        FROM (
            SELECT country_name, week, category, rank,
                   concat_ws(chr(9), {_sql_quoted("country_name")}, country_iso2,
                             CAST(week AS VARCHAR), category, CAST(rank AS VARCHAR),
                             {_sql_quoted("show_title")}, {_sql_quoted(season)},
                             CAST(cumulative_weeks AS VARCHAR)) AS line
            FROM {table}
        )
        """
    ).fetchone()
    if row is None or not row[0]:
        return 0, ""
    return int(row[0]), str(row[1])


def most_popular_lines(rows: Sequence[Sequence[Any]], days: int) -> list[str]:
    """Rows of the ``most_popular`` query → the lines of ``most-popular.tsv`` (91- or
    28-day columns)."""
    q = _quoter()
    ordered = sorted(rows, key=lambda r: (_GLOBAL_ORDER[r[0]], r[1]))
    out = []
    for category, rank, show, season, hours, runtime, views, _ in ordered:
        fields = [category, str(rank), q(show), q(_season(season)), _int(hours)]
        if days == 91:
            fields += [runtime_text(runtime), _int(views)]
        out.append("\t".join(fields))
    return out


def _date(value: Any) -> str:
    if isinstance(value, dt.datetime):
        value = value.date()
    return str(value.isoformat())


def tsv_bytes(header: Sequence[str], lines: list[str]) -> bytes:
    """The file's bytes: the header and the lines, ``\n`` between them, none at the end."""
    return "\n".join(["\t".join(header), *lines]).encode("utf-8")


def tsv_text_bytes(header: Sequence[str], text: str) -> bytes:
    """The same from the lines already joined (as :func:`countries_text` returns them)."""
    return ("\t".join(header) + "\n" + text).encode("utf-8")


def write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
