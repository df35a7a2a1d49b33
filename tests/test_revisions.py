"""Revisions and --as-of after replaying the archive; schema versions and migrations.

Every expected value is derived from the archive with git and the csv module
(:mod:`rawarchive`): which commit first published a new label, when each value was first
and last published, what the files said on a given day.
"""

from __future__ import annotations

import datetime as dt
import gzip
import itertools
import json
import os
import subprocess
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import duckdb
import pytest

import chartwatch
from chartwatch.errors import NotFoundError, StoreVersionError
from chartwatch.store import Store
from chartwatch.store.rows import ROW_COLUMNS, visible_rows
from chartwatch.store.schema import SCHEMA_VERSION, V1_DDL
from chartwatch.view import View
from conftest import BUNDLE, DATA, raw_bytes
from rawarchive import GLOBAL, LIST_OF, VALUE_COLS, Archive, archive, parse, table_counts

OZARK_KEY = ("global", None, dt.date(2022, 1, 23), "TV (English)", 1)
HISTORY_KEYS = [
    "list",
    "country_iso2",
    "week",
    "category",
    "rank",
    "field",
    "old",
    "new",
    "old_first_published",
    "old_last_published",
    "new_first_published",
    "new_last_published",
    "new_snapshot_id",
]


@pytest.fixture(scope="module")
def raw(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    return archive(tmp_path_factory)


# -- the independent model of revisions -----------------------------------------------------
def as_text(value: Any) -> str | None:
    """A value as ``history`` prints it (SQL's cast to text)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def key_sequences(raw: Archive, path: str = GLOBAL) -> dict[tuple[Any, ...], list[Any]]:
    """For each row key of ``path``: [(values, observed at, file columns)] over every valid
    version of the file, oldest first."""
    seqs: dict[tuple[Any, ...], list[Any]] = defaultdict(list)
    for version in raw.valid(path):
        header = raw.header(version)
        for key, values in raw.rows(version).items():
            seqs[key].append((tuple(values.items()), version.when, header))
    return seqs


def names(values: Any, title: str) -> bool:
    """Whether a row's show or season title contains ``title`` (any case)."""
    row = dict(values)
    return any(title.lower() in (row[f] or "").lower() for f in ("show_title", "season_title"))


def expected_changes(
    seq: list[Any],
    key: tuple[Any, ...],
    include_new_columns: bool = False,
    title: str | None = None,
) -> list[tuple[Any, ...]]:
    """Field-level changes between consecutive publications of one row, with when the old
    and the new value were first and last published. With ``title``: only changes whose
    old or new row names it."""
    span: dict[Any, list[dt.datetime]] = {}
    first_header: dict[Any, list[str]] = {}
    for values, when, header in seq:
        span.setdefault(values, []).append(when)
        first_header.setdefault(values, header)
    out = []
    for (old, _, _), (new, _, _) in itertools.pairwise(seq):
        if old == new or (title and not (names(old, title) or names(new, title))):
            continue
        o, n = dict(old), dict(new)
        for field in VALUE_COLS:
            if o[field] == n[field]:
                continue
            if not include_new_columns and o[field] is None and field not in first_header[old]:
                continue  # a column the old file did not have: not a revision
            out.append(
                (
                    *key,
                    field,
                    as_text(o[field]),
                    as_text(n[field]),
                    min(span[old]),
                    max(span[old]),
                    min(span[new]),
                    max(span[new]),
                )
            )
    return out


def got_changes(changes: list[Any]) -> Counter[tuple[Any, ...]]:
    return Counter(
        (
            c.list,
            c.country_iso2,
            c.week,
            c.category,
            c.rank,
            c.field,
            c.old,
            c.new,
            c.old_first_published,
            c.old_last_published,
            c.new_first_published,
            c.new_last_published,
        )
        for c in changes
    )


@pytest.fixture(scope="module")
def global_seqs(raw: Archive) -> dict[tuple[Any, ...], list[Any]]:
    return key_sequences(raw, GLOBAL)


def first_publication(raw: Archive, key: tuple[Any, ...], field: str, value: str) -> Any:
    """The first valid global version whose row ``key`` has ``field`` == ``value``."""
    for version in raw.valid(GLOBAL):
        row = raw.rows(version).get(key)
        if row is not None and row[field] == value:
            return version
    raise AssertionError(f"{value!r} never published for {key}")


# -- Ozark -------------------------------------------------------------------------------
def test_ozark_row_versions(raw: Archive, replayed_store: Store, global_seqs) -> None:
    """The row has one version per distinct value it was published with: two titles, and
    the Season 4 title again once the June 2023 files added is_staggered_launch."""
    distinct = list(dict.fromkeys(values for values, _, _ in global_seqs[OZARK_KEY]))
    rows = replayed_store.all(
        "SELECT season_title, is_staggered_launch FROM row_versions "
        "WHERE list = 'global' AND week = ? AND category = ? AND rank = ? ORDER BY version_id",
        [OZARK_KEY[2], OZARK_KEY[3], OZARK_KEY[4]],
    )
    assert len(rows) == len(distinct)
    assert rows == [(dict(v)["season_title"], dict(v)["is_staggered_launch"]) for v in distinct]
    titles = list(dict.fromkeys(r[0] for r in rows))
    assert titles == ["Ozark: Season 4 Part 1", "Ozark: Season 4"]


def test_ozark_as_of_before_and_after_the_rename(raw: Archive, replayed_store: Store) -> None:
    renamed = first_publication(raw, OZARK_KEY, "season_title", "Ozark: Season 4")
    first = first_publication(raw, OZARK_KEY, "season_title", "Ozark: Season 4 Part 1")
    day = renamed.when.date()

    def title(as_of: dt.date | None) -> str:
        chart = chartwatch.week(
            View.of(replayed_store, as_of), week=OZARK_KEY[2], category="TV (English)"
        )
        assert [lst.category for lst in chart.lists] == ["TV (English)"]
        rows = chart.lists[0].rows
        assert [r.rank for r in rows] == list(range(1, 11))
        return rows[0].season_title

    assert title(day - dt.timedelta(days=1)) == "Ozark: Season 4 Part 1"
    assert title(first.when.date()) == "Ozark: Season 4 Part 1"
    assert title(day) == "Ozark: Season 4"
    assert title(None) == "Ozark: Season 4"
    # before the week was published at all (the archive fetched it the day after its
    # Tuesday) there is no chart for it
    with pytest.raises(NotFoundError):
        title(first.when.date() - dt.timedelta(days=2))


def test_history_of_ozark(raw: Archive, replayed_store: Store, global_seqs) -> None:
    changes = chartwatch.history(replayed_store, title="Ozark")
    assert changes
    expected = Counter(
        t for k, s in global_seqs.items() for t in expected_changes(s, k, title="Ozark")
    )
    assert got_changes([c for c in changes if c.list == "global"]) == expected
    # the week ending 2022-01-23, spelled out
    (rename,) = [
        c for c in changes if (c.list, c.country_iso2, c.week, c.category, c.rank) == OZARK_KEY
    ]
    old_when = [w for v, w, _ in global_seqs[OZARK_KEY] if "Part 1" in dict(v)["season_title"]]
    renamed = first_publication(raw, OZARK_KEY, "season_title", "Ozark: Season 4")
    assert (rename.field, rename.old, rename.new) == (
        "season_title",
        "Ozark: Season 4 Part 1",
        "Ozark: Season 4",
    )
    assert rename.old_first_published == min(old_when)
    assert rename.old_last_published == max(old_when)
    assert rename.new_first_published == renamed.when
    assert rename.new_last_published > rename.new_first_published
    # ordered by when the change was first published
    firsts = [c.new_first_published for c in changes]
    assert firsts == sorted(firsts)


def test_history_of_the_whole_global_list(raw: Archive, replayed_store: Store, global_seqs) -> None:
    """Every revision of every global row, as git tells them, and nothing else."""
    expected = Counter(t for k, s in global_seqs.items() for t in expected_changes(s, k))
    changes = chartwatch.history(replayed_store, list_name="global")
    assert got_changes(changes) == expected
    assert len(changes) == sum(expected.values()) > 100


def test_history_of_a_week(replayed_store: Store, global_seqs) -> None:
    sunday = OZARK_KEY[2]
    expected = Counter(
        t for k, s in global_seqs.items() if k[2] == sunday for t in expected_changes(s, k)
    )
    for day in (sunday - dt.timedelta(days=6), sunday - dt.timedelta(days=3), sunday):
        changes = chartwatch.history(replayed_store, week=day, list_name="global")
        assert got_changes(changes) == expected
    every_list = chartwatch.history(replayed_store, week=sunday)
    assert {c.week for c in every_list} == {sunday}
    assert got_changes([c for c in every_list if c.list == "global"]) == expected


def test_alrawabi_school_for_girls(raw: Archive, replayed_store: Store, global_seqs) -> None:
    """The global rows of AlRawabi School for Girls were relabelled between "Limited
    Series" and "Season 1" (in the archive: Limited Series first, Season 1 once a second
    season was announced)."""
    keys = {k for k, s in global_seqs.items() if any(names(v, "alrawabi") for v, _, _ in s)}
    expected = Counter(
        t for k in keys for t in expected_changes(global_seqs[k], k, title="alrawabi")
    )
    changes = chartwatch.history(replayed_store, title="alrawabi", list_name="global")
    assert got_changes(changes) == expected
    season_changes = {(c.old, c.new) for c in changes if c.field == "season_title"}
    labels = {label for pair in season_changes for label in pair}
    assert labels == {
        "AlRawabi School for Girls: Limited Series",
        "AlRawabi School for Girls: Season 1",
    }
    assert len(changes) == 3
    first_season_1 = min(
        v.when
        for v in raw.valid(GLOBAL)
        for key in keys
        if (raw.rows(v).get(key) or {}).get("season_title") == "AlRawabi School for Girls: Season 1"
    )
    assert {c.new_first_published for c in changes} == {first_season_1}


def test_an_english_title_becomes_its_arabic_original(replayed_store: Store, global_seqs) -> None:
    """ "Perfect Strangers" (2022, Films (Non-English)) was later published under its
    Arabic original title."""
    expected = Counter(
        t for k, s in global_seqs.items() for t in expected_changes(s, k, title="Perfect Strangers")
    )
    changes = chartwatch.history(replayed_store, title="Perfect Strangers", list_name="global")
    assert got_changes(changes) == expected
    renamed = [c for c in changes if c.field == "show_title" and c.old == "Perfect Strangers"]
    assert renamed
    assert all(any("\u0600" <= ch <= "\u06ff" for ch in c.new or "") for c in renamed)


def test_new_columns_are_not_revisions_unless_asked(replayed_store: Store, global_seqs) -> None:
    default = chartwatch.history(replayed_store, title="Ozark", list_name="global")
    assert "is_staggered_launch" not in {c.field for c in default}
    wide = chartwatch.history(
        replayed_store, title="Ozark", list_name="global", include_new_columns=True
    )
    expected = Counter(
        t
        for k, s in global_seqs.items()
        for t in expected_changes(s, k, include_new_columns=True, title="Ozark")
    )
    assert got_changes(wide) == expected
    staggered = [c for c in wide if c.field == "is_staggered_launch"]
    assert staggered and all(c.old is None and c.new in ("true", "false") for c in staggered)
    assert got_changes(wide) - got_changes(default) == got_changes(staggered)


# -- as-of ---------------------------------------------------------------------------------
def visible_global(store: Store, as_of: dt.date | None) -> dict[tuple[Any, ...], Any]:
    sql, params = visible_rows(as_of)
    cur = store.con.execute(f"SELECT * FROM {sql} r WHERE list = 'global'", params)
    names = [d[0] for d in cur.description]
    out = {}
    for row in cur.fetchall():
        d = dict(zip(names, row, strict=True))
        out[(d["list"], d["country_iso2"], d["week"], d["category"], d["rank"])] = {
            c: d[c] for c in VALUE_COLS
        }
    return out


@pytest.mark.parametrize("commit", ["09f5077", "6f874c4", "92768e4", "3871c59"])
def test_as_of_a_commit_day_is_that_commits_files(
    raw: Archive, replayed_store: Store, commit: str
) -> None:
    """As of the (UTC) day of a commit that is alone on its day, the global rows are that
    commit's all-weeks-global.tsv, every column; on the day the file was an HTML page they
    are the last real file before it."""
    sha, when = next((s, w) for s, w in raw.commits if s.startswith(commit))
    day = when.date()
    assert [s for s, w in raw.commits if w.date() == day] == [sha]
    data = raw.file_at(sha, GLOBAL)
    if b"Moved Permanently" in data:
        previous = [v for v in raw.valid(GLOBAL) if v.when < when][-1]
        data = raw.blob(previous.blob)
    expected = parse(GLOBAL, data)
    got = visible_global(replayed_store, day)
    assert got.keys() == expected.keys()
    bad = [k for k in expected if got[k] != expected[k]]
    assert not bad, (bad[:3], [(expected[k], got[k]) for k in bad[:1]])


def test_far_future_as_of_is_the_current_view(replayed_store: Store) -> None:
    cols = ", ".join([*ROW_COLUMNS, "version_id", "snapshot_id", "observed_at"])
    now_sql, _ = visible_rows(None)
    future_sql, future_params = visible_rows(dt.date(2999, 12, 31))
    n_now = replayed_store.scalar(f"SELECT count(*) FROM {now_sql} r")
    n_future = replayed_store.scalar(f"SELECT count(*) FROM {future_sql} r", future_params)
    assert n_now == n_future == replayed_store.scalar("SELECT count(*) FROM current_rows")
    for a, b, params in (
        (now_sql, future_sql, future_params),
        (future_sql, now_sql, future_params),
    ):
        diff = replayed_store.scalar(
            f"SELECT count(*) FROM (SELECT {cols} FROM {a} x EXCEPT ALL SELECT {cols} FROM {b} y)",
            params,
        )
        assert diff == 0


def view_differences(db_a: Path, db_b: Path, as_of: dt.date | None) -> int:
    """Rows (key, values and when last published) visible in one store and not the other."""
    sql, params = visible_rows(as_of)
    cols = ", ".join([*ROW_COLUMNS, "observed_at"])
    con = duckdb.connect()
    try:
        for name, db in (("a", db_a), ("b", db_b)):
            con.execute(f"ATTACH '{db}' AS {name} (READ_ONLY)")
            con.execute(f"USE {name}")
            con.execute(f"CREATE TEMP TABLE v_{name} AS SELECT {cols} FROM {sql} r", params)
        con.execute("USE memory")
        counts = [
            con.execute(
                f"SELECT count(*) FROM (SELECT * FROM {x} EXCEPT ALL SELECT * FROM {y})"
            ).fetchone()[0]  # type: ignore[index]
            for x, y in (("temp.v_a", "temp.v_b"), ("temp.v_b", "temp.v_a"))
        ]
        sizes = [con.execute(f"SELECT count(*) FROM temp.v_{n}").fetchone()[0] for n in "ab"]  # type: ignore[index]
        assert sizes[0] == sizes[1] > 0, (as_of, sizes)
        return counts[0] + counts[1]
    finally:
        con.close()


@pytest.mark.slow
def test_order_independence(raw: Archive, tmp_path: Path, replayed_db: Path) -> None:
    """Ingesting the bundled (newest) files first and replaying the older archive after
    gives the same current view and the same as-of views as replaying alone."""
    db = tmp_path / "bundled-first.duckdb"
    with chartwatch.open_store(db) as st:
        # the Top 10 files only: the archive holds no engagement report
        loaded = chartwatch.load_bundled(st, engagement=False)
        assert [r.status for r in loaded] == ["accepted"] * 3
        summary = chartwatch.replay(st, BUNDLE)
    # counts from git: archive versions whose content is a bundled file are "unchanged"
    bundled = {gzip.decompress(p.read_bytes()) for p in DATA.glob("*.gz")}
    valid = raw.valid()
    distinct = {v.blob for v in valid}
    already = {v.blob for v in valid if raw.blob(v.blob) in bundled}
    assert len(already) == 3
    assert summary.accepted == len(distinct) - len(already)
    assert summary.unchanged == len(valid) - len(distinct) + len(already)
    assert len(summary.rejected) == len(raw.junk())
    assert table_counts(db)["snapshots"] == table_counts(replayed_db)["snapshots"]

    days = sorted({w.date() for _, w in raw.commits})
    probes = [None, days[0], days[len(days) // 3], days[len(days) // 2], days[-2], days[-1]]
    probes += [dt.date(2022, 3, 1), dt.date(2022, 3, 2), dt.date(2023, 6, 1)]
    for as_of in probes:
        assert view_differences(db, replayed_db, as_of) == 0, as_of


# -- CLI history ---------------------------------------------------------------------------
def test_cli_history_json_keys_and_exit_codes(replayed_db: Path, cli) -> None:
    result = cli("history", "--title", "Ozark", "--db", replayed_db, "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data and all(list(item) == HISTORY_KEYS for item in data)
    rename = [
        d
        for d in data
        if (d["list"], d["week"], d["category"], d["rank"])
        == ("global", "2022-01-23", "TV (English)", 1)
    ]
    assert [(d["field"], d["old"], d["new"]) for d in rename] == [
        ("season_title", "Ozark: Season 4 Part 1", "Ozark: Season 4")
    ]
    assert dt.datetime.fromisoformat(rename[0]["new_first_published"]).tzinfo is not None

    table = cli("history", "--title", "Ozark", "--db", replayed_db)
    assert table.exit_code == 0
    assert table.stdout.startswith(f"{len(data)} changes")
    assert "Ozark" in table.stdout

    for extra in ((), ("--json",)):
        none = cli("history", "--title", "No Such Title Anywhere", "--db", replayed_db, *extra)
        assert none.exit_code == 1
        if extra:
            assert json.loads(none.stdout) == []
        else:
            assert none.stderr.startswith("Error: ") and len(none.stderr.splitlines()) == 1


# -- schema versions -----------------------------------------------------------------------
def test_store_from_a_newer_chartwatch_is_refused(tmp_path: Path, cli) -> None:
    db = tmp_path / "newer.duckdb"
    with chartwatch.open_store(db) as st:
        st.con.execute(
            "UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION + 1)]
        )
    with pytest.raises(StoreVersionError) as info:
        chartwatch.open_store(db)
    message = str(info.value)
    assert "\n" not in message
    assert str(SCHEMA_VERSION + 1) in message and "newer" in message
    for args in (("status",), ("week",), ("ingest", str(tmp_path / "x.tsv"))):
        result = cli(*args, "--db", db)
        assert result.exit_code == 2, args
        assert result.stderr.strip().splitlines() == [f"Error: {message}"]
    with duckdb.connect(str(db), read_only=True) as con:  # left untouched
        assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (
            str(SCHEMA_VERSION + 1),
        )
        assert con.execute("SELECT count(*) FROM snapshots").fetchone() == (0,)


def test_version_1_store_is_migrated_on_open(tmp_path: Path, replayed_db: Path) -> None:
    """A store written at schema version 1 (no current_rows) is migrated when opened, and
    its materialised current view is the one a version-2 store keeps while ingesting."""
    v1 = tmp_path / "v1.duckdb"
    with duckdb.connect(str(v1)) as con:
        con.execute(V1_DDL)
        con.execute(f"ATTACH '{replayed_db}' AS src (READ_ONLY)")
        for table in ("meta", "snapshots", "row_versions", "observations"):
            con.execute(f"INSERT INTO {table} SELECT * FROM src.{table}")
        con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
        assert con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'current_rows'"
            " AND table_catalog = 'v1'"
        ).fetchone() == (0,)
    with pytest.raises(StoreVersionError, match="migrat"):
        chartwatch.open_store(v1, read_only=True)
    with chartwatch.open_store(v1) as st:
        assert st.schema_version == SCHEMA_VERSION
    with duckdb.connect() as con:
        con.execute(f"ATTACH '{v1}' AS m (READ_ONLY)")
        con.execute(f"ATTACH '{replayed_db}' AS o (READ_ONLY)")
        n_m, n_o = (con.execute(f"SELECT count(*) FROM {d}.current_rows").fetchone() for d in "mo")
        assert n_m == n_o
        for x, y in (("m", "o"), ("o", "m")):
            assert con.execute(
                f"SELECT count(*) FROM (SELECT * FROM {x}.current_rows "
                f"EXCEPT ALL SELECT * FROM {y}.current_rows)"
            ).fetchone() == (0,)
    with chartwatch.open_store(v1, read_only=True) as st:
        chart = chartwatch.week(View.of(st), week=OZARK_KEY[2], category="tv-english")
        assert chart.lists[0].rows[0].season_title == "Ozark: Season 4"


def test_version_1_store_made_from_an_ingest(tmp_path: Path, bundled_db: Path) -> None:
    """The same, downgrading a normal store in place: drop current_rows (and the engagement
    tables of version 3), say version 1."""
    with duckdb.connect(str(bundled_db), read_only=True) as con:
        original = sorted(con.execute("SELECT * FROM current_rows").fetchall(), key=repr)
    with duckdb.connect(str(bundled_db)) as con:
        con.execute("DROP TABLE current_rows")
        for table in ENGAGEMENT_TABLES:
            con.execute(f"DROP TABLE {table}")
        con.execute("DELETE FROM snapshots WHERE kind = 'engagement'")
        con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    with chartwatch.open_store(bundled_db) as st:
        assert st.schema_version == SCHEMA_VERSION
        migrated = sorted(st.all("SELECT * FROM current_rows"), key=repr)
    assert migrated == original
    assert len(original) == sum(len(parse(name, raw_bytes(name))) for name in LIST_OF)


def small_archive(raw: Archive, dest: Path, commits: list[str]) -> Path:
    """A git repository holding the global file of the given archive commits, each
    committed at its original time."""
    git = ["git", "-C", str(dest), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    dest.mkdir()
    subprocess.run([*git, "init", "--quiet"], check=True)
    for prefix in commits:
        sha, when = next((s, w) for s, w in raw.commits if s.startswith(prefix))
        (dest / GLOBAL).write_bytes(raw.file_at(sha, GLOBAL))
        stamp = when.strftime("%Y-%m-%dT%H:%M:%S+0000")
        env = {**os.environ, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
        subprocess.run([*git, "add", GLOBAL], check=True)
        subprocess.run([*git, "commit", "--quiet", "-m", prefix], check=True, env=env)
    return dest


def test_a_file_downloaded_later_then_found_earlier_in_an_archive(
    raw: Archive, tmp_path: Path
) -> None:
    """The newest global file is first fetched in September (update), then an archive shows
    it was published in June: the store takes the earlier time, so every as-of view is the
    same as if the archive had been replayed first."""
    repo = small_archive(raw, tmp_path / "archive", ["7cfd899", "5399e52"])
    newest = tmp_path / GLOBAL
    newest.write_bytes(raw.file_at(raw.commits[-1][0], GLOBAL))
    september = dt.datetime(2024, 9, 1, tzinfo=dt.UTC)

    alone, later = tmp_path / "alone.duckdb", tmp_path / "later.duckdb"
    with chartwatch.open_store(alone) as st:
        assert chartwatch.replay(st, repo).accepted == 2
    with chartwatch.open_store(later) as st:
        assert [r.status for r in chartwatch.ingest(st, [newest], observed_at=september)] == [
            "accepted"
        ]
        summary = chartwatch.replay(st, repo)
        assert (summary.accepted, summary.unchanged) == (1, 1)
        ((observed_at, how),) = st.all(
            "SELECT observed_at, observed_how FROM snapshots WHERE sha256 = "
            "(SELECT sha256 FROM snapshots ORDER BY snapshot_id LIMIT 1)"
        )
        assert (observed_at, how) == (raw.commits[-1][1], "commit-time")
    for as_of in (None, dt.date(2024, 6, 19), dt.date(2024, 6, 26), dt.date(2024, 6, 30)):
        assert view_differences(later, alone, as_of) == 0, as_of


def test_moving_a_snapshot_earlier_keeps_the_current_view_consistent(
    raw: Archive, tmp_path: Path
) -> None:
    """When a snapshot moves earlier, past another snapshot of the same rows, the current
    view follows: it stays what a far-future --as-of computes from the observations."""
    repo = small_archive(raw, tmp_path / "archive", ["5399e52"])
    older = tmp_path / "older.tsv"
    older.write_bytes(
        raw.file_at(next(s for s, _ in raw.commits if s.startswith("dfdcd6c")), GLOBAL)
    )
    newest = tmp_path / GLOBAL
    newest.write_bytes(raw.file_at(raw.commits[-1][0], GLOBAL))
    with chartwatch.open_store(tmp_path / "s.duckdb") as st:
        chartwatch.ingest(st, [newest], observed_at=dt.datetime(2024, 9, 1, tzinfo=dt.UTC))
        chartwatch.ingest(st, [older], observed_at=dt.datetime(2024, 7, 15, tzinfo=dt.UTC))
        chart = chartwatch.week(View.of(st), week=OZARK_KEY[2], category="tv-english")
        assert chart.lists[0].rows[0].season_title == "Ozark: Season 4"
        chartwatch.replay(st, repo)  # the newest file, published 2024-06-26
        # now the older file (observed 2024-07-15) is the latest word on its rows
        assert (
            st.scalar(
                "SELECT v.is_staggered_launch FROM current_rows c JOIN row_versions v "
                "USING (version_id) WHERE c.list = 'global' AND c.week = ? AND c.category = ? "
                "AND c.rank = ?",
                list(OZARK_KEY[2:]),
            )
            is None
        )
        cols = ", ".join([*ROW_COLUMNS, "version_id", "snapshot_id", "observed_at"])
        now_sql, _ = visible_rows(None)
        future_sql, params = visible_rows(dt.date(2999, 1, 1))
        for a, b in ((now_sql, future_sql), (future_sql, now_sql)):
            assert (
                st.scalar(
                    f"SELECT count(*) FROM (SELECT {cols} FROM {a} x "
                    f"EXCEPT ALL SELECT {cols} FROM {b} y)",
                    params,
                )
                == 0
            )


ENGAGEMENT_TABLES = ("engagement_reports", "engagement_versions", "engagement_observations")


def test_version_2_store_gains_the_engagement_tables(bundled_db: Path) -> None:
    """A version-2 store (before the engagement reports) is migrated to version 3 on open;
    its Top 10 rows are untouched and the bundled reports then load into it."""
    with duckdb.connect(str(bundled_db)) as con:
        for table in ENGAGEMENT_TABLES:
            con.execute(f"DROP TABLE {table}")
        con.execute("DELETE FROM snapshots WHERE kind = 'engagement'")
        con.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
        before = con.execute("SELECT count(*), sum(hash(r)) FROM row_versions r").fetchone()
    with chartwatch.open_store(bundled_db) as st:
        assert st.schema_version == SCHEMA_VERSION == 3
        assert st.scalar("SELECT count(*) FROM engagement_versions") == 0
        assert st.one("SELECT count(*), sum(hash(r)) FROM row_versions r") == before
        results = chartwatch.load_bundled(st)
        assert [r.status for r in results] == ["unchanged"] * 3 + ["accepted"] * 3
