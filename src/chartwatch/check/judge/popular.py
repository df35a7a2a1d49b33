"""Netflix's most-popular lists: figures in the first 28 or 91 days, and the record
they hold (the most-popular title of all)."""

from __future__ import annotations

from typing import Any

from chartwatch.brief.types import Evidence
from chartwatch.check.claims import Claim
from chartwatch.check.facts import Facts, most_popular
from chartwatch.check.judge.common import (
    FALSE,
    MISLEADING,
    TRUE,
    UNIT,
    UNVERIFIABLE,
    Judgement,
    fig,
)
from chartwatch.check.values import Number
from chartwatch.render.prose import figure
from chartwatch.titles import Title


def popular_row(facts: Facts, t: Title) -> dict[str, Any] | None:
    for row in most_popular(facts):
        label = row["season"] if row["season"] not in (None, "N/A") else row["show"]
        if label in t.labels and (row["category"] or "").startswith("Films" if t.film else "TV"):
            return row
    return None


def popular_figure(facts: Facts, c: Claim, t: Title, stated: Number, measure: str) -> Judgement:
    rows = most_popular(facts)
    days = 28 if c.basis == "p28" else 91
    column = "hours_28" if days == 28 else ("views_91" if measure == "views" else "hours_91")
    if not any(r[column] is not None for r in rows):
        return Judgement(
            UNVERIFIABLE,
            f"The store holds no {days}-day most-popular list with {UNIT[measure]} "
            "(Netflix published 28-day hours until June 2023, 91-day views since).",
        )
    row = popular_row(facts, t)
    if row is None or row[column] is None:
        return Judgement(
            UNVERIFIABLE,
            f"{t.label} is not in Netflix's {days}-day most-popular list, which gives "
            "figures only for its top 10 titles.",
        )
    actual = int(row[column])
    ev = Evidence(
        "most-popular",
        row["observed_at"].date(),
        row["category"],
        row["rank"],
        actual,
        f"{UNIT[measure].split()[0]}_first_{days}_days",
        row["snapshot_id"],
        row["observed_at"],
        t.label,
    )
    if stated.holds(actual):
        return Judgement(
            TRUE,
            f"Netflix's most-popular list gives {t.label} {fig(actual, measure)} in its "
            f"first {days} days.",
            actual,
            [ev],
        )
    other = "hours_91" if column == "views_91" else "views_91"
    if row.get(other) is not None and stated.holds(int(row[other])):
        unit = "hours viewed" if other == "hours_91" else "views"
        return Judgement(
            MISLEADING,
            f"Wrong unit: {figure(int(row[other]))} is its {unit} in its first {days} days, "
            f"not {UNIT[measure]} ({figure(actual)}).",
            actual,
            [ev],
        )
    return Judgement(
        FALSE,
        f"Netflix's most-popular list gives {t.label} {fig(actual, measure)} in its first "
        f"{days} days.",
        actual,
        [ev],
    )


def popular_record(facts: Facts, c: Claim, t: Title) -> Judgement:
    rows = [r for r in most_popular(facts) if r["views_91"] is not None]
    if not rows:
        return Judgement(UNVERIFIABLE, "The store holds no most-popular list to settle it.")
    row = popular_row(facts, t)
    kind = "Films" if t.film else "TV"
    category = row["category"] if row else (facts.run(t).category or kind)
    top = next((r for r in rows if r["category"] == category and r["rank"] == 1), None)
    if row is None:
        name = (
            top["season"] if top and top["season"] not in (None, "N/A") else (top or {}).get("show")
        )
        return Judgement(
            FALSE,
            f"{t.label} is not in Netflix's {category} most-popular list (views in the first "
            f"91 days), which {name} leads.",
        )
    ev = Evidence(
        "most-popular",
        row["observed_at"].date(),
        row["category"],
        row["rank"],
        row["views_91"],
        "views_first_91_days",
        row["snapshot_id"],
        row["observed_at"],
        t.label,
    )
    if row["rank"] == 1:
        return Judgement(
            TRUE,
            f"{t.label} leads Netflix's {category} most-popular list with "
            f"{figure(row['views_91'])} views in its first 91 days.",
            row["views_91"],
            [ev],
        )
    name = top["season"] if top and top["season"] not in (None, "N/A") else (top or {}).get("show")
    return Judgement(
        FALSE,
        f"{t.label} is No. {row['rank']} in Netflix's {category} most-popular list "
        f"({figure(row['views_91'])} views in 91 days), behind {name}.",
        row["views_91"],
        [ev],
    )
