"""Opening, creating and migrating the store; the only module that connects to DuckDB."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from chartwatch import __version__
from chartwatch.errors import ChartwatchError, StoreBusyError, StoreVersionError
from chartwatch.store.schema import MIGRATIONS, SCHEMA_VERSION, V1_DDL

ENV_DB = "CHARTWATCH_DB"
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
    ) -> None:
        self.con = con
        self.path = path
        self.read_only = read_only
        # what this store object and its cursors share: the derived data of its views
        # (chartwatch.view), so two store objects never share any
        self.shared: dict[str, Any] = {} if shared is None else shared

    # -- plumbing -----------------------------------------------------------------
    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()

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


def _connect(path: Path | None, read_only: bool) -> duckdb.DuckDBPyConnection:
    target = str(path) if path else ":memory:"
    try:
        return duckdb.connect(target, read_only=read_only)
    except duckdb.IOException as exc:
        text = str(exc)
        if "lock" in text.lower():
            raise StoreBusyError(
                f"the store {target} is in use by another chartwatch process; "
                "wait for it to finish (DuckDB allows one writer at a time)"
            ) from None
        raise ChartwatchError(f"cannot open the store {target}: {text.splitlines()[0]}") from None
    except duckdb.Error as exc:
        first = str(exc).splitlines()[0]
        raise ChartwatchError(
            f"{target} is not a chartwatch store ({first}); pass another --db"
        ) from None


def open_store(db: str | Path | None = None, *, read_only: bool = False) -> Store:
    """Open (creating or migrating as needed) the store at ``db``.

    ``db`` is a path, ``":memory:"``, or None for :func:`default_db_path`. A store written by
    a newer chartwatch raises :class:`~chartwatch.errors.StoreVersionError`.
    """
    path: Path | None
    if db == ":memory:":
        path = None
    else:
        path = Path(db).expanduser() if db is not None else default_db_path()
        if read_only and not path.exists():
            raise ChartwatchError(f"no store at {path}; run `chartwatch ingest` or `update` first")
        path.parent.mkdir(parents=True, exist_ok=True)
    con = _connect(path, read_only)
    con.execute("SET TimeZone = 'UTC'")  # timestamps come back as UTC, whatever the machine
    store = Store(con, path, read_only)
    try:
        _prepare_schema(store)
    except BaseException:
        con.close()
        raise
    return store


def open_snapshot(db: str | Path) -> Store:
    """A read-only copy in memory of the store at ``db``, taken in one read.

    The file is opened read-only just long enough to copy it (a few hundred milliseconds for
    the bundled data), so a long-running reader such as ``chartwatch serve`` does not hold
    DuckDB's file lock and writers (``ingest``, ``replay``, ``update``) are not locked out.
    Raises :class:`~chartwatch.errors.StoreBusyError` while a writer holds the file.
    """
    path = Path(db).expanduser()
    if not path.exists():
        raise ChartwatchError(f"no store at {path}; run `chartwatch ingest` or `update` first")
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET TimeZone = 'UTC'")
        source = str(path).replace("'", "''")
        try:
            con.execute(f"ATTACH '{source}' AS source (READ_ONLY)")
        except duckdb.IOException as exc:
            text = str(exc)
            if "lock" in text.lower():
                raise StoreBusyError(
                    f"the store {path} is being written by another chartwatch process; "
                    "try again when it has finished"
                ) from None
            raise ChartwatchError(f"cannot open the store {path}: {text.splitlines()[0]}") from None
        except duckdb.Error as exc:
            first = str(exc).splitlines()[0]
            raise ChartwatchError(f"{path} is not a chartwatch store ({first})") from None
        con.execute("COPY FROM DATABASE source TO memory")
        con.execute("DETACH source")
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
            raise StoreVersionError(
                f"the store {store.label} has schema version {version} and needs migrating to "
                f"{SCHEMA_VERSION}; open it once for writing (e.g. `chartwatch status`)"
            )
        with store.transaction():
            while version < SCHEMA_VERSION:
                MIGRATIONS[version](con)
                version += 1
            con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(version)])
