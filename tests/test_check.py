"""``chartwatch check``: the seed article and a corpus of 89 sentences, each verdict
derived from the raw files (``rawdata``: csv/gzip), never from chartwatch's output."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chartwatch.check import check
from chartwatch.check.values import _MONTHS, NUMBER_RE, _day, number, parse_day
from rawdata import COUNTRIES, GLOBAL, POPULAR, label_of, shared_rows

CLAIMS = Path(__file__).parent / "data" / "claims"
VIEWS_FROM = "2023-06-18"


# -- the raw files, read with the standard library ----------------------------------------


@cache
def _runs() -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = {}
    for r in sorted(shared_rows(GLOBAL), key=lambda r: r["week"]):
        out.setdefault(label_of(r), []).append(r)
    return out


def run(title: str) -> list[dict[str, str]]:
    """A label's rows in the raw global file, oldest week first."""
    return _runs().get(title, [])


def val(row: dict[str, str], unit: str) -> int | None:
    cell = row["weekly_views" if unit == "views" else "weekly_hours_viewed"]
    return int(cell) if cell not in ("", "N/A") else None


def close(stated: float, step: float, actual: float | None, qual: str = "exact") -> bool:
    if actual is None:
        return False
    if qual == "below":
        return stated * 0.9 <= actual <= stated + step / 2
    return abs(actual - stated) <= step / 2


@cache
def country_rows(title: str) -> list[dict[str, str]]:
    return [r for r in shared_rows(COUNTRIES) if label_of(r) == title]


def last_week(name: str) -> str:
    return max(r["week"] for r in shared_rows(name))


def first_week() -> str:
    return min(r["week"] for r in shared_rows(GLOBAL))


def debut_value(title: str) -> tuple[str, int]:
    first = run(title)[0]
    unit = "views" if first["week"] >= VIEWS_FROM else "hours"
    return unit, val(first, unit) or 0


def expected(spec: dict[str, Any]) -> str:
    """The verdict a claim must get, from the raw rows (worked out once per claim)."""
    return _expected(json.dumps(spec, sort_keys=True))


@cache
def _expected(key: str) -> str:
    spec = json.loads(key)
    q = spec["q"]
    if q == "fig":
        rows = run(spec["t"])
        w, unit = spec["w"], spec["u"]
        other = "hours" if unit == "views" else "views"
        chosen = {"debut": rows[:1], "week2": rows[1:2]}.get(w) or [
            r for r in rows if r["week"] == w
        ]
        values = [val(r, unit) for r in chosen]
        if None in values:
            alt = sum(val(r, other) or 0 for r in chosen)
            return "misleading" if close(spec["v"], spec["step"], alt) else "unverifiable"
        if close(spec["v"], spec["step"], sum(v or 0 for v in values), spec["qual"]):
            return "true"
        if close(spec["v"], spec["step"], sum(val(r, other) or 0 for r in chosen)):
            return "misleading"
        if any(close(spec["v"], spec["step"], val(r, unit)) for r in rows if r not in chosen):
            return "misleading"
        return "false"
    if q == "rank":
        rows = run(spec["t"])
        if spec["w"] == "peak":
            ranks = [int(r["weekly_rank"]) for r in rows]
            return "true" if spec["r"] in ranks else "false"
        row = rows[0] if spec["w"] == "debut" else next(r for r in rows if r["week"] == spec["w"])
        if int(row["weekly_rank"]) == spec["r"]:
            return "true"
        no1_there = [
            c
            for c in country_rows(spec["t"])
            if c["week"] == row["week"] and c["weekly_rank"] == "1"
        ]
        return "misleading" if spec["r"] == 1 and no1_there else "false"
    if q == "dur":
        rows = run(spec["t"])
        no1 = sum(r["weekly_rank"] == "1" for r in rows)
        top10 = max(int(r["cumulative_weeks_in_top_10"]) for r in rows)
        mine, other = (no1, top10) if spec["pos"] == "no1" else (top10, no1)
        return "true" if spec["v"] == mine else "misleading" if spec["v"] == other else "false"
    if q in ("ctry", "named"):
        crows = [r for r in country_rows(spec["t"]) if r["weekly_rank"] == "1"]
        weeks = spec["weeks"] or sorted({r["week"] for r in country_rows(spec["t"])})
        assert max(weeks) <= last_week(COUNTRIES)
        chosen = [r for r in crows if r["week"] in weeks]
        if q == "named":
            have = {r["country_iso2"] for r in chosen}
            return "true" if set(spec["isos"]) <= have else "false"
        if spec["source"]:
            return "unverifiable"
        per_week = Counter(r["week"] for r in chosen)
        distinct = len({r["country_iso2"] for r in chosen})
        if spec["v"] in per_week.values():
            return "true"
        if spec["v"] == distinct:
            return "true" if spec["weeks"] else "misleading"
        return "false"
    if q == "rec":
        title = spec["t"]
        unit, mine = debut_value(title)
        week, category = run(title)[0]["week"], run(title)[0]["category"]
        starts: dict[str, str] = {}
        for r in shared_rows(GLOBAL):
            if r["category"] == category:
                lab = label_of(r)
                starts[lab] = min(starts.get(lab, r["week"]), r["week"])
        debuts = [
            debut_value(lab)[1]
            for lab, start in starts.items()
            if first_week() < start <= week and (unit == "hours" or start >= VIEWS_FROM)
        ]
        if mine >= max(debuts):
            return "true"
        if spec["beaten"] and debut_value(spec["beaten"])[1] < mine:
            return "misleading"
        return "false"
    if q in ("pop", "poprec"):
        rows = shared_rows(POPULAR)
        row = next(r for r in rows if label_of(r) == spec["t"])
        if q == "poprec":
            return "true" if row["rank"] == "1" else "false"
        col = "views_first_91_days" if spec["u"] == "views" else "hours_viewed_first_91_days"
        alt = "hours_viewed_first_91_days" if spec["u"] == "views" else "views_first_91_days"
        if close(spec["v"], spec["step"], int(row[col])):
            return "true"
        return "misleading" if close(spec["v"], spec["step"], int(row[alt])) else "false"
    if q == "rel":
        end = dt.date.fromisoformat(run(spec["t"])[0]["week"])
        day = dt.date.fromisoformat(spec["date"])
        if day > end:
            return "false"
        return "true" if end - dt.timedelta(days=6) <= day else "unverifiable"
    if q == "cmp":
        a, b = debut_value(spec["a"])[1], debut_value(spec["b"])[1]
        if spec["ratio"]:
            return "true" if abs(a / b / spec["ratio"] - 1) <= 0.1 else "false"
        return "true" if (a > b) == (spec["dir"] == "more") else "false"
    if q == "unv":
        if spec["why"] == "uncovered":
            name = COUNTRIES if spec["list"] == "countries" else GLOBAL
            if "week" in spec:
                assert spec["week"] > last_week(name)
            else:  # the title's whole run is after the lists
                assert run(spec["t"])[0]["week"] > last_week(name)
        return "unverifiable"
    raise AssertionError(q)


# -- the tests ----------------------------------------------------------------------------


def corpus() -> list[dict[str, Any]]:
    lines = (CLAIMS / "corpus.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_corpus_is_balanced() -> None:
    entries = corpus()
    assert len(entries) >= 80
    verdicts = Counter(expected(c) for e in entries for c in e["claims"])
    assert verdicts["true"] >= 20 and verdicts["false"] >= 20
    assert verdicts["misleading"] >= 15 and verdicts["unverifiable"] >= 10
    kinds = {c["kind"] for e in entries for c in e["claims"]}
    assert kinds == {"rank", "figure", "record", "countries", "duration", "release", "comparison"}
    styles = {e["style"] for e in entries}
    assert styles == {"news", "trade", "press", "fan"}
    # every list, both ranking regimes, hours and views
    titles = {c.get("t") for e in entries for c in e["claims"]} - {None}
    cats = {run(t)[0]["category"] for t in titles if run(t)}
    assert len(cats) == 4
    weeks = [run(t)[0]["week"] for t in titles if run(t)]
    assert min(weeks) < "2023-06-11" and max(weeks) >= VIEWS_FROM
    assert {c.get("u") for e in entries for c in e["claims"]} >= {"hours", "views"}


def test_corpus_written_verdicts_match_raw() -> None:
    """Each verdict written in the corpus is the one the raw files give."""
    for e in corpus():
        for c in e["claims"]:
            if c["expect"] is not None:
                assert expected(c) == c["expect"], (e["text"], c)


@pytest.fixture(scope="module")
def outcomes(bundled) -> list[tuple[str, dict[str, Any], str | None]]:
    out = []
    for e in corpus():
        as_of = dt.date.fromisoformat(e["as_of"]) if "as_of" in e else None
        found = check(bundled, e["text"], as_of=as_of).claims
        used: set[int] = set()
        for spec in e["claims"]:
            got = next(
                (i for i, c in enumerate(found) if i not in used and c.kind == spec["kind"]),
                None,
            )
            if got is not None:
                used.add(got)
            out.append((e["text"], spec, found[got].verdict if got is not None else None))
        if not e["claims"]:
            assert found == [], e["text"]
    return out


def test_corpus_accuracy(outcomes) -> None:
    right = sum(expected(spec) == verdict for _, spec, verdict in outcomes)
    wrong = [(t, s["kind"], expected(s), v) for t, s, v in outcomes if expected(s) != v]
    assert right / len(outcomes) >= 0.95, wrong


def test_a_list_of_countries_ends_with_its_last_country(bundled) -> None:
    """The named countries end at the last country, not at the next sentence's first
    word (``…and Philippines.\nAccording``), nor at a word after the name."""
    text = (
        "All of Us Are Dead reached the No. 1 position in 64 countries and territories "
        "including the US, Canada, United Kingdom and Philippines.\nAccording to Netflix, "
        "it was big.\nIt was No. 1 in the US, Canada and United Kingdom Monday.\n"
    )
    named = [c for c in check(bundled, text).claims if "Canada" in c.text]
    assert [c.text for c in named] == [
        "including the US, Canada, United Kingdom and Philippines",
        "was No. 1 in the US, Canada and United Kingdom",
    ]
    for c in named:
        assert text[c.start : c.end] == c.text
        assert c.stated["countries"][:2] == ["US", "CA"]


def test_seed_article(bundled) -> None:
    text = (CLAIMS / "seed-article.txt").read_text(encoding="utf-8")
    claims = check(bundled, text).claims
    by = {(c.kind, c.text.split()[0]): c for c in claims}
    aoud, sg = run("All of Us Are Dead: Season 1"), run("Squid Game: Season 1")
    fig124 = next(c for c in claims if c.kind == "figure" and "124.79" in c.text)
    assert fig124.verdict == "true" and fig124.actual == val(aoud[0], "hours")
    fig63 = next(c for c in claims if c.kind == "figure" and "63.19" in c.text)
    assert fig63.verdict == "true" and fig63.actual == val(sg[0], "hours")
    assert fig63.title == "Squid Game: Season 1"
    record = next(c for c in claims if c.kind == "record")
    assert record.verdict == "misleading"
    holder = max(
        (run(lab)[0] for lab in {label_of(r) for r in shared_rows(GLOBAL)}
         if run(lab)[0]["category"] == "TV (Non-English)"
         and first_week() < run(lab)[0]["week"] <= aoud[0]["week"]),
        key=lambda r: val(r, "hours") or 0,
    )  # fmt: skip
    assert label_of(holder) == "Money Heist: Part 5"
    assert "Money Heist: Part 5" in record.explanation
    assert any(e.title == "Money Heist: Part 5" and e.figure == val(holder, "hours")
               for e in record.evidence)  # fmt: skip
    count = next(c for c in claims if c.kind == "countries" and "64" in c.text)
    weeks = ["2022-01-30", "2022-02-06"]
    no1 = [r for r in country_rows("All of Us Are Dead: Season 1") if r["weekly_rank"] == "1"]
    per_week = [sum(r["week"] == w for r in no1) for w in weeks]
    distinct = len({r["country_iso2"] for r in no1 if r["week"] in weeks})
    assert per_week == [29, 63]
    assert count.verdict == "unverifiable"
    assert count.actual == {
        "by_week": dict(zip(weeks, per_week, strict=True)),
        "distinct": distinct,
    }
    assert "FlixPatrol" in count.explanation and f"{distinct} distinct" in count.explanation
    assert ("consistent" if per_week[1] <= 64 <= distinct else "inconsistent") in count.explanation
    for c in claims:
        assert text[c.start : c.end] == c.text
    ranks = [c for c in claims if c.kind == "rank"]
    assert [c.verdict for c in ranks] == ["true", "true"]
    assert by[("release", "Released")].verdict == "true"


def test_json_is_the_report_as_dumped(bundled) -> None:
    """``check --json`` writes exactly ``json.dumps(report.to_dict(), indent=2)``, though
    it encodes what claims share once: for the seed article repeated (its judgements
    shared), corpus sentences with and without claims, and an empty report."""
    from chartwatch.render.check import check_json

    seed = (CLAIMS / "seed-article.txt").read_text(encoding="utf-8")
    texts = [seed * 3, "Nothing to see here."] + [e["text"] for e in corpus()[:25]]
    for text in texts:
        report = check(bundled, text)
        expected = json.dumps(report.to_dict(), indent=2, ensure_ascii=False, default=str)
        assert check_json(report) == expected


def test_terminal_view_lays_out_repeated_lines_once(bundled) -> None:
    """The marked text and its verdict lines print exactly as a Group of the same Texts
    would, colours included, though each repeated line is laid out once."""
    import io

    from rich.console import Console, Group

    from chartwatch.render.check import check_view

    text = (CLAIMS / "seed-article.txt").read_text(encoding="utf-8") * 15  # claims [1]-[120]
    view = check_view(text, check(bundled, text))

    def printed(renderable: object, width: int) -> str:
        out = io.StringIO()
        console = Console(file=out, width=width, force_terminal=True, color_system="truecolor")
        console.print(renderable)
        return out.getvalue()

    for width in (72, 24):  # the claims' lines, laid out once per shape, numbered each
        laid = printed(view, width)
        assert laid == printed(Group(*view.parts), width)  # type: ignore[attr-defined]
        assert "\x1b[" in laid and "MISLEADING" in laid and "[120]" in laid


def test_country_rows_read_in_one_go_are_those_read_one_by_one(bundled_db) -> None:
    """The view core's ``read_countries`` (one pass over its Parquet file for the titles a
    text names) gives each title the rows a read of that title alone gives, and the rows
    of the whole file, in order."""
    import chartwatch
    from chartwatch.view import View

    with chartwatch.open_store(bundled_db, read_only=True) as store:
        whole = View.of(store).core.country_rows  # derived, written beside the store
        keys = sorted(k for k, rows in whole.items() if rows)[:20]
    with chartwatch.open_store(bundled_db, read_only=True) as store:
        core = View.of(store).core
        assert not isinstance(core._countries, list)  # read from disk, a title at a time
        alone = {k: core.title_countries(*k) for k in keys[:4]}
    with chartwatch.open_store(bundled_db, read_only=True) as store:
        core = View.of(store).core
        core.read_countries(keys)
        assert all(core.title_countries(*k) == rows for k, rows in alone.items())
        assert all(core.title_countries(*k) == whole[k] for k in keys)
        assert "country_rows" not in core.__dict__  # the whole file was never read
    assert len(keys) == 20


def test_wrong_unit(bundled) -> None:
    text = "“All of Us Are Dead” garnered 124.79 million views for the period Jan. 24 to 30."
    (claim,) = check(bundled, text).claims
    assert claim.verdict == "misleading" and "unit" in claim.explanation.lower()
    assert claim.evidence[0].figure == val(run("All of Us Are Dead: Season 1")[0], "hours")


def test_typo_and_second_season(bundled) -> None:
    (claim,) = check(bundled, "“Stranger Thngs 4” spent 19 weeks in the top 10.").claims
    assert claim.title == "Stranger Things 4" and claim.verdict == "true"
    text = "The second season of Bridgerton drew 656.16 million hours in its first 28 days."
    (claim,) = check(bundled, text).claims
    assert claim.title == "Bridgerton: Season 2"


@pytest.mark.parametrize(
    "text",
    [
        "Squid Game topped the chart in Netflix TV (Non-English) for Sept. 20-26, 2021.",
        "Squid Game tops the chart.",
        "Squid Game took first place among non-English TV shows for Sept. 20-26, 2021.",
        "Squid Game was number one among non-English TV shows for Sept. 20-26, 2021.",
    ],
)
def test_rank_words_alone_make_a_claim(bundled, text: str) -> None:
    """A sentence whose only chart words are "topped", "first place" or "number one" (no
    figure, no "No.") is still read: the sentence filter knows those words."""
    (claim,) = check(bundled, text).claims
    assert claim.kind == "rank" and claim.title == "Squid Game: Season 1"
    week = next(r for r in run("Squid Game: Season 1") if r["week"] == "2021-09-26")
    assert week["weekly_rank"] == "1" and claim.verdict == "true"


def test_no_claim(bundled) -> None:
    assert check(bundled, "Nothing to see here. The weather was fine.").claims == []


def test_cli(cli, bundled_db, tmp_path) -> None:
    seed = CLAIMS / "seed-article.txt"
    result = cli("check", "--file", seed, "--json", "--db", bundled_db)
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert set(doc) == {"as_of", "claims"}
    assert set(doc["claims"][0]) == {
        "text", "start", "end", "kind", "title", "stated", "actual", "verdict",
        "explanation", "evidence",
    }  # fmt: skip
    result = cli("check", "--file", seed, "--db", bundled_db)
    assert result.exit_code == 0 and "MISLEADING" in result.stdout
    result = cli("check", "The weather was fine.", "--db", bundled_db)
    assert result.exit_code == 1
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Squid Game drew 63.19 million hours in Espa\xf1a".encode("latin-1"))
    result = cli("check", "--file", bad, "--db", bundled_db)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"Error: {bad}: line 1: not UTF-8 text"


def test_cli_holds_the_collector_off_while_it_checks_and_lets_it_run_after(
    cli, bundled_db, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    import chartwatch.check as checking

    seen: list[bool] = []
    real = checking.check

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(checking, "check", spy)
    assert gc.isenabled()
    result = cli("check", "Squid Game was No. 1 for nine weeks.", "--db", bundled_db)
    assert result.exit_code == 0 and seen == [False] and gc.isenabled()
    result = cli("check", "--file", "/nonexistent/text.txt", "--db", bundled_db)
    assert result.exit_code == 2 and gc.isenabled()  # also after an error


# -- the grammar's parts, as properties --------------------------------------------------

_PIECES = "No. 1 23 million hours views Jan. Sept. “Wednesday” top 10 record weeks countries-\n"


@given(st.integers(min_value=1, max_value=99_999), st.integers(min_value=0, max_value=2))
def test_number_reads_back_its_rounding(cents: int, decimals: int) -> None:
    value = cents / 10**decimals
    written = f"{value:.{decimals}f} million"
    m = NUMBER_RE.search(written)
    assert m is not None
    parsed = number(m.group("num"), m.group("scale"), m.group("qual"))
    assert parsed is not None
    assert abs(parsed.value - value * 1e6) < 1e-3
    assert parsed.step == 10 ** (6 - decimals)
    assert parsed.holds(value * 1e6 + parsed.step * 0.49)
    assert not parsed.holds(value * 1e6 + parsed.step * 0.51)


@given(st.text(alphabet=st.sampled_from(list("ab.Z9_é ’\n-")), max_size=30))
def test_last_word_is_the_run_of_word_characters_and_dots_at_the_end(text: str) -> None:
    """The sentence splitter's backwards read of the word before a full stop is what the
    regular expression ``([\\w.]+)$`` finds."""
    import re

    from chartwatch.check.extract import _last_word

    found = re.search(r"([\w.]+)$", text) if not text.endswith("\n") else None
    assert _last_word(text, 0, len(text)) == (found.group(1) if found else "")


def test_folded_text_has_every_ascii_letter_a_case_blind_pattern_matches() -> None:
    """Whatever character an ASCII letter of an ``re.IGNORECASE`` pattern matches is that
    letter in :func:`folded` text (the steps test a sentence's folded words before they
    run their patterns)."""
    import re
    import sys

    from chartwatch.check.values import folded

    letter = re.compile("[a-z]", re.IGNORECASE)
    chars = (chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000)
    for ch in chars:
        if letter.fullmatch(ch):
            assert re.fullmatch(folded(ch), ch, re.IGNORECASE), ch


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(sorted(_MONTHS)),
    st.sampled_from(["lower", "title", "upper"]),
    st.integers(min_value=1, max_value=31),
    st.sampled_from([None, 2021, 2023, 2024]),
    st.dates(min_value=dt.date(2021, 1, 1), max_value=dt.date(2026, 12, 31)),
)
def test_day_reads_as_dateparser_does(
    month: str, case: str, day: int, year: int | None, base: dt.date
) -> None:
    """A day the grammar reads directly is the day dateparser gives for the same words."""
    name = getattr(month, case)()
    text = f"{name} {day}" + (f" {year}" if year else "")
    assert _day(name, str(day), year, base) == parse_day(text, base)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.text(
        alphabet=st.sampled_from(list(_PIECES)),
        max_size=120,
    )
)
def test_any_text_gives_claims_at_their_offsets(bundled, text: str) -> None:
    for claim in check(bundled, text).claims:
        assert text[claim.start : claim.end] == claim.text
        assert claim.verdict in ("true", "false", "misleading", "unverifiable")


def test_cli_stdin_and_as_of(bundled_db, monkeypatch) -> None:
    from typer.testing import CliRunner

    from chartwatch.cli.app import app

    monkeypatch.setenv("CHARTWATCH_DB", str(bundled_db))
    runner = CliRunner()
    text = "Hit Man was No. 1 on the English films list last week."
    result = runner.invoke(app, ["check", "-", "--json", "--as-of", "2024-06-18"], input=text)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["as_of"] == "2024-06-18"
    (claim,) = doc["claims"]
    week = next(r for r in run("Hit Man") if r["week"] == "2024-06-16")  # last week then
    assert claim["verdict"] == ("true" if week["weekly_rank"] == "1" else "false")
    assert claim["evidence"][0]["week_end"] == "2024-06-16"
    result = runner.invoke(app, ["check", "-"], input=b"Squid Game \xff drew 1 million hours")
    assert result.exit_code == 2
    assert result.stderr.strip() == "Error: <stdin>: line 1: not UTF-8 text"


def test_original_language_titles_are_titles(bundled) -> None:
    """Titles are matched as search does, original-language titles included: the reports
    name Money Heist: Part 5 "La casa de papel: Parte 5" (the raw workbook, read in
    test_search_original_titles)."""
    first = run("Money Heist: Part 5")[0]
    text = "La casa de papel: Parte 5 debuted at No. 1 among non-English TV shows."
    (claim,) = check(bundled, text).claims
    assert claim.title == "Money Heist: Part 5" and claim.kind == "rank"
    assert claim.verdict == ("true" if first["weekly_rank"] == "1" else "false")
    (quoted,) = check(bundled, "“La casa de papel: Parte 5” was No. 1.").claims
    assert quoted.title == "Money Heist: Part 5"


_PART_PIECES = [" ", "\n", ",", "&", ".", "!", "a", "an", "and", "t", "the", "US", "Canada", "x"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(_PART_PIECES), max_size=8).map("".join),
    st.lists(st.sampled_from(_PART_PIECES), min_size=1, max_size=6).map("".join),
)
def test_a_country_part_that_cannot_run_on_reads_the_same_whatever_follows(
    rest: str, tail: str
) -> None:
    """Where ``_runs_on`` says a country name sought at the start of a sentence's rest
    cannot read past its end, what follows the sentence changes nothing."""
    from chartwatch.check.claims import _COUNTRY_PART, _runs_on

    if _runs_on(rest):
        return
    alone, followed = _COUNTRY_PART.match(rest), _COUNTRY_PART.match(rest + tail)
    assert (alone and (alone.span(), alone.groups())) == (
        followed and (followed.span(), followed.groups())
    )


def _claim_fields(c: Any) -> tuple[Any, ...]:
    """A claim as the grammar leaves it, its date as its text."""
    date = c.stated.get("_date")
    stated = {k: v for k, v in c.stated.items() if k != "_date"}
    title, other = (m and (m.start, m.end, m.name, m.target) for m in (c.title, c.other))
    return (
        c.kind,
        c.start,
        c.end,
        c.text,
        title,
        other,
        stated,
        date and date.group(),
        c.period_span,
        c.basis,
        c.week_n,
        c.list_name,
        c.source,
        c.service,
        c.sentence,
    )


def _extracted_and_read_anew(store: Any, text: str) -> tuple[list[Any], list[Any]]:
    """The claims :func:`extract` finds in ``text``, and those of each sentence read anew
    in its place (no reading kept for another copy), each as :func:`_claim_fields`."""
    from chartwatch.check.extract import _read, extract, sentences
    from chartwatch.check.facts import Facts
    from chartwatch.view import View

    facts = Facts(View.of(store))
    each, last = [], None
    for lo, hi in sentences(text):
        read, _sought = _read(facts, text, lo, hi)
        each += [c.placed(0, (lo, hi), last if takes else None) for c, takes in read.claims]
        last = read.last or last
    got = extract(facts, text)
    return [_claim_fields(c) for c in got], [_claim_fields(c) for c in each]


def test_a_repeated_sentence_is_read_as_at_each_place(bundled) -> None:
    """A sentence is read once per text, its claims placed at each copy: they are those of
    each copy read in its place, with the title named before it, whichever sentence
    follows (a list of countries reads the next sentence's first words to end there)."""
    seed = (CLAIMS / "seed-article.txt").read_text(encoding="utf-8")
    text = "\n".join(
        [seed, _LEAD + " The Witcher was No. 2.", _LEAD, "it was No. 3.", "Wednesday drew",
         "it was No. 3.", _LEAD + " The Witcher was No. 2.", _LEAD, "France.", "Brazil was big.",
         _LEAD, "France.", "it was big.", seed, *[e["text"] for e in corpus()] * 2]
    )  # fmt: skip
    got, each = _extracted_and_read_anew(bundled, text)
    assert got == each
    leads = [c[3] for c in got if "the US and Canada" in c[3]]
    assert leads == ["was No. 1 including the US and Canada"] * 5  # not into the next one


_LEAD = "Squid Game was No. 1 including the US and Canada."
_SENTENCES = [
    _LEAD, "France.", "Brazil was big.", "it was No. 3.", "The Witcher was No. 2.",
    "Wednesday drew 50 million hours in its first week.", "It spent six weeks at No. 1.",
    "No. 1 in 94 countries, including the US, Canada and", "the Philippines.", "“Dark” was",
    "twice as many views as Ozark.", "It premiered Jan. 5.", "Jan. 24 to 30 it was No. 2.",
]  # fmt: skip


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(st.sampled_from(_SENTENCES), st.sampled_from([" ", "\n", "\n\n", "  \n"])),
        max_size=16,
    )
)
def test_any_text_of_repeated_sentences_reads_as_each_read_anew(
    bundled, parts: list[tuple[str, str]]
) -> None:
    """Whatever the sentences around a copy, its claims are those of the copy read anew."""
    got, each = _extracted_and_read_anew(bundled, "".join(s + gap for s, gap in parts))
    assert got == each


def test_a_placed_claim_copies_every_field() -> None:
    """A claim placed at another copy of its sentence keeps every field but its offsets,
    sentence and titles (moved along)."""
    from dataclasses import fields

    from chartwatch.check.claims import Claim
    from chartwatch.check.mentions import Mention

    moved = {"start", "end", "title", "other", "period_span", "sentence"}
    kept = {f.name: object() for f in fields(Claim) if f.name not in moved}
    name, other = Mention(0, 4, "Dark", None), Mention(9, 14, "Ozark", None)
    claim = Claim(**kept, start=5, end=8, title=name, other=other, period_span=(6, 7))  # type: ignore[arg-type]
    copy = claim.placed(10, (10, 30), None)
    assert {k: getattr(copy, k) for k in kept} == kept
    assert (copy.start, copy.end, copy.period_span, copy.sentence) == (15, 18, (16, 17), (10, 30))
    assert (copy.title, copy.other) == (
        Mention(10, 14, "Dark", None),
        Mention(19, 24, "Ozark", None),
    )
    assert claim.placed(10, (10, 30), other).title is other
