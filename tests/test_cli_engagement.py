"""``chartwatch engagement`` on the bundled data, checked against the raw workbooks."""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

import pytest

from conftest import copy_store
from rawengagement import PERIODS, rows


@pytest.fixture(scope="module")
def run(_bundled_template: Path, tmp_path_factory: pytest.TempPathFactory):
    """Run the CLI against one copy of the bundled store, shared by the module's tests."""
    from typer.testing import CliRunner

    from chartwatch.cli.app import app

    runner = CliRunner()
    path = str(tmp_path_factory.mktemp("engagement-cli") / "store.duckdb")
    copy_store(_bundled_template, path)

    def call(*args: str):
        return runner.invoke(app, [*args, "--db", path], catch_exceptions=False)

    return call


def _json(result) -> dict:
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_leaderboard_ranks_by_views_like_the_report(run) -> None:
    doc = _json(run("engagement", "--report", "2024H1", "--top", "5", "--json"))
    raw = sorted(rows("2024H1"), key=lambda r: (-(r.views or 0), -r.hours_viewed))
    assert list(doc) == [
        "report",
        "period_start",
        "period_end",
        "ranked_by",
        "titles",
        "total_hours_viewed",
        "rows",
    ]
    assert (doc["report"], doc["period_start"], doc["period_end"]) == (
        "2024H1",
        "2024-01-01",
        "2024-06-30",
    )
    assert doc["ranked_by"] == "views"
    assert doc["titles"] == len(raw)
    assert doc["total_hours_viewed"] == sum(r.hours_viewed for r in raw)
    assert [r["rank"] for r in doc["rows"]] == [1, 2, 3, 4, 5]
    for got, want in zip(doc["rows"], raw[:5], strict=True):
        assert list(got) == [
            "rank",
            "title",
            "original_title",
            "kind",
            "available_globally",
            "release_date",
            "hours_viewed",
            "runtime_hours",
            "views",
            "label",
        ]
        assert (got["title"], got["original_title"], got["hours_viewed"], got["views"]) == (
            want.title,
            want.original_title,
            want.hours_viewed,
            want.views,
        )
        assert got["kind"] == want.sheet.lower()
        assert got["runtime_hours"] == pytest.approx(want.runtime_hours, abs=1e-4)
        assert got["label"] is not None  # the biggest titles of the half-year all charted


def test_all_rows_and_the_first_report_by_hours(run) -> None:
    doc = _json(run("engagement", "--report", "2023h1", "--all", "--json"))
    raw = rows("2023H1")
    assert doc["ranked_by"] == "hours_viewed" and len(doc["rows"]) == len(raw)
    assert [r["hours_viewed"] for r in doc["rows"]] == sorted(
        (r.hours_viewed for r in raw), reverse=True
    )
    assert all(r["views"] is None and r["runtime_hours"] is None for r in doc["rows"])
    # the mixed sheet: a row's kind is its linked title's, else unknown
    kinds = Counter(r["kind"] for r in doc["rows"])
    assert set(kinds) == {"tv", "film", None}
    assert all(r["kind"] is None for r in doc["rows"] if r["label"] is None)


def test_filters(run) -> None:
    doc = _json(
        run(
            "engagement",
            "--report",
            "2023H2",
            "--kind",
            "film",
            "--global-only",
            "--released-in",
            "2023",
            "--all",
            "--json",
        )
    )
    want = [
        r
        for r in rows("2023H2")
        if r.sheet == "Film"
        and r.available_globally
        and r.release_date is not None
        and r.release_date.year == 2023
    ]
    assert doc["titles"] == len(want) == len(doc["rows"])
    assert doc["total_hours_viewed"] == sum(r.hours_viewed for r in want)


def test_summary(run) -> None:
    doc = _json(run("engagement", "--summary", "--json"))
    assert [r["report"] for r in doc["reports"]] == sorted(PERIODS)
    for item in doc["reports"]:
        raw = rows(item["report"])
        hours = sorted((r.hours_viewed for r in raw), reverse=True)
        total = sum(hours)
        assert item["titles"] == len(raw) and item["total_hours_viewed"] == total
        top1 = sum(hours[: math.ceil(len(hours) * 0.01)]) / total
        top10 = sum(hours[: math.ceil(len(hours) * 0.10)]) / total
        assert item["share_top_1_percent"] == pytest.approx(top1, abs=1e-4)
        assert item["share_top_10_percent"] == pytest.approx(top10, abs=1e-4)
        years = Counter(str(r.release_date.year) for r in raw if r.release_date)
        assert item["titles_by_release_year"] == dict(sorted(years.items()))
        assert item["titles_without_release_date"] == sum(1 for r in raw if not r.release_date)
        # never charted = the hours of the rows the leaderboard links to no title
        board = _json(run("engagement", "--report", item["report"], "--all", "--json"))
        unlinked = sum(r["hours_viewed"] for r in board["rows"] if r["label"] is None)
        assert item["hours_never_charted"] == unlinked
        assert 0.2 < item["share_never_charted"] < 0.8
    text = run("engagement", "--summary")
    assert text.exit_code == 0 and "What the Top 10 leaves out" in text.stdout


def test_unlinked(run) -> None:
    for report in PERIODS:
        doc = _json(run("engagement", "--unlinked", "--report", report, "--json"))
        assert doc["charted"] > 400
        assert doc["charted_linked"] / doc["charted"] >= 0.99
        assert len(doc["titles"]) == doc["charted"] - doc["charted_linked"]
    every = _json(run("engagement", "--unlinked", "--all", "--report", "2024H1", "--json"))
    assert every["rows"] and all(r["reason"] for r in every["rows"])
    assert "never charted" in every["rows"][-1]["reason"] or every["rows"][-1]["reason"]


def test_table_and_errors(run) -> None:
    table = run("engagement", "--report", "2024H1", "--top", "3")
    assert table.exit_code == 0 and "Damsel" in table.stdout
    missing = run("engagement", "--report", "2019H1")
    assert missing.exit_code == 1
    assert missing.stderr.strip().count("\n") == 0 and "2019H1" in missing.stderr
    bad = run("engagement", "--kind", "podcast")
    assert bad.exit_code == 2 and "podcast" in bad.stderr


def test_bad_filters_name_their_parameter_not_a_flag(run, _bundled_template: Path) -> None:
    """The core's usage errors carry the keyword; the CLI says it as the flag."""
    import chartwatch
    from chartwatch.engagement.answers import leaderboard
    from chartwatch.errors import UsageError

    with chartwatch.open_store(_bundled_template, read_only=True) as store:
        for kwargs, parameter in (({"kind": "podcast"}, "kind"), ({"top": 0}, "top")):
            with pytest.raises(UsageError) as caught:
                leaderboard(store, **kwargs)
            assert caught.value.parameter == parameter and "--" not in caught.value.message
    assert "--kind: 'podcast' is not one of" in run("engagement", "--kind", "podcast").stderr
    assert "--top:" in run("engagement", "--top", "0").stderr
