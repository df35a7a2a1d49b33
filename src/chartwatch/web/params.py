"""Query parameters: each one checked and bounded before it reaches the core.

Every helper takes the raw text (None or ``""`` when absent: an empty form field counts as
absent) and returns a checked value or raises a 400 :class:`~chartwatch.web.errors.WebError`
naming the parameter. Values reach DuckDB only as bound parameters of the core's queries.

The parameters a page and its API endpoint share are declared once, as FastAPI
dependencies that return them checked (:class:`WeekArgs`, :class:`CompareArgs`,
:class:`HistoryArgs`): a route takes the group and passes it on to the page or the API
function as keyword arguments (``**vars(args)``), which also make the answer's cache key.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query

from chartwatch.web.errors import bad_parameter

MAX_TEXT = 200  # a title query, a search, a history filter
MAX_TITLES = 6  # titles compared at once
FIRST_YEAR, LAST_YEAR = 2000, 2100
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")


def text(value: str | None, name: str, *, required: bool = False) -> str | None:
    """Free text (a title, a search): at most :data:`MAX_TEXT` characters, no control
    characters."""
    if value is None or not value.strip():
        if required:
            raise bad_parameter(name, "give some text")
        return None
    if len(value) > MAX_TEXT:
        raise bad_parameter(name, f"at most {MAX_TEXT} characters")
    if any(unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn") for ch in value):
        raise bad_parameter(name, "control characters are not allowed")
    return value.strip()


def required_text(value: str | None, name: str) -> str:
    """:func:`text` that must be given."""
    checked = text(value, name, required=True)
    assert checked is not None
    return checked


def date(value: str | None, name: str) -> dt.date | None:
    """``YYYY-MM-DD`` between the years 2000 and 2100."""
    if value is None or not value.strip():
        return None
    raw = value.strip()
    if len(raw) != 10:
        raise bad_parameter(name, f"{raw[:40]!r} is not a date; use YYYY-MM-DD")
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        raise bad_parameter(name, f"{raw!r} is not a date; use YYYY-MM-DD") from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise bad_parameter(name, f"{raw} is out of range ({FIRST_YEAR}–{LAST_YEAR})")
    return day


def country(value: str | None, name: str = "country") -> str | None:
    """An ISO 3166-1 alpha-2 code (``KR``), any case."""
    if value is None or not value.strip():
        return None
    if not _COUNTRY.match(value.strip()):
        raise bad_parameter(name, f"{value[:40]!r} is not a two-letter country code (US, KR…)")
    return value.strip().upper()


def choice(value: str | None, name: str, choices: tuple[str, ...] | list[str]) -> str | None:
    """One of ``choices``."""
    if value is None or not value.strip():
        return None
    if value.strip() not in choices:
        raise bad_parameter(name, f"{value[:40]!r} is not one of {', '.join(choices)}")
    return value.strip()


def category(value: str | None, name: str = "category") -> str | None:
    """A list's name as the core accepts it (``TV (English)``, ``tv-english``): checked
    here for length only; the core names the choices when it does not know it."""
    if value is None or not value.strip():
        return None
    if len(value) > 40:
        raise bad_parameter(name, "at most 40 characters")
    return value.strip()


def titles(values: list[str], name: str = "titles") -> list[str]:
    """Titles to compare: each checked as :func:`text`, blanks dropped, at most
    :data:`MAX_TITLES`."""
    out = [t for v in values if (t := text(v, name))]
    if len(out) > MAX_TITLES:
        raise bad_parameter(name, f"compare at most {MAX_TITLES} titles at once")
    return out


# -- declared once: the OpenAPI reference shows these bounds ------------------------------
# the checks above, under names the groups' parameters do not hide
category_, country_, titles_ = category, country, titles

AsOf = Annotated[
    str | None,
    Query(description="As published by this date (YYYY-MM-DD); default: now.", max_length=10),
]
WeekParam = Annotated[
    str | None,
    Query(description="Any day of the week (YYYY-MM-DD); default: the latest.", max_length=10),
]
Country = Annotated[
    str | None, Query(description="A country's lists, by ISO code (US, KR…).", max_length=2)
]
Category = Annotated[
    str | None,
    Query(
        description='One list: "TV (English)", tv-non-english… (Films/TV for countries).',
        max_length=40,
    ),
]
TitleQuery = Annotated[
    str,
    Query(description='A title or show, fuzzy: "all of us are dead".', max_length=200),
]
ListName = Annotated[str | None, Query(max_length=20)]
TitleFilter = Annotated[str | None, Query(max_length=MAX_TEXT)]


@dataclass(frozen=True)
class WeekArgs:
    """A week's lists: ``/`` and ``/api/v1/week``."""

    week: dt.date | None
    category: str | None
    country: str | None
    as_of: dt.date | None


def week_args(
    week: WeekParam = None,
    category: Category = None,
    country: Country = None,
    as_of: AsOf = None,
) -> WeekArgs:
    return WeekArgs(
        date(week, "week"), category_(category), country_(country), date(as_of, "as_of")
    )


@dataclass(frozen=True)
class CompareArgs:
    """Titles overlaid: ``/compare`` and ``/api/v1/compare``."""

    titles: list[str]
    metric: str | None
    align: str | None
    as_of: dt.date | None


def compare_args(
    titles: Annotated[
        list[str],
        Query(description="Two or more titles (repeat the parameter).", max_length=10),
    ] = [],  # noqa: B006
    metric: Annotated[str | None, Query(description="hours, views or rank.", max_length=10)] = None,
    align: Annotated[str | None, Query(description="debut or calendar.", max_length=10)] = None,
    as_of: AsOf = None,
) -> CompareArgs:
    from chartwatch.analytics.compare import ALIGNS, METRICS

    return CompareArgs(
        titles_(titles),
        choice(metric, "metric", list(METRICS)),
        choice(align, "align", list(ALIGNS)),
        date(as_of, "as_of"),
    )


@dataclass(frozen=True)
class HistoryArgs:
    """Netflix's revisions: ``/history`` and ``/api/v1/history``."""

    title: str | None
    week: dt.date | None
    list_name: str | None
    country: str | None


def history_args(
    title: TitleFilter = None,
    week: WeekParam = None,
    list: ListName = None,
    country: Country = None,
) -> HistoryArgs:
    from chartwatch.vocabulary import LISTS

    return HistoryArgs(
        text(title, "title"), date(week, "week"), choice(list, "list", LISTS), country_(country)
    )


@dataclass(frozen=True)
class EngagementArgs:
    """An engagement report's leaderboard: ``/engagement`` and ``/api/v1/engagement`` (the
    options of ``chartwatch engagement``; ``top`` None is ``--all``)."""

    report: str | None
    kind: str | None
    global_only: bool
    released_in: int | None
    top: int | None


REPORT_ID = re.compile(r"^\d{4}[Hh][12]$")


def report_id(value: str | None, name: str = "report") -> str | None:
    """A report id, ``YYYYH1`` or ``YYYYH2`` (any case); the core says which it holds."""
    if value is None or not value.strip():
        return None
    if not REPORT_ID.match(value.strip()):
        raise bad_parameter(name, f"{value[:40]!r} is not a report id (YYYYH1 or YYYYH2)")
    return value.strip().upper()


def engagement_args(
    report: Annotated[
        str | None,
        Query(description="The report, e.g. 2024H1 (default: the latest).", max_length=10),
    ] = None,
    kind: Annotated[str | None, Query(description="Only tv or film rows.", max_length=10)] = None,
    global_only: Annotated[bool, Query(description="Only titles available globally.")] = False,
    released_in: Annotated[
        int | None,
        Query(description="Only titles released in this year.", ge=1900, le=LAST_YEAR),
    ] = None,
    top: Annotated[int, Query(description="How many rows.", ge=1, le=20000)] = 10,
    all: Annotated[bool, Query(description="Every row (about 16,000).")] = False,
) -> EngagementArgs:
    from chartwatch.engagement.answers import KINDS

    return EngagementArgs(
        report_id(report),
        choice(kind, "kind", KINDS),
        global_only,
        released_in,
        None if all else top,
    )


Week = Annotated[WeekArgs, Depends(week_args)]
Compare = Annotated[CompareArgs, Depends(compare_args)]
History = Annotated[HistoryArgs, Depends(history_args)]
Engagement = Annotated[EngagementArgs, Depends(engagement_args)]
