"""The standing damaged-input suite, the issue's damaged and implausible files, and a fuzz of
the readers.

* Every variant of :mod:`damage` (over a hundred, from a seed) is ingested in process into
  one store of real slices: a rejected one leaves every table exactly as it was (a full dump
  of each table, compared row for row), an accepted one that holds the same data adds no
  version, and nothing raises.
* The damaged files of issue 11 on the whole real files: a column missing from a later file
  keeps the values, a file cut inside a quoted field or a number or at a line boundary, a
  stray quote, a download closed mid-body without a Content-Length.
* A Hypothesis fuzz of the readers (``content`` and ``prepare``): any bytes, gzipped or
  zipped or not, give a prepared file or one :class:`BadInputError`, never another error.

Expected values come from the raw files (``rawdata``), never from chartwatch.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import re
import socket
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import chartwatch
from chartwatch.errors import BadInputError
from chartwatch.ingestion.reader import Payload, content, prepare
from chartwatch.revisions import history
from chartwatch.store import Store
from conftest import copy_store
from damage import Variant, bases, by_outcome, variants
from rawdata import COUNTRIES, GLOBAL, POPULAR, raw_bytes, shared_rows

T0 = dt.datetime(2024, 6, 27, tzinfo=dt.UTC)
T1 = T0 + dt.timedelta(days=1)
VARIANTS = variants()


def dump(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the store, in a fixed order."""
    tables = [
        r[0]
        for r in store.all(
            "SELECT table_name FROM duckdb_tables() WHERE NOT temporary ORDER BY table_name"
        )
    ]
    return {t: store.all(f'SELECT * FROM "{t}" ORDER BY ALL') for t in tables}


def temp_tables(store: Store) -> list[str]:
    return [r[0] for r in store.all("SELECT table_name FROM duckdb_tables() WHERE temporary")]


def load_slices(store: Store) -> Store:
    """``store`` with the four real slices the variants are made from."""
    for base in bases().values():
        result = chartwatch.ingest_payload(
            store, Payload(f"base/{base.name}", base.filename, base.data, T0, "given")
        )
        assert (result.status, result.rows, result.warnings) == ("accepted", 40, [])
    return store


@pytest.fixture(scope="module")
def slices(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A real store file holding the four real slices the variants are made from (the
    variants accepted are added to it as they are tested)."""
    path = tmp_path_factory.mktemp("damage") / "store.duckdb"
    with chartwatch.open_store(path) as store:
        yield load_slices(store)


def test_the_suite_covers_every_kind_of_damage() -> None:
    assert len(VARIANTS) >= 100
    counts = by_outcome(VARIANTS)
    assert counts["rejected"] >= 100 and counts["accepted"] >= 20 and counts["warning"] >= 5
    again = [(v.name, v.outcome, v.says, v.line) for v in variants()]
    assert again == [(v.name, v.outcome, v.says, v.line) for v in VARIANTS]  # one seed, one suite
    kinds = {v.name.split(":", 1)[1].split("-")[0] for v in VARIANTS}
    for kind in (
        "cut",
        "gzip",
        "bom",
        "crlf",
        "latin",
        "utf",
        "commas",
        "real",
        "no",
        "shuffled",
        "renamed",
        "extra",
        "week=2099",
        "rank",
        "cumulative=0",
        "control",
        "stray",
        "country",
        "91",
        "zip",
        "xlsx",
        "random",
    ):
        assert any(k.startswith(kind) for k in kinds), kind


@pytest.mark.parametrize("variant", VARIANTS, ids=[v.name for v in VARIANTS])
def test_damaged_variant(variant: Variant, slices: Store) -> None:
    before = dump(slices)
    payload = Payload(f"damaged/{variant.name}", variant.filename, variant.data, T1, "given")
    result = chartwatch.ingest_payload(slices, payload)  # never raises
    after = dump(slices)
    assert temp_tables(slices) == []
    assert result.source == payload.source
    if variant.outcome == "rejected":
        assert result.status == "rejected", (result.status, result.warnings)
        assert result.reason and len(result.reason.splitlines()) == 1, result.reason
        assert not re.search(r"[\x00-\x1f\x7f-\x9f]", result.reason), result.reason
        if variant.says:
            assert any(s in result.reason for s in variant.says), result.reason
        if variant.line is not None:
            assert result.line == variant.line, (result.line, result.reason)
        assert after == before  # the store byte for byte as it was
        return
    assert result.reason is None, result.reason
    if variant.outcome == "unchanged":
        assert result.status == "unchanged"
        assert after == before
        return
    assert result.status in ("accepted", "unchanged")
    assert (
        result.rows == len(variant.data.split(b"\n")) - 1
        or variant.filename.endswith((".xlsx", ".csv"))
        or b"\r" in variant.data
        or result.status == "unchanged"
    )
    if variant.outcome == "accepted":
        assert result.warnings == []
    else:
        assert any(any(s in w for s in variant.says) for w in result.warnings), result.warnings
    if variant.changes:
        assert 0 < result.new_versions <= result.rows
    else:  # the same data in another form: no silent change
        assert (result.new_versions, result.revised) == (0, 0)
        assert after["row_versions"] == before["row_versions"]


# -- issue 11, point 2: damaged real files ----------------------------------------------------
def ingest(store: Store, name: str, data: bytes, when: dt.datetime = T1):
    return chartwatch.ingest_payload(store, Payload(f"damaged/{name}", name, data, when, "given"))


def without(data: bytes, names: set[str]) -> bytes:
    lines = data.split(b"\n")
    header = lines[0].split(b"\t")
    keep = [i for i, c in enumerate(header) if c.decode() not in names]
    return b"\n".join(b"\t".join(line.split(b"\t")[i] for i in keep) for line in lines)


def current_values(store: Store, columns: tuple[str, ...]) -> dict[tuple[Any, ...], tuple]:
    cols = ", ".join(f"v.{c}" for c in columns)
    return {
        (str(r[0]), r[1], r[2]): tuple(r[3:])
        for r in store.all(
            f"SELECT v.week, v.category, v.rank, {cols} FROM current_rows c "
            "JOIN row_versions v USING (version_id) WHERE c.list = 'global'"
        )
    }


def test_a_global_file_without_runtime_and_views_keeps_them(bundled_store: Store) -> None:
    """The whole real global file without two columns: no value is lost, nothing is revised,
    and the warning says why."""
    rows = shared_rows(GLOBAL)
    published = sum(1 for r in rows if r["runtime"] not in ("", "N/A"))
    assert published == 2160  # the rows from the week ending 2023-06-18 on
    before = current_values(bundled_store, ("runtime", "weekly_views"))
    versions = bundled_store.scalar("SELECT count(*) FROM row_versions")
    changes = history(bundled_store, include_new_columns=True)
    result = ingest(bundled_store, GLOBAL, without(raw_bytes(GLOBAL), {"runtime", "weekly_views"}))
    assert (result.status, result.rows, result.new_versions, result.revised) == (
        "accepted",
        len(rows),
        0,
        0,
    )
    [warning] = result.warnings
    assert "runtime, weekly_views" in warning and f"{published} rows keep" in warning
    assert current_values(bundled_store, ("runtime", "weekly_views")) == before
    assert bundled_store.scalar("SELECT count(*) FROM row_versions") == versions
    assert history(bundled_store, include_new_columns=True) == changes


def test_a_changed_title_does_not_inherit_the_missing_columns(bundled_store: Store) -> None:
    """Values are kept only where the row names the same title: a renamed row starts empty."""
    lines = without(raw_bytes(GLOBAL), {"runtime", "weekly_views"}).split(b"\n")
    fields = lines[1].split(b"\t")
    fields[3] = b"Another Title"
    lines[1] = b"\t".join(fields)
    result = ingest(bundled_store, GLOBAL, b"\n".join(lines))
    assert (result.status, result.new_versions, result.revised) == ("accepted", 1, 1)
    row = shared_rows(GLOBAL)[0]
    got = bundled_store.one(
        "SELECT v.show_title, v.runtime, v.weekly_views FROM current_rows c "
        "JOIN row_versions v USING (version_id) WHERE c.list = 'global' AND c.week = ? "
        "AND c.category = ? AND c.rank = ?",
        [row["week"], row["category"], int(row["weekly_rank"])],
    )
    assert got == ("Another Title", None, None)


def stray_quote(data: bytes) -> bytes:
    """A quote before the season title of TV (English) rank 1 and one after the season title
    of rank 2: the quoted field swallows the line break between them, and rank 2."""
    return data.replace(b"\tWednesday: Season 1\t", b'\t"Wednesday: Season 1\t', 1).replace(
        b"\tStranger Things 4\t", b'\tStranger Things 4"\t', 1
    )


def inside_quotes(data: bytes, at: int) -> int:
    """A cut at or after ``at`` that does not fall just after a quote (a cut between the two
    quotes of a doubled quote would leave the field looking closed)."""
    while data[at - 1 : at] == b'"':
        at += 1
    return at


def first_quote_line(data: bytes) -> int:
    return data[: data.index(b'"')].count(b"\n") + 1


@pytest.mark.parametrize(
    ("name", "make", "line", "says"),
    [
        (
            "cut-inside-a-quoted-field",
            lambda d: d[: inside_quotes(d, d.index(b'"') + 40)],
            lambda d: first_quote_line(d),
            "not closed",
        ),
        (
            "most-popular-cut-inside-its-last-number",
            lambda d: d[:-4],  # 50900000 -> 5090
            lambda d: d.count(b"\n") + 1,
            "cut inside its last number",
        ),
        (
            "most-popular-cut-at-a-line-boundary",
            lambda d: b"\n".join(d.split(b"\n")[:-5]),  # the last list keeps ranks 1-5
            lambda d: d.count(b"\n") + 1 - 5,
            "missing 6, 7, 8, 9, 10",
        ),
        (
            "stray-quote-merging-two-rows",
            lambda d: stray_quote(d),
            None,
            "tab or a line break",
        ),
    ],
)
def test_damaged_real_file_is_rejected(name, make, line, says, bundled_store: Store) -> None:
    source = POPULAR if "most-popular" in name or "stray" in name else GLOBAL
    data = make(raw_bytes(source))
    before = dump(bundled_store)
    result = ingest(bundled_store, source, data)
    assert result.status == "rejected" and says in result.reason, result.reason
    if line is not None:
        assert result.line == line(raw_bytes(source)), result.reason
    assert dump(bundled_store) == before


def test_stray_quote_variant_really_merges_two_rows() -> None:
    """The stray-quote file above parses, with the csv module, into one row fewer whose
    season title holds a tab and a line break: the damage the issue describes."""
    import csv

    rows = list(
        csv.DictReader(io.StringIO(stray_quote(raw_bytes(POPULAR)).decode()), delimiter="\t")
    )
    assert len(rows) == 39
    ranks = [int(r["rank"]) for r in rows if r["category"] == "TV (English)"]
    assert ranks == [1, *range(3, 11)]  # rank 2 is lost
    assert "\t" in rows[20]["season_title"] and "\n" in rows[20]["season_title"]


# -- a download closed mid-body, without a Content-Length ---------------------------------------
class ClosingServer:
    """Serves the real global file as HTTP/1.0 without a Content-Length, closing the
    connection after ``cut`` bytes of the body: the client cannot tell it was cut."""

    def __init__(self, body: bytes, cut: int) -> None:
        self.body, self.cut = body, cut
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)
                conn.sendall(
                    b"HTTP/1.0 200 OK\r\nContent-Type: text/tab-separated-values\r\n\r\n"
                    + self.body[: self.cut]
                )

    def close(self) -> None:
        self.sock.close()


@pytest.mark.parametrize("where", ["inside-a-quoted-field", "inside-a-line"])
def test_update_from_a_server_closing_mid_body(where: str, bundled_store: Store) -> None:
    body = raw_bytes(GLOBAL)
    quote = body.index(b'"')
    cut = (
        inside_quotes(body, quote + 100)
        if where == "inside-a-quoted-field"
        else body.index(b"\t", quote + 2000)
    )
    server = ClosingServer(body, cut)
    try:
        before = dump(bundled_store)
        [result] = chartwatch.update(
            bundled_store, base=f"http://127.0.0.1:{server.port}/", timeout=5, files=(GLOBAL,)
        )
    finally:
        server.close()
    assert result.status == "rejected", result
    assert ("not closed" if where == "inside-a-quoted-field" else "fields") in result.reason
    assert result.line == body[:cut].count(b"\n") + 1
    assert dump(bundled_store) == before


# -- issue 11, point 4: a multi-file ingest goes on after a bad file ---------------------------
def test_multi_file_ingest_tries_every_file_and_exits_2(cli, tmp_path: Path) -> None:
    lines = raw_bytes(POPULAR).split(b"\n")
    fields = lines[3].split(b"\t")
    fields[4] = b"99999999999999999999999"  # too big for 64 bits
    (tmp_path / "huge.tsv").write_bytes(b"\n".join([*lines[:3], b"\t".join(fields), *lines[4:]]))
    (tmp_path / "junk.xlsx").write_bytes(_zip_of_junk())
    (tmp_path / "rank.tsv").write_bytes(raw_bytes(POPULAR).replace(b"\t1\t", b"\t1e30\t", 1))
    (tmp_path / POPULAR).write_bytes(raw_bytes(POPULAR))
    (tmp_path / GLOBAL).write_bytes(raw_bytes(GLOBAL))
    names = ["huge.tsv", "junk.xlsx", POPULAR, "rank.tsv", GLOBAL]
    result = cli("ingest", "--json", *[tmp_path / n for n in names])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    data = json.loads(result.stdout)
    assert [r["status"] for r in data["results"]] == [
        "rejected",
        "rejected",
        "accepted",
        "rejected",
        "accepted",
    ]
    reasons = [r["reason"] for r in data["results"]]
    assert "implausible" in reasons[0] and data["results"][0]["line"] == 4
    assert "xlsx" in reasons[1]
    assert "1–10" in reasons[3]
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 3 and len(result.stderr.splitlines()) == 3


def test_files_checked_while_the_one_before_loads_are_rejected_alike(tmp_path: Path) -> None:
    """Given several files, ingest reads, checks and stages the next while one is loaded
    (the checks of a file alone run there, ahead of its turn): every damaged variant that
    is rejected on its own is rejected for the same reason, on the same line, when it comes
    after another file, and the store is unchanged."""
    rejected = [v for v in VARIANTS if v.outcome == "rejected"]
    base = next(iter(bases().values()))
    paths = [tmp_path / "base" / base.filename]
    paths[0].parent.mkdir()
    paths[0].write_bytes(base.data)  # already in the store: unchanged
    for n, variant in enumerate(rejected):
        path = tmp_path / str(n) / variant.filename
        path.parent.mkdir()
        path.write_bytes(variant.data)
        paths.append(path)
    slices = load_slices(chartwatch.open_store(tmp_path / "store.duckdb"))
    before = dump(slices)
    threads = slices.scalar("SELECT current_setting('threads')")
    alone = [
        chartwatch.ingest_payload(slices, Payload(str(path), v.filename, v.data, T1, "given"))
        for path, v in zip(paths[1:], rejected, strict=True)
    ]
    together = chartwatch.ingest(slices, paths, observed_at=T1)
    assert together[0].status == "unchanged"
    got = [(r.status, r.reason, r.line, r.warnings) for r in together[1:]]
    assert got == [(r.status, r.reason, r.line, r.warnings) for r in alone]
    assert all(r.status == "rejected" for r in alone)
    assert dump(slices) == before and temp_tables(slices) == []
    # the statements ran on fewer of DuckDB's threads while two files were worked on at once
    assert slices.scalar("SELECT current_setting('threads')") == threads
    slices.close()


def _zip_of_junk() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", b"\x00junk" * 50)
        z.writestr("xl/workbook.xml", b"<not really>")
    return out.getvalue()


# -- a fuzz of the readers ----------------------------------------------------------------------
SMALL = b"\n".join(raw_bytes(GLOBAL).split(b"\n")[:12])


@st.composite
def raw_inputs(draw: st.DrawFn) -> tuple[str, bytes]:
    body = draw(
        st.one_of(
            st.binary(max_size=300),
            st.builds(
                lambda n, tail: SMALL[:n] + tail, st.integers(0, len(SMALL)), st.binary(max_size=40)
            ),
            st.text(max_size=200).map(lambda t: t.encode("utf-8")),
            st.sampled_from([SMALL, raw_bytes(POPULAR), b'"', b"\x1f\x8b", b"PK\x03\x04"]),
        )
    )
    wrap = draw(st.sampled_from(["none", "gzip", "gzip-cut", "zip"]))
    name = draw(st.sampled_from(["f.tsv", "f.csv", "f.xlsx", "f", "f.tsv.gz"]))
    if wrap == "gzip":
        body = gzip.compress(body)
    elif wrap == "gzip-cut":
        body = gzip.compress(body)[: draw(st.integers(0, 30))]
    elif wrap == "zip":
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as z:
            z.writestr(draw(st.sampled_from(["xl/worksheets/sheet1.xml", "a.tsv"])), body)
        body = out.getvalue()
    return name, body


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw_inputs())
def test_readers_give_a_prepared_file_or_one_bad_input_error(item: tuple[str, bytes]) -> None:
    name, data = item
    payload = Payload(f"fuzz/{name}", name, data, T0, "given")
    try:
        prepared = prepare(content(payload))
    except BadInputError as exc:
        assert exc.source == payload.source
        assert exc.reason and len(str(exc).splitlines()) == 1
        assert not re.search(r"[\x00-\x1f\x7f-\x9f]", str(exc)), str(exc)
        assert exc.line is None or exc.line >= 1
        return
    assert prepared.kind.name in ("global", "countries", "most-popular")
    assert prepared.columns and all(prepared.columns)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=40), st.binary(max_size=3, min_size=0))
def test_the_fast_control_search_finds_what_the_pattern_finds(body: bytes, tail: bytes) -> None:
    # the reader clears a file of control characters with plain byte searches and runs the
    # pattern only when one might be there: the same first match either way
    from chartwatch.ingestion.reader import _CONTROL, _first_control

    for text in (body, body + tail, b"\xc2" + body, body + b"\xc2\x85", body.replace(b"\x00", b"")):
        fast, slow = _first_control(text), _CONTROL.search(text)
        assert (fast and (fast.start(), fast.group())) == (slow and (slow.start(), slow.group()))


# -- no false alarm on real files ---------------------------------------------------------------
def test_every_real_snapshot_loads_without_a_false_alarm(
    replayed_summary, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Every snapshot of the archive: each distinct data file is accepted with no warning;
    only the junk ones (an HTML page, the word null) are rejected. Counts from git."""
    from rawarchive import archive

    raw = archive(tmp_path_factory)
    assert replayed_summary.warnings == []
    assert replayed_summary.accepted == len({v.blob for v in raw.valid()}) == 265
    assert len(replayed_summary.rejected) == len(raw.junk()) == 5
    for r in replayed_summary.rejected:
        assert r.reason.startswith(("an HTML page", "the file holds only the word 'null'"))


def test_bundled_files_load_without_a_warning() -> None:
    with chartwatch.open_store(":memory:") as store:
        results = chartwatch.load_bundled(store)
    assert [(r.status, r.warnings) for r in results] == [("accepted", [])] * 6  # and 3 reports


def test_a_plausible_newer_generation_loads(bundled_store: Store) -> None:
    """A most-popular file of a generation to come: views only, a new column, the columns in
    another order. It loads; the warnings say what was kept and what is new."""
    rows = shared_rows(POPULAR)
    header = ["rank", "category", "views_first_91_days", "show_title", "season_title", "region"]
    lines = ["\t".join(header)] + [
        "\t".join(
            [
                r["rank"],
                r["category"],
                r["views_first_91_days"],
                r["show_title"],
                r["season_title"],
                "global",
            ]
        )
        for r in rows
    ]
    result = ingest(bundled_store, POPULAR, "\n".join(lines).encode())
    assert (result.status, result.rows) == ("accepted", len(rows))
    assert result.new_versions == len(rows)  # the new column is data
    kept, new = sorted(result.warnings)
    assert "no column hours_viewed_first_91_days, runtime" in kept and f"{len(rows)} rows" in kept
    assert "unknown column 'region'" in new


# -- issue 11, point 3: implausible content in the whole real files -----------------------------
def lines_of(name: str) -> list[bytes]:
    return raw_bytes(name).split(b"\n")


def line_where(name: str, **match: str) -> int:
    """The first line (the header is line 1) of the real file whose row matches ``match``."""
    for i, row in enumerate(shared_rows(name), start=2):
        if all(row[k] == v for k, v in match.items()):
            return i
    raise AssertionError(match)


def set_field(name: str, line: int, column: str, value: bytes) -> bytes:
    lines = lines_of(name)
    fields = lines[line - 1].split(b"\t")
    fields[lines[0].split(b"\t").index(column.encode())] = value
    lines[line - 1] = b"\t".join(fields)
    return b"\n".join(lines)


def swap_fields(name: str, a: int, b: int, column: str) -> bytes:
    index = lines_of(name)[0].split(b"\t").index(column.encode())
    lines = lines_of(name)
    fa, fb = lines[a - 1].split(b"\t"), lines[b - 1].split(b"\t")
    assert int(fa[index]) > int(fb[index])
    fa[index], fb[index] = fb[index], fa[index]
    lines[a - 1], lines[b - 1] = b"\t".join(fa), b"\t".join(fb)
    return b"\n".join(lines)


def without_line(name: str, line: int) -> bytes:
    lines = lines_of(name)
    return b"\n".join(lines[: line - 1] + lines[line:])


HOURS_WEEK = line_where(GLOBAL, week="2022-01-02", category="Films (English)", weekly_rank="1")
VIEWS_WEEK = line_where(GLOBAL, week="2024-06-23", category="TV (English)", weekly_rank="1")
DE = line_where(COUNTRIES, country_iso2="DE", week="2022-02-27", category="TV", weekly_rank="4")
IMPLAUSIBLE = {
    "week-2099": (GLOBAL, lambda: set_field(GLOBAL, 2, "week", b"2099-12-27"), 2, "in the future"),
    "week-1900": (
        COUNTRIES,
        lambda: set_field(COUNTRIES, DE, "week", b"1900-01-07"),
        DE,
        "before Netflix's first weekly list",
    ),
    "hours-9e18": (
        GLOBAL,
        lambda: set_field(GLOBAL, 100, "weekly_hours_viewed", b"9000000000000000000"),
        100,
        "implausible",
    ),
    "cumulative-0": (
        GLOBAL,
        lambda: set_field(GLOBAL, 7, "cumulative_weeks_in_top_10", b"0"),
        7,
        "at least 1",
    ),
    "cumulative-5000": (
        COUNTRIES,
        lambda: set_field(COUNTRIES, DE, "cumulative_weeks_in_top_10", b"5000"),
        DE,
        "weekly lists",
    ),
    "rank-missing": (
        GLOBAL,
        lambda: without_line(GLOBAL, HOURS_WEEK + 4),
        HOURS_WEEK + 8,
        "missing 5",
    ),
    "title-twice": (
        GLOBAL,
        lambda: set_field(
            GLOBAL,
            HOURS_WEEK + 1,
            "show_title",
            shared_rows(GLOBAL)[HOURS_WEEK - 2]["show_title"].encode(),
        ),
        HOURS_WEEK + 1,
        "twice",
    ),
    "fewer-hours-than-the-next-rank": (
        GLOBAL,
        lambda: swap_fields(GLOBAL, HOURS_WEEK, HOURS_WEEK + 1, "weekly_hours_viewed"),
        HOURS_WEEK + 1,
        "out of order: rank 2 has weekly_hours_viewed",
    ),
    "fewer-views-than-the-next-rank": (
        GLOBAL,
        lambda: swap_fields(GLOBAL, VIEWS_WEEK, VIEWS_WEEK + 1, "weekly_views"),
        VIEWS_WEEK + 1,
        "out of order: rank 2 has weekly_views",
    ),
    "country-XX": (
        COUNTRIES,
        lambda: set_field(COUNTRIES, DE, "country_iso2", b"XX"),
        DE,
        "'XX' is not a country code",
    ),
    "country-name-of-another": (
        COUNTRIES,
        lambda: set_field(COUNTRIES, DE, "country_name", b"France"),
        DE,
        "'France' is the name of FR, not of DE",
    ),
    "91-day-file-as-28-day": (
        POPULAR,
        lambda: raw_bytes(POPULAR).replace(
            b"hours_viewed_first_91_days", b"hours_viewed_first_28_days"
        ),
        1,
        "two generations",
    ),
    "nul-in-a-title": (
        GLOBAL,
        lambda: set_field(GLOBAL, 50, "show_title", b"Bad\x00Title"),
        50,
        "NUL",
    ),
    "escape-in-a-title": (
        COUNTRIES,
        lambda: set_field(COUNTRIES, DE, "show_title", b"\x1b[2JGone"),
        DE,
        "terminal escape",
    ),
}


@pytest.fixture(scope="module")
def full(_bundled_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A copy of the bundled store for this module's rejections (they must not change it)."""

    path = tmp_path_factory.mktemp("implausible") / "store.duckdb"
    copy_store(_bundled_template, path)
    with chartwatch.open_store(path) as store:
        yield store


def checksum(store: Store) -> dict[str, Any]:
    tables = [r[0] for r in store.all("SELECT table_name FROM duckdb_tables() WHERE NOT temporary")]
    return {t: store.one(f'SELECT count(*), sum(hash(t)::HUGEINT) FROM "{t}" t') for t in tables}


@pytest.mark.parametrize("case", list(IMPLAUSIBLE))
def test_implausible_real_file_is_rejected(case: str, full: Store) -> None:
    name, make, line, says = IMPLAUSIBLE[case]
    before = checksum(full)
    result = ingest(full, name, make())
    assert result.status == "rejected", result
    assert says in result.reason and result.line == line, (result.line, result.reason)
    assert checksum(full) == before


def test_values_are_kept_from_the_version_current_when_the_file_was_observed() -> None:
    """A cut-down file observed *before* the store's latest file keeps the values of the
    versions observed before it, not of later ones (ingest order does not matter)."""
    popular = raw_bytes(POPULAR)
    early, late = T0 - dt.timedelta(days=30), T0
    with chartwatch.open_store(":memory:") as store:
        assert ingest(store, POPULAR, popular, late).status == "accepted"
        result = ingest(store, POPULAR, without(popular, {"runtime"}), early)
        # nothing was observed before it: nothing to keep, its rows have no runtime
        assert (result.status, result.warnings) == ("accepted", [])
        assert result.new_versions == len(shared_rows(POPULAR))
        # the current view is still the later, complete file
        assert (
            store.scalar(
                "SELECT count(*) FROM current_rows c JOIN row_versions v USING (version_id) "
                "WHERE v.runtime IS NULL"
            )
            == 0
        )
        # a third file, between the two: it keeps the runtimes of neither (the early file
        # had none and the late one was not yet observed)
        middle = ingest(
            store, POPULAR, without(popular, {"runtime"}) + b"\n", T0 - dt.timedelta(days=1)
        )
        assert (middle.status, middle.new_versions, middle.warnings) == ("accepted", 0, [])


def test_a_file_of_short_lists_loads_with_a_warning() -> None:
    """A file whose lists mostly hold fewer than ten titles (what `chartwatch build` writes
    from a small catalogue) loads, with a warning; one short list among full ones does not."""
    rows = shared_rows(POPULAR)
    header = list(rows[0])
    top3 = [r for r in rows if int(r["rank"]) <= 3]
    data = "\n".join(["\t".join(header)] + ["\t".join(r[c] for c in header) for r in top3])
    with chartwatch.open_store(":memory:") as store:
        result = ingest(store, POPULAR, data.encode())
    assert (result.status, result.rows) == ("accepted", len(top3))
    [warning] = result.warnings
    assert warning.startswith("4 of 4 lists have fewer than 10 titles (first: Films (English)")
