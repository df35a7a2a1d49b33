"""Search by the original-language titles the engagement reports publish (after " // "),
and no weak fuzzy matches beside strong ones. Expected pairs come from the raw workbooks
(openpyxl, ``rawengagement``) and the raw global Top 10 file (``rawdata``)."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter, defaultdict

import pytest
from rapidfuzz import fuzz

from chartwatch.engagement.names import original_names
from chartwatch.titles.search import MIN_SCORE, normalize, search
from chartwatch.view import View
from rawdata import GLOBAL, label_of, shared_rows
from rawengagement import PERIODS, rows

YEAR = re.compile(r"\s*\((?:19|20)\d\d\)")


@pytest.fixture(scope="module")
def view(bundled) -> View:
    return View.of(bundled)


def find(view: View, query: str, limit: int = 10) -> list:
    return search(view.titles, query, limit=limit, other=original_names(view))


def test_la_casa_de_papel_finds_money_heist(view: View) -> None:
    originals = {r.title: r.original_title for p in PERIODS for r in rows(p) if r.original_title}
    assert originals["Money Heist: Part 5"] == "La casa de papel: Parte 5"
    hits = find(view, "la casa de papel")
    assert (hits[0].kind, hits[0].name) == ("show", "Money Heist")
    # each part the reports name, in the Top 10 under its English name
    charted = {label_of(r) for r in shared_rows(GLOBAL)}
    parts = {t for t, o in originals.items() if o.startswith("La casa de papel: Parte")}
    assert {h.name for h in hits[1:]} == parts & charted
    # the part typed in the original language: that part first
    assert find(view, "La casa de papel: Parte 5")[0].name == "Money Heist: Part 5"
    # without the reports' names, the Spanish title finds no Money Heist
    plain = search(view.titles, "la casa de papel")
    assert not any("Money Heist" in h.name for h in plain)


def test_every_original_title_finds_its_top_10_title(view: View) -> None:
    """The original title of each report row that is a Top 10 title of a non-English list
    charting in the report's half-year (one row of that English name in the report, a year
    in brackets aside; one list for the label) finds that title."""
    weeks: dict[str, set[dt.date]] = defaultdict(set)
    lists: dict[str, set[str]] = defaultdict(set)
    for r in shared_rows(GLOBAL):
        weeks[label_of(r)].add(dt.date.fromisoformat(r["week"]))
        lists[label_of(r)].add(r["category"])
    pairs = set()
    for report, (start, end) in PERIODS.items():
        named = Counter(YEAR.sub("", r.title) for r in rows(report))
        for r in rows(report):
            if (
                r.original_title
                and named[r.title] == 1
                and len(lists[r.title]) == 1
                and "Non-English" in next(iter(lists[r.title]))
                and any(start <= w <= end for w in weeks[r.title])
                and normalize(r.original_title) != normalize(r.title)
            ):
                pairs.add((r.original_title, r.title))
    english: dict[str, set[str]] = defaultdict(set)
    for original, title in pairs:
        english[normalize(original)].add(title)
    pairs = {(o, t) for o, t in pairs if len(english[normalize(o)]) == 1}
    assert len(pairs) > 400
    missed = [
        (original, title)
        for original, title in sorted(pairs)
        if title not in {h.name for h in find(view, original, limit=5)}
    ]
    assert missed == []


def test_the_show_s_original_name_finds_the_show(view: View) -> None:
    korea = [
        r
        for r in rows("2024H1")
        if r.title.startswith("Money Heist: Korea - Joint Economic Area: Season 1")
    ]
    (row,) = korea
    show_name = row.original_title.rsplit(": ", 1)[0]  # 종이의 집: 공동경제구역
    hits = find(view, show_name)
    assert hits[0].show == "Money Heist: Korea - Joint Economic Area"


def test_strong_matches_leave_out_the_weak_ones(view: View) -> None:
    """The Legend of the Blue Sea shares "of" and "the" with "all of us are dead": a fuzzy
    match, but not one to list beside the title that has every word typed."""
    labels = {label_of(r) for r in shared_rows(GLOBAL)} | {
        r["season_title"] or r["show_title"] for r in shared_rows("all-weeks-countries.tsv")
    }
    blue_sea = "The Legend of the Blue Sea: Season 1"
    assert blue_sea in labels
    # by the fuzzy score alone it is a match (rapidfuzz's WRatio, as the search scores)
    score = fuzz.WRatio(normalize("all of us are dead"), normalize(blue_sea))
    assert score >= MIN_SCORE
    hits = find(view, "all of us are dead", limit=40)
    assert [h.name for h in hits] == ["All of Us Are Dead: Season 1"]
    # every hit has every word typed, at the start of one of its words
    for query in ("all of us", "squid game", "bridgerton"):
        for h in find(view, query):
            words = normalize(h.name).split()
            assert all(any(w.startswith(t) for w in words) for t in query.split()), (query, h)
    # a typo has no strong match: the fuzzy matches stay
    typo = find(view, "stranger thigns")
    assert any(h.kind == "show" and h.name == "Stranger Things" for h in typo)


def test_an_original_title_in_full_names_its_title_everywhere(cli, bundled_db, view) -> None:
    """`title "la casa de papel"` in the CLI resolves as the web's /title/ address does: the
    view resolves an original-language title typed in full, for every command that takes a
    title; before the first report was published the words name nothing of the kind."""
    assert view.resolve("la casa de papel").name == "Money Heist"
    part = next(r for r in rows("2023H1") if r.original_title == "La casa de papel: Parte 5")
    assert view.resolve("La casa de papel: Parte 5").label == part.title
    out = cli("title", "la casa de papel", "--db", bundled_db, "--json")
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["show"] == "Money Heist"
    first_report = min(end for _, end in PERIODS.values())
    early = cli("title", "la casa de papel", "--db", bundled_db, "--as-of", str(first_report))
    assert early.exit_code != 0 and "Money Heist" not in early.output
