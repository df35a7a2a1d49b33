"""Row-level outcomes of an ingest that the faster load path must keep exactly.

* Version ids: the new versions of a file are numbered after the highest id, in the order
  of their lines, whether every row is new or only some are; every line is observed with
  the version holding its own values.
* Row rules whose SQL was rewritten for speed (a blank title or country name, a country
  code that is not two capital letters, a key twice in a country file): the file is
  rejected naming the line, and the store is unchanged; for any text, the new SQL of the
  rules agrees with the old.

Expected ids and values come from the raw file, read with the csv module.
"""

from __future__ import annotations

import collections
import csv
import datetime as dt
import io
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import chartwatch
from chartwatch.ingestion.kinds import COUNTRIES as COUNTRIES_KIND
from chartwatch.ingestion.validate import _blank, _row_rules
from conftest import raw_bytes

GLOBAL = "all-weeks-global.tsv"
COUNTRIES = "all-weeks-countries.tsv"
T0 = dt.datetime(2024, 7, 1, tzinfo=dt.UTC)


def parse(data: bytes) -> list[dict[str, str]]:
    """The file's rows, in line order (row i is line i + 2)."""
    return list(csv.DictReader(io.StringIO(data.decode("utf-8")), delimiter="\t"))


def key_of(row: dict[str, str]) -> tuple[str, str, int]:
    return (row["week"], row["category"], int(row["weekly_rank"]))


def stored_ids(store, snapshot_id: int) -> dict[tuple[str, str, int, str], int]:
    """(week, category, rank, show_title) -> version id, for the versions a snapshot observed."""
    rows = store.all(
        "SELECT CAST(v.week AS VARCHAR), v.category, v.rank, v.show_title, v.version_id "
        "FROM observations o JOIN row_versions v USING (version_id) WHERE o.snapshot_id = ?",
        [snapshot_id],
    )
    return {(w, c, r, t): vid for w, c, r, t, vid in rows}


def once_listed(rows: list[dict[str, str]], start: int) -> int:
    """The index of the first row from ``start`` on whose title is listed only once in its
    category (renamed, it is a first listing: its count of 1 still holds)."""
    seen = collections.Counter((r["category"], r["show_title"], r["season_title"]) for r in rows)
    for i in range(start, len(rows)):
        r = rows[i]
        if seen[(r["category"], r["show_title"], r["season_title"])] == 1:
            assert r["cumulative_weeks_in_top_10"] == "1"
            return i
    raise AssertionError("no title listed once")


def ingest_bytes(store, path: Path, data: bytes, when: dt.datetime):
    path.write_bytes(data)
    [result] = chartwatch.ingest(store, [path], observed_at=when)
    assert result.status == "accepted", result.reason
    return result


def test_version_ids_follow_the_lines_for_new_and_mixed_files(store, tmp_path):
    lines = raw_bytes(GLOBAL).rstrip(b"\n").split(b"\n")
    header, body = lines[0], lines[1:]
    columns = header.decode().split("\t")
    title = columns.index("show_title")
    week = columns.index("week")

    # 1. every row new: line k gets id k - 1
    first = ingest_bytes(store, tmp_path / "a.tsv", raw_bytes(GLOBAL), T0)
    rows_a = parse(raw_bytes(GLOBAL))
    ids_a = stored_ids(store, first.snapshot_id)
    assert len(ids_a) == len(rows_a) == first.new_versions
    for line, row in enumerate(rows_a, start=2):
        assert ids_a[(*key_of(row), row["show_title"])] == line - 1

    # 2. a later file: a new week on top (each title's count one more), three titles listed
    # once renamed further down, one week left out (it keeps its versions; a list is
    # published whole, and a week lacking one of its lists is rejected)
    newest = max(dt.date.fromisoformat(r["week"]) for r in rows_a)
    next_week = (newest + dt.timedelta(days=7)).isoformat().encode()
    count = columns.index("cumulative_weeks_in_top_10")
    new_week = []
    for line in body:
        fields = line.split(b"\t")
        if fields[week] == newest.isoformat().encode():
            fields[week] = next_week
            fields[count] = str(int(fields[count]) + 1).encode()
            new_week.append(b"\t".join(fields))
    assert len(new_week) == 40
    changed = [once_listed(rows_a, i) for i in (700, 2500, 5000)]  # indexes into body
    edited = list(body)
    for i in changed:
        fields = edited[i].split(b"\t")
        fields[title] = b"Renamed " + fields[title]
        edited[i] = b"\t".join(fields)
    gone = body[6000].split(b"\t")[week]  # the week left out
    edited = [line for line in edited if line.split(b"\t")[week] != gone]
    assert len(edited) == len(body) - 40
    data_b = b"\n".join([header, *new_week, *edited]) + b"\n"
    second = ingest_bytes(store, tmp_path / "b.tsv", data_b, T0 + dt.timedelta(days=7))

    rows_b = parse(data_b)
    known = {(*key_of(r), r["show_title"]) for r in rows_a}
    new_in_order = [(*key_of(r), r["show_title"]) for r in rows_b]
    new_in_order = [k for k in new_in_order if k not in known]
    assert len(new_in_order) == 43
    assert (second.rows, second.new_versions, second.revised) == (len(rows_b), 43, 3)
    ids_b = stored_ids(store, second.snapshot_id)
    assert len(ids_b) == len(rows_b)
    base = len(rows_a)
    for n, k in enumerate(new_in_order, start=1):
        assert ids_b[k] == base + n
    for k in known & set(ids_b):
        assert ids_b[k] == ids_a[k]
    assert store.scalar("SELECT max(version_id) FROM row_versions") == base + 43
    assert store.scalar("SELECT count(DISTINCT version_id) FROM row_versions") == base + 43

    # the current view: file b's version for each of its keys, file a's for the row left out
    current = {
        (w, c, r): vid
        for w, c, r, vid in store.all(
            "SELECT CAST(week AS VARCHAR), category, rank, version_id FROM current_rows "
            "WHERE list = 'global'"
        )
    }
    for row in rows_b:
        assert current[key_of(row)] == ids_b[(*key_of(row), row["show_title"])]
    dropped = parse(header + b"\n" + body[6000] + b"\n")[0]
    assert current[key_of(dropped)] == ids_a[(*key_of(dropped), dropped["show_title"])]

    # 3. the same rows in another order: new content, but no new version
    data_c = b"\n".join([header, *reversed(new_week), *edited]) + b"\n"
    third = ingest_bytes(store, tmp_path / "c.tsv", data_c, T0 + dt.timedelta(days=14))
    assert (third.new_versions, third.revised) == (0, 0)
    assert stored_ids(store, third.snapshot_id) == ids_b


def with_field(name: str, line: int, column: str, value: bytes) -> bytes:
    lines = raw_bytes(name).split(b"\n")
    index = lines[0].split(b"\t").index(column.encode())
    fields = lines[line - 1].split(b"\t")
    fields[index] = value
    lines[line - 1] = b"\t".join(fields)
    return b"\n".join(lines)


def table_state(store) -> dict[str, tuple[int, int]]:
    return {
        name: store.one(f'SELECT count(*), sum(hash(t)::HUGEINT) FROM "{name}" t')
        for name in ("snapshots", "row_versions", "observations", "current_rows", "meta")
    }


BAD = {
    "blank-title": (GLOBAL, 4000, "show_title", b"   ", "show_title is empty"),
    "blank-country-name": (COUNTRIES, 30000, "country_name", b"  ", "country_name is empty"),
    "lower-case-country": (COUNTRIES, 123, "country_iso2", b"gb", "'gb' is not a two-letter"),
    "three-letter-country": (COUNTRIES, 50000, "country_iso2", b"GBR", "'GBR' is not a two"),
    "one-letter-country": (COUNTRIES, 2, "country_iso2", b"G", "'G' is not a two-letter"),
    "accented-country": (COUNTRIES, 65801, "country_iso2", "ÉS".encode(), "'ÉS' is not a two"),
    "digit-country": (COUNTRIES, 777, "country_iso2", b"G1", "'G1' is not a two-letter"),
}


@pytest.mark.parametrize("name", list(BAD))
def test_rewritten_row_rules_reject_the_line(name, bundled_store, tmp_path):
    filename, line, column, value, says = BAD[name]
    path = tmp_path / filename
    path.write_bytes(with_field(filename, line, column, value))
    before = table_state(bundled_store)
    [result] = chartwatch.ingest(bundled_store, [path])
    assert (result.status, result.line) == ("rejected", line), result
    assert says in result.reason, result.reason
    assert table_state(bundled_store) == before


@pytest.mark.parametrize(
    "value", [b" The Crown", "Ñandú".encode(), "\u3042 title".encode(), b"'Til Death"]
)
def test_titles_that_only_look_unusual_are_accepted(value, store, tmp_path):
    path = tmp_path / GLOBAL
    index = once_listed(parse(raw_bytes(GLOBAL)), 98)  # a title listed once: renamed whole
    path.write_bytes(with_field(GLOBAL, index + 2, "show_title", value))
    [result] = chartwatch.ingest(store, [path])
    assert result.status == "accepted", result.reason
    row = parse(path.read_bytes())[index]
    stored = store.scalar(
        "SELECT show_title FROM row_versions WHERE week = ? AND category = ? AND rank = ?",
        [dt.date.fromisoformat(row["week"]), row["category"], int(row["weekly_rank"])],
    )
    assert stored == value.decode()


def test_a_key_twice_in_a_country_file_names_the_second_line(bundled_store, tmp_path):
    lines = raw_bytes(COUNTRIES).split(b"\n")
    header = lines[0].split(b"\t")
    rank = header.index(b"weekly_rank")
    # the line after 40000 in the same country, week and category, given the same rank
    prev, this = lines[39999].split(b"\t"), lines[40000].split(b"\t")
    same = [header.index(c) for c in (b"country_iso2", b"week", b"category")]
    assert all(prev[i] == this[i] for i in same) and int(this[rank]) == int(prev[rank]) + 1
    this[rank] = prev[rank]
    lines[40000] = b"\t".join(this)
    path = tmp_path / COUNTRIES
    path.write_bytes(b"\n".join(lines))
    before = table_state(bundled_store)
    [result] = chartwatch.ingest(bundled_store, [path])
    assert (result.status, result.line) == ("rejected", 40001), result
    assert "appears twice" in result.reason and "40000, 40001" in result.reason, result.reason
    assert table_state(bundled_store) == before


# -- the rewritten rules mean what the old SQL meant -------------------------------------------
# Letters, digits, ASCII and Unicode white space, controls, a combining mark, wide characters.
ODD_CHARS = "AZaz09 Ééß!~\t\r\x00\x1f\x7f\x85\xa0\u1680\u2003\u2028\u3000\ufeff\u0301あ😀"
ODD_TEXT = st.text(alphabet=st.sampled_from(list(ODD_CHARS)), max_size=4)
# Checked in every example: blank or not by a hair, and codes that almost pass.
EDGE_VALUES = [None, "", " ", "  ", "\t", " \t ", "\xa0", "\u3000", " a", "a ", "!", "~", "\x7f"]
EDGE_VALUES += ["GB", "gb", "G", "GBR", "G1", "ÉS", "AZ", "@A", "[A", "A@", "A[", "A ", " A"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), ODD_TEXT, st.text(max_size=6)), min_size=1, max_size=40))
def test_rewritten_rules_agree_with_the_original_sql(values: list[str | None]):
    """``trim()`` only where a value could be blank, and the country code without a regular
    expression, give what ``nullif(trim(x), '') IS NULL`` and
    ``NOT regexp_full_match(coalesce(x, ''), '[A-Z]{2}')`` gave, for any text."""
    rules = dict(_row_rules(COUNTRIES_KIND, list(COUNTRIES_KIND.known)))
    country = next(cond for cond, msg in rules.items() if "two-letter" in msg)
    con = duckdb.connect()
    con.execute("CREATE TABLE t (i INTEGER, x VARCHAR)")
    values = [*values, *EDGE_VALUES]
    con.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(values)))
    blank_new = _blank("x")
    country_new = country.replace("country_iso2", "x")
    rows = con.execute(
        f"""
        SELECT i, x,
               nullif(trim(x), '') IS NULL, {blank_new},
               NOT regexp_full_match(coalesce(x, ''), '[A-Z]{{2}}'), {country_new}
        FROM t ORDER BY i
        """
    ).fetchall()
    for _, x, blank_old, blank, country_old, country_now in rows:
        assert blank == blank_old, repr(x)
        assert country_now == country_old, repr(x)


# -- several files in one call: the next is staged while one loads ------------------------------
@pytest.mark.parametrize("readers_waiting", [False, True])
def test_several_files_give_the_results_and_store_of_one_by_one(
    tmp_path, monkeypatch, readers_waiting
):
    """``ingest`` stages the next local file on a second connection while one is loaded; the
    results (in order) and every table must be those of ingesting the files one at a time.
    With a reader waiting at every turn, the store is let go and taken again between each
    two files (the staged file staged again on the new connection): the same again."""
    if readers_waiting:
        from chartwatch.store.locking import Turnstile

        reconnects: list[int] = []
        monkeypatch.setattr(Turnstile, "waiting", lambda self: reconnects.append(1) or True)
    files = tmp_path / "in"
    files.mkdir()
    good_global = files / GLOBAL
    good_global.write_bytes(raw_bytes(GLOBAL))
    bad = files / "bad-countries.tsv"
    bad.write_bytes(with_field(COUNTRIES, 4242, "country_iso2", b"gb"))
    same_again = files / "copy-of-global.tsv"
    same_again.write_bytes(raw_bytes(GLOBAL))
    countries = files / COUNTRIES
    countries.write_bytes(raw_bytes(COUNTRIES))
    sources = [good_global, bad, same_again, files / "missing.tsv", countries, good_global]

    with chartwatch.open_store(tmp_path / "together.duckdb") as together:
        seen: list[str] = []
        results = chartwatch.ingest(
            together, sources, observed_at=T0, on_result=lambda r: seen.append(r.status)
        )
        state_together = table_state(together)
    with chartwatch.open_store(tmp_path / "apart.duckdb") as apart:
        one_by_one = [chartwatch.ingest(apart, [s], observed_at=T0)[0] for s in sources]
        state_apart = table_state(apart)

    statuses = ["accepted", "rejected", "unchanged", "rejected", "accepted", "unchanged"]
    assert [r.status for r in results] == statuses == seen
    assert [r.source for r in results] == [str(s) for s in sources]
    assert (results[1].line, results[1].reason) == (4242, one_by_one[1].reason)
    assert "no such file" in (results[3].reason or "")
    assert [r.to_dict() for r in results] == [r.to_dict() for r in one_by_one]
    # ingested_at differs between the two stores; every other column of every table agrees
    assert state_together["row_versions"] == state_apart["row_versions"]
    assert state_together["observations"] == state_apart["observations"]
    assert state_together["current_rows"] == state_apart["current_rows"]
    if readers_waiting:
        assert len(reconnects) >= len(sources) - 1  # let go between each two files
