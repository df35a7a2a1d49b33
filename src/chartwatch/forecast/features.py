"""What was known about an installment N weeks after its debut: the renewal model's inputs.

Only the weeks from the debut to the N-th week (debut + N−1 weeks) are read, and each week's
level is relative to its category's typical level up to that week, so a feature never
depends on anything published later. A week in which the installment was not in the Top 10
gets the level of that week's No. 10 as an upper bound for decay; it adds nothing to sums.

| feature | meaning |
| --- | --- |
| ``debut_level`` | log of the debut week's figure ÷ the category's typical Top 10 figure |
| ``early_level`` | log of the sum of those ratios over the weeks in the Top 10 within N |
| ``peak_rank`` | best rank within N |
| ``weeks_top10`` | weeks in the Top 10 within N |
| ``decay`` | log of week N's level ÷ the best level within N (0 = still at its best) |
| ``no1_weeks`` | weeks at No. 1 within N |
| ``non_english`` | 1 for TV (Non-English) |
| ``installment`` | log of the installment number (season 1 → 0) |
| ``countries`` | most countries with it in their Top 10 in one week within N (country |
| | lists only; shown, not a model input: see docs/forecast.md) |
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from chartwatch.forecast.history import History, pandas

DEFAULT_WEEKS = 4
MODEL_FEATURES = (
    "debut_level",
    "early_level",
    "peak_rank",
    "weeks_top10",
    "decay",
    "no1_weeks",
    "non_english",
    "installment",
)


def forecast_week(debut: dt.date, n: int) -> dt.date:
    """The week whose publication completes the first ``n`` weeks after ``debut``."""
    return debut + dt.timedelta(weeks=n - 1)


def features(history: History, units: Any, n: int = DEFAULT_WEEKS) -> Any:
    """``units`` (title, debut, category, number: one row per installment) with the features
    of its first ``n`` weeks added. Rows whose n-th week is after the history's last week
    are dropped: their features are not known yet."""
    import numpy as np

    pd = pandas()
    units = units[[forecast_week(d, n) <= history.last_week for d in units["debut"]]].reset_index(
        drop=True
    )
    if units.empty:
        return units.assign(**{f: pd.Series(dtype=float) for f in (*MODEL_FEATURES, "countries")})
    grid = units[["title", "debut", "category"]].loc[units.index.repeat(n)].copy()
    grid["i"] = np.tile(np.arange(n), len(units))
    grid["week"] = [
        d + dt.timedelta(weeks=int(i)) for d, i in zip(grid["debut"], grid["i"], strict=True)
    ]
    tv = history.weeks[~history.weeks["film"]][["title", "week", "rank", "level"]]
    grid = grid.merge(tv, on=["title", "week"], how="left").merge(
        history.floors, on=["category", "week"], how="left"
    )
    grid["listed"] = grid["rank"].notna()
    grid["bounded"] = grid["level"].fillna(grid["floor_level"])
    grid = grid.merge(
        history.countries[~history.countries["film"]][["title", "week", "countries"]],
        on=["title", "week"],
        how="left",
    )
    covered = grid["week"].isin(history.country_weeks)
    grid["countries"] = grid["countries"].fillna(0).where(covered)
    g = grid.sort_values(["title", "i"]).groupby("title", sort=False)
    agg = g.agg(
        debut_level=("level", "first"),
        early_level=("level", "sum"),
        peak_rank=("rank", "min"),
        weeks_top10=("listed", "sum"),
        best=("bounded", "max"),
        last=("bounded", "last"),
        no1_weeks=("rank", lambda r: int((r == 1).sum())),
        countries=("countries", "max"),
    ).reset_index()
    agg["debut_level"] = np.log(agg["debut_level"])
    agg["early_level"] = np.log(agg["early_level"])
    agg["decay"] = np.log(agg["last"] / agg["best"]).clip(upper=0.0)
    agg = agg.drop(columns=["best", "last"])
    out = units.merge(agg, on="title", how="left")
    out["non_english"] = (out["category"] == "TV (Non-English)").astype(float)
    out["installment"] = np.log(out["number"].astype(float))
    for col in ("peak_rank", "weeks_top10", "no1_weeks"):
        out[col] = out[col].astype(float)
    return out
