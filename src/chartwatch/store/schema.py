"""The store's tables, its schema version and the migrations between versions.

A new store is created at version 1 and migrated forward like any old one, so every
migration runs on every new store and cannot rot.

Tables (version 2):

``meta``
    ``key``/``value`` pairs: ``schema_version``, ``created_by``.
``snapshots``
    One row per accepted file: kind, sha256 of its content (after decompression), when and
    how it was observed, where it came from, format, row count, its columns and the ones
    chartwatch did not know.
``row_versions``
    One row per distinct value a chart row has ever had. The key is (list, country_iso2,
    week, category, rank); ``country_iso2`` is NULL outside the country lists and ``week``
    is NULL in the most-popular lists. Unknown columns are kept as text in ``extra``.
``observations``
    Which versions each snapshot published: (snapshot_id, version_id).
``current_rows``
    For each key, the version seen in the latest-observed snapshot holding that key
    (added in version 2; version 1 derived it from observations on every query).
``engagement_reports``, ``engagement_versions``, ``engagement_observations``
    The semiannual engagement reports (added in version 3). One row per report snapshot
    (its report id ``2023H1``, period and sheets); one row per distinct value a report row
    has had, keyed by (report, kind, title, occurrence among equal titles); and which
    versions each snapshot published, with the sheet and row they were in.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from chartwatch.vocabulary import VALUE_COLUMNS

SCHEMA_VERSION = 3

_VALUE_DDL = ",\n    ".join(f"{name} {sqltype}" for name, sqltype in VALUE_COLUMNS.items())

V1_DDL = f"""
CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
CREATE TABLE snapshots (
    snapshot_id INTEGER PRIMARY KEY,
    kind VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL UNIQUE,
    observed_at TIMESTAMPTZ NOT NULL,
    observed_how VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    format VARCHAR NOT NULL,
    row_count INTEGER NOT NULL,
    new_versions INTEGER NOT NULL,
    columns VARCHAR[] NOT NULL,
    unknown_columns VARCHAR[] NOT NULL,
    ingested_at TIMESTAMPTZ NOT NULL,
    chartwatch_version VARCHAR NOT NULL
);
CREATE TABLE row_versions (
    version_id BIGINT NOT NULL,
    list VARCHAR NOT NULL,
    country_iso2 VARCHAR,
    week DATE,
    category VARCHAR NOT NULL,
    rank INTEGER NOT NULL,
    {_VALUE_DDL},
    extra MAP(VARCHAR, VARCHAR),
    key_hash UBIGINT NOT NULL,
    value_hash UBIGINT NOT NULL,
    first_snapshot_id INTEGER NOT NULL
);
CREATE TABLE observations (snapshot_id INTEGER NOT NULL, version_id BIGINT NOT NULL);
"""


def _v1_to_v2(con: duckdb.DuckDBPyConnection) -> None:
    """Materialise the current version of every key, so reads need no scan of observations."""
    con.execute(
        """
        CREATE TABLE current_rows (
            list VARCHAR NOT NULL,
            country_iso2 VARCHAR,
            week DATE,
            category VARCHAR NOT NULL,
            rank INTEGER NOT NULL,
            key_hash UBIGINT NOT NULL,
            version_id BIGINT NOT NULL,
            snapshot_id INTEGER NOT NULL,
            observed_at TIMESTAMPTZ NOT NULL
        )
        """
    )
    con.execute(
        """
        INSERT INTO current_rows
        SELECT v.list, v.country_iso2, v.week, v.category, v.rank, any_value(v.key_hash),
               arg_max(v.version_id, struct_pack(t := s.observed_at, i := s.snapshot_id)),
               arg_max(s.snapshot_id, struct_pack(t := s.observed_at, i := s.snapshot_id)),
               max(s.observed_at)
        FROM observations o
        JOIN row_versions v USING (version_id)
        JOIN snapshots s USING (snapshot_id)
        GROUP BY v.list, v.country_iso2, v.week, v.category, v.rank
        """
    )


def _v2_to_v3(con: duckdb.DuckDBPyConnection) -> None:
    """Tables for the engagement reports (their snapshots are rows of ``snapshots``)."""
    con.execute(
        """
        CREATE TABLE engagement_reports (
            snapshot_id INTEGER PRIMARY KEY,
            report VARCHAR NOT NULL,
            period_start DATE NOT NULL,
            period_end DATE NOT NULL,
            sheets VARCHAR[] NOT NULL
        );
        CREATE TABLE engagement_versions (
            version_id BIGINT NOT NULL,
            report VARCHAR NOT NULL,
            kind VARCHAR NOT NULL,
            title VARCHAR NOT NULL,
            occurrence INTEGER NOT NULL,
            original_title VARCHAR,
            available_globally BOOLEAN,
            release_date DATE,
            hours_viewed BIGINT NOT NULL,
            runtime_hours DOUBLE,
            views BIGINT,
            extra MAP(VARCHAR, VARCHAR),
            key_hash UBIGINT NOT NULL,
            value_hash UBIGINT NOT NULL,
            first_snapshot_id INTEGER NOT NULL
        );
        CREATE TABLE engagement_observations (
            snapshot_id INTEGER NOT NULL,
            version_id BIGINT NOT NULL,
            sheet VARCHAR NOT NULL,
            "row" INTEGER NOT NULL
        );
        """
    )


# MIGRATIONS[n] takes a store from version n to n + 1.
MIGRATIONS: dict[int, Callable[[duckdb.DuckDBPyConnection], None]] = {1: _v1_to_v2, 2: _v2_to_v3}
