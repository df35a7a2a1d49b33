"""chartwatch: Netflix Top 10 charts, exact and auditable.

The public Python API. Everything the CLI does is a call to one of these functions::

    import chartwatch
    with chartwatch.open_store("charts.duckdb") as store:
        chartwatch.ingestion(store, ["all-weeks-global.tsv"])
        chart = chartwatch.week(store)

Imports are lazy so that ``import chartwatch`` (and ``chartwatch --help``) stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_API = {
    "open_store": "chartwatch.store",
    "Store": "chartwatch.store",
    "ingest": "chartwatch.ingestion.load",
    "ingest_payload": "chartwatch.ingestion.load",
    "replay": "chartwatch.ingestion.replay",
    "update": "chartwatch.ingestion.download",
    "load_bundled": "chartwatch.bundled",
    "ensure_data": "chartwatch.bundled",
    "week": "chartwatch.charts",
    "status": "chartwatch.summary",
    "history": "chartwatch.revisions",
    "export": "chartwatch.exports",
}

__all__ = [
    "Store",
    "__version__",
    "ensure_data",
    "export",
    "history",
    "ingest",
    "ingest_payload",
    "load_bundled",
    "open_store",
    "replay",
    "status",
    "update",
    "week",
]

if TYPE_CHECKING:
    from chartwatch.bundled import ensure_data, load_bundled
    from chartwatch.charts import week
    from chartwatch.exports import export
    from chartwatch.ingestion.download import update
    from chartwatch.ingestion.load import ingest, ingest_payload
    from chartwatch.ingestion.replay import replay
    from chartwatch.revisions import history
    from chartwatch.store import Store, open_store
    from chartwatch.summary import status


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'chartwatch' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
