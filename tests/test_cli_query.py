"""``chartwatch status``, ``week`` and ``export`` on the bundled real data, checked against
the raw files parsed with the csv module (and, for publication times, against git)."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import duckdb
import pytest

from chartwatch.store.rows import ROW_COLUMNS
from chartwatch.store.schema import SCHEMA_VERSION
from conftest import FILES, raw_bytes, raw_rows
from rawarchive import GLOBAL, LIST_OF, Archive, archive, value
from rawengagement import FILES as ENGAGEMENT

GLOBAL_CATEGORIES = ["Films (English)", "Films (Non-English)", "TV (English)", "TV (Non-English)"]
CHART_FIELDS = [
    "rank",
    "show_title",
    "season_title",
    "weekly_hours_viewed",
    "weekly_views",
    "runtime",
    "cumulative_weeks_in_top_10",
    "is_staggered_launch",
]


@pytest.fixture(scope="module")
def raw(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    return archive(tmp_path_factory)


@pytest.fixture(scope="module")
def published(raw: Archive) -> dict[str, dt.datetime]:
    """When each bundled file was first published: the first archive commit holding it."""
    out = {}
    for name in FILES:
        data = raw_bytes(name)
        out[name] = next(v.when for v in raw.valid(name) if raw.blob(v.blob) == data)
    return out


@pytest.fixture
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    """Room for Rich tables, so cells are not cut."""
    monkeypatch.setenv("COLUMNS", "250")


def chart_rows(rows: list[dict[str, str]]) -> list[dict[str, Any]]:
    """Raw rows as ``week --json`` shows them, ordered by rank."""
    out = []
    for row in sorted(rows, key=lambda r: int(r["weekly_rank"])):
        item = {f: value(f, row.get(f)) for f in CHART_FIELDS if f != "rank"}
        out.append({"rank": int(row["weekly_rank"]), **item})
    return [{f: r[f] for f in CHART_FIELDS} for r in out]


# -- status --------------------------------------------------------------------------------
def test_status_json(bundled_db: Path, cli, published: dict[str, dt.datetime]) -> None:
    result = cli("status", "--db", bundled_db, "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data) == [
        "db",
        "schema_version",
        "snapshots",
        "observations",
        "last_ingested_at",
        "lists",
    ]
    assert data["db"] == str(bundled_db)
    assert data["schema_version"] == SCHEMA_VERSION
    assert data["snapshots"] == len(FILES) + len(ENGAGEMENT)  # and the engagement reports
    assert data["observations"] == sum(len(raw_rows(n)) for n in FILES)
    assert dt.datetime.fromisoformat(data["last_ingested_at"]) <= dt.datetime.now(dt.UTC)
    lists = {item["list"]: item for item in data["lists"]}
    assert [item["list"] for item in data["lists"]] == [
        "global",
        "countries",
        "most-popular",
        "engagement",
    ]
    keys = ["list", "snapshots", "rows", "versions", "revised_rows", "weeks", "first_week"]
    keys += ["last_week", "countries", "last_observed_at"]
    assert all(list(item) == keys for item in data["lists"])
    for name in FILES:
        rows = raw_rows(name)
        item = lists[LIST_OF[name]]
        weeks = sorted({r["week"] for r in rows if "week" in r})
        countries = {r["country_iso2"] for r in rows if "country_iso2" in r}
        assert item["snapshots"] == 1
        assert item["rows"] == item["versions"] == len(rows)
        assert item["revised_rows"] == 0
        assert item["weeks"] == len(weeks)
        assert item["first_week"] == (weeks[0] if weeks else None)
        assert item["last_week"] == (weeks[-1] if weeks else None)
        assert item["countries"] == len(countries)
        assert dt.datetime.fromisoformat(item["last_observed_at"]) == published[name]


def test_status_table(bundled_db: Path, cli, wide: None) -> None:
    result = cli("status", "--db", bundled_db)
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert f"schema v{SCHEMA_VERSION}" in text and "6 snapshots" in text
    for name in FILES:
        rows = raw_rows(name)
        line = next(x for x in text.splitlines() if x.startswith(f"│ {LIST_OF[name]} "))
        assert f"{len(rows):,}" in line
        weeks = {r["week"] for r in rows if "week" in r}
        if weeks:
            assert f" {len(weeks)} " in line and min(weeks) in line and max(weeks) in line


def test_status_counts_versions_and_revisions_after_replay(
    raw: Archive, replayed_db: Path, cli
) -> None:
    """Versions = distinct values a global row was ever published with; revised rows =
    keys published with more than one (from every valid global file in git)."""
    values: dict[Any, set[Any]] = defaultdict(set)
    for version in raw.valid(GLOBAL):
        for key, vals in raw.rows(version).items():
            values[key].add(tuple(vals.items()))
    data = json.loads(cli("status", "--db", replayed_db, "--json").stdout)
    item = next(i for i in data["lists"] if i["list"] == "global")
    assert item["snapshots"] == len({v.blob for v in raw.valid(GLOBAL)})
    assert item["versions"] == sum(len(v) for v in values.values())
    assert item["revised_rows"] == sum(len(v) > 1 for v in values.values())
    assert item["rows"] == len(values)
    assert data["snapshots"] == len({v.blob for v in raw.valid()})


# -- week ----------------------------------------------------------------------------------
def test_week_default_is_the_latest_and_matches_the_raw_file(bundled_db: Path, cli) -> None:
    rows = raw_rows("all-weeks-global.tsv")
    latest = max(r["week"] for r in rows)
    result = cli("week", "--db", bundled_db, "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["week_end"] == latest == "2024-06-23"
    assert data["week_start"] == "2024-06-17"
    assert data["label"] == "Mon Jun 17 – Sun Jun 23, 2024"
    assert data["country_iso2"] is None and data["as_of"] is None
    assert [lst["category"] for lst in data["lists"]] == GLOBAL_CATEGORIES
    for lst in data["lists"]:
        raw_list = [r for r in rows if r["week"] == latest and r["category"] == lst["category"]]
        assert lst["rows"] == chart_rows(raw_list)


def test_week_any_day_of_the_week(bundled_db: Path, cli) -> None:
    outputs = []
    for day in range(17, 24):  # Monday 17 to Sunday 23 June 2024
        result = cli("week", "--week", f"2024-06-{day}", "--db", bundled_db, "--json")
        assert result.exit_code == 0, result.stderr
        outputs.append(json.loads(result.stdout))
    assert all(o == outputs[0] for o in outputs)
    assert outputs[0]["label"] == "Mon Jun 17 – Sun Jun 23, 2024"
    # a Monday belongs to the week that ends the following Sunday
    nxt = cli("week", "--week", "2024-06-24", "--db", bundled_db)
    assert nxt.exit_code == 1


def test_week_table(bundled_db: Path, cli, wide: None) -> None:
    result = cli("week", "--week", "2024-06-20", "--db", bundled_db)
    assert result.exit_code == 0
    flat = " ".join(result.stdout.split())  # Rich wraps a title to its table's width
    assert all(f"Global · {c} · Mon Jun 17 – Sun Jun 23, 2024" in flat for c in GLOBAL_CATEGORIES)
    top = next(
        r
        for r in raw_rows("all-weeks-global.tsv")
        if (r["week"], r["category"], r["weekly_rank"]) == ("2024-06-23", "TV (English)", "1")
    )
    assert (top["season_title"] if top["season_title"] != "N/A" else top["show_title"]) in (
        result.stdout
    )


@pytest.mark.parametrize(
    ("given", "category"),
    [
        ("tv-english", "TV (English)"),
        ("TV (English)", "TV (English)"),
        ("films non english", "Films (Non-English)"),
        ("FILMS_ENGLISH", "Films (English)"),
        ("tv-non-english", "TV (Non-English)"),
    ],
)
def test_week_category_forms(bundled_db: Path, cli, given: str, category: str) -> None:
    result = cli("week", "--category", given, "--db", bundled_db, "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [lst["category"] for lst in data["lists"]] == [category]
    rows = [
        r
        for r in raw_rows("all-weeks-global.tsv")
        if r["week"] == data["week_end"] and r["category"] == category
    ]
    assert data["lists"][0]["rows"] == chart_rows(rows)


def test_week_bad_category(bundled_db: Path, cli) -> None:
    result = cli("week", "--category", "documentaries", "--db", bundled_db)
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "--category" in result.stderr


@pytest.mark.parametrize("code", ["KR", "kr"])
def test_week_country(bundled_db: Path, cli, code: str) -> None:
    rows = [r for r in raw_rows("all-weeks-countries.tsv") if r["country_iso2"] == "KR"]
    latest = max(r["week"] for r in rows)
    result = cli("week", "--country", code, "--db", bundled_db, "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["week_end"] == latest
    assert data["country_iso2"] == "KR"
    assert data["country_name"] == rows[0]["country_name"]
    assert [lst["category"] for lst in data["lists"]] == ["Films", "TV"]
    for lst in data["lists"]:
        raw_list = [r for r in rows if r["week"] == latest and r["category"] == lst["category"]]
        assert len(raw_list) == 10
        assert lst["rows"] == chart_rows(raw_list)
    # one category, another week
    week = sorted({r["week"] for r in rows})[3]
    one = json.loads(
        cli(
            "week",
            "--country",
            code,
            "--week",
            week,
            "--category",
            "tv",
            "--db",
            bundled_db,
            "--json",
        ).stdout
    )
    raw_list = [r for r in rows if r["week"] == week and r["category"] == "TV"]
    assert [lst["category"] for lst in one["lists"]] == ["TV"]
    assert one["lists"][0]["rows"] == chart_rows(raw_list)


def test_week_unknown_country(bundled_db: Path, cli) -> None:
    result = cli("week", "--country", "ZZ", "--db", bundled_db)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and len(result.stderr.strip().splitlines()) == 1


def test_week_as_of(bundled_db: Path, cli, published: dict[str, dt.datetime]) -> None:
    """As of a day, the weeks published by then (the Tuesday after each ends); on a store
    that observed the files later, from their earliest rows, marked reconstructed."""
    countries_day = published["all-weeks-countries.tsv"].date()  # 2022-03-02, a Wednesday
    ok = cli(
        "week",
        "--country",
        "KR",
        "--as-of",
        countries_day.isoformat(),
        "--db",
        bundled_db,
        "--json",
    )
    assert ok.exit_code == 0, ok.stderr
    data = json.loads(ok.stdout)
    assert data["as_of"] == countries_day.isoformat() and data["reconstructed"] is False
    last = max(r["week"] for r in raw_rows("all-weeks-countries.tsv") if r["country_iso2"] == "KR")
    assert data["week_end"] == last  # 2022-02-27, published Tuesday 2022-03-01
    # the Monday before: the week ending 2022-02-27 was not yet published
    monday = cli("week", "--country", "KR", "--as-of", "2022-02-28", "--db", bundled_db, "--json")
    assert monday.exit_code == 0
    monday_data = json.loads(monday.stdout)
    assert monday_data["week_end"] == "2022-02-20" and monday_data["reconstructed"] is True
    table = cli("week", "--country", "KR", "--as-of", "2022-02-28", "--db", bundled_db)
    assert table.stdout.startswith("as of 2022-02-28, reconstructed from files first observed")
    # before the lists began nothing was published
    missing = cli("week", "--as-of", "2021-07-05", "--db", bundled_db)
    assert missing.exit_code == 1 and "Error: " in missing.stderr


def test_week_as_of_shows_the_old_label(replayed_db: Path, cli) -> None:
    args = ["week", "--week", "2022-01-23", "--category", "tv-english", "--db", replayed_db]
    old = json.loads(cli(*args, "--as-of", "2022-02-01", "--json").stdout)
    now = json.loads(cli(*args, "--json").stdout)
    assert old["lists"][0]["rows"][0]["season_title"] == "Ozark: Season 4 Part 1"
    assert now["lists"][0]["rows"][0]["season_title"] == "Ozark: Season 4"


def test_week_with_no_chart(bundled_db: Path, cli) -> None:
    result = cli("week", "--week", "2019-06-05", "--db", bundled_db)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ")
    assert "Mon Jun 3 – Sun Jun 9, 2019" in lines[0]
    assert result.stdout == ""


@pytest.mark.parametrize(
    "args",
    [
        ("--week", "2024-02-30"),
        ("--week", "last week"),
        ("--as-of", "06/23/2024"),
        ("--week", "2024-06-23", "--as-of", "soon"),
    ],
)
def test_week_bad_date(bundled_db: Path, cli, args: tuple[str, ...]) -> None:
    result = cli("week", *args, "--db", bundled_db)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "YYYY-MM-DD" in lines[0]


# -- export --------------------------------------------------------------------------------
EXPORT_COLUMNS = [*ROW_COLUMNS, "observed_at", "snapshot_id"]


def raw_key(name: str, row: dict[str, str]) -> tuple[Any, ...]:
    return (
        LIST_OF[name],
        row.get("country_iso2"),
        row.get("week"),
        row["category"],
        int(row["weekly_rank"] if "weekly_rank" in row else row["rank"]),
    )


def test_export_csv(bundled_db: Path, cli, tmp_path: Path) -> None:
    out = tmp_path / "all.csv"
    result = cli("export", "-o", out, "--db", bundled_db, "--json")
    assert result.exit_code == 0, result.stderr
    info = json.loads(result.stdout)
    total = sum(len(raw_rows(n)) for n in FILES)
    assert info == {"path": str(out), "format": "csv", "rows": total, "as_of": None, "list": None}
    with out.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == EXPORT_COLUMNS
        exported = list(reader)
    assert len(exported) == total
    got = {
        (r["list"], r["country_iso2"] or None, r["week"] or None, r["category"], int(r["rank"])): r
        for r in exported
    }
    for name in FILES:
        rows = raw_rows(name)
        assert sum(r["list"] == LIST_OF[name] for r in exported) == len(rows)
        for row in rows:
            e = got[raw_key(name, row)]
            assert e["show_title"] == row["show_title"]
            assert (e["season_title"] or "N/A") == (row["season_title"] or "N/A")
            for col in ("weekly_hours_viewed", "cumulative_weeks_in_top_10", "views_first_91_days"):
                if col in row:
                    assert e[col] == ("" if row[col] in ("", "N/A") else row[col]), (col, row)


def test_export_parquet(bundled_db: Path, cli, tmp_path: Path) -> None:
    out = tmp_path / "all.parquet"
    result = cli("export", "-o", out, "--db", bundled_db)
    assert result.exit_code == 0, result.stderr
    total = sum(len(raw_rows(n)) for n in FILES)
    assert f"{total:,} rows" in result.stdout
    con = duckdb.connect()
    try:
        assert [d[0] for d in con.execute(f"SELECT * FROM '{out}' LIMIT 0").description] == (
            EXPORT_COLUMNS
        )
        counts = dict(con.execute(f"SELECT list, count(*) FROM '{out}' GROUP BY list").fetchall())
        assert counts == {LIST_OF[n]: len(raw_rows(n)) for n in FILES}
        # a few rows in full
        for name in ("all-weeks-global.tsv", "all-weeks-countries.tsv"):
            rows = raw_rows(name)
            for row in (rows[0], rows[len(rows) // 2], rows[-1]):
                lst, country, week, category, rank = raw_key(name, row)
                got = con.execute(
                    f"SELECT show_title, season_title, weekly_hours_viewed, "
                    f"cumulative_weeks_in_top_10, week FROM '{out}' WHERE list = ? "
                    "AND country_iso2 IS NOT DISTINCT FROM ? AND week = ? AND category = ? "
                    "AND rank = ?",
                    [lst, country, week, category, rank],
                ).fetchall()
                assert got == [
                    (
                        row["show_title"],
                        value("season_title", row["season_title"]),
                        value("weekly_hours_viewed", row.get("weekly_hours_viewed")),
                        int(row["cumulative_weeks_in_top_10"]),
                        dt.date.fromisoformat(row["week"]),
                    )
                ]
    finally:
        con.close()


def test_export_json_one_list(bundled_db: Path, cli, tmp_path: Path) -> None:
    out = tmp_path / "popular.json"
    result = cli("export", "-o", out, "--list", "most-popular", "--db", bundled_db)
    assert result.exit_code == 0, result.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    rows = raw_rows("most-popular.tsv")
    assert len(data) == len(rows)
    assert all(list(item) == EXPORT_COLUMNS for item in data)
    got = {(d["category"], d["rank"]): d for d in data}
    for row in rows:
        d = got[(row["category"], int(row["rank"]))]
        assert d["list"] == "most-popular" and d["week"] is None
        assert d["show_title"] == row["show_title"]
        for col in ("hours_viewed_first_91_days", "views_first_91_days", "runtime"):
            if col in row:
                assert d[col] == value(col, row[col])


def test_export_format_flag_and_list(bundled_db: Path, cli, tmp_path: Path) -> None:
    out = tmp_path / "global.data"
    result = cli(
        "export", "-o", out, "--format", "json", "--list", "global", "--db", bundled_db, "--json"
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["rows"] == len(raw_rows("all-weeks-global.tsv"))
    data = json.loads(out.read_text(encoding="utf-8"))
    assert {d["list"] for d in data} == {"global"}
    assert len(data) == len(raw_rows("all-weeks-global.tsv"))


def test_export_as_of(
    bundled_db: Path, cli, tmp_path: Path, published: dict[str, dt.datetime]
) -> None:
    """An export as of a day holds the rows of the weeks published by then (the most-popular
    lists, which have no week, only once observed)."""
    day = published["all-weeks-countries.tsv"].date()
    out = tmp_path / "asof.csv"
    result = cli("export", "-o", out, "--as-of", day.isoformat(), "--db", bundled_db, "--json")
    assert result.exit_code == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["as_of"] == day.isoformat()
    with out.open(newline="", encoding="utf-8") as fh:
        exported = list(csv.DictReader(fh))
    cutoff = (day - dt.timedelta(days=2)).isoformat()
    expected = [
        r
        for name in ("all-weeks-countries.tsv", "all-weeks-global.tsv")
        for r in raw_rows(name)
        if r["week"] <= cutoff
    ]
    assert info["rows"] == len(exported) == len(expected)
    assert {r["list"] for r in exported} == {"countries", "global"}
    # before the lists began: nothing had been published
    empty = tmp_path / "empty.csv"
    result = cli("export", "-o", empty, "--as-of", "2021-07-05", "--db", bundled_db, "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["rows"] == 0


def test_export_as_of_replayed(replayed_db: Path, cli, tmp_path: Path, raw: Archive) -> None:
    """As of a commit's day, the global export is that commit's global file."""
    sha, when = next((s, w) for s, w in raw.commits if s.startswith("09f5077"))
    rows = list(
        csv.DictReader(raw.file_at(sha, GLOBAL).decode("utf-8").splitlines(), delimiter="\t")
    )
    out = tmp_path / "g.parquet"
    result = cli(
        "export",
        "-o",
        out,
        "--as-of",
        when.date().isoformat(),
        "--list",
        "global",
        "--db",
        replayed_db,
        "--json",
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["rows"] == len(rows)
    con = duckdb.connect()
    try:
        got = set(
            con.execute(
                f"SELECT CAST(week AS VARCHAR), category, rank, show_title, "
                f"coalesce(season_title, 'N/A'), weekly_hours_viewed FROM '{out}'"
            ).fetchall()
        )
    finally:
        con.close()
    assert got == {
        (
            r["week"],
            r["category"],
            int(r["weekly_rank"]),
            r["show_title"],
            r["season_title"] or "N/A",
            int(r["weekly_hours_viewed"]),
        )
        for r in rows
    }


@pytest.mark.parametrize(
    "args",
    [
        ("-o", "out.csv", "--format", "xml"),
        ("-o", "out.xlsx"),
        ("-o", "out.csv", "--list", "weekly"),
        ("-o", "out.csv", "--as-of", "2024-13-01"),
        ("-o", "missing-folder/out.csv"),
    ],
)
def test_export_bad_usage(bundled_db: Path, cli, tmp_path: Path, args: tuple[str, ...]) -> None:
    args = tuple(str(tmp_path / a) if a.startswith(("out", "missing")) else a for a in args)
    result = cli("export", *args, "--db", bundled_db)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ")
    assert not list(tmp_path.glob("out.*"))
