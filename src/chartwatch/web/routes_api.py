"""``/api/v1/…``: one route per command, answering what :mod:`chartwatch.web.api` returns,
which is exactly what the command prints with ``--json``. The long forecasts (the watch
list, the backtest) run as jobs of the :class:`~chartwatch.web.app.Site`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import FastAPI, Query
from fastapi.responses import Response

from chartwatch.forecast.features import DEFAULT_WEEKS
from chartwatch.forecast.scorecard import missing_extra
from chartwatch.web import api, params
from chartwatch.web.errors import WebError, bad_parameter

if TYPE_CHECKING:
    from chartwatch.store.store import Store
    from chartwatch.web.app import Site

Weeks = Annotated[
    int, Query(ge=1, le=26, description="Forecast from the first N weeks after the debut.")
]
ReportParam = Annotated[
    str | None,
    Query(description="An engagement report, e.g. 2024H1.", max_length=10),
]


def require_forecast() -> None:
    missing = missing_extra()
    if missing:
        raise WebError(501, "forecast_unavailable", missing)


def status_without_folder(store: Store) -> Any:
    """``status --json``, naming the store's file without its folder: the server does not
    tell visitors where its files are."""
    out = api.status(store)
    out["db"] = Path(out["db"]).name
    return out


def register(app: FastAPI, site: Site) -> None:
    """Add the API's routes to ``app``: the charts, the store, the engagement reports and
    the forecasts, each the JSON of its command."""
    _charts(app, site)
    _store(app, site)
    _engagement(app, site)
    _forecasts(app, site)


def _charts(app: FastAPI, site: Site) -> None:
    @app.get("/api/v1/week", tags=["api"], summary="chartwatch week --json")
    async def api_week(args: params.Week) -> Response:
        """One week's Top 10: the four global lists, or a country's Films and TV."""
        return await site.answer("week", api.week, **vars(args))

    @app.get("/api/v1/title", tags=["api"], summary="chartwatch title QUERY --json")
    async def api_title(q: params.TitleQuery, as_of: params.AsOf = None) -> Response:
        """A title's run (or a show's installments): debut, peak, weeks, countries, records."""
        return await site.answer(
            "title", api.title, q=params.required_text(q, "q"), as_of=params.date(as_of, "as_of")
        )

    @app.get("/api/v1/records", tags=["api"], summary="chartwatch records --json")
    async def api_records(
        metric: Annotated[str, Query(max_length=40)] = "debut_hours",
        category: params.Category = None,
        as_of: params.AsOf = None,
        top: Annotated[int, Query(ge=1, le=1000)] = 10,
    ) -> Response:
        """Leaderboards as they stood on a date."""
        from chartwatch.analytics.records import METRICS

        return await site.answer(
            "records",
            api.records,
            metric=params.choice(metric, "metric", list(METRICS)) or "debut_hours",
            category=params.category(category),
            as_of=params.date(as_of, "as_of"),
            top=top,
        )

    @app.get("/api/v1/compare", tags=["api"], summary="chartwatch compare A B … --json")
    async def api_compare(args: params.Compare) -> Response:
        """Titles' runs side by side (``metric`` hours by default, ``align`` debut)."""
        if len(args.titles) < 2:
            raise bad_parameter("titles", "give at least two titles (titles=A&titles=B)")
        return await site.answer(
            "compare",
            api.compare,
            titles=args.titles,
            metric=args.metric or "hours",
            align=args.align or "debut",
            as_of=args.as_of,
        )

    @app.get("/api/v1/countries", tags=["api"], summary="chartwatch countries QUERY --json")
    async def api_countries(
        q: params.TitleQuery, week: params.WeekParam = None, as_of: params.AsOf = None
    ) -> Response:
        """A title's country footprint, week by week."""
        return await site.answer(
            "countries",
            api.countries,
            q=params.required_text(q, "q"),
            week=params.date(week, "week"),
            as_of=params.date(as_of, "as_of"),
        )

    @app.get("/api/v1/brief", tags=["api"], summary="chartwatch brief QUERY --json")
    async def api_brief(
        q: params.TitleQuery,
        vs: Annotated[str | None, Query(max_length=200)] = None,
        as_of: params.AsOf = None,
    ) -> Response:
        """The facts about a title as sentences, each with its evidence."""
        return await site.answer(
            "brief",
            api.brief,
            q=params.required_text(q, "q"),
            vs=params.text(vs, "vs"),
            as_of=params.date(as_of, "as_of"),
        )

    @app.get("/api/v1/search", tags=["api"], summary="chartwatch search TEXT --json")
    async def api_search(
        q: Annotated[str, Query(description="What to look for.", max_length=200)],
        limit: Annotated[int, Query(ge=1, le=100)] = 10,
    ) -> Response:
        """Titles and shows matching the text, best first."""
        return await site.answer("search", api.search, q=params.required_text(q, "q"), limit=limit)


def _store(app: FastAPI, site: Site) -> None:
    @app.get("/api/v1/history", tags=["api"], summary="chartwatch history --json")
    async def api_history(args: params.History, include_new_columns: bool = False) -> Response:
        """Every revision Netflix made, optionally for a title, week, list or country."""
        return await site.answer(
            "history", api.history, **vars(args), include_new_columns=include_new_columns
        )

    @app.get("/api/v1/status", tags=["api"], summary="chartwatch status --json")
    async def api_status() -> Response:
        """What the store holds (the store's file by name: its folder is not shown)."""
        return await site.answer("status", status_without_folder)


def _engagement(app: FastAPI, site: Site) -> None:
    @app.get("/api/v1/engagement", tags=["api"], summary="chartwatch engagement --json")
    async def api_engagement(args: params.Engagement) -> Response:
        """A semiannual engagement report's leaderboard, each row linked to its Top 10
        title (``all=true``: every row)."""
        return await site.answer("engagement", api.engagement, **vars(args))

    @app.get(
        "/api/v1/engagement/summary",
        tags=["api"],
        summary="chartwatch engagement --summary --json",
    )
    async def api_engagement_summary(report: ReportParam = None) -> Response:
        """Per report (every report, or the one named): the share of hours that went to
        titles that never charted, the share of the top 1 % and 10 % of titles, and titles
        per release year."""
        return await site.answer(
            "engagement-summary", api.engagement_summary, report=params.report_id(report)
        )

    @app.get(
        "/api/v1/engagement/unlinked",
        tags=["api"],
        summary="chartwatch engagement --unlinked --json",
    )
    async def api_engagement_unlinked(
        report: ReportParam = None,
        all: Annotated[bool, Query(description="Also every row linked to no title.")] = False,
    ) -> Response:
        """What is not linked in a report (the latest by default): the titles that charted
        in the half-year without a row, and (``all=true``) every row linked to no Top 10
        title, each with why."""
        return await site.answer(
            "engagement-unlinked",
            api.engagement_unlinked,
            report=params.report_id(report),
            every_row=all,
        )


def _forecasts(app: FastAPI, site: Site) -> None:
    from chartwatch.web.app import DEFAULT_BACKTEST

    @app.get("/api/v1/greenlight", tags=["api"], summary="chartwatch greenlight QUERY --json")
    async def api_greenlight(
        q: params.TitleQuery, as_of: params.AsOf = None, weeks: Weeks = DEFAULT_WEEKS
    ) -> Response:
        """Will there be another season? The chance the next installment of a TV
        installment's show (a show: its latest) charts within 12/24/36 months."""
        require_forecast()
        return await site.answer(
            "greenlight",
            api.greenlight,
            q=params.required_text(q, "q"),
            as_of=params.date(as_of, "as_of"),
            weeks=weeks,
        )

    @app.get("/api/v1/greenlight/all", tags=["api"], summary="chartwatch greenlight --all --json")
    async def api_greenlight_all(
        as_of: params.AsOf = None, weeks: Weeks = DEFAULT_WEEKS
    ) -> Response:
        """The renewal watch list: the forecast of every installment with a debut."""
        require_forecast()
        return await site.job_answer(
            "greenlight-all", api.greenlight_all, as_of=params.date(as_of, "as_of"), weeks=weeks
        )

    @app.get(
        "/api/v1/greenlight/backtest",
        tags=["api"],
        summary="chartwatch greenlight --backtest --json",
    )
    async def api_greenlight_backtest(
        as_of: params.AsOf = None,
        weeks: Weeks = DEFAULT_WEEKS,
        horizon: Annotated[
            int, Query(ge=1, le=36, description="Backtest horizon in months.")
        ] = DEFAULT_BACKTEST["horizon"],
        strict: Annotated[
            bool, Query(description="Train only on outcomes known at each origin.")
        ] = False,
        seed: Annotated[
            int, Query(ge=0, le=2**31 - 1, description="Seed of the bootstrap interval.")
        ] = 0,
    ) -> Response:
        """The renewal and run forecasts scored on past data (rolling origins)."""
        require_forecast()
        return await site.job_answer(
            "greenlight-backtest",
            api.greenlight_backtest,
            as_of=params.date(as_of, "as_of"),
            weeks=weeks,
            horizon=horizon,
            strict=strict,
            seed=seed,
        )
