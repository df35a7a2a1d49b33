"""Every generation of Netflix's files loads, in every format, with exactly the raw values.

Expected numbers come from the raw files read with the csv module (the real files shipped
in ``src/chartwatch/data`` and older generations pulled out of ``tests/data/archive.bundle``
with ``git``), and are compared with what ``chartwatch.week`` or SQL on the store returns.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import subprocess
from collections import Counter, defaultdict
from pathlib import Path

import openpyxl
import pytest

import chartwatch
from chartwatch.view import View
from conftest import BUNDLE
from rawdata import (
    COUNTRIES,
    GLOBAL,
    INT_COLUMNS,
    POPULAR,
    VALUE_COLUMNS,
    parse_tsv,
    raw_bytes,
    raw_rows,
    value,
)

# Archive commits holding the older generations (asserted on their headers below).
FIRST_DATA_COMMIT = "e5bf7d698b0bdc4074b2815ea8868506a390f810"  # 2021-11-17
LAST_7_COLUMN_GLOBAL = "4030941d91f5ade6e38c3c4d98d03ad24d55d981"  # 2023-05-31

STORED_COLUMNS = ("list", "country_iso2", "week", "category", "rank", *VALUE_COLUMNS, "extra")


# -- expected values from the raw files (rawdata: gzip and csv) -----------------------------
def sums_by_category(rows: list[dict[str, str]], column: str) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for r in rows:
        out[r["category"]] += int(r[column])
    return dict(out)


def chart_rows(rows: list[dict[str, str]], week: str, **match: str) -> dict[str, list[tuple]]:
    """category -> the week's rows as (rank, title, season, hours, views, runtime, weeks,
    staggered), from the raw file."""
    out: dict[str, list[tuple]] = defaultdict(list)
    for r in rows:
        if r["week"] != week or any(r[k] != v for k, v in match.items()):
            continue
        out[r["category"]].append(
            (
                int(r["weekly_rank"]),
                r["show_title"],
                value("season_title", r["season_title"]),
                value("weekly_hours_viewed", r.get("weekly_hours_viewed", "")),
                value("weekly_views", r.get("weekly_views", "")),
                value("runtime", r.get("runtime", "")),
                value("cumulative_weeks_in_top_10", r["cumulative_weeks_in_top_10"]),
                value("is_staggered_launch", r.get("is_staggered_launch", "")),
            )
        )
    return {c: sorted(v) for c, v in out.items()}


def chart_of(store, week: str, **kw: str) -> dict[str, list[tuple]]:
    chart = chartwatch.week(View.of(store), week=dt.date.fromisoformat(week), **kw)
    return {
        lst.category: [
            (
                r.rank,
                r.show_title,
                r.season_title,
                r.weekly_hours_viewed,
                r.weekly_views,
                r.runtime,
                r.cumulative_weeks_in_top_10,
                r.is_staggered_launch,
            )
            for r in lst.rows
        ]
        for lst in chart.lists
    }


def store_rows(store) -> list[tuple]:
    """Every stored row version with its key, values and extra map, in key order."""
    cols = ", ".join(STORED_COLUMNS)
    return store.all(
        f"SELECT {cols} FROM row_versions "
        "ORDER BY list, country_iso2 NULLS FIRST, week NULLS FIRST, category, rank"
    )


def table_state(store) -> dict[str, tuple[int, int]]:
    """Each table's row count and an order-independent checksum of all its rows."""
    names = [
        r[0]
        for r in store.all(
            "SELECT table_name FROM duckdb_tables() WHERE NOT temporary ORDER BY table_name"
        )
    ]
    out = {}
    for name in names:
        count, total = store.one(f'SELECT count(*), sum(hash(t)::HUGEINT) FROM "{name}" t')
        out[name] = (count, total)
    return out


def ingest_one(store, path: Path, **kw):
    [result] = chartwatch.ingest(store, [path], **kw)
    return result


# -- the archive ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory):
    """``blob(commit, path)``: a file as the archive holds it, read with git."""
    repo = tmp_path_factory.mktemp("archive") / "archive.git"
    subprocess.run(
        ["git", "clone", "--bare", "--quiet", str(BUNDLE), str(repo)],
        check=True,
        capture_output=True,
    )

    def blob(commit: str, path: str) -> bytes:
        return subprocess.run(
            ["git", "-C", str(repo), "show", f"{commit}:{path}"],
            check=True,
            capture_output=True,
        ).stdout

    return blob


# -- the current generation (the bundled real files) ---------------------------------------
def test_real_global_file_loads_exactly(store, real_file):
    rows = raw_rows(GLOBAL)
    result = ingest_one(store, real_file(GLOBAL))
    assert (result.status, result.kind, result.rows) == ("accepted", "global", len(rows))
    assert result.rows == 6240 and result.new_versions == 6240 and result.revised == 0
    assert result.warnings == [] and result.reason is None

    stored = dict(
        store.all(
            "SELECT category, sum(weekly_hours_viewed) FROM row_versions "
            "WHERE list = 'global' GROUP BY category"
        )
    )
    assert stored == sums_by_category(rows, "weekly_hours_viewed")
    views = dict(
        store.all(
            "SELECT category, sum(weekly_views) FROM row_versions "
            "WHERE list = 'global' GROUP BY category"
        )
    )
    expected_views: dict[str, int] = defaultdict(int)
    for r in rows:
        expected_views[r["category"]] += int(r["weekly_views"] or 0)
    assert views == dict(expected_views)
    weeks = store.scalar("SELECT count(DISTINCT week) FROM row_versions")
    assert weeks == len({r["week"] for r in rows})

    # the newest week (11 columns) and the oldest (hours only; views and runtime empty)
    newest = chart_of(store, "2024-06-23")
    assert newest == chart_rows(rows, "2024-06-23")
    assert newest["Films (English)"][0][:2] == (1, "Trigger Warning")
    assert newest["Films (English)"][0][3:6] == (45_900_000, 25_700_000, 1.7833)
    oldest = chart_of(store, "2021-07-04")
    assert oldest == chart_rows(rows, "2021-07-04")
    assert all(row[4] is None and row[5] is None for lst in oldest.values() for row in lst)

    # episode_launch_details (a quoted JSON field with doubled quotes) kept exactly
    raw = next(
        r
        for r in rows
        if r["week"] == "2024-06-23"
        and r["category"] == "TV (Non-English)"
        and r["weekly_rank"] == "6"
    )
    assert raw["episode_launch_details"].startswith('[{"episodesLaunched":3')
    stored_details = store.scalar(
        "SELECT episode_launch_details FROM row_versions WHERE week = DATE '2024-06-23' "
        "AND category = 'TV (Non-English)' AND rank = 6"
    )
    assert stored_details == raw["episode_launch_details"]


def test_real_countries_file_loads_exactly(store, real_file):
    rows = raw_rows(COUNTRIES)
    result = ingest_one(store, real_file(COUNTRIES))
    assert (result.status, result.kind, result.rows) == ("accepted", "countries", len(rows))
    assert result.rows == 65_800

    counts = dict(store.all("SELECT category, count(*) FROM row_versions GROUP BY category"))
    assert counts == dict(Counter(r["category"] for r in rows))
    countries = dict(
        store.all(
            "SELECT country_iso2, any_value(country_name) FROM row_versions GROUP BY country_iso2"
        )
    )
    assert countries == {r["country_iso2"]: r["country_name"] for r in rows}
    weeks_total = store.scalar("SELECT sum(cumulative_weeks_in_top_10) FROM row_versions")
    assert weeks_total == sum(int(r["cumulative_weeks_in_top_10"]) for r in rows)

    for iso, week in (("KR", "2022-02-27"), ("US", "2021-07-04"), ("AR", "2022-02-27")):
        chart = chartwatch.week(View.of(store), week=dt.date.fromisoformat(week), country=iso)
        assert chart.country_name == next(
            r["country_name"] for r in rows if r["country_iso2"] == iso
        )
        assert chart_of(store, week, country=iso) == chart_rows(rows, week, country_iso2=iso)
    ar = chart_of(store, "2022-02-27", country="AR")
    assert ar["Films"][0][:3] == (1, "Restless", None)


def test_real_most_popular_91_day_file_loads_exactly(store, real_file):
    rows = raw_rows(POPULAR)
    result = ingest_one(store, real_file(POPULAR))
    assert (result.status, result.kind, result.rows) == ("accepted", "most-popular", 40)
    assert len(rows) == 40

    for column in ("hours_viewed_first_91_days", "views_first_91_days"):
        stored = dict(
            store.all(f"SELECT category, sum({column}) FROM row_versions GROUP BY category")
        )
        assert stored == sums_by_category(rows, column)
    stored_rows = store.all(
        "SELECT category, rank, show_title, season_title, hours_viewed_first_91_days, runtime, "
        "views_first_91_days, hours_viewed_first_28_days, week, country_iso2 "
        "FROM row_versions ORDER BY category, rank"
    )
    expected = sorted(
        (
            r["category"],
            int(r["rank"]),
            r["show_title"],
            value("season_title", r["season_title"]),
            int(r["hours_viewed_first_91_days"]),
            float(r["runtime"]),
            int(r["views_first_91_days"]),
            None,
            None,
            None,
        )
        for r in rows
    )
    assert stored_rows == expected
    assert stored_rows[0][:5] == ("Films (English)", 1, "Red Notice", None, 454_200_000)


# -- older generations, from the archive ---------------------------------------------------
def test_archived_7_column_global_file_loads(store, archive, tmp_path):
    data = archive(LAST_7_COLUMN_GLOBAL, GLOBAL)
    header = data.split(b"\n", 1)[0].decode().split("\t")
    assert header == [
        "week",
        "category",
        "weekly_rank",
        "show_title",
        "season_title",
        "weekly_hours_viewed",
        "cumulative_weeks_in_top_10",
    ]
    rows = parse_tsv(data)
    path = tmp_path / GLOBAL
    path.write_bytes(data)
    result = ingest_one(store, path)
    assert (result.status, result.kind, result.rows) == ("accepted", "global", len(rows))
    assert result.warnings == []

    stored = dict(
        store.all("SELECT category, sum(weekly_hours_viewed) FROM row_versions GROUP BY category")
    )
    assert stored == sums_by_category(rows, "weekly_hours_viewed")
    # the columns this generation did not publish are missing, not zero
    assert store.one(
        "SELECT count(runtime), count(weekly_views), count(is_staggered_launch), "
        "count(episode_launch_details) FROM row_versions"
    ) == (0, 0, 0, 0)
    latest = max(r["week"] for r in rows)
    assert latest == "2023-05-28"
    chart = chart_of(store, latest)
    assert chart == chart_rows(rows, latest)
    assert chart["Films (English)"][0][:4] == (1, "The Mother", None, 34_690_000)
    assert chartwatch.week(View.of(store)).week_end == dt.date(2023, 5, 28)


def test_archived_most_popular_28_day_file_loads(store, archive, tmp_path):
    data = archive(FIRST_DATA_COMMIT, POPULAR)
    rows = parse_tsv(data)
    assert list(rows[0]) == [
        "category",
        "rank",
        "show_title",
        "season_title",
        "hours_viewed_first_28_days",
    ]
    path = tmp_path / POPULAR
    path.write_bytes(data)
    result = ingest_one(store, path)
    assert (result.status, result.kind, result.rows) == ("accepted", "most-popular", len(rows))
    assert len(rows) == 40

    stored = dict(
        store.all(
            "SELECT category, sum(hours_viewed_first_28_days) FROM row_versions GROUP BY category"
        )
    )
    assert stored == sums_by_category(rows, "hours_viewed_first_28_days")
    assert store.one(
        "SELECT count(hours_viewed_first_91_days), count(views_first_91_days), count(runtime) "
        "FROM row_versions"
    ) == (0, 0, 0)
    first = next(r for r in rows if r["category"] == "Films (English)" and r["rank"] == "1")
    assert store.one(
        "SELECT show_title, season_title, hours_viewed_first_28_days FROM row_versions "
        "WHERE category = 'Films (English)' AND rank = 1"
    ) == (first["show_title"], None, int(first["hours_viewed_first_28_days"]))
    assert first["show_title"] == "Bird Box"


def test_archived_early_country_file_with_english_labels_loads_as_films_and_tv(
    store, archive, tmp_path
):
    data = archive(FIRST_DATA_COMMIT, COUNTRIES)
    rows = parse_tsv(data)
    raw_counts = Counter(r["category"] for r in rows)
    assert set(raw_counts) == {"Films (English)", "TV (English)"}
    path = tmp_path / COUNTRIES
    path.write_bytes(data)
    result = ingest_one(store, path)
    assert (result.status, result.kind, result.rows) == ("accepted", "countries", len(rows))

    stored = dict(store.all("SELECT category, count(*) FROM row_versions GROUP BY category"))
    assert stored == {
        "Films": raw_counts["Films (English)"],
        "TV": raw_counts["TV (English)"],
    }
    latest = max(r["week"] for r in rows)
    assert latest == "2021-11-14"
    expected = chart_rows(rows, latest, country_iso2="US")
    relabelled = {"Films": expected["Films (English)"], "TV": expected["TV (English)"]}
    assert chart_of(store, latest, country="US") == relabelled
    assert relabelled["Films"][0][:2] == (1, "Red Notice")
    # the store's country lists are the same categories as today's files
    assert (
        chartwatch.week(View.of(store), country="us", category="films").lists[0].category == "Films"
    )


# -- formats: .csv, .xlsx, .tsv.gz hold the same rows ----------------------------------------
def _csv_bytes(rows: list[dict[str, str]], **fmt) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n", **fmt)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _xlsx_bytes(rows: list[dict[str, str]]) -> bytes:
    """A workbook as Netflix offers it: typed cells (dates, numbers, booleans)."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Sheet1")
    sheet.append(list(rows[0]))
    for r in rows:
        cells = []
        for col, text in r.items():
            if text == "":
                cells.append(None)
            elif text == "N/A":
                cells.append(text)
            elif col in INT_COLUMNS:
                cells.append(int(text))
            elif col == "runtime":
                cells.append(float(text))
            elif col == "is_staggered_launch":
                cells.append(text == "true")
            elif col == "week":
                cells.append(dt.date.fromisoformat(text))
            else:
                cells.append(text)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def global_reference(tmp_path_factory: pytest.TempPathFactory) -> list[tuple]:
    """The rows of the real global TSV as stored (in a store of their own)."""
    path = tmp_path_factory.mktemp("reference") / GLOBAL
    path.write_bytes(raw_bytes(GLOBAL))
    with chartwatch.open_store(":memory:") as st:
        assert ingest_one(st, path).status == "accepted"
        return store_rows(st)


FORMATS = {
    "all-weeks-global.csv": ("csv", lambda: _csv_bytes(raw_rows(GLOBAL))),
    "all-weeks-global-quoted.csv": (
        "csv",
        lambda: _csv_bytes(raw_rows(GLOBAL), quoting=csv.QUOTE_ALL),
    ),
    "all-weeks-global.csv.gz": ("csv+gzip", lambda: gzip.compress(_csv_bytes(raw_rows(GLOBAL)))),
    "all-weeks-global.xlsx": ("xlsx", lambda: _xlsx_bytes(raw_rows(GLOBAL))),
    "all-weeks-global.tsv.gz": ("tsv+gzip", lambda: gzip.compress(raw_bytes(GLOBAL))),
    "all-weeks-global-crlf.tsv": ("tsv", lambda: raw_bytes(GLOBAL).replace(b"\n", b"\r\n")),
}


@pytest.mark.parametrize("name", list(FORMATS))
def test_every_format_loads_identical_rows(name, store, tmp_path, global_reference):
    fmt, make = FORMATS[name]
    data = make()
    if name.endswith(".csv"):
        assert b"\t" not in data.split(b"\n", 1)[0]
    path = tmp_path / name
    path.write_bytes(data)
    result = ingest_one(store, path)
    assert (result.status, result.kind, result.rows) == ("accepted", "global", 6240), result
    assert result.warnings == []
    assert store.scalar("SELECT format FROM snapshots") == fmt
    assert store_rows(store) == global_reference
    assert chart_of(store, "2024-06-23") == chart_rows(raw_rows(GLOBAL), "2024-06-23")


def test_csv_of_content_already_loaded_adds_a_snapshot_but_no_versions(store, real_file, tmp_path):
    assert ingest_one(store, real_file(GLOBAL)).status == "accepted"
    path = tmp_path / "all-weeks-global.csv"
    path.write_bytes(_csv_bytes(raw_rows(GLOBAL)))
    result = ingest_one(store, path)
    assert (result.status, result.rows, result.new_versions, result.revised) == (
        "accepted",
        6240,
        0,
        0,
    )
    assert store.scalar("SELECT count(*) FROM row_versions") == 6240
    assert store.scalar("SELECT count(*) FROM observations") == 2 * 6240


# -- columns: unknown ones kept, required ones required -------------------------------------
NOTES = ["N/A", "", "director's cut", 'said "hi", twice', "  spaced  ", "NULL", "0"]


def _with_unknown_column(data: bytes) -> tuple[bytes, list[str]]:
    """The real file with a column Netflix might add, between two known ones."""
    lines = data.decode("utf-8").split("\n")
    out, notes = [], []
    for i, line in enumerate(lines):
        fields = line.split("\t")
        if i == 0:
            fields.insert(5, "notes")
        else:
            note = NOTES[i % len(NOTES)]
            notes.append(note)
            fields.insert(5, note)
        out.append("\t".join(fields))
    return "\n".join(out).encode("utf-8"), notes


def test_unknown_column_is_kept_verbatim_in_extra_and_warned(store, tmp_path):
    data, notes = _with_unknown_column(raw_bytes(GLOBAL))
    path = tmp_path / "all-weeks-global.tsv"
    path.write_bytes(data)
    result = ingest_one(store, path)
    assert (result.status, result.rows) == ("accepted", 6240)
    assert len(result.warnings) == 1 and "'notes'" in result.warnings[0]
    assert store.one("SELECT columns[6], unknown_columns FROM snapshots") == ("notes", ["notes"])

    stored = store.all(
        "SELECT extra['notes'], map_keys(extra) FROM row_versions ORDER BY version_id"
    )
    assert [s[0] for s in stored] == notes
    assert all(s[1] == ["notes"] for s in stored)
    assert Counter(s[0] for s in stored)["N/A"] == notes.count("N/A") > 800
    # the known columns on either side of it are untouched
    rows = raw_rows(GLOBAL)
    assert chart_of(store, "2024-06-23") == chart_rows(rows, "2024-06-23")
    stored_hours = dict(
        store.all("SELECT category, sum(weekly_hours_viewed) FROM row_versions GROUP BY category")
    )
    assert stored_hours == sums_by_category(rows, "weekly_hours_viewed")


def test_unknown_column_warning_on_cli_stderr(cli, tmp_path):
    data, _ = _with_unknown_column(raw_bytes(POPULAR))
    path = tmp_path / "most-popular.tsv"
    path.write_bytes(data)
    result = cli("ingest", path)
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("Warning:")]
    assert len(warnings) == 1
    assert str(path) in warnings[0] and "'notes'" in warnings[0]
    assert "Error" not in result.stderr


def _without_column(data: bytes, column: str) -> bytes:
    lines = data.decode("utf-8").split("\n")
    index = lines[0].split("\t").index(column)
    out = []
    for line in lines:
        fields = line.split("\t")
        del fields[index]
        out.append("\t".join(fields))
    return "\n".join(out).encode("utf-8")


@pytest.mark.parametrize(
    ("name", "column"),
    [
        (GLOBAL, "weekly_hours_viewed"),
        (GLOBAL, "cumulative_weeks_in_top_10"),
        (GLOBAL, "weekly_rank"),
        (COUNTRIES, "country_iso2"),
        (POPULAR, "show_title"),
    ],
)
def test_missing_required_column_is_rejected_naming_it(store, tmp_path, name, column):
    path = tmp_path / name
    path.write_bytes(_without_column(raw_bytes(name), column))
    result = ingest_one(store, path)
    assert result.status == "rejected"
    assert result.line == 1
    assert f"missing required column '{column}'" in result.reason
    assert "\n" not in result.reason
    assert store.scalar("SELECT count(*) FROM snapshots") == 0


def test_most_popular_without_any_hours_column_is_rejected_naming_them(store, tmp_path):
    data = _without_column(raw_bytes(POPULAR), "hours_viewed_first_91_days")
    path = tmp_path / POPULAR
    path.write_bytes(_without_column(data, "views_first_91_days"))
    result = ingest_one(store, path)
    assert result.status == "rejected" and result.line == 1
    assert "hours_viewed_first_91_days" in result.reason
    assert "hours_viewed_first_28_days" in result.reason


# -- the same content again ------------------------------------------------------------------
def test_byte_identical_reingest_is_unchanged_and_adds_nothing(bundled_store, tmp_path):
    before = table_state(bundled_store)
    sha = bundled_store.scalar("SELECT sha256 FROM snapshots WHERE kind = 'global'")
    path = tmp_path / GLOBAL
    path.write_bytes(raw_bytes(GLOBAL))
    result = ingest_one(bundled_store, path)
    assert (result.status, result.kind, result.sha256, result.rows) == (
        "unchanged",
        "global",
        sha,
        6240,
    )
    assert result.new_versions == 0 and result.reason is None
    assert table_state(bundled_store) == before

    # gzip of the same content (sha256 is over the decompressed bytes), twice
    for level in (9, 1):
        gz = tmp_path / f"copy-{level}.tsv.gz"
        gz.write_bytes(gzip.compress(raw_bytes(GLOBAL), compresslevel=level))
        result = ingest_one(bundled_store, gz)
        assert (result.status, result.sha256) == ("unchanged", sha)
    assert table_state(bundled_store) == before


def test_reingest_of_a_new_file_in_a_fresh_store_then_its_gzip(store, real_file, tmp_path):
    first = ingest_one(store, real_file(POPULAR))
    assert first.status == "accepted"
    after_first = table_state(store)
    assert after_first["snapshots"][0] == 1 and after_first["row_versions"][0] == 40
    again = ingest_one(store, real_file(POPULAR))
    assert (again.status, again.snapshot_id, again.sha256) == (
        "unchanged",
        first.snapshot_id,
        first.sha256,
    )
    gz = tmp_path / "most-popular.tsv.gz"
    gz.write_bytes(gzip.compress(raw_bytes(POPULAR)))
    zipped = ingest_one(store, gz)
    assert (zipped.status, zipped.sha256) == ("unchanged", first.sha256)
    assert table_state(store) == after_first
