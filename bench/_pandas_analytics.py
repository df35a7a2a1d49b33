"""The pandas equivalents of ``title``, ``brief`` and ``records``, as an analyst writes them.

What analysts do in notebooks today: ``pandas.read_csv`` of Netflix's raw TSV files, then a
few filters, sorts and group-bys. The answers are the key numbers chartwatch gives for the
same questions (``bench_analytics.py`` checks that they agree), with none of chartwatch's
extras: the analyst already knows the exact labels (no fuzzy search, no rename linking), and
there is no provenance (snapshots, evidence rows) and no text. So the pandas side does less
work than chartwatch, never more.

Run on its own, as a notebook cell from scratch in a new process (imports pandas only):

    python bench/_pandas_analytics.py {title,brief,records_debut,records_week} FOLDER

where FOLDER holds the uncompressed ``all-weeks-global.tsv`` and ``all-weeks-countries.tsv``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pandas as pd

LABEL = "All of Us Are Dead: Season 1"  # chartwatch resolves "All of Us Are Dead" to it
VS = "Squid Game: Season 1"  # ... and "Squid Game" to this
CATEGORY = "TV (Non-English)"
GLOBAL = "all-weeks-global.tsv"
COUNTRIES = "all-weeks-countries.tsv"


def load(folder: Path, *, countries: bool = True) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The notebook's first cell: the raw files as data frames."""
    g = pd.read_csv(folder / GLOBAL, sep="\t", parse_dates=["week"])
    c = pd.read_csv(folder / COUNTRIES, sep="\t", parse_dates=["week"]) if countries else None
    return g, c


def _labelled(g: pd.DataFrame) -> pd.DataFrame:
    """One name per title: the season's label, else (films) the show's."""
    return g.assign(
        label=g["season_title"].fillna(g["show_title"]),
        film=g["category"].str.startswith("Films"),
    )


def _debuts(g: pd.DataFrame) -> pd.DataFrame:
    """Each title's first week (the whole row), titles listed in the lists' first week
    left out: their runs began earlier."""
    g = _labelled(g)
    first = g.sort_values("week", kind="stable").drop_duplicates(["label", "film"])
    return first[first["week"] > g["week"].min()]


def _ordered(df: pd.DataFrame, value: str) -> pd.DataFrame:
    """A leaderboard's order: biggest first, then the earlier week, then the name."""
    return df.sort_values([value, "week", "label"], ascending=[False, True, True])


def title_run(g: pd.DataFrame, c: pd.DataFrame | None, label: str) -> dict[str, Any]:
    """A title's run: debut, peak, weeks, totals, best week, countries at No. 1 per week."""
    run = g[g["season_title"] == label].sort_values("week")
    debut = run.iloc[0]
    all_views = bool(run["weekly_views"].notna().all())
    best = run.loc[run["weekly_views" if all_views else "weekly_hours_viewed"].idxmax()]
    peak = run["weekly_rank"].min()
    out: dict[str, Any] = {
        "category": debut["category"],
        "debut_week": debut["week"].date(),
        "debut_known": bool(debut["week"] != g["week"].min()),
        "debut_rank": int(debut["weekly_rank"]),
        "debut_hours": int(debut["weekly_hours_viewed"]),
        "peak_rank": int(peak),
        "weeks_at_peak": int((run["weekly_rank"] == peak).sum()),
        "weeks_in_top10": len(run),
        "weeks_at_no1": int((run["weekly_rank"] == 1).sum()),
        "total_hours": int(run["weekly_hours_viewed"].sum()),
        "best_week": best["week"].date(),
        "best_hours": int(best["weekly_hours_viewed"]),
    }
    if c is not None:
        rows = c[c["season_title"] == label]
        no1 = rows[rows["weekly_rank"] == 1]
        out["no1_by_week"] = {
            w.date(): int(n) for w, n in no1.groupby("week")["country_iso2"].nunique().items()
        }
        out["top10_by_week"] = {
            w.date(): int(n) for w, n in rows.groupby("week")["country_iso2"].nunique().items()
        }
        out["countries_no1"] = int(no1["country_iso2"].nunique())
        out["countries_top10"] = int(rows["country_iso2"].nunique())
    return out


def debut_standing(g: pd.DataFrame, label: str) -> dict[str, Any]:
    """Where a title's debut stood among its category's debuts up to that week."""
    d = _debuts(g)
    mine = d[d["label"] == label].iloc[0]
    board = _ordered(
        d[(d["category"] == mine["category"]) & (d["week"] <= mine["week"])], "weekly_hours_viewed"
    )
    labels = list(board["label"])
    return {
        "rank": labels.index(label) + 1,
        "of": len(board),
        "holder": board["label"].iloc[0],
        "holder_hours": int(board["weekly_hours_viewed"].iloc[0]),
    }


def best_week_standing(g: pd.DataFrame, label: str, category: str, week: Any) -> dict[str, Any]:
    """Where a title's best week stood up to that week: among every single week of the
    category, and among titles by their best week."""
    week = pd.Timestamp(week)
    cut = _labelled(g[g["week"] <= week])
    weeks = cut[(cut["category"] == category) & cut["weekly_hours_viewed"].notna()]
    value = weeks.loc[weeks["label"] == label, "weekly_hours_viewed"].max()
    biggest = weeks.sort_values(["weekly_hours_viewed", "week"], ascending=[False, True]).iloc[0]
    # per title: its best week up to then, in the category it debuted in
    first = cut.sort_values("week", kind="stable").drop_duplicates(["label", "film"])
    best = cut.sort_values(["weekly_hours_viewed", "week"], ascending=[False, True])
    best = best.drop_duplicates(["label", "film"])
    best = best.merge(
        first[["label", "film", "category"]].rename(columns={"category": "debut_category"}),
        on=["label", "film"],
    )
    titles = list(
        _ordered(best[best["debut_category"] == category], "weekly_hours_viewed")["label"]
    )
    return {
        "single_weeks": len(weeks),
        "single_week_rank": int((weeks["weekly_hours_viewed"] > value).sum()) + 1,
        "biggest": biggest["label"],
        "biggest_hours": int(biggest["weekly_hours_viewed"]),
        "title_rank": titles.index(label) + 1,
        "titles": len(titles),
    }


def title(g: pd.DataFrame, c: pd.DataFrame | None) -> dict[str, Any]:
    """``chartwatch title "All of Us Are Dead"``: the run and its country counts."""
    return title_run(g, c, LABEL)


def brief(g: pd.DataFrame, c: pd.DataFrame | None) -> dict[str, Any]:
    """``chartwatch brief "All of Us Are Dead" --vs "Squid Game"``: the run, where its debut
    and best week stood at the time, and the other title's run."""
    run = title_run(g, c, LABEL)
    return {
        "run": run,
        "debut": debut_standing(g, LABEL),
        "best_week": best_week_standing(g, LABEL, run["category"], run["best_week"]),
        "vs": title_run(g, None, VS),
    }


def records_debut(g: pd.DataFrame, c: pd.DataFrame | None = None) -> pd.DataFrame:
    """``chartwatch records --metric debut_hours --category "TV (Non-English)"``."""
    d = _debuts(g)
    return _ordered(d[d["category"] == CATEGORY], "weekly_hours_viewed").head(10)


def records_week(g: pd.DataFrame, c: pd.DataFrame | None = None) -> pd.DataFrame:
    """``chartwatch records --metric week_hours``: each title's best week, biggest first."""
    g = _labelled(g)
    best = g.sort_values(["weekly_hours_viewed", "week"], ascending=[False, True])
    return _ordered(best.drop_duplicates(["label", "film"]), "weekly_hours_viewed").head(10)


TASKS = {
    "title": (title, True),
    "brief": (brief, True),
    "records_debut": (records_debut, False),
    "records_week": (records_week, False),
}  # name -> (compute, needs the country file)


def cell(name: str, folder: Path) -> Any:
    """A notebook cell from scratch: read the files the question needs, then answer it."""
    compute, countries = TASKS[name]
    g, c = load(folder, countries=countries)
    return compute(g, c)


if __name__ == "__main__":
    result = cell(sys.argv[1], Path(sys.argv[2]))
    print(result if isinstance(result, dict) else result.to_string(max_cols=6))
