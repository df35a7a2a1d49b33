"""Chart shapes built once and filled many times.

Altair takes tens of milliseconds to build a chart (a map hundreds), so each kind of chart
is built once per kind and options as a *shell*: its JSON with slots where the data, title
and description go (:data:`SLOT`, :func:`slot`). :func:`fill` makes a chart from a shell and
values; a :class:`Shape` holds both unfilled, for the web pages, which fill the shell's
compiled Vega instead (:func:`chartwatch.web.vega.vega_json`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

# A chart's shape is built once per kind and options (Altair takes tens of milliseconds per
# chart, a map hundreds); its data, title and description fill slots in a copy.
SLOT = "\x00slot:{}\x00"


def slot(name: str) -> list[dict[str, str]]:
    """A list of rows to be filled: the slot ``name`` where a chart's data goes."""
    return [{"\x00slot": name}]


class Filled(dict[str, Any]):
    """A chart specification made by filling a shell: the dict itself, and the ``shell``
    (JSON) and the ``slots`` values it was made from, so a compiled form of the shell can be filled
    the same way (the pages' Vega, :func:`chartwatch.web.vega.vega_spec`)."""

    shell: str
    slots: dict[str, Any]


@dataclass(frozen=True)
class Shape:
    """A chart before its shell is filled: the ``shell`` (JSON) and the ``slots``' values.
    :meth:`spec` fills it; a web page fills the shell's compiled Vega instead
    (:func:`chartwatch.web.vega.vega_json`), so the chart itself is never parsed."""

    shell: str
    slots: dict[str, Any]

    def spec(self) -> Filled:
        return fill(self.shell, **self.slots)

    @property
    def description(self) -> str:
        """The chart's description, as the filled spec has it (the pages' captions)."""
        return str(self.slots["description"])


def fill(shell: str, **values: Any) -> Filled:
    """A copy of the chart ``shell`` (JSON) with each slot replaced by its value (see
    :func:`fill_text`), parsed once."""
    out = Filled(json.loads(fill_text(shell, **values)))
    out.shell, out.slots = shell, values
    return out


def fill_text(shell: str, *, sort_keys: bool = False, **values: Any) -> str:
    """The JSON text of the chart ``shell`` (JSON) with each slot replaced by its value: a
    list ``[{"\x00slot": name}]``, a string that is a slot, a slot inside a string, or one
    inside a string literal of an expression (the compiled Vega's sort by the titles'
    order: escaped as JSON.stringify escapes). Done on the text, so nothing is parsed: with
    a shell written with sorted keys and ``sort_keys``, the text is what ``json.dumps`` of
    the filled chart with ``sort_keys=True`` writes."""

    def value(m: re.Match[str]) -> str:
        whole, listed, escaped, inner = m.groups()
        if whole or listed:
            return json.dumps(values[whole or listed], sort_keys=sort_keys)
        if escaped:
            literal = json.dumps(str(values[escaped]), ensure_ascii=False)[1:-1]
            return json.dumps(literal)[1:-1]
        return json.dumps(str(values[inner]))[1:-1]

    return _SLOT_TEXT.sub(value, shell)


# the slots as json.dumps writes them, in the order tried at each position
_SLOT_TEXT = re.compile(
    r'"\\u0000slot:(\w+)\\u0000"'  # a whole string
    r'|\[\{"\\u0000slot": "(\w+)"\}\]'  # a list of rows
    r"|\\\\u0000slot:(\w+)\\\\u0000"  # inside an expression's string literal
    r"|\\u0000slot:(\w+)\\u0000"  # inside a string
)
