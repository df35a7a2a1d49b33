"""``chartwatch check`` on the web: ``POST /api/v1/check`` and the ``/check`` page.

The API takes the text as the request body (``text/plain``, UTF-8; or a JSON object
``{"text": …}``) and ``as_of`` in the query, and returns exactly ``chartwatch check
--json``. The page takes the same text from a form and shows it back with each claim
marked by its verdict; its explanation and evidence show on hover, focus or tap (no
script needed). A body over :data:`MAX_BYTES` is refused whole with a 413 in the one
error shape, before the text is read further.

Registered by :func:`register` (two lines in :func:`chartwatch.web.app.create_app`);
these are the app's only POST routes (:data:`POST_PATHS`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from chartwatch.web import params
from chartwatch.web.errors import WebError, bad_parameter
from chartwatch.web.pages import Page

if TYPE_CHECKING:
    from jinja2 import Environment

    from chartwatch.check import Report
    from chartwatch.web.source import StoreSource

MAX_BYTES = 100_000  # about 15,000 words: a long article many times over
POST_PATHS = frozenset({"/api/v1/check", "/check"})
VERDICT_WORDS = {
    "true": "True",
    "false": "False",
    "misleading": "Misleading",
    "unverifiable": "Unverifiable",
}


def too_large(size: int | None = None) -> WebError:
    """The 413 for a body over :data:`MAX_BYTES`."""
    got = f"{size:,} bytes" if size is not None else "more than that"
    return WebError(
        413,
        "payload_too_large",
        f"text: the limit is {MAX_BYTES:,} bytes of UTF-8 text; this request sent {got}",
        parameter="text",
    )


async def read_body(request: Request, limit: int = MAX_BYTES) -> bytes:
    """The request body, refused with a 413 as soon as it passes ``limit`` bytes (by its
    declared length, or while it streams in)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large(int(declared))
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large()
        chunks.append(chunk)
    return b"".join(chunks)


def decode(data: bytes) -> str:
    """UTF-8 text (a byte-order mark dropped), else a 400 naming the line."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise bad_parameter("text", f"not UTF-8 text (line {line})") from None


def within_limit(text: str) -> str:
    size = len(text.encode("utf-8"))
    if size > MAX_BYTES:
        raise too_large(size)
    return text


def api_text(data: bytes, content_type: str) -> str:
    """The text of an API request: the body itself, or a JSON body's ``text``."""
    if content_type.split(";")[0].strip().lower() == "application/json":
        try:
            doc = json.loads(decode(data) or "null")
        except json.JSONDecodeError as exc:
            raise bad_parameter("text", f"the JSON body does not parse ({exc.msg})") from None
        if not isinstance(doc, dict) or not isinstance(doc.get("text"), str):
            raise bad_parameter("text", 'a JSON body is an object {"text": "…"}')
        return within_limit(doc["text"])
    return decode(data)


def segments(text: str, report: Report) -> list[dict[str, Any]]:
    """The text cut into plain runs and claims, in order, for the page. A claim that
    overlaps one already marked is listed below the text but not marked in it."""
    out: list[dict[str, Any]] = []
    at = 0
    for i, claim in enumerate(report.claims):
        if claim.start < at:
            continue
        if claim.start > at:
            out.append({"text": text[at : claim.start]})
        out.append({"text": text[claim.start : claim.end], "claim": i})
        at = claim.end
    if at < len(text):
        out.append({"text": text[at:]})
    return out


def register(
    app: FastAPI, source: StoreSource, env: Environment, render: Callable[[Page, Request], bytes]
) -> None:
    """Add ``POST /api/v1/check`` and ``GET``/``POST /check`` to ``app``."""

    def judge(text: str, as_of: dt.date | None) -> Report:
        from chartwatch.check import check

        with source.store() as store:
            return check(store, text, as_of=as_of)

    @app.post(
        "/api/v1/check",
        tags=["api"],
        summary="chartwatch check --json (the text in the body)",
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "text/plain": {"schema": {"type": "string", "maxLength": MAX_BYTES}},
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {"text": {"type": "string"}},
                            "required": ["text"],
                        }
                    },
                },
            }
        },
    )
    async def api_check(request: Request, as_of: params.AsOf = None) -> Response:
        """Every chart claim in the text, judged (docs/check.md). The body is the text
        (UTF-8, at most 100,000 bytes: larger is a 413), or ``{"text": …}`` as JSON."""
        # a JSON body escapes some characters (\uXXXX): its text is held to the limit itself
        content_type = request.headers.get("content-type", "")
        data = await read_body(request, 6 * MAX_BYTES if "json" in content_type else MAX_BYTES)
        text = api_text(data, content_type)
        report = await run_in_threadpool(judge, text, params.date(as_of, "as_of"))
        body = json.dumps(report.to_dict(), ensure_ascii=False, default=str).encode()
        return Response(body, media_type="application/json")

    @app.get("/api/v1/check", include_in_schema=False)
    async def api_check_get() -> Response:
        raise WebError(
            405,
            "method_not_allowed",
            "GET is not allowed here; POST the text as the request body",
            headers={"Allow": "POST"},
        )

    async def show(request: Request, text: str, as_of: dt.date | None) -> Response:
        data: dict[str, Any] = {
            "text": text,
            "as_of": as_of.isoformat() if as_of else "",
            "max_bytes": MAX_BYTES,
            "checked": False,
        }
        if text.strip():
            report = await run_in_threadpool(judge, text, as_of)
            claims = [c.to_dict() for c in report.claims]
            for c in claims:
                c["verdict_word"] = VERDICT_WORDS.get(c["verdict"], c["verdict"])
            counts = {v: sum(c["verdict"] == v for c in claims) for v in VERDICT_WORDS}
            data.update(
                checked=True,
                claims=claims,
                counts=counts,
                segments=segments(text, report),
                notes=report.notes,
            )
        page = Page("check.html", "Check a text", data)
        return HTMLResponse(render(page, request))

    @app.get("/check", include_in_schema=False)
    async def check_page(request: Request, as_of: params.AsOf = None) -> Response:
        return await show(request, "", params.date(as_of, "as_of"))

    @app.post("/check", include_in_schema=False)
    async def check_form(request: Request) -> Response:
        # a form percent-encodes the text (up to 9 bytes a character): its text is held to
        # the limit itself
        form = parse_qs(decode(await read_body(request, 9 * MAX_BYTES)), keep_blank_values=True)
        text = within_limit((form.get("text") or [""])[0].replace("\r\n", "\n"))
        day = (form.get("as_of") or [""])[0].strip()
        return await show(request, text, params.date(day or None, "as_of"))
