"""``chartwatch greenlight``: will there be another season? One installment, or all of them.

The forecast for an installment as of a date uses only what had been published by then:
the history of that view, outcomes censored at its last week, a model trained on it, and the
installment's own first N weeks (fewer when fewer have been published: the model is then
trained on as many weeks).
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from chartwatch.errors import NotFoundError
from chartwatch.forecast.features import DEFAULT_WEEKS, MODEL_FEATURES, features, forecast_week
from chartwatch.forecast.history import History, load_history
from chartwatch.forecast.models import HORIZONS, RenewalModel, fit
from chartwatch.forecast.outcomes import DAYS_PER_MONTH, outcomes
from chartwatch.results import Tabular, jsonable
from chartwatch.store.store import Store
from chartwatch.titles import Show, resolve

COMPARABLES = 5
MIN_RENEWALS = 5
FACTORS = 3


def training_set(history: History, n: int = DEFAULT_WEEKS) -> Any:
    """Every eligible installment of ``history`` whose first ``n`` weeks are known, with its
    features and its outcome as known at the history's last week."""
    o = outcomes(history)
    return features(history, o[o.eligible], n)


@dataclass
class Status:
    """What has happened so far. ``state``: ``charted`` (the next installment charted),
    ``waiting``, ``no_known_debut`` or ``reentry`` (no forecast for these two)."""

    state: str
    text: str
    next_season: str | None = None
    next_week: dt.date | None = None
    months: float | None = None  # debut → next installment, or debut → the view's last week


@dataclass
class Factor:
    feature: str
    value: float
    effect: str  # "raises" or "lowers"
    hazard_ratio: float  # this feature's multiplier on the renewal rate vs an average one
    text: str


@dataclass
class Comparable:
    """A past installment with similar early weeks, and what happened to it."""

    season: str
    show: str
    debut: dt.date
    distance: float
    renewed: bool
    months: float
    next_season: str | None
    outcome: str


@dataclass
class Greenlight(Tabular):
    """One installment's renewal forecast. ``comparables`` is the table."""

    season: str
    show: str
    category: str
    installment: dict[str, Any]
    as_of: dt.date | None
    data_through: dt.date  # the last week of the lists in this view
    debut: dt.date | None
    weeks_used: int | None  # the first N weeks the forecast reads
    p_next_within: dict[int, float] | None  # months after the debut -> probability
    p_next_within_given_not_yet: dict[int, float | None] | None  # same, given none so far
    status: Status
    factors: list[Factor] = field(default_factory=list)
    comparables: list[Comparable] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)
    model: dict[str, Any] = field(default_factory=dict)
    run_forecast: dict[str, Any] | None = None

    def table_rows(self) -> list[dict[str, Any]]:
        return [jsonable(c) for c in self.comparables]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = jsonable(self)
        for key in ("p_next_within", "p_next_within_given_not_yet"):
            if out[key] is not None:
                out[key] = {str(k): v for k, v in out[key].items()}
        return out


@dataclass
class Watchlist(Tabular):
    """``chartwatch greenlight --all``: every installment the store can forecast."""

    as_of: dt.date | None
    data_through: dt.date
    forecasts: list[Greenlight]

    def table_rows(self) -> list[dict[str, Any]]:
        rows = []
        for g in self.forecasts:
            p = g.p_next_within or {}
            rows.append(
                {
                    "season": g.season,
                    "category": g.category,
                    "debut": g.debut,
                    "weeks_used": g.weeks_used,
                    **{f"p_{h}": p.get(h) for h in HORIZONS},
                    "status": g.status.state,
                    "months": g.status.months,
                }
            )
        return rows

    def to_list(self) -> list[dict[str, Any]]:
        return [g.to_dict() for g in self.forecasts]


# -- the model per view ------------------------------------------------------------------
_MODELS: dict[tuple[Any, ...], tuple[RenewalModel, Any]] = {}
_INSTALLMENTS: dict[tuple[Any, ...], Greenlight | None] = {}


def model_for(history: History, n: int) -> tuple[RenewalModel, Any]:
    """The model of the first ``n`` weeks trained on ``history``, and its training set
    (cached while ``history`` is)."""
    key = (*history.key, history.cutoff, n)
    if key not in _MODELS:
        train = training_set(history, n)
        renewals = int(train["event"].sum())
        if renewals < MIN_RENEWALS:
            raise NotFoundError(
                f"the lists to {history.last_week} show {renewals} renewal"
                f"{'s' if renewals != 1 else ''} among {len(train)} installments: too few to "
                f"learn from (at least {MIN_RENEWALS})"
            )
        if len(_MODELS) > 16:
            _MODELS.clear()
        _MODELS[key] = (fit(train), train)
    return _MODELS[key]


def _months(a: dt.date, b: dt.date) -> float:
    return (b - a).days / DAYS_PER_MONTH


def _status(row: Any, history: History, table: Any) -> Status:
    debut = row["debut"]
    if not row["known_debut"]:
        return Status(
            "no_known_debut",
            f"already in the Top 10 in the first week of the lists ({history.first_week}): "
            "its run began earlier, so there is no debut to forecast from",
        )
    if row["reentry"]:
        later = table[
            (table["show"] == row["show"])
            & (table["number"] > row["number"])
            & (table["debut"] <= debut + dt.timedelta(weeks=2))
        ].sort_values("debut")
        with_ = later.iloc[0] if len(later) else None
        text = f"catalogue re-entry: first listed in the week of {debut}"
        if with_ is not None:
            text += f", pulled back by {with_['title']} (first listed {with_['debut']})"
        return Status("reentry", text + "; not a debut, so no forecast")
    months = float(row["months"])
    if row["event"]:
        return Status(
            "charted",
            f"next installment charted: {row['next_title']} entered the Top 10 in the week of "
            f"{row['next_week']}, {months:.0f} months after the debut",
            row["next_title"],
            row["next_week"],
            round(months, 1),
        )
    return Status(
        "waiting",
        f"no next installment in the Top 10 after {months:.0f} months "
        f"(lists to {history.last_week})",
        months=round(months, 1),
    )


def _factor_text(feature: str, value: float, row: Any, n: int) -> str:
    if feature == "debut_level":
        return f"debut week at {math.exp(value):.1f}× a typical Top 10 week of its list"
    if feature == "early_level":
        return f"first {n} weeks worth {math.exp(value):.1f} typical Top 10 weeks"
    if feature == "peak_rank":
        return f"peaked at No. {value:.0f}"
    if feature == "weeks_top10":
        return f"{value:.0f} of its first {n} weeks in the Top 10"
    if feature == "decay":
        return f"week {n} at {math.exp(value):.0%} of its best week"
    if feature == "no1_weeks":
        return f"{value:.0f} week{'s' if value != 1 else ''} at No. 1"
    if feature == "non_english":
        return "a non-English series" if value else "an English-language series"
    if feature == "installment":
        return f"{row['kind']} {row['number']} of its show"
    return f"{feature} = {value:g}"  # pragma: no cover


def _factors(model: RenewalModel, rows: Any, n: int) -> list[list[Factor]]:
    contrib = model.contributions(rows)
    out = []
    for i in range(len(rows)):
        c = contrib.iloc[i]
        row = rows.iloc[i]
        top = c.abs().sort_values(ascending=False).index[:FACTORS]
        items = []
        for feat in top:
            if abs(float(c[feat])) < 1e-9:
                continue
            effect = "raises" if c[feat] > 0 else "lowers"
            value = float(row[feat])
            items.append(
                Factor(
                    feat,
                    round(value, 3),
                    effect,
                    round(math.exp(float(c[feat])), 2),
                    f"{_factor_text(feat, value, row, n)}: {effect} the chance",
                )
            )
        out.append(items)
    return out


def _outcome_text(row: Any) -> str:
    if row["event"]:
        return f"{row['next_title']} charted {row['months']:.0f} months later"
    return f"no next installment after {row['months']:.0f} months"


def _comparables(model: RenewalModel, rows: Any, train: Any) -> list[list[Comparable]]:
    z_rows = model.z(rows).to_numpy()
    z_train = model.z(train).to_numpy()
    dist = np.sqrt(((z_rows[:, None, :] - z_train[None, :, :]) ** 2).sum(axis=2))
    shows = train["show"].to_numpy()
    debuts = train["debut"].to_numpy()
    out = []
    for i in range(len(rows)):
        row = rows.iloc[i]
        d = dist[i].copy()
        d[(shows == row["show"]) | (debuts >= row["debut"])] = np.inf
        picks = [j for j in np.argsort(d, kind="mergesort")[:COMPARABLES] if np.isfinite(d[j])]
        out.append(
            [
                Comparable(
                    season=str(train.iloc[j]["title"]),
                    show=str(train.iloc[j]["show"]),
                    debut=train.iloc[j]["debut"],
                    distance=round(float(d[j]), 2),
                    renewed=bool(train.iloc[j]["event"]),
                    months=round(float(train.iloc[j]["months"]), 1),
                    next_season=train.iloc[j]["next_title"],
                    outcome=_outcome_text(train.iloc[j]),
                )
                for j in picks
            ]
        )
    return out


def _caveats(model: RenewalModel, history: History, n: int, row: Any) -> list[str]:
    notes = [
        f"learnt from {model.n_train} installments and {model.n_events} renewals in the lists "
        f"from {history.first_week} to {history.last_week}; none is followed for more than "
        f"{model.max_months:.0f} months, so the chance beyond that assumes no later renewal",
        "a next installment counts only once it enters the global Top 10; one that misses "
        "the Top 10 looks like no renewal",
        "an older season re-entering the Top 10 with no new season beside it cannot be told "
        "from a debut",
        "in the backtest the model ranked renewals only modestly better than the debut figure "
        "alone (docs/forecast.md): treat the figures as rough",
    ]
    if n < DEFAULT_WEEKS:
        notes.insert(
            0,
            f"only {n} week{'s' if n != 1 else ''} published since the debut: the forecast "
            f"reads those and will change until week {DEFAULT_WEEKS}",
        )
    if row.get("relabelled"):
        notes.append("Netflix now labels it a limited series")
    return notes


def _forecasts(history: History, rows: Any, weeks: int, table: Any) -> list[tuple[Any, Greenlight]]:
    """Forecasts for the outcome ``rows`` (a slice of ``outcomes(history)``)."""
    results = []
    for _, row in rows.iterrows():
        results.append((row, _shell(history, row, table)))
    forecastable = [g for row, g in results if g.status.state in ("charted", "waiting")]
    if not forecastable:
        return results
    avail = {
        g.season: min(weeks, (history.last_week - g.debut).days // 7 + 1)  # type: ignore[operator]
        for g in forecastable
    }
    for n in sorted(set(avail.values())):
        model, train = model_for(history, n)
        subset = rows[rows["title"].isin([s for s, k in avail.items() if k == n])]
        feats = features(history, subset, n)
        elapsed = [
            _months(d, history.last_week) if not e else 0.0
            for d, e in zip(feats["debut"], feats["event"], strict=True)
        ]
        probs = {h: model.p_within(feats, h) for h in HORIZONS}
        given = {h: model.p_within_given(feats, h, elapsed) for h in HORIZONS}
        factors = _factors(model, feats, n)
        comps = _comparables(model, feats, train)
        by_title = {g.season: g for _, g in results}
        for i, (_, frow) in enumerate(feats.iterrows()):
            g = by_title[frow["title"]]
            g.weeks_used = n
            g.p_next_within = {h: round(float(probs[h][i]), 3) for h in HORIZONS}
            g.p_next_within_given_not_yet = (
                None
                if frow["event"]
                else {
                    h: None if np.isnan(given[h][i]) else round(float(given[h][i]), 3)
                    for h in HORIZONS
                }
            )
            g.factors = factors[i]
            g.comparables = comps[i]
            g.caveats = _caveats(model, history, n, frow)
            g.model = {
                "kind": "Cox proportional hazards (lifelines), ridge penalty",
                "penalizer": model.penalizer,
                "features": list(MODEL_FEATURES),
                "trained_on": model.n_train,
                "renewals": model.n_events,
                "max_follow_up_months": round(model.max_months, 1),
                "forecast_week": forecast_week(frow["debut"], n),
            }
    return results


def _shell(history: History, row: Any, table: Any) -> Greenlight:
    return Greenlight(
        season=str(row["title"]),
        show=str(row["show"]),
        category=str(row["category"]),
        installment={"kind": row["kind"], "number": int(row["number"])},
        as_of=history.as_of,
        data_through=history.last_week,
        debut=row["debut"] if row["known_debut"] and not row["reentry"] else None,
        weeks_used=None,
        p_next_within=None,
        p_next_within_given_not_yet=None,
        status=_status(row, history, table),
    )


def greenlight(
    store: Store, query: str, *, as_of: dt.date | None = None, weeks: int = DEFAULT_WEEKS
) -> Greenlight:
    """The renewal forecast for the installment ``query`` names (a show: its latest
    installment with a debut), from what had been published by ``as_of``."""
    history = load_history(store, as_of)
    table = outcomes(history)
    target = resolve(store, query, as_of=as_of)
    if isinstance(target, Show):
        mine = table[table["show"] == target.name]
        if mine.empty:
            raise NotFoundError(f"{target.name!r} has no numbered TV installment in the Top 10")
        pick = mine[mine["eligible"]] if mine["eligible"].any() else mine
        row = pick.sort_values(["debut", "number"]).iloc[[-1]]
    else:
        row = table[table["title"] == target.ident]
        if row.empty:
            kind = "a film" if target.film else f"a {target.installment.kind}"
            if not target.film and target.installment.kind == "limited":
                kind = "a limited series"
            raise NotFoundError(
                f"{target.label!r} is {kind}, or not in the global Top 10: greenlight forecasts "
                "numbered TV installments (seasons, parts, volumes)"
            )
    return _with_run(history, _forecasts(history, row, weeks, table)[0][1])


def forecast_installment(
    store: Store,
    ident: str,
    *,
    as_of: dt.date | None = None,
    through: dt.date | None = None,
    weeks: int = DEFAULT_WEEKS,
) -> Greenlight | None:
    """The renewal forecast of the TV installment ``ident`` (a resolved title's ``ident``),
    from what had been published by ``as_of`` for weeks to ``through``; None when it is not a
    numbered TV installment of the global lists. ``brief`` uses it."""
    history = load_history(store, as_of)
    if through is not None and through < history.last_week:
        history = history.until(through)
    key = (*history.key, history.cutoff, ident, weeks)
    if key not in _INSTALLMENTS:  # a brief asked again answers from memory
        table = outcomes(history)
        row = table[table["title"] == ident]
        result = None
        if not row.empty:
            result = _with_run(history, _forecasts(history, row, weeks, table)[0][1])
        if len(_INSTALLMENTS) > 64:
            _INSTALLMENTS.clear()
        _INSTALLMENTS[key] = result
    return copy.deepcopy(_INSTALLMENTS[key])


def _with_run(history: History, result: Greenlight) -> Greenlight:
    """Add the run forecast of an installment still in the Top 10."""
    last = history.titles.loc[history.titles["title"] == result.season, "last_week"]
    if result.debut is not None and len(last) and last.iloc[0] == history.last_week:
        from chartwatch.forecast.run import forecast_title

        run = forecast_title(history, result.season, False)
        result.run_forecast = run.to_dict() if run is not None else None
    return result


def watchlist(
    store: Store, *, as_of: dt.date | None = None, weeks: int = DEFAULT_WEEKS
) -> Watchlist:
    """The forecast for every installment with a debut in the view, newest debut first."""
    history = load_history(store, as_of)
    table = outcomes(history)
    rows = table[table["eligible"]].sort_values(["debut", "title"], ascending=[False, True])
    forecasts = [g for _, g in _forecasts(history, rows, weeks, table)]
    return Watchlist(as_of=as_of, data_through=history.last_week, forecasts=forecasts)
