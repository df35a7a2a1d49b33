"""Records: first-week and single-week leaderboards of a list, as they stood then."""

from __future__ import annotations

from chartwatch.analytics.runs import TitleReport, Week
from chartwatch.brief.types import Evidence
from chartwatch.check.claims import Claim
from chartwatch.check.facts import Board, Facts, week_of
from chartwatch.check.judge.common import (
    FALSE,
    MISLEADING,
    TRUE,
    UNIT,
    UNVERIFIABLE,
    Judgement,
    ev,
    fig,
    installments,
    never_charted,
    week_value,
)
from chartwatch.check.judge.popular import popular_record
from chartwatch.render.prose import figure, week_range
from chartwatch.titles import Title
from chartwatch.vocabulary import VIEWS_FROM


def _holder_evidence(facts: Facts, top: Board, measure: str) -> list[Evidence]:
    target = facts.resolve(top.key or top.label)
    week = top.week_end
    if not isinstance(target, Title):
        return []
    report = facts.run(target)
    w = week_of(report, week) if week else None
    return [ev(target.label, w, measure)] if w else []


def judge_record(facts: Facts, c: Claim, t: Title) -> Judgement:
    """A record of the title's list (its first week, or its best single week) as the
    leaderboard stood then; ``all_time``: the most-popular list."""
    label = t.label
    report = facts.run(t)
    scope = c.stated.get("scope")
    if not report.weeks or report.category is None:
        if scope == "all_time":
            return popular_record(facts, c, t)
        return never_charted(label)
    category = report.category
    if c.list_name and c.list_name != category:
        return Judgement(
            MISLEADING,
            f"Wrong list: {label} is in the {category} list, not {c.list_name}.",
        )
    if scope == "all_time":
        return popular_record(facts, c, t)
    board = _board(report, scope, label)
    if isinstance(board, Judgement):
        return board
    w, metric, measure, what = board
    top = facts.leader(t, metric)
    mine = week_value(w, measure) or 0
    evidence = [ev(label, w, measure)]
    if top is None:
        return Judgement(UNVERIFIABLE, f"No {what} {UNIT[measure]} leaderboard in this view.")
    if top.value <= mine:
        return Judgement(
            TRUE,
            f"{label}'s {fig(mine, measure)} (week of {week_range(w.week_end)}) was the "
            f"{category} {what} record at the time.",
            mine,
            evidence,
        )
    evidence += _holder_evidence(facts, top, measure)
    record = f"the {category} {what} record then was {top.label}'s {fig(top.value, measure)}" + (
        f" (week of {week_range(top.week_end)})" if top.week_end else ""
    )
    beaten = _beaten(facts, c, scope, measure, mine, top)
    if beaten is not None:
        title, tw, theirs = beaten
        evidence.append(ev(title.label, tw, measure))
        return Judgement(
            MISLEADING,
            f"True only against {title.label}: {label}'s {fig(mine, measure)} beat its "
            f"{figure(theirs)}, but that was no record: {record}.",
            mine,
            evidence,
        )
    return Judgement(
        FALSE,
        f"{label}'s {fig(mine, measure)} was not the record: {record}.",
        mine,
        evidence,
    )


def _board(
    report: TitleReport, scope: str | None, label: str
) -> tuple[Week, str, str, str] | Judgement:
    """The title's week on the record's leaderboard, the board (metric), the measure and
    how to name the record: its first week (views from the week they were published),
    else its best single week."""
    weeks = report.weeks
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
        return w, metric, measure, "first-week"
    with_views = all(x.views is not None for x in weeks)
    measure = "views" if with_views else "hours_viewed"
    metric = "week_views" if with_views else "week_hours"
    return max(weeks, key=lambda x: week_value(x, measure) or 0), metric, measure, "single-week"


def _beaten(
    facts: Facts, c: Claim, scope: str | None, measure: str, mine: int, top: Board
) -> tuple[Title, Week, int] | None:
    """The title the claim says was beaten (``beating the record of X``), its week and
    figure, when the claimed title did beat it and it was not the record's holder."""
    if c.other is None or c.other.target is None:
        return None
    for beaten in installments(c.other.target):
        theirs_report = facts.run(beaten)
        if not theirs_report.weeks:
            continue
        tw = (
            theirs_report.weeks[0]
            if scope == "debut"
            else max(theirs_report.weeks, key=lambda x: week_value(x, measure) or 0)
        )
        theirs = week_value(tw, measure) or 0
        if theirs and theirs < mine and beaten.label != top.label:
            return beaten, tw, theirs
    return None
