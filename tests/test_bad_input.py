"""Bad input is rejected whole, with one line naming the file (and line), and changes nothing.

Each bad file starts from the real data with one defect put in (one line changed, the file
cut, a delimiter swapped), so the defect under test is the only one. The store is compared
before and after with a checksum of every row of every table.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import chartwatch
from chartwatch.ingestion.reader import Payload
from conftest import raw_bytes

GLOBAL = "all-weeks-global.tsv"
COUNTRIES = "all-weeks-countries.tsv"
POPULAR = "most-popular.tsv"


# -- helpers ---------------------------------------------------------------------------------
def table_state(store) -> dict[str, tuple[int, int]]:
    """Each table's row count and an order-independent checksum of all its rows."""
    names = [
        r[0]
        for r in store.all(
            "SELECT table_name FROM duckdb_tables() WHERE NOT temporary ORDER BY table_name"
        )
    ]
    assert {"snapshots", "row_versions", "observations", "current_rows", "meta"} <= set(names)
    out = {}
    for name in names:
        out[name] = store.one(f'SELECT count(*), sum(hash(t)::HUGEINT) FROM "{name}" t')
    return out


def db_state(path: Path) -> dict[str, tuple[int, int]]:
    with chartwatch.open_store(path) as store:
        return table_state(store)


def temp_tables(store) -> list[str]:
    return [r[0] for r in store.all("SELECT table_name FROM duckdb_tables() WHERE temporary")]


def lines_of(name: str) -> list[bytes]:
    """The real file's lines; ``lines[k - 1]`` is line k (the header is line 1)."""
    return raw_bytes(name).split(b"\n")


def join(lines: list[bytes]) -> bytes:
    return b"\n".join(lines)


def with_field(name: str, line: int, column: str, new: bytes) -> bytes:
    """The real file ``name`` with one field of one line replaced."""
    lines = lines_of(name)
    index = lines[0].split(b"\t").index(column.encode())
    fields = lines[line - 1].split(b"\t")
    assert fields[index] != new
    fields[index] = new
    lines[line - 1] = b"\t".join(fields)
    return join(lines)


def field(name: str, line: int, column: str) -> bytes:
    lines = lines_of(name)
    return lines[line - 1].split(b"\t")[lines[0].split(b"\t").index(column.encode())]


def truncated_mid_line(name: str, line: int) -> bytes:
    lines = lines_of(name)
    assert b'"' not in lines[line - 1]
    start = len(join(lines[: line - 1])) + 1
    return raw_bytes(name)[: start + len(lines[line - 1]) // 2]


def latin1_at(name: str, line: int) -> bytes:
    """A title on ``line`` written in Latin-1 (é as the single byte 0xE9)."""
    lines = lines_of(name)
    fields = lines[line - 1].split(b"\t")
    title = lines[0].split(b"\t").index(b"show_title")
    fields[title] = "Amélie ".encode("latin-1") + fields[title]
    lines[line - 1] = b"\t".join(fields)
    return join(lines)


def duplicate_rank_at(name: str, line: int) -> bytes:
    """Line ``line`` given the rank of the line before it (same week and category)."""
    lines = lines_of(name)
    prev, this = lines[line - 2].split(b"\t"), lines[line - 1].split(b"\t")
    assert prev[:2] == this[:2] and int(this[2]) == int(prev[2]) + 1
    return with_field(name, line, "weekly_rank", prev[2])


def a_saturday(name: str, line: int) -> bytes:
    week = dt.date.fromisoformat(field(name, line, "week").decode())
    assert week.weekday() == 6
    return with_field(name, line, "week", (week - dt.timedelta(days=1)).isoformat().encode())


def corrupt_xlsx() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for line in lines_of(POPULAR):
        sheet.append(line.decode().split("\t"))
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()
    return data[: len(data) // 2]


@dataclass(frozen=True)
class Case:
    filename: str
    make: Callable[[], bytes] | None  # None: a directory, or no file at all
    line: int | None
    says: str  # a word of the reason


MISSING = "missing"
CASES: dict[str, Case] = {
    "html-page": Case(
        GLOBAL,
        lambda: (
            b'<a href="https://www.netflix.com/tudum/top10/data/all-weeks-global.tsv">'
            b"Moved Permanently</a>.\n\n"
        ),
        None,
        "HTML",
    ),
    "html-document": Case(
        POPULAR,
        lambda: (
            b"<!DOCTYPE html>\n<html><head><title>Netflix</title></head>\n"
            b"<body><p>Something went wrong</p></body></html>\n"
        ),
        None,
        "HTML",
    ),
    "null": Case(COUNTRIES, lambda: b"null", None, "null"),
    "empty": Case(GLOBAL, lambda: b"", None, "empty"),
    "header-only": Case(GLOBAL, lambda: lines_of(GLOBAL)[0] + b"\n", None, "no rows"),
    "truncated-mid-line": Case(GLOBAL, lambda: truncated_mid_line(GLOBAL, 3000), 3000, "fields"),
    "commas-in-a-tsv": Case(GLOBAL, lambda: raw_bytes(GLOBAL).replace(b"\t", b","), 1, "comma"),
    "semicolons-in-a-tsv": Case(
        POPULAR, lambda: raw_bytes(POPULAR).replace(b"\t", b";"), 1, "semicolon"
    ),
    "not-utf8": Case(GLOBAL, lambda: latin1_at(GLOBAL, 4321), 4321, "UTF-8"),
    "not-utf8-countries": Case(COUNTRIES, lambda: latin1_at(COUNTRIES, 54321), 54321, "UTF-8"),
    "rank-11": Case(GLOBAL, lambda: with_field(GLOBAL, 2345, "weekly_rank", b"11"), 2345, "1–10"),
    "rank-0-countries": Case(
        COUNTRIES, lambda: with_field(COUNTRIES, 60001, "weekly_rank", b"0"), 60001, "1–10"
    ),
    "rank-11-most-popular": Case(
        POPULAR, lambda: with_field(POPULAR, 17, "rank", b"11"), 17, "1–10"
    ),
    "same-rank-twice": Case(GLOBAL, lambda: duplicate_rank_at(GLOBAL, 1503), 1503, "twice"),
    "negative-hours": Case(
        GLOBAL, lambda: with_field(GLOBAL, 777, "weekly_hours_viewed", b"-1000000"), 777, "negative"
    ),
    "week-not-a-sunday": Case(GLOBAL, lambda: a_saturday(GLOBAL, 888), 888, "Sunday"),
    "unknown-category": Case(
        GLOBAL, lambda: with_field(GLOBAL, 999, "category", b"Films (French)"), 999, "category"
    ),
    "unknown-country-category": Case(
        COUNTRIES, lambda: with_field(COUNTRIES, 41000, "category", b"Games"), 41000, "category"
    ),
    "non-numeric-hours": Case(
        GLOBAL,
        lambda: with_field(GLOBAL, 1111, "weekly_hours_viewed", b"12 million"),
        1111,
        "not a number",
    ),
    "fractional-hours": Case(
        GLOBAL, lambda: with_field(GLOBAL, 1212, "weekly_hours_viewed", b"12.5"), 1212, "whole"
    ),
    "category-with-a-line-break": Case(
        POPULAR, lambda: with_field(POPULAR, 6, "category", b'"Films\nX"'), 6, "category"
    ),
    "header-with-a-stray-carriage-return": Case(
        GLOBAL, lambda: b"\r" + raw_bytes(GLOBAL), 1, "header"
    ),
    "truncated-gzip": Case(
        GLOBAL + ".gz", lambda: gzip.compress(raw_bytes(GLOBAL))[:20000], None, "gzip"
    ),
    "corrupt-xlsx": Case("most-popular.xlsx", corrupt_xlsx, None, "xlsx"),
    "directory": Case("a-directory.tsv", None, None, "directory"),
    "missing-file": Case(MISSING, None, None, "no such file"),
}


def materialise(case: Case, where: Path) -> Path:
    where.mkdir(parents=True, exist_ok=True)
    path = where / case.filename
    if case.filename == MISSING:
        path = where / "no-such-file.tsv"
    elif case.make is None:
        path.mkdir()
    else:
        path.write_bytes(case.make())
    return path


def check_reason(result, path: Path, case: Case) -> None:
    assert result.status == "rejected", result
    assert result.source == str(path)
    assert result.line == case.line, result
    assert case.says in result.reason, result.reason
    assert result.reason.strip() and len(result.reason.splitlines()) == 1, result.reason
    assert result.kind is None and result.snapshot_id is None and result.rows == 0


# -- each bad file, through the API and through the CLI ----------------------------------------
@pytest.mark.parametrize("name", list(CASES))
def test_bad_file_is_rejected_and_changes_nothing(name, bundled_store, tmp_path):
    case = CASES[name]
    path = materialise(case, tmp_path / "in")
    before = table_state(bundled_store)
    [result] = chartwatch.ingest(bundled_store, [path])
    check_reason(result, path, case)
    assert table_state(bundled_store) == before
    assert temp_tables(bundled_store) == []


@pytest.mark.parametrize("name", list(CASES))
def test_cli_rejects_bad_file_with_one_error_line(name, cli, bundled_db, tmp_path):
    case = CASES[name]
    path = materialise(case, tmp_path / "in")
    before = db_state(bundled_db)
    result = cli("ingest", "--db", bundled_db, path)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    errors = result.stderr.splitlines()  # one line, and nothing else
    assert len(errors) == 1 and result.stderr.count("Error:") == 1, result.stderr
    assert errors[0].startswith(f"Error: {path}: ")
    if case.line is not None:
        assert errors[0].startswith(f"Error: {path}: line {case.line}: ")
    assert case.says in errors[0]
    assert db_state(bundled_db) == before


def test_cli_json_reports_the_rejection_and_line(cli, bundled_db, tmp_path):
    case = CASES["not-utf8"]
    path = materialise(case, tmp_path)
    result = cli("ingest", "--db", bundled_db, "--json", path)
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    [item] = data["results"]
    assert (item["status"], item["line"], item["source"]) == ("rejected", 4321, str(path))
    assert "UTF-8" in item["reason"]
    assert (data["accepted"], data["unchanged"], data["rejected"]) == (0, 0, 1)
    assert result.stderr.count("Error:") == 1


def test_a_rejected_file_does_not_stop_a_later_good_one(store, tmp_path):
    bad = materialise(CASES["rank-11"], tmp_path / "bad")
    good = tmp_path / GLOBAL
    good.write_bytes(raw_bytes(GLOBAL))
    results = chartwatch.ingest(store, [bad, good])
    assert [r.status for r in results] == ["rejected", "accepted"]
    assert results[1].rows == 6240 and results[1].snapshot_id == 1
    assert store.scalar("SELECT count(*) FROM snapshots") == 1


def test_several_files_in_one_cli_call(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("most-popular.tsv").write_bytes(raw_bytes(POPULAR))
    Path("rank.tsv").write_bytes(CASES["rank-11"].make())
    Path("global.tsv.gz").write_bytes(gzip.compress(raw_bytes(GLOBAL)))
    Path("page.tsv").write_bytes(CASES["html-page"].make())
    names = ["most-popular.tsv", "rank.tsv", "global.tsv.gz", "page.tsv", "nope.tsv"]
    status = {
        "most-popular.tsv": "accepted",
        "rank.tsv": "rejected",
        "global.tsv.gz": "accepted",
        "page.tsv": "rejected",
        "nope.tsv": "rejected",
    }

    # JSON, on a store of its own
    result = cli("ingest", "--db", "json.duckdb", "--json", *names)
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert {r["source"]: r["status"] for r in data["results"]} == status
    assert [r["source"] for r in data["results"]] == names
    assert (data["accepted"], data["unchanged"], data["rejected"]) == (2, 0, 3)
    assert sorted(line.split(":")[1].strip() for line in result.stderr.splitlines()) == [
        "nope.tsv",
        "page.tsv",
        "rank.tsv",
    ]
    with chartwatch.open_store("json.duckdb") as st_json:
        assert st_json.all("SELECT kind, row_count FROM snapshots ORDER BY snapshot_id") == [
            ("most-popular", 40),
            ("global", 6240),
        ]

    # the table: one row per file, saying which was accepted and which rejected
    monkeypatch.setenv("COLUMNS", "200")  # wide enough that no file name is folded
    result = cli("ingest", "--db", "table.duckdb", *names)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    for name, want in status.items():
        [row] = [line for line in result.stdout.splitlines() if name in line]
        assert want in row, result.stdout
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert [e.split(":")[1].strip() for e in errors] == ["rank.tsv", "page.tsv", "nope.tsv"]
    assert "line 2345:" in errors[0]

    # again: the good ones are now unchanged, the bad ones still rejected
    again = cli("ingest", "--db", "table.duckdb", "--json", *names)
    assert again.exit_code == 2
    assert [r["status"] for r in json.loads(again.stdout)["results"]] == [
        "unchanged",
        "rejected",
        "unchanged",
        "rejected",
        "rejected",
    ]


# -- any mutation of a real file: loaded, or rejected cleanly ------------------------------------
SMALL_GLOBAL = join(lines_of(GLOBAL)[:41])  # 2024-06-23: the four lists, quoted JSON included
SMALL_POPULAR = raw_bytes(POPULAR)


@st.composite
def mutations(draw: st.DrawFn) -> tuple[str, bytes]:
    name, data = draw(st.sampled_from([(GLOBAL, SMALL_GLOBAL), (POPULAR, SMALL_POPULAR)]))
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["delete", "insert", "swap", "delimiter"]))
        if kind == "delete" and data:
            start = draw(st.integers(0, len(data) - 1))
            end = draw(st.integers(start + 1, min(len(data), start + 200)))
            data = data[:start] + data[end:]
        elif kind == "insert":
            at = draw(st.integers(0, len(data)))
            junk = draw(
                st.one_of(
                    st.binary(min_size=1, max_size=8),
                    st.sampled_from([b'"', b"\t", b"\n", b"\r", b"N/A", b"-1", b"1.5", b"\x00"]),
                    st.text(max_size=6).map(lambda t: t.encode("utf-8")),
                )
            )
            data = data[:at] + junk + data[at:]
        elif kind == "swap":
            lines = data.split(b"\n")
            i = draw(st.integers(0, len(lines) - 1))
            fields = lines[i].split(b"\t")
            a = draw(st.integers(0, len(fields) - 1))
            b = draw(st.integers(0, len(fields) - 1))
            fields[a], fields[b] = fields[b], fields[a]
            lines[i] = b"\t".join(fields)
            data = join(lines)
        elif kind == "delimiter":
            tabs = [i for i, c in enumerate(data) if c == 9]
            if tabs:
                at = draw(st.sampled_from(tabs))
                new = draw(st.sampled_from([b",", b";", b"|", b" ", b"", b"\t\t", b"\n", b'"']))
                data = data[:at] + new + data[at + 1 :]
    return name, data


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutations())
def test_mutated_file_loads_or_is_rejected_cleanly(mutated: tuple[str, bytes]):
    name, data = mutated
    when = dt.datetime(2024, 6, 26, tzinfo=dt.UTC)
    with chartwatch.open_store(":memory:") as store:
        seeded = chartwatch.ingest_payload(
            store, Payload("seed", name, SMALL_POPULAR, when, "given")
        )
        assert seeded.status == "accepted"
        before = table_state(store)
        result = chartwatch.ingest_payload(
            store, Payload(f"mutated/{name}", name, data, when, "given")
        )
        assert result.status in ("accepted", "unchanged", "rejected")
        assert result.source == f"mutated/{name}"
        if result.status == "rejected":
            assert result.reason and len(result.reason.splitlines()) == 1, result.reason
            assert result.line is None or result.line >= 1
            assert table_state(store) == before
        else:
            assert result.reason is None and result.kind in ("global", "most-popular")
            assert (
                store.scalar(
                    "SELECT row_count FROM snapshots WHERE snapshot_id = ?", [result.snapshot_id]
                )
                == result.rows
            )
        assert temp_tables(store) == []
