"""Many readers at once, and readers while a writer works (issue 11, point 1): real
``chartwatch`` processes on one real store file, and a real ``chartwatch serve`` on
127.0.0.1 polled while ``replay`` writes.

DuckDB lets any number of processes read a file, or one write it. Read commands open the
store read-only, wait (bounded) for a writer, and a replay lets waiting readers in between
two files (docs/store.md)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest

from conftest import BUNDLE
from rawdata import COUNTRIES, FILES, raw_bytes
from rawengagement import FILES as ENGAGEMENT

BUNDLED = len(FILES) + len(ENGAGEMENT)  # the bundled data: three Top 10 files, three reports

pytestmark = pytest.mark.slow

CHARTWATCH = str(Path(sys.executable).parent / "chartwatch")


def start(*args: str, db: Path, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [CHARTWATCH, *args, "--db", str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
    )


def finish(proc: subprocess.Popen[str], timeout: float = 120) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


def locked_for_writing(db: Path) -> bool:
    """Whether another process holds the store for writing (a read-only open fails)."""
    try:
        duckdb.connect(str(db), read_only=True).close()
    except duckdb.IOException as exc:
        return "lock" in str(exc).lower()
    return False


def wait_until_writing(db: Path, writer: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while not locked_for_writing(db):
        assert writer.poll() is None, writer.communicate()
        assert time.monotonic() < deadline, "the writer never took the store"
        time.sleep(0.01)


def test_twenty_status_at_once_all_succeed(bundled_db: Path) -> None:
    procs = [start("status", "--json", db=bundled_db) for _ in range(20)]
    results = [finish(p) for p in procs]
    assert [code for code, _, _ in results] == [0] * 20, [err for _, _, err in results]
    assert all(err == "" for _, _, err in results)
    answers = [json.loads(out) for _, out, _ in results]
    assert all(a == answers[0] for a in answers)
    assert answers[0]["snapshots"] == BUNDLED


def test_first_use_by_five_at_once_loads_the_bundled_data_once(tmp_path: Path) -> None:
    db = tmp_path / "new.duckdb"
    results = [finish(p) for p in [start("status", "--json", db=db) for _ in range(5)]]
    assert [code for code, _, _ in results] == [0] * 5, [err for _, _, err in results]
    notices = [err for _, _, err in results if err]
    assert len(notices) == 1 and "loaded the bundled Netflix data" in notices[0]
    assert {json.loads(out)["snapshots"] for _, out, _ in results} == {BUNDLED}


def test_ten_readers_while_an_ingest_runs_all_succeed(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    files = []
    for name in FILES:
        files.append(tmp_path / name)
        files[-1].write_bytes(raw_bytes(name))
    # the store exists (global only) before the ingest of the two other files starts
    assert finish(start("ingest", str(files[0]), db=db))[0] == 0
    writer = start("ingest", *map(str, files[1:]), db=db)
    wait_until_writing(db, writer)
    readers = [start("status", "--json", db=db) for _ in range(10)]
    code, _, err = finish(writer)
    assert code == 0, err
    results = [finish(p) for p in readers]
    assert [c for c, _, _ in results] == [0] * 10, [e for _, _, e in results]
    # each saw the store between two files (let in there), never inside one: whole files
    assert {json.loads(out)["snapshots"] for _, out, _ in results} <= set(range(1, len(FILES) + 1))


def test_a_reader_goes_between_the_files_of_a_multi_file_ingest(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """`ingest a b c …` lets a waiting reader in between two files: the reader finishes while
    the ingest is still at work, and sees the files committed so far (whole files)."""
    from rawarchive import archive

    raw = archive(tmp_path_factory)
    versions = raw.valid(COUNTRIES)
    assert len(versions) >= 8
    files = []
    for i, version in enumerate(versions[:8]):
        files.append(tmp_path / f"{i}-{COUNTRIES}")
        files[-1].write_bytes(raw.blob(version.blob))
    db = tmp_path / "store.duckdb"
    assert finish(start("ingest", str(files[0]), db=db))[0] == 0
    writer = start("ingest", "--json", *map(str, files[1:]), db=db)
    wait_until_writing(db, writer)
    reader = start("status", "--json", db=db)
    code, out, err = finish(reader)
    still_writing = writer.poll() is None
    wcode, wout, werr = finish(writer)
    assert wcode == 0, werr
    assert [r["status"] for r in json.loads(wout)["results"]] == ["accepted"] * 7
    assert (code, err) == (0, "")
    assert still_writing, "the reader waited for the whole ingest"
    assert 1 <= json.loads(out)["snapshots"] < len(files)


def test_a_reader_that_meets_a_writer_waits_then_says_so(bundled_db: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, chartwatch; s = chartwatch.open_store(sys.argv[1]); "
            "print('holding', flush=True); sys.stdin.readline()",
            str(bundled_db),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        started = time.monotonic()
        code, out, err = finish(start("week", "--json", db=bundled_db, CHARTWATCH_WAIT="1"))
        waited = time.monotonic() - started
        # a reader that gets in before the bound reads the store
        later = start("status", "--json", db=bundled_db, CHARTWATCH_WAIT="30")
        time.sleep(0.5)
    finally:
        holder.communicate("\n", timeout=60)
    assert code == 2 and out == "" and waited >= 1
    assert err.startswith("Error: the store ") and len(err.strip().splitlines()) == 1
    assert f"{bundled_db} is being written by another chartwatch process (PID {holder.pid}" in err
    assert "gave up after waiting 1 s ($CHARTWATCH_WAIT sets how long)" in err
    code, out, err = finish(later)
    assert code == 0 and err == "" and json.loads(out)["snapshots"] == BUNDLED


def test_a_bad_wait_bound_is_a_usage_error(bundled_db: Path) -> None:
    code, out, err = finish(start("status", db=bundled_db, CHARTWATCH_WAIT="soon"))
    assert code == 2 and out == ""
    assert err == "Error: $CHARTWATCH_WAIT: 'soon' is not a number of seconds (0 or more)\n"


READERS = [
    ("status", "--json"),
    ("week", "--json"),
    ("week", "--country", "KR", "--week", "2022-01-30", "--json"),
    ("records", "--json"),
    ("search", "squid", "--json"),
    ("title", "All of Us Are Dead", "--json"),
    ("countries", "All of Us Are Dead", "--json"),
    ("compare", "all of us are dead", "squid game season 1", "--json"),
]


class Poller(threading.Thread):
    """Asks the server for a page every ~100 ms and records how long each answer took."""

    def __init__(self, port: int) -> None:
        super().__init__(daemon=True)
        self.port = port
        self.stop = threading.Event()
        self.answers: list[tuple[str, int, float, float]] = []

    paths = ("/api/v1/status", "/", "/api/v1/week", "/search?q=squid")

    def run(self) -> None:
        paths = self.paths
        i = 0
        while not self.stop.is_set():
            path = paths[i % len(paths)]
            i += 1
            started = time.monotonic()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=10) as r:
                    r.read()
                    status = r.status
            except OSError as exc:
                status = getattr(exc, "code", -1)
            self.answers.append((path, status, time.monotonic() - started, started))
            self.stop.wait(0.1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_readers_and_a_server_while_a_replay_writes(bundled_db: Path, tmp_path: Path) -> None:
    """Issue 11's "done when": 16 read-only commands and a running `serve` while `replay`
    writes to the same store: no reader fails, and every request is answered within 1 s."""
    port = free_port()
    server = start("serve", "--port", str(port), db=bundled_db)
    poller = Poller(port)
    try:
        deadline = time.monotonic() + 60
        while True:  # the server is up and has its first copy
            assert server.poll() is None, server.communicate()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/status") as r:
                    before = json.loads(r.read())
                break
            except OSError:
                assert time.monotonic() < deadline, "chartwatch serve did not answer"
                time.sleep(0.1)
        for path in Poller.paths:  # each page once before the replay (built, cached)
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60) as r:
                assert r.status == 200
        poller.start()
        replay = start("replay", str(BUNDLE), "--json", db=bundled_db)
        wait_until_writing(bundled_db, replay)
        readers: list[tuple[tuple[str, ...], subprocess.Popen[str]]] = []
        for i in range(16):  # spread over the replay, so that they meet it at every stage
            args = READERS[i % len(READERS)]
            readers.append((args, start(*args, db=bundled_db)))
            time.sleep(0.6)
        results = [(args, *finish(proc)) for args, proc in readers]
        while replay.poll() is None:  # (its output is one small JSON document)
            time.sleep(0.01)
        ended = time.monotonic()
        code, out, err = finish(replay)
        assert code == 0, err
        poller.stop.set()
        poller.join(timeout=20)
        summary = json.loads(out)
        assert summary["accepted"] > 0
        deadline = time.monotonic() + 20
        while True:  # the server takes a copy with the replay's data once it has finished
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/status") as r:
                after = json.loads(r.read())
            if after["snapshots"] != before["snapshots"] or time.monotonic() > deadline:
                break
            time.sleep(0.1)
    finally:
        poller.stop.set()
        server.terminate()
        server.wait(timeout=20)
    failures = [(args, code, err) for args, code, _, err in results if code != 0]
    assert failures == []
    for args, _, out, err in results:
        assert err == "", (args, err)
        json.loads(out)
    # asked while the replay was writing: its last commit and its exit take a moment, after
    # which the server takes its one new copy and builds the pages afresh on it
    during = [a for a in poller.answers if a[3] < ended - 1.0]
    assert len(during) > 20
    assert [a for a in during if a[1] != 200] == []
    slow = [a for a in during if a[2] >= 1.0]
    assert slow == [], slow
    assert after["snapshots"] == before["snapshots"] + summary["accepted"]
