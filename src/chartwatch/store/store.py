"""Opening, creating and migrating the store; the only module that connects to DuckDB."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from chartwatch import __version__
from chartwatch.errors import (
    ChartwatchError,
    StoreMigrationError,
    StoreVersionError,
)
from chartwatch.store import locking
from chartwatch.store.locking import Turnstile
from chartwatch.store.schema import MIGRATIONS, SCHEMA_VERSION, V1_DDL

ENV_DB = "CHARTWATCH_DB"
READERS_DONE = 600.0  # seconds a writer waits for the readers it let in (see let_readers_in)
Params = list[Any] | dict[str, Any] | None


def default_db_path() -> Path:
    """Where the store lives without ``--db``: ``$CHARTWATCH_DB``, else the user data dir."""
    env = os.environ.get(ENV_DB)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_path  # lazy: keeps CLI start-up fast

    return user_data_path("chartwatch", appauthor=False) / "chartwatch.duckdb"


class Store:
    """An open chartwatch store: a DuckDB connection plus what chartwatch knows about it.

    Use :func:`open_store` to get one; it is a context manager that closes the connection.
    """

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        path: Path | None,
        read_only: bool,
        shared: dict[str, Any] | None = None,
        *,
        wait: float = 0.0,
        turnstile: Turnstile | None = None,
    ) -> None:
        self.con = con
        self.path = path
        self.read_only = read_only
        # what this store object and its cursors share: the derived data of its views
        # (chartwatch.view), so two store objects never share any
        self.shared: dict[str, Any] = {} if shared is None else shared
        self.wait = wait
        self._turnstile = turnstile
        if turnstile is not None:
            turnstile.hold_session()

    # -- plumbing -----------------------------------------------------------------
    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()
        if self._turnstile is not None:
            self._turnstile.close()
            self._turnstile = None

    def others_waiting(self) -> bool:
        """Whether another process waits for this store, which is held for writing (one
        system call). A writer that holds other connections (cursors) closes them before
        :meth:`let_readers_in`, as the file is let go only once all are closed."""
        if self.read_only or self.path is None or self._turnstile is None:
            return False
        return self._turnstile.waiting()

    def let_readers_in(self) -> bool:
        """Between two pieces of a long write: if another process waits for the store, close
        it and connect again behind that process (see :mod:`chartwatch.store.locking`).
        True if it did. Cheap when nobody waits (one system call)."""
        if not self.others_waiting():
            return False
        assert self.path is not None
        self.con.close()
        # it holds the queue now, so no new reader gets in: it waits only for the readers
        # it let in to finish, however long their commands take on a busy machine
        self.con = _connect(self.path, False, max(self.wait, READERS_DONE), self._turnstile)
        self.con.execute("SET TimeZone = 'UTC'")
        return True

    def cursor(self) -> Store:
        """Another connection to the same database, for another thread (one DuckDB
        connection is not used by two threads at once). Closing this store closes it too."""
        con = self.con.cursor()
        con.execute("SET TimeZone = 'UTC'")  # a setting of each connection
        return Store(con, self.path, self.read_only, self.shared)

    @property
    def label(self) -> str:
        return str(self.path) if self.path else ":memory:"

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing: commit on success, roll back on any exception."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    def one(self, sql: str, params: Params = None) -> tuple[Any, ...] | None:
        """The first row of a query, or None."""
        return self.con.execute(sql, params or []).fetchone()

    def scalar(self, sql: str, params: Params = None) -> Any:
        row = self.one(sql, params)
        return None if row is None else row[0]

    def all(self, sql: str, params: Params = None) -> list[tuple[Any, ...]]:
        return self.con.execute(sql, params or []).fetchall()

    # -- facts --------------------------------------------------------------------
    @property
    def schema_version(self) -> int:
        return int(self.scalar("SELECT value FROM meta WHERE key = 'schema_version'"))

    def is_empty(self) -> bool:
        return not self.scalar("SELECT count(*) FROM snapshots")

    def meta(self, key: str) -> str | None:
        """A value of the ``meta`` table, or None."""
        value = self.scalar("SELECT value FROM meta WHERE key = ?", [key])
        return None if value is None else str(value)

    def set_meta(self, key: str, value: str) -> None:
        """Set a value of the ``meta`` table (its own transaction)."""
        with self.transaction():
            self.con.execute("DELETE FROM meta WHERE key = ?", [key])
            self.con.execute("INSERT INTO meta VALUES (?, ?)", [key, value])


def _connect(
    path: Path | None, read_only: bool, wait: float, turnstile: Turnstile | None = None
) -> duckdb.DuckDBPyConnection:
    if path is None:
        return duckdb.connect(":memory:")
    try:
        return locking.connect(path, read_only, wait, turnstile)
    except duckdb.ConnectionException as exc:
        # This process has the file open for writing already (a test, a notebook): DuckDB
        # shares one instance per file and process, so read through that one.
        if read_only and "different configuration" in str(exc):
            return _connect(path, False, wait, turnstile)
        raise _not_a_store(path, exc) from None
    except duckdb.IOException as exc:
        failure = store_failure(str(path), exc)
        raise failure or ChartwatchError(f"cannot open the store {path}: {_first(exc)}") from None
    except duckdb.Error as exc:
        raise store_failure(str(path), exc) or _not_a_store(path, exc) from None


def _first(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _not_a_store(path: Path, exc: BaseException) -> ChartwatchError:
    return ChartwatchError(f"{path} is not a chartwatch store ({_first(exc)}); pass another --db")


def open_store(
    db: str | Path | None = None, *, read_only: bool = False, wait: float | None = None
) -> Store:
    """Open (creating or migrating as needed) the store at ``db``.

    ``db`` is a path, ``":memory:"``, or None for :func:`default_db_path`. Any number of
    processes may open a store ``read_only`` at once; one may write it, and not while others
    read. A lock held by another process is waited for, up to ``wait`` seconds (default
    ``$CHARTWATCH_WAIT``, else 30), then :class:`~chartwatch.errors.StoreBusyError`. A store
    written by a newer chartwatch raises :class:`~chartwatch.errors.StoreVersionError`, and
    so does, read-only, one that needs migrating.
    """
    path: Path | None
    if db == ":memory:":
        path = None
    else:
        path = Path(db).expanduser() if db is not None else default_db_path()
        if read_only and not path.exists():
            raise ChartwatchError(f"no store at {path}; run `chartwatch ingest` or `update` first")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ChartwatchError(f"cannot make the folder for the store {path}: {exc}") from None
    bound = locking.wait_bound() if wait is None else wait
    turnstile = None if read_only or path is None else locking.Turnstile(path)
    try:
        con = _connect(path, read_only, bound, turnstile)
    except BaseException:
        if turnstile is not None:
            turnstile.close()
        raise
    store = Store(con, path, read_only, wait=bound, turnstile=turnstile)
    try:
        con.execute("SET TimeZone = 'UTC'")  # timestamps come back as UTC, whatever the machine
        _prepare_schema(store)
    except duckdb.Error as exc:
        store.close()
        raise _store_error(store.label, exc) from None
    except BaseException:
        store.close()
        raise
    return store


def _store_error(label: str, exc: duckdb.Error) -> ChartwatchError:
    """A DuckDB failure while reading or writing the store, as one line."""
    return store_failure(label, exc) or ChartwatchError(
        f"the store {label} cannot be read: it is damaged ({_first(exc)})"
    )


_FULL = ("no space left", "file too large", "disk quota", "disk is full")
_DAMAGED = ("corrupt", "checksum", "could not read enough bytes", "not a valid duckdb")


def store_failure(label: str, exc: BaseException) -> ChartwatchError | None:
    """The one line for a failure of the store's file, or None if ``exc`` is another error.

    A full disk (``ENOSPC``, ``EFBIG`` past a file-size limit, a quota), a damaged file
    (a checksum that does not match, a file cut short) and any other input/output error
    of DuckDB. DuckDB refuses every statement after a failed write ("the database has been
    invalidated"): the first failure, which caused it, is the one named.
    """
    if isinstance(exc, ChartwatchError):
        return None  # already one line (a store busy past the wait bound, bad input…)
    chain: list[BaseException] = []
    seen: BaseException | None = exc
    while seen is not None and len(chain) < 10:
        chain.append(seen)
        if seen.__cause__ is not None:
            seen = seen.__cause__
        else:
            seen = None if seen.__suppress_context__ else seen.__context__
    for cause in reversed(chain):  # the first failure first
        if isinstance(cause, OSError) and cause.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
            return ChartwatchError(
                f"the disk is full writing the store {label} ({cause.strerror}); "
                "free some space and run the command again"
            )
        text = _first(cause).lower() if isinstance(cause, duckdb.Error) else ""
        if any(word in text for word in _FULL):
            return ChartwatchError(
                f"the disk is full writing the store {label} ({_first(cause)}); "
                "free some space and run the command again"
            )
    for cause in reversed(chain):
        if not isinstance(cause, duckdb.Error):
            continue
        text = _first(cause)
        if any(word in text.lower() for word in _DAMAGED):
            return ChartwatchError(
                f"the store {label} is damaged and cannot be read ({text}); "
                "restore it from a copy, or pass another --db"
            )
        if isinstance(cause, duckdb.IOException | duckdb.FatalException):
            return ChartwatchError(f"the store {label} could not be read or written ({text})")
    return None


def open_snapshot(db: str | Path, *, wait: float = 0.0) -> Store:
    """A read-only copy in memory of the store at ``db``, taken in one read.

    The file is opened read-only just long enough to copy it (a few hundred milliseconds for
    the bundled data), so a long-running reader such as ``chartwatch serve`` does not hold
    DuckDB's file lock and writers (``ingest``, ``replay``, ``update``) are not locked out.
    A writer holding the file is waited for up to ``wait`` seconds (a waiting reader makes a
    ``replay`` let go between two files), then :class:`~chartwatch.errors.StoreBusyError`.
    """
    path = Path(db).expanduser()
    if not path.exists():
        raise ChartwatchError(f"no store at {path}; run `chartwatch ingest` or `update` first")
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET TimeZone = 'UTC'")
        source = str(path).replace("'", "''")
        try:
            locking.attempt(
                lambda: con.execute(f"ATTACH '{source}' AS source (READ_ONLY)"),
                path,
                True,
                wait,
            )
        except duckdb.IOException as exc:
            raise ChartwatchError(f"cannot open the store {path}: {_first(exc)}") from None
        except duckdb.Error as exc:
            raise ChartwatchError(f"{path} is not a chartwatch store ({_first(exc)})") from None
        try:
            con.execute("COPY FROM DATABASE source TO memory")
            con.execute("DETACH source")
        except duckdb.Error as exc:
            raise _store_error(str(path), exc) from None
        store = Store(con, path, read_only=True)
        _prepare_schema(store)
    except BaseException:
        con.close()
        raise
    return store


def _prepare_schema(store: Store) -> None:
    con = store.con
    has_meta = store.scalar(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_name = 'meta' AND table_schema = 'main'"
    )
    if not has_meta:
        if store.read_only:
            raise ChartwatchError(f"{store.label} is not a chartwatch store")
        other = store.scalar(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main'"
        )
        if other:
            raise ChartwatchError(
                f"{store.label} is a DuckDB database but not a chartwatch store; pass another --db"
            )
        with store.transaction():
            con.execute(V1_DDL)
            con.execute(
                "INSERT INTO meta VALUES ('schema_version', '1'), ('created_by', ?)",
                [f"chartwatch {__version__}"],
            )
    version = store.schema_version
    if version > SCHEMA_VERSION:
        raise StoreVersionError(
            f"the store {store.label} has schema version {version}, written by a newer "
            f"chartwatch; this chartwatch {__version__} reads up to version {SCHEMA_VERSION}. "
            "Upgrade chartwatch (pip install -U chartwatch) or pass another --db."
        )
    if version < SCHEMA_VERSION:
        if store.read_only:
            raise StoreMigrationError(
                f"the store {store.label} has schema version {version} and needs migrating to "
                f"{SCHEMA_VERSION}; open it once for writing (e.g. `chartwatch status`)"
            )
        with store.transaction():
            while version < SCHEMA_VERSION:
                MIGRATIONS[version](con)
                version += 1
            con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(version)])
