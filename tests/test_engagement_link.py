"""Linking report rows to Top 10 titles: coverage of what charted, and tricky pairs.

The titles that charted in a half-year are counted from the raw global TSV; the report
rows are read from the raw workbooks with openpyxl. The tricky pairs (namesakes, years,
dubs, renamed seasons) were checked by hand; each one's evidence is re-checked from the raw
files here: the row exists in the report and, where the report gives a release date, the
title's first week in the raw Top 10 falls after it.
"""

from __future__ import annotations

import datetime as dt

import pytest

from chartwatch.engagement.link import ReportRow, link, report_rows, store_links, store_titles
from rawdata import GLOBAL, label_of, shared_rows
from rawengagement import PERIODS, rows

# (report, Top 10 label, its global list, the report's Title cell, its release date or None)
# A cell of None: no row of that report is the title (it came out later, or is a namesake).
TRICKY: list[tuple[str, str, str, str | None, str | None]] = [
    # namesakes: two films called Monster, and a third "Monster // 怪物"
    ("2024H1", "Monster", "Films (Non-English)", "Monster", "2024-05-16"),
    ("2023H1", "Monster", "Films (Non-English)", None, None),
    ("2023H2", "Monster", "Films (Non-English)", None, None),
    # one label, a film in each global list
    ("2024H1", "Ballerina", "Films (English)", "Ballerina (2016)", None),
    ("2024H1", "Ballerina", "Films (Non-English)", "Ballerina // 발레리나", "2023-10-06"),
    ("2023H2", "Ballerina", "Films (Non-English)", "Ballerina // 발레리나", "2023-10-06"),
    ("2023H2", "Mother's Day", "Films (English)", "Mother's Day (2016)", None),
    ("2023H1", "Mother's Day", "Films (Non-English)", "Mother's Day // Dzień Matki", "2023-05-24"),
    ("2023H1", "Security", "Films (Non-English)", "Security", "2021-06-16"),
    ("2024H1", "Security", "Films (English)", "Security (2017)", None),
    # a Netflix film of 2018 is not the title that charted in the non-English list in 2023
    ("2023H1", "Ibiza", "Films (Non-English)", "Ibiza (2019)", None),
    # a later film of an older one's name
    ("2023H2", "The Killer", "Films (English)", "The Killer", "2023-11-10"),
    ("2023H1", "The Killer", "Films (English)", None, None),
    (
        "2024H1",
        "City Hunter",
        "Films (Non-English)",
        "City Hunter // シティーハンター",
        "2024-04-25",
    ),
    ("2023H1", "City Hunter", "Films (Non-English)", None, None),
    ("2023H2", "Long Shot", "Films (English)", "Long Shot (2019)", None),
    # films told apart by a year
    ("2023H1", "Home", "Films (English)", "Home (2015)", None),
    ("2023H2", "Home", "Films (English)", "Home (2015)", None),
    ("2024H1", "Home", "Films (English)", "Home (2015)", None),
    ("2024H1", "The Judge", "Films (English)", "The Judge (2014)", None),
    ("2024H1", "Anna", "Films (English)", "Anna (2019)", None),
    ("2024H1", "Shooter", "Films (English)", "Shooter (2007)", None),
    ("2023H2", "Shooter", "Films (English)", "Shooter (2007)", None),
    ("2024H1", "The Accountant", "Films (English)", "The Accountant (2016)", None),
    ("2024H1", "Turbo", "Films (English)", "Turbo (2013)", None),
    ("2024H1", "Alone", "Films (English)", "Alone (2020)", None),
    ("2024H1", "The Vow", "Films (English)", "The Vow (2012)", None),
    ("2024H1", "Dune", "Films (English)", "Dune (2021)", None),
    ("2023H1", "Missing", "Films (English)", "Missing (2023)", None),
    ("2023H1", "The Son", "Films (English)", "The Son (2022)", None),
    ("2023H1", "The Mule", "Films (English)", "The Mule (2018)", None),
    ("2023H2", "Ramabanam", "Films (Non-English)", "Ramabanam (2023)", None),
    ("2024H1", "Rewind", "Films (Non-English)", "Rewind (2023)", None),
    ("2024H1", "The Courier", "Films (Non-English)", "The Courier // El correo", None),
    ("2023H1", "Chiquititas", "TV (Non-English)", "Chiquititas (2013)", None),
    ("2023H2", "School Spirits: Season 1", "TV (English)", "School Spirits (2023): Season 1", None),
    ("2023H1", "New Amsterdam: Season 1", "TV (English)", "New Amsterdam (2018): Season 1", None),
    ("2023H1", "New Amsterdam: Season 4", "TV (English)", "New Amsterdam (2018): Season 4", None),
    ("2023H2", "Suits: Season 1", "TV (English)", "Suits (2011): Season 1", None),
    # dubs
    ("2023H1", "Sir (Hindi)", "Films (Non-English)", "Sir (Hindi) (2023)", None),
    ("2023H1", "Sir", "Films (Non-English)", "Sir (2023)", None),
    ("2023H2", "Leo (Hindi)", "Films (Non-English)", "Leo (Hindi) (2023)", None),
    ("2023H2", "Leo", "Films (English)", "Leo", "2023-11-21"),
    # season wordings
    (
        "2023H1",
        "Reborn Rich: Limited Series",
        "TV (Non-English)",
        "Reborn Rich // 재벌집 막내아들",
        None,
    ),
    ("2023H1", "Red Rose: Limited Series", "TV (English)", "Red Rose: Season 1", "2023-02-15"),
    ("2023H1", "True Beauty: Limited Series", "TV (Non-English)", "True Beauty // 여신강림", None),
    (
        "2023H2",
        "True Beauty: Limited Series",
        "TV (Non-English)",
        "True Beauty: Limited Series // 여신강림: 리미티드 시리즈",
        None,
    ),
    ("2023H1", "Mr. Queen: Limited Series", "TV (Non-English)", "Mr. Queen // 철인왕후", None),
    (
        "2023H1",
        "Agency: Limited Series",
        "TV (Non-English)",
        "Agency: Season 1 // 대행사: 시즌 1",
        None,
    ),
    (
        "2023H1",
        "Lies Hidden in my Garden: Limited Series",
        "TV (Non-English)",
        "Lies Hidden in my Garden: Season 1 // 마당이 있는 집: Season 1",
        None,
    ),
    ("2023H2", "Our Planet: II", "TV (English)", "Our Planet II", None),
    ("2023H2", "Is It Cake?: Is It Cake, Too?", "TV (English)", "Is It Cake, Too?", "2023-06-30"),
    ("2024H1", "Larva in Mars: Larva In Mars", "TV (Non-English)", "Larva In Mars", None),
    ("2024H1", "Love Is Blind: Season 6", "TV (English)", "Love Is Blind: Season 6", None),
    ("2023H1", "Love Is Blind: Season 4", "TV (English)", "Love Is Blind: Season 4", "2023-03-24"),
    ("2023H2", "Love Is Blind: Season 5", "TV (English)", "Love Is Blind: Season 5", "2023-09-22"),
    (
        "2024H1",
        "Love on the Spectrum: Season 2",
        "TV (English)",
        "Love on the Spectrum: Season 2",
        "2024-01-19",
    ),
    # original titles and dated films that share a name with older ones
    ("2023H1", "Noise", "Films (Non-English)", "Noise // Ruido", "2023-01-11"),
    (
        "2023H1",
        "Unlocked",
        "Films (Non-English)",
        "Unlocked // 스마트폰을 떨어뜨렸을 뿐인데",
        "2023-02-17",
    ),
    ("2023H1", "A Beautiful Life", "Films (Non-English)", "A Beautiful Life", "2023-06-01"),
    ("2023H2", "Happy Ending", "Films (Non-English)", "Happy Ending", "2023-09-01"),
    ("2023H2", "Keys to the Heart", "Films (Non-English)", "Keys to the Heart", "2023-10-04"),
    ("2023H2", "Locked In", "Films (English)", "Locked In", "2023-11-01"),
    ("2023H1", "Extraction", "Films (English)", "Extraction", "2020-04-24"),
    (
        "2024H1",
        "Society of the Snow",
        "Films (Non-English)",
        "Society of the Snow // La sociedad de la nieve",
        "2024-01-04",
    ),
    ("2024H1", "Under Paris", "Films (Non-English)", "Under Paris // Sous la Seine", None),
]


def _first_week(label: str, category: str) -> dt.date | None:
    weeks = [
        r["week"] for r in shared_rows(GLOBAL) if label_of(r) == label and r["category"] == category
    ]
    return dt.date.fromisoformat(min(weeks)) if weeks else None


@pytest.fixture(scope="module")
def links(bundled):
    return store_links(bundled)


@pytest.fixture(scope="module")
def keys(bundled) -> dict[tuple[str, str], str]:
    """(label, global list) -> title key, for every label a title was published under."""
    out: dict[tuple[str, str], str] = {}
    for t in store_titles(bundled):
        for label in t.labels:
            if t.category is not None:
                out[(label, t.category)] = t.key
    return out


def test_tricky_pairs_have_no_wrong_link(links, keys) -> None:
    assert len(TRICKY) >= 60
    placed = links.by_title()
    wrong = []
    for report, label, category, cell, released in TRICKY:
        # the evidence, from the raw files: the Top 10 label in that list, the report's row
        first = _first_week(label, category)
        assert first is not None, (label, category)
        if cell is not None:
            matches = [
                r
                for r in rows(report)
                if r.cell == cell
                and (released is None or r.release_date == dt.date.fromisoformat(released))
            ]
            assert len(matches) == 1, (report, cell)
            row = matches[0]
            if row.release_date is not None:
                assert row.release_date - dt.timedelta(days=7) <= first, (label, row)
            same = [r for r in rows(report) if r.sheet == row.sheet and r.title == row.title]
            expected = (report, row.sheet, row.title, same.index(row) + 1)
        key = keys[(label, category)]
        got = placed.get((report, key))
        if cell is None:
            if got is not None:
                wrong.append((report, label, category, got))
            continue
        # the same title and, among equal titles, the same occurrence (row order in its sheet)
        if got is None or (got[2], got[3]) != (expected[2], expected[3]):
            wrong.append((report, label, category, got))
    assert wrong == []


@pytest.mark.parametrize("report", sorted(PERIODS))
def test_titles_in_the_global_top_10_during_the_half_year_are_linked(report, links, keys) -> None:
    start, end = PERIODS[report]
    charted = {
        keys[(label_of(r), r["category"])]
        for r in shared_rows(GLOBAL)
        if start <= dt.date.fromisoformat(r["week"]) <= end
    }
    placed = links.by_title()
    linked = [k for k in charted if (report, k) in placed]
    assert len(charted) > 400
    assert len(linked) / len(charted) >= 0.99, sorted(set(charted) - set(linked))


def test_each_row_has_one_title_and_each_title_one_row_per_report(links) -> None:
    seen = set()
    for row, ln in links.by_row.items():
        assert (row[0], ln.title) not in seen
        seen.add((row[0], ln.title))


def test_link_is_a_pure_function_of_rows_and_titles(bundled) -> None:
    titles = store_titles(bundled)
    monster = [t for t in titles if t.label == "Monster" and t.film]
    rows_in = [
        ReportRow(
            "2024H1",
            "film",
            "Monster",
            1,
            None,
            dt.date(2021, 5, 7),
            1_300_000,
            dt.date(2024, 1, 1),
            dt.date(2024, 6, 30),
        ),
        ReportRow(
            "2024H1",
            "film",
            "Monster",
            2,
            None,
            dt.date(2024, 5, 16),
            9_800_000,
            dt.date(2024, 1, 1),
            dt.date(2024, 6, 30),
        ),
    ]
    got = link(rows_in, monster)
    assert [(k[3], v.title) for k, v in got.by_row.items()] == [(2, monster[0].key)]
    # the rows the store holds are the report's rows
    assert len(report_rows(bundled)) == sum(len(rows(r)) for r in PERIODS)
