"""Title identity: a title is a label in its global list, so two different films Netflix lists
under one name (one in Films (English), one in Films (Non-English)) are two titles in every
command; and a show's installment labelled with the show's name alone (*Stranger Things*)
can be named. Expected figures come from the raw files (gzip + csv), never from chartwatch.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from pathlib import Path

import pytest

import rawdata
from chartwatch.analytics.compare import compare
from chartwatch.analytics.countries import countries
from chartwatch.analytics.records import records
from chartwatch.analytics.runs import ShowReport, TitleReport, title
from chartwatch.brief import brief
from chartwatch.errors import AmbiguousTitleError
from chartwatch.titles import Show, Title, search
from chartwatch.view import View
from conftest import copy_store
from rawdata import label_of, shared_rows

WEEK = dt.timedelta(days=7)


GLOBAL = shared_rows(rawdata.GLOBAL)
COUNTRY = shared_rows(rawdata.COUNTRIES)


def is_film(row: dict[str, str]) -> bool:
    return row["category"].startswith("Films")


def lang(category: str) -> str:
    return "Non-English" if "Non-English" in category else "English"


def key(label: str, film: bool, category: str | None) -> str:
    """The documented key: the label with its kind and its list."""
    where = "no global list" if category is None else lang(category)
    return f"{label} ({'film' if film else 'TV'}, {where})"


def shared() -> dict[tuple[str, bool], set[str]]:
    """Labels that the global file lists in two lists of the same kind."""
    lists: dict[tuple[str, bool], set[str]] = defaultdict(set)
    for r in GLOBAL:
        lists[(label_of(r), is_film(r))].add(r["category"])
    return {k: v for k, v in lists.items() if len(v) > 1}


SHARED = shared()
PAIRS = sorted((label, cat) for (label, _film), cats in SHARED.items() for cat in cats)


def global_run(label: str, category: str) -> list[dict[str, str]]:
    return sorted(
        (r for r in GLOBAL if label_of(r) == label and r["category"] == category),
        key=lambda r: r["week"],
    )


def country_owner() -> dict[tuple[str, str], str]:
    """(label, week) -> key, for the country rows of a shared label: a stretch of
    consecutive country weeks goes to the one film with a global week inside it or one week
    either side; a stretch no film (or both) explains stays a title of its own."""
    out: dict[tuple[str, str], str] = {}
    for (label, film), cats in SHARED.items():
        gweeks = {c: {dt.date.fromisoformat(r["week"]) for r in global_run(label, c)} for c in cats}
        weeks = sorted(
            {
                dt.date.fromisoformat(r["week"])
                for r in COUNTRY
                if label_of(r) == label and (r["category"] == "Films") == film
            }
        )
        stretches: list[list[dt.date]] = []
        for w in weeks:
            if stretches and w - stretches[-1][-1] == WEEK:
                stretches[-1].append(w)
            else:
                stretches.append([w])
        for s in stretches:
            near = [
                c for c, ws in gweeks.items() if any(s[0] - WEEK <= w <= s[-1] + WEEK for w in ws)
            ]
            owner = key(label, film, near[0] if len(near) == 1 else None)
            out.update({(label, w.isoformat()): owner for w in s})
    return out


OWNER = country_owner()


def country_rows_of(k: str) -> list[dict[str, str]]:
    return [r for r in COUNTRY if OWNER.get((label_of(r), r["week"])) == k]


# -- the raw file: what the rule rests on ------------------------------------------------------
def test_the_raw_file_lists_four_film_names_in_both_film_lists():
    assert {label for label, _ in SHARED} == {
        "Ballerina",
        "Security",
        "Inheritance",
        "Mother's Day",
    }
    assert all(film for _, film in SHARED)  # no TV label is in both TV lists today
    # each English one is a new title, not the other film moving lists: its cumulative
    # weeks start again at 1 (Ballerina, Security, Inheritance) or continue its own count
    firsts = {label: global_run(label, "Films (English)")[0] for label, _ in SHARED}
    assert firsts["Ballerina"]["cumulative_weeks_in_top_10"] == "1"
    assert firsts["Security"]["cumulative_weeks_in_top_10"] == "1"
    inherit = global_run("Inheritance", "Films (Non-English)")
    assert inherit[0]["week"] == "2024-06-23" and inherit[0]["cumulative_weeks_in_top_10"] == "1"
    english = global_run("Inheritance", "Films (English)")
    assert english[-1]["week"] == "2024-06-23"  # both listed in the same week


# -- the title_index and title ---------------------------------------------------------------------
def test_one_title_per_label_and_list(bundled):
    cat = View.of(bundled).titles
    for label, category in PAIRS:
        t = cat.by_key[key(label, True, category)]
        assert (t.label, t.category, t.film, t.key) == (
            label,
            category,
            True,
            key(label, True, category),
        )
        assert key(label, True, category) not in t.namesakes and t.namesakes
    # every other title keeps its label as its name in the analytics rows
    split = [t for t in cat.titles.values() if t.ident != t.label]
    assert {t.label for t in split} == {label for label, _ in SHARED}


@pytest.mark.parametrize(("label", "category"), PAIRS)
def test_title_report_is_one_film(bundled, label, category):
    rows = global_run(label, category)
    report = title(View.of(bundled), key(label, True, category))
    assert isinstance(report, TitleReport)
    assert report.key == key(label, True, category) and report.label == label
    assert report.category == category
    assert [w.week_end.isoformat() for w in report.weeks] == [r["week"] for r in rows]
    assert [w.category for w in report.weeks] == [category] * len(rows)
    assert report.total_hours_viewed == sum(int(r["weekly_hours_viewed"]) for r in rows)
    assert report.weeks_in_top10 == len(rows)
    assert report.peak_rank == min(int(r["weekly_rank"]) for r in rows)
    # its country rows: only those the rule gives it
    mine = country_rows_of(report.key)
    assert sum(c.weeks for c in report.countries.top10) == len(
        {(r["country_iso2"], r["week"]) for r in mine}
    )
    assert {c.iso2 for c in report.countries.top10} == {r["country_iso2"] for r in mine}


def test_ballerina_two_films_weeks_and_hours(bundled):
    """The example of the issue, spelt out: the Korean film of October 2023 and the English
    one of March 2024."""
    korean = title(View.of(bundled), "Ballerina (film, Non-English)")
    english = title(View.of(bundled), "Ballerina (2024)")
    assert isinstance(korean, TitleReport) and isinstance(english, TitleReport)
    k_rows = global_run("Ballerina", "Films (Non-English)")
    e_rows = global_run("Ballerina", "Films (English)")
    assert [w.week_end.isoformat() for w in korean.weeks] == [r["week"] for r in k_rows]
    assert korean.total_hours_viewed == sum(int(r["weekly_hours_viewed"]) for r in k_rows)
    assert korean.total_views == sum(int(r["weekly_views"]) for r in k_rows)
    assert [w.week_end.isoformat() for w in english.weeks] == [e["week"] for e in e_rows]
    assert english.total_hours_viewed == int(e_rows[0]["weekly_hours_viewed"])
    assert english.debut is not None and english.debut.known
    assert english.debut.rank == int(e_rows[0]["weekly_rank"])


def test_country_rows_no_film_explains_stay_apart(bundled):
    """Ballerina in New Zealand's list of October 2021, Inheritance in Finland's and
    Sweden's of February 2022: neither film was in the global Top 10 near those weeks."""
    for label in ("Ballerina", "Inheritance"):
        k = key(label, True, None)
        rows = country_rows_of(k)
        assert rows
        report = title(View.of(bundled), k)
        assert isinstance(report, TitleReport)
        assert report.weeks == [] and report.category is None
        assert {c.iso2 for c in report.countries.top10} == {r["country_iso2"] for r in rows}
        assert report.countries.note and "may be either" in report.countries.note
        foot = countries(View.of(bundled), k)
        assert foot.note and "may be either" in foot.note
    # and the linked ones went to the film charting then
    assert {
        r["country_iso2"] for r in country_rows_of(key("Mother's Day", True, "Films (English)"))
    } == {"US"}
    security = country_rows_of(key("Security", True, "Films (Non-English)"))
    assert {(r["country_iso2"], r["week"]) for r in security} == {("MA", "2021-07-04")}


# -- resolving ----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted({label for label, _ in SHARED}))
def test_the_bare_name_is_ambiguous_and_lists_each_with_its_list(bundled, name):
    with pytest.raises(AmbiguousTitleError) as info:
        View.of(bundled).resolve(name)
    err = info.value
    assert err.exit_code == 1
    cats = sorted(c for (label, _), cs in SHARED.items() if label == name for c in cs)
    for category in cats:
        assert any(c.startswith(f"{name} (film, {lang(category)}, ") for c in err.candidates)
    for candidate in err.candidates:  # each, as listed, names one title
        got = View.of(bundled).resolve(candidate)
        assert isinstance(got, Title) and got.label == name
        assert f"film, {got.key.split(', ')[-1].rstrip(')')}" in candidate


def test_qualifiers_pick_one(bundled):
    assert View.of(bundled).resolve("security (non-english)").category == "Films (Non-English)"
    assert View.of(bundled).resolve("Security (English)").category == "Films (English)"
    assert View.of(bundled).resolve("mothers day (film, english)").category == "Films (English)"
    hits = [h for h in search(View.of(bundled).titles, "ballerina") if h.name == "Ballerina"]
    assert sorted(h.key or "" for h in hits) == sorted(
        [key("Ballerina", True, c) for c in SHARED[("Ballerina", True)]]
        + [key("Ballerina", True, None)]
    )


# -- the other commands --------------------------------------------------------------------------
def test_records_rank_each_film_apart(bundled):
    board = records(View.of(bundled), "week_hours", category="Films (Non-English)", top=1000)
    rows = global_run("Ballerina", "Films (Non-English)")
    best = sorted(rows, key=lambda r: (-int(r["weekly_hours_viewed"]), r["week"]))[0]
    entry = next(e for e in board.entries if e.key == key("Ballerina", True, "Films (Non-English)"))
    assert (entry.value, entry.week_end.isoformat()) == (
        int(best["weekly_hours_viewed"]),
        best["week"],
    )
    assert entry.season is None and entry.show == "Ballerina"
    english = records(View.of(bundled), "debut_hours", category="Films (English)", top=1000)
    mine = [e for e in english.entries if e.key == key("Ballerina", True, "Films (English)")]
    e_rows = global_run("Ballerina", "Films (English)")
    assert [(e.value, e.week_end.isoformat()) for e in mine] == [
        (int(e_rows[0]["weekly_hours_viewed"]), e_rows[0]["week"])
    ]


def test_the_key_is_stable_before_the_namesake_arrives(replayed_store):
    """Before March 2024 Netflix had listed one Ballerina: its label alone named it, and its
    key was already the one it keeps."""
    day = dt.date(2024, 1, 1)
    cat = View.of(replayed_store, day).titles
    (only,) = [t for t in cat.titles.values() if t.label == "Ballerina"]
    assert only.ident == "Ballerina" and only.key == key("Ballerina", True, "Films (Non-English)")
    assert View.of(replayed_store, day).resolve("Ballerina") is only
    assert View.of(replayed_store, day).resolve(only.key) is only
    board = records(
        View.of(replayed_store, day), "week_hours", category="Films (Non-English)", top=1000
    )
    assert [e.key for e in board.entries if e.show == "Ballerina"] == [only.key]


def test_compare_the_two_films(bundled):
    c = compare(View.of(bundled), ["Ballerina (film, Non-English)", "Ballerina (film, English)"])
    assert [t.key for t in c.titles] == [
        key("Ballerina", True, "Films (Non-English)"),
        key("Ballerina", True, "Films (English)"),
    ]
    assert len({t.column for t in c.titles}) == 2
    k_rows = global_run("Ballerina", "Films (Non-English)")
    e_rows = global_run("Ballerina", "Films (English)")
    korean, english = (t.column for t in c.titles)
    assert c.rows[0] == {
        "week": 1,
        korean: int(k_rows[0]["weekly_hours_viewed"]),
        english: int(e_rows[0]["weekly_hours_viewed"]),
    }
    assert [r[korean] for r in c.rows] == [int(r["weekly_hours_viewed"]) for r in k_rows]


def test_countries_of_one_film(bundled):
    k = key("Security", True, "Films (English)")
    foot = countries(View.of(bundled), k)
    rows = country_rows_of(k)
    assert foot.key == k
    assert foot.countries_top10 == len({r["country_iso2"] for r in rows})
    assert [w.isoformat() for w in foot.weeks] == sorted({r["week"] for r in rows})
    with pytest.raises(AmbiguousTitleError):
        countries(View.of(bundled), "Security")


def test_brief_of_one_film(bundled):
    b = brief(View.of(bundled), "Ballerina (film, Non-English)")
    rows = global_run("Ballerina", "Films (Non-English)")
    assert b.key == key("Ballerina", True, "Films (Non-English)")
    assert b.category == "Films (Non-English)"
    total = next(f for f in b.facts if f.id == "total")
    hours = [e.figure for e in total.evidence if e.measure == "hours_viewed"]
    assert hours == [int(r["weekly_hours_viewed"]) for r in rows]
    assert all(
        e.category == "Films (Non-English)" for f in b.facts if f.id == "total" for e in f.evidence
    )


def test_forecast_history_keeps_the_films_apart(bundled):
    from chartwatch.forecast.history import load_history

    h = load_history(View.of(bundled))
    films = h.titles[h.titles["show"] == "Ballerina"]
    assert sorted(films["category"]) == sorted(SHARED[("Ballerina", True)])
    assert sorted(films["title"]) == sorted(
        key("Ballerina", True, c) for c in SHARED[("Ballerina", True)]
    )


# -- the command line and the API ------------------------------------------------------
def test_cli_title_lists_the_films_and_takes_a_key(cli):
    amb = cli("title", "Ballerina")
    assert amb.exit_code == 1 and amb.stdout == ""
    assert "Ballerina (film, English, 2024)" in amb.stderr
    assert "Ballerina (film, Non-English, 2023)" in amb.stderr
    ok = cli("title", "Ballerina (film, English)", "--json")
    assert ok.exit_code == 0, ok.stderr
    data = json.loads(ok.stdout)
    rows = global_run("Ballerina", "Films (English)")
    assert data["key"] == "Ballerina (film, English)" and data["label"] == "Ballerina"
    assert data["namesakes"] == [
        "Ballerina (film, Non-English)",
        "Ballerina (film, no global list)",
    ]
    assert [w["week_end"] for w in data["weeks"]] == [r["week"] for r in rows]
    assert data["total_hours_viewed"] == sum(int(r["weekly_hours_viewed"]) for r in rows)
    found = json.loads(cli("search", "ballerina", "--json").stdout)
    keys = [h["key"] for h in found if h["name"] == "Ballerina"]
    assert len(keys) == len(set(keys)) == 3


def test_api_title_by_key(tmp_path: Path, _bundled_template: Path):
    from fastapi.testclient import TestClient

    from chartwatch.web.app import create_app

    path = tmp_path / "store.duckdb"
    copy_store(_bundled_template, path)
    with TestClient(create_app(path)) as client:
        amb = client.get("/api/v1/title", params={"q": "Security"})
        assert amb.status_code == 404 and amb.json()["code"] == "ambiguous"
        for s in amb.json()["suggestions"]:  # each candidate's page is that film's
            assert client.get(s["url"]).status_code == 200
        body = client.get("/api/v1/title", params={"q": "Security (film, Non-English)"}).json()
        rows = global_run("Security", "Films (Non-English)")
        assert body["key"] == "Security (film, Non-English)"
        assert [w["week_end"] for w in body["weeks"]] == [r["week"] for r in rows]


# -- Stranger Things: an installment labelled with its show's name ----------------------
def test_stranger_things_installment_is_reachable(bundled):
    bare = [
        r for r in GLOBAL if r["show_title"] == "Stranger Things" and r["season_title"] == "N/A"
    ]
    others = {r["season_title"] for r in GLOBAL if r["show_title"] == "Stranger Things"} - {"N/A"}
    assert bare and others  # Netflix lists one installment under the show's name alone
    show = View.of(bundled).resolve("Stranger Things")  # the name is the show's first
    assert isinstance(show, Show) and len(show.titles) == len(others) + 1
    report = title(View.of(bundled), "Stranger Things")
    assert isinstance(report, ShowReport)
    line = next(i for i in report.installments if i.label == "Stranger Things")
    assert line.key == "Stranger Things (TV, English)"
    inst = View.of(bundled).resolve(line.key)  # the key the show view gives opens the installment
    assert isinstance(inst, Title) and inst.label == "Stranger Things"
    run = title(View.of(bundled), line.key)
    assert isinstance(run, TitleReport)
    rows = sorted(bare, key=lambda r: r["week"])
    assert [w.week_end.isoformat() for w in run.weeks] == [r["week"] for r in rows]
    assert run.total_hours_viewed == sum(int(r["weekly_hours_viewed"]) for r in rows)
    # a show's installments, as a brief lists them, can each be given back
    with pytest.raises(AmbiguousTitleError) as info:
        brief(View.of(bundled), "Stranger Things")
    named = [View.of(bundled).resolve(c) for c in info.value.candidates]
    assert all(isinstance(t, Title) for t in named)
    assert sorted(t.label for t in named) == sorted([*others, "Stranger Things"])


def test_cli_show_view_names_the_installment(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    out = cli("title", "Stranger Things")
    assert out.exit_code == 0, out.stderr
    assert "'Stranger Things (TV, English)'" in out.stdout
    data = json.loads(cli("title", "Stranger Things", "--json").stdout)
    assert "Stranger Things (TV, English)" in [i["key"] for i in data["installments"]]
    one = json.loads(cli("title", "stranger things (tv, english)", "--json").stdout)
    assert one["label"] == "Stranger Things" and one["weeks_in_top10"] == len(
        [r for r in GLOBAL if r["show_title"] == "Stranger Things" and r["season_title"] == "N/A"]
    )


def test_run_forecast_of_each_film(bundled):
    """Both Inheritance films were in the Top 10 in the last week of the lists: each has its
    own run forecast, from its own weeks."""
    from chartwatch.forecast.documents import run_forecast

    for category in sorted(SHARED[("Inheritance", True)]):
        rows = global_run("Inheritance", category)
        fc = run_forecast(View.of(bundled), key("Inheritance", True, category))
        assert fc.debut.isoformat() == rows[0]["week"]
