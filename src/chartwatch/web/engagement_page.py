"""``/engagement``: one of Netflix's semiannual engagement reports as a page.

The page is what ``chartwatch engagement`` prints (its leaderboard, with the same filters)
and what ``chartwatch engagement --summary`` prints for the report (the share of hours that
went to titles that never charted, how concentrated viewing is, titles per release year),
the figures drawn as charts, each row linked to its Top 10 title's page. It adds nothing to
the answers: the core functions are :func:`chartwatch.engagement.answers.leaderboard` and
:func:`~chartwatch.engagement.answers.summary`, as for ``/api/v1/engagement``.
"""

from __future__ import annotations

import calendar
import datetime as dt

from chartwatch.store.store import Store
from chartwatch.view import View
from chartwatch.web.links import links_for
from chartwatch.web.pages import CHART_WIDTH, Page, url


def half_year(start: dt.date, end: dt.date) -> str:
    """``January–June 2024`` (the years both named when they differ)."""
    months = calendar.month_name  # English: chartwatch never sets a locale
    first = months[start.month] + ("" if start.year == end.year else f" {start.year}")
    return f"{first}–{months[end.month]} {end.year}"


def engagement_page(
    store: Store,
    *,
    report: str | None = None,
    kind: str | None = None,
    global_only: bool = False,
    released_in: int | None = None,
    top: int | None = 10,
) -> Page:
    """A report's leaderboard (the latest report unless ``report``) with the filters of
    ``chartwatch engagement``, and the report's "what the Top 10 leaves out" figures as
    charts. ``top`` None: every row (as ``--all``)."""
    from chartwatch.engagement.answers import KINDS, leaderboard, reports, summary
    from chartwatch.render import charts

    all_reports = reports(store)
    if not all_reports:  # the nav links here: say what is missing rather than a 404
        return Page("engagement.html", "Engagement reports", {"report": None})
    board = leaderboard(
        store,
        report=report,
        kind=kind,
        global_only=global_only,
        released_in=released_in,
        top=top,
    )
    rid = board["report"]
    figures = summary(store, report=rid)["reports"][0]
    view = View.of(store)
    links = links_for(view)
    for row in board["rows"]:
        title = view.titles.by_key.get(row["label"]) if row["label"] else None
        row["url"] = links.title(title) if title is not None else None
    filters = {
        "kind": kind,
        "global_only": "true" if global_only else None,
        "released_in": released_in,
        "top": top if top != 10 else None,
    }
    return Page(
        "engagement.html",
        f"Engagement report {rid}",
        {
            "report": rid,
            "half_year": half_year(board["period_start"], board["period_end"]),
            "board": board,
            "summary": figures,
            "filtered": bool(kind or global_only or released_in is not None),
            "kind": kind,
            "kinds": list(KINDS),
            "global_only": global_only,
            "released_in": released_in,
            "top": top,
            "reports": [
                {
                    "report": r,
                    "half_year": half_year(s, e),
                    "url": url("/engagement", report=r, **filters),
                }
                for r, s, e in reversed(all_reports)
            ],
            "years": [
                {"year": y, "titles": n, "url": url("/engagement", report=rid, released_in=y)}
                for y, n in figures["titles_by_release_year"].items()
            ],
            "charts": {
                "shares": charts.engagement_shares_chart(figures, width=CHART_WIDTH),
                "years": charts.release_years_chart(figures, width=CHART_WIDTH)
                if figures["titles_by_release_year"]
                else None,
            },
            "json": url(
                "/api/v1/engagement",
                report=rid,
                kind=kind,
                global_only="true" if global_only else None,
                released_in=released_in,
                top=top if top is not None else None,
                all="true" if top is None else None,
            ),
            "summary_json": url("/api/v1/engagement/summary", report=rid),
            "unlinked_json": url("/api/v1/engagement/unlinked", report=rid),
        },
    )
