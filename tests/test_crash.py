"""A process killed in the middle of an ingest leaves the store exactly as it was.

``chartwatch ingest`` runs in a subprocess with ``CHARTWATCH_TEST_PAUSE_IN_TRANSACTION``
set: it writes the snapshot, the new row versions, the observations and the current view,
then touches the flag file and waits inside the still-open transaction. The test kills it
there with SIGKILL and compares every table, in full, with a copy taken before.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import chartwatch
from chartwatch.store.schema import SCHEMA_VERSION
from chartwatch.view import View
from rawarchive import GLOBAL, archive, table_counts, table_differences

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL"),
]

# A global file from the archive (April 2022, the week Ozark's label changed): new content
# for a store holding the bundled files, with revisions of rows the store already has.
REVISED_COMMIT = "dfdcd6c"


def run_ingest(file: Path, db: Path, flag: Path | None) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k != "CHARTWATCH_TEST_PAUSE_IN_TRANSACTION"}
    if flag is not None:
        env["CHARTWATCH_TEST_PAUSE_IN_TRANSACTION"] = str(flag)
    return subprocess.Popen(
        [sys.executable, "-m", "chartwatch", "ingest", str(file), "--db", str(db), "--json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def kill_inside_transaction(file: Path, db: Path, tmp_path: Path) -> None:
    flag = tmp_path / "paused.flag"
    proc = run_ingest(file, db, flag)
    try:
        deadline = time.monotonic() + 60
        while not flag.exists():
            if proc.poll() is not None:
                _, err = proc.communicate()
                pytest.fail(f"ingest ended (rc {proc.returncode}) before pausing: {err!r}")
            if time.monotonic() > deadline:
                pytest.fail("ingest never reached the pause inside its transaction")
            time.sleep(0.02)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL


@pytest.fixture
def revised_global(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Path:
    raw = archive(tmp_path_factory)
    sha = next(s for s, _ in raw.commits if s.startswith(REVISED_COMMIT))
    path = tmp_path / GLOBAL
    path.write_bytes(raw.file_at(sha, GLOBAL))
    return path


@pytest.mark.parametrize("start", ["empty", "bundled"])
def test_kill_in_transaction_leaves_store_unchanged(
    start: str, tmp_path: Path, bundled_db: Path, revised_global: Path
) -> None:
    if start == "empty":
        db = tmp_path / "empty.duckdb"
        chartwatch.open_store(db).close()
    else:
        db = bundled_db
    before = tmp_path / "before.duckdb"
    shutil.copy(db, before)
    counts_before = table_counts(db)

    kill_inside_transaction(revised_global, db, tmp_path)

    # The store opens (DuckDB replays only committed work) and every table is as before.
    with chartwatch.open_store(db) as st:
        assert st.schema_version == SCHEMA_VERSION
    differences = table_differences(before, db)
    if start == "empty":
        # ingest marks a store it opens as holding one's own files before its first file
        # (so that, left empty, it never gets the bundled data): that, and only that, stays
        assert set(differences) == {"meta"}
        with chartwatch.open_store(db, read_only=True) as st:
            assert st.meta("autoload") == "off"
        del differences["meta"]
        counts_before["meta"] += 1
    assert differences == {}
    assert table_counts(db) == counts_before

    # The same ingest without the pause goes through.
    proc = run_ingest(revised_global, db, None)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    result = json.loads(out)
    assert (result["accepted"], result["rejected"]) == (1, 0)
    after = table_counts(db)
    assert after["snapshots"] == counts_before["snapshots"] + 1
    assert after["observations"] > counts_before["observations"]
    with chartwatch.open_store(db, read_only=True) as st:
        assert st.scalar("SELECT count(*) FROM snapshots WHERE source = ?", [str(revised_global)])
        if start == "bundled":
            # the older file revised rows, but the bundled (newer) file stays current
            assert result["results"][0]["revised"] > 0
            chart = chartwatch.week(View.of(st), week=dt.date(2022, 1, 23), category="tv-english")
            assert chart.lists[0].rows[0].season_title == "Ozark: Season 4"
