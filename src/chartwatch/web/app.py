"""The FastAPI app: routes, the one error handler, rendering, security headers.

``create_app(db)`` builds the app over the store file ``db``. Pages answer HTML at their
address and the same data as JSON at ``….json``; ``/api/v1/…`` answers exactly what the CLI's
``--json`` prints; ``/docs`` is the OpenAPI reference (served from vendored files, like
everything else: the pages make no request outside the server).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Future
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chartwatch import __version__
from chartwatch.errors import ChartwatchError, NotFoundError, StoreBusyError
from chartwatch.forecast.features import DEFAULT_WEEKS
from chartwatch.forecast.summary import missing_extra
from chartwatch.results import jsonable
from chartwatch.view import View
from chartwatch.web import api, pages, params
from chartwatch.web import check as check_web
from chartwatch.web.errors import WebError, bad_parameter, from_core, page_title
from chartwatch.web.jobs import Jobs
from chartwatch.web.links import links_for
from chartwatch.web.pages import Page, Redirect
from chartwatch.web.source import StoreSource

log = logging.getLogger("chartwatch.web")
HERE = Path(__file__).resolve().parent
MAX_PATH, MAX_QUERY = 1000, 4000
CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# Swagger UI starts from an inline script
DOCS_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
SECURITY = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]
STATUS_CODES = {
    400: "bad_parameter",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    414: "uri_too_long",
    501: "forecast_unavailable",
    503: "store_busy",
}
Weeks = Annotated[
    int, Query(ge=1, le=26, description="Forecast from the first N weeks after the debut.")
]
# the backtest the pages show: the CLI's defaults
DEFAULT_BACKTEST: dict[str, Any] = {
    "as_of": None,
    "weeks": DEFAULT_WEEKS,
    "horizon": 24,
    "strict": False,
    "seed": 0,
}


def dumps(data: Any, *, indent: int | None = None) -> bytes:
    """JSON as the CLI writes it (``default=str``, UTF-8)."""
    return json.dumps(data, indent=indent, ensure_ascii=False, default=str).encode("utf-8")


def key_of(kwargs: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    """A builder's keyword arguments as part of a cache key: lists as tuples, dicts as
    their JSON."""

    def hashable(value: Any) -> Any:
        if isinstance(value, list):
            return tuple(value)
        if isinstance(value, dict):
            return json.dumps(value, sort_keys=True, default=str)
        return value

    return tuple((k, hashable(v)) for k, v in kwargs.items())


def wants_json(path: str) -> bool:
    return path.startswith("/api/") or path.endswith(".json")


def create_app(db: str | Path, *, source: StoreSource | None = None) -> FastAPI:
    """The app over the store file ``db`` (read through an in-memory copy)."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    src = source or StoreSource(Path(db))
    jobs = Jobs(src)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        jobs.close()

    app = FastAPI(
        lifespan=lifespan,
        title="chartwatch",
        version=__version__,
        summary="Netflix Top 10 charts, exact and auditable.",
        description=(
            "The same answers as the `chartwatch` command line: every `/api/v1/…` endpoint "
            "returns exactly the JSON its command prints with `--json` (docs/json.md, "
            "docs/analytics.md). Errors are `{status, code, message, parameter, suggestions}`."
        ),
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.source = src
    app.state.jobs = jobs
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
    )
    env.filters["num"] = lambda v: "–" if v is None else f"{v:,}"
    env.filters["dec"] = lambda v: "–" if v is None else f"{v:.3f}"
    env.filters["pct"] = lambda v: "–" if v is None else f"{v:.0%}"
    env.globals["version"] = __version__

    def html(page: Page, request: Request) -> bytes:
        template = env.get_template(page.template)
        return template.render(page=page, data=page.data, path=request.url.path).encode()

    check_web.register(app, src, env, html)  # POST /api/v1/check, /check

    def finish(
        status: int, media: str, body: bytes, headers: dict[str, str] | None = None
    ) -> Response:
        return Response(body, status_code=status, media_type=media, headers=headers)

    # answers being built, so that a burst of requests for one page builds it once
    inflight: dict[tuple[Any, ...], asyncio.Future[tuple[str, bytes]]] = {}

    async def generation() -> int:
        """The generation of the copy in use, after taking a new one if the file changed.
        A new copy's view is prepared in the background (catalogue, boards, forecasts,
        backtests: :mod:`chartwatch.prepare`), so the pages that follow find it ready."""
        current = src.current()
        if current is None:  # the file changed (or no copy yet): copy it off the loop
            current = await run_in_threadpool(src.refresh)
            jobs.submit(current, ("prepare",), _prepare)
        return current

    async def cached(key: tuple[Any, ...], build: Callable[[], tuple[str, bytes]]) -> Response:
        """The answer for ``key`` from the copy's cache; on a miss ``build`` runs in a worker
        thread (it queries the store), so answers from the cache never wait for one."""
        full = (await generation(), *key)
        hit = src.cache.get(full)
        if hit is None:
            task = inflight.get(full)
            if task is None:  # build it once, whoever asked first, even if they go away
                task = asyncio.ensure_future(run_in_threadpool(build))
                inflight[full] = task

                def done(
                    t: asyncio.Future[tuple[str, bytes]], full: tuple[Any, ...] = full
                ) -> None:
                    inflight.pop(full, None)
                    if not t.cancelled() and t.exception() is None:
                        src.cache.put(full, t.result())

                task.add_done_callback(done)
            hit = await asyncio.shield(task)
        media, body = hit
        return finish(200, media, body)

    async def page(
        request: Request, name: str, builder: Callable[..., Page], **kwargs: Any
    ) -> Response:
        """The page ``builder(store, **kwargs)``, as HTML or (``….json``) its data."""
        fmt = "json" if request.url.path.endswith(".json") else "html"

        def build() -> tuple[str, bytes]:
            with src.store() as store:
                result = builder(store, **kwargs)
            if fmt == "json":
                return "application/json", dumps(jsonable(result.data))
            return "text/html; charset=utf-8", html(result, request)

        return await cached((fmt, name, *key_of(kwargs)), build)

    async def answer(name: str, builder: Callable[..., Any], **kwargs: Any) -> Response:
        """The API answer ``builder(store, **kwargs)``. A 404 suggests, for ``week``, the
        weeks nearest the one asked for; where there is a title query ``q``, the closest
        titles."""

        def build() -> tuple[str, bytes]:
            with src.store() as store:
                try:
                    return "application/json", dumps(builder(store, **kwargs))
                except NotFoundError as exc:
                    if name == "week":
                        raise pages.week_not_found(
                            View.of(store, kwargs["as_of"]),
                            exc,
                            week=kwargs["week"],
                            country=kwargs["country"],
                        ) from None
                    query = kwargs.get("q")
                    error = from_core(exc, parameter="q" if query else None)
                    if query:
                        links = links_for(View.of(store))
                        error.suggestions = pages.search_suggestions(links, query)
                    raise error from None

        return await cached(("api", name, *key_of(kwargs)), build)

    # -- errors: one handler, one shape -----------------------------------------------------

    def error_response(request: Request, error: WebError) -> Response:
        headers = dict(error.headers)
        if wants_json(request.url.path):
            return finish(error.status, "application/json", dumps(error.to_dict()), headers)
        body = env.get_template("error.html").render(
            page=Page("error.html", page_title(error.status)),
            data=error.to_dict(),
            path=request.url.path,
        )
        return HTMLResponse(body, status_code=error.status, headers=headers)

    @app.exception_handler(WebError)
    async def _web_error(request: Request, exc: WebError) -> Response:
        return error_response(request, exc)

    @app.exception_handler(ChartwatchError)
    async def _core_error(request: Request, exc: ChartwatchError) -> Response:
        return error_response(request, from_core(exc))

    @app.exception_handler(Redirect)
    async def _redirect(request: Request, exc: Redirect) -> Response:
        return RedirectResponse(exc.url, status_code=302)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        loc = [str(p) for p in first.get("loc", ()) if p not in ("query", "path")]
        name = loc[0] if loc else "request"
        reason = str(first.get("msg", "invalid value"))
        return error_response(request, bad_parameter(name, reason[:1].lower() + reason[1:]))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        status = exc.status_code
        message = {
            404: f"no page at {request.url.path[:100]}",
            405: f"{request.method} is not allowed here; use GET",
        }.get(status, str(exc.detail))
        error = WebError(status, STATUS_CODES.get(status, "error"), message)
        if status == 404:
            error.suggestions = _route_suggestions()
        return error_response(request, error)

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> Response:  # pragma: no cover
        log.exception("error answering %s", request.url.path)
        return error_response(
            request, WebError(500, "internal_error", "chartwatch failed to answer this request")
        )

    class Guard:
        """Every answer: bounded addresses, GET only, security headers (plain ASGI: the
        ``@app.middleware`` wrapper costs more than a cached answer)."""

        def __init__(self, inner: ASGIApp) -> None:
            self.inner = inner

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await self.inner(scope, receive, send)
                return
            path = scope.get("raw_path") or scope["path"].encode()
            error = None
            if len(path) > MAX_PATH or len(scope.get("query_string", b"")) > MAX_QUERY:
                error = WebError(414, "uri_too_long", "the address is too long")
            elif scope["method"] not in ("GET", "HEAD") and not (
                scope["method"] == "POST" and scope["path"] in check_web.POST_PATHS
            ):
                error = WebError(
                    405, "method_not_allowed", f"{scope['method']} is not allowed; use GET"
                )
            policy = (DOCS_CSP if scope["path"] == "/docs" else CSP).encode()

            async def send_with_headers(message: Message) -> None:
                if message["type"] == "http.response.start":
                    message["headers"] = [
                        *message.get("headers", []),
                        *SECURITY,
                        (b"content-security-policy", policy),
                    ]
                await send(message)

            if error is not None:
                response = error_response(Request(scope), error)
                await response(scope, receive, send_with_headers)
            else:
                await self.inner(scope, receive, send_with_headers)

    app.add_middleware(Guard)

    # -- pages ------------------------------------------------------------------------------

    @app.get("/", include_in_schema=False)
    @app.get("/.json", include_in_schema=False)
    async def home_page(request: Request, args: params.Week) -> Response:
        return await page(request, "home", pages.home, **vars(args))

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
        backtest = await page_backtest()
        return await page(
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
        top: Annotated[int, Query(ge=1, le=100)] = 10,
    ) -> Response:
        from chartwatch.analytics.records import METRICS

        return await page(
            request,
            "records",
            pages.records_page,
            metric=params.choice(metric, "metric", list(METRICS)),
            category=params.category(category),
            as_of=params.date(as_of, "as_of"),
            top=top,
        )

    @app.get("/compare", include_in_schema=False)
    @app.get("/compare.json", include_in_schema=False)
    async def compare_page(request: Request, args: params.Compare) -> Response:
        return await page(request, "compare", pages.compare_page, **vars(args))

    @app.get("/search", include_in_schema=False)
    @app.get("/search.json", include_in_schema=False)
    async def search_page(
        request: Request,
        q: Annotated[str | None, Query(max_length=200)] = None,
        limit: Annotated[int, Query(ge=1, le=50)] = 10,
    ) -> Response:
        return await page(request, "search", pages.search_page, q=params.text(q, "q"), limit=limit)

    @app.get("/history", include_in_schema=False)
    @app.get("/history.json", include_in_schema=False)
    async def history_page(request: Request, args: params.History) -> Response:
        return await page(request, "history", pages.history_page, **vars(args))

    @app.get("/status", include_in_schema=False)
    @app.get("/status.json", include_in_schema=False)
    async def status_page(request: Request) -> Response:
        return await page(request, "status", pages.status_page)

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

    # -- the API: one endpoint per command ---------------------------------------------------

    @app.get("/api/v1/week", tags=["api"], summary="chartwatch week --json")
    async def api_week(args: params.Week) -> Response:
        """One week's Top 10: the four global lists, or a country's Films and TV."""
        return await answer("week", api.week, **vars(args))

    @app.get("/api/v1/title", tags=["api"], summary="chartwatch title QUERY --json")
    async def api_title(q: params.TitleQuery, as_of: params.AsOf = None) -> Response:
        """A title's run (or a show's installments): debut, peak, weeks, countries, records."""
        return await answer(
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

        return await answer(
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
        return await answer(
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
        return await answer(
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
        return await answer(
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
        return await answer("search", api.search, q=params.required_text(q, "q"), limit=limit)

    @app.get("/api/v1/history", tags=["api"], summary="chartwatch history --json")
    async def api_history(args: params.History, include_new_columns: bool = False) -> Response:
        """Every revision Netflix made, optionally for a title, week, list or country."""
        return await answer(
            "history", api.history, **vars(args), include_new_columns=include_new_columns
        )

    @app.get("/api/v1/status", tags=["api"], summary="chartwatch status --json")
    async def api_status() -> Response:
        """What the store holds."""
        return await answer("status", api.status)

    # -- forecasts: the long ones run as jobs, once per copy of the store ----------------------

    def require_forecast() -> None:
        missing = missing_extra()
        if missing:
            raise WebError(501, "forecast_unavailable", missing)

    def job(generation: int, builder: Callable[..., Any], **kwargs: Any) -> Future[Any]:
        """The job ``builder(store, **kwargs)`` on the copy ``generation``."""
        key = (builder.__name__, *sorted(key_of(kwargs)))
        return jobs.submit(generation, key, lambda store: builder(store, **kwargs))

    async def page_backtest() -> dict[str, Any]:
        """The figures of the default backtest for pages (:func:`pages.backtest_view`),
        started if it was not: "computing" until it is ready."""
        missing = missing_extra()
        if missing:
            return pages.backtest_view("unavailable", message=missing)
        state = Jobs.state(job(await generation(), api.greenlight_backtest, **DEFAULT_BACKTEST))
        return pages.backtest_view(state.state, state.value, state.message)

    async def job_answer(name: str, builder: Callable[..., Any], **kwargs: Any) -> Response:
        """An API answer computed as a job: the request waits for it (other requests do
        not); if the store changes meanwhile, it is computed again on the new copy."""
        gen = await generation()
        key = ("api", name, *key_of(kwargs))
        hit = src.cache.get((gen, *key))
        if hit is not None:
            return finish(200, *hit)
        for _ in range(3):
            running = job(gen, builder, **kwargs)
            try:
                value = await asyncio.shield(asyncio.wrap_future(running))
            except asyncio.CancelledError:
                if not running.cancelled():
                    raise  # the request itself went away
            except ChartwatchError as exc:
                raise from_core(exc) from None
            except Exception:
                if await generation() == gen:
                    raise
            else:
                body = ("application/json", dumps(value))
                src.cache.put((gen, *key), body)
                return finish(200, *body)
            gen = await generation()
        raise from_core(StoreBusyError("the store kept changing; try again"))

    @app.get("/api/v1/greenlight", tags=["api"], summary="chartwatch greenlight QUERY --json")
    async def api_greenlight(
        q: params.TitleQuery, as_of: params.AsOf = None, weeks: Weeks = DEFAULT_WEEKS
    ) -> Response:
        """Will there be another season? The chance the next installment of a TV
        installment's show (a show: its latest) charts within 12/24/36 months."""
        require_forecast()
        return await answer(
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
        return await job_answer(
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
        return await job_answer(
            "greenlight-backtest",
            api.greenlight_backtest,
            as_of=params.date(as_of, "as_of"),
            weeks=weeks,
            horizon=horizon,
            strict=strict,
            seed=seed,
        )

    return app


def _prepare(store: Any) -> Any:
    from chartwatch.prepare import prepare

    return prepare(View.of(store)).to_dict()


def _route_suggestions() -> list[Any]:
    from chartwatch.web.errors import Suggestion

    return [
        Suggestion("this week's Top 10", "/"),
        Suggestion("records", "/records"),
        Suggestion("search", "/search"),
        Suggestion("the API reference", "/docs"),
    ]
