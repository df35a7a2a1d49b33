"""How a running server reads the store, given DuckDB's one-writer rule.

DuckDB lets one process write a file, and a process that holds it open even read-only locks
writers out. A server that kept the file open would make every ``chartwatch ingest`` fail.
So the server never keeps it open: it reads an in-memory copy
(:func:`chartwatch.store.store.open_snapshot`, about 0.1 s for the bundled data) and, on
each request, compares the file's fingerprint (size, modification time and inode of the
store and its write-ahead log) with the copy's. When they differ it takes a new copy, so a
request made after an ingest has finished sees the new data.

While a writer holds the file, a copy cannot be taken: the server keeps answering from the
copy it has and tries again at most once a second. Only when it has no copy at all (the
first request while a writer runs) does it answer 503 with ``Retry-After``.

Responses are cached per copy (``generation``): the copy never changes, so an answer stays
right until the next copy, and the cache is emptied then.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from chartwatch.errors import StoreBusyError
from chartwatch.store.store import Store, open_snapshot

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
    """A bounded LRU of finished responses, keyed by (generation, route, validated args)."""

    def __init__(self, max_entries: int = 512) -> None:
        self.max_entries = max_entries
        self._items: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> Any:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: tuple[Any, ...], value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


class StoreSource:
    """The server's view of the store at ``path``: an in-memory copy, renewed when the file
    changes. ``store()`` gives it to one request at a time (a DuckDB connection is not
    shared between threads)."""

    def __init__(
        self,
        path: Path,
        *,
        retry_after: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        cache_entries: int = 512,
    ) -> None:
        self.path = Path(path)
        self.retry_after = retry_after
        self._clock = clock
        self._lock = threading.RLock()
        self._store: Store | None = None
        self._stamp: Stamp | None = None
        self._next_try = 0.0
        self.generation = 0
        self.stale = False  # True while a writer keeps the server on an older copy
        self.cache = ResponseCache(cache_entries)

    def current(self) -> int | None:
        """The generation of the copy in use if the file has not changed since it was
        taken (a ``stat``, no lock: safe on the event loop), else None."""
        if self._store is not None and fingerprint(self.path) == self._stamp:
            return self.generation
        return None

    def refresh(self) -> int:
        """Take a new copy if the file changed; the generation of the copy in use."""
        stamp = fingerprint(self.path)
        if stamp == self._stamp and self._store is not None:
            return self.generation
        with self._lock:
            if stamp == self._stamp and self._store is not None:
                return self.generation
            now = self._clock()
            if now < self._next_try:
                if self._store is None:
                    raise self._busy()
                return self.generation
            try:
                fresh = open_snapshot(self.path)
            except StoreBusyError:
                self._next_try = now + self.retry_after
                if self._store is None:
                    raise self._busy() from None
                self.stale = True
                return self.generation
            old, self._store = self._store, fresh
            # the stamp taken before the copy: a write during the copy shows as a change
            self._stamp = stamp
            self._next_try = 0.0
            self.stale = False
            self.generation += 1
            self.cache.clear()
            if old is not None:
                old.close()
            return self.generation

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
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None
                self._stamp = None
