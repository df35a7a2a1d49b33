"""What Netflix's engagement reports tell the renewal model, as known on a given day.

A report covers a half-year and is published months later, so a forecast made on day D may
read a report only if it had been published by D: its half-year ended at least
:data:`PUBLICATION_LAG` before D, and the store had observed it by D. The lag is the longest
Netflix has taken so far: January–June 2023 was published on 2023-12-12 (165 days after the
half-year ended), July–December 2023 on 2024-05-23 (144 days), January–June 2024 on
2024-09-19 (81 days); 24 weeks (168 days) covers them all.

The features of an installment, from its own rows in the reports usable on D (the rows linked
to it, :func:`chartwatch.analytics.runs.engagement_by_title`):

- ``report_global``: 1 if available globally in a report, else 0. A proxy for a Netflix
  original: a licensed show's next season is not Netflix's decision.
- ``report_dated``: 1 if a report gives its release date (Netflix dates its own titles).
- ``release_gap``: log(1 + months from its release date to its first Top 10 week): an old
  season that charts late.
- ``first_half_hours``: log of its hours viewed per day in the report of its release
  half-year, from the release to the half-year's end (none for a season released before
  the first report's half-year).
- ``runtime``: log of its runtime in hours (reports from July 2023 on).

Each is missing (NaN) when no usable report holds the installment; the model then takes the
training mean (:meth:`~chartwatch.forecast.models.RenewalModel.z`).

What the reports tell about titles that never charted: every row of a usable report with a
numbered installment of the same show (``Show: Season 3``), charted or not, dates that show's
next installments. :func:`next_releases` gives, per installment, the earliest release of a
later one: an outcome signal for training (a next season released is a renewal even when it
never entered the Top 10), never a feature.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import numpy as np

from chartwatch.forecast.history import pandas
from chartwatch.forecast.outcomes import DAYS_PER_MONTH, NUMBERED

if TYPE_CHECKING:
    from chartwatch.view import View

PUBLICATION_LAG = dt.timedelta(days=168)  # 24 weeks: the longest lag so far was 165 days
REPORT_FEATURES = ("report_global", "report_dated", "release_gap", "first_half_hours", "runtime")
_ROWS = ("ident", "report", "period_start", "period_end", "usable_from", "available_globally")
_VALUES = ("release_date", "hours_viewed", "runtime_hours")


def usable_from(period_end: dt.date, observed_at: dt.datetime | dt.date) -> dt.date:
    """The first day a report of the half-year ending ``period_end``, observed by the store
    at ``observed_at``, may be read by a forecast."""
    seen = observed_at.date() if isinstance(observed_at, dt.datetime) else observed_at
    return max(period_end + PUBLICATION_LAG, seen)


class Reports:
    """The engagement reports of one view, for the renewal model.

    ``linked``: one row per report row linked to a TV title of the Top 10 (``ident``,
    report, period, ``usable_from``, available_globally, release_date, hours_viewed,
    runtime_hours). ``releases``: every numbered TV installment a report dates, charted or
    not (``show`` folded, ``kind``, ``number``, ``release_date``, ``usable_from``)."""

    def __init__(self, linked: Any, releases: Any) -> None:
        self.linked = linked
        self.releases = releases

    @property
    def empty(self) -> bool:
        return bool(self.linked.empty and self.releases.empty)

    def any_usable(self, day: dt.date) -> bool:
        """True if a report in the view may be read on ``day``."""
        return bool((self.linked["usable_from"] <= day).any())

    def usable_reports(self, day: dt.date) -> tuple[str, ...]:
        return tuple(sorted(set(self.linked.loc[self.linked["usable_from"] <= day, "report"])))


def load_reports(view: View) -> Reports:
    """The reports of ``view`` (those its store had observed by its date), made once per
    view and kept with it."""
    return view.derived("forecast_reports", lambda: _build(view))


def _build(view: View) -> Reports:
    from chartwatch.analytics.runs import engagement_by_title

    pd = pandas()
    idents = {t.key: ident for (ident, film), t in view.catalog.titles.items() if not film}
    linked = pd.DataFrame(
        [
            (
                idents[key],
                e.report,
                e.period_start,
                e.period_end,
                usable_from(e.period_end, e.observed_at),
                e.available_globally,
                e.release_date,
                e.hours_viewed,
                e.runtime_hours,
            )
            for key, entries in engagement_by_title(view).items()
            if key in idents
            for e in entries
        ],
        columns=[*_ROWS, *_VALUES],
    )
    return Reports(linked, _releases(view))


def _releases(view: View) -> Any:
    """Every dated numbered TV installment in the view's reports (one SQL query, then the
    labels parsed once per distinct title)."""
    from chartwatch.engagement.link import _YEAR, _row_installment, fold
    from chartwatch.engagement.reports import report_rows

    pd = pandas()
    sql, params = report_rows(view.as_of)
    got = view.store.all(
        f"SELECT DISTINCT r.title, r.release_date, r.period_end, s.observed_at FROM {sql} r "
        "JOIN snapshots s USING (snapshot_id) WHERE r.kind <> 'film' "
        "AND r.release_date IS NOT NULL",
        params,
    )
    parsed: dict[str, tuple[str, str, int] | None] = {}
    out = []
    for title, release, end, seen in got:
        if title not in parsed:
            show, kind, number = _row_installment(title)
            ok = number is not None and kind in NUMBERED
            parsed[title] = (fold(_YEAR.sub("", show)), kind, int(number or 0)) if ok else None
        found = parsed[title]
        if found is not None:
            out.append((*found, release, usable_from(end, seen)))
    return pd.DataFrame(out, columns=["show", "kind", "number", "release_date", "usable_from"])


def report_features(reports: Reports, units: Any, day: dt.date) -> Any:
    """``units`` (title, debut: one row per installment) with :data:`REPORT_FEATURES` as
    known on ``day``: from the reports usable on ``day`` alone."""
    pd = pandas()
    rows = reports.linked[reports.linked["usable_from"] <= day]
    rows = rows.merge(
        units[["title", "debut"]].rename(columns={"title": "ident"}), on="ident", how="inner"
    )
    out = units.drop(columns=[f for f in REPORT_FEATURES if f in units.columns])
    if rows.empty:
        return out.assign(**{f: np.nan for f in REPORT_FEATURES})
    rows = rows.assign(
        dated=rows["release_date"].notna(),
        release=pd.to_datetime(rows["release_date"]),
        start=pd.to_datetime(rows["period_start"]),
        end=pd.to_datetime(rows["period_end"]),
    )
    first = rows["release"].notna() & (rows["release"] >= rows["start"])
    first &= rows["release"] <= rows["end"]
    days = (rows["end"] - rows["release"]).dt.days + 1
    rows["per_day"] = (rows["hours_viewed"] / days).where(first)
    gap = (pd.to_datetime(rows["debut"]) - rows["release"]).dt.days / DAYS_PER_MONTH
    rows["gap"] = np.log1p(gap.clip(lower=0.0))
    agg = rows.groupby("ident").agg(
        report_global=("available_globally", "max"),
        report_dated=("dated", "max"),
        release_gap=("gap", "min"),
        per_day=("per_day", "max"),
        runtime_hours=("runtime_hours", "max"),
    )
    agg["first_half_hours"] = np.log(agg["per_day"])
    agg["runtime"] = np.log(agg["runtime_hours"])
    agg = agg[list(REPORT_FEATURES)].astype(float)
    return out.merge(agg, left_on="title", right_index=True, how="left")


def next_releases(reports: Reports, units: Any, day: dt.date) -> Any:
    """For each of ``units`` (title, show, kind, number, debut), the earliest release date of
    a later installment of its show (the same kind: seasons after a season) given by a
    report usable on ``day`` (None if none): the reports' word that the show was renewed,
    whether or not the next installment charted."""
    from chartwatch.engagement.link import _YEAR, fold

    rel = reports.releases[reports.releases["usable_from"] <= day]
    keyed = units[["title", "show", "kind", "number", "debut"]].assign(
        show=[fold(_YEAR.sub("", s)) for s in units["show"]]
    )
    pairs = keyed.merge(rel, on=["show", "kind"], suffixes=("", "_next"))
    pairs = pairs[
        (pairs["number_next"] > pairs["number"]) & (pairs["release_date"] > pairs["debut"])
    ]
    first = pairs.groupby("title")["release_date"].min()
    found = units["title"].map(first)
    return found.astype(object).where(found.notna(), None)


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
