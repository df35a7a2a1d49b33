"""Derive a view's data ahead of the questions: ``chartwatch prepare``.

Everything a view derives is derived on first use and kept (:mod:`chartwatch.view`), so the
first command after a new snapshot pays for it: the title index, boards and engagement links in a
second or two, the forecasts (fitting the models) in a few seconds, the backtests in more. This
derives it all now, so that the commands and the pages that follow answer at once.
``chartwatch serve`` does the same in the background when it starts and after each new
snapshot.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chartwatch.view import View


@dataclass
class Prepared:
    """What was derived and how long each part took (seconds)."""

    as_of: str | None
    stamp: str
    seconds: dict[str, float] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of,
            "stamp": self.stamp,
            "seconds": self.seconds,
            "skipped": self.skipped,
        }


def prepare(view: View, *, backtests: bool = True, forecasts: bool = True) -> Prepared:
    """Derive the core of ``view`` (title index, weeks, boards, engagement rows, the
    original-language names search and check read), its
    forecasts (unless not ``forecasts``) and the default backtests (unless not
    ``backtests``); without the forecast extra only the core."""
    from chartwatch.forecast.scorecard import missing_extra

    done = Prepared(view.as_of.isoformat() if view.as_of else None, view.stamp)

    def timed(name: str, work: Any) -> None:
        start = time.perf_counter()
        work()
        done.seconds[name] = round(time.perf_counter() - start, 3)

    timed("core", lambda: view.core.board("debut_hours"))
    from chartwatch.analytics.runs import engagement_by_title

    timed("engagement", lambda: engagement_by_title(view))
    from chartwatch.engagement.names import original_names

    timed("original_names", lambda: original_names(view))
    if not forecasts:
        done.skipped += ["forecasts", "backtests"]
        return done
    if missing_extra() is not None:
        done.skipped += ["forecasts", "backtests"]
        return done
    from chartwatch.errors import NotFoundError
    from chartwatch.forecast.documents import renewal_forecasts, run_forecasts
    from chartwatch.forecast.scorecard import backtests as run_backtests

    for name, work in (
        ("renewal_forecasts", lambda: renewal_forecasts(view)),
        ("run_forecasts", lambda: run_forecasts(view)),
        ("backtests", lambda: run_backtests(view)),
    ):
        if name == "backtests" and not backtests:
            done.skipped.append(name)
            continue
        try:
            timed(name, work)
        except NotFoundError:  # too little in this view to learn from
            done.skipped.append(name)
    return done


def prepare_beside(store: Any, *, forecasts: bool = True) -> None:
    """Prepare the current view of a store file in another process (``chartwatch prepare``),
    which writes it beside the store: ``serve`` does this for each new copy, so the work
    runs on another core and never holds up the server's requests (Python runs one thread
    at a time). A store without a file (in memory) is prepared here."""
    import subprocess
    import sys

    from chartwatch.view import View, disk

    if store.path is None:
        prepare(View.of(store), forecasts=forecasts)
        return
    view = View.of(store)
    if is_prepared(view, forecasts=forecasts):
        return
    # one preparing process per store at a time: the servers of ``serve --workers N`` all
    # start on a new copy together, and N processes deriving the same data on N cores
    # took N times as long; the others wait, then find it ready
    with disk.exclusive(view, "prepare"):
        if is_prepared(view, forecasts=forecasts):
            return
        args = [sys.executable, "-m", "chartwatch", "prepare", "--db", str(store.path)]
        if not forecasts:
            args.append("--core-only")
        child = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _CHILDREN.add(child)
        try:
            child.wait(timeout=1800)
        except subprocess.TimeoutExpired:
            child.kill()
        finally:
            _CHILDREN.discard(child)


CORE_FILES = ("facts", "titles", "engagement_by_title")
FORECAST_FILES = ("renewal", "run")


def is_prepared(view: View, *, forecasts: bool = True) -> bool:
    """Whether what :func:`prepare` derives for ``view`` is already kept beside its store
    (the core, and the forecasts unless not ``forecasts``; backtests are not asked for)."""
    from chartwatch.view import disk

    names = CORE_FILES + (FORECAST_FILES if forecasts else ())
    return all(disk.has(view, name) for name in names)


_CHILDREN: set[Any] = set()  # preparing processes started by this one, to stop on exit


def stop_preparing() -> None:
    """Stop the preparing processes this process started (a server shutting down)."""
    for child in list(_CHILDREN):
        child.terminate()
