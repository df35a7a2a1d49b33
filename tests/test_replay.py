"""Replaying the whole 140-commit archive: counts, junk, idempotence, resumption, the CLI.

Expected numbers come from the bundle itself, read with git and the csv module
(:mod:`rawarchive`), never from chartwatch.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

import chartwatch
from chartwatch.ingestion.reader import Payload
from chartwatch.store import Store
from chartwatch.store.rows import visible_rows
from conftest import BUNDLE, raw_bytes
from rawarchive import (
    COUNTRIES,
    GLOBAL,
    LIST_OF,
    POPULAR,
    VALUE_COLS,
    Archive,
    archive,
    clone,
    table_counts,
    table_differences,
)

pytestmark = pytest.mark.slow

HTML_COMMIT = "92768e4cc69e"
NULL_COMMITS = {"c8a98eae5c0d": COUNTRIES, "4047d990f64d": GLOBAL}


@pytest.fixture(scope="module")
def raw(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    return archive(tmp_path_factory)


def expected_counts(raw: Archive) -> dict[str, int]:
    """What a replay into an empty store must report, from ``git log --raw``: every
    distinct content of a data file is accepted once; repeats are unchanged; junk is
    rejected every time it appears."""
    valid = raw.valid()
    distinct = {v.blob for v in valid}  # files are not compressed: blob id = content
    return {
        "commits": len(raw.commits),
        "files": len(raw.versions),
        "accepted": len(distinct),
        "unchanged": len(valid) - len(distinct),
        "rejected": len(raw.junk()),
    }


def source_of(archive_name: str, commit: str, path: str) -> str:
    return f"{archive_name}@{commit[:12]}:{path}"


def check_rejected(rejected: list[dict[str, Any]], raw: Archive, archive_name: str) -> None:
    """The rejected snapshots are exactly the junk ones, with reasons that say why."""
    junk = {source_of(archive_name, v.commit, v.path): v for v in raw.junk()}
    assert sorted(r["source"] for r in rejected) == sorted(junk)
    for r in rejected:
        version = junk[r["source"]]
        data = raw.blob(version.blob)
        if data.strip() == b"null":
            assert "null" in r["reason"]
        else:
            assert b"Moved Permanently" in data
            assert "HTML" in r["reason"]
        assert "\n" not in r["reason"]


def test_junk_snapshots_are_the_known_ones(raw: Archive) -> None:
    """Sanity of the independent reading: the archive's junk is where the docs say."""
    junk = {(v.commit[:12], v.path) for v in raw.junk()}
    expected = {(HTML_COMMIT, p) for p in (GLOBAL, COUNTRIES, POPULAR)}
    expected |= {(c, p) for c, p in NULL_COMMITS.items()}
    assert junk == expected
    assert len(raw.commits) == 140


@pytest.mark.parametrize("kind", ["worktree", "bare"])
def test_cli_replay_of_a_plain_git_repository(
    raw: Archive, tmp_path: Path, replayed_db: Path, cli, kind: str
) -> None:
    """Replay from a cloned repository directory (with a work tree, or bare) instead of the
    bundle: it reads the same 140 commits and every file version in it is content the
    bundle's replay already stored, so nothing is added."""
    if kind == "worktree":
        repo = clone(tmp_path / "netflix_top10")
    else:
        repo = tmp_path / "netflix_top10.git"
        subprocess.run(["git", "clone", "--quiet", "--bare", str(BUNDLE), str(repo)], check=True)
    before = replayed_db.with_name("before.duckdb")
    before.write_bytes(replayed_db.read_bytes())
    result = cli("replay", repo, "--db", replayed_db, "--json")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    want = expected_counts(raw)
    assert summary["archive"] == str(repo)
    assert (summary["commits"], summary["files"]) == (want["commits"], want["files"])
    assert summary["accepted"] == 0
    assert summary["unchanged"] == want["accepted"] + want["unchanged"]
    check_rejected(summary["rejected"], raw, repo.name)
    assert table_differences(before, replayed_db) == {}


def test_snapshots_are_observed_at_commit_time(raw: Archive, replayed_store: Store) -> None:
    when = {source_of(BUNDLE.name, v.commit, v.path): v.when for v in raw.versions}
    rows = replayed_store.all("SELECT source, observed_at, observed_how, kind FROM snapshots")
    assert len(rows) == len({v.blob for v in raw.valid()})
    assert {r[0] for r in rows} == {source_of(BUNDLE.name, v.commit, v.path) for v in raw.valid()}
    for source, observed_at, how, kind in rows:
        assert observed_at == when[source], source
        assert how == "commit-time"
        assert kind == LIST_OF[source.rsplit(":", 1)[1]]


def visible(store: Store, list_name: str, as_of: dt.date | None = None) -> dict[Any, Any]:
    """The rows chartwatch shows, keyed like :func:`rawarchive.parse`."""
    sql, params = visible_rows(as_of)
    cur = store.con.execute(f"SELECT * FROM {sql} r WHERE list = ?", [*params, list_name])
    names = [d[0] for d in cur.description]
    out = {}
    for row in cur.fetchall():
        d = dict(zip(names, row, strict=True))
        key = (d["list"], d["country_iso2"], d["week"], d["category"], d["rank"])
        assert d["extra"] is None  # every column of the archive's files is a known one
        out[key] = {c: d[c] for c in VALUE_COLS}
    return out


@pytest.mark.parametrize("path", [GLOBAL, COUNTRIES, POPULAR])
def test_current_view_is_the_latest_valid_version(
    raw: Archive, replayed_store: Store, path: str
) -> None:
    """Every row and every column of the current view equals the newest real file (the
    global file of the last commit, the last countries file small enough to keep…)."""
    latest = raw.valid(path)[-1]
    if path != COUNTRIES:
        assert latest.commit == raw.commits[-1][0]
    expected = raw.rows(latest)
    got = visible(replayed_store, LIST_OF[path])
    assert len(got) == len(expected)
    assert got.keys() == expected.keys()
    bad = [k for k in expected if got[k] != expected[k]]
    assert not bad, (bad[:3], [(expected[k], got[k]) for k in bad[:1]])


def test_interrupted_replay_resumes_to_the_same_store(
    raw: Archive, tmp_path: Path, replayed_db: Path
) -> None:
    """The whole bundle, replayed into an empty store in two goes: the first stops part-way
    (the callback raises after STOP files) and keeps what it accepted; the second finishes
    the job. Each go reports the counts git gives for its files, and the final tables are
    exactly those of an uninterrupted replay."""
    stop = 120
    db = tmp_path / "interrupted.duckdb"
    seen: list[str] = []

    class Stop(Exception):
        pass

    def stop_after(result: Any) -> None:
        seen.append(result.status)
        if len(seen) == stop:
            raise Stop

    with chartwatch.open_store(db) as st, pytest.raises(Stop):
        chartwatch.replay(st, BUNDLE, on_result=stop_after)
    first = raw.versions[:stop]
    valid = set(raw.valid())
    first_valid = [v for v in first if v in valid]
    first_distinct = {v.blob for v in first_valid}
    assert seen.count("accepted") == len(first_distinct)
    assert seen.count("unchanged") == len(first_valid) - len(first_distinct)
    assert seen.count("rejected") == len(first) - len(first_valid)
    assert table_counts(db)["snapshots"] == len(first_distinct)

    with chartwatch.open_store(db) as st:  # resume
        summary = chartwatch.replay(st, BUNDLE)
    want = expected_counts(raw)
    assert summary.commits == want["commits"]
    assert summary.files == want["files"]
    assert summary.accepted == want["accepted"] - len(first_distinct)
    assert summary.unchanged == want["unchanged"] + len(first_distinct)
    check_rejected(summary.to_dict()["rejected"], raw, BUNDLE.name)
    assert summary.warnings == []
    assert table_differences(db, replayed_db, ignore=("ingested_at",)) == {}


def test_second_replay_adds_nothing_table_json_and_strict(
    raw: Archive, replayed_db: Path, cli
) -> None:
    """Replaying the bundle again (three times: table, --json, --strict) accepts nothing
    and leaves every table exactly as it was."""
    want = expected_counts(raw)
    stored = want["accepted"] + want["unchanged"]
    before = replayed_db.with_name("before.duckdb")
    before.write_bytes(replayed_db.read_bytes())
    counts = table_counts(replayed_db)

    table = cli("replay", BUNDLE, "--db", replayed_db)
    assert table.exit_code == 0, table.stderr
    text = " ".join(table.stdout.split())
    assert f"{want['commits']} commits" in text
    assert f"{want['files']} file versions" in text
    assert "0 accepted" in text
    assert f"{stored} unchanged" in text
    assert f"{want['rejected']} rejected" in text
    for v in raw.junk():  # one "rejected SOURCE: reason" entry per junk snapshot
        assert f"rejected {source_of(BUNDLE.name, v.commit, v.path)}: " in text
    assert text.count("an HTML page") == sum(b"Moved" in raw.blob(v.blob) for v in raw.junk())
    assert text.count("'null'") == sum(raw.blob(v.blob).strip() == b"null" for v in raw.junk())

    as_json = cli("replay", BUNDLE, "--db", replayed_db, "--json")
    assert as_json.exit_code == 0
    data = json.loads(as_json.stdout)
    assert (data["commits"], data["files"], data["accepted"], data["unchanged"]) == (
        want["commits"],
        want["files"],
        0,
        stored,
    )
    check_rejected(data["rejected"], raw, BUNDLE.name)

    strict = cli("replay", BUNDLE, "--db", replayed_db, "--strict")
    assert strict.exit_code == 2
    assert "0 accepted" in " ".join(strict.stdout.split())

    assert table_counts(replayed_db) == counts
    assert table_differences(before, replayed_db) == {}


@pytest.mark.parametrize("what", ["file", "directory", "folder-in-a-repository", "missing"])
def test_replay_of_something_that_is_not_a_git_archive(tmp_path: Path, cli, what: str) -> None:
    if what == "file":
        target = tmp_path / "notes.bundle"
        target.write_text("this is not a git bundle\n")
    elif what == "directory":
        target = tmp_path / "plain-folder"
        target.mkdir()
        (target / "all-weeks-global.tsv").write_bytes(raw_bytes(GLOBAL))
    elif what == "folder-in-a-repository":
        # e.g. the folder that holds a bundle, inside some project's repository: git would
        # find the enclosing repository and replay its history
        repo = tmp_path / "project"
        (repo / "data").mkdir(parents=True)
        (repo / "all-weeks-global.tsv").write_bytes(raw_bytes(GLOBAL))
        git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org"]
        subprocess.run([*git, "init", "--quiet"], check=True)
        subprocess.run([*git, "add", "."], check=True)
        subprocess.run([*git, "commit", "--quiet", "-m", "data"], check=True)
        target = repo / "data"
    else:
        target = tmp_path / "nowhere"
    db = tmp_path / "store.duckdb"
    result = cli("replay", target, "--db", db)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ") and str(target) in lines[0]
    assert "Traceback" not in result.stdout + result.stderr
    assert re.search(r"git|no such file", lines[0])
    with chartwatch.open_store(db, read_only=True) as st:
        assert st.is_empty()


def test_a_version_breaking_a_row_rule_is_rejected_as_ingest_rejects_it(tmp_path: Path) -> None:
    """The replay reads, checks and stages the next file while one is loaded (the row rules
    run there, ahead of the file's turn): a version with a bad row is still rejected with
    the reason and line that ingesting it alone gives, and the versions after it load."""
    good = raw_bytes(POPULAR)
    bad = good.replace(b"\t1\t", b"\t1e30\t", 1)
    bad_line = good[: good.index(b"\t1\t")].count(b"\n") + 1
    repo = tmp_path / "repo"
    subprocess.run(["git", "init", "--quiet", str(repo)], check=True)
    steps = [(GLOBAL, raw_bytes(GLOBAL)), (POPULAR, bad), (POPULAR, good)]
    for n, (name, data) in enumerate(steps, start=1):
        (repo / name).write_bytes(data)
        when = f"2024-06-{10 + n}T12:00:00+00:00"
        env = {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
        subprocess.run(["git", "-C", str(repo), "add", name], check=True)
        subprocess.run(
            ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", "commit",
             "--quiet", "-m", f"step {n}"],
            check=True,
            env={**os.environ, **env},
        )  # fmt: skip
    with chartwatch.open_store(tmp_path / "alone.duckdb") as alone:
        payload = Payload("alone", POPULAR, bad, dt.datetime.now(dt.UTC), "given")
        by_itself = chartwatch.ingest_payload(alone, payload)
    assert by_itself.status == "rejected" and by_itself.line == bad_line
    seen: list[Any] = []
    with chartwatch.open_store(tmp_path / "s.duckdb") as store:
        summary = chartwatch.replay(store, repo, on_result=seen.append)
        assert store.scalar("SELECT count(*) FROM snapshots") == 2
    assert [r.status for r in seen] == ["accepted", "rejected", "accepted"]
    assert (seen[1].reason, seen[1].line) == (by_itself.reason, by_itself.line)
    assert (summary.accepted, len(summary.rejected)) == (2, 1)
