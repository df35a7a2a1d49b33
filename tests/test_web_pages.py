"""The pages as HTML without JavaScript: the same data as their ``.json``, plain tables and
forms, every link and resource on the server itself, labels and captions for everything.
Expected figures come from the raw files."""

from __future__ import annotations

import datetime as dt
import html
import json
import random
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from fastapi.testclient import TestClient

from chartwatch.web.app import create_app
from conftest import copy_store, raw_rows

AOUAD_PAGE = "/title/all-of-us-are-dead-season-1"


@pytest.fixture(scope="module")
def web_db(_bundled_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("web-pages") / "bundled.duckdb"
    copy_store(_bundled_template, path)
    return path


@pytest.fixture(scope="module")
def client(web_db: Path) -> Iterator[TestClient]:
    with TestClient(create_app(web_db)) as c:
        yield c


@pytest.fixture(scope="module")
def global_rows() -> list[dict[str, str]]:
    return raw_rows("all-weeks-global.tsv")


class Page(HTMLParser):
    """What the accessibility and offline checks look at."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.labels_for: set[str] = set()
        self.label_depth = 0
        self.unlabelled: list[str] = []
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.append((tag, a))
        if tag == "label":
            self.label_depth += 1
            if "for" in a:
                self.labels_for.add(a["for"])
        control = tag in ("input", "select", "textarea") and a.get("type") != "hidden"
        if control and not self.label_depth and "aria-label" not in a:
            self.unlabelled.append(a.get("id", a.get("name", tag)))

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.label_depth -= 1

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def all(self, tag: str) -> list[dict[str, str]]:
        return [a for t, a in self.tags if t == tag]

    def problems(self) -> list[str]:
        out = [f"{u} has no label" for u in self.unlabelled if u not in self.labels_for]
        if len(self.all("h1")) != 1:
            out.append(f"{len(self.all('h1'))} h1 headings")
        if not any(t == "html" and a.get("lang") == "en" for t, a in self.tags):
            out.append("no lang")
        return out


def get(client: TestClient, address: str) -> tuple[str, Page]:
    response = client.get(address)
    assert response.status_code == 200, (address, response.text[:300])
    return response.text, Page(response.text)


PAGES = [
    "/",
    "/?week=2022-01-30&country=KR",
    AOUAD_PAGE,
    "/title/ozark",
    "/records",
    "/records?metric=countries_no1&category=TV&top=5",
    "/compare",
    "/compare?titles=all+of+us+are+dead&titles=squid+game+season+1",
    "/search?q=all+of+us",
    "/history",
    "/status",
    "/engagement",
    "/engagement?report=2023H1&kind=film&global_only=true&released_in=2023&top=5",
]


@pytest.mark.parametrize("address", PAGES)
def test_pages_stay_on_the_server_and_label_everything(client: TestClient, address: str) -> None:
    _, page = get(client, address)
    assert page.problems() == []
    for tag, attr in [("a", "href"), ("script", "src"), ("link", "href"), ("form", "action")]:
        for a in page.all(tag):
            target = a.get(attr)
            if not target:
                continue
            parts = urlsplit(target)
            assert not parts.scheme and not parts.netloc, f"{address}: {tag} {target}"
    for a in page.all("script") + page.all("link"):
        target = a.get("src") or a.get("href")
        if target:
            assert client.get(target).status_code == 200, target
    for table in re.findall(r"<table.*?</table>", client.get(address).text, flags=re.S):
        assert "<caption" in table, f"{address}: a table without a caption"


def test_every_internal_link_of_the_title_page_works(client: TestClient) -> None:
    _, page = get(client, AOUAD_PAGE)
    links = {a["href"] for a in page.all("a") if a["href"].startswith("/")}
    assert len(links) > 20
    for link in sorted(links):
        response = client.get(link, follow_redirects=True)
        assert response.status_code == 200, link


def test_home_lists_the_latest_week(client: TestClient, global_rows) -> None:
    latest = max(r["week"] for r in global_rows)
    firsts = {
        r["category"]: r["season_title"] if r["season_title"] != "N/A" else r["show_title"]
        for r in global_rows
        if r["week"] == latest and r["weekly_rank"] == "1"
    }
    text, page = get(client, "/")
    assert f'<option value="{latest}" selected>' in text
    assert [c for c in re.findall(r"<caption[^>]*>([^<]+)</caption>", text)] == sorted(firsts)
    for title in firsts.values():
        assert f">{title}</a>" in text
    assert len(page.all("tr")) == 4 * 11  # four lists, a header and ten rows each


def test_a_page_and_its_json_show_the_same_data(client: TestClient) -> None:
    data = client.get("/.json").json()
    api = client.get("/api/v1/week").json()
    for lst in data["week"]["lists"]:
        for row in lst["rows"]:
            assert row.pop("url").startswith("/title/")
    assert data["week"] == api
    title = client.get(AOUAD_PAGE + ".json").json()
    report = title["title"]
    for w in report["weeks"]:
        del w["url"]
    for r in report["records"]:
        del r["holder_url"]
    assert report == client.get("/api/v1/title?q=all%20of%20us%20are%20dead").json()
    assert title["brief"] == client.get("/api/v1/brief?q=all%20of%20us%20are%20dead").json()


def test_the_title_page_tells_the_run_in_words_and_tables(client: TestClient, global_rows) -> None:
    rows = sorted(
        (r for r in global_rows if r["season_title"] == "All of Us Are Dead: Season 1"),
        key=lambda r: r["week"],
    )
    debut = rows[0]
    assert (debut["week"], debut["weekly_rank"]) == ("2022-01-30", "1")
    millions = f"{int(debut['weekly_hours_viewed']) / 1e6:.2f} million"
    text, _ = get(client, AOUAD_PAGE)
    sentence = (
        "All of Us Are Dead: Season 1, released on Jan. 28, 2022, debuted at No. 1 in the "
        f"global TV (Non-English) Top 10 with {millions} hours viewed for Jan. 24–30, 2022."
    )
    assert sentence in text
    for r in rows:  # every published week is a row of the table, figures as published
        assert f"{int(r['weekly_hours_viewed']):,}" in text
    assert text.count('href="/?week=') == len(rows)
    assert 'id="run-spec"' in text and 'id="map-spec"' in text
    assert re.search(r"<figcaption>All of Us Are Dead: Season 1: 11 weeks", text)
    assert "Country by country, week by week" in text
    assert "/history?title=All+of+Us+Are+Dead" in text


def test_compare_with_overlays_other_titles(client: TestClient) -> None:
    data = client.get(AOUAD_PAGE + ".json?compare=squid+game+season+1").json()
    assert [c["label"] for c in data["compared"]] == [
        "All of Us Are Dead: Season 1",
        "Squid Game: Season 1",
    ]
    assert "vs" in data["charts"]["run"]["title"]["text"]
    text = client.get(AOUAD_PAGE + "?compare=squid+game+season+1").text
    assert 'name="compare" value="Squid Game: Season 1"' in text
    bad = client.get(AOUAD_PAGE + "?compare=qwertyuiop")
    assert bad.status_code == 404 and "qwertyuiop" in bad.text


def test_a_query_redirects_to_the_title_s_address(client: TestClient) -> None:
    response = client.get(
        "/title/all%20of%20us%20are%20dead?as_of=2024-07-01", follow_redirects=False
    )
    assert response.status_code == 302
    assert response.headers["location"] == AOUAD_PAGE + "?as_of=2024-07-01"
    json_redirect = client.get("/title/ALL-OF-US-ARE-DEAD.json", follow_redirects=False)
    assert json_redirect.headers["location"] == AOUAD_PAGE + ".json"


def test_a_show_page_lists_its_installments(client: TestClient, global_rows) -> None:
    seasons = {r["season_title"] for r in global_rows if r["show_title"] == "Ozark"}
    text, page = get(client, "/title/ozark")
    links = [a["href"] for a in page.all("a") if a["href"].startswith("/title/")]
    for season in seasons:
        assert f">{season}</a>" in text
    for link in links:
        assert client.get(link).status_code == 200


def test_records_page_shows_the_leaderboard_with_its_pickers(client: TestClient) -> None:
    text, page = get(client, "/records?metric=debut_hours&category=tv-non-english&top=3")
    api = client.get("/api/v1/records?metric=debut_hours&category=tv-non-english&top=3").json()
    api = api["entries"]
    for entry in api:
        assert f"{entry['value']:,}" in text
    assert api[0]["season"] == "Money Heist: Part 5"
    names = {a.get("name") for a in page.all("select") + page.all("input")}
    assert {"metric", "category", "as_of", "top"} <= names


def test_search_json_gives_the_type_ahead_its_links(client: TestClient) -> None:
    data = client.get("/search.json?q=all%20of%20us&limit=8").json()
    first = data["results"][0]
    assert first["name"] == "All of Us Are Dead: Season 1"
    assert first["url"] == AOUAD_PAGE
    assert first["describe"] == "All of Us Are Dead: Season 1 (TV, 2022)"
    assert client.get("/search.json").json()["results"] == []
    # no fuzzy noise beside the title that has every word typed
    exact = client.get("/search.json?q=all%20of%20us%20are%20dead&limit=8").json()
    assert [r["url"] for r in exact["results"]] == [AOUAD_PAGE]


def test_a_label_ending_in_a_dash_reads_without_it_in_sentences(client: TestClient) -> None:
    """Netflix publishes "I am Solo: Part 5 -" (the country lists only): its page keeps the
    label as published in its heading, but no sentence or chart title reads "Part 5 -:"."""
    labels = {r["season_title"] for r in raw_rows("all-weeks-countries.tsv")}
    assert "I am Solo: Part 5 -" in labels
    page = client.get("/title/i-am-solo-part-5")
    assert page.status_code == 200
    assert "<h1>I am Solo: Part 5 -</h1>" in page.text
    assert "Part 5 -:" not in page.text
    assert "World map of I am Solo: Part 5: No. 1 in" in page.text
    data = client.get("/title/i-am-solo-part-5.json").json()
    title = data["charts"]["map"]["title"]["text"]["expr"]
    assert title.startswith('"I am Solo: Part 5" + ')


def test_the_title_page_says_where_the_country_lists_end_once(client: TestClient) -> None:
    text = client.get(AOUAD_PAGE).text
    assert text.count("country lists end with the week of") == 1


def test_an_original_language_title_finds_its_title(client: TestClient) -> None:
    """The engagement reports give Money Heist's Spanish title ("Money Heist: Part 5 // La
    casa de papel: Parte 5"): the type-ahead and a title address find it by that name."""
    from rawengagement import rows

    (row,) = [r for r in rows("2024H1") if r.title == "Money Heist: Part 5"]
    assert row.original_title == "La casa de papel: Parte 5"
    data = client.get("/search.json?q=la%20casa%20de%20papel&limit=8").json()
    first = data["results"][0]
    assert (first["name"], first["url"]) == ("Money Heist", "/title/money-heist")
    assert "/title/money-heist-part-5" in {r["url"] for r in data["results"]}
    moved = client.get("/title/la%20casa%20de%20papel", follow_redirects=False)
    assert (moved.status_code, moved.headers["location"]) == (302, "/title/money-heist")
    part = client.get("/title/la-casa-de-papel-parte-5", follow_redirects=False)
    assert part.headers["location"] == "/title/money-heist-part-5"


def test_every_title_address_leads_back_to_its_title(web_db: Path) -> None:
    import chartwatch
    from chartwatch.titles import Show
    from chartwatch.view import View
    from chartwatch.web.links import Links, title_query

    with chartwatch.open_store(web_db) as store:
        cat = View.of(store).titles
        links = Links(cat)
        targets: list[Any] = [*cat.titles.values()]
        targets += [s for s in cat.shows.values() if len(s.titles) > 1]
        paths = [links.title(t) for t in targets]
        assert len(set(paths)) == len(paths)
        for path, target in zip(paths, targets, strict=True):
            assert links.target(unquote(path.removeprefix("/title/"))) is target
        # plain slugs are also ordinary title queries that find the same title
        plain = [(p, t) for p, t in zip(paths, targets, strict=True) if "~" not in p]
        for path, target in random.Random(4).sample(plain, 60):
            found = View.of(store).resolve(title_query(unquote(path.removeprefix("/title/"))))
            if isinstance(found, Show) and len(found.titles) == 1:
                found = found.titles[0]
            assert found is target, path


# -- forecasts -----------------------------------------------------------------------------


def pct(p: float) -> str:
    return f"{p:.0%}"


def test_the_title_page_shows_the_renewal_forecast_and_its_track_record(
    client: TestClient, web_db: Path, cli, global_rows
) -> None:
    printed = cli("greenlight", "All of Us Are Dead: Season 1", "--json", "--db", web_db)
    expected = json.loads(printed.stdout)
    backtest = client.get("/api/v1/greenlight/backtest").json()  # waits for the job
    model = next(s for s in backtest["renewal"]["pooled"] if s["method"] == "model")
    data = client.get(AOUAD_PAGE + ".json").json()["forecast"]
    assert data["available"] is True
    for c in data["renewal"]["comparables"]:  # each links to its page
        assert c.pop("url").startswith("/title/")
    assert data["renewal"] == expected
    assert data["run"] is None  # it left the Top 10 in 2022
    figures = data["backtest"]
    assert figures["state"] == "ready"
    assert (figures["renewal"]["auc"], figures["renewal"]["n"]) == (model["auc"], model["n"])
    # from the raw file: no Season 2 in the lists, which end 2024-06-23, 29 months after the
    # debut (week ending 2022-01-30)
    weeks = sorted(r["week"] for r in global_rows if r["show_title"] == "All of Us Are Dead")
    last = max(r["week"] for r in global_rows)
    assert {r["season_title"] for r in global_rows if r["show_title"] == "All of Us Are Dead"} == {
        "All of Us Are Dead: Season 1"
    }
    months = (dt.date.fromisoformat(last) - dt.date.fromisoformat(weeks[0])).days / (365.25 / 12)
    assert expected["status"]["state"] == "waiting"
    assert f"after {round(months)} months" in expected["status"]["text"]
    text, page = get(client, AOUAD_PAGE)
    for months_, p in expected["p_next_within"].items():
        assert f'data-months="{months_}">{pct(p)}</td>' in text
    assert f'data-figure="auc">{model["auc"]:.3f}</strong>' in text
    words = "".join(page.text)  # the page's text, entities decoded
    assert "Will there be another season of All of Us Are Dead?" in words
    assert expected["status"]["text"] in words
    for c in expected["comparables"]:
        assert c["season"] in page.text and c["outcome"] in page.text
    for f in expected["factors"]:
        assert f["text"] in page.text
    for caveat in expected["caveats"]:
        assert caveat in page.text


def test_the_page_of_a_running_title_shows_the_run_forecast(
    client: TestClient, web_db: Path, cli
) -> None:
    title = json.loads(cli("title", "Bridgerton: Season 3", "--json", "--db", web_db).stdout)
    backtest = client.get("/api/v1/greenlight/backtest").json()
    data = client.get("/title/bridgerton-season-3.json").json()["forecast"]
    assert data["run"] == title["forecast"]
    score = next(s for s in backtest["run"]["scores"] if s["weeks_used"] == 2)
    text, page = get(client, "/title/bridgerton-season-3")
    words = "".join(page.text)
    assert title["forecast"]["text"] in words and "not a published figure" in words
    assert f'data-figure="r2">{score["r2_log_hours"]:.3f}</strong>' in text
    assert f'data-figure="coverage">{pct(score["coverage_hours"])}</strong>' in text
    # the show's page: the forecasts of its latest installment
    show = client.get("/title/bridgerton.json").json()["forecast"]
    assert show["renewal"]["season"] == "Bridgerton: Season 3"
    assert show["run"] == show["renewal"]["run_forecast"]
    assert "Will there be another season of Bridgerton?" in client.get("/title/bridgerton").text
    # a film has no renewal forecast, and one no longer running no run forecast
    film = client.get("/title/red-notice.json").json()["forecast"]
    assert (film["renewal"], film["renewal_note"], film["run"]) == (None, None, None)


def test_the_page_does_not_wait_for_the_backtest(web_db: Path) -> None:
    app = create_app(web_db)
    release = threading.Event()
    with TestClient(app) as fresh:
        # the jobs' one worker is busy: the backtest waits behind it
        generation = app.state.source.refresh()
        app.state.jobs.submit(generation, ("busy",), lambda store: release.wait(120))
        try:
            text = fresh.get(AOUAD_PAGE).text
        finally:
            release.set()
        assert 'data-forecast="renewal"' in text and 'data-backtest="computing"' in text
        assert fresh.get("/api/v1/greenlight/backtest").status_code == 200
        text = fresh.get(AOUAD_PAGE).text  # built again now that the figures are ready
        assert 'data-figure="auc"' in text and "computing" not in text


def test_without_the_forecast_extra_pages_say_how_to_install_it(web_db: Path) -> None:
    script = f"""
import json, sys
sys.modules["pandas"] = None  # as if the forecast extra were not installed
sys.modules["lifelines"] = None
from fastapi.testclient import TestClient
from chartwatch.web.app import create_app
with TestClient(create_app({str(web_db)!r})) as c:
    page = c.get("{AOUAD_PAGE}")
    running = c.get("/title/bridgerton-season-3.json")
    answers = [c.get(a) for a in ("/api/v1/greenlight?q=ozark", "/api/v1/greenlight/backtest")]
    print(json.dumps({{
        "page": [page.status_code, page.text],
        "running": [running.status_code, running.json()["forecast"]],
        "api": [[a.status_code, a.json()] for a in answers],
    }}))
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    status, text = out["page"]
    assert status == 200 and "pip install 'chartwatch[forecast]'" in html.unescape(text)
    assert 'data-forecast="unavailable"' in text and "In brief" in text
    status, forecast = out["running"]
    assert status == 200 and forecast["available"] is False and forecast["run"] is None
    for status, body in out["api"]:
        assert status == 501 and body["code"] == "forecast_unavailable"
        assert "pip install 'chartwatch[forecast]'" in body["message"]
