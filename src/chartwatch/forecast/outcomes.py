"""Renewal outcomes derived from the charts: did the show's next installment chart, and when?

The units are TV installments with a number (a season, part, volume, book, chapter or
collection). Limited series, specials and films have no next installment to wait for and are
left out; a first season that Netflix later relabelled as a limited series stays in, under
the label a forecaster saw at the time.

For installment *k* of a show:

- **debut**: its first week in the global Top 10. An installment already listed in the lists'
  first week (2021-07-04) has no known debut (``known_debut`` False): its run began earlier.
- **catalogue re-entry**: an installment that first charts after, in the same week as, or at
  most two weeks before a later installment of its show is an old season pulled back by the
  new one, not a debut (``reentry`` True): *Bridgerton: Season 1*, first listed in March 2022
  beside *Season 2*; *The Witcher: Season 1*, listed the week before *Season 2* arrived.
  The two weeks are known before any forecast is made (forecasts wait for
  :data:`~chartwatch.forecast.features.DEFAULT_WEEKS` weeks after the debut).
- **event**: a later installment of the same show (*k*+1, or a later one when *k*+1 never
  charted) enters the global Top 10 after *k*'s debut. ``months`` runs from *k*'s debut week
  to that week; without an event it runs to the last week of the view (censored).

Only installments with a known debut that are not re-entries are forecast and learnt from
(``eligible``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from chartwatch.forecast.history import History, pandas

NUMBERED = ("season", "part", "volume", "book", "chapter", "collection")
REENTRY_WEEKS = 2  # a later installment this close after a first listing makes it a re-entry
DAYS_PER_MONTH = 365.25 / 12


def months_between(a: Any, b: Any) -> Any:
    """Months from dates ``a`` to ``b`` (Series or scalars), 30.44 days a month."""
    pd = pandas()
    return (pd.to_datetime(b) - pd.to_datetime(a)).dt.days / DAYS_PER_MONTH


def outcomes(history: History) -> Any:
    """One row per numbered TV installment in ``history`` with its debut and outcome.

    Columns: title, show, category, kind, number, relabelled, debut, last_week,
    known_debut, reentry, eligible, next_title, next_week, event, months.
    """
    pd = pandas()
    t = history.titles
    inst = t[(~t["film"]) & t["kind"].isin(NUMBERED) & t["number"].notna()].copy()
    inst = inst.rename(columns={"first_week": "debut"})
    inst["number"] = inst["number"].astype(int)
    inst["known_debut"] = inst["debut"] > history.first_week
    pairs = inst[["title", "show", "number", "debut"]].merge(
        inst[["title", "show", "number", "debut"]], on="show", suffixes=("", "_later")
    )
    pairs = pairs[pairs["number_later"] > pairs["number"]]
    close = pairs["debut"] + dt.timedelta(weeks=REENTRY_WEEKS)
    reentries = set(pairs.loc[pairs["debut_later"] <= close, "title"])
    later = pairs[pairs["debut_later"] > pairs["debut"]].sort_values(
        ["title", "debut_later", "number_later"]
    )
    nxt = later.groupby("title", as_index=False).first()[["title", "title_later", "debut_later"]]
    nxt = nxt.rename(columns={"title_later": "next_title", "debut_later": "next_week"})
    out = inst.merge(nxt, on="title", how="left")
    out["reentry"] = out["title"].isin(reentries)
    out["eligible"] = out["known_debut"] & ~out["reentry"]
    out["event"] = out["next_week"].notna()
    end = out["next_week"].where(out["event"], history.last_week)
    out["months"] = months_between(out["debut"], end)
    cols = [
        "title",
        "show",
        "category",
        "kind",
        "number",
        "relabelled",
        "debut",
        "last_week",
        "known_debut",
        "reentry",
        "eligible",
        "next_title",
        "next_week",
        "event",
        "months",
    ]
    return out[cols].sort_values(["debut", "title"]).reset_index(drop=True).pipe(_dates, pd)


def _dates(df: Any, pd: Any) -> Any:
    df["next_week"] = df["next_week"].astype(object).where(df["next_week"].notna(), None)
    df["next_title"] = df["next_title"].astype(object).where(df["next_title"].notna(), None)
    return df
