"""``chartwatch title``: a title's run, footprint and records, checked against figures
computed here from the raw files (the csv module) and the git archive, never from
chartwatch's own output."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from chartwatch.analytics.runs import ShowReport, TitleReport, title
from chartwatch.errors import NotFoundError
from chartwatch.view import View
from conftest import BUNDLE, raw_rows

GLOBAL = "all-weeks-global.tsv"
COUNTRIES = "all-weeks-countries.tsv"
FIRST_WEEK = "2021-07-04"
VIEWS_FROM = "2023-06-18"
# Old labels the bundled country lists still use; test_titles checks each against the
# archive (the same global row published under both labels).
OLD_LABELS = {
    "Ozark: Season 4": {"Ozark: Season 4 Part 1"},
    "Hometown Cha-Cha-Cha: Limited Series": {"Hometown Cha-Cha-Cha: Season 1"},
}


# -- the raw files, read independently ----------------------------------------------------
def label_of(row: dict[str, str]) -> str:
    season = row["season_title"]
    return row["show_title"] if season in ("", "N/A") else season


def num(text: str) -> int | None:
    return None if text in ("", "N/A") else int(text)


_RAW: dict[str, list[dict[str, str]]] = {}


def raw(name: str) -> list[dict[str, str]]:
    if name not in _RAW:
        _RAW[name] = raw_rows(name)
    return _RAW[name]


def run_of(label: str) -> list[dict[str, str]]:
    """The title's global rows, oldest week first."""
    rows = [r for r in raw(GLOBAL) if label_of(r) == label]
    return sorted(rows, key=lambda r: r["week"])


def expected_report(label: str) -> dict[str, Any]:
    rows = run_of(label)
    assert rows, label
    first = rows[0]
    ranks = [int(r["weekly_rank"]) for r in rows]
    hours = [num(r["weekly_hours_viewed"]) for r in rows]
    views = [num(r["weekly_views"]) for r in rows]
    peak = min(ranks)
    every_week_has_views = all(v is not None for v in views)
    measure = views if every_week_has_views else hours
    best_value = max(v for v in measure if v is not None)
    known_views = [v for v in views if v is not None]
    return {
        "category": first["category"],
        "debut": {
            "known": first["week"] != FIRST_WEEK,
            "week_start": (dt.date.fromisoformat(first["week"]) - dt.timedelta(days=6)).isoformat(),
            "week_end": first["week"],
            "rank": int(first["weekly_rank"]),
            "hours_viewed": num(first["weekly_hours_viewed"]),
            "views": num(first["weekly_views"]),
        },
        "peak_rank": peak,
        "weeks_at_peak": ranks.count(peak),
        "weeks_in_top10": len(rows),
        "weeks_at_no1": ranks.count(1),
        "total_hours_viewed": sum(h for h in hours if h is not None),
        "total_views": sum(known_views) if known_views else None,
        "best_measure": "views" if every_week_has_views else "hours_viewed",
        "best_value": best_value,
        "best_weeks": {r["week"] for r, v in zip(rows, measure, strict=True) if v == best_value},
        "weeks": [
            {
                "week_start": (dt.date.fromisoformat(r["week"]) - dt.timedelta(days=6)).isoformat(),
                "week_end": r["week"],
                "category": r["category"],
                "rank": int(r["weekly_rank"]),
                "hours_viewed": num(r["weekly_hours_viewed"]),
                "views": num(r["weekly_views"]),
                "cumulative_weeks_in_top_10": num(r["cumulative_weeks_in_top_10"]),
            }
            for r in rows
        ],
    }


def country_footprint(label: str) -> dict[str, Any]:
    """From the raw country lists: per week the countries at No. 1 / in the Top 10, and
    per country the weeks at No. 1 / in the Top 10 and its best rank."""
    labels = {label} | OLD_LABELS.get(label, set())
    no1_by_week: dict[str, set[str]] = defaultdict(set)
    top10_by_week: dict[str, set[str]] = defaultdict(set)
    per_country: dict[str, dict[str, Any]] = {}
    for r in raw(COUNTRIES):
        if label_of(r) not in labels:
            continue
        rank = int(r["weekly_rank"])
        iso = r["country_iso2"]
        top10_by_week[r["week"]].add(iso)
        entry = per_country.setdefault(
            iso, {"name": r["country_name"], "weeks": set(), "no1": set(), "best": 99}
        )
        entry["weeks"].add(r["week"])
        entry["best"] = min(entry["best"], rank)
        if rank == 1:
            no1_by_week[r["week"]].add(iso)
            entry["no1"].add(r["week"])
    weeks = {r["week"] for r in raw(COUNTRIES)}
    return {
        "no1_by_week": {w: len(s) for w, s in sorted(no1_by_week.items())},
        "top10_by_week": {w: len(s) for w, s in sorted(top10_by_week.items())},
        "no1": {
            (iso, e["name"], len(e["no1"]), e["best"]) for iso, e in per_country.items() if e["no1"]
        },
        "top10": {(iso, e["name"], len(e["weeks"]), e["best"]) for iso, e in per_country.items()},
        "cover": (min(weeks), max(weeks)),
    }


# -- twenty-four titles: four lists, both measurement eras --------------------------------
TITLES = [
    # Films (English)
    "Red Notice",
    "Don't Look Up",
    "Fear Street Part 1: 1994",  # listed in the lists' first week: no known debut
    "Sing 2",  # hours era and views era
    "The Super Mario Bros. Movie",
    "Leo",
    "Damsel",
    "Atlas",
    # Films (Non-English)
    "All Quiet on the Western Front",
    "Troll",
    "Through My Window",  # hours era and views era
    "Society of the Snow",
    # TV (English)
    "Wednesday: Season 1",
    "Stranger Things 4",
    "Ozark: Season 4",  # renamed from 'Ozark: Season 4 Part 1'
    "Manifest: Season 1",  # listed in the first week
    "Bridgerton: Season 1",  # hours era and views era
    "Bridgerton: Season 3",
    "Baby Reindeer: Limited Series",
    "Queen Charlotte: A Bridgerton Story",
    # TV (Non-English)
    "All of Us Are Dead: Season 1",
    "Squid Game: Season 1",  # hours era and views era
    "Money Heist: Part 5",
    "Lupin: Part 2",  # listed in the first week; both eras
    "Hometown Cha-Cha-Cha: Limited Series",  # renamed from '…: Season 1'
    "Queen of Tears: Limited Series",
]


def test_the_titles_cover_every_list_and_both_eras():
    categories = {run_of(t)[0]["category"] for t in TITLES}
    assert categories == {
        "Films (English)",
        "Films (Non-English)",
        "TV (English)",
        "TV (Non-English)",
    }
    eras = {t: {r["week"] >= VIEWS_FROM for r in run_of(t)} for t in TITLES}
    assert sum(e == {False} for e in eras.values()) >= 8
    assert sum(e == {True} for e in eras.values()) >= 8
    assert sum(e == {False, True} for e in eras.values()) >= 4
    assert sum(run_of(t)[0]["week"] == FIRST_WEEK for t in TITLES) >= 2


@pytest.mark.parametrize("label", TITLES)
def test_title_run_matches_the_raw_rows(bundled, label):
    exp = expected_report(label)
    report = title(View.of(bundled), label)
    assert isinstance(report, TitleReport)
    got = report.to_dict()
    assert got["label"] == label
    assert got["category"] == exp["category"]
    assert got["film"] == exp["category"].startswith("Films")
    assert got["season"] == (None if got["film"] else label)
    debut = got["debut"]
    assert {k: debut[k] for k in exp["debut"]} == exp["debut"]
    if not exp["debut"]["known"]:
        assert debut["note"] and "first week" in debut["note"]
    for key in (
        "peak_rank",
        "weeks_at_peak",
        "weeks_in_top10",
        "weeks_at_no1",
        "total_hours_viewed",
        "total_views",
    ):
        assert got[key] == exp[key], key
    best = got["best_week"]
    assert best["measure"] == exp["best_measure"]
    assert best[exp["best_measure"]] == exp["best_value"]
    assert best["week_end"] in exp["best_weeks"]
    weeks = [{k: w[k] for k in exp["weeks"][0]} for w in got["weeks"]]
    assert weeks == exp["weeks"]
    # every week carries the snapshot that published it
    for w in got["weeks"]:
        assert w["snapshot_id"] >= 1 and w["observed_at"].startswith("2024-06-26")


@pytest.mark.parametrize(
    "label",
    [
        "All of Us Are Dead: Season 1",
        "Squid Game: Season 1",
        "Ozark: Season 4",
        "Hometown Cha-Cha-Cha: Limited Series",
        "Money Heist: Part 5",
        "Red Notice",
    ],
)
def test_country_footprint_matches_the_raw_country_lists(bundled, label):
    exp = country_footprint(label)
    report = title(View.of(bundled), label)
    assert isinstance(report, TitleReport)
    c = report.to_dict()["countries"]
    assert c["no1_by_week"] == exp["no1_by_week"]
    assert c["top10_by_week"] == exp["top10_by_week"]
    assert {(x["iso2"], x["name"], x["weeks"], x["best_rank"]) for x in c["no1"]} == exp["no1"]
    assert {(x["iso2"], x["name"], x["weeks"], x["best_rank"]) for x in c["top10"]} == exp["top10"]
    assert tuple(c["lists_cover"]) == exp["cover"]
    # the week-by-week run carries the same counts; weeks without country lists say None
    for w in report.weeks:
        day = w.week_end.isoformat()
        if day <= exp["cover"][1]:
            assert w.countries_no1 == exp["no1_by_week"].get(day, 0)
            assert w.countries_top10 == exp["top10_by_week"].get(day, 0)
        else:
            assert w.countries_no1 is None and w.countries_top10 is None
    if report.weeks[-1].week_end.isoformat() > exp["cover"][1]:
        assert c["note"] and exp["cover"][1] in c["note"]


def test_renamed_title_takes_its_country_rows_from_the_old_label(bundled):
    """The bundled country lists know Ozark's fourth season only as '… Part 1'."""
    old_rows = [r for r in raw(COUNTRIES) if label_of(r) == "Ozark: Season 4 Part 1"]
    assert old_rows and not [r for r in raw(COUNTRIES) if label_of(r) == "Ozark: Season 4"]
    report = title(View.of(bundled), "Ozark: Season 4")
    assert isinstance(report, TitleReport)
    assert report.aliases == ["Ozark: Season 4 Part 1"]
    assert sum(report.countries.top10_by_week.values()) == len(old_rows)
    assert sum(report.countries.no1_by_week.values()) == sum(
        r["weekly_rank"] == "1" for r in old_rows
    )


def test_all_of_us_are_dead_countries(bundled):
    exp = country_footprint("All of Us Are Dead: Season 1")
    report = title(View.of(bundled), "All of Us Are Dead")
    assert isinstance(report, TitleReport)
    by_week = {d.isoformat(): n for d, n in report.countries.no1_by_week.items()}
    assert by_week == exp["no1_by_week"]
    # the figures docs/analytics.md quotes, as the raw lists give them
    assert exp["no1_by_week"]["2022-01-30"] == 29
    assert exp["no1_by_week"]["2022-02-06"] == 63
    assert len(exp["no1"]) == 67 == len(report.countries.no1)
    names = {(c.iso2, c.name) for c in report.countries.no1}
    assert names == {(iso, name) for iso, name, _, _ in exp["no1"]}
    assert ("KR", "South Korea") in names
    # sorted by weeks at No. 1, most first
    weeks = [c.weeks for c in report.countries.no1]
    assert weeks == sorted(weeks, reverse=True)


def test_all_of_us_are_dead_debut_record_at_the_time(bundled):
    """Its debut was the second biggest in TV (Non-English) at the time, behind Money Heist:
    Part 5 (computed from the raw rows: debuts up to the week ending 2022-01-30)."""
    firsts: dict[str, dict[str, str]] = {}
    for r in sorted(raw(GLOBAL), key=lambda r: r["week"]):
        firsts.setdefault(label_of(r), r)
    debuts = sorted(
        (
            (int(r["weekly_hours_viewed"]), lab)
            for lab, r in firsts.items()
            if r["category"] == "TV (Non-English)" and FIRST_WEEK < r["week"] <= "2022-01-30"
        ),
        reverse=True,
    )
    assert debuts[0] == (201910000, "Money Heist: Part 5")
    assert debuts[1] == (124790000, "All of Us Are Dead: Season 1")
    report = title(View.of(bundled), "All of Us Are Dead")
    assert isinstance(report, TitleReport)
    held = {r.metric: r for r in report.records}
    d = held["debut_hours"]
    assert (d.rank, d.of, d.record, d.holder, d.holder_value, d.value) == (
        2,
        len(debuts),
        False,
        "Money Heist: Part 5",
        201910000,
        124790000,
    )
    assert d.category == "TV (Non-English)" and d.week_end == dt.date(2022, 1, 30)
    # its best week (236.23M, week ending 2022-02-06) vs the best weeks up to then
    best: dict[str, int] = {}
    for r in raw(GLOBAL):
        if r["category"] == "TV (Non-English)" and r["week"] <= "2022-02-06":
            best[label_of(r)] = max(best.get(label_of(r), 0), int(r["weekly_hours_viewed"]))
    ranking = sorted(((v, k) for k, v in best.items()), reverse=True)
    w = held["week_hours"]
    position = [k for _, k in ranking].index("All of Us Are Dead: Season 1") + 1
    assert (w.value, w.rank, w.of) == (236230000, position, len(ranking))
    assert w.record == (position == 1)
    if not w.record:
        assert (w.holder_value, w.holder) == ranking[0]


def test_a_title_first_listed_in_the_first_week_has_no_debut_record(bundled):
    report = title(View.of(bundled), "Manifest: Season 1")
    assert isinstance(report, TitleReport)
    assert report.debut is not None and report.debut.known is False
    assert "debut_hours" not in {r.metric for r in report.records}


# -- the acceptance commands --------------------------------------------------------------
STABLE_KEYS = {
    "show",
    "season",
    "category",
    "debut",
    "weeks_in_top10",
    "weeks_at_no1",
    "total_hours_viewed",
    "best_week",
    "countries",
    "weeks",
}


def test_cli_all_of_us_are_dead(cli):
    result = cli("title", "All of Us Are Dead", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) >= STABLE_KEYS
    assert {"week_start", "week_end", "rank", "hours_viewed", "views"} <= set(data["debut"])
    assert {"week_end", "hours_viewed"} <= set(data["best_week"])
    assert {"no1", "top10", "no1_by_week"} <= set(data["countries"])
    assert data["show"] == "All of Us Are Dead"
    assert data["season"] == "All of Us Are Dead: Season 1"
    assert data["category"] == "TV (Non-English)"
    d = data["debut"]
    assert (d["week_start"], d["week_end"], d["rank"], d["hours_viewed"]) == (
        "2022-01-24",
        "2022-01-30",
        1,
        124790000,
    )
    exp = expected_report("All of Us Are Dead: Season 1")
    assert data["weeks_in_top10"] == exp["weeks_in_top10"] == len(data["weeks"])
    assert data["total_hours_viewed"] == exp["total_hours_viewed"]
    assert data["best_week"]["week_end"] == "2022-02-06"
    assert data["best_week"]["hours_viewed"] == 236230000


def test_cli_squid_game(cli):
    result = cli("title", "Squid Game: Season 1", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) >= STABLE_KEYS
    assert data["debut"]["week_end"] == "2021-09-19"
    assert data["debut"]["hours_viewed"] == 63190000
    exp = expected_report("Squid Game: Season 1")
    assert data["weeks_at_no1"] == exp["weeks_at_no1"]
    assert data["total_hours_viewed"] == exp["total_hours_viewed"]
    # its run reaches the views era, but not every week has views: best week by hours
    assert data["best_week"]["measure"] == "hours_viewed"
    assert data["best_week"]["hours_viewed"] == exp["best_value"]


# -- as of a date -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def archive_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("title-archive") / "repo.git"
    subprocess.run(["git", "clone", "--quiet", "--bare", str(BUNDLE), str(repo)], check=True)
    return repo


def global_published_by(repo: Path, day: str) -> list[dict[str, str]]:
    """The global file of the newest archive commit on or before ``day`` (UTC), via git."""
    git = ["git", "--git-dir", str(repo)]
    log = subprocess.run(
        [*git, "log", "--format=%H %ct", "--", GLOBAL], check=True, capture_output=True, text=True
    ).stdout.split()
    end = dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC) + dt.timedelta(days=1)
    for sha, ts in zip(log[::2], log[1::2], strict=True):  # newest first
        if dt.datetime.fromtimestamp(int(ts), dt.UTC) < end:
            text = subprocess.run(
                [*git, "show", f"{sha}:{GLOBAL}"], check=True, capture_output=True
            ).stdout.decode()
            return list(csv.DictReader(io.StringIO(text), delimiter="\t"))
    return []


@pytest.mark.parametrize(
    ("day", "weeks", "reconstructed"),
    [("2022-02-07", 1, False), ("2022-02-08", 2, True), ("2022-02-09", 2, False)],
)
def test_as_of_follows_publication(replayed_store, archive_repo, day, weeks, reconstructed):
    """A week is published on the Tuesday after it ends and the archive caught each on the
    Wednesday. As of Monday 2022-02-07 the week ending 2022-02-06 was not published; as of
    Tuesday 2022-02-08 it was, and the view takes its row from the archive's first copy of
    it (Wednesday's) and says it is reconstructed; as of Wednesday it is as fetched."""
    as_of = dt.date.fromisoformat(day)
    fetched = global_published_by(archive_repo, (as_of + dt.timedelta(days=1)).isoformat())
    published = [
        r
        for r in fetched
        if label_of(r) == "All of Us Are Dead: Season 1"
        and dt.date.fromisoformat(r["week"]) + dt.timedelta(days=2) <= as_of
    ]
    assert len(published) == weeks
    report = title(View.of(replayed_store, as_of), "All of Us Are Dead")
    assert isinstance(report, TitleReport)
    assert report.as_of == as_of
    got = [(w.week_end.isoformat(), w.rank, w.hours_viewed) for w in report.weeks]
    exp = sorted(
        (r["week"], int(r["weekly_rank"]), int(r["weekly_hours_viewed"])) for r in published
    )
    assert got == exp
    doc = report.to_dict()
    assert doc["reconstructed"] is reconstructed
    if reconstructed:
        assert doc["first_observed"] == (as_of + dt.timedelta(days=1)).isoformat()
    else:
        assert all(w.observed_at.date() <= as_of for w in report.weeks)
    assert report.debut is not None and report.debut.week_end == dt.date(2022, 1, 30)


def test_as_of_on_a_store_filled_later_is_reconstructed(bundled):
    """The bundled files were first observed in 2022-03 (countries) and 2024-06 (global),
    yet a view as of an earlier date holds the weeks published by then, from the earliest
    observed rows, and says so. The worked example of docs/store.md: All of Us Are Dead's
    debut week (ending Sunday 2022-01-30) is published on Tuesday 2022-02-01."""
    with pytest.raises(NotFoundError):
        title(View.of(bundled, dt.date(2022, 1, 31)), "All of Us Are Dead")
    debut = title(View.of(bundled, dt.date(2022, 2, 1)), "All of Us Are Dead")
    assert isinstance(debut, TitleReport)
    run = run_of("All of Us Are Dead: Season 1")
    assert [(w.week_end.isoformat(), w.hours_viewed) for w in debut.weeks] == [
        (r["week"], int(r["weekly_hours_viewed"])) for r in run[:1]
    ]
    doc = debut.to_dict()
    assert doc["reconstructed"] is True and doc["first_observed"] == "2022-03-02"
    second = title(View.of(bundled, dt.date(2022, 2, 8)), "All of Us Are Dead")
    assert isinstance(second, TitleReport) and second.weeks_in_top10 == 2
    report = title(View.of(bundled, dt.date(2024, 6, 26)), "All of Us Are Dead")
    assert isinstance(report, TitleReport)
    assert report.weeks_in_top10 == len(run_of("All of Us Are Dead: Season 1"))


def test_cli_as_of(cli):
    result = cli("title", "All of Us Are Dead", "--as-of", "2024-06-26", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["as_of"] == "2024-06-26"
    bad = cli("title", "All of Us Are Dead", "--as-of", "yesterday-ish")
    assert bad.exit_code == 2 and "Error" in bad.stderr


# -- a show with several installments -----------------------------------------------------
def test_show_view_ozark(bundled):
    report = title(View.of(bundled), "Ozark")
    assert isinstance(report, ShowReport)
    labels = sorted({label_of(r) for r in raw(GLOBAL) if r["show_title"] == "Ozark"})
    assert [line.label for line in report.installments] == labels
    assert len(labels) == 4
    for line in report.installments:
        exp = expected_report(line.label)
        assert line.weeks_in_top10 == exp["weeks_in_top10"]
        assert line.weeks_at_no1 == exp["weeks_at_no1"]
        assert line.total_hours_viewed == exp["total_hours_viewed"]
        assert line.peak_rank == exp["peak_rank"]
        assert line.debut_week_end.isoformat() == exp["debut"]["week_end"]
        assert line.debut_hours_viewed == exp["debut"]["hours_viewed"]
    assert report.weeks_in_top10 == sum(x.weeks_in_top10 for x in report.installments)
    assert report.weeks_at_no1 == sum(x.weeks_at_no1 for x in report.installments)
    assert report.total_hours_viewed == sum(x.total_hours_viewed for x in report.installments)
    ozark = [r for r in raw(GLOBAL) if r["show_title"] == "Ozark"]
    assert report.total_hours_viewed == sum(int(r["weekly_hours_viewed"]) for r in ozark)
    assert report.weeks_in_top10 == len(ozark)
    data = report.to_dict()
    assert data["show"] == "Ozark" and len(data["installments"]) == 4


# -- notebooks ----------------------------------------------------------------------------
def test_weeks_table_for_notebooks(bundled):
    report = title(View.of(bundled), "Squid Game: Season 1")
    assert isinstance(report, TitleReport)
    n = len(run_of("Squid Game: Season 1"))
    df = report.to_pandas()
    assert len(df) == n
    assert {"week_end", "rank", "hours_viewed", "views", "countries_no1"} <= set(df.columns)
    assert int(df["hours_viewed"].sum()) == report.total_hours_viewed
    table = report.to_arrow()
    assert table.num_rows == n and "week_end" in table.column_names
    pl = report.to_polars()
    assert pl.height == n and pl["rank"].min() == 1
    show = title(View.of(bundled), "Ozark")
    assert len(show.to_pandas()) == 4


# -- one name, two titles ---------------------------------------------------------------
def test_two_films_with_one_name_are_two_titles(bundled):
    """'Ballerina': a Korean film (Films (Non-English), October 2023) and an English one
    (Films (English), March 2024, cumulative weeks 1: a new title)."""
    rows = run_of("Ballerina")
    cats = {r["category"] for r in rows}
    assert cats == {"Films (English)", "Films (Non-English)"}
    english = [r for r in rows if r["category"] == "Films (English)"]
    assert [r["cumulative_weeks_in_top_10"] for r in english] == ["1"]
    films = [t for t in View.of(bundled).titles.titles.values() if t.label == "Ballerina"]
    # one per global list, and the country-list rows of 2021 that neither film's weeks
    # explain (test_namesakes checks those)
    assert sorted(str(t.category) for t in films) == [
        "Films (English)",
        "Films (Non-English)",
        "None",
    ]
    report = title(View.of(bundled), "Ballerina (2024)")
    assert isinstance(report, TitleReport)
    assert {w.category for w in report.weeks} == {"Films (English)"}
