"""chartwatch: Netflix Top 10 charts, exact and auditable.

The public Python API: the functions behind the store's commands and the chart engine's
(the title analytics are in :mod:`chartwatch.analytics`, the forecasts in
:mod:`chartwatch.forecast`)::

    import chartwatch
    with chartwatch.open_store("charts.duckdb") as store:
        chartwatch.ingest(store, ["all-weeks-global.tsv"])
        chart = chartwatch.week(chartwatch.View.of(store))  # the store as of now

The store: ``open_store``, ``ingest``, ``ingest_payload``, ``replay``, ``update``,
``load_bundled``, ``ensure_data``, ``status``, ``history``, ``export``. Every answer is read
through a ``View`` of the store (``View.of(store, as_of)``): ``week(view)``, and the
analytics of :mod:`chartwatch.analytics`.
Charts from viewing events: ``build`` and ``synth`` (from :mod:`chartwatch.engine`, which
also holds ``Method``; see docs/engine.md)::

    import datetime as dt
    from chartwatch.engine import Method
    week = dt.date(2024, 6, 23)
    chartwatch.synth(["bundled"], "demo", scale=1e-4, weeks=(week, week))
    report = chartwatch.build("demo/events.parquet", "demo/catalog.csv", "charts",
                              method=Method(hours_step=(1, 10), views_step=10))

Imports are lazy so that ``import chartwatch`` (and ``chartwatch --help``) stays fast: a
function's module (and DuckDB) is imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_API = {
    "open_store": "chartwatch.store",
    "View": "chartwatch.view",
    "Store": "chartwatch.store",
    "ingest": "chartwatch.ingestion.batch",
    "ingest_payload": "chartwatch.ingestion.load",
    "replay": "chartwatch.ingestion.replay",
    "update": "chartwatch.ingestion.download",
    "load_bundled": "chartwatch.bundled",
    "ensure_data": "chartwatch.bundled",
    "week": "chartwatch.lists",
    "status": "chartwatch.inventory",
    "history": "chartwatch.revisions",
    "export": "chartwatch.exports",
    "build": "chartwatch.engine",
    "synth": "chartwatch.engine",
}

__all__ = [
    "Store",
    "View",
    "__version__",
    "build",
    "ensure_data",
    "export",
    "history",
    "ingest",
    "ingest_payload",
    "load_bundled",
    "open_store",
    "replay",
    "status",
    "synth",
    "update",
    "week",
]

if TYPE_CHECKING:
    from chartwatch.bundled import ensure_data, load_bundled
    from chartwatch.engine import build, synth
    from chartwatch.exports import export
    from chartwatch.ingestion.batch import ingest
    from chartwatch.ingestion.download import update
    from chartwatch.ingestion.load import ingest_payload
    from chartwatch.ingestion.replay import replay
    from chartwatch.inventory import status
    from chartwatch.lists import week
    from chartwatch.revisions import history
    from chartwatch.store import Store, open_store
    from chartwatch.view import View


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'chartwatch' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
