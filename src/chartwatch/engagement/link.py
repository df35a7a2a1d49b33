"""Linking the engagement reports' rows to the Top 10's titles.

The reports and the Top 10 name titles differently: a report may add a year (``Home
(2015)``, ``Suits (2011): Season 1``) or a dub (``Sir (Hindi) (2023)``), give the original
title after `` // ``, word a season differently (``Reborn Rich`` for the Top 10's ``Reborn
Rich: Limited Series``, ``Red Rose: Limited Series`` for ``Red Rose: Season 1``), and hold
several titles with one name (films called ``Monster``). :func:`link` matches them in tiers,
from the surest to the loosest, and gives each row of a report at most one title and each
title at most one row of a report:

1. ``exact``: the English title, or one of its labels (current or old), word for word after
   folding case, accents and punctuation;
2. ``original``: the original-language title after `` // ``;
3. ``year``: the title without a year in brackets (a dub in brackets stays: ``Sir (Hindi)``
   is not ``Sir``);
4. ``installment``: the same show (without a year) and the same numbered season, part or
   volume, whatever else the label says (``Love Is Blind: S6: Charlotte``);
5. ``season-wording``: a first season, a limited series and a title with no season label
   are the same installment of the same show;
6. ``subtitle``: the Top 10 label's subtitle is the report's title (``Is It Cake?: Is It
   Cake, Too?`` is ``Is It Cake, Too?``);
7. ``fuzzy``: a near spelling (rapidfuzz ratio ≥ 92, the same numbers) for titles still
   unlinked.

Candidates are ranked by: a title of the English lists is not given a row that carries an
original-language title while another candidate does not; a row whose release date is long
before the title's first Top 10 week yields to one that is not; then by tier; a release date
close before the first week ranks first (a release date after the title's last week rules a
row out); then the most hours. The pairs are taken in that order, greedily, so a row
that fits two titles goes to the better-fitting one.

The function is pure: it takes the report rows and any iterable of
:class:`~chartwatch.titles.index.Title` and touches no store. :func:`store_links` is the
one place that reads both from a store.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from chartwatch.titles.labels import parse_label

if TYPE_CHECKING:
    from chartwatch.store.store import Store
    from chartwatch.titles.index import Title

TIERS = (
    "exact",
    "original",
    "year",
    "installment",
    "season-wording",
    "subtitle",
    "fuzzy",
)
_TIER = {name: i for i, name in enumerate(TIERS)}
_YEAR = re.compile(r"\s*\((?:19|20)\d\d\)")
_INSTALLMENT = re.compile(
    r"^(?P<show>.+?):\s+(?P<rest>(?:Season|Part|Volume|Vol\.|Book|Chapter|Collection|Series)"
    r"\s*(?:\d+|[IVX]+)\b.*|S\d+\b.*|Limited Series|Miniseries)$",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d+")
# a release this long before the first Top 10 week counts as "close"
_CLOSE = dt.timedelta(days=70)
_EARLY = dt.timedelta(days=7)  # a first week may end a few days before the stated release


@dataclass(frozen=True)
class ReportRow:
    """One row of a report, as :func:`link` needs it (``kind`` is the sheet's: ``tv``,
    ``film`` or ``mixed``)."""

    report: str
    kind: str
    title: str
    occurrence: int
    original_title: str | None = None
    release_date: dt.date | None = None
    hours_viewed: int = 0
    period_start: dt.date | None = None
    period_end: dt.date | None = None

    @property
    def key(self) -> tuple[str, str, str, int]:
        return (self.report, self.kind, self.title, self.occurrence)


@dataclass(frozen=True)
class Link:
    """A report row linked to a Top 10 title (its :attr:`Title.key`) by one of :data:`TIERS`."""

    row: tuple[str, str, str, int]
    title: str
    how: str


@dataclass
class Links:
    """What :func:`link` found: the links by row, and for each report the titles it
    could not place (title key -> reason)."""

    by_row: dict[tuple[str, str, str, int], Link] = field(default_factory=dict)
    unplaced: dict[tuple[str, str], str] = field(default_factory=dict)

    def by_title(self) -> dict[tuple[str, str], tuple[str, str, str, int]]:
        """(report, title key) -> row key."""
        return {(row[0], ln.title): row for row, ln in self.by_row.items()}


@lru_cache(maxsize=1 << 17)
def fold(text: str) -> str:
    """A name reduced for comparison: case, accents, ``&`` and punctuation folded.

    >>> fold("Our Planet: II") == fold("Our Planet II")
    True
    >>> fold("Pokémon: Paldean Winds")
    'pokemon paldean winds'
    """
    text = text.casefold()
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    text = _PUNCT.sub(" ", text.replace("&", " and "))
    return " ".join(text.split())


_PUNCT = re.compile(r"[^\w]+")


def _installment_keys(show: str, kind: str, number: int | None) -> list[tuple[Any, ...]]:
    """The keys naming an installment of ``show`` for the structured tiers: (show, kind,
    number) for a numbered one (``installment``), and (show, "first") for a first season,
    a limited series or a series without a season label (``season-wording``)."""
    show = fold(_YEAR.sub("", show))
    if not show:
        return []
    if number is not None and kind != "limited":
        keys: list[tuple[Any, ...]] = [(show, kind, number)]
        if kind == "season" and number == 1:
            keys.append((show, "first"))
        return keys
    if kind in ("limited", "series"):
        return [(show, "first")]
    return []


def _row_installment(title: str) -> tuple[str, str, int | None]:
    m = _INSTALLMENT.match(title)
    if m is None:
        return title, "series", None
    inst = parse_label(m["show"], title)
    return m["show"], inst.kind, inst.number


def _title_kind(title: Title) -> str:
    return "film" if title.film else "tv"


def _fits(row_kind: str, title: Title) -> bool:
    return row_kind == "mixed" or row_kind == _title_kind(title)


def _english_list(title: Title) -> bool:
    return title.category is not None and "non-english" not in title.category.lower()


def _rank(row: ReportRow, title: Title, tier: str) -> tuple[Any, ...] | None:
    """The sort key of a candidate pair (smaller is better), or None if it is ruled out."""
    date_rank = 1
    first, last = title.first_week, title.last_week
    if row.release_date is not None and first is not None and last is not None:
        start = row.release_date - _EARLY
        if last < start:
            return None  # out of the Top 10 before it was released: another title
        # 1: in the Top 10 before the release too (namesakes merged into one title);
        # 0: a first week close after the release; 2: long after it
        close = first <= row.release_date + _CLOSE
        date_rank = 1 if first < start else 0 if close else 2
    foreign = 1 if _english_list(title) and row.original_title else 0
    # a row Netflix dated long before the title's first Top 10 week (a Netflix film of
    # 2018 for a title that charted in 2023) yields to any candidate that is not
    # (films only: a season charts again years later when a new one comes out)
    far = 1 if date_rank == 2 and title.film else 0
    return (foreign, far, _TIER[tier], date_rank, -row.hours_viewed)


def link(rows: Iterable[ReportRow], titles: Iterable[Title]) -> Links:
    """Link report rows to Top 10 titles (see the module's docstring for the rules)."""
    rows = list(rows)
    titles = list(titles)
    # index every title under the names each tier compares
    exact: dict[str, list[int]] = {}
    structured: dict[tuple[Any, ...], list[int]] = {}
    subtitle: dict[str, list[int]] = {}
    for i, t in enumerate(titles):
        for label in dict.fromkeys(fold(x) for x in t.labels):
            exact.setdefault(label, []).append(i)
        inst = t.installment
        if not t.film:
            for key in _installment_keys(t.show, inst.kind, inst.number):
                structured.setdefault(key, []).append(i)
            if inst.kind == "special" and inst.subtitle and len(fold(inst.subtitle)) >= 6:
                subtitle.setdefault(fold(inst.subtitle), []).append(i)

    candidates: list[tuple[tuple[Any, ...], int, int, str]] = []
    for r, row in enumerate(rows):
        seen: set[int] = set()

        def add(
            indices: Iterable[int],
            tier: str,
            r: int = r,
            row: ReportRow = row,
            seen: set[int] = seen,
        ) -> None:
            for i in indices:
                if i in seen or not _fits(row.kind, titles[i]):
                    continue
                rank = _rank(row, titles[i], tier)
                if rank is not None:
                    seen.add(i)
                    candidates.append((rank, r, i, tier))

        english = fold(row.title)
        add(exact.get(english, ()), "exact")
        for part in (row.original_title or "").split(" // "):
            if part.strip():
                add(exact.get(fold(part), ()), "original")
        bare = fold(_YEAR.sub("", row.title))
        if bare != english:
            add(exact.get(bare, ()), "year")
        if row.kind != "film":
            show, kind, number = _row_installment(row.title)
            if kind == "series" and _YEAR.search(show):
                kind = "dated"  # "Lost in Space (1998)": a film as likely as a series
            for key in _installment_keys(show, kind, number):
                tier = "season-wording" if key[1] == "first" else "installment"
                add(structured.get(key, ()), tier)
            add(subtitle.get(english, ()), "subtitle")

    out = Links()
    taken_rows: set[int] = set()
    taken: set[tuple[str, int]] = set()  # (report, title index)
    anchors: dict[int, list[ReportRow]] = {}

    def take(r: int, i: int, tier: str) -> None:
        row = rows[r]
        taken_rows.add(r)
        taken.add((row.report, i))
        out.by_row[row.key] = Link(row.key, titles[i].key, tier)

    # 1. the reports whose half-year the title's Top 10 weeks overlap: it charted, so its row
    #    had hours enough for the global Top 10
    charted = [c for c in candidates if _charting(rows[c[1]], titles[c[2]])]
    for _rank_key, r, i, tier in sorted(charted, key=lambda c: (_floor(rows[c[1]]), *c)):
        if r not in taken_rows and (rows[r].report, i) not in taken:
            take(r, i, tier)
            anchors.setdefault(i, []).append(rows[r])
    # 2. the other reports: the same row as where it charted (same title, original title and
    #    release date), else the best candidate that does not contradict it
    ordered = sorted(candidates, key=lambda c: (not _same_row(rows[c[1]], anchors.get(c[2])), *c))
    for _rank_key, r, i, tier in ordered:
        row = rows[r]
        if r in taken_rows or (row.report, i) in taken:
            continue
        if not _consistent(row, anchors.get(i)):
            continue
        take(r, i, tier)

    _fuzzy(rows, titles, taken_rows, taken, out)
    return out


_FLOOR = 1_000_000  # hours: below this in a half-year, a title cannot have charted globally


def _charting(row: ReportRow, title: Title) -> bool:
    """True if the title's Top 10 weeks overlap the row's report half-year."""
    if None in (row.period_start, row.period_end, title.first_week, title.last_week):
        return False
    assert row.period_start and row.period_end and title.first_week and title.last_week
    return title.first_week <= row.period_end and title.last_week >= row.period_start


def _floor(row: ReportRow) -> int:
    return 1 if row.hours_viewed < _FLOOR else 0


def _signature(row: ReportRow) -> tuple[str, str]:
    return fold(row.title), fold(row.original_title or "")


def _same_row(row: ReportRow, anchors: list[ReportRow] | None) -> bool:
    return bool(anchors) and any(
        _signature(row) == _signature(a)
        and (row.release_date is None or a.release_date in (None, row.release_date))
        for a in anchors or ()
    )


def _consistent(row: ReportRow, anchors: list[ReportRow] | None) -> bool:
    """A row does not contradict the rows a title charted with: the same release date where
    they had one (Netflix dates its own titles in every report; a report from before that
    date cannot hold it), and an original-language title only where they had one (a
    season's wording may differ)."""
    if not anchors:
        return True
    for a in anchors:
        if a.release_date is not None and row.release_date != a.release_date:
            continue
        mine, theirs = fold(row.original_title or ""), fold(a.original_title or "")
        if bool(mine) != bool(theirs):
            continue
        if mine and not (mine.startswith(theirs) or theirs.startswith(mine)):
            continue
        return True
    return False


def _fuzzy(
    rows: list[ReportRow],
    titles: list[Title],
    taken_rows: set[int],
    taken: set[tuple[str, int]],
    out: Links,
) -> None:
    """Near spellings, for the titles still without a row in a report whose half-year their
    Top 10 weeks overlap."""
    from rapidfuzz import fuzz, process

    by_report: dict[str, list[int]] = {}
    periods: dict[str, tuple[dt.date | None, dt.date | None]] = {}
    for r, row in enumerate(rows):
        periods.setdefault(row.report, (row.period_start, row.period_end))
        if r not in taken_rows:
            by_report.setdefault(row.report, []).append(r)
    for report, free in by_report.items():
        names = [fold(rows[r].title) for r in free]
        start, end = periods[report]
        for i, t in enumerate(titles):
            if (report, i) in taken or t.first_week is None or t.last_week is None:
                continue
            if (
                start is not None
                and end is not None
                and (t.last_week < start or t.first_week > end + _EARLY)
            ):
                continue
            name = fold(t.label)
            if len(name) < 8:
                continue
            best = process.extractOne(name, names, scorer=fuzz.ratio, score_cutoff=92)
            if best is None:
                continue
            _choice, _score, j = best
            r = free[j]
            row = rows[r]
            if (
                r in taken_rows
                or not _fits(row.kind, t)
                or _DIGITS.findall(names[j]) != _DIGITS.findall(name)
                or _rank(row, t, "fuzzy") is None
            ):
                continue
            taken_rows.add(r)
            taken.add((report, i))
            out.by_row[row.key] = Link(row.key, t.key, "fuzzy")


def report_rows(store: Store) -> list[ReportRow]:
    """The current rows of every report in ``store``."""
    from chartwatch.engagement.reports import report_rows as rows_sql

    sql, params = rows_sql()
    return [
        ReportRow(*r)
        for r in store.all(
            f"SELECT report, kind, title, occurrence, original_title, release_date, "
            f"hours_viewed, period_start, period_end FROM {sql}",
            params,
        )
    ]


def store_titles(store: Store) -> list[Title]:
    """The store's Top 10 titles (its current view's title index): the one place this module
    asks for them."""
    from chartwatch.view import View

    return list(View.of(store).titles.titles.values())


def store_links(store: Store) -> Links:
    """:func:`link` over the store's current report rows and Top 10 titles, made once per
    view of the store (:class:`chartwatch.view.View`) and kept with it, so a server or a
    test that asks several times links once."""
    from chartwatch.view import View

    view = View.of(store)
    return view.derived(
        "engagement_links", lambda: link(report_rows(store), list(view.titles.titles.values()))
    )


def charted_titles(store: Store, start: dt.date, end: dt.date) -> set[str]:
    """The keys of the titles with a week in the global Top 10 between ``start`` and
    ``end`` (week ending dates), as the store's current view has them."""
    from chartwatch.view import View

    view = View.of(store)
    titles = view.titles.titles
    keys: set[str] = set()
    for key, weeks in view.core.weeks.items():
        if any(start <= w.week <= end for w in weeks) and key in titles:
            keys.add(titles[key].key)
    return keys
