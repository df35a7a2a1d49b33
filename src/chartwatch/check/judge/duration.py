"""Durations: weeks at No. 1 or in the Top 10."""

from __future__ import annotations

from chartwatch.check.claims import Claim, stated_number
from chartwatch.check.facts import Facts
from chartwatch.check.judge.common import FALSE, MISLEADING, TRUE, Judgement, ev, never_charted
from chartwatch.titles import Title


def judge_duration(facts: Facts, c: Claim, t: Title) -> Judgement:
    stated = stated_number(c)
    assert stated is not None
    report = facts.run(t)
    weeks = report.weeks
    label = t.label
    if not weeks:
        return never_charted(label)
    no1 = [w for w in weeks if w.rank == 1]
    cum = max((w.cumulative_weeks_in_top_10 or 0) for w in weeks)
    top10 = max(cum, len(weeks))
    position = c.stated.get("position")
    actual, other = (len(no1), top10) if position == "no1" else (top10, len(no1))
    what, other_what = (
        ("at No. 1", "in the Top 10") if position == "no1" else ("in the Top 10", "at No. 1")
    )
    shown = no1 if position == "no1" else weeks
    evidence = [ev(label, w, "rank") for w in shown]
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
