"""``chartwatch check`` on the web, through the app in process: ``POST /api/v1/check``
returns ``chartwatch check --json``; ``/check`` marks each claim in the pasted text. Figures
are read from the raw files (``rawdata``), never from chartwatch's output."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

import chartwatch
from chartwatch.check import check
from chartwatch.web.app import create_app
from chartwatch.web.check import MAX_BYTES
from conftest import copy_store
from rawdata import GLOBAL, label_of, shared_rows

ERROR_KEYS = {"status", "code", "message", "parameter", "suggestions"}
CLAIM_KEYS = {"text", "start", "end", "kind", "title", "stated", "actual", "verdict",
              "explanation", "evidence"}  # fmt: skip
HOURS = "“All of Us Are Dead” garnered 124.79 million hours viewed for the period Jan. 24 to 30."
VIEWS = "“All of Us Are Dead” garnered 124.79 million views for the period Jan. 24 to 30."


def first_week_hours(label: str) -> int:
    rows = sorted((r for r in shared_rows(GLOBAL) if label_of(r) == label), key=lambda r: r["week"])
    return int(rows[0]["weekly_hours_viewed"])


@pytest.fixture(scope="module")
def web_db(_bundled_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("web-check") / "bundled.duckdb"
    copy_store(_bundled_template, path)
    return path


@pytest.fixture(scope="module")
def client(web_db: Path) -> Iterator[TestClient]:
    with TestClient(create_app(web_db)) as c:
        yield c


def test_api_check_returns_the_cli_document(client: TestClient, web_db: Path) -> None:
    hours = first_week_hours("All of Us Are Dead: Season 1")
    text = f"{HOURS}\n{VIEWS}"
    response = client.post(
        "/api/v1/check", content=text.encode(), headers={"content-type": "text/plain"}
    )
    assert response.status_code == 200, response.text
    doc = response.json()
    assert set(doc) == {"as_of", "claims"} and doc["as_of"] is None
    right, wrong = doc["claims"]
    assert set(right) == CLAIM_KEYS
    assert right["verdict"] == "true" and right["actual"] == hours
    assert wrong["verdict"] == "misleading" and "unit" in wrong["explanation"].lower()
    assert wrong["evidence"][0]["figure"] == hours
    for c in doc["claims"]:
        assert text[c["start"] : c["end"]] == c["text"]
    # the same text as a JSON object gives the same document; as chartwatch.check gives it
    as_json = client.post("/api/v1/check", json={"text": text})
    assert as_json.status_code == 200 and as_json.json() == doc
    with chartwatch.open_store(web_db, read_only=True) as store:
        direct = json.loads(json.dumps(check(store, text).to_dict(), default=str))
    assert direct == doc


def test_api_check_as_of_and_nothing_found(client: TestClient) -> None:
    empty = client.post("/api/v1/check", content=b"The weather was fine.")
    assert empty.status_code == 200 and empty.json()["claims"] == []
    dated = client.post("/api/v1/check?as_of=2022-02-15", content=HOURS.encode())
    assert dated.status_code == 200 and dated.json()["as_of"] == "2022-02-15"
    assert dated.json()["claims"][0]["verdict"] == "true"


def error_of(response: object, status: int) -> dict[str, object]:
    assert getattr(response, "status_code", None) == status, getattr(response, "text", "")
    body: dict[str, object] = response.json()  # type: ignore[attr-defined]
    assert set(body) == ERROR_KEYS and body["status"] == status
    return body


def test_api_check_refuses_what_it_cannot_read(client: TestClient) -> None:
    big = ("x" * 99 + "\n").encode() * (MAX_BYTES // 100 + 1)
    too_big = error_of(client.post("/api/v1/check", content=big), 413)
    assert too_big["code"] == "payload_too_large" and too_big["parameter"] == "text"
    assert f"{MAX_BYTES:,} bytes" in str(too_big["message"])
    assert f"{len(big):,} bytes" in str(too_big["message"])
    big_json = client.post("/api/v1/check", json={"text": "é" * MAX_BYTES})
    assert error_of(big_json, 413)["code"] == "payload_too_large"
    latin1 = error_of(client.post("/api/v1/check", content="ok\ncafé".encode("latin-1")), 400)
    assert latin1["parameter"] == "text" and "UTF-8" in str(latin1["message"])
    assert "line 2" in str(latin1["message"])
    bad_json = client.post(
        "/api/v1/check", content=b'{"txt": 1}', headers={"content-type": "application/json"}
    )
    assert error_of(bad_json, 400)["parameter"] == "text"
    assert (
        error_of(client.post("/api/v1/check?as_of=yesterday", content=b"x"), 400)["parameter"]
        == "as_of"
    )
    get = client.get("/api/v1/check")
    assert error_of(get, 405)["code"] == "method_not_allowed"
    assert get.headers["allow"] == "POST"
    # the other routes still take GET only
    assert client.post("/api/v1/status").status_code == 405
    spec = client.get("/openapi.json").json()
    assert "post" in spec["paths"]["/api/v1/check"]


def test_check_page_marks_each_claim(client: TestClient) -> None:
    hours = first_week_hours("All of Us Are Dead: Season 1")
    form = client.get("/check")
    assert form.status_code == 200 and '<form class="check-form"' in form.text
    assert 'href="/check" aria-current="page"' in form.text
    page = client.post(
        "/check",
        content=urlencode({"text": f"{HOURS}\r\n{VIEWS} <b>", "as_of": ""}).encode(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert html.count('<mark class="claim verdict-true"') == 1
    assert html.count('<mark class="claim verdict-misleading"') == 1
    assert 'tabindex="0"' in html and 'role="tooltip"' in html
    assert f"{hours:,} hours viewed" in html  # the evidence row, in the note and the table
    assert "&lt;b&gt;" in html and "<b>" not in html.split('<div class="checked-text">')[1]
    nothing = client.post("/check", content=b"text=The+weather+was+fine.")
    assert "No chart claim found" in nothing.text
    big = client.post("/check", content=urlencode({"text": "a" * (MAX_BYTES + 1)}).encode())
    assert big.status_code == 413 and big.headers["content-type"].startswith("text/html")
    assert f"{MAX_BYTES:,} bytes" in big.text
