"""The pages as HTML without JavaScript: the same data as their ``.json``, plain tables and
forms, every link and resource on the server itself, labels and captions for everything.
Expected figures come from the raw files."""

from __future__ import annotations

import random
import re
import shutil
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from fastapi.testclient import TestClient

from chartwatch.web.app import create_app
from conftest import raw_rows

AOUAD_PAGE = "/title/all-of-us-are-dead-season-1"


@pytest.fixture(scope="module")
def web_db(_bundled_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("web-pages") / "bundled.duckdb"
    shutil.copy(_bundled_template, path)
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
        "All of Us Are Dead: Season 1 debuted at No. 1 in the global TV (Non-English) Top 10 "
        f"with {millions} hours viewed for Jan. 24–30, 2022."
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


def test_every_title_address_leads_back_to_its_title(web_db: Path) -> None:
    import chartwatch
    from chartwatch.titles import Show, catalog, resolve
    from chartwatch.web.links import Links, title_query

    with chartwatch.open_store(web_db) as store:
        cat = catalog(store)
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
            found = resolve(store, title_query(unquote(path.removeprefix("/title/"))))
            if isinstance(found, Show) and len(found.titles) == 1:
                found = found.titles[0]
            assert found is target, path
