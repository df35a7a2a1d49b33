"""A damaged store file and a full disk (issue 11, points 4 and 10): one line and exit
code 2, never a traceback; the store as it was; and an empty store left by a failed
ingest never gets the bundled data.

The full disk is real: the command runs in a process whose file-size limit
(``RLIMIT_FSIZE``) stops the store file from growing, so DuckDB's writes fail with
``EFBIG`` ("File too large") exactly where a full disk fails them with ``ENOSPC``.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rawdata import COUNTRIES, FILES, GLOBAL, raw_bytes
from rawengagement import FILES as ENGAGEMENT

CHARTWATCH = str(Path(sys.executable).parent / "chartwatch")


class Result:
    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.stdout, self.stderr = proc.communicate(timeout=300)
        self.exit_code = proc.returncode


def run_all(commands: list[list[str]]) -> list[Result]:
    """Real ``chartwatch`` processes, all at once (within one process DuckDB keeps what it
    has read of a file, which would hide damage from a second command)."""
    procs = [
        subprocess.Popen(
            [CHARTWATCH, *c], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for c in commands
    ]
    return [Result(p) for p in procs]


def one_line(result: Result, *words: str) -> None:
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: the store "), result.stderr
    for word in words:
        assert word in result.stderr


def test_a_store_cut_short_or_empty_is_one_line(bundled_db: Path, tmp_path: Path) -> None:
    size = bundled_db.stat().st_size
    cuts = []
    for keep in (0, 8192, size // 2):
        cut = tmp_path / f"cut-{keep}.duckdb"
        shutil.copy(bundled_db, cut)
        os.truncate(cut, keep)
        cuts.append((cut, keep))
    commands = [[c, "--json", "--db", str(cut)] for cut, _ in cuts for c in ("status", "week")]
    results = run_all(commands)
    for i, (cut, keep) in enumerate(cuts):
        for result in results[2 * i : 2 * i + 2]:
            if result.exit_code == 0 and keep > 8192:  # it read nothing from the lost half
                json.loads(result.stdout)
            else:
                one_line(result, str(cut), "damaged")
    assert [cut.stat().st_size for cut, _ in cuts] == [keep for _, keep in cuts]  # as it was


def test_a_store_with_a_damaged_block_is_one_line_whatever_reads_it(
    bundled_db: Path, tmp_path: Path
) -> None:
    """Junk written over one block at a time: opening the store, or the query that reads
    the block, finds the checksum wrong."""
    size = bundled_db.stat().st_size
    stores = []
    for offset in range(256 * 1024, size, 1024 * 1024):
        damaged = tmp_path / f"damaged-{offset}.duckdb"
        shutil.copy(bundled_db, damaged)
        with damaged.open("r+b") as f:
            f.seek(offset + 100)
            f.write(os.urandom(2000))
        stores.append(damaged)
    commands = [[c, "--json", "--db", str(db)] for db in stores for c in ("status", "week")]
    results = run_all(commands)
    met_at_query = 0
    for i, db in enumerate(stores):
        status, week = results[2 * i], results[2 * i + 1]
        for result in (status, week):
            if result.exit_code != 0:  # 0: the block holds nothing this command reads
                one_line(result, str(db), "damaged")
        met_at_query += status.exit_code == 0 and week.exit_code == 2
    assert met_at_query > 0  # some damage only shows when a query reads the block


def run_limited(args: list[str], limit: int) -> subprocess.CompletedProcess[str]:
    """``chartwatch ARGS`` in a process that may not write a file beyond ``limit`` bytes."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run(
        [CHARTWATCH, *args],
        capture_output=True,
        text=True,
        preexec_fn=cap,
        timeout=120,
    )


def status(db: Path) -> tuple[int, dict[str, object], str]:
    proc = subprocess.run(
        [CHARTWATCH, "status", "--json", "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return proc.returncode, json.loads(proc.stdout or "{}"), proc.stderr


@pytest.fixture
def data_files(tmp_path: Path) -> dict[str, Path]:
    out = {}
    for name in FILES:
        out[name] = tmp_path / name
        out[name].write_bytes(raw_bytes(name))
    return out


def test_an_ingest_that_fills_the_disk_is_one_line_and_changes_nothing(
    tmp_path: Path, data_files: dict[str, Path]
) -> None:
    db = tmp_path / "store.duckdb"
    first = subprocess.run(
        [CHARTWATCH, "ingest", str(data_files[GLOBAL]), "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert first.returncode == 0, first.stderr
    code, before, _ = status(db)
    assert code == 0
    full = run_limited(
        ["ingest", str(data_files[COUNTRIES]), "--db", str(db)], db.stat().st_size + 64 * 1024
    )
    assert full.returncode == 2, full.stderr
    assert "Traceback" not in full.stderr
    assert full.stderr.startswith(f"Error: the disk is full writing the store {db}")
    assert len(full.stderr.strip().splitlines()) == 1
    code, after, _ = status(db)
    assert code == 0 and after == before  # the store as it was
    again = subprocess.run(  # and with room, the same ingest goes through
        [CHARTWATCH, "ingest", str(data_files[COUNTRIES]), "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert again.returncode == 0, again.stderr
    assert status(db)[1]["snapshots"] == 2


def test_an_empty_store_left_by_a_failed_ingest_never_gets_the_bundled_data(
    tmp_path: Path, data_files: dict[str, Path]
) -> None:
    db = tmp_path / "mine.duckdb"
    failed = run_limited(["ingest", str(data_files[COUNTRIES]), "--db", str(db)], 1024 * 1024)
    assert failed.returncode == 2 and "the disk is full" in failed.stderr, failed.stderr
    assert db.exists()  # made, marked as the user's own, and left empty
    code, data, notice = status(db)
    assert code == 0 and data["snapshots"] == 0
    assert "holds no files" in notice and "the bundled data is not loaded" in notice
    assert "loaded the bundled" not in notice
    assert status(db)[1]["snapshots"] == 0  # and again


def test_a_full_disk_on_first_use_is_one_line_and_the_next_run_loads(tmp_path: Path) -> None:
    db = tmp_path / "new.duckdb"
    full = run_limited(["status", "--json", "--db", str(db)], 512 * 1024)
    assert full.returncode == 2, full.stderr
    assert full.stderr.startswith(f"Error: the disk is full writing the store {db}")
    code, data, notice = status(db)  # it never held anything: the load is done now
    assert code == 0 and data["snapshots"] == len(FILES) + len(ENGAGEMENT)
    assert "loaded the bundled Netflix data" in notice
