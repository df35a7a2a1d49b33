"""The engines that run the method: DuckDB on one machine, Spark on a cluster.

A runner does two things with the method's SQL: stage 1 over the events files (the heavy
pass, left as the table ``s1`` in the build's local DuckDB connection) and stage 2 over the
state's Parquet files (returning the rows of each query, or, for the large ones, leaving
them as tables in that connection for the writer). Everything else — the state,
the catalogue checks, the files written — is shared, so the engines differ only in where
the SQL runs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import duckdb

from chartwatch.engine.inputs import EventFile, quote_path, read_events_sql, run
from chartwatch.engine.method import to_dialect
from chartwatch.errors import BadInputError, ChartwatchError, require_extra

Progress = Callable[[float], None]
Rows = list[tuple[Any, ...]]


class Runner(Protocol):
    name: str

    def daily(
        self,
        con: duckdb.DuckDBPyConnection,
        files: list[EventFile],
        sql: str,
        progress: Progress | None,
    ) -> None:
        """Run stage 1 over ``files``; leave its result in ``con`` as the table ``s1``."""

    def lists(
        self,
        con: duckdb.DuckDBPyConnection,
        tables: dict[str, list[str]],
        queries: dict[str, str],
        keep: Collection[str] = (),
    ) -> dict[str, Rows]:
        """Run stage 2's queries over the Parquet files of each table; their rows. The
        results of the queries named in ``keep`` are left in ``con`` as tables
        (:func:`kept`) instead."""

    def close(self) -> None: ...


def kept(name: str) -> str:
    """The table in the build's connection that holds the result of the query ``name``."""
    return f"result_{name}"


def parquet_glob(path: str) -> str:
    """A folder of Parquet files as a glob DuckDB reads; a file as itself."""
    return str(Path(path) / "*.parquet") if Path(path).is_dir() else path


def _first(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


@contextmanager
def _polling(poll: Callable[[], float | None], progress: Progress | None) -> Iterator[None]:
    """Call ``progress`` with ``poll()`` (a fraction 0–1) twice a second while the block runs."""
    if progress is None:
        yield
        return
    done = threading.Event()

    def loop() -> None:
        while not done.wait(0.5):
            try:
                value = poll()
            except Exception:  # the engine is busy or closing: skip this tick
                continue
            if value is not None and value >= 0:
                progress(min(value, 1.0))

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
        progress(1.0)


class DuckDBRunner:
    """The default engine: DuckDB, streaming and out of core within ``memory_limit``.

    DuckDB reads the Parquet or CSV files in parallel without loading them; the
    deduplication and the sums are hash aggregates that spill to ``temp_directory`` when
    they outgrow the memory limit.
    """

    name = "duckdb"

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def daily(
        self,
        con: duckdb.DuckDBPyConnection,
        files: list[EventFile],
        sql: str,
        progress: Progress | None,
    ) -> None:
        run(con, f"CREATE OR REPLACE TEMP VIEW events AS SELECT * FROM {read_events_sql(files)}")

        def poll() -> float | None:
            value = con.query_progress()
            return None if value < 0 else value / 100.0

        try:
            with _polling(poll, progress):
                run(con, f"CREATE OR REPLACE TEMP TABLE s1 AS {sql}")
        except duckdb.OutOfMemoryException as exc:
            raise ChartwatchError(
                f"DuckDB ran out of memory ({_first(exc)}); raise --memory-limit or give a "
                "--temp-dir with more free space"
            ) from None
        except duckdb.Error as exc:
            raise BadInputError("EVENTS", f"the events could not be read ({_first(exc)})") from None
        finally:
            run(con, "DROP VIEW IF EXISTS events")

    def lists(
        self,
        con: duckdb.DuckDBPyConnection,
        tables: dict[str, list[str]],
        queries: dict[str, str],
        keep: Collection[str] = (),
    ) -> dict[str, Rows]:
        for name, paths in tables.items():
            files = "[" + ", ".join(quote_path(parquet_glob(p)) for p in paths) + "]"
            # read once: every query of stage 2 scans these small tables
            run(con, f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM read_parquet({files})")
        try:
            rows = {}
            for name, sql in queries.items():
                if name in keep:
                    run(con, f"CREATE OR REPLACE TEMP TABLE {kept(name)} AS {sql}")
                else:
                    rows[name] = con.execute(sql).fetchall()
            return rows
        finally:
            for name in tables:
                run(con, f"DROP TABLE IF EXISTS {name}")

    def close(self) -> None:
        pass


# what needs the extra, as MissingExtraError says it ("… needs pyspark: pip install …")
SPARK_NEEDS = "the Spark engine (with a Java 17+ runtime: apt-get install default-jre-headless)"


class SparkRunner:
    """Spark: the same SQL, transpiled by SQLGlot, on a Spark session.

    ``master`` is any Spark master URL (``local[*]`` by default: every core of this
    machine; ``spark://host:7077``, ``yarn``… for a cluster). ``conf`` adds Spark settings.
    An active session in this process (a notebook's, a test's) is reused and left running.
    """

    name = "spark"

    def __init__(
        self,
        master: str | None = None,
        conf: dict[str, str] | None = None,
        session: Any = None,
    ) -> None:
        require_extra("spark", ("pyspark", "pyarrow"), SPARK_NEEDS)
        from pyspark.sql import SparkSession

        self._owned = False
        if session is None:
            session = SparkSession.getActiveSession()
        if session is None:
            builder = SparkSession.builder.appName("chartwatch build").master(master or "local[*]")
            settings = {
                "spark.sql.session.timeZone": "UTC",
                "spark.ui.enabled": "false",
                "spark.ui.showConsoleProgress": "false",
                "spark.sql.execution.arrow.pyspark.enabled": "true",
            }
            if (master or "local[*]").startswith("local"):
                import os

                settings["spark.sql.shuffle.partitions"] = str(max(4, 2 * (os.cpu_count() or 1)))
            settings.update(conf or {})
            for key, value in settings.items():
                builder = builder.config(key, value)
            try:
                session = builder.getOrCreate()
            except Exception as exc:  # no Java, bad master URL…
                raise ChartwatchError(f"cannot start Spark ({_first(exc)})") from None
            session.sparkContext.setLogLevel("ERROR")
            self._owned = True
        else:
            session.conf.set("spark.sql.session.timeZone", "UTC")
        self.spark = session

    def _poll(self) -> float | None:
        tracker = self.spark.sparkContext.statusTracker()
        done = total = 0
        for stage_id in tracker.getActiveStageIds():
            info = tracker.getStageInfo(stage_id)
            if info is not None:
                done += info.numCompletedTasks
                total += info.numTasks
        return done / total if total else None

    def daily(
        self,
        con: duckdb.DuckDBPyConnection,
        files: list[EventFile],
        sql: str,
        progress: Progress | None,
    ) -> None:
        paths = [f.path for f in files]
        reader = self.spark.read
        try:
            if files[0].format == "parquet":
                frame = reader.option("mergeSchema", "true").parquet(*paths)
            else:
                frame = reader.options(header="true", quote='"', escape='"').csv(paths)
            frame.createOrReplaceTempView("events")
            with _polling(self._poll, progress):
                table = self.spark.sql(to_dialect(sql, "spark")).toArrow()
        except ChartwatchError:
            raise
        except Exception as exc:
            raise BadInputError(
                "EVENTS", f"Spark could not read the events ({_first(exc)})"
            ) from None
        finally:
            self.spark.catalog.dropTempView("events")
        con.register("s1_arrow", table)
        try:
            run(con, "CREATE OR REPLACE TEMP TABLE s1 AS SELECT * FROM s1_arrow")
        finally:
            con.unregister("s1_arrow")

    def lists(
        self,
        con: duckdb.DuckDBPyConnection,
        tables: dict[str, list[str]],
        queries: dict[str, str],
        keep: Collection[str] = (),
    ) -> dict[str, Rows]:
        for name, paths in tables.items():
            # cached: every query of stage 2 scans these small tables
            self.spark.read.parquet(*paths).cache().createOrReplaceTempView(name)
        try:
            rows = {}
            for name, sql in queries.items():
                frame = self.spark.sql(to_dialect(sql, "spark"))
                if name in keep:
                    # through Arrow, as stage 1's result comes back
                    con.register("kept_arrow", frame.toArrow())
                    try:
                        run(
                            con,
                            f"CREATE OR REPLACE TEMP TABLE {kept(name)} AS "
                            "SELECT * FROM kept_arrow",
                        )
                    finally:
                        con.unregister("kept_arrow")
                else:
                    rows[name] = [tuple(row) for row in frame.collect()]
            return rows
        finally:
            for name in tables:
                self.spark.catalog.dropTempView(name)
            self.spark.catalog.clearCache()

    def close(self) -> None:
        if self._owned:
            self.spark.stop()
