"""``chartwatch greenlight``: will there be another season? One installment, or all of them.

The forecast for an installment as of a date uses only what had been published by then:
the history of that view, outcomes censored at its last week, a model trained on it, and the
installment's own first N weeks (fewer when fewer have been published: the model is then
trained on as many weeks).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Any

import numpy as np

from chartwatch.errors import NotFoundError
from chartwatch.forecast.documents import (
    HORIZONS,
    NEXT,
    Comparable,
    Factor,
    Greenlight,
    Status,
    Watchlist,
    not_numbered,
)
from chartwatch.forecast.features import DEFAULT_WEEKS, MODEL_FEATURES, features, forecast_week
from chartwatch.forecast.history import History, load_history
from chartwatch.forecast.models import RenewalModel, fit
from chartwatch.forecast.outcomes import DAYS_PER_MONTH, outcomes
from chartwatch.forecast.report_features import (
    MIN_REPORT_RENEWALS,
    Reports,
    load_reports,
    model_features,
    report_features,
    report_training,
    reported_next,
)
from chartwatch.titles import Show, Title

if TYPE_CHECKING:
    from chartwatch.view import View

__all__ = ["Comparable", "Factor", "Greenlight", "Status", "Watchlist", "model_for"]

COMPARABLES = 5
MIN_RENEWALS = 5
FACTORS = 3


def training_set(history: History, n: int = DEFAULT_WEEKS, reports: Reports | None = None) -> Any:
    """Every eligible installment of ``history`` whose first ``n`` weeks are known, with its
    features and its outcome as known at the history's last week; with ``reports``, the
    report features as known then too."""
    o = outcomes(history)
    return _with_reports(features(history, o[o.eligible], n), history, reports, n)


def reads_reports(history: History, reports: Reports | None) -> bool:
    """True if the model of ``history`` reads the engagement reports: some report had been
    published by its last week."""
    return reports is not None and reports.any_usable(history.last_week)


def _with_reports(rows: Any, history: History, reports: Reports | None, n: int) -> Any:
    if reports is None or not reads_reports(history, reports):
        return rows
    return report_features(reports, rows, history.last_week, n)


# -- the model per view ------------------------------------------------------------------


def model_for(history: History, n: int, reports: Reports | None = None) -> tuple[RenewalModel, Any]:
    """The model of the first ``n`` weeks trained on ``history``, and its training set
    (kept with ``history``, so with its view). With ``reports`` published by the history's
    last week, it reads :data:`REPORT_FEATURES` too."""
    used = reads_reports(history, reports)
    key = ("renewal", n, used)
    if key not in history.memo:
        train = training_set(history, n, reports)
        renewals = int(train["event"].sum())
        if renewals < MIN_RENEWALS:
            raise NotFoundError(
                f"the lists to {history.last_week} show {renewals} renewal"
                f"{'s' if renewals != 1 else ''} among {len(train)} installments: too few to "
                f"learn from (at least {MIN_RENEWALS})"
            )
        history.memo[key] = (fit(train, model_features(train, MODEL_FEATURES)), train)
    result: tuple[RenewalModel, Any] = history.memo[key]
    return result


def _reports_caveat(known: dict[str, Any]) -> str:
    text = (
        f"it reads the engagement reports published by each installment's forecast week: "
        f"{known['installments']} training installments had them then, with "
        f"{known['renewals']} renewal{'s' if known['renewals'] != 1 else ''}"
    )
    if not known["learnt"]:
        return text + f" (too few to learn from: {MIN_REPORT_RENEWALS}), so it is the charts' model"
    return text + "; the backtest could not score them (docs/forecast.md)"


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
    return _report_factor_text(feature, value)


def _report_factor_text(feature: str, value: float) -> str:
    if feature == "report_global":
        return "available globally (a Netflix original?)" if value else "not available globally"
    if feature == "report_dated":
        return "dated by Netflix in its reports" if value else "undated in Netflix's reports"
    if feature == "release_gap":
        return f"first charted {math.expm1(value):.0f} months after its release"
    if feature == "first_half_hours":
        return f"{math.exp(value):,.0f} hours a day in its first half-year"
    if feature == "runtime":
        return f"runtime {math.exp(value):.1f} hours"
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


def _forecasts(
    history: History, rows: Any, weeks: int, table: Any, reports: Reports | None = None
) -> list[tuple[Any, Greenlight]]:
    """Forecasts for the outcome ``rows`` (a slice of ``outcomes(history)``), from the
    model with the report features when ``reports`` had been published by the history's
    last week."""
    results = []
    for _, row in rows.iterrows():
        results.append((row, _shell(history, row, table)))
    if reports is not None and reads_reports(history, reports):
        _reported(results, rows, history, reports)
    forecastable = [g for row, g in results if g.status.state in ("charted", "waiting")]
    if not forecastable:
        return results
    avail = {
        g.season: min(weeks, (history.last_week - g.debut).days // 7 + 1)  # type: ignore[operator]
        for g in forecastable
    }
    read = reads_reports(history, reports)
    names = list(reports.usable_reports(history.last_week)) if reports and read else []
    for n in sorted(set(avail.values())):
        model, train = model_for(history, n, reports)
        subset = rows[rows["title"].isin([s for s, k in avail.items() if k == n])]
        feats = _with_reports(features(history, subset, n), history, reports, n)
        elapsed = [
            _months(d, history.last_week) if not e else 0.0
            for d, e in zip(feats["debut"], feats["event"], strict=True)
        ]
        probs = {h: model.p_within(feats, h) for h in HORIZONS}
        given = {h: model.p_within_given(feats, h, elapsed) for h in HORIZONS}
        # from the view's last week: P(charts by elapsed + h | not by elapsed), the same
        # conditional as p_next_within_given_not_yet with a horizon that moves with the date
        el = np.asarray(elapsed, dtype=float)
        risk = np.exp(model.risk(feats))
        ahead = {
            h: 1.0
            - np.exp(-np.clip(model.cum_hazard(el + h) - model.cum_hazard(el), 0, None) * risk)
            for h in NEXT
        }
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
            g.p_within_next = (
                None if frow["event"] else {h: round(float(ahead[h][i]), 3) for h in NEXT}
            )
            g.factors = factors[i]
            g.comparables = comps[i]
            g.caveats = _caveats(model, history, n, frow)
            if read:
                g.caveats.append(_reports_caveat(report_training(train)))
            g.model = {
                "kind": "Cox proportional hazards (lifelines), ridge penalty",
                "penalizer": model.penalizer,
                "features": list(model.features),
                "reports": names,
                "report_training": report_training(train) if read else None,
                "trained_on": model.n_train,
                "renewals": model.n_events,
                "max_follow_up_months": round(model.max_months, 1),
                "forecast_week": forecast_week(frow["debut"], n),
            }
    return results


def _reported(
    results: list[tuple[Any, Greenlight]], rows: Any, history: History, reports: Reports
) -> None:
    """Add to the status of each installment still waiting for a charted successor the
    later installment a report published by the history's last week dates, if any."""
    waiting = rows[
        rows["title"].isin([g.season for _, g in results if g.status.state == "waiting"])
    ]
    if waiting.empty:
        return
    found = reported_next(reports, waiting, history.last_week)
    for _, g in results:
        nxt = found.get(g.season)
        if nxt is None:
            continue
        g.status.reported_next = nxt
        g.status.text += (
            f"; but Netflix's engagement report {nxt['report']} lists {nxt['installment']}, "
            f"released on {nxt['release_date']}: renewed, though not in the global Top 10"
        )


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


def _with_run(history: History, result: Greenlight) -> Greenlight:
    """Add the run forecast of an installment still in the Top 10."""
    last = history.titles.loc[history.titles["title"] == result.season, "last_week"]
    if result.debut is not None and len(last) and last.iloc[0] == history.last_week:
        from chartwatch.forecast.run import predict_run

        run = predict_run(history, result.season, False)
        result.run_forecast = run.to_dict() if run is not None else None
    return result


def all_forecasts(view: View) -> dict[str, Any]:
    """Every numbered TV installment's renewal forecast in ``view`` (default weeks), as
    JSON: ``titles`` (ident -> the greenlight document), ``shows`` (show -> the ident
    ``greenlight SHOW`` answers for), ``watch`` (the watch list's idents, in order). Computed
    once per view and kept beside the store (the fitting takes seconds)."""
    from chartwatch.view import disk

    kept = disk.read_json(view, "renewal")
    if kept is not None:
        return dict(kept)
    history = load_history(view)
    table = outcomes(history)
    shows: dict[str, str] = {}
    for show, mine in table.groupby("show"):
        pick = mine[mine["eligible"]] if mine["eligible"].any() else mine
        shows[str(show)] = str(pick.sort_values(["debut", "number"]).iloc[-1]["title"])
    watch = table[table["eligible"]].sort_values(["debut", "title"], ascending=[False, True])
    results = _forecasts(history, table, DEFAULT_WEEKS, table, load_reports(view))
    titles = {g.season: _with_run(history, g).to_dict() for _, g in results}
    out = {"titles": titles, "shows": shows, "watch": [str(t) for t in watch["title"]]}
    disk.write_json(view, "renewal", out)
    return out


def greenlight_now(view: View, target: Title | Show, weeks: int) -> Greenlight:
    history = load_history(view)
    table = outcomes(history)
    if isinstance(target, Show):
        mine = table[table["show"] == target.name]
        if mine.empty:
            raise NotFoundError(f"{target.name!r} has no numbered TV installment in the Top 10")
        pick = mine[mine["eligible"]] if mine["eligible"].any() else mine
        row = pick.sort_values(["debut", "number"]).iloc[[-1]]
    else:
        row = table[table["title"] == target.ident]
        if row.empty or target.film:
            raise NotFoundError(not_numbered(target))
    found = _forecasts(history, row, weeks, table, load_reports(view))
    return _with_run(history, found[0][1])


def watchlist_now(view: View, weeks: int) -> Watchlist:
    """The watch list from the first ``weeks`` weeks (not the default: computed now)."""
    history = load_history(view)
    table = outcomes(history)
    rows = table[table["eligible"]].sort_values(["debut", "title"], ascending=[False, True])
    found = [g for _, g in _forecasts(history, rows, weeks, table, load_reports(view))]
    return Watchlist(view.as_of, history.last_week, found, view.describe())
