"""Finding titles: fuzzy, case- and accent-insensitive, tolerant of typos and of missing
articles or punctuation. Every command that takes a title resolves it here."""

from __future__ import annotations

import bisect
import datetime as dt
import re
import unicodedata
from dataclasses import asdict, dataclass
from typing import Any

from chartwatch.errors import AmbiguousTitleError, NotFoundError
from chartwatch.titles.index import NO_GLOBAL_LIST, Show, Title, TitleIndex, list_word

_ARTICLES = re.compile(r"^(the|a|an)\s+")
MIN_SCORE = 72.0
CLOSE = 4.0


def plain(text: str) -> str:
    """Casefold, strip accents, ``&`` as ``and``, every run of punctuation as one space
    (articles kept: :func:`normalize` drops a leading one).

    >>> plain("Señora Acero: La Coyote & Co.")
    'senora acero la coyote and co'
    """
    bare = text if text.isascii() else _unaccented(text)
    return _PUNCTUATION.sub(" ", bare.casefold().replace("&", " and ")).strip()


_PUNCTUATION = re.compile(r"[^\w]+")


def _unaccented(text: str) -> str:
    """``text`` without its accents. ASCII text has none and is left as it is: it is most
    of what :func:`plain` reads (every title's name as ``check`` indexes them), and taking
    it apart character by character was most of the time of reading it."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _name(target: Title | Show, key: str) -> str:
    if isinstance(target, Show):
        return target.name
    for label in target.labels:
        if normalize(label) == key:
            return label
    return target.label


def normalize(text: str) -> str:
    """Casefold, strip accents and punctuation, drop a leading article.

    >>> normalize("The Woman in the House…: Season 1")
    'woman in the house season 1'
    >>> normalize("Señora Acero") == normalize("senora acero")
    True
    """
    return _ARTICLES.sub("", plain(text))


@dataclass(frozen=True)
class Candidate:
    """One search hit: a title, or a show with several charted installments."""

    kind: str  # "title" or "show"
    name: str  # the title's label or the show's name
    show: str
    film: bool
    category: str | None
    installments: int
    first_week: dt.date | None
    last_week: dt.date | None
    score: float
    key: str | None = None  # a title's stable key, ``Ballerina (film, English)``; None for a show

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for k in ("first_week", "last_week"):
            out[k] = out[k].isoformat() if out[k] else None
        return out


@dataclass(eq=False)
class OtherNames:
    """Other names of a title index's titles and shows, searched like their labels: the
    original-language titles Netflix publishes in its engagement reports
    (:func:`chartwatch.engagement.names.original_names`). Made once per view, it keeps the
    index of the title index's names and its own, built on first search, and the names
    looked up whole (:meth:`exact`), built on first look-up."""

    names: list[tuple[str, Title | Show]]
    index: tuple[list[str], list[Title | Show]] | None = None
    whole: dict[str, tuple[str, Title | Show | None]] | None = None
    words: Words | None = None

    def __len__(self) -> int:
        return len(self.names)

    def exact(self) -> dict[str, tuple[str, Title | Show | None]]:
        """Each name (after :func:`normalize`) → (the name, the one title or show it names;
        None where it names several). A show of one installment names that installment."""
        if self.whole is None:
            whole: dict[str, tuple[str, Title | Show | None]] = {}
            for name, target in self.names:
                if isinstance(target, Show) and len(target.titles) == 1:
                    target = target.titles[0]
                key = normalize(name)
                if not key:
                    continue
                known = whole.get(key)
                if known is None:
                    whole[key] = (name, target)
                elif known[1] is not target:
                    whole[key] = (known[0], None)
            self.whole = whole
        return self.whole


def named_by(other: OtherNames, query: str) -> Title | Show | None:
    """The one title or show that one of ``other``'s names is exactly (after
    :func:`normalize`), or None (no such name, or names of several)."""
    return other.exact().get(normalize(query), ("", None))[1]


def _index(
    cat: TitleIndex, other: OtherNames | None = None
) -> tuple[list[str], list[Title | Show]]:
    if other is not None and other.names:
        if other.index is None:  # the title index's names, then the other names
            own, named = _index(cat)
            more = [(normalize(name), target) for name, target in other.names]
            other.index = (
                own + [k for k, _ in more if k],
                named + [t for k, t in more if k],
            )
        return other.index
    if cat.index is not None:
        return cat.index
    keys: list[str] = []
    targets: list[Title | Show] = []
    for title in cat.titles.values():
        for label in title.labels:
            keys.append(normalize(label))
            targets.append(title)
    for show in cat.shows.values():
        if len(show.titles) > 1 or show.titles[0].label != show.name:
            keys.append(normalize(show.name))
            targets.append(show)
    cat.index = (keys, targets)
    return keys, targets


@dataclass(frozen=True)
class Words:
    """The words of a search index's names, sorted, each with the positions of the names
    that hold it: which names hold words beginning with what was typed is then a few
    binary searches and set operations, not a pass over every name."""

    words: list[str]
    names: list[list[int]]

    @classmethod
    def of(cls, keys: list[str]) -> Words:
        holding: dict[str, list[int]] = {}
        for i, key in enumerate(keys):
            for word in set(key.split()):
                holding.setdefault(word, []).append(i)
        words = sorted(holding)
        return cls(words, [holding[w] for w in words])

    def holding(self, query: str) -> set[int]:
        """Positions of the names in which every word of ``query`` begins a word: the
        names :func:`has_words` accepts."""
        found: set[int] | None = None
        for typed in sorted(set(query.split()), key=len, reverse=True):
            lo = bisect.bisect_left(self.words, typed)
            hi = bisect.bisect_left(self.words, typed + "\U0010ffff", lo)
            these = {i for names in self.names[lo:hi] for i in names}
            found = these if found is None else found & these
            if not found:
                return set()
        return found or set()


def _words(cat: TitleIndex, other: OtherNames | None) -> Words:
    keys, _ = _index(cat, other)
    if other is not None and other.names:
        if other.words is None:
            other.words = Words.of(keys)
        return other.words
    words: Words | None = cat.memo.get("search_words")
    if words is None:
        words = cat.memo["search_words"] = Words.of(keys)
    return words


def _candidate(target: Title | Show, score: float) -> Candidate:
    if isinstance(target, Show):
        first = min((t.first_week for t in target.titles if t.first_week), default=None)
        last = max((t.last_week for t in target.titles if t.last_week), default=None)
        cats = {t.category for t in target.titles if t.category}
        return Candidate(
            "show",
            target.name,
            target.name,
            all(t.film for t in target.titles),
            sorted(cats)[0] if len(cats) == 1 else None,
            len(target.titles),
            first,
            last,
            round(score, 1),
        )
    return Candidate(
        "title",
        target.label,
        target.show,
        target.film,
        target.category,
        1,
        target.first_week,
        target.last_week,
        round(score, 1),
        target.key,
    )


def has_words(query: str, name: str) -> bool:
    """Whether every word of ``query`` begins a word of ``name`` (both normalised): the
    name holds what was typed, not just something like it.

    >>> has_words("all of us", "all of us are dead season 1")
    True
    >>> has_words("all of us are dead", "legend of the blue sea")
    False
    """
    words = name.split()
    return all(any(w.startswith(t) for w in words) for t in query.split())


def _ranked(
    cat: TitleIndex,
    query: str,
    limit: int,
    other: OtherNames | None,
    among: set[int] | None = None,
) -> list[tuple[Title | Show, float, bool]]:
    """The matches of ``query`` best first, each with its score and whether it is strong
    (:func:`has_words` of the name that matched): up to ``4 * limit`` names looked at, of
    every name or only of the positions ``among``."""
    from rapidfuzz import fuzz, process  # lazy: only title lookups need it

    keys, targets = _index(cat, other)
    q = normalize(query)
    if not q:
        return []
    q_exact = plain(query)
    choices: list[str] | dict[int, str] = (
        keys if among is None else {i: keys[i] for i in sorted(among)}
    )
    hits = process.extract(q, choices, scorer=fuzz.WRatio, limit=limit * 4, score_cutoff=50)
    best: dict[int, tuple[Title | Show, float, bool]] = {}
    for key, score, idx in hits:
        target = targets[idx]
        # Exact matches first. A query may be part of a name (the user typed less), but a
        # name that is only part of the query ("Us" for "all of us") must match as a whole.
        # Whole-string similarity breaks ties between partial matches.
        whole = fuzz.ratio(q, key)
        if key == q:
            # typed exactly, article included, beats equal after dropping articles
            score = 102.0 if plain(_name(target, key)) == q_exact else 101.0
        elif len(key) < len(q):
            score = whole
        else:
            score = score + whole / 1000
        if isinstance(target, Show) and len(target.titles) == 1:
            target = target.titles[0]
        strong = key == q or has_words(q, key)
        before = best.get(id(target))
        if before is not None:  # another name of the same title: its best score
            score, strong = max(before[1], score), before[2] or strong
        best[id(target)] = (target, score, strong)
    return sorted(best.values(), key=lambda x: -x[1])


def ranked_matches(
    cat: TitleIndex, query: str, limit: int, *, other: OtherNames | None = None
) -> list[tuple[Title | Show, float]]:
    """Up to ``limit`` titles and shows of ``cat`` closest to ``query``, best first, each with
    its score: 101-102 for a name typed exactly, at most about 100 otherwise, and below
    :data:`MIN_SCORE` for what :func:`resolve` would not accept (suggestions for a 404).
    ``other``: more names to match (the original-language titles)."""
    return [(t, s) for t, s, _ in _ranked(cat, query, limit, other)[:limit]]


def _exact(cat: TitleIndex, query: str, limit: int) -> list[tuple[Title | Show, float]]:
    """The matches :func:`ranked_matches` puts first when ``query`` is a name exactly (after
    :func:`normalize`), found without the fuzzy pass over every name (6-7 ms a query).

    An exact match scores 101 or 102 and any other at most 100.1, and :func:`resolve` lets
    only matches of the top score rival the top, so for it these are the whole answer: the
    same matches with the same scores, in the same order (rapidfuzz lists equal scores in
    the order of the names). ``[]`` when no name is exactly the query."""
    keys, targets = _index(cat)
    q = normalize(query)
    positions: dict[str, list[int]] | None = cat.memo.get("search_positions")
    if positions is None:
        positions = {}
        for i, key in enumerate(keys):
            positions.setdefault(key, []).append(i)
        cat.memo["search_positions"] = positions
    if not q or q not in positions:
        return []
    q_exact = plain(query)
    best: dict[int, tuple[Title | Show, float]] = {}
    for idx in positions[q]:
        target = targets[idx]
        score = 102.0 if plain(_name(target, q)) == q_exact else 101.0
        if isinstance(target, Show) and len(target.titles) == 1:
            target = target.titles[0]
        ident = id(target)
        if ident not in best or best[ident][1] < score:
            best[ident] = (target, score)
    return sorted(best.values(), key=lambda x: -x[1])[:limit]


def search(
    cat: TitleIndex, query: str, *, limit: int = 10, other: OtherNames | None = None
) -> list[Candidate]:
    """Titles and shows of the title index ``cat`` (``view.titles``) matching ``query``,
    best first: the document of ``chartwatch search``. ``other``: more names to match, the
    original-language titles of the engagement reports
    (:func:`chartwatch.engagement.names.original_names`), so "la casa de papel" finds
    Money Heist.

    Only what :func:`resolve` would accept as a match is listed (score ``MIN_SCORE`` or
    more), so a query ``search`` finds nothing for is one ``title`` finds nothing for.
    When some names hold every word typed (:func:`has_words`), only they are ranked, and
    found through the index of words (:class:`Words`) rather than a fuzzy pass over every
    name (3 ms a query instead of 10): "The Legend of the Blue Sea" shares only "of" with
    "all of us are dead". The fuzzy pass over every name is for the rest (typos)."""
    holding = _words(cat, other).holding(normalize(query))
    if holding:  # the names that hold the words typed, without a pass over every name
        ranked = [h for h in _ranked(cat, query, limit, other, holding) if h[1] >= MIN_SCORE]
        if ranked:
            return [_candidate(t, s) for t, s, _ in ranked[:limit]]
    ranked = [h for h in _ranked(cat, query, limit, other) if h[1] >= MIN_SCORE]
    if any(strong for _, _, strong in ranked):
        ranked = [h for h in ranked if h[2]]
    return [_candidate(t, s) for t, s, _ in ranked[:limit]]


def describe(target: Title | Show) -> str:
    """A name that tells candidates apart: ``The Stranger (film, 2022)``; with the title's
    list when its label alone is shared (``Ballerina (film, Non-English, 2023)``,
    ``Stranger Things (TV, English, 2022)``, the installment and not the show). Each can be
    given back as a query."""
    if isinstance(target, Show):
        first = min((t.first_week for t in target.titles if t.first_week), default=None)
        return f"{target.name} (show" + (f", {first.year})" if first else ")")
    kind = "film" if target.film else "TV"
    where = f", {list_word(target.category)}" if target.qualify else ""
    year = f", {target.first_week.year}" if target.first_week else ""
    return f"{target.label} ({kind}{where}{year})"


_WORD = r"film|movie|tv|series|show|non[- ]english|english|no[- ]global[- ]list|\d{4}"
_QUALIFIER = re.compile(
    rf"\s*\(((?:{_WORD})(?:\s*,\s*(?:{_WORD}))*)\)\s*$",
    re.IGNORECASE,
)


def _qualified(
    ranked: list[tuple[Title | Show, float]], qualifier: str
) -> list[tuple[Title | Show, float]]:
    q = qualifier.lower()
    out = []
    for target, score in ranked:
        titles = target.titles if isinstance(target, Show) else (target,)
        if q in ("film", "movie"):
            keep = isinstance(target, Title) and target.film
        elif q in ("tv", "series", "show"):
            keep = not all(t.film for t in titles)
        elif q in ("english", "non-english", "non english", NO_GLOBAL_LIST, "no-global-list"):
            # a list names a title, not a show: "Stranger Things (TV, English)" is the
            # installment Netflix labels with the show's name
            wanted = q.replace("non english", "non-english").replace(
                "no-global-list", NO_GLOBAL_LIST
            )
            keep = isinstance(target, Title) and list_word(target.category).lower() == wanted
        else:
            keep = any(t.first_week and t.first_week.year == int(q) for t in titles)
        if keep:
            out.append((target, score))
    return out


def resolve(cat: TitleIndex, query: str) -> Title | Show:
    """The one title (or show) ``query`` names in the title index ``cat`` (``view.resolve``).

    A show with one charted installment resolves to that installment. A trailing
    ``(film)``, ``(tv)``, ``(show)``, ``(2022)``, ``(English)``, ``(Non-English)`` or
    ``(no global list)``, or several (``(film, English, 2024)``), narrows the choice, as the
    candidates of an ambiguous query are written; a title's key (``Ballerina (film,
    English)``) names it exactly. Raises :class:`AmbiguousTitleError` when several match
    about equally well and :class:`NotFoundError` when nothing matches.
    """
    keyed = cat.by_key.get(query.strip())
    if keyed is not None and keyed.key == query.strip():
        return keyed
    qualifier = _QUALIFIER.search(query)
    if qualifier:
        query = query[: qualifier.start()]
        ranked = ranked_matches(cat, query, 40)
        for word in qualifier.group(1).split(","):
            ranked = _qualified(ranked, word.strip())
        ranked = ranked[:12]
    else:
        ranked = _exact(cat, query, 12) or ranked_matches(cat, query, 12)
    if not ranked or ranked[0][1] < MIN_SCORE:
        hint = f"; closest: {describe(ranked[0][0])}" if ranked else ""
        raise NotFoundError(f"no title matches {query!r}{hint}")
    top, score = ranked[0]
    floor = score if score >= 101.0 else score - CLOSE  # exact matches rival only each other
    rivals = [t for t, s in ranked[1:] if s >= floor]
    # a show and its own installments are not rivals: the show view covers them
    shows = [t for t in (top, *rivals) if isinstance(t, Show)]
    if shows:
        family = shows[0]
        if all(
            t is family or (isinstance(t, Title) and t in family.titles) for t in (top, *rivals)
        ):
            top, rivals = family, []
    if rivals:
        raise AmbiguousTitleError(query, [describe(t) for t in (top, *rivals)])
    if isinstance(top, Show) and len(top.titles) == 1:
        return top.titles[0]
    return top
