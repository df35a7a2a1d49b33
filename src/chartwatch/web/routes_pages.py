"""The pages' routes: each checks its parameters (:mod:`chartwatch.web.params`) and asks
the :class:`~chartwatch.web.app.Site` for the page its builder (:mod:`chartwatch.web.pages`)
makes, as HTML or, at ``….json``, as JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import FastAPI, Query, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response

from chartwatch.web import pages, params
from chartwatch.web.errors import bad_parameter

if TYPE_CHECKING:
    from chartwatch.store.store import Store
    from chartwatch.web.app import Site


ENGAGEMENT_ROWS = 1000  # a report's page lists at most this many rows (the API: every row)


def status_page_without_folder(store: Store) -> pages.Page:
    """The store's page, naming its file without the folder (as ``/api/v1/status``)."""
    from pathlib import Path

    page = pages.status_page(store)
    page.data["status"]["db"] = Path(page.data["status"]["db"]).name
    return page


def register(app: FastAPI, site: Site) -> None:
    """Add the pages' routes to ``app``: the charts (weeks, titles, leaderboards, reports),
    the ways to find and compare titles, and the store's own pages."""
    _charts(app, site)
    _finding(app, site)
    _store(app, site)


def _charts(app: FastAPI, site: Site) -> None:
    @app.get("/", include_in_schema=False)
    @app.get("/.json", include_in_schema=False)
    async def home_page(request: Request, args: params.Week) -> Response:
        return await site.page(request, "home", pages.home, **vars(args))

    @app.get("/title/{path:path}", include_in_schema=False)
    async def title_page(
        request: Request,
        path: str,
        as_of: params.AsOf = None,
        compare: Annotated[list[str], Query(max_length=params.MAX_TITLES)] = [],  # noqa: B006
    ) -> Response:
        fmt = "json" if path.endswith(".json") else "html"
        name = params.required_text(path[: -len(".json")] if fmt == "json" else path, "title")
        day = params.date(as_of, "as_of")
        others = params.titles(compare, "compare")
        if len(others) > params.MAX_TITLES - 1:
            raise bad_parameter("compare", f"at most {params.MAX_TITLES - 1} titles")
        # the backtest's figures are part of the key: the page is built again once ready
        backtest = await site.page_backtest()
        return await site.page(
            request,
            "title",
            pages.title_page,
            path=name,
            as_of=day,
            compare_with=others,
            fmt=fmt,
            backtest=backtest,
        )

    @app.get("/records", include_in_schema=False)
    @app.get("/records.json", include_in_schema=False)
    async def records_page(
        request: Request,
        metric: Annotated[str | None, Query(max_length=40)] = None,
        category: params.Category = None,
        as_of: params.AsOf = None,
        top: Annotated[int, Query(ge=1, le=1000)] = 10,
    ) -> Response:
        from chartwatch.analytics.records import METRICS

        return await site.page(
            request,
            "records",
            pages.records_page,
            metric=params.choice(metric, "metric", list(METRICS)),
            category=params.category(category),
            as_of=params.date(as_of, "as_of"),
            top=top,
        )

    @app.get("/engagement", include_in_schema=False)
    @app.get("/engagement.json", include_in_schema=False)
    async def engagement_page(request: Request, args: params.Engagement) -> Response:
        from chartwatch.web.engagement_page import engagement_page

        if args.top is None or args.top > ENGAGEMENT_ROWS:
            raise bad_parameter(
                "top",
                f"a page shows at most {ENGAGEMENT_ROWS} rows; /api/v1/engagement gives them all",
            )
        return await site.page(request, "engagement", engagement_page, **vars(args))


def _finding(app: FastAPI, site: Site) -> None:
    @app.get("/compare", include_in_schema=False)
    @app.get("/compare.json", include_in_schema=False)
    async def compare_page(
        request: Request,
        args: params.Compare,
        runs: Annotated[str | None, Query(max_length=10)] = None,
    ) -> Response:
        return await site.page(
            request,
            "compare",
            pages.compare_page,
            **vars(args),
            runs=params.choice(runs, "runs", ["first", "all"]),
        )

    @app.get("/search", include_in_schema=False)
    @app.get("/search.json", include_in_schema=False)
    async def search_page(
        request: Request,
        q: Annotated[str | None, Query(max_length=200)] = None,
        limit: Annotated[int, Query(ge=1, le=50)] = 10,
    ) -> Response:
        return await site.page(
            request, "search", pages.search_page, q=params.text(q, "q"), limit=limit
        )


def _store(app: FastAPI, site: Site) -> None:
    @app.get("/history", include_in_schema=False)
    @app.get("/history.json", include_in_schema=False)
    async def history_page(request: Request, args: params.History) -> Response:
        return await site.page(request, "history", pages.history_page, **vars(args))

    @app.get("/status", include_in_schema=False)
    @app.get("/status.json", include_in_schema=False)
    async def status_page(request: Request) -> Response:
        return await site.page(request, "status", status_page_without_folder)

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="chartwatch API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/vendor/swagger-ui/favicon-32x32.png",
            swagger_ui_parameters={"validatorUrl": None, "tryItOutEnabled": True},
        )
