"""The view of the store: derived data kept once per content stamp, never shared between two
stores, retired by a new snapshot, found ready by a new process; the as-of rule on a store
filled today and on a replayed one."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import chartwatch
from chartwatch.analytics.records import records
from chartwatch.analytics.runs import TitleReport, title
from chartwatch.titles.search import search
from chartwatch.view import View, content_stamp, disk
from rawdata import label_of, raw_rows

GLOBAL = "all-weeks-global.tsv"
AOUAD = "All of Us Are Dead: Season 1"


def _global_rows() -> list[dict[str, str]]:
    return raw_rows(GLOBAL)


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    header = list(rows[0])
    lines = ["\t".join(header)] + ["\t".join(r[h] for h in header) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _only_weeks(tmp_path: Path, name: str, weeks: set[str]) -> Path:
    return _write(tmp_path / name, [r for r in _global_rows() if r["week"] in weeks])


def test_two_in_memory_stores_never_share_derived_data(tmp_path: Path) -> None:
    """Two stores labelled ':memory:' with one snapshot each: each finds only its titles."""
    a_file = _only_weeks(tmp_path, "a.tsv", {"2022-01-30"})
    b_file = _only_weeks(tmp_path, "b.tsv", {"2021-09-19"})
    a_titles = {label_of(r) for r in raw_rows(GLOBAL) if r["week"] == "2022-01-30"}
    b_titles = {label_of(r) for r in raw_rows(GLOBAL) if r["week"] == "2021-09-19"}
    only_b = sorted(b_titles - a_titles)[0]
    with chartwatch.open_store(":memory:") as a, chartwatch.open_store(":memory:") as b:
        chartwatch.ingest(a, [a_file])
        chartwatch.ingest(b, [b_file])
        assert a.label == b.label == ":memory:"
        va, vb = View.of(a), View.of(b)
        assert va.titles is not vb.titles
        assert {t.label for t in va.titles.titles.values()} == a_titles
        assert {t.label for t in vb.titles.titles.values()} == b_titles
        assert not [h for h in search(va.titles, only_b) if h.name == only_b]
        assert [h for h in search(vb.titles, only_b) if h.name == only_b]


def test_two_file_stores_in_one_process_never_share(tmp_path: Path) -> None:
    first = _only_weeks(tmp_path, "a.tsv", {"2022-01-30"})
    second = _only_weeks(tmp_path, "b.tsv", {"2022-01-30", "2022-02-06"})
    with (
        chartwatch.open_store(tmp_path / "a.duckdb") as a,
        chartwatch.open_store(tmp_path / "b.duckdb") as b,
    ):
        chartwatch.ingest(a, [first])
        chartwatch.ingest(b, [second])
        ra = title(View.of(a), "all of us are dead")
        rb = title(View.of(b), "all of us are dead")
        assert isinstance(ra, TitleReport) and isinstance(rb, TitleReport)
        assert (ra.weeks_in_top10, rb.weeks_in_top10) == (1, 2)
        assert disk.folder(View.of(a)) != disk.folder(View.of(b))


def test_a_new_snapshot_changes_the_answers_and_retires_old_derived_data(tmp_path: Path) -> None:
    with chartwatch.open_store(tmp_path / "s.duckdb") as store:
        chartwatch.ingest(store, [_only_weeks(tmp_path, "a.tsv", {"2022-01-30"})])
        before = View.of(store)
        assert View.of(store) is before  # the same content: the same view, nothing derived again
        assert title(before, "all of us are dead").weeks_in_top10 == 1  # type: ignore[union-attr]
        old_folder = disk.folder(before)
        assert old_folder is not None and (old_folder / "facts.json").is_file()
        chartwatch.ingest(
            store, [_only_weeks(tmp_path, "b.tsv", {"2022-01-30", "2022-02-06", "2022-02-13"})]
        )
        after = View.of(store)
        assert after.stamp != before.stamp and after is not before
        assert title(after, "all of us are dead").weeks_in_top10 == 3  # type: ignore[union-attr]
        assert not old_folder.parent.exists()  # the old stamp's folder is gone


def test_the_stamp_is_the_content_not_a_count_or_a_label(tmp_path: Path) -> None:
    """Same number of snapshots, same label: different content, different stamps."""
    with chartwatch.open_store(":memory:") as a, chartwatch.open_store(":memory:") as b:
        chartwatch.ingest(a, [_only_weeks(tmp_path, "a.tsv", {"2022-01-30"})])
        chartwatch.ingest(b, [_only_weeks(tmp_path, "b.tsv", {"2022-02-06"})])
        assert content_stamp(a) != content_stamp(b)


def test_a_new_process_finds_the_derived_data_ready(bundled_db: Path) -> None:
    """The first command derives and writes beside the store; the next reads it back
    unchanged (no file rewritten) and gives the same answer."""
    env = {**os.environ, "CHARTWATCH_DB": str(bundled_db)}
    command = [sys.executable, "-m", "chartwatch", "title", "all of us are dead", "--json"]
    first = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    derived = Path(str(bundled_db) + ".derived")
    files = {p: p.stat().st_mtime_ns for p in derived.rglob("*") if p.is_file()}
    assert any(p.name == "titles.json" for p in files)
    second = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    assert json.loads(second.stdout) == json.loads(first.stdout)
    assert {p: p.stat().st_mtime_ns for p in derived.rglob("*") if p.is_file()} == files


def test_prepare_leaves_the_original_names_ready(bundled_db: Path) -> None:
    """`chartwatch prepare` derives what `check` and search read at start, the reports'
    original-language names among it, so the first check after it reads them from disk."""
    env = {**os.environ, "CHARTWATCH_DB": str(bundled_db)}
    subprocess.run(
        [sys.executable, "-m", "chartwatch", "prepare", "--core-only"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    derived = Path(str(bundled_db) + ".derived")
    names = [p for p in derived.rglob("original_names.json")]
    assert len(names) == 1
    kept = json.loads(names[0].read_text())
    assert any(name.lower() == "la casa de papel" for name, *_ in kept)


# -- the as-of rule ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "listed"),
    [("2022-01-31", False), ("2022-02-01", True), ("2022-02-02", True)],
)
def test_records_as_of_on_a_store_filled_today(tmp_path: Path, day: str, listed: bool) -> None:
    """The issue's example: `records --as-of 2022-02-02 --category "TV (Non-English)"` on a
    store ingested today answers from the weeks published by then, reconstructed."""
    rows = _global_rows()
    path = _write(tmp_path / "g.tsv", rows)
    with chartwatch.open_store(tmp_path / "today.duckdb") as store:
        [result] = chartwatch.ingest(store, [path], observed_at=dt.datetime.now(dt.UTC))
        assert result.status == "accepted"
        view = View.of(store, dt.date.fromisoformat(day))
        board = records(view, "debut_hours", category="TV (Non-English)", top=100)
        shows = [e.season or e.show for e in board.entries]
        assert (AOUAD in shows) is listed
        assert board.to_dict()["reconstructed"] is True
        assert board.to_dict()["first_observed"] == dt.datetime.now(dt.UTC).date().isoformat()
        # expected from the raw file: debuts published by then, the record first
        published = dt.date.fromisoformat(day) - dt.timedelta(days=2)
        tv = [r for r in rows if r["category"] == "TV (Non-English)"]
        first: dict[str, dict[str, str]] = {}
        for r in sorted(tv, key=lambda r: r["week"]):
            first.setdefault(label_of(r), r)
        start = min(r["week"] for r in rows)
        debuts = [r for r in first.values() if start < r["week"] <= published.isoformat()]
        best = max(debuts, key=lambda r: int(r["weekly_hours_viewed"]))
        assert board.entries[0].value == int(best["weekly_hours_viewed"])
        assert len(board.entries) == min(100, len(debuts))


def test_a_row_revised_after_the_date(replayed_store) -> None:
    """Netflix renamed `Ozark: Season 4 Part 1` to `Ozark: Season 4` in April 2022: a view
    of the replayed store before that shows the label as published then."""
    before = View.of(replayed_store, dt.date(2022, 3, 3))  # fetched 03-02
    after = View.of(replayed_store)
    old = "Ozark: Season 4 Part 1"
    assert before.resolve(old).label == old  # type: ignore[union-attr]
    assert after.resolve(old).label == "Ozark: Season 4"  # type: ignore[union-attr]
    assert before.reconstructed is False


def test_a_running_server_answers_from_the_new_snapshot(tmp_path: Path) -> None:
    """No restart: the next request after an ingest reads a new view of the new content."""
    from fastapi.testclient import TestClient

    from chartwatch.web.app import create_app

    db = tmp_path / "served.duckdb"
    with chartwatch.open_store(db) as store:
        chartwatch.ingest(store, [_only_weeks(tmp_path, "a.tsv", {"2022-01-30"})])
    with TestClient(create_app(db)) as client:
        address = "/api/v1/title?q=all%20of%20us%20are%20dead"
        assert client.get(address).json()["weeks_in_top10"] == 1
        with chartwatch.open_store(db) as store:
            weeks = {"2022-01-30", "2022-02-06", "2022-02-13"}
            chartwatch.ingest(store, [_only_weeks(tmp_path, "b.tsv", weeks)])
        # the server takes (and prepares) a new copy in the background: within seconds
        deadline = time.monotonic() + 60
        while client.get(address).json()["weeks_in_top10"] != 3:
            assert time.monotonic() < deadline, "the server kept answering from the old copy"
            time.sleep(0.1)


def test_a_week_from_the_views_memory_is_the_weeks_query(bundled_db: Path) -> None:
    """A server's week pages read the current view's global rows from memory once its core
    is loaded; a command asks the store for the one week. Both give the same chart."""
    from chartwatch import lists

    with (
        chartwatch.open_store(bundled_db, read_only=True) as a,
        chartwatch.open_store(bundled_db, read_only=True) as b,
    ):
        asked, held = View.of(a), View.of(b)
        weeks = sorted(held.core.global_weeks)  # loads b's core: its weeks come from memory
        assert asked.peek("core") is None
        for week in [*weeks[::7], weeks[-1]]:
            for category in (None, "TV (Non-English)"):
                got = lists.week(held, week=week, category=category).to_dict()
                assert got == lists.week(asked, week=week, category=category).to_dict()
        assert held.peek("global_week_rows") is not None
        assert asked.peek("core") is None and asked.peek("global_week_rows") is None


def test_processes_preparing_one_store_together_prepare_it_once(
    bundled_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`serve --workers N` starts N servers on a new copy at once: one prepares the store
    (a `chartwatch prepare` process), the others wait for it and find the data ready."""
    import subprocess as sp
    import threading

    from chartwatch.prepare import is_prepared, prepare_beside
    from chartwatch.store.store import open_snapshot

    started: list[list[str]] = []
    real = sp.Popen

    def counted(args: list[str], **kwargs: object) -> sp.Popen[bytes]:
        started.append(args)
        return real(args, **kwargs)  # type: ignore[call-overload, no-any-return]

    monkeypatch.setattr(sp, "Popen", counted)
    shutil.rmtree(Path(str(bundled_db) + ".derived"))  # as a store filled just now
    stores = [open_snapshot(bundled_db) for _ in range(3)]
    assert not is_prepared(View.of(stores[0]), forecasts=False)
    workers = [
        threading.Thread(target=prepare_beside, args=(s,), kwargs={"forecasts": False})
        for s in stores
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=300)
    assert len(started) == 1 and started[0][-1] == "--core-only"
    assert all(is_prepared(View.of(s), forecasts=False) for s in stores)
    for s in stores:
        s.close()
