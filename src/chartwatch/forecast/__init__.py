"""Forecasts learnt from the charts, each with its backtest.

- :func:`~chartwatch.forecast.renewal.greenlight` / :func:`~chartwatch.forecast.renewal.watchlist`:
  will the show's next installment chart, and when (a Cox model over the first N weeks);
  :func:`~chartwatch.forecast.backtest.backtest` scores it on rolling origins.
- :func:`~chartwatch.forecast.run.run_forecast`: a title's total hours and weeks in the Top 10
  from its first one or two weeks; :func:`~chartwatch.forecast.run.run_backtest` scores it.

Modules: ``history`` (the chart weeks on a common scale), ``outcomes`` (renewals derived
from the data), ``features``, ``models``, ``renewal``, ``backtest``, ``run``, ``metrics``,
``plots``. They need the ``forecast`` extra (pandas, lifelines, matplotlib).
"""
