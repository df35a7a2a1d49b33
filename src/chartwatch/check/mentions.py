"""Titles named in a text: quoted names matched as ``chartwatch search`` matches them
(typos, old and original-language labels), runs of capitalised words that are exactly a
title's or show's name (found through an index of the names' words), and installments
(``season 2``, ``Part 5``, ``the second season of``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from chartwatch.check.values import ORDINALS, ordinal_or_number
from chartwatch.titles.search import normalize, plain

if TYPE_CHECKING:
    from chartwatch.check.facts import Facts
    from chartwatch.titles import Show, Title

_INSTALMENT = r"season|part|volume|vol\.|book|chapter|series"
_SMALL_NUMBER = r"\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten"
_SUFFIX = re.compile(
    rf"^(?:\s*[:,]?\s*|’s\s+|'s\s+)(?:(?P<kind>{_INSTALMENT})\s+(?P<n>{_SMALL_NUMBER})\b"
    rf"|(?P<ord>{'|'.join(ORDINALS)})\s+(?P<kind2>season|part|series)\b)",
    re.IGNORECASE,
)
_BARE = re.compile(r"^\s+(?P<n>\d{1,2})\b(?![.,]\d|\s*(?:million|billion|%|weeks?|countries))")
_PREFIX = re.compile(
    rf"(?:the\s+)?(?:(?P<ord>{'|'.join(ORDINALS)})\s+(?P<kind>season|part|series)"
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
def plain_word(word: str) -> str:
    """A word of the text as :func:`~chartwatch.titles.search.plain` reads it (kept)."""
    return plain(word)


@dataclass
class Mention:
    """A title named in the text: its span, the name as matched, and what it resolves to."""

    start: int
    end: int
    name: str
    target: Title | Show | None

    def moved(self, by: int) -> Mention:
        """The same name ``by`` characters on (in another copy of its sentence)."""
        return self if not by else Mention(self.start + by, self.end + by, self.name, self.target)


def _installment(facts: Facts, name: str, m: re.Match[str]) -> tuple[Title | Show, str] | None:
    """The installment of ``name`` a ``_SUFFIX`` or ``_PREFIX`` match names (``season 2``,
    ``second season``), and how to name it, if the store has it."""
    n = ordinal_or_number(m)
    if not n:
        return None
    kind = m.group("kind") or m.group("kind2")
    word = {"vol.": "Volume", "series": "Season"}.get(kind.lower(), kind.title())
    found = facts.resolve(f"{name}: {word} {n}")
    return None if found is None else (found, f"{name} {kind} {n}")


def _extend(facts: Facts, text: str, m: Mention, lo: int, hi: int) -> Mention:
    """``X season 2``, ``X: Part 5``, ``X's second season``, ``the second season of X``,
    ``Stranger Things 4``: the installment, when the store has it."""
    after = _SUFFIX.match(text[m.end : hi])
    found = _installment(facts, m.name, after) if after else None
    if after and found:
        return Mention(m.start, m.end + after.end(), found[1], found[0])
    before = _PREFIX.search(text[max(lo, m.start - 40) : m.start])
    found = _installment(facts, m.name, before) if before else None
    if before and found:
        return Mention(m.start - len(before.group()), m.end, found[1], found[0])
    bare = _BARE.match(text[m.end : hi])
    if bare:
        target = facts.resolve(f"{m.name} {bare.group('n')}")
        if target is not None and target is not m.target and _is_title(target):
            return Mention(m.start, m.end + bare.end(), f"{m.name} {bare.group('n')}", target)
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
    return sorted(found, key=_start) if len(found) > 1 else found


def _start(m: Mention) -> int:
    """A mention's place: the order of a sentence's mentions (a function, not a lambda
    made anew for each sentence)."""
    return m.start


_FUZZY_RUN = re.compile(r"(?:[A-Z][\w’'-]*(?:\s+|:\s*)){1,6}[A-Z0-9][\w’'-]*")
_ARTICLES = ("the", "a", "an")


def _named(
    facts: Facts, text: str, lo: int, hi: int, taken: list[tuple[int, int]]
) -> list[Mention]:
    """Runs of words from a capitalised one (outside the quoted names ``taken``) that are
    exactly a title's or show's name, the longest such run at each place (of at most ten
    words). A run starts only at a word some name starts with (:meth:`Facts.name_heads`)
    and is read on only while its words still start a name (:meth:`Facts.name_prefixes`):
    an index of the names by their words, walked once per capitalised word. A name found
    ends where the next may start: only the quoted names are tested for overlap."""
    names = facts.names()
    heads = facts.name_heads()
    prefixes = facts.name_prefixes()
    found: list[Mention] = []
    pos = lo
    for cap in _CAPITAL.finditer(text, lo, hi):
        s = cap.start()
        if s < pos or (taken and any(a <= s < b for a, b in taken)):
            continue
        head = plain_word(cap.group())
        article = head in _ARTICLES
        if not article and head not in heads:
            continue
        best = _longest_name(text, cap.end(), hi, "" if article else head, names, prefixes)
        if best is None:
            continue
        end, key = best
        name = names[key]
        target = facts.resolve(name)
        if target is not None:
            found.append(_extend(facts, text, Mention(s, end, name, target), lo, hi))
        pos = end
    return found


def _longest_name(
    text: str, start: int, hi: int, head: str, names: dict[str, str], prefixes: frozenset[str]
) -> tuple[int, str] | None:
    """Where the longest name of at most ten words read from a first word ending at
    ``start`` and on to ``hi`` ends, and its key: the first word is ``head`` (a word some
    name starts with), or an article when ``head`` is empty; a one-word name must be no
    common word of four letters or more."""
    best = None
    key = head
    n = 1 if head else 0
    if head in names and head not in _COMMON and len(head) >= 4:
        best = (start, head)
    for count, w in enumerate(_WORD.finditer(text, start, hi), start=2):
        if count > 10:
            break
        word = plain_word(w.group())
        key = f"{key} {word}" if n else word
        if key not in prefixes:
            break
        n += 1
        if key in names and (n > 1 or (key not in _COMMON and len(key) >= 4)):
            best = (w.end(), key)
    return best
