"""Answers over a view of the store: a title's run and footprint, records as they stood,
comparisons, fact briefs. Plain functions taking a :class:`chartwatch.View` and returning
typed results whose ``to_dict()`` is the command's JSON; the CLI and web only render them.

``title``, ``records``, ``compare``, ``countries``, ``brief`` and ``search`` are imported on
first use (``from chartwatch.analytics import title``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

_API = {
    "title": "chartwatch.analytics.runs",
    "title_report": "chartwatch.analytics.runs",
    "records": "chartwatch.analytics.records",
    "compare": "chartwatch.analytics.compare",
    "countries": "chartwatch.analytics.countries",
    "brief": "chartwatch.brief",
    "search": "chartwatch.titles.search",
}
__all__ = ["brief", "compare", "countries", "records", "search", "title", "title_report"]

if TYPE_CHECKING:
    from chartwatch.analytics.compare import compare
    from chartwatch.analytics.countries import countries
    from chartwatch.analytics.records import records
    from chartwatch.analytics.runs import title, title_report
    from chartwatch.brief import brief
    from chartwatch.titles.search import search


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'chartwatch.analytics' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
