"""``chartwatch update`` (and ``ingest URL``) against real HTTP servers on 127.0.0.1.

One threaded ``http.server`` serves the real files (decompressed from the bundled data)
under ``/data/``; each test can make one file misbehave: an HTML "Moved Permanently" page
with status 200, a 301 redirect, a 404. A second server accepts connections and never
answers (a stalled download); a closed port stands for being offline.
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import chartwatch
from chartwatch.view import View
from conftest import FILES, raw_bytes, raw_rows

pytestmark = pytest.mark.slow


def moved_page(name: str) -> bytes:
    """What Netflix served in June 2023 instead of the data (the archive's HTML snapshot)."""
    return (
        f'<a href="https://www.netflix.com/tudum/top10/data/{name}">Moved Permanently</a>.\n\n'
    ).encode()


class Server:
    def __init__(self) -> None:
        self.modes: dict[str, str] = {}  # file name -> ok | html | redirect | missing | held
        self.gates = {name: threading.Event() for name in FILES}  # a held file waits for it
        self.requests: list[str] = []
        self.bodies = {name: raw_bytes(name) for name in FILES}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def send(self, status: int, body: bytes, ctype: str, **headers: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                server.requests.append(self.path)
                folder, _, name = self.path.lstrip("/").partition("/")
                if name not in server.bodies or folder not in ("data", "real"):
                    self.send(404, b"not found", "text/plain")
                    return
                mode = server.modes.get(name, "ok") if folder == "data" else "ok"
                if mode == "held":
                    server.gates[name].wait(60)
                    mode = "ok"
                if mode == "ok":
                    self.send(200, server.bodies[name], "text/tab-separated-values")
                elif mode == "html":
                    self.send(200, moved_page(name), "text/html")
                elif mode == "redirect":
                    self.send(301, moved_page(name), "text/html", Location=f"/real/{name}")
                elif mode == "missing":
                    self.send(404, b"<html>Not Found</html>", "text/html")
                else:
                    raise AssertionError(mode)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}/data/"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[Server]:
    srv = Server()
    yield srv
    srv.close()


@pytest.fixture
def stalled() -> Iterator[str]:
    """A server that accepts connections and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        sock.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            held.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/data/"
    stop.set()
    thread.join(timeout=5)
    for conn in held:
        conn.close()
    sock.close()


@pytest.fixture
def offline() -> str:
    """A base URL on a port where nothing listens."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}/data/"


def by_source(data: dict) -> dict[str, dict]:
    return {r["source"].rsplit("/", 1)[-1]: r for r in data["results"]}


def test_update_loads_the_real_files_at_download_time(server: Server, tmp_path: Path, cli) -> None:
    db = tmp_path / "u.duckdb"
    start = dt.datetime.now(dt.UTC)
    result = cli("update", "--base-url", server.base, "--db", db, "--json")
    end = dt.datetime.now(dt.UTC)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["accepted"], data["unchanged"], data["rejected"]) == (3, 0, 0)
    results = by_source(data)
    assert set(results) == set(FILES)
    for name in FILES:
        assert results[name]["status"] == "accepted"
        assert results[name]["rows"] == len(raw_rows(name))
        assert results[name]["source"] == server.base + name
    with chartwatch.open_store(db, read_only=True) as st:
        rows = st.all("SELECT source, observed_at, observed_how FROM snapshots")
    assert len(rows) == 3
    for source, observed_at, how in rows:
        assert how == "download-time"
        assert start <= observed_at <= end, source
    assert sorted(server.requests) == sorted(f"/data/{n}" for n in FILES)
    # again: the same content is unchanged and adds nothing
    again = json.loads(cli("update", "--base-url", server.base, "--db", db, "--json").stdout)
    assert (again["accepted"], again["unchanged"], again["rejected"]) == (0, 3, 0)


def test_html_page_with_status_200_is_rejected_others_load(
    server: Server, tmp_path: Path, cli
) -> None:
    server.modes["all-weeks-countries.tsv"] = "html"
    db = tmp_path / "u.duckdb"
    result = cli("update", "--base-url", server.base, "--db", db, "--json")
    assert result.exit_code == 2
    results = by_source(json.loads(result.stdout))
    bad = results["all-weeks-countries.tsv"]
    assert bad["status"] == "rejected" and "HTML" in bad["reason"]
    assert "all-weeks-countries.tsv" in result.stderr and "HTML" in result.stderr
    for name in ("all-weeks-global.tsv", "most-popular.tsv"):
        assert results[name]["status"] == "accepted"
        assert results[name]["rows"] == len(raw_rows(name))
    with chartwatch.open_store(db, read_only=True) as st:
        assert sorted(k for (k,) in st.all("SELECT kind FROM snapshots")) == [
            "global",
            "most-popular",
        ]

    # the table form says the same and exits 2 too
    server.modes["all-weeks-countries.tsv"] = "html"
    table = cli("update", "--base-url", server.base, "--db", tmp_path / "t.duckdb")
    assert table.exit_code == 2
    assert "rejected" in table.stdout and "accepted" in table.stdout


def test_redirect_is_followed(server: Server, tmp_path: Path, cli) -> None:
    for name in FILES:
        server.modes[name] = "redirect"
    db = tmp_path / "u.duckdb"
    result = cli("update", "--base-url", server.base, "--db", db, "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["accepted"] == 3
    assert sorted(server.requests) == sorted(
        [f"/data/{n}" for n in FILES] + [f"/real/{n}" for n in FILES]
    )
    with chartwatch.open_store(db, read_only=True) as st:
        chart = chartwatch.week(View.of(st))
    latest = max(r["week"] for r in raw_rows("all-weeks-global.tsv"))
    assert chart.week_end.isoformat() == latest


def test_not_found_is_rejected_with_the_status(server: Server, tmp_path: Path, cli) -> None:
    server.modes["most-popular.tsv"] = "missing"
    result = cli("update", "--base-url", server.base, "--db", tmp_path / "u.duckdb", "--json")
    assert result.exit_code == 2
    results = by_source(json.loads(result.stdout))
    assert results["most-popular.tsv"]["status"] == "rejected"
    assert "HTTP 404" in results["most-popular.tsv"]["reason"]
    assert results["all-weeks-global.tsv"]["status"] == "accepted"
    assert results["all-weeks-countries.tsv"]["status"] == "accepted"
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "HTTP 404" in errors[0]


def test_stalled_server_times_out_quickly(stalled: str, tmp_path: Path, cli) -> None:
    start = time.monotonic()
    result = cli(
        "update", "--base-url", stalled, "--timeout", "1", "--db", tmp_path / "u.duckdb", "--json"
    )
    elapsed = time.monotonic() - start
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert data["rejected"] == 3
    assert all("timed out" in r["reason"] for r in data["results"])
    assert elapsed < 3 * 1 + 5, elapsed  # three files, one second each, plus slack


def test_offline_cannot_connect(offline: str, tmp_path: Path, cli) -> None:
    start = time.monotonic()
    result = cli("update", "--base-url", offline, "--db", tmp_path / "u.duckdb", "--json")
    assert time.monotonic() - start < 10
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert [r["status"] for r in data["results"]] == ["rejected"] * 3
    assert all("cannot connect" in r["reason"] for r in data["results"])
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 3


def test_base_url_from_the_environment(
    server: Server, tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch, offline: str
) -> None:
    monkeypatch.setenv("CHARTWATCH_BASE_URL", server.base)
    result = cli("update", "--db", tmp_path / "env.duckdb", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["accepted"] == 3
    assert all(r["source"].startswith(server.base) for r in data["results"])
    # --base-url wins over the environment
    monkeypatch.setenv("CHARTWATCH_BASE_URL", offline)
    flag = cli("update", "--base-url", server.base, "--db", tmp_path / "env.duckdb", "--json")
    assert flag.exit_code == 0
    assert json.loads(flag.stdout)["unchanged"] == 3


def test_ingest_a_url(server: Server, tmp_path: Path, cli) -> None:
    db = tmp_path / "i.duckdb"
    url = server.base + "all-weeks-global.tsv"
    start = dt.datetime.now(dt.UTC)
    result = cli("ingest", url, "--db", db, "--json")
    assert result.exit_code == 0, result.stderr
    (item,) = json.loads(result.stdout)["results"]
    assert item["status"] == "accepted" and item["kind"] == "global"
    assert item["rows"] == len(raw_rows("all-weeks-global.tsv"))
    with chartwatch.open_store(db, read_only=True) as st:
        ((source, observed_at, how),) = st.all(
            "SELECT source, observed_at, observed_how FROM snapshots"
        )
    assert (source, how) == (url, "download-time")
    assert start <= observed_at <= dt.datetime.now(dt.UTC)

    server.modes["most-popular.tsv"] = "missing"
    missing = cli("ingest", server.base + "most-popular.tsv", "--db", db)
    assert missing.exit_code == 2
    assert "HTTP 404" in missing.stderr


def queue_taken(db: Path) -> bool:
    """Whether a process holds the store's queue (``<store>.queue``): a reader waits there."""
    import fcntl

    with db.with_name(db.name + ".queue").open("a+b") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fh, fcntl.LOCK_UN)
        return False


def test_update_lets_a_reader_in_between_two_files(server: Server, tmp_path: Path) -> None:
    """A reader that meets `update` at work goes in after the file being loaded, not after
    the last one: here the third file is held back by the server until the reader is done."""
    import os
    import subprocess
    import sys

    countries, popular = FILES[1], FILES[2]
    server.modes.update({countries: "held", popular: "held"})
    db = tmp_path / "store.duckdb"
    exe = str(Path(sys.executable).parent / "chartwatch")
    env = {**os.environ, "CHARTWATCH_WAIT": "30"}
    writer = subprocess.Popen(
        [exe, "update", "--base-url", server.base, "--json", "--db", str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    reader = None
    try:
        deadline = time.monotonic() + 60
        while f"/data/{countries}" not in server.requests:  # the first file is in
            assert writer.poll() is None and time.monotonic() < deadline, writer.communicate()
            time.sleep(0.01)
        reader = subprocess.Popen(
            [exe, "status", "--json", "--db", str(db)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        while not queue_taken(db):  # the reader waits for the store
            assert reader.poll() is None and time.monotonic() < deadline, reader.communicate()
            time.sleep(0.01)
        server.gates[countries].set()
        out, err = reader.communicate(timeout=60)
        assert (reader.returncode, err) == (0, "")
        assert json.loads(out)["snapshots"] == 2  # the two files loaded so far
        assert writer.poll() is None  # still waiting for the third file
    finally:
        server.gates[countries].set()
        server.gates[popular].set()
        wout, werr = writer.communicate(timeout=120)
        if reader is not None and reader.poll() is None:
            reader.kill()
            reader.communicate()
    assert writer.returncode == 0, werr
    assert [r["status"] for r in json.loads(wout)["results"]] == ["accepted"] * 3
