"""DuckDB and Spark run the same method and write the same bytes.

Spark runs in local mode, one session for the whole test run. PySpark and Java come with
``make test`` (the dev extra and ``.ci/run``); without them these tests are skipped on a
developer's machine and fail in CI, where the proof must run.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import duckdb
import pytest

import chartwatch.errors
from chartwatch.engine import Method, build, synth
from chartwatch.engine.pipeline import parse_weeks
from chartwatch.errors import MissingExtraError
from conftest import raw_bytes
from engine_helpers import write_events
from test_engine import SMALL, _catalog, _events

FILES = ("all-weeks-global.tsv", "all-weeks-countries.tsv", "most-popular.tsv")


def _unavailable() -> str | None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "PySpark is not installed (pip install -e '.[dev]')"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "no Java runtime (apt-get install default-jre-headless)"
    return None


@pytest.fixture(scope="session")
def spark():
    reason = _unavailable()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"CI must prove DuckDB = Spark: {reason}")
        pytest.skip(reason)
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("chartwatch tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _files(out: Path) -> dict[str, bytes]:
    return {n: (out / n).read_bytes() for n in FILES if (out / n).exists()}


def _daily(out: Path) -> list[tuple[object, ...]]:
    con = duckdb.connect()
    rows = con.execute(
        f"SELECT * FROM read_parquet('{out}/.chartwatch-build/daily/**/*.parquet') ORDER BY ALL"
    ).fetchall()
    con.close()
    return rows


def _subset(tmp_path: Path) -> list[str]:
    """Real lists of a few weeks: country lists (Feb 2022) and the switch to views (June
    2023, with a staggered launch), as Netflix files that synth reads."""
    keep = ("2022-02-27", "2023-06-11", "2023-06-18", "2023-07-02")
    paths = []
    for name in ("all-weeks-global.tsv", "all-weeks-countries.tsv"):
        lines = raw_bytes(name).decode("utf-8").split("\n")
        week = lines[0].split("\t").index("week")
        rows = [line for line in lines[1:] if line.split("\t")[week] in keep]
        path = tmp_path / name
        path.write_text("\n".join([lines[0], *rows]), encoding="utf-8")
        paths.append(str(path))
    return paths


@pytest.mark.slow
def test_same_bytes_on_calibrated_events(spark, tmp_path):
    made = synth(_subset(tmp_path), tmp_path / "synth", scale=1e-4, noise=0.01, session_minutes=720)
    assert made.misses == [] and made.weeks == 4 and made.country_weeks == 1
    events, catalog = tmp_path / "synth" / "events.parquet", tmp_path / "synth" / "catalog.csv"
    method = Method(hours_step=(1, 10), views_step=10)
    a = build(events, catalog, tmp_path / "duckdb", method=method)
    b = build(
        events, catalog, tmp_path / "spark", method=method, engine="spark", spark_session=spark
    )
    assert b.engine == "spark"
    assert set(_files(tmp_path / "duckdb")) == set(FILES)
    assert _files(tmp_path / "duckdb") == _files(tmp_path / "spark")
    assert _daily(tmp_path / "duckdb") == _daily(tmp_path / "spark")
    assert (a.problems, a.this_run, a.charted_events) == (b.problems, b.this_run, b.charted_events)
    assert a.problems["duplicates"] == made.noise["duplicates"] > 0


@pytest.mark.slow
def test_same_bytes_on_edge_cases_csv_time_zone_and_an_incremental_build(spark, tmp_path):
    rows = [
        *_events(),
        (1, "a", "US", "2023-06-05 09:00:00", 5 * 3600),  # an earlier copy of event 1
        (1, "a", "US", "2023-06-05 20:00:00", 6 * 3600),  # an exact copy of event 1
        (90, "a", "US", "2023-06-06 11:00:00", -5),
        (91, "a", "US", "2023-06-06 11:00:00", 86_401),
        (92, "nope", "US", "2023-06-06 11:00:00", 60),
        (93, "a", "usa", "2023-06-06 11:00:00", 60),
        (94, None, "US", "2023-06-06 11:00:00", 60),
        (95, "a", "US", None, 60),
        (96, "b", "US", "2023-06-12 03:00:00", 3600),  # Sunday night in Los Angeles
    ]
    catalog = _catalog(tmp_path)
    folder = tmp_path / "events"
    folder.mkdir()
    write_events(
        folder / "1.csv", [r for r in rows if r[3] is None or str(r[3]) < "2023-06-12"], fmt="csv"
    )
    method = Method(
        timezone="America/Los_Angeles", hours_step=(1, 10), views_step=1, most_popular_days=28
    )
    spark_out, duck_out = tmp_path / "spark", tmp_path / "duckdb"
    first = build(folder, catalog, spark_out, method=method, engine="spark", spark_session=spark)
    write_events(
        folder / "2.csv",
        [r for r in rows if r[3] is not None and str(r[3]) >= "2023-06-12"],
        fmt="csv",
    )
    second = build(folder, catalog, spark_out, method=method, engine="spark", spark_session=spark)
    assert first.weeks_built == ["2023-06-11"]
    assert second.weeks_built == ["2023-06-11", "2023-06-18"]  # 96 is in LA's week of 06-11
    full = build(folder, catalog, duck_out, method=method)
    assert _files(spark_out) == _files(duck_out)
    assert _daily(spark_out) == _daily(duck_out)
    assert second.problems == full.problems and full.problems["duplicates"] == 2
    assert full.problems["negative_seconds"] == full.problems["over_max_seconds"] == 1


@pytest.mark.slow
def test_spark_honours_the_weeks_option(spark, tmp_path):
    events = write_events(tmp_path / "e.parquet", _events())
    weeks = parse_weeks("2023-06-12..2023-06-18")
    a = build(events, _catalog(tmp_path), tmp_path / "a", method=SMALL, weeks=weeks)
    b = build(
        events,
        _catalog(tmp_path),
        tmp_path / "b",
        method=SMALL,
        weeks=weeks,
        engine="spark",
        spark_session=spark,
    )
    assert a.this_run == b.this_run and a.this_run["outside_range"] == 6
    assert _files(tmp_path / "a") == _files(tmp_path / "b")


def test_spark_engine_without_pyspark_says_how_to_install(tmp_path, monkeypatch, cli):
    monkeypatch.setitem(sys.modules, "pyspark", None)
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    monkeypatch.setattr(chartwatch.errors, "_MISSING", {})  # what is installed, looked up anew
    events = write_events(tmp_path / "e.parquet", _events())
    with pytest.raises(MissingExtraError, match=r"pip install 'chartwatch\[spark\]'") as info:
        build(events, _catalog(tmp_path), tmp_path / "out", engine="spark")
    assert (info.value.extra, info.value.modules) == ("spark", ["pyspark"])
    result = cli("build", events, _catalog(tmp_path), "-o", tmp_path / "out2", "--engine", "spark")
    assert result.exit_code == 2
    assert "pip install 'chartwatch[spark]'" in result.stderr
    assert not (tmp_path / "out2" / "all-weeks-global.tsv").exists()
