"""A file checked against the store's own history (issue 11, points 2 and 3):
``cumulative_weeks_in_top_10`` per title, and files cut at a list boundary.

The files are the real ones (``rawdata``), changed in one place; what each title's count
must be, which lists a file lacks and where lines are, is worked out here from the raw rows
with the csv module, never from chartwatch.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import chartwatch
from chartwatch.ingestion.load import IngestResult
from chartwatch.ingestion.reader import Payload
from chartwatch.store import Store
from conftest import copy_store
from rawdata import COUNTRIES, GLOBAL, POPULAR, label_of, shared_rows

T1 = dt.datetime(2024, 6, 28, tzinfo=dt.UTC)
WEEK = dt.timedelta(days=7)


def ingest(store: Store, name: str, data: bytes) -> IngestResult:
    return chartwatch.ingest_payload(store, Payload(f"test/{name}", name, data, T1, "given"))


def dump(name: str, rows: list[dict[str, str]]) -> bytes:
    """Rows (as the csv module reads them) back into a file like Netflix's."""
    header = list(shared_rows(name)[0])
    return "\n".join(["\t".join(header)] + ["\t".join(r[c] for c in header) for r in rows]).encode()


def changed(name: str, index: int, **cells: str) -> list[dict[str, str]]:
    rows = [dict(r) for r in shared_rows(name)]
    rows[index].update(cells)
    return rows


def checksum(store: Store) -> dict[str, Any]:
    tables = [r[0] for r in store.all("SELECT table_name FROM duckdb_tables() WHERE NOT temporary")]
    return {t: store.one(f'SELECT count(*), sum(hash(t)::HUGEINT) FROM "{t}" t') for t in tables}


@pytest.fixture(scope="module")
def held(_bundled_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A copy of the bundled store for the rejections (each must leave it as it was)."""
    path = tmp_path_factory.mktemp("history") / "store.duckdb"
    copy_store(_bundled_template, path)
    with chartwatch.open_store(path) as store:
        yield store


def rejected(store: Store, name: str, data: bytes) -> IngestResult:
    before = checksum(store)
    result = ingest(store, name, data)
    assert result.status == "rejected", result
    assert result.reason and "\n" not in result.reason
    assert checksum(store) == before
    return result


# -- the title's history, worked out from the raw rows ------------------------------------------
def runs(name: str) -> dict[tuple[str, ...], list[tuple[dt.date, int, int]]]:
    """{(country, category, show, season): [(week, count, row index), …] oldest first}."""
    out: dict[tuple[str, ...], list[tuple[dt.date, int, int]]] = {}
    for i, r in enumerate(shared_rows(name)):
        key = (r.get("country_iso2", ""), r["category"], r["show_title"], r["season_title"])
        week = dt.date.fromisoformat(r["week"])
        out.setdefault(key, []).append((week, int(r["cumulative_weeks_in_top_10"]), i))
    return {k: sorted(v) for k, v in out.items()}


def newest_week_repeat(name: str) -> tuple[int, int, dt.date, int]:
    """A row of the file's newest week whose title was listed the week before:
    (row index, its count, the previous week, the previous count)."""
    newest = max(dt.date.fromisoformat(r["week"]) for r in shared_rows(name))
    for run in runs(name).values():
        if len(run) >= 2 and run[-1][0] == newest and run[-2][0] == newest - WEEK:
            return run[-1][2], run[-1][1], run[-2][0], run[-2][1]
    raise AssertionError("no title listed two weeks running")


# -- cumulative weeks ---------------------------------------------------------------------------
def test_raw_counts_follow_the_weeks_but_for_reused_names() -> None:
    """The rule, read off the raw files: a title's count is one more than at its previous
    listing, except where Netflix reuses a name for another title and counts from 1."""
    for name in (GLOBAL, COUNTRIES):
        again = []
        for key, run in runs(name).items():
            for (_, before, _), (week, count, _) in itertools.pairwise(run):
                if count != before + 1:
                    again.append((key[2], week, count))
        if name == COUNTRIES:
            assert again == []
        else:  # two films called Dhamaka, two called Noise
            assert sorted((t, c) for t, _, c in again) == [("Dhamaka", 1), ("Noise", 1)]
            assert all(run[0][1] == 1 for run in runs(name).values())


def test_a_count_jump_in_a_one_week_file_is_rejected(held: Store) -> None:
    """A file of the newest week only: the count is checked against the weeks the store
    holds, as the file holds none before it."""
    index, count, previous_week, previous = newest_week_repeat(GLOBAL)
    assert count == previous + 1
    newest = shared_rows(GLOBAL)[index]["week"]
    week = [dict(r) for r in shared_rows(GLOBAL) if r["week"] == newest]
    at = next(i for i, r in enumerate(week) if r == shared_rows(GLOBAL)[index])
    week[at]["cumulative_weeks_in_top_10"] = str(previous + 3)
    result = rejected(held, GLOBAL, dump(GLOBAL, week))
    assert result.line == at + 2
    assert f"cumulative_weeks_in_top_10 {previous + 3} for {label_of(week[at])!r}" in result.reason
    assert f"{previous} in the week ending {previous_week}, so {previous + 1}" in result.reason


def test_a_count_jump_in_a_country_list_is_rejected(held: Store) -> None:
    index, count, previous_week, previous = newest_week_repeat(COUNTRIES)
    row = shared_rows(COUNTRIES)[index]
    same = [
        dict(r)
        for r in shared_rows(COUNTRIES)
        if (r["country_iso2"], r["week"]) == (row["country_iso2"], row["week"])
    ]
    at = next(i for i, r in enumerate(same) if r == row)
    same[at]["cumulative_weeks_in_top_10"] = str(count + 1)
    result = rejected(held, COUNTRIES, dump(COUNTRIES, same))
    assert result.line == at + 2
    assert f"{previous} in the week ending {previous_week}, so {previous + 1}" in result.reason
    assert f", {row['country_iso2']})" in result.reason


def test_a_first_listing_counted_as_a_second_is_rejected(held: Store) -> None:
    """In the whole real file: a title listed for the first time, with a count of 2 while
    the store and the file hold every week before it."""
    firsts = [run[0] for run in runs(GLOBAL).values() if run[0][0] > dt.date(2022, 1, 1)]
    _, count, index = min(firsts, key=lambda x: x[2])
    assert count == 1
    result = rejected(
        held, GLOBAL, dump(GLOBAL, changed(GLOBAL, index, cumulative_weeks_in_top_10="2"))
    )
    assert result.line == index + 2
    assert "its first listing there, and every week before it is held, so 1" in result.reason


def without_weeks(name: str, weeks: set[str]) -> list[dict[str, str]]:
    return [dict(r) for r in shared_rows(name) if r["week"] not in weeks]


def test_weeks_the_store_does_not_hold_explain_a_jump() -> None:
    """Three weeks missing from store and file: a title listed on both sides of the hole may
    have been listed in it, so its count may grow by up to 1 + 3; by more it is rejected."""
    weeks = sorted({r["week"] for r in shared_rows(GLOBAL)})
    hole = set(weeks[100:103])
    after = dt.date.fromisoformat(weeks[103])
    rows = without_weeks(GLOBAL, hole)
    # a title listed the week before the hole and, for the last time, the week after it
    for run in runs(GLOBAL).values():
        weeks_of = {w for w, _, _ in run}
        if after - 4 * WEEK in weeks_of and max(weeks_of) == after:  # and no later listing
            before = next(c for w, c, _ in run if w == after - 4 * WEEK)
            row = shared_rows(GLOBAL)[next(i for w, _, i in run if w == after)]
            break
    else:
        raise AssertionError("no title on both sides of the hole")
    at = next(i for i, r in enumerate(rows) if r == row)
    for count in (before + 1, before + 4, before + 5):
        rows[at]["cumulative_weeks_in_top_10"] = str(count)
        with chartwatch.open_store(":memory:") as store:
            result = ingest(store, GLOBAL, dump(GLOBAL, rows))
        if count <= before + 4:
            assert (result.status, result.warnings) == ("accepted", []), result.reason
    assert result.status == "rejected" and result.line == at + 2
    expected = f"{before} in the week ending {after - 4 * WEEK}, so {before + 1} to {before + 4}"
    assert expected in (result.reason or "")


def test_a_count_that_starts_again_the_next_week_is_a_warning(bundled_store: Store) -> None:
    """Netflix counts a reused name from 1 after weeks without it (Dhamaka, Noise: accepted
    silently); from 1 the very week after a listing it is a warning naming the row."""
    for run in runs(GLOBAL).values():
        if len(run) >= 2 and run[-2][0] == run[-1][0] - WEEK and run[-1][1] >= 2:
            week, count, index = run[-1]
            break
    rows = changed(GLOBAL, index, cumulative_weeks_in_top_10="1")
    result = ingest(bundled_store, GLOBAL, dump(GLOBAL, rows))
    assert result.status == "accepted", result.reason
    [warning] = result.warnings
    label = label_of(rows[index])
    assert f"{label!r} in {rows[index]['category']}, week {week}: 1 after {count - 1} " in warning
    assert f"(line {index + 2})" in warning and "another title of the same name?" in warning


# -- files cut at a list boundary ---------------------------------------------------------------
def lists_of(name: str) -> list[list[int]]:
    """Row indexes of each list of the real file, in file order."""
    out: list[list[int]] = []
    for i, r in enumerate(shared_rows(name)):
        if (r.get("weekly_rank") or r.get("rank")) == "1":
            out.append([])
        out[-1].append(i)
    return out


def test_a_global_file_cut_inside_its_oldest_week_is_rejected() -> None:
    """The global file ends with its oldest week; cut at the end of a list, the last week
    lacks a category every other week has. Told from the file alone (an empty store)."""
    last = lists_of(GLOBAL)[-1]
    rows = [dict(r) for r in shared_rows(GLOBAL)[: last[0]]]
    lost = shared_rows(GLOBAL)[last[0]]
    with chartwatch.open_store(":memory:") as store:
        result = ingest(store, GLOBAL, dump(GLOBAL, rows))
    assert result.status == "rejected" and result.line == len(rows) + 1
    assert f"week {lost['week']} has no {lost['category']} list" in (result.reason or "")


def test_a_global_file_cut_at_a_week_boundary_cannot_be_told() -> None:
    """Cut where a week ends, it is a file of fewer weeks: accepted (documented); the store
    keeps the weeks it held."""
    oldest = min(r["week"] for r in shared_rows(GLOBAL))
    rows = without_weeks(GLOBAL, {oldest})
    with chartwatch.open_store(":memory:") as store:
        result = ingest(store, GLOBAL, dump(GLOBAL, rows))
    assert (result.status, result.warnings) == ("accepted", [])


def countries_order() -> list[str]:
    """The countries in file order (the file is sorted by country name)."""
    seen: list[str] = []
    for r in shared_rows(COUNTRIES):
        if not seen or seen[-1] != r["country_iso2"]:
            seen.append(r["country_iso2"])
    return seen


def test_a_country_file_cut_at_a_country_boundary(held: Store) -> None:
    """The last three countries cut away whole: the store holds their lists for the file's
    weeks, after the file's last list in Netflix's order: rejected. In an empty store this
    cannot be told (a file of fewer countries) and is accepted."""
    order = countries_order()
    gone = set(order[-3:])
    rows = [dict(r) for r in shared_rows(COUNTRIES) if r["country_iso2"] not in gone]
    lost = {
        (r["country_iso2"], r["week"], r["category"])
        for r in shared_rows(COUNTRIES)
        if r["country_iso2"] in gone
    }
    result = rejected(held, COUNTRIES, dump(COUNTRIES, rows))
    assert result.line == len(rows) + 1
    last = rows[-1]
    assert (
        f"the file ends with the list {last['category']}, week {last['week']}, "
        f"{last['country_iso2']}, but the store holds {len(lost)} countries lists" in result.reason
    )
    assert "cut at a list boundary" in result.reason
    with chartwatch.open_store(":memory:") as store:
        result = ingest(store, COUNTRIES, dump(COUNTRIES, rows))
    assert (result.status, result.warnings) == ("accepted", [])


def test_a_country_file_cut_inside_its_last_country(held: Store) -> None:
    """Cut after some weeks of the last country: against the store, rejected; alone, the
    last country starts later than the others, which is a warning (a new country would)."""
    last = countries_order()[-1]
    weeks = sorted({r["week"] for r in shared_rows(COUNTRIES)}, reverse=True)
    rows = [
        dict(r)
        for r in shared_rows(COUNTRIES)
        if r["country_iso2"] != last or r["week"] >= weeks[9]
    ]
    result = rejected(held, COUNTRIES, dump(COUNTRIES, rows))
    assert result.line == len(rows) + 1 and "cut at a list boundary" in result.reason
    assert f"holds {2 * (len(weeks) - 10)} countries lists" in result.reason
    with chartwatch.open_store(":memory:") as store:
        result = ingest(store, COUNTRIES, dump(COUNTRIES, rows))
    assert result.status == "accepted"
    [warning] = result.warnings
    assert f"{last} from {weeks[9]} (10 of {len(weeks)} weeks, line " in warning


def test_a_country_missing_from_the_middle_is_a_warning(bundled_store: Store) -> None:
    """A country withdrawn from the middle of the file (not where a cut would take it): its
    lists keep their versions, and a warning names them."""
    rows = [dict(r) for r in shared_rows(COUNTRIES) if r["country_iso2"] != "RU"]
    lost = {(r["week"], r["category"]) for r in shared_rows(COUNTRIES) if r["country_iso2"] == "RU"}
    result = ingest(bundled_store, COUNTRIES, dump(COUNTRIES, rows))
    assert result.status == "accepted", result.reason
    [warning] = result.warnings
    assert warning.startswith(f"{len(lost)} countries lists the store holds for the weeks of")
    assert "RU" in warning
    assert bundled_store.scalar(
        "SELECT count(*) FROM current_rows WHERE country_iso2 = 'RU'"
    ) == 10 * len(lost)


def test_a_country_week_without_its_tv_list_is_rejected() -> None:
    last = lists_of(COUNTRIES)[-1]
    rows = [dict(r) for r in shared_rows(COUNTRIES)[: last[0]]]
    lost = shared_rows(COUNTRIES)[last[0]]
    with chartwatch.open_store(":memory:") as store:
        result = ingest(store, COUNTRIES, dump(COUNTRIES, rows))
    assert result.status == "rejected" and result.line == len(rows) + 1
    assert f"week {lost['week']}, {lost['country_iso2']} has no {lost['category']} list" in (
        result.reason or ""
    )


def test_a_most_popular_file_cut_at_a_list_boundary(held: Store) -> None:
    """The most-popular file has one list per category and no week: against the store's
    lists, a file without its last categories is cut; alone it cannot be told."""
    lists = lists_of(POPULAR)
    rows = [dict(r) for r in shared_rows(POPULAR)[: lists[1][-1] + 1]]
    result = rejected(held, POPULAR, dump(POPULAR, rows))
    assert result.line == len(rows) + 1
    first_lost = shared_rows(POPULAR)[lists[2][0]]["category"]
    assert f"holds {len(lists) - 2} most-popular lists" in result.reason
    assert f"(first: {first_lost})" in result.reason
    with chartwatch.open_store(":memory:") as store:
        assert ingest(store, POPULAR, dump(POPULAR, rows)).status == "accepted"


def test_a_short_list_where_the_store_has_full_ones_is_rejected(held: Store) -> None:
    """A file cut after its fifth line is one list of five ranks: alone, like a file built
    from a small catalogue (a warning); where the store's lists have ten, cut short."""
    rows = [dict(r) for r in shared_rows(COUNTRIES)[:5]]
    result = rejected(held, COUNTRIES, dump(COUNTRIES, rows))
    assert result.line == 6
    assert "has 5 of 10 ranks (ranks 1-5), while the store's countries lists have 10" in (
        result.reason
    )
    with chartwatch.open_store(":memory:") as store:
        result = ingest(store, COUNTRIES, dump(COUNTRIES, rows))
    assert result.status == "accepted" and "fewer than 10 titles" in result.warnings[0]


def test_a_file_of_short_lists_may_lack_a_list_in_a_week() -> None:
    """A file built from a small catalogue (mostly short lists, as `chartwatch build` writes)
    may have weeks without enough titles for a list: only the short-list warning."""
    weeks = sorted({r["week"] for r in shared_rows(GLOBAL)})[-3:]
    rows = [
        dict(r)
        for r in shared_rows(GLOBAL)
        if r["week"] in weeks
        and int(r["weekly_rank"]) <= 3
        and not (r["week"] == weeks[0] and r["category"] == "TV (Non-English)")
    ]
    with chartwatch.open_store(":memory:") as store:
        result = ingest(store, GLOBAL, dump(GLOBAL, rows))
    assert result.status == "accepted", result.reason
    [warning] = result.warnings
    assert warning.startswith("11 of 11 lists have fewer than 10 titles")


def test_a_first_listing_after_weeks_not_held_may_count_them() -> None:
    """Three weeks held by neither store nor file: a title first listed the week after them
    may have been listed in them (a count up to 4); 5 is rejected, naming the bound."""
    weeks = sorted({r["week"] for r in shared_rows(GLOBAL)})
    hole, after = set(weeks[100:103]), dt.date.fromisoformat(weeks[103])
    rows = without_weeks(GLOBAL, hole)
    for run in runs(GLOBAL).values():  # listed once, the week after the hole
        if [w for w, _, _ in run] == [after]:
            row = shared_rows(GLOBAL)[run[0][2]]
            break
    else:
        raise AssertionError("no title listed only the week after the hole")
    at = next(i for i, r in enumerate(rows) if r == row)
    for count, status in (("4", "accepted"), ("5", "rejected")):
        rows[at]["cumulative_weeks_in_top_10"] = count
        with chartwatch.open_store(":memory:") as store:
            result = ingest(store, GLOBAL, dump(GLOBAL, rows))
        assert result.status == status, result.reason
    assert result.line == at + 2
    assert "with 3 earlier weeks held neither by the store nor by the file, so at most 4" in (
        result.reason or ""
    )
