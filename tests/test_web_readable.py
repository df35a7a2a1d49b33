"""The pages as a new visitor reads them: the country picker lands on a list, comparisons
show the runs people mean, no "No. 1 in 0 countries", leaderboards that exist in the view,
the revisions grouped, plain dates. Expected figures come from the raw files."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from chartwatch.web.app import create_app
from conftest import copy_store, raw_rows


@pytest.fixture(scope="module")
def client(
    _bundled_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    path = tmp_path_factory.mktemp("web-readable") / "bundled.duckdb"
    copy_store(_bundled_template, path)
    with TestClient(create_app(path)) as c:
        yield c


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def test_the_country_picker_jumps_to_the_country_s_last_list_and_says_so(
    client: TestClient,
) -> None:
    rows = raw_rows("all-weeks-countries.tsv")
    kr = max(r["week"] for r in rows if r["country_iso2"] == "KR")
    latest_global = max(r["week"] for r in raw_rows("all-weeks-global.tsv"))
    assert kr < latest_global  # the form sends the global week, which KR has no list for
    answer = client.get(f"/?week={latest_global}&country=KR")
    assert answer.status_code == 200
    page = answer.text
    assert f'<option value="{kr}" selected>' in page
    words = text_of(page)
    assert f"South Korea has no Top 10 list for the week of {latest_global}" in words
    assert f"its last list, the week ending {kr}" in words
    firsts = {
        r["category"]: r["show_title"]
        for r in rows
        if r["country_iso2"] == "KR" and r["week"] == kr and r["weekly_rank"] == "1"
    }
    for title in firsts.values():
        assert html.escape(title, quote=False) in page
    # a week the country has a list for is shown as it is, without the note
    plain = client.get(f"/?week={kr}&country=KR").text
    assert 'data-note="moved"' not in plain
    # a country without any list is still a 404 that names the countries with lists
    assert client.get(f"/?week={kr}&country=ZZ").status_code == 404


def week_numbers(title: str) -> list[int]:
    weeks = sorted(
        dt.date.fromisoformat(r["week"])
        for r in raw_rows("all-weeks-global.tsv")
        if r["season_title"] == title
    )
    return [(w - weeks[0]).days // 7 + 1 for w in weeks]


def chart_rows(spec: dict) -> list[dict]:
    """The rows a Vega-Lite chart draws (inline, or in its named datasets)."""
    if "datasets" in spec:
        return [row for rows in spec["datasets"].values() for row in rows]
    return list(spec["data"]["values"])


def test_a_comparison_draws_the_first_runs_and_lists_the_re_entries(client: TestClient) -> None:
    squid = week_numbers("Squid Game: Season 1")
    first_run = max(n for i, n in enumerate(squid) if n == i + 1)
    assert squid[-1] > 4 * first_run  # the re-entries would squeeze the runs
    address = "/compare?titles=all+of+us+are+dead&titles=squid+game+season+1"
    data = client.get(address.replace("/compare", "/compare.json")).json()
    titles = {t["label"]: t for t in data["comparison"]["titles"]}
    stretches = titles["Squid Game: Season 1"]["stretches"]
    assert stretches[0] == [1, first_run]
    assert [n for a, b in stretches for n in range(a, b + 1)] == squid
    drawn = chart_rows(data["chart"])
    assert max(r["week_number"] for r in drawn) == max(
        first_run, len(week_numbers("All of Us Are Dead: Season 1"))
    )
    page = client.get(address).text
    words = text_of(page)
    assert "first run in the Top 10" in words
    later = ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in stretches[1:])
    assert (
        f"Squid Game: Season 1: weeks 1–{first_run} in a row, "
        f"then back in the Top 10 in weeks {later}" in words
    )
    toggle = re.search(r'href="([^"]+)" data-toggle="runs"', page)
    assert toggle is not None and "runs=all" in html.unescape(toggle.group(1))
    everything = client.get(html.unescape(toggle.group(1)).replace("/compare", "/compare.json"))
    drawn_all = chart_rows(everything.json()["chart"])
    assert max(r["week_number"] for r in drawn_all) == squid[-1]
    # the browser's title names the titles, not the lower-case queries
    assert (
        "<title>All of Us Are Dead: Season 1 vs Squid Game: Season 1 · chartwatch</title>" in page
    )


def test_a_title_without_country_lists_says_so_instead_of_no_1_in_0_countries(
    client: TestClient,
) -> None:
    last_country_week = max(r["week"] for r in raw_rows("all-weeks-countries.tsv"))
    weeks = [
        r["week"]
        for r in raw_rows("all-weeks-global.tsv")
        if r["season_title"] == "Bridgerton: Season 3"
    ]
    assert min(weeks) > last_country_week
    page = client.get("/title/bridgerton-season-3").text
    assert "No. 1 in</dt><dd" not in page and "0 countries" not in page
    assert 'data-figure="no-country-lists">none for its weeks' in page
    assert f'to <span class="date">{last_country_week}</span>' in page
    aouad = client.get("/title/all-of-us-are-dead-season-1").text
    assert re.search(r'data-figure="countries-no1">\d+ countries<', aouad)


def test_the_title_page_puts_figures_and_the_chart_before_the_prose(client: TestClient) -> None:
    page = client.get("/title/all-of-us-are-dead-season-1").text
    assert page.index('id="figures-h"') < page.index('id="run-chart"') < page.index('id="brief-h"')


def test_records_offer_the_boards_this_view_has_up_to_1000_places_with_a_unit(
    client: TestClient,
) -> None:
    page = client.get("/records?metric=first_28_days_hours")
    assert page.status_code == 200  # not a 404 with command-line advice
    words = text_of(page.text)
    assert "--as-of" not in words and "Netflix published 28-day figures until June 2023" in words
    assert "/records?metric=first_28_days_hours&amp;as_of=2023-06-01" in page.text
    board = client.get("/records").text
    options = re.findall(r'<option value="([a-z0-9_]+)"', board.split('name="category"')[0])
    assert "first_28_days_hours" not in options and "debut_hours" in options
    assert 'max="1000"' in board
    assert '<th scope="col" class="num">Hours viewed</th>' in board
    weeks = client.get("/records?metric=weeks_in_top10&top=1000")
    assert weeks.status_code == 200
    assert '<th scope="col" class="num">Weeks</th>' in weeks.text
    assert weeks.text.count("<tr>") > 100
    api = client.get("/api/v1/records?metric=weeks_in_top10&top=1000").json()["entries"]
    assert weeks.text.count("<tr>") == len(api) + 1


def test_the_status_page_shows_plain_times_and_no_countries_for_global_lists(
    client: TestClient,
) -> None:
    page = client.get("/status").text
    assert re.search(r"last ingest <span class=\"date\">\d{4}-\d\d-\d\d</span> \d\d:\d\d UTC", page)
    assert not re.search(r"\d\d:\d\d:\d\d\.\d+", page)
    row = re.search(r'<th scope="row">global</th>(.*?)</tr>', page, flags=re.S)
    assert row is not None and row.group(1).rstrip().endswith('<td class="num">–</td>')


def test_the_revisions_page_groups_by_title_and_summarises_dropped_columns(
    _replayed_template: Path, tmp_path: Path
) -> None:
    path = tmp_path / "replayed.duckdb"
    copy_store(_replayed_template, path)
    with TestClient(create_app(path)) as c:
        page = c.get("/history?list=global").text
        doc = c.get("/history.json?list=global").json()
    assert doc["titles"] and doc["titles"][0]["renames"]
    assert page.index('id="renames-h"') < page.index('id="columns-h"')
    first = doc["titles"][0]["title"]
    assert html.escape(first, quote=False) in page[: page.index('id="columns-h"')]
    assert "Ozark: Season 4 Part 1" in page
    for col in doc["columns"]:
        assert f"<code>{col['field']}</code>" in page
    shown = page.count('data-revisions="title"')
    assert shown == min(len(doc["titles"]), 200)


def test_type_ahead_suggestions_have_the_words_typed(client: TestClient) -> None:
    from chartwatch.titles.search import plain

    for q in ("all of us are dead", "squid", "ozark"):
        names = [r["name"] for r in client.get("/search.json", params={"q": q}).json()["results"]]
        assert names, q
        for name in names:
            words = plain(name).split()
            assert all(any(w.startswith(t) for w in words) for t in plain(q).split()), (q, name)
    seasons = {
        r["season_title"] for r in raw_rows("all-weeks-global.tsv") if r["show_title"] == "Ozark"
    }
    found = {r["name"] for r in client.get("/search.json?q=ozark").json()["results"]}
    assert seasons <= found
    # nothing has every word: the fuzzy matches, as before
    assert client.get("/search.json?q=ozrak").json()["results"]
