"""How a running server reads the store, given DuckDB's one-writer rule.

DuckDB lets one process write a file, and a process that holds it open even read-only locks
writers out. A server that kept the file open would keep every ``chartwatch ingest``
waiting. So the server never keeps it open: it reads an in-memory copy
(:func:`chartwatch.store.store.open_snapshot`, about 0.1 s for the bundled data) and, on
each request, compares the file's fingerprint (size, modification time and inode of the
store and its write-ahead log) with the copy's, a ``stat`` of two files.

New copies are taken by one background thread, never while the request lock is held, so
requests keep being answered from the copy in use meanwhile. A new copy empties the
response cache and the first answers on it are computed afresh, so the thread does not copy
a store that a writer is still at work on (``ingest``, ``replay`` and ``update`` mark their
session, :meth:`chartwatch.store.locking.Turnstile.session`, also while they let readers
in between two files): the server answers from the copy it has, as the store was before
the writer began, and copies the store once the writer has finished. The request that
finds a finished write waits for that copy up to ``fresh_wait`` seconds (0.5), so the
first request after an ingest normally sees the new data. ``every`` (seconds, default off)
makes the thread take a copy during a long write session anyway, queueing for the store so
that the writer lets it in between two files.

Only when there is no copy at all (the first request while a writer runs) does a request
fail, with :class:`~chartwatch.errors.StoreBusyError` (the app answers 503, Retry-After).

Responses are cached per copy (``generation``): the copy never changes, so an answer stays
right until the next copy, and the cache is emptied then.
"""

from __future__ import annotations

import gc
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chartwatch.errors import ChartwatchError, StoreBusyError
from chartwatch.store.locking import Turnstile
from chartwatch.store.store import Store, open_snapshot

if TYPE_CHECKING:
    from chartwatch.web.http import Answer

Stamp = tuple[tuple[int, int, int] | None, ...]


def fingerprint(path: Path) -> Stamp:
    """Size, modification time and inode of the store and its write-ahead log."""
    out: list[tuple[int, int, int] | None] = []
    for p in (path, path.with_name(path.name + ".wal")):
        try:
            st = p.stat()
        except FileNotFoundError:
            out.append(None)
        else:
            out.append((st.st_size, st.st_mtime_ns, st.st_ino))
    return tuple(out)


class ResponseCache:
    """A bounded LRU of finished answers, keyed by (generation, route, validated args), held
    to ``max_bytes`` of answers (:attr:`Answer.size`). A site of a
    few thousand titles fits whole in the default (each title page gzipped is about 10 KB),
    so between two snapshots a page is built at most once per process."""

    def __init__(self, max_bytes: int = 128 * 2**20) -> None:
        self.max_bytes = max_bytes
        self.held = 0
        self._items: OrderedDict[tuple[Any, ...], Answer] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> Answer | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: tuple[Any, ...], value: Answer) -> None:
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.held -= old.size
            self._items[key] = value
            self.held += value.size
            while self.held > self.max_bytes and len(self._items) > 1:
                self.held -= self._items.popitem(last=False)[1].size

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.held = 0

    def __len__(self) -> int:
        return len(self._items)


class StoreSource:
    """The server's view of the store at ``path``: an in-memory copy, renewed in the
    background when the file changes. ``store()`` gives it to one request at a time (a
    DuckDB connection is not shared between threads)."""

    def __init__(
        self,
        path: Path,
        *,
        retry_after: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        cache_bytes: int = 128 * 2**20,
        fresh_wait: float = 0.5,
        every: float | None = None,
        copy_wait: float = 2.0,
        prepare: bool = False,
    ) -> None:
        # ``prepare``: each new copy's view is prepared in another process (chartwatch
        # serve); off by default, so an app made in a test or a script starts none
        self.prepare = prepare
        self.path = Path(path)
        self.retry_after = retry_after
        self.fresh_wait = fresh_wait
        self.every = every
        self.copy_wait = copy_wait
        self._clock = clock
        self._lock = threading.RLock()  # the copy in use: one request at a time
        self._first = threading.Lock()  # the first copy, taken by a request
        self._wake = threading.Condition()  # requests ask the copier; it answers
        self._asked = 0  # requests that found the file changed
        self._answered = 0  # of them, those the copier has dealt with
        self._turnstile: Turnstile | None = None
        self._store: Store | None = None
        self._stamp: Stamp | None = None
        self._next_try = 0.0
        self._copied_at = 0.0  # when the copy in use was taken (clock)
        self._copier: threading.Thread | None = None
        self._closed = False
        self.generation = 0
        self.cache = ResponseCache(cache_bytes)

    @property
    def stale(self) -> bool:
        """True while the copy in use is older than the file (a writer is at work, or a new
        copy is being taken)."""
        return self._store is not None and fingerprint(self.path) != self._stamp

    def current(self) -> int | None:
        """The generation of the copy in use if the file has not changed since it was
        taken (a ``stat``, no lock: safe on the event loop), else None."""
        if self._store is not None and fingerprint(self.path) == self._stamp:
            return self.generation
        return None

    def writing(self) -> bool:
        """Whether a writer is at work on the store (its session, not just its lock)."""
        if self._turnstile is None:
            self._turnstile = Turnstile(self.path)
        return self._turnstile.session()

    def refresh(self) -> int:
        """The generation of the copy to answer from. With no copy yet, one is taken now.
        If the file changed, the copier is asked for a new copy and, unless a writer is at
        work, waited for up to ``fresh_wait`` seconds."""
        stamp = fingerprint(self.path)
        if stamp == self._stamp and self._store is not None:
            return self.generation
        if self._store is None:
            self._take_first()
            return self.generation
        with self._wake:
            if self._copier is None and not self._closed:
                self._copier = threading.Thread(
                    target=self._copy_loop, name="chartwatch-store-copier", daemon=True
                )
                self._copier.start()
            self._asked += 1
            mine, generation = self._asked, self.generation
            self._wake.notify_all()
            self._wake.wait_for(
                lambda: self._answered >= mine or self.generation != generation or self._closed,
                timeout=self.fresh_wait,
            )
        return self.generation

    def _take_first(self) -> None:
        with self._first:
            if self._store is not None:
                return
            now = self._clock()
            if now < self._next_try:
                raise self._busy()
            stamp = fingerprint(self.path)
            try:
                fresh = open_snapshot(self.path)
            except StoreBusyError:
                self._next_try = now + self.retry_after
                raise self._busy() from None
            if self.prepare:
                _warm(fresh)
            self._install(fresh, stamp)

    def _install(self, fresh: Store, stamp: Stamp) -> None:
        """Put a new copy in use (the stamp taken before the copy: a write during the copy
        shows as a change)."""
        with self._lock:  # waits for the request using the old copy, if any
            old, self._store = self._store, fresh
            self._stamp = stamp
            self._next_try = 0.0
            self._copied_at = self._clock()
            self.generation += 1
            self.cache.clear()
            if old is not None:
                old.close()
        if self.prepare:
            _settle_heap()

    def _copy(self, wait: float) -> bool:
        """Take a copy and put it in use; False if a writer held the file (or it could not
        be read: the copy in use stays)."""
        stamp = fingerprint(self.path)
        try:
            fresh = open_snapshot(self.path, wait=wait)
        except ChartwatchError:
            return False
        if self.prepare:
            _warm(fresh)
        self._install(fresh, stamp)
        return True

    def _copy_loop(self) -> None:
        """While the file differs from the copy: copy it as soon as no writer is at work
        (looking again every ``retry_after`` seconds, at most 0.25)."""
        pending = False
        while True:
            with self._wake:
                if self._asked == self._answered:
                    self._wake.wait(timeout=min(self.retry_after, 0.25) if pending else None)
                if self._closed:
                    return
                asked = self._asked
            pending = fingerprint(self.path) != self._stamp
            if pending:
                if not self.writing():
                    pending = not self._copy(wait=0.0)
                elif self.every is not None and self._clock() - self._copied_at >= self.every:
                    self._copied_at = self._clock()
                    self._copy(wait=self.copy_wait)
            with self._wake:
                self._answered = asked
                self._wake.notify_all()

    def _busy(self) -> StoreBusyError:
        return StoreBusyError(
            f"the store {self.path} is being written by another chartwatch process; "
            f"try again in {self.retry_after:g} s"
        )

    @contextmanager
    def store(self) -> Iterator[Store]:
        """The current copy, for one request at a time."""
        self.refresh()
        with self._lock:
            assert self._store is not None
            yield self._store

    @contextmanager
    def reader(self) -> Iterator[tuple[int, Store]]:
        """A connection of its own to the current copy and the copy's generation, for a long
        computation in another thread: it holds no lock, so requests are not kept waiting.
        If a newer copy replaces this one meanwhile, the old copy is closed and the
        computation fails; its answer would have been for an older generation anyway."""
        self.refresh()
        with self._lock:
            assert self._store is not None
            generation, store = self.generation, self._store.cursor()
        try:
            yield generation, store
        finally:
            store.close()

    def close(self) -> None:
        with self._wake:
            self._closed = True
            self._wake.notify_all()
        if self._copier is not None:
            self._copier.join(timeout=self.copy_wait + 5)
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None
                self._stamp = None
            if self._turnstile is not None:
                self._turnstile.close()
                self._turnstile = None


def _settle_heap() -> None:
    """Once a new copy is in use in the server: collect what the old one left and set
    everything alive now (the view's catalogue, runs, boards: millions of objects that live
    as long as the copy) outside the cycle collector's reach. Its full sweeps otherwise
    walked them all again every few seconds under load, stopping every request of the
    process for 200-270 ms each time; now they walk what the requests make. The old copy's
    objects are let go at the next new copy (one full collection, once per snapshot)."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _warm(store: Store) -> None:
    """Derive the new copy's view (title index, weeks, boards, engagement rows) before it is
    put in use, so no request waits for it: in another process (which writes it beside the
    store; nothing to do when it is there already), then read back here, with what the pages
    look up in memory (every board, the titles' addresses); deriving it in the server would
    hold up every request meanwhile."""
    import contextlib
    import importlib

    from chartwatch.analytics.runs import engagement_by_title
    from chartwatch.prepare import prepare_beside
    from chartwatch.view import View
    from chartwatch.web.links import links_for

    with contextlib.suppress(Exception):  # the requests will say what is wrong with it
        prepare_beside(store, forecasts=False)
        view = View.of(store)
        view.core.warm()
        engagement_by_title(view)
        links_for(view)
        for module in ("chartwatch.brief", "chartwatch.forecast.documents"):
            importlib.import_module(module)  # what a title page imports, imported now
