"""The claim grammar: text → chart claims, each with its character offsets, its kind, the
title it is about and what it states.

A claim is found by its trigger (a figure with a unit, a rank, a record word, a count of
countries, a run of weeks, a release date, a comparison) and read in its sentence: the
title is the nearest one named before it (else the last one named before the sentence: "it
debuted…"), the period is the nearest date in the sentence, and the sentence's words set
the basis ("first week", "in total", "first 91 days") and the source ("FlixPatrol",
"Disney+"). The grammar, with its examples, is documented in docs/check.md.

The parts: :mod:`~chartwatch.check.claims` finds a sentence's claims by their triggers,
:mod:`~chartwatch.check.mentions` the titles it names, :mod:`~chartwatch.check.values`
reads numbers and dates; this module splits the text into sentences, ties each claim to
its title and reads its context.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chartwatch.check.claims import Claim, claims_in, overlaps, reads_past
from chartwatch.check.mentions import Mention, mentions
from chartwatch.check.values import (
    DATE_RANGE_RE,
    NUMBER_WORDS,
    ORDINALS,
    folded,
    has_any,
    ordinal_or_number,
    starting,
)

if TYPE_CHECKING:
    from chartwatch.check.facts import Facts

KINDS = ("rank", "figure", "record", "countries", "duration", "release", "comparison")

# -- sentences -----------------------------------------------------------------------------

_ABBREV = {
    "no", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "mr", "mrs", "ms", "dr", "st", "vs", "inc", "co", "jr", "sr", "vol", "pt", "approx", "u.s",
    "u.k", "e.g", "i.e", "etc", "ft", "feat",
}  # fmt: skip
# behind a test of the first character: the engine scans 1 MB for it in half the time
_BOUNDARY = starting(".!?…\n", r"[.!?…]+[\"”’')\]]*\s+(?=[\"“‘'(\[]?[A-Z0-9#])|\n+")


def _last_word(text: str, start: int, end: int) -> str:
    """The run of word characters and dots that ends ``text[start:end]`` (``No``,
    ``U.S``), read backwards from ``end``."""
    i = end
    while i > start and (text[i - 1].isalnum() or text[i - 1] in "_."):
        i -= 1
    return text[i:end]


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence: a line, split after ``.``/``!``/``?`` before a
    capital, except after an abbreviation (``No. 1``, ``Jan. 24``, ``U.S.``)."""
    out = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        if m.group().startswith((".",)) and "\n" not in m.group():
            word = _last_word(text, start, m.start())
            if word and (word.lower().rstrip(".") in _ABBREV or len(word) == 1):
                continue
        if text[start : m.start()].strip():
            out.append((start, m.start() + len(m.group().rstrip())))
        start = m.end()
    if text[start:].strip():
        out.append((start, len(text)))
    return out


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
# a word every match of SERVICES (as written: it is case-sensitive) and of THIRD_PARTY
# (folded) contains
_SERVICE_WORDS = (
    "Disney", "Hulu", "HBO", "Max", "Prime Video", "Amazon", "Apple TV", "Peacock",
    "Paramount+", "YouTube", "box office", "theaters", "theatres", "cinemas",
)  # fmt: skip
_THIRD_PARTY_WORDS = (
    "flixpatrol", "nielsen", "luminate", "reelgood", "justwatch", "samba tv",
    "parrot analytics", "whip media", "daily", "every day", "each day",
)  # fmt: skip
_BASIS = (
    ("p28", starting("fo2", r"\b(?:first|opening)\s+(?:28|twenty-eight)\s+days\b|"
                            r"\b28 days\b", re.I)),
    ("p91", starting("f9nm", r"\b(?:first\s+)?(?:91|ninety-one)\s+days\b|"
                             r"\bmost[- ]popular list", re.I)),
    (
        "week_n",
        starting(
            "fstnew12345",
            rf"\b(?P<ord>{'|'.join(ORDINALS)})\s+week\b|\bweek\s+(?P<n>\d|two|three)\b",
            re.I,
        ),
    ),
    ("total", starting("itocsa", r"\b(?:in total|total|overall|cumulative|combined|so far|to date|"
                                 r"in all|over its run|all told|altogether)\b", re.I)),
    ("debut", starting("dopflb", r"\b(?:debut(?:ed|s|ing)?|opening|premiere|first[- ]week|"
                                 r"launch(?:ed)? week|bow(?:ed)?|opened)\b", re.I)),
)  # fmt: skip
# a word every match of each _BASIS pattern contains (folded)
_BASIS_WORDS = {
    "p28": ("28", "twenty-eight"),
    "p91": ("91", "ninety-one", "popular list"),
    "week_n": ("week",),
    "total": ("total", "overall", "cumulative", "combined", "so far", "to date", "in all",
              "over its run", "all told", "altogether"),
    "debut": ("debut", "opening", "premiere", "first week", "first-week", "launch", "bow",
              "opened"),
}  # fmt: skip
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


_TRIGGER = starting(
    r"\dn#trblmhwdfpaozse",
    r"\d|No\.|#1|\b(?:top|topped|tops|topping|first place|number one|record|biggest|largest|"
    r"most|highest|best|weeks|twice|double|"
    r"triple|times|more|fewer|less|released|premiered|launched|dropped|debuted|arrived|"
    rf"outperform|ahead|behind|{NUMBER_WORDS})\b",
    re.IGNORECASE,
)


_DIGIT = re.compile(r"\d")


@dataclass
class _Read:
    """A sentence's claims as read where it first stands (``lo``), for every sentence of the
    same text: each claim with whether it takes the title named last before its sentence,
    when one was, instead of its own ``title``; and the last title the sentence names."""

    lo: int
    claims: list[tuple[Claim, bool]]
    last: Mention | None


class _Reads:
    """The sentences of a text read so far, by their text: one read from its text alone
    serves every copy; one whose list of countries was read on past its end serves the
    copies followed by the same text up to the next sentence's end, if it read no further."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.alone: dict[str, _Read] = {}
        self.read_on: dict[str, dict[str, _Read]] = {}

    def get(self, sent: str, hi: int, after: int) -> _Read | None:
        """The reading of ``sent``, ending at ``hi`` with the next sentence ending at
        ``after``, if one serves."""
        read = self.alone.get(sent)
        if read is None and sent in self.read_on:
            read = self.read_on[sent].get(self.text[hi:after])
        return read

    def put(self, sent: str, hi: int, after: int, read: _Read, sought: list[int]) -> None:
        """Keep the reading of ``sent`` for its other copies, as far as it serves them."""
        if not reads_past(self.text, sought, hi):
            self.alone[sent] = read
        elif not reads_past(self.text, sought, after):
            self.read_on.setdefault(sent, {})[self.text[hi:after]] = read


def extract(facts: Facts, text: str) -> list[Claim]:
    """Every chart claim in ``text``, in order, with the title each is about. A sentence
    is read once per distinct text (a long feed repeats many: leads, standard lines) and
    its claims placed wherever it stands (:class:`_Reads`)."""
    claims: list[Claim] = []
    last_title: Mention | None = None
    reads = _Reads(text)
    spans = sentences(text)
    for i, span in enumerate(spans):
        lo, hi = span
        after = spans[i + 1][1] if i + 1 < len(spans) else len(text)
        sent = text[lo:hi]
        read = reads.get(sent, hi, after)
        if read is None:
            read, sought = _read(facts, text, lo, hi)
            reads.put(sent, hi, after, read, sought)
        by = lo - read.lo
        for c, takes_last in read.claims:
            claims.append(c.placed(by, span, last_title if takes_last else None))
        if read.last is not None:
            last_title = read.last.moved(by)
    return claims


def _read(facts: Facts, text: str, lo: int, hi: int) -> tuple[_Read, list[int]]:
    """The sentence ``text[lo:hi]`` read, and where country names were sought in it
    (:func:`~chartwatch.check.claims.reads_past`)."""
    sent = text[lo:hi]
    # a digit is a trigger, and found by a plain scan: most sentences of figures have one
    has_trigger = _DIGIT.search(sent) is not None or _TRIGGER.search(sent) is not None
    if not has_trigger:
        quoted = [m for m in mentions(facts, text, lo, hi, fuzzy=False) if m.target is not None]
        return _Read(lo, [], quoted[-1] if quoted else None), []
    dates = list(DATE_RANGE_RE.finditer(text, lo, hi))
    low = folded(sent)
    found, sought = claims_in(facts, text, lo, hi, dated=bool(dates), low=low)
    ments = mentions(facts, text, lo, hi, fuzzy=bool(found))
    if not found:
        return _Read(lo, [], ments[-1] if ments else None), sought
    # a claim's own words are no title ("No. 1", "Top 10" are also names of titles)
    ments = [m for m in ments if not any(
        c.start <= m.start and m.end <= c.end and c.kind != "record" and
        c.kind != "comparison" for c in found)]  # fmt: skip
    starts = [m.start for m in ments]
    context = _sentence(sent, low, found, dates)
    read = _Read(lo, [], ments[-1] if ments else None)
    for c in found:
        c.sentence = (lo, hi)
        takes_last = _attach(c, text, hi, ments, starts)
        c.text = text[c.start : c.end]
        _context(c, text, lo, hi, context)
        read.claims.append((c, takes_last))
    return read, sought


def _attach(c: Claim, text: str, hi: int, ments: list[Mention], starts: list[int]) -> bool:
    """The title a claim is about: the nearest named before it in its sentence, else the
    one named last before the sentence (True is returned: ``c.title`` is the title when
    none was), else one right after it; and the second title of a comparison, or the
    holder of a record (``the record of X``)."""
    i = bisect.bisect_left(starts, c.start)
    before = [m for m in ments[:i] if m.end <= c.start or c.kind == "record"]
    before = [m for m in before if m.start < c.start]
    after = [m for m in ments if m.start >= c.start]
    if c.kind == "comparison":
        c.title = before[-1] if before else None
        c.other = after[0] if after else None
        if c.other is not None:
            c.end = max(c.end, c.other.end)
        return not before
    if c.kind == "record":
        holder = _HOLDER.match(text[c.end : hi])
        inner = [m for m in after if m.start < c.end + 40]
        if holder and inner:
            c.other = inner[0]
            c.end = max(c.end, inner[0].end)
    prev = [m for m in before if m.end <= c.start]
    c.title = prev[-1] if prev else None
    if prev:
        return False
    if c.kind == "record":
        if after and after[0] is not c.other:
            c.title = after[0]
        return True
    if after and after[0].start - c.end < 40:
        c.title = after[0]  # "No. 1 was “Wednesday”"
        return False
    return True


_HOLDER = re.compile(r"^\s+(?:of|held by|set by)\s+")


@dataclass
class _Sentence:
    """What a sentence gives every claim in it: its dates, the list, source and service it
    names, the bases its words may name (read once per sentence)."""

    dates: list[re.Match[str]]
    list_name: str | None
    source: str | None
    service: str | None
    bases: list[tuple[str, re.Pattern[str]]]


def _sentence(sent: str, low: str, found: list[Claim], dates: list[re.Match[str]]) -> _Sentence:
    """What the sentence ``sent`` (``low``: :func:`~chartwatch.check.values.folded`) gives
    its claims ``found``: its ``dates`` but those of release claims, the list, source and
    service it names, and the :data:`_BASIS` patterns whose words it has."""
    taken = [x.period_span for x in found if x.kind == "release" and x.period_span]
    if taken:
        dates = [m for m in dates if not any(overlaps((m.start(), m.end()), t) for t in taken)]
    list_name = None
    if "english" in low:  # every list's pattern has it
        list_name = next((name for name, rx in _LISTS if rx.search(sent)), None)
    third = THIRD_PARTY.search(sent) if has_any(low, _THIRD_PARTY_WORDS) else None
    service = SERVICES.search(sent) if has_any(sent, _SERVICE_WORDS) else None
    bases = [(name, rx) for name, rx in _BASIS if has_any(low, _BASIS_WORDS[name])]
    return _Sentence(
        dates,
        list_name,
        third.group() if third else None,
        service.group() if service else None,
        bases,
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
    # the window is a slice: a pattern's \b reads its ends as the ends of a text
    window = text[max(lo, c.start - 80) : min(hi, c.end + 60)] if sentence.bases else ""
    for name, rx in sentence.bases:
        found = rx.search(window)
        if found:
            if name == "week_n":
                c.week_n = ordinal_or_number(found)
                if c.week_n == 1:
                    name = "debut"
            c.basis = name
            break
    c.list_name = sentence.list_name
    c.source = sentence.source
    c.service = sentence.service
