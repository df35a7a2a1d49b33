"""Shared fixtures: the real Netflix files, fresh real DuckDB stores, the CLI runner.

The real files are the ones shipped in ``src/chartwatch/data`` (gzipped copies of
``shared/data/netflix``) and the git bundle in ``tests/data/archive.bundle``. Expected
numbers in tests are computed from these raw files with the standard library
(``csv``/``gzip``/``git``: ``rawdata`` and ``rawarchive``), never from chartwatch's own output.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

import chartwatch
from chartwatch.ingestion.replay import ReplaySummary
from chartwatch.store import Store

# The raw files' readers live in rawdata; the names stay importable from here too.
from rawdata import DATA as DATA
from rawdata import FILES as FILES
from rawdata import raw_bytes as raw_bytes
from rawdata import raw_rows as raw_rows

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT / "tests" / "data" / "archive.bundle"


@pytest.fixture
def real_file(tmp_path: Path):
    """Write a real file (uncompressed) into tmp_path and return its path."""

    def make(name: str) -> Path:
        path = tmp_path / name
        path.write_bytes(raw_bytes(name))
        return path

    return make


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "store.duckdb"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    """A fresh, empty store in a real DuckDB file."""
    st = chartwatch.open_store(db_path)
    yield st
    st.close()


def copy_store(source: Path, target: Path | str) -> Path:
    """Copy a store file with the derived data kept beside it (``STORE.derived``: the view's
    catalogue, boards, forecasts, backtests). The data is the store's content's, so a copy
    may read it, as a new process reads it beside the original: the tests prepare each
    template once instead of each copy again."""
    target = Path(target)
    shutil.copy(source, target)
    derived = source.with_name(source.name + ".derived")
    if derived.exists():
        shutil.copytree(derived, target.with_name(target.name + ".derived"))
    return target


@pytest.fixture(scope="session")
def _bundled_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from chartwatch.prepare import prepare

    path = tmp_path_factory.mktemp("bundled") / "bundled.duckdb"
    with chartwatch.open_store(path) as st:
        results = chartwatch.load_bundled(st)
        assert [r.status for r in results] == ["accepted"] * 6
        st.con.execute("CHECKPOINT")
        prepare(chartwatch.View.of(st))  # catalogue, boards, forecasts, backtests: once
    return path


@pytest.fixture
def bundled_db(_bundled_template: Path, tmp_path: Path) -> Path:
    """A store file holding the bundled real data (a fresh copy per test)."""
    path = tmp_path / "bundled.duckdb"
    copy_store(_bundled_template, path)
    return path


@pytest.fixture(scope="module")
def bundled(_bundled_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A store of the bundled real data shared by a module's tests: read it, never change it."""
    path = tmp_path_factory.mktemp("bundled-module") / "store.duckdb"
    copy_store(_bundled_template, path)
    with chartwatch.open_store(path) as st:
        yield st


@pytest.fixture
def bundled_store(bundled_db: Path) -> Iterator[Store]:
    st = chartwatch.open_store(bundled_db)
    yield st
    st.close()


_REPLAY_SUMMARY: list[ReplaySummary] = []


@pytest.fixture(scope="session")
def _replayed_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from chartwatch.prepare import prepare

    path = tmp_path_factory.mktemp("replayed") / "replayed.duckdb"
    with chartwatch.open_store(path) as st:
        _REPLAY_SUMMARY.append(chartwatch.replay(st, BUNDLE))
        st.con.execute("CHECKPOINT")
        prepare(chartwatch.View.of(st), backtests=False)
    return path


@pytest.fixture(scope="session")
def replayed_summary(_replayed_template: Path) -> ReplaySummary:
    """What the replay of the whole archive into an empty store reported (read it only)."""
    return _REPLAY_SUMMARY[0]


@pytest.fixture
def replayed_db(_replayed_template: Path, tmp_path: Path) -> Path:
    """A store file holding a replay of the whole 140-commit archive (fresh copy per test)."""
    path = tmp_path / "replayed.duckdb"
    copy_store(_replayed_template, path)
    return path


@pytest.fixture
def replayed_store(replayed_db: Path) -> Iterator[Store]:
    st = chartwatch.open_store(replayed_db)
    yield st
    st.close()


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """Run the CLI in process: ``cli("week", "--json")`` → click Result (stdout, stderr,
    exit_code). ``$CHARTWATCH_DB`` points at a fresh store in tmp_path unless --db is given.
    """
    from chartwatch.cli.app import app

    monkeypatch.setenv("CHARTWATCH_DB", str(tmp_path / "cli.duckdb"))
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)

    return run
