"""The web's one error shape: ``{status, code, message, parameter, suggestions}``.

Every failure, whatever raised it (a core :class:`~chartwatch.errors.ChartwatchError`, a
parameter FastAPI rejected, an unknown route), becomes a :class:`WebError`. The app's one
handler renders it as JSON under ``/api/`` and for ``….json`` pages, and as the HTML error
page elsewhere, from the same dict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chartwatch.errors import (
    AmbiguousTitleError,
    ChartwatchError,
    NotFoundError,
    StoreBusyError,
    StoreVersionError,
    UsageError,
)


@dataclass
class Suggestion:
    """Something to try instead: a name and where it is."""

    name: str
    url: str


class WebError(Exception):
    """An HTTP error with the fields of the JSON error shape."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        parameter: str | None = None,
        suggestions: list[Suggestion] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.parameter = parameter
        self.suggestions = suggestions or []
        self.headers = headers or {}

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "code": self.code,
            "message": self.message,
            "parameter": self.parameter,
            "suggestions": [{"name": s.name, "url": s.url} for s in self.suggestions],
        }


def bad_parameter(parameter: str, message: str) -> WebError:
    """400 naming ``parameter``; the message starts with the parameter's name."""
    if not message.startswith(f"{parameter}:"):
        message = f"{parameter}: {message}"
    return WebError(400, "bad_parameter", message, parameter=parameter)


def from_core(exc: ChartwatchError, *, parameter: str | None = None) -> WebError:
    """The web form of a core error. A usage error knows the keyword it is about
    (:attr:`~chartwatch.errors.UsageError.parameter`); the web names it as its query
    parameter (``as_of: …``), the way the CLI names its flag (``--as-of: …``)."""
    message = exc.message
    if isinstance(exc, UsageError):
        parameter = exc.parameter or parameter
        if parameter:
            message = f"{parameter}: {message}"
        return WebError(400, "bad_parameter", message, parameter=parameter)
    if isinstance(exc, AmbiguousTitleError):
        from chartwatch.web.links import query_url

        return WebError(
            404,
            "ambiguous",
            message,
            parameter=parameter,
            suggestions=[Suggestion(c, query_url(c)) for c in exc.candidates[:20]],
        )
    if isinstance(exc, NotFoundError):
        return WebError(404, "not_found", message, parameter=parameter)
    if isinstance(exc, StoreBusyError):
        return WebError(503, "store_busy", message, headers={"Retry-After": "1"})
    if isinstance(exc, StoreVersionError):
        return WebError(503, "store_unavailable", message)
    return WebError(503, "store_unavailable", message)


TITLES = {
    400: "Bad request",
    404: "Not found",
    405: "Method not allowed",
    413: "Text too long",
    414: "Address too long",
    503: "Try again shortly",
}


def page_title(status: int) -> str:
    """The heading of the HTML error page."""
    return TITLES.get(status, "Something went wrong")
