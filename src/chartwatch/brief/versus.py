"""The ``vs`` fact: one title set against another (``brief(..., vs=...)``): their debuts and
best weeks in the measure both have, and their weeks at No. 1 and in the Top 10. The other
title is read without its country footprint or standings.
"""

from __future__ import annotations

from chartwatch.brief.context import Context, Subject
from chartwatch.brief.facts import UNITS
from chartwatch.brief.types import Evidence, Fact
from chartwatch.render.prose import count, figure, possessive, ratio, week_range


def vs(ctx: Context, s: Subject, o: Subject) -> Fact:
    a, b = s.report, o.report
    sentences = []
    evidence: list[Evidence] = []
    da, db = a.debut, b.debut
    assert da is not None and db is not None
    if da.known and db.known:
        both_views = da.views is not None and db.views is not None
        measure = "views" if both_views else "hours_viewed"
        mine = da.views if both_views else da.hours_viewed
        theirs = db.views if both_views else db.hours_viewed
        note = ""
        if not both_views and (da.views is not None or db.views is not None):
            note = " (hours viewed: the measure both have)"
        if mine and theirs:
            sentences.append(
                f"{o.label} debuted at No. {db.rank} with {figure(theirs)} {UNITS[measure]} "
                f"({week_range(db.week_end)}), so {possessive(s.name)} debut was "
                f"{ratio(mine, theirs, o.name)}{note}."
            )
            evidence += [
                o.row(b.weeks[0]).evidence(measure),
                s.row(a.weeks[0]).evidence(measure),
            ]
    elif not db.known:
        sentences.append(
            f"{o.label} was already in the Top 10 in the lists' first week "
            f"({week_range(db.week_end)}), so its first week is not known and the two first "
            "weeks cannot be compared."
        )
    else:
        sentences.append(
            f"{possessive(s.name)} first week on the chart is not known (it was already listed "
            f"in the lists' first week), so its start cannot be compared with {possessive(o.name)}."
        )
    ba, bb = a.best_week, b.best_week
    if ba is not None and bb is not None:
        measure = "views" if ba.measure == bb.measure == "views" else "hours_viewed"
        mine = ba.views if measure == "views" else ba.hours_viewed
        theirs = bb.views if measure == "views" else bb.hours_viewed
        if mine and theirs:
            sentences.append(
                f"{possessive(o.name)} best week drew {figure(theirs)} {UNITS[measure]} "
                f"({week_range(bb.week_end)}); {possessive(s.name)} best, {figure(mine)}, was "
                f"{ratio(mine, theirs, o.name)}."
            )
            evidence += [
                o.row(next(w for w in b.weeks if w.week_end == bb.week_end)).evidence(measure),
                s.row(next(w for w in a.weeks if w.week_end == ba.week_end)).evidence(measure),
            ]
    since = "" if db.known else " since the lists began"
    sentences.append(
        f"{o.name} spent {count(b.weeks_at_no1, 'week')} at No. 1 and "
        f"{count(b.weeks_in_top10, 'week')} in the global Top 10{since} "
        f"({s.name}: {a.weeks_at_no1} and {a.weeks_in_top10})."
    )
    return Fact("vs", " ".join(sentences), evidence)
