"""A title written to attack (issue 11, points 6 and 7), through every output.

The store is made by ingesting the real global file with one title, "Trigger Warning" (a
film at No. 1 in the latest week, 2024-06-23), replaced by markup that would run as script
in a page, and Rich markup. Terminal escape codes are then written into that title with SQL,
as in a store from a chartwatch that accepted them (ingest now refuses control characters).
The same title must come out as inert text everywhere: escaped in the terminal, exact in
JSON, no ``<script`` from data in the SVG, the HTML file or the web pages."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from fastapi.testclient import TestClient

import chartwatch
from chartwatch.web.app import create_app
from rawdata import GLOBAL, raw_bytes

NAME = "Trigger Warning"
SCRIPT = "</script><script>alert(1)</script><img src=x onerror=alert(2)>"
MARKUP = " [bold red]x[/]"
HOSTILE = NAME + SCRIPT + MARKUP
CLEAR = "\x1b[2J\x1b]0;owned\x07"  # clear the screen, set the window title
STORED = HOSTILE + CLEAR


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    source = folder / GLOBAL
    data = raw_bytes(GLOBAL).decode("utf-8")
    assert data.count(f"\t{NAME}\t") == 1  # one row: its week at No. 1
    source.write_text(data.replace(f"\t{NAME}\t", f"\t{HOSTILE}\t"), encoding="utf-8")
    db = folder / "store.duckdb"
    with chartwatch.open_store(db) as store:
        [result] = chartwatch.ingest(store, [source])
        assert result.status == "accepted", result.reason
    con = duckdb.connect(str(db))
    try:
        con.execute(
            "UPDATE row_versions SET show_title = ? WHERE show_title = ?", [STORED, HOSTILE]
        )
    finally:
        con.close()
    return db


def no_raw_controls(text: str) -> None:
    """Nothing from the data drives the terminal: the escapes are shown, not sent."""
    assert "\x1b[2J" not in text and "\x1b]0;" not in text and "\x07" not in text
    assert "\\x1b[2J" in text


@pytest.mark.parametrize(
    "args",
    [
        ("week", "--week", "2024-06-23", "--category", "Films (English)"),
        ("search", "trigger warning"),
        ("title", "trigger warning"),
    ],
)
def test_the_terminal_shows_escape_codes_and_markup_as_text(
    cli, hostile_db: Path, args, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "400")  # the title on one line of the table
    result = cli(*args, "--db", hostile_db)
    assert result.exit_code == 0, result.stderr
    no_raw_controls(result.stdout)
    assert "[bold red]x[/]" in result.stdout  # Rich markup in data is printed, not read


def test_json_keeps_the_title_exactly(cli, hostile_db: Path) -> None:
    result = cli(
        "week",
        "--week",
        "2024-06-23",
        "--category",
        "Films (English)",
        "--json",
        "--db",
        hostile_db,
    )
    assert result.exit_code == 0
    assert "\x1b" not in result.stdout  # JSON escapes control characters itself
    rows = json.loads(result.stdout)["lists"][0]["rows"]
    assert rows[0]["show_title"] == STORED


@pytest.fixture(scope="module")
def plots(hostile_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    from typer.testing import CliRunner

    from chartwatch.cli.app import app

    folder = tmp_path_factory.mktemp("plots")
    runner = CliRunner()
    for suffix in ("svg", "png", "html", "json"):
        result = runner.invoke(
            app,
            [
                "plot",
                "title",
                "trigger warning",
                "-o",
                str(folder / f"p.{suffix}"),
                "--db",
                str(hostile_db),
            ],
        )
        assert result.exit_code == 0, result.output
    yield folder


def test_the_html_file_keeps_the_title_inside_its_script(plots: Path) -> None:
    page = (plots / "p.html").read_text(encoding="utf-8")
    from chartwatch.render.charts import html_page

    # no tag from the data: the page has the script blocks of a page for an empty chart
    assert page.count("<script") == html_page({"mark": "point"}).count("<script")
    assert SCRIPT not in page and "<img src=x" not in page
    # the chart's definition is in the page, intact: the same as `plot -o p.json`
    spec = json.loads((plots / "p.json").read_text(encoding="utf-8"))
    match = re.search(r"const spec = (\{.*?\});\n", page)
    assert match is not None
    shown = json.loads(match.group(1))
    assert json.dumps(STORED)[1:-1] in json.dumps(spec)  # the data, exact
    # the page shows it as the terminal does: control characters escaped
    escaped = json.dumps(spec).replace("\\u001b", "\\\\x1b").replace("\\u0007", "\\\\x07")
    assert shown == json.loads(escaped)


def test_the_svg_and_png_hold_no_markup_from_data(plots: Path) -> None:
    svg = (plots / "p.svg").read_text(encoding="utf-8")
    assert "<script" not in svg and "<img" not in svg
    assert "Trigger Warning&lt;/script&gt;" in svg
    assert (plots / "p.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_the_web_pages_show_the_title_as_text(hostile_db: Path) -> None:
    client = TestClient(create_app(hostile_db))
    try:
        found = client.get("/search", params={"q": "trigger warning"})
        assert found.status_code == 200
        link = re.search(r'href="(/title/[^"]+)"[^>]*>[^<]*Trigger Warning', found.text)
        assert link is not None, found.text
        pages = [found, client.get("/"), client.get("/?week=2024-06-23"), client.get(link[1])]
        for page in pages:
            assert page.status_code == 200
            body = page.text
            assert "Trigger Warning" in body
            assert SCRIPT not in body and "<script>alert" not in body and "<img src=x" not in body
        assert "Trigger Warning&lt;/script&gt;" in pages[-1].text
    finally:
        client.close()
        client.app.state.source.close()  # type: ignore[attr-defined]
