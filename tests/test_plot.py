"""``chartwatch plot`` and the chart definitions it shares with the web pages: PNG, SVG and
self-contained HTML written without a browser or a network, specs valid Vega-Lite, the
same spec on the page as in the file."""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from chartwatch.render import charts, maps, shells
from chartwatch.view import View
from conftest import ROOT, copy_store, raw_rows

ARTIFACTS = ROOT / "test-artifacts"
AOUAD = "all of us are dead"


@pytest.fixture(scope="module")
def plot_db(_bundled_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("plot") / "bundled.duckdb"
    copy_store(_bundled_template, path)
    return path


@cache
def vega_lite_schema() -> dict[str, Any]:
    from importlib import resources

    text = resources.files("altair.vegalite.v6.schema").joinpath("vega-lite-schema.json")
    out: dict[str, Any] = json.loads(text.read_text(encoding="utf-8"))
    return out


def assert_valid(spec: dict[str, Any]) -> None:
    import jsonschema

    jsonschema.validate(spec, vega_lite_schema())


def plot(cli, db: Path, *args: str):
    result = cli("plot", *args, "--db", db)
    assert result.exit_code == 0, result.stderr
    return result


def test_plot_title_writes_png_svg_and_html(cli, plot_db: Path, tmp_path: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    png = ARTIFACTS / "plot-title-all-of-us-are-dead.png"
    plot(cli, plot_db, "title", AOUAD, "-o", str(png))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = tmp_path / "run.svg"
    plot(cli, plot_db, "title", AOUAD, "-o", str(svg))
    text = svg.read_text(encoding="utf-8")
    assert text.lstrip().startswith("<svg") and "All of Us Are Dead: Season 1" in text
    # the peak week's hours (236.23 million, week ending 2022-02-06) is the axis' top
    assert "200M" in text
    html = tmp_path / "run.html"
    plot(cli, plot_db, "title", AOUAD, "-o", str(html))
    page = html.read_text(encoding="utf-8")
    assert "vegaEmbed" in page or "vega" in page
    assert not re.search(r"""<script[^>]+src=["']https?:""", page), "loads a script from the web"
    assert "cdn.jsdelivr" not in page


def test_plot_compare_and_map(cli, plot_db: Path, tmp_path: Path) -> None:
    out = ARTIFACTS / "plot-compare.png"
    ARTIFACTS.mkdir(exist_ok=True)
    plot(cli, plot_db, "compare", AOUAD, "squid game season 1", "-o", str(out))
    assert out.stat().st_size > 10_000
    whole = ARTIFACTS / "plot-map-all-of-us-are-dead.png"
    week = ARTIFACTS / "plot-map-all-of-us-are-dead-2022-02-27.png"
    plot(cli, plot_db, "map", AOUAD, "-o", str(whole))
    plot(cli, plot_db, "map", AOUAD, "--week", "2022-02-24", "-o", str(week))
    assert whole.read_bytes() != week.read_bytes()
    svg = tmp_path / "map.svg"
    plot(cli, plot_db, "map", AOUAD, "-o", str(svg))
    assert svg.read_text(encoding="utf-8").count("<path") > 150  # the world's countries


def test_plot_json_is_the_spec_the_title_page_draws(cli, plot_db: Path, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from chartwatch.web.app import create_app

    out = tmp_path / "run.json"
    plot(cli, plot_db, "title", AOUAD, "-o", str(out))
    spec = json.loads(out.read_text(encoding="utf-8"))
    with TestClient(create_app(plot_db)) as client:
        page = client.get("/title/all-of-us-are-dead-season-1.json").json()
    # the same chart, but a page's charts take the width of their box
    run = page["charts"]["run"]
    assert {panel["width"] for panel in run["vconcat"]} == {"container"}
    for panel in run["vconcat"]:
        panel["width"] = 640
    assert run == spec
    assert_valid(spec)
    assert_valid(page["charts"]["map"])  # the page's map points at the vendored atlas


def test_the_run_chart_holds_the_published_figures(plot_db: Path) -> None:
    import chartwatch
    from chartwatch.analytics.runs import title

    rows = [
        r
        for r in raw_rows("all-weeks-global.tsv")
        if r["season_title"] == "All of Us Are Dead: Season 1"
    ]
    expected = {r["week"]: (int(r["weekly_rank"]), int(r["weekly_hours_viewed"])) for r in rows}
    with chartwatch.open_store(plot_db) as store:
        report = title(View.of(store), AOUAD)
    spec = charts.run_chart(report)
    values = spec["data"]["values"]  # Altair lifts the shared data to the top
    assert {v["week_end"]: (v["rank"], v["value"]) for v in values} == expected
    assert spec["description"].startswith("All of Us Are Dead: Season 1: 11 weeks")


def test_map_rows_colour_each_country_by_its_best_position(plot_db: Path) -> None:
    import chartwatch
    from chartwatch.analytics.countries import countries

    raw = [
        r
        for r in raw_rows("all-weeks-countries.tsv")
        if r["season_title"] == "All of Us Are Dead: Season 1"
    ]
    with chartwatch.open_store(plot_db) as store:
        footprint = countries(View.of(store), AOUAD)
    rows = maps.map_rows(footprint)
    whole = {r["iso2"]: r["status"] for r in rows if r["w"] == 0}
    no1 = {r["country_iso2"] for r in raw if r["weekly_rank"] == "1"}
    top10 = {r["country_iso2"] for r in raw}
    assert {k for k, v in whole.items() if v == "No. 1"} == no1
    assert {k for k, v in whole.items() if v in ("No. 1", "Top 10")} == top10
    week5 = {r["iso2"]: r["status"] for r in rows if r["w"] == 5}
    last = {r["country_iso2"] for r in raw if r["week"] == "2022-02-27" and r["weekly_rank"] == "1"}
    assert {k for k, v in week5.items() if v == "No. 1"} == last
    # every listed country is drawn: a shape from the atlas, or a dot for the small ones
    for r in rows:
        assert r["id"] in maps.atlas_ids() or ("lon" in r and "lat" in r), r["iso2"]
    spec = maps.map_chart(footprint, week=dt.date(2022, 2, 27), inline_atlas=False)
    assert spec["params"][0] == {"name": "week", "value": 5}


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["chart", AOUAD, "-o", "x.png"], 2, "KIND: 'chart' is not one of title, compare, map"),
        (["title", AOUAD, "-o", "x.gif"], 2, "-o: write a .png, .svg, .html or .json file"),
        (["compare", AOUAD, "-o", "x.png"], 2, "plot compare takes two or more titles"),
        (["title", AOUAD, "ozark", "-o", "x.png"], 2, "plot title takes one title"),
        (["title", AOUAD, "--week", "2022-02-06", "-o", "x.png"], 2, "--week: only plot map"),
        (["map", AOUAD, "--week", "2023-01-01", "-o", "x.png"], 2, "--week:"),
        (["map", "bridgerton season 3", "-o", "x.png"], 1, "no rows in the country lists"),
        (["title", "ozark", "-o", "x.png"], 1, "is the show Ozark"),
        (["title", AOUAD, "-o", "/no/such/folder/x.png"], 2, "does not exist"),
    ],
)
def test_plot_errors_are_one_line(
    cli, plot_db: Path, tmp_path: Path, monkeypatch, args: list[str], code: int, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli("plot", *args, "--db", plot_db)
    assert result.exit_code == code, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_page_vega_from_a_compiled_shape_equals_compiling_the_chart(plot_db: Path) -> None:
    """The pages fill a chart shape compiled to Vega once (web/vega.py) instead of compiling
    each chart: the result must be what vl-convert makes of the filled Vega-Lite, for run
    charts, maps and comparisons, with labels holding quotes, apostrophes, accents and
    Hangul (a comparison writes its titles into a Vega expression as string literals)."""
    import random

    import chartwatch
    from chartwatch.analytics.compare import compare
    from chartwatch.analytics.countries import countries
    from chartwatch.analytics.runs import title_report
    from chartwatch.web import vega

    def same(spec: dict[str, Any]) -> None:
        assert isinstance(spec, shells.Filled)
        assert vega.vega_spec(spec) == vega._compile(dict(spec))

    with chartwatch.open_store(plot_db, read_only=True) as store:
        view = View.of(store)
        titles = sorted((t for t in view.titles.titles.values() if t.category), key=str)
        odd = [t for t in titles if re.search(r"[\"'’:&]|[^\x00-\x7f]", t.label)]
        rng = random.Random(7)
        picked = rng.sample(odd, 12) + rng.sample(titles, 8)
        assert any("'" in t.label or "’" in t.label for t in picked)
        for t in picked:
            same(charts.run_chart(title_report(view, t)))
        mapped = [t for t in titles if t.film is False and t.first_week.year == 2021][:6]
        for t in mapped:
            same(maps.map_chart(countries(view, t), inline_atlas=False))
        for i in range(0, 12, 2):
            pair = [picked[i], picked[i + 1]]
            same(charts.compare_chart(compare(view, pair)))
            same(charts.compare_chart(compare(view, pair, metric="rank", align="calendar")))
