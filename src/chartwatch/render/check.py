"""``chartwatch check`` in the terminal: the text with each claim marked by its verdict,
then one numbered line per claim with its explanation and evidence."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.text import Text

if TYPE_CHECKING:
    from chartwatch.check import Report

STYLES = {
    "true": "bold green",
    "false": "bold red",
    "misleading": "bold yellow",
    "unverifiable": "bold blue",
}


def check_view(text: str, report: Report) -> RenderableType:
    """The marked text and the list of verdicts."""
    body = Text()
    pos = 0
    for i, claim in enumerate(report.claims, start=1):
        if claim.start < pos:
            continue
        body.append(text[pos : claim.start])
        body.append(text[claim.start : claim.end], style=f"underline {STYLES[claim.verdict]}")
        body.append(f"[{i}]", style=STYLES[claim.verdict])
        pos = claim.end
    body.append(text[pos:])
    parts: list[RenderableType] = [body, Text("")]
    if not report.claims:
        parts.append(Text("No chart claim found.", style="dim"))
    for i, claim in enumerate(report.claims, start=1):
        line = Text(f"[{i}] ")
        line.append(claim.verdict.upper(), style=STYLES[claim.verdict])
        line.append(f" {claim.kind}")
        if claim.title:
            line.append(f" · {claim.title}", style="bold")
        line.append(f": {claim.explanation}")
        parts.append(line)
        for e in claim.evidence[:6]:
            figure = f" · {e.figure:,} {e.measure}" if e.figure is not None else ""
            rank = f" · No. {e.rank}" if e.rank is not None else ""
            where = f" · {e.country_iso2}" if e.country_iso2 else ""
            parts.append(
                Text(
                    f"    {e.list} · {e.category}{where} · week ending {e.week_end}{rank}"
                    f"{figure} · snapshot {e.snapshot_id} observed {e.observed_at:%Y-%m-%d}",
                    style="dim",
                )
            )
        if len(claim.evidence) > 6:
            parts.append(Text(f"    … {len(claim.evidence) - 6} more rows (--json)", style="dim"))
    for note in report.notes:
        parts.append(Text(f"Note: {note}", style="dim"))
    return Group(*parts)
