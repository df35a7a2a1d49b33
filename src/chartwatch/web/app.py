"""The FastAPI app: routes, the one error handler, rendering, security headers.

``create_app(db)`` builds the app over the store file ``db``. Pages answer HTML at their
address and the same data as JSON at ``….json``; ``/api/v1/…`` answers exactly what the CLI's
``--json`` prints; ``/docs`` is the OpenAPI reference (served from vendored files, like
everything else: the pages make no request outside the server).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections.abc import Callable
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
from chartwatch.errors import ChartwatchError, NotFoundError
from chartwatch.results import jsonable
from chartwatch.store.store import Store
from chartwatch.titles import catalog
from chartwatch.web import api, pages, params
from chartwatch.web.errors import WebError, bad_parameter, from_core, page_title
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
    414: "uri_too_long",
    503: "store_busy",
}

# Query parameters, declared once (bounds show in the OpenAPI reference)
AsOf = Annotated[
    str | None,
    Query(description="As published by this date (YYYY-MM-DD); default: now.", max_length=10),
]
WeekParam = Annotated[
    str | None,
    Query(description="Any day of the week (YYYY-MM-DD); default: the latest.", max_length=10),
]
Country = Annotated[
    str | None, Query(description="A country's lists, by ISO code (US, KR…).", max_length=2)
]
Category = Annotated[
    str | None,
    Query(
        description='One list: "TV (English)", tv-non-english… (Films/TV for countries).',
        max_length=40,
    ),
]
TitleQuery = Annotated[
    str,
    Query(description='A title or show, fuzzy: "all of us are dead".', max_length=200),
]


def dumps(data: Any, *, indent: int | None = None) -> bytes:
    """JSON as the CLI writes it (``default=str``, UTF-8)."""
    return json.dumps(data, indent=indent, ensure_ascii=False, default=str).encode("utf-8")


def wants_json(path: str) -> bool:
    return path.startswith("/api/") or path.endswith(".json")


def create_app(db: str | Path, *, source: StoreSource | None = None) -> FastAPI:
    """The app over the store file ``db`` (read through an in-memory copy)."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    src = source or StoreSource(Path(db))
    app = FastAPI(
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
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
    )
    env.filters["num"] = lambda v: "–" if v is None else f"{v:,}"
    env.globals["version"] = __version__

    def html(page: Page, request: Request) -> bytes:
        template = env.get_template(page.template)
        return template.render(page=page, data=page.data, path=request.url.path).encode()

    def finish(
        status: int, media: str, body: bytes, headers: dict[str, str] | None = None
    ) -> Response:
        return Response(body, status_code=status, media_type=media, headers=headers)

    # answers being built, so that a burst of requests for one page builds it once
    inflight: dict[tuple[Any, ...], asyncio.Future[tuple[str, bytes]]] = {}

    async def cached(key: tuple[Any, ...], build: Callable[[], tuple[str, bytes]]) -> Response:
        """The answer for ``key`` from the copy's cache; on a miss ``build`` runs in a worker
        thread (it queries the store), so answers from the cache never wait for one."""
        generation = src.current()
        if generation is None:  # the file changed (or no copy yet): copy it off the loop
            generation = await run_in_threadpool(src.refresh)
        full = (generation, *key)
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
        request: Request, key: tuple[Any, ...], builder: Callable[[Store], Page]
    ) -> Response:
        fmt = "json" if request.url.path.endswith(".json") else "html"

        def build() -> tuple[str, bytes]:
            with src.store() as store:
                result = builder(store)
            if fmt == "json":
                return "application/json", dumps(jsonable(result.data))
            return "text/html; charset=utf-8", html(result, request)

        return await cached((fmt, *key), build)

    async def answer(
        key: tuple[Any, ...],
        builder: Callable[[Store], Any],
        *,
        title: str | None = None,
        week: tuple[dt.date | None, str | None, dt.date | None] | None = None,
    ) -> Response:
        """An API answer. A 404 suggests titles close to ``title`` (the ``q`` parameter), or
        the weeks nearest ``week`` (week, country, as_of)."""

        def build() -> tuple[str, bytes]:
            with src.store() as store:
                try:
                    return "application/json", dumps(builder(store))
                except NotFoundError as exc:
                    if week is not None:
                        wk, country, as_of = week
                        raise pages.week_not_found(
                            store, exc, week=wk, country=country, as_of=as_of
                        ) from None
                    error = from_core(exc, parameter="q" if title else None)
                    if title:
                        links = links_for(catalog(store))
                        error.suggestions = pages.search_suggestions(store, links, title, None)
                    raise error from None

        return await cached(("api", *key), build)

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
            elif scope["method"] not in ("GET", "HEAD"):
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
    async def home_page(
        request: Request,
        week: WeekParam = None,
        country: Country = None,
        category: Category = None,
        as_of: AsOf = None,
    ) -> Response:
        args = (
            params.date(week, "week"),
            params.country(country),
            params.category(category),
            params.date(as_of, "as_of"),
        )
        return await page(
            request,
            ("home", *args),
            lambda s: pages.home(s, week=args[0], country=args[1], category=args[2], as_of=args[3]),
        )

    @app.get("/title/{path:path}", include_in_schema=False)
    async def title_page(
        request: Request,
        path: str,
        as_of: AsOf = None,
        compare: Annotated[list[str], Query(max_length=params.MAX_TITLES)] = [],  # noqa: B006
    ) -> Response:
        fmt = "json" if path.endswith(".json") else "html"
        raw = path[: -len(".json")] if fmt == "json" else path
        name = params.text(raw, "title", required=True)
        assert name is not None
        day = params.date(as_of, "as_of")
        others = params.titles(compare, "compare")
        if len(others) > params.MAX_TITLES - 1:
            raise bad_parameter("compare", f"at most {params.MAX_TITLES - 1} titles")
        return await page(
            request,
            ("title", name, day, tuple(others)),
            lambda s: pages.title_page(s, name, as_of=day, compare_with=others, fmt=fmt),
        )

    @app.get("/records", include_in_schema=False)
    @app.get("/records.json", include_in_schema=False)
    async def records_page(
        request: Request,
        metric: Annotated[str | None, Query(max_length=40)] = None,
        category: Category = None,
        as_of: AsOf = None,
        top: Annotated[int, Query(ge=1, le=100)] = 10,
    ) -> Response:
        from chartwatch.analytics.records import METRICS

        args = (
            params.choice(metric, "metric", list(METRICS)),
            params.category(category),
            params.date(as_of, "as_of"),
            top,
        )
        return await page(
            request,
            ("records", *args),
            lambda s: pages.records_page(
                s, metric=args[0], category=args[1], as_of=args[2], top=args[3]
            ),
        )

    @app.get("/compare", include_in_schema=False)
    @app.get("/compare.json", include_in_schema=False)
    async def compare_page(
        request: Request,
        titles: Annotated[list[str], Query(max_length=params.MAX_TITLES + 4)] = [],  # noqa: B006
        metric: Annotated[str | None, Query(max_length=10)] = None,
        align: Annotated[str | None, Query(max_length=10)] = None,
        as_of: AsOf = None,
    ) -> Response:
        from chartwatch.analytics.compare import ALIGNS, METRICS

        names = params.titles(titles)
        args = (
            tuple(names),
            params.choice(metric, "metric", list(METRICS)),
            params.choice(align, "align", list(ALIGNS)),
            params.date(as_of, "as_of"),
        )
        return await page(
            request,
            ("compare", *args),
            lambda s: pages.compare_page(
                s, titles=names, metric=args[1], align=args[2], as_of=args[3]
            ),
        )

    @app.get("/search", include_in_schema=False)
    @app.get("/search.json", include_in_schema=False)
    async def search_page(
        request: Request,
        q: Annotated[str | None, Query(max_length=200)] = None,
        limit: Annotated[int, Query(ge=1, le=50)] = 10,
    ) -> Response:
        text = params.text(q, "q")
        return await page(
            request, ("search", text, limit), lambda s: pages.search_page(s, q=text, limit=limit)
        )

    @app.get("/history", include_in_schema=False)
    @app.get("/history.json", include_in_schema=False)
    async def history_page(
        request: Request,
        title: Annotated[str | None, Query(max_length=200)] = None,
        week: WeekParam = None,
        list: Annotated[str | None, Query(max_length=20)] = None,
        country: Country = None,
    ) -> Response:
        from chartwatch.ingestion.kinds import LISTS

        args = (
            params.text(title, "title"),
            params.date(week, "week"),
            params.choice(list, "list", LISTS),
            params.country(country),
        )
        return await page(
            request,
            ("history", *args),
            lambda s: pages.history_page(
                s, title=args[0], week=args[1], list_name=args[2], country=args[3]
            ),
        )

    @app.get("/status", include_in_schema=False)
    @app.get("/status.json", include_in_schema=False)
    async def status_page(request: Request) -> Response:
        return await page(request, ("status",), pages.status_page)

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
    async def api_week(
        week: WeekParam = None,
        category: Category = None,
        country: Country = None,
        as_of: AsOf = None,
    ) -> Response:
        """One week's Top 10: the four global lists, or a country's Films and TV."""
        args = (
            params.date(week, "week"),
            params.category(category),
            params.country(country),
            params.date(as_of, "as_of"),
        )
        return await answer(
            ("week", *args),
            lambda s: api.week(s, week=args[0], category=args[1], country=args[2], as_of=args[3]),
            week=(args[0], args[2], args[3]),
        )

    @app.get("/api/v1/title", tags=["api"], summary="chartwatch title QUERY --json")
    async def api_title(q: TitleQuery, as_of: AsOf = None) -> Response:
        """A title's run (or a show's installments): debut, peak, weeks, countries, records."""
        text = params.text(q, "q", required=True)
        assert text is not None
        day = params.date(as_of, "as_of")
        return await answer(
            ("title", text, day), lambda s: api.title(s, q=text, as_of=day), title=text
        )

    @app.get("/api/v1/records", tags=["api"], summary="chartwatch records --json")
    async def api_records(
        metric: Annotated[str, Query(max_length=40)] = "debut_hours",
        category: Category = None,
        as_of: AsOf = None,
        top: Annotated[int, Query(ge=1, le=1000)] = 10,
    ) -> Response:
        """Leaderboards as they stood on a date."""
        from chartwatch.analytics.records import METRICS

        args = (
            params.choice(metric, "metric", list(METRICS)) or "debut_hours",
            params.category(category),
            params.date(as_of, "as_of"),
            top,
        )
        return await answer(
            ("records", *args),
            lambda s: api.records(s, metric=args[0], category=args[1], as_of=args[2], top=top),
        )

    @app.get("/api/v1/compare", tags=["api"], summary="chartwatch compare A B … --json")
    async def api_compare(
        titles: Annotated[
            list[str],
            Query(description="Two or more titles (repeat the parameter).", max_length=10),
        ] = [],  # noqa: B006
        metric: Annotated[str, Query(max_length=10)] = "hours",
        align: Annotated[str, Query(max_length=10)] = "debut",
        as_of: AsOf = None,
    ) -> Response:
        """Titles' runs side by side."""
        from chartwatch.analytics.compare import ALIGNS, METRICS

        names = params.titles(titles)
        if len(names) < 2:
            raise bad_parameter("titles", "give at least two titles (titles=A&titles=B)")
        args = (
            tuple(names),
            params.choice(metric, "metric", list(METRICS)) or "hours",
            params.choice(align, "align", list(ALIGNS)) or "debut",
            params.date(as_of, "as_of"),
        )
        return await answer(
            ("compare", *args),
            lambda s: api.compare(s, titles=names, metric=args[1], align=args[2], as_of=args[3]),
        )

    @app.get("/api/v1/countries", tags=["api"], summary="chartwatch countries QUERY --json")
    async def api_countries(q: TitleQuery, week: WeekParam = None, as_of: AsOf = None) -> Response:
        """A title's country footprint, week by week."""
        text = params.text(q, "q", required=True)
        assert text is not None
        args = (text, params.date(week, "week"), params.date(as_of, "as_of"))
        return await answer(
            ("countries", *args),
            lambda s: api.countries(s, q=text, week=args[1], as_of=args[2]),
            title=text,
        )

    @app.get("/api/v1/brief", tags=["api"], summary="chartwatch brief QUERY --json")
    async def api_brief(
        q: TitleQuery,
        vs: Annotated[str | None, Query(max_length=200)] = None,
        as_of: AsOf = None,
    ) -> Response:
        """The facts about a title as sentences, each with its evidence."""
        text = params.text(q, "q", required=True)
        assert text is not None
        args = (text, params.text(vs, "vs"), params.date(as_of, "as_of"))
        return await answer(
            ("brief", *args),
            lambda s: api.brief(s, q=text, vs=args[1], as_of=args[2]),
            title=text,
        )

    @app.get("/api/v1/search", tags=["api"], summary="chartwatch search TEXT --json")
    async def api_search(
        q: Annotated[str, Query(description="What to look for.", max_length=200)],
        limit: Annotated[int, Query(ge=1, le=100)] = 10,
    ) -> Response:
        """Titles and shows matching the text, best first."""
        text = params.text(q, "q", required=True)
        assert text is not None
        return await answer(("search", text, limit), lambda s: api.search(s, q=text, limit=limit))

    @app.get("/api/v1/history", tags=["api"], summary="chartwatch history --json")
    async def api_history(
        title: Annotated[str | None, Query(max_length=200)] = None,
        week: WeekParam = None,
        list: Annotated[str | None, Query(max_length=20)] = None,
        country: Country = None,
        include_new_columns: bool = False,
    ) -> Response:
        """Every revision Netflix made, optionally for a title, week, list or country."""
        from chartwatch.ingestion.kinds import LISTS

        args = (
            params.text(title, "title"),
            params.date(week, "week"),
            params.choice(list, "list", LISTS),
            params.country(country),
            include_new_columns,
        )
        return await answer(
            ("history", *args),
            lambda s: api.history(
                s,
                title=args[0],
                week=args[1],
                list_name=args[2],
                country=args[3],
                include_new_columns=include_new_columns,
            ),
        )

    @app.get("/api/v1/status", tags=["api"], summary="chartwatch status --json")
    async def api_status() -> Response:
        """What the store holds."""
        return await answer(("status",), api.status)

    return app


def _route_suggestions() -> list[Any]:
    from chartwatch.web.errors import Suggestion

    return [
        Suggestion("this week's Top 10", "/"),
        Suggestion("records", "/records"),
        Suggestion("search", "/search"),
        Suggestion("the API reference", "/docs"),
    ]
