"""Figures: hours viewed or views for a week, a span of weeks, the first week or a run."""

from __future__ import annotations

import datetime as dt

from chartwatch.analytics.runs import TitleReport, Week
from chartwatch.check.claims import Claim, stated_number
from chartwatch.check.facts import Facts, week_of
from chartwatch.check.judge.common import (
    FALSE,
    MEASURE,
    MISLEADING,
    TRUE,
    UNIT,
    UNVERIFIABLE,
    Judgement,
    claim_period,
    ev,
    fig,
    never_charted,
    uncovered,
    week_value,
)
from chartwatch.check.judge.popular import popular_figure
from chartwatch.check.values import Number, Period
from chartwatch.render.prose import figure, week_range
from chartwatch.titles import Title
from chartwatch.vocabulary import VIEWS_FROM


def judge_figure(facts: Facts, c: Claim, t: Title) -> Judgement:
    """A figure for a period (a week, a span of weeks, the first week, week N, the run's
    total or, with no period named, any week or the run's total); the most-popular lists
    for the first 28 or 91 days."""
    stated = stated_number(c)
    assert stated is not None
    measure = MEASURE[c.stated["unit"]]
    report = facts.run(t)
    if c.basis in ("p28", "p91"):
        return popular_figure(facts, c, t, stated, measure)
    if not report.weeks:
        return never_charted(t.label)
    p = claim_period(facts, c, report)
    gap = uncovered(facts, p)
    if gap:
        return Judgement(UNVERIFIABLE, gap)
    picked = _weeks_claimed(c, report, p, measure, t.label)
    if isinstance(picked, Judgement):
        return picked
    if picked is None:
        return _any_week(c, t.label, stated, measure, report.weeks)
    chosen, what = picked
    return _weeks_figure(c, t.label, stated, measure, p, chosen, report.weeks, what)


def _span(p: Period) -> str:
    if p.is_week:
        return f"the week of {week_range(p.weeks[0])}"
    return f"the weeks of {week_range(p.weeks[0])} to {week_range(p.weeks[-1])}"


def _weeks_claimed(
    c: Claim, report: TitleReport, p: Period | None, measure: str, label: str
) -> tuple[list[Week], str] | Judgement | None:
    """The weeks the claim's figure is for and how to name them (its period, its first
    week, its week N, its run): None when the claim names none, a judgement when they
    are not in the store."""
    weeks = report.weeks
    if p is not None:
        chosen = [w for w in weeks if w.week_end in p.weeks]
        what = _span(p)
        if not chosen:
            return Judgement(
                FALSE,
                f"{label} was not in the global Top 10 in {what}; its weeks there end "
                f"{weeks[0].week_end} to {weeks[-1].week_end}.",
                None,
                [ev(label, weeks[0], measure if weeks[0].views else "hours_viewed")],
            )
        return chosen, what
    if c.basis == "debut":
        if report.debut is None or not report.debut.known:
            return Judgement(
                UNVERIFIABLE,
                f"{label} was already in the Top 10 in the lists' first week, so its first "
                "week is not in the store.",
                None,
                [ev(label, weeks[0], "hours_viewed")],
            )
        return [weeks[0]], f"its first week ({week_range(weeks[0].week_end)})"
    if c.basis == "week_n" and c.week_n:
        target = weeks[0].week_end + dt.timedelta(days=7 * (c.week_n - 1))
        w = week_of(report, target)
        if w is None:
            return Judgement(FALSE, f"{label} was not in the Top 10 in its week {c.week_n}.")
        return [w], f"its week {c.week_n} ({week_range(w.week_end)})"
    if c.basis == "total":
        return weeks, f"its {len(weeks)} weeks in the Top 10"
    return None


def _any_week(c: Claim, label: str, stated: Number, measure: str, weeks: list[Week]) -> Judgement:
    """A figure with no period: true for any week it holds for, or the run's total."""
    other = "hours_viewed" if measure == "views" else "views"
    for w in weeks:
        v = week_value(w, measure)
        if v is not None and stated.holds(v):
            return Judgement(
                TRUE,
                f"Netflix published {fig(v, measure)} for {label} in the week of "
                f"{week_range(w.week_end)}.",
                v,
                [ev(label, w, measure)],
            )
    what = f"its {len(weeks)} weeks in the Top 10"
    total = sum(week_value(w, measure) or 0 for w in weeks)
    if total and stated.holds(total):
        return Judgement(
            TRUE,
            f"{label}'s {UNIT[measure]} over {what} add up to {fig(total, measure)}.",
            total,
            [ev(label, w, measure) for w in weeks],
        )
    best = max(weeks, key=lambda w: week_value(w, measure) or week_value(w, other) or 0)
    return _mismatch(c, label, stated, measure, [best], weeks, "its best week")


def _weeks_figure(
    c: Claim,
    label: str,
    stated: Number,
    measure: str,
    p: Period | None,
    chosen: list[Week],
    weeks: list[Week],
    what: str,
) -> Judgement:
    """A figure for the weeks ``chosen``: their sum holds, or not (and why)."""
    values = [week_value(w, measure) for w in chosen]
    if any(v is None for v in values):
        return _no_views(label, stated, measure, chosen, what)
    actual = sum(v or 0 for v in values)
    evidence = [ev(label, w, measure) for w in chosen]
    if p is not None and not p.is_week and len(chosen) < len(p.weeks):
        missing = len(p.weeks) - len(chosen)
        return Judgement(
            UNVERIFIABLE,
            f"{label} was in the Top 10 in only {len(chosen)} of the {len(p.weeks)} weeks "
            f"the dates span ({missing} without a published figure).",
            actual,
            evidence,
        )
    if not stated.holds(actual):
        return _mismatch(c, label, stated, measure, chosen, weeks, what)
    if p is not None and not p.is_week:
        return Judgement(
            MISLEADING,
            f"Netflix's figures for {what} add up to {fig(actual, measure)} (the dates do "
            "not match Netflix's Monday-to-Sunday weeks): the period is not one of its weeks.",
            actual,
            evidence,
        )
    return Judgement(
        TRUE,
        f"Netflix published {fig(actual, measure)} for {label} in {what}.",
        actual,
        evidence,
    )


def _no_views(label: str, stated: Number, measure: str, chosen: list[Week], what: str) -> Judgement:
    """Views claimed for weeks before Netflix published views: the hours' figure (the
    wrong unit), else unverifiable."""
    other = "hours_viewed" if measure == "views" else "views"
    alt = [week_value(w, other) for w in chosen]
    if all(v is not None for v in alt) and stated.holds(sum(v or 0 for v in alt)):
        return Judgement(
            MISLEADING,
            f"Wrong unit: {fig(sum(v or 0 for v in alt), other)} is {label}'s figure "
            f"for {what}; Netflix published no weekly views before the week of "
            f"{week_range(VIEWS_FROM)}.",
            sum(v or 0 for v in alt),
            [ev(label, w, other) for w in chosen],
        )
    return Judgement(
        UNVERIFIABLE,
        f"Netflix published no weekly views for {what}: views start with the week of "
        f"{week_range(VIEWS_FROM)}.",
        None,
        [ev(label, w, other) for w in chosen],
    )


def _mismatch(
    c: Claim,
    label: str,
    stated: Number,
    measure: str,
    chosen: list[Week],
    weeks: list[Week],
    what: str,
) -> Judgement:
    """A figure that is not the one of ``chosen``: the other unit's, another week's, or
    the run's total (misleading), else false."""
    other = "hours_viewed" if measure == "views" else "views"
    actual = sum(week_value(w, measure) or 0 for w in chosen)
    alt = [week_value(w, other) for w in chosen]
    if all(v is not None for v in alt) and stated.holds(sum(v or 0 for v in alt)):
        return Judgement(
            MISLEADING,
            f"Wrong unit: {figure(sum(v or 0 for v in alt))} is {label}'s {UNIT[other]} for "
            f"{what}, not {UNIT[measure]} ({fig(actual, measure)}).",
            actual,
            [ev(label, w, other) for w in chosen] + [ev(label, w, measure) for w in chosen],
        )
    for w in weeks:
        v = week_value(w, measure)
        if v is not None and stated.holds(v) and w not in chosen:
            return Judgement(
                MISLEADING,
                f"Wrong period: that is {label}'s figure for the week of "
                f"{week_range(w.week_end)}; for {what} Netflix published "
                f"{fig(actual, measure)}.",
                actual,
                [ev(label, x, measure) for x in chosen] + [ev(label, w, measure)],
            )
    total = sum(week_value(w, measure) or 0 for w in weeks)
    if len(chosen) < len(weeks) and total and stated.holds(total):
        return Judgement(
            MISLEADING,
            f"Wrong period: {fig(total, measure)} is {label}'s total over its "
            f"{len(weeks)} weeks in the Top 10; for {what} Netflix published "
            f"{fig(actual, measure)}.",
            actual,
            [ev(label, w, measure) for w in weeks],
        )
    return Judgement(
        FALSE,
        f"Netflix published {fig(actual, measure)} for {label} in {what}.",
        actual,
        [ev(label, w, measure) for w in chosen],
    )
