"""The facts that are estimates, not published figures: ``forecast`` (where a title still in
the Top 10 is heading) and ``renewal`` (the chance a numbered installment has a successor).
Each says so in its sentence and points to docs/forecast.md. :mod:`chartwatch.forecast`
is imported inside the builders, not with this package, so the CLI starts without numpy
or pandas.
"""

from __future__ import annotations

from chartwatch.brief.context import Context, Subject
from chartwatch.brief.types import Fact
from chartwatch.errors import NotFoundError, missing_modules
from chartwatch.render.prose import count, figure, possessive


def forecast(ctx: Context, s: Subject) -> Fact | None:
    """For a title still in the Top 10: where its first weeks say the run is heading."""
    from chartwatch.forecast.documents import running_forecast

    r = s.report
    fc = r.forecast if r.forecast is not None else running_forecast(ctx.view, s.title)
    if fc is None:
        return None
    m = fc.hours
    text = (
        f"{s.name} is still in the Top 10. A statistical forecast from its first "
        f"{count(fc.weeks_used, 'week')}, not a published figure, puts its run at about "
        f"{figure(int(m.estimate))} hours viewed in the Top 10, between "
        f"{figure(int(m.low))} and {figure(int(m.high))} (80 % interval)"
    )
    if m.low == m.high == fc.hours_so_far:  # it outran the forecast, which is floored there
        text = (
            f"{s.name} is still in the Top 10 and has outrun a statistical forecast from its "
            f"first {count(fc.weeks_used, 'week')}, not a published figure: {fc.text}"
        )
    text += " (method and backtest: docs/forecast.md)."
    evidence = [s.row(w).evidence("hours_viewed") for w in r.weeks[: fc.weeks_used]]
    return Fact("forecast", text, evidence)


NUMBERED_KINDS = ("season", "part", "volume", "book", "chapter", "collection")


def renewal(ctx: Context, s: Subject) -> Fact | None:
    """For a numbered TV installment whose next one has not charted: the renewal forecast.

    A later installment already in the lists answers the question, and is told by the
    catalogue without loading the forecast libraries; so is a missing forecast extra."""

    t = s.title
    inst = t.installment
    if t.film or inst.kind not in NUMBERED_KINDS or inst.number is None or not s.report.weeks:
        return None
    show = ctx.cat.shows.get((t.show, False))
    debut = s.report.weeks[0].week_end
    for other in show.titles if show else ():
        number, first = other.installment.number, other.first_week
        if number is None or number <= inst.number or first is None or first <= debut:
            continue
        return None  # a later installment has charted: the question is answered
    if missing_modules(("pandas", "lifelines")):
        return None  # pragma: no cover - depends on the environment
    from chartwatch.forecast.documents import forecast_installment

    try:
        g = forecast_installment(ctx.view, t)
    except NotFoundError:  # too few renewals in this view to learn from
        return None
    if g is None or g.status.state != "waiting" or not g.p_next_within:
        return None
    p = g.p_next_within
    n = g.weeks_used or 0
    text = (
        f"Will there be another {inst.kind}? A statistical forecast from {possessive(s.name)} "
        f"first {count(n, 'week')} in the Top 10, not a published fact, gives a "
        f"{p[24]:.0%} chance that the next installment enters the global Top 10 within 24 "
        f"months of the debut ({p[12]:.0%} within 12, {p[36]:.0%} within 36)"
    )
    months = g.status.months or 0.0
    given = g.p_next_within_given_not_yet or {}
    later = [(h, q) for h, q in sorted(given.items()) if q is not None and h > months]
    if later and months >= 1:
        h, q = later[0]
        text += f"; {months:.0f} months on with none so far, {q:.0%} within {h}"
    text += (
        ". Learnt from the charts alone, which carry no production news: in its backtest it "
        "ranks installments only modestly better than the debut figure alone, so treat it "
        "as rough (method and backtest: docs/forecast.md)."
    )
    evidence = [s.row(w).evidence("hours_viewed") for w in s.report.weeks[:n]]
    return Fact("renewal", text, evidence)
