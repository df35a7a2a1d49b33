"""Every title the store knows, with the names Netflix has given it.

Netflix renames titles after publishing (``Ozark: Season 4 Part 1`` → ``Ozark: Season 4``,
``Hometown Cha-Cha-Cha: Season 1`` → ``…: Limited Series``, an English film title → its
Arabic original). A rename shows in the store as two versions of the same global row with
the same hours and a different label; chartwatch links such labels into one title, named by
the label the current view uses. The country lists often keep the old label, so the link
is what ties a title's country footprint to its global run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from chartwatch.store.store import Store
from chartwatch.store.views import visible_rows
from chartwatch.titles.labels import Installment, parse_label


@dataclass(frozen=True)
class Title:
    """One installment (a season, a part, a film…) under its current label."""

    label: str
    show: str
    film: bool
    installment: Installment
    aliases: tuple[str, ...] = ()
    category: str | None = None  # its global list, None if it only charted in countries
    first_week: dt.date | None = None
    last_week: dt.date | None = None

    @property
    def labels(self) -> tuple[str, ...]:
        """Every label Netflix published it under, current first."""
        return (self.label, *self.aliases)


@dataclass(frozen=True)
class Show:
    """A show and its charted installments, in order."""

    name: str
    titles: tuple[Title, ...]
    film: bool = False


@dataclass
class Catalog:
    """The titles of one view of the store (current, or as of a date)."""

    titles: dict[tuple[str, bool], Title] = field(default_factory=dict)
    alias_of: dict[str, str] = field(default_factory=dict)  # any label -> current label
    shows: dict[tuple[str, bool], Show] = field(default_factory=dict)  # (name, film) -> show
    # the search index (normalised names and what they name), built on first search
    index: tuple[list[str], list[Title | Show]] | None = None
    # other facts of this view, computed once on first use and dropped with the catalog
    # (chartwatch.analytics.frame: the lists' first week, the weeks with country lists)
    memo: dict[str, Any] = field(default_factory=dict)

    def canonical(self, label: str) -> str:
        return self.alias_of.get(label, label)


def rename_pairs(store: Store) -> list[tuple[str, str]]:
    """Pairs of labels that are one title: the same global row (list, week, category, rank)
    published with the same hours under two labels.

    Two labels one file lists side by side in the same week's list are two titles, whatever
    their hours: a revision can move a title into a rank another one held with the same
    hours (week of 2021-08-01: ``Twilight`` took rank 7 from ``Fear Street Part 2: 1978``,
    both at 5.84M hours, and both stayed listed)."""
    rows = store.all(
        """
        WITH v AS (
            SELECT week, category, rank, weekly_hours_viewed AS hours,
                   coalesce(season_title, show_title) AS label, version_id
            FROM row_versions WHERE list = 'global' AND weekly_hours_viewed IS NOT NULL),
        pairs AS (
            SELECT DISTINCT a.label AS a, b.label AS b
            FROM v a JOIN v b
              ON a.week = b.week AND a.category = b.category AND a.rank = b.rank
             AND a.hours = b.hours AND a.version_id < b.version_id AND a.label <> b.label),
        seen AS (
            SELECT DISTINCT o.snapshot_id, v.week, v.category, v.label
            FROM v JOIN observations o USING (version_id)
            WHERE v.label IN (SELECT a FROM pairs UNION SELECT b FROM pairs))
        SELECT p.a, p.b FROM pairs p
        WHERE NOT EXISTS (
            SELECT 1 FROM seen x JOIN seen y
              ON x.snapshot_id = y.snapshot_id AND x.week = y.week AND x.category = y.category
            WHERE x.label = p.a AND y.label = p.b)
        """
    )
    return [(str(a), str(b)) for a, b in rows]


def _same_installment(a: Installment, b: Installment) -> bool:
    """Two labels of one show that name the same installment: the same numbered season
    (``Ozark: Season 4 Part 1`` / ``Ozark: Season 4``), or a first season and a limited
    series (``Hometown Cha-Cha-Cha: Season 1`` / ``…: Limited Series``)."""
    if a.number is not None and (a.kind, a.number) == (b.kind, b.number):
        return True
    if {a.kind, b.kind} == {"season", "limited"}:
        season = a if a.kind == "season" else b
        return season.number == 1 and not season.subtitle
    return False


def country_links(
    store: Store, as_of: dt.date | None = None, *, skip: frozenset[str] = frozenset()
) -> list[tuple[str, str]]:
    """Pairs (country label, global label) that are one title although no global row was
    ever published under the country label: the country lists kept an old label (a store
    holding only the current global file has no revision to show the rename). The labels
    must be of the same show, name the same installment, and chart in the same weeks, and
    only one global label may qualify. Labels in ``skip`` (already linked) are left out."""
    rows_sql, params = visible_rows(as_of)
    rows = store.all(
        f"""
        WITH r AS (
            SELECT list, week, show_title, coalesce(season_title, show_title) AS label
            FROM {rows_sql} r
            WHERE list IN ('global', 'countries') AND category NOT LIKE 'Films%'),
        g AS (SELECT DISTINCT week, show_title, label FROM r WHERE list = 'global'),
        c AS (SELECT DISTINCT week, show_title, label FROM r
              WHERE list = 'countries' AND label NOT IN (SELECT label FROM g))
        SELECT DISTINCT c.label, g.label, c.show_title
        FROM c JOIN g USING (week, show_title)
        """,
        params,
    )
    found: dict[str, set[str]] = {}
    for local, glabel, show in rows:
        if local in skip or glabel in skip:
            continue
        a = parse_label(show, None if local == show else local)
        b = parse_label(show, None if glabel == show else glabel)
        if _same_installment(a, b):
            found.setdefault(local, set()).add(glabel)
    return [(local, next(iter(g))) for local, g in sorted(found.items()) if len(g) == 1]


def _components(pairs: list[tuple[str, str]]) -> list[set[str]]:
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        parent[find(a)] = find(b)
    groups: dict[str, set[str]] = {}
    for x in list(parent):
        groups.setdefault(find(x), set()).add(x)
    return list(groups.values())


_CACHE: dict[tuple[int, str, dt.date | None], Catalog] = {}


def catalog(store: Store, as_of: dt.date | None = None) -> Catalog:
    """The titles visible in the store (now, or as of ``as_of``). Cached until the store
    gains a snapshot."""
    stamp = int(store.scalar("SELECT count(*) FROM snapshots"))
    key = (stamp, store.label, as_of)
    if key in _CACHE:
        return _CACHE[key]
    rows_sql, params = visible_rows(as_of)
    # every label with its list, kind and span; global rows first so the global label wins
    rows = store.all(
        f"""
        SELECT coalesce(season_title, show_title) AS label, any_value(show_title),
               category LIKE 'Films%' AS film,
               min(CASE WHEN list = 'global' THEN category END),
               min(week), max(week), max(observed_at), bool_or(list = 'global')
        FROM {rows_sql} r
        GROUP BY label, film
        """,
        params,
    )
    seen: dict[str, tuple[str, bool, str | None, dt.date | None, dt.date | None, object, bool]] = {}
    info: dict[tuple[str, bool], tuple[str, str | None, dt.date | None, dt.date | None]] = {}
    for label, show, film, category, first, last, observed, in_global in rows:
        info[(label, bool(film))] = (show, category, first, last)
        seen[label] = (show, bool(film), category, first, last, observed, bool(in_global))
    alias_of: dict[str, str] = {}
    pairs = rename_pairs(store)
    linked = frozenset(label for pair in pairs for label in pair)
    pairs += country_links(store, as_of, skip=linked)
    for group in _components(pairs):
        present = [g for g in group if g in seen]
        if not present:
            continue
        # the current name: a label of the global list, most recently published
        best = max(present, key=lambda g: (seen[g][6], str(seen[g][5])))
        for g in group:
            if g != best:
                alias_of[g] = best
    merged: dict[tuple[str, bool], dict[str, object]] = {}
    for (label, film), (show, category, first, last) in info.items():
        canon = alias_of.get(label, label)
        entry = merged.setdefault(
            (canon, film),
            {"aliases": set(), "category": None, "first": None, "last": None, "show": None},
        )
        if canon != label:
            entry["aliases"].add(label)  # type: ignore[attr-defined]
        if label == canon or entry["show"] is None:
            entry["show"] = show
        if category and (entry["category"] is None or label == canon):
            entry["category"] = category
        if first is not None:
            f0 = entry["first"]
            entry["first"] = first if f0 is None or first < f0 else f0  # type: ignore[operator]
            l0 = entry["last"]
            entry["last"] = last if l0 is None or last > l0 else l0  # type: ignore[operator]
    cat = Catalog(alias_of=alias_of)
    for (label, film), entry in merged.items():
        show = str(entry["show"])
        season_title = None if film or label == show else label
        inst = parse_label(show, season_title, film=film)
        title = Title(
            label=label,
            show=inst.show,
            film=film,
            installment=inst,
            aliases=tuple(sorted(entry["aliases"])),  # type: ignore[call-overload]
            category=entry["category"],  # type: ignore[arg-type]
            first_week=entry["first"],  # type: ignore[arg-type]
            last_week=entry["last"],  # type: ignore[arg-type]
        )
        cat.titles[(label, film)] = title
    by_show: dict[tuple[str, bool], list[Title]] = {}
    for title in cat.titles.values():
        by_show.setdefault((title.show, title.film), []).append(title)
    for (name, film), titles in by_show.items():
        ordered = sorted(
            titles,
            key=lambda t: (
                t.installment.number is None,
                t.installment.number or 0,
                t.first_week or dt.date.max,
                t.label,
            ),
        )
        cat.shows[(name, film)] = Show(name=name, titles=tuple(ordered), film=film)
    _CACHE.clear()
    _CACHE[key] = cat
    return cat
