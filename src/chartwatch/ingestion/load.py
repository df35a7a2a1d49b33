"""Loading one checked file into the store as a snapshot, with versioned rows.

Each file is one transaction: it is accepted whole (snapshot, new row versions,
observations and the current view move together) or rejected whole, leaving the store
exactly as it was. A byte-identical file (same sha256 of its content) is "unchanged" and
adds nothing.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import duckdb

from chartwatch import __version__
from chartwatch.errors import BadInputError
from chartwatch.ingestion import engagement, history, leftovers, lists, validate
from chartwatch.ingestion.engagement import PreparedReport
from chartwatch.ingestion.kinds import VALUE_COLUMNS
from chartwatch.ingestion.reader import (
    Content,
    Payload,
    Prepared,
    content,
    prepare,
)
from chartwatch.store.store import Store

Status = Literal["accepted", "unchanged", "rejected"]
_KEY_EQ = (
    "{a}.key_hash = {b}.key_hash AND {a}.list = {b}.list AND {a}.category = {b}.category "
    "AND {a}.rank = {b}.rank AND {a}.week IS NOT DISTINCT FROM {b}.week "
    "AND {a}.country_iso2 IS NOT DISTINCT FROM {b}.country_iso2"
)
_VALUES = (*VALUE_COLUMNS, "extra")
# DuckDB errors that come from a file's content, not from the store: a rejection of that file.
_DATA_ERRORS = (duckdb.DataError, duckdb.InvalidInputException, duckdb.OutOfMemoryException)


@dataclass
class IngestResult:
    """What happened to one file. JSON keys are these field names (stable)."""

    source: str
    status: Status
    kind: str | None = None
    sha256: str | None = None
    snapshot_id: int | None = None
    observed_at: str | None = None
    rows: int = 0
    new_versions: int = 0
    revised: int = 0
    reason: str | None = None
    line: int | None = None
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _csv_error(exc: duckdb.Error, source: str) -> BadInputError:
    text = str(exc)
    m = re.search(r"CSV Error on Line: (\d+)", text)
    line = int(m.group(1)) if m else None
    cols = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text)
    conv = re.search(
        r'converting column "(.*?)"\. Could not convert string "(.*?)" to \'(\w+)', text
    )
    if conv:
        column, value, target = conv.groups()
        wanted = {"DATE": "a date (YYYY-MM-DD)", "BOOLEAN": "true or false"}.get(target, "a number")
        reason = f"{column} {value[:40]!r} is not {wanted}"
    elif cols:
        expected, found = cols.groups()
        reason = (
            f"has {found} fields where the header has {expected} "
            "(a truncated line, or the wrong delimiter)"
        )
    elif "quote" in text.lower():
        reason = "unterminated or misplaced quote"
    else:
        first = text.splitlines()[0].removeprefix("Invalid Input Error: ")
        reason = f"unreadable line ({first})"
    return BadInputError(source, reason, line=line)


def _stage(store: Store, prepared: Prepared) -> None:
    """Read the file into the temporary table ``_raw`` (typed known columns, plus ``__line``)."""
    types = validate.read_types(prepared.kind, prepared.columns)
    text = prepared.text
    if b"\r" in text:  # a search is cheap; replace() costs a copy even with nothing to replace
        text = text.replace(b"\r\n", b"\n")
    fd, name = tempfile.mkstemp(prefix=leftovers.prefix("stage"), suffix=".txt")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(text)
        read = """
            SELECT row_number() OVER () + 1 AS __line, {cols}
            FROM read_csv($path, delim = $delim, header = true, auto_detect = false,
                          columns = $columns, quote = '"', escape = '"', nullstr = {nulls},
                          strict_mode = true, null_padding = false, parallel = false)
        """
        params = {"path": name, "delim": prepared.delimiter, "columns": types}
        # Labels an older generation used for a category become today's as the file is read.
        aliases = " ".join(
            f"WHEN {validate.literal(old)} THEN {validate.literal(new)}"
            for old, new in prepared.kind.category_aliases
        )
        cols = "*"
        if aliases:
            cols = f"* REPLACE (CASE category {aliases} ELSE category END AS category)"
        store.con.execute(
            "CREATE OR REPLACE TEMP TABLE _raw AS " + read.format(cols=cols, nulls="['', 'N/A']"),
            params,
        )
        if prepared.unknown_columns:
            # Unknown columns are kept verbatim, "N/A" and empty text included: DuckDB has no
            # per-column null strings (force_not_null turns "N/A" into ""), so read them
            # again as text with only the empty string as null, and force_not_null. (All
            # columns: DuckDB 2.0 skips force_not_null when it reads only some of them.)
            unknown = [validate.ident(c) for c in prepared.unknown_columns]
            keep = (
                ", force_not_null = ["
                + ", ".join(validate.literal(c) for c in prepared.unknown_columns)
                + "]"
            )
            text_params = {**params, "columns": {c: "VARCHAR" for c in prepared.columns}}
            store.con.execute(
                "CREATE OR REPLACE TEMP TABLE _extra AS "
                + read.format(cols="*", nulls="''" + keep),
                text_params,
            )
            sets = ", ".join(f"{c} = e.{c}" for c in unknown)
            store.con.execute(f"UPDATE _raw SET {sets} FROM _extra e WHERE _raw.__line = e.__line")
    except (duckdb.InvalidInputException, duckdb.DataError) as exc:
        raise _csv_error(exc, prepared.source) from None
    except duckdb.OutOfMemoryException:
        raise BadInputError(prepared.source, "too large to read in the memory available") from None
    finally:
        Path(name).unlink(missing_ok=True)


def _pause_for_tests() -> None:
    """Fault injection for the crash test: wait inside the open transaction."""
    flag = os.environ.get("CHARTWATCH_TEST_PAUSE_IN_TRANSACTION")
    if flag:
        Path(flag).touch()
        time.sleep(60)


def _load(store: Store, prepared: Prepared, checked: _Checked | None = None) -> IngestResult:
    """Check ``prepared`` (staged as ``_raw``) against the store and add it as one snapshot:
    the checks of the file alone (:func:`_check_file`, unless ``checked`` holds what they
    found as the file was staged), the versions its rows repeat or add, the file's checks
    against the store's lists and history, then the snapshot, its new versions, its
    observations and the current view. Raises :class:`BadInputError` before anything is
    written."""
    kind = prepared.kind
    payload = prepared.payload
    if checked is None:
        checked = _check_file(store, prepared)
    warnings = [
        f"unknown column {c!r} kept as text in each row's extra map"
        for c in prepared.unknown_columns
    ]
    columns, kept = _carry_forward(store, prepared)
    if kept:
        warnings.append(kept)

    ids = store.one(
        "SELECT (SELECT coalesce(max(snapshot_id), 0) + 1 FROM snapshots), "
        "(SELECT coalesce(max(version_id), 0) FROM row_versions)"
    )
    assert ids is not None
    snapshot_id, base_version = int(ids[0]), int(ids[1])
    typed = validate.typed_select(kind, columns, prepared.unknown_columns)
    _stage_observations(store, typed, base_version)
    warnings += _file_problems(store, prepared, columns, checked)
    rows, new_versions, revised, known = store.one(
        "SELECT count(*), count(*) FILTER (old_id IS NULL), "
        "count(*) FILTER (old_id IS NULL AND key_known), count(*) FILTER (key_known) FROM _obs"
    ) or (0, 0, 0, 0)
    if 0 < new_versions < rows:
        _number_new_versions(store, base_version)
    _write(store, prepared, typed, snapshot_id, rows, new_versions, known)
    _pause_for_tests()
    return IngestResult(
        source=payload.source,
        status="accepted",
        kind=kind.name,
        sha256=prepared.sha256,
        snapshot_id=snapshot_id,
        observed_at=payload.observed_at.isoformat(),
        rows=int(rows),
        new_versions=int(new_versions),
        revised=int(revised),
        warnings=warnings,
    )


@dataclass
class _Checked:
    """What the checks of a staged file alone found (:func:`_check_file`): the warnings on
    its countries, and its lists' findings and shape (None when the file lacks columns
    that its rows take from the store, :func:`_carry_forward`: its lists are then checked
    with those values, at its turn)."""

    country_warnings: list[str]
    lists: tuple[lists.Findings, lists.Shape] | None


def _check_file(store: Store, prepared: Prepared) -> _Checked:
    """The checks that read the staged file alone, not the store, in the order a file is
    rejected for: a row that breaks a row rule, a key twice, a country (raised as
    :class:`BadInputError`), then its lists as a whole (found, raised by
    :func:`_file_problems`). They may run before the file's turn (:func:`stage_ahead`)."""
    kind = prepared.kind
    source = prepared.source
    bad = validate.first_bad_row(store, kind, prepared.columns, b'"' in prepared.text)
    if bad is not None:
        raise BadInputError(source, bad[1], line=bad[0])
    key = ", ".join([*lists.list_key(kind), validate.ident(kind.rank_column)])
    dup = validate.duplicate_key(
        store, kind, f"SELECT 1 FROM _raw GROUP BY {key} HAVING count(*) > 1 LIMIT 1"
    )
    if dup is not None:
        raise BadInputError(source, dup[1], line=dup[0])
    country_warnings: list[str] = []
    if kind.has_country:
        bad, country_warnings = validate.country_problem(store)
        if bad is not None:
            raise BadInputError(source, bad[1], line=bad[0])
    if kind.carried(prepared.columns):
        return _Checked(country_warnings, None)
    found = lists.Findings()
    counts = lists.list_problem(store, kind, prepared.columns, found)
    return _Checked(country_warnings, (found, counts))


def _stage_observations(store: Store, typed: str, base_version: int) -> None:
    """``_obs``: each row's key, hashes, the version it repeats (``old_id``), whether its key
    is in the current view, and its version id."""
    con = store.con
    # Match every row to the version it repeats, if any: the same key and the same values
    # (compared by a 64-bit hash of all value columns, so the join reads no strings; the
    # chance that a changed row hashes like its old version is about 5e-20). _obs is narrow
    # (keys and hashes) and in line order, row for row beside _raw.
    #
    # Rows that are new versions are numbered after the highest version id, in line order.
    # Lines are numbered 2, 3, … without gaps, so when no row repeats a version the new ids
    # are simply base + line - 1; only a file that mixes new and known rows needs a window.
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _obs AS
        WITH n AS (
            SELECT __line, list, country_iso2, week, category, rank,
                   hash(list, country_iso2, week, category, rank) AS key_hash,
                   hash({", ".join(_VALUES)}) AS value_hash
            FROM ({typed})
        )
        SELECT n.*, v.version_id AS old_id, c.version_id IS NOT NULL AS key_known,
               coalesce(v.version_id, $base + n.__line - 1) AS version_id
        FROM n
        LEFT JOIN row_versions v
          ON v.value_hash = n.value_hash AND {_KEY_EQ.format(a="v", b="n")}
        LEFT JOIN current_rows c ON {_KEY_EQ.format(a="c", b="n")}
        ORDER BY n.__line
        """,
        {"base": base_version},
    )


def _file_problems(
    store: Store, prepared: Prepared, columns: list[str], checked: _Checked
) -> list[str]:
    """The file's checks not done by :func:`_check_file`: its lists (when their values
    come partly from the store) and the titles' history against the store. Raises at the
    first problem; returns the warnings (with those ``checked`` found)."""
    kind = prepared.kind
    warnings = list(checked.country_warnings)
    if checked.lists is None:
        found = lists.Findings()
        counts = lists.list_problem(store, kind, columns, found)
    else:
        found, counts = checked.lists
        found = lists.Findings(list(found.problems), list(found.warnings))
    if found.first() is None:  # the history is checked only for lists that make sense
        history.history_problem(store, kind, counts.holes, found)
    bad = found.first()
    if bad is not None:
        raise BadInputError(prepared.source, bad[1], line=bad[0])
    warnings += found.warnings
    return warnings


def _number_new_versions(store: Store, base_version: int) -> None:
    """Number the new versions after ``base_version`` in line order, in a file that mixes
    new rows with rows that repeat a known version."""
    store.con.execute(
        """
        UPDATE _obs SET version_id = n.version_id
        FROM (SELECT __line, $base + row_number() OVER (ORDER BY __line) AS version_id
              FROM _obs WHERE old_id IS NULL) n
        WHERE _obs.__line = n.__line
        """,
        {"base": base_version},
    )


def _write(
    store: Store,
    prepared: Prepared,
    typed: str,
    snapshot_id: int,
    rows: int,
    new_versions: int,
    known: int,
) -> None:
    """Add the snapshot, its new versions, its observations, and move the current view."""
    con = store.con
    kind = prepared.kind
    payload = prepared.payload
    observed_at = payload.observed_at
    con.execute(
        """
        INSERT INTO snapshots VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        [
            snapshot_id,
            kind.name,
            prepared.sha256,
            observed_at,
            payload.observed_how,
            payload.source,
            prepared.format,
            rows,
            new_versions,
            prepared.columns,
            prepared.unknown_columns,
            dt.datetime.now(dt.UTC),
            __version__,
        ],
    )
    # The values of the new versions come from _raw, row for row beside _obs (a positional
    # join: no join on the line and no sort of the wide rows). Both are in line order; a
    # mismatch would be a bug, and fails the ingest rather than pairing the wrong rows.
    cols = ", ".join(("version_id", "list", "country_iso2", "week", "category", "rank", *_VALUES))
    values = ", ".join(f"t.{c}" for c in _VALUES)
    con.execute(
        f"INSERT INTO row_versions ({cols}, key_hash, value_hash, first_snapshot_id) "
        "SELECT CASE WHEN o.__line IS NOT DISTINCT FROM t.__line THEN o.version_id "
        "            ELSE error('chartwatch: staged rows out of step') END, "
        f"       o.list, o.country_iso2, o.week, o.category, o.rank, {values}, "
        f"       o.key_hash, o.value_hash, ? FROM _obs o POSITIONAL JOIN ({typed}) t "
        "WHERE o.old_id IS NULL",
        [snapshot_id],
    )
    con.execute("INSERT INTO observations SELECT ?, version_id FROM _obs", [snapshot_id])
    # The current view moves to this snapshot's version wherever it is the latest observation.
    if known:
        con.execute(
            f"""
            DELETE FROM current_rows c USING _obs n
            WHERE {_KEY_EQ.format(a="c", b="n")}
              AND (c.observed_at < ? OR (c.observed_at = ? AND c.snapshot_id < ?))
            """,
            [observed_at, observed_at, snapshot_id],
        )
    con.execute(
        f"""
        INSERT INTO current_rows
        SELECT list, country_iso2, week, category, rank, key_hash, version_id, ?, ?
        FROM _obs n
        {f"ANTI JOIN current_rows c ON {_KEY_EQ.format(a='c', b='n')}" if known else ""}
        """,
        [snapshot_id, observed_at],
    )


def _carry_forward(store: Store, prepared: Prepared) -> tuple[list[str], str | None]:
    """Give the file's rows the values of the columns it does not publish from their previous
    versions; return the columns ``_raw`` now has and a warning if any value was kept.

    A column missing from a file is not a value set to empty: a cut-down file must neither
    blank what earlier files published nor create revisions. The previous version of a key
    is the one current as of this file's observation time (so ingest order does not matter),
    and its values are kept only where the row names the same title; a row whose title
    changed is another title and starts without them.
    """
    kind = prepared.kind
    carried = kind.carried(prepared.columns)
    if not carried:
        return prepared.columns, None
    observed_at = prepared.payload.observed_at
    latest = store.scalar("SELECT max(observed_at) FROM current_rows WHERE list = ?", [kind.name])
    if latest is None:
        return prepared.columns, None
    values = ", ".join(f"v.{c}" for c in carried)
    if latest <= observed_at:
        previous = (
            f"SELECT v.country_iso2, v.week, v.category, v.rank, v.show_title, v.season_title, "
            f"{values} FROM current_rows c JOIN row_versions v USING (version_id) "
            "WHERE c.list = $list"
        )
    else:
        previous = f"""
            SELECT v.country_iso2, v.week, v.category, v.rank, v.show_title, v.season_title,
                   {values}
            FROM (
                SELECT arg_max(o.version_id, struct_pack(t := s.observed_at, i := s.snapshot_id))
                       AS version_id
                FROM observations o JOIN snapshots s USING (snapshot_id)
                JOIN row_versions r USING (version_id)
                WHERE s.kind = $list AND s.observed_at <= $observed_at
                GROUP BY r.country_iso2, r.week, r.category, r.rank
            ) a JOIN row_versions v USING (version_id)
        """
    con = store.con
    for col in carried:
        con.execute(f"ALTER TABLE _raw ADD COLUMN {col} {VALUE_COLUMNS[col]}")
    params: dict[str, Any] = {"list": kind.name}
    if latest > observed_at:
        params["observed_at"] = observed_at
    country = "_raw.country_iso2" if kind.has_country else "NULL::VARCHAR"
    week = "_raw.week" if kind.has_week else "NULL::DATE"
    sets = ", ".join(f"{c} = p.{c}" for c in carried)
    con.execute(
        f"""
        UPDATE _raw SET {sets} FROM ({previous}) p
        WHERE p.country_iso2 IS NOT DISTINCT FROM {country} AND p.week IS NOT DISTINCT FROM {week}
          AND p.category = _raw.category AND p.rank = _raw.{validate.ident(kind.rank_column)}
          AND p.show_title = _raw.show_title
          AND p.season_title IS NOT DISTINCT FROM _raw.season_title
        """,
        params,
    )
    kept = store.scalar(
        "SELECT count(*) FROM _raw WHERE " + " OR ".join(f"{c} IS NOT NULL" for c in carried)
    )
    columns = [*prepared.columns, *carried]
    if not kept:
        return columns, None
    return columns, (
        f"no column {', '.join(carried)}: {kept} rows keep the values their previous versions "
        "had (a column a file does not publish is not a value set to empty)"
    )


_TEMP_TABLES = frozenset(
    ("_raw", "_extra", "_obs", "_lists", "_weeks", "_held", *engagement.TEMP_TABLES)
)


def drop_temp(store: Store) -> None:
    """Drop the temporary tables a file was staged and checked in: those that exist (one
    look-up instead of a statement for each that might)."""
    for (name,) in store.all("SELECT table_name FROM duckdb_tables() WHERE temporary"):
        if name in _TEMP_TABLES:
            store.con.execute(f"DROP TABLE temp.{name}")


def _load_report(store: Store, prepared: PreparedReport) -> IngestResult:
    """An engagement report as one snapshot (see :mod:`chartwatch.ingestion.engagement`)."""
    done = engagement.load_report(store, prepared)
    _pause_for_tests()
    payload = prepared.payload
    return IngestResult(
        source=payload.source,
        status="accepted",
        kind=engagement.KIND,
        sha256=prepared.sha256,
        snapshot_id=done["snapshot_id"],
        observed_at=payload.observed_at.isoformat(),
        rows=done["rows"],
        new_versions=done["new_versions"],
        revised=done["revised"],
        warnings=[
            f"unknown column {c!r} kept as text in each row's extra map"
            for c in prepared.unknown_columns
        ],
    )


def _stage_any(store: Store, prepared: Prepared | PreparedReport) -> None:
    if isinstance(prepared, PreparedReport):
        engagement.stage(store, prepared)
    else:
        _stage(store, prepared)


def _observed_earlier(store: Store, snapshot_id: int, payload: Payload) -> None:
    """Known content seen again with an earlier time (e.g. an archive replayed after an
    update fetched its newest file): the snapshot was published by then, so it takes the
    earlier observation, and its keys' current versions are recomputed. As-of views thus do
    not depend on the order files were ingested in."""
    con = store.con
    con.execute(
        "UPDATE snapshots SET observed_at = ?, observed_how = ?, source = ? WHERE snapshot_id = ?",
        [payload.observed_at, payload.observed_how, payload.source, snapshot_id],
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _obs AS "
        "SELECT DISTINCT v.list, v.country_iso2, v.week, v.category, v.rank, v.key_hash "
        "FROM observations o JOIN row_versions v USING (version_id) WHERE o.snapshot_id = ?",
        [snapshot_id],
    )
    con.execute(f"DELETE FROM current_rows c USING _obs n WHERE {_KEY_EQ.format(a='c', b='n')}")
    latest = "struct_pack(t := s.observed_at, i := s.snapshot_id)"
    con.execute(
        f"""
        INSERT INTO current_rows
        SELECT v.list, v.country_iso2, v.week, v.category, v.rank, any_value(v.key_hash),
               arg_max(v.version_id, {latest}), arg_max(s.snapshot_id, {latest}),
               max(s.observed_at)
        FROM observations o
        JOIN row_versions v USING (version_id)
        JOIN snapshots s USING (snapshot_id)
        JOIN _obs n ON {_KEY_EQ.format(a="v", b="n")}
        GROUP BY v.list, v.country_iso2, v.week, v.category, v.rank
        """
    )


@dataclass
class Staged:
    """A payload on its way in: its content, its file checks and ``_raw``, as far as done.

    ``error`` is the first bad-input error met; it is reported only after the look-up of the
    content's sha256, as a file already in the store is ``unchanged`` whatever its name.
    """

    store: Store  # the connection whose temporary ``_raw`` holds the staged file
    payload: Payload
    item: Content | None = None
    prepared: Prepared | PreparedReport | None = None
    staged: bool = False
    error: BadInputError | None = None
    checked: _Checked | None = None  # what the checks of the staged file alone found


def stage_ahead(store: Store, payload: Payload) -> Staged:
    """Hash, check and stage ``payload`` in ``store``'s connection, before its turn.

    Runs in a worker thread, on a connection of its own, while the file before it is being
    loaded; the load itself still happens in order (:func:`_finish`). A file already in the
    store is not staged. The checks that read the file alone (:func:`_check_file`) run here
    too.
    """
    staged = Staged(store, payload)
    try:
        staged.item = content(payload)
        if store.one("SELECT 1 FROM snapshots WHERE sha256 = ?", [staged.item.sha256]):
            return staged
        staged.prepared = prepare(staged.item)
        _stage_any(store, staged.prepared)
        staged.staged = True
        if isinstance(staged.prepared, Prepared):
            staged.checked = _check_file(store, staged.prepared)
    except BadInputError as exc:
        staged.error = exc
    except MemoryError:
        staged.error = BadInputError(payload.source, "not enough memory to read this file")
    return staged


def finish(staged: Staged) -> IngestResult:
    """Load a (possibly already staged) payload as one snapshot; never raises for bad input."""
    store, payload = staged.store, staged.payload
    try:
        if staged.item is None:
            if staged.error is not None:
                raise staged.error
            staged.item = content(payload)
        item = staged.item
        known = store.one(
            "SELECT snapshot_id, kind, row_count, observed_at FROM snapshots WHERE sha256 = ?",
            [item.sha256],
        )
        if known is not None:
            if payload.observed_at < known[3]:
                with store.transaction():
                    _observed_earlier(store, int(known[0]), payload)
            return IngestResult(
                source=payload.source,
                status="unchanged",
                kind=str(known[1]),
                sha256=item.sha256,
                snapshot_id=int(known[0]),
                observed_at=payload.observed_at.isoformat(),
                rows=int(known[2]),
            )
        if staged.error is not None:
            raise staged.error
        prepared = staged.prepared or prepare(item)
        if not staged.staged:
            _stage_any(store, prepared)
        with store.transaction():
            if isinstance(prepared, PreparedReport):
                result = _load_report(store, prepared)
            else:
                result = _load(store, prepared, staged.checked if staged.staged else None)
        return result
    except MemoryError:
        # Inputs are capped (reader.max_bytes), but a process under a tight memory limit can
        # still run short: the file is rejected, the transaction rolled back, the rest go on.
        return IngestResult(
            source=payload.source,
            status="rejected",
            reason="not enough memory to read this file; free memory or lower its size",
        )
    except _DATA_ERRORS as exc:
        # A check chartwatch does not have yet: still one line, and the other files go on.
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return IngestResult(
            source=payload.source, status="rejected", reason=f"unreadable data ({first[:200]})"
        )
    except BadInputError as exc:
        return IngestResult(
            source=payload.source, status="rejected", reason=exc.reason, line=exc.line
        )
    finally:
        drop_temp(store)


def ingest_payload(store: Store, payload: Payload) -> IngestResult:
    """Check ``payload`` and load it as one snapshot; never raises for bad input.

    Returns an :class:`IngestResult` whose ``status`` is ``accepted``, ``unchanged`` (the
    same content was ingested before) or ``rejected`` (with a one-line ``reason``).
    """
    return finish(Staged(store, payload))
