"""The chart method, written once: SQL in DuckDB's dialect, transpiled for Spark by SQLGlot.

Two stages, each a plain SQL query over named tables, so any engine that runs SQL runs
the method:

1. :func:`daily_sql` — the heavy pass over raw viewing events (table ``events``): normalise
   the columns, put each event in its day and week, set aside incomplete events and events
   outside the requested range, keep one copy of each event id per week, flag negative and
   implausibly long durations, and sum the seconds per (week, day, title, country, status).
   Its output is small whatever the number of events (titles × countries × days), and is
   what the incremental state keeps.
2. :func:`lists_sql` — from those daily sums (table ``daily``), the ``catalog``, the title
   ``versions`` (runtime and staggered launch by week) and the ``countries`` table: the
   global lists, the country lists, cumulative weeks, the most-popular lists, the titles
   that lack a runtime, and the counts of bad events.

Everything a published figure depends on is integer arithmetic (seconds are summed as
BIGINT, hours rounded by integer division) or a single IEEE-754 operation per value
(views = seconds / (3600 × runtime)), so DuckDB and Spark give the same bits. Ties are
broken by a total order that ends with the title id, so the ranks are the same too.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import asdict, dataclass
from string import Template
from typing import Any, Literal

from chartwatch.errors import UsageError

RankBy = Literal["auto", "views", "hours"]

NETFLIX_SWITCH_WEEK = dt.date(2023, 6, 18)
"""The first week Netflix ranked by views and rounded hours to 100,000 (not 10,000)."""


TOP_N = 10
MONDAY = dt.date(1970, 1, 5)  # weeks are counted from a Monday

EARLIEST_DAY = dt.date(2007, 1, 15)
"""Netflix began streaming on 15 January 2007: an event dated earlier (1970, 1900: a clock
reset or a zero timestamp) is a bad event, ``implausible_time``."""


def latest_day() -> dt.date:
    """The last plausible day of an event: tomorrow (UTC). Nobody watches in the future; an
    event dated later (2099, 9999-12-31) is a clock error, a bad event (``implausible_time``).
    One day of slack covers every time zone."""
    return dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)


# What stage 1 says of each event: why it was set aside, in the order checked, or "ok".
STATUSES = (
    "incomplete",
    "implausible_time",
    "outside_range",
    "duplicate",
    "bad_seconds",
    "nan_seconds",
    "negative",
    "over_cap",
    "bad_country",
    "ok",
)


@dataclass(frozen=True)
class Method:
    """The knobs of the method. The defaults are Netflix's published rules.

    ``hours_step`` is the rounding of published hours before and from ``switch_week``
    (Netflix: 10,000 then 100,000); ``views_step`` the rounding of views (100,000).
    ``rank_by`` "auto" ranks by hours before ``switch_week`` and by views from it.
    ``max_seconds`` is the longest plausible single viewing event; longer ones are set
    aside as implausible. Weeks run Monday to Sunday in ``timezone``.
    """

    timezone: str = "UTC"
    rank_by: RankBy = "auto"
    switch_week: dt.date = NETFLIX_SWITCH_WEEK
    hours_step: tuple[int, int] = (10_000, 100_000)
    views_step: int = 100_000
    max_seconds: int = 86_400
    most_popular_days: int = 91

    def __post_init__(self) -> None:
        if self.rank_by not in ("auto", "views", "hours"):
            raise UsageError(f"{self.rank_by!r} is not auto, views or hours", parameter="rank_by")
        if self.switch_week.weekday() != 6:
            raise UsageError(
                f"{self.switch_week} is not a Sunday (weeks end on Sundays)",
                parameter="switch_week",
            )
        for name, steps in (("hours_step", self.hours_step), ("views_step", (self.views_step,))):
            if any(step < 1 for step in steps):
                raise UsageError(
                    "rounding steps must be whole numbers of at least 1", parameter=name
                )
        if self.max_seconds < 1:
            raise UsageError("must be at least 1", parameter="max_seconds")
        if self.most_popular_days not in (28, 91):
            raise UsageError("must be 91 or 28 (days from release)", parameter="most_popular_days")
        if not re.fullmatch(r"[A-Za-z0-9_+\-/]+", self.timezone):
            raise UsageError(f"{self.timezone!r} is not a time zone name", parameter="timezone")

    def stage1(self) -> dict[str, Any]:
        """The settings the daily sums depend on: changing one recomputes every week."""
        return {"timezone": self.timezone, "max_seconds": self.max_seconds}

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["switch_week"] = self.switch_week.isoformat()
        data["hours_step"] = list(self.hours_step)
        return data


def week_of(day: str) -> str:
    """SQL for the Sunday ending the Monday–Sunday week of the date expression ``day``."""
    return f"{day} + CAST(6 - (DATE_DIFF('day', {lit(MONDAY)}, {day}) % 7 + 7) % 7 AS INTEGER)"


_DAY_US = "CAST(86400000000 AS BIGINT)"


def utc_day(ts: str) -> str:
    """SQL for the UTC day of the TIMESTAMPTZ expression ``ts``, in integer arithmetic on
    its microseconds since 1970 (rounded down, also before 1970): several times cheaper in
    DuckDB than a cast through the time-zone library, and exact on every engine
    (``epoch_us`` becomes Spark's ``unix_micros``)."""
    us = f"epoch_us({ts})"
    return (
        f"(DATE '1970-01-01' + CAST(({us} - (({us} % {_DAY_US}) + {_DAY_US}) % {_DAY_US})"
        f" // {_DAY_US} AS INTEGER))"
    )


def lit(value: object) -> str:
    """A SQL literal both dialects read the same way."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, int):
        return f"CAST({value} AS BIGINT)"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise TypeError(f"no SQL literal for {value!r}")


# -- stage 1: events -> daily sums ---------------------------------------------------------

_DAILY = Template(
    """
WITH raw AS (
    SELECT
        event_id,
        CAST(title_id AS VARCHAR) AS title_id,
        CAST(country_iso2 AS VARCHAR) AS country_iso2,
        TRY_CAST(started_at AS TIMESTAMPTZ) AS started_at,
        TRY_CAST(seconds AS DOUBLE) AS raw_seconds
    FROM events
),
src AS (
    -- seconds: 1 = missing or not a number, 2 = NaN (each its own bad event); the others
    -- rounded, and held within +-1e15 so that the cast cannot overflow
    SELECT event_id, title_id, country_iso2, started_at,
           CASE WHEN raw_seconds IS NULL THEN 1 WHEN ISNAN(raw_seconds) THEN 2 ELSE 0 END
               AS seconds_state,
           CASE WHEN raw_seconds IS NULL OR ISNAN(raw_seconds) THEN NULL
                ELSE CAST(FLOOR(LEAST(GREATEST(raw_seconds, CAST(-1e15 AS DOUBLE)),
                                      CAST(1e15 AS DOUBLE)) + CAST(0.5 AS DOUBLE)) AS BIGINT)
           END AS seconds
    FROM raw
),
dated AS (
    SELECT event_id, title_id, country_iso2, started_at, seconds_state, seconds, $day AS day
    FROM src
),
weeks AS (
    SELECT event_id, title_id, country_iso2, started_at, seconds_state, seconds, day,
           CASE WHEN day >= $earliest AND day <= $latest THEN $week_of_day END AS week,
           CASE
               WHEN event_id IS NULL OR title_id IS NULL OR country_iso2 IS NULL
                    OR started_at IS NULL THEN $incomplete
               WHEN day < $earliest OR day > $latest THEN $implausible_time
               WHEN day < $first_day OR day > $last_day THEN $outside_range
           END AS pre
    FROM dated
),
ranked AS (
    -- the copies of an event id in a week, earliest first: the first is the event
    SELECT pre, week, day, title_id, country_iso2, seconds_state, seconds,
           ROW_NUMBER() OVER (
               PARTITION BY pre, week, event_id
               ORDER BY started_at ASC NULLS LAST, seconds ASC NULLS LAST,
                        title_id ASC NULLS LAST, country_iso2 ASC NULLS LAST
           ) AS nth
    FROM weeks
    WHERE pre IS NOT NULL OR $weeks_filter
),
classified AS (
    SELECT week,
           CASE WHEN pre IS NULL THEN day END AS day,
           CASE WHEN pre IS NULL THEN title_id END AS title_id,
           CASE WHEN pre IS NULL THEN country_iso2 END AS country_iso2,
           CASE WHEN pre IS NULL THEN seconds END AS seconds,
           COALESCE(pre, CASE WHEN nth > 1 THEN $duplicate
                              WHEN seconds_state = 1 THEN $bad_seconds
                              WHEN seconds_state = 2 THEN $nan_seconds
                              WHEN seconds < 0 THEN $negative
                              WHEN seconds > $max_seconds THEN $over_cap
                              -- two capital letters A-Z: cheaper than a regular
                              -- expression, and the same on every engine
                              WHEN NOT (LENGTH(country_iso2) = 2
                                        AND SUBSTR(country_iso2, 1, 1) BETWEEN 'A' AND 'Z'
                                        AND SUBSTR(country_iso2, 2, 1) BETWEEN 'A' AND 'Z')
                                  THEN $bad_country
                              ELSE $ok END) AS status
    FROM ranked
)
-- Two grains straight from the events: per title and country (the weekly lists, the
-- counts) and per title and day (the most-popular windows start on any day).
SELECT week, day, title_id, country_iso2, $status_name AS status,
       CASE WHEN GROUPING(day) = 1 THEN 'country' ELSE 'day' END AS grain,
       CAST(SUM(CASE WHEN status = $ok THEN seconds ELSE 0 END) AS BIGINT) AS seconds,
       CAST(COUNT(*) AS BIGINT) AS events
FROM classified
GROUP BY GROUPING SETS ((week, title_id, country_iso2, status), (week, day, title_id, status))
"""
)


def daily_sql(
    method: Method,
    first_day: dt.date,
    last_day: dt.date,
    weeks: list[dt.date] | None = None,
) -> str:
    """Stage 1 over the table ``events``: daily sums per (week, day, title, country, status).

    Events between ``first_day`` and ``last_day`` (local days, whole weeks) are charted;
    others are counted as ``outside_range``. With ``weeks``, only those weeks are computed
    (an incremental build); events of the other weeks in the range are skipped, not counted.
    Duplicates are copies of an event id within one week: the earliest copy (by start time,
    then seconds, title, country) is kept.
    """
    if method.timezone.upper() == "UTC":
        day = utc_day("started_at")
    else:
        day = f"CAST(started_at AT TIME ZONE {lit(method.timezone)} AS DATE)"
    if weeks is None:
        weeks_filter = "TRUE"
    else:
        weeks_filter = "week IN (" + ", ".join(lit(w) for w in sorted(weeks)) + ")"
    return _DAILY.substitute(
        day=day,
        week_of_day=week_of("day"),
        first_day=lit(first_day),
        last_day=lit(last_day),
        earliest=lit(EARLIEST_DAY),
        latest=lit(latest_day()),
        weeks_filter=weeks_filter,
        max_seconds=lit(method.max_seconds),
        # statuses are small integers while the events are classified and summed (cheaper
        # to group by than text), named in the sums
        status_name="CASE status "
        + " ".join(f"WHEN {i} THEN {lit(name)}" for i, name in enumerate(STATUSES))
        + " END",
        **{name: str(i) for i, name in enumerate(STATUSES)},
    ).strip()


# -- stage 2: daily sums -> lists ------------------------------------------------------------

_BASE = Template(
    """
WITH good AS (
    SELECT week, title_id, country_iso2, seconds
    FROM daily
    WHERE grain = 'country' AND status = 'ok'
),
titled AS (
    SELECT g.week, g.country_iso2, g.seconds, c.title_id, c.kind, c.category, c.title_order
    FROM good g JOIN catalog c ON g.title_id = c.title_id
),
weekly AS (
    SELECT week, title_id, CAST(SUM(seconds) AS BIGINT) AS seconds
    FROM titled GROUP BY week, title_id
),
scored AS (
    SELECT w.week, w.title_id, w.seconds, c.category, c.show_title, c.season_title,
           c.title_order, v.runtime, v.is_staggered_launch, v.episode_launch_details,
           CASE WHEN v.runtime > 0
                THEN CAST(w.seconds AS DOUBLE) / (CAST(3600 AS DOUBLE) * v.runtime) END AS views,
           $by_views AS by_views,
           CASE WHEN w.week >= $switch THEN $step_after ELSE $step_before END AS step
    FROM weekly w
    JOIN catalog c ON w.title_id = c.title_id
    JOIN versions v ON w.title_id = v.title_id AND w.week BETWEEN v.from_week AND v.to_week
),
ranked AS (
    SELECT week, title_id, seconds, category, show_title, season_title, runtime,
           is_staggered_launch, episode_launch_details, views, by_views, step,
           ROW_NUMBER() OVER (
               PARTITION BY week, category
               ORDER BY CASE WHEN by_views THEN views END DESC NULLS LAST, seconds DESC,
                        views DESC NULLS LAST, title_order
           ) AS rank
    FROM scored
),
cranked AS (
    -- titled holds one row per (week, title, country): stage 1 summed them. The window
    -- carries only what it orders by; the names are joined to the 10 rows kept.
    SELECT w.week, w.country_iso2, w.kind, w.title_id,
           ROW_NUMBER() OVER (
               PARTITION BY w.week, w.country_iso2, w.kind
               ORDER BY CASE WHEN $cby_views AND v.runtime > 0
                             THEN CAST(w.seconds AS DOUBLE) / (CAST(3600 AS DOUBLE) * v.runtime)
                        END DESC NULLS LAST,
                        w.seconds DESC, w.title_order
           ) AS rank
    FROM titled w
    JOIN versions v ON w.title_id = v.title_id AND w.week BETWEEN v.from_week AND v.to_week
    WHERE w.country_iso2 IN (SELECT country_iso2 FROM countries)
),
popular AS (
    SELECT c.title_id, c.category, c.show_title, c.season_title, c.title_order, v.runtime,
           CAST(SUM(t.seconds) AS BIGINT) AS seconds
    FROM daily t
    JOIN catalog c ON t.title_id = c.title_id
    JOIN versions v ON c.title_id = v.title_id
         AND $window_end_week BETWEEN v.from_week AND v.to_week
    WHERE t.grain = 'day' AND t.status = 'ok' AND c.release_date >= $first_day
      AND c.release_date + CAST($days - 1 AS INTEGER) <= $last_day
      AND t.day >= c.release_date AND t.day < c.release_date + CAST($days AS INTEGER)
    GROUP BY c.title_id, c.category, c.show_title, c.season_title, c.title_order, v.runtime
)
"""
)

_HOURS = "((seconds + 1800 * {step}) // (3600 * {step})) * {step}"
_VIEWS = "CAST(FLOOR(views / CAST({step} AS DOUBLE) + CAST(0.5 AS DOUBLE)) AS BIGINT) * {step}"

_QUERIES = {
    # Titles that must be ranked by views but have no runtime: an error naming them.
    "missing_runtime": """
SELECT DISTINCT title_id, show_title, season_title FROM scored
WHERE by_views AND (runtime IS NULL OR runtime <= 0)
UNION
SELECT title_id, show_title, season_title FROM popular
WHERE $popular_by_views AND (runtime IS NULL OR runtime <= 0)
""",
    "global": """
SELECT week, category, rank, show_title, season_title,
       $hours AS hours, runtime,
       CASE WHEN by_views THEN $views END AS views,
       -- a title is in a list once a week: its n-th week in the list is its n-th row
       ROW_NUMBER() OVER (PARTITION BY category, title_id ORDER BY week) AS cumulative_weeks,
       is_staggered_launch, episode_launch_details, by_views, title_id
FROM ranked WHERE rank <= $top
""",
    # Large (every country, every week): kept in the engine for the writer, not fetched.
    "countries": """
SELECT n.country_name, r.country_iso2, r.week, r.kind AS category, r.rank, c.show_title,
       c.season_title, r.cumulative_weeks
FROM (
    -- a title's n-th week in a country's list is its n-th row there (its kind is fixed)
    SELECT week, country_iso2, kind, title_id, rank,
           ROW_NUMBER() OVER (PARTITION BY country_iso2, title_id ORDER BY week)
               AS cumulative_weeks
    FROM cranked WHERE rank <= $top
) r
JOIN catalog c ON r.title_id = c.title_id
JOIN countries n ON r.country_iso2 = n.country_iso2
""",
    "most_popular": """
SELECT category, rank, show_title, season_title, $popular_hours AS hours, runtime,
       $popular_views AS views, title_id
FROM (
    SELECT category, show_title, season_title, runtime, seconds, title_id, title_order,
           CASE WHEN runtime > 0
                THEN CAST(seconds AS DOUBLE) / (CAST(3600 AS DOUBLE) * runtime) END AS views,
           ROW_NUMBER() OVER (
               PARTITION BY category
               ORDER BY CASE WHEN $popular_by_views AND runtime > 0
                             THEN CAST(seconds AS DOUBLE) / (CAST(3600 AS DOUBLE) * runtime)
                        END DESC NULLS LAST,
                        seconds DESC, title_order
           ) AS rank
    FROM popular
) WHERE rank <= $top
""",
    # Bad events: stage 1's statuses, then the daily sums that name an invalid country
    # code or a title the catalogue does not know.
    "problems": """
SELECT status AS problem, CAST(SUM(events) AS BIGINT) AS events
FROM daily WHERE grain = 'country' GROUP BY status
UNION ALL
SELECT 'unknown_title', CAST(SUM(d.events) AS BIGINT)
FROM daily d LEFT JOIN catalog c ON d.title_id = c.title_id
WHERE d.grain = 'country' AND d.status = 'ok' AND c.title_id IS NULL
UNION ALL
SELECT 'unlisted_country', CAST(SUM(d.events) AS BIGINT)
FROM daily d LEFT JOIN countries n ON d.country_iso2 = n.country_iso2
WHERE d.grain = 'country' AND d.status = 'ok' AND n.country_iso2 IS NULL
""",
    "unknown_titles": """
SELECT d.title_id, CAST(SUM(d.events) AS BIGINT) AS events
FROM daily d LEFT JOIN catalog c ON d.title_id = c.title_id
WHERE d.grain = 'country' AND d.status = 'ok' AND c.title_id IS NULL
GROUP BY d.title_id
""",
}


def lists_sql(method: Method, first_day: dt.date, last_day: dt.date) -> dict[str, str]:
    """Stage 2 over ``daily``, ``catalog``, ``versions`` and ``countries``: one query each.

    ``first_day`` and ``last_day`` bound the days the daily sums cover; a title is in the
    most-popular lists when its whole window (release day + ``most_popular_days``) is
    inside them.
    """
    switch = lit(method.switch_week)
    if method.rank_by == "auto":
        by_views = f"(w.week >= {switch})"
        cby_views = f"(w.week >= {switch})"
    else:
        by_views = cby_views = lit(method.rank_by == "views")
    before, after = method.hours_step
    ninety_one = method.most_popular_days == 91
    popular_step = after if ninety_one else before
    base = _BASE.substitute(
        by_views=by_views,
        cby_views=cby_views,
        switch=switch,
        step_after=lit(after),
        step_before=lit(before),
        first_day=lit(first_day),
        last_day=lit(last_day),
        earliest=lit(EARLIEST_DAY),
        latest=lit(latest_day()),
        days=method.most_popular_days,
        window_end_week=week_of(
            f"(c.release_date + CAST({method.most_popular_days - 1} AS INTEGER))"
        ),
    )
    values = {
        "hours": _HOURS.format(step="step"),
        "views": _VIEWS.format(step=lit(method.views_step)),
        "popular_hours": _HOURS.format(step=lit(popular_step)),
        "popular_views": (
            _VIEWS.format(step=lit(method.views_step)) if ninety_one else "CAST(NULL AS BIGINT)"
        ),
        "popular_by_views": lit(ninety_one),
        "top": str(TOP_N),
    }
    return {
        name: (base + Template(query).substitute(values)).strip()
        for name, query in _QUERIES.items()
    }


# -- dialects ------------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def to_dialect(sql: str, dialect: str) -> str:
    """The same query for another engine: SQLGlot transpiles DuckDB SQL to ``dialect``.

    An expression SQLGlot cannot carry over raises instead of being silently dropped.
    SQLGlot reads DuckDB's ``epoch_us`` as an unknown function; it is given its meaning
    (microseconds since 1970, Spark's ``unix_micros``) before the SQL is written out.
    """
    if dialect == "duckdb":
        return sql
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import ErrorLevel

    trees = sqlglot.parse(sql, read="duckdb")
    if len(trees) != 1 or trees[0] is None:
        raise ValueError(f"expected one statement, got {len(trees)}")

    def known(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Anonymous) and node.name.lower() == "epoch_us":
            return exp.UnixMicros(this=node.expressions[0])
        return node

    return trees[0].transform(known).sql(dialect=dialect, unsupported_level=ErrorLevel.RAISE)
