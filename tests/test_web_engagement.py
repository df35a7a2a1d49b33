"""``/engagement``: a page per engagement report, its leaderboard with the filters of
``chartwatch engagement`` and what the Top 10 leaves out as charts. Expected figures come
from the raw workbooks, read with openpyxl (``rawengagement``)."""

from __future__ import annotations

import html
import math
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from chartwatch.web.app import create_app
from conftest import copy_store
from rawengagement import PERIODS, rows


@pytest.fixture(scope="module")
def client(
    _bundled_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    path = tmp_path_factory.mktemp("web-engagement") / "bundled.duckdb"
    copy_store(_bundled_template, path)
    with TestClient(create_app(path)) as c:
        yield c


def by_views(report: str) -> list:
    """The report's rows as Netflix ranks them: by views where it has them, else hours."""
    return sorted(rows(report), key=lambda r: (-(r.views or 0), -r.hours_viewed, r.title))


def names_in_table(text: str) -> list[str]:
    """The titles of the leaderboard's rows, in order (the title, without the original)."""
    table = re.search(r'<table class="board".*?</table>', text, flags=re.S)
    assert table is not None
    cells = re.findall(r'<td class="name">(.*?)(?:<span|</td>)', table.group(0), flags=re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells]


def pct(share: float) -> str:
    """A share as the page shows it: the document's (rounded to 4 places), in per cent."""
    return f"{round(share, 4) * 100:.1f}%"


def test_the_page_shows_the_report_s_leaderboard(client: TestClient) -> None:
    response = client.get("/engagement?report=2024H1&top=20")
    assert response.status_code == 200
    text = response.text
    raw = by_views("2024H1")
    assert names_in_table(text) == [r.title for r in raw[:20]]
    for r in raw[:20]:
        assert f'<td class="num">{r.hours_viewed:,}</td>' in text
        assert f'<td class="num">{r.views:,}</td>' in text
    total = sum(r.hours_viewed for r in raw)
    assert f"{len(raw):,} titles, {total:,} hours viewed; the first 20 shown" in text
    assert "<h1>Engagement report 2024H1" in text and "January–June 2024" in text
    # the original-language title beside the English one
    original = next(r for r in raw[:20] if r.original_title)
    assert f"// {html.escape(original.original_title or '')}" in text
    # the default is the latest report and ten rows, as the command's
    latest = client.get("/engagement").text
    assert names_in_table(latest) == [r.title for r in raw[:10]]
    assert 'aria-current="page">Engagement</a>' in latest


def test_what_the_top_10_leaves_out_as_figures_and_charts(client: TestClient) -> None:
    for report in PERIODS:
        page = client.get(f"/engagement.json?report={report}").json()
        text = client.get(f"/engagement?report={report}").text
        raw = rows(report)
        hours = sorted((r.hours_viewed for r in raw), reverse=True)
        total = sum(hours)
        top1 = sum(hours[: math.ceil(len(hours) * 0.01)]) / total
        top10 = sum(hours[: math.ceil(len(hours) * 0.10)]) / total
        # never charted: the hours of the rows the leaderboard links to no Top 10 title
        board = client.get(f"/api/v1/engagement?report={report}&all=true").json()
        assert len(board["rows"]) == len(raw)
        never = sum(r["hours_viewed"] for r in board["rows"] if r["label"] is None) / total
        for figure, share in (
            ("share-top-1", top1),
            ("share-top-10", top10),
            ("share-never-charted", never),
        ):
            assert f'data-figure="{figure}">{pct(share)}</dd>' in text, (report, figure)
        undated = sum(1 for r in raw if r.release_date is None)
        assert f'data-figure="no-release-date">{undated:,}</dd>' in text
        # the charts draw the same figures
        shares = page["charts"]["shares"]
        values = {d["what"]: d["share"] for d in shares["data"]["values"]}
        assert values == pytest.approx(
            {
                "Titles that never charted": never,
                "The top 1 % of titles": top1,
                "The top 10 % of titles": top10,
            },
            abs=1e-4,
        )
        assert shares["description"] in text and f"{total:,} hours viewed" in shares["description"]
        years = Counter(str(r.release_date.year) for r in raw if r.release_date)
        drawn = {d["year"]: d["titles"] for d in page["charts"]["years"]["data"]["values"]}
        assert drawn == dict(years)
        busiest = max(years.items(), key=lambda kv: kv[1])
        assert (
            f"the most, {busiest[1]:,}, in {busiest[0]}" in page["charts"]["years"]["description"]
        )
        assert 'id="shares-chart"' in text and 'id="years-chart"' in text
        assert "vendor/vega.min.js" in text
        # the table behind the years chart: each year links to its titles
        for year, n in years.items():
            assert f'released_in={year}">{year}</a></th><td class="num">{n:,}</td>' in text


def test_the_filters_mirror_the_command_s(client: TestClient) -> None:
    address = "report=2023H2&kind=film&global_only=true&released_in=2023&top=1000"
    page = client.get(f"/engagement.json?{address}").json()
    want = [
        r
        for r in by_views("2023H2")
        if r.sheet == "Film"
        and r.available_globally
        and r.release_date is not None
        and r.release_date.year == 2023
    ]
    board = page["board"]
    assert board["titles"] == len(want) == len(board["rows"])
    assert board["total_hours_viewed"] == sum(r.hours_viewed for r in want)
    assert [r["title"] for r in board["rows"]] == [r.title for r in want]
    # the page's leaderboard is the API's document, each row with its page's address added
    api = client.get(f"/api/v1/engagement?{address}").json()
    assert [{k: v for k, v in r.items() if k != "url"} for r in board["rows"]] == api["rows"]
    assert {k: v for k, v in board.items() if k != "rows"} == {
        k: v for k, v in api.items() if k != "rows"
    }
    text = client.get(f"/engagement?{address}").text
    assert names_in_table(text) == [r.title for r in want]
    assert f"{len(want):,} titles pass the filters" in text
    assert (
        '<option value="film" selected>' in text
        and 'name="global_only" value="true" checked' in text
    )
    assert page["json"] == f"/api/v1/engagement?{address}"
    # the report picker keeps the filters
    others = {r["report"]: r["url"] for r in page["reports"]}
    assert others["2024H1"] == (
        "/engagement?report=2024H1&kind=film&global_only=true&released_in=2023&top=1000"
    )
    # nothing passes: say so
    none = client.get("/engagement?report=2023H1&released_in=1950").text
    assert 'data-note="no-rows"' in none and "No row of 2023H1 passes these filters" in none


def test_rows_link_to_their_titles_and_titles_back_to_their_reports(client: TestClient) -> None:
    page = client.get("/engagement.json?report=2024H1&top=10").json()
    linked = [r for r in page["board"]["rows"] if r["url"]]
    assert len(linked) == 10  # the biggest titles of the half-year all charted
    for row in linked[:4]:
        title = client.get(row["url"])
        assert title.status_code == 200, row
        assert f"<h1>{html.escape(row['label'].split(' (')[0])}" in title.text or (
            f"<h1>{html.escape(row['title'])}" in title.text
        )
    # a title page's engagement section names each report it is in, with its page
    bridgerton = client.get("/title/bridgerton-season-3").text
    for report in ("2024H1",):
        assert f'href="/engagement?report={report}" data-link="engagement-report"' in bridgerton
    show = client.get("/title/bridgerton").text
    assert 'href="/engagement?report=2024H1" data-link="engagement-report"' in show


@pytest.mark.parametrize(
    ("address", "status", "parameter"),
    [
        ("/engagement?top=1001", 400, "top"),
        ("/engagement?all=true", 400, "top"),
        ("/engagement?kind=podcast", 400, "kind"),
        ("/engagement?report=2024", 400, "report"),
        ("/engagement?released_in=1850", 400, "released_in"),
        ("/engagement?report=2019H1", 404, None),
    ],
)
def test_bad_filters_are_errors_naming_the_parameter(
    client: TestClient, address: str, status: int, parameter: str | None
) -> None:
    page = client.get(address)
    assert page.status_code == status
    body = client.get(address.replace("/engagement", "/engagement.json")).json()
    assert body["parameter"] == parameter
    assert "--" not in body["message"]


def test_a_store_without_reports_says_so(real_file, tmp_path: Path) -> None:
    """The nav links to /engagement on every store: without a report it says there is none
    (the API, a 404 naming how to load one)."""
    import chartwatch

    path = tmp_path / "no-reports.duckdb"
    with chartwatch.open_store(path) as st:
        [result] = chartwatch.ingest(st, [real_file("all-weeks-global.tsv")])
        assert result.status == "accepted"
    with TestClient(create_app(path)) as c:
        page = c.get("/engagement")
        assert page.status_code == 200
        assert 'data-note="no-reports"' in page.text and "vega.min.js" not in page.text
        assert c.get("/api/v1/engagement").status_code == 404
        # search without reports: the English names alone
        hits = c.get("/api/v1/search?q=squid%20game").json()
        assert hits[0]["name"] == "Squid Game: Season 1"
