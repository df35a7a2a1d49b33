"""Netflix's semiannual engagement reports (*What We Watched*): recognising, checking, loading.

A report is an .xlsx workbook: a few blank or title rows, then a header row (``Title``,
``Available Globally?``, ``Release Date``, ``Hours Viewed`` and, from the second report,
``Runtime`` and ``Views``), then one row per title. The title rows above the header name the
period ("Hours viewed from January to June 2023"). The first report has one sheet mixing
series and films; later ones split them into sheets whose names Netflix keeps changing, so
a workbook is recognised by its header and a sheet's kind (``tv``, ``film`` or ``mixed``) by
its titles: most series titles name a season or a limited series, almost no film does.

Cells are read with openpyxl as text, staged in DuckDB, checked by SQL over the whole report
(:func:`first_bad_row`) and typed there; a report is one snapshot (kind ``engagement``) whose
rows are versions keyed by (report, kind, title, occurrence among equal titles), so a
re-published report with corrections is a revision like any other.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, cast

from chartwatch import __version__
from chartwatch.errors import BadInputError
from chartwatch.ingestion.validate import ident, literal
from chartwatch.ingestion.xlsx import serial_date
from chartwatch.store.store import Store

KIND = "engagement"

# Field -> the header texts it has had (compared lower-case, without a trailing "?").
FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("title",),
    "available_globally": ("available globally",),
    "release_date": ("release date",),
    "hours_viewed": ("hours viewed",),
    "runtime": ("runtime",),
    "views": ("views",),
}
REQUIRED = ("title", "available_globally", "release_date", "hours_viewed")
# Rows above the header looked at for the header and the period.
HEAD_ROWS = 20
_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_PERIOD = re.compile(
    r"\bfrom\s+(?P<m1>[A-Za-z]+)(?:\s+(?P<y1>\d{4}))?\s+(?:to|through|-|–)\s+"
    r"(?P<m2>[A-Za-z]+)\s+(?P<y2>\d{4})",
    re.IGNORECASE,
)
# A title that names an installment of a series: "…: Season 2", "…: Limited Series", …
SERIES_MARK = re.compile(
    r":\s*(?:Season|Limited Series|Part|Volume|Vol\.|Book|Chapter|Series|Collection|"
    r"Miniseries|S\d)\b|\bSeason \d",
    re.IGNORECASE,
)


def _norm(header: object) -> str:
    return " ".join(str(header).split()).lower().rstrip("?").strip() if header else ""


_FIELD_OF = {name: f for f, names in FIELDS.items() for name in names}


@dataclass(frozen=True)
class Period:
    """A report's half-year: its id (``2023H1``) and first and last day."""

    report: str
    start: dt.date
    end: dt.date


def parse_period(text: str) -> Period | None:
    """The half-year a report's title row names, or None if it names no period.

    >>> parse_period("Views from July to December 2023")
    Period(report='2023H2', start=datetime.date(2023, 7, 1), end=datetime.date(2023, 12, 31))
    """
    m = _PERIOD.search(text)
    if m is None:
        return None
    m1, m2 = _MONTHS.get(m["m1"].lower()), _MONTHS.get(m["m2"].lower())
    if m1 is None or m2 is None:
        return None
    y2 = int(m["y2"])
    y1 = int(m["y1"]) if m["y1"] else y2
    start = dt.date(y1, m1, 1)
    end = dt.date(y2, m2, calendar.monthrange(y2, m2)[1])
    if (y1, m1, m2) == (y2, 1, 6):
        report = f"{y2}H1"
    elif (y1, m1, m2) == (y2, 7, 12):
        report = f"{y2}H2"
    else:
        report = f"{start:%Y-%m}..{end:%Y-%m}"
    return Period(report, start, end)


@dataclass
class Sheet:
    """One sheet of a report: its header and its rows as text cells, with row numbers."""

    name: str
    columns: dict[str, int]  # field or unknown header -> 0-based column index
    unknown: list[str]
    rows: list[int]
    cells: dict[str, list[str | None]]
    headers: list[str]  # the header row's texts, as published
    kind: str = "mixed"


@dataclass(frozen=True)
class PreparedReport:
    """A workbook recognised as an engagement report, its cells read but not yet checked."""

    payload: Any  # chartwatch.ingestion.reader.Payload
    sha256: str
    format: str
    period: Period
    sheets: list[Sheet]
    columns: list[str]
    unknown_columns: list[str]

    @property
    def source(self) -> str:
        return str(self.payload.source)

    @property
    def kind(self) -> str:
        return KIND


def _cell_text(value: object) -> str | None:
    kind = type(value)
    if kind is str:  # the common cases first: most cells are text or whole numbers
        text = cast(str, value)
        return text if text.strip() else None
    if kind is int:
        return str(value)
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return f"{value.hour}:{value.minute:02d}:{value.second:02d}"
    if isinstance(value, dt.timedelta):
        secs = int(value.total_seconds())
        return f"{secs // 3600}:{secs % 3600 // 60:02d}:{secs % 60:02d}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text if text.strip() else None


def _header(row: tuple[Any, ...]) -> dict[str, int] | None:
    """The columns of a header row (field name or unknown header -> index), or None."""
    names = {i: _norm(v) for i, v in enumerate(row) if isinstance(v, str) and v.strip()}
    fields = {_FIELD_OF[n] for n in names.values() if n in _FIELD_OF}
    if "title" not in fields or not fields & {"hours_viewed", "views", "available_globally"}:
        return None
    cols: dict[str, int] = {}
    for i, n in names.items():
        cols.setdefault(_FIELD_OF.get(n, str(row[i]).strip()), i)
    return cols


def is_report(book: Any) -> bool:
    """True if a sheet of ``book`` (an openpyxl workbook) starts like an engagement report:
    a header row with ``Title`` and ``Hours Viewed`` (or ``Views``, ``Available Globally?``)
    within its first rows, or a title row naming a period of viewing."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows(max_row=HEAD_ROWS, values_only=True):
            if _header(row) is not None:
                return True
            texts = [v for v in row if isinstance(v, str)]
            if any(
                t.lower().startswith("what we watched") or parse_period(t) for t in texts
            ) and not any(_norm(t) in ("week", "weekly_rank", "rank") for t in texts):
                return True
    return False


def _read_sheet(sheet: Any, source: str) -> tuple[Sheet | None, Period | None, int]:
    """A sheet's header, rows and period; (None, …) for a sheet without a report header."""
    it = sheet.iter_rows(values_only=True)
    period: Period | None = None
    n = 0
    columns: dict[str, int] | None = None
    header: tuple[Any, ...] = ()
    for row in it:
        n += 1
        columns = _header(row)
        if columns is not None:
            header = row
            break
        for v in row:
            if isinstance(v, str) and period is None:
                period = parse_period(v)
        if n >= HEAD_ROWS:
            return None, period, n
    if columns is None:
        return None, period, n
    header_row = n
    fields = [f for f in FIELDS if f in columns]
    unknown = [c for c in columns if c not in FIELDS]
    names = fields + unknown
    idx = [columns[c] for c in names]
    cells: dict[str, list[str | None]] = {c: [] for c in names}
    lists = [cells[c] for c in names]
    rows: list[int] = []
    width = max(idx) + 1
    text = _cell_text
    # a date cell read by chartwatch.ingestion.xlsx is a number of days (Excel's serial date)
    dates = [(names.index(f), columns[f]) for f in ("release_date",) if f in columns]
    for row in it:
        n += 1
        if len(row) < width:
            row = row + (None,) * (width - len(row))
        texts = [text(row[i]) for i in idx]
        if texts.count(None) == len(texts):
            continue
        for pos, i in dates:
            if type(row[i]) in (int, float):
                texts[pos] = serial_date(row[i]).date().isoformat()
        rows.append(n)
        for out, t in zip(lists, texts, strict=True):
            out.append(t)
    headers = [" ".join(str(v).split()) for v in header if isinstance(v, str) and v.strip()]
    return Sheet(sheet.title, columns, unknown, rows, cells, headers), period, header_row


def _sheet_kind(titles: list[str | None]) -> str:
    """``tv`` when most titles name an installment of a series, ``film`` when almost none
    do, else ``mixed`` (the first report lists both in one sheet)."""
    named = [t for t in titles if t]
    if not named:
        return "mixed"
    share = sum(1 for t in named if SERIES_MARK.search(t.split(" // ")[0])) / len(named)
    if share >= 0.6:
        return "tv"
    if share <= 0.1:
        return "film"
    return "mixed"


def prepare_report(book: Any, payload: Any, sha256: str, fmt: str) -> PreparedReport:
    """Read every sheet of ``book`` that has a report header; the period from the title rows.

    Raises :class:`BadInputError` naming the file (and sheet) when the workbook is not a
    complete report.
    """
    source = str(payload.source)
    sheets: list[Sheet] = []
    periods: dict[str, Period] = {}
    for ws in book.worksheets:
        sheet, period, header_row = _read_sheet(ws, source)
        if sheet is None:
            continue
        missing = [f for f in REQUIRED if f not in sheet.columns]
        if missing:
            shown = {"available_globally": "Available Globally?"}
            names = [shown.get(f, f.replace("_", " ").title()) for f in missing]
            raise BadInputError(
                source,
                f"sheet {ws.title!r}, row {header_row}: missing column {names[0]!r} of an "
                "engagement report"
                + (f" (also missing: {', '.join(names[1:])})" if len(names) > 1 else ""),
            )
        if period is None:
            raise BadInputError(
                source,
                f"sheet {ws.title!r}: no period (e.g. 'Hours viewed from January to June "
                f"2023') in the rows above the header (row {header_row})",
            )
        if not sheet.rows:
            raise BadInputError(
                source, f"sheet {ws.title!r}: a header but no rows (empty or truncated)"
            )
        sheet.kind = _sheet_kind(sheet.cells["title"])
        periods[ws.title] = period
        sheets.append(sheet)
    if not sheets:
        raise BadInputError(
            source,
            "not an engagement report: no sheet has a header row with Title, Available "
            "Globally?, Release Date and Hours Viewed",
        )
    found = set(periods.values())
    if len(found) > 1:
        listed = ", ".join(f"{name!r}: {p.report}" for name, p in periods.items())
        raise BadInputError(source, f"the sheets name different periods ({listed})")
    columns: list[str] = []
    unknown: list[str] = []
    for s in sheets:
        for c in s.headers:
            if c not in columns:
                columns.append(c)
        unknown += [c for c in s.unknown if c not in unknown]
    return PreparedReport(
        payload=payload,
        sha256=sha256,
        format=fmt,
        period=found.pop(),
        sheets=sheets,
        columns=columns,
        unknown_columns=unknown,
    )


# -- staging and checks ------------------------------------------------------------------
_TEXT_FIELDS = ("title", "available_globally", "release_date", "hours_viewed", "runtime", "views")


def _stage(store: Store, rep: PreparedReport) -> None:
    """The report's cells as the temporary table ``_eng`` (all text, plus sheet and row)."""
    cols: dict[str, list[Any]] = {"sheet": [], "sheet_kind": [], "row": [], "pos": []}
    for f in (*_TEXT_FIELDS, *rep.unknown_columns):
        cols[f] = []
    pos = 0
    for s in rep.sheets:
        n = len(s.rows)
        cols["sheet"] += [s.name] * n
        cols["sheet_kind"] += [s.kind] * n
        cols["row"] += s.rows
        cols["pos"] += range(pos, pos + n)
        pos += n
        for f in (*_TEXT_FIELDS, *rep.unknown_columns):
            cols[f] += s.cells.get(f) or [None] * n
    names = list(cols)
    types = {"row": "INTEGER[]", "pos": "INTEGER[]"}
    select = ", ".join(
        f"unnest(${i + 1}::{types.get(c, 'VARCHAR[]')}) AS {ident(c)}" for i, c in enumerate(names)
    )
    store.con.execute(
        f"CREATE OR REPLACE TEMP TABLE _eng AS SELECT {select}", [cols[c] for c in names]
    )


_DURATION = r"^\s*\d{1,4}:[0-5]\d(:[0-5]\d)?\s*$"
_NUMBER = r"^\s*-?[\d,]+(\.\d+)?\s*$"


def _num(col: str) -> str:
    return f"TRY_CAST(replace(trim({col}), ',', '') AS DOUBLE)"


def _rules() -> list[tuple[str, str]]:
    """(condition marking a bad row, message) in the order they are reported."""
    rules: list[tuple[str, str]] = [
        ("title IS NULL OR trim(title) = ''", "'the title is empty'"),
        ("hours_viewed IS NULL", "'Hours Viewed is empty'"),
    ]
    for col, name in (("hours_viewed", "Hours Viewed"), ("views", "Views")):
        v = _num(col)
        rules += [
            (
                f"{col} IS NOT NULL AND NOT regexp_matches({col}, '{_NUMBER}')",
                f"'{name} ''' || left({col}, 40) || ''' is not a number'",
            ),
            (f"{v} < 0", f"'{name} ' || {col} || ' is negative'"),
            (f"{v} <> floor({v})", f"'{name} ' || {col} || ' is not a whole number'"),
        ]
    rules += [
        (
            "available_globally IS NOT NULL AND lower(trim(available_globally)) "
            "NOT IN ('yes', 'no', 'true', 'false')",
            "'Available Globally? ''' || left(available_globally, 40) || ''' is not Yes or No'",
        ),
        (
            "release_date IS NOT NULL AND TRY_CAST(trim(release_date) AS DATE) IS NULL",
            "'Release Date ''' || left(release_date, 40) || ''' is not a date (YYYY-MM-DD)'",
        ),
        (
            f"runtime IS NOT NULL AND trim(runtime) NOT IN ('*', '') "
            f"AND NOT regexp_matches(runtime, '{_DURATION}')",
            "'Runtime ''' || left(runtime, 40) || ''' is not a duration (H:MM)'",
        ),
    ]
    return rules


def first_bad_row(store: Store) -> tuple[str, int, str] | None:
    """The first (sheet, row, reason) of ``_eng`` that breaks a rule, or None."""
    rules = _rules()
    cases = " ".join(f"WHEN {cond} THEN {msg}" for cond, msg in rules)
    where = " OR ".join(f"({cond})" for cond, _ in rules)
    row = store.one(f"SELECT sheet, row, CASE {cases} END FROM _eng WHERE {where} ORDER BY pos")
    return None if row is None else (str(row[0]), int(row[1]), str(row[2]))


# -- typing and loading ------------------------------------------------------------------
VALUE_COLUMNS = (
    "original_title",
    "available_globally",
    "release_date",
    "hours_viewed",
    "runtime_hours",
    "views",
    "extra",
)
_KEY = ("report", "kind", "title", "occurrence")


def _typed(report: str, unknown: list[str]) -> str:
    """SELECT over ``_eng`` giving the key and value columns of ``engagement_versions``."""
    if unknown:
        entries = ", ".join(
            f"struct_pack(key := {literal(c)}, value := {ident(c)})" for c in unknown
        )
        extra = (
            f"CASE WHEN len(list_filter([{entries}], lambda e: e.value IS NOT NULL)) > 0 "
            f"THEN map_from_entries(list_filter([{entries}], lambda e: e.value IS NOT NULL)) END"
        )
    else:
        extra = "NULL::MAP(VARCHAR, VARCHAR)"
    rt = "split_part(trim(runtime), ':', {})"
    return f"""
        SELECT pos, sheet, row, {literal(report)} AS report, sheet_kind AS kind, title,
               row_number() OVER (PARTITION BY sheet_kind, title ORDER BY pos)::INTEGER
                   AS occurrence,
               original_title, available_globally, release_date, hours_viewed, runtime_hours,
               views, extra
        FROM (
            SELECT pos, sheet, row, sheet_kind,
                   CASE WHEN contains(t, ' // ') THEN trim(split_part(t, ' // ', 1)) ELSE t END
                       AS title,
                   CASE WHEN contains(t, ' // ')
                        THEN nullif(trim(t[strpos(t, ' // ') + 4:]), '') END AS original_title,
                   lower(trim(available_globally)) IN ('yes', 'true') AS available_globally,
                   CAST(trim(release_date) AS DATE) AS release_date,
                   CAST({_num("hours_viewed")} AS BIGINT) AS hours_viewed,
                   CASE WHEN regexp_matches(runtime, '{_DURATION}')
                        THEN CAST({rt.format(1)} AS INTEGER) + CAST({rt.format(2)} AS INTEGER) / 60
                             + coalesce(TRY_CAST(nullif({rt.format(3)}, '') AS INTEGER), 0) / 3600
                   END AS runtime_hours,
                   CAST({_num("views")} AS BIGINT) AS views,
                   {extra} AS extra
            FROM (SELECT *, trim(title) AS t FROM _eng)
        )
    """


def load_report(store: Store, rep: PreparedReport) -> dict[str, Any]:
    """Check and load a staged report as one snapshot (the caller holds the transaction).

    Returns the fields of the ingest result: snapshot id, rows, new versions, revised.
    """
    bad = first_bad_row(store)
    if bad is not None:
        sheet, row, reason = bad
        raise BadInputError(rep.source, f"sheet {sheet!r}, row {row}: {reason}")
    con = store.con
    ids = store.one(
        "SELECT (SELECT coalesce(max(snapshot_id), 0) + 1 FROM snapshots), "
        "(SELECT coalesce(max(version_id), 0) FROM engagement_versions)"
    )
    assert ids is not None
    snapshot_id, base = int(ids[0]), int(ids[1])
    key = ", ".join(_KEY)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _eng_obs AS
        WITH n AS (
            SELECT *, hash({key}) AS key_hash, hash({", ".join(VALUE_COLUMNS)}) AS value_hash
            FROM ({_typed(rep.period.report, rep.unknown_columns)})
        ),
        known AS (
            SELECT DISTINCT key_hash, report, kind, title, occurrence
            FROM engagement_versions WHERE report = $report
        )
        SELECT n.*, v.version_id AS old_id, k.key_hash IS NOT NULL AS key_known
        FROM n
        LEFT JOIN engagement_versions v
          ON v.value_hash = n.value_hash AND v.key_hash = n.key_hash AND v.report = n.report
         AND v.kind = n.kind AND v.title = n.title AND v.occurrence = n.occurrence
        LEFT JOIN known k
          ON k.key_hash = n.key_hash AND k.kind = n.kind AND k.title = n.title
         AND k.occurrence = n.occurrence
        """,
        {"report": rep.period.report},
    )
    counts = store.one(
        "SELECT count(*), count(*) FILTER (old_id IS NULL), "
        "count(*) FILTER (old_id IS NULL AND key_known) FROM _eng_obs"
    )
    assert counts is not None
    rows, new_versions, revised = (int(x) for x in counts)
    payload = rep.payload
    con.execute(
        "INSERT INTO snapshots VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            snapshot_id,
            KIND,
            rep.sha256,
            payload.observed_at,
            payload.observed_how,
            payload.source,
            rep.format,
            rows,
            new_versions,
            rep.columns,
            rep.unknown_columns,
            dt.datetime.now(dt.UTC),
            __version__,
        ],
    )
    con.execute(
        "INSERT INTO engagement_reports VALUES (?, ?, ?, ?, ?)",
        [
            snapshot_id,
            rep.period.report,
            rep.period.start,
            rep.period.end,
            [f"{s.name}: {s.kind}" for s in rep.sheets],
        ],
    )
    con.execute(
        f"""
        INSERT INTO engagement_versions
        SELECT $base + row_number() OVER (ORDER BY pos), {key}, {", ".join(VALUE_COLUMNS)},
               key_hash, value_hash, $snapshot
        FROM _eng_obs WHERE old_id IS NULL
        """,
        {"base": base, "snapshot": snapshot_id},
    )
    con.execute(
        f"""
        INSERT INTO engagement_observations
        SELECT $snapshot, coalesce(o.old_id, v.version_id), o.sheet, o.row
        FROM _eng_obs o
        LEFT JOIN engagement_versions v
          ON o.old_id IS NULL AND v.first_snapshot_id = $snapshot AND v.key_hash = o.key_hash
         AND {" AND ".join(f"v.{c} = o.{c}" for c in _KEY)}
        """,
        {"snapshot": snapshot_id},
    )
    return {
        "snapshot_id": snapshot_id,
        "rows": rows,
        "new_versions": new_versions,
        "revised": revised,
    }


def stage(store: Store, rep: PreparedReport) -> None:
    """Stage the report's cells in ``store``'s connection (temporary table ``_eng``)."""
    _stage(store, rep)


# the temporary tables a report is staged and loaded in (dropped after each file by
# chartwatch.ingestion.load)
TEMP_TABLES = ("_eng", "_eng_obs")
