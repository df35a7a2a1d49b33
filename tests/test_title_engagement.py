"""A title's rows in the engagement reports (``engagement``, ``engagement_total`` of
``chartwatch title --json``), a show's summed per report, the text view's line, the title
page's table and the brief's release date: every figure read from the raw workbooks with
openpyxl (``rawengagement``) and the raw Top 10 (``rawdata``)."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from pathlib import Path
from typing import Any

import pytest

import chartwatch
from chartwatch.analytics.runs import title
from chartwatch.store.store import Store
from rawdata import GLOBAL, label_of, raw_rows
from rawengagement import PERIODS, rows

AOUAD = "All of Us Are Dead: Season 1"
# the day each report was published (src/chartwatch/data/manifest.json)
PUBLISHED = {"2023H1": "2023-12-12", "2023H2": "2024-05-23", "2024H1": "2024-09-19"}


def raw_entry(report: str, name: str) -> dict[str, Any]:
    """The one row named ``name`` in ``report``'s workbook, as the JSON gives it."""
    found = [r for r in rows(report) if r.title == name]
    assert len(found) == 1, (report, name, found)
    r = found[0]
    start, end = PERIODS[report]
    return {
        "report": report,
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
        "hours_viewed": r.hours_viewed,
        "views": r.views,
        "runtime_hours": None if r.runtime_hours is None else round(r.runtime_hours, 4),
        "release_date": r.release_date.isoformat() if r.release_date else None,
        "available_globally": r.available_globally,
        "title": r.cell.partition(" // ")[0].strip(),
    }


def in_report(report: str, name: str) -> bool:
    return any(r.title == name for r in rows(report))


SPEC_KEYS = {
    "report",
    "period_start",
    "period_end",
    "hours_viewed",
    "views",
    "runtime_hours",
    "release_date",
    "available_globally",
}


@pytest.mark.parametrize("name", [AOUAD, "Stranger Things 4", "Wednesday: Season 1"])
def test_a_title_has_its_row_of_every_report_it_is_in(bundled: Store, name: str) -> None:
    doc = title(chartwatch.View.of(bundled), name).to_dict()
    expected = [raw_entry(rep, name) for rep in PERIODS if in_report(rep, name)]
    assert len(expected) == 3
    got = [{k: e[k] for k in (*SPEC_KEYS, "title")} for e in doc["engagement"]]
    assert got == expected
    assert all(set(e) >= SPEC_KEYS for e in doc["engagement"])
    assert [e["observed_at"][:10] for e in doc["engagement"]] == [
        PUBLISHED[e["report"]] for e in expected
    ]
    with_views = [e["views"] for e in expected if e["views"] is not None]
    assert doc["engagement_total"] == {
        "hours_viewed": sum(e["hours_viewed"] for e in expected),
        "views": sum(with_views),
        "reports": 3,
    }


def test_a_view_as_of_a_date_has_only_the_reports_published_by_then(bundled: Store) -> None:
    past = chartwatch.View.of(bundled, dt.date(2024, 6, 1))  # 2023H1 and 2023H2 published
    doc = title(past, AOUAD).to_dict()
    assert [e["report"] for e in doc["engagement"]] == ["2023H1", "2023H2"]
    assert doc["engagement_total"]["hours_viewed"] == sum(
        raw_entry(rep, AOUAD)["hours_viewed"] for rep in ("2023H1", "2023H2")
    )
    before = title(chartwatch.View.of(bundled, dt.date(2023, 12, 1)), AOUAD).to_dict()
    assert before["engagement"] == []
    assert before["engagement_total"] == {"hours_viewed": None, "views": None, "reports": 0}


def bridgerton_seasons() -> list[str]:
    """Bridgerton's installments in the raw global Top 10."""
    labels = {label_of(r) for r in raw_rows(GLOBAL)}
    return sorted(x for x in labels if re.fullmatch(r"Bridgerton: Season \d+", x))


def test_a_show_sums_its_installments_per_report(bundled: Store) -> None:
    seasons = bridgerton_seasons()
    assert len(seasons) == 3
    doc = title(chartwatch.View.of(bundled), "Bridgerton").to_dict()
    assert sorted(line["label"] for line in doc["installments"]) == seasons
    expected = []
    for rep in PERIODS:
        found = [raw_entry(rep, s) for s in seasons if in_report(rep, s)]
        views = [e["views"] for e in found if e["views"] is not None]
        dates = [e["release_date"] for e in found if e["release_date"]]
        expected.append(
            {
                "report": rep,
                "hours_viewed": sum(e["hours_viewed"] for e in found),
                "views": sum(views) if views else None,
                "release_date": min(dates),
                "installments": len(found),
            }
        )
    got = [
        {
            "report": e["report"],
            "hours_viewed": e["hours_viewed"],
            "views": e["views"],
            "release_date": e["release_date"],
            "installments": len(e["installments"]),
        }
        for e in doc["engagement"]
    ]
    assert got == expected
    assert doc["engagement_total"]["hours_viewed"] == sum(e["hours_viewed"] for e in expected)
    assert doc["engagement_total"]["reports"] == 3


def test_the_json_and_text_views_show_it(bundled: Store, cli, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "400")
    db = Path(bundled.path)
    printed = cli("title", AOUAD, "--json", "--db", db)
    assert printed.exit_code == 0, printed.stderr
    doc = json.loads(printed.stdout)
    assert [e["hours_viewed"] for e in doc["engagement"]] == [
        raw_entry(rep, AOUAD)["hours_viewed"] for rep in PERIODS
    ]
    text = cli("title", AOUAD, "--db", db)
    line = next(x for x in text.stdout.splitlines() if x.startswith("engagement reports"))
    for rep in PERIODS:
        assert f"{rep} {raw_entry(rep, AOUAD)['hours_viewed'] / 1e6:,.2f}M hours" in line
    assert "(released 2022-01-28)" in line


def test_a_warm_title_with_its_engagement_takes_milliseconds(bundled: Store) -> None:
    view = chartwatch.View.of(bundled)
    title(view, AOUAD)  # the view's core and links made once
    took = []
    for _ in range(5):
        start = time.perf_counter()
        doc = title(view, AOUAD)
        took.append(time.perf_counter() - start)
    assert doc.engagement_total.reports == 3
    assert min(took) < 0.05, took


def test_a_brief_dates_the_release_only_from_reports_published_by_its_date(
    bundled: Store,
) -> None:
    from chartwatch.brief import brief

    dated = [r for rep in PERIODS for r in rows(rep) if r.title == AOUAD and r.release_date]
    assert dated[0].release_date == dt.date(2022, 1, 28)
    now = brief(chartwatch.View.of(bundled), AOUAD).facts[0]
    assert now.id == "debut" and ", released on Jan. 28, 2022, debuted" in now.text
    then = brief(chartwatch.View.of(bundled, dt.date(2022, 3, 1)), AOUAD).facts[0]
    assert "released" not in then.text
    assert all(e.list != "engagement" for e in then.evidence)
