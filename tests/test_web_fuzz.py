"""Malformed addresses and parameters at every route: always a 4xx in the one error shape,
never a 5xx, never a traceback. Parameters reach DuckDB only as bound values (the values
here include SQL), and every one is checked and bounded first."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chartwatch.web.app import create_app
from conftest import copy_store

WEEK = ["week", "country", "category", "as_of"]
ROUTES: dict[str, list[str]] = {
    "/": WEEK,
    "/.json": WEEK,
    "/records": ["metric", "category", "as_of", "top"],
    "/records.json": ["metric", "category", "as_of", "top"],
    "/compare": ["titles", "metric", "align", "as_of"],
    "/search.json": ["q", "limit"],
    "/history": ["title", "week", "list", "country"],
    "/status": ["x"],
    "/title/all-of-us-are-dead-season-1": ["as_of", "compare"],
    "/api/v1/week": WEEK,
    "/api/v1/title": ["q", "as_of"],
    "/api/v1/records": ["metric", "category", "as_of", "top"],
    "/api/v1/compare": ["titles", "metric", "align", "as_of"],
    "/api/v1/countries": ["q", "week", "as_of"],
    "/api/v1/brief": ["q", "vs", "as_of"],
    "/api/v1/search": ["q", "limit"],
    "/api/v1/history": ["title", "week", "list", "country", "include_new_columns"],
    "/api/v1/status": ["x"],
    "/api/v1/greenlight": ["q", "as_of", "weeks"],
    "/api/v1/greenlight/all": ["weeks", "as_of"],
    "/api/v1/greenlight/backtest": ["weeks", "horizon", "strict", "seed", "as_of"],
}
NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\u202e\u200b",
    "\ud7ff",
    "%",
    "%00",
    "%%%",
    "_",
    "\\",
    "'",
    '"',
    "' OR 1=1 --",
    "'; DROP TABLE snapshots; --",
    "$1",
    "?",
    "../../../../etc/passwd",
    "<script>alert(1)</script>",
    "{{7*7}}",
    "2022-02-30",
    "2022-1-3",
    "0000-01-01",
    "9999-12-31",
    "2022-01-30T00:00:00",
    "-1",
    "0",
    "99999999999999999999999",
    "1e309",
    "NaN",
    "true",
    "null",
    "[]",
    "😀" * 50,
    "x" * 250,
    "Films",
    "tv-english",
    "ZZ",
    "kr",
]


@pytest.fixture(scope="module")
def client(
    _bundled_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    path = tmp_path_factory.mktemp("web-fuzz") / "bundled.duckdb"
    copy_store(_bundled_template, path)
    # raise_server_exceptions: a crash fails the test with its traceback
    with TestClient(create_app(path), raise_server_exceptions=True) as c:
        yield c


def check(client: TestClient, address: str) -> None:
    response = client.get(address, follow_redirects=False)
    assert response.status_code < 500, (address, response.text[:500])
    if response.status_code >= 400:
        path = address.split("?")[0]
        if path.startswith("/api/") or path.endswith(".json"):
            body = response.json()
            assert set(body) == {"status", "code", "message", "parameter", "suggestions"}
            assert body["status"] == response.status_code
        else:
            assert "<h1>" in response.text and "Traceback" not in response.text


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_every_parameter_of_every_route_survives_nasty_values(
    client: TestClient, route: str
) -> None:
    for name in ROUTES[route]:
        for value in NASTY:
            check(client, route + "?" + urlencode({name: value}))
    # repeated, unknown and oversized parameters
    first = ROUTES[route][0]
    check(client, route + "?" + urlencode([(first, "a")] * 30))
    check(client, route + "?" + urlencode({"unknown": "x", first: "2022-01-30"}))
    check(client, route + "?" + first + "=" + "y" * 5000)


MALFORMED_PATHS = [
    "/title/",
    "/title/%00",
    "/title/%ff%fe",
    "/title/..%2F..%2Fetc%2Fpasswd",
    "/title/" + quote("../../etc/passwd"),
    "/title/.json",
    "/title/~film",
    "/title/~film~2022~tv",
    "/title/-",
    "/title/%20",
    "/title/" + "a" * 300,
    "/title/" + "b" * 2000,
    "/title/" + quote("<script>"),
    "/title/" + quote("' OR 1=1 --"),
    "/title/all-of-us-are-dead-season-1/extra",
    "/title/all-of-us-are-dead-season-1.json.json",
    "/static/../../pyproject.toml",
    "/static/%2e%2e/%2e%2e/pyproject.toml",
    "/static/",
    "/static/nothing.js",
    "//",
    "/api",
    "/api/v1",
    "/api/v1/",
    "/api/v2/week",
    "/api/v1/title/extra",
    "/api/v1/week.json",
    "/records/",
    "/.json.json",
    "/%2e%2e",
    "/docs/extra",
    "/openapi.json/x",
]


@pytest.mark.parametrize("address", MALFORMED_PATHS)
def test_malformed_paths_are_4xx(client: TestClient, address: str) -> None:
    check(client, address)
    if address.startswith("/static"):
        assert b"[project]" not in client.get(address).content


def test_other_methods_are_405_everywhere(client: TestClient) -> None:
    for route in ROUTES:
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            response = client.request(method, route)
            assert response.status_code == 405, (method, route)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    route=st.sampled_from(sorted(ROUTES)),
    values=st.dictionaries(
        st.sampled_from(sorted({p for ps in ROUTES.values() for p in ps})),
        st.text(max_size=40),
        max_size=4,
    ),
)
def test_random_parameters_never_crash(client: TestClient, route: str, values: dict) -> None:
    check(client, route + "?" + urlencode(values))


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(segment=st.text(min_size=1, max_size=30))
def test_random_title_paths_never_crash(client: TestClient, segment: str) -> None:
    check(client, "/api/v1/title?" + urlencode({"q": segment}))
    check(client, "/title/" + quote(segment, safe="") + ".json")
