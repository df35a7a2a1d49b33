"""chartwatch: Netflix Top 10 charts, exact and auditable.

The public Python API. Everything the CLI does is a call to one of these functions::

    import chartwatch
    with chartwatch.open_store("charts.duckdb") as store:
        chartwatch.ingest(store, ["all-weeks-global.tsv"])
        chart = chartwatch.week(store)

Imports are lazy so that ``import chartwatch`` (and ``chartwatch --help``) stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_API = {
    "open_store": "chartwatch.store",
    "Store": "chartwatch.store",
    "ingest": "chartwatch.ingest.load",
    "ingest_payload": "chartwatch.ingest.load",
    "replay": "chartwatch.ingest.replay",
    "update": "chartwatch.ingest.download",
    "load_bundled": "chartwatch.bundled",
    "ensure_data": "chartwatch.bundled",
    "week": "chartwatch.charts",
    "status": "chartwatch.status",
    "history": "chartwatch.history",
    "export": "chartwatch.export",
}

__all__ = ["__version__", *_API]

if TYPE_CHECKING:
    from chartwatch.bundled import ensure_data, load_bundled
    from chartwatch.charts import week
    from chartwatch.export import export
    from chartwatch.history import history
    from chartwatch.ingest.download import update
    from chartwatch.ingest.load import ingest, ingest_payload
    from chartwatch.ingest.replay import replay
    from chartwatch.status import status
    from chartwatch.store import Store, open_store


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'chartwatch' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
