"""The chart engine on DuckDB: the method's rules on small hand-made events, whose expected
lists are worked out by hand in each test."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest

import chartwatch
from chartwatch.engine.method import Method, daily_sql, lists_sql, to_dialect
from chartwatch.engine.output import runtime_text
from chartwatch.engine.pipeline import build, parse_weeks, week_end
from chartwatch.errors import BadInputError, UsageError
from chartwatch.view import View
from engine_helpers import read_tsv, title, write_catalog, write_events

H = 3600
# Week ending Sunday 2023-06-11 is ranked by hours; the week ending 2023-06-18 is the first
# ranked by views (Netflix's switch).
W1, W2 = "2023-06-05", "2023-06-12"  # Mondays
SMALL = Method(hours_step=(1, 10), views_step=1)


def _catalog(tmp_path: Path) -> Path:
    return write_catalog(
        tmp_path / "catalog.csv",
        [
            title("a", "Alpha", runtime=2.0, release="2023-06-05"),
            title("b", "Beta", runtime=1.0),
            title("g", "Gamma", runtime=1.5),
            title("p", "Película", language="Non-English", runtime=1.75),
            title(
                "s",
                "Show",
                kind="TV",
                season="Show: Season 1",
                runtime=8.0,
                is_staggered_launch="false",
            ),
            # from the week of 2023-06-18 the series is a staggered launch, 10 hours long
            title(
                "s",
                "Show",
                kind="TV",
                season="Show: Season 1",
                runtime=10.0,
                is_staggered_launch="true",
                episode_launch_details='[{"episodesLaunched":3,"countryList":["US"]}]',
                from_week="2023-06-14",
            ),
        ],
    )


def _events() -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    n = 0

    def add(tid: str, country: str, day: str, seconds: int, time: str = "20:00:00") -> None:
        nonlocal n
        n += 1
        rows.append((n, tid, country, f"{day} {time}", seconds))

    # week 1 (hours): Alpha 10 h, Beta 8 h, Gamma 8 h (tie: Beta has more views), Show 20 h
    add("a", "US", W1, 6 * H)
    add("a", "KR", "2023-06-11", 4 * H, "23:59:59")  # last second of the week
    add("b", "US", W1, 8 * H)
    add("g", "US", W1, 8 * H)
    add("s", "US", W1, 20 * H)
    add("p", "MX", W1, 3 * H)
    # week 2 (views): Alpha 10 h = 5 views, Beta 6 h = 6 views, Gamma 7.5 h = 5 views
    add("a", "US", W2, 10 * H, "00:00:00")  # first second of the week
    add("b", "US", W2, 6 * H)
    add("g", "XK", W2, 7 * H + 1800)  # a country without a published list
    add("s", "US", W2, 15 * H)
    add("s", "US", "2023-06-13", 15 * H)
    add("p", "MX", W2, 3 * H)
    return rows


@pytest.fixture
def built(tmp_path: Path):
    events = write_events(tmp_path / "events.parquet", _events())
    out = tmp_path / "out"
    report = build(events, _catalog(tmp_path), out, method=SMALL)
    return report, out


def _global(out: Path) -> dict[tuple[str, str, str], dict[str, str]]:
    return {
        (r["week"], r["category"], r["weekly_rank"]): r
        for r in read_tsv(out / "all-weeks-global.tsv")
    }


def test_hours_ranked_week_sums_seconds_per_title_and_breaks_ties_by_views(built):
    report, out = built
    rows = _global(out)
    films = [rows[("2023-06-11", "Films (English)", str(r))] for r in (1, 2, 3)]
    assert [r["show_title"] for r in films] == ["Alpha", "Beta", "Gamma"]
    assert [r["weekly_hours_viewed"] for r in films] == ["10", "8", "8"]
    # before the switch Netflix published neither runtime nor views
    assert [(r["runtime"], r["weekly_views"]) for r in films] == [("", "")] * 3
    assert report.weeks == 2 and report.first_week == "2023-06-11"


def test_views_ranked_week_uses_views_then_hours(built):
    _, out = built
    rows = _global(out)
    films = [rows[("2023-06-18", "Films (English)", str(r))] for r in (1, 2, 3)]
    assert [r["show_title"] for r in films] == ["Beta", "Alpha", "Gamma"]
    assert [r["weekly_views"] for r in films] == ["6", "5", "5"]
    # hours to the later step (10): 6 → 10, 10 → 10, 7.5 → 10
    assert [r["weekly_hours_viewed"] for r in films] == ["10", "10", "10"]
    assert [r["runtime"] for r in films] == ["1", "2", "1.5"]
    assert [r["cumulative_weeks_in_top_10"] for r in films] == ["2", "2", "2"]


def test_staggered_launch_and_runtime_versions(built):
    _, out = built
    rows = _global(out)
    before = rows[("2023-06-11", "TV (English)", "1")]
    after = rows[("2023-06-18", "TV (English)", "1")]
    assert before["is_staggered_launch"] == "false" and before["runtime"] == ""
    # 30 h over the 10-hour version: 3 views; published runtime 0, as Netflix does
    assert (after["runtime"], after["weekly_views"], after["is_staggered_launch"]) == (
        "0",
        "3",
        "true",
    )
    assert after["episode_launch_details"] == '[{"episodesLaunched":3,"countryList":["US"]}]'
    # quoted CSV-style in the file, as in Netflix's own
    text = (out / "all-weeks-global.tsv").read_text(encoding="utf-8")
    assert '"[{""episodesLaunched"":3,""countryList"":[""US""]}]"' in text


def test_files_are_netflix_formats_and_ingest_reads_them(built, store):
    report, out = built
    # no title has had its 91 days: Netflix never publishes an empty list, nor does a build
    assert not (out / "most-popular.tsv").exists()
    assert any(n.startswith("most-popular.tsv not written") for n in report.notes)
    names = ("all-weeks-global.tsv", "all-weeks-countries.tsv")
    for name in names:
        data = (out / name).read_bytes()
        assert not data.endswith(b"\n"), "Netflix's files end without a newline"
        assert b"\r" not in data
    header = (out / "all-weeks-global.tsv").read_text().split("\n", 1)[0].split("\t")
    assert len(header) == 11 and header[0] == "week" and header[-1] == "episode_launch_details"
    results = chartwatch.ingest(store, [out / n for n in names])
    assert [r.status for r in results] == ["accepted"] * 2, [r.reason for r in results]
    assert [r.kind for r in results] == ["global", "countries"]
    chart = chartwatch.week(View.of(store), week=dt.date(2023, 6, 18), category="Films (English)")
    assert chart.lists[0].rows[0].show_title == "Beta"


def test_global_order_is_netflix_order(built):
    _, out = built
    keys = [(r["week"], r["category"]) for r in read_tsv(out / "all-weeks-global.tsv")]
    assert keys == sorted(keys, key=lambda k: (-dt.date.fromisoformat(k[0]).toordinal(), k[1]))
    assert keys[0][0] == "2023-06-18"


def test_country_lists_only_for_published_countries(built):
    report, out = built
    rows = read_tsv(out / "all-weeks-countries.tsv")
    assert {r["country_iso2"] for r in rows} == {"US", "KR", "MX"}
    names = {r["country_iso2"]: r["country_name"] for r in rows}
    assert names == {"US": "United States", "KR": "South Korea", "MX": "Mexico"}
    us_films = [
        (r["weekly_rank"], r["show_title"])
        for r in rows
        if r["country_iso2"] == "US" and r["week"] == "2023-06-11" and r["category"] == "Films"
    ]
    assert us_films == [("1", "Beta"), ("2", "Gamma"), ("3", "Alpha")]  # 8 h, 8 h, 6 h
    kr = [r for r in rows if r["country_iso2"] == "KR"]
    assert [(r["week"], r["show_title"], r["cumulative_weeks_in_top_10"]) for r in kr] == [
        ("2023-06-11", "Alpha", "1")
    ]
    # Gamma's week-2 viewing was all in XK (no published list): it still counts globally
    assert any("without a published country list" in n for n in report.notes)
    order = [(r["country_name"], r["week"]) for r in rows]
    assert order == sorted(order, key=lambda k: (k[0], -dt.date.fromisoformat(k[1]).toordinal()))


def test_week_boundaries_are_monday_to_sunday_utc(tmp_path):
    rows = [
        (1, "a", "US", "2023-06-11 23:59:59", H),  # Sunday: week ending 06-11
        (2, "a", "US", "2023-06-12 00:00:00", 2 * H),  # Monday: week ending 06-18
    ]
    events = write_events(tmp_path / "e.parquet", rows)
    out = tmp_path / "out"
    build(events, _catalog(tmp_path), out, method=Method(hours_step=(1, 1), views_step=1))
    hours = {r["week"]: r["weekly_hours_viewed"] for r in read_tsv(out / "all-weeks-global.tsv")}
    assert hours == {"2023-06-11": "1", "2023-06-18": "2"}


def test_timezone_moves_events_to_their_local_week(tmp_path):
    # 02:00 UTC on Monday 06-12 is still Sunday 06-11 in Los Angeles
    rows = [(1, "a", "US", "2023-06-12 02:00:00", H)]
    events = write_events(tmp_path / "e.parquet", rows)
    out = tmp_path / "out"
    method = Method(timezone="America/Los_Angeles", hours_step=(1, 1), views_step=1)
    build(events, _catalog(tmp_path), out, method=method)
    assert [r["week"] for r in read_tsv(out / "all-weeks-global.tsv")] == ["2023-06-11"]


def test_rounding_is_half_up_to_the_step(tmp_path):
    rows = [
        (1, "a", "US", "2023-06-05 10:00:00", 14_999 * H + 1799),  # 14,999.4997 h
        (2, "b", "US", "2023-06-05 10:00:00", 15_000 * H),
        (3, "g", "US", "2023-06-05 10:00:00", 4_999 * H + 1800),  # 4,999.5 h: half up
    ]
    events = write_events(tmp_path / "e.parquet", rows)
    out = tmp_path / "out"
    # the seconds are over the default cap of one day; a larger cap keeps them
    build(events, _catalog(tmp_path), out, method=Method(max_seconds=10**9))
    hours = {
        r["show_title"]: r["weekly_hours_viewed"] for r in read_tsv(out / "all-weeks-global.tsv")
    }
    assert hours == {"Beta": "20000", "Alpha": "10000", "Gamma": "0"}


def test_default_rounding_matches_netflix_steps_either_side_of_the_switch(tmp_path):
    rows = [
        (1, "a", "US", "2023-06-05 10:00:00", 123_456 * H),
        (2, "a", "US", "2023-06-12 10:00:00", 123_456 * H),
    ]
    events = write_events(tmp_path / "e.parquet", rows)
    out = tmp_path / "out"
    build(events, _catalog(tmp_path), out, method=Method(max_seconds=10**9))
    got = {
        r["week"]: (r["weekly_hours_viewed"], r["weekly_views"])
        for r in read_tsv(out / "all-weeks-global.tsv")
    }
    # 123,456 h: 120,000 (to 10,000) before; 100,000 (to 100,000) from the switch;
    # views 61,728 → 100,000
    assert got == {"2023-06-11": ("120000", ""), "2023-06-18": ("100000", "100000")}


@pytest.mark.parametrize(
    ("rank_by", "first"),
    [("hours", "Alpha"), ("views", "Beta")],
)
def test_rank_by_overrides_the_switch(tmp_path, rank_by, first):
    rows = [
        (1, "a", "US", "2023-06-12 10:00:00", 10 * H),
        (2, "b", "US", "2023-06-12 10:00:00", 6 * H),
    ]
    events = write_events(tmp_path / "e.parquet", rows)
    out = tmp_path / "out"
    build(events, _catalog(tmp_path), out, method=Method(rank_by=rank_by, hours_step=(1, 1)))
    top = read_tsv(out / "all-weeks-global.tsv")[0]
    assert top["show_title"] == first
    assert (top["weekly_views"] != "") == (rank_by == "views")


def test_ties_on_both_measures_fall_back_to_the_titles(tmp_path):
    catalog = write_catalog(
        tmp_path / "c.csv",
        [title("z", "Zulu", runtime=1.0), title("y", "Yankee", runtime=1.0)],
    )
    rows = [(1, "z", "US", f"{W2} 10:00:00", H), (2, "y", "US", f"{W2} 10:00:00", H)]
    out = tmp_path / "out"
    build(write_events(tmp_path / "e.parquet", rows), catalog, out, method=SMALL)
    assert [r["show_title"] for r in read_tsv(out / "all-weeks-global.tsv")] == ["Yankee", "Zulu"]


def test_only_the_top_ten_are_listed(tmp_path):
    catalog = write_catalog(
        tmp_path / "c.csv", [title(f"t{i}", f"Film {i:02d}") for i in range(12)]
    )
    rows = [(i, f"t{i}", "US", f"{W1} 10:00:00", (i + 1) * H) for i in range(12)]
    out = tmp_path / "out"
    build(write_events(tmp_path / "e.parquet", rows), catalog, out, method=SMALL)
    listed = read_tsv(out / "all-weeks-global.tsv")
    assert [r["show_title"] for r in listed] == [f"Film {i:02d}" for i in range(11, 1, -1)]
    assert [r["weekly_rank"] for r in listed] == [str(i) for i in range(1, 11)]


def test_bad_events_are_counted_not_charted(tmp_path):
    rows = [
        (1, "a", "US", f"{W1} 10:00:00", 2 * H),
        (1, "a", "US", f"{W1} 10:00:00", 2 * H),  # an exact copy
        (1, "a", "US", f"{W1} 09:00:00", 5 * H),  # same id, earlier: this copy is kept
        (2, "a", "US", f"{W1} 11:00:00", -5),  # negative
        (3, "a", "US", f"{W1} 11:00:00", 86_400),  # exactly the cap: kept
        (4, "a", "US", f"{W1} 11:00:00", 86_401),  # over the cap
        (5, "nope", "US", f"{W1} 11:00:00", H),  # unknown title
        (6, "nope", "US", f"{W1} 12:00:00", H),
        (7, "a", "usa", f"{W1} 11:00:00", H),  # not an ISO code
        (8, None, "US", f"{W1} 11:00:00", H),  # no title
        (9, "a", "US", None, H),  # no start time
        (10, "a", "US", "2023-06-20 11:00:00", H),  # outside --weeks
        (11, "a", "US", f"{W1} 11:00:00", 0),  # zero seconds: a valid, empty event
    ]
    out = tmp_path / "out"
    report = build(
        write_events(tmp_path / "e.parquet", rows),
        _catalog(tmp_path),
        out,
        method=Method(hours_step=(1, 1)),
        weeks=parse_weeks("2023-06-05..2023-06-11"),
    )
    assert report.problems == {
        "duplicates": 2,
        "bad_seconds": 0,
        "nan_seconds": 0,
        "negative_seconds": 1,
        "over_max_seconds": 1,
        "incomplete": 1,
        "bad_country": 1,
        "unknown_title": 2,
    }
    assert report.this_run == {
        "outside_range": 1,
        "incomplete_without_time": 1,
        "implausible_time": 0,
    }
    assert report.charted_events == 3  # ids 1, 3 and 11
    assert report.unknown_titles == [{"title_id": "nope", "events": 2}]
    hours = read_tsv(out / "all-weeks-global.tsv")[0]["weekly_hours_viewed"]
    assert hours == str(5 + 24)
    saved = json.loads((out / "build-report.json").read_text())
    assert saved["problems"] == report.problems


def test_missing_runtime_is_an_error_naming_the_title_when_ranked_by_views(tmp_path):
    catalog = write_catalog(
        tmp_path / "c.csv",
        [
            title("a", "Alpha", runtime=None),
            title("s", "Show", "TV", season="Show: Season 2", runtime=None),
        ],
    )
    before = [(1, "a", "US", f"{W1} 10:00:00", H)]
    out = tmp_path / "out"
    build(write_events(tmp_path / "e1.parquet", before), catalog, out)  # hours: fine
    after = [(2, "a", "US", f"{W2} 10:00:00", H), (3, "s", "US", f"{W2} 10:00:00", H)]
    with pytest.raises(BadInputError) as info:
        build(write_events(tmp_path / "e2.parquet", after), catalog, tmp_path / "o2")
    assert "no runtime for 2 title(s) ranked by views" in info.value.message
    assert "Alpha (a)" in info.value.message and "Show: Season 2 (s)" in info.value.message


def test_most_popular_counts_the_first_days_from_release(tmp_path):
    catalog = write_catalog(
        tmp_path / "c.csv",
        [
            title("a", "Alpha", runtime=2.0, release="2023-01-02"),
            title("b", "Beta", runtime=1.0, release="2023-01-09"),
            title("c", "Late", runtime=1.0, release="2023-04-03"),  # 91 days not over
            title("d", "Early", runtime=1.0, release="2022-12-01"),  # before the events
        ],
    )
    rows = [
        (1, "a", "US", "2023-01-02 10:00:00", 10 * H),  # day 1
        (2, "a", "US", "2023-04-02 10:00:00", 10 * H),  # day 91: in
        (3, "a", "US", "2023-04-03 10:00:00", 20 * H),  # day 92: out
        (4, "b", "US", "2023-01-09 10:00:00", 12 * H),
        (5, "c", "US", "2023-04-03 10:00:00", 20 * H),
        (6, "d", "US", "2023-01-03 10:00:00", 20 * H),
        (7, "b", "US", "2023-06-25 10:00:00", H),  # the events end on Sunday 2023-06-25
    ]
    events = write_events(tmp_path / "e.parquet", rows)
    out = tmp_path / "out91"
    build(events, catalog, out, method=Method(hours_step=(1, 1), views_step=1))
    popular = read_tsv(out / "most-popular.tsv")
    assert list(popular[0]) == [
        "category",
        "rank",
        "show_title",
        "season_title",
        "hours_viewed_first_91_days",
        "runtime",
        "views_first_91_days",
    ]
    assert [
        (r["show_title"], r["hours_viewed_first_91_days"], r["views_first_91_days"])
        for r in popular
    ] == [
        ("Beta", "12", "12"),  # 12 views beat Alpha's 10
        ("Alpha", "20", "10"),
    ]
    with chartwatch.open_store(tmp_path / "s.duckdb") as store:
        result = chartwatch.ingest(store, [out / "most-popular.tsv"])[0]
        assert (result.status, result.kind) == ("accepted", "most-popular"), result.reason
    out28 = tmp_path / "out28"
    build(events, catalog, out28, method=Method(hours_step=(1, 1), most_popular_days=28))
    popular = read_tsv(out28 / "most-popular.tsv")
    assert [(r["show_title"], r["hours_viewed_first_28_days"]) for r in popular] == [
        ("Late", "20"),  # released 2023-04-03: its 28 days are over by 2023-06-25
        ("Beta", "12"),
        ("Alpha", "10"),
    ]


def test_csv_events_give_the_same_files_as_parquet(tmp_path):
    catalog = _catalog(tmp_path)
    a = tmp_path / "a"
    b = tmp_path / "b"
    build(write_events(tmp_path / "e.parquet", _events()), catalog, a, method=SMALL)
    build(write_events(tmp_path / "e.csv", _events(), fmt="csv"), catalog, b, method=SMALL)
    assert _snapshot(a) == _snapshot(b) and len(_snapshot(a)) == 2


# -- incremental builds -----------------------------------------------------------------


def _snapshot(out: Path) -> dict[str, bytes]:
    return {
        name: (out / name).read_bytes()
        for name in ("all-weeks-global.tsv", "all-weeks-countries.tsv", "most-popular.tsv")
        if (out / name).exists()
    }


def test_a_new_week_computes_only_that_week(tmp_path):
    catalog = _catalog(tmp_path)
    events = tmp_path / "events"
    events.mkdir()
    rows = _events()
    week1 = [r for r in rows if str(r[3]) < "2023-06-12"]
    week2 = [r for r in rows if str(r[3]) >= "2023-06-12"]
    write_events(events / "2023-06-11.parquet", week1)
    out = tmp_path / "out"
    first = build(events, catalog, out, method=SMALL)
    assert first.weeks_built == ["2023-06-11"]
    write_events(events / "2023-06-18.parquet", week2)
    second = build(events, catalog, out, method=SMALL)
    assert second.weeks_built == ["2023-06-18"] and second.weeks_reused == 1
    assert second.events_read == len(week2)
    third = build(events, catalog, out, method=SMALL)
    assert third.weeks_built == [] and third.events_read == 0
    # the same files as one build of everything
    full = tmp_path / "full"
    build(write_events(tmp_path / "all.parquet", rows), catalog, full, method=SMALL)
    assert _snapshot(out) == _snapshot(full)


def test_changed_or_removed_files_recompute_their_weeks(tmp_path):
    catalog = _catalog(tmp_path)
    events = tmp_path / "events"
    events.mkdir()
    rows = _events()
    write_events(events / "one.parquet", [r for r in rows if str(r[3]) < "2023-06-12"])
    two = write_events(events / "two.parquet", [r for r in rows if str(r[3]) >= "2023-06-12"])
    out = tmp_path / "out"
    build(events, catalog, out, method=SMALL)
    extra = [(99, "g", "US", "2023-06-13 10:00:00", 20 * H)]
    write_events(two, [r for r in rows if str(r[3]) >= "2023-06-12"] + extra)
    changed = build(events, catalog, out, method=SMALL)
    assert changed.weeks_built == ["2023-06-18"]
    top = _global(out)[("2023-06-18", "Films (English)", "1")]
    assert top["show_title"] == "Gamma"
    two.unlink()
    removed = build(events, catalog, out, method=SMALL)
    assert removed.weeks == 1 and removed.last_week == "2023-06-11"
    assert {r["week"] for r in read_tsv(out / "all-weeks-global.tsv")} == {"2023-06-11"}


def _daily_files(out: Path) -> dict[str, set[str]]:
    """Each daily-sums file the state names: the weeks it holds, read from the file."""
    root = out / ".chartwatch-build"
    named = {s["file"] for s in json.loads((root / "state.json").read_text())["weeks"].values()}
    con = duckdb.connect()
    held = {
        name: {
            str(r[0])
            for r in con.execute(
                f"SELECT DISTINCT week FROM read_parquet('{root / 'daily' / name}')"
            ).fetchall()
        }
        for name in named
    }
    con.close()
    return held


def test_a_daily_file_keeps_only_the_weeks_it_serves(tmp_path):
    """One run writes one file of daily sums for all its weeks; when one of them is
    recomputed, the others move to a file of their own, so no week is summed twice."""
    catalog = _catalog(tmp_path)
    events = tmp_path / "events"
    events.mkdir()
    rows = _events()
    write_events(events / "one.parquet", rows)
    late = write_events(events / "two.parquet", [(98, "g", "US", "2023-06-13 10:00:00", H)])
    out = tmp_path / "out"
    build(events, catalog, out, method=SMALL)
    assert list(_daily_files(out).values()) == [{"2023-06-11", "2023-06-18"}]
    extra = [(98, "g", "US", "2023-06-13 10:00:00", 20 * H)]
    write_events(late, extra)
    changed = build(events, catalog, out, method=SMALL)
    assert changed.weeks_built == ["2023-06-18"] and changed.weeks_reused == 1
    assert sorted(map(sorted, _daily_files(out).values())) == [["2023-06-11"], ["2023-06-18"]]
    full = tmp_path / "full"
    again = build(events, catalog, full, method=SMALL)
    assert _snapshot(out) == _snapshot(full)
    assert changed.problems == again.problems and changed.charted_events == again.charted_events
    assert len(list((out / ".chartwatch-build" / "daily").iterdir())) == 2  # the old one went


def test_a_changed_setting_recomputes_everything(tmp_path):
    catalog = _catalog(tmp_path)
    events = write_events(tmp_path / "e.parquet", _events())
    out = tmp_path / "out"
    build(events, catalog, out, method=SMALL)
    cap = 5 * H  # some events are longer: set aside (not all: that would be no chart)
    again = build(
        events, catalog, out, method=Method(hours_step=(1, 10), views_step=1, max_seconds=cap)
    )
    assert again.weeks_built == ["2023-06-11", "2023-06-18"]
    assert again.problems["over_max_seconds"] > 0
    # rounding and ranking are stage 2: changing them reuses every week
    third = build(
        events, catalog, out, method=Method(hours_step=(1, 1), views_step=1, max_seconds=cap)
    )
    assert third.weeks_built == []


def test_weeks_option_builds_only_those_weeks_and_keeps_others(tmp_path):
    catalog = _catalog(tmp_path)
    events = write_events(tmp_path / "e.parquet", _events())
    out = tmp_path / "out"
    first = build(events, catalog, out, method=SMALL, weeks=parse_weeks("2023-06-14"))
    assert first.weeks_built == ["2023-06-18"] and first.this_run["outside_range"] == 6
    second = build(events, catalog, out, method=SMALL, weeks=parse_weeks("..2023-06-11"))
    assert second.weeks_built == ["2023-06-11"] and second.weeks == 2


def test_a_build_killed_midway_keeps_the_previous_state(tmp_path, monkeypatch):
    catalog = _catalog(tmp_path)
    events = write_events(tmp_path / "e.parquet", _events())
    out = tmp_path / "out"
    build(events, catalog, out, method=SMALL)
    before = _snapshot(out)
    from chartwatch.engine import state as state_module

    def boom(self):  # the process dies before the new state is saved
        raise KeyboardInterrupt

    monkeypatch.setattr(state_module.State, "save", boom)
    with pytest.raises(KeyboardInterrupt):
        build(events, catalog, out, method=SMALL, full=True)
    monkeypatch.undo()
    again = build(events, catalog, out, method=SMALL)
    assert again.weeks_built == []
    assert _snapshot(out) == before


# -- inputs ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rows", "line", "reason"),
    [
        ([{"title_id": "a", "show_title": "A", "type": "Film", "language": "English"}], None, None),
        ([{"title_id": "a", "show_title": "A", "type": "Opera", "language": "English"}], 2, "type"),
        ([{"title_id": "a", "show_title": "A", "type": "TV", "language": "French"}], 2, "language"),
        (
            [
                {"title_id": "a", "show_title": "A", "type": "TV", "language": "English"},
                {"title_id": "a", "show_title": "A", "type": "TV", "language": "English"},
            ],
            3,
            "appears twice",
        ),
        (
            [
                {"title_id": "a", "show_title": "A", "type": "TV", "language": "English"},
                {
                    "title_id": "a",
                    "show_title": "B",
                    "type": "TV",
                    "language": "English",
                    "from_week": "2023-01-01",
                },
            ],
            3,
            "differ",
        ),
        (
            [
                {
                    "title_id": "a",
                    "show_title": "A",
                    "type": "TV",
                    "language": "English",
                    "runtime": "-1",
                }
            ],
            2,
            "runtime",
        ),
        (
            [
                {
                    "title_id": "a",
                    "show_title": "A",
                    "type": "TV",
                    "language": "English",
                    "release_date": "soon",
                }
            ],
            2,
            "release_date",
        ),
        ([{"title_id": "", "show_title": "A", "type": "TV", "language": "English"}], 2, "title_id"),
    ],
)
def test_catalog_is_checked_row_by_row(tmp_path, rows, line, reason):
    catalog = write_catalog(tmp_path / "c.csv", rows)
    events = write_events(tmp_path / "e.parquet", [(1, "a", "US", f"{W1} 10:00:00", H)])
    if reason is None:
        build(events, catalog, tmp_path / "out", method=SMALL)
        return
    with pytest.raises(BadInputError) as info:
        build(events, catalog, tmp_path / "out", method=SMALL)
    assert info.value.line == line and reason in info.value.reason


def test_catalog_missing_a_column_is_rejected(tmp_path):
    catalog = tmp_path / "c.csv"
    catalog.write_text("title_id,show_title,type\na,A,Films\n")
    events = write_events(tmp_path / "e.parquet", [(1, "a", "US", f"{W1} 10:00:00", H)])
    with pytest.raises(BadInputError, match="missing catalogue column 'language'"):
        build(events, catalog, tmp_path / "out")


def test_events_missing_a_column_are_rejected(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text("event_id,title_id,started_at,seconds\n1,a,2023-06-05T10:00:00Z,5\n")
    with pytest.raises(BadInputError, match="missing event column 'country_iso2'"):
        build(path, _catalog(tmp_path), tmp_path / "out")


def test_no_events_and_bad_paths_are_usage_errors(tmp_path):
    with pytest.raises(UsageError, match="does not exist"):
        build(tmp_path / "nothing.parquet", _catalog(tmp_path), tmp_path / "out")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(UsageError, match=r"no \.parquet or \.csv"):
        build(empty, _catalog(tmp_path), tmp_path / "out")
    with pytest.raises(UsageError, match="not one of duckdb, spark"):
        build(empty, _catalog(tmp_path), tmp_path / "out", engine="polars")


def test_method_settings_are_checked():
    with pytest.raises(UsageError, match="not a Sunday"):
        Method(switch_week=dt.date(2023, 6, 19))
    with pytest.raises(UsageError, match="must be 91 or 28"):
        Method(most_popular_days=30)
    with pytest.raises(UsageError, match="is not auto, views or hours"):
        Method(rank_by="likes")  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="time zone"):
        Method(timezone="UTC'; DROP TABLE x; --")


def test_weeks_option_parsing():
    assert parse_weeks("2023-06-05..2023-06-18") == (dt.date(2023, 6, 11), dt.date(2023, 6, 18))
    assert parse_weeks("2023-06-14") == (dt.date(2023, 6, 18), dt.date(2023, 6, 18))
    assert parse_weeks("..2023-06-14") == (None, dt.date(2023, 6, 18))
    assert parse_weeks(None) == (None, None)
    with pytest.raises(UsageError):
        parse_weeks("2023-06-18..2023-06-01")
    assert week_end(dt.date(2024, 6, 17)) == dt.date(2024, 6, 23)


def test_runtime_text_is_netflix_style():
    assert [runtime_text(x) for x in (1.78333, 2.0, 1.85, 0.6667, 10.08333)] == [
        "1.7833",
        "2",
        "1.85",
        "0.6667",
        "10.0833",
    ]
    assert runtime_text(3.2, staggered=True) == "0"


def test_memory_limit_and_temp_dir_are_applied(tmp_path):
    from chartwatch.engine.pipeline import _connect

    con = _connect("123MB", tmp_path / "spill", 1)
    limit, temp, threads = con.execute(
        "SELECT current_setting('memory_limit'), current_setting('temp_directory'), "
        "current_setting('threads')"
    ).fetchall()[0]
    con.close()
    assert limit.startswith("117") or "123" in limit or "MiB" in limit
    assert temp == str(tmp_path / "spill") and threads == 1
    with pytest.raises(UsageError):
        _connect("lots", tmp_path / "spill", None)


def test_a_tight_memory_limit_spills_and_gives_the_same_files(tmp_path):
    catalog = write_catalog(tmp_path / "c.csv", [title(f"t{i}", f"Film {i}") for i in range(50)])
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    events = tmp_path / "many.parquet"
    con.execute(
        "COPY (SELECT i AS event_id, 0 AS profile_id, 't' || (i % 50) AS title_id, "
        "'US' AS country_iso2, TIMESTAMPTZ '2023-06-05 00:00:00+00' + to_seconds(i % 600000) "
        f"AS started_at, 60 + i % 3000 AS seconds FROM range(2000000) t(i)) TO '{events}' "
        "(FORMAT parquet)"
    )
    con.close()
    roomy, tight = tmp_path / "roomy", tmp_path / "tight"
    build(events, catalog, roomy, method=SMALL)
    build(
        events,
        catalog,
        tight,
        method=SMALL,
        memory_limit="60MB",
        threads=1,
        temp_dir=tmp_path / "spill",
    )
    assert _snapshot(roomy) == _snapshot(tight)


def test_the_method_transpiles_to_spark_sql():
    pytest.importorskip("sqlglot")
    method = Method()
    first, last = dt.date(2023, 6, 5), dt.date(2023, 6, 18)
    daily = to_dialect(daily_sql(method, first, last, [last]), "spark")
    assert "ROW_NUMBER() OVER (PARTITION BY pre, week, event_id" in daily
    assert "GROUPING SETS" in daily and "DATEDIFF(DAY" in daily and "`" not in daily
    tz = to_dialect(daily_sql(Method(timezone="Asia/Seoul"), first, last), "spark")
    assert "FROM_UTC_TIMESTAMP(started_at, 'Asia/Seoul')" in tz
    for name, sql in lists_sql(method, first, last).items():
        spark = to_dialect(sql, "spark")
        assert "ROW_NUMBER() OVER" in spark or name in (
            "missing_runtime",
            "problems",
            "unknown_titles",
        )
        assert " DIV " in spark or name != "global"


# -- the command line ----------------------------------------------------------------------


def test_cli_build_prints_a_summary_and_reports_bad_events(cli, tmp_path):
    rows = [*_events(), (50, "nope", "US", f"{W1} 10:00:00", H)]
    events = write_events(tmp_path / "e.parquet", rows)
    out = tmp_path / "out"
    result = cli(
        "build",
        events,
        _catalog(tmp_path),
        "-o",
        out,
        "--round-hours",
        "1/10",
        "--round-views",
        "1",
    )
    assert result.exit_code == 0, result.stderr
    assert "Built 2 weeks (2023-06-11 to 2023-06-18) with duckdb" in result.stdout
    assert "all-weeks-global.tsv: 10 rows" in result.stdout
    assert "Set aside: unknown title 1" in result.stdout
    assert "Warning: unknown title_id 'nope' (1 event)" in result.stderr
    assert "most-popular.tsv not written" in result.stderr
    again = cli("build", events, _catalog(tmp_path), "-o", out, "--json", "--round-hours", "1/10")
    report = json.loads(again.stdout)
    assert report["weeks_built"] == [] and report["weeks_reused"] == 2


def test_cli_build_bad_input_is_exit_code_2(cli, tmp_path):
    events = write_events(tmp_path / "e.parquet", _events())
    bad = tmp_path / "c.csv"
    bad.write_text("title_id,show_title,type,language\na,Alpha,Opera,English\n")
    result = cli("build", events, bad, "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert result.stderr.strip() == f"Error: {bad}: line 2: type must be Films or TV"
    for args, message in [
        (("--rank-by", "likes"), "--rank-by"),
        (("--round-hours", "ten"), "--round-hours"),
        (("--spark-conf", "novalue"), "--spark-conf"),
        (("--switch-week", "2023-06-19"), "not a Sunday"),
        (("--weeks", "2023-07-01..2023-06-01"), "--weeks"),
    ]:
        result = cli("build", events, _catalog(tmp_path), "-o", tmp_path / "o", *args)
        assert result.exit_code == 2 and message in result.stderr, (args, result.stderr)
