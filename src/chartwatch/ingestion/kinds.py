"""The three kinds of Netflix Top 10 file and the columns each generation has had.

Netflix changes the columns from time to time (7 global columns until June 2023, then 11;
``most-popular.tsv`` moved from 28-day hours to 91-day hours and views). Every column
chartwatch knows is listed here with its SQL type; required columns are checked, known
optional ones are typed, and unknown ones are kept as text in the row's ``extra`` map.
"""

from __future__ import annotations

from dataclasses import dataclass

from chartwatch.errors import BadInputError
from chartwatch.vocabulary import (
    COUNTRY_CATEGORIES,
    GLOBAL_CATEGORIES,
    KEY_COLUMNS,
    VALUE_COLUMNS,
)

__all__ = ["COUNTRY_CATEGORIES", "GLOBAL_CATEGORIES", "KEY_COLUMNS", "VALUE_COLUMNS"]


@dataclass(frozen=True)
class Kind:
    """One kind of file: its name (also the ``list`` of its rows) and its columns."""

    name: str
    rank_column: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    categories: tuple[str, ...]
    has_week: bool
    has_country: bool
    # Labels an older generation used for a category, mapped to today's label.
    category_aliases: tuple[tuple[str, str], ...] = ()
    # Optional columns that belong to one generation of the file and never appear with
    # another's (empty: every optional column may appear with any other).
    generations: tuple[tuple[str, ...], ...] = ()

    def carried(self, columns: list[str]) -> list[str]:
        """The optional columns a file with ``columns`` does not publish but whose values
        its rows keep from their previous versions: all absent ones, or for a kind with
        generations the absent ones of the file's own generation."""
        absent = [c for c in self.optional if c not in columns]
        if not self.generations:
            return absent
        mine = {c for g in self.generations if set(g) & set(columns) for c in g}
        return [c for c in absent if c in mine]

    @property
    def known(self) -> tuple[str, ...]:
        return self.required + self.optional


GLOBAL = Kind(
    name="global",
    rank_column="weekly_rank",
    required=(
        "week",
        "category",
        "weekly_rank",
        "show_title",
        "season_title",
        "weekly_hours_viewed",
        "cumulative_weeks_in_top_10",
    ),
    optional=("runtime", "weekly_views", "is_staggered_launch", "episode_launch_details"),
    categories=GLOBAL_CATEGORIES,
    has_week=True,
    has_country=False,
)
COUNTRIES = Kind(
    name="countries",
    rank_column="weekly_rank",
    required=(
        "country_name",
        "country_iso2",
        "week",
        "category",
        "weekly_rank",
        "show_title",
        "season_title",
        "cumulative_weeks_in_top_10",
    ),
    optional=(),
    categories=COUNTRY_CATEGORIES,
    has_week=True,
    has_country=True,
    # The first country files (November 2021) labelled every country list "(English)",
    # though they held films and series in any language; Netflix relabelled them a week later.
    category_aliases=(("Films (English)", "Films"), ("TV (English)", "TV")),
)
MOST_POPULAR = Kind(
    name="most-popular",
    rank_column="rank",
    required=("category", "rank", "show_title", "season_title"),
    optional=(
        "hours_viewed_first_28_days",
        "hours_viewed_first_91_days",
        "views_first_91_days",
        "runtime",
    ),
    categories=GLOBAL_CATEGORIES,
    has_week=False,
    has_country=False,
    generations=(
        ("hours_viewed_first_28_days",),
        ("hours_viewed_first_91_days", "views_first_91_days", "runtime"),
    ),
)
KINDS = {k.name: k for k in (GLOBAL, COUNTRIES, MOST_POPULAR)}
LISTS = tuple(KINDS)


def detect_kind(columns: list[str], source: str) -> Kind:
    """Tell the kind of a file from its header, or raise :class:`BadInputError`.

    Country lists are the only ones with a country; global lists have weeks; the
    most-popular lists have a plain ``rank`` and no week. A file that matches a kind but
    lacks one of its required columns is rejected naming the column.
    """
    cols = set(columns)
    if cols & {"country_iso2", "country_name"}:
        kind = COUNTRIES
    elif "week" in cols or "weekly_rank" in cols:
        kind = GLOBAL
    elif "rank" in cols:
        kind = MOST_POPULAR
    else:
        shown = ", ".join(columns[:8]) + (", …" if len(columns) > 8 else "")
        raise BadInputError(
            source,
            f"not a Netflix Top 10 file: its columns ({shown}) match none of the global, "
            "country or most-popular lists",
            line=1,
        )
    missing = [c for c in kind.required if c not in cols]
    if missing:
        raise BadInputError(
            source,
            f"missing required column {missing[0]!r} for a {kind.name} file"
            + (f" (also missing: {', '.join(missing[1:])})" if len(missing) > 1 else ""),
            line=1,
        )
    if kind is MOST_POPULAR and not cols & {
        "hours_viewed_first_28_days",
        "hours_viewed_first_91_days",
        "views_first_91_days",
    }:
        raise BadInputError(
            source,
            "missing required column: a most-popular file needs hours_viewed_first_28_days, "
            "hours_viewed_first_91_days or views_first_91_days",
            line=1,
        )
    for i, older in enumerate(kind.generations):
        for newer in kind.generations[i + 1 :]:
            if cols & set(older) and cols & set(newer):
                mixed = sorted(cols & set(older)) + sorted(cols & set(newer))
                raise BadInputError(
                    source,
                    f"columns of two generations of the {kind.name} file together "
                    f"({', '.join(mixed)}): a file relabelled as the other kind?",
                    line=1,
                )
    return kind
