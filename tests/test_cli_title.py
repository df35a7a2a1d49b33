"""``chartwatch title``, ``records`` and ``search`` as a user runs them: tables with the
key lines, valid JSON, exit codes (0 ok, 1 nothing found or ambiguous, 2 bad usage), and a
cold start in a fresh process. Figures are checked against the raw files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rawdata import GLOBAL, global_run, label_of, shared_rows


@pytest.fixture
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables as wide as they need to be (no cell cut short)."""
    monkeypatch.setenv("COLUMNS", "220")


def lines(text: str) -> list[str]:
    return [" ".join(line.replace("│", " ").split()) for line in text.splitlines()]


# -- title --------------------------------------------------------------------------------
def test_title_table(cli, wide):
    result = cli("title", "All of Us Are Dead")
    assert result.exit_code == 0, result.stderr
    out = lines(result.stdout)
    rows = global_run("All of Us Are Dead: Season 1")
    assert out[0] == "All of Us Are Dead: Season 1"
    assert "show All of Us Are Dead" in out
    assert "category TV (Non-English)" in out
    assert "debut No. 1, Mon Jan 24 – Sun Jan 30, 2022, 124.79M hours" in out
    assert f"weeks in Top 10 {len(rows)}" in out
    assert f"weeks at No. 1 {sum(r['weekly_rank'] == '1' for r in rows)}" in out
    total = sum(int(r["weekly_hours_viewed"]) for r in rows)
    assert f"total in the Top 10 {total / 1e6:,.2f}M hours" in out
    assert "best week Mon Jan 31 – Sun Feb 6, 2022: 236.23M hours (No. 1)" in out
    assert any(
        line.startswith("record? debut hours: No. 2 of") and "Money Heist: Part 5 (201.91M)" in line
        for line in out
    )
    assert "Week by week" in out
    # one line per week, with its rank and hours
    for r in rows:
        hours = f"{int(r['weekly_hours_viewed']) / 1e6:,.2f}M"
        assert any(f" {r['weekly_rank']} {hours}" in line for line in out), r["week"]
    # the debut week's country counts (No. 1 in 29 countries)
    assert any(line.startswith("Mon Jan 24 – Sun Jan 30, 2022 1 124.79M 29 ") for line in out)


def test_title_table_for_a_title_already_running_in_the_first_week(cli, wide):
    result = cli("title", "Manifest: Season 1")
    assert result.exit_code == 0, result.stderr
    out = lines(result.stdout)
    assert any(line.startswith("first listed No. ") for line in out)
    assert not any(line.startswith("debut ") for line in out)
    assert any("its run began earlier" in line for line in out)


def test_title_table_for_a_renamed_title(cli, wide):
    result = cli("title", "Ozark: Season 4 Part 1")
    assert result.exit_code == 0, result.stderr
    out = lines(result.stdout)
    assert out[0] == "Ozark: Season 4"
    assert "also published as Ozark: Season 4 Part 1" in out


def test_show_table(cli, wide):
    result = cli("title", "Ozark")
    assert result.exit_code == 0, result.stderr
    out = lines(result.stdout)
    assert out[0] == "Ozark: 4 charted installments"
    ozark = [r for r in shared_rows(GLOBAL) if r["show_title"] == "Ozark"]
    for n in range(1, 5):
        assert any(line.startswith(f"Ozark: Season {n} TV (English) ") for line in out)
    total = sum(int(r["weekly_hours_viewed"]) for r in ozark)
    no1 = sum(r["weekly_rank"] == "1" for r in ozark)
    assert f"total {len(ozark)} {no1} {total / 1e6:,.2f}M" in out


def test_title_json_is_valid_and_complete(cli):
    for query in ("Red Notice", "Bridgerton: Season 3", "Ozark"):
        result = cli("title", query, "--json")
        assert result.exit_code == 0, (query, result.stderr)
        data = json.loads(result.stdout)
        assert isinstance(data, dict)
    film = json.loads(cli("title", "Red Notice", "--json").stdout)
    assert film["film"] is True and film["season"] is None and film["show"] == "Red Notice"
    assert film["category"] == "Films (English)"
    views = json.loads(cli("title", "Bridgerton: Season 3", "--json").stdout)
    rows = global_run("Bridgerton: Season 3")
    assert views["debut"]["views"] == int(rows[0]["weekly_views"])
    assert views["total_views"] == sum(int(r["weekly_views"]) for r in rows)
    assert views["best_week"]["measure"] == "views"
    show = json.loads(cli("title", "Ozark", "--json").stdout)
    assert show["show"] == "Ozark" and len(show["installments"]) == 4


def test_title_ambiguous_lists_candidates(cli):
    result = cli("title", "squid")
    assert result.exit_code == 1
    assert result.stdout == ""
    err = result.stderr.splitlines()
    if err[0].startswith("chartwatch: "):  # the first-use notice
        err = err[1:]
    assert err[0].startswith("Error: 'squid' matches ")
    listed = [line.strip() for line in err[1:]]
    assert "Squid Game: Season 1 (TV, 2021)" in listed
    assert "Squid Game: The Challenge: Season 1 (TV, 2023)" in listed
    # a line as listed picks that title
    picked = cli("title", "Squid Game: The Challenge: Season 1 (TV, 2023)", "--json")
    assert picked.exit_code == 0, picked.stderr
    assert json.loads(picked.stdout)["label"] == "Squid Game: The Challenge: Season 1"


def test_title_ambiguous_the_stranger(cli):
    result = cli("title", "the stranger", "--json")
    assert result.exit_code == 1 and result.stdout == ""
    listed = [line.strip() for line in result.stderr.splitlines()]
    assert any(line.startswith("Error: 'the stranger' matches") for line in listed)
    assert any(line.startswith("The Stranger (film") for line in listed)
    assert any(line.startswith("The Stranger: Limited Series (TV") for line in listed)
    film = cli("title", "The Stranger (film)", "--json")
    assert film.exit_code == 0
    assert json.loads(film.stdout)["film"] is True


def test_title_not_found(cli):
    result = cli("title", "xyzzy plugh")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1].startswith("Error: no title matches 'xyzzy plugh'")


def test_title_bad_date(cli):
    result = cli("title", "Red Notice", "--as-of", "2022-13-45")
    assert result.exit_code == 2
    assert "--as-of" in result.stderr


# -- records ------------------------------------------------------------------------------
def test_records_table(cli, wide):
    result = cli(
        "records", "--metric", "debut_hours", "--category", "TV (Non-English)", "--top", "3"
    )
    assert result.exit_code == 0, result.stderr
    out = lines(result.stdout)
    assert out[0] == "hours viewed in the debut week · TV (Non-English)"
    # computed from the raw rows: first week per title, the lists' first week left out
    firsts: dict[str, dict[str, str]] = {}
    for r in sorted(shared_rows(GLOBAL), key=lambda r: r["week"]):
        firsts.setdefault(label_of(r), r)
    debuts = sorted(
        (
            (int(r["weekly_hours_viewed"]), lab)
            for lab, r in firsts.items()
            if r["category"] == "TV (Non-English)" and r["week"] != "2021-07-04"
        ),
        reverse=True,
    )[:3]
    body = [line for line in out if line[:2] in ("1 ", "2 ", "3 ")]
    assert len(body) == 3
    for (hours, label), line in zip(debuts, body, strict=True):
        assert label in line and line.endswith(f"{hours / 1e6:,.2f}M")


def test_records_table_counts_and_as_of(cli, wide):
    result = cli("records", "--metric", "weeks_in_top10", "--top", "2", "--as-of", "2024-06-26")
    assert result.exit_code == 0, result.stderr
    out = lines(result.stdout)
    assert out[0] == "weeks in the global Top 10 · all categories, as of 2024-06-26"
    counts: dict[str, int] = {}
    for r in shared_rows(GLOBAL):
        counts[label_of(r)] = counts.get(label_of(r), 0) + 1
    best = max(counts.values())
    leaders = {k for k, v in counts.items() if v == best}
    assert any(line.startswith("1 ") and line.endswith(f" {best}") for line in out)
    assert any(line.startswith("1 ") and any(k in line for k in leaders) for line in out)


def test_records_json_and_exit_codes(cli):
    ok = cli("records", "--metric", "countries_no1", "--category", "TV", "--top", "4", "--json")
    assert ok.exit_code == 0, ok.stderr
    data = json.loads(ok.stdout)["entries"]
    assert len(data) == 4
    keys = {"rank", "show", "season", "category", "week_end", "value", "key"}
    assert all(set(e) == keys for e in data)
    assert {e["category"] for e in data} == {"TV"}
    bad = cli("records", "--metric", "nope")
    assert bad.exit_code == 2 and "Error:" in bad.stderr
    none = cli("records", "--metric", "first_28_days_hours", "--json")
    assert none.exit_code == 1 and none.stdout == ""
    assert "--as-of" in none.stderr
    early = cli("records", "--metric", "debut_views", "--as-of", "2022-01-30")
    assert early.exit_code == 1
    top = cli("records", "--metric", "debut_hours", "--top", "1001")
    assert top.exit_code == 2


# -- search -------------------------------------------------------------------------------
def test_search_table(cli, wide):
    result = cli("search", "squid game")
    assert result.exit_code == 0, result.stderr
    out = lines(result.stdout)
    assert out[0] == "Titles matching 'squid game'"
    first = next(line for line in out if line.startswith("Squid Game"))
    assert first.startswith("Squid Game: Season 1 TV TV (Non-English) 2021-09-19 ")


def test_search_json(cli):
    result = cli("search", "stranger thigns", "--json", "--limit", "5")
    assert result.exit_code == 0, result.stderr
    hits = json.loads(result.stdout)
    assert 1 <= len(hits) <= 5
    assert {
        "kind",
        "name",
        "show",
        "film",
        "category",
        "installments",
        "first_week",
        "last_week",
        "score",
        "key",
    } == set(hits[0])
    assert any(h["kind"] == "show" and h["name"] == "Stranger Things" for h in hits)
    scores = [h["score"] for h in hits]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize("as_json", [False, True])
def test_search_nothing_found(cli, as_json):
    args = ["search", "xyzzy plugh"] + (["--json"] if as_json else [])
    result = cli(*args)
    assert result.exit_code == 1
    if as_json:
        assert json.loads(result.stdout) == []
    else:
        assert "no title matches" in result.stderr


def test_search_accents(cli):
    result = cli("search", "senora acero", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)[0]["show"] == "Señora Acero"


# -- cold start ---------------------------------------------------------------------------
@pytest.mark.slow
def test_cold_start_in_a_fresh_process(tmp_path: Path):
    """First use of an empty store in a new process: one notice, then the answer."""
    env = {**os.environ, "CHARTWATCH_DB": str(tmp_path / "fresh.duckdb")}
    cmd = [sys.executable, "-m", "chartwatch", "title", "All of Us Are Dead", "--json"]
    started = time.monotonic()
    first = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    elapsed = time.monotonic() - started
    assert first.returncode == 0, first.stderr
    notices = [line for line in first.stderr.splitlines() if line]
    assert len(notices) == 1 and "loaded the bundled Netflix data" in notices[0]
    data = json.loads(first.stdout)
    assert data["debut"]["week_end"] == "2022-01-30"
    assert data["debut"]["hours_viewed"] == 124790000
    assert elapsed < 60
    again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and again.stderr == ""
    assert json.loads(again.stdout) == data
    table = subprocess.run(
        [sys.executable, "-m", "chartwatch", "title", "squid"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert table.returncode == 1 and "Squid Game: Season 1 (TV, 2021)" in table.stderr
