"""Calibration: from Netflix's published charts to the seconds each title is watched.

The first half of ``synth`` (:mod:`chartwatch.engine.synthetic` writes the events): from
Netflix Top 10 files (global lists, and country lists where they exist), a :class:`Plan`
holds the catalogue and, per week, title and country, the whole seconds of viewing such
that a build at the same scale returns the same ranks and the published hours × ``scale``
(to the scaled rounding step):

1. **Per week and list.** Each listed title gets exact seconds inside the rounding interval
   of its published hours × scale; where the list is ranked by views, also (when the
   interval allows) inside the interval of its published views. Going up from rank 10,
   each title is given strictly more of the ranking measure than the one below, so ties in
   the rounded figures are broken as Netflix broke them.
2. **Countries.** Where country lists exist for the week, the title at rank r in a
   country gets ``u × (11 − r) × size(country)`` of that country's ranking measure, which
   reproduces every country list; ``u`` is small enough that the country shares stay
   under half of any charted title's total and that titles listed only in countries stay
   below every global rank 10. The rest of each title's hours goes to countries without a
   published list. Weeks without country lists spread each title over every country.

The catalogue gives every title the runtime of each week it was published with one (a new
catalogue row, with ``from_week``, each time it changes: series released in parts, staggered
launches); for a staggered launch (published runtime 0) the runtime is hours ÷ views, the
runtime its views imply. Titles never published with a runtime get 1.8333 h (films) or
7.5 h (series), which only matters where they are ranked by views.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chartwatch.engine.countries import NETFLIX_COUNTRIES
from chartwatch.engine.method import NETFLIX_SWITCH_WEEK
from chartwatch.errors import BadInputError, UsageError

# Countries with viewers but no published list (they take the rest of each title's hours).
UNLISTED_COUNTRIES = ("DZ", "AO", "GH", "CM", "NP", "KH", "UZ", "MN", "BY", "IQ")
DEFAULT_RUNTIME = {"Films": 1.8333, "TV": 7.5}
HOURS_STEP = (10_000, 100_000)
VIEWS_STEP = 100_000
MIN_UNIT_SECONDS = 10

CatalogRow = tuple[str, str, str, str, str, float, dt.date | None, bool, str, dt.date | None]
"""A catalogue row: title_id, show_title, season_title, type, language, runtime,
release_date, is_staggered_launch, episode_launch_details, from_week."""
Target = tuple[dt.date, str, str, int, str]
"""Seconds to write as events: (week, title_id, country_iso2, seconds, Films or TV)."""


@dataclass
class Plan:
    """What the events must add up to: the boundary between calibration and writing."""

    catalog: list[CatalogRow]
    targets: list[Target]
    titles: int
    weeks: list[dt.date]
    country_weeks: int
    hours_step: tuple[int, int]
    views_step: int
    misses: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class _Title:
    title_id: str
    show_title: str
    season_title: str | None
    kind: str  # Films | TV
    language: str | None = None
    # per week with a published runtime: (runtime, staggered launch, launch details)
    published: dict[dt.date, tuple[float, bool, str]] = field(default_factory=dict)
    first_week: dt.date | None = None
    first_cumulative: int = 1

    def versions(self) -> list[tuple[dt.date | None, float, bool, str]]:
        """Catalogue rows: (from_week, runtime, staggered, details), one per change."""
        rows: list[tuple[dt.date | None, float, bool, str]] = []
        for week in sorted(self.published):
            value = self.published[week]
            if not rows or rows[-1][1:] != value:
                rows.append((week if rows else None, *value))
        return rows or [(None, DEFAULT_RUNTIME[self.kind], False, "")]

    def runtime_at(self, week: dt.date) -> float:
        runtime = self.versions()[0][1]
        for start, value, _, _ in self.versions()[1:]:
            if start is not None and start <= week:
                runtime = value
        return runtime

    @property
    def release_date(self) -> dt.date | None:
        if self.first_week is None:
            return None
        return self.first_week - dt.timedelta(days=6 + 7 * (self.first_cumulative - 1))


def _unit(*parts: object) -> float:
    """A stable pseudo-random number in [0, 1) from ``parts``."""
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def _split(total: int, weights: list[float]) -> list[int]:
    """``total`` split in proportion to ``weights``, in whole numbers that add up exactly."""
    if total <= 0 or not weights:
        return [0] * len(weights)
    wsum = sum(weights)
    raw = [total * w / wsum for w in weights]
    parts = [math.floor(x) for x in raw]
    left = total - sum(parts)
    order = sorted(range(len(raw)), key=lambda i: (parts[i] - raw[i], i))
    for i in order[:left]:
        parts[i] += 1
    return parts


def _read_charts(
    sources: list[str],
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[str]]:
    """Global and country rows of the given files (or ``bundled``), checked by ``ingest``."""
    from chartwatch.bundled import load_bundled
    from chartwatch.ingestion.batch import ingest
    from chartwatch.store import open_store
    from chartwatch.store.rows import visible_rows

    notes: list[str] = []
    with open_store(":memory:") as store:
        for source in sources:
            if source == "bundled":
                load_bundled(store, engagement=False)  # the charts only
                continue
            path = Path(source).expanduser()
            if path.is_dir():
                names = sorted(
                    p
                    for p in path.iterdir()
                    if p.is_file() and p.name.lower().endswith((".tsv", ".csv", ".xlsx", ".gz"))
                )
            elif path.is_file():
                names = [path]
            else:
                raise UsageError(f"{source} does not exist", parameter="sources")
            for result in ingest(store, names):
                if result.status == "rejected":
                    raise BadInputError(result.source, result.reason or "rejected", result.line)
        rows_sql, params = visible_rows(None)
        global_rows = store.all(
            "SELECT week, category, rank, show_title, season_title, weekly_hours_viewed, "
            "runtime, weekly_views, is_staggered_launch, episode_launch_details, "
            f"cumulative_weeks_in_top_10 FROM {rows_sql} r WHERE list = 'global' "
            "ORDER BY week, category, rank",
            params,
        )
        country_rows = store.all(
            "SELECT week, country_iso2, category, rank, show_title, season_title "
            f"FROM {rows_sql} r WHERE list = 'countries' "
            "ORDER BY week, country_iso2, category, rank",
            params,
        )
        popular = store.scalar(
            f"SELECT count(*) FROM {rows_sql} r WHERE list = 'most-popular'", params
        )
    if popular:
        notes.append("most-popular lists are not reproduced: a build derives them from the events")
    return global_rows, country_rows, notes


def calibrate(
    sources: list[str],
    *,
    scale: float,
    weeks: tuple[dt.date | None, dt.date | None] = (None, None),
    seed: int = 0,
    switch_week: dt.date = NETFLIX_SWITCH_WEEK,
) -> Plan:
    """Read the charts (files, folders or ``bundled``) and fit the seconds to them."""
    global_rows, country_rows, notes = _read_charts(sources)
    global_rows, country_rows = _in_weeks(global_rows, weeks), _in_weeks(country_rows, weeks)
    if not global_rows:
        raise UsageError(
            "no global lists in the given files and weeks to calibrate on", parameter="sources"
        )
    hours_step, views_step = _steps(scale, notes)
    titles = _Titles()
    lists = _global_lists(global_rows, titles)
    country_lists = _country_lists(country_rows, titles, lists)

    targets: list[Target] = []
    misses: list[str] = []
    size = {c: 1.0 + _unit(seed, "size", c) for c in (*NETFLIX_COUNTRIES, *UNLISTED_COUNTRIES)}
    all_weeks = sorted(lists)
    for week in all_weeks:
        by_views = week >= switch_week
        exact = _fit_lists(week, lists[week], scale, hours_step, views_step, by_views, misses)
        targets += _allocate(
            week, lists[week], exact, country_lists.get(week), by_views, size, seed
        )
    return Plan(
        catalog=titles.catalog(),
        targets=targets,
        titles=len(titles.by_key),
        weeks=all_weeks,
        country_weeks=len([w for w in country_lists if w in lists]),
        hours_step=hours_step,
        views_step=views_step,
        misses=misses,
        notes=notes,
    )


def _in_weeks(rows: list[Any], weeks: tuple[dt.date | None, dt.date | None]) -> list[Any]:
    """The rows (each starting with its week) from ``weeks[0]`` to ``weeks[1]``."""
    first, last = weeks
    return [r for r in rows if (first is None or r[0] >= first) and (last is None or r[0] <= last)]


def _steps(scale: float, notes: list[str]) -> tuple[tuple[int, int], int]:
    """Netflix's rounding steps of hours and views at ``scale``, whole; ``notes`` says so
    when scaling them does not give whole hours."""
    hours_step = (max(1, round(HOURS_STEP[0] * scale)), max(1, round(HOURS_STEP[1] * scale)))
    views_step = max(1, round(VIEWS_STEP * scale))
    if any(abs(s * scale - round(s * scale)) > 1e-9 for s in (*HOURS_STEP, VIEWS_STEP)) or (
        HOURS_STEP[0] * scale < 1
    ):
        notes.append(
            f"at scale {scale:g} Netflix's rounding steps are not whole hours; "
            f"the build options use {hours_step[0]}/{hours_step[1]} and {views_step}, and "
            "hours are reproduced to those steps"
        )
    return hours_step, views_step


class _Titles:
    """The titles met in the charts. A title is (show, season, films or TV, language): two
    films may share a name; ``by_name`` finds those of a name without its language."""

    def __init__(self) -> None:
        self.by_key: dict[tuple[str, str | None, str, str | None], _Title] = {}
        self.by_name: dict[tuple[str, str | None, str], list[_Title]] = defaultdict(list)

    def get(self, show: str, season: str | None, kind: str, language: str | None) -> _Title:
        key = (show, season, kind, language)
        t = self.by_key.get(key)
        if t is None:
            t = _Title(f"t{len(self.by_key) + 1:06d}", show, season, kind, language)
            self.by_key[key] = t
            self.by_name[(show, season, kind)].append(t)
        return t

    def catalog(self) -> list[CatalogRow]:
        """The catalogue: a row per title and version (a change of runtime or launch)."""
        return [
            (
                t.title_id,
                t.show_title,
                t.season_title or "N/A",
                t.kind,
                t.language or "Non-English",
                runtime,
                t.release_date,
                staggered,
                details,
                start,
            )
            for t in sorted(self.by_key.values(), key=lambda t: t.title_id)
            for start, runtime, staggered, details in t.versions()
        ]


Lists = dict[dt.date, dict[str, list[tuple[int, _Title, int, int | None]]]]
"""Published figures per week and list: (rank, title, hours, views)."""


def _global_lists(rows: list[Any], titles: _Titles) -> Lists:
    """The global lists' figures per week and list; each title learns its runtimes (by
    week) and its first week."""
    lists: Lists = defaultdict(lambda: defaultdict(list))
    for week, category, rank, show, season, hours, runtime, views, stag, details, cum in rows:
        kind, language = category[:-1].split(" (")
        t = titles.get(show, season, kind, language)
        if stag and views:
            # Netflix publishes runtime 0; hours ÷ views is the runtime its views imply
            t.published[week] = (hours / views, True, details or "")
        elif runtime:
            t.published[week] = (float(runtime), bool(stag), details or "")
        if t.first_week is None or week < t.first_week:
            t.first_week, t.first_cumulative = week, int(cum or 1)
        lists[week][category].append((int(rank), t, int(hours), int(views) if views else None))
    return lists


def _country_lists(
    rows: list[Any], titles: _Titles, lists: Lists
) -> dict[dt.date, dict[str, list[tuple[int, _Title]]]]:
    """The country lists per week and country: (rank, title). They name no language: the
    title of that name charted globally that week, else any title of that name, else a new
    (non-English) one."""
    out: dict[dt.date, dict[str, list[tuple[int, _Title]]]] = defaultdict(lambda: defaultdict(list))
    for week, iso2, category, rank, show, season in rows:
        known = titles.by_name.get((show, season, category), [])
        charted = {t.title_id for rows in lists.get(week, {}).values() for _, t, _, _ in rows}
        pick = [t for t in known if t.title_id in charted] or known
        t = pick[0] if pick else titles.get(show, season, category, None)
        if t.first_week is None or week < t.first_week:
            t.first_week, t.first_cumulative = week, 1
        out[week][iso2].append((int(rank), t))
    for t in titles.by_key.values():
        if t.language is None:
            t.language = "Non-English"
    return out


@dataclass
class _Measure:
    """What the build ranks a list by (views or seconds), from a title's exact seconds."""

    per_view: list[float]  # seconds per view of each title of the list
    by_views: bool

    def measure(self, i: int, x: int) -> float:
        # computed exactly as the build computes it: seconds / (3600 × runtime)
        return x / self.per_view[i] if self.by_views else float(x)

    def below(self, i: int, value: float) -> int:
        """The largest x whose measure is under ``value``."""
        x = math.ceil(value * self.per_view[i]) if self.by_views else math.ceil(value)
        while self.measure(i, x) >= value:
            x -= 1
        while self.measure(i, x + 1) < value:
            x += 1
        return x

    def above(self, i: int, value: float) -> int:
        """The smallest x whose measure is over ``value``."""
        x = math.floor(value * self.per_view[i]) if self.by_views else math.floor(value)
        while self.measure(i, x) <= value:
            x += 1
        while self.measure(i, x - 1) > value:
            x -= 1
        return x


def _fit_lists(
    week: dt.date,
    lists: dict[str, list[tuple[int, _Title, int, int | None]]],
    scale: float,
    hours_step: tuple[int, ...],
    views_step: int,
    by_views: bool,
    misses: list[str],
) -> dict[str, int]:
    """Exact seconds per listed title: inside its rounding interval, strictly ordered.

    Each title has a range of whole seconds that round to its published hours (and, ranked
    by views, to its published views when both can hold). Going down the list, each range
    is capped so that the title stays below the one above; going up, each title takes the
    value nearest its published figures that stays above the one below.
    """
    step_s = 3600 * (hours_step[1] if by_views else hours_step[0])
    exact: dict[str, int] = {}
    for category, rows in lists.items():
        ranked = sorted(rows, key=lambda r: r[0])
        n = len(ranked)
        per_view = [3600.0 * t.runtime_at(week) for _, t, _, _ in ranked]  # seconds per view
        # A staggered launch has no single runtime (Netflix publishes 0): its runtime is
        # free, so its views can take any value that rounds to the published views.
        free = [
            by_views and views is not None and t.published.get(week, (0.0, False, ""))[1]
            for _, t, _, views in ranked
        ]
        m = _Measure(per_view, by_views)
        centre, lo, hi = [], [], []
        vlo, vhi = [0.0] * n, [0.0] * n  # views range of the free titles
        for i, (_, _, hours, views) in enumerate(ranked):
            c = round(hours * scale * 3600)
            low, high = math.ceil(c - step_s / 2), math.ceil(c + step_s / 2) - 1
            if free[i]:
                assert views is not None
                margin = views_step * 1e-6
                vlo[i] = views * scale - views_step / 2 + margin
                vhi[i] = views * scale + views_step / 2 - margin
            elif by_views and views is not None:
                xlo = math.ceil(per_view[i] * (views * scale - views_step / 2)) + 1
                xhi = math.floor(per_view[i] * (views * scale + views_step / 2)) - 1
                if max(low, xlo) <= min(high, xhi):
                    low, high = max(low, xlo), min(high, xhi)
                    c = min(max(c, low), high)
            centre.append(c)
            lo.append(low)
            hi.append(high)

        # Down the list: the most each title may have (as the build measures it).
        cap_x = list(hi)
        cap_m = [0.0] * n
        for i in range(n):
            if free[i]:
                cap_m[i] = vhi[i] if i == 0 else min(vhi[i], _just_below(cap_m[i - 1]))
            else:
                if i > 0:
                    cap_x[i] = min(hi[i], m.below(i, cap_m[i - 1]))
                cap_m[i] = m.measure(i, cap_x[i])
        # Up the list: the value nearest the published one, above the title below.
        chosen = [0.0] * n
        x = list(centre)
        for i in reversed(range(n)):
            rank, t, _, views = ranked[i]
            missed = False
            if free[i]:
                floor_m = vlo[i] if i + 1 == n else max(vlo[i], _just_above(chosen[i + 1]))
                assert views is not None
                v = min(max(views * scale, floor_m), cap_m[i])
                missed = floor_m > cap_m[i]
                runtime = centre[i] / (3600.0 * v)
                t.published[week] = (runtime, True, t.published[week][2])
                m.per_view[i] = 3600.0 * runtime
            else:
                floor_x = lo[i] if i + 1 == n else max(lo[i], m.above(i, chosen[i + 1]))
                x[i] = min(max(centre[i], floor_x), cap_x[i])
                missed = floor_x > cap_x[i]
                if missed:
                    x[i] = floor_x
            if missed:
                misses.append(f"{week} {category} rank {rank}: {t.season_title or t.show_title}")
            chosen[i] = m.measure(i, x[i])
        for i, (_, t, _, _) in enumerate(ranked):
            exact[t.title_id] = x[i]
    return exact


def _just_below(value: float) -> float:
    return value - max(abs(value) * 1e-9, 1e-9)


def _just_above(value: float) -> float:
    return value + max(abs(value) * 1e-9, 1e-9)


def _allocate(
    week: dt.date,
    lists: dict[str, list[tuple[int, _Title, int, int | None]]],
    exact: dict[str, int],
    countries: dict[str, list[tuple[int, _Title]]] | None,
    by_views: bool,
    size: dict[str, float],
    seed: int,
) -> list[Target]:
    """Seconds per (title, country) for one week: the country lists, then the rest."""
    charted = {t.title_id: t for rows in lists.values() for _, t, _, _ in rows}
    out: list[Target] = []
    if not countries:
        everywhere = sorted((*NETFLIX_COUNTRIES, *UNLISTED_COUNTRIES))
        for tid, t in sorted(charted.items()):
            weights = [size[c] * (0.2 + _unit(seed, week, tid, c)) for c in everywhere]
            for c, s in zip(everywhere, _split(exact[tid], weights), strict=True):
                if s:
                    out.append((week, tid, c, s, t.kind))
        return out

    # Rank 10 of each global list: what a title outside the lists must stay under.
    floor_seconds = {
        cat: min(exact[t.title_id] for _, t, _, _ in rows) for cat, rows in lists.items()
    }
    floor_views = {
        cat: min(exact[t.title_id] / (3600 * t.runtime_at(week)) for _, t, _, _ in rows)
        for cat, rows in lists.items()
    }
    weight: dict[str, float] = defaultdict(float)  # per title: Σ (11 − r) × size × runtime?
    entries: list[tuple[_Title, str, float]] = []
    titles: dict[str, _Title] = {}
    for iso2, rows in countries.items():
        for rank, t in rows:
            factor = (11 - rank) * size.get(iso2, 1.0) * (t.runtime_at(week) if by_views else 1.0)
            entries.append((t, iso2, factor))
            weight[t.title_id] += factor
            titles[t.title_id] = t
    limits = []
    for tid, a in weight.items():
        t = titles[tid]
        if tid in charted:
            limits.append(0.5 * exact[tid] / a)
        else:
            cat = f"{t.kind} ({t.language})"
            if cat not in floor_seconds:
                continue
            if by_views:
                limits.append(0.5 * floor_views[cat] * 3600 * t.runtime_at(week) / a)
            else:
                limits.append(0.5 * floor_seconds[cat] / a)
    unit = math.floor(min(limits)) if limits else MIN_UNIT_SECONDS
    if unit < MIN_UNIT_SECONDS:
        raise UsageError(
            f"too small to reproduce the country lists of {week}: "
            f"use a larger scale (each rank step would be {unit} s)",
            parameter="scale",
        )
    listed: dict[str, int] = defaultdict(int)
    for t, iso2, factor in entries:
        s = round(unit * factor)
        out.append((week, t.title_id, iso2, s, t.kind))
        listed[t.title_id] += s
    for tid, t in sorted(charted.items()):
        rest = exact[tid] - listed.get(tid, 0)
        weights = [size[c] * (0.2 + _unit(seed, week, tid, c)) for c in UNLISTED_COUNTRIES]
        for c, s in zip(UNLISTED_COUNTRIES, _split(rest, weights), strict=True):
            if s:
                out.append((week, tid, c, s, t.kind))
    return out
