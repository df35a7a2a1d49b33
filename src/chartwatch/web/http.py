"""The HTTP layer every answer passes through (plain ASGI: the ``@app.middleware`` wrapper
costs more than a cached answer).

- **Guard**: only the hosts the server was started for (``Host``, against DNS rebinding),
  bounded addresses, GET and HEAD only (HEAD is GET without the body), the security headers.
- **Validators**: an answer's ETag is made from :func:`content_stamp` (the store's content)
  and what was asked, so a revalidation is answered 304 without building anything until the
  next snapshot (:func:`etag_for`, :func:`not_modified`).
- **Compression**: gzip for text answers over 1 KB to clients that accept it
  (:func:`gzip_bytes`); the pages' answers are compressed once, when cached.
- **Static files** have their content's hash in the address (:func:`static_url`,
  ``/static/v-HASH/…``) and are cached by browsers for a year.
"""

from __future__ import annotations

import contextvars
import gzip
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chartwatch.web.errors import WebError

if TYPE_CHECKING:
    from chartwatch.store.store import Store

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
STATIC = Path(__file__).resolve().parent / "static"
LOOPBACK = ("127.0.0.1", "localhost", "::1")
MIN_GZIP = 1024  # smaller answers are sent as they are
COMPRESSIBLE = ("text/", "application/json", "application/javascript", "image/svg+xml")
IMMUTABLE = b"public, max-age=31536000, immutable"
REVALIDATE = "no-cache"  # keep it, but ask (a 304 costs a few hundred bytes)

ErrorResponder = Callable[[Request, WebError], Response]
# the request's headers, for the answers built below the middleware (If-None-Match,
# Accept-Encoding)
REQUEST_HEADERS: contextvars.ContextVar[Headers | None] = contextvars.ContextVar(
    "chartwatch_request_headers", default=None
)


# -- the store's content stamp and the answers' validators -----------------------------------


def content_stamp(store: Store) -> str:
    """The stamp of the store's content the answers' ETags are made from: the view's
    (:func:`chartwatch.view.content_stamp`, its snapshots' kinds, sha256 and observation
    times). Any new snapshot changes it; nothing else does."""
    from chartwatch.view import content_stamp as view_stamp

    return view_stamp(store)


def etag_for(stamp: str, key: Iterable[Any]) -> str:
    """The strong ETag of the answer ``key`` over the content ``stamp`` (the app's version
    and static files count too: a new release renders differently)."""
    from chartwatch import __version__

    text = repr((stamp, __version__, static_version(), tuple(key)))
    return '"' + hashlib.md5(text.encode(), usedforsecurity=False).hexdigest() + '"'


def not_modified(headers: Headers | None, etag: str) -> bool:
    """Whether the request's ``If-None-Match`` names ``etag`` (either encoding's form)."""
    if headers is None:
        return False
    given = headers.get("if-none-match")
    if not given:
        return False
    if given.strip() == "*":
        return True
    bare = etag.strip('"')
    tags = {t.strip().removeprefix("W/").strip('"') for t in given.split(",")}
    return bare in tags or f"{bare}-gzip" in tags


def accepts_gzip(headers: Headers | None) -> bool:
    if headers is None:
        return False
    for part in headers.get("accept-encoding", "").split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() in ("gzip", "*"):
            return params.replace(" ", "") not in ("q=0", "q=0.0")
    return False


# An answer is compressed as it is built, a static file once per process: answers at
# level 1 (nginx's default; a title page of 100 KB in 0.5 ms instead of 1.4 ms at level 6,
# 16 KB instead of 13 KB), static files at 9 (vega.min.js stays at its smallest).
ANSWER_LEVEL, STATIC_LEVEL = 1, 9


def gzip_bytes(body: bytes, level: int = ANSWER_LEVEL) -> bytes:
    return gzip.compress(body, compresslevel=level, mtime=0)


def unchanged(headers: Headers | None, etag: str) -> Response:
    """The 304 of the answer tagged ``etag``, in the form of the encoding the client takes
    (the client that sends ``If-None-Match`` has the answer already)."""
    tag = etag[:-1] + '-gzip"' if accepts_gzip(headers) else etag
    return Response(
        status_code=304,
        headers={"cache-control": REVALIDATE, "vary": "Accept-Encoding", "etag": tag},
    )


@dataclass(frozen=True)
class Answer:
    """A finished answer, as cached: its type, its body as it is sent (gzipped when it is
    worth it; most clients take that, and it is a fifth of the size to keep), and ETag."""

    media: str
    data: bytes
    gzipped: bool
    etag: str

    @classmethod
    def make(cls, media: str, body: bytes, etag: str) -> Answer:
        if len(body) >= MIN_GZIP:
            return cls(media, gzip_bytes(body), True, etag)
        return cls(media, body, False, etag)

    @property
    def size(self) -> int:
        """Bytes held (what a cache of answers counts)."""
        return len(self.data)

    @property
    def body(self) -> bytes:
        """The answer uncompressed, for the rare client that takes no gzip."""
        return gzip.decompress(self.data) if self.gzipped else self.data

    def response(self, headers: Headers | None) -> Response:
        """200, gzipped if the client accepts it, or 304 if it has this answer."""
        common = {"cache-control": REVALIDATE, "vary": "Accept-Encoding"}
        if not_modified(headers, self.etag):
            return unchanged(headers, self.etag)
        if self.gzipped and accepts_gzip(headers):
            return Response(
                self.data,
                media_type=self.media,
                headers={**common, "etag": self.etag[:-1] + '-gzip"', "content-encoding": "gzip"},
            )
        return Response(self.body, media_type=self.media, headers={**common, "etag": self.etag})


# -- static files: versioned addresses -------------------------------------------------------


@cache
def static_version() -> str:
    """A hash of the static files' contents: part of their addresses."""
    digest = hashlib.md5(usedforsecurity=False)
    for path in sorted(STATIC.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(STATIC)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def static_url(name: str) -> str:
    """The versioned address of a static file (``chartwatch.css``,
    ``vendor/vega.min.js``): cached by browsers for a year, changed with its content."""
    return f"/static/v-{static_version()}/{name}"


# -- the middleware ----------------------------------------------------------------------------


class _GzipCache:
    """Compressed static files, by path and ETag (vega.min.js takes 20 ms to compress)."""

    def __init__(self, max_entries: int = 32) -> None:
        self.items: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self.lock = threading.Lock()
        self.max_entries = max_entries

    def get(self, key: tuple[str, str], body: bytes) -> bytes:
        with self.lock:
            hit = self.items.get(key)
        if hit is None:
            hit = gzip_bytes(body, STATIC_LEVEL)
            with self.lock:
                self.items[key] = hit
                while len(self.items) > self.max_entries:
                    self.items.popitem(last=False)
        return hit


def host_allowed(host_header: str | None, allowed: Sequence[str]) -> bool:
    """Whether the ``Host`` header names one of ``allowed`` (any port)."""
    if not host_header:
        return False
    host = host_header.strip().lower()
    if host.startswith("["):  # [::1]:8000
        name = host[1 : host.find("]")] if "]" in host else host
    else:
        name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    return name in {a.lower().strip("[]") for a in allowed}


class Guard:
    """Every answer: the allowed hosts, bounded addresses, GET and HEAD only, the security
    headers, versioned static files, compression of what is not compressed yet."""

    def __init__(
        self,
        inner: ASGIApp,
        *,
        error_response: ErrorResponder,
        allowed_hosts: Sequence[str] | None = None,
    ) -> None:
        self.inner = inner
        self.error_response = error_response
        self.allowed_hosts = list(allowed_hosts) if allowed_hosts is not None else None
        self.gzipped = _GzipCache()

    def _refuse(self, scope: Scope) -> WebError | None:
        headers = Headers(scope=scope)
        if self.allowed_hosts is not None and not host_allowed(
            headers.get("host"), self.allowed_hosts
        ):
            return WebError(
                400,
                "bad_host",
                "this server answers only for "
                + ", ".join(self.allowed_hosts)
                + " (see chartwatch serve --allow-host)",
            )
        path = scope.get("raw_path") or scope["path"].encode()
        if len(path) > MAX_PATH or len(scope.get("query_string", b"")) > MAX_QUERY:
            return WebError(414, "uri_too_long", "the address is too long")
        from chartwatch.web.check import POST_PATHS  # the only routes that take POST

        post_ok = scope["method"] == "POST" and scope["path"] in POST_PATHS
        if scope["method"] not in ("GET", "HEAD") and not post_ok:
            return WebError(405, "method_not_allowed", f"{scope['method']} is not allowed; use GET")
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.inner(scope, receive, send)
            return
        head = scope["method"] == "HEAD"
        headers = Headers(scope=scope)
        policy = (DOCS_CSP if scope["path"] == "/docs" else CSP).encode()
        extra = [*SECURITY, (b"content-security-policy", policy)]
        error = self._refuse(scope)
        if error is not None:
            response = self.error_response(Request(scope), error)
            await response(scope, receive, _Finisher(send, extra, head=head))
            return
        scope = dict(scope)
        if head:  # a GET whose body is not sent
            scope["method"] = "GET"
        prefix = "/static/v-"
        if scope["path"].startswith(prefix):  # /static/v-HASH/name -> /static/name
            version, _, rest = scope["path"][len(prefix) :].partition("/")
            scope["path"] = "/static/" + rest
            scope["raw_path"] = scope["path"].encode()
            if version == static_version():
                extra.append((b"cache-control", IMMUTABLE))
        token = REQUEST_HEADERS.set(headers)
        try:
            gzip_ok = accepts_gzip(headers) and scope["path"].startswith("/static/")
            finisher = _Finisher(
                send, extra, head=head, gzip_cache=self.gzipped if gzip_ok else None
            )
            await self.inner(scope, receive, finisher)
            await finisher.flush()
        finally:
            REQUEST_HEADERS.reset(token)


class _Finisher:
    """Adds the headers, drops the body of a HEAD, and gzips a static file on the way out."""

    def __init__(
        self,
        send: Send,
        extra: list[tuple[bytes, bytes]],
        *,
        head: bool,
        gzip_cache: _GzipCache | None = None,
    ) -> None:
        self.send = send
        self.extra = extra
        self.head = head
        self.gzip_cache = gzip_cache
        self.start: Message | None = None
        self.chunks: list[bytes] = []

    def _compressible(self, message: Message) -> bool:
        if self.gzip_cache is None or message.get("status") != 200:
            return False
        headers = Headers(raw=message.get("headers", []))
        media = headers.get("content-type", "")
        size = int(headers.get("content-length", "0") or 0)
        return (
            "content-encoding" not in headers
            and media.startswith(COMPRESSIBLE)
            and size >= MIN_GZIP
            and "etag" in headers
        )

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            names = {k.lower() for k, _ in self.extra}
            kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
            message = {**message, "headers": [*kept, *self.extra]}
            if self._compressible(message):
                self.start = message  # wait for the body
                return
            await self.send(message)
            return
        if message["type"] == "http.response.body" and self.start is not None:
            self.chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            await self._send_gzipped()
            return
        if message["type"] == "http.response.body" and self.head:
            message = {**message, "body": b""}
        await self.send(message)

    async def _send_gzipped(self) -> None:
        assert self.start is not None and self.gzip_cache is not None
        body = b"".join(self.chunks)
        raw = Headers(raw=self.start["headers"])
        etag = raw["etag"]
        packed = self.gzip_cache.get((etag, raw.get("content-type", "")), body)
        weak = etag if etag.startswith("W/") else "W/" + etag
        drop = {b"content-length", b"etag"}
        headers = [(k, v) for k, v in self.start["headers"] if k.lower() not in drop]
        headers += [
            (b"content-length", str(len(packed)).encode()),
            (b"content-encoding", b"gzip"),
            (b"vary", b"Accept-Encoding"),
            (b"etag", weak.encode()),
        ]
        await self.send({**self.start, "headers": headers})
        await self.send({"type": "http.response.body", "body": b"" if self.head else packed})
        self.start = None

    async def flush(self) -> None:
        if self.start is not None:  # a body that never ended: send what came
            await self._send_gzipped()
