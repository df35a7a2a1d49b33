"""The renewal forecast: outcomes derived from the data (dates checked in the raw files),
no leakage from later snapshots or weeks, a reproducible backtest, the CLI contract."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

import chartwatch
from chartwatch.forecast.backtest import backtest
from chartwatch.forecast.documents import greenlight, watchlist
from chartwatch.forecast.features import features, forecast_week
from chartwatch.forecast.history import load_history
from chartwatch.forecast.outcomes import DAYS_PER_MONTH, outcomes
from chartwatch.store import Store
from chartwatch.view import View
from conftest import BUNDLE, raw_rows


@pytest.fixture(scope="module")
def store(_bundled_template: Path) -> Iterator[Store]:
    """The bundled store, read-only and shared by the module (model fits are cached)."""
    st = chartwatch.open_store(_bundled_template, read_only=True)
    yield st
    st.close()


@pytest.fixture(scope="module")
def table(store: Store):
    return outcomes(load_history(View.of(store))).set_index("title")


def first_week(label: str) -> dt.date:
    """The first week ``label`` is in the global file, read with the csv module."""
    weeks = [
        dt.date.fromisoformat(r["week"])
        for r in raw_rows("all-weeks-global.tsv")
        if r["season_title"] == label
    ]
    return min(weeks)


def months(a: dt.date, b: dt.date) -> float:
    return (b - a).days / DAYS_PER_MONTH


# -- outcomes, hand-checked ---------------------------------------------------------------
def test_alice_in_borderland_season_1_was_followed_by_season_2(table) -> None:
    s1, s2 = (
        first_week("Alice in Borderland: Season 1"),
        first_week("Alice in Borderland: Season 2"),
    )
    assert (s1, s2) == (dt.date(2021, 9, 26), dt.date(2022, 12, 25))
    row = table.loc["Alice in Borderland: Season 1"]
    assert row["eligible"] and row["event"]
    assert row["debut"] == s1 and row["next_week"] == s2
    assert row["next_title"] == "Alice in Borderland: Season 2"
    assert row["months"] == pytest.approx(months(s1, s2))


def test_emily_in_paris_season_2_was_followed_by_season_3(table) -> None:
    s2, s3 = first_week("Emily in Paris: Season 2"), first_week("Emily in Paris: Season 3")
    assert (s2, s3) == (dt.date(2021, 12, 26), dt.date(2022, 12, 25))
    row = table.loc["Emily in Paris: Season 2"]
    assert row["eligible"] and row["event"]
    assert (row["debut"], row["next_week"]) == (s2, s3)
    # Season 1 first charted in the same week as Season 2: a catalogue re-entry
    assert first_week("Emily in Paris: Season 1") == s2
    s1 = table.loc["Emily in Paris: Season 1"]
    assert s1["reentry"] and not s1["eligible"]


def test_squid_game_season_1_is_censored_at_the_last_week(table) -> None:
    debut = first_week("Squid Game: Season 1")
    last = max(dt.date.fromisoformat(r["week"]) for r in raw_rows("all-weeks-global.tsv"))
    assert (debut, last) == (dt.date(2021, 9, 19), dt.date(2024, 6, 23))
    assert not any(
        r["show_title"] == "Squid Game" and r["season_title"] == "Squid Game: Season 2"
        for r in raw_rows("all-weeks-global.tsv")
    )
    row = table.loc["Squid Game: Season 1"]
    assert row["eligible"] and not row["event"] and row["next_week"] is None
    assert row["months"] == pytest.approx(months(debut, last))


def test_bridgerton_season_1_listed_beside_season_2_is_a_reentry(table) -> None:
    assert first_week("Bridgerton: Season 1") == first_week("Bridgerton: Season 2")
    assert table.loc["Bridgerton: Season 1", "reentry"]
    s2 = table.loc["Bridgerton: Season 2"]
    assert s2["eligible"] and s2["next_week"] == first_week("Bridgerton: Season 3")


def test_installments_running_when_the_lists_began_have_no_known_debut(table) -> None:
    assert first_week("Elite: Season 4") == dt.date(2021, 7, 4)
    row = table.loc["Elite: Season 4"]
    assert not row["known_debut"] and not row["eligible"]
    # its successor is a real debut
    assert table.loc["Elite: Season 5", "eligible"]


def test_limited_series_and_films_are_not_units(table) -> None:
    assert "Red Notice" not in table.index
    assert not any(table["kind"] == "limited")


# -- no leakage ---------------------------------------------------------------------------
def test_features_read_only_the_first_n_weeks(store: Store) -> None:
    history = load_history(View.of(store))
    o = outcomes(history)
    units = o[o["eligible"]].head(60)
    full = features(history, units, 4).set_index("title")
    for title, debut in zip(units["title"], units["debut"], strict=True):
        cut = history.until(forecast_week(debut, 4))
        one = features(cut, units[units["title"] == title], 4).set_index("title")
        cols = [c for c in full.columns if c.endswith(("_level", "_rank", "_top10", "decay"))]
        assert one.loc[title, cols].tolist() == pytest.approx(full.loc[title, cols].tolist())


@pytest.fixture(scope="module")
def partial_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A store built from the archive's commits up to 2022-09-01 only."""
    tmp = tmp_path_factory.mktemp("partial")
    repo = tmp / "archive"
    subprocess.run(["git", "clone", "--quiet", str(BUNDLE), str(repo)], check=True)
    commit = subprocess.run(
        ["git", "-C", str(repo), "rev-list", "-1", "--before=2022-09-01T23:59:59Z", "HEAD"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    subprocess.run(["git", "-C", str(repo), "reset", "--quiet", "--hard", commit], check=True)
    st = chartwatch.open_store(tmp / "partial.duckdb")
    chartwatch.replay(st, repo)
    yield st
    st.close()


@pytest.fixture(scope="module")
def full_store(_replayed_template: Path) -> Iterator[Store]:
    st = chartwatch.open_store(_replayed_template, read_only=True)
    yield st
    st.close()


@pytest.mark.slow
def test_forecast_as_of_a_date_ignores_later_snapshots(
    partial_store: Store, full_store: Store
) -> None:
    day = dt.date(2022, 9, 1)
    later = full_store.scalar("SELECT max(observed_at) FROM snapshots")
    assert later.date() > dt.date(2024, 1, 1)  # the full store does hold later data
    for query in ("all of us are dead", "alice in borderland season 1"):
        a = greenlight(View.of(partial_store, day), query).to_dict()
        b = greenlight(View.of(full_store, day), query).to_dict()
        assert a == b
        assert a["data_through"] <= "2022-09-01"
    wa = watchlist(View.of(partial_store, day)).to_dict()["forecasts"]
    wb = watchlist(View.of(full_store, day)).to_dict()["forecasts"]
    assert wa == wb


# -- the forecast -------------------------------------------------------------------------
def test_greenlight_contract(store: Store) -> None:
    g = greenlight(View.of(store), "squid game").to_dict()
    assert {"season", "as_of", "p_next_within", "status", "factors", "comparables"} <= set(g)
    assert g["season"] == "Squid Game: Season 1"
    p = g["p_next_within"]
    assert list(p) == ["12", "24", "36"]
    assert 0 < p["12"] <= p["24"] <= p["36"] < 1
    assert g["status"]["state"] == "waiting" and g["status"]["months"] == pytest.approx(33.1)
    assert 1 <= len(g["factors"]) <= 3 and all(f["text"] for f in g["factors"])
    assert len(g["comparables"]) == 5
    assert all(c["show"] != "Squid Game" for c in g["comparables"])
    assert all(c["debut"] < "2021-09-19" for c in g["comparables"])
    assert g["caveats"]


def test_a_charted_successor_is_reported(store: Store) -> None:
    g = greenlight(View.of(store), "alice in borderland season 1")
    assert g.status.state == "charted"
    assert g.status.next_week == dt.date(2022, 12, 25)
    assert g.p_next_within_given_not_yet is None


def test_reentries_and_running_installments_get_no_forecast(store: Store) -> None:
    g = greenlight(View.of(store), "emily in paris season 1")
    assert g.status.state == "reentry" and g.p_next_within is None
    g = greenlight(View.of(store), "elite season 4")
    assert g.status.state == "no_known_debut" and g.p_next_within is None


def test_a_recent_debut_uses_the_weeks_it_has(store: Store) -> None:
    wl = watchlist(View.of(store))
    newest = wl.forecasts[0]
    assert newest.debut == dt.date(2024, 6, 23) and newest.weeks_used == 1
    assert any("only 1 week" in c for c in newest.caveats)
    assert {g.weeks_used for g in wl.forecasts} == {1, 2, 3, 4}


def test_conditional_probability_given_no_renewal_yet(store: Store) -> None:
    g = greenlight(View.of(store), "bridgerton")  # season 3, five weeks after its debut
    assert g.season == "Bridgerton: Season 3"
    given = g.p_next_within_given_not_yet
    assert given is not None
    for h in ("12", "24", "36"):
        assert given[int(h)] <= g.p_next_within[int(h)]  # type: ignore[index]


# -- backtest -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def bt(store: Store, tmp_path_factory: pytest.TempPathFactory):
    plot = tmp_path_factory.mktemp("plot") / "calibration.png"
    return backtest(View.of(store), seed=0, plot=plot)


def test_backtest_is_reproducible(store: Store, bt) -> None:
    again = backtest(View.of(store), seed=0)
    a, b = bt.to_dict(), again.to_dict()
    a.pop("plot"), b.pop("plot")
    assert a == b
    other = backtest(View.of(store), seed=1).to_dict()
    assert other["pooled"] == a["pooled"]  # only the bootstrap interval depends on the seed


def test_backtest_figures(bt) -> None:
    assert [o.origin for o in bt.origins] == [
        dt.date(2021, 10, 3),
        dt.date(2022, 1, 2),
        dt.date(2022, 4, 3),
    ]
    pooled = {s.method: s for s in bt.pooled}
    assert pooled["model"].n == pooled["base_rate"].n > 100
    # the figures recorded in docs/forecast.md
    # (within 0.02: improvements to label parsing move them a little)
    assert pooled["model"].auc == pytest.approx(0.647, abs=0.02)
    assert pooled["debut_only"].auc == pytest.approx(0.597, abs=0.02)
    assert bt.aims["auc_met"] is False and bt.aims["beats_debut_only"] is True
    assert sum(b.n for b in bt.calibration["model"]) == pooled["model"].n
    assert Path(bt.plot).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_penalty_is_chosen_on_the_training_set_alone(store: Store) -> None:
    from chartwatch.forecast.history import load_history
    from chartwatch.forecast.models import PENALIZER, PENALTIES, choose_penalizer, fit
    from chartwatch.forecast.renewal import training_set

    train = training_set(load_history(View.of(store)))
    chosen = choose_penalizer(train)
    assert chosen in PENALTIES
    # the row order does not matter, and the fitted model reports what it used
    assert choose_penalizer(train.sample(frac=1.0, random_state=3)) == chosen
    assert fit(train).penalizer == chosen
    # too few renewals to split in time: the default
    few = train.sort_values("debut").head(8)
    assert choose_penalizer(few) == PENALIZER


def test_strict_backtest_has_no_renewals_to_learn_from_at_24_months(store: Store) -> None:
    strict = backtest(View.of(store), strict=True)
    assert all(o.skipped and "renewal" in o.skipped for o in strict.origins)
    assert strict.pooled == []


# -- CLI ----------------------------------------------------------------------------------
def test_cli_greenlight_json(cli, bundled_db: Path) -> None:
    r = cli("greenlight", "emily in paris season 2", "--db", bundled_db, "--json")
    assert r.exit_code == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["season"] == "Emily in Paris: Season 2"
    assert out["status"]["state"] == "charted"
    assert out["status"]["next_week"] == "2022-12-25"


def test_cli_greenlight_table_and_watchlist(cli, bundled_db: Path) -> None:
    r = cli("greenlight", "squid game", "--db", bundled_db)
    assert r.exit_code == 0
    assert "Squid Game: Season 1" in r.stdout and "24 months" in r.stdout
    assert "Most similar past installments" in r.stdout
    r = cli("greenlight", "--all", "--top", "5", "--sort", "debut", "--db", bundled_db)
    assert r.exit_code == 0 and "watch list" in r.stdout
    r = cli("greenlight", "--all", "--json", "--db", bundled_db)
    rows = json.loads(r.stdout)["forecasts"]
    assert len(rows) > 500 and {"season", "p_next_within", "status"} <= set(rows[0])


def test_cli_greenlight_errors(cli, bundled_db: Path) -> None:
    r = cli("greenlight", "--db", bundled_db)
    assert r.exit_code == 2 and "QUERY" in r.stderr
    r = cli("greenlight", "red notice (film)", "--db", bundled_db)
    assert r.exit_code == 1 and "numbered TV installments" in r.stderr
    r = cli("greenlight", "--all", "--sort", "nope", "--db", bundled_db)
    assert r.exit_code == 2


def test_cli_greenlight_without_the_forecast_extra_says_how_to_install_it(
    bundled_db: Path,
) -> None:
    script = f"""
import sys
sys.modules["pandas"] = None  # as if the forecast extra were not installed
sys.modules["lifelines"] = None
from chartwatch.cli import main
sys.argv = ["chartwatch", "greenlight", "squid game", "--db", {str(bundled_db)!r}]
main()
"""
    import sys

    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "pip install 'chartwatch[forecast]'" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
