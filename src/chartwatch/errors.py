"""The few exceptions every layer of chartwatch shares.

The core raises them; only the edges (the CLI, later the web app) turn them into a
one-line message and an exit code or HTTP status. Each carries the exit code the CLI
uses, so the mapping lives in one place.
"""

from __future__ import annotations

import re
from collections.abc import Mapping


class ChartwatchError(Exception):
    """Base class: something the user can fix; never shown as a traceback."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class BadInputError(ChartwatchError):
    """An input file (or download) is not a valid Netflix Top 10 file.

    ``source`` names the file or URL and ``line`` the 1-based line where the problem is,
    when there is one. The message is a single line: ``source: line N: reason``.
    """

    exit_code = 2

    def __init__(self, source: str, reason: str, line: int | None = None) -> None:
        # A reason quotes the file's text (a category, a column name), which may hold a
        # line break or another control character: show it escaped, so it stays one line.
        reason = re.sub(
            r"[\x00-\x1f\x7f-\x9f\u2028\u2029]",
            lambda m: m.group().encode("unicode_escape").decode("ascii"),
            reason,
        )
        self.source = source
        self.reason = reason
        self.line = line
        where = f"{source}: line {line}: " if line is not None else f"{source}: "
        super().__init__(where + reason)


class UsageError(ChartwatchError):
    """A bad option value, e.g. a date that is not a date.

    ``parameter`` names the keyword argument it is about (``metric``, ``as_of``); each front
    end says it in its own words: the CLI as the flag (``--metric: …``, ``--as-of: …``), the
    web as the query parameter (``metric: …``); Python sees the keyword. The message itself
    does not name it."""

    exit_code = 2

    def __init__(self, message: str, *, parameter: str | None = None) -> None:
        super().__init__(message)
        self.parameter = parameter

    def __str__(self) -> str:
        return f"{self.parameter}: {self.message}" if self.parameter else self.message

    def for_cli(self, flags: Mapping[str, str] | None = None) -> str:
        """The message as the CLI prints it: ``--as-of: …``; ``flags`` names the options
        (or arguments) of a command whose name is not its keyword's (``hours_step``:
        ``--round-hours``, ``events``: ``EVENTS``)."""
        if not self.parameter:
            return self.message
        flag = (flags or {}).get(self.parameter) or f"--{self.parameter.replace('_', '-')}"
        return f"{flag}: {self.message}"


class MissingExtraError(ChartwatchError, ImportError):
    """An optional extra is not installed (``pip install 'chartwatch[forecast]'``); an
    :class:`ImportError` too, for callers that catch the missing module as one."""

    exit_code = 2

    def __init__(self, extra: str, modules: list[str], what: str) -> None:
        self.extra = extra
        self.modules = modules
        super().__init__(
            f"{what} need{'s' if not what.endswith('s') else ''} {' and '.join(modules)}: "
            f"pip install 'chartwatch[{extra}]'"
        )


def missing_modules(modules: tuple[str, ...]) -> list[str]:
    """Those of ``modules`` that cannot be imported (looked up once per process: what is
    installed does not change under a running program)."""
    found = _MISSING.get(modules)
    if found is None:
        import importlib.util

        found = _MISSING[modules] = [m for m in modules if importlib.util.find_spec(m) is None]
    return list(found)


_MISSING: dict[tuple[str, ...], list[str]] = {}


def require_extra(extra: str, modules: tuple[str, ...], what: str) -> None:
    """Raise :class:`MissingExtraError` when any of ``modules`` cannot be imported: the one
    place that checks an optional extra."""
    missing = missing_modules(modules)
    if missing:
        raise MissingExtraError(extra, missing, what)


class NotFoundError(ChartwatchError):
    """The query was valid but matched nothing (a week with no chart, a title never listed)."""

    exit_code = 1


class StoreVersionError(ChartwatchError):
    """The store was written by a newer chartwatch than this one."""

    exit_code = 2


class StoreMigrationError(StoreVersionError):
    """The store needs migrating to this chartwatch's schema, and was opened read-only."""

    exit_code = 2


class StoreBusyError(ChartwatchError):
    """The store stayed locked by another process for longer than chartwatch waits
    (``$CHARTWATCH_WAIT``): a writer, or readers when this one wants to write."""

    exit_code = 2


class DownloadError(ChartwatchError):
    """A download failed: offline, timed out, or the server answered with an error."""

    exit_code = 2


class AmbiguousTitleError(ChartwatchError):
    """A title query matches several titles equally well; ``candidates`` lists them."""

    exit_code = 1

    def __init__(self, query: str, candidates: list[str]) -> None:
        self.query = query
        self.candidates = candidates
        super().__init__(
            f"{query!r} matches {len(candidates)} titles; give one of them in full, "
            f"e.g. {candidates[0]!r}"
        )
