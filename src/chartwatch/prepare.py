"""Derive a view's data ahead of the questions: ``chartwatch prepare``.

Everything a view derives is derived on first use and kept (:mod:`chartwatch.view`), so the
first command after a new snapshot pays for it: the catalogue and boards in well under a
second, the forecasts (fitting the models) in a few seconds, the backtests in more. This
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


def prepare(view: View, *, backtests: bool = True) -> Prepared:
    """Derive the core of ``view`` (catalogue, weeks, boards), its forecasts and (with
    ``backtests``) the default backtests; without the forecast extra only the core."""
    from chartwatch.forecast.summary import missing_extra

    done = Prepared(view.as_of.isoformat() if view.as_of else None, view.stamp)

    def timed(name: str, work: Any) -> None:
        start = time.perf_counter()
        work()
        done.seconds[name] = round(time.perf_counter() - start, 3)

    timed("core", lambda: view.core.board("debut_hours"))
    if missing_extra() is not None:
        done.skipped += ["forecasts", "backtests"]
        return done
    from chartwatch.errors import NotFoundError
    from chartwatch.forecast.documents import renewal_forecasts, run_forecasts
    from chartwatch.forecast.summary import backtests as run_backtests

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
