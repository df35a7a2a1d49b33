"""Ranks: No. N or in the Top 10, in a week, at the debut, or ever."""

from __future__ import annotations

from collections.abc import Callable

from chartwatch.analytics.runs import TitleReport, Week
from chartwatch.check.claims import Claim
from chartwatch.check.facts import Facts
from chartwatch.check.judge.common import (
    FALSE,
    MISLEADING,
    TRUE,
    UNVERIFIABLE,
    Judgement,
    cev,
    claim_period,
    ev,
    never_charted,
    uncovered,
)
from chartwatch.check.values import Period
from chartwatch.render.prose import week_range
from chartwatch.titles import Title


def judge_rank(facts: Facts, c: Claim, t: Title) -> Judgement:
    """No. N (or in the Top 10) in the week the claim names, at its debut, or ever."""
    n = int(c.stated["rank"])
    within = bool(c.stated.get("within"))
    report = facts.run(t)
    weeks = report.weeks
    label = t.label
    said = "in the Top 10" if within else f"No. {n}"
    if not weeks:
        return never_charted(label)
    if c.list_name and c.list_name != report.category:
        return Judgement(
            MISLEADING,
            f"Wrong list: {label} is in the {report.category} list, not {c.list_name}.",
            None,
            [ev(label, weeks[0], "rank")],
        )
    p = claim_period(facts, c, report)
    gap = uncovered(facts, p)
    if gap:
        return Judgement(UNVERIFIABLE, gap)

    def ok(w: Week) -> bool:
        return w.rank <= 10 if within else w.rank == n

    if p is None and c.basis != "debut":
        return _ever(facts, c, t, n, said, [w for w in weeks if ok(w)])
    chosen = _weeks_claimed(c, report, p, said, ok, label)
    if isinstance(chosen, Judgement):
        return chosen
    good = [w for w in chosen if ok(w)]
    if good:
        w = good[0]
        return Judgement(
            TRUE,
            f"{label} was {said} in the global {w.category} list in the week of "
            f"{week_range(w.week_end)}.",
            w.rank,
            [ev(label, x, "rank") for x in chosen],
        )
    w = chosen[0]
    return _rank_false(facts, c, t, n, w, f"No. {w.rank} in the week of {week_range(w.week_end)}")


def _weeks_claimed(
    c: Claim,
    report: TitleReport,
    p: Period | None,
    said: str,
    ok: Callable[[Week], bool],
    label: str,
) -> list[Week] | Judgement:
    """The weeks the rank is claimed for (the period's, else the debut's), or the verdict
    when they settle it first: not in the Top 10 then, the rank right but not at the
    debut, a debut before the lists began."""
    weeks = report.weeks
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
                [ev(label, weeks[0], "rank"), ev(label, chosen[0], "rank")],
            )
        return chosen
    if report.debut is None or not report.debut.known:
        return Judgement(
            UNVERIFIABLE,
            f"{label} was already in the Top 10 in the lists' first week; its debut is "
            "not in the store.",
        )
    return [weeks[0]]


def _ever(facts: Facts, c: Claim, t: Title, n: int, said: str, hits: list[Week]) -> Judgement:
    """A rank with no period: true for the weeks it held, else false at its peak."""
    label = t.label
    if hits:
        w = hits[0]
        return Judgement(
            TRUE,
            f"{label} was {said} in the global {w.category} list in the week of "
            f"{week_range(w.week_end)}"
            + (f" ({len(hits)} weeks in all)." if len(hits) > 1 else "."),
            w.rank,
            [ev(label, x, "rank") for x in hits[:10]],
        )
    peak = min(facts.run(t).weeks, key=lambda w: w.rank)
    return _rank_false(facts, c, t, n, peak, f"at its peak, No. {peak.rank}")


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
                [ev(label, w, "rank"), *(cev(label, r) for r in firsts[:5])],
            )
    return Judgement(
        FALSE,
        f"{label} was {where} in the global {w.category} list.",
        w.rank,
        [ev(label, w, "rank")],
    )
