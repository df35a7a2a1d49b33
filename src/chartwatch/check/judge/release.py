"""Release dates: consistent with the title's first week in the Top 10, or not."""

from __future__ import annotations

from chartwatch.check.claims import Claim
from chartwatch.check.facts import Facts
from chartwatch.check.judge.common import FALSE, TRUE, UNVERIFIABLE, Judgement, claim_period, ev
from chartwatch.dates import week_ending
from chartwatch.render.prose import week_range
from chartwatch.titles import Title


def judge_release(facts: Facts, c: Claim, t: Title) -> Judgement:
    report = facts.run(t)
    weeks = report.weeks
    label = t.label
    p = claim_period(facts, c, report)
    if p is None:
        return Judgement(UNVERIFIABLE, "The date could not be read.")
    if not weeks:
        return Judgement(UNVERIFIABLE, f"{label} has no weeks in the global Top 10.")
    first = weeks[0]
    rows = [ev(label, first, "rank")]
    day = p.first
    if report.debut is not None and not report.debut.known:
        if day > first.week_end:
            return Judgement(
                FALSE,
                f"{label} was already in the Top 10 in the week of "
                f"{week_range(first.week_end)}, before {day:%b %d, %Y}.",
                first.week_end.isoformat(),
                rows,
            )
        return Judgement(
            UNVERIFIABLE,
            "Netflix's lists publish no release dates, and this title's run began before "
            "the lists did.",
            None,
            rows,
        )
    if day > first.week_end:
        return Judgement(
            FALSE,
            f"{label} was already in the global Top 10 in the week of "
            f"{week_range(first.week_end)}, before {day:%b %d, %Y}.",
            first.week_end.isoformat(),
            rows,
        )
    if week_ending(day) == first.week_end:
        return Judgement(
            TRUE,
            f"Consistent with the lists: {label}'s first week in the Top 10 was "
            f"{week_range(first.week_end)}, which holds that date (the lists publish no "
            "release dates).",
            first.week_end.isoformat(),
            rows,
        )
    return Judgement(
        UNVERIFIABLE,
        f"Netflix's lists publish no release dates; {label} first entered the Top 10 in "
        f"the week of {week_range(first.week_end)}, later than that date.",
        first.week_end.isoformat(),
        rows,
    )
