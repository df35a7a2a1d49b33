"""Countries: No. 1 or Top 10 in N countries, or in the countries named."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from chartwatch.brief.types import Evidence
from chartwatch.check.claims import Claim, stated_number
from chartwatch.check.facts import CountryRow, Facts
from chartwatch.check.judge.common import (
    FALSE,
    MISLEADING,
    TRUE,
    UNVERIFIABLE,
    Judgement,
    cev,
    claim_period,
)
from chartwatch.render.prose import figure, week_range
from chartwatch.titles import Title


@dataclass(frozen=True)
class _Scope:
    """What a country claim is judged over: the weeks it names (or the title's run), those
    the store's country lists cover, and the title's rows there at the claimed position."""

    label: str
    weeks: list[dt.date]
    inside: list[dt.date]
    chosen: list[CountryRow]
    what: str  # "No. 1" or "in the Top 10"
    position: str

    @property
    def span(self) -> str:
        inside = self.inside
        if len(inside) == 1:
            return f"the week of {week_range(inside[0])}"
        return f"the weeks of {week_range(inside[0])} to {week_range(inside[-1])}"


def judge_countries(facts: Facts, c: Claim, t: Title) -> Judgement:
    """No. 1 (or Top 10) in N countries, or in the countries named, in the weeks the claim
    names or over the title's run."""
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
    chosen = [
        r for r in rows if r.week_end in inside and (r.rank == 1 if position == "no1" else True)
    ]
    what = "No. 1" if position == "no1" else "in the Top 10"
    scope = _Scope(t.label, weeks, inside, chosen, what, position)
    if "countries" in c.stated:
        return _named(facts, scope, c.stated["countries"])
    return _count(c, t, scope, p is not None, cover[1])


def _named(facts: Facts, scope: _Scope, codes: list[str]) -> Judgement:
    """``including the US, Canada…``: each named country's list had the title there."""
    label, what, span = scope.label, scope.what, scope.span
    have = {r.iso2 for r in scope.chosen}
    missing = [x for x in codes if x not in have]
    names = facts.country_names()
    evidence = [cev(label, r) for r in scope.chosen if r.iso2 in codes]
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


def _count_evidence(t: Title, scope: _Scope, per_week: dict[dt.date, int]) -> list[Evidence]:
    """One evidence row per week: how many countries' lists had the title there."""
    no1 = scope.position == "no1"
    out = []
    for w, n in per_week.items():
        rows = [r for r in scope.chosen if r.week_end == w]
        out.append(
            Evidence(
                "countries",
                w,
                "Films" if t.film else "TV",
                1 if no1 else None,
                n,
                "countries_no1" if no1 else "countries_top10",
                max((r.snapshot_id for r in rows), default=0),
                max(
                    (r.observed_at for r in rows),
                    default=dt.datetime.min.replace(tzinfo=dt.UTC),
                ),
                scope.label,
            )
        )
    return out


def _count(c: Claim, t: Title, scope: _Scope, dated: bool, last_cover: dt.date) -> Judgement:
    """``in 64 countries``: a week's count, the distinct count across the weeks, a third
    party's count (consistent with the weekly lists or not), or weeks the lists lack."""
    stated = stated_number(c)
    assert stated is not None
    inside, chosen = scope.inside, scope.chosen
    per_week = {w: sum(1 for r in chosen if r.week_end == w) for w in inside}
    distinct = len({r.iso2 for r in chosen})
    by_week = ", ".join(f"{n} in the week of {week_range(w)}" for w, n in per_week.items())
    evidence = _count_evidence(t, scope, per_week)
    across = f"{distinct} distinct countries across them" if len(inside) > 1 else ""
    lists = f"Netflix's weekly lists have {scope.label} {scope.what} in {by_week}"
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
        if dated:
            return Judgement(TRUE, lists + ".", actual, evidence)
        return Judgement(
            MISLEADING,
            lists + ": the figure counts countries across weeks, never in any one week.",
            actual,
            evidence,
        )
    if len(inside) < len(scope.weeks):
        return Judgement(
            UNVERIFIABLE,
            f"The store's country lists end with the week of {week_range(last_cover)}; {lists}.",
            actual,
            evidence,
        )
    return Judgement(FALSE, lists + ".", actual, evidence)
