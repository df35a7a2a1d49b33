"""Printing to a terminal safely: data never drives the terminal.

Titles come from files anyone can write. A title holding ``ESC[2J`` printed raw clears the
screen (other sequences move the cursor, rewrite the window title, or worse), and Rich
would read ``[bold]`` or ``[/]`` in a title as its own markup (the second one fails). So
every console chartwatch prints through is a :class:`SafeConsole`: markup is off (our own
styles are given as ``style=``), and each control character in the text it prints is shown
escaped, as ``\\x1b``, ``\\t``, ``\\u2028``… — before layout for plain strings, and for
anything else (a ``Text`` built from data) in the segments Rich renders. A line break in
a cell stays a line break, nothing more. :func:`escape_controls` does the same for one line
of plain text (the ``Error:`` and ``Warning:`` lines).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from rich.console import Console
from rich.segment import Segment
from rich.text import Text

_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROLS_BUT_NEWLINE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def _shown(match: re.Match[str]) -> str:
    return match.group().encode("unicode_escape").decode("ascii")


def escape_controls(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with each control character written as its escape (``\\x1b``, ``\\n``…)."""
    pattern = _CONTROLS_BUT_NEWLINE if keep_newlines else _CONTROLS
    return pattern.sub(_shown, text)


class SafeConsole(Console):
    """A Rich console that shows control characters escaped and reads no markup."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("markup", False)
        kwargs.setdefault("highlight", False)
        super().__init__(**kwargs)

    def render_str(self, text: str, **kwargs: Any) -> Text:
        kwargs["markup"] = False
        return super().render_str(escape_controls(text, keep_newlines=True), **kwargs)

    def render(self, renderable: Any, options: Any = None) -> Iterable[Segment]:
        for segment in super().render(renderable, options):
            text, style, control = segment
            if control or not _CONTROLS_BUT_NEWLINE.search(text):
                yield segment
            else:
                yield Segment(escape_controls(text, keep_newlines=True), style)
