"""Forecasts learnt from the charts, each with its backtest.

- :func:`greenlight` / :func:`watchlist`: will the show's next installment chart, and when
  (a Cox model over the first N weeks); :func:`backtests` scores it and the run forecast on
  rolling origins.
- :func:`run_forecast`: a title's total hours and weeks in the Top 10 from its first one or
  two weeks, for any title with a known debut; :func:`running_forecast`: the same made once
  per view for the titles still in the Top 10, None for the others (what ``title`` shows).
  Below them, :func:`chartwatch.forecast.run.predict_run` is the fitted model's prediction.

Each takes a :class:`chartwatch.View`. The forecasts of a view are made once
(``documents``: the documents and the lookups, which import nothing heavy) and kept with
the view and beside the store. Modules: ``history`` (the chart weeks on a common scale),
``outcomes`` (renewals derived from the data), ``features``, ``report_features`` (what the
engagement reports published by a forecast's date add), ``models``, ``renewal``,
``backtest``, ``run``, ``metrics``, ``plots``. They need the ``forecast`` extra (pandas,
lifelines, matplotlib).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

_API = {
    "greenlight": "chartwatch.forecast.documents",
    "watchlist": "chartwatch.forecast.documents",
    "running_forecast": "chartwatch.forecast.documents",
    "backtests": "chartwatch.forecast.scorecard",
    "run_forecast": "chartwatch.forecast.documents",
}
__all__ = ["backtests", "greenlight", "run_forecast", "running_forecast", "watchlist"]

if TYPE_CHECKING:
    from chartwatch.forecast.documents import greenlight, run_forecast, running_forecast, watchlist
    from chartwatch.forecast.scorecard import backtests


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'chartwatch.forecast' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
