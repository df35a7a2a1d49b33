"""Events and catalogues that should not make charts (issue 11, points 4 and 9): dates no
viewer can have, seconds that are not a number, a ragged CSV, an empty catalogue, events
that are all bad. Each is counted or refused with one line, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

HEADER = "event_id,title_id,country_iso2,started_at,seconds\n"
GOOD = [  # the week of 2024-06-17 to 2024-06-23
    "g1,t1,US,2024-06-18T10:00:00Z,7200",
    "g2,t1,KR,2024-06-19T10:00:00Z,3600",
    "g3,t2,US,2024-06-20T10:00:00Z,5400",
]


def files(tmp_path: Path, events: list[str], titles: int = 2) -> tuple[Path, Path]:
    catalog = tmp_path / "catalog.csv"
    rows = [f"t{i},Film {i},,Films,English,{1.5 + i},2024-06-10" for i in range(1, titles + 1)]
    catalog.write_text(
        "title_id,show_title,season_title,type,language,runtime,release_date\n"
        + "".join(r + "\n" for r in rows)
    )
    path = tmp_path / "events.csv"
    path.write_text(HEADER + "".join(e + "\n" for e in events))
    return path, catalog


def one_line_error(result, *words: str) -> None:
    assert result.exit_code == 2, result.stdout
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    for word in words:
        assert word in result.stderr


def test_events_dated_outside_the_plausible_days_are_counted_not_charted(cli, tmp_path):
    bad = [f"f{i},t1,US,2099-06-1{i}T10:00:00Z,3600" for i in range(5)]
    bad += ["e1,t1,US,1970-01-01T00:00:00Z,3600", "e2,t2,US,1970-01-05T00:00:00Z,3600"]
    bad += ["z1,t1,US,9999-12-31T23:00:00Z,3600"]
    events, catalog = files(tmp_path, GOOD + bad)
    result = cli("build", events, catalog, "-o", tmp_path / "out", "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["this_run"]["implausible_time"] == 8
    assert (report["first_week"], report["last_week"], report["weeks"]) == (
        "2024-06-23",
        "2024-06-23",
        1,
    )
    assert report["charted_events"] == 3
    assert "most-popular.tsv" not in report["files"]  # no 2099 window of 91 days
    written = (tmp_path / "out" / "all-weeks-global.tsv").read_text()
    assert "2099" not in written and "1970" not in written


def test_an_event_dated_9999_12_31_alone_is_one_line(cli, tmp_path):
    events, catalog = files(tmp_path, ["z1,t1,US,9999-12-31T10:00:00Z,3600"])
    result = cli("build", events, catalog, "-o", tmp_path / "out")
    one_line_error(result, "no events with a start time from 2007-01-15 to")
    assert not list((tmp_path / "out").glob("*.tsv"))


def test_seconds_that_are_not_a_number_have_their_own_counts(cli, tmp_path):
    odd = [
        "s1,t1,US,2024-06-18T11:00:00Z,abc",
        "s2,t1,US,2024-06-18T11:00:00Z,",
        "s3,t1,US,2024-06-18T11:00:00Z,nan",
        "s4,t1,US,2024-06-18T11:00:00Z,NaN",
        "s5,t1,US,2024-06-18T11:00:00Z,-5",
        "s6,t1,US,2024-06-18T11:00:00Z,1e300",
        "s7,t1,US,yesterday,60",
    ]
    events, catalog = files(tmp_path, GOOD + odd)
    result = cli("build", events, catalog, "-o", tmp_path / "out", "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["problems"]["bad_seconds"] == 2
    assert report["problems"]["nan_seconds"] == 2
    assert report["problems"]["negative_seconds"] == 1
    assert report["problems"]["over_max_seconds"] == 1
    assert report["this_run"]["incomplete_without_time"] == 1
    assert report["charted_events"] == 3


def test_a_ragged_csv_is_reported_as_ragged_with_its_line(cli, tmp_path):
    events, catalog = files(
        tmp_path, [GOOD[0], "g9,t1,US,2024-06-18T10:00:00Z,3600,extra,more", GOOD[1]]
    )
    result = cli("build", events, catalog, "-o", tmp_path / "out")
    one_line_error(result, "events.csv: line 3: ragged", "header's 5")
    assert "missing event column" not in result.stderr


def test_an_empty_catalogue_is_refused(cli, tmp_path):
    events, catalog = files(tmp_path, GOOD, titles=0)
    result = cli("build", events, catalog, "-o", tmp_path / "out")
    one_line_error(result, "catalog.csv: the catalogue holds no titles")
    assert not list((tmp_path / "out").glob("*.tsv"))


def test_events_that_are_all_bad_are_refused_and_nothing_is_written(cli, tmp_path):
    bad = [
        "b1,t1,US,2024-06-18T10:00:00Z,-60",
        "b2,t1,usa,2024-06-18T10:00:00Z,60",
        "b3,t9,US,2024-06-18T10:00:00Z,60",
        "b4,t1,US,2024-06-18T10:00:00Z,abc",
    ]
    events, catalog = files(tmp_path, bad)
    result = cli("build", events, catalog, "-o", tmp_path / "out")
    one_line_error(
        result,
        "events.csv: no valid events to chart",
        "negative_seconds 1",
        "bad_country 1",
        "unknown_title 1",
        "bad_seconds 1",
    )
    assert not list((tmp_path / "out").glob("*.tsv"))
    assert not (tmp_path / "out" / "build-report.json").exists()
