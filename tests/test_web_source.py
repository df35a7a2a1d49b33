"""How a running server sees new data under DuckDB's one-writer rule: it reads an in-memory
copy, never holds the file, takes a new copy when the file changes, keeps serving its copy
while a writer works, and answers 503 only when it has no copy at all."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import chartwatch
from chartwatch.errors import StoreBusyError
from chartwatch.store.store import open_snapshot
from chartwatch.web.app import create_app
from chartwatch.web.source import StoreSource, fingerprint
from conftest import ROOT

GLOBAL, COUNTRIES = "all-weeks-global.tsv", "all-weeks-countries.tsv"


@pytest.fixture
def global_only(tmp_path: Path, real_file) -> Path:
    """A store holding only the global lists (one snapshot)."""
    path = tmp_path / "store.duckdb"
    with chartwatch.open_store(path) as store:
        chartwatch.ingest(store, [real_file(GLOBAL)])
    return path


class Writer:
    """Another process that ingests a file and then holds the store open for writing
    until it is told to finish (what `chartwatch ingest` does on a big file)."""

    def __init__(self, db: Path, source: Path) -> None:
        code = textwrap.dedent(
            f"""
            import sys, chartwatch
            store = chartwatch.open_store({str(db)!r})
            chartwatch.ingest(store, [{str(source)!r}])
            print("holding", flush=True)
            sys.stdin.readline()
            store.close()
            """
        )
        self.proc = subprocess.Popen(
            [sys.executable, "-c", code],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        assert self.proc.stdout is not None
        assert self.proc.stdout.readline().strip() == "holding"

    def finish(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("\n")
        self.proc.stdin.flush()
        assert self.proc.wait(timeout=60) == 0


@pytest.fixture
def client_for() -> Iterator:
    made: list[TestClient] = []

    def make(db: Path, **kwargs) -> TestClient:
        source = StoreSource(db, **kwargs)
        client = TestClient(create_app(db, source=source))
        made.append(client)
        return client

    yield make
    for c in made:
        c.close()
        c.app.state.source.close()  # type: ignore[attr-defined]


def snapshots(client: TestClient) -> int:
    response = client.get("/api/v1/status")
    assert response.status_code == 200, response.text
    return int(response.json()["snapshots"])


def test_a_snapshot_copies_the_store_and_lets_go_of_the_file(global_only: Path, real_file) -> None:
    copy = open_snapshot(global_only)
    try:
        assert copy.read_only and copy.label == str(global_only)
        assert copy.scalar("SELECT count(*) FROM snapshots") == 1
        # the file is free: a writer can open it while the copy is in use
        with chartwatch.open_store(global_only) as writer:
            chartwatch.ingest(writer, [real_file(COUNTRIES)])
        assert copy.scalar("SELECT count(*) FROM snapshots") == 1  # the copy does not move
    finally:
        copy.close()


def test_the_server_sees_an_ingest_on_the_next_request(
    global_only: Path, real_file, client_for
) -> None:
    client = client_for(global_only)
    assert snapshots(client) == 1
    source = client.app.state.source  # type: ignore[attr-defined]
    first = source.generation
    assert client.get("/api/v1/status").status_code == 200
    assert source.generation == first  # unchanged file: the same copy, answers from cache
    with chartwatch.open_store(global_only) as writer:  # what `chartwatch ingest` does
        chartwatch.ingest(writer, [real_file(COUNTRIES)])
    # the copy in use answers at once; a new one is taken once the file has been quiet
    assert snapshots(client) in (1, 2)
    deadline = time.monotonic() + 10
    while snapshots(client) != 2:
        assert time.monotonic() < deadline, "the server kept its old copy"
        time.sleep(0.05)
    assert source.generation == first + 1
    korea = client.get("/api/v1/week?country=KR")
    assert korea.status_code == 200 and korea.json()["country_name"] == "South Korea"


def test_while_a_writer_holds_the_store_the_server_keeps_its_copy(
    global_only: Path, real_file, client_for
) -> None:
    client = client_for(global_only, retry_after=0.0)
    assert snapshots(client) == 1
    writer = Writer(global_only, real_file(COUNTRIES))
    try:
        assert fingerprint(global_only) != client.app.state.source._stamp  # type: ignore[attr-defined]
        assert snapshots(client) == 1  # the copy it has, not an error
        assert client.app.state.source.stale  # type: ignore[attr-defined]
    finally:
        writer.finish()
    # the copier notices within a moment that the writer has gone
    deadline = time.monotonic() + 10
    while snapshots(client) != 2:
        assert time.monotonic() < deadline, "the server kept its old copy"
        time.sleep(0.05)


def test_with_no_copy_yet_a_held_store_is_a_503_with_retry_after(
    global_only: Path, real_file, client_for
) -> None:
    writer = Writer(global_only, real_file(COUNTRIES))
    try:
        with pytest.raises(StoreBusyError):
            open_snapshot(global_only)
        client = client_for(global_only, retry_after=0.0)
        response = client.get("/api/v1/status")
        assert response.status_code == 503
        assert response.headers["retry-after"] == "1"
        assert response.json()["code"] == "store_busy"
        page = client.get("/")
        assert page.status_code == 503 and "Try again shortly" in page.text
    finally:
        writer.finish()
    assert snapshots(client) == 2


def test_a_missing_or_foreign_store_is_a_503(tmp_path: Path, client_for) -> None:
    client = client_for(tmp_path / "nothing.duckdb")
    response = client.get("/api/v1/status")
    assert response.status_code == 503 and response.json()["code"] == "store_unavailable"
    other = tmp_path / "other.duckdb"
    import duckdb

    with duckdb.connect(str(other)) as con:
        con.execute("CREATE TABLE t (x INTEGER)")
    assert client_for(other).get("/api/v1/status").json()["code"] == "store_unavailable"


def test_the_response_cache_is_bounded() -> None:
    import random

    from chartwatch.web.http import Answer
    from chartwatch.web.source import ResponseCache

    cache = ResponseCache(max_bytes=30_000)
    body = random.Random(0).randbytes(10_240)  # gzip cannot shrink it
    for i in range(10):
        cache.put((i,), Answer.make("text/plain", body, f'"{i}"'))
    assert len(cache) == 2 and cache.held <= 30_000
    assert cache.get((0,)) is None and cache.get((9,)).body == body
    cache.put((9,), Answer.make("text/plain", b"small", '"9"'))  # replaced, not counted twice
    assert cache.held == cache.get((8,)).size + 5
    cache.clear()
    assert len(cache) == 0 and cache.held == 0


def test_chartwatch_serve_as_a_user_runs_it(tmp_path: Path) -> None:
    """`chartwatch serve` on a new store: loads the bundled data (first use), listens on
    127.0.0.1, answers, and stops on SIGTERM."""
    import json
    import os
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    db = tmp_path / "new.duckdb"
    env = {k: v for k, v in os.environ.items() if k != "CHARTWATCH_DB"}
    script = Path(sys.executable).parent / "chartwatch"
    proc = subprocess.Popen(
        [str(script), "serve", "--db", str(db), "--port", str(port)],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            try:
                url = f"http://127.0.0.1:{port}/api/v1/status"
                with urllib.request.urlopen(url, timeout=5) as response:
                    status = json.loads(response.read())
                break
            except OSError:
                assert time.monotonic() < deadline, "chartwatch serve did not answer"
                time.sleep(0.2)
        # the server names its store by file name only (its folder is not shown); the Top 10
        # files and the engagement reports
        assert status["db"] == db.name and status["snapshots"] == 6
        # the server does not hold the store: a writer opens it while it serves
        with chartwatch.open_store(db) as writer:
            assert not writer.is_empty()
    finally:
        proc.terminate()
        # uvicorn shuts down gracefully, then re-raises the signal it caught
        assert proc.wait(timeout=20) in (0, -15)
    assert proc.stderr is not None
    err = proc.stderr.read()
    assert "loaded the bundled Netflix data" in err
    assert f"at http://127.0.0.1:{port}/" in err


def test_a_burst_of_requests_for_one_page_builds_it_once(
    global_only: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio
    import threading
    import time

    import httpx

    from chartwatch.web import pages

    calls: list[int] = []
    real = pages.records_page

    def counted(*args, **kwargs):  # a slow build, called from worker threads
        calls.append(threading.get_ident())
        time.sleep(0.2)
        return real(*args, **kwargs)

    monkeypatch.setattr(pages, "records_page", counted)
    app = create_app(global_only)

    async def burst() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            answers = await asyncio.gather(*(client.get("/records") for _ in range(12)))
        return [a.status_code for a in answers]

    assert asyncio.run(burst()) == [200] * 12
    assert len(calls) == 1
    app.state.source.close()


def test_serve_takes_and_prepares_its_first_copy_before_the_first_page(bundled_db: Path) -> None:
    """``serve``'s app (a source that prepares) has its first copy, with the view's core,
    every board, the titles' addresses and the chart shapes built, as soon as it has
    started: the first title page is a look-up, not a computation."""
    import gc

    from chartwatch.prepare import is_prepared
    from chartwatch.render import charts
    from chartwatch.view import View

    source = StoreSource(bundled_db, prepare=True)
    app = create_app(bundled_db, source=source)
    with TestClient(app):  # the lifespan has run: the server has started
        assert source.current() is not None  # a copy, before any request
        with source.store() as store:
            view = View.of(store)
            assert is_prepared(view, forecasts=False)
            core = view.peek("core")
            assert core is not None and "country_rows" in core.__dict__
            assert set(core._boards) >= {"debut_hours", "week_hours"}
            assert view.peek("web_links") is not None
        assert charts._run_shell.cache_info().currsize >= 2  # hours and views shapes
        # what lives as long as the copy is out of the cycle collector's full sweeps
        assert gc.get_freeze_count() > 100_000
    source.close()
    gc.unfreeze()  # the rest of the test process as it was


def test_a_read_only_store_is_stamped_once(bundled_db: Path) -> None:
    """A snapshot cannot change: its content stamp is taken once, then remembered, and the
    same view is given back (a writable store is stamped every time)."""
    from chartwatch.view import View

    store = open_snapshot(bundled_db)
    try:
        first = View.of(store)
        assert store.shared.get("stamp") == first.stamp
        assert View.of(store) is first
    finally:
        store.close()
    with chartwatch.open_store(bundled_db) as writable:
        View.of(writable)
        assert "stamp" not in writable.shared


def test_serve_with_two_worker_processes(bundled_db: Path) -> None:
    """`chartwatch serve --workers 2`: two processes under uvicorn's supervisor, each with its
    own copy of the store, answer the same pages with the same tags (the tag is the store's
    content stamp and the address, whichever process answers), and all stop on SIGTERM."""
    import os
    import signal
    import socket
    import time

    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "CHARTWATCH_DB"}
    script = Path(sys.executable).parent / "chartwatch"
    command = [str(script), "serve", "--db", str(bundled_db), "--port", str(port)]
    proc = subprocess.Popen(
        [*command, "--workers", "2"], stderr=subprocess.PIPE, text=True, env=env
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            try:
                if httpx.get(base + "/api/v1/status", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "chartwatch serve --workers 2 did not answer"
            time.sleep(0.3)
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        workers = [c for c in children if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]
        assert len(workers) == 2, [Path(f"/proc/{c}/cmdline").read_bytes() for c in children]
        tags = set()
        for _ in range(6):  # a new connection each time: either process may answer
            with httpx.Client(base_url=base) as client:
                page = client.get("/title/all-of-us-are-dead-season-1")
                assert page.status_code == 200 and "All of Us Are Dead" in page.text
                tags.add(client.get("/api/v1/week").headers["etag"])
        assert len(tags) == 1
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    assert proc.stderr is not None
    assert "with 2 processes" in proc.stderr.read()
    for c in workers:
        assert not Path(f"/proc/{c}").exists() or "zombie" in Path(f"/proc/{c}/status").read_text()


def test_serve_with_workers_on_a_busy_port_says_so(bundled_db: Path) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        script = Path(sys.executable).parent / "chartwatch"
        done = subprocess.run(
            [str(script), "serve", "--db", str(bundled_db), "--port", str(port), "--workers", "2"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 2
    assert f"--port: cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr
