"""``chartwatch ingest`` on the command line: its table, its JSON, its options, its exit codes."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb

import chartwatch
from conftest import raw_bytes

GLOBAL = "all-weeks-global.tsv"
POPULAR = "most-popular.tsv"
RESULT_KEYS = {
    "source",
    "status",
    "kind",
    "sha256",
    "snapshot_id",
    "observed_at",
    "rows",
    "new_versions",
    "revised",
    "reason",
    "line",
    "warnings",
}
PUBLISHED = dt.datetime(2024, 6, 26, 13, 26, 6, tzinfo=dt.UTC)


def write(path: Path, data: bytes, mtime: dt.datetime = PUBLISHED) -> Path:
    path.write_bytes(data)
    os.utime(path, (mtime.timestamp(), mtime.timestamp()))
    return path


def snapshots(db: Path) -> list[tuple]:
    with chartwatch.open_store(db) as store:
        return store.all(
            "SELECT snapshot_id, kind, observed_at, observed_how, source, row_count "
            "FROM snapshots ORDER BY snapshot_id"
        )


def test_table_output(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "160")
    write(Path(GLOBAL), raw_bytes(GLOBAL))
    result = cli("ingest", GLOBAL)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    out = result.stdout
    assert out.lstrip().startswith("Ingest")
    for header in ("file", "status", "kind", "rows", "new versions", "revised", "reason"):
        assert header in out
    [row] = [line for line in out.splitlines() if GLOBAL in line]
    cells = [c.strip() for c in row.split("│")[1:-1]]
    assert cells == [GLOBAL, "accepted", "global", "6,240", "6,240", "0", ""]

    again = cli("ingest", GLOBAL)
    assert again.exit_code == 0 and again.stderr == ""
    [row] = [line for line in again.stdout.splitlines() if GLOBAL in line]
    cells = [c.strip() for c in row.split("│")[1:-1]]
    assert cells == [GLOBAL, "unchanged", "global", "6,240", "", "", ""]


def test_json_output_keys_and_values(cli, tmp_path):
    path = write(tmp_path / GLOBAL, raw_bytes(GLOBAL))
    result = cli("ingest", "--json", path)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    data = json.loads(result.stdout)
    assert set(data) == {"results", "accepted", "unchanged", "rejected"}
    assert (data["accepted"], data["unchanged"], data["rejected"]) == (1, 0, 0)
    [item] = data["results"]
    assert set(item) == RESULT_KEYS
    assert item == {
        "source": str(path),
        "status": "accepted",
        "kind": "global",
        "sha256": hashlib.sha256(raw_bytes(GLOBAL)).hexdigest(),
        "snapshot_id": 1,
        "observed_at": "2024-06-26T13:26:06+00:00",  # the file's modification time
        "rows": 6240,
        "new_versions": 6240,
        "revised": 0,
        "reason": None,
        "line": None,
        "warnings": [],
    }

    # the same bytes again: unchanged, pointing at the snapshot that holds them
    again = json.loads(cli("ingest", "--json", path).stdout)
    [item2] = again["results"]
    assert set(item2) == RESULT_KEYS
    assert (item2["status"], item2["snapshot_id"], item2["sha256"], item2["rows"]) == (
        "unchanged",
        1,
        item["sha256"],
        6240,
    )
    assert (item2["new_versions"], item2["revised"], item2["reason"]) == (0, 0, None)
    assert (again["accepted"], again["unchanged"], again["rejected"]) == (0, 1, 0)


def test_json_of_a_rejection_and_a_warning(cli, tmp_path):
    bad = write(tmp_path / "bad.tsv", raw_bytes(GLOBAL).replace(b"\t", b";"))
    lines = raw_bytes(POPULAR).decode().split("\n")
    extra = "\n".join([lines[0] + "\tnotes"] + [line + "\tN/A" for line in lines[1:]]).encode()
    warned = write(tmp_path / "extra.tsv", extra)
    result = cli("ingest", "--json", bad, warned)
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    rejected, accepted = data["results"]
    assert set(rejected) == RESULT_KEYS and set(accepted) == RESULT_KEYS
    assert rejected["status"] == "rejected" and rejected["line"] == 1
    assert "semicolon" in rejected["reason"]
    assert rejected["kind"] is None and rejected["sha256"] is None
    assert rejected["snapshot_id"] is None and rejected["rows"] == 0
    assert accepted["status"] == "accepted" and accepted["kind"] == "most-popular"
    assert len(accepted["warnings"]) == 1 and "notes" in accepted["warnings"][0]
    assert (data["accepted"], data["unchanged"], data["rejected"]) == (1, 0, 1)
    # stdout is JSON only; the one error goes to stderr
    assert result.stderr.splitlines() == [f"Error: {bad}: line 1: {rejected['reason']}"]


def test_json_counts_a_revision(cli, tmp_path):
    write(tmp_path / "v1.tsv", raw_bytes(POPULAR))
    renamed = raw_bytes(POPULAR).replace(b"\tDon't Look Up\t", b"\tDon't Look Up (2021)\t")
    assert renamed != raw_bytes(POPULAR)
    write(tmp_path / "v2.tsv", renamed, PUBLISHED + dt.timedelta(days=7))
    first = json.loads(cli("ingest", "--json", tmp_path / "v1.tsv").stdout)["results"][0]
    second = json.loads(cli("ingest", "--json", tmp_path / "v2.tsv").stdout)["results"][0]
    assert (first["new_versions"], first["revised"]) == (40, 0)
    assert (second["status"], second["rows"], second["new_versions"], second["revised"]) == (
        "accepted",
        40,
        1,
        1,
    )
    assert second["snapshot_id"] == 2


def test_observed_at_option(cli, tmp_path):
    path = write(tmp_path / POPULAR, raw_bytes(POPULAR))
    result = cli("ingest", "--json", "--observed-at", "2024-06-25", path)
    assert result.exit_code == 0, result.output
    [item] = json.loads(result.stdout)["results"]
    assert item["observed_at"] == "2024-06-25T00:00:00+00:00"
    db = tmp_path / "cli.duckdb"
    [snap] = snapshots(db)
    assert snap[2] == dt.datetime(2024, 6, 25, tzinfo=dt.UTC)
    assert snap[3] == "given"

    # a time with an offset is kept as that instant
    path2 = write(tmp_path / GLOBAL, raw_bytes(GLOBAL))
    result = cli("ingest", "--json", "--observed-at", "2024-06-26T15:26:06+02:00", path2)
    [item] = json.loads(result.stdout)["results"]
    assert dt.datetime.fromisoformat(item["observed_at"]) == PUBLISHED
    assert snapshots(db)[1][2] == PUBLISHED

    # without it: the file's modification time
    path3 = write(tmp_path / "older.tsv", raw_bytes(POPULAR)[:-5] + b"10000", PUBLISHED)
    [item] = json.loads(cli("ingest", "--json", path3).stdout)["results"]
    assert item["observed_at"] == PUBLISHED.isoformat()
    assert snapshots(db)[2][3] == "file-time"


def test_bad_observed_at_is_a_usage_error_and_touches_nothing(cli, tmp_path):
    path = write(tmp_path / POPULAR, raw_bytes(POPULAR))
    result = cli("ingest", "--observed-at", "last tuesday", path)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    [line] = result.stderr.splitlines()
    assert line.startswith("Error: --observed-at") and "last tuesday" in line
    assert not (tmp_path / "cli.duckdb").exists()


def test_exit_codes(cli, tmp_path):
    good = write(tmp_path / POPULAR, raw_bytes(POPULAR))
    assert cli("ingest", good).exit_code == 0
    assert cli("ingest", good).exit_code == 0  # unchanged is not an error
    assert cli("ingest", tmp_path / "missing.tsv").exit_code == 2
    assert cli("ingest", good, tmp_path / "missing.tsv").exit_code == 2
    empty = write(tmp_path / "empty.tsv", b"")
    assert cli("ingest", "--json", empty).exit_code == 2
    no_args = cli("ingest")
    assert no_args.exit_code == 2 and "Traceback" not in no_args.output


def test_db_option_and_environment(cli, tmp_path, monkeypatch):
    env_db = tmp_path / "cli.duckdb"  # what the cli fixture puts in $CHARTWATCH_DB
    assert os.environ["CHARTWATCH_DB"] == str(env_db)
    path = write(tmp_path / POPULAR, raw_bytes(POPULAR))

    # --db wins over $CHARTWATCH_DB, and the environment's store is not even created
    other = tmp_path / "sub" / "other.duckdb"
    assert cli("ingest", "--db", other, path).exit_code == 0
    assert [s[1] for s in snapshots(other)] == ["most-popular"]
    assert not env_db.exists()

    # without --db: $CHARTWATCH_DB
    assert cli("ingest", path).exit_code == 0
    assert [s[1] for s in snapshots(env_db)] == ["most-popular"]

    # the environment variable moved: the new place is used
    moved = tmp_path / "moved.duckdb"
    monkeypatch.setenv("CHARTWATCH_DB", str(moved))
    global_path = write(tmp_path / GLOBAL, raw_bytes(GLOBAL))
    assert cli("ingest", global_path).exit_code == 0
    assert [s[1] for s in snapshots(moved)] == ["global"]
    assert [s[1] for s in snapshots(env_db)] == ["most-popular"]
    assert [s[1] for s in snapshots(other)] == ["most-popular"]


def test_ingest_never_autoloads_the_bundled_data(cli, tmp_path):
    path = write(tmp_path / POPULAR, raw_bytes(POPULAR))
    result = cli("ingest", path)
    assert result.exit_code == 0 and result.stderr == ""
    con = duckdb.connect(str(tmp_path / "cli.duckdb"), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM snapshots").fetchone() == (1,)
    finally:
        con.close()


def _run(*args: str, env_db: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CHARTWATCH_DB": str(env_db)}
    return subprocess.run(
        [sys.executable, "-m", "chartwatch", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_python_m_chartwatch_help(tmp_path):
    result = _run("--help", env_db=tmp_path / "x.duckdb")
    assert result.returncode == 0, result.stderr
    assert "Usage" in result.stdout and "ingest" in result.stdout
    assert result.stderr == ""
    sub = _run("ingest", "--help", env_db=tmp_path / "x.duckdb")
    assert sub.returncode == 0, sub.stderr
    for option in ("--observed-at", "--db", "--json"):
        assert option in sub.stdout
    assert not (tmp_path / "x.duckdb").exists()


def test_python_m_chartwatch_ingest_end_to_end(tmp_path):
    good = write(tmp_path / POPULAR, raw_bytes(POPULAR))
    bad = write(tmp_path / "bad.tsv", b"null")
    result = _run("ingest", "--json", str(good), str(bad), env_db=tmp_path / "e2e.duckdb")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    data = json.loads(result.stdout)
    assert [r["status"] for r in data["results"]] == ["accepted", "rejected"]
    assert result.stderr.splitlines() == [f"Error: {bad}: {data['results'][1]['reason']}"]
    assert [s[1] for s in snapshots(tmp_path / "e2e.duckdb")] == ["most-popular"]
