"""Synthetic viewing events calibrated to real charts: ``build(synth(charts))`` gives them back.

``synth`` has two halves with a :class:`~chartwatch.engine.calibration.Plan` between them:
:mod:`chartwatch.engine.calibration` fits, per week, title and country, the seconds of
viewing that reproduce the published charts × ``scale`` (their ranks, hours and views, and
the country lists); this module writes ``catalog.csv`` and ``events.parquet`` that add up
to exactly those seconds:

**Events.** Each (week, title, country) total is cut into viewing sessions of about
``session_minutes`` (±60 %) whose seconds add up exactly; series are watched in binges of
three episodes by one profile; sessions start mostly in the evening and more at the
weekend, inside the week. ``noise`` adds bad events (duplicates, negative or too long
durations, unknown titles, bad country codes, missing fields) that a build must set aside,
so the charts do not change; the report says how many of each.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from chartwatch.engine.calibration import CatalogRow, Target, calibrate
from chartwatch.engine.inputs import one, quote_path, run
from chartwatch.engine.method import NETFLIX_SWITCH_WEEK
from chartwatch.errors import UsageError


@dataclass
class SynthReport:
    """What ``synth`` wrote, and the ``build`` settings that give the charts back."""

    out_dir: str
    events: int
    titles: int
    weeks: int
    first_week: str | None
    last_week: str | None
    country_weeks: int
    scale: float
    seed: int
    noise: dict[str, int]
    build_options: dict[str, Any]
    misses: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def build_command(self) -> str:
        o = self.build_options
        return (
            f"chartwatch build {self.out_dir}/events.parquet {self.out_dir}/catalog.csv "
            f"-o OUT --round-hours {o['hours_step'][0]}/{o['hours_step'][1]} "
            f"--round-views {o['views_step']}"
        )


def synth(
    sources: list[str],
    out_dir: str | Path,
    *,
    scale: float,
    weeks: tuple[dt.date | None, dt.date | None] = (None, None),
    seed: int = 0,
    noise: float = 0.0,
    session_minutes: float = 45.0,
    switch_week: dt.date = NETFLIX_SWITCH_WEEK,
) -> SynthReport:
    """Write ``events.parquet`` and ``catalog.csv`` into ``out_dir``; see the module doc."""
    started = time.perf_counter()
    if not scale > 0:
        raise UsageError("must be more than 0", parameter="scale")
    if not 0 <= noise <= 1:
        raise UsageError("must be between 0 and 1", parameter="noise")
    if not 1 <= session_minutes <= 720:
        raise UsageError("must be between 1 and 720 (12 hours)", parameter="session_minutes")
    plan = calibrate(sources, scale=scale, weeks=weeks, seed=seed, switch_week=switch_week)
    out = Path(out_dir).expanduser()
    out.mkdir(parents=True, exist_ok=True)
    noise_counts = _write(out, plan.catalog, plan.targets, seed, noise, session_minutes)
    with duckdb.connect(":memory:") as con:
        events = one(
            con, f"SELECT count(*) FROM read_parquet({quote_path(out / 'events.parquet')})"
        )
    return SynthReport(
        out_dir=str(out),
        events=int(events[0]) if events else 0,
        titles=plan.titles,
        weeks=len(plan.weeks),
        first_week=plan.weeks[0].isoformat() if plan.weeks else None,
        last_week=plan.weeks[-1].isoformat() if plan.weeks else None,
        country_weeks=plan.country_weeks,
        scale=scale,
        seed=seed,
        noise=noise_counts,
        build_options={
            "hours_step": list(plan.hours_step),
            "views_step": plan.views_step,
            "switch_week": switch_week.isoformat(),
            "rank_by": "auto",
        },
        misses=plan.misses,
        notes=plan.notes,
        seconds=round(time.perf_counter() - started, 3),
    )


_EVENTS = """
WITH t AS (
    SELECT tid, week, title_id, country_iso2, seconds,
           CASE WHEN kind = 'TV' THEN 3 ELSE 1 END AS k,
           GREATEST(1, CAST(ceil(seconds / {session}) AS BIGINT)) AS n
    FROM targets WHERE week = {week}
),
offsets AS (
    SELECT *, SUM(n) OVER (ORDER BY tid) - n AS first_of_target FROM t
),
e AS (
    SELECT t.*, r.i, seconds // n AS base, seconds % n AS extra, i // k AS b
    FROM offsets AS t, range(t.n) AS r(i)
),
timed AS (
    SELECT *,
        base + CASE WHEN i < extra THEN 1 ELSE 0 END
        + CASE WHEN i % 2 = 0 AND i + 1 < n THEN jitter
               WHEN i % 2 = 1 THEN -lag_jitter ELSE 0 END AS secs,
        -- a binge starts on a day weighted to the weekend, mostly in the evening
        CASE WHEN ud < 0.12 THEN 0 WHEN ud < 0.24 THEN 1 WHEN ud < 0.36 THEN 2
             WHEN ud < 0.49 THEN 3 WHEN ud < 0.64 THEN 4 WHEN ud < 0.82 THEN 5 ELSE 6 END
            * 86400
        + CASE WHEN uh < 0.3 THEN CAST(floor(uh / 0.3 * 86400) AS BIGINT)
               ELSE (61200 + CAST(floor((uh - 0.3) / 0.7 * 50400) AS BIGINT)) % 86400 END
            AS binge_start
    FROM (
        SELECT *,
            CAST(floor((hash({seed}, tid, i // 2, 'j') % 1000) / 1000.0 * 0.6 * (base - 1))
                 AS BIGINT) AS jitter,
            CAST(floor((hash({seed}, tid, (i - 1) // 2, 'j') % 1000) / 1000.0 * 0.6 * (base - 1))
                 AS BIGINT) AS lag_jitter,
            (hash({seed}, tid, b, 'd') % 1000000) / 1e6 AS ud,
            (hash({seed}, tid, b, 'h') % 1000000) / 1e6 AS uh
        FROM e
    )
)
SELECT
    CAST({first_id} + first_of_target + i AS BIGINT) AS event_id,
    CAST(hash({seed}, country_iso2, tid, b, 'p') % 50000000 AS BIGINT) AS profile_id,
    title_id,
    country_iso2,
    CAST(week AS TIMESTAMP) AT TIME ZONE 'UTC' - INTERVAL 6 DAY
        + to_seconds(LEAST(binge_start, 604799 - k * (2 * base + 300))
                     + (i % k) * (base + 300)) AS started_at,
    CAST(secs AS INTEGER) AS seconds
FROM timed
"""


def _write(
    out: Path,
    catalog: list[CatalogRow],
    targets: list[Target],
    seed: int,
    noise: float,
    session_minutes: float,
) -> dict[str, int]:
    """Write catalog.csv and events.parquet (one week at a time, then joined)."""
    parts = out / ".synth-parts"
    shutil.rmtree(parts, ignore_errors=True)
    parts.mkdir(parents=True)
    counts = {
        "duplicates": 0,
        "negative_seconds": 0,
        "over_max_seconds": 0,
        "unknown_title": 0,
        "bad_country": 0,
        "incomplete": 0,
    }
    with duckdb.connect(":memory:") as con:
        run(con, "SET TimeZone = 'UTC'")
        run(con, "SET enable_progress_bar = false")
        run(
            con,
            "CREATE TABLE catalog (title_id VARCHAR, show_title VARCHAR, season_title VARCHAR, "
            "type VARCHAR, language VARCHAR, runtime DOUBLE, release_date DATE, "
            "is_staggered_launch BOOLEAN, episode_launch_details VARCHAR, from_week DATE)",
        )
        _insert(con, "catalog", list(catalog))
        run(
            con,
            "COPY (SELECT * FROM catalog ORDER BY title_id, from_week NULLS FIRST) TO "
            f"{quote_path(out / 'catalog.csv')} (FORMAT csv, HEADER true)",
        )
        run(
            con,
            "CREATE TABLE targets (tid BIGINT, week DATE, title_id VARCHAR, "
            "country_iso2 VARCHAR, seconds BIGINT, kind VARCHAR)",
        )
        _insert(con, "targets", [(i, *row) for i, row in enumerate(targets) if row[3] > 0])
        first_id = 0
        weeks = [
            r[0] for r in con.execute("SELECT DISTINCT week FROM targets ORDER BY 1").fetchall()
        ]
        for week in weeks:
            part = parts / f"{week.isoformat()}.parquet"
            query = _EVENTS.format(
                session=float(session_minutes * 60),
                week=f"DATE '{week.isoformat()}'",
                seed=int(seed),
                first_id=first_id,
            )
            run(con, f"CREATE OR REPLACE TEMP TABLE wk AS {query}")
            if noise > 0:
                _add_noise(con, noise, seed, week, counts)
            run(
                con,
                f"COPY (SELECT * FROM wk ORDER BY started_at, event_id) TO {quote_path(part)} "
                "(FORMAT parquet)",
            )
            top = one(con, "SELECT max(event_id) FROM wk")
            first_id = int(top[0]) + 1 if top and top[0] is not None else first_id
        run(
            con,
            f"COPY (SELECT * FROM read_parquet({quote_path(parts / '*.parquet')})) TO "
            f"{quote_path(out / 'events.parquet')} (FORMAT parquet)",
        )
    shutil.rmtree(parts, ignore_errors=True)
    return counts


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple[Any, ...]]) -> None:
    """Insert many rows at once: one list per column, unnested by DuckDB (executemany
    inserts row by row, minutes for the half million targets of every Netflix week)."""
    if not rows:
        return
    columns = [list(c) for c in zip(*rows, strict=True)]
    unnest = ", ".join(f"unnest(${i + 1})" for i in range(len(columns)))
    run(con, f"INSERT INTO {table} SELECT {unnest}", columns)


def _add_noise(
    con: duckdb.DuckDBPyConnection, noise: float, seed: int, week: dt.date, counts: dict[str, int]
) -> None:
    """Add bad events to the week's table ``wk`` (fresh ids above the week's, except copies)."""
    w = week.isoformat()
    picks = f"(hash({seed}, event_id, '{w}', 'noise') % 1000000) / 1e6"
    run(
        con,
        f"CREATE OR REPLACE TEMP TABLE picked AS "
        f"SELECT *, {picks} AS u FROM wk WHERE {picks} < {noise}",
    )
    top = one(con, "SELECT max(event_id) FROM wk")
    base = int(top[0]) + 1 if top and top[0] is not None else 0
    # (share of the picked events, the columns of the bad copy; FRESH is a new event id)
    kinds = {
        # copies of real events: same id, same everything
        "duplicates": (
            0.0,
            0.4,
            "event_id, profile_id, title_id, country_iso2, started_at, seconds",
        ),
        "negative_seconds": (
            0.4,
            0.5,
            "FRESH, profile_id, title_id, country_iso2, started_at, -1 - seconds % 600",
        ),
        "over_max_seconds": (
            0.5,
            0.6,
            "FRESH, profile_id, title_id, country_iso2, started_at, 86401 + seconds",
        ),
        "unknown_title": (
            0.6,
            0.75,
            "FRESH, profile_id, 'unknown-' || (event_id % 7), country_iso2, started_at, seconds",
        ),
        "bad_country": (
            0.75,
            0.85,
            "FRESH, profile_id, title_id, lower(country_iso2), started_at, seconds",
        ),
        "incomplete": (0.85, 1.0, "FRESH, profile_id, NULL, country_iso2, started_at, seconds"),
    }
    for name, (lo, hi, select) in kinds.items():
        cond = f"u / {noise} >= {lo} AND u / {noise} < {hi}"
        row = one(con, f"SELECT count(*) FROM picked WHERE {cond}")
        n = int(row[0]) if row else 0
        counts[name] += n
        fresh = f"CAST({base} + row_number() OVER (ORDER BY event_id) AS BIGINT)"
        run(con, f"INSERT INTO wk SELECT {select.replace('FRESH', fresh)} FROM picked WHERE {cond}")
        base += n
    run(con, "DROP TABLE picked")
