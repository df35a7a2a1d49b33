"""Netflix's title labels parsed into show + installment.

Netflix labels a season of a series in ``season_title`` (``Ozark: Season 4``,
``Stranger Things 4``, ``Money Heist: Part 5``, ``Bridgerton: Limited Series``) and leaves it
``N/A`` for films. A *title* in chartwatch is one installment: a season, part, volume, book,
chapter, limited series, or a film. Installments are numbered where the label allows and
keep the label otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ROMAN = {
    "I": 1,
    "II": 2,
    "III": 3,
    "IV": 4,
    "V": 5,
    "VI": 6,
    "VII": 7,
    "VIII": 8,
    "IX": 9,
    "X": 10,
}
_WORDS = "season|part|volume|vol\\.?|book|chapter|collection|series|s"
_NUMBERED = re.compile(
    rf"^(?P<word>{_WORDS})\s*(?P<num>\d+|[IVX]+)\b[\s:,.-]*(?P<rest>.*)$", re.IGNORECASE
)
_KIND = {
    "season": "season",
    "s": "season",
    "part": "part",
    "volume": "volume",
    "vol": "volume",
    "vol.": "volume",
    "book": "book",
    "chapter": "chapter",
    "collection": "collection",
    "series": "season",
}


@dataclass(frozen=True)
class Installment:
    """One title: a show and which installment of it.

    ``kind`` is ``film``, ``season``, ``part``, ``volume``, ``book``, ``chapter``,
    ``collection``, ``limited`` (a limited series), ``series`` (a TV title without a
    season label) or ``special`` (a label chartwatch cannot number).
    """

    show: str
    label: str
    kind: str
    number: int | None
    subtitle: str | None = None

    @property
    def is_film(self) -> bool:
        return self.kind == "film"


def _number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    return _ROMAN.get(text.upper())


def parse_label(show_title: str, season_title: str | None, *, film: bool = False) -> Installment:
    """Parse one row's titles.

    >>> parse_label("Ozark", "Ozark: Season 4")
    Installment(show='Ozark', label='Ozark: Season 4', kind='season', number=4, subtitle=None)
    >>> parse_label("Stranger Things", "Stranger Things 4").number
    4
    >>> parse_label("Money Heist", "Money Heist: Part 5").kind
    'part'
    >>> i = parse_label("Love Is Blind", "Love Is Blind: S2: Chicago")
    >>> i.kind, i.number, i.subtitle
    ('season', 2, 'Chicago')
    >>> parse_label("Ozark", "Ozark: Season 4 Part 1").subtitle
    'Part 1'
    >>> parse_label("Bridgerton", "Queen Charlotte: A Bridgerton Story").kind
    'special'
    >>> parse_label("Red Notice", None, film=True).kind
    'film'
    """
    show = show_title.strip()
    if not season_title:
        kind = "film" if film else "series"
        return Installment(show=show, label=show, kind=kind, number=None)
    label = season_title.strip()
    rest = label
    if label.lower().startswith(show.lower()):
        rest = label[len(show) :].lstrip(" :-–,")
    else:
        return Installment(show=show, label=label, kind="special", number=None, subtitle=label)
    if not rest:
        return Installment(show=show, label=label, kind="series", number=None)
    if rest.lower() in ("limited series", "miniseries", "limited"):
        return Installment(show=show, label=label, kind="limited", number=None)
    m = _NUMBERED.match(rest)
    if m and m.group("word").lower() == "s" and not m.group("num").isdigit():
        m = None  # "S2" is season 2, but "Six" is a word, not "S" + IX
    if m:
        number = _number(m.group("num"))
        word = m.group("word").lower()
        sub = m.group("rest").strip() or None
        return Installment(
            show=show, label=label, kind=_KIND.get(word, "season"), number=number, subtitle=sub
        )
    if re.fullmatch(r"\d+|[IVX]+", rest):  # "Stranger Things 4", "Money Heist: II"
        return Installment(show=show, label=label, kind="season", number=_number(rest))
    m = re.match(r"^(\d+)\b[\s:,.-]*(.+)$", rest)  # "Through My Window 2: Across the Sea"
    if m:
        return Installment(
            show=show, label=label, kind="season", number=int(m.group(1)), subtitle=m.group(2)
        )
    return Installment(show=show, label=label, kind="special", number=None, subtitle=rest)
