"""Query parameters: each one checked and bounded before it reaches the core.

Every helper takes the raw text (None or ``""`` when absent: an empty form field counts as
absent) and returns a checked value or raises a 400 :class:`~chartwatch.web.errors.WebError`
naming the parameter. Values reach DuckDB only as bound parameters of the core's queries.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

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
