"""The renewal forecast's backtest: rolling origins.

At each origin T (a Sunday, every ``step_weeks``) the model is trained on the installments
that debuted before T (their first N weeks published by T). It then scores the installments
that debut in the following ``window_weeks`` whose outcome at the horizon (24 months) is
known by the store's last week, each from its own first N weeks. Installments whose next
season had already charted by then are left out: their outcome was known before the
forecast.

The training outcomes are taken as known at the store's last week (the issue's protocol:
train on what debuted before T). With ``strict`` they are censored at T instead, as a
forecaster at T would have had them; with three years of lists this leaves almost no
renewals to learn from at the origins whose 24-month outcomes are known, and such origins are
reported as skipped.

Two baselines are scored the same way: the **debut figure alone** (a Cox model on
``debut_level`` only) and the **base rate** (the Kaplan–Meier share renewed within 24 months
in the training data, the same for every installment).

Pooled figures count each installment once, scored by the latest origin before its debut;
the model's AUC carries a bootstrap 95 % interval (seeded, so the backtest is reproducible).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from chartwatch.dates import week_ending
from chartwatch.forecast import metrics
from chartwatch.forecast.features import DEFAULT_WEEKS, MODEL_FEATURES, forecast_week
from chartwatch.forecast.history import History, load_history, pandas
from chartwatch.forecast.models import base_rate, fit
from chartwatch.forecast.outcomes import DAYS_PER_MONTH
from chartwatch.forecast.renewal import training_set
from chartwatch.forecast.report_features import (
    REPORT_FEATURES,
    Reports,
    load_reports,
    model_features,
    next_releases,
    report_features,
    with_released,
)
from chartwatch.results import Tabular

if TYPE_CHECKING:
    from chartwatch.view import View

METHODS = ("model", "debut_only", "base_rate")
MIN_EVENTS = 5  # an origin with fewer renewals to learn from is skipped
AIM_AUC = 0.75  # the engagement reports' issue (the first renewal issue asked 0.80)
AIM_TOP = 0.80  # forecasts at or above this…
AIM_TOP_RENEWED = 0.90  # …should come true at least this often


@dataclass
class Score:
    """One method's figures on one set of forecasts."""

    method: str
    n: int
    renewed: int
    auc: float | None  # at the horizon
    brier: float | None
    c_index: float | None
    rated_80: int  # forecasts of 80 % or more
    rated_80_renewed: int

    @property
    def rated_80_share(self) -> float | None:
        return self.rated_80_renewed / self.rated_80 if self.rated_80 else None


@dataclass
class Origin:
    origin: dt.date
    train: int
    train_renewed: int
    test: int
    test_renewed: int
    scores: list[Score] = field(default_factory=list)
    skipped: str | None = None


@dataclass
class Backtest(Tabular):
    """``chartwatch greenlight --backtest``; ``predictions`` is the table (one row per
    origin and installment)."""

    weeks: int
    horizon_months: int
    step_weeks: int
    window_weeks: int
    last_week: dt.date
    origins: list[Origin]
    pooled: list[Score]
    calibration: dict[str, list[metrics.CalibrationBin]]
    auc_interval: tuple[float, float] | None  # the model's pooled AUC, bootstrap 95 %
    strict: bool
    seed: int
    aims: dict[str, Any]
    predictions: list[dict[str, Any]] = field(default_factory=list)
    # the model's inputs, and the engagement reports it read (those published by the
    # view's last week; empty: the charts alone)
    features: list[str] = field(default_factory=list)
    reports: tuple[str, ...] = ()
    # the origins whose training set had enough renewals to learn the report features
    # (:data:`~chartwatch.forecast.report_features.MIN_REPORT_RENEWALS`)
    report_features_learnt: int = 0
    plot: str | None = None

    def table_rows(self) -> list[dict[str, Any]]:
        return self.predictions


def _score(method: str, p: Any, label: Any, months: Any, event: Any) -> Score:
    p = np.asarray(p, dtype=float)
    label = np.asarray(label, dtype=bool)
    top = p >= AIM_TOP
    return Score(
        method=method,
        n=len(p),
        renewed=int(label.sum()),
        auc=_round(metrics.auc(p, label)),
        brier=_round(metrics.brier(p, label)) if len(p) else None,
        c_index=_round(metrics.c_index(months, p, event)),
        rated_80=int(top.sum()),
        rated_80_renewed=int(label[top].sum()),
    )


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


def _truth(history: History, n: int, horizon: int) -> Any:
    """Every eligible installment with its features and its outcome as known at the end."""
    t = training_set(history, n)
    fw = [forecast_week(d, n) for d in t["debut"]]
    known_horizon = [(history.last_week - d).days / DAYS_PER_MONTH >= horizon for d in t["debut"]]
    before = [nw is not None and nw <= w for nw, w in zip(t["next_week"], fw, strict=True)]
    t["testable"] = np.asarray(known_horizon) & ~np.asarray(before, dtype=bool)
    t["label"] = t["event"] & (t["months"] <= horizon)
    return t


def _predict(
    train: Any,
    test: Any,
    horizon: int,
    features: tuple[str, ...],
    penalizer: float | None,
    chart_train: Any = None,
) -> dict[str, Any]:
    """Each method's forecasts for ``test``. With ``chart_train`` (the training set without
    the reports' renewals), the model reads the reports too and ``charts_only`` is the
    model of the charts alone, trained on ``chart_train``."""
    model = fit(train, features, penalizer)
    base = train if chart_train is None else chart_train
    debut = fit(base, ("debut_level",), penalizer)
    out = {
        "model": model.p_within(test, horizon),
        "debut_only": debut.p_within(test, horizon),
        "base_rate": np.full(len(test), base_rate(base, horizon)),
    }
    if chart_train is not None:
        out["charts_only"] = fit(chart_train, MODEL_FEATURES, penalizer).p_within(test, horizon)
    return out


def _with_reports(
    reports: Reports, train: Any, test: Any, day: dt.date, n: int | None, known: dt.date | None
) -> Any:
    """``train`` and ``test`` with the report features as known at each one's forecast week
    and never after ``day`` (the origin); with ``known``, the training outcomes add the next
    installments that the reports usable on ``known`` date."""
    train = report_features(reports, train, day, n)
    if known is not None:
        train = with_released(train, next_releases(reports, train, known))
    return train, report_features(reports, test, day, n)


def origins(history: History, n: int, horizon: int, step_weeks: int) -> list[dt.date]:
    """Origins from three months after the lists begin to the last debut with a known
    ``horizon``-month outcome."""
    last_debut = history.last_week - dt.timedelta(days=horizon * DAYS_PER_MONTH)
    t = week_ending(history.first_week + dt.timedelta(weeks=13))
    out = []
    while t <= last_debut:
        out.append(t)
        t += dt.timedelta(weeks=step_weeks)
    return out


@dataclass
class _Run:
    """One backtest's settings and data (see :func:`backtest`)."""

    history: History
    truth: Any
    reports: Reports | None  # None: the charts alone
    weeks: int
    horizon: int
    window_weeks: int
    strict: bool
    features: tuple[str, ...] | None
    penalizer: float | None
    reported_renewals: bool
    reports_as_of: dt.date | None

    @property
    def methods(self) -> tuple[str, ...]:
        return (*METHODS, "charts_only") if self.reports is not None else METHODS


def _at_origin(run: _Run, t: dt.date) -> tuple[Origin, Any, tuple[str, ...]]:
    """The origin ``t``'s scores, its predictions (None when skipped) and the features the
    model used there."""
    truth, weeks = run.truth, run.weeks
    if run.strict:
        train = training_set(run.history.until(t), weeks)
    else:
        train = truth[[forecast_week(d, weeks) <= t for d in truth["debut"]]]
    window = (truth["debut"] >= t) & (truth["debut"] < t + dt.timedelta(weeks=run.window_weeks))
    test = truth[window & truth["testable"]]
    chart_train = None
    if run.reports is not None:
        chart_train = train
        known = None
        if run.reported_renewals:
            known = t if run.strict else run.history.last_week
        day, n = (t, weeks) if run.reports_as_of is None else (run.reports_as_of, None)
        train, test = _with_reports(run.reports, train, test, day, n, known)
    origin = Origin(t, len(train), int(train["event"].sum()), len(test), int(test["label"].sum()))
    if origin.train_renewed < MIN_EVENTS:
        origin.skipped = f"only {origin.train_renewed} renewals to learn from"
        return origin, None, ()
    if test.empty:
        origin.skipped = "no installment to score"
        return origin, None, ()
    used = run.features or MODEL_FEATURES
    if run.features is None and run.reports is not None:
        used = model_features(train, MODEL_FEATURES)
    preds = _predict(train, test, run.horizon, used, run.penalizer, chart_train)
    for method in run.methods:
        origin.scores.append(
            _score(method, preds[method], test["label"], test["months"], test["event"])
        )
    frame = test[["title", "debut", "label", "event", "months"]].assign(
        origin=t, **{f"p_{m}": preds[m] for m in run.methods}
    )
    return origin, frame, used


def backtest(
    view: View,
    *,
    weeks: int = DEFAULT_WEEKS,
    horizon: int = 24,
    step_weeks: int = 13,
    window_weeks: int = 26,
    strict: bool = False,
    seed: int = 0,
    plot: Path | None = None,
    max_origins: int | None = None,
    features: tuple[str, ...] | None = None,
    penalizer: float | None = None,
    reports: bool | None = None,
    reported_renewals: bool = False,
    reports_as_of: dt.date | None = None,
) -> Backtest:
    """Rolling-origin backtest of the renewal forecast (see the module docstring).

    ``reports``: the model reads the engagement reports too (:data:`REPORT_FEATURES`, as
    published by each installment's forecast week and the origin; learnt at the origins
    whose training set has enough renewals for them), and the model of the charts alone is
    scored beside it as ``charts_only``. None
    (the default): when the view holds a report published by its last week, as
    ``greenlight`` does. ``features`` and ``penalizer`` (default: chosen on each training
    set) let a study compare variants of the model on the same origins
    (``bench/greenlight_variants.py``). For studies too (``bench/greenlight_reports.py``):
    ``reported_renewals`` adds to the training outcomes the next installments the reports
    date (published by the origin with ``strict``, else by the last week), charted or not;
    ``reports_as_of`` reads the reports as published by that day for every installment
    instead of by its forecast week and the origin, which leaks later reports into the
    forecasts: a hindsight study, never a forecast figure."""
    pd = pandas()
    history = load_history(view)
    found = load_reports(view)
    if reports is None:
        reports = found.any_usable(history.last_week)
    run = _Run(
        history=history,
        truth=_truth(history, weeks, horizon),
        reports=found if reports else None,
        weeks=weeks,
        horizon=horizon,
        window_weeks=window_weeks,
        strict=strict,
        features=features,
        penalizer=penalizer,
        reported_renewals=reported_renewals,
        reports_as_of=reports_as_of,
    )
    inputs = features or ((*MODEL_FEATURES, *REPORT_FEATURES) if reports else MODEL_FEATURES)
    methods = run.methods
    results: list[Origin] = []
    rows: list[Any] = []
    learnt = 0
    points = origins(history, weeks, horizon, step_weeks)
    if max_origins is not None:
        points = points[-max_origins:]
    for t in points:
        origin, frame, used = _at_origin(run, t)
        results.append(origin)
        if frame is not None:
            rows.append(frame)
            learnt += any(f in used for f in REPORT_FEATURES)
    table = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    pooled, calibration, interval = _pooled(table, methods, seed)
    result = Backtest(
        weeks=weeks,
        horizon_months=horizon,
        step_weeks=step_weeks,
        window_weeks=window_weeks,
        last_week=history.last_week,
        origins=results,
        pooled=pooled,
        calibration=calibration,
        auc_interval=interval,
        strict=strict,
        seed=seed,
        aims=_aims(pooled, horizon),
        predictions=[
            {k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.items()}
            for r in table.to_dict("records")
        ]
        if not table.empty
        else [],
        features=list(inputs),
        report_features_learnt=learnt,
        reports=found.usable_reports(history.last_week) if reports else (),
    )
    if plot is not None and calibration:
        from chartwatch.forecast.plots import calibration_plot

        calibration_plot(result, plot)
        result.plot = str(plot)
    return result


def _pooled(
    table: Any, methods: tuple[str, ...], seed: int
) -> tuple[list[Score], dict[str, list[metrics.CalibrationBin]], tuple[float, float] | None]:
    """Each method's figures over the installments, each once (its latest origin), their
    calibration, and the model's bootstrap AUC interval."""
    pooled: list[Score] = []
    calibration: dict[str, list[metrics.CalibrationBin]] = {}
    if table.empty:
        return pooled, calibration, None
    latest = table.sort_values("origin").groupby("title", as_index=False).last()
    for m in methods:
        pooled.append(
            _score(m, latest[f"p_{m}"], latest["label"], latest["months"], latest["event"])
        )
        calibration[m] = metrics.calibration(latest[f"p_{m}"], latest["label"])
    model = next(s for s in pooled if s.method == "model")
    interval = None
    if model.auc is not None:
        interval = bootstrap_auc(latest["p_model"], latest["label"], seed=seed)
    return pooled, calibration, interval


def _aims(pooled: list[Score], horizon: int) -> dict[str, Any]:
    model = next((s for s in pooled if s.method == "model"), None)
    debut = next((s for s in pooled if s.method == "debut_only"), None)
    charts = next((s for s in pooled if s.method == "charts_only"), None)
    aims = {
        "horizon_months": horizon,
        "auc_at_least": AIM_AUC,
        "auc": model.auc if model else None,
        "auc_met": bool(model and model.auc is not None and model.auc >= AIM_AUC),
        "beats_debut_only": _beats(model, debut),
        "rated_80": model.rated_80 if model else 0,
        "rated_80_renewed_share": _round(model.rated_80_share) if model else None,
        "rated_80_met": bool(
            model and model.rated_80_share is not None and model.rated_80_share >= AIM_TOP_RENEWED
        ),
    }
    if charts is not None:
        aims["beats_charts_only"] = _beats(model, charts)
    return aims


def _beats(a: Score | None, b: Score | None) -> bool:
    return bool(a and b and a.auc is not None and b.auc is not None and a.auc > b.auc)


def bootstrap_auc(
    p: Any, label: Any, *, seed: int = 0, rounds: int = 1000
) -> tuple[float, float] | None:
    """A 95 % percentile interval of the AUC over ``rounds`` resamples (seeded)."""
    rng = np.random.default_rng(seed)
    p = np.asarray(p, dtype=float)
    y = np.asarray(label, dtype=bool)
    values = []
    for _ in range(rounds):
        i = rng.integers(0, len(p), len(p))
        a = metrics.auc(p[i], y[i])
        if a is not None:
            values.append(a)
    if not values:
        return None
    lo, hi = np.percentile(values, [2.5, 97.5])
    return (round(float(lo), 3), round(float(hi), 3))


__all__ = ["MODEL_FEATURES", "Backtest", "Origin", "Score", "backtest"]
