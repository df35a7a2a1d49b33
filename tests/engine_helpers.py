"""Helpers shared by the engine and synth tests: write events and catalogues, read TSVs."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

import duckdb

CATALOG_COLUMNS = (
    "title_id",
    "show_title",
    "season_title",
    "type",
    "language",
    "runtime",
    "release_date",
    "is_staggered_launch",
    "episode_launch_details",
    "from_week",
)


def write_events(path: Path, rows: Iterable[Sequence[object]], fmt: str = "parquet") -> Path:
    """Rows (event_id, title_id, country_iso2, 'YYYY-MM-DD HH:MM:SS' UTC, seconds) → a file."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(
        "CREATE TABLE e (event_id BIGINT, profile_id BIGINT, title_id VARCHAR, "
        "country_iso2 VARCHAR, started_at TIMESTAMPTZ, seconds BIGINT)"
    )
    data = [[r[0], 7, r[1], r[2], None if r[3] is None else f"{r[3]}+00", r[4]] for r in rows]
    if data:
        con.executemany("INSERT INTO e VALUES (?, ?, ?, ?, ?, ?)", data)
    target = str(path).replace("'", "''")
    if fmt == "parquet":
        con.execute(f"COPY e TO '{target}' (FORMAT parquet)")
    else:
        con.execute(
            "COPY (SELECT event_id, profile_id, title_id, country_iso2, "
            "strftime(started_at, '%Y-%m-%dT%H:%M:%SZ') AS started_at, seconds FROM e) "
            f"TO '{target}' (FORMAT csv, HEADER true)"
        )
    con.close()
    return path


def write_catalog(path: Path, rows: Iterable[dict[str, object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=CATALOG_COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return path


def title(
    title_id: str,
    show: str,
    kind: str = "Films",
    language: str = "English",
    runtime: float | None = 2.0,
    season: str | None = None,
    release: str | None = None,
    **more: object,
) -> dict[str, object]:
    return {
        "title_id": title_id,
        "show_title": show,
        "season_title": season or "N/A",
        "type": kind,
        "language": language,
        "runtime": runtime,
        "release_date": release,
        **more,
    }


def read_tsv(path: Path) -> list[dict[str, str]]:
    """A TSV written by a build, parsed with the csv module (Netflix's quoting)."""
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")), delimiter="\t"))
