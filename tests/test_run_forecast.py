"""The run forecast: totals and weeks from the first one or two weeks, its backtest, and no
leakage from later weeks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import chartwatch
from chartwatch.forecast.history import load_history
from chartwatch.forecast.run import (
    PUBLIC_R2,
    _design,
    _units,
    forecast_title,
    run_backtest,
    run_forecast,
)
from chartwatch.store import Store
from conftest import raw_rows


@pytest.fixture(scope="module")
def store(_bundled_template: Path) -> Iterator[Store]:
    st = chartwatch.open_store(_bundled_template, read_only=True)
    yield st
    st.close()


def test_history_week_figures_match_the_raw_file(store: Store) -> None:
    history = load_history(store)
    rows = [r for r in raw_rows("all-weeks-global.tsv") if r["show_title"] == "Wednesday"]
    w = history.weeks[history.weeks["title"] == "Wednesday: Season 1"].set_index("week")
    for r in rows:
        week = dt.date.fromisoformat(r["week"])
        assert w.loc[week, "hours"] == int(r["weekly_hours_viewed"])
        assert w.loc[week, "rank"] == int(r["weekly_rank"])
        assert w.loc[week, "measure"] == "hours"  # Wednesday ran before the views era


def test_run_backtest_beats_the_public_r2_with_two_weeks(store: Store) -> None:
    bt = run_backtest(store)
    by_k = {s.weeks_used: s for s in bt.scores}
    assert by_k[1].n == by_k[2].n > 1000
    # the figures recorded in docs/forecast.md
    assert by_k[2].r2_log_hours == pytest.approx(0.916, abs=0.01)
    assert by_k[2].r2_log_hours > PUBLIC_R2
    assert by_k[1].r2_log_hours == pytest.approx(0.783, abs=0.01)
    assert 0.65 < by_k[2].coverage_hours < 0.9  # an 80 % interval, honestly measured
    assert bt.origins[0] == dt.date(2022, 4, 3)


def test_run_forecast_for_a_title_still_running(store: Store) -> None:
    r = run_forecast(store, "bridgerton season 3")
    assert r.running and r.weeks_used == 2
    assert r.hours.low <= r.hours.estimate <= r.hours.high
    assert r.views is not None  # views-era title with a runtime
    assert r.weeks_so_far == 6
    assert "million hours" in r.text


def test_run_forecast_inputs_read_only_the_first_two_weeks(store: Store) -> None:
    history = load_history(store)
    cut_week = dt.date(2022, 12, 4)  # Wednesday's second week
    full = _units(history, 2)
    cut = _units(history.until(cut_week), 2)
    full = full[full["title"].isin(cut["title"])].sort_values(["title", "film"])
    cut = cut.sort_values(["title", "film"])
    assert len(cut) > 1000
    np.testing.assert_allclose(_design(cut, 2), _design(full, 2))
    wed = forecast_title(history.until(cut_week), "Wednesday: Season 1", False)
    assert wed is not None and wed.weeks_used == 2 and wed.weeks_so_far == 2


def test_title_json_has_a_forecast_only_for_titles_still_running(cli, bundled_db: Path) -> None:
    import json

    running = json.loads(cli("title", "Bridgerton: Season 3", "--db", bundled_db, "--json").stdout)
    fc = running["forecast"]
    assert fc["running"] and fc["weeks_used"] == 2
    assert fc["hours"]["low"] <= fc["hours"]["estimate"] <= fc["hours"]["high"]
    done = json.loads(cli("title", "Squid Game: Season 1", "--db", bundled_db, "--json").stdout)
    assert "forecast" not in done
    table = cli("title", "Bridgerton: Season 3", "--db", bundled_db)
    assert "Forecast:" in table.stdout


def test_brief_mentions_the_forecast_with_its_caveat(cli, bundled_db: Path) -> None:
    import json

    data = json.loads(cli("brief", "Bridgerton: Season 3", "--db", bundled_db, "--json").stdout)
    fact = next(f for f in data["facts"] if f["id"] == "forecast")
    assert "statistical forecast" in fact["text"] and "not a published figure" in fact["text"]
    assert [e["week_end"] for e in fact["evidence"]] == ["2024-05-19", "2024-05-26"]
    old = json.loads(cli("brief", "All of Us Are Dead", "--db", bundled_db, "--json").stdout)
    assert all(f["id"] != "forecast" for f in old["facts"])
