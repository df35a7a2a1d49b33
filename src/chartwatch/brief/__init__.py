"""Fact briefs: the sentences a journalist would write about a title, each with its evidence.

``brief(store, "All of Us Are Dead", vs="Squid Game")`` builds short sentences from fixed
templates over computed values (no language model). Every fact carries the published rows
it rests on (list, week, category, rank, figure, measure, the snapshot that published it and
when that was observed), so each figure can be checked against Netflix's files.

The traps it respects:

* a title already listed in the lists' first week (2021-07-04) has an unknown earlier run:
  its first listed week is never called a debut and never ranked among debuts;
* Netflix ranks by hours until June 2023 and by views after; views exist only from the week
  ending 2023-06-18. Every sentence names its measure and compares like with like: views
  with views (views era only), hours with hours;
* the country lists carry ranks only (no hours): country facts are counts of countries;
* a view as of a date keeps only the weeks published by then, each row as the store knew
  it then (reconstructed from its first observation when the store saw it later, and the
  brief says so).


Standings "at the time" use the leaderboards of :mod:`chartwatch.analytics.records` cut at
the week in question. A best week is placed twice: among all single weeks of all titles in
its category (every title-week counts, so one title's several big weeks each count), and
among titles by their best week (the ``week_hours`` / ``week_views`` leaderboards).

The package, in the order a brief is built: ``types`` (:class:`Brief`, :class:`Fact`,
:class:`Evidence`: what it returns), ``context`` (the view, the resolved title and its cut
run), ``standings`` (where a figure stood at the time, and the rows behind that), ``facts``
(the title's own facts from its published rows), ``versus`` (the ``vs`` comparison) and
``forecasts`` (the statistical estimates, labelled as such). :func:`brief` puts them
together.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chartwatch.brief import facts, forecasts, versus
from chartwatch.brief.context import Context, notes, subject
from chartwatch.brief.types import Brief, Evidence, Fact
from chartwatch.errors import UsageError
from chartwatch.titles import Title

if TYPE_CHECKING:
    from chartwatch.view import View

__all__ = ["Brief", "Evidence", "Fact", "brief"]


def brief(view: View, query: str | Title, *, vs: str | Title | None = None) -> Brief:
    """The facts about one title in ``view``, each with its evidence; compared with ``vs``
    when given: the document of ``chartwatch brief``.

    A view as of a date holds the weeks published by then (:mod:`chartwatch.store.rows`);
    when it is reconstructed, the brief's ``notes`` say so. A query naming a show with
    several charted installments raises :class:`AmbiguousTitleError` listing them; a brief
    is about one installment.
    """
    ctx = Context(view, view.titles, view.core.list_start)
    s = subject(ctx, query)
    other = None
    if vs is not None:
        other = subject(ctx, vs, full=False)
        if other.title.ident == s.title.ident and other.title.film == s.title.film:
            raise UsageError(f"{vs!r} is the title being briefed", parameter="vs")
    found: list[Fact | None] = [
        facts.debut(ctx, s),
        facts.debut_record(ctx, s),
        facts.best_week(ctx, s),
        facts.weeks_at_no1(ctx, s),
        *facts.countries(ctx, s),
        facts.total(ctx, s),
        forecasts.forecast(ctx, s),
        forecasts.renewal(ctx, s),
        versus.vs(ctx, s, other) if other is not None else None,
    ]
    return Brief(
        label=s.label,
        show=s.title.show,
        category=s.report.category,
        as_of=view.as_of,
        vs=other.label if other else None,
        notes=notes(view),
        facts=[f for f in found if f is not None],
        key=s.title.key,
        view=view.describe(),
    )
