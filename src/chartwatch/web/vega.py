"""The pages' charts as Vega, compiled on the server.

The chart definitions are Vega-Lite (:mod:`chartwatch.render.charts`, the same ones
``chartwatch plot`` writes and the pages' JSON shows). The HTML pages send them compiled to
Vega by vl-convert, so a browser needs only ``vega.min.js`` (about 180 KB compressed) and not
the Vega-Lite compiler and vega-embed as well (another 100 KB): the title page's first load
stays under 250 KB. Compiling takes about 10 ms, once per page and copy of the store (the
answer is cached).
"""

from __future__ import annotations

from typing import Any

from chartwatch.render.charts import ATLAS_URL, VEGA_LITE_VERSION


def vega_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """The Vega specification of the Vega-Lite ``spec``, with the world map read from its
    versioned static address."""
    import vl_convert as vlc

    from chartwatch.web.http import static_url

    out: dict[str, Any] = vlc.vegalite_to_vega(spec, vl_version=VEGA_LITE_VERSION)
    out.pop("$schema", None)  # no reference to a remote schema in the pages
    atlas = static_url(ATLAS_URL.removeprefix("/static/"))
    for data in out.get("data", []):
        if data.get("url") == ATLAS_URL:
            data["url"] = atlas
    return out
