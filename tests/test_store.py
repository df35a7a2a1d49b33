"""Where the store lives and how it is opened: --db, $CHARTWATCH_DB, the user data folder,
DuckDB's one-writer rule, and files that are not chartwatch stores."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

import chartwatch
from chartwatch.errors import ChartwatchError
from chartwatch.store import default_db_path
from rawdata import raw_bytes


def test_db_option_wins_over_environment(cli, tmp_path: Path):
    explicit = tmp_path / "explicit.duckdb"
    result = cli("status", "--json", "--db", explicit)
    assert result.exit_code == 0
    assert explicit.exists()
    assert not (tmp_path / "cli.duckdb").exists()  # $CHARTWATCH_DB was not touched


def test_environment_variable_is_used(cli, tmp_path: Path):
    assert cli("status", "--json").exit_code == 0
    assert (tmp_path / "cli.duckdb").exists()


def test_default_is_the_user_data_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.delenv("CHARTWATCH_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_db_path() == tmp_path / "xdg" / "chartwatch" / "chartwatch.duckdb"
    with chartwatch.open_store() as store:
        assert store.path == default_db_path()
    assert default_db_path().exists()


def test_a_second_writer_waits_then_gets_a_clear_error(bundled_db: Path, tmp_path: Path):
    source = tmp_path / "all-weeks-global.tsv"
    source.write_bytes(raw_bytes("all-weeks-global.tsv"))
    with chartwatch.open_store(bundled_db):
        started = time.monotonic()
        proc = subprocess.run(
            [sys.executable, "-m", "chartwatch", "ingest", str(source), "--db", str(bundled_db)],
            capture_output=True,
            text=True,
            env={**os.environ, "CHARTWATCH_WAIT": "1.5"},
            timeout=60,
        )
        waited = time.monotonic() - started
    assert proc.returncode == 2
    assert "in use by another chartwatch process (PID" in proc.stderr
    assert "writing it" in proc.stderr and "gave up after waiting 1.5 s" in proc.stderr
    assert "$CHARTWATCH_WAIT" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert waited >= 1.5


def test_a_duckdb_file_that_is_not_a_store_is_refused(tmp_path: Path, cli):
    other = tmp_path / "other.duckdb"
    con = duckdb.connect(str(other))
    con.execute("CREATE TABLE t (x INTEGER)")
    con.close()
    with pytest.raises(ChartwatchError, match="not a chartwatch store"):
        chartwatch.open_store(other)
    result = cli("status", "--db", other)
    assert result.exit_code == 2 and "not a chartwatch store" in result.stderr


def test_a_file_that_is_not_duckdb_is_refused(tmp_path: Path, cli):
    junk = tmp_path / "junk.duckdb"
    junk.write_text("this is not a database\n" * 100)
    result = cli("status", "--db", junk)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ") and "Traceback" not in result.stderr
    assert junk.read_text().startswith("this is not a database")


def test_new_store_records_its_schema_version(store):
    from chartwatch.store.schema import SCHEMA_VERSION

    assert store.schema_version == SCHEMA_VERSION
    assert store.is_empty()
