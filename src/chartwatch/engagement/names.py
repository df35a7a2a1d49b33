"""The original-language titles of the engagement reports, as other names of the Top 10's
titles: what lets a search for "la casa de papel" find Money Heist.

A report gives a non-English title's original name after `` // `` (``Money Heist: Part 5
// La casa de papel: Parte 5``). Each row linked to a Top 10 title
(:mod:`chartwatch.engagement.link`) names that title by its original title; and where the
original title has the same shape as the label (``Show: Installment``), its show part names
the show (``La casa de papel`` for Money Heist).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chartwatch.titles import Show, Title, TitleIndex
from chartwatch.titles.search import OtherNames

if TYPE_CHECKING:
    from chartwatch.view import View


def show_part(label: str, show: str, original: str) -> str | None:
    """The original name of ``label``'s show ``show``, when ``original`` (the original title
    of ``label``) splits into as many ``": "`` parts as the label does.

    >>> show_part("Money Heist: Part 5", "Money Heist", "La casa de papel: Parte 5")
    'La casa de papel'
    >>> show_part("Money Heist: Part 5", "Money Heist", "La casa de papel") is None
    True
    """
    parts, own, theirs = label.split(": "), show.split(": "), original.split(": ")
    if label == show or parts[: len(own)] != own or len(theirs) != len(parts):
        return None
    return ": ".join(theirs[: len(own)])


def original_names(view: View) -> OtherNames:
    """Every original-language title of the rows linked to a title of ``view`` (in the
    reports published by its date), naming that title, and the original show names naming
    the shows: made once per view and kept beside the store, so that a new process reads
    the names and their titles' keys instead of the reports. Empty without reports."""

    def compute() -> OtherNames:
        from chartwatch.view import disk

        kept = disk.read_json(view, "original_names")
        if kept is None:
            kept = _read_names(view)
            disk.write_json(view, "original_names", kept)
        return OtherNames(_targets(view.titles, kept))

    return view.derived("original_names", compute)


def _read_names(view: View) -> list[list[Any]]:
    """The original names of ``view`` read from the store, in order, each once per what it
    names: ``[name, title key]`` for a title, ``[name, show name, film]`` for a show."""
    from chartwatch.analytics.runs import row_links
    from chartwatch.engagement.reports import report_rows

    held = view.store.one("SELECT count(*) FROM engagement_reports")
    if held is None or not held[0]:
        return []
    linked = row_links(view)
    sql, params = report_rows(view.as_of)
    got = view.store.all(
        "SELECT report, kind, title, occurrence, original_title FROM "
        f"{sql} WHERE original_title IS NOT NULL",
        params,
    )
    cat = view.titles
    seen: set[tuple[Any, ...]] = set()
    names: list[list[Any]] = []

    def add(*row: Any) -> None:
        if row not in seen:
            seen.add(row)
            names.append(list(row))

    for report, kind, name, occurrence, original in sorted(got):
        key = linked.get((report, kind, name, int(occurrence)))
        title = cat.by_key.get(key) if key else None
        if title is None:
            continue
        add(original, title.key)
        show = cat.shows.get((title.show, title.film))
        whole = show_part(title.label, title.show, original)
        if show is not None and whole is not None:
            add(whole, title.show, title.film)
    return names


def _targets(cat: TitleIndex, kept: list[list[Any]]) -> list[tuple[str, Title | Show]]:
    """The names as :func:`_read_names` keeps them, each with the title or show it names."""
    out: list[tuple[str, Title | Show]] = []
    for name, *key in kept:
        target = cat.by_key.get(key[0]) if len(key) == 1 else cat.shows.get((key[0], key[1]))
        if target is not None:
            out.append((name, target))
    return out
