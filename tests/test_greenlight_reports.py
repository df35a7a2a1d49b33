"""The renewal model's report features: values checked against the raw engagement reports
(read with openpyxl, ``rawengagement``) and the raw Top 10 file; no report read before it was
published; the backtest with and without them; greenlight reading them when the store holds
a report published by its last week."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import chartwatch
from chartwatch.forecast.backtest import backtest, origins
from chartwatch.forecast.documents import greenlight
from chartwatch.forecast.features import MODEL_FEATURES
from chartwatch.forecast.history import load_history
from chartwatch.forecast.outcomes import DAYS_PER_MONTH, outcomes
from chartwatch.forecast.report_features import (
    MIN_REPORT_RENEWALS,
    PUBLICATION_LAG,
    REPORT_FEATURES,
    load_reports,
    model_features,
    report_features,
    report_training,
    usable_from,
)
from chartwatch.store import Store
from chartwatch.view import View
from rawdata import GLOBAL, global_run, raw_rows
from rawengagement import PERIODS
from rawengagement import rows as report_rows

WEEKS = 4


@pytest.fixture(scope="module")
def store(_bundled_template: Path) -> Iterator[Store]:
    st = chartwatch.open_store(_bundled_template, read_only=True)
    yield st
    st.close()


def _partial(path: Path, keep: tuple[str, ...]) -> Store:
    """A store of the bundled Top 10 files and only the reports whose file names hold one
    of ``keep``."""
    from chartwatch.bundled import bundled_payloads
    from chartwatch.ingestion.load import ingest_payload

    st = chartwatch.open_store(path)
    for payload in bundled_payloads():
        if payload.name.endswith(".xlsx") and not any(k in payload.name for k in keep):
            continue
        assert ingest_payload(st, payload).status == "accepted"
    return st


@pytest.fixture(scope="module")
def first_report_only(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The Top 10 files and the January–June 2023 report alone."""
    st = _partial(tmp_path_factory.mktemp("first") / "store.duckdb", ("2023Jan-Jun",))
    yield st
    st.close()


def last_week() -> dt.date:
    return max(dt.date.fromisoformat(r["week"]) for r in raw_rows(GLOBAL))


def forecast_day(label: str, cutoff: dt.date) -> dt.date:
    """The forecast week of ``label`` (its first week in the raw Top 10 file + 3 weeks),
    never after ``cutoff``."""
    debut = dt.date.fromisoformat(global_run(label)[0]["week"])
    return min(debut + dt.timedelta(weeks=WEEKS - 1), cutoff)


def expected(show: str, number: int, day: dt.date) -> dict[str, float | None]:
    """The report features of ``show``'s season ``number`` as known on ``day``, from the
    raw reports: the rows ``Show: Season k`` (k ≤ number) of the reports whose half-year
    ended at least the lag before ``day``."""
    pattern = re.compile(rf"^{re.escape(show)}: Season (\d+)$")
    found = []
    for report, (start, end) in PERIODS.items():
        if end + dt.timedelta(days=168) > day:
            continue
        for r in report_rows(report):
            m = pattern.match(r.title)
            if m and int(m[1]) <= number:
                found.append((int(m[1]), report, start, end, r))
    if not found:
        return dict.fromkeys(REPORT_FEATURES)
    first_half = [
        (k, rep, r.hours_viewed / ((end - r.release_date).days + 1))
        for k, rep, start, end, r in found
        if r.release_date is not None and start <= r.release_date <= end
    ]
    runtimes = [(k, rep, r.runtime_hours) for k, rep, _, _, r in found if r.runtime_hours]
    own = [r for k, _, _, _, r in found if k == number and r.release_date is not None]
    debut = dt.date.fromisoformat(global_run(f"{show}: Season {number}")[0]["week"])
    return {
        "report_global": float(any(r.available_globally for *_, r in found)),
        "report_dated": float(any(r.release_date is not None for *_, r in found)),
        "release_gap": math.log1p(max(0, (debut - own[0].release_date).days) / DAYS_PER_MONTH)
        if own
        else None,
        "first_half_hours": math.log(max(first_half)[2]) if first_half else None,
        "runtime": math.log(max(runtimes)[2]) if runtimes else None,
    }


@pytest.fixture(scope="module")
def computed(store: Store):
    view = View.of(store)
    history = load_history(view)
    units = outcomes(history)
    units = units[units["eligible"]]
    table = report_features(load_reports(view), units, history.last_week, WEEKS)
    return history, units, table.set_index("title")


@pytest.mark.parametrize(
    ("show", "number"),
    [
        ("Love Is Blind", 6),  # its fourth season's first half-year, in the first report
        ("Sweet Tooth", 3),  # both 2023 reports: the second gives the runtime of season 2
        ("Young Sheldon", 6),  # a licensed show: not available globally, never dated
        ("Warrior", 1),  # an old season that charts years after its release
        ("Squid Game", 1),  # forecast in 2021: no report had been published
    ],
)
def test_report_features_match_the_raw_reports(computed, show: str, number: int) -> None:
    history, _units, table = computed
    assert history.last_week == last_week()
    label = f"{show}: Season {number}"
    want = expected(show, number, forecast_day(label, last_week()))
    got = table.loc[label, list(REPORT_FEATURES)]
    for feature, value in want.items():
        if value is None:
            assert math.isnan(got[feature]), (label, feature, got[feature])
        else:
            assert got[feature] == pytest.approx(value), (label, feature)


def test_the_checked_seasons_carry_every_feature(computed) -> None:
    """The parametrised checks above are not vacuous: between them every feature is known
    for at least one season."""
    _history, _units, table = computed
    checked = table.loc[["Love Is Blind: Season 6", "Sweet Tooth: Season 3", "Warrior: Season 1"]]
    assert checked[list(REPORT_FEATURES)].notna().any().all()
    assert table.loc["Young Sheldon: Season 6", "report_global"] == 0.0


# -- no leakage ---------------------------------------------------------------------------
def test_a_report_is_read_only_once_published_and_past_the_lag() -> None:
    assert PUBLICATION_LAG.days == 168  # docs/forecast.md
    # published before the lag ran out: the lag decides
    assert usable_from(dt.date(2023, 12, 31), dt.date(2024, 5, 23)) == dt.date(2024, 6, 16)
    # observed after it: the observation decides
    assert usable_from(dt.date(2023, 6, 30), dt.datetime(2024, 1, 2, 9)) == dt.date(2024, 1, 2)


def test_report_features_read_only_the_reports_published_by_the_forecast(
    computed, store: Store, first_report_only: Store
) -> None:
    """A store holding only the first report gives every installment the same report
    features as the full store, as long as the second report (usable from 2024-06-16) was
    not yet published by the forecast; and the cut matters once it was."""
    history, units, _table = computed
    view = View.of(first_report_only)
    assert load_reports(view).usable_reports(history.last_week) == ("2023H1",)
    full = load_reports(View.of(store))
    before = dt.date(2024, 6, 15)
    a = report_features(full, units, before, WEEKS).set_index("title")[list(REPORT_FEATURES)]
    b = report_features(load_reports(view), units, before, WEEKS).set_index("title")
    b = b[list(REPORT_FEATURES)]
    assert a.notna().any(axis=1).sum() >= 30  # seasons whose features the test compares
    assert a.equals(b)
    later = report_features(full, units, history.last_week, WEEKS).set_index("title")
    assert not later[list(REPORT_FEATURES)].equals(a)  # the second report, once published


def test_no_report_had_been_published_by_any_backtest_origin(computed, store: Store) -> None:
    history, units, _table = computed
    reports = load_reports(View.of(store))
    for horizon in (12, 24):
        for t in origins(history, WEEKS, horizon, 13):
            assert reports.usable_reports(t) == ()
            found = report_features(reports, units, t, WEEKS)[list(REPORT_FEATURES)]
            assert found.isna().all().all()


# -- the backtest, with and without ------------------------------------------------------
def test_backtest_with_and_without_the_reports(store: Store) -> None:
    """The last origin alone and a fixed penalty keep it short; the full backtests are
    ``bench/greenlight_reports.py``'s."""
    view = View.of(store)
    small = {"max_origins": 1, "penalizer": 0.3}
    without = backtest(view, reports=False, **small)
    with_ = backtest(view, reports=True, **small)
    a, b = without.to_dict(), with_.to_dict()
    json.dumps(a, default=str), json.dumps(b, default=str)
    assert a["features"] == list(MODEL_FEATURES) and a["reports"] == []
    assert b["features"] == [*MODEL_FEATURES, *REPORT_FEATURES]
    assert b["reports"] == ["2023H1", "2023H2"]
    methods_a = [s["method"] for s in a["pooled"]]
    methods_b = [s["method"] for s in b["pooled"]]
    assert methods_a == ["model", "debut_only", "base_rate"]
    assert methods_b == [*methods_a, "charts_only"]
    pooled_a = {s["method"]: s for s in a["pooled"]}
    pooled_b = {s["method"]: s for s in b["pooled"]}
    # the charts-only model beside it is the model without the reports, exactly
    assert pooled_b["charts_only"] == {**pooled_a["model"], "method": "charts_only"}
    # no report was published by the origin: the reports change nothing
    assert pooled_b["model"]["auc"] == pooled_a["model"]["auc"]
    assert b["aims"]["beats_charts_only"] is False
    assert b["aims"]["auc_at_least"] == 0.75
    assert b["report_features_learnt"] == 0


def test_the_default_backtest_reads_the_reports_when_the_store_has_them(store: Store) -> None:
    from chartwatch.forecast import backtests

    document = backtests(View.of(store))  # prepared with the store template
    renewal = document["renewal"]
    assert renewal["reports"] == ["2023H1", "2023H2"]
    assert {s["method"] for s in renewal["pooled"]} == {
        "model",
        "debut_only",
        "base_rate",
        "charts_only",
    }


# -- greenlight ---------------------------------------------------------------------------
def test_greenlight_reads_the_reports_published_by_its_last_week(cli, bundled_db: Path) -> None:
    printed = cli("greenlight", "Love Is Blind: Season 6", "--json", "--db", bundled_db)
    assert printed.exit_code == 0, printed.stderr
    g = json.loads(printed.stdout)
    assert g["model"]["reports"] == ["2023H1", "2023H2"]
    known = g["model"]["report_training"]
    # the seasons with a report feature at their forecast are the recent ones: too few
    # renewals among them to learn the features from, so the model is the charts'
    assert 30 <= known["installments"] < 100
    assert known["renewals"] < MIN_REPORT_RENEWALS and known["learnt"] is False
    assert g["model"]["features"] == list(MODEL_FEATURES)
    assert set(g["p_within_next"]) == {"12", "24"}
    assert any("engagement reports" in c and "charts' model" in c for c in g["caveats"])


def test_the_report_features_are_learnt_once_enough_renewals_had_them(
    computed, store: Store
) -> None:
    """With the features as the store has them at its last week for every installment (a
    hindsight study), enough renewals had them: the model then reads them."""
    from chartwatch.forecast.models import fit
    from chartwatch.forecast.renewal import training_set

    history, _units, _table = computed
    train = training_set(history, WEEKS)
    assert model_features(train, MODEL_FEATURES) == MODEL_FEATURES
    reports = load_reports(View.of(store))
    hindsight = report_features(reports, train, history.last_week, None)
    assert report_training(hindsight)["learnt"] is True
    used = model_features(hindsight, MODEL_FEATURES)
    assert used == (*MODEL_FEATURES, *REPORT_FEATURES)
    assert set(fit(hindsight, used, penalizer=0.3).coef.index) == set(used)


def test_greenlight_without_reports_reads_the_charts_alone(tmp_path: Path) -> None:
    st = _partial(tmp_path / "store.duckdb", ())
    try:
        g = greenlight(View.of(st), "Love Is Blind: Season 6").to_dict()
    finally:
        st.close()
    assert g["model"]["features"] == list(MODEL_FEATURES)
    assert g["model"]["reports"] == [] and g["model"]["report_training"] is None
    assert set(g["p_within_next"]) == {"12", "24"}
    assert not any("engagement reports" in c for c in g["caveats"])


def test_a_season_a_report_dates_but_that_never_charted_is_told(store: Store) -> None:
    """*Inside Job*: Part 2 is in the January–June 2023 report with its release date, and
    never in the global Top 10; Part 1's forecast is still waiting for a charted one, and its
    status says what the report tells."""
    (row,) = [r for r in report_rows("2023H1") if r.title == "Inside Job: Part 2"]
    assert row.release_date is not None
    assert not any(r["season_title"] == "Inside Job: Part 2" for r in raw_rows(GLOBAL))
    g = greenlight(View.of(store), "Inside Job: Part 1").to_dict()
    assert g["status"]["state"] == "waiting"
    assert g["status"]["reported_next"] == {
        "installment": "Part 2",
        "release_date": row.release_date.isoformat(),
        "report": "2023H1",
    }
    assert "engagement report 2023H1 lists Part 2" in g["status"]["text"]
    g = greenlight(View.of(store), "Squid Game: Season 1").to_dict()
    assert g["status"]["reported_next"] is None
