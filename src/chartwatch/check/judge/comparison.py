"""Comparisons between two titles: twice, N times, more or fewer."""

from __future__ import annotations

from chartwatch.check.claims import Claim
from chartwatch.check.facts import Facts
from chartwatch.check.judge.common import (
    FALSE,
    TRUE,
    UNIT,
    UNVERIFIABLE,
    Judgement,
    ev,
    fig,
    installments,
    week_value,
)
from chartwatch.titles import Title


def judge_comparison(facts: Facts, c: Claim, t: Title) -> Judgement:
    if c.other is None or c.other.target is None:
        return Judgement(UNVERIFIABLE, "The comparison names no second title the store knows.")
    others = installments(c.other.target)
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
    va = sum(week_value(w, measure) or 0 for w in pa)
    vb = sum(week_value(w, measure) or 0 for w in pb)
    basis = "over their runs in the Top 10" if total else "in their first weeks"
    evidence = [ev(t.label, w, measure) for w in pa] + [ev(b.label, w, measure) for w in pb]
    if not va or not vb:
        return Judgement(
            UNVERIFIABLE, f"Netflix published no {UNIT[measure]} for both titles {basis}."
        )
    ratio = va / vb
    facts_text = (
        f"{t.label} had {fig(va, measure)} and {b.label} {fig(vb, measure)} {basis} ({ratio:.2f}×)"
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
