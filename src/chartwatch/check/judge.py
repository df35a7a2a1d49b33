"""Each claim judged against the store: ``true``, ``false``, ``misleading`` or
``unverifiable``, with one sentence saying why and the published rows it rests on.

Every read of the store goes through :mod:`chartwatch.check.facts`. Figures are compared
within the rounding the text states (``124.79 million`` holds for 124,785,000 to
124,795,000; ``nearly 125 million`` for 112.5 to 125 million); a figure, rank or count
that is right for another unit, week or list is ``misleading`` and the explanation names
which.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chartwatch.analytics.runs import TitleReport, Week
from chartwatch.brief.types import Evidence
from chartwatch.check.extract import Claim, stated_number
from chartwatch.check.facts import Board, CountryRow, Facts, most_popular, week_of
from chartwatch.check.values import Number, Period, period
from chartwatch.dates import week_ending
from chartwatch.render.prose import figure, week_range
from chartwatch.titles import Show, Title
from chartwatch.vocabulary import VIEWS_FROM

TRUE, FALSE, MISLEADING, UNVERIFIABLE = "true", "false", "misleading", "unverifiable"
VERDICTS = (TRUE, FALSE, MISLEADING, UNVERIFIABLE)
_MEASURE = {"hours": "hours_viewed", "views": "views"}
_UNIT = {"hours_viewed": "hours viewed", "views": "views"}


@dataclass
class Judgement:
    """A verdict, its one-sentence explanation, the figure the store has (``actual``) and
    the rows behind it."""

    verdict: str
    explanation: str
    actual: Any = None
    evidence: list[Evidence] = field(default_factory=list)
    title: str | None = None


def _ev(label: str, w: Week, measure: str) -> Evidence:
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


def _cev(label: str, r: CountryRow) -> Evidence:
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


def _fig(value: float | None, measure: str) -> str:
    return f"{figure(int(value or 0))} {_UNIT.get(measure, measure)}"


def _value(w: Week, measure: str) -> int | None:
    return w.views if measure == "views" else w.hours_viewed


def _base(facts: Facts) -> dt.date:
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
    p = period(m, _base(facts), None)
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


def _installments(target: Title | Show) -> list[Title]:
    return list(target.titles) if isinstance(target, Show) else [target]


def judge(facts: Facts, c: Claim) -> Judgement:
    """The verdict on one claim."""
    if c.service and c.kind in ("figure", "rank", "record", "duration"):
        return Judgement(
            UNVERIFIABLE,
            f"The claim is about {c.service}, which Netflix's Top 10 lists do not cover.",
        )
    if c.kind == "figure" and c.stated.get("unit") == "minutes":
        return Judgement(
            UNVERIFIABLE,
            "Netflix publishes hours viewed and views, not minutes watched (a measure of "
            f"{c.source or 'third parties such as Nielsen'}); the store cannot settle it.",
        )
    if c.title is None or c.title.target is None:
        return Judgement(UNVERIFIABLE, "The claim names no title that the store knows.")
    candidates = _installments(c.title.target)
    fn = _JUDGES[c.kind]
    results = []
    for t in candidates:
        result = fn(facts, c, t)
        result.title = t.label
        if result.verdict == TRUE or len(candidates) == 1:
            return result
        results.append((t, result))
    # a show with several installments: the one the claim's period or figure fits, else
    # the latest one to chart
    p = claim_period(facts, c, None)
    for t, result in results:
        if p and any(w in p.weeks for w in (x.week_end for x in facts.run(t).weeks)):
            return result
    order = {MISLEADING: 0, FALSE: 1, UNVERIFIABLE: 2}
    results.sort(key=lambda tr: order.get(tr[1].verdict, 3))
    return results[0][1]


def _uncovered(facts: Facts, p: Period | None) -> str | None:
    span = facts.weeks_covered()
    if p is None or span is None:
        return None if span else "The store holds no global lists."
    if p.weeks[-1] < span[0] or p.weeks[0] > span[1]:
        return (
            f"The store's global lists cover the weeks ending {span[0]} to {span[1]}, not "
            f"{p.first:%b %d, %Y}."
        )
    return None


# -- figures ----------------------------------------------------------------------------


def _figure(facts: Facts, c: Claim, t: Title) -> Judgement:
    stated = stated_number(c)
    assert stated is not None
    measure = _MEASURE[c.stated["unit"]]
    other = "hours_viewed" if measure == "views" else "views"
    report = facts.run(t)
    weeks = report.weeks
    label = t.label
    if c.basis in ("p28", "p91"):
        return _popular(facts, c, t, stated, measure)
    if not weeks:
        return Judgement(FALSE, f"{label} was never in the global Top 10 in this view.")
    p = claim_period(facts, c, report)
    gap = _uncovered(facts, p)
    if gap:
        return Judgement(UNVERIFIABLE, gap)
    chosen: list[Week] | None = None
    what = ""
    if p is not None:
        chosen = [w for w in weeks if w.week_end in p.weeks]
        what = (
            f"the week of {week_range(p.weeks[0])}"
            if p.is_week
            else (f"the weeks of {week_range(p.weeks[0])} to {week_range(p.weeks[-1])}")
        )
        if not chosen:
            return Judgement(
                FALSE,
                f"{label} was not in the global Top 10 in {what}; its weeks there end "
                f"{weeks[0].week_end} to {weeks[-1].week_end}.",
                None,
                [_ev(label, weeks[0], measure if weeks[0].views else "hours_viewed")],
            )
    elif c.basis == "debut":
        if report.debut is None or not report.debut.known:
            return Judgement(
                UNVERIFIABLE,
                f"{label} was already in the Top 10 in the lists' first week, so its first "
                "week is not in the store.",
                None,
                [_ev(label, weeks[0], "hours_viewed")],
            )
        chosen, what = [weeks[0]], f"its first week ({week_range(weeks[0].week_end)})"
    elif c.basis == "week_n" and c.week_n:
        target = weeks[0].week_end + dt.timedelta(days=7 * (c.week_n - 1))
        w = week_of(report, target)
        if w is None:
            return Judgement(FALSE, f"{label} was not in the Top 10 in its week {c.week_n}.")
        chosen, what = [w], f"its week {c.week_n} ({week_range(w.week_end)})"
    elif c.basis == "total":
        chosen, what = weeks, f"its {len(weeks)} weeks in the Top 10"
    if chosen is None:
        # no period named: any week it charted, or its run's total
        for w in weeks:
            v = _value(w, measure)
            if v is not None and stated.holds(v):
                return Judgement(
                    TRUE,
                    f"Netflix published {_fig(v, measure)} for {label} in the week of "
                    f"{week_range(w.week_end)}.",
                    v,
                    [_ev(label, w, measure)],
                )
        chosen, what = weeks, f"its {len(weeks)} weeks in the Top 10"
        total = sum(_value(w, measure) or 0 for w in weeks)
        if total and stated.holds(total):
            return Judgement(
                TRUE,
                f"{label}'s {_UNIT[measure]} over {what} add up to {_fig(total, measure)}.",
                total,
                [_ev(label, w, measure) for w in weeks],
            )
        best = max(weeks, key=lambda w: _value(w, measure) or _value(w, other) or 0)
        return _mismatch(c, label, stated, measure, [best], weeks, "its best week")
    values = [_value(w, measure) for w in chosen]
    evidence = [_ev(label, w, measure) for w in chosen]
    if any(v is None for v in values):
        alt = [_value(w, other) for w in chosen]
        if all(v is not None for v in alt) and stated.holds(sum(v or 0 for v in alt)):
            return Judgement(
                MISLEADING,
                f"Wrong unit: {_fig(sum(v or 0 for v in alt), other)} is {label}'s figure "
                f"for {what}; Netflix published no weekly views before the week of "
                f"{week_range(VIEWS_FROM)}.",
                sum(v or 0 for v in alt),
                [_ev(label, w, other) for w in chosen],
            )
        return Judgement(
            UNVERIFIABLE,
            f"Netflix published no weekly views for {what}: views start with the week of "
            f"{week_range(VIEWS_FROM)}.",
            None,
            [_ev(label, w, other) for w in chosen],
        )
    actual = sum(v or 0 for v in values)
    if p is not None and not p.is_week and len(chosen) < len(p.weeks):
        missing = len(p.weeks) - len(chosen)
        return Judgement(
            UNVERIFIABLE,
            f"{label} was in the Top 10 in only {len(chosen)} of the {len(p.weeks)} weeks "
            f"the dates span ({missing} without a published figure).",
            actual,
            evidence,
        )
    if stated.holds(actual):
        note = ""
        if p is not None and not p.is_week:
            note = " (the dates do not match Netflix's Monday-to-Sunday weeks)"
            return Judgement(
                MISLEADING,
                f"Netflix's figures for {what} add up to {_fig(actual, measure)}{note}: "
                "the period is not one of its weeks.",
                actual,
                evidence,
            )
        return Judgement(
            TRUE,
            f"Netflix published {_fig(actual, measure)} for {label} in {what}.",
            actual,
            evidence,
        )
    return _mismatch(c, label, stated, measure, chosen, weeks, what)


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
    actual = sum(_value(w, measure) or 0 for w in chosen)
    alt = [_value(w, other) for w in chosen]
    if all(v is not None for v in alt) and stated.holds(sum(v or 0 for v in alt)):
        return Judgement(
            MISLEADING,
            f"Wrong unit: {figure(sum(v or 0 for v in alt))} is {label}'s {_UNIT[other]} for "
            f"{what}, not {_UNIT[measure]} ({_fig(actual, measure)}).",
            actual,
            [_ev(label, w, other) for w in chosen] + [_ev(label, w, measure) for w in chosen],
        )
    for w in weeks:
        v = _value(w, measure)
        if w not in chosen and v is not None and stated.holds(v):
            return Judgement(
                MISLEADING,
                f"Wrong period: that is {label}'s figure for the week of "
                f"{week_range(w.week_end)}; for {what} Netflix published "
                f"{_fig(actual, measure)}.",
                actual,
                [_ev(label, x, measure) for x in chosen] + [_ev(label, w, measure)],
            )
    total = sum(_value(w, measure) or 0 for w in weeks)
    if len(chosen) < len(weeks) and total and stated.holds(total):
        return Judgement(
            MISLEADING,
            f"Wrong period: {_fig(total, measure)} is {label}'s total over its "
            f"{len(weeks)} weeks in the Top 10; for {what} Netflix published "
            f"{_fig(actual, measure)}.",
            actual,
            [_ev(label, w, measure) for w in weeks],
        )
    return Judgement(
        FALSE,
        f"Netflix published {_fig(actual, measure)} for {label} in {what}.",
        actual,
        [_ev(label, w, measure) for w in chosen],
    )


def _popular_row(facts: Facts, t: Title) -> dict[str, Any] | None:
    for row in most_popular(facts):
        label = row["season"] if row["season"] not in (None, "N/A") else row["show"]
        if label in t.labels and (row["category"] or "").startswith("Films" if t.film else "TV"):
            return row
    return None


def _popular(facts: Facts, c: Claim, t: Title, stated: Number, measure: str) -> Judgement:
    rows = most_popular(facts)
    days = 28 if c.basis == "p28" else 91
    column = "hours_28" if days == 28 else ("views_91" if measure == "views" else "hours_91")
    if not any(r[column] is not None for r in rows):
        return Judgement(
            UNVERIFIABLE,
            f"The store holds no {days}-day most-popular list with {_UNIT[measure]} "
            "(Netflix published 28-day hours until June 2023, 91-day views since).",
        )
    row = _popular_row(facts, t)
    if row is None or row[column] is None:
        return Judgement(
            UNVERIFIABLE,
            f"{t.label} is not in Netflix's {days}-day most-popular list, which gives "
            "figures only for its top 10 titles.",
        )
    actual = int(row[column])
    ev = Evidence(
        "most-popular",
        row["observed_at"].date(),
        row["category"],
        row["rank"],
        actual,
        f"{_UNIT[measure].split()[0]}_first_{days}_days",
        row["snapshot_id"],
        row["observed_at"],
        t.label,
    )
    if stated.holds(actual):
        return Judgement(
            TRUE,
            f"Netflix's most-popular list gives {t.label} {_fig(actual, measure)} in its "
            f"first {days} days.",
            actual,
            [ev],
        )
    other = "hours_91" if column == "views_91" else "views_91"
    if row.get(other) is not None and stated.holds(int(row[other])):
        unit = "hours viewed" if other == "hours_91" else "views"
        return Judgement(
            MISLEADING,
            f"Wrong unit: {figure(int(row[other]))} is its {unit} in its first {days} days, "
            f"not {_UNIT[measure]} ({figure(actual)}).",
            actual,
            [ev],
        )
    return Judgement(
        FALSE,
        f"Netflix's most-popular list gives {t.label} {_fig(actual, measure)} in its first "
        f"{days} days.",
        actual,
        [ev],
    )


# -- ranks ------------------------------------------------------------------------------


def _rank(facts: Facts, c: Claim, t: Title) -> Judgement:
    n = int(c.stated["rank"])
    within = bool(c.stated.get("within"))
    report = facts.run(t)
    weeks = report.weeks
    label = t.label
    said = "in the Top 10" if within else f"No. {n}"
    if not weeks:
        return Judgement(FALSE, f"{label} was never in the global Top 10 in this view.")
    if c.list_name and c.list_name != report.category:
        return Judgement(
            MISLEADING,
            f"Wrong list: {label} is in the {report.category} list, not {c.list_name}.",
            None,
            [_ev(label, weeks[0], "rank")],
        )
    p = claim_period(facts, c, report)
    gap = _uncovered(facts, p)
    if gap:
        return Judgement(UNVERIFIABLE, gap)

    def ok(w: Week) -> bool:
        return w.rank <= 10 if within else w.rank == n

    if p is not None:
        chosen = [w for w in weeks if w.week_end in p.weeks]
        if not chosen:
            return Judgement(
                FALSE,
                f"{label} was not in the global Top 10 in the week of {week_range(p.weeks[0])}.",
            )
        if c.basis == "debut" and chosen[0] is not weeks[0] and ok(chosen[0]):
            return Judgement(
                MISLEADING,
                f"Wrong period: {label} was {said} in the week of "
                f"{week_range(chosen[0].week_end)}, but it debuted in the week of "
                f"{week_range(weeks[0].week_end)} at No. {weeks[0].rank}.",
                weeks[0].rank,
                [_ev(label, weeks[0], "rank"), _ev(label, chosen[0], "rank")],
            )
    elif c.basis == "debut":
        if report.debut is None or not report.debut.known:
            return Judgement(
                UNVERIFIABLE,
                f"{label} was already in the Top 10 in the lists' first week; its debut is "
                "not in the store.",
            )
        chosen = [weeks[0]]
    else:
        hits = [w for w in weeks if ok(w)]
        if hits:
            w = hits[0]
            return Judgement(
                TRUE,
                f"{label} was {said} in the global {w.category} list in the week of "
                f"{week_range(w.week_end)}"
                + (f" ({len(hits)} weeks in all)." if len(hits) > 1 else "."),
                w.rank,
                [_ev(label, x, "rank") for x in hits[:10]],
            )
        peak = min(weeks, key=lambda w: w.rank)
        return _rank_false(facts, c, t, n, peak, f"at its peak, No. {peak.rank}")
    good = [w for w in chosen if ok(w)]
    if good:
        w = good[0]
        return Judgement(
            TRUE,
            f"{label} was {said} in the global {w.category} list in the week of "
            f"{week_range(w.week_end)}.",
            w.rank,
            [_ev(label, x, "rank") for x in chosen],
        )
    w = chosen[0]
    return _rank_false(facts, c, t, n, w, f"No. {w.rank} in the week of {week_range(w.week_end)}")


def _rank_false(facts: Facts, c: Claim, t: Title, n: int, w: Week, where: str) -> Judgement:
    label = t.label
    if n == 1 and not c.stated.get("within"):
        firsts = [r for r in facts.country_rows(t) if r.week_end == w.week_end and r.rank == 1]
        if firsts:
            return Judgement(
                MISLEADING,
                f"True only in country lists: {label} was No. 1 in {len(firsts)} countries "
                f"in the week of {week_range(w.week_end)}, but {where} in the global list.",
                w.rank,
                [_ev(label, w, "rank"), *(_cev(label, r) for r in firsts[:5])],
            )
    return Judgement(
        FALSE,
        f"{label} was {where} in the global {w.category} list.",
        w.rank,
        [_ev(label, w, "rank")],
    )


# -- countries --------------------------------------------------------------------------


def _countries(facts: Facts, c: Claim, t: Title) -> Judgement:
    label = t.label
    report = facts.run(t)
    cover = facts.country_cover()
    if cover is None:
        return Judgement(UNVERIFIABLE, "The store holds no country lists.")
    rows = facts.country_rows(t)
    p = claim_period(facts, c, report)
    run_weeks = sorted({w.week_end for w in report.weeks} | {r.week_end for r in rows})
    weeks = p.weeks if p is not None else run_weeks
    inside = [w for w in weeks if cover[0] <= w <= cover[1]]
    if not inside:
        return Judgement(
            UNVERIFIABLE,
            f"The store's country lists cover the weeks ending {cover[0]} to {cover[1]}, "
            "not this period.",
        )
    position = c.stated.get("position", "no1")

    def counts(r: CountryRow) -> bool:
        return r.rank == 1 if position == "no1" else True

    chosen = [r for r in rows if r.week_end in inside and counts(r)]
    what = "No. 1" if position == "no1" else "in the Top 10"
    span = (
        f"the week of {week_range(inside[0])}"
        if len(inside) == 1
        else f"the weeks of {week_range(inside[0])} to {week_range(inside[-1])}"
    )
    if "countries" in c.stated:
        codes: list[str] = c.stated["countries"]
        have = {r.iso2 for r in chosen}
        missing = [x for x in codes if x not in have]
        names = facts.country_names()
        evidence = [_cev(label, r) for r in chosen if r.iso2 in codes]
        if not missing:
            return Judgement(
                TRUE,
                f"Netflix's weekly lists have {label} {what} in "
                + ", ".join(names.get(x, x) for x in codes)
                + f" in {span}.",
                codes,
                evidence,
            )
        return Judgement(
            FALSE,
            f"Netflix's weekly lists do not have {label} {what} in "
            + ", ".join(names.get(x, x) for x in missing)
            + f" in {span}.",
            sorted(have & set(codes)),
            evidence,
        )
    stated = stated_number(c)
    assert stated is not None
    per_week = {w: sum(1 for r in chosen if r.week_end == w) for w in inside}
    distinct = len({r.iso2 for r in chosen})
    by_week = ", ".join(f"{n} in the week of {week_range(w)}" for w, n in per_week.items())
    evidence = [
        Evidence(
            "countries",
            w,
            "Films" if t.film else "TV",
            1 if position == "no1" else None,
            n,
            "countries_no1" if position == "no1" else "countries_top10",
            max((r.snapshot_id for r in chosen if r.week_end == w), default=0),
            max(
                (r.observed_at for r in chosen if r.week_end == w),
                default=dt.datetime.min.replace(tzinfo=dt.UTC),
            ),
            label,
        )
        for w, n in per_week.items()
    ]
    across = f"{distinct} distinct countries across them" if len(inside) > 1 else ""
    lists = f"Netflix's weekly lists have {label} {what} in {by_week}"
    lists += f" ({across})" if across else ""
    actual = {"by_week": {w.isoformat(): n for w, n in per_week.items()}, "distinct": distinct}
    if c.source:
        high = max(per_week.values())
        consistent = distinct >= stated.value >= high if len(inside) > 1 else stated.value >= high
        return Judgement(
            UNVERIFIABLE,
            f"{c.source} is a third-party count the weekly lists cannot settle: {lists}, so "
            f"{figure(int(stated.value))} is {'consistent' if consistent else 'inconsistent'}"
            " with Netflix's own lists.",
            actual,
            evidence,
        )
    if any(stated.holds(n) for n in per_week.values()):
        return Judgement(TRUE, lists + ".", actual, evidence)
    if len(inside) > 1 and stated.holds(distinct):
        return Judgement(
            TRUE if p is not None else MISLEADING,
            lists
            + (
                "."
                if p is not None
                else ": the figure counts countries across weeks, never in any one week."
            ),
            actual,
            evidence,
        )
    if len(inside) < len(weeks):
        return Judgement(
            UNVERIFIABLE,
            f"The store's country lists end with the week of {week_range(cover[1])}; {lists}.",
            actual,
            evidence,
        )
    return Judgement(FALSE, lists + ".", actual, evidence)


# -- durations --------------------------------------------------------------------------


def _duration(facts: Facts, c: Claim, t: Title) -> Judgement:
    stated = stated_number(c)
    assert stated is not None
    report = facts.run(t)
    weeks = report.weeks
    label = t.label
    if not weeks:
        return Judgement(FALSE, f"{label} was never in the global Top 10 in this view.")
    no1 = [w for w in weeks if w.rank == 1]
    cum = max((w.cumulative_weeks_in_top_10 or 0) for w in weeks)
    top10 = max(cum, len(weeks))
    position = c.stated.get("position")
    actual, other = (len(no1), top10) if position == "no1" else (top10, len(no1))
    what, other_what = (
        ("at No. 1", "in the Top 10") if position == "no1" else ("in the Top 10", "at No. 1")
    )
    shown = no1 if position == "no1" else weeks
    evidence = [_ev(label, w, "rank") for w in shown]
    so_far = ""
    span = facts.weeks_covered()
    if span and weeks[-1].week_end == span[1]:
        so_far = " so far"
    sentence = f"{label} spent {actual} weeks {what} in the global {weeks[0].category} list"
    if top10 > len(weeks) and position != "no1":
        sentence += f" (Netflix's count of its weeks; {len(weeks)} since the lists began)"
    if stated.holds(actual):
        return Judgement(TRUE, sentence + so_far + ".", actual, evidence)
    if stated.holds(other):
        return Judgement(
            MISLEADING,
            f"Wrong list position: {int(stated.value)} is {label}'s weeks {other_what}; it "
            f"spent {actual} weeks {what}.",
            actual,
            evidence,
        )
    return Judgement(FALSE, sentence + so_far + ".", actual, evidence)


# -- release dates ----------------------------------------------------------------------


def _release(facts: Facts, c: Claim, t: Title) -> Judgement:
    report = facts.run(t)
    weeks = report.weeks
    label = t.label
    p = claim_period(facts, c, report)
    if p is None:
        return Judgement(UNVERIFIABLE, "The date could not be read.")
    if not weeks:
        return Judgement(UNVERIFIABLE, f"{label} has no weeks in the global Top 10.")
    first = weeks[0]
    ev = [_ev(label, first, "rank")]
    day = p.first
    if report.debut is not None and not report.debut.known:
        if day > first.week_end:
            return Judgement(
                FALSE,
                f"{label} was already in the Top 10 in the week of "
                f"{week_range(first.week_end)}, before {day:%b %d, %Y}.",
                first.week_end.isoformat(),
                ev,
            )
        return Judgement(
            UNVERIFIABLE,
            "Netflix's lists publish no release dates, and this title's run began before "
            "the lists did.",
            None,
            ev,
        )
    if day > first.week_end:
        return Judgement(
            FALSE,
            f"{label} was already in the global Top 10 in the week of "
            f"{week_range(first.week_end)}, before {day:%b %d, %Y}.",
            first.week_end.isoformat(),
            ev,
        )
    if week_ending(day) == first.week_end:
        return Judgement(
            TRUE,
            f"Consistent with the lists: {label}'s first week in the Top 10 was "
            f"{week_range(first.week_end)}, which holds that date (the lists publish no "
            "release dates).",
            first.week_end.isoformat(),
            ev,
        )
    return Judgement(
        UNVERIFIABLE,
        f"Netflix's lists publish no release dates; {label} first entered the Top 10 in "
        f"the week of {week_range(first.week_end)}, later than that date.",
        first.week_end.isoformat(),
        ev,
    )


# -- records ----------------------------------------------------------------------------


def _holder_evidence(facts: Facts, top: Board, measure: str) -> list[Evidence]:
    target = facts.resolve(top.key or top.label)
    week = top.week_end
    if not isinstance(target, Title):
        return []
    report = facts.run(target)
    w = week_of(report, week) if week else None
    return [_ev(target.label, w, measure)] if w else []


def _record(facts: Facts, c: Claim, t: Title) -> Judgement:
    label = t.label
    report = facts.run(t)
    weeks = report.weeks
    scope = c.stated.get("scope")
    if not weeks or report.category is None:
        if scope == "all_time":
            return _record_popular(facts, c, t)
        return Judgement(FALSE, f"{label} was never in the global Top 10 in this view.")
    category = report.category
    if c.list_name and c.list_name != category:
        return Judgement(
            MISLEADING,
            f"Wrong list: {label} is in the {category} list, not {c.list_name}.",
        )
    if scope == "all_time":
        return _record_popular(facts, c, t)
    if scope == "debut":
        if report.debut is None or not report.debut.known:
            return Judgement(
                UNVERIFIABLE,
                f"{label} was already in the Top 10 in the lists' first week, so its debut "
                "is not in the store.",
            )
        w = weeks[0]
        views = w.views is not None and w.week_end >= VIEWS_FROM
        metric, measure = ("debut_views", "views") if views else ("debut_hours", "hours_viewed")
        what = "first-week"
    else:
        with_views = all(x.views is not None for x in weeks)
        measure = "views" if with_views else "hours_viewed"
        metric = "week_views" if with_views else "week_hours"
        w = max(weeks, key=lambda x: _value(x, measure) or 0)
        what = "single-week"
    top = facts.leader(t, metric)
    mine = _value(w, measure) or 0
    evidence = [_ev(label, w, measure)]
    if top is None:
        return Judgement(UNVERIFIABLE, f"No {what} {_UNIT[measure]} leaderboard in this view.")
    if top.value <= mine:
        return Judgement(
            TRUE,
            f"{label}'s {_fig(mine, measure)} (week of {week_range(w.week_end)}) was the "
            f"{category} {what} record at the time.",
            mine,
            evidence,
        )
    evidence += _holder_evidence(facts, top, measure)
    record = f"the {category} {what} record then was {top.label}'s {_fig(top.value, measure)}" + (
        f" (week of {week_range(top.week_end)})" if top.week_end else ""
    )
    if c.other is not None and c.other.target is not None:
        for beaten in _installments(c.other.target):
            theirs_report = facts.run(beaten)
            if not theirs_report.weeks:
                continue
            tw = (
                theirs_report.weeks[0]
                if scope == "debut"
                else max(theirs_report.weeks, key=lambda x: _value(x, measure) or 0)
            )
            theirs = _value(tw, measure) or 0
            if theirs and theirs < mine and beaten.label != top.label:
                evidence.append(_ev(beaten.label, tw, measure))
                return Judgement(
                    MISLEADING,
                    f"True only against {beaten.label}: {label}'s {_fig(mine, measure)} beat its "
                    f"{figure(theirs)}, but that was no record: {record}.",
                    mine,
                    evidence,
                )
    return Judgement(
        FALSE,
        f"{label}'s {_fig(mine, measure)} was not the record: {record}.",
        mine,
        evidence,
    )


def _record_popular(facts: Facts, c: Claim, t: Title) -> Judgement:
    rows = [r for r in most_popular(facts) if r["views_91"] is not None]
    if not rows:
        return Judgement(UNVERIFIABLE, "The store holds no most-popular list to settle it.")
    row = _popular_row(facts, t)
    kind = "Films" if t.film else "TV"
    category = row["category"] if row else (facts.run(t).category or kind)
    top = next((r for r in rows if r["category"] == category and r["rank"] == 1), None)
    if row is None:
        name = (
            top["season"] if top and top["season"] not in (None, "N/A") else (top or {}).get("show")
        )
        return Judgement(
            FALSE,
            f"{t.label} is not in Netflix's {category} most-popular list (views in the first "
            f"91 days), which {name} leads.",
        )
    ev = Evidence(
        "most-popular",
        row["observed_at"].date(),
        row["category"],
        row["rank"],
        row["views_91"],
        "views_first_91_days",
        row["snapshot_id"],
        row["observed_at"],
        t.label,
    )
    if row["rank"] == 1:
        return Judgement(
            TRUE,
            f"{t.label} leads Netflix's {category} most-popular list with "
            f"{figure(row['views_91'])} views in its first 91 days.",
            row["views_91"],
            [ev],
        )
    name = top["season"] if top and top["season"] not in (None, "N/A") else (top or {}).get("show")
    return Judgement(
        FALSE,
        f"{t.label} is No. {row['rank']} in Netflix's {category} most-popular list "
        f"({figure(row['views_91'])} views in 91 days), behind {name}.",
        row["views_91"],
        [ev],
    )


# -- comparisons ------------------------------------------------------------------------


def _compare(facts: Facts, c: Claim, t: Title) -> Judgement:
    if c.other is None or c.other.target is None:
        return Judgement(UNVERIFIABLE, "The comparison names no second title the store knows.")
    others = _installments(c.other.target)
    b = others[-1] if len(others) > 1 else others[0]
    ra, rb = facts.run(t), facts.run(b)
    if not ra.weeks or not rb.weeks:
        return Judgement(UNVERIFIABLE, "One of the two titles has no weeks in the Top 10.")
    what = (c.stated.get("what") or "").lower()
    total = c.basis == "total"
    pa = ra.weeks if total else [ra.weeks[0]]
    pb = rb.weeks if total else [rb.weeks[0]]
    views = all(w.views is not None for w in pa + pb)
    measure = "views" if ("view" in what or views) and "hour" not in what else "hours_viewed"
    va = sum(_value(w, measure) or 0 for w in pa)
    vb = sum(_value(w, measure) or 0 for w in pb)
    basis = "over their runs in the Top 10" if total else "in their first weeks"
    evidence = [_ev(t.label, w, measure) for w in pa] + [_ev(b.label, w, measure) for w in pb]
    if not va or not vb:
        return Judgement(
            UNVERIFIABLE, f"Netflix published no {_UNIT[measure]} for both titles {basis}."
        )
    ratio = va / vb
    facts_text = (
        f"{t.label} had {_fig(va, measure)} and {b.label} {_fig(vb, measure)} {basis} "
        f"({ratio:.2f}×)"
    )
    if c.stated.get("ratio"):
        n = float(c.stated["ratio"])
        qual = c.stated.get("qualifier", "exact")
        if qual in ("more than", "over"):
            ok = ratio > n
        elif qual in ("nearly", "almost"):
            ok = n * 0.85 <= ratio <= n * 1.02
        else:
            ok = abs(ratio / n - 1) <= 0.1
    else:
        ok = va > vb if c.stated.get("direction") == "more" else va < vb
    return Judgement(TRUE if ok else FALSE, facts_text + ".", round(ratio, 2), evidence)


_JUDGES: dict[str, Callable[[Facts, Claim, Title], Judgement]] = {
    "figure": _figure,
    "rank": _rank,
    "countries": _countries,
    "duration": _duration,
    "release": _release,
    "record": _record,
    "comparison": _compare,
}


def stated_json(c: Claim) -> dict[str, Any]:
    """What the claim states, as plain JSON."""
    out: dict[str, Any] = {}
    for key, value in c.stated.items():
        if key.startswith("_"):
            continue
        if isinstance(value, Number):
            out["value"] = value.value if value.value % 1 else int(value.value)
            out["qualifier"] = value.qualifier
        else:
            out[key] = value
    m = c.stated.get("_date")
    if m is not None:
        out["period"] = m.group()
    if c.basis:
        out["basis"] = c.basis
    if c.source:
        out["source"] = c.source
    return out


__all__ = ["VERDICTS", "Judgement", "judge", "stated_json"]
