"""``greenlight --json``'s ``p_within_next``: the chance the next installment charts within
12 and 24 months of the view's last week, from the model's conditional probabilities. The
debut and the view's last week are read from the raw Top 10 file."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import chartwatch
from chartwatch.forecast.documents import greenlight
from chartwatch.store.store import Store
from rawdata import GLOBAL, global_run, raw_rows

WEDNESDAY = "Wednesday: Season 1"


def test_a_year_after_the_debut_the_next_12_and_24_months_are_the_24_and_36_month_chances(
    bundled: Store,
) -> None:
    debut = dt.date.fromisoformat(global_run(WEDNESDAY)[0]["week"])
    last = debut + dt.timedelta(days=364)  # a week in the raw file a year after the debut
    assert last.isoformat() in {r["week"] for r in raw_rows(GLOBAL)}
    # the Wednesday after it: that week's list is published (Netflix publishes on Tuesdays)
    g = greenlight(chartwatch.View.of(bundled, last + dt.timedelta(days=3)), WEDNESDAY).to_dict()
    assert (g["debut"], g["data_through"]) == (debut.isoformat(), last.isoformat())
    assert g["status"]["state"] == "waiting"
    nxt, given = g["p_within_next"], g["p_next_within_given_not_yet"]
    assert set(nxt) == {"12", "24"}
    assert 0 <= nxt["12"] <= nxt["24"] <= 1
    # 12 (24) months from a last week 11.96 months after the debut: the chance by month 24
    # (36) given none by now, to the rounding of the months between
    assert abs(nxt["12"] - given["24"]) <= 0.01, (nxt, given)
    assert abs(nxt["24"] - given["36"]) <= 0.01, (nxt, given)


def test_an_installment_whose_next_one_charted_has_none(bundled: Store, cli) -> None:
    printed = cli(
        "greenlight", "Alice in Borderland: Season 1", "--json", "--db", Path(bundled.path)
    )
    assert printed.exit_code == 0, printed.stderr
    g = json.loads(printed.stdout)
    assert g["status"]["state"] == "charted"
    assert "p_within_next" in g and g["p_within_next"] is None
