"""The pages' charts as Vega, compiled on the server.

The chart definitions are Vega-Lite (:mod:`chartwatch.render.charts`, the same ones
``chartwatch plot`` writes and the pages' JSON shows). The HTML pages send them compiled to
Vega by vl-convert, so a browser needs only ``vega.min.js`` (about 180 KB compressed) and not
the Vega-Lite compiler and vega-embed as well (another 100 KB): the title page's first load
stays under 250 KB. Compiling takes about 10 ms, so it is done once per chart shape: a
page's chart fills the compiled shape with its data (well under a millisecond).
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from chartwatch.render.charts import ATLAS_URL, VEGA_LITE_VERSION
from chartwatch.render.shells import Filled, Shape, fill, fill_text


def vega_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """The Vega specification of the Vega-Lite ``spec``, with the world map read from its
    versioned static address. A spec filled from a chart shell
    (:class:`chartwatch.render.shells.Filled`) fills the shell's Vega, compiled once per
    shell, with the same values: Vega-Lite copies inline data, titles and descriptions into
    the Vega as they are (a test compares both ways on every title)."""
    if isinstance(spec, Filled):
        return fill(_compiled_shell(spec.shell), **spec.slots)
    return _compile(spec)


def vega_json(spec: dict[str, Any] | Shape) -> Markup:
    """The Vega of the Vega-Lite ``spec`` as a page embeds it in a ``<script
    type="application/json">``: the text Jinja's ``vega_spec(spec) | tojson`` writes (keys
    sorted, ``<>&'`` escaped), byte for byte. A chart filled from a shell, or not yet
    filled (a :class:`~chartwatch.render.shells.Shape`: a title page's run and map), fills
    the text of its shell's compiled Vega with its values, so nothing is parsed or dumped
    whole again: for a title page's map (about 60 KB of JSON) that was most of its cost."""
    if isinstance(spec, Filled | Shape):
        text = fill_text(_compiled_shell(spec.shell), sort_keys=True, **spec.slots)
    else:
        text = json.dumps(_compile(spec), sort_keys=True)
    # Jinja's own escaping of ``tojson``, given the text instead of an object to dump
    return htmlsafe_json_dumps(text, dumps=lambda done: done)


@lru_cache(maxsize=256)
def _compiled_shell(shell: str) -> str:
    """The shell compiled to Vega, as JSON with sorted keys (as pages write it)."""
    return json.dumps(_compile(json.loads(shell)), sort_keys=True)


def _compile(spec: dict[str, Any]) -> dict[str, Any]:
    import vl_convert as vlc

    from chartwatch.web.http import static_url

    out: dict[str, Any] = vlc.vegalite_to_vega(spec, vl_version=VEGA_LITE_VERSION)
    out.pop("$schema", None)  # no reference to a remote schema in the pages
    atlas = static_url(ATLAS_URL.removeprefix("/static/"))
    for data in out.get("data", []):
        if data.get("url") == ATLAS_URL:
            data["url"] = atlas
    return out


def warm(width: int | str, map_width: int | str) -> None:
    """Build the run-chart and map shapes and compile them to Vega now (the server's start,
    so its first title pages pay neither Altair nor vl-convert).

    numpy and pandas are imported here too, before any request or job thread: Altair finds
    them in ``sys.modules``, and while a background job (the backtests) is still importing
    them there, a page's chart met a half-made numpy (``partially initialized module``).
    Both come with the forecast extra; without it there is no such job."""
    import contextlib
    import importlib

    for name in ("numpy", "pandas"):
        with contextlib.suppress(ImportError):
            importlib.import_module(name)

    from chartwatch.render import charts

    charts.warm(width, map_width)
    for shell in charts.warm_shells(width, map_width):
        _compiled_shell(shell)
