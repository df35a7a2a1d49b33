"""Parts of pages written in Python rather than Jinja: the large grids, where Jinja's cost
per cell (look-ups, a test and an escape for each of a title page's ~1,400 country-week
cells) was about a third of the page's time. Each writes exactly what its template did
(a test compares every title page with the template's output)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from markupsafe import Markup


def escape(text: str) -> str:
    """``text`` escaped for HTML as Jinja escapes it (markupsafe's five characters), as
    plain ``str``: a ``Markup`` made per cell cost more than the escaping."""
    return (
        str(text)
        .replace("&", "&amp;")
        .replace(">", "&gt;")
        .replace("<", "&lt;")
        .replace("'", "&#39;")
        .replace('"', "&#34;")
    )


def country_grid(footprint: dict[str, Any]) -> Markup:
    """The rows of the title page's country-by-week table: a country's rank in each week
    of ``footprint["weeks"]`` (– not in its Top 10; empty: no list that week)."""
    weeks = footprint["weeks"]
    rows = []
    for country in footprint["countries"]:
        by_week = country["by_week"]
        cells = "".join(
            '<td class="num"></td>'
            if week not in by_week
            else f'<td class="num">{"–" if by_week[week] is None else by_week[week]}</td>'
            for week in weeks
        )
        rows.append(
            f'  <tr><th scope="row">{escape(country["name"])}</th>'
            f"<td>{escape(country['whole_run'])}</td>\n{cells}</tr>\n"
        )
    return Markup("".join(rows))


def week_options(weeks: list[str], selected: str) -> Markup:
    """The week picker's ``<option>`` elements (about 156 weeks), ``selected`` marked."""
    return _options(((week, week) for week in weeks), selected)


def country_options(countries: list[dict[str, Any]], selected: str | None) -> Markup:
    """The country picker's ``<option>`` elements (about 94), ``selected`` (ISO) marked."""
    return _options(((c["iso2"], c["name"]) for c in countries), selected)


def _options(choices: Iterable[tuple[str, str]], selected: str | None) -> Markup:
    return Markup(
        "".join(
            f'<option value="{escape(value)}"{" selected" if value == selected else ""}>'
            f"{escape(text)}</option>"
            for value, text in choices
        )
    )
