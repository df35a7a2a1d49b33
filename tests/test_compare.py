"""``compare``: titles side by side, checked against the raw global TSV read with csv."""

from __future__ import annotations

import datetime as dt
import json
from functools import cache

import pytest

from chartwatch.analytics.compare import compare
from chartwatch.errors import AmbiguousTitleError, NotFoundError, UsageError
from chartwatch.view import View
from rawdata import GLOBAL, global_run, label_of, num, shared_rows

AOUAD = "All of Us Are Dead: Season 1"
SQUID = "Squid Game: Season 1"
REINDEER = "Baby Reindeer: Limited Series"
BODY = "3 Body Problem: Season 1"


@cache
def raw_run(label: str) -> list[dict[str, object]]:
    """The title's weeks in the raw global file: week_end, rank, hours, views, week number."""
    rows = global_run(label)
    assert rows, label
    first = dt.date.fromisoformat(rows[0]["week"])
    out = []
    for r in rows:
        week = dt.date.fromisoformat(r["week"])
        out.append(
            {
                "week_end": week,
                "week_number": (week - first).days // 7 + 1,
                "rank": int(r["weekly_rank"]),
                "hours_viewed": num(r["weekly_hours_viewed"]),
                "views": num(r["weekly_views"]),
            }
        )
    return out


@cache
def raw_first_week() -> dt.date:
    return min(dt.date.fromisoformat(r["week"]) for r in shared_rows(GLOBAL))


def expected_rows(labels: list[str], column: str, align: str) -> list[dict[str, object]]:
    key = "week_number" if align == "debut" else "week_end"
    table: dict[object, dict[str, object]] = {}
    for label in labels:
        for w in raw_run(label):
            table.setdefault(w[key], {})[label] = w[column]
    return [
        {"week": k, **{label: table[k].get(label) for label in labels}}
        for k in sorted(table)  # type: ignore[type-var]
    ]


def test_debut_alignment_hours_match_the_raw_file(bundled_store):
    result = compare(View.of(bundled_store), ["All of Us Are Dead", "Squid Game: Season 1"])
    assert [t.label for t in result.titles] == [AOUAD, SQUID]
    assert result.rows == expected_rows([AOUAD, SQUID], "hours_viewed", "debut")
    week1, week2 = result.rows[0], result.rows[1]
    assert (week1["week"], week1[AOUAD], week1[SQUID]) == (1, 124790000, 63190000)
    # week 2 is the week after each title's own debut, from the raw file
    assert week2[AOUAD] == raw_run(AOUAD)[1]["hours_viewed"] == 236230000
    assert week2[SQUID] == raw_run(SQUID)[1]["hours_viewed"] == 448730000
    assert raw_run(AOUAD)[1]["week_end"] == dt.date(2022, 2, 6)
    assert raw_run(SQUID)[1]["week_end"] == dt.date(2021, 9, 26)
    aouad, squid = result.titles
    assert aouad.debut_known and aouad.debut_week_end == dt.date(2022, 1, 30)
    assert squid.debut_week_end == raw_run(SQUID)[0]["week_end"]
    assert aouad.weeks_in_top10 == len(raw_run(AOUAD))
    assert aouad.category == "TV (Non-English)"
    assert result.notes == []


def test_calendar_alignment_by_week_ending(bundled_store):
    result = compare(View.of(bundled_store), [AOUAD, SQUID], align="calendar")
    expected = expected_rows([AOUAD, SQUID], "hours_viewed", "calendar")
    assert result.rows == expected
    first = min(raw_run(SQUID)[0]["week_end"], raw_run(AOUAD)[0]["week_end"])  # type: ignore[type-var]
    assert result.rows[0]["week"] == first
    # the JSON has ISO dates for the weeks
    rows = result.to_dict()["rows"]
    assert rows[0]["week"] == first.isoformat()
    assert json.loads(json.dumps(result.to_dict())) == result.to_dict()


def test_rank_metric(bundled_store):
    result = compare(View.of(bundled_store), [REINDEER, BODY, AOUAD], metric="rank")
    assert result.rows == expected_rows([REINDEER, BODY, AOUAD], "rank", "debut")
    assert result.rows[0][AOUAD] == 1
    # all three are TV (English/Non-English): ranks are within each list, and it says so
    assert any("own list" in n for n in result.notes)


def test_views_metric_for_titles_from_the_views_era(bundled_store):
    result = compare(View.of(bundled_store), ["baby reindeer", "3 body problem"], metric="views")
    expected = expected_rows([REINDEER, BODY], "views", "debut")
    assert result.rows == expected
    assert all(v is not None for w in raw_run(REINDEER) for v in [w["views"]])
    assert result.rows[0][REINDEER] == raw_run(REINDEER)[0]["views"]


def test_views_of_a_2021_title_is_a_clear_error(bundled_store):
    assert all(w["views"] is None for w in raw_run(SQUID)[:10])
    with pytest.raises(NotFoundError) as info:
        compare(View.of(bundled_store), [REINDEER, "All of Us Are Dead"], metric="views")
    message = str(info.value)
    assert "2023-06-18" in message and AOUAD in message and "--metric hours" in message
    assert REINDEER not in message  # that one has views for every week


def test_title_running_in_the_first_week_has_no_known_debut(bundled_store):
    # Fatherhood is listed in the first week of the raw file
    assert raw_run("Fatherhood")[0]["week_end"] == raw_first_week()
    result = compare(View.of(bundled_store), ["Fatherhood", AOUAD])
    father = result.titles[0]
    assert father.debut_known is False and father.debut_week_end is None
    assert father.first_week_end == raw_first_week()
    assert len(result.notes) == 1 and "Fatherhood" in result.notes[0]
    assert "not from its debut" in result.notes[0]
    data = result.to_dict()
    assert data["titles"][0]["debut_known"] is False
    assert data["titles"][0]["debut_week_end"] is None
    # aligned by calendar there is nothing to warn about
    assert compare(View.of(bundled_store), ["Fatherhood", AOUAD], align="calendar").notes == []


def test_a_show_with_several_installments_asks_for_one(bundled_store):
    ozark = {label_of(r) for r in shared_rows(GLOBAL) if r["show_title"] == "Ozark"}
    assert len(ozark) == 4
    with pytest.raises(AmbiguousTitleError) as info:
        compare(View.of(bundled_store), ["Ozark", AOUAD])
    assert "installments" in str(info.value)
    for label in ozark:
        assert any(c.startswith(label + " (") for c in info.value.candidates)


@pytest.mark.parametrize(
    ("queries", "options", "message"),
    [
        ([AOUAD], {}, "at least two"),
        ([AOUAD, "all of us are dead"], {}, "same title"),
        ([AOUAD, SQUID], {"metric": "minutes"}, "metric: "),
        ([AOUAD, SQUID], {"align": "premiere"}, "align: "),
    ],
)
def test_usage_errors(bundled_store, queries, options, message):
    """Each error names its keyword (``parameter``): the CLI says it as a flag."""
    with pytest.raises(UsageError, match=message) as info:
        compare(View.of(bundled_store), queries, **options)
    if options:
        (keyword,) = options
        assert info.value.parameter == keyword
        assert info.value.for_cli().startswith(f"--{keyword}: ")


def test_long_table_for_notebooks(bundled_store):
    result = compare(View.of(bundled_store), [AOUAD, SQUID])
    df = result.to_pandas()
    assert len(df) == len(raw_run(AOUAD)) + len(raw_run(SQUID))
    assert list(df.columns) == [
        "label",
        "week_number",
        "week_end",
        "rank",
        "hours_viewed",
        "views",
    ]
    mine = df[df.label == SQUID].sort_values("week_end")
    assert mine.hours_viewed.tolist() == [w["hours_viewed"] for w in raw_run(SQUID)]
    assert mine.week_number.tolist() == [w["week_number"] for w in raw_run(SQUID)]
    assert result.to_arrow().num_rows == len(df)


# -- CLI -------------------------------------------------------------------------------------


def test_cli_json(cli):
    # $CHARTWATCH_DB starts empty: the bundled data loads on first use
    result = cli("compare", "all of us are dead", "squid game season 1", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data) == [
        "metric",
        "align",
        "as_of",
        "reconstructed",
        "first_observed",
        "titles",
        "rows",
        "notes",
    ]
    assert (data["metric"], data["align"], data["as_of"]) == ("hours", "debut", None)
    assert list(data["titles"][0]) == [
        "label",
        "column",
        "show",
        "film",
        "category",
        "first_week_end",
        "last_week_end",
        "debut_week_end",
        "debut_known",
        "weeks_in_top10",
        "key",
        "stretches",
    ]
    # unbroken stretches as week numbers: the first is the run, the others re-entries
    assert data["titles"][1]["stretches"][0][0] == 1 and len(data["titles"][1]["stretches"]) > 1
    assert data["rows"][0] == {"week": 1, AOUAD: 124790000, SQUID: 63190000}
    assert data["rows"][1] == {
        "week": 2,
        AOUAD: raw_run(AOUAD)[1]["hours_viewed"],
        SQUID: raw_run(SQUID)[1]["hours_viewed"],
    }


def test_cli_table(cli, bundled_db):
    args = ["fatherhood", "all of us are dead", "--metric", "rank", "--db", bundled_db]
    result = cli("compare", *args)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Fatherhood" in out and AOUAD in out
    assert f"#{raw_run(AOUAD)[0]['rank']}" in out
    assert "already in the Top 10 in the first week" in " ".join(out.split())


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["ozark", "all of us are dead"], 1, "installments"),
        (["zqzqzqzq", "all of us are dead"], 1, "no title matches"),
        (["squid game season 1", "all of us are dead", "--metric", "views"], 1, "2023-06-18"),
        (["squid game season 1", "all of us are dead", "--metric", "minutes"], 2, "--metric"),
        (["squid game season 1", "all of us are dead", "--align", "x"], 2, "--align"),
        (["squid game season 1", "all of us are dead", "--as-of", "2022-02-30"], 2, "--as-of"),
        (["squid game season 1"], 2, "at least two"),
    ],
)
def test_cli_exit_codes(cli, bundled_db, args, code, message):
    result = cli("compare", *args, "--db", bundled_db)
    assert result.exit_code == code
    assert message in result.stderr
    assert result.stdout == ""
