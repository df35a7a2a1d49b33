"""``chartwatch records``: leaderboards as they stood, checked against leaderboards computed
here from the raw files (the csv module) and from the archive's files of the day (git),
never from chartwatch's own output."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import chartwatch
from chartwatch.analytics.records import METRICS, Leaderboard, records
from chartwatch.errors import NotFoundError, UsageError
from chartwatch.store import Store
from chartwatch.view import View
from conftest import BUNDLE, copy_store
from rawdata import COUNTRIES, GLOBAL, POPULAR, label_of, num, parse_tsv, shared_rows

VIEWS_FROM = "2023-06-18"
ENTRY_KEYS = {"rank", "show", "season", "category", "week_end", "value", "key"}
# Old labels the bundled country lists still use (checked against the archive in
# test_titles): their rows count for the title under its current label.
OLD_LABELS = {
    "Ozark: Season 4 Part 1": "Ozark: Season 4",
    "Hometown Cha-Cha-Cha: Season 1": "Hometown Cha-Cha-Cha: Limited Series",
}


@pytest.fixture(scope="module")
def replayed(_replayed_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    path = tmp_path_factory.mktemp("records-replayed") / "store.duckdb"
    copy_store(_replayed_template, path)
    with chartwatch.open_store(path) as st:
        yield st


@pytest.fixture(scope="module")
def archive_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("records-archive") / "repo.git"
    subprocess.run(["git", "clone", "--quiet", "--bare", str(BUNDLE), str(repo)], check=True)
    return repo


def published_by(repo: Path, name: str, day: str) -> list[dict[str, str]]:
    """The file ``name`` of the newest archive commit on or before ``day`` (UTC)."""
    git = ["git", "--git-dir", str(repo)]
    log = subprocess.run(
        [*git, "log", "--format=%H %ct", "--", name], check=True, capture_output=True, text=True
    ).stdout.split()
    end = dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC) + dt.timedelta(days=1)
    for sha, ts in zip(log[::2], log[1::2], strict=True):  # newest first
        if dt.datetime.fromtimestamp(int(ts), dt.UTC) < end:
            data = subprocess.run(
                [*git, "show", f"{sha}:{name}"], check=True, capture_output=True
            ).stdout
            if b"show_title" in data.split(b"\n", 1)[0]:
                return parse_tsv(data)
    raise AssertionError(f"no {name} published by {day}")


# -- leaderboards computed from raw rows --------------------------------------------------
Board = list[tuple[str, int, str | None]]  # (label, value, week_end), best first


def ident_of(r: dict[str, str], shared: set[tuple[str, bool]]) -> str:
    """A global row's title as leaderboards name it (``Entry.label``): its label, or, for a
    label listed in two global lists of its kind (two films named *Ballerina*), the label
    with its kind and list, ``Ballerina (film, English)`` (docs/analytics.md)."""
    film = r["category"].startswith("Films")
    if (label_of(r), film) not in shared:
        return label_of(r)
    lang = "Non-English" if "Non-English" in r["category"] else "English"
    return f"{label_of(r)} ({'film' if film else 'TV'}, {lang})"


def shared_labels(rows: list[dict[str, str]]) -> set[tuple[str, bool]]:
    lists: dict[tuple[str, bool], set[str]] = defaultdict(set)
    for r in rows:
        lists[(label_of(r), r["category"].startswith("Films"))].add(r["category"])
    return {k for k, v in lists.items() if len(v) > 1}


def per_title(rows: list[dict[str, str]], cutoff: str = "9999-12-31") -> dict[str, dict[str, Any]]:
    titles: dict[str, dict[str, Any]] = {}
    shared = shared_labels([r for r in rows if r["week"] <= cutoff])
    for r in sorted(rows, key=lambda r: r["week"]):
        if r["week"] > cutoff:
            continue
        t = titles.setdefault(
            ident_of(r, shared),
            {"category": r["category"], "first": r, "weeks": set(), "no1": set(), "rows": []},
        )
        t["weeks"].add(r["week"])
        t["rows"].append(r)
        if r["weekly_rank"] == "1":
            t["no1"].add(r["week"])
    return titles


def board(
    rows: list[dict[str, str]], metric: str, category: str, cutoff: str = "9999-12-31"
) -> Board:
    titles = per_title(rows, cutoff)
    start = min(r["week"] for r in rows)
    out: Board = []
    for label, t in titles.items():
        if t["category"] != category:
            continue
        first = t["first"]
        if metric == "debut_hours":
            if first["week"] != start:
                out.append((label, int(first["weekly_hours_viewed"]), first["week"]))
        elif metric == "debut_views":
            if first["week"] != start and num(first.get("weekly_views")) is not None:
                out.append((label, int(first["weekly_views"]), first["week"]))
        elif metric == "week_hours":
            best = max(t["rows"], key=lambda r: int(r["weekly_hours_viewed"]))
            out.append((label, int(best["weekly_hours_viewed"]), best["week"]))
        elif metric == "weeks_in_top10":
            out.append((label, len(t["weeks"]), max(t["weeks"])))
        elif metric == "weeks_at_no1" and t["no1"]:
            out.append((label, len(t["no1"]), max(t["no1"])))
    return sorted(out, key=lambda e: -e[1])


def assert_top(got: Leaderboard, expected: Board, n: int, *, weeks: bool = True) -> None:
    """The first ``n`` entries are the expected top ``n``; titles tied at the cut-off
    value may come in any of their orders."""
    entries = got.entries
    assert len(entries) == min(n, len(expected))
    assert [e.rank for e in entries] == list(range(1, len(entries) + 1))
    values = [e.value for e in entries]
    assert values == [v for _, v, _ in expected[:n]]
    by_label = {label: (value, week) for label, value, week in expected}
    for e in entries:
        assert e.label in by_label, e.label
        value, week = by_label[e.label]
        assert e.value == value
        if weeks:
            assert e.week_end is not None and e.week_end.isoformat() == week, e.label
        assert e.season == (None if e.category.startswith("Films") else e.label)
    cut = values[-1]
    assert {label for label, v, _ in expected if v > cut} <= {e.label for e in entries}


# -- debut hours --------------------------------------------------------------------------
def test_debut_hours_top5_tv_non_english_as_of_2022_01_30(replayed, archive_repo):
    """As published by Sunday 2022-01-30: the archive's file of Wednesday 2022-01-26,
    weeks up to 2022-01-23 (All of Us Are Dead had not premiered)."""
    rows = published_by(archive_repo, GLOBAL, "2022-01-30")
    assert max(r["week"] for r in rows) == "2022-01-23"
    expected = board(rows, "debut_hours", "TV (Non-English)")
    assert expected[0] == ("Money Heist: Part 5", 201910000, "2021-09-05")
    got = records(
        View.of(replayed, dt.date(2022, 1, 30)),
        "debut_hours",
        category="TV (Non-English)",
        top=5,
    )
    assert [(e.label, e.value, e.week_end.isoformat()) for e in got.entries] == expected[:5]
    assert "All of Us Are Dead: Season 1" not in {label for label, _, _ in expected}


def test_debut_hours_top5_tv_non_english_as_of_2022_02_06(replayed, archive_repo):
    rows = published_by(archive_repo, GLOBAL, "2022-02-06")
    assert max(r["week"] for r in rows) == "2022-01-30"
    expected = board(rows, "debut_hours", "TV (Non-English)")
    assert expected[:2] == [
        ("Money Heist: Part 5", 201910000, "2021-09-05"),
        ("All of Us Are Dead: Season 1", 124790000, "2022-01-30"),
    ]
    got = records(View.of(replayed, dt.date(2022, 2, 6)), "debut_hours", category="tv-non-english")
    assert got.category == "TV (Non-English)"
    assert [(e.label, e.value, e.week_end.isoformat()) for e in got.entries[:5]] == expected[:5]
    assert_top(got, expected, 10)
    # titles already listed in the lists' first week never enter a debut board
    first_week = {label_of(r) for r in rows if r["week"] == "2021-07-04"}
    assert first_week and not first_week & {e.label for e in got.entries}


def test_debut_hours_leaves_out_the_first_week_of_the_lists(bundled):
    got = records(View.of(bundled), "debut_hours", category="TV (English)", top=1000)
    expected = board(shared_rows(GLOBAL), "debut_hours", "TV (English)")
    assert len(got.entries) == len(expected)
    assert all(e.week_end > dt.date(2021, 7, 4) for e in got.entries)
    assert_top(got, expected, 1000)


# -- best week, weeks, weeks at No. 1 -----------------------------------------------------
@pytest.mark.parametrize("category", ["TV (Non-English)", "Films (English)"])
@pytest.mark.parametrize("metric", ["week_hours", "weeks_in_top10", "weeks_at_no1"])
def test_top10_from_raw_rows(bundled, metric, category):
    expected = board(shared_rows(GLOBAL), metric, category)
    got = records(View.of(bundled), metric, category=category)
    assert got.metric == metric and got.category == category and got.measure == METRICS[metric]
    assert_top(got, expected, 10)


def test_week_hours_record_is_squid_game(bundled):
    got = records(View.of(bundled), "week_hours", category="TV (Non-English)", top=1)
    (e,) = got.entries
    rows = [r for r in shared_rows(GLOBAL) if r["category"] == "TV (Non-English)"]
    best = max(rows, key=lambda r: int(r["weekly_hours_viewed"]))
    assert (e.label, e.value, e.week_end.isoformat()) == (
        label_of(best),
        int(best["weekly_hours_viewed"]),
        best["week"],
    )
    assert e.label == "Squid Game: Season 1"


# -- views --------------------------------------------------------------------------------
@pytest.mark.parametrize("category", ["TV (English)", "Films (Non-English)"])
def test_debut_views_only_for_debuts_in_the_views_era(bundled, category):
    expected = board(shared_rows(GLOBAL), "debut_views", category)
    assert expected and all(week >= VIEWS_FROM for _, _, week in expected)
    got = records(View.of(bundled), "debut_views", category=category, top=1000)
    assert {e.label for e in got.entries} == {label for label, _, _ in expected}
    assert all(e.week_end >= dt.date(2023, 6, 18) for e in got.entries)
    assert_top(got, expected, 1000)
    # titles that debuted earlier and were still listed with views are left out
    titles = per_title(shared_rows(GLOBAL))
    older = {
        label
        for label, t in titles.items()
        if t["category"] == category
        and t["first"]["week"] < VIEWS_FROM
        and any(num(r["weekly_views"]) for r in t["rows"])
    }
    assert older and not older & {e.label for e in got.entries}


def test_week_views_cover_the_views_era(bundled):
    got = records(View.of(bundled), "week_views", category="TV (English)")
    rows = [r for r in shared_rows(GLOBAL) if r["category"] == "TV (English)" and r["weekly_views"]]
    assert all(r["week"] >= VIEWS_FROM for r in rows)
    best: dict[str, tuple[int, str]] = {}
    for r in rows:
        v = int(r["weekly_views"])
        if label_of(r) not in best or v > best[label_of(r)][0]:
            best[label_of(r)] = (v, r["week"])
    expected = sorted(((k, v, w) for k, (v, w) in best.items()), key=lambda e: -e[1])
    # a title whose first weeks had no views still counts its views-era best week
    assert_top(got, expected, 10, weeks=False)


# -- countries ----------------------------------------------------------------------------
@pytest.mark.parametrize("category", ["TV", "Films"])
def test_countries_no1_from_raw_country_lists(bundled, category):
    per_week: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in shared_rows(COUNTRIES):
        if r["category"] == category and r["weekly_rank"] == "1":
            label = label_of(r)
            per_week[(OLD_LABELS.get(label, label), r["week"])].add(r["country_iso2"])
    best: dict[str, tuple[int, str]] = {}
    for (label, week), isos in sorted(per_week.items(), key=lambda kv: kv[0][1]):
        if label not in best or len(isos) > best[label][0]:
            best[label] = (len(isos), week)
    expected = sorted(((k, n, w) for k, (n, w) in best.items()), key=lambda e: -e[1])
    got = records(View.of(bundled), "countries_no1", category=category)
    assert got.category == category
    assert_top(got, expected, 10, weeks=False)
    for e in got.entries:  # the week is one in which it reached that count
        assert len(per_week[(e.label, e.week_end.isoformat())]) == e.value
    if category == "TV":
        assert expected[0][0] == "Squid Game: Season 1"
        assert got.entries[0].label == "Squid Game: Season 1"


# -- Netflix's most-popular lists ---------------------------------------------------------
@pytest.mark.parametrize("category", ["Films (English)", "TV (Non-English)"])
def test_first_91_days_views(bundled, category):
    rows = [r for r in shared_rows(POPULAR) if r["category"] == category]
    expected = sorted(
        ((label_of(r), int(r["views_first_91_days"]), None) for r in rows), key=lambda e: -e[1]
    )
    # Netflix's own ranks agree with the views
    assert [label_of(r) for r in sorted(rows, key=lambda r: int(r["rank"]))] == [
        label for label, _, _ in expected
    ]
    got = records(View.of(bundled), "first_91_days_views", category=category)
    assert [(e.label, e.value) for e in got.entries] == [(lab, v) for lab, v, _ in expected]
    assert all(e.week_end is None for e in got.entries)
    if category == "Films (English)":
        assert got.entries[0].label == "Red Notice" and got.entries[0].value == 230900000


def test_first_28_days_hours_absent_now(bundled):
    header = shared_rows(POPULAR)[0].keys()
    assert "hours_viewed_first_28_days" not in header
    with pytest.raises(NotFoundError) as info:
        records(View.of(bundled), "first_28_days_hours")
    assert info.value.exit_code == 1
    assert "--as-of" in info.value.message and "28" in info.value.message


@pytest.mark.parametrize("category", ["Films (English)", "TV (English)"])
def test_first_28_days_hours_as_of_2023_05_01(replayed, archive_repo, category):
    rows = published_by(archive_repo, POPULAR, "2023-05-01")
    assert "hours_viewed_first_28_days" in rows[0]
    expected = sorted(
        (
            (label_of(r), int(r["hours_viewed_first_28_days"]), None)
            for r in rows
            if r["category"] == category
        ),
        key=lambda e: -e[1],
    )
    got = records(
        View.of(replayed, dt.date(2023, 5, 1)), "first_28_days_hours", category=category, top=10
    )
    assert [(e.label, e.value) for e in got.entries] == [(lab, v) for lab, v, _ in expected]
    # and it is gone from the current view of the same store
    with pytest.raises(NotFoundError):
        records(View.of(replayed), "first_28_days_hours", category=category)


# -- options ------------------------------------------------------------------------------
def test_top_and_usage_errors(bundled):
    assert len(records(View.of(bundled), "weeks_in_top10", top=3).entries) == 3
    assert len(records(View.of(bundled), "weeks_in_top10").entries) == 10  # the default
    whole = records(View.of(bundled), "weeks_in_top10", category="Films (English)", top=1000)
    titles = per_title(shared_rows(GLOBAL))  # a title counts in the list it debuted in
    assert len(whole.entries) == sum(t["category"] == "Films (English)" for t in titles.values())
    with pytest.raises(UsageError):
        records(View.of(bundled), "most_hours")
    with pytest.raises(UsageError):
        records(View.of(bundled), "week_hours", top=0)


def test_without_category_all_lists_compete(bundled):
    got = records(View.of(bundled), "week_hours", top=5)
    everything = [
        e
        for c in ("Films (English)", "Films (Non-English)", "TV (English)", "TV (Non-English)")
        for e in board(shared_rows(GLOBAL), "week_hours", c)
    ]
    assert_top(got, sorted(everything, key=lambda e: -e[1]), 5)


def test_cli_json_shape(cli):
    result = cli(
        "records",
        "--metric",
        "debut_hours",
        "--category",
        "TV (Non-English)",
        "--top",
        "5",
        "--json",
    )
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert set(document) == {
        "metric",
        "measure",
        "category",
        "as_of",
        "reconstructed",
        "first_observed",
        "entries",
    }
    assert document["metric"] == "debut_hours" and document["reconstructed"] is False
    data = document["entries"]
    assert isinstance(data, list) and len(data) == 5
    for entry in data:
        assert set(entry) == ENTRY_KEYS
        assert entry["category"] == "TV (Non-English)"
        dt.date.fromisoformat(entry["week_end"])
    expected = board(shared_rows(GLOBAL), "debut_hours", "TV (Non-English)")
    assert [(e["season"], e["value"], e["week_end"]) for e in data] == expected[:5]
    assert [e["rank"] for e in data] == [1, 2, 3, 4, 5]
    assert data[0]["show"] == "Money Heist"


def test_cli_bad_metric_and_missing_data(cli):
    bad = cli("records", "--metric", "most_hours")
    assert bad.exit_code == 2
    assert "most_hours" in bad.stderr and "debut_hours" in bad.stderr
    assert bad.stdout == ""
    none = cli("records", "--metric", "first_28_days_hours")
    assert none.exit_code == 1
    assert "--as-of" in none.stderr
    top = cli("records", "--metric", "week_hours", "--top", "0")
    assert top.exit_code == 2
    cat = cli("records", "--metric", "week_hours", "--category", "Documentaries")
    assert cat.exit_code == 2
