"""The HTTP API through the app in process: exactly the JSON the CLI prints with ``--json``,
and one error shape for everything that goes wrong."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from chartwatch.web.app import create_app
from conftest import copy_store

ERROR_KEYS = {"status", "code", "message", "parameter", "suggestions"}
AOUAD = "all of us are dead"
SQUID = "squid game season 1"


@pytest.fixture(scope="module")
def web_db(_bundled_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("web-api") / "bundled.duckdb"
    copy_store(_bundled_template, path)
    return path


@pytest.fixture(scope="module")
def client(web_db: Path) -> Iterator[TestClient]:
    with TestClient(create_app(web_db)) as c:
        yield c


@pytest.fixture(scope="module")
def replayed_client(
    _replayed_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, Path]]:
    path = tmp_path_factory.mktemp("web-replayed") / "replayed.duckdb"
    copy_store(_replayed_template, path)
    with TestClient(create_app(path)) as c:
        yield c, path


def q(text: str) -> str:
    return quote(text, safe="")


# (CLI arguments, the API address answering the same question)
SAME = [
    (["week"], "/api/v1/week"),
    (
        ["week", "--week", "2022-01-26", "--category", "tv-non-english"],
        "/api/v1/week?week=2022-01-26&category=tv-non-english",
    ),
    (
        ["week", "--country", "kr", "--week", "2022-02-06"],
        "/api/v1/week?country=kr&week=2022-02-06",
    ),
    (["title", AOUAD], f"/api/v1/title?q={q(AOUAD)}"),
    (["title", "ozark"], "/api/v1/title?q=ozark"),
    (["title", "the stranger (film)"], f"/api/v1/title?q={q('the stranger (film)')}"),
    (["records"], "/api/v1/records"),
    (
        ["records", "--metric", "countries_no1", "--category", "TV", "--top", "5"],
        "/api/v1/records?metric=countries_no1&category=TV&top=5",
    ),
    (
        ["records", "--metric", "week_views", "--category", "tv-english"],
        "/api/v1/records?metric=week_views&category=tv-english",
    ),
    (["compare", AOUAD, SQUID], f"/api/v1/compare?titles={q(AOUAD)}&titles={q(SQUID)}"),
    (
        ["compare", AOUAD, SQUID, "--metric", "rank", "--align", "calendar"],
        f"/api/v1/compare?titles={q(AOUAD)}&titles={q(SQUID)}&metric=rank&align=calendar",
    ),
    (["countries", AOUAD], f"/api/v1/countries?q={q(AOUAD)}"),
    (
        ["countries", AOUAD, "--week", "2022-02-03"],
        f"/api/v1/countries?q={q(AOUAD)}&week=2022-02-03",
    ),
    (["brief", AOUAD], f"/api/v1/brief?q={q(AOUAD)}"),
    (["brief", AOUAD, "--vs", "squid game"], f"/api/v1/brief?q={q(AOUAD)}&vs=squid%20game"),
    (["search", "all of us"], "/api/v1/search?q=all%20of%20us"),
    (["search", "ozark", "--limit", "3"], "/api/v1/search?q=ozark&limit=3"),
    # an original-language title the engagement reports publish
    (["search", "la casa de papel"], "/api/v1/search?q=la%20casa%20de%20papel"),
    (["status"], "/api/v1/status"),
    (
        ["greenlight", "emily in paris season 2"],
        f"/api/v1/greenlight?q={q('emily in paris season 2')}",
    ),
    (["greenlight", "bridgerton", "--weeks", "2"], "/api/v1/greenlight?q=bridgerton&weeks=2"),
    (["greenlight", "--all"], "/api/v1/greenlight/all"),
    (["greenlight", "--backtest"], "/api/v1/greenlight/backtest"),
    # titles running at the end of the data (with a run forecast), namesakes, shows, and
    # views as of a date on a store filled later (reconstructed)
    (["title", "bridgerton season 3"], f"/api/v1/title?q={q('bridgerton season 3')}"),
    (["title", "Ballerina (film, English)"], f"/api/v1/title?q={q('Ballerina (film, English)')}"),
    (["title", "stranger things"], f"/api/v1/title?q={q('stranger things')}"),
    (
        ["title", AOUAD, "--as-of", "2022-02-01"],
        f"/api/v1/title?q={q(AOUAD)}&as_of=2022-02-01",
    ),
    (
        ["records", "--as-of", "2022-02-02", "--category", "TV (Non-English)"],
        f"/api/v1/records?as_of=2022-02-02&category={q('TV (Non-English)')}",
    ),
    (["brief", AOUAD, "--as-of", "2022-02-08"], f"/api/v1/brief?q={q(AOUAD)}&as_of=2022-02-08"),
    (["greenlight", "--all", "--as-of", "2024-06-23"], "/api/v1/greenlight/all?as_of=2024-06-23"),
    # the engagement reports: the leaderboard with each filter, every row, the summary and
    # what is not linked
    (["engagement"], "/api/v1/engagement"),
    (
        ["engagement", "--report", "2023h1", "--kind", "film", "--top", "25"],
        "/api/v1/engagement?report=2023h1&kind=film&top=25",
    ),
    (
        ["engagement", "--report", "2023H2", "--global-only", "--released-in", "2023", "--all"],
        "/api/v1/engagement?report=2023H2&global_only=true&released_in=2023&all=true",
    ),
    (["engagement", "--report", "2024H1", "--all"], "/api/v1/engagement?report=2024H1&all=true"),
    (["engagement", "--summary"], "/api/v1/engagement/summary"),
    (
        ["engagement", "--summary", "--report", "2023H2"],
        "/api/v1/engagement/summary?report=2023H2",
    ),
    (["engagement", "--unlinked"], "/api/v1/engagement/unlinked"),
    (
        ["engagement", "--unlinked", "--all", "--report", "2023H1"],
        "/api/v1/engagement/unlinked?report=2023H1&all=true",
    ),
]


@pytest.mark.parametrize(("args", "address"), SAME, ids=[" ".join(a) for a, _ in SAME])
def test_api_answers_exactly_what_the_cli_prints(
    client: TestClient, web_db: Path, cli, args: list[str], address: str
) -> None:
    printed = cli(*args, "--json", "--db", web_db)
    assert printed.exit_code == 0, printed.stderr
    expected = json.loads(printed.stdout)
    if address == "/api/v1/status":  # the server names the store's file, not its folder
        expected["db"] = Path(expected["db"]).name
    response = client.get(address)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json() == expected


@pytest.mark.parametrize(
    ("args", "address", "flag", "parameter"),
    [
        (
            ["records", "--category", "sitcoms"],
            "/api/v1/records?category=sitcoms",
            "--category",
            "category",
        ),
        (
            ["title", AOUAD, "--as-of", "1st of May"],
            f"/api/v1/title?q={q(AOUAD)}&as_of=May",
            "--as-of",
            "as_of",
        ),
        (
            ["engagement", "--kind", "podcast"],
            "/api/v1/engagement?kind=podcast",
            "--kind",
            "kind",
        ),
        (
            ["brief", AOUAD, "--vs", AOUAD],
            f"/api/v1/brief?q={q(AOUAD)}&vs={q(AOUAD)}",
            "--vs",
            "vs",
        ),
    ],
)
def test_a_usage_error_names_its_parameter_on_each_front_end(
    client: TestClient, web_db: Path, cli, args: list[str], address: str, flag: str, parameter: str
) -> None:
    printed = cli(*args, "--db", web_db)
    assert printed.exit_code == 2
    assert printed.stderr.startswith(f"Error: {flag}: "), printed.stderr
    answer = client.get(address)
    assert answer.status_code == 400
    body = answer.json()
    assert body["parameter"] == parameter and body["message"].startswith(f"{parameter}: ")


def test_a_title_page_renders_the_title_document(client: TestClient) -> None:
    """The page's data holds the command's document: the same keys and values, with only
    the addresses of linked pages added (one document per command)."""

    def without_links(node: object) -> object:
        if isinstance(node, dict):
            return {k: without_links(v) for k, v in node.items() if k not in ("url", "holder_url")}
        if isinstance(node, list):
            return [without_links(v) for v in node]
        return node

    for query in ("bridgerton season 3", AOUAD):
        document = client.get(f"/api/v1/title?q={q(query)}").json()
        page = client.get(f"/title/{q(query)}.json", follow_redirects=True).json()
        assert without_links(page["title"]) == document


def test_a_title_page_shows_its_engagement_reports(client: TestClient) -> None:
    """A small table of the reports the title is in, figures from the raw workbooks."""
    from rawengagement import PERIODS, rows

    page = client.get(f"/title/{q(AOUAD)}", follow_redirects=True)
    assert page.status_code == 200
    assert 'id="engagement-h">In Netflix' in page.text
    for report in PERIODS:
        (row,) = [r for r in rows(report) if r.title == "All of Us Are Dead: Season 1"]
        assert f'<td class="num">{row.hours_viewed:,}</td>' in page.text
    show = client.get(f"/title/{q('bridgerton')}", follow_redirects=True).text
    assert "In Netflix&#39;s engagement reports: its installments summed" in show or (
        "In Netflix's engagement reports: its installments summed" in show
    )


def test_history_and_status_of_a_replayed_store_match_the_cli(replayed_client, cli) -> None:
    client, path = replayed_client
    for args, address in [
        (["history", "--title", "Ozark"], "/api/v1/history?title=Ozark"),
        (
            ["history", "--list", "global", "--week", "2022-01-23"],
            "/api/v1/history?list=global&week=2022-01-23",
        ),
        (
            ["history", "--include-new-columns", "--country", "US"],
            "/api/v1/history?include_new_columns=true&country=US",
        ),
        (["status"], "/api/v1/status"),
        (
            ["week", "--week", "2022-01-23", "--as-of", "2022-03-01"],
            "/api/v1/week?week=2022-01-23&as_of=2022-03-01",
        ),
    ]:
        printed = cli(*args, "--json", "--db", path)
        expected = json.loads(printed.stdout)
        if address == "/api/v1/status":
            expected["db"] = Path(expected["db"]).name
        answer = client.get(address)
        assert answer.status_code == 200, answer.text
        assert answer.json() == expected, address
    ozark = client.get("/api/v1/history?title=Ozark").json()
    assert {c["new"] for c in ozark if c["field"] == "season_title"} >= {"Ozark: Season 4"}


def test_nothing_matched_is_an_empty_list_like_the_cli(
    client: TestClient, web_db: Path, cli
) -> None:
    printed = cli("history", "--title", "Ozark", "--json", "--db", web_db)
    assert (printed.exit_code, json.loads(printed.stdout)) == (1, [])
    assert client.get("/api/v1/history?title=Ozark").json() == []


# -- the one error shape -----------------------------------------------------------------------


def error_of(client: TestClient, address: str, status: int) -> dict:
    response = client.get(address)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert body["status"] == status
    return body


@pytest.mark.parametrize(
    ("address", "parameter"),
    [
        ("/api/v1/week?week=2022-13-45", "week"),
        ("/api/v1/week?week=yesterday", "week"),
        ("/api/v1/week?as_of=1999-01-01", "as_of"),
        ("/api/v1/week?country=KOR", "country"),
        ("/api/v1/week?category=Cartoons", "category"),
        ("/api/v1/records?metric=popularity", "metric"),
        ("/api/v1/records?top=0", "top"),
        ("/api/v1/records?top=1001", "top"),
        ("/api/v1/records?top=ten", "top"),
        ("/api/v1/title", "q"),
        ("/api/v1/title?q=", "q"),
        ("/api/v1/title?q=" + "x" * 201, "q"),
        ("/api/v1/title?q=a%00b", "q"),
        ("/api/v1/compare?titles=ozark", "titles"),
        (f"/api/v1/compare?titles={q(AOUAD)}&titles={q(SQUID)}&metric=likes", "metric"),
        (f"/api/v1/compare?titles={q(AOUAD)}&titles={q(SQUID)}&align=left", "align"),
        ("/api/v1/history?list=regional", "list"),
        ("/api/v1/history?include_new_columns=maybe", "include_new_columns"),
        ("/api/v1/search?q=ozark&limit=0", "limit"),
        (f"/api/v1/brief?q={q(AOUAD)}&vs={q(AOUAD)}", "vs"),
        ("/api/v1/greenlight", "q"),
        ("/api/v1/greenlight?q=ozark&weeks=0", "weeks"),
        ("/api/v1/greenlight?q=ozark&weeks=27", "weeks"),
        ("/api/v1/greenlight?q=ozark&as_of=2022-02-30", "as_of"),
        ("/api/v1/greenlight/all?weeks=four", "weeks"),
        ("/api/v1/greenlight/backtest?horizon=0", "horizon"),
        ("/api/v1/greenlight/backtest?horizon=37", "horizon"),
        ("/api/v1/greenlight/backtest?seed=-1", "seed"),
        ("/api/v1/greenlight/backtest?strict=perhaps", "strict"),
        ("/api/v1/engagement?report=2024", "report"),
        ("/api/v1/engagement?top=0", "top"),
        ("/api/v1/engagement?released_in=1800", "released_in"),
        ("/api/v1/engagement?all=everything", "all"),
        ("/api/v1/engagement/summary?report=H1", "report"),
        ("/api/v1/engagement/unlinked?report=2024H3", "report"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(
    client: TestClient, address: str, parameter: str
) -> None:
    body = error_of(client, address, 400)
    assert body["code"] == "bad_parameter"
    assert body["parameter"] == parameter
    assert body["message"].startswith(f"{parameter}:"), body["message"]
    assert "--" not in body["message"].split(":")[0]


def test_an_unknown_report_is_a_404_naming_the_reports_there_are(client: TestClient) -> None:
    from rawengagement import PERIODS

    for address in ("/api/v1/engagement?report=2019H1", "/api/v1/engagement/summary?report=2019h1"):
        body = error_of(client, address, 404)
        assert body["code"] == "not_found"
        assert body["message"] == (
            f"no engagement report '2019H1'; the store has {', '.join(sorted(PERIODS))}"
        )


def test_an_unknown_title_is_a_404_with_suggestions(client: TestClient) -> None:
    body = error_of(client, "/api/v1/title?q=qwertyuiop", 404)
    assert body["code"] == "not_found" and body["parameter"] == "q"
    assert body["message"].startswith("no title matches 'qwertyuiop'")
    assert body["suggestions"], body
    for s in body["suggestions"]:  # the closest titles, each with its page
        assert s["url"].startswith("/title/")
        assert client.get(s["url"]).status_code == 200
    for name in ("countries", "brief"):
        other = error_of(client, f"/api/v1/{name}?q=qwertyuiop", 404)
        assert other["suggestions"] == body["suggestions"]


def test_an_ambiguous_title_is_a_404_listing_the_candidates(client: TestClient) -> None:
    body = error_of(client, "/api/v1/title?q=the%20stranger", 404)
    assert body["code"] == "ambiguous"
    names = [s["name"] for s in body["suggestions"]]
    assert any("(film" in n for n in names) and any("(TV" in n for n in names)
    for s in body["suggestions"]:  # each candidate's address opens its page
        assert client.get(s["url"]).status_code == 200


def test_an_unknown_week_is_a_404_suggesting_the_nearest_weeks(client: TestClient) -> None:
    body = error_of(client, "/api/v1/week?week=2030-01-01", 404)
    assert body["code"] == "not_found" and body["parameter"] == "week"
    urls = [s["url"] for s in body["suggestions"]]
    assert "/?week=2024-06-23" in urls
    early = error_of(client, "/api/v1/week?week=2020-01-01", 404)
    assert "/?week=2021-07-04" in [s["url"] for s in early["suggestions"]]
    country = error_of(client, "/api/v1/week?country=KR&week=2024-06-23", 404)
    assert "/?week=2022-02-27&country=KR" in [s["url"] for s in country["suggestions"]]
    nowhere = error_of(client, "/api/v1/week?country=ZZ", 404)
    assert nowhere["parameter"] == "country"
    assert "/?country=KR" in [s["url"] for s in nowhere["suggestions"]]


def test_unknown_routes_and_methods(client: TestClient) -> None:
    assert error_of(client, "/api/v1/nothing", 404)["code"] == "not_found"
    response = client.post("/api/v1/status")
    assert response.status_code == 405 and set(response.json()) == ERROR_KEYS
    assert error_of(client, "/api/v1/title?q=" + "a" * 5000, 414)["code"] == "uri_too_long"


def test_the_html_error_page_shows_the_same_fields(client: TestClient) -> None:
    response = client.get("/?week=2030-01-01")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "no global chart" in page and 'href="/?week=2024-06-23"' in page
    assert client.get("/title/qwertyuiop").status_code == 404
    bad = client.get("/records?top=0")
    assert bad.status_code == 400 and "top:" in bad.text
    assert client.get("/nowhere").status_code == 404


def test_openapi_reference_is_served_offline(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths = set(spec["paths"])
    for name in (
        "week",
        "title",
        "records",
        "compare",
        "countries",
        "brief",
        "search",
        "history",
        "status",
        "greenlight",
        "greenlight/all",
        "greenlight/backtest",
    ):
        assert f"/api/v1/{name}" in paths
    assert all(p.startswith("/api/v1/") for p in paths)
    docs = client.get("/docs").text
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs
    assert "cdn" not in docs.lower()
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200


def test_responses_carry_a_strict_content_security_policy(client: TestClient) -> None:
    headers = client.get("/").headers
    assert "default-src 'self'" in headers["content-security-policy"]
    assert "connect-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"


# -- forecasts ---------------------------------------------------------------------------------


def probabilities(forecast: dict) -> None:
    """A forecast's chances: in [0, 1], growing with the horizon, and none above the
    unconditional one once "given none so far"."""
    p = forecast["p_next_within"]
    assert list(p) == ["12", "24", "36"]
    assert all(0.0 <= v <= 1.0 for v in p.values())
    assert p["12"] <= p["24"] <= p["36"]
    given = forecast["p_next_within_given_not_yet"] or {}
    for h, v in given.items():
        assert v is None or 0.0 <= v <= p[h]


def test_greenlight_answers_for_a_show_s_latest_installment(client: TestClient) -> None:
    show = client.get("/api/v1/greenlight?q=bridgerton").json()
    assert show["season"] == "Bridgerton: Season 3"
    probabilities(show)
    # the season by name gives the same forecast
    assert client.get(f"/api/v1/greenlight?q={q('bridgerton season 3')}").json() == show
    # Emily in Paris: Season 2 debuted 2021-12-26 and Season 3 first charted 2022-12-25
    # (all-weeks-global.tsv): the outcome is known, so nothing is conditional
    emily = client.get(f"/api/v1/greenlight?q={q('emily in paris season 2')}").json()
    probabilities(emily)
    assert emily["status"]["next_week"] == "2022-12-25"
    assert emily["p_next_within_given_not_yet"] is None
    watch = client.get("/api/v1/greenlight/all").json()["forecasts"]
    by_season = {g["season"]: g for g in watch}
    # one document per installment: the watch list holds the same forecast
    assert by_season["Bridgerton: Season 3"] == show
    for g in watch:
        if g["p_next_within"] is not None:
            probabilities(g)


def test_greenlight_for_what_it_does_not_forecast_is_a_404(client: TestClient) -> None:
    film = error_of(client, "/api/v1/greenlight?q=red%20notice", 404)
    assert film["code"] == "not_found" and "numbered TV installments" in film["message"]
    unknown = error_of(client, "/api/v1/greenlight?q=qwertyuiop", 404)
    assert unknown["parameter"] == "q" and unknown["suggestions"]
    # the lists began on 2021-07-04: as of the next day nothing had been published
    early = error_of(client, "/api/v1/greenlight/backtest?as_of=2021-07-05", 404)
    assert early["code"] == "not_found"
    # by 2022 half a year of weeks, too few for a backtest origin: nothing scored
    young = client.get("/api/v1/greenlight/backtest?as_of=2022-01-01").json()
    assert young["renewal"]["origins"] == [] and young["renewal"]["pooled"] == []


def test_backtest_figures_are_consistent(client: TestClient) -> None:
    doc = client.get("/api/v1/greenlight/backtest").json()
    renewal, run = doc["renewal"], doc["run"]
    assert renewal["horizon_months"] == 24 and renewal["seed"] == 0
    pooled = {s["method"]: s for s in renewal["pooled"]}
    # the bundled store holds engagement reports: the charts-only model is scored beside
    assert set(pooled) == {"model", "debut_only", "base_rate", "charts_only"}
    # every method scores the same installments, each once
    assert len({(s["n"], s["renewed"]) for s in pooled.values()}) == 1
    assert pooled["model"]["n"] > 100
    for s in pooled.values():
        assert 0.0 <= s["auc"] <= 1.0 and 0.0 <= s["brier"] <= 1.0
    low, high = renewal["auc_interval"]
    assert low <= pooled["model"]["auc"] <= high
    assert [r["weeks_used"] for r in run["scores"]] == [1, 2]
    assert all(0.0 <= r["coverage_hours"] <= 1.0 for r in run["scores"])
    # answered from the job's result: the same document again
    assert client.get("/api/v1/greenlight/backtest").json() == doc


def test_the_title_page_track_record_shows_the_charts_only_model(client: TestClient) -> None:
    """A store with engagement reports: the renewal track record beside a forecast has a row
    for the model without the reports, with the backtest's pooled figures."""
    from chartwatch.forecast.scorecard import headline

    doc = client.get("/api/v1/greenlight/backtest").json()
    charts_only = next(s for s in doc["renewal"]["pooled"] if s["method"] == "charts_only")
    renewal = headline(doc)["renewal"]
    assert renewal["charts_only"] == {k: charts_only[k] for k in ("auc", "brier", "c_index")}
    deadline = time.monotonic() + 240
    while True:
        page = client.get("/title/squid-game-season-1").text
        if 'data-backtest="computing"' not in page or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    table = page[page.index('<table data-backtest="renewal">') :]
    table = table[: table.index("</table>")]
    assert "The Top 10 alone, without the engagement reports" in table
