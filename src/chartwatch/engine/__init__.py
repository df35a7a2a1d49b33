"""The chart engine: Netflix-style Top 10 lists from raw viewing events.

    from chartwatch.engine import Method, build, synth

    synth(["bundled"], "demo", scale=1e-4)              # events calibrated to real charts
    report = build("demo/events.parquet", "demo/catalog.csv", "charts",
                   method=Method(hours_step=(1, 10), views_step=10))

``method`` holds the method (SQL written once), ``pipeline`` the steps of a build,
``runners`` the DuckDB and Spark engines, ``state`` what makes builds incremental,
``output`` Netflix's file formats; ``calibration`` fits viewing to the published charts
and ``synthetic`` writes it as events (``synth``).
See docs/engine.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["BuildReport", "Method", "SynthReport", "build", "synth"]

_API = {
    "build": "chartwatch.engine.pipeline",
    "BuildReport": "chartwatch.engine.pipeline",
    "Method": "chartwatch.engine.method",
    "synth": "chartwatch.engine.synthetic",
    "SynthReport": "chartwatch.engine.synthetic",
}

if TYPE_CHECKING:
    from chartwatch.engine.method import Method
    from chartwatch.engine.pipeline import BuildReport, build
    from chartwatch.engine.synthetic import SynthReport, synth


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'chartwatch.engine' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
