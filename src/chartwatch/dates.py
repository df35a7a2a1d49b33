"""Netflix weeks: Monday to Sunday, named by the Sunday that ends them."""

from __future__ import annotations

import datetime as dt

from chartwatch.errors import UsageError


def parse_date(text: str, *, option: str = "date") -> dt.date:
    """Parse ``YYYY-MM-DD`` (the only format Netflix uses) or raise :class:`UsageError`
    about the parameter ``option`` (``as_of``; a flag such as ``--as-of`` is accepted)."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            f"{text!r} is not a date; use YYYY-MM-DD",
            parameter=option.lstrip("-").replace("-", "_"),
        ) from None


def week_ending(day: dt.date) -> dt.date:
    """The Sunday that ends the Monday–Sunday week holding ``day``.

    >>> week_ending(dt.date(2022, 1, 24))  # a Monday
    datetime.date(2022, 1, 30)
    >>> week_ending(dt.date(2022, 1, 30))  # already a Sunday
    datetime.date(2022, 1, 30)
    """
    return day + dt.timedelta(days=6 - day.weekday())


def week_label(week_end: dt.date) -> str:
    """Human label of the week that ends on ``week_end``.

    >>> week_label(dt.date(2022, 1, 30))
    'Mon Jan 24 – Sun Jan 30, 2022'
    >>> week_label(dt.date(2023, 1, 1))
    'Mon Dec 26, 2022 – Sun Jan 1, 2023'
    """
    start = week_end - dt.timedelta(days=6)
    first = f"Mon {start:%b} {start.day}"
    if start.year != week_end.year:
        first += f", {start.year}"
    return f"{first} – Sun {week_end:%b} {week_end.day}, {week_end.year}"


def end_of_day_utc(day: dt.date) -> dt.datetime:
    """The last instant of ``day`` in UTC: ``--as-of DAY`` includes everything observed that day."""
    return dt.datetime.combine(day, dt.time.max, tzinfo=dt.UTC)
