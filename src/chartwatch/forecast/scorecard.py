"""The forecasts' backtests as plain documents, for the front ends.

- :func:`missing_extra`: why forecasts cannot run here (the ``forecast`` extra is not
  installed), or None. It imports nothing heavy, so a front end can ask before it tries.
- :func:`backtests`: both backtests (renewal and run) as the one document
  ``chartwatch greenlight --backtest --json`` prints and ``/api/v1/greenlight/backtest``
  answers.
- :func:`headline`: from that document, the few figures shown beside a forecast (the web's
  title page): AUC at the horizon, Brier score and C-index of the renewal model against the
  debut figure alone, the number scored; R² on log total hours and the interval's coverage
  of the run forecast.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chartwatch.forecast.documents import EXTRA_MODULES
from chartwatch.forecast.features import DEFAULT_WEEKS

if TYPE_CHECKING:
    from chartwatch.forecast.backtest import Backtest
    from chartwatch.forecast.run import RunBacktest
    from chartwatch.view import View

INSTALL = "pip install 'chartwatch[forecast]'"


def missing_extra() -> str | None:
    """A one-line reason when the ``forecast`` extra (pandas, lifelines) is not installed,
    else None (the message of :class:`~chartwatch.errors.MissingExtraError`)."""
    from chartwatch.errors import MissingExtraError, require_extra

    try:
        require_extra("forecast", EXTRA_MODULES, "forecasts")
    except MissingExtraError as exc:
        return exc.message
    return None


def backtest_document(renewal: Backtest, runs: RunBacktest) -> dict[str, Any]:
    """``{"renewal": …, "run": …}``: the two backtests without their per-installment
    predictions, each pooled score with its ``rated_80_share`` (docs/json.md)."""
    out = renewal.to_dict()
    out.pop("predictions", None)
    out["pooled"] = [{**vars(s), "rated_80_share": s.rated_80_share} for s in renewal.pooled]
    run_out = runs.to_dict()
    run_out.pop("predictions", None)
    return {"renewal": out, "run": run_out}


def backtests(
    view: View,
    *,
    weeks: int = DEFAULT_WEEKS,
    horizon: int = 24,
    strict: bool = False,
    seed: int = 0,
    plot: Path | None = None,
) -> dict[str, Any]:
    """Both backtests on ``view``, as :func:`backtest_document`: the document of
    ``chartwatch greenlight --backtest``. They take seconds (the run forecast's backtest fits
    a model per origin) and are deterministic (the bootstrap is seeded), so without ``plot``
    the document is kept with the view and beside the store: asking again, from this process
    or another, costs nothing until the next snapshot."""
    from chartwatch.errors import require_extra
    from chartwatch.view import disk

    require_extra("forecast", EXTRA_MODULES, "forecasts")
    name = f"backtest-w{weeks}-h{horizon}-s{int(strict)}-r{seed}"

    def compute() -> dict[str, Any]:
        from chartwatch.forecast.backtest import backtest
        from chartwatch.forecast.run import run_backtest

        if plot is None:
            kept = disk.read_json(view, name)
            if kept is not None:
                return dict(kept)
        renewal = backtest(view, weeks=weeks, horizon=horizon, strict=strict, seed=seed, plot=plot)
        document = backtest_document(renewal, run_backtest(view))
        disk.write_json(view, name, document)
        return document

    if plot is not None:
        return compute()
    return copy.deepcopy(view.derived(name, compute))


def headline(document: dict[str, Any]) -> dict[str, Any]:
    """The figures shown beside the forecasts, from a :func:`backtests` document.

    ``renewal``: ``horizon_months``, ``weeks``, ``last_week``, ``n``, ``renewed``, ``auc``,
    ``auc_interval``, ``brier``, ``c_index`` (the model's pooled figures, each installment
    once), ``charts_only`` (the model without the engagement reports' features, where the
    store holds reports), ``debut_only`` and ``base_rate`` (the baselines' ``auc``,
    ``brier``, ``c_index``),
    ``aims``; None when no origin could be scored. ``run``: ``weeks_used``, ``n``,
    ``r2_log_hours``, ``coverage_hours``, ``r2_log_weeks``, ``coverage_weeks`` of the
    forecast from the most weeks scored, ``public_r2``, and ``by_weeks_used`` (every row);
    None when nothing was scored.
    """
    r = document["renewal"]
    pooled = {s["method"]: s for s in r["pooled"]}
    renewal = None
    if "model" in pooled:
        model = pooled["model"]
        renewal = {
            "horizon_months": r["horizon_months"],
            "weeks": r["weeks"],
            "last_week": r["last_week"],
            "strict": r["strict"],
            "n": model["n"],
            "renewed": model["renewed"],
            "auc": model["auc"],
            "auc_interval": r["auc_interval"],
            "brier": model["brier"],
            "c_index": model["c_index"],
            **{
                method: {k: pooled[method][k] for k in ("auc", "brier", "c_index")}
                for method in ("charts_only", "debut_only", "base_rate")
                if method in pooled
            },
            "aims": r["aims"],
        }
    scored = [s for s in document["run"]["scores"] if s["n"]]
    run = None
    if scored:
        best = max(scored, key=lambda s: s["weeks_used"])
        run = {**best, "public_r2": document["run"]["public_r2"], "by_weeks_used": scored}
    return {"renewal": renewal, "run": run}
