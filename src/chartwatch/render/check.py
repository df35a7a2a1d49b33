"""``chartwatch check`` in the terminal: the text with each claim marked by its verdict,
then one numbered line per claim with its explanation and evidence."""

from __future__ import annotations

import json
from json.encoder import encode_basestring as _string  # as json.dumps writes a str
from typing import TYPE_CHECKING, Any

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.segment import Segment
from rich.text import Text

if TYPE_CHECKING:
    from chartwatch.check import CheckedClaim, Report

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
    parts: list[Text] = [body, Text("")]
    if not report.claims:
        parts.append(Text("No chart claim found.", style="dim"))
    numbers: dict[int, str] = {}  # the claim lines' places in ``parts``: their numbers
    for i, claim in enumerate(report.claims, start=1):
        numbers[len(parts)] = str(i)
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
    return _Lines(parts, numbers)


class _Lines:
    """Texts one after another (as a ``Group`` of them), each distinct one laid out once:
    a long text's repeated claims share their evidence lines, and wrapping each copy again
    was most of the time of printing them. A claim's line (``numbers``: its place → its
    number) is laid out with its number's digits as zeros, shared by the lines that differ
    only in their number (a digit is one cell wide, so they wrap alike), and its number
    written into the first segment."""

    def __init__(self, parts: list[Text], numbers: dict[int, str] | None = None) -> None:
        self.parts = parts
        self.numbers = numbers or {}

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        laid: dict[tuple[object, ...], list[Segment]] = {}
        for place, part in enumerate(self.parts):
            number = self.numbers.get(place)
            if number is not None:
                yield from _numbered(console, options, laid, part, number)
                continue
            key = (part.plain, part.style, tuple(part.spans))
            segments = laid.get(key)
            if segments is None:
                segments = laid[key] = list(console.render(part, options))
            yield from segments


def _numbered(
    console: Console,
    options: ConsoleOptions,
    laid: dict[tuple[object, ...], list[Segment]],
    part: Text,
    number: str,
) -> RenderResult:
    """The segments of a claim's line ``[N] …``: those of the line with N's digits as
    zeros, laid out once, N written into the first."""
    mark, zeros = f"[{number}]", "[" + "0" * len(number) + "]"
    rest = part.plain[len(mark) :]
    key = (zeros + rest, part.style, tuple(part.spans))
    segments = laid.get(key)
    if segments is None:
        shape = part.copy()
        shape.plain = zeros + rest
        segments = laid[key] = list(console.render(shape, options))
    first = segments[0] if segments else None
    if first is None or not first.text.startswith(zeros):  # not as expected: lay it out
        yield from console.render(part, options)
        return
    yield Segment(mark + first.text[len(zeros) :], first.style, first.control)
    yield from segments[1:]


def check_json(report: Report) -> str:
    """``chartwatch check --json``: exactly ``json.dumps(report.to_dict(), indent=2,
    ensure_ascii=False, default=str)``, written faster: what claims share (the same
    judgement's statement, figure, verdict, explanation and evidence rows) is encoded once,
    and each claim's own fields (text, offsets, kind, title) are encoded as the scalars they
    are. A claim repeated through a long text costs one line of its own."""
    from chartwatch.results import jsonable

    memo: dict[tuple[int, Any], str] = {}
    judged: dict[tuple[int, ...], str] = {}

    def once(value: Any, convert: Any = jsonable) -> str:
        key = (id(value), convert)  # the objects live in the report while this runs
        if key not in memo:
            memo[key] = _dumps(convert(value), 3)
        return memo[key]

    def evidence(rows: list[Any]) -> list[dict[str, Any]]:
        return [e.to_dict() for e in rows]

    def verdict(c: CheckedClaim) -> str:
        """The fields a claim has from its judgement, shared by the claims judged as one."""
        key = (id(c.stated), id(c.actual), id(c.verdict), id(c.explanation), id(c.evidence))
        if key not in judged:
            judged[key] = _JUDGED.format(
                once(c.stated),
                once(c.actual),
                _string(c.verdict),
                _string(c.explanation),
                once(c.evidence, evidence),
            )
        return judged[key]

    def claim(c: CheckedClaim) -> str:
        title = "null" if c.title is None else _string(c.title)
        return _CLAIM.format(_string(c.text), c.start, c.end, _string(c.kind), title, verdict(c))

    claims = "[]"
    if report.claims:
        claims = "[\n" + ",\n".join([claim(c) for c in report.claims]) + "\n  ]"
    return f'{{\n  "as_of": {_dumps(jsonable(report.as_of), 1)},\n  "claims": {claims}\n}}'


# a claim as json.dumps(indent=2) lays it out inside the report: its own fields, then those
# of its judgement
_CLAIM = (
    '    {{\n      "text": {},\n      "start": {},\n      "end": {},\n      "kind": {},\n'
    '      "title": {},\n{}\n    }}'
)
_JUDGED = (
    '      "stated": {},\n      "actual": {},\n      "verdict": {},\n'
    '      "explanation": {},\n      "evidence": {}'
)


def _dumps(value: Any, level: int) -> str:
    """``value`` as JSON with an indent of 2, for a place ``level`` deep in a document."""
    text = json.dumps(value, indent=2, ensure_ascii=False, default=str)
    return text.replace("\n", "\n" + "  " * level) if "\n" in text else text
