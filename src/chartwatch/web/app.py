"""The FastAPI app: one :class:`Site` object (the store's copy, the answers' cache, the
templates, the jobs), the one error handler, and the routes of
:mod:`chartwatch.web.routes_pages` and :mod:`chartwatch.web.routes_api`.

``create_app(db)`` builds the app over the store file ``db``. Pages answer HTML at their
address and the same data as JSON at ``….json``; ``/api/v1/…`` answers exactly what the CLI's
``--json`` prints; ``/docs`` is the OpenAPI reference (served from vendored files, like
everything else: the pages make no request outside the server).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import Future
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from chartwatch import __version__
from chartwatch.errors import ChartwatchError, NotFoundError, StoreBusyError
from chartwatch.forecast.features import DEFAULT_WEEKS
from chartwatch.forecast.scorecard import missing_extra
from chartwatch.results import jsonable
from chartwatch.view import View
from chartwatch.web import pages
from chartwatch.web.errors import WebError, bad_parameter, from_core, page_title
from chartwatch.web.fragments import country_grid, country_options, week_options
from chartwatch.web.http import (
    REQUEST_HEADERS,
    Answer,
    Guard,
    content_stamp,
    etag_for,
    not_modified,
    static_url,
    unchanged,
)
from chartwatch.web.jobs import Jobs
from chartwatch.web.links import links_for
from chartwatch.web.pages import Page, Redirect
from chartwatch.web.source import StoreSource
from chartwatch.web.vega import vega_json

if TYPE_CHECKING:
    from jinja2 import Environment

log = logging.getLogger("chartwatch.web")
HERE = Path(__file__).resolve().parent
STATUS_CODES = {
    400: "bad_parameter",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    414: "uri_too_long",
    501: "forecast_unavailable",
    503: "store_busy",
}
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


def _environment() -> type[Environment]:
    """Jinja's environment for the pages, whose data are JSON documents (dicts): ``d.key``
    looks the key up first. Jinja tries the attribute first, and on a dict that attribute
    is missing, so each ``d.key`` raised and caught an AttributeError; on a week page (its
    pickers compare 250 options with the week shown) that was a third of the page's time.
    A key that is not there still falls back to Jinja's way (``.items()``, undefined)."""
    from jinja2 import Environment

    class PageEnvironment(Environment):
        def getattr(self, obj: Any, attribute: str) -> Any:
            if type(obj) is dict:
                try:
                    return obj[attribute]
                except KeyError:
                    pass
            return super().getattr(obj, attribute)

    return PageEnvironment


class Site:
    """What every route shares: the store's copy (``source``), the long ``jobs``, the
    templates, and the answers cached per copy of the store."""

    def __init__(self, source: StoreSource) -> None:
        from jinja2 import FileSystemLoader, StrictUndefined, select_autoescape

        self.source = source
        self.jobs = Jobs(source)
        env = _environment()(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
            undefined=StrictUndefined,
            auto_reload=False,  # the templates ship with the package: no stat per page
        )
        env.filters["num"] = lambda v: "–" if v is None else f"{v:,}"
        env.filters["dec"] = lambda v: "–" if v is None else f"{v:.3f}"
        env.filters["pct"] = lambda v: "–" if v is None else f"{v:.0%}"
        env.globals["version"] = __version__
        env.globals["static"] = static_url
        env.filters["vega"] = vega_json
        env.globals.update(
            country_grid=country_grid, week_options=week_options, country_options=country_options
        )
        self.env = env
        # answers being built, so that a burst of requests for one page builds it once
        self.inflight: dict[tuple[Any, ...], asyncio.Future[Answer]] = {}
        self.stamps: dict[int, str] = {}
        # the pages' backtest figures once its job has finished, for the copy in use
        self.backtest: tuple[int, dict[str, Any]] | None = None

    # -- rendering ---------------------------------------------------------------------------

    def html(self, page: Page, request: Request) -> bytes:
        template = self.env.get_template(page.template)
        return template.render(page=page, data=page.data, path=request.url.path).encode()

    @staticmethod
    def finish(
        status: int, media: str, body: bytes, headers: dict[str, str] | None = None
    ) -> Response:
        return Response(body, status_code=status, media_type=media, headers=headers)

    def error_response(self, request: Request, error: WebError) -> Response:
        headers = dict(error.headers)
        if wants_json(request.url.path):
            return self.finish(error.status, "application/json", dumps(error.to_dict()), headers)
        body = self.env.get_template("error.html").render(
            page=Page("error.html", page_title(error.status)),
            data=error.to_dict(),
            path=request.url.path,
        )
        return HTMLResponse(body, status_code=error.status, headers=headers)

    # -- answers, cached per copy of the store ---------------------------------------------------

    async def generation(self) -> int:
        """The generation of the copy in use, after taking a new one if the file changed.
        A new copy's view is prepared in the background (catalogue, boards, forecasts,
        backtests: :mod:`chartwatch.prepare`), so the pages that follow find it ready."""
        current = self.source.current()
        if current is None:  # the file changed (or no copy yet): copy it off the loop
            current = await run_in_threadpool(self.source.refresh)
            if self.source.prepare:
                self.jobs.submit(current, ("prepare",), _prepare)
        return current

    async def stamp(self) -> tuple[int, str]:
        """The generation of the copy in use and the stamp of its content
        (:func:`chartwatch.web.http.content_stamp`), computed once per copy."""
        gen = await self.generation()
        known = self.stamps.get(gen)
        if known is not None:
            return gen, known

        def compute() -> tuple[int, str]:
            with self.source.store() as store:
                return self.source.generation, content_stamp(store)

        gen, stamp = await run_in_threadpool(compute)
        if len(self.stamps) > 4:
            self.stamps.clear()
        self.stamps[gen] = stamp
        return gen, stamp

    async def cached(
        self, key: tuple[Any, ...], build: Callable[[], tuple[str, bytes]]
    ) -> Response:
        """The answer for ``key`` from the copy's cache; on a miss ``build`` runs in a worker
        thread (it queries the store), so answers from the cache never wait for one. A
        client that already has it (``If-None-Match``) gets a 304 without it being built."""
        src = self.source
        headers = REQUEST_HEADERS.get()
        gen, stamp = await self.stamp()
        etag = etag_for(stamp, key)
        if not_modified(headers, etag):
            return unchanged(headers, etag)
        full = (gen, *key)
        hit = src.cache.get(full)
        if hit is None:
            task = self.inflight.get(full)
            if task is None:  # build it once, whoever asked first, even if they go away

                def finished() -> Answer:
                    return Answer.make(*build(), etag)

                task = asyncio.ensure_future(run_in_threadpool(finished))
                self.inflight[full] = task

                def done(t: asyncio.Future[Answer], full: tuple[Any, ...] = full) -> None:
                    self.inflight.pop(full, None)
                    if not t.cancelled() and t.exception() is None:
                        src.cache.put(full, t.result())

                task.add_done_callback(done)
            hit = await asyncio.shield(task)
        answer: Answer = hit
        return answer.response(headers)

    async def page(
        self, request: Request, name: str, builder: Callable[..., Page], **kwargs: Any
    ) -> Response:
        """The page ``builder(store, **kwargs)``, as HTML or (``….json``) its data."""
        fmt = "json" if request.url.path.endswith(".json") else "html"

        def build() -> tuple[str, bytes]:
            with self.source.store() as store:
                result = builder(store, **kwargs)
            if fmt == "json":
                return "application/json", dumps(jsonable(result.data))
            return "text/html; charset=utf-8", self.html(result, request)

        return await self.cached((fmt, name, *key_of(kwargs)), build)

    async def answer(self, name: str, builder: Callable[..., Any], **kwargs: Any) -> Response:
        """The API answer ``builder(store, **kwargs)``. A 404 suggests, for ``week``, the
        weeks nearest the one asked for; where there is a title query ``q``, the closest
        titles."""

        def build() -> tuple[str, bytes]:
            with self.source.store() as store:
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

        return await self.cached(("api", name, *key_of(kwargs)), build)

    # -- forecasts: the long ones run as jobs, once per copy of the store ----------------------

    def job(self, generation: int, builder: Callable[..., Any], **kwargs: Any) -> Future[Any]:
        """The job ``builder(store, **kwargs)`` on the copy ``generation``."""
        key = (builder.__name__, *sorted(key_of(kwargs)))
        return self.jobs.submit(generation, key, lambda store: builder(store, **kwargs))

    async def page_backtest(self) -> dict[str, Any]:
        """The figures of the default backtest for pages (:func:`pages.backtest_view`),
        started if it was not: "computing" until it is ready."""
        from chartwatch.web import api

        missing = missing_extra()
        if missing:
            return pages.backtest_view("unavailable", message=missing)
        generation = await self.generation()
        known = self.backtest
        if known is not None and known[0] == generation:
            return known[1]  # finished for this copy: every page asks, the answer stays
        job = self.job(generation, api.greenlight_backtest, **DEFAULT_BACKTEST)
        state = Jobs.state(job)
        figures = pages.backtest_view(state.state, state.value, state.message)
        if job.done():
            self.backtest = (generation, figures)
        return figures

    async def job_answer(self, name: str, builder: Callable[..., Any], **kwargs: Any) -> Response:
        """An API answer computed as a job: the request waits for it (other requests do
        not); if the store changes meanwhile, it is computed again on the new copy."""
        headers = REQUEST_HEADERS.get()
        gen, stamp = await self.stamp()
        key = ("api", name, *key_of(kwargs))
        hit = self.source.cache.get((gen, *key))
        if hit is not None:
            answer: Answer = hit
            return answer.response(headers)
        for _ in range(3):
            running = self.job(gen, builder, **kwargs)
            try:
                value = await asyncio.shield(asyncio.wrap_future(running))
            except asyncio.CancelledError:
                if not running.cancelled():
                    raise  # the request itself went away
            except ChartwatchError as exc:
                raise from_core(exc) from None
            except Exception:
                if await self.generation() == gen:
                    raise
            else:
                made = Answer.make("application/json", dumps(value), etag_for(stamp, key))
                self.source.cache.put((gen, *key), made)
                return made.response(headers)
            gen, stamp = await self.stamp()
        raise from_core(StoreBusyError("the store kept changing; try again"))


def create_app(
    db: str | Path,
    *,
    source: StoreSource | None = None,
    allowed_hosts: Sequence[str] | None = None,
) -> FastAPI:
    """The app over the store file ``db`` (read through an in-memory copy).

    ``allowed_hosts``: the names the ``Host`` header may give (``chartwatch serve`` passes
    the loopback names and the address it listens on); None checks nothing."""
    from chartwatch.web import check as check_web
    from chartwatch.web import routes_api, routes_pages

    site = Site(source or StoreSource(Path(db)))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from chartwatch.web.pages import CHART_WIDTH, MAP_WIDTH
        from chartwatch.web.vega import warm

        warm(CHART_WIDTH, MAP_WIDTH)  # the chart shapes, compiled to Vega, before any page
        for name in site.env.list_templates(extensions=["html"]):
            site.env.get_template(name)  # compiled now, not by the first visitors at once
        if site.source.prepare:  # ``serve``: the first copy, prepared, before the first page
            with contextlib.suppress(ChartwatchError):  # a writer at work: the pages will say
                first = await run_in_threadpool(site.source.refresh)
                site.jobs.submit(first, ("prepare",), _prepare)  # its forecasts, meanwhile
        yield
        site.jobs.close()
        from chartwatch.prepare import stop_preparing

        stop_preparing()

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
    app.state.site = site
    app.state.source = site.source
    app.state.jobs = site.jobs
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    _handle_errors(app, site)
    app.add_middleware(Guard, error_response=site.error_response, allowed_hosts=allowed_hosts)
    routes_pages.register(app, site)
    routes_api.register(app, site)
    check_web.register(app, site.source, site.env, site.html)  # POST /api/v1/check, /check
    return app


SERVED_APP = "chartwatch.web.app:served"  # what `serve --workers N` has each process make
_SERVE_ENV = "CHARTWATCH_SERVE"


def serve_in_environment(
    db: Path, allowed_hosts: Sequence[str], *, cache_bytes: int = 128 * 2**20
) -> None:
    """Leave what :func:`served` needs in the environment the worker processes inherit."""
    settings = {"db": str(db), "allowed_hosts": list(allowed_hosts), "cache_bytes": cache_bytes}
    os.environ[_SERVE_ENV] = json.dumps(settings)


def served() -> FastAPI:
    """The app of one process of ``chartwatch serve --workers N``: the same app as one
    process serves, over its own in-memory copy of the store (each copy taken and prepared
    as by a single server; what is derived is kept beside the store, so the processes
    share it once one has written it)."""
    settings = json.loads(os.environ[_SERVE_ENV])
    db = Path(settings["db"])
    source = StoreSource(db, prepare=True, cache_bytes=settings["cache_bytes"])
    return create_app(db, allowed_hosts=settings["allowed_hosts"], source=source)


def _handle_errors(app: FastAPI, site: Site) -> None:
    """Every failure becomes one :class:`WebError`, rendered by :meth:`Site.error_response`."""
    error_response = site.error_response

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


def _prepare(store: Any) -> None:
    """Prepare the new copy's view (forecasts, backtests) in another process: the pages
    read it from beside the store when it is ready (:func:`chartwatch.prepare.prepare_beside`)."""
    from chartwatch.prepare import prepare_beside

    prepare_beside(store)


def _route_suggestions() -> list[Any]:
    from chartwatch.web.errors import Suggestion

    return [
        Suggestion("this week's Top 10", "/"),
        Suggestion("records", "/records"),
        Suggestion("search", "/search"),
        Suggestion("the API reference", "/docs"),
    ]
