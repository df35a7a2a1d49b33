"""Long computations beside the pages: the forecasts' backtests and the renewal watch list.

They take seconds, so they are not built the way a page is (in a request, holding the
store's copy, which would keep every other request waiting). Each runs once per copy of the
store (its generation, see :mod:`chartwatch.web.source`) and per set of arguments, in one
worker thread, over a connection of its own to the copy. A page looks at the job's state
and says "computing…" until it is ready; an API request waits for it.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from chartwatch.errors import ChartwatchError
from chartwatch.store.store import Store
from chartwatch.web.source import StoreSource

log = logging.getLogger("chartwatch.web")


@dataclass(frozen=True)
class JobState:
    """Where a job stands: ``ready`` (``value``), ``computing``, or ``failed``
    (``message``, one line)."""

    state: str
    value: Any = None
    message: str | None = None


class Jobs:
    """Jobs keyed by (generation, key). Those of older generations are dropped when one of
    a newer generation starts; at most ``max_entries`` are kept."""

    def __init__(self, source: StoreSource, *, max_entries: int = 16) -> None:
        self.source = source
        self.max_entries = max_entries
        self._jobs: OrderedDict[tuple[Any, ...], Future[Any]] = OrderedDict()
        self._lock = threading.Lock()
        # one worker: the machine's other cores keep answering requests
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chartwatch-job")

    def submit(
        self, generation: int, key: tuple[Any, ...], compute: Callable[[Store], Any]
    ) -> Future[Any]:
        """The job ``key`` of the copy ``generation``, started now if it was not."""
        full = (generation, *key)
        with self._lock:
            job = self._jobs.get(full)
            if job is not None:
                self._jobs.move_to_end(full)
                return job
            for old in [k for k in self._jobs if k[0] != generation]:
                self._jobs.pop(old).cancel()
            job = self._executor.submit(self._run, compute)
            self._jobs[full] = job
            while len(self._jobs) > self.max_entries:
                self._jobs.popitem(last=False)[1].cancel()
            return job

    def _run(self, compute: Callable[[Store], Any]) -> Any:
        with self.source.reader() as (_, store):
            return compute(store)

    @staticmethod
    def state(job: Future[Any]) -> JobState:
        """The state of ``job``, without waiting."""
        if not job.done():
            return JobState("computing")
        if job.cancelled():
            return JobState("failed", message="cancelled: the store changed")
        exc = job.exception()
        if exc is None:
            return JobState("ready", job.result())
        if isinstance(exc, ChartwatchError):
            return JobState("failed", message=exc.message)
        log.error("a background job failed", exc_info=exc)
        return JobState("failed", message="the computation failed; see the server's log")

    def close(self) -> None:
        """Stop: jobs not yet started are cancelled, a running one is not waited for."""
        self._executor.shutdown(wait=False, cancel_futures=True)
