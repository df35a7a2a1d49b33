"""The run forecast: from a title's first one or two weeks, its total hours in the Top 10 and
its weeks in the Top 10, each with an 80 % interval.

The *run* is the title's weeks in the global Top 10 within 26 weeks of its debut (97 % of the
hours of every title that debuted in the lists). The model is a least-squares line on the log
scale: log total hours and log weeks from the log hours of week 1 (and week 2), the week-1
level against the category's typical week, the ranks, films vs TV, English vs not, and the
views era. A week 2 outside the Top 10 takes the hours of that week's No. 10 (an upper bound)
and a flag. Views, for titles with a runtime, are hours ÷ runtime.

The 80 % interval is calibrated out of time, the way it is used: inside the training data the
model is backtested forward (at inner origins every 13 weeks, fit on the runs complete by the
origin, forecast the titles that debut in the next 26 weeks), and the interval is the forecast
times or divided by the 80th percentile of those forward errors (on the log scale) among titles
of the same category (TV errors are about twice film errors, non-English TV's the largest).
Training data too short for that fall back to one forward split at the median debut. Weeks are
whole numbers: the interval holds the whole weeks inside the calibrated range.

Works for films and TV alike; titles already listed in the lists' first week have no known
debut and are left out.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import astuple, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from chartwatch.errors import NotFoundError
from chartwatch.forecast import metrics
from chartwatch.forecast.documents import Range, RunForecast
from chartwatch.forecast.history import History, load_history, pandas
from chartwatch.results import Tabular

if TYPE_CHECKING:
    from chartwatch.view import View

__all__ = ["Range", "RunForecast", "predict_run", "run_backtest"]

RUN_WEEKS = 26
LEVEL = 0.8  # the interval's coverage
INNER_STEP_WEEKS, INNER_WINDOW_WEEKS = 13, 26  # the inner backtest, as the outer one
MIN_INNER_FIT = 100  # runs an inner model learns from (10 per coefficient)
MIN_FORWARD = 100  # forward errors needed to trust the inner backtest
MIN_GROUP = 20  # forward errors of a category needed for its own width
PUBLIC_R2 = 0.883  # the public model's R² on log total hours from the first two weeks


def _units(history: History, k: int) -> Any:
    """One row per title with a known debut whose first ``k`` weeks are published: inputs
    and, where the run is complete, the targets."""
    pd = pandas()
    w = history.weeks
    t = history.titles[history.titles["first_week"] > history.first_week][
        ["title", "film", "show", "category", "first_week"]
    ].rename(columns={"first_week": "debut"})
    t = t[[d + dt.timedelta(weeks=k - 1) <= history.last_week for d in t["debut"]]]
    w = w.merge(t[["title", "film", "debut"]], on=["title", "film"])
    w["age"] = (pd.to_datetime(w["week"]) - pd.to_datetime(w["debut"])).dt.days // 7
    run = w[w["age"] < RUN_WEEKS]
    totals = run.groupby(["title", "film"], as_index=False).agg(
        total_hours=("hours", "sum"), run_weeks=("week", "size"), runtime=("runtime", "max")
    )
    first = w[w["age"] == 0][["title", "film", "hours", "rank", "level", "week"]]
    first = first.rename(columns={"hours": "h1", "rank": "r1", "level": "level1", "week": "w1"})
    out = t.merge(first, on=["title", "film"]).merge(totals, on=["title", "film"])
    if k >= 2:
        second = w[w["age"] == 1][["title", "film", "hours", "rank"]].rename(
            columns={"hours": "h2", "rank": "r2"}
        )
        out = out.merge(second, on=["title", "film"], how="left")
        out["w2"] = [d + dt.timedelta(weeks=1) for d in out["debut"]]
        floor = history.weeks.groupby(["category", "week"], as_index=False).agg(
            floor_hours=("hours", "min")
        )
        out = out.merge(floor.rename(columns={"week": "w2"}), on=["category", "w2"], how="left")
        out["listed2"] = out["h2"].notna().astype(float)
        out["h2"] = out["h2"].fillna(out["floor_hours"])
        out["r2"] = out["r2"].fillna(11)
    out["complete"] = [
        d + dt.timedelta(weeks=RUN_WEEKS - 1) <= history.last_week for d in out["debut"]
    ]
    return out.reset_index(drop=True)


def _design(units: Any, k: int) -> Any:
    cols = [
        np.ones(len(units)),
        np.log(units["h1"].astype(float)),
        np.log(units["level1"].astype(float)),
        units["r1"].astype(float),
        units["film"].astype(float),
        (units["category"].str.contains("Non-English")).astype(float),
        (units["w1"] >= dt.date(2023, 6, 18)).astype(float),
    ]
    if k >= 2:
        cols += [
            np.log(units["h2"].astype(float)),
            units["r2"].astype(float),
            units["listed2"].astype(float),
        ]
    return np.column_stack(cols)


@dataclass
class RunModel:
    k: int
    coef_hours: Any
    coef_weeks: Any
    # the interval's half-width on the log scale, by category ("" for any other)
    spread_hours: dict[str, float]
    spread_weeks: dict[str, float]
    n_train: int
    calibration: str  # "rolling" (the inner backtest) or "split" (at the median debut)
    n_calibration: int  # the forward errors the widths come from

    def predict(self, units: Any) -> dict[str, Any]:
        x = _design(units, self.k)
        lh = x @ self.coef_hours
        lw = x @ self.coef_weeks
        sh = _spreads(self.spread_hours, units)
        sw = _spreads(self.spread_weeks, units)
        return {
            "log_hours": lh,
            "hours_low": np.exp(lh - sh),
            "hours": np.exp(lh),
            "hours_high": np.exp(lh + sh),
            "log_weeks": lw,
            "weeks_low": np.exp(lw - sw),
            "weeks": np.exp(lw),
            "weeks_high": np.exp(lw + sw),
        }


def _spreads(spread: dict[str, float], units: Any) -> Any:
    return np.array([spread.get(c, spread[""]) for c in units["category"]], dtype=float)


def _ols(x: Any, y: Any) -> Any:
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    return coef


def _forward_errors(x: Any, ys: list[Any], debut: Any, last_week: dt.date) -> tuple[Any, Any, str]:
    """Errors of forecasts made forward in time inside the training data (one column per
    target in ``ys``), the rows they belong to, and how they were made (``rolling`` or
    ``split``).

    The backtest in small: at inner origins every 13 weeks back from ``last_week``, fit on the
    runs complete by the origin (debut at least 25 weeks before it) and forecast the titles
    that debut in the next 26 weeks; each title once, from the latest origin. With fewer than
    ``MIN_FORWARD`` such errors (a short history), one split instead: fit on the titles that
    debuted before the median debut, errors of the others."""
    errors: dict[int, list[float]] = {}
    origin = last_week - dt.timedelta(weeks=INNER_STEP_WEEKS)
    origins = []
    while (debut <= origin - dt.timedelta(weeks=RUN_WEEKS - 1)).sum() >= MIN_INNER_FIT:
        origins.append(origin)
        origin -= dt.timedelta(weeks=INNER_STEP_WEEKS)
    for origin in reversed(origins):  # oldest first: a later origin overwrites
        fit = debut <= origin - dt.timedelta(weeks=RUN_WEEKS - 1)
        test = (debut >= origin) & (debut < origin + dt.timedelta(weeks=INNER_WINDOW_WEEKS))
        cols = [y[test] - x[test] @ _ols(x[fit], y[fit]) for y in ys]
        for i, e in zip(np.flatnonzero(test), np.column_stack(cols), strict=True):
            errors[int(i)] = list(e)
    if len(errors) >= MIN_FORWARD:
        rows = np.array(sorted(errors))
        return rows, np.array([errors[i] for i in rows]), "rolling"
    fit = debut < np.sort(debut)[len(debut) // 2]
    rows = np.flatnonzero(~fit)
    errs = np.column_stack([y[~fit] - x[~fit] @ _ols(x[fit], y[fit]) for y in ys])
    return rows, errs, "split"


def _spread(errors: Any, category: Any) -> dict[str, float]:
    """The 80th percentile of the absolute errors: by category where it has ``MIN_GROUP``
    errors, and over all of them under ``""``."""
    out = {"": float(np.quantile(np.abs(errors), LEVEL))}
    for c in sorted(set(category)):
        mine = errors[category == c]
        if len(mine) >= MIN_GROUP:
            out[str(c)] = float(np.quantile(np.abs(mine), LEVEL))
    return out


def fit_run(history: History, k: int) -> RunModel:
    """Fit on every title of ``history`` whose 26-week run is complete; the interval from
    forward errors inside those titles (see :func:`_forward_errors`)."""
    units = _units(history, k)
    train = units[units["complete"]].reset_index(drop=True)
    if len(train) < 20:
        raise NotFoundError("too few complete runs in this view to learn from")
    x = _design(train, k)
    yh = np.log(train["total_hours"].astype(float).to_numpy())
    yw = np.log(train["run_weeks"].astype(float).to_numpy())
    rows, errors, how = _forward_errors(x, [yh, yw], train["debut"].to_numpy(), history.last_week)
    category = train["category"].to_numpy()[rows]
    return RunModel(
        k,
        _ols(x, yh),
        _ols(x, yw),
        _spread(errors[:, 0], category),
        _spread(errors[:, 1], category),
        len(train),
        how,
        len(rows),
    )


def whole_weeks(estimate: float, low: float, high: float, known: int) -> tuple[int, int, int]:
    """Weeks in the Top 10 as whole numbers (estimate, low, high): the whole weeks inside
    ``[low, high]`` (so a whole number of weeks is inside exactly when it is inside the
    range), at least the ``known`` weeks and at most 26; a range holding no whole week keeps
    its lower bound."""
    lo = min(RUN_WEEKS, max(known, math.ceil(low)))
    hi = max(lo, min(RUN_WEEKS, math.floor(high)))
    return min(hi, max(lo, round(float(estimate)))), lo, hi


def _fmt(x: float) -> str:
    return f"{x / 1e6:,.0f}" if x >= 1e7 else f"{x / 1e6:,.1f}"


def _model(history: History, k: int) -> RunModel:
    key = ("run", k)
    if key not in history.memo:
        history.memo[key] = fit_run(history, k)
    model: RunModel = history.memo[key]
    return model


def predict_run(history: History, title: str, film: bool) -> RunForecast | None:
    """The run forecast of one title in ``history`` (None without a known debut)."""
    row = history.titles[(history.titles["title"] == title) & (history.titles["film"] == film)]
    if row.empty or row.iloc[0]["first_week"] <= history.first_week:
        return None
    debut = row.iloc[0]["first_week"]
    k = 2 if debut + dt.timedelta(weeks=1) <= history.last_week else 1
    units = _units(history, k)
    unit = units[(units["title"] == title) & (units["film"] == film)]
    if unit.empty:
        return None
    model = _model(history, k)
    p = model.predict(unit)
    mine = history.weeks[(history.weeks["title"] == title) & (history.weeks["film"] == film)]
    in_run = mine[[w < debut + dt.timedelta(weeks=RUN_WEEKS) for w in mine["week"]]]
    so_far = int(in_run["hours"].sum())
    weeks_so_far = len(in_run)
    predicted = Range(*(float(p[c][0]) for c in ("hours", "hours_low", "hours_high")))
    whole = whole_weeks(p["weeks"][0], p["weeks_low"][0], p["weeks_high"][0], weeks_so_far)
    weeks = Range(*(float(w) for w in whole))
    # never below what has happened: a run longer than the RUN_WEEKS the model covers (or
    # one with re-entries after them) counts every week it has had in the Top 10, and the
    # forecast is floored at the hours and weeks already published
    long_run = len(mine) > weeks_so_far
    if long_run:
        so_far, weeks_so_far = int(mine["hours"].sum()), len(mine)
        weeks = Range(*([float(weeks_so_far)] * 3))
    hours = Range(*(max(x, float(so_far)) for x in astuple(predicted)))
    runtime = unit.iloc[0]["runtime"]
    views = None
    if runtime is not None and not np.isnan(runtime) and runtime > 0:
        views = Range(hours.estimate / runtime, hours.low / runtime, hours.high / runtime)
    running = bool(mine["week"].max() == history.last_week)
    text = (
        f"on course for about {_fmt(hours.estimate)} million hours in the Top 10, "
        f"between {_fmt(hours.low)} and {_fmt(hours.high)}, over about {weeks.estimate:.0f} "
        f"weeks ({weeks.low:.0f}–{weeks.high:.0f})"
    )
    if so_far > predicted.high:
        text = (
            f"already {_fmt(so_far)} million hours in the Top 10, above what its first "
            f"{k} week{'s' if k > 1 else ''} suggested ({_fmt(predicted.estimate)} million, "
            f"between {_fmt(predicted.low)} and {_fmt(predicted.high)})"
        )
    if long_run:
        text = (
            f"already {_fmt(so_far)} million hours over {weeks_so_far} weeks in the Top 10, "
            f"longer than the {RUN_WEEKS} weeks a run forecast covers"
        )
    return RunForecast(
        title=title,
        film=film,
        debut=debut,
        as_of=history.as_of,
        weeks_used=k,
        running=running,
        hours_so_far=so_far,
        weeks_so_far=weeks_so_far,
        hours=Range(round(hours.estimate), round(hours.low), round(hours.high)),
        views=None
        if views is None
        else Range(round(views.estimate), round(views.low), round(views.high)),
        weeks=weeks,
        text=text,
        caveat=f"from its first {k} week{'s' if k > 1 else ''} only; an 80 % interval: about "
        "one title in five ends outside it (docs/forecast.md)",
    )


# -- backtest -------------------------------------------------------------------------
@dataclass
class RunScore:
    weeks_used: int
    n: int
    r2_log_hours: float | None
    coverage_hours: float | None
    r2_log_weeks: float | None
    coverage_weeks: float | None


@dataclass
class RunBacktest(Tabular):
    """Rolling-origin backtest of the run forecast; ``predictions`` is the table."""

    step_weeks: int
    window_weeks: int
    origins: list[dt.date]
    scores: list[RunScore]
    public_r2: float = PUBLIC_R2
    predictions: list[dict[str, Any]] = field(default_factory=list)

    def table_rows(self) -> list[dict[str, Any]]:
        return self.predictions


def run_backtest(
    view: View,
    *,
    step_weeks: int = 13,
    window_weeks: int = 26,
    max_origins: int | None = None,
) -> RunBacktest:
    """At each origin T: train on the runs complete by T, forecast the titles that debut in
    the next ``window_weeks`` whose run is complete by the store's last week. Each title is
    scored once, by the latest origin before its debut."""
    pd = pandas()
    history = load_history(view)
    last_debut = history.last_week - dt.timedelta(weeks=RUN_WEEKS - 1)
    points = []
    t = history.first_week + dt.timedelta(weeks=RUN_WEEKS + 13)
    while t <= last_debut:
        points.append(t)
        t += dt.timedelta(weeks=step_weeks)
    if max_origins is not None:
        points = points[-max_origins:]
    scores, rows = [], []
    for k in (1, 2):
        truth = _units(history, k)
        truth = truth[truth["complete"]]
        parts = []
        for t in points:
            model = fit_run(history.until(t), k)
            end = t + dt.timedelta(weeks=window_weeks)
            test = truth[(truth["debut"] >= t) & (truth["debut"] < end)]
            if test.empty:
                continue
            p = model.predict(test)
            # the weeks known when the forecast is made: the first, and the second if listed
            known = np.ones(len(test), int) if k == 1 else 1 + test["listed2"].astype(int)
            weeks = np.array(
                [
                    whole_weeks(*w)
                    for w in zip(p["weeks"], p["weeks_low"], p["weeks_high"], known, strict=True)
                ]
            )
            parts.append(
                test[["title", "film", "category", "debut", "total_hours", "run_weeks"]].assign(
                    origin=t,
                    weeks_used=k,
                    **{c: p[c] for c in ("hours", "hours_low", "hours_high", "weeks")},
                    weeks_low=weeks[:, 1],
                    weeks_high=weeks[:, 2],
                )
            )
        if not parts:
            scores.append(RunScore(k, 0, None, None, None, None))
            continue
        df = pd.concat(parts, ignore_index=True)
        df = df.sort_values("origin").groupby(["title", "film"], as_index=False).last()
        scores.append(
            RunScore(
                k,
                len(df),
                round(metrics.r2(np.log(df["total_hours"]), np.log(df["hours"])), 3),
                round(metrics.coverage(df["total_hours"], df["hours_low"], df["hours_high"]), 3),
                round(metrics.r2(np.log(df["run_weeks"]), np.log(df["weeks"])), 3),
                round(metrics.coverage(df["run_weeks"], df["weeks_low"], df["weeks_high"]), 3),
            )
        )
        rows.extend(df.to_dict("records"))
    return RunBacktest(
        step_weeks=step_weeks,
        window_weeks=window_weeks,
        origins=points,
        scores=scores,
        predictions=[
            {k: (round(v, 3) if isinstance(v, float) else v) for k, v in r.items()} for r in rows
        ],
    )
