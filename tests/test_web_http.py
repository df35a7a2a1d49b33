"""The HTTP layer: HEAD on every route, gzip, strong ETags from the store's content and 304s,
versioned static files cached for a year, chart scripts only where a chart is, the Host
check, no absolute path in the status, the warning of ``serve`` on a public address."""

from __future__ import annotations

import gzip
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import chartwatch
from chartwatch.web.app import create_app
from conftest import copy_store

AOUAD_PAGE = "/title/all-of-us-are-dead-season-1"
PAGES = [
    "/",
    "/.json",
    AOUAD_PAGE,
    AOUAD_PAGE + ".json",
    "/title/ozark",
    "/records",
    "/records.json",
    "/compare",
    "/compare?titles=all+of+us+are+dead&titles=squid+game+season+1",
    "/search?q=ozark",
    "/search.json?q=ozark",
    "/history",
    "/history.json",
    "/status",
    "/status.json",
    "/docs",
    "/openapi.json",
]
API = [
    "/api/v1/week",
    "/api/v1/title?q=ozark",
    "/api/v1/records",
    "/api/v1/compare?titles=ozark+season+1&titles=ozark+season+2",
    "/api/v1/countries?q=all+of+us+are+dead",
    "/api/v1/brief?q=all+of+us+are+dead",
    "/api/v1/search?q=ozark",
    "/api/v1/history?title=ozark",
    "/api/v1/status",
    "/api/v1/greenlight?q=ozark",
]
GZIP = {"accept-encoding": "gzip"}


@pytest.fixture(scope="module")
def web_db(_bundled_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("web-http") / "bundled.duckdb"
    copy_store(_bundled_template, path)
    return path


@pytest.fixture(scope="module")
def client(web_db: Path) -> Iterator[TestClient]:
    """The app over the bundled data, once its forecasts' backtests are ready: a title page
    changes when they are (its track record), and these tests compare two answers."""
    with TestClient(create_app(web_db, allowed_hosts=["testserver"])) as c:
        deadline = time.monotonic() + 240
        while b'data-backtest="computing"' in c.get(AOUAD_PAGE).content:
            assert time.monotonic() < deadline, "the backtest never became ready"
            time.sleep(0.2)
        yield c


@pytest.mark.parametrize("address", PAGES + API)
def test_head_answers_every_route_like_get_without_the_body(
    client: TestClient, address: str
) -> None:
    got = client.get(address)
    head = client.head(address)
    assert (got.status_code, head.status_code) == (200, 200), address
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers.get("etag") == got.headers.get("etag")


def test_answers_are_gzipped_with_a_strong_etag_and_revalidate_to_304(
    client: TestClient,
) -> None:
    plain = client.get(AOUAD_PAGE, headers={"accept-encoding": "identity"})
    packed = client.get(AOUAD_PAGE, headers=GZIP)
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.content == plain.content  # httpx decodes it: the same page
    raw_size = int(client.head(AOUAD_PAGE, headers=GZIP).headers["content-length"])
    assert raw_size < len(plain.content) / 4
    etag = plain.headers["etag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)  # strong
    assert packed.headers["etag"] == etag[:-1] + '-gzip"'  # another representation
    assert plain.headers["cache-control"] == "no-cache"
    assert "Accept-Encoding" in plain.headers["vary"]
    for tag in (etag, packed.headers["etag"], f'"x", {etag}'):
        again = client.get(AOUAD_PAGE, headers={"if-none-match": tag, **GZIP})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == packed.headers["etag"]
    other = client.get("/title/ozark", headers={"if-none-match": etag})
    assert other.status_code == 200  # another page, another tag
    small = client.get("/api/v1/status", headers=GZIP)
    assert "content-encoding" not in small.headers  # under 1 KB: not worth it


def test_a_304_is_answered_without_building_the_page(web_db: Path) -> None:
    app = create_app(web_db)
    with TestClient(app) as fresh:
        etag = fresh.get("/records").headers["etag"]
    with TestClient(create_app(web_db)) as restarted:  # a new server, nothing cached
        source = restarted.app.state.source  # type: ignore[attr-defined]
        again = restarted.get("/records", headers={"if-none-match": etag})
        assert again.status_code == 304
        assert len(source.cache) == 0  # nothing was built


def test_the_etag_follows_the_store_s_content(web_db: Path, tmp_path: Path, real_file) -> None:
    other = tmp_path / "global.duckdb"
    with chartwatch.open_store(other) as store:
        chartwatch.ingest(store, [real_file("all-weeks-global.tsv")])
    copy = tmp_path / "copy.duckdb"
    shutil.copy(web_db, copy)
    tags = []
    for db in (web_db, copy, other):
        with TestClient(create_app(db)) as c:
            tags.append(c.get("/api/v1/week").headers["etag"])
    assert tags[0] == tags[1]  # the same content: the same tag, whatever the file
    assert tags[0] != tags[2]


def test_static_files_are_versioned_cached_for_a_year_and_gzipped(client: TestClient) -> None:
    text = client.get(AOUAD_PAGE).text
    scripts = re.findall(r'<script src="([^"]+)"', text)
    styles = re.findall(r'<link rel="stylesheet" href="([^"]+)"', text)
    assert len(scripts) == 2 and len(styles) == 1
    for address in scripts + styles:
        assert re.match(r"/static/v-[0-9a-f]{12}/", address), address
        answer = client.get(address, headers=GZIP)
        assert answer.status_code == 200
        assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert answer.headers["content-encoding"] == "gzip"
        assert answer.headers["etag"].startswith('W/"')
        unversioned = re.sub(r"/v-[0-9a-f]+/", "/", address)
        assert client.get(unversioned).content == answer.content
        assert "immutable" not in client.get(unversioned).headers.get("cache-control", "")
    vega = next(s for s in scripts if s.endswith("vega.min.js"))
    packed = client.head(vega, headers=GZIP).headers["content-length"]
    assert int(packed) < 200_000
    raw = client.get(vega, headers=GZIP)
    assert gzip.decompress(gzip.compress(raw.content)) == raw.content


def test_chart_scripts_load_only_where_a_chart_is(client: TestClient) -> None:
    def scripts(address: str) -> list[str]:
        return re.findall(r'<script src="([^"]+)"', client.get(address).text)

    for address in ("/", "/records", "/history", "/status", "/compare", "/search?q=ozark"):
        assert [s.rsplit("/", 1)[1] for s in scripts(address)] == ["chartwatch.js"], address
    for address in (AOUAD_PAGE, "/compare?titles=all+of+us+are+dead&titles=squid+game+season+1"):
        names = [s.rsplit("/", 1)[1] for s in scripts(address)]
        assert names == ["vega.min.js", "chartwatch.js"], address
    # the pages send Vega (compiled on the server), the JSON keeps the Vega-Lite definition
    text = client.get(AOUAD_PAGE).text
    spec = re.search(r'id="run-spec">(.*?)</script>', text, flags=re.S)
    assert spec is not None and '"marks"' in spec.group(1) and "vconcat" not in spec.group(1)
    assert "vconcat" in client.get(AOUAD_PAGE + ".json").json()["charts"]["run"]


def test_only_the_hosts_the_server_was_started_for_are_answered(web_db: Path) -> None:
    app = create_app(web_db, allowed_hosts=["127.0.0.1", "localhost", "::1"])
    with TestClient(app, base_url="http://127.0.0.1:8000") as c:
        assert c.get("/api/v1/status").status_code == 200
        for host in ("localhost:8000", "[::1]:8000", "LOCALHOST"):
            assert c.get("/api/v1/status", headers={"host": host}).status_code == 200, host
        for host in ("evil.example", "evil.example:8000", "127.0.0.1.evil.example", ""):
            answer = c.get("/api/v1/status", headers={"host": host})
            assert answer.status_code == 400, host
            assert answer.json()["code"] == "bad_host"
        page = c.get("/", headers={"host": "rebound.example"})
        assert page.status_code == 400 and "--allow-host" in page.text


def test_the_status_does_not_show_where_the_store_is(client: TestClient, web_db: Path) -> None:
    for address in ("/api/v1/status", "/status.json", "/status"):
        text = client.get(address).text
        assert str(web_db.parent) not in text, address
    assert client.get("/api/v1/status").json()["db"] == web_db.name


def test_serve_on_a_public_address_warns_that_there_is_no_authentication(
    web_db: Path,
) -> None:
    from chartwatch.cli.web_cmds import allowed_hosts, is_loopback

    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")
    assert allowed_hosts("0.0.0.0", ["box.lan"]) == ["127.0.0.1", "localhost", "::1", "box.lan"]
    assert allowed_hosts("192.168.1.5", []) == ["127.0.0.1", "localhost", "::1", "192.168.1.5"]
    command = [sys.executable, "-m", "chartwatch", "serve", "--db", str(web_db)]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # 192.0.2.1 (TEST-NET-1) is no address of this machine: the warning comes before the
    # server fails to listen there, so nothing listens beyond loopback
    for host, warned in (("192.0.2.1", True), ("127.0.0.1", False)):
        proc = subprocess.Popen(
            [*command, "--host", host, "--port", str(port)],
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
        )
        try:
            assert proc.stderr is not None
            lines = [proc.stderr.readline() for _ in range(1 + warned)]
        finally:
            proc.terminate()
            proc.wait(timeout=20)
        text = "".join(lines)
        assert ("no authentication" in text) is warned, text
        assert "serving" in lines[-1]
