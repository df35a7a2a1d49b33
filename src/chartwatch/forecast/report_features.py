"""What Netflix's engagement reports tell the renewal model, as known when it forecasts.

A report covers a half-year and is published months later, so a forecast made on day D may
read a report only if it had been published by D: its half-year ended at least
:data:`PUBLICATION_LAG` before D, and the store had observed it by D. The lag is the longest
Netflix has taken so far: January–June 2023 was published on 2023-12-12 (165 days after the
half-year ended), July–December 2023 on 2024-05-23 (144 days), January–June 2024 on
2024-09-19 (81 days); 24 weeks (168 days) covers them all.

Like the chart features, an installment's report features are what was known N weeks after
its debut (its forecast week), and never after the cutoff (a backtest's origin, or the
view's last week). A season that debuts is not in any report by then (a report comes five
months or more after its half-year), so what the reports tell at that time is about its
show: the earlier installments, charted or not, that a published report lists under the
show's name (``Show: Season 2``; the report's numbered rows are read by their label, so a
season that never charted counts too), and the installment itself only when it is an old
season that charts late.

- ``report_global``: 1 if the show's installments are available globally, else 0. A proxy
  for a Netflix original: a licensed show's next season is not Netflix's decision.
- ``report_dated``: 1 if a report gives a release date for them (Netflix dates its own).
- ``release_gap``: log(1 + months from the installment's own release date to its first
  Top 10 week): an old season that charts late.
- ``first_half_hours``: log of the hours viewed per day of the latest of them in the report
  of its release half-year, from the release to the half-year's end (its first half-year).
- ``runtime``: log of the runtime in hours of the latest of them (reports from July 2023).

Each is missing (NaN) when no usable report holds the show; the model then takes the
training mean (:meth:`~chartwatch.forecast.models.RenewalModel.z`). The model learns them
only once the training installments that had them hold :data:`MIN_REPORT_RENEWALS`
renewals (:func:`model_features`); before that it is the charts' model. In the bundled data
34 training installments had one (forecast weeks from December 2023), with one renewal.

Why not features as known at the view's date for every training installment: an old season
still in a 2023 report had 50,000 hours or more that half-year, which a show alive (renewed)
is likelier to have, so those values carry the outcome. Measured that way on the bundled
data, the training set's own time splits rank later debuts worse with the reports than
without (Harrell's C 0.50–0.56 against 0.71).

What the reports tell about seasons that never charted serves the outcome too:
:func:`reported_next` names, per installment, the earliest later one of its show that a
usable report dates, charted or not (``greenlight`` shows it in a waiting installment's
status); :func:`next_releases` and :func:`with_released` count those as renewals in the
training outcomes, a study variant of the backtest only (docs/forecast.md: it scored worse,
the outcome forecast being a next installment that charts).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import numpy as np

from chartwatch.forecast.features import forecast_week
from chartwatch.forecast.history import pandas
from chartwatch.forecast.outcomes import DAYS_PER_MONTH, NUMBERED

if TYPE_CHECKING:
    from chartwatch.view import View

PUBLICATION_LAG = dt.timedelta(days=168)  # 24 weeks: the longest lag so far was 165 days
# the report features are learnt once the training installments that had them at their
# forecast hold this many renewals: ten per feature (the usual events-per-variable rule)
MIN_REPORT_RENEWALS = 50
REPORT_FEATURES = ("report_global", "report_dated", "release_gap", "first_half_hours", "runtime")
ROW_COLUMNS = (
    "show",
    "kind",
    "number",
    "report",
    "period_start",
    "period_end",
    "usable_from",
    "available_globally",
    "release_date",
    "hours_viewed",
    "runtime_hours",
)


def usable_from(period_end: dt.date, observed_at: dt.datetime | dt.date) -> dt.date:
    """The first day a report of the half-year ending ``period_end``, observed by the store
    at ``observed_at``, may be read by a forecast."""
    seen = observed_at.date() if isinstance(observed_at, dt.datetime) else observed_at
    return max(period_end + PUBLICATION_LAG, seen)


class Reports:
    """The numbered TV installments of the engagement reports of one view, for the renewal
    model: ``rows`` has :data:`ROW_COLUMNS` (``show`` folded as
    :func:`chartwatch.engagement.link.fold` folds it, without a year)."""

    def __init__(self, rows: Any) -> None:
        self.rows = rows

    def any_usable(self, day: dt.date) -> bool:
        """True if a report in the view may be read on ``day``."""
        return bool((self.rows["usable_from"] <= day).any())

    def usable_reports(self, day: dt.date) -> tuple[str, ...]:
        return tuple(sorted(set(self.rows.loc[self.rows["usable_from"] <= day, "report"])))


def load_reports(view: View) -> Reports:
    """The reports of ``view`` (those its store had observed by its date), made once per
    view and kept with it."""
    return view.derived("forecast_reports", lambda: _build(view))


def show_key(show: str) -> str:
    """A show's name as the reports' rows and the Top 10's titles are matched."""
    from chartwatch.engagement.link import _YEAR, fold

    return fold(_YEAR.sub("", show))


def _build(view: View) -> Reports:
    """One SQL query over the view's report rows, then each distinct TV title's label parsed
    once (``Show: Season 2``; a title without a numbered installment is left out)."""
    from chartwatch.engagement.link import _row_installment
    from chartwatch.engagement.reports import report_rows

    pd = pandas()
    sql, params = report_rows(view.as_of)
    got = view.store.all(
        "SELECT r.title, r.report, r.period_start, r.period_end, s.observed_at, "
        "r.available_globally, r.release_date, r.hours_viewed, r.runtime_hours "
        f"FROM {sql} r JOIN snapshots s USING (snapshot_id) WHERE r.kind <> 'film'",
        params,
    )
    parsed: dict[str, tuple[str, str, int] | None] = {}
    out = []
    for title, report, start, end, seen, glob, release, hours, runtime in got:
        if title not in parsed:
            show, kind, number = _row_installment(title)
            ok = number is not None and kind in NUMBERED
            parsed[title] = (show_key(show), kind, int(number or 0)) if ok else None
        found = parsed[title]
        if found is not None:
            out.append(
                (*found, report, start, end, usable_from(end, seen), glob, release, hours, runtime)
            )
    rows = pd.DataFrame(out, columns=list(ROW_COLUMNS))
    # numbers even when every value is missing (a store with the first report alone)
    return Reports(rows.astype({"hours_viewed": float, "runtime_hours": float}))


def report_features(reports: Reports, units: Any, cutoff: dt.date, n: int | None) -> Any:
    """``units`` (title, show, kind, number, debut: one row per installment) with
    :data:`REPORT_FEATURES` as known at each one's forecast week (its debut + ``n`` − 1
    weeks), and never after ``cutoff``: from the reports usable by then alone. ``n`` None
    reads every unit as of ``cutoff`` (a hindsight study: see the module's docstring)."""
    pd = pandas()
    out = units.drop(columns=[f for f in REPORT_FEATURES if f in units.columns])
    keyed = units[["title", "show", "kind", "number", "debut"]].assign(
        show=[show_key(s) for s in units["show"]],
        day=[cutoff if n is None else min(forecast_week(d, n), cutoff) for d in units["debut"]],
    )
    rows = keyed.merge(reports.rows, on=["show", "kind"], suffixes=("", "_row"))
    rows = rows[(rows["usable_from"] <= rows["day"]) & (rows["number_row"] <= rows["number"])]
    if rows.empty:
        return out.assign(**{f: np.nan for f in REPORT_FEATURES})
    release = pd.to_datetime(rows["release_date"])
    first = (release >= pd.to_datetime(rows["period_start"])) & (
        release <= pd.to_datetime(rows["period_end"])
    )
    days = (pd.to_datetime(rows["period_end"]) - release).dt.days + 1
    own = rows["number_row"] == rows["number"]
    gap = (pd.to_datetime(rows["debut"]) - release).dt.days / DAYS_PER_MONTH
    rows = rows.assign(
        dated=release.notna(),
        gap=np.log1p(gap.clip(lower=0.0)).where(own),
        per_day=(rows["hours_viewed"] / days).where(first),
    )
    g = rows.groupby("title")
    agg = pd.DataFrame(
        {
            "report_global": g["available_globally"].max().astype(float),
            "report_dated": g["dated"].max().astype(float),
            "release_gap": g["gap"].min(),
            "first_half_hours": np.log(_latest(rows, "per_day")),
            "runtime": np.log(_latest(rows, "runtime_hours")),
        }
    )
    return out.merge(agg, left_on="title", right_index=True, how="left")


def report_training(train: Any) -> dict[str, Any]:
    """How many training installments had a report feature at their forecast, how many of
    them were renewed, and whether that is enough to learn the features from
    (:data:`MIN_REPORT_RENEWALS`)."""
    cols = [f for f in REPORT_FEATURES if f in train.columns]
    known = train[cols].notna().any(axis=1) if cols else train["event"] & False
    renewals = int(train.loc[known, "event"].sum())
    return {
        "installments": int(known.sum()),
        "renewals": renewals,
        "learnt": renewals >= MIN_REPORT_RENEWALS,
    }


def model_features(train: Any, base: tuple[str, ...]) -> tuple[str, ...]:
    """``base`` and, when ``train`` has enough renewals to learn them from, the report
    features (:func:`report_training`)."""
    if report_training(train)["learnt"]:
        return (*base, *(f for f in REPORT_FEATURES if f not in base))
    return base


def _latest(rows: Any, column: str) -> Any:
    """Per title, ``column`` of the latest installment (the highest number) that has it."""
    have = rows[rows[column].notna()].sort_values(["title", "number_row", "report"])
    return have.groupby("title")[column].last().astype(float)


def _later(reports: Reports, units: Any, day: dt.date) -> Any:
    """Per unit (title, show, kind, number, debut), its show's later installment of the same
    kind that a report usable on ``day`` dates after the unit's debut, the earliest first:
    one row per unit that has one (``title``, ``kind``, ``number_next``, ``release_date``,
    ``report``)."""
    rows = reports.rows
    rel = rows[(rows["usable_from"] <= day) & rows["release_date"].notna()]
    keyed = units[["title", "show", "kind", "number", "debut"]].assign(
        show=[show_key(s) for s in units["show"]]
    )
    pairs = keyed.merge(rel, on=["show", "kind"], suffixes=("", "_next"))
    pairs = pairs[
        (pairs["number_next"] > pairs["number"]) & (pairs["release_date"] > pairs["debut"])
    ].sort_values(["title", "release_date", "number_next", "report"])
    return pairs.groupby("title", as_index=False).first()


def next_releases(reports: Reports, units: Any, day: dt.date) -> Any:
    """For each of ``units``, the earliest release date of a later installment of its show
    (the same kind: seasons after a season) given by a report usable on ``day`` (None if
    none): the reports' word that the show was renewed, charted or not."""
    first = _later(reports, units, day).set_index("title")["release_date"]
    found = units["title"].map(first)
    return found.astype(object).where(found.notna(), None)


def reported_next(reports: Reports, units: Any, day: dt.date) -> dict[str, dict[str, Any]]:
    """For each of ``units`` with a later installment dated by a report usable on ``day``,
    the earliest: ``installment`` (``Season 2``), ``release_date``, ``report``."""
    return {
        str(r.title): {
            "installment": f"{str(r.kind).capitalize()} {int(r.number_next)}",
            "release_date": r.release_date,
            "report": str(r.report),
        }
        for r in _later(reports, units, day).itertuples(index=False)
    }


def with_released(table: Any, releases: Any) -> Any:
    """Outcomes ``table`` (event, months, debut) with the reported releases added: a next
    installment released per a report counts as renewed at its release, when that comes
    before any charted one."""
    pd = pandas()
    out = table.copy()
    rel = pd.to_datetime(pd.Series(list(releases), index=out.index))
    rel_months = (rel - pd.to_datetime(out["debut"])).dt.days / DAYS_PER_MONTH
    sooner = rel_months.notna() & (~out["event"] | (rel_months < out["months"]))
    out.loc[sooner, "months"] = rel_months[sooner]
    out.loc[sooner, "event"] = True
    out["reported_renewal"] = sooner
    return out
