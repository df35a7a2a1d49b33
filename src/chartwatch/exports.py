"""Writing the current (or as-of) view to CSV, Parquet or JSON with DuckDB's COPY."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from chartwatch.errors import UsageError
from chartwatch.store.rows import ROW_COLUMNS, visible_rows
from chartwatch.store.store import Store

FORMATS = {
    "csv": "(FORMAT csv, HEADER true)",
    "parquet": "(FORMAT parquet, COMPRESSION zstd)",
    "json": "(FORMAT json, ARRAY true)",
}


@dataclass
class ExportResult:
    """Where the export went and what it holds."""

    path: str
    format: str
    rows: int
    as_of: str | None
    list: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def export(
    store: Store,
    path: str | Path,
    *,
    format: str = "csv",
    as_of: dt.date | None = None,
    list_name: str | None = None,
) -> ExportResult:
    """Write every visible row (one list, or all) with its key, values and provenance.

    Columns: the row's key and values as in the store, then ``observed_at`` (when the row
    was last published in this version) and ``snapshot_id``. JSON is one array of objects.
    """
    fmt = format.lower()
    if fmt not in FORMATS:
        raise UsageError(f"{format!r} is not one of {', '.join(FORMATS)}", parameter="format")
    target = Path(path)
    if target.parent and not target.parent.exists():
        raise UsageError(f"-o: the folder {target.parent} does not exist")
    rows_sql, params = visible_rows(as_of)
    where = "WHERE list = ?" if list_name else ""
    if list_name:
        params = [*params, list_name]
    cols = ", ".join(ROW_COLUMNS)
    query = (
        f"SELECT {cols}, observed_at, snapshot_id FROM {rows_sql} r {where} "
        "ORDER BY list, week DESC NULLS LAST, country_iso2 NULLS FIRST, category, rank"
    )
    count = store.scalar(f"SELECT count(*) FROM ({query})", params)
    store.con.execute(
        f"COPY ({query}) TO '{str(target).replace(chr(39), chr(39) * 2)}' {FORMATS[fmt]}",
        params,
    )
    return ExportResult(
        path=str(target),
        format=fmt,
        rows=int(count),
        as_of=as_of.isoformat() if as_of else None,
        list=list_name,
    )
