"""build(synth(real charts)) gives back the real charts: ranks, hours × S, views × S.

The expected figures are read from the bundled Netflix files with the csv module, never
from chartwatch's own store.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest

import chartwatch
from chartwatch.engine import Method, build, synth
from chartwatch.errors import BadInputError, UsageError
from chartwatch.view import View
from conftest import raw_rows
from engine_helpers import read_tsv

S = 1e-4  # Netflix's rounding steps × S are whole hours: 1 and 10 hours, 10 views
AT_SCALE = Method(hours_step=(1, 10), views_step=10)


def _round_trip(tmp_path: Path, first: str, last: str, **options: object):
    weeks = (dt.date.fromisoformat(first), dt.date.fromisoformat(last))
    made = synth(["bundled"], tmp_path / "synth", scale=S, weeks=weeks, **options)  # type: ignore[arg-type]
    out = tmp_path / "out"
    report = build(
        made.out_dir + "/events.parquet", made.out_dir + "/catalog.csv", out, method=AT_SCALE
    )
    return made, report, out


def _expected_global(first: str, last: str) -> list[dict[str, str]]:
    return [r for r in raw_rows("all-weeks-global.tsv") if first <= r["week"] <= last]


def _scaled(value: str) -> str:
    return str(round(int(value) * S))


def _check_global(out: Path, first: str, last: str) -> int:
    built = {
        (r["week"], r["category"], r["weekly_rank"]): r
        for r in read_tsv(out / "all-weeks-global.tsv")
    }
    expected = _expected_global(first, last)
    assert len(built) == len(expected)
    for real in expected:
        got = built[(real["week"], real["category"], real["weekly_rank"])]
        assert (got["show_title"], got["season_title"]) == (
            real["show_title"],
            real["season_title"],
        )
        assert got["weekly_hours_viewed"] == _scaled(real["weekly_hours_viewed"])
        if real["weekly_views"]:
            assert got["weekly_views"] == _scaled(real["weekly_views"])
            runtime = "0" if real["is_staggered_launch"] == "true" else real["runtime"]
            assert got["runtime"] == runtime
            assert got["is_staggered_launch"] == real["is_staggered_launch"]
            assert got["episode_launch_details"] == real["episode_launch_details"]
        else:
            assert got["weekly_views"] == "" and got["runtime"] == ""
    return len(expected)


def test_round_trip_with_country_lists_and_noise(tmp_path):
    first, last = "2022-02-13", "2022-02-27"
    made, report, out = _round_trip(tmp_path, first, last, noise=0.01, session_minutes=120)
    assert made.misses == [] and made.country_weeks == 3
    assert _check_global(out, first, last) == 120
    # every country list of those weeks: same titles at the same ranks, Netflix's names
    built = {
        (r["country_iso2"], r["week"], r["category"], r["weekly_rank"]): r
        for r in read_tsv(out / "all-weeks-countries.tsv")
    }
    expected = [r for r in raw_rows("all-weeks-countries.tsv") if first <= r["week"] <= last]
    assert len(expected) == 5640
    for real in expected:
        got = built[(real["country_iso2"], real["week"], real["category"], real["weekly_rank"])]
        assert (got["country_name"], got["show_title"], got["season_title"]) == (
            real["country_name"],
            real["show_title"],
            real["season_title"],
        )
    # the bad events synth added are exactly what the build set aside
    assert sum(made.noise.values()) > 1000
    assert report.problems == {
        "duplicates": made.noise["duplicates"],
        "bad_seconds": 0,
        "nan_seconds": 0,
        "negative_seconds": made.noise["negative_seconds"],
        "over_max_seconds": made.noise["over_max_seconds"],
        "incomplete": made.noise["incomplete"],
        "bad_country": made.noise["bad_country"],
        "unknown_title": made.noise["unknown_title"],
    }


def test_round_trip_across_the_switch_to_views(tmp_path):
    # 2023-06-11 ranked by hours (to 10,000), from 2023-06-18 by views (hours to 100,000);
    # Demon Slayer and Suits are staggered launches
    first, last = "2023-06-11", "2023-07-02"
    made, _, out = _round_trip(tmp_path, first, last, session_minutes=240)
    assert made.misses == []
    assert _check_global(out, first, last) == 160


def test_round_trip_of_the_latest_weeks(tmp_path):
    first, last = "2024-06-09", "2024-06-23"  # two films named Inheritance; runtimes change
    made, _, out = _round_trip(tmp_path, first, last, session_minutes=240)
    assert made.misses == []
    assert _check_global(out, first, last) == 120


def test_the_files_ingest_like_netflix_files(tmp_path):
    _, _, out = _round_trip(tmp_path, "2022-02-20", "2022-02-27", session_minutes=240)
    with chartwatch.open_store(tmp_path / "s.duckdb") as store:
        results = chartwatch.ingest(
            store, [out / "all-weeks-global.tsv", out / "all-weeks-countries.tsv"]
        )
        assert [r.status for r in results] == ["accepted", "accepted"]
        chart = chartwatch.week(View.of(store), week=dt.date(2022, 2, 27), category="TV (English)")
        real = [
            None if r["season_title"] == "N/A" else r["season_title"]  # the store's empty
            for r in raw_rows("all-weeks-global.tsv")
            if r["week"] == "2022-02-27" and r["category"] == "TV (English)"
        ]
        assert [row.season_title for row in chart.lists[0].rows] == real


def test_events_look_like_viewing(tmp_path):
    made = synth(
        ["bundled"],
        tmp_path,
        scale=S,
        weeks=(dt.date(2022, 2, 27), dt.date(2022, 2, 27)),
        session_minutes=45,
    )
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    events = str(tmp_path / "events.parquet")
    row = con.execute(
        f"SELECT count(*), count(DISTINCT event_id), min(started_at), max(started_at), "
        f"min(seconds), avg(seconds), count(DISTINCT country_iso2), count(DISTINCT profile_id) "
        f"FROM '{events}'"
    ).fetchall()[0]
    count, ids, start, end, shortest, mean, countries, profiles = row
    assert count == ids == made.events
    assert start >= dt.datetime(2022, 2, 21, tzinfo=dt.UTC)
    assert end < dt.datetime(2022, 2, 28, tzinfo=dt.UTC)
    assert shortest > 0 and 30 * 60 < mean < 60 * 60
    assert countries > 94  # the published lists' countries and some without a list
    assert profiles > count / 5
    # more viewing at the weekend and in the evening
    weekend, evening = con.execute(
        "SELECT avg(CASE WHEN isodow(started_at) >= 6 THEN 1 ELSE 0 END), "
        "avg(CASE WHEN hour(started_at) >= 17 OR hour(started_at) < 2 THEN 1 ELSE 0 END) "
        f"FROM '{events}'"
    ).fetchall()[0]
    assert weekend > 2 / 7 and evening > 9 / 24
    catalog = list(read_tsv_csv(tmp_path / "catalog.csv"))
    assert {r["type"] for r in catalog} == {"Films", "TV"}
    assert all(r["release_date"] for r in catalog)


def read_tsv_csv(path: Path) -> list[dict[str, str]]:
    import csv

    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_same_seed_same_events(tmp_path):
    weeks = (dt.date(2022, 2, 27), dt.date(2022, 2, 27))
    a = synth(["bundled"], tmp_path / "a", scale=S, weeks=weeks, seed=3, session_minutes=240)
    b = synth(["bundled"], tmp_path / "b", scale=S, weeks=weeks, seed=3, session_minutes=240)
    assert a.events == b.events
    con = duckdb.connect()
    diff = con.execute(
        f"SELECT count(*) FROM (SELECT * FROM '{tmp_path}/a/events.parquet' "
        f"EXCEPT ALL SELECT * FROM '{tmp_path}/b/events.parquet')"
    ).fetchall()[0][0]
    assert diff == 0


def test_synth_from_files_and_bad_input(tmp_path, real_file):
    path = real_file("all-weeks-global.tsv")
    made = synth([str(path)], tmp_path / "o", scale=S, weeks=(dt.date(2024, 6, 23), None))
    assert made.weeks == 1 and made.country_weeks == 0
    bad = tmp_path / "bad.tsv"
    bad.write_text("<html>Moved Permanently</html>")
    with pytest.raises(BadInputError):
        synth([str(bad)], tmp_path / "o2", scale=S)
    with pytest.raises(UsageError, match="must be more than 0"):
        synth(["bundled"], tmp_path / "o3", scale=0)
    with pytest.raises(UsageError, match="no global lists"):
        synth(["bundled"], tmp_path / "o4", scale=S, weeks=(dt.date(2030, 1, 6), None))
    with pytest.raises(UsageError, match="does not exist"):
        synth([str(tmp_path / "nope.tsv")], tmp_path / "o5", scale=S)


def test_a_scale_too_small_for_country_lists_says_so(tmp_path):
    with pytest.raises(UsageError, match="too small to reproduce the country lists"):
        synth(["bundled"], tmp_path, scale=1e-7, weeks=(dt.date(2022, 2, 27), None))


def test_cli_synth_then_build(cli, tmp_path):
    out = tmp_path / "synth"
    result = cli(
        "synth",
        "--from",
        "bundled",
        "--scale",
        "0.0001",
        "--weeks",
        "2024-06-23",
        "-o",
        out,
        "--session-minutes",
        "240",
    )
    assert result.exit_code == 0, result.stderr
    assert "Build them back with:" in result.stdout
    assert "--round-hours 1/10 --round-views 10" in result.stdout
    charts = tmp_path / "charts"
    result = cli(
        "build",
        out / "events.parquet",
        out / "catalog.csv",
        "-o",
        charts,
        "--round-hours",
        "1/10",
        "--round-views",
        "10",
        "--json",
    )
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["weeks"] == 1 and report["files"]["all-weeks-global.tsv"] == 40
    assert report["weeks_built"] == ["2024-06-23"]
    result = cli(
        "synth",
        "--from",
        "bundled",
        "--scale",
        "0.0001",
        "--weeks",
        "2024-06-23",
        "-o",
        out,
        "--json",
    )
    assert json.loads(result.stdout)["build_command"].startswith("chartwatch build")


def test_build_takes_the_folder_synth_wrote(tmp_path):
    made = synth(["bundled"], tmp_path / "d", scale=S, weeks=(dt.date(2024, 6, 23), None))
    report = build(
        made.out_dir, Path(made.out_dir) / "catalog.csv", tmp_path / "o", method=AT_SCALE
    )
    assert report.files["all-weeks-global.tsv"] == 40
