"""The run forecast: totals and weeks from the first one or two weeks, its backtest, and no
leakage from later weeks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import chartwatch
from chartwatch.forecast.documents import run_forecast, running_forecast
from chartwatch.forecast.history import load_history
from chartwatch.forecast.run import (
    MIN_FORWARD,
    PUBLIC_R2,
    RUN_WEEKS,
    RunBacktest,
    _design,
    _units,
    fit_run,
    predict_run,
    run_backtest,
    whole_weeks,
)
from chartwatch.store import Store
from chartwatch.view import View
from conftest import raw_bytes, raw_rows

# an 80 % interval, measured out of time, should cover about 80 % of the outcomes
COVERAGE_BAND = (0.77, 0.85)


@pytest.fixture(scope="module")
def store(_bundled_template: Path) -> Iterator[Store]:
    st = chartwatch.open_store(_bundled_template, read_only=True)
    yield st
    st.close()


def test_history_week_figures_match_the_raw_file(store: Store) -> None:
    history = load_history(View.of(store))
    rows = [r for r in raw_rows("all-weeks-global.tsv") if r["show_title"] == "Wednesday"]
    w = history.weeks[history.weeks["title"] == "Wednesday: Season 1"].set_index("week")
    for r in rows:
        week = dt.date.fromisoformat(r["week"])
        assert w.loc[week, "hours"] == int(r["weekly_hours_viewed"])
        assert w.loc[week, "rank"] == int(r["weekly_rank"])
        assert w.loc[week, "measure"] == "hours"  # Wednesday ran before the views era


@pytest.fixture(scope="module")
def bt(store: Store) -> RunBacktest:
    return run_backtest(View.of(store))


def test_run_backtest_beats_the_public_r2_with_two_weeks(bt: RunBacktest) -> None:
    by_k = {s.weeks_used: s for s in bt.scores}
    assert by_k[1].n == by_k[2].n > 1000
    # the figures recorded in docs/forecast.md
    assert by_k[2].r2_log_hours == pytest.approx(0.916, abs=0.01)
    assert by_k[2].r2_log_hours > PUBLIC_R2
    assert by_k[1].r2_log_hours == pytest.approx(0.783, abs=0.01)
    assert bt.origins[0] == dt.date(2022, 4, 3)


def test_run_backtest_intervals_cover_about_80_percent(bt: RunBacktest) -> None:
    """Hours and weeks, from one week and from two: the share of scored titles whose outcome
    falls inside the interval forecast for it, recounted from the per-title rows."""
    lo, hi = COVERAGE_BAND
    for score in bt.scores:
        rows = [r for r in bt.predictions if r["weeks_used"] == score.weeks_used]
        assert len(rows) == score.n
        inside_hours = [r["hours_low"] <= r["total_hours"] <= r["hours_high"] for r in rows]
        inside_weeks = [r["weeks_low"] <= r["run_weeks"] <= r["weeks_high"] for r in rows]
        assert score.coverage_hours == pytest.approx(np.mean(inside_hours), abs=0.001)
        assert score.coverage_weeks == pytest.approx(np.mean(inside_weeks), abs=0.001)
        assert lo <= np.mean(inside_hours) <= hi, score
        assert lo <= np.mean(inside_weeks) <= hi, score
        for r in rows:  # weeks are whole numbers, at least the weeks already known
            assert r["weeks_low"] == int(r["weeks_low"]) and r["weeks_high"] == int(r["weeks_high"])
            assert 1 <= r["weeks_low"] <= r["weeks_high"] <= RUN_WEEKS
            assert r["hours_low"] < r["hours"] < r["hours_high"]


def test_run_backtest_intervals_are_not_far_off_in_any_category(bt: RunBacktest) -> None:
    """Non-English TV errs most, films least: each category's interval has its own width, so
    that none of them is far from 80 % (one width for all covers about half the non-English TV
    titles and nine films in ten)."""
    for k in (1, 2):
        rows = [r for r in bt.predictions if r["weeks_used"] == k]
        categories = {r["category"] for r in rows}
        assert len(categories) == 4
        for c in categories:
            mine = [r for r in rows if r["category"] == c]
            hours = np.mean([r["hours_low"] <= r["total_hours"] <= r["hours_high"] for r in mine])
            weeks = np.mean([r["weeks_low"] <= r["run_weeks"] <= r["weeks_high"] for r in mine])
            assert 0.7 <= hours <= 0.95 and 0.7 <= weeks <= 0.95, (k, c, hours, weeks)


def test_whole_weeks_hold_exactly_the_whole_numbers_in_the_range() -> None:
    assert whole_weeks(3.4, 1.5, 5.99, 1) == (3, 2, 5)
    assert whole_weeks(3.0, 2.0, 4.0, 1) == (3, 2, 4)  # bounds that are whole weeks stay in
    assert whole_weeks(1.6, 1.2, 1.9, 1) == (2, 2, 2)  # no whole week inside: the lower bound
    assert whole_weeks(1.4, 0.7, 2.5, 2) == (2, 2, 2)  # two weeks already in the Top 10
    assert whole_weeks(24.0, 15.2, 40.0, 1) == (24, 16, 26)  # the run is 26 weeks
    for low in np.arange(0.55, 9, 0.35):
        for high in np.arange(low + 1.0, 12, 0.45):
            est, a, b = whole_weeks((low * high) ** 0.5, low, high, 1)
            assert a <= est <= b
            for y in range(1, RUN_WEEKS + 1):
                assert (a <= y <= b) == (low <= y <= high)


def test_run_forecast_for_a_title_still_running(store: Store) -> None:
    r = run_forecast(View.of(store), "bridgerton season 3")
    assert r.running and r.weeks_used == 2
    assert r.hours.low <= r.hours.estimate <= r.hours.high
    assert r.views is not None  # views-era title with a runtime
    assert r.weeks_so_far == 6
    assert "million hours" in r.text


def test_run_forecast_inputs_read_only_the_first_two_weeks(store: Store) -> None:
    history = load_history(View.of(store))
    cut_week = dt.date(2022, 12, 4)  # Wednesday's second week
    full = _units(history, 2)
    cut = _units(history.until(cut_week), 2)
    full = full[full["title"].isin(cut["title"])].sort_values(["title", "film"])
    cut = cut.sort_values(["title", "film"])
    assert len(cut) > 1000
    np.testing.assert_allclose(_design(cut, 2), _design(full, 2))
    wed = predict_run(history.until(cut_week), "Wednesday: Season 1", False)
    assert wed is not None and wed.weeks_used == 2 and wed.weeks_so_far == 2


def _global_file_through(week: dt.date, path: Path) -> Path:
    """The real global file with only its weeks up to ``week`` (what was published then)."""
    lines = raw_bytes("all-weeks-global.tsv").decode("utf-8").splitlines(keepends=True)
    col = lines[0].split("\t").index("week")
    kept = [x for x in lines[1:] if dt.date.fromisoformat(x.split("\t")[col]) <= week]
    path.write_text(lines[0] + "".join(kept), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("week", "rolling"),
    [
        (dt.date(2022, 8, 28), False),  # a year of complete runs: one split at the median debut
        (dt.date(2023, 5, 28), True),  # enough for the inner rolling backtest
    ],
)
def test_run_model_and_interval_use_only_what_was_published(
    store: Store, tmp_path: Path, week: dt.date, rolling: bool
) -> None:
    """A store holding the global file only up to ``week`` and the full store cut at that week
    give the same model, the same interval widths and the same forecasts."""
    with chartwatch.open_store(tmp_path / "then.duckdb") as then:
        [result] = chartwatch.ingest(then, [_global_file_through(week, tmp_path / "g.tsv")])
        assert result.status == "accepted"
        short = load_history(View.of(then))
        full = load_history(View.of(store))
        assert full.last_week > week and short.last_week == week
        cut = full.until(week)
        for k in (1, 2):
            a, b = fit_run(short, k), fit_run(cut, k)
            assert a.n_train == b.n_train > 400
            assert a.spread_hours == b.spread_hours and a.spread_weeks == b.spread_weeks
            np.testing.assert_array_equal(a.coef_hours, b.coef_hours)
            np.testing.assert_array_equal(a.coef_weeks, b.coef_weeks)
            assert a.calibration == b.calibration == ("rolling" if rolling else "split")
            assert a.n_calibration == b.n_calibration >= (MIN_FORWARD if rolling else 200)
        running = short.weeks[short.weeks["week"] == week][["title", "film"]].head(12)
        compared = 0
        past = View.of(store, week + dt.timedelta(days=2))  # the week's lists were published
        for title, film in running.itertuples(index=False):
            fa = running_forecast(View.of(then), View.of(then).titles.titles[(title, film)])
            fb = running_forecast(past, past.titles.titles[(title, film)])
            assert (fa is None) == (fb is None), title
            if fa is not None and fb is not None:
                # the same forecast; only the view's date differs (now vs as of the week)
                assert {**fa.to_dict(), "as_of": None} == {**fb.to_dict(), "as_of": None}
                compared += 1
        assert compared >= 10


def test_title_json_has_a_forecast_only_for_titles_still_running(cli, bundled_db: Path) -> None:
    import json

    running = json.loads(cli("title", "Bridgerton: Season 3", "--db", bundled_db, "--json").stdout)
    fc = running["forecast"]
    assert fc["running"] and fc["weeks_used"] == 2
    assert fc["hours"]["low"] <= fc["hours"]["estimate"] <= fc["hours"]["high"]
    done = json.loads(cli("title", "Squid Game: Season 1", "--db", bundled_db, "--json").stdout)
    assert done["forecast"] is None
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


def test_a_forecast_is_never_below_what_has_already_happened(store: Store) -> None:
    """A run that outlasts the 26 weeks the model covers, or comes back after them, is
    forecast at no less than the hours and weeks it already has (all its weeks, from the
    raw file)."""
    rows = raw_rows("all-weeks-global.tsv")

    def published(title: str, through: str) -> tuple[int, int]:
        mine = [r for r in rows if r["season_title"] == title and r["week"] <= through]
        return sum(int(r["weekly_hours_viewed"]) for r in mine), len(mine)

    view = View.of(store)
    history = load_history(view)
    # Squid Game: Season 1 came back in its 40th week (2022-06-19): 20 weeks by then
    hours, weeks = published("Squid Game: Season 1", "2022-06-19")
    squid = predict_run(history.until(dt.date(2022, 6, 19)), "Squid Game: Season 1", False)
    assert squid is not None and squid.running and weeks == 20
    assert squid.hours_so_far == hours and squid.weeks_so_far == weeks
    assert squid.hours.low >= hours and squid.hours.estimate >= hours
    assert (squid.weeks.low, squid.weeks.high) == (weeks, weeks)
    assert f"over {weeks} weeks in the Top 10" in squid.text
    # Bridgerton: Season 2 is back in the lists' last week, long after its first run
    last = max(r["week"] for r in rows)
    hours, weeks = published("Bridgerton: Season 2", last)
    fc = running_forecast(view, view.titles.titles[("Bridgerton: Season 2", False)])
    assert fc is not None and weeks > RUN_WEEKS // 2
    assert min(fc.hours.low, fc.hours.estimate, fc.hours.high) >= hours
    for title in {r["season_title"] for r in rows if r["week"] == last} - {"N/A", ""}:
        try:
            other = run_forecast(view, title)
        except chartwatch.errors.ChartwatchError:
            continue
        done, _ = published(title, last)
        assert other.hours.low >= min(done, other.hours_so_far), title
