"""The HTTP layer every answer passes through: bounded addresses, allowed methods, the
security headers (plain ASGI: the ``@app.middleware`` wrapper costs more than a cached
answer)."""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chartwatch.web.errors import WebError

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

ErrorResponder = Callable[[Request, WebError], Response]


class Guard:
    """Every answer: bounded addresses, GET and HEAD only, security headers."""

    def __init__(self, inner: ASGIApp, *, error_response: ErrorResponder) -> None:
        self.inner = inner
        self.error_response = error_response

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
            response = self.error_response(Request(scope), error)
            await response(scope, receive, send_with_headers)
        else:
            await self.inner(scope, receive, send_with_headers)
