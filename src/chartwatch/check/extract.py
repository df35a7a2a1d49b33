"""The claim grammar: text → chart claims, each with its character offsets, its kind, the
title it is about and what it states.

A claim is found by its trigger (a figure with a unit, a rank, a record word, a count of
countries, a run of weeks, a release date, a comparison) and read in its sentence: the
title is the nearest one named before it (else the last one named before the sentence: "it
debuted…"), the period is the nearest date in the sentence, and the sentence's words set
the basis ("first week", "in total", "first 91 days") and the source ("FlixPatrol",
"Disney+"). The grammar, with its examples, is documented in docs/check.md.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from chartwatch.check.values import (
    DATE_RANGE_RE,
    NUMBER_RE,
    NUMBER_WORDS,
    Number,
    number,
    starting,
    word_number,
)
from chartwatch.titles.search import normalize, plain

if TYPE_CHECKING:
    from chartwatch.check.facts import Facts
    from chartwatch.titles import Show, Title

KINDS = ("rank", "figure", "record", "countries", "duration", "release", "comparison")

# -- sentences -----------------------------------------------------------------------------

_ABBREV = {
    "no", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "mr", "mrs", "ms", "dr", "st", "vs", "inc", "co", "jr", "sr", "vol", "pt", "approx", "u.s",
    "u.k", "e.g", "i.e", "etc", "ft", "feat",
}  # fmt: skip
_BOUNDARY = re.compile(r"[.!?…]+[\"”’')\]]*\s+(?=[\"“‘'(\[]?[A-Z0-9#])|\n+")


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence: a line, split after ``.``/``!``/``?`` before a
    capital, except after an abbreviation (``No. 1``, ``Jan. 24``, ``U.S.``)."""
    out = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        if m.group().startswith((".",)) and "\n" not in m.group():
            word = re.search(r"([\w.]+)$", text[start : m.start()])
            if word and (word.group(1).lower().rstrip(".") in _ABBREV or len(word.group(1)) == 1):
                continue
        if text[start : m.start()].strip():
            out.append((start, m.start() + len(m.group().rstrip())))
        start = m.end()
    if text[start:].strip():
        out.append((start, len(text)))
    return out


# -- titles --------------------------------------------------------------------------------

_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5,
}  # fmt: skip
_INSTALMENT = r"season|part|volume|vol\.|book|chapter|series"
_SMALL_NUMBER = r"\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten"
_SUFFIX = re.compile(
    rf"^(?:\s*[:,]?\s*|’s\s+|'s\s+)(?:(?P<kind>{_INSTALMENT})\s+(?P<n>{_SMALL_NUMBER})\b"
    rf"|(?P<ord>{'|'.join(_ORDINALS)})\s+(?P<kind2>season|part|series)\b)",
    re.IGNORECASE,
)
_BARE = re.compile(r"^\s+(?P<n>\d{1,2})\b(?![.,]\d|\s*(?:million|billion|%|weeks?|countries))")
_PREFIX = re.compile(
    rf"(?:the\s+)?(?:(?P<ord>{'|'.join(_ORDINALS)})\s+(?P<kind>season|part|series)"
    rf"|(?P<kind2>season|part)\s+(?P<n>{_SMALL_NUMBER}))\s+of\s+$",
    re.IGNORECASE,
)
_QUOTED = re.compile(
    r"“([^“”\n]{1,80}?)”|\"([^\"\n]{1,80}?)\"|‘([^‘’\n]{1,80}?)’|\*([^*\n]{1,80}?)\*"
)
_WORD = re.compile(r"[\w’'&-]+")
# a capital (or digit) that starts a word: tested first, so the engine scans for it fast
_CAPITAL = re.compile(r"[A-Z0-9](?<![\w’'&-].)[\w’'&-]*")
_COMMON = {
    "netflix", "the", "it", "its", "this", "that", "season", "week", "weeks", "top", "no",
    "korean", "series", "film", "films", "show", "shows", "hours", "views", "record",
    "number", "chart", "charts", "global", "english", "part", "us", "you", "her", "him",
    "they", "we", "he", "she", "one", "two", "three", "first", "second", "new", "after",
    "before", "why", "how", "when", "what", "who", "where", "which", "director", "days",
}  # fmt: skip


@cache
def _plain(word: str) -> str:
    return plain(word)


@dataclass
class Mention:
    """A title named in the text: its span, the name as matched, and what it resolves to."""

    start: int
    end: int
    name: str
    target: Title | Show | None


def _number_word(text: str) -> int | None:
    text = text.lower()
    return int(text) if text.isdigit() else word_number(text)


def _installment(facts: Facts, name: str, kind: str, n: int) -> Title | Show | None:
    word = {"vol.": "Volume", "series": "Season"}.get(kind.lower(), kind.title())
    return facts.resolve(f"{name}: {word} {n}")


def _extend(facts: Facts, text: str, m: Mention, lo: int, hi: int) -> Mention:
    """``X season 2``, ``X: Part 5``, ``X's second season``, ``the second season of X``,
    ``Stranger Things 4``: the installment, when the store has it."""
    after = _SUFFIX.match(text[m.end : hi])
    if after:
        n = (
            _number_word(after.group("n"))
            if after.group("n")
            else _ORDINALS.get((after.group("ord") or "").lower())
        )
        kind = after.group("kind") or after.group("kind2")
        if n:
            found = _installment(facts, m.name, kind, n)
            if found is not None:
                return Mention(m.start, m.end + after.end(), f"{m.name} {kind} {n}", found)
    before = _PREFIX.search(text[max(lo, m.start - 40) : m.start])
    if before:
        n = (
            _number_word(before.group("n"))
            if before.group("n")
            else _ORDINALS.get((before.group("ord") or "").lower())
        )
        kind = before.group("kind") or before.group("kind2")
        if n:
            found = _installment(facts, m.name, kind, n)
            if found is not None:
                start = m.start - (len(before.group()))
                return Mention(start, m.end, f"{m.name} {kind} {n}", found)
    bare = _BARE.match(text[m.end : hi])
    if bare:
        found = facts.resolve(f"{m.name} {bare.group('n')}")
        if found is not None and found is not m.target and _is_title(found):
            return Mention(m.start, m.end + bare.end(), f"{m.name} {bare.group('n')}", found)
    return m


def _is_title(target: Title | Show) -> bool:
    return not hasattr(target, "titles")


def mentions(facts: Facts, text: str, lo: int, hi: int, *, fuzzy: bool) -> list[Mention]:
    """The titles named in ``text[lo:hi]``: quoted names (matched as ``search`` does:
    typos, old and original-language labels), then capitalised runs that are exactly a
    title's or show's name; with ``fuzzy``, a capitalised run of two or more words that
    is close to one (a typo outside quotes)."""
    found: list[Mention] = []
    taken: list[tuple[int, int]] = []
    for q in _QUOTED.finditer(text, lo, hi):
        name = next(g for g in q.groups() if g is not None).strip(" ,.;:")
        if not name or len(name.split()) > 12:
            continue
        target = facts.resolve(name)
        if target is None:
            continue
        found.append(_extend(facts, text, Mention(q.start(), q.end(), name, target), lo, hi))
        taken.append((q.start(), q.end()))
    found += _named(facts, text, lo, hi, taken)
    if fuzzy and not found:
        for run in _FUZZY_RUN.finditer(text[lo:hi]):
            name = run.group()
            if len(name.split()) < 2 or normalize(name) in _COMMON:
                continue
            target = facts.resolve(name)
            if target is not None:
                found.append(Mention(lo + run.start(), lo + run.end(), name, target))
    return sorted(found, key=lambda m: m.start)


_FUZZY_RUN = re.compile(r"(?:[A-Z][\w’'-]*(?:\s+|:\s*)){1,6}[A-Z0-9][\w’'-]*")
_ARTICLES = ("the", "a", "an")


def _named(
    facts: Facts, text: str, lo: int, hi: int, taken: list[tuple[int, int]]
) -> list[Mention]:
    """Runs of words from a capitalised one (outside the quoted names ``taken``) that are
    exactly a title's or show's name, the longest such run at each place (of at most ten
    words). A run starts only at a word some name starts with (:meth:`Facts.name_heads`)
    and is read on only while its words still start a name (:meth:`Facts.name_prefixes`):
    an index of the names by their words, walked once per capitalised word."""
    names = facts.names()
    heads = facts.name_heads()
    prefixes = facts.name_prefixes()
    found: list[Mention] = []
    pos = lo
    for cap in _CAPITAL.finditer(text, lo, hi):
        s = cap.start()
        if s < pos or (taken and any(a <= s < b for a, b in taken)):
            continue
        head = _plain(cap.group())
        if head not in heads and head not in _ARTICLES:
            continue
        best = _longest_name(text, s, hi, head in _ARTICLES, names, prefixes)
        if best is None:
            continue
        end, key = best
        name = names[key]
        target = facts.resolve(name)
        if target is not None:
            found.append(_extend(facts, text, Mention(s, end, name, target), lo, hi))
            taken.append((s, end))
        pos = end
    return found


def _longest_name(
    text: str, start: int, hi: int, article: bool, names: dict[str, str], prefixes: frozenset[str]
) -> tuple[int, str] | None:
    """Where the longest name read from ``text[start:hi]`` (after its first word, an
    article) ends, and its key; a one-word name must be no common word of four letters
    or more."""
    best = None
    key = ""
    n = 0
    for count, w in enumerate(_WORD.finditer(text, start, hi), start=1):
        if count > 10:
            break
        if article and count == 1:
            continue
        word = _plain(w.group())
        key = f"{key} {word}" if n else word
        if key not in prefixes:
            break
        n += 1
        if key in names and (n > 1 or (key not in _COMMON and len(key) >= 4)):
            best = (w.end(), key)
    return best


# -- claims --------------------------------------------------------------------------------

_RANK_WORD = r"\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten"
_RANK = starting(
    "Nn#tf",
    rf"(?:\bNo\.\s*|\bno\.\s*|#|\bnumber\s+|\bNumber\s+)(?P<n>{_RANK_WORD})\b"
    r"|\b(?P<top>topped|tops|topping|top spot|top place|first place|top of the (?:charts?|list))\b"
    r"|\b(?P<ten>top[- ](?:10|ten))\b",
)
_RANK_BEFORE = re.compile(r"(?:No\.|#|number)\s*$")
_RANK_VERB = re.compile(
    r"\b(?:debuted|opened|premiered|entered|landed|reached|hit|peaked|ranked|rose|climbed|"
    r"stayed|remained|sat|was|is|spot|at)(?:\s+(?:at|to|in|on))?\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_TOPPED = re.compile(r"^(?:\s+[\w’'-]+){0,4}?\s+(?:charts?|lists?|top[- ](?:10|ten)|ranking)\b")
_FIGURE_UNIT = re.compile(
    r"^\s*(?:(?:million|billion)\s+)?(?:(?:global|total|weekly|more|viewing)\s+)?"
    r"(?P<unit>hours?|views?|minutes?)(?:\s+(?:viewed|watched|of viewing|streamed))?\b",
    re.IGNORECASE,
)
_COUNTRY_UNIT = re.compile(
    r"^\s*(?:other\s+|different\s+)?(?:countries(?:\s+and\s+(?:territories|regions))?|"
    r"markets|territories|nations|regions)\b",
    re.IGNORECASE,
)
_WEEKS_UNIT = re.compile(
    r"^\s*(?:(?:straight|consecutive|total|non-consecutive|cumulative)\s+)?weeks?\b"
    r"(?P<rest>(?:\s+[\w’'.-]+){0,5}?\s*(?:(?:at|in|on|atop)\s+(?:the\s+)?(?:global\s+)?"
    r"(?P<no1>No\.\s*1|number one|#1|top spot|first place)|(?P<top10>top[- ](?:10|ten))))?",
    re.IGNORECASE,
)
_RECORD = starting(
    "rblmh",
    r"\b(?P<word>record(?:-breaking|-setting)?|biggest|largest|best|most[- ](?:watched|viewed|"
    r"popular|streamed)|highest)\b",
    re.IGNORECASE,
)
_RECORD_NOUN = re.compile(
    r"^(?:\s+[\w’'-]+){0,4}?\s+(?:debut|opening|premiere|launch|week|title|show|series|film|"
    r"movie|season|hit|release|viewership|English|non-English|ever)\b",
    re.IGNORECASE,
)
_BEAT = re.compile(
    r"(?:beat(?:ing|s)?|broke|break(?:ing|s)?|shatter(?:ed|ing|s)?|surpass(?:ed|ing|es)?|"
    r"eclips(?:ed|ing|es)|top(?:ped|ping)|set(?:ting)?|smash(?:ed|ing))\s+(?:the\s+|a\s+|its\s+)?"
    r"(?:[\w’'-]+\s+){0,3}$",
    re.IGNORECASE,
)
_COMPARE = starting(
    r"\dtdfmloab",
    r"\b(?P<mult>twice|double|triple|(?P<n>\d+(?:\.\d+)?|two|three|four|five|ten)\s*(?:times|x)\b)"
    r"|\b(?P<dir>more|fewer|less)\b(?P<what>(?:\s+[\w’'-]+){0,3}?)\s+than\b"
    r"|\b(?P<verb>outperform(?:ed|ing|s)?|out-?stream(?:ed|ing|s)?|out-?rank(?:ed|ing|s)?|"
    r"ahead of|behind)\b",
    re.IGNORECASE,
)
_RELEASE = starting(
    "rpldabchs",
    r"\b(?:released|premiered|launched|dropped|arrived|landed|bowed|debuted|came out|"
    r"hit Netflix|hit the service|streaming)\s+(?:(?:on|globally|worldwide|on Netflix|"
    r"exclusively)\s+)*(?:on\s+)?(?=[A-Z])",
    re.IGNORECASE,
)
_INCLUDING_LATER = re.compile(r"\s+(?:[\w]+\s+){0,6}?(?:including|such as|in)\s+(?:the\s+)?")
_INCLUDING = re.compile(r"\b(?:including|such as|among them|in)\s+(?:the\s+)?", re.IGNORECASE)
COUNTRY_ALIASES = {
    "us": "US", "u s": "US", "usa": "US", "united states": "US", "america": "US",
    "uk": "GB", "u k": "GB", "britain": "GB", "great britain": "GB", "united kingdom": "GB",
    "korea": "KR", "south korea": "KR", "the philippines": "PH", "philippines": "PH",
}  # fmt: skip
SERVICES = starting(
    "DHMPAYbtc",
    r"\b(?:Disney\+|Disney Plus|Hulu|HBO(?: Max)?|Max|Prime Video|Amazon|Apple TV\+?|Peacock|"
    r"Paramount\+|YouTube|box office|theaters|theatres|cinemas)",
)
THIRD_PARTY = starting(
    "fnlrjspwde",
    r"\b(?:FlixPatrol|Nielsen|Luminate|Reelgood|JustWatch|Samba TV|Parrot Analytics|"
    r"Whip Media|daily (?:charts?|rankings?|lists?)|every day|each day)\b",
    re.IGNORECASE,
)
_BASIS = (
    ("p28", starting("fo2", r"\b(?:first|opening)\s+(?:28|twenty-eight)\s+days\b|"
                            r"\b28 days\b", re.I)),
    ("p91", starting("f9nm", r"\b(?:first\s+)?(?:91|ninety-one)\s+days\b|"
                             r"\bmost[- ]popular list", re.I)),
    (
        "week_n",
        starting(
            "fstnew12345",
            rf"\b(?P<ord>{'|'.join(_ORDINALS)})\s+week\b|\bweek\s+(?P<n>\d|two|three)\b",
            re.I,
        ),
    ),
    ("total", starting("itocsa", r"\b(?:in total|total|overall|cumulative|combined|so far|to date|"
                                 r"in all|over its run|all told|altogether)\b", re.I)),
    ("debut", starting("dopflb", r"\b(?:debut(?:ed|s|ing)?|opening|premiere|first[- ]week|"
                                 r"launch(?:ed)? week|bow(?:ed)?|opened)\b", re.I)),
)  # fmt: skip
_ENGLISH = re.compile("english", re.I)
_LISTS = (
    ("TV (Non-English)", starting("nt", r"\bnon[- ]English(?:[- ]language)?\s+(?:TV|series|shows?)|"
                                        r"\bTV\s*\(Non-English\)", re.I)),
    ("TV (English)", starting("et", r"\bEnglish(?:[- ]language)?\s+(?:TV|series|shows?)|"
                                    r"\bTV\s*\(English\)", re.I)),
    ("Films (Non-English)", starting("nf", r"\bnon[- ]English(?:[- ]language)?\s+"
                                           r"(?:films?|movies?)|\bFilms\s*\(Non-English\)", re.I)),
    ("Films (English)", starting("ef", r"\bEnglish(?:[- ]language)?\s+(?:films?|movies?)|"
                                       r"\bFilms\s*\(English\)", re.I)),
)  # fmt: skip


@dataclass
class Claim:
    """One chart claim in the text, as the grammar reads it (not yet judged).

    ``stated`` holds what the text says, by kind: ``value`` (a :class:`Number`),
    ``unit`` (hours, views, minutes), ``rank``, ``countries`` (ISO codes), ``scope``
    (debut, week, all_time), ``direction``/``ratio`` for comparisons. ``period`` is the
    span of days the sentence names for it (or None), ``basis`` the period its words
    name (debut, total, week_n, p28, p91), ``lists`` a list the sentence names,
    ``source`` a third-party source or another service named in the sentence."""

    kind: str
    start: int
    end: int
    text: str
    title: Mention | None
    other: Mention | None = None
    stated: dict[str, Any] = field(default_factory=dict)
    period: Any = None  # a values.Period, its year maybe inferred
    period_span: tuple[int, int] | None = None
    basis: str | None = None
    week_n: int | None = None
    list_name: str | None = None
    country: str | None = None  # a country whose list the claim is about
    source: str | None = None
    service: str | None = None
    sentence: tuple[int, int] = (0, 0)


_TRIGGER = starting(
    r"\dn#trblmhwdfpaozse",
    r"\d|No\.|#1|\b(?:top|record|biggest|largest|most|highest|best|weeks|twice|double|"
    r"triple|times|more|fewer|less|released|premiered|launched|dropped|debuted|arrived|"
    rf"outperform|ahead|behind|{NUMBER_WORDS})\b",
    re.IGNORECASE,
)


_COUNTRY_PART = re.compile(
    r"\s*(?:,\s*(?:and\s+)?|\s+and\s+|\s*&\s*)?(?:the\s+)?"
    r"(?P<name>[A-Z][\w.]*(?:\s+[A-Z][\w.]*){0,3})"
)


def _countries_in(text: str, start: int, lookup: dict[str, str]) -> tuple[list[str], int]:
    """ISO codes of a list of countries at ``text[start:]`` (``the US, Canada, United
    Kingdom and Philippines``) and where the list ends."""
    codes: list[str] = []
    pos = start
    while (part := _COUNTRY_PART.match(text, pos)) is not None:
        words = part.group("name").rstrip(".").split()
        iso = None
        for n in range(len(words), 0, -1):  # "Philippines Monday" → Philippines
            iso = lookup.get(_plain(" ".join(words[:n])))
            if iso:
                break
        if iso is None:
            break
        codes.append(iso)
        pos = part.end()
    return codes, pos


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def extract(facts: Facts, text: str) -> list[Claim]:
    """Every chart claim in ``text``, in order, with the title each is about."""
    claims: list[Claim] = []
    last_title: Mention | None = None
    for lo, hi in sentences(text):
        sent = text[lo:hi]
        has_trigger = _TRIGGER.search(sent) is not None
        if not has_trigger:
            quoted = [m for m in mentions(facts, text, lo, hi, fuzzy=False) if m.target is not None]
            if quoted:
                last_title = quoted[-1]
            continue
        found = _claims_in(facts, text, lo, hi)
        ments = mentions(facts, text, lo, hi, fuzzy=bool(found))
        # a claim's own words are no title ("No. 1", "Top 10" are also names of titles)
        ments = [m for m in ments if not any(
            c.start <= m.start and m.end <= c.end and c.kind != "record" and
            c.kind != "comparison" for c in found)]  # fmt: skip
        starts = [m.start for m in ments]
        context = _sentence(text, lo, hi, found)
        for c in found:
            c.sentence = (lo, hi)
            i = bisect.bisect_left(starts, c.start)
            before = [m for m in ments[:i] if m.end <= c.start or c.kind == "record"]
            before = [m for m in before if m.start < c.start]
            after = [m for m in ments if m.start >= c.start]
            if c.kind == "comparison":
                c.title = before[-1] if before else last_title
                c.other = after[0] if after else None
                if c.other is not None:
                    c.end = max(c.end, c.other.end)
            elif c.kind == "record":
                holder = re.match(r"^\s+(?:of|held by|set by)\s+", text[c.end : hi])
                inner = [m for m in after if m.start < c.end + 40]
                if holder and inner:
                    c.other = inner[0]
                    c.end = max(c.end, inner[0].end)
                prev = [m for m in before if m.end <= c.start]
                c.title = prev[-1] if prev else last_title
                if c.title is None and after and after[0] is not c.other:
                    c.title = after[0]
            else:
                prev = [m for m in before if m.end <= c.start]
                c.title = prev[-1] if prev else last_title
                if not prev and after and after[0].start - c.end < 40:
                    c.title = after[0]  # "No. 1 was “Wednesday”"
            c.text = text[c.start : c.end]
            _context(c, text, lo, hi, context)
        if ments:
            last_title = ments[-1]
        claims.extend(found)
    return claims


@dataclass
class _Sentence:
    """What a sentence gives every claim in it: its dates, the list, source and service it
    names (read once per sentence)."""

    dates: list[re.Match[str]]
    list_name: str | None
    source: str | None
    service: str | None


def _sentence(text: str, lo: int, hi: int, found: list[Claim]) -> _Sentence:
    sent = text[lo:hi]
    taken = [x.period_span for x in found if x.kind == "release" and x.period_span]
    dates = [
        m
        for m in DATE_RANGE_RE.finditer(text, lo, hi)
        if not any(_overlaps((m.start(), m.end()), t) for t in taken)
    ]
    list_name = None
    if _ENGLISH.search(sent):  # every list's pattern has it
        list_name = next((name for name, rx in _LISTS if rx.search(sent)), None)
    third = THIRD_PARTY.search(sent)
    service = SERVICES.search(sent)
    return _Sentence(
        dates, list_name, third.group() if third else None, service.group() if service else None
    )


def _context(c: Claim, text: str, lo: int, hi: int, sentence: _Sentence) -> None:
    """The period, basis, list, country and source the claim's sentence gives it."""
    if c.kind != "release":
        best = None
        for m in sentence.dates:
            dist = m.start() - c.end if m.start() >= c.end else c.start - m.end()
            if best is None or dist < best[0]:
                best = (dist, m)
        if best is not None:
            c.period_span = (best[1].start(), best[1].end())
            c.stated["_date"] = best[1]
    window = text[max(lo, c.start - 80) : min(hi, c.end + 60)]
    for name, rx in _BASIS:
        found = rx.search(window)
        if found:
            if name == "week_n":
                n = found.group("n")
                c.week_n = _ORDINALS.get((found.group("ord") or "").lower()) or (
                    _number_word(n) if n else None
                )
                if c.week_n == 1:
                    name = "debut"
            c.basis = name
            break
    c.list_name = sentence.list_name
    c.source = sentence.source
    c.service = sentence.service


class _Found:
    """The claims found in one sentence ``text[lo:hi]``, in the order the steps find them."""

    def __init__(self, text: str, lo: int, hi: int) -> None:
        self.text, self.lo, self.hi = text, lo, hi
        self.claims: list[Claim] = []

    def add(self, kind: str, start: int, end: int, **stated: Any) -> Claim:
        claim = Claim(kind, start, end, self.text[start:end], None, stated=stated)
        self.claims.append(claim)
        return claim


def _claims_in(facts: Facts, text: str, lo: int, hi: int) -> list[Claim]:
    """The claims of the sentence ``text[lo:hi]``, each step adding its kind."""
    found = _Found(text, lo, hi)
    _numbers(found)
    _ranks(found)
    _named_countries(found, facts.country_lookup())
    _records(found)
    _comparisons(found)
    _releases(found)
    return _dedupe(found.claims)


def _numbers(found: _Found) -> None:
    """Numbers with a unit: figures (hours, views, minutes), counts of countries after a
    rank, runs of weeks at No. 1 or in the Top 10."""
    text, lo, hi = found.text, found.lo, found.hi
    for m in NUMBER_RE.finditer(text, lo, hi):
        if _UNIT_START.match(text, m.end(), hi) is None:
            continue  # no unit follows: neither a figure, nor countries, nor weeks
        if m.group("num").lower() in ("one",) and not m.group("scale"):
            pre = text[max(lo, m.start() - 8) : m.start()].lower()
            if pre.endswith(("number ", "no. ")):
                continue
        if _RANK_BEFORE.search(text, max(lo, m.start() - 8), m.start()):
            continue
        rest = text[m.end() : min(hi, m.end() + 100)]
        unit = _FIGURE_UNIT.match(rest)
        ctry = None if unit else _COUNTRY_UNIT.match(rest)
        weeks = None if unit or ctry else _WEEKS_UNIT.match(rest)
        if not (unit or ctry or weeks):
            continue
        val = number(m.group("num"), m.group("scale"), m.group("qual"))
        if val is None:
            continue
        if unit:
            u = unit.group("unit").lower()
            u = "hours" if u.startswith("hour") else "views" if u.startswith("view") else "minutes"
            found.add("figure", m.start(), m.end() + unit.end(), value=val, unit=u)
        elif ctry:
            _country_count(found, m, ctry, val)
        elif weeks and not m.group("scale"):
            _weeks(found, m, weeks, val)


# the words a unit of figures, countries or weeks can start with (a number followed by none
# of them is none of the three: this skips most numbers with one cheap match)
_UNIT_START = re.compile(
    r"\s*(?:million|billion|global|total|weekly|more|viewing|hour|view|minute|other|different|"
    r"countr|market|territor|nation|region|straight|consecutive|non-consecutive|cumulative|week)",
    re.IGNORECASE,
)


def _country_count(found: _Found, m: re.Match[str], ctry: re.Match[str], val: Number) -> None:
    """``No. 1 in 64 countries``: a count of countries after a rank trigger."""
    text, lo = found.text, found.lo
    pre = text[max(lo, m.start() - 70) : m.start()]
    trig = None
    for t in _RANK.finditer(pre):
        trig = t
    if trig is not None:
        top10 = bool(trig.group("ten"))
        found.add(
            "countries",
            max(lo, m.start() - 70) + trig.start(),
            m.end() + ctry.end(),
            value=val,
            position="top10" if top10 else "no1",
        )


def _weeks(found: _Found, m: re.Match[str], weeks: re.Match[str], val: Number) -> None:
    """``six weeks at No. 1``, ``19 weeks in the top 10`` (or the sentence says which)."""
    text, lo, hi = found.text, found.lo, found.hi
    pos = "no1" if weeks.group("no1") else "top10" if weeks.group("top10") else None
    end = m.end() + weeks.end()
    if pos is None:
        ctx = text[max(lo, m.start() - 60) : min(hi, m.end() + 80)]
        if re.search(r"No\.\s*1|number one|#1|top spot", ctx):
            pos = "no1"
        elif re.search(r"top[- ](?:10|ten)|on the chart|charted|in the ranking", ctx, re.I):
            pos = "top10"
        else:
            return
        end = m.end() + len(weeks.group().rstrip())
    found.add("duration", m.start(), end, value=val, position=pos)


def _ranks(found: _Found) -> None:
    """``No. 1``, ``#2``, ``number one``, ``topped the chart``, ``top spot``, ``in the top
    10``."""
    text, lo, hi = found.text, found.lo, found.hi
    for m in _RANK.finditer(text, lo, hi):
        if m.group("n") is not None:
            n = _number_word(m.group("n"))
            if not n or n > 10:
                continue
            verb = _RANK_VERB.search(text[max(lo, m.start() - 30) : m.start()])
            start = max(lo, m.start() - 30) + verb.start() if verb else m.start()
            found.add("rank", start, m.end(), rank=n, within=False)
        elif m.group("top") is not None:
            if m.group("top").lower().startswith("top"):
                tail = _TOPPED.match(text[m.end() : hi])
                if m.group("top").lower() in ("topped", "tops", "topping"):
                    if not tail:
                        continue
                    found.add("rank", m.start(), m.end() + tail.end(), rank=1, within=False)
                    continue
            found.add("rank", m.start(), m.end(), rank=1, within=False)
        else:
            pre = text[max(lo, m.start() - 40) : m.start()]
            if not _IN_TOP10.search(pre):
                continue
            found.add("rank", m.start(), m.end(), rank=10, within=True)


_IN_TOP10 = re.compile(
    r"\b(?:in|into|entered|made|cracked|on|inside|reach(?:ed)?|joined|landed|among|of)\s+"
    r"(?:the\s+|Netflix[’']s\s+|its\s+)?(?:global\s+|weekly\s+)?$",
    re.I,
)


def _named_countries(found: _Found, names: dict[str, str]) -> None:
    """The countries named after a No. 1 / top 10 or a count of countries (``including
    the US, Canada…``): a rank becomes a claim about them, a count gets one beside it."""
    text, hi = found.text, found.hi
    for claim in [c for c in found.claims if c.kind in ("countries", "rank")]:
        inc = _INCLUDING.match(text, claim.end, hi)
        if inc is None:
            inc = _INCLUDING_LATER.match(text, claim.end, hi)
        if inc is None:
            continue
        codes, end = _countries_in(text, inc.end(), names)
        while end > inc.end() and text[end - 1] in ".,;: ":
            end -= 1
        if codes:
            if claim.kind == "rank" and claim.stated["rank"] in (1, 10):
                position = "top10" if claim.stated["within"] else "no1"
                claim.kind = "countries"
                claim.end = end
                claim.stated = {"countries": codes, "position": position}
            else:
                start = inc.end() - len(inc.group().lstrip())
                position = claim.stated.get("position", "no1")
                found.add("countries", start, end, countries=codes, position=position)


def _records(found: _Found) -> None:
    """``record``, ``biggest … debut``, ``most-watched … ever``; ``beating the … record``;
    its scope (debut, single week, all time) from the words around it."""
    text, lo, hi = found.text, found.lo, found.hi
    for m in _RECORD.finditer(text, lo, hi):
        word = m.group("word").lower()
        if not word.startswith("record") and not _RECORD_NOUN.match(text[m.end() : hi]):
            continue
        start, end = m.start(), m.end()
        beat = _BEAT.search(text[max(lo, m.start() - 50) : m.start()])
        if beat:
            start = max(lo, m.start() - 50) + beat.start()
        noun = _RECORD_NOUN.match(text[m.end() : hi])
        if noun and not word.startswith("record"):
            end = m.end() + noun.end()
        window = text[max(lo, m.start() - 40) : min(hi, m.end() + 60)].lower()
        if _SCOPE_DEBUT.search(window):
            scope = "debut"
        elif _SCOPE_ALL_TIME.search(window):
            scope = "all_time"
        elif _SCOPE_WEEK.search(window):
            scope = "week"
        else:
            scope = "debut" if re.search(r"debut", text[lo:hi], re.I) else "week"
        found.add("record", start, end, scope=scope, beaten=bool(beat))


_SCOPE_DEBUT = re.compile(r"first[- ]week|opening|debut|premiere|launch|bow|first seven days")
_SCOPE_ALL_TIME = re.compile(r"\bever\b|all[- ]time|of all time|history|most[- ]popular|91 days")
_SCOPE_WEEK = re.compile(r"\bweek\b|single week")


def _comparisons(found: _Found) -> None:
    """``twice``, ``N times``, ``more … than``, ``fewer … than``, ``outperformed``,
    ``ahead of``, ``behind``."""
    text, lo, hi = found.text, found.lo, found.hi
    for m in _COMPARE.finditer(text, lo, hi):
        if m.group("mult"):
            times = m.group("n")
            ratio = {"twice": 2.0, "double": 2.0, "triple": 3.0}.get(m.group("mult").lower())
            if ratio is None and times:
                ratio = float(times) if times[0].isdigit() else float(word_number(times) or 0)
            qual = _COMPARE_QUAL.search(text[max(lo, m.start() - 15) : m.start()])
            start = m.start() - (len(qual.group()) if qual else 0)
            said = qual.group(1).lower() if qual else "exact"
            found.add("comparison", start, m.end(), ratio=ratio, qualifier=said)
        elif m.group("dir"):
            direction, what = m.group("dir").lower(), m.group("what").strip()
            found.add("comparison", m.start(), m.end(), direction=direction, what=what)
        else:
            direction = "fewer" if m.group("verb").lower() == "behind" else "more"
            found.add("comparison", m.start(), m.end(), direction=direction)


_COMPARE_QUAL = re.compile(r"(more than|over|nearly|almost|about|roughly|around)\s+$", re.I)


def _releases(found: _Found) -> None:
    """``released on Jan. 28``, ``premiered Nov. 23, 2022``: a single day."""
    text, hi = found.text, found.hi
    for m in _RELEASE.finditer(text, found.lo, hi):
        d = DATE_RANGE_RE.match(text, m.end(), hi)
        if d is None or d.group("rel") or d.group("d2"):
            continue
        c = found.add("release", m.start(), d.end())
        c.period_span = (d.start(), d.end())
        c.stated["_date"] = d


def _dedupe(found: list[Claim]) -> list[Claim]:
    """Drop a claim inside another one's span (``No. 1`` inside ``No. 1 in 64 countries``;
    ``top 10`` right after ``No. 1 on Netflix's weekly``), and comparisons and figures
    with nothing to compare."""
    wide = [c for c in found if c.kind in ("countries", "duration", "record")]
    found = [
        c
        for c in found
        if c.kind != "rank" or not any(_overlaps((c.start, c.end), (w.start, w.end)) for w in wide)
    ]
    found.sort(key=lambda c: (c.start, -(c.end - c.start)))
    out: list[Claim] = []
    for c in found:
        if any(o.start <= c.start and c.end <= o.end for o in out):
            continue
        if (
            c.kind == "rank"
            and c.stated.get("within")
            and any(o.kind == "rank" and 0 <= c.start - o.end < 60 for o in out)
        ):
            continue
        out.append(c)
    return out


def stated_number(c: Claim) -> Number | None:
    """The claim's stated number, if it has one."""
    value = c.stated.get("value")
    return value if isinstance(value, Number) else None
