"""Numbers and dates the way a news story writes them (AP style), for the fact briefs.

Plain functions over plain values, so templates stay readable and every format is tested
by its doctest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

# AP style: five months are abbreviated with a period, Sept. with four letters, and March
# through July are always spelled out.
_MONTHS = (
    "Jan.",
    "Feb.",
    "March",
    "April",
    "May",
    "June",
    "July",
    "Aug.",
    "Sept.",
    "Oct.",
    "Nov.",
    "Dec.",
)


def month(day: dt.date) -> str:
    """The AP abbreviation of ``day``'s month.

    >>> month(dt.date(2021, 9, 5)), month(dt.date(2021, 6, 1))
    ('Sept.', 'June')
    """
    return _MONTHS[day.month - 1]


def day_text(day: dt.date, *, year: bool = True) -> str:
    """One date: ``Jan. 30, 2022``.

    >>> day_text(dt.date(2022, 1, 30))
    'Jan. 30, 2022'
    >>> day_text(dt.date(2023, 7, 4), year=False)
    'July 4'
    """
    text = f"{month(day)} {day.day}"
    return f"{text}, {day.year}" if year else text


def week_range(week_end: dt.date) -> str:
    """The Monday-to-Sunday week that ends on ``week_end``, as a story writes it.

    >>> week_range(dt.date(2022, 1, 30))
    'Jan. 24–30, 2022'
    >>> week_range(dt.date(2022, 2, 6))
    'Jan. 31–Feb. 6, 2022'
    >>> week_range(dt.date(2021, 9, 5))
    'Aug. 30–Sept. 5, 2021'
    >>> week_range(dt.date(2022, 1, 2))
    'Dec. 27, 2021–Jan. 2, 2022'
    >>> week_range(dt.date(2023, 6, 18))
    'June 12–18, 2023'
    """
    start = week_end - dt.timedelta(days=6)
    if start.year != week_end.year:
        return f"{day_text(start)}–{day_text(week_end)}"
    if start.month != week_end.month:
        return f"{day_text(start, year=False)}–{day_text(week_end)}"
    return f"{month(start)} {start.day}–{week_end.day}, {week_end.year}"


def figure(value: int) -> str:
    """A Netflix figure in words: millions with up to two decimals, billions from 1,000
    million, smaller numbers in full.

    >>> figure(124_790_000)
    '124.79 million'
    >>> figure(201_910_000), figure(45_100_000), figure(20_000_000)
    ('201.91 million', '45.1 million', '20 million')
    >>> figure(1_200_000_000), figure(1_234_560_000)
    ('1.2 billion', '1.23 billion')
    >>> figure(999_999_999)
    '1 billion'
    >>> figure(800_000)
    '800,000'
    """
    if abs(value) < 1_000_000:
        return f"{value:,}"
    millions = round(value / 1e6, 2)
    if abs(millions) >= 1000:
        return f"{_trim(round(value / 1e9, 2))} billion"
    return f"{_trim(millions)} million"


def _trim(number: float) -> str:
    return f"{number:,.2f}".rstrip("0").rstrip(".")


def ratio(mine: int, theirs: int, name: str) -> str:
    """How ``mine`` compares with ``theirs``: ``about 2× Squid Game's`` or ``about 41% of
    Squid Game's``.

    >>> ratio(124_790_000, 63_190_000, "Squid Game")
    "about 2× Squid Game's"
    >>> ratio(236_230_000, 571_760_000, "Squid Game")
    "about 41% of Squid Game's"
    >>> ratio(100, 100, "Ozark")
    "the same as Ozark's"
    """
    if mine == theirs:
        return f"the same as {possessive(name)}"
    if mine > theirs:
        times = _trim(round(mine / theirs, 1))
        return f"about {times}× {possessive(name)}"
    return f"about {round(100 * mine / theirs)}% of {possessive(name)}"


def possessive(name: str) -> str:
    """``Money Heist: Part 5's``; a name ending in s takes the apostrophe alone.

    >>> possessive("Money Heist: Part 5"), possessive("Bridgerton"), possessive("Lupin")
    ("Money Heist: Part 5's", "Bridgerton's", "Lupin's")
    >>> possessive("All of Us Are Dead"), possessive("Stranger Things")
    ("All of Us Are Dead's", "Stranger Things'")
    """
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def join(items: Sequence[str], sep: str = ", ") -> str:
    """``a``, ``a and b``, ``a, b and c`` (AP: no serial comma). Items that hold commas
    themselves (dates) take ``sep="; "``, and then a list of three or more keeps the
    separator before its last item.

    >>> join(["29"]), join(["29", "63"]), join(["29", "63", "35"])
    ('29', '29 and 63', '29, 63 and 35')
    >>> join(["29 on Jan. 30, 2022", "63 on Feb. 6, 2022"], sep="; ")
    '29 on Jan. 30, 2022 and 63 on Feb. 6, 2022'
    >>> join(["29 on Jan. 30, 2022", "63 on Feb. 6, 2022", "35 on Feb. 13, 2022"], sep="; ")
    '29 on Jan. 30, 2022; 63 on Feb. 6, 2022; and 35 on Feb. 13, 2022'
    """
    if len(items) <= 1:
        return "".join(items)
    last = f"{sep.strip()} and " if sep != ", " and len(items) > 2 else " and "
    return f"{sep.join(items[:-1])}{last}{items[-1]}"


def count(n: int, singular: str, plural: str | None = None) -> str:
    """``1 week``, ``5 weeks``, ``1,234 titles``.

    >>> count(1, "week"), count(5, "week"), count(1234, "country", "countries")
    ('1 week', '5 weeks', '1,234 countries')
    """
    word = singular if n == 1 else (plural or singular + "s")
    return f"{n:,} {word}"
