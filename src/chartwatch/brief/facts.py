"""The facts about one title from its published rows: ``debut`` (or ``first_listed``),
``debut_record``, ``best_week``, ``weeks_at_no1``, ``countries`` / ``countries_top10`` and
``total``. One builder per fact, named after its id (``countries`` builds both country
facts); each returns the sentence and the rows it rests on, or ``None`` when there is
nothing to say. The comparison with another
title is in :mod:`~chartwatch.brief.versus`, the statistical forecasts in
:mod:`~chartwatch.brief.forecasts`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from chartwatch.analytics.runs import RecordHeld
from chartwatch.brief.context import Context, Subject
from chartwatch.brief.standings import holder_row, record, single_weeks
from chartwatch.brief.types import Evidence, Fact
from chartwatch.render.prose import count, day_text, figure, join, possessive, week_range
from chartwatch.vocabulary import VIEWS_FROM

UNITS = {"hours_viewed": "hours viewed", "views": "views"}
SHORT_UNITS = {"hours_viewed": "hours", "views": "views"}
LISTED_WEEKS = 5  # a country sentence names this many weeks; the evidence has every week
VIEWS_BEGAN = f"views were first published (week of {week_range(VIEWS_FROM)})"


def _lists_began(ctx: Context) -> str:
    return f"the lists began (week of {week_range(ctx.start)})" if ctx.start else "the lists began"


def released(s: Subject) -> tuple[str, list[Evidence]]:
    """``, released on Jan. 28, 2022,`` and the report row that dates it (the earliest
    report of the view that gives the title a release date), or nothing."""
    r = s.report
    row = next((e for e in r.engagement if e.release_date is not None), None)
    if row is None or row.release_date is None:
        return "", []
    evidence = Evidence(
        "engagement",
        row.period_end,
        r.category or "",
        None,
        row.hours_viewed,
        "release_date",
        row.snapshot_id,
        row.observed_at,
        row.title,
        report=row.report,
    )
    return f", released on {day_text(row.release_date)},", [evidence]


def debut(ctx: Context, s: Subject) -> Fact:
    r = s.report
    d = r.debut
    assert d is not None
    first = r.weeks[0]
    when, dated = released(s)
    if not d.known:
        hours = f" with {figure(d.hours_viewed)} hours viewed" if d.hours_viewed else ""
        return Fact(
            "first_listed",
            f"{s.label}{when} was already in the global {r.category} Top 10 in the lists' first "
            f"week, {week_range(d.week_end)}, at No. {d.rank}{hours}. Its run began before "
            "Netflix's lists did, so its first week on the chart is not known, and it is "
            "left out of first-week records.",
            [s.row(first).evidence("hours_viewed"), *dated],
        )
    if d.views is not None and d.week_end >= VIEWS_FROM:
        hours = f" and {figure(d.hours_viewed)} hours viewed" if d.hours_viewed else ""
        return Fact(
            "debut",
            f"{s.label}{when} debuted at No. {d.rank} in the global {r.category} Top 10 "
            f"with {figure(d.views)} views{hours} for {week_range(d.week_end)} (Netflix ranks "
            "its lists by views from June 2023).",
            [s.row(first).evidence("views"), s.row(first).evidence("hours_viewed"), *dated],
        )
    return Fact(
        "debut",
        f"{s.label}{when} debuted at No. {d.rank} in the global {r.category} Top 10 with "
        f"{figure(d.hours_viewed or 0)} hours viewed for {week_range(d.week_end)}.",
        [s.row(first).evidence("hours_viewed"), *dated],
    )


def _standing(
    ctx: Context, rec: RecordHeld, measure: str, since: str
) -> tuple[str, list[Evidence]]:
    """``No. 2 of 74 debuts since …, behind X's 201.91 million hours (week of …)``."""
    text = f"No. {rec.rank} of {count(rec.of, 'debut')} since {since}"
    holder = holder_row(ctx, rec)
    if rec.record or holder is None or rec.holder_value is None:
        return text, []
    text += (
        f", behind {possessive(rec.holder or '')} {figure(rec.holder_value)} "
        f"{SHORT_UNITS[measure]} (week of {week_range(holder.week_end)})"
    )
    return text, [holder.evidence(measure)]


def debut_record(ctx: Context, s: Subject) -> Fact | None:
    r = s.report
    d = r.debut
    if d is None or not d.known:
        return None
    first = s.row(r.weeks[0])
    by_hours = record(r, "debut_hours")
    by_views = record(r, "debut_views")
    sentences = []
    evidence: list[Evidence] = []
    if by_views is not None:
        text, ev = _standing(ctx, by_views, "views", VIEWS_BEGAN)
        status = "was" if by_views.record else "was not"
        sentences.append(
            "By views, Netflix's ranking measure since June 2023, it "
            f"{status} the {r.category} debut record at the time: {text}."
        )
        evidence += [first.evidence("views"), *ev]
    if by_hours is not None:
        text, ev = _standing(ctx, by_hours, "hours_viewed", _lists_began(ctx))
        if by_views is not None:
            sentences.append(f"By hours viewed, it was {text}.")
        else:
            status = "was" if by_hours.record else "was not"
            sentences.append(
                f"It {status} the {r.category} debut record at the time: by hours viewed, {text}."
            )
        evidence += [first.evidence("hours_viewed"), *ev]
    if not sentences:
        return None
    return Fact("debut_record", " ".join(sentences), evidence)


def best_week(ctx: Context, s: Subject) -> Fact | None:
    r = s.report
    b = r.best_week
    if b is None or r.category is None:
        return None
    measure = b.measure
    value = b.views if measure == "views" else b.hours_viewed
    if value is None:
        return None
    week = next(w for w in r.weeks if w.week_end == b.week_end)
    also = ""
    if measure == "views" and b.hours_viewed is not None:
        also = f" ({figure(b.hours_viewed)} hours viewed)"
    known = r.debut is not None and r.debut.known
    text = (
        f"Its best {'' if known else 'published '}week was {week_range(b.week_end)}, with "
        f"{figure(value)} {UNITS[measure]}{also} at No. {b.rank}"
        + ("." if known else " (its weeks before the lists began are not published).")
    )
    evidence = [s.row(week).evidence(measure)]
    if measure == "views" and b.hours_viewed is not None:
        evidence.append(s.row(week).evidence("hours_viewed"))
    total, rank, top = single_weeks(ctx, r.category, b.week_end, measure, value)
    since = VIEWS_BEGAN if measure == "views" else _lists_began(ctx)
    by = "By views, at" if measure == "views" else "At"
    per_title = record(r, "week_views" if measure == "views" else "week_hours")
    if rank == 1:
        text += (
            f" {by} the time it was the biggest of all {count(total, 'single week')} of "
            f"{r.category} titles since {since}."
        )
    else:
        text += (
            f" {by} the time it was No. {rank} among all {count(total, 'single week')} of "
            f"{r.category} titles since {since}"
        )
        if per_title is not None:
            text += (
                f", and No. {per_title.rank} of {count(per_title.of, 'title')} counting each "
                "title's best week once"
            )
        if top is not None:
            value_top = top.views if measure == "views" else top.hours_viewed
            text += (
                f"; the biggest was {possessive(top.title)} {figure(value_top or 0)} "
                f"{SHORT_UNITS[measure]} (week of {week_range(top.week_end)})"
            )
            evidence.append(top.evidence(measure))
        text += "."
    return Fact("best_week", text, evidence)


def weeks_at_no1(ctx: Context, s: Subject) -> Fact:
    r = s.report
    since = "" if r.debut is None or r.debut.known else " since the lists began"
    if r.weeks_at_no1:
        weeks = [w for w in r.weeks if w.rank == 1]
        text = (
            f"{s.name} spent {count(r.weeks_at_no1, 'week')} at No. 1 in the global "
            f"{r.category} Top 10, and {count(r.weeks_in_top10, 'week')} in the Top 10{since}."
        )
    else:
        weeks = [w for w in r.weeks if w.rank == r.peak_rank]
        text = (
            f"{s.name} never reached No. 1 in the global {r.category} Top 10{since}: its "
            f"peak was No. {r.peak_rank} ({count(r.weeks_at_peak, 'week')}), in "
            f"{count(r.weeks_in_top10, 'week')} in the Top 10."
        )
    return Fact(
        "weeks_at_no1",
        text,
        [s.row(w).evidence("views" if w.views is not None else "hours_viewed") for w in weeks],
    )


def countries(ctx: Context, s: Subject) -> list[Fact]:
    covered = sorted(ctx.view.core.country_weeks)
    r = s.report
    last = r.weeks[-1].week_end
    if not covered:
        return [Fact("countries", "The store has no country lists for its weeks.")]
    rows = [
        (c.week, c.iso2, c.category, c.rank, c.snapshot_id, c.observed_at)
        for c in ctx.view.core.title_countries(s.title.ident, s.title.film)
    ]
    end = covered[-1]
    if r.weeks[0].week_end > end:
        return [
            Fact(
                "countries",
                f"The store's country lists end with the week of {week_range(end)}, before "
                f"{possessive(s.name)} run: there are no country figures for it.",
            )
        ]
    caveat = ""
    if last > end:
        caveat = (
            f" The store's country lists end with the week of {week_range(end)}; its later "
            "weeks have no country figures."
        )
    if not rows:
        return [
            Fact(
                "countries",
                f"{s.name} was in no country's Top 10 in the weeks with country lists." + caveat,
            )
        ]
    facts = []
    for fid, keep, measure, what in (
        ("countries", lambda rank: rank == 1, "countries_no1", "No. 1"),
        ("countries_top10", lambda rank: True, "countries_top10", "in the Top 10"),
    ):
        chosen = [row for row in rows if keep(row[3])]
        if not chosen:
            facts.append(
                Fact(
                    fid,
                    f"In Netflix's weekly country lists (ranks only), {s.name} was not No. 1 "
                    "in any country." + caveat,
                )
            )
            caveat = ""
            continue
        by_week: dict[dt.date, list[tuple[Any, ...]]] = {}
        for row in chosen:
            by_week.setdefault(row[0], []).append(row)
        counts = [(w, len(v)) for w, v in by_week.items()]
        named = counts if len(counts) <= LISTED_WEEKS + 1 else counts[:LISTED_WEEKS]
        parts = [f"{count(named[0][1], 'country', 'countries')} in the week of "]
        parts[0] += week_range(named[0][0])
        parts += [f"{n} in {week_range(w)}" for w, n in named[1:]]
        if len(named) < len(counts):
            rest = [n for _, n in counts[len(named) :]]
            spread = f"{min(rest)}–{max(rest)}" if min(rest) != max(rest) else str(rest[0])
            parts.append(f"{spread} a week in {len(rest)} later weeks")
        distinct = {row[1] for row in chosen}
        text = (
            f"In Netflix's weekly country lists (ranks only), {s.name} was {what} in "
            f"{join(parts, sep='; ')}"
        )
        if len(by_week) > 1:
            text += f": {count(len(distinct), 'country', 'countries')} in all"
        text += "."
        evidence = [
            Evidence(
                "countries",
                week,
                week_rows[0][2],
                1 if measure == "countries_no1" else None,
                len(week_rows),
                measure,
                max(x[4] for x in week_rows),
                max(x[5] for x in week_rows),
                s.label,
            )
            for week, week_rows in by_week.items()
        ]
        if measure == "countries_no1":
            firsts: dict[str, tuple[Any, ...]] = {}
            for row in chosen:
                firsts.setdefault(row[1], row)
            evidence += [
                Evidence("countries", w, c, rank, None, "rank", sid, obs, s.label, iso)
                for w, iso, c, rank, sid, obs in sorted(firsts.values(), key=lambda x: x[1])
            ]
        facts.append(Fact(fid, text + caveat, evidence))
        caveat = ""  # said once, after the first of the two facts
    return facts


def total(ctx: Context, s: Subject) -> Fact:
    r = s.report
    since = "" if r.debut is None or r.debut.known else " since the lists began"
    n = count(r.weeks_in_top10, "week")
    all_views = all(w.views is not None for w in r.weeks)
    hours = figure(r.total_hours_viewed or 0)
    if all_views and r.total_views is not None:
        text = (
            f"In its {n} in the global Top 10{since}, {s.name} drew "
            f"{figure(r.total_views)} views and {hours} hours viewed."
        )
        evidence = [s.row(w).evidence("views") for w in r.weeks]
    else:
        text = f"In its {n} in the global Top 10{since}, {s.name} was watched for {hours} hours."
        if r.total_views is not None:
            k = sum(w.views is not None for w in r.weeks)
            text += (
                f" Views, published only from the week of {week_range(VIEWS_FROM)}, add up "
                f"to {figure(r.total_views)} over {count(k, 'week')} of them."
            )
        evidence = [s.row(w).evidence("views") for w in r.weeks if w.views is not None]
    evidence += [s.row(w).evidence("hours_viewed") for w in r.weeks]
    text += " Netflix publishes weekly figures only for titles in its Top 10."
    return Fact("total", text, evidence)
