"""Titles: Netflix's labels parsed into show + installment, one title across Netflix's
renames, and fuzzy resolution of a query.

Expected values come from the raw files (the csv module) and from the git archive read
with ``git show`` (the renames), never from chartwatch's own output.
"""

from __future__ import annotations

import re
import subprocess
from collections import defaultdict
from collections.abc import Iterator
from functools import cached_property
from pathlib import Path

import pytest

import chartwatch
from chartwatch.errors import AmbiguousTitleError, NotFoundError
from chartwatch.store import Store
from chartwatch.titles import Show, Title, parse_label, search
from chartwatch.view import View
from conftest import BUNDLE, copy_store
from rawdata import COUNTRIES, GLOBAL, label_of, parse_tsv, shared_rows


# -- stores shared by the module (read only here) -----------------------------------------
@pytest.fixture(scope="module")
def replayed(_replayed_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    path = tmp_path_factory.mktemp("titles-replayed") / "store.duckdb"
    copy_store(_replayed_template, path)
    with chartwatch.open_store(path) as st:
        yield st


# -- the archive read with git ------------------------------------------------------------
class GlobalHistory:
    """Every data version of ``all-weeks-global.tsv`` in the archive, oldest first, as
    {(week, category, rank): (label, hours)} per version."""

    def __init__(self, repo: Path) -> None:
        log = subprocess.run(
            ["git", "-C", str(repo), "log", "--reverse", "--format=%H %cI", "--", GLOBAL],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split("\n")
        self.versions: list[tuple[str, str, dict[tuple[str, str, int], tuple[str, int]]]] = []
        for line in filter(None, log):
            sha, when = line.split()
            shown = subprocess.run(
                ["git", "-C", str(repo), "show", f"{sha}:{GLOBAL}"], capture_output=True
            )
            header = shown.stdout.split(b"\n", 1)[0].split(b"\t")
            if shown.returncode or b"show_title" not in header:
                continue  # absent, an HTML page, or the word null
            rows = {}
            for row in parse_tsv(shown.stdout):
                key = (row["week"], row["category"], int(row["weekly_rank"]))
                rows[key] = (label_of(row), int(row["weekly_hours_viewed"]))
            self.versions.append((sha, when, rows))

    @cached_property
    def renames(self) -> set[frozenset[str]]:
        """Label pairs that are one title: the same (week, category, rank) with the same
        hours under two labels in two versions, and never both listed in one version's
        list of the same week."""
        cells: dict[tuple[str, str, int], set[tuple[str, int]]] = defaultdict(set)
        for _, _, rows in self.versions:
            for key, value in rows.items():
                cells[key].add(value)
        candidates = set()
        for values in cells.values():
            for a, ha in values:
                for b, hb in values:
                    if a < b and ha == hb:
                        candidates.add(frozenset((a, b)))
        involved = set().union(*candidates) if candidates else set()
        side_by_side = set()
        for _, _, rows in self.versions:
            lists: dict[tuple[str, str], set[str]] = defaultdict(set)
            for (week, category, _), (label, _) in rows.items():
                if label in involved:
                    lists[(week, category)].add(label)
            for labels in lists.values():
                if len(labels) > 1:
                    side_by_side |= {p for p in candidates if p <= labels}
        return candidates - side_by_side

    def weeks_of(self, label: str) -> list[tuple[str, str, tuple[str, str, int], int]]:
        """(commit, date, key, hours) of every row published under ``label``."""
        return [
            (sha, when, key, hours)
            for sha, when, rows in self.versions
            for key, (lab, hours) in rows.items()
            if lab == label
        ]


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> GlobalHistory:
    repo = tmp_path_factory.mktemp("titles-archive") / "repo"
    subprocess.run(["git", "clone", "--quiet", "--bare", str(BUNDLE), str(repo)], check=True)
    return GlobalHistory(repo)


def _groups(pairs: set[frozenset[str]]) -> list[set[str]]:
    groups: list[set[str]] = []
    for pair in pairs:
        touching = [g for g in groups if g & pair]
        merged = set(pair).union(*touching)
        groups = [g for g in groups if g not in touching] + [merged]
    return groups


def _catalog_groups(cat) -> list[set[str]]:
    by: dict[str, set[str]] = defaultdict(set)
    for alias, canon in cat.alias_of.items():
        by[canon] |= {alias, canon}
    return list(by.values())


# -- label parsing ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("show", "season", "film", "kind", "number", "subtitle"),
    [
        ("Ozark", "Ozark: Season 4", False, "season", 4, None),
        ("Bridgerton", "Bridgerton: Season 3", False, "season", 3, None),
        ("Ozark", "Ozark: Season 4 Part 1", False, "season", 4, "Part 1"),
        ("The Sinner", "The Sinner: Season 4: Percy", False, "season", 4, "Percy"),
        ("Animal Kingdom", "Animal Kingdom: : Season 5", False, "season", 5, None),
        ("Ackley Bridge", "Ackley Bridge: Series 3", False, "season", 3, None),
        ("Money Heist", "Money Heist: Part 5", False, "part", 5, None),
        ("Disenchantment", "Disenchantment: Part 4", False, "part", 4, None),
        ("Love, Death & Robots", "Love, Death & Robots: Volume 3", False, "volume", 3, None),
        ("Little Angel", "Little Angel: Volume 1", False, "volume", 1, None),
        ("Maid", "Maid: Limited Series", False, "limited", None, None),
        ("Baby Reindeer", "Baby Reindeer: Limited Series", False, "limited", None, None),
        ("Stranger Things", "Stranger Things 4", False, "season", 4, None),
        ("Tiger King", "Tiger King 2", False, "season", 2, None),
        ("Love Is Blind", "Love Is Blind: S2: Chicago", False, "season", 2, "Chicago"),
        (
            "Avatar: The Last Airbender",
            "Avatar: The Last Airbender: Book 1",
            False,
            "book",
            1,
            None,
        ),
        ("The Creature Cases", "The Creature Cases: Chapter 1", False, "chapter", 1, None),
        (
            "The Great British Baking Show",
            "The Great British Baking Show: Collection 11",
            False,
            "collection",
            11,
            None,
        ),
        (
            "Through My Window",
            "Through My Window 2: Across the Sea",
            False,
            "season",
            2,
            "Across the Sea",
        ),
        ("Barbarians", "Barbarians: II", False, "season", 2, None),
        ("Our Planet", "Our Planet: II", False, "season", 2, None),
        ("Rocky", "Rocky: Part IV", False, "part", 4, None),
        ("Red Notice", None, True, "film", None, None),
        ("Through My Window 2: Across the Sea", None, True, "film", None, None),
        ("Stranger Things", None, False, "series", None, None),
        (
            "Bridgerton",
            "Queen Charlotte: A Bridgerton Story",
            False,
            "special",
            None,
            "Queen Charlotte: A Bridgerton Story",
        ),
        ("Trainwreck", "Trainwreck: Woodstock '99", False, "special", None, "Woodstock '99"),
        (
            "Attack on Titan",
            "Attack on Titan: The Final Season Part 3",
            False,
            "special",
            None,
            "The Final Season Part 3",
        ),
        # a word that looks like a lower-case roman numeral is not a number
        ("Dance Crew", "Dance Crew: Six", False, "special", None, "Six"),
    ],
)
def test_parse_label(show, season, film, kind, number, subtitle):
    inst = parse_label(show, season, film=film)
    assert (inst.show, inst.kind, inst.number, inst.subtitle) == (show, kind, number, subtitle)
    assert inst.label == (season or show)
    assert inst.is_film == (kind == "film")


def test_every_label_in_the_global_file_parses():
    rows = shared_rows(GLOBAL)
    pairs = {(r["show_title"], r["season_title"], r["category"].startswith("Films")) for r in rows}
    numbered = 0
    for show, season, film in pairs:
        inst = parse_label(show, None if season == "N/A" else season, film=film)
        assert inst.show == show
        assert inst.label == (show if season == "N/A" else season)
        if film and season == "N/A":
            assert inst.kind == "film"
        m = re.search(r": Season (\d+)$", season)
        if m:
            numbered += 1
            assert (inst.kind, inst.number) == ("season", int(m.group(1))), season
        if season.endswith(": Limited Series") and not film:
            assert inst.kind == "limited", season
        m = re.search(r": (Part|Volume) (\d+)$", season)
        if m:
            assert (inst.kind, inst.number) == (m.group(1).lower(), int(m.group(2))), season
    assert numbered > 600  # the check above ran over the real labels


# -- identity across renames: the bundled store -------------------------------------------
@pytest.mark.parametrize(
    ("old", "current"),
    [
        ("Ozark: Season 4 Part 1", "Ozark: Season 4"),
        ("Hometown Cha-Cha-Cha: Season 1", "Hometown Cha-Cha-Cha: Limited Series"),
    ],
)
def test_bundled_country_label_resolves_to_the_global_title(bundled, history, old, current):
    globals_ = {label_of(r) for r in shared_rows(GLOBAL)}
    countries = {label_of(r) for r in shared_rows(COUNTRIES)}
    assert old in countries and old not in globals_ and current in globals_
    # the archive shows Netflix renaming the global row
    assert frozenset((old, current)) in history.renames
    target = View.of(bundled).resolve(old)
    assert isinstance(target, Title)
    assert target.label == current
    assert old in target.aliases
    assert View.of(bundled).titles.canonical(old) == current
    # the current label finds the same title
    assert View.of(bundled).resolve(current) is target


def test_bundled_links_are_renames_in_the_archive(bundled, history):
    """Every label the bundled store ties to a title is one Netflix renamed: the archive
    holds the global row under both labels."""
    cat = View.of(bundled).titles
    renamed = _groups(history.renames)
    assert cat.alias_of, "the bundled store links the country lists' old labels"
    for alias, canon in cat.alias_of.items():
        assert any({alias, canon} <= g for g in renamed), (alias, canon)


def test_ozark_show_has_one_season_4(bundled):
    show = View.of(bundled).resolve("Ozark")
    assert isinstance(show, Show)
    labels = [t.label for t in show.titles]
    assert labels == [f"Ozark: Season {n}" for n in range(1, 5)]


# -- identity across renames: the replayed archive ----------------------------------------
def test_replayed_renames_are_the_archive_renames(replayed, history):
    """The titles chartwatch links in the replay are exactly the label groups the archive
    shows as renames, each named by the label of the newest global file."""
    cat = View.of(replayed).titles
    expected = _groups(history.renames)
    got = _catalog_groups(cat)
    assert sorted(map(sorted, got)) == sorted(map(sorted, expected))
    latest = {label for label, _ in history.versions[-1][2].values()}
    for group in expected:
        current = group & latest
        assert len(current) == 1, group
        (name,) = current
        for label in group - {name}:
            assert cat.alias_of[label] == name


def test_alrawabi_season_labels(replayed, history):
    old, new = "AlRawabi School for Girls: Limited Series", "AlRawabi School for Girls: Season 1"
    before = {(key, hours) for _, _, key, hours in history.weeks_of(old)}
    after = {(key, hours) for _, _, key, hours in history.weeks_of(new)}
    # the same weeks of August 2021, same rank and hours, under the new label
    assert before and before == after
    assert {key[0] for key, _ in before} == {"2021-08-15", "2021-08-22", "2021-08-29"}
    first_new = min(when for _, when, _, _ in history.weeks_of(new))
    last_old = max(when for _, when, _, _ in history.weeks_of(old))
    assert last_old < first_new
    title = View.of(replayed).resolve(old)
    assert isinstance(title, Title) and title.label == new and old in title.aliases
    # season 2 is another title of the same show
    show = View.of(replayed).resolve("AlRawabi School for Girls")
    assert isinstance(show, Show)
    assert [t.label for t in show.titles] == [new, "AlRawabi School for Girls: Season 2"]


def test_perfect_strangers_arabic_original_title(replayed, history):
    english = "Perfect Strangers"
    arabic = next(
        label
        for label, _ in history.versions[-1][2].values()
        if frozenset((english, label)) in history.renames
    )
    assert re.search(r"[\u0600-\u06ff]", arabic)  # Arabic script
    before = {(key, hours) for _, _, key, hours in history.weeks_of(english)}
    after = {(key, hours) for _, _, key, hours in history.weeks_of(arabic)}
    assert before and before <= after
    for query in (english, arabic, "perfect strangers"):
        title = View.of(replayed).resolve(query)
        assert isinstance(title, Title)
        assert title.label == arabic and title.film and english in title.aliases


def test_a_revision_swapping_ranks_does_not_merge_two_films(replayed, history):
    """Week of 2021-08-01: a revision gave Twilight rank 7 with the hours Fear Street Part
    2 had had there, and both stayed listed: two films, not one renamed."""
    key = ("2021-08-01", "Films (English)", 7)
    labels_at_key = {rows[key] for _, _, rows in history.versions if key in rows}
    assert {lab for lab, _ in labels_at_key} == {"Fear Street Part 2: 1978", "Twilight"}
    assert len({hours for _, hours in labels_at_key}) == 1
    cat = View.of(replayed).titles
    assert "Fear Street Part 2: 1978" not in cat.alias_of
    assert "Twilight" not in cat.alias_of
    fear = View.of(replayed).resolve("Fear Street Part 2: 1978")
    twilight = View.of(replayed).resolve("Twilight (film)")
    assert isinstance(fear, Title) and isinstance(twilight, Title)
    assert fear.label == "Fear Street Part 2: 1978" and twilight.label == "Twilight"


# -- search and resolve -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("All of Us Are Dead", "All of Us Are Dead: Season 1"),
        ("all of us are dead", "All of Us Are Dead: Season 1"),
        ("ALL OF US ARE DEAD", "All of Us Are Dead: Season 1"),
        ("all of us", "All of Us Are Dead: Season 1"),
        ("stranger thigns 4", "Stranger Things 4"),
        ("squid gaem", "Squid Game: Season 1"),
        ("Squid Game", "Squid Game: Season 1"),
        ("squid game season 1", "Squid Game: Season 1"),
        ("The Stranger (film)", "The Stranger"),
        ("The Stranger (tv)", "The Stranger: Limited Series"),
        ("red notice", "Red Notice"),
        ("money heist part 5", "Money Heist: Part 5"),
        ("Money Heist: Part 5", "Money Heist: Part 5"),
        ("ozark season 4", "Ozark: Season 4"),
        (
            "woman in the house across the street",
            "The Woman in the House Across the Street from the Girl in the Window: Limited Series",
        ),
        (
            "The Woman in the House Across the Street from the Girl in the Window",
            "The Woman in the House Across the Street from the Girl in the Window: Limited Series",
        ),
    ],
)
def test_resolve_title(bundled, query, expected):
    target = View.of(bundled).resolve(query)
    assert isinstance(target, Title), target
    assert target.label == expected


@pytest.mark.parametrize(
    ("query", "show", "installments"),
    [
        ("Ozark", "Ozark", 4),
        ("ozark", "Ozark", 4),
        ("stranger thigns", "Stranger Things", 4),
        ("Money Heist", "Money Heist", 5),
        ("Bridgerton", "Bridgerton", 3),
    ],
)
def test_resolve_show(bundled, query, show, installments):
    rows = shared_rows(GLOBAL)
    labels = {label_of(r) for r in rows if r["show_title"] == show}
    assert len(labels) == installments
    target = View.of(bundled).resolve(query)
    assert isinstance(target, Show), target
    assert target.name == show
    assert {t.label for t in target.titles} == labels


@pytest.mark.parametrize("query", ["senora acero", "SEÑORA ACERO", "Senora Acero"])
def test_accents_are_ignored(bundled, query):
    rows = shared_rows(COUNTRIES)
    assert any(r["show_title"] == "Señora Acero" for r in rows)
    hits = search(View.of(bundled).titles, query)
    assert hits and hits[0].show == "Señora Acero"
    target = View.of(bundled).resolve(query)
    name = target.name if isinstance(target, Show) else target.show
    assert name == "Señora Acero"


@pytest.mark.parametrize(
    ("query", "must_list"),
    [
        ("squid", {"Squid Game: Season 1", "Squid Game: The Challenge: Season 1"}),
        ("the stranger", {"The Stranger", "The Stranger: Limited Series"}),
    ],
)
def test_ambiguous_query_lists_candidates(bundled, query, must_list):
    with pytest.raises(AmbiguousTitleError) as info:
        View.of(bundled).resolve(query)
    err = info.value
    assert err.exit_code == 1
    assert len(err.candidates) >= 2
    for label in must_list:
        assert any(c.startswith(f"{label} (") for c in err.candidates), err.candidates
    # a candidate as listed resolves
    for candidate in err.candidates:
        if candidate.startswith("The Stranger (film"):
            assert View.of(bundled).resolve(candidate).label == "The Stranger"


@pytest.mark.parametrize("query", ["xyzzy plugh", "qqqqqqqq zzzzzz", "   ", "!!!"])
def test_unknown_text_is_not_found(bundled, query):
    with pytest.raises(NotFoundError) as info:
        View.of(bundled).resolve(query)
    assert info.value.exit_code == 1
    assert (
        search(View.of(bundled).titles, query) == []
    )  # search lists only what resolve would accept


def test_a_name_inside_the_query_does_not_match_it(bundled):
    """'Us' is a film, but a longer query containing it is not a match for it."""
    target = View.of(bundled).resolve("all of us")
    assert isinstance(target, Title) and target.label != "Us"


def test_search_ranks_best_first(bundled):
    hits = search(View.of(bundled).titles, "stranger things")
    # the show, and its first season (which Netflix labels with the show's name alone)
    top = {(h.kind, h.name, h.installments) for h in hits[:2]}
    assert top == {("show", "Stranger Things", 4), ("title", "Stranger Things", 1)}
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert {"kind", "name", "show", "film", "category", "installments"} <= set(hits[0].to_dict())
    squid = search(View.of(bundled).titles, "squid game", limit=3)
    assert len(squid) <= 3
    assert squid[0].name == "Squid Game: Season 1"
    assert squid[0].first_week.isoformat() == "2021-09-19"
    assert squid[0].category == "TV (Non-English)"


def test_names_holding_the_words_typed_are_found_without_a_pass_over_every_name(bundled):
    """The word index finds exactly the names in which every word typed begins a word, for
    prefixes, whole names and words in any order, checked name by name against the rule."""
    import random

    from chartwatch.titles.search import Words, _index, normalize

    keys, _ = _index(View.of(bundled).titles)
    words = Words.of(keys)
    rng = random.Random(3)
    queries = ["s", "the", "love is", "blind love", "season 2", "zz", "of us", "2"]
    queries += [normalize(k[: rng.randint(1, 14)]) for k in rng.sample(keys, 150)]
    for q in filter(None, queries):
        wanted = {
            i
            for i, key in enumerate(keys)
            if all(re.search(r"(?:^|\s)" + re.escape(t), key) for t in q.split())
        }
        assert words.holding(q) == wanted, q


def test_search_lists_every_title_holding_the_words_typed(bundled):
    """Every installment of Love Is Blind is listed, however many other names look alike
    ("Blind Love"), best first."""
    cat = View.of(bundled).titles
    hits = search(cat, "love is blind", limit=100)
    wanted = {
        t.label for t in cat.titles.values() if re.match(r"love is blind\b", t.label, re.IGNORECASE)
    }
    assert wanted and wanted <= {h.name for h in hits if h.kind == "title"}
    assert "Blind Love" not in {h.name for h in hits}
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
