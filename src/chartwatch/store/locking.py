"""Waiting for the store's file lock: many readers or one writer, taking turns.

DuckDB locks a store file: any number of processes may hold it read-only, or one process
for writing. It never waits: a connect that meets a conflicting lock fails at once. So
chartwatch waits itself, bounded by ``$CHARTWATCH_WAIT`` seconds (default 30), trying again
with a growing pause, and gives up with one line naming the store and who holds it.

Waiting alone would let a long writer (``chartwatch replay``) keep readers out for its whole
run, so processes queue through a second lock, :class:`Turnstile`, an ``flock`` on the
file ``<store>.queue`` beside the store. A process holds the turnstile only while it
connects. A reader that meets a writer keeps holding it while it waits, which is how the
writer learns that someone waits: between two files it calls :meth:`Turnstile.waiting`
(one system call) and, if so, closes the store and connects again, which queues it behind
the reader. With nobody waiting the writer never lets go and pays nothing. Where the
turnstile cannot be made (a read-only folder, a system without ``flock``) processes just
wait for the lock.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import duckdb

from chartwatch.errors import StoreBusyError, UsageError

T = TypeVar("T")

ENV_WAIT = "CHARTWATCH_WAIT"
DEFAULT_WAIT = 30.0
_FIRST_PAUSE, _LONGEST_PAUSE = 0.005, 0.2


def wait_bound() -> float:
    """How long to wait for the store's lock: ``$CHARTWATCH_WAIT`` seconds, default 30."""
    text = os.environ.get(ENV_WAIT, "").strip()
    if not text:
        return DEFAULT_WAIT
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0 or value == float("inf"):  # also NaN
        raise UsageError(f"${ENV_WAIT}: {text!r} is not a number of seconds (0 or more)")
    return value


def queue_path(db: Path) -> Path:
    return db.with_name(db.name + ".queue")


class Turnstile:
    """An ``flock`` on ``<store>.queue``: whoever holds it connects next."""

    def __init__(self, db: Path) -> None:
        self.fd: int | None = None
        try:
            import fcntl  # noqa: F401  (not on Windows: no turnstile there)
        except ImportError:
            return
        path = queue_path(db)
        for flags in (os.O_RDWR | os.O_CREAT, os.O_RDONLY):
            try:
                self.fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0), 0o666)
                return
            except OSError:
                continue

    def _try(self) -> bool:
        import fcntl

        assert self.fd is not None
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        except OSError:  # a file system without flock: as if there were no turnstile
            os.close(self.fd)
            self.fd = None
            return True
        return True

    def acquire(self, deadline: float) -> bool:
        """Take the turnstile, waiting until ``deadline`` (monotonic) at the latest."""
        if self.fd is None:
            return True
        pause = _FIRST_PAUSE
        while not self._try():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            time.sleep(min(pause, left))
            pause = min(pause * 2, 0.05)
        return True

    def release(self) -> None:
        if self.fd is not None:
            import fcntl

            fcntl.flock(self.fd, fcntl.LOCK_UN)

    def waiting(self) -> bool:
        """Whether another process holds the turnstile (it waits to connect)."""
        if self.fd is None:
            return False
        if self._try():
            self.release()
            return False
        return True

    def hold_session(self) -> None:
        """Mark a write session for as long as this turnstile is open (a POSIX lock on the
        file's first byte, apart from the ``flock``): a server does not copy the store
        while a writer is at work, even while it has let readers in."""
        if self.fd is not None:
            import fcntl

            with contextlib.suppress(OSError):
                fcntl.lockf(self.fd, fcntl.LOCK_SH | fcntl.LOCK_NB, 1, 0)

    def session(self) -> bool:
        """Whether a writer is at work on the store (see :meth:`hold_session`)."""
        if self.fd is None:
            return False
        import fcntl

        try:
            fcntl.lockf(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, 0)
        except OSError as exc:
            return exc.errno in (errno.EACCES, errno.EAGAIN)
        fcntl.lockf(self.fd, fcntl.LOCK_UN, 1, 0)
        return False

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def _holder(text: str) -> str:
    match = re.search(r"\(PID (\d+)\)", text)
    return f"PID {match.group(1)}, " if match else ""


def busy_error(path: Path, read_only: bool, text: str, waited: float) -> StoreBusyError:
    """The one line for a lock still held after waiting: who holds it, how long we waited."""
    gave_up = f"gave up after waiting {waited:g} s (${ENV_WAIT} sets how long)"
    if read_only:
        return StoreBusyError(
            f"the store {path} is being written by another chartwatch process "
            f"({_holder(text)}ingest, replay or update); {gave_up}"
        )
    # DuckDB says when the holder only reads: "you would be able to open … read-only"
    doing = "reading it" if "read-only mode" in text else "writing it"
    return StoreBusyError(
        f"the store {path} is in use by another chartwatch process ({_holder(text)}{doing}; "
        f"DuckDB allows one writer at a time); {gave_up}"
    )


def connect(
    path: Path, read_only: bool, wait: float, turnstile: Turnstile | None = None
) -> duckdb.DuckDBPyConnection:
    """Connect to the store file, waiting up to ``wait`` seconds for a conflicting lock."""
    return attempt(
        lambda: duckdb.connect(str(path), read_only=read_only), path, read_only, wait, turnstile
    )


def attempt(
    step: Callable[[], T],
    path: Path,
    read_only: bool,
    wait: float,
    turnstile: Turnstile | None = None,
) -> T:
    """``step()`` (which takes the store's lock), tried again while the lock is held by
    another process, in the turnstile's queue, for up to ``wait`` seconds."""
    deadline = time.monotonic() + wait
    # not waiting at all: one try, without queueing (a writer sees no one waiting)
    gate = Turnstile(path) if turnstile is None and wait > 0 else turnstile
    try:
        queued = gate.acquire(deadline) if gate is not None else False
        try:
            pause = _FIRST_PAUSE
            while True:
                try:
                    return step()
                except duckdb.IOException as exc:
                    text = str(exc)
                    if "lock" not in text.lower():
                        raise
                    left = deadline - time.monotonic()
                    if left <= 0 or (gate is not None and not queued):
                        raise busy_error(path, read_only, text, wait) from None
                    time.sleep(min(pause, left))
                    pause = min(pause * 2, _LONGEST_PAUSE)
        finally:
            if queued and gate is not None:
                gate.release()
    finally:
        if turnstile is None and gate is not None:
            gate.close()
