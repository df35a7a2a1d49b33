"""The real published files read independently of chartwatch: ``gzip`` and the ``csv`` module.

Tests compute their expected numbers with these helpers (and the git archive with
``rawarchive``), never with chartwatch's own reader or output, so nothing here imports
chartwatch. The files are the ones shipped in ``src/chartwatch/data`` (gzipped copies of
Netflix's files as published).

Cells are read the way the files mean them: ``""`` and ``N/A`` are missing, counts are
integers, ``runtime`` is a float, ``is_staggered_launch`` a boolean.
"""

from __future__ import annotations

import csv
import gzip
import io
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent.parent / "src" / "chartwatch" / "data"
GLOBAL = "all-weeks-global.tsv"
COUNTRIES = "all-weeks-countries.tsv"
POPULAR = "most-popular.tsv"
FILES = (GLOBAL, COUNTRIES, POPULAR)

INT_COLUMNS = frozenset(
    {
        "weekly_rank",
        "rank",
        "weekly_hours_viewed",
        "weekly_views",
        "cumulative_weeks_in_top_10",
        "hours_viewed_first_28_days",
        "hours_viewed_first_91_days",
        "views_first_91_days",
    }
)

# A row's value columns, every generation's together: the values a stored row keeps for its
# key (list, country_iso2, week, category, rank).
VALUE_COLUMNS = (
    "country_name",
    "show_title",
    "season_title",
    "weekly_hours_viewed",
    "runtime",
    "weekly_views",
    "cumulative_weeks_in_top_10",
    "is_staggered_launch",
    "episode_launch_details",
    "hours_viewed_first_28_days",
    "hours_viewed_first_91_days",
    "views_first_91_days",
)


def raw_bytes(name: str) -> bytes:
    """The real published file ``name`` (e.g. ``all-weeks-global.tsv``), uncompressed."""
    return gzip.decompress((DATA / f"{name}.gz").read_bytes())


def parse_tsv(data: bytes) -> list[dict[str, str]]:
    """A published (tab-separated, UTF-8) file as rows of text cells, with the csv module."""
    return list(csv.DictReader(io.StringIO(data.decode("utf-8")), delimiter="\t"))


def raw_rows(name: str) -> list[dict[str, str]]:
    """The real file parsed with the csv module: a new list each call."""
    return parse_tsv(raw_bytes(name))


@cache
def shared_rows(name: str) -> list[dict[str, str]]:
    """``raw_rows(name)`` read once and shared between tests: read it, never change it."""
    return raw_rows(name)


def label_of(row: dict[str, str]) -> str:
    """A row's title as Netflix labels it: the season title, or the show for a film."""
    season = row["season_title"]
    return row["show_title"] if season in ("", "N/A") else season


def num(text: str | None) -> int | None:
    """A count cell: None where the file has no value."""
    return None if text in (None, "", "N/A") else int(text)


def value(column: str, text: str | None) -> Any:
    """A cell of ``column`` as the value it stands for."""
    if text is None or text in ("", "N/A"):
        return None
    if column in INT_COLUMNS:
        return int(text)
    if column == "runtime":
        return float(text)
    if column == "is_staggered_launch":
        return {"true": True, "false": False}[text.lower()]
    return text


def global_run(title: str) -> list[dict[str, str]]:
    """The rows of ``title`` (a label) in the real global file, oldest week first."""
    return sorted((r for r in shared_rows(GLOBAL) if label_of(r) == title), key=lambda r: r["week"])
