"""The claims of one sentence, found by their triggers: a number with a unit (a figure,
a count of countries, a run of weeks), a rank, the countries named after one, a record
word, a comparison, a release date. One step per kind of trigger, in this order; claims
inside another one's span are dropped."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from chartwatch.check.mentions import Mention, plain_word
from chartwatch.check.values import (
    DATE_RANGE_RE,
    NUMBER_RE,
    Number,
    folded,
    has_any,
    number,
    small_number,
    starting,
    word_number,
)

if TYPE_CHECKING:
    from chartwatch.check.facts import Facts

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

    def placed(self, by: int, sentence: tuple[int, int], before: Mention | None) -> Claim:
        """A copy of this claim for another copy of its sentence (``sentence``), ``by``
        characters on, about ``before`` (the title named before that copy) or, if None, its
        own title moved along. The copies share what the claim states (read, never changed,
        after the grammar): its ``_date`` is the match it was read from, only its text read.
        Made field by field (a test holds it to every field): a copy through ``__dict__``
        gives each its own dict, kept by the collector to the end of the check."""
        span = self.period_span
        return Claim(
            kind=self.kind,
            start=self.start + by,
            end=self.end + by,
            text=self.text,
            title=before or (self.title and self.title.moved(by)),
            other=self.other and self.other.moved(by),
            stated=self.stated,
            period=self.period,
            period_span=span and (span[0] + by, span[1] + by),
            basis=self.basis,
            week_n=self.week_n,
            list_name=self.list_name,
            country=self.country,
            source=self.source,
            service=self.service,
            sentence=sentence,
        )


_COUNTRY_PART = re.compile(
    r"\s*(?P<sep>,\s*(?:and\s+)?|\s+and\s+|\s*&\s*)?(?:the\s+)?"
    r"(?P<name>[A-Z][\w.]*(?:\s+[A-Z][\w.]*){0,3})"
)


def _countries_in(
    text: str, start: int, lookup: dict[str, str]
) -> tuple[list[str], int, list[int]]:
    """ISO codes of a list of countries at ``text[start:]`` (``the US, Canada, United
    Kingdom and Philippines``), where the list ends, and where a name was sought (a name
    may be read on past the end of its sentence: ``…and Philippines.\nAccording``)."""
    codes: list[str] = []
    pos = start
    sought = [pos]
    stop = False  # the last name ended a sentence: only a separator goes on with the list
    while (part := _COUNTRY_PART.match(text, pos)) is not None:
        if stop and part.group("sep") is None:
            break
        words = list(_WORD.finditer(part.group("name").rstrip(".")))
        iso = None
        for n in range(len(words), 0, -1):  # "Philippines Monday" → Philippines
            iso = lookup.get(plain_word(" ".join(w.group() for w in words[:n])))
            if iso:
                break
        if iso is None:
            break
        codes.append(iso)
        # the list goes on after the name found, not after the words read with it
        # ("…and Philippines.\nAccording": the next sentence's first word is not the list's)
        pos = part.end() if n == len(words) else part.start("name") + words[n - 1].end()
        stop = text[pos - 1] == "."
        sought.append(pos)
    return codes, pos, sought


_WORD = re.compile(r"\S+")


def reads_past(text: str, sought: list[int], end: int) -> bool:
    """Whether seeking country names at ``sought`` may have read ``text`` at or after
    ``end``: whether what follows ``end`` may change what was found."""
    for pos in sought:  # noqa: SIM110
        if pos > end or _runs_on(text[pos:end]):
            return True
    return False


# what completes every start of a _COUNTRY_PART match to a whole one ("an" → "and A",
# "th" → "the A", a comma or space → a name); kept in step with the pattern
_PART_ENDINGS = ("", "A", " A", "d A", "nd A", "e A", "he A")


def _runs_on(rest: str) -> bool:
    """Whether a :data:`_COUNTRY_PART` match tried at the start of ``rest`` (the rest of a
    sentence) may read past its end: whether ``rest`` is the start of some match."""
    for ending in _PART_ENDINGS:  # noqa: SIM110
        if _COUNTRY_PART.fullmatch(rest + ending):
            return True
    return False


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


class _Found:
    """The claims found in one sentence ``text[lo:hi]``, in the order the steps find them;
    ``sent`` is the sentence and ``low`` the sentence :func:`~chartwatch.check.values.folded`
    (a step looks there first for the words its pattern needs)."""

    def __init__(self, text: str, lo: int, hi: int, sent: str, low: str) -> None:
        self.text, self.lo, self.hi = text, lo, hi
        self.sent, self.low = sent, low
        self.claims: list[Claim] = []
        # where country names were sought (they may be read on past the sentence's end)
        self.sought: list[int] = []

    def add(self, kind: str, start: int, end: int, **stated: Any) -> Claim:
        claim = Claim(kind, start, end, self.text[start:end], None, stated=stated)
        self.claims.append(claim)
        return claim


def claims_in(
    facts: Facts, text: str, lo: int, hi: int, *, dated: bool = True, low: str | None = None
) -> tuple[list[Claim], list[int]]:
    """The claims of the sentence ``text[lo:hi]``, each step adding its kind; release dates
    only in a sentence that names a date at all (``dated``: most name none). ``low``: the
    sentence :func:`~chartwatch.check.values.folded`, if the caller has it. With them,
    where country names were sought: with :func:`reads_past`, whether the claims depend
    on the sentence alone (its text, wherever it stands) or on some text after it."""
    sent = text[lo:hi]
    found = _Found(text, lo, hi, sent, folded(sent) if low is None else low)
    _numbers(found)
    _ranks(found)
    _named_countries(found, facts)
    _records(found)
    _comparisons(found)
    if dated:
        _releases(found)
    return _dedupe(found.claims), found.sought


def _numbers(found: _Found) -> None:
    """Numbers with a unit: figures (hours, views, minutes), counts of countries after a
    rank, runs of weeks at No. 1 or in the Top 10."""
    if not has_any(found.low, _UNIT_WORDS):
        return  # no unit in the sentence: no number has one after it
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
# a word every match of _UNIT_START contains (folded)
_UNIT_WORDS = (
    "million", "billion", "global", "total", "more", "view", "hour", "minute", "other",
    "different", "countr", "market", "territor", "nation", "region", "straight",
    "consecutive", "cumulative", "week",
)  # fmt: skip


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
    if not has_any(found.sent, _RANK_WORDS):
        return
    text, lo, hi = found.text, found.lo, found.hi
    for m in _RANK.finditer(text, lo, hi):
        if m.group("n") is not None:
            n = small_number(m.group("n"))
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


# a word every match of _RANK contains (as written: the pattern is case-sensitive)
_RANK_WORDS = ("No.", "no.", "#", "number", "Number", "top", "first place")
_IN_TOP10 = re.compile(
    r"\b(?:in|into|entered|made|cracked|on|inside|reach(?:ed)?|joined|landed|among|of)\s+"
    r"(?:the\s+|Netflix[’']s\s+|its\s+)?(?:global\s+|weekly\s+)?$",
    re.I,
)


def _named_countries(found: _Found, facts: Facts) -> None:
    """The countries named after a No. 1 / top 10 or a count of countries (``including
    the US, Canada…``): a rank becomes a claim about them, a count gets one beside it.
    The country names are looked up only for a sentence that lists some."""
    text, hi = found.text, found.hi
    for claim in [c for c in found.claims if c.kind in ("countries", "rank")]:
        inc = _INCLUDING.match(text, claim.end, hi)
        if inc is None:
            inc = _INCLUDING_LATER.match(text, claim.end, hi)
        if inc is None:
            continue
        codes, end, sought = _countries_in(text, inc.end(), facts.country_lookup())
        found.sought += sought
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
    if not has_any(found.low, _RECORD_WORDS):
        return
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


# a word every match of _RECORD contains (folded)
_RECORD_WORDS = ("record", "biggest", "largest", "best", "most", "highest")
_SCOPE_DEBUT = re.compile(r"first[- ]week|opening|debut|premiere|launch|bow|first seven days")
_SCOPE_ALL_TIME = re.compile(r"\bever\b|all[- ]time|of all time|history|most[- ]popular|91 days")
_SCOPE_WEEK = re.compile(r"\bweek\b|single week")


def _comparisons(found: _Found) -> None:
    """``twice``, ``N times``, ``more … than``, ``fewer … than``, ``outperformed``,
    ``ahead of``, ``behind``."""
    low = found.low
    # an "x" outside "Netflix" may be one of "3x"
    if not has_any(low, _COMPARE_WORDS) and low.count("x") == low.count("netflix"):
        return
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


# a word every match of _COMPARE contains (folded), but "N x"
_COMPARE_WORDS = (
    "twice", "double", "triple", "times", "than", "outperform", "outstream", "out-stream",
    "outrank", "out-rank", "ahead of", "behind",
)  # fmt: skip
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
    if len(found) < 2:  # most sentences: nothing to drop
        return found
    wide = [c for c in found if c.kind in ("countries", "duration", "record")]
    found = [
        c
        for c in found
        if c.kind != "rank" or not any(overlaps((c.start, c.end), (w.start, w.end)) for w in wide)
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
