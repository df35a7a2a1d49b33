"""`chartwatch brief`: sentences over computed values, each figure traced to a real row.

Expected numbers come from the raw TSVs parsed with the csv module (``rawdata``), never
from chartwatch's own output; only the wording around them is chartwatch's.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from functools import cache
from pathlib import Path

import pytest

import chartwatch
from chartwatch.brief import Brief, brief
from chartwatch.errors import AmbiguousTitleError, NotFoundError
from chartwatch.view import View
from rawdata import COUNTRIES, GLOBAL, global_run, label_of, raw_bytes, shared_rows

FIRST_WEEK = "2021-07-04"
VIEWS_FROM = "2023-06-18"
AOUAD = "All of Us Are Dead: Season 1"
SQUID = "Squid Game: Season 1"
EVIDENCE_KEYS = {
    "list",
    "week_end",
    "category",
    "rank",
    "figure",
    "measure",
    "snapshot_id",
    "observed_at",
    "title",
}


# -- the raw files, independently ------------------------------------------------------------


@cache
def global_by_key() -> dict[tuple[str, str, int], dict[str, str]]:
    return {(r["week"], r["category"], int(r["weekly_rank"])): r for r in shared_rows(GLOBAL)}


def hours(row: dict[str, str]) -> int:
    return int(row["weekly_hours_viewed"])


def views(row: dict[str, str]) -> int:
    return int(row["weekly_views"])


def millions(value: int) -> str:
    """An independent spelling of Netflix figures: 124790000 -> '124.79 million'."""
    return f"{value / 1e6:.2f}".rstrip("0").rstrip(".") + " million"


def debuts(category: str, through: str, *, views_only: bool = False) -> list[tuple[int, str]]:
    """(figure, label) of every debut in ``category`` up to ``through``, biggest first;
    titles already listed in the lists' first week are not debuts."""
    first: dict[str, dict[str, str]] = {}
    for r in sorted(shared_rows(GLOBAL), key=lambda r: r["week"]):
        if r["category"] == category:
            first.setdefault(label_of(r), r)
    out = []
    for name, r in first.items():
        if r["week"] == FIRST_WEEK or r["week"] > through:
            continue
        if views_only:
            if r["week"] >= VIEWS_FROM:
                out.append((views(r), name))
        else:
            out.append((hours(r), name))
    return sorted(out, reverse=True)


def fact(b: Brief | dict, fid: str) -> dict:
    data = b if isinstance(b, dict) else b.to_dict()
    found = [f for f in data["facts"] if f["id"] == fid]
    assert len(found) == 1, (fid, [f["id"] for f in data["facts"]])
    return found[0]


def check_engagement_evidence(e: dict) -> None:
    """A release date's evidence is the report's row (read with openpyxl) that gives it."""
    from rawengagement import PERIODS, rows

    assert e["measure"] == "release_date" and e["rank"] is None
    assert e["week_end"] == PERIODS[e["report"]][1].isoformat()
    (row,) = [r for r in rows(e["report"]) if r.title == e["title"]]
    assert row.release_date is not None and row.hours_viewed == e["figure"]


def check_evidence(data: dict) -> None:
    """Every evidence row points at a real published row with the same figure."""
    for f in data["facts"]:
        for e in f["evidence"]:
            assert set(e) >= EVIDENCE_KEYS, e
            assert e["snapshot_id"] >= 1 and e["observed_at"]
            if e["list"] == "global":
                row = global_by_key()[(e["week_end"], e["category"], e["rank"])]
                assert label_of(row) == e["title"], (f["id"], e)
                column = {"hours_viewed": "weekly_hours_viewed", "views": "weekly_views"}
                assert e["measure"] in column, e
                assert int(row[column[e["measure"]]]) == e["figure"], (f["id"], e)
                if e["measure"] == "views":
                    assert e["week_end"] >= VIEWS_FROM
                assert "country_iso2" not in e
            elif e["list"] == "engagement":
                check_engagement_evidence(e)
            else:
                assert e["list"] == "countries"
                rows = [
                    r
                    for r in shared_rows(COUNTRIES)
                    if r["week"] == e["week_end"] and label_of(r) == e["title"]
                ]
                if e["measure"] == "rank":
                    assert e["figure"] is None
                    hit = [r for r in rows if r["country_iso2"] == e["country_iso2"]]
                    assert [int(r["weekly_rank"]) for r in hit] == [e["rank"]]
                    assert hit[0]["category"] == e["category"]
                elif e["measure"] == "countries_no1":
                    assert e["figure"] == sum(r["weekly_rank"] == "1" for r in rows)
                    assert "country_iso2" not in e
                else:
                    assert e["measure"] == "countries_top10"
                    assert e["figure"] == len({r["country_iso2"] for r in rows})


@pytest.fixture
def store(bundled_store):
    return bundled_store


# -- the acceptance case -----------------------------------------------------------------------


def test_all_of_us_are_dead_vs_squid_game(store):
    weeks = global_run(AOUAD)
    first, category = weeks[0], weeks[0]["category"]
    assert (first["week"], first["weekly_rank"], category) == (
        "2022-01-30",
        "1",
        "TV (Non-English)",
    )
    b = brief(View.of(store), "All of Us Are Dead", vs="Squid Game")
    data = b.to_dict()
    assert (data["label"], data["show"], data["category"]) == (
        AOUAD,
        "All of Us Are Dead",
        category,
    )
    assert data["vs"] == SQUID and data["as_of"] is None and data["notes"] == []

    debut = fact(b, "debut")["text"]
    assert millions(hours(first)) == "124.79 million"
    assert "debuted at No. 1" in debut
    assert "124.79 million hours viewed for Jan. 24–30, 2022" in debut
    # the release date from the earliest engagement report that gives one (read with openpyxl)
    from rawengagement import PERIODS, rows

    dated = [r for rep in PERIODS for r in rows(rep) if r.title == AOUAD and r.release_date]
    assert dated[0].release_date == dt.date(2022, 1, 28)
    assert debut.startswith(f"{AOUAD}, released on Jan. 28, 2022, debuted at No. 1")
    (ev,) = [e for e in fact(b, "debut")["evidence"] if e["list"] == "engagement"]
    assert (ev["report"], ev["figure"]) == ("2023H1", dated[0].hours_viewed)

    board = debuts(category, first["week"])
    place = [name for _, name in board].index(AOUAD) + 1
    leader_hours, leader = board[0]
    leader_row = global_run(leader)[0]
    assert (place, leader) == (2, "Money Heist: Part 5")
    record = fact(b, "debut_record")["text"]
    assert record.startswith(f"It was not the {category} debut record at the time")
    assert f"No. 2 of {len(board)} debuts" in record
    assert (
        f"behind Money Heist: Part 5's {millions(leader_hours)} hours "
        "(week of Aug. 30–Sept. 5, 2021)" in record
    )
    assert leader_row["week"] == "2021-09-05" and millions(leader_hours) == "201.91 million"

    # best week, and where it stood among all single weeks (and titles' best weeks) then
    best = max(weeks, key=hours)
    assert (best["week"], millions(hours(best))) == ("2022-02-06", "236.23 million")
    singles = [
        r for r in shared_rows(GLOBAL) if r["category"] == category and r["week"] <= "2022-02-06"
    ]
    rank = 1 + sum(hours(r) > hours(best) for r in singles)
    per_title: dict[str, int] = defaultdict(int)
    for r in singles:
        per_title[label_of(r)] = max(per_title[label_of(r)], hours(r))
    title_rank = 1 + sum(v > hours(best) for v in per_title.values())
    top = max(singles, key=hours)
    text = fact(b, "best_week")["text"]
    assert "236.23 million hours viewed" in text and "Jan. 31–Feb. 6, 2022" in text
    assert f"No. {rank} among all {len(singles)} single weeks of {category} titles" in text
    assert f"No. {title_rank} of {len(per_title)} titles" in text
    assert f"{label_of(top)}'s {millions(hours(top))} hours" in text

    no1 = [r for r in weeks if r["weekly_rank"] == "1"]
    assert len(no1) == 5
    text = fact(b, "weeks_at_no1")["text"]
    assert "5 weeks at No. 1" in text and f"{len(weeks)} weeks in the Top 10" in text

    # country counts, per week and in total
    mine = [r for r in shared_rows(COUNTRIES) if label_of(r) == AOUAD]
    per_week: dict[str, int] = defaultdict(int)
    for r in mine:
        per_week[r["week"]] += r["weekly_rank"] == "1"
    counts = [n for _, n in sorted(per_week.items()) if n]
    assert counts == [29, 63, 35, 9, 1]
    assert sorted(w for w, n in per_week.items() if n)[-1] == "2022-02-27"
    total_no1 = len({r["country_iso2"] for r in mine if r["weekly_rank"] == "1"})
    text = fact(b, "countries")["text"]
    assert (
        "No. 1 in 29 countries in the week of Jan. 24–30, 2022; 63 in Jan. 31–Feb. 6, 2022; "
        "35 in Feb. 7–13, 2022; 9 in Feb. 14–20, 2022; and 1 in Feb. 21–27, 2022: "
        f"{total_no1} countries in all." in text
    )
    assert "country lists end with the week of Feb. 21–27, 2022" in text
    # said once in the brief, not after each of the two country facts
    every = " ".join(f["text"] for f in b.to_dict()["facts"])
    assert every.count("country lists end") == 1
    top10 = fact(b, "countries_top10")
    total_top10 = len({r["country_iso2"] for r in mine})
    assert f"{total_top10} countries in all" in top10["text"]
    no1_rows = [e for e in fact(b, "countries")["evidence"] if e["measure"] == "rank"]
    assert len(no1_rows) == total_no1

    total = sum(hours(r) for r in weeks)
    assert millions(total) == "659.51 million"
    assert f"watched for {millions(total)} hours" in fact(b, "total")["text"]

    squid = global_run(SQUID)[0]
    text = fact(b, "vs")["text"]
    assert squid["week"] == "2021-09-19" and millions(hours(squid)) == "63.19 million"
    assert f"{SQUID} debuted at No. {squid['weekly_rank']} with 63.19 million hours viewed" in text
    assert "(Sept. 13–19, 2021)" in text
    assert round(hours(first) / hours(squid)) == 2
    assert "All of Us Are Dead's debut was about 2× Squid Game's" in text

    check_evidence(data)
    assert len(b.table_rows()) == sum(len(f["evidence"]) for f in data["facts"])
    ids = [f["id"] for f in data["facts"]]
    assert ids == [
        "debut",
        "debut_record",
        "best_week",
        "weeks_at_no1",
        "countries",
        "countries_top10",
        "total",
        "renewal",  # no season 2 in the raw file: the forecast says how likely one is
        "vs",
    ]
    assert not any(
        label_of(r).startswith("All of Us Are Dead: Season 2") for r in shared_rows(GLOBAL)
    )


def test_views_era_title_leads_with_views(store):
    name = "Bridgerton: Season 3"
    weeks = global_run(name)
    first, category = weeks[0], weeks[0]["category"]
    assert first["week"] >= "2024-01-01" and first["weekly_views"]
    assert first["week"] == "2024-05-19"
    b = brief(View.of(store), name)
    data = b.to_dict()
    text = fact(b, "debut")["text"]
    assert (
        f"No. {first['weekly_rank']} in the global {category} Top 10 with "
        f"{millions(views(first))} views and {millions(hours(first))} hours viewed "
        "for May 13–19, 2024" in text
    )
    assert text.index("views") < text.index("hours")

    by_views = debuts(category, first["week"], views_only=True)
    by_hours = debuts(category, first["week"])
    v_place = [n for _, n in by_views].index(name) + 1
    h_place = [n for _, n in by_hours].index(name) + 1
    record = fact(b, "debut_record")
    status = "was" if v_place == 1 else "was not"
    assert (
        f"By views, Netflix's ranking measure since June 2023, it {status} the {category} "
        "debut record at the time" in record["text"]
    )
    assert (
        f"No. {v_place} of {len(by_views)} debuts since views were first published"
        in record["text"]
    )
    assert f"By hours viewed, it was No. {h_place} of {len(by_hours)} debuts" in record["text"]
    # views are compared only with views (views era), hours with hours
    for e in record["evidence"]:
        if e["measure"] == "views":
            assert e["week_end"] >= VIEWS_FROM

    best = max(weeks, key=views)
    text = fact(b, "best_week")["text"]
    assert f"with {millions(views(best))} views ({millions(hours(best))} hours viewed)" in text
    assert "By views" in text

    total_views = sum(views(r) for r in weeks)
    total_hours = sum(hours(r) for r in weeks)
    assert (
        f"drew {millions(total_views)} views and {millions(total_hours)} hours viewed"
        in fact(b, "total")["text"]
    )
    # its weeks are after the bundled country lists: said, not counted as zero
    assert "before Bridgerton: Season 3's run" in fact(b, "countries")["text"]
    check_evidence(data)


def test_title_running_in_the_first_week_has_no_debut(store):
    first_week = [
        r
        for r in shared_rows(GLOBAL)
        if r["week"] == FIRST_WEEK and r["category"] == "TV (English)"
    ]
    row = min(first_week, key=lambda r: int(r["weekly_rank"]))
    name = label_of(row)
    b = brief(View.of(store), name)
    data = b.to_dict()
    ids = [f["id"] for f in data["facts"]]
    assert "debut" not in ids and "debut_record" not in ids
    assert ids[0] == "first_listed"
    for f in data["facts"]:
        assert "debut" not in f["text"].lower(), f["text"]
    text = fact(b, "first_listed")["text"]
    assert "already in the global TV (English) Top 10 in the lists' first week" in text
    assert "June 28–July 4, 2021" in text and "not known" in text
    assert f"{millions(hours(row))} hours viewed" in text
    assert "best published week" in fact(b, "best_week")["text"]
    assert "since the lists began" in fact(b, "total")["text"]
    check_evidence(data)


def test_as_of_keeps_only_weeks_up_to_the_date(store):
    b = brief(View.of(store, dt.date(2022, 2, 8)), "All of Us Are Dead", vs="Squid Game")
    data = b.to_dict()
    known = [r for r in global_run(AOUAD) if r["week"] <= "2022-02-08"]
    assert [r["week"] for r in known] == ["2022-01-30", "2022-02-06"]
    assert data["as_of"] == "2022-02-08"
    # the bundled files were first observed later (2022-03, 2024-06): the weeks published by
    # then, from the earliest observed rows, and it says so
    assert data["reconstructed"] is True and data["first_observed"] == "2022-03-02"
    assert data["notes"] and "reconstructed from files first observed" in data["notes"][0]
    assert "2 weeks at No. 1" in fact(b, "weeks_at_no1")["text"]
    assert "2 weeks in the Top 10" in fact(b, "weeks_at_no1")["text"]
    total = sum(hours(r) for r in known)
    assert f"watched for {millions(total)} hours" in fact(b, "total")["text"]
    countries = fact(b, "countries")["text"]
    assert "29 countries in the week of Jan. 24–30, 2022 and 63 in Jan. 31–Feb. 6, 2022" in (
        countries
    )
    assert "Feb. 7–13" not in countries
    squid = [r for r in global_run(SQUID) if r["week"] <= "2022-02-08"]
    assert f"{len(squid)} weeks in the global Top 10" in fact(b, "vs")["text"]
    for f in data["facts"]:
        for e in f["evidence"]:
            assert e["week_end"] <= "2022-02-08", (f["id"], e)
    check_evidence(data)


def test_as_of_uses_what_was_published_by_then(tmp_path: Path):
    """A store that observed the files on 2022-02-08 answers as published then."""
    paths = []
    for name in ("all-weeks-global.tsv", "all-weeks-countries.tsv"):
        path = tmp_path / name
        path.write_bytes(raw_bytes(name))
        paths.append(path)
    observed = dt.datetime(2022, 2, 8, 12, tzinfo=dt.UTC)
    with chartwatch.open_store(tmp_path / "s.duckdb") as st:
        chartwatch.ingest(st, paths, observed_at=observed)
        b = brief(View.of(st, dt.date(2022, 2, 8)), "All of Us Are Dead")
        assert b.to_dict()["reconstructed"] is False and b.notes == []
        assert "2 weeks at No. 1" in fact(b, "weeks_at_no1")["text"]
        for f in b.facts:
            for e in f.evidence:
                assert e.observed_at == observed
        earlier = brief(View.of(st, dt.date(2022, 2, 5)), "All of Us Are Dead")
        assert earlier.to_dict()["reconstructed"] is True and earlier.notes
        assert "1 week at No. 1" in fact(earlier, "weeks_at_no1")["text"]
        with pytest.raises(NotFoundError, match="by 2022-01-29"):
            brief(View.of(st, dt.date(2022, 1, 29)), "All of Us Are Dead")


def test_a_show_with_several_installments_is_not_guessed(store):
    with pytest.raises(AmbiguousTitleError) as info:
        brief(View.of(store), "Stranger Things")
    assert "is a show with" in info.value.message
    assert any("Stranger Things 4" in c for c in info.value.candidates)


# -- the CLI -----------------------------------------------------------------------------------


def test_cli_json_shape(cli):
    result = cli("brief", "All of Us Are Dead", "--vs", "Squid Game", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) >= {"label", "show", "category", "as_of", "facts"}
    for f in data["facts"]:
        assert set(f) == {"id", "text", "evidence"}
        assert isinstance(f["text"], str) and f["text"].endswith(".")
        for e in f["evidence"]:
            keys = set(e) - {"country_iso2", "report"}
            assert keys == EVIDENCE_KEYS
            assert ("country_iso2" in e) == (e["measure"] == "rank")
            assert ("report" in e) == (e["list"] == "engagement")
    check_evidence(data)


def test_cli_text_has_facts_and_evidence_lines(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    result = cli("brief", "All of Us Are Dead", "--vs", "Squid Game")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "124.79 million hours viewed for Jan. 24–30, 2022" in out
    assert (
        "global · TV (Non-English) · week ending 2022-01-30 · No. 1 · 124,790,000 hours · "
        "snapshot " in out
    )
    assert "Money Heist: Part 5 · global · TV (Non-English) · week ending 2021-09-05" in out
    assert "countries · TV · week ending 2022-01-30 · No. 1 in 29 countries" in out
    assert "more (--json lists them all)" in out


def test_cli_unknown_vs_exits_1(cli):
    result = cli("brief", "All of Us Are Dead", "--vs", "qqqzzzxxx")
    assert result.exit_code == 1
    assert "no title matches 'qqqzzzxxx'" in result.stderr
    assert result.stdout == ""


def test_cli_show_lists_installments_and_bad_date(cli):
    result = cli("brief", "Stranger Things")
    assert result.exit_code == 1
    assert "Stranger Things 4" in result.stderr
    result = cli("brief", "All of Us Are Dead", "--as-of", "2022-02-30")
    assert result.exit_code == 2


# -- the renewal forecast --------------------------------------------------------------------


def test_a_season_waiting_for_its_next_gets_the_renewal_forecast(store) -> None:
    from chartwatch.forecast.documents import greenlight

    b = brief(View.of(store), AOUAD)
    fact = next(f for f in b.facts if f.id == "renewal")
    g = greenlight(View.of(store), AOUAD)
    assert g.status.state == "waiting"
    p = g.p_next_within
    assert f"{p[24]:.0%} chance" in fact.text and f"{p[12]:.0%} within 12" in fact.text
    assert "not a published fact" in fact.text and "docs/forecast.md" in fact.text
    # it rests on the first weeks it read, as published (the raw file's rows)
    run = global_run(AOUAD)[: g.weeks_used]
    assert [(e.week_end.isoformat(), e.figure) for e in fact.evidence] == [
        (r["week"], hours(r)) for r in run
    ]


def test_a_season_whose_next_has_charted_gets_no_renewal_forecast(store) -> None:
    # Emily in Paris: Season 3 entered the lists after Season 2 (raw file, hand-checked)
    seasons = {r["week"] for r in global_run("Emily in Paris: Season 3")}
    assert min(seasons) > global_run("Emily in Paris: Season 2")[0]["week"]
    b = brief(View.of(store), "Emily in Paris: Season 2")
    assert "renewal" not in [f.id for f in b.facts]
    film = brief(View.of(store), "Red Notice")
    assert "renewal" not in [f.id for f in film.facts]
