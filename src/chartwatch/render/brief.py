"""A fact brief as Rich text: each fact a sentence, its evidence on dim lines below it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group
from rich.padding import Padding
from rich.text import Text

from chartwatch.render.prose import count

if TYPE_CHECKING:
    from chartwatch.brief import Brief, Evidence

EVIDENCE_LINES = 6  # per fact; --json lists them all


def evidence_line(e: Evidence, subject: str) -> str:
    """``global · TV (Non-English) · week ending 2022-01-30 · No. 1 · 124,790,000 hours ·
    snapshot 264 observed 2024-06-26``; another title's row starts with its name."""
    parts = [] if e.title == subject else [e.title]
    parts.append(e.list)
    if e.country_iso2:
        parts.append(e.country_iso2)
    parts += [e.category, f"week ending {e.week_end.isoformat()}"]
    if e.measure == "countries_no1":
        parts.append(f"No. 1 in {count(e.figure or 0, 'country', 'countries')}")
    elif e.measure == "countries_top10":
        parts.append(f"Top 10 in {count(e.figure or 0, 'country', 'countries')}")
    else:
        if e.rank is not None:
            parts.append(f"No. {e.rank}")
        if e.figure is not None:
            unit = "views" if e.measure == "views" else "hours"
            parts.append(f"{e.figure:,} {unit}")
    parts.append(f"snapshot {e.snapshot_id} observed {e.observed_at:%Y-%m-%d}")
    return " · ".join(parts)


def brief_view(b: Brief) -> Group:
    head = Text(b.label, style="bold")
    head.append(f" · {b.category or 'only in country lists'}", style="")
    if b.vs:
        head.append(f" · vs {b.vs}")
    lines: list[Text | Padding] = [head]
    if b.as_of:
        lines.append(Text(f"as of {b.as_of.isoformat()}: weeks ending on or before it", "dim"))
    for note in b.notes:
        lines.append(Text(f"note: {note}", style="yellow"))
    for fact in b.facts:
        lines.append(Text(""))
        lines.append(Text(fact.text))
        for e in fact.evidence[:EVIDENCE_LINES]:
            lines.append(Padding(Text(evidence_line(e, b.label), style="dim"), (0, 0, 0, 2)))
        more = len(fact.evidence) - EVIDENCE_LINES
        if more > 0:
            lines.append(
                Padding(Text(f"… {more} more (--json lists them all)", style="dim"), (0, 0, 0, 2))
            )
    return Group(*lines)
