"""The chart vocabulary every layer shares: Netflix's lists, their categories, the columns
its files have published, and the dates its rules changed.

A bottom module: it imports nothing of chartwatch, and the store, ingestion, the engine,
analytics and the front ends all take these names from here.
"""

from __future__ import annotations

import datetime as dt

# the three kinds of list, as the store's ``list`` column names them
LISTS = ("global", "countries", "most-popular")
GLOBAL_CATEGORIES = ("Films (English)", "Films (Non-English)", "TV (English)", "TV (Non-English)")
COUNTRY_CATEGORIES = ("Films", "TV")

# Stored column -> SQL type, for every value column chartwatch knows. The store's
# row_versions table has exactly these columns after its key columns.
VALUE_COLUMNS: dict[str, str] = {
    "country_name": "VARCHAR",
    "show_title": "VARCHAR",
    "season_title": "VARCHAR",
    "weekly_hours_viewed": "BIGINT",
    "runtime": "DOUBLE",
    "weekly_views": "BIGINT",
    "cumulative_weeks_in_top_10": "INTEGER",
    "is_staggered_launch": "BOOLEAN",
    "episode_launch_details": "VARCHAR",
    "hours_viewed_first_28_days": "BIGINT",
    "hours_viewed_first_91_days": "BIGINT",
    "views_first_91_days": "BIGINT",
}
KEY_COLUMNS = ("list", "country_iso2", "week", "category", "rank")

# The first week with weekly views; Netflix ranks its lists by views from this week on
# (by hours viewed before).
VIEWS_FROM = dt.date(2023, 6, 18)
