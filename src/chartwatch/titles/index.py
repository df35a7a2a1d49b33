"""Every title the store knows, with the names Netflix has given it.

Netflix renames titles after publishing (``Ozark: Season 4 Part 1`` → ``Ozark: Season 4``,
``Hometown Cha-Cha-Cha: Season 1`` → ``…: Limited Series``, an English film title → its
Arabic original). A rename shows in the store as two versions of the same global row with
the same hours and a different label; chartwatch links such labels into one title, named by
the label the current view uses. The country lists often keep the old label, so the link
is what ties a title's country footprint to its global run.

A title is a label *in its global list*: two different films Netflix lists under one name,
one in Films (English) and one in Films (Non-English) (*Ballerina*, *Security*), are two
titles. Their ``ident`` (the name analytics group rows by) is then their :attr:`Title.key`,
the label qualified with its kind and list (``Ballerina (film, English)``); every other
title's ``ident`` is its label. The country lists have only Films and TV, so a country row
under such a shared label is given to the title charting in the global list in the same
weeks (see :func:`_link_stretches`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from chartwatch.store.store import Store
from chartwatch.titles.labels import Installment, parse_label

NO_GLOBAL_LIST = "no global list"


def list_word(category: str | None) -> str:
    """The language of a global list, as title keys and qualifiers write it: ``English``,
    ``Non-English``, or ``no global list`` for a title with no global list."""
    if category is None:
        return NO_GLOBAL_LIST
    return "Non-English" if "non-english" in category.lower() else "English"


def title_key(label: str, film: bool, category: str | None) -> str:
    """``Ballerina (film, English)``: a label qualified with its kind and global list, a
    name that stays the title's as the store grows (``chartwatch title`` takes it back)."""
    return f"{label} ({'film' if film else 'TV'}, {list_word(category)})"


@dataclass(frozen=True)
class Title:
    """One installment (a season, a part, a film…) under its current label, in one global
    list.

    ``ident`` names it among the titles of its view (the ``title`` column of
    the derived weeks of :class:`chartwatch.view.View`): its label, or its :attr:`key` when
    another title has the same label (``namesakes``: their keys). ``qualify`` is set when
    the label alone does not tell it apart (a namesake, or a show of several installments
    with the same name, as *Stranger Things*): :func:`chartwatch.titles.search.describe`
    then names its list."""

    label: str
    show: str
    film: bool
    installment: Installment
    aliases: tuple[str, ...] = ()
    category: str | None = None  # its global list, None if it only charted in countries
    first_week: dt.date | None = None
    last_week: dt.date | None = None
    ident: str = ""
    namesakes: tuple[str, ...] = ()
    qualify: bool = False
    # its stable key: the label with its kind and list, ``Ozark: Season 4 (TV, English)``;
    # a query for it resolves to this title whatever else the store holds
    key: str = ""

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", title_key(self.label, self.film, self.category))
        if not self.ident:
            object.__setattr__(self, "ident", self.label)

    @property
    def labels(self) -> tuple[str, ...]:
        """Every label Netflix published it under, current first."""
        return (self.label, *self.aliases)

    @property
    def unlinked_note(self) -> str | None:
        """For the country rows of a shared label that no namesake's weeks explain (the
        title of no global list), why they stand apart; else None."""
        if self.category is not None or not self.namesakes:
            return None
        return (
            f"these country rows are labelled {self.label!r} like "
            + " and ".join(self.namesakes)
            + " of the global lists, but fall in none of their weeks in the global Top 10 "
            "(nor a week either side): they may be either of them, or another title"
        )


@dataclass(frozen=True)
class Show:
    """A show and its charted installments, in order."""

    name: str
    titles: tuple[Title, ...]
    film: bool = False


@dataclass
class TitleIndex:
    """The titles of one view of the store (current, or as of a date)."""

    titles: dict[tuple[str, bool], Title] = field(default_factory=dict)  # (ident, film)
    alias_of: dict[str, str] = field(default_factory=dict)  # any label -> current label
    # (name, film) -> show; a film is its own show, keyed by its ident
    shows: dict[tuple[str, bool], Show] = field(default_factory=dict)
    # rows of a label two titles share, and the ident each belongs to: global rows by
    # (current label, category), country rows by (current label, film, week)
    split_global: list[tuple[str, str, str]] = field(default_factory=list)
    split_countries: list[tuple[str, bool, dt.date, str]] = field(default_factory=list)
    by_key: dict[str, Title] = field(default_factory=dict)  # key and ident -> title
    # the search index (normalised names and what they name), built on first search
    index: tuple[list[str], list[Title | Show]] | None = None
    # other facts of this view, computed once on first use and dropped with the title_index
    # (chartwatch.analytics.frame: the lists' first week, the weeks with country lists)
    memo: dict[str, Any] = field(default_factory=dict)

    def canonical(self, label: str) -> str:
        return self.alias_of.get(label, label)

    def add(self, title: Title) -> None:
        """Add a title under its ident, its key and (for a shared label) its ident."""
        self.titles[(title.ident, title.film)] = title
        self.by_key[title.key] = title
        if title.ident != title.label:
            self.by_key[title.ident] = title

    def find(self, name: str, film: bool | None = None) -> Title | None:
        """The title whose key is ``name``, or whose label (current or old) is, when no
        other title of its kind (``film``, when given) has that label."""
        title = self.by_key.get(name)  # a key (or the ident of a shared label)
        if title is None:
            canon = self.canonical(name)
            for kind in (False, True) if film is None else (film,):
                title = title or self.titles.get((canon, kind))
        return None if title is None or (film is not None and title.film != film) else title


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
    store: Store, rows: str, *, skip: frozenset[str] = frozenset()
) -> list[tuple[str, str]]:
    """Pairs (country label, global label) that are one title although no global row was
    ever published under the country label: the country lists kept an old label (a store
    holding only the current global file has no revision to show the rename). The labels
    must be of the same show, name the same installment, and chart in the same weeks, and
    only one global label may qualify. Labels in ``skip`` (already linked) are left out.
    ``rows``: the table (or subquery) of the view's visible rows."""
    found_rows = store.all(
        f"""
        WITH r AS (
            SELECT list, week, show_title, coalesce(season_title, show_title) AS label
            FROM {rows} r
            WHERE list IN ('global', 'countries') AND category NOT LIKE 'Films%'),
        g AS (SELECT DISTINCT week, show_title, label FROM r WHERE list = 'global'),
        c AS (SELECT DISTINCT week, show_title, label FROM r
              WHERE list = 'countries' AND label NOT IN (SELECT label FROM g))
        SELECT DISTINCT c.label, g.label, c.show_title
        FROM c JOIN g USING (week, show_title)
        """
    )
    found: dict[str, set[str]] = {}
    for local, glabel, show in found_rows:
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


WEEK = dt.timedelta(days=7)


def _lists(lists: dict[str | None, Any]) -> list[str | None]:
    """A shared label's lists in a fixed order: English, Non-English, then no global list."""
    return sorted(lists, key=lambda c: (c is None, c or ""))


def _lo(*weeks: dt.date | None) -> dt.date | None:
    """The earliest of ``weeks`` that is known (most-popular rows have no week)."""
    return min((w for w in weeks if w is not None), default=None)


def _hi(*weeks: dt.date | None) -> dt.date | None:
    return max((w for w in weeks if w is not None), default=None)


def _link_stretches(
    country_weeks: set[dt.date], global_weeks: dict[str, set[dt.date]]
) -> list[tuple[list[dt.date], str | None]]:
    """Country weeks of a label two global titles share, each given to one of them.

    The country weeks are cut into stretches of consecutive weeks; a stretch belongs to the
    title (named by its global category) with a global week inside it or one week either
    side, when exactly one title has such a week. Otherwise (no title charted globally near
    it, or both did) it is left unlinked (``None``): the country lists cannot tell which
    film it is, or whether it is a third one.

    >>> d = dt.date
    >>> _link_stretches({d(2021, 7, 4), d(2021, 7, 11), d(2021, 10, 24)},
    ...                 {"Films (English)": {d(2021, 7, 11)}, "Films (Non-English)": set()})
    ... # doctest: +NORMALIZE_WHITESPACE
    [([datetime.date(2021, 7, 4), datetime.date(2021, 7, 11)], 'Films (English)'),
     ([datetime.date(2021, 10, 24)], None)]
    """
    stretches: list[list[dt.date]] = []
    for week in sorted(country_weeks):
        if stretches and week - stretches[-1][-1] <= WEEK:
            stretches[-1].append(week)
        else:
            stretches.append([week])
    out: list[tuple[list[dt.date], str | None]] = []
    for weeks in stretches:
        lo, hi = weeks[0] - WEEK, weeks[-1] + WEEK
        near = [c for c, ws in global_weeks.items() if any(lo <= w <= hi for w in ws)]
        out.append((weeks, near[0] if len(near) == 1 else None))
    return out


def build_index(store: Store, rows_table: str) -> TitleIndex:
    """The titles of a view of the store, from ``rows_table`` (a table or subquery of its
    visible rows, :func:`chartwatch.store.rows.visible_rows`). :class:`chartwatch.view.View`
    builds it once per view and keeps it."""
    # every label with its kind, global list (NULL: the country or most-popular lists), span
    rows = store.all(
        f"""
        SELECT coalesce(season_title, show_title) AS label, any_value(show_title),
               category LIKE 'Films%' AS film,
               CASE WHEN list = 'global' THEN category END AS list_category,
               min(week), max(week), max(observed_at)
        FROM {rows_table} r
        GROUP BY label, film, list_category
        """
    )
    alias_of = _current_names(store, rows_table, rows)
    merged = _merged(rows, alias_of)
    cat = TitleIndex(alias_of=alias_of)
    shared = {k: v for k, v in merged.items() if len([c for c in v if c is not None]) > 1}
    if shared:
        _split(store, rows_table, cat, shared)
    _add_titles(cat, _pending(merged, shared), merged)
    _add_shows(cat)
    return cat


def _current_names(store: Store, rows_table: str, rows: list[Any]) -> dict[str, str]:
    """Each old label → the current name of its title: of the labels linked by renames
    (and by the country lists), the one in a global list, most recently published."""
    # label -> (in a global list, last observed)
    seen: dict[str, list[Any]] = {}
    for label, _show, _film, category, _first, _last, observed in rows:
        was = seen.get(label)
        if was is None:
            seen[label] = [category is not None, observed]
        else:
            was[0] = was[0] or category is not None
            was[1] = max(was[1], observed)
    alias_of: dict[str, str] = {}
    pairs = rename_pairs(store)
    linked = frozenset(label for pair in pairs for label in pair)
    pairs += country_links(store, rows_table, skip=linked)
    for group in _components(pairs):
        present = [g for g in group if g in seen]
        if not present:
            continue
        best = max(present, key=lambda g: (seen[g][0], str(seen[g][1])))
        for g in group:
            if g != best:
                alias_of[g] = best
    return alias_of


Merged = dict[tuple[str, bool], dict[str | None, dict[str, Any]]]
"""(current label, film) -> {global category or None: its aliases, span and show}."""


def _merged(rows: list[Any], alias_of: dict[str, str]) -> Merged:
    merged: Merged = {}
    for label, show, film, category, first, last, _observed in rows:
        canon = alias_of.get(label, label)
        entry = merged.setdefault((canon, bool(film)), {}).setdefault(
            category, {"aliases": set(), "first": first, "last": last, "show": None}
        )
        if canon != label:
            entry["aliases"].add(label)
        if label == canon or entry["show"] is None:
            entry["show"] = show
        entry["first"], entry["last"] = _lo(entry["first"], first), _hi(entry["last"], last)
    return merged


_Pending = tuple[str, bool, str | None, str, Any, Any, tuple[str, ...], bool]
"""A title to add: label, film, category, show, first and last week, aliases, split (one
of several titles sharing the label, one per global list)."""


def _pending(merged: Merged, shared: Merged) -> list[_Pending]:
    """One title per (label, film), or per global list when the label is ``shared``."""
    pending: list[_Pending] = []
    for (label, film), lists in merged.items():
        groups = [e["aliases"] for e in lists.values() if e["aliases"]]
        aliases = tuple(sorted(set().union(*groups))) if groups else ()
        if (label, film) in shared:
            for category in _lists(lists):
                e = lists[category]
                pending.append(
                    (label, film, category, e["show"], e["first"], e["last"], aliases, True)
                )
            continue
        # one title: its global list (if any) and the country lists together
        category = next((c for c in lists if c is not None), None)
        e = lists[category]
        first, last = e["first"], e["last"]
        if len(lists) > 1:
            first = _lo(*(x["first"] for x in lists.values()))
            last = _hi(*(x["last"] for x in lists.values()))
        pending.append((label, film, category, e["show"], first, last, aliases, False))
    return pending


def _add_titles(cat: TitleIndex, pending: list[_Pending], merged: Merged) -> None:
    # a TV show of several installments, one of them labelled with the show's name alone
    show_size: dict[str, int] = {}
    for _label, film, _c, show, *_rest in pending:
        if not film:
            show_size[show] = show_size.get(show, 0) + 1
    for label, film, category, show, first, last, aliases, split in pending:
        key_ = title_key(label, film, category)
        namesakes = (
            tuple(title_key(label, film, c) for c in _lists(merged[(label, film)]) if c != category)
            if split
            else ()
        )
        inst = parse_label(show, None if film or label == show else label, film=film)
        title = Title(
            label=label,
            show=inst.show,
            film=film,
            installment=inst,
            aliases=aliases,
            category=category,
            first_week=first,
            last_week=last,
            ident=key_ if split else label,
            namesakes=namesakes,
            qualify=bool(namesakes) or (not film and label == show and show_size[show] > 1),
            key=key_,
        )
        cat.add(title)


def _add_shows(cat: TitleIndex) -> None:
    """Group the title_index's titles into shows (a film is its own show), installments in
    order."""
    by_show: dict[tuple[str, bool], list[Title]] = {}
    for title in cat.titles.values():
        by_show.setdefault((title.ident if title.film else title.show, title.film), []).append(
            title
        )
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
        cat.shows[(name, film)] = Show(name=titles[0].show, titles=tuple(ordered), film=film)


def _day(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def index_to_json(cat: TitleIndex) -> dict[str, Any]:
    """The title_index as plain JSON (its titles and the old labels' current names), to keep
    it beside the store (:mod:`chartwatch.view.disk`); :func:`index_from_json` reads it."""
    return {
        "alias_of": cat.alias_of,
        "titles": [
            {
                "label": t.label,
                "show": t.show,
                "film": t.film,
                "installment": [
                    t.installment.show,
                    t.installment.label,
                    t.installment.kind,
                    t.installment.number,
                    t.installment.subtitle,
                ],
                "aliases": list(t.aliases),
                "category": t.category,
                "first_week": t.first_week.isoformat() if t.first_week else None,
                "last_week": t.last_week.isoformat() if t.last_week else None,
                "ident": t.ident,
                "namesakes": list(t.namesakes),
                "qualify": t.qualify,
                "key": t.key,
            }
            for t in cat.titles.values()
        ],
    }


def index_from_json(data: dict[str, Any]) -> TitleIndex:
    cat = TitleIndex(alias_of=dict(data["alias_of"]))
    for t in data["titles"]:
        show, label, kind, number, subtitle = t["installment"]
        cat.add(
            Title(
                label=t["label"],
                show=t["show"],
                film=t["film"],
                installment=Installment(show, label, kind, number, subtitle),
                aliases=tuple(t["aliases"]),
                category=t["category"],
                first_week=_day(t["first_week"]),
                last_week=_day(t["last_week"]),
                ident=t["ident"],
                namesakes=tuple(t["namesakes"]),
                qualify=t["qualify"],
                key=t["key"],
            )
        )
    _add_shows(cat)
    return cat


def _split(
    store: Store,
    rows_table: str,
    cat: TitleIndex,
    shared: dict[tuple[str, bool], dict[str | None, dict[str, Any]]],
) -> None:
    """Give the rows of each label that titles in two global lists share to one title each
    (:attr:`TitleIndex.split_global`, :attr:`TitleIndex.split_countries`) and set each title's
    span from its own rows; unlinked country rows (:func:`_link_stretches`) stay a title of
    the country lists alone (category ``None``)."""
    names = {label for label, _film in shared}
    labels = [*names, *(a for a, canon in cat.alias_of.items() if canon in names)]
    rows = store.all(
        f"""
        SELECT DISTINCT coalesce(season_title, show_title) AS label,
               category LIKE 'Films%' AS film,
               CASE WHEN list = 'global' THEN category END, week
        FROM {rows_table} r
        WHERE list IN ('global', 'countries') AND label IN (SELECT unnest(?::VARCHAR[]))
        """,
        [labels],
    )
    global_weeks: dict[tuple[str, bool], dict[str, set[dt.date]]] = {}
    country_weeks: dict[tuple[str, bool], set[dt.date]] = {}
    for label, film, category, week in rows:
        k = (cat.canonical(label), bool(film))
        if k not in shared:
            continue
        if category is None:
            country_weeks.setdefault(k, set()).add(week)
        else:
            global_weeks.setdefault(k, {}).setdefault(category, set()).add(week)
    for k, lists in shared.items():
        label, film = k
        gweeks = global_weeks.get(k, {})
        for category, listed in gweeks.items():
            cat.split_global.append((label, category, title_key(label, film, category)))
            lists[category]["first"], lists[category]["last"] = min(listed), max(listed)
        unlinked: list[dt.date] = []
        for weeks, category in _link_stretches(country_weeks.get(k, set()), gweeks):
            if category is None:
                unlinked += weeks
                continue
            ident = title_key(label, film, category)
            cat.split_countries += [(label, film, w, ident) for w in weeks]
            entry = lists[category]
            entry["first"], entry["last"] = (
                _lo(entry["first"], weeks[0]),
                _hi(entry["last"], weeks[-1]),
            )
        if unlinked:
            ident = title_key(label, film, None)
            cat.split_countries += [(label, film, w, ident) for w in unlinked]
            entry = lists[None]
            entry["first"], entry["last"] = min(unlinked), max(unlinked)
        else:
            lists.pop(None, None)
