"""``countries``: a title's country footprint, checked against the raw TSVs read with csv."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

import chartwatch
from chartwatch.analytics.countries import countries
from chartwatch.errors import AmbiguousTitleError, NotFoundError
from chartwatch.titles.index import rename_pairs
from chartwatch.view import View
from conftest import BUNDLE
from rawdata import COUNTRIES, GLOBAL, label_of, shared_rows

AOUAD = "All of Us Are Dead: Season 1"
AOUAD_WEEKS = [dt.date(2022, 1, 30) + dt.timedelta(weeks=i) for i in range(5)]


@cache
def raw_global_weeks(label: str) -> list[dt.date]:
    return sorted(
        {dt.date.fromisoformat(r["week"]) for r in shared_rows(GLOBAL) if label_of(r) == label}
    )


def raw_ranks(label: str) -> dict[tuple[str, dt.date], int]:
    """(iso2, week) -> rank of ``label`` in the raw country lists."""
    return {
        (r["country_iso2"], dt.date.fromisoformat(r["week"])): int(r["weekly_rank"])
        for r in shared_rows(COUNTRIES)
        if label_of(r) == label
    }


def raw_country_names() -> dict[str, str]:
    return {r["country_iso2"]: r["country_name"] for r in shared_rows(COUNTRIES)}


def raw_cover() -> tuple[dt.date, dt.date]:
    weeks = {dt.date.fromisoformat(r["week"]) for r in shared_rows(COUNTRIES)}
    return min(weeks), max(weeks)


def test_all_of_us_are_dead_no1_per_week(bundled_store):
    ranks = raw_ranks(AOUAD)
    raw_no1 = Counter(week for (_, week), rank in ranks.items() if rank == 1)
    raw_top10 = Counter(week for (_, week) in ranks)
    assert [raw_no1[w] for w in AOUAD_WEEKS] == [29, 63, 35, 9, 1]

    f = countries(View.of(bundled_store), "all of us are dead")
    assert f.label == AOUAD and f.category == "TV (Non-English)" and not f.film
    # its weeks: the global run (to 2022-04-10) cut to the weeks with country lists
    cover = raw_cover()
    assert f.weeks == [w for w in raw_global_weeks(AOUAD) if w <= cover[1]] == AOUAD_WEEKS
    assert f.lists_cover == cover
    assert f.no1_by_week == {w: raw_no1[w] for w in AOUAD_WEEKS}
    assert f.top10_by_week == {w: raw_top10[w] for w in AOUAD_WEEKS}
    assert f.countries_no1 == len({iso for (iso, _), rank in ranks.items() if rank == 1})
    assert f.countries_top10 == len({iso for iso, _ in ranks})
    assert "2022-02-27" in (f.note or "")


def test_every_cell_matches_the_raw_file(bundled_store):
    ranks = raw_ranks(AOUAD)
    names = raw_country_names()
    f = countries(View.of(bundled_store), AOUAD)
    assert {c.iso2 for c in f.countries} == set(names)  # every country with lists
    for c in f.countries:
        assert c.name == names[c.iso2]
        assert c.by_week == {w: ranks.get((c.iso2, w)) for w in AOUAD_WEEKS}
        assert c.no1_weeks == sum(ranks.get((c.iso2, w)) == 1 for w in AOUAD_WEEKS)
        assert c.top10_weeks == sum((c.iso2, w) in ranks for w in AOUAD_WEEKS)
    # best first
    keys = [(-c.no1_weeks, -c.top10_weeks) for c in f.countries]
    assert keys == sorted(keys)


def test_the_json_has_every_cell_of_the_raw_file(bundled_store):
    """The document (written without the generic conversion, for speed) holds every
    country's weeks as the raw file has them, dates as ISO text (its keys' order:
    test_cli_json)."""
    ranks = raw_ranks(AOUAD)
    f = countries(View.of(bundled_store), AOUAD)
    doc = f.to_dict()
    assert doc["weeks"] == [w.isoformat() for w in AOUAD_WEEKS]
    for c in doc["countries"]:
        assert set(c) == {"iso2", "name", "no1_weeks", "top10_weeks", "best_rank", "by_week"}
        assert c["by_week"] == {w.isoformat(): ranks.get((c["iso2"], w)) for w in AOUAD_WEEKS}
    assert json.loads(json.dumps(doc)) == doc


def test_no1_countries_in_the_second_week(bundled_store):
    week = dt.date(2022, 2, 6)
    expected = {iso for (iso, w), rank in raw_ranks(AOUAD).items() if w == week and rank == 1}
    assert len(expected) == 63
    f = countries(View.of(bundled_store), AOUAD)
    assert {c.iso2 for c in f.countries if c.by_week[week] == 1} == expected


def test_week_option_takes_any_day_of_the_week(bundled_store):
    wednesday = dt.date(2022, 2, 9)
    f = countries(View.of(bundled_store), AOUAD, week=wednesday)
    sunday = dt.date(2022, 2, 13)
    assert f.week == sunday and f.weeks == [sunday]
    ranks = raw_ranks(AOUAD)
    assert f.no1_by_week == {sunday: sum(r == 1 for (_, w), r in ranks.items() if w == sunday)}
    for c in f.countries:
        assert c.by_week == {sunday: ranks.get((c.iso2, sunday))}
    assert f.note is None


def test_table_rows_one_per_country_and_week(bundled_store):
    f = countries(View.of(bundled_store), AOUAD)
    df = f.to_pandas()
    assert len(df) == len(raw_country_names()) * len(AOUAD_WEEKS)
    assert list(df.columns) == ["iso2", "name", "week_end", "rank", "status"]
    ranks = raw_ranks(AOUAD)
    no1 = df[df.status == "no1"]
    assert len(no1) == sum(r == 1 for r in ranks.values())
    assert len(df[df.status == "top10"]) == sum(1 < r <= 10 for r in ranks.values())
    absent = df[df.status == "absent"]
    assert len(absent) == len(df) - len(ranks)
    assert absent["rank"].isna().all()


@pytest.fixture(scope="module")
def old_global_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dt.datetime]:
    """The newest global file in the git archive that still says "Ozark: Season 4 Part 1"
    (Netflix later renamed it "Ozark: Season 4"), and when it was committed."""
    repo = tmp_path_factory.mktemp("archive") / "repo"
    subprocess.run(["git", "clone", "-q", str(BUNDLE), str(repo)], check=True)

    def git(*args: str) -> bytes:
        return subprocess.run(
            ["git", "-C", str(repo), *args], check=True, capture_output=True
        ).stdout

    log = git("log", "--format=%H %cI", "--", "all-weeks-global.tsv").decode().split("\n")
    for line in filter(None, log):
        commit, when = line.split()
        data = git("show", f"{commit}:all-weeks-global.tsv")
        if b"\tOzark: Season 4 Part 1\t" in data:
            path = repo.parent / "all-weeks-global.tsv"
            path.write_bytes(data)
            return path, dt.datetime.fromisoformat(when)
    raise AssertionError("no global file with the old label")


def test_renamed_title_counts_its_old_label_in_the_country_lists(bundled_store, old_global_file):
    # the country lists kept the old label only
    labels = {label_of(r) for r in shared_rows(COUNTRIES) if r["show_title"] == "Ozark"}
    assert "Ozark: Season 4 Part 1" in labels and "Ozark: Season 4" not in labels
    week = dt.date(2022, 1, 30)
    old = raw_ranks("Ozark: Season 4 Part 1")
    expected = {iso: rank for (iso, w), rank in old.items() if w == week}
    assert expected
    # the store learns the rename from the revision: the older global file, as published then
    path, committed = old_global_file
    [result] = chartwatch.ingest(bundled_store, [path], observed_at=committed)
    assert result.status == "accepted"
    pairs = {frozenset(pair) for pair in rename_pairs(bundled_store)}
    assert {"Ozark: Season 4 Part 1", "Ozark: Season 4"} in pairs

    f = countries(View.of(bundled_store), "ozark: season 4", week=dt.date(2022, 1, 27))
    assert f.label == "Ozark: Season 4"
    assert "Ozark: Season 4 Part 1" in f.aliases
    assert f.weeks == [week]
    assert {c.iso2: c.by_week[week] for c in f.countries if c.by_week[week]} == expected
    assert f.no1_by_week[week] == sum(r == 1 for r in expected.values())
    assert f.top10_by_week[week] == len(expected)
    assert f.countries_top10 == len(expected)
    # and the whole run: every week the old label is in a country list
    whole = countries(View.of(bundled_store), "Ozark: Season 4")
    assert {w for (_, w) in old} <= set(whole.weeks)
    for c in whole.countries:
        for w, rank in c.by_week.items():
            assert rank == old.get((c.iso2, w))


def test_title_after_the_country_lists_is_not_found(bundled_store):
    cover = raw_cover()
    assert raw_global_weeks("Stranger Things 4")[0] > cover[1]
    with pytest.raises(NotFoundError) as info:
        countries(View.of(bundled_store), "stranger things 4")
    assert str(cover[1]) in str(info.value) and "country lists" in str(info.value)


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (dt.date(2023, 8, 2), "no country lists for the week ending 2023-08-06"),
        (dt.date(2021, 8, 1), "in no Top 10 in the week ending 2021-08-01"),
    ],
)
def test_week_without_the_title(bundled_store, day, message):
    with pytest.raises(NotFoundError, match=message):
        countries(View.of(bundled_store), AOUAD, week=day)


def test_a_show_asks_for_one_installment(bundled_store):
    with pytest.raises(AmbiguousTitleError) as info:
        countries(View.of(bundled_store), "ozark")
    assert any(c.startswith("Ozark: Season 1 (") for c in info.value.candidates)


# -- CLI -------------------------------------------------------------------------------------


def test_cli_json(cli):
    result = cli("countries", "all of us are dead", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data) == [
        "label",
        "show",
        "film",
        "category",
        "as_of",
        "week",
        "weeks",
        "countries",
        "countries_no1",
        "countries_top10",
        "no1_by_week",
        "top10_by_week",
        "lists_cover",
        "note",
        "aliases",
        "key",
        "reconstructed",
        "first_observed",
    ]
    assert data["weeks"] == [w.isoformat() for w in AOUAD_WEEKS]
    assert list(data["no1_by_week"].values()) == [29, 63, 35, 9, 1]
    cover = raw_cover()
    assert data["lists_cover"] == [cover[0].isoformat(), cover[1].isoformat()]
    first = data["countries"][0]
    assert list(first) == ["iso2", "name", "no1_weeks", "top10_weeks", "best_rank", "by_week"]
    assert list(first["by_week"]) == data["weeks"]
    ranks = raw_ranks(AOUAD)
    for c in data["countries"]:
        for week, rank in c["by_week"].items():
            assert rank == ranks.get((c["iso2"], dt.date.fromisoformat(week)))


def test_cli_table_and_week(cli, bundled_db):
    result = cli("countries", "all of us are dead", "--week", "2022-02-02", "--db", bundled_db)
    assert result.exit_code == 0, result.stderr
    out = " ".join(result.stdout.split())
    week = dt.date(2022, 2, 6)
    ranks = {iso: r for (iso, w), r in raw_ranks(AOUAD).items() if w == week}
    no1 = sum(r == 1 for r in ranks.values())
    assert f"No. 1 in {no1} and in the Top 10 in {len(ranks)} of {len(raw_country_names())}" in out
    assert "2022-02-06" in out


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["stranger things 4"], 1, "country lists cover only"),
        (["ozark"], 1, "installments"),
        (["all of us are dead", "--week", "2023-08-02"], 1, "no country lists"),
        (["all of us are dead", "--week", "last week"], 2, "--week"),
        (["all of us are dead", "--as-of", "yesterday"], 2, "--as-of"),
    ],
)
def test_cli_exit_codes(cli, bundled_db, args, code, message):
    result = cli("countries", *args, "--db", bundled_db)
    assert result.exit_code == code
    assert message in result.stderr
    assert result.stdout == ""
