"""Hostile inputs under a memory limit, and what killed runs leave behind.

Every command here runs in a child process whose address space is capped with
``RLIMIT_AS`` (what ``prlimit --as`` sets): the cap is the address space chartwatch needs to
start and reject a small file, measured first, plus 512 MiB, twice the largest content
chartwatch reads (``reader.max_bytes``). Each hostile input must end, within a time bound,
with exit code 2 and one ``Error:`` line naming it, never a traceback; the real files still
load under the same cap. The inputs: a symlink to ``/dev/zero``, a FIFO with no writer, a
directory, a socket, a sparse 300 MiB file, a 2 MB gzip that expands to 2 GB (as a file, a
URL and through ``update``), an .xlsx whose sheet expands to 300 MB, a server that never
stops sending, and one that sends a gzip-encoded bomb.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import zipfile
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from rawdata import FILES, GLOBAL, POPULAR, raw_bytes

pytestmark = pytest.mark.slow

CHILD = """
import resource, sys
limit = int(sys.argv[1])
if limit:
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from chartwatch.cli import main
sys.argv = ["chartwatch", *sys.argv[2:]]
try:
    main()
finally:
    status = open("/proc/self/status").read()
    peak = int(status.split("VmPeak:")[1].split()[0]) * 1024
    open(__import__("os").environ["PEAK_FILE"], "w").write(str(peak))
"""
MIB = 2**20
BOMB_MEMBER = gzip.compress(bytes(64 * MIB), compresslevel=9, mtime=0)


def gzip_bomb() -> bytes:
    """About 2 MB of gzip that expands to 2 GiB of zeros (32 members of 64 MiB)."""
    return BOMB_MEMBER * 32


def run(args: list[str], tmp: Path, limit: int, timeout: float = 90) -> tuple[int, str, str, int]:
    """(exit code, stdout, stderr, peak address space) of the CLI in a capped child."""
    peak = tmp / f"peak-{time.monotonic_ns()}"
    env = {**os.environ, "PEAK_FILE": str(peak), "COLUMNS": "200", "TMPDIR": str(tmp)}
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(limit), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )
    return proc.returncode, proc.stdout, proc.stderr, int(peak.read_text() or 0)


@pytest.fixture(scope="module")
def limit(tmp_path_factory: pytest.TempPathFactory) -> int:
    """The address-space cap: what a run that rejects a small file needs, plus 512 MiB."""
    tmp = tmp_path_factory.mktemp("baseline")
    (tmp / "bad.tsv").write_bytes(b"not\ta\tchart\nfile\there\t!")
    code, _, err, peak = run(
        ["ingest", "--db", str(tmp / "s.duckdb"), str(tmp / "bad.tsv")], tmp, 0
    )
    assert code == 2 and "not a Netflix Top 10 file" in err, err
    return peak + 512 * MIB


def errors_by_source(stderr: str) -> dict[str, str]:
    out = {}
    for line in stderr.splitlines():
        assert line.startswith(("Error: ", "Warning: ")), stderr
        if line.startswith("Error: "):
            source, _, reason = line.removeprefix("Error: ").partition(": ")
            out[source] = reason
    return out


def test_hostile_local_files_end_with_one_error_each(tmp_path: Path, limit: int) -> None:
    hostile = tmp_path / "in"
    hostile.mkdir()
    (hostile / "zero.tsv").symlink_to("/dev/zero")
    os.mkfifo(hostile / "fifo.tsv")
    (hostile / "folder.tsv").mkdir()
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(hostile / "sock.tsv"))
    with (hostile / "sparse.tsv").open("wb") as fh:
        fh.truncate(300 * MIB)
    (hostile / "bomb.tsv.gz").write_bytes(gzip_bomb())
    book = io.BytesIO()
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", b"<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", bytes(300 * MIB))
    (hostile / "bomb.xlsx").write_bytes(book.getvalue())
    good = [hostile / name for name in (POPULAR, GLOBAL)]
    for path in good:
        path.write_bytes(raw_bytes(path.name))
    expected = {
        "zero.tsv": "not a regular file but a character device",
        "fifo.tsv": "not a regular file but a named pipe (FIFO)",
        "folder.tsv": "is a directory",
        "sock.tsv": "not a regular file but a socket",
        "sparse.tsv": "larger than 256 MiB",
        "bomb.tsv.gz": "gzip data expanding to more than 256 MiB",
        "bomb.xlsx": "a workbook expanding to more than 256 MiB",
    }
    names = [*expected, POPULAR, GLOBAL]
    start = time.monotonic()
    try:
        code, out, err, peak = run(
            ["ingest", "--json", "--db", str(tmp_path / "s.duckdb")]
            + [str(hostile / n) for n in names],
            tmp_path,
            limit,
        )
    finally:
        sock.close()
    assert time.monotonic() - start < 90
    assert code == 2, err
    assert "Traceback" not in out + err
    found = errors_by_source(err)
    assert set(found) == {str(hostile / n) for n in expected}
    for name, says in expected.items():
        assert says in found[str(hostile / name)], found[str(hostile / name)]
    status = {r["source"]: r["status"] for r in json.loads(out)["results"]}
    assert [status[str(hostile / n)] for n in names] == ["rejected"] * 7 + ["accepted"] * 2
    assert peak <= limit


class Hostile:
    """A server on 127.0.0.1: /bomb/<file> is a gzip bomb, /endless never stops sending,
    /encoded is a bomb sent with Content-Encoding: gzip, /data/<file> the real files."""

    def __init__(self) -> None:
        bomb = gzip_bomb()
        packer = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        zeros = bytes(32 * MIB)
        encoded = b"".join(packer.compress(zeros) for _ in range(16)) + packer.flush()  # 512 MiB

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                folder, _, name = self.path.lstrip("/").partition("/")
                try:
                    if folder == "bomb" and name == GLOBAL:
                        self.reply(bomb, "application/gzip")
                    elif folder in ("bomb", "data") and name in FILES:
                        self.reply(raw_bytes(name), "text/tab-separated-values")
                    elif folder == "encoded":
                        self.reply(encoded, "text/tab-separated-values", encoding="gzip")
                    elif folder == "endless":
                        self.send_response(200)
                        self.end_headers()
                        chunk = b"a\tb\n" * (MIB // 4)
                        while True:
                            self.wfile.write(chunk)
                    else:
                        self.reply(b"not found", "text/plain", status=404)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def reply(self, body: bytes, ctype: str, status: int = 200, **kw: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                if "encoding" in kw:
                    self.send_header("Content-Encoding", kw["encoding"])
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def hostile_server() -> Iterator[Hostile]:
    server = Hostile()
    yield server
    server.close()


def test_hostile_downloads_end_with_one_error_each(
    tmp_path: Path, limit: int, hostile_server: Hostile
) -> None:
    base = hostile_server.base
    urls = {
        f"{base}/bomb/{GLOBAL}": "gzip data expanding to more than 256 MiB",
        f"{base}/endless/{GLOBAL}": "larger than 256 MiB",
        f"{base}/encoded/{GLOBAL}": "larger than 256 MiB",
    }
    code, out, err, peak = run(
        ["ingest", "--json", "--db", str(tmp_path / "s.duckdb"), *urls, f"{base}/data/{POPULAR}"],
        tmp_path,
        limit,
    )
    assert code == 2 and "Traceback" not in out + err, err
    found = errors_by_source(err)
    assert set(found) == set(urls)
    for url, says in urls.items():
        assert says in found[url], found[url]
    status = {r["source"]: r["status"] for r in json.loads(out)["results"]}
    assert status == {**dict.fromkeys(urls, "rejected"), f"{base}/data/{POPULAR}": "accepted"}
    assert peak <= limit


def test_update_with_a_gzip_bomb_rejects_it_and_loads_the_rest(
    tmp_path: Path, limit: int, hostile_server: Hostile
) -> None:
    base = f"{hostile_server.base}/bomb/"
    code, out, err, peak = run(
        ["update", "--json", "--db", str(tmp_path / "s.duckdb"), "--base-url", base],
        tmp_path,
        limit,
    )
    assert code == 2 and "Traceback" not in out + err, err
    assert errors_by_source(err) == {
        base + GLOBAL: "gzip data expanding to more than 256 MiB (CHARTWATCH_MAX_BYTES); "
        "not a Top 10 file"
    }
    status = {r["source"]: r["status"] for r in json.loads(out)["results"]}
    assert status == {base + n: "rejected" if n == GLOBAL else "accepted" for n in FILES}
    assert peak <= limit


# -- leftovers ----------------------------------------------------------------------------------
def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_leftovers_of_dead_processes_are_swept(tmp_path: Path) -> None:
    from chartwatch.ingestion import leftovers

    dead, alive = dead_pid(), os.getpid()
    stale_stage = tmp_path / f"chartwatch-stage-{dead}-abc.txt"
    stale_stage.write_bytes(b"x" * 1000)
    stale_replay = tmp_path / f"chartwatch-replay-{dead}-xyz"
    (stale_replay / "archive.git").mkdir(parents=True)
    live = tmp_path / f"chartwatch-stage-{alive}-def.txt"
    live.write_bytes(b"y")
    other = tmp_path / "chartwatch-unrelated.txt"
    other.write_bytes(b"z")
    removed = leftovers.sweep(tmp_path)
    assert sorted(removed) == sorted([stale_stage, stale_replay])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, other.name])


def test_a_leftover_still_written_into_is_removed(tmp_path: Path) -> None:
    """A killed replay's `git clone` outlives it for a moment, still writing into the
    folder: the sweep removes the folder all the same once the writing stops."""

    from chartwatch.ingestion import leftovers

    folder = tmp_path / f"chartwatch-replay-{dead_pid()}-xyz" / "archive.git" / "objects"
    folder.mkdir(parents=True)
    stop = time.monotonic() + 0.25

    def write() -> None:  # as git does: new files and folders, as fast as it can
        n = 0
        while time.monotonic() < stop:
            with contextlib.suppress(OSError):
                (folder / f"{n % 256:02x}").mkdir(parents=True, exist_ok=True)
                (folder / f"{n % 256:02x}" / f"o{n}").write_bytes(b"x")
            n += 1

    writer = threading.Thread(target=write)
    writer.start()
    time.sleep(0.02)
    removed = leftovers.sweep(tmp_path)
    writer.join()
    assert [p.name for p in removed] == [folder.parent.parent.name]
    assert not folder.parent.parent.exists()


def test_a_killed_replay_leaves_a_folder_the_next_run_removes(tmp_path: Path) -> None:
    from conftest import BUNDLE

    env = {**os.environ, "TMPDIR": str(tmp_path)}
    cmd = [sys.executable, "-m", "chartwatch", "replay", "--db", str(tmp_path / "s.duckdb")]
    proc = subprocess.Popen(
        [*cmd, str(BUNDLE)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    folder = None
    deadline = time.monotonic() + 60
    while folder is None and time.monotonic() < deadline:
        found = list(tmp_path.glob(f"chartwatch-replay-{proc.pid}-*/archive.git/HEAD"))
        folder = found[0].parent.parent if found else None
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert folder is not None and folder.exists()  # what a kill leaves
    (tmp_path / "bad.tsv").write_bytes(b"junk")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "chartwatch",
            "ingest",
            "--db",
            str(tmp_path / "t.duckdb"),
            str(tmp_path / "bad.tsv"),
        ],
        env=env,
        capture_output=True,
        check=False,
        timeout=60,
    )
    assert not folder.exists()
    assert not list(tmp_path.glob("chartwatch-*"))
