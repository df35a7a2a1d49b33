"""Each claim judged against the store: ``true``, ``false``, ``misleading`` or
``unverifiable``, with one sentence saying why and the published rows it rests on.

Every read of the store goes through :mod:`chartwatch.check.facts`. Figures are compared
within the rounding the text states (``124.79 million`` holds for 124,785,000 to
124,795,000; ``nearly 125 million`` for 112.5 to 125 million); a figure, rank or count
that is right for another unit, week or list is ``misleading`` and the explanation names
which.

One module per kind of claim (``rank``, ``figure``, ``record``, ``countries``,
``duration``, ``release``, ``comparison``; ``popular`` for the most-popular lists), what
they share in ``common``; :func:`judge` picks the module by the claim's kind.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chartwatch.check.claims import Claim
from chartwatch.check.facts import Facts
from chartwatch.check.judge.common import (
    FALSE,
    MISLEADING,
    TRUE,
    UNVERIFIABLE,
    VERDICTS,
    Judgement,
    claim_period,
    installments,
)
from chartwatch.check.judge.comparison import judge_comparison
from chartwatch.check.judge.countries import judge_countries
from chartwatch.check.judge.duration import judge_duration
from chartwatch.check.judge.figure import judge_figure
from chartwatch.check.judge.rank import judge_rank
from chartwatch.check.judge.record import judge_record
from chartwatch.check.judge.release import judge_release
from chartwatch.check.values import Number
from chartwatch.titles import Title


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
    candidates = installments(c.title.target)
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


_JUDGES: dict[str, Callable[[Facts, Claim, Title], Judgement]] = {
    "figure": judge_figure,
    "rank": judge_rank,
    "countries": judge_countries,
    "duration": judge_duration,
    "release": judge_release,
    "record": judge_record,
    "comparison": judge_comparison,
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
