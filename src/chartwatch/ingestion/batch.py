"""Ingesting several files (or downloads) in turn, each in its own transaction.

While one file is loaded (:func:`chartwatch.ingestion.load.finish`), the next is read,
hashed, checked and staged on a second connection in a worker thread
(:func:`~chartwatch.ingestion.load.stage_ahead`); between two files a process waiting for
the store goes first. ``ingest`` of files and URLs and ``replay`` of an archive both go
through :func:`in_turn`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from chartwatch.errors import BadInputError, ChartwatchError
from chartwatch.ingestion import leftovers
from chartwatch.ingestion.load import IngestResult, Staged, drop_temp, finish, stage_ahead
from chartwatch.ingestion.reader import Payload, read_path
from chartwatch.store.store import Store

_URL = re.compile(r"https?://")


def _fetch(text: str, observed_at: dt.datetime | None, base_timeout: float) -> Payload:
    from chartwatch.ingestion.fetch import fetch  # httpx only when a URL is given

    try:
        payload = fetch(text, timeout=base_timeout)
    except ChartwatchError as exc:
        if isinstance(exc, BadInputError):
            raise
        raise BadInputError(text, exc.message) from None
    if observed_at is not None:
        payload = Payload(payload.source, payload.name, payload.data, observed_at, "given")
    return payload


def ingest(
    store: Store,
    sources: Iterable[str | Path],
    *,
    observed_at: dt.datetime | None = None,
    on_result: Callable[[IngestResult], None] | None = None,
    base_timeout: float = 30.0,
) -> list[IngestResult]:
    """Ingest local files or URLs, each accepted or rejected on its own, in order.

    Local files are observed at their modification time, downloads at the time of
    download, unless ``observed_at`` is given. While one file is loaded, the next local
    file is read, hashed, checked and staged on a second connection in a worker thread
    (DuckDB and hashing release the GIL), so the two overlap on a machine with two cores;
    each file is still loaded in its own transaction, one after the other.
    """
    texts = [str(src) for src in sources]
    leftovers.sweep()

    def payload(i: int) -> Payload | IngestResult:
        """The file or URL ``texts[i]``, or why it cannot be read."""
        text = texts[i]
        try:
            if _URL.match(text):
                return _fetch(text, observed_at, base_timeout)
            return read_path(Path(text), observed_at=observed_at)
        except BadInputError as exc:
            return IngestResult(source=text, status="rejected", reason=exc.reason)
        except MemoryError:
            return IngestResult(source=text, status="rejected", reason="not enough memory to read")

    # downloads are fetched on their turn
    return in_turn(store, len(texts), payload, lambda i: not _URL.match(texts[i]), on_result)


def in_turn(
    store: Store,
    count: int,
    payload: Callable[[int], Payload | IngestResult],
    ahead: Callable[[int], bool],
    on_result: Callable[[IngestResult], None] | None = None,
) -> list[IngestResult]:
    """Load ``count`` payloads in order, each in its own transaction, each accepted or rejected
    on its own: ``payload(i)`` gives the ``i``-th (or the result of one that cannot be
    read). While one is loaded, the next (where ``ahead(i)``) is read, hashed, checked and
    staged on a second connection in a worker thread (DuckDB and hashing release the GIL),
    so the two overlap on a machine with two cores. ``payload`` is called for 0, 1, 2… in
    turn, never twice at once. Between two payloads a process waiting for the store goes
    first."""

    def read(i: int, on: Store, early: bool) -> Staged | IngestResult:
        """The ``i``-th payload ready to finish on ``on`` (staged already if ``early``)."""
        got = payload(i)
        if isinstance(got, IngestResult):
            return got
        return stage_ahead(on, got) if early else Staged(on, got)

    results: list[IngestResult] = []
    pool = ThreadPoolExecutor(max_workers=1) if count > 1 else None
    stores = [store]  # and, once needed, a second connection for the worker

    def other(used: Store) -> Store:
        if len(stores) == 1:
            con = store.con.cursor()
            con.execute("SET TimeZone = 'UTC'")  # a setting of each connection
            stores.append(Store(con, store.path, store.read_only))
        return stores[1] if used is stores[0] else stores[0]

    # The two threads keep two cores busy; each statement runs on half the cores DuckDB
    # would use (one on two cores): the statements of one file are small, and splitting them
    # over the cores the other thread uses costs more than it saves (the replay of the
    # bundle: 22 s with two DuckDB threads, 19.7 s with one, on two cores).
    threads = _share_cores(store) if pool is not None else None
    try:
        current = read(0, store, False) if count else None
        for i in range(count):
            assert current is not None
            upcoming: Future[Staged | IngestResult] | None = None
            if pool is not None and i + 1 < count and ahead(i + 1):
                used = current.store if isinstance(current, Staged) else store
                upcoming = pool.submit(read, i + 1, other(used), True)
            result = finish(current) if isinstance(current, Staged) else current
            results.append(result)
            if on_result is not None:
                on_result(result)
            if i + 1 < count:
                current = upcoming.result() if upcoming else read(i + 1, store, False)
                if store.others_waiting():
                    current = _let_readers_in(store, stores, current)
                    if threads is not None:  # a new connection: maybe DuckDB's own setting
                        _share_cores(store)
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
        _close_others(stores)
        if threads is not None:
            store.con.execute(f"SET threads = {threads}")
    return results


def _share_cores(store: Store) -> int:
    """Let the store's statements use half the threads DuckDB is set to (at least one);
    return the setting it had (DuckDB's is one per core; it is the database's, for all
    its connections)."""
    had = int(store.scalar("SELECT current_setting('threads')"))
    store.con.execute(f"SET threads = {max(1, had // 2)}")
    return had


def _close_others(stores: list[Store]) -> None:
    """Close the worker's connection, if one was made (``stores[1:]``)."""
    for extra in stores[1:]:
        drop_temp(extra)
        extra.close()
    del stores[1:]


def _let_readers_in(
    store: Store, stores: list[Store], upcoming: Staged | IngestResult
) -> Staged | IngestResult:
    """Between two files, let the processes waiting for the store go first (a reader then
    waits for one file at most, not the whole batch). The store's file is let go only once
    every connection to it is closed, so the worker's connection is closed too, and the next
    file, staged on it, is staged again on the store's new connection on its turn."""
    _close_others(stores)
    if isinstance(upcoming, Staged) and upcoming.store is not store:
        upcoming = Staged(
            store, upcoming.payload, upcoming.item, upcoming.prepared, False, upcoming.error
        )
    elif isinstance(upcoming, Staged) and upcoming.staged:
        drop_temp(store)
        upcoming.staged = False
    store.let_readers_in()
    return upcoming
