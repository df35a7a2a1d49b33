"""The original-language titles of the engagement reports, as other names of the Top 10's
titles: what lets a search for "la casa de papel" find Money Heist.

A report gives a non-English title's original name after `` // `` (``Money Heist: Part 5
// La casa de papel: Parte 5``). Each row linked to a Top 10 title
(:mod:`chartwatch.engagement.link`) names that title by its original title; and where the
original title has the same shape as the label (``Show: Installment``), its show part names
the show (``La casa de papel`` for Money Heist).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chartwatch.titles import Show, Title
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
    the shows: made once per view. Empty without reports."""

    def compute() -> OtherNames:
        from chartwatch.analytics.runs import row_links
        from chartwatch.engagement.reports import report_rows

        held = view.store.one("SELECT count(*) FROM engagement_reports")
        if held is None or not held[0]:
            return OtherNames([])
        linked = row_links(view)
        sql, params = report_rows(view.as_of)
        got = view.store.all(
            "SELECT report, kind, title, occurrence, original_title FROM "
            f"{sql} WHERE original_title IS NOT NULL",
            params,
        )
        cat = view.titles
        seen: set[tuple[str, int]] = set()
        names: list[tuple[str, Title | Show]] = []

        def add(name: str, target: Title | Show) -> None:
            if (name, id(target)) not in seen:
                seen.add((name, id(target)))
                names.append((name, target))

        for report, kind, name, occurrence, original in sorted(got):
            key = linked.get((report, kind, name, int(occurrence)))
            title = cat.by_key.get(key) if key else None
            if title is None:
                continue
            add(original, title)
            show = cat.shows.get((title.show, title.film))
            whole = show_part(title.label, title.show, original)
            if show is not None and whole is not None:
                add(whole, show)
        return OtherNames(names)

    return view.derived("original_names", compute)
