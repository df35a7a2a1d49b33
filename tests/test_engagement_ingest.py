"""Ingesting the semiannual engagement reports: every generation, revisions, bad input.

Expected values come from the real workbooks read with openpyxl directly (``rawengagement``);
each bad workbook is a real report with one defect put into its XML.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import chartwatch
from rawengagement import FILES, PERIODS, edit, period_text, raw, rows
from test_bad_input import table_state

REPORTS = tuple(FILES)
SHEET1 = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"


def stored(store, report: str) -> list[tuple]:
    return store.all(
        """
        SELECT v.kind, o.sheet, o."row", v.title, v.original_title, v.available_globally,
               v.release_date, v.hours_viewed, v.runtime_hours, v.views, v.occurrence
        FROM engagement_reports r
        JOIN engagement_observations o USING (snapshot_id)
        JOIN engagement_versions v USING (version_id)
        WHERE r.report = ? ORDER BY o.sheet, o."row"
        """,
        [report],
    )


@pytest.mark.parametrize("report", REPORTS)
def test_every_generation_loads_cell_for_cell(bundled, report: str) -> None:
    expected = sorted(rows(report), key=lambda r: (r.sheet, r.row))
    got = stored(bundled, report)
    assert len(got) == len(expected)
    kinds = {"Engagement": "mixed", "TV": "tv", "Film": "film"}
    for g, e in zip(got, expected, strict=True):
        kind, sheet, row, title, original, avail, release, hours, runtime, views, _ = g
        assert (sheet, row, title, original) == (e.sheet, e.row, e.title, e.original_title)
        assert kind == kinds[e.sheet]
        assert (avail, release, hours, views) == (
            e.available_globally,
            e.release_date,
            e.hours_viewed,
            e.views,
        )
        assert runtime == pytest.approx(e.runtime_hours) if e.runtime_hours else runtime is None
    start, end = PERIODS[report]
    assert bundled.one(
        "SELECT period_start, period_end FROM engagement_reports WHERE report = ?", [report]
    ) == (start, end)
    # the period is the one the second title row names
    month = start.strftime("%B")
    assert month in period_text(report) and str(end.year) in period_text(report)


def test_equal_titles_are_told_apart_by_occurrence(bundled) -> None:
    # two different films called "Monster" in one sheet of the January-June 2024 report, and
    # a third, "Monster // 怪物", whose English title is the same
    expected = [r for r in rows("2024H1") if r.title == "Monster"]
    assert sum(r.cell == "Monster" for r in expected) == 2 and len(expected) == 3
    got = [g for g in stored(bundled, "2024H1") if g[3] == "Monster"]
    assert sorted((g[10], g[7], g[6], g[4]) for g in got) == [
        (i, e.hours_viewed, e.release_date, e.original_title)
        for i, e in enumerate(sorted(expected, key=lambda r: r.row), start=1)
    ]
    # every (report, kind, title) key has occurrences 1..n
    counts = Counter((r.sheet, r.title) for r in rows("2024H1"))
    assert bundled.scalar(
        "SELECT max(occurrence) FROM engagement_versions WHERE report = '2024H1'"
    ) == max(counts.values())


def test_status_counts_the_reports(bundled) -> None:
    status = chartwatch.status(bundled)
    item = next(x for x in status.lists if x.list == "engagement")
    assert item.snapshots == 3
    assert item.rows == sum(len(rows(r)) for r in REPORTS)


def test_ingest_cli_then_unchanged(cli, tmp_path: Path) -> None:
    path = tmp_path / FILES["2023H2"]
    path.write_bytes(raw("2023H2"))
    db = tmp_path / "e.duckdb"
    first = json.loads(cli("ingest", path, "--db", db, "--json").stdout)
    assert first["accepted"] == 1
    result = first["results"][0]
    assert (result["kind"], result["rows"], result["new_versions"]) == (
        "engagement",
        len(rows("2023H2")),
        len(rows("2023H2")),
    )
    again = json.loads(cli("ingest", path, "--db", db, "--json").stdout)
    assert again["unchanged"] == 1


def test_sheets_are_recognised_by_content_not_by_name(tmp_path: Path) -> None:
    # swap the two sheets' names: the kinds follow the titles, not the names
    data = edit(raw("2024H1"), "xl/workbook.xml", 'name="TV"', 'name="Film2"')
    data = edit(data, "xl/workbook.xml", 'name="Film"', 'name="TV"')
    path = tmp_path / "renamed.xlsx"
    path.write_bytes(data)
    with chartwatch.open_store(tmp_path / "s.duckdb") as st:
        [res] = chartwatch.ingest(st, [path])
        assert res.status == "accepted", res.reason
        kinds = dict(
            st.all(
                "SELECT sheet, any_value(v.kind) FROM engagement_observations "
                "JOIN engagement_versions v USING (version_id) GROUP BY sheet"
            )
        )
    assert kinds == {"Film2": "tv", "TV": "film"}


def test_a_corrected_report_is_a_revision(tmp_path: Path) -> None:
    first = next(r for r in rows("2023H2") if r.sheet == "TV")
    fixed = edit(raw("2023H2"), SHEET1, f"<v>{first.hours_viewed}</v>", "<v>541800000</v>")
    a, b = tmp_path / "report.xlsx", tmp_path / "report-corrected.xlsx"
    a.write_bytes(raw("2023H2"))
    b.write_bytes(fixed)
    with chartwatch.open_store(tmp_path / "s.duckdb") as st:
        ra, rb = chartwatch.ingest(st, [a, b])
        assert (ra.status, rb.status) == ("accepted", "accepted")
        assert (rb.rows, rb.new_versions, rb.revised) == (len(rows("2023H2")), 1, 1)
        hours = st.all(
            "SELECT hours_viewed FROM engagement_versions WHERE title = ? ORDER BY version_id",
            [first.title],
        )
        assert hours == [(first.hours_viewed,), (541800000,)]
        from chartwatch.engagement.reports import report_rows

        sql, params = report_rows()
        now = st.scalar(f"SELECT hours_viewed FROM {sql} WHERE title = ?", [*params, first.title])
        assert now == 541800000
        assert st.scalar("SELECT count(*) FROM engagement_reports") == 2


def test_unknown_column_is_kept_with_a_warning(tmp_path: Path, cli) -> None:
    data = edit(raw("2023H2"), STRINGS, "<t>Views</t>", "<t>Completion Rate</t>")
    path = tmp_path / "new-column.xlsx"
    path.write_bytes(data)
    db = tmp_path / "s.duckdb"
    result = cli("ingest", path, "--db", db)
    assert result.exit_code == 0
    assert "Completion Rate" in result.stderr and "Warning" in result.stderr
    first = rows("2023H2")[0]
    with chartwatch.open_store(db) as st:
        extra, views = st.one(
            "SELECT extra, views FROM engagement_versions WHERE title = ?", [first.title]
        )
        assert views is None and extra == {"Completion Rate": str(first.views)}
        assert st.scalar("SELECT unknown_columns FROM snapshots") == ["Completion Rate"]


def _bad(name: str) -> bytes:
    data = raw("2023H2")
    tv = [r for r in rows("2023H2") if r.sheet == "TV"]
    if name == "negative-hours":
        return edit(data, SHEET1, f"<v>{tv[2].hours_viewed}</v>", f"<v>-{tv[2].hours_viewed}</v>")
    if name == "runtime-not-a-duration":
        return edit(data, STRINGS, "<t>7:34</t>", "<t>seven hours</t>")
    if name == "missing-column":
        return edit(data, STRINGS, "<t>Hours Viewed</t>", "<t>Hours</t>")
    if name == "truncated":
        return data[: len(data) // 2]
    if name == "corrupt-sheet":  # the zip is whole but a sheet's XML is cut off
        text = edit(data, SHEET1, "</sheetData>", "")
        return text
    if name == "not-a-report":
        import io

        import openpyxl

        book = openpyxl.Workbook()
        book.active.append(["Name", "Score"])
        book.active.append(["Bridgerton", 3])
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    raise AssertionError(name)


BAD = {
    "negative-hours": "sheet 'TV', row 9: Hours Viewed -",
    "runtime-not-a-duration": "sheet 'TV', row 7: Runtime 'seven hours' is not a duration",
    "missing-column": "missing column 'Hours Viewed'",
    "truncated": "not a readable .xlsx workbook",
    "corrupt-sheet": "not a readable .xlsx workbook",
    "not-a-report": "not a Netflix Top 10 file",
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_report_is_rejected_whole_with_one_line(
    name: str, cli, bundled_db: Path, tmp_path: Path
) -> None:
    path = tmp_path / f"{name}.xlsx"
    path.write_bytes(_bad(name))
    with chartwatch.open_store(bundled_db) as st:
        before = table_state(st)
    result = cli("ingest", path, "--db", bundled_db)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert str(path) in lines[0] and BAD[name] in lines[0], lines[0]
    with chartwatch.open_store(bundled_db) as st:
        assert table_state(st) == before


class _Server:
    def __init__(self, body: bytes) -> None:
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                ok = self.path == "/reports/engagement.xlsx"
                payload = body if ok else b"not found"
                self.send_response(200 if ok else 404)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/reports/engagement.xlsx"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture
def report_server() -> Iterator[_Server]:
    srv = _Server(raw("2024H1"))
    yield srv
    srv.httpd.shutdown()
    srv.httpd.server_close()


def test_update_with_a_report_url(report_server: _Server, cli, tmp_path: Path) -> None:
    db = tmp_path / "u.duckdb"
    result = cli("update", report_server.url, "--db", db, "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    [one] = data["results"]
    assert (one["status"], one["kind"], one["rows"]) == (
        "accepted",
        "engagement",
        len(rows("2024H1")),
    )
    with chartwatch.open_store(db) as st:
        assert st.one("SELECT kind, observed_how FROM snapshots") == ("engagement", "download-time")
    # a missing report is one line and exit 2
    bad = cli("update", report_server.url.replace("engagement", "nothing"), "--db", db)
    assert bad.exit_code == 2 and "404" in bad.stderr
    # ingest URL works too: the same content is unchanged
    again = json.loads(cli("ingest", report_server.url, "--db", db, "--json").stdout)
    assert again["unchanged"] == 1
