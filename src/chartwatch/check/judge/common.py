"""What every kind of claim is judged with: the verdicts, a :class:`Judgement`, the
evidence rows, a claim's period and the weeks the store covers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from chartwatch.analytics.runs import TitleReport, Week
from chartwatch.brief.types import Evidence
from chartwatch.check.claims import Claim
from chartwatch.check.facts import CountryRow, Facts
from chartwatch.check.values import Period, period
from chartwatch.render.prose import figure
from chartwatch.titles import Show, Title

TRUE, FALSE, MISLEADING, UNVERIFIABLE = "true", "false", "misleading", "unverifiable"
VERDICTS = (TRUE, FALSE, MISLEADING, UNVERIFIABLE)
MEASURE = {"hours": "hours_viewed", "views": "views"}
UNIT = {"hours_viewed": "hours viewed", "views": "views"}


@dataclass
class Judgement:
    """A verdict, its one-sentence explanation, the figure the store has (``actual``) and
    the rows behind it."""

    verdict: str
    explanation: str
    actual: Any = None
    evidence: list[Evidence] = field(default_factory=list)
    title: str | None = None


def ev(label: str, w: Week, measure: str) -> Evidence:
    value = {"hours_viewed": w.hours_viewed, "views": w.views, "rank": None}.get(measure)
    return Evidence(
        "global",
        w.week_end,
        w.category,
        w.rank,
        value,
        measure,
        w.snapshot_id,
        w.observed_at,
        label,
    )


def cev(label: str, r: CountryRow) -> Evidence:
    return Evidence(
        "countries",
        r.week_end,
        r.category,
        r.rank,
        None,
        "rank",
        r.snapshot_id,
        r.observed_at,
        label,
        r.iso2,
    )


def fig(value: float | None, measure: str) -> str:
    return f"{figure(int(value or 0))} {UNIT.get(measure, measure)}"


def week_value(w: Week, measure: str) -> int | None:
    return w.views if measure == "views" else w.hours_viewed


def base_day(facts: Facts) -> dt.date:
    if facts.as_of is not None:
        return facts.as_of
    span = facts.weeks_covered()
    return span[1] + dt.timedelta(days=2) if span else dt.date.today()


def claim_period(facts: Facts, c: Claim, report: TitleReport | None) -> Period | None:
    """The claim's period; a date written without a year takes the year of the title's
    run in which the dates fall in a week it charted (else its first year)."""
    m = c.stated.get("_date")
    if m is None:
        return None
    p = period(m, base_day(facts), None)
    if p is None or p.year_known or m.group("rel") or m.group("iso"):
        return p
    if report is None or not report.weeks:
        return p
    years = sorted({w.week_end.year for w in report.weeks} | {report.weeks[0].week_start.year})
    run = {w.week_end for w in report.weeks}
    shifted = None
    for y in years:
        try:
            cand = Period(p.first.replace(year=y), p.last.replace(year=y), False)
        except ValueError:
            continue
        if cand.last < cand.first:
            cand = Period(cand.first, cand.last.replace(year=y + 1), False)
        if shifted is None:
            shifted = cand
        if set(cand.weeks) & run:
            return cand
        # a release date a few days before the first week
        if c.kind == "release" and 0 <= (report.weeks[0].week_start - cand.first).days < 60:
            return cand
    return shifted or p


def installments(target: Title | Show) -> list[Title]:
    return list(target.titles) if isinstance(target, Show) else [target]


def uncovered(facts: Facts, p: Period | None) -> str | None:
    span = facts.weeks_covered()
    if p is None or span is None:
        return None if span else "The store holds no global lists."
    if p.weeks[-1] < span[0] or p.weeks[0] > span[1]:
        return (
            f"The store's global lists cover the weeks ending {span[0]} to {span[1]}, not "
            f"{p.first:%b %d, %Y}."
        )
    return None


def never_charted(label: str) -> Judgement:
    """A claim about a title that never reached the global Top 10 in this view."""
    return Judgement(FALSE, f"{label} was never in the global Top 10 in this view.")
