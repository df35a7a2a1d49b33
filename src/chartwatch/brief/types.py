"""What a brief returns: :class:`Brief`, its :class:`Fact` sentences and the
:class:`Evidence` rows behind each. Plain data with their JSON and table shapes; nothing
here reads the store."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from chartwatch.results import Tabular, jsonable


@dataclass
class Evidence:
    """One published row (or, for country counts, one week of a country list) behind a fact.

    ``figure`` is the value in ``measure``: ``hours_viewed`` or ``views`` for a global row,
    ``countries_no1`` / ``countries_top10`` for a week's count of countries, ``rank`` for a
    country row (the country lists publish ranks only; ``figure`` is then null).

    A row of an engagement report (``list`` ``engagement``, ``report`` its id, ``week_end``
    the end of its half-year, ``title`` the report's name for it) backs a release date:
    ``measure`` ``release_date``, ``figure`` its hours viewed in that half-year.
    """

    list: str
    week_end: dt.date
    category: str
    rank: int | None
    figure: int | None
    measure: str
    snapshot_id: int
    observed_at: dt.datetime
    title: str
    country_iso2: str | None = None
    report: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = jsonable(self)
        if self.country_iso2 is None:
            del out["country_iso2"]
        if self.report is None:
            del out["report"]
        return out


@dataclass
class Fact:
    """One sentence (or two) and the rows it rests on."""

    id: str
    text: str
    evidence: list[Evidence] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "evidence": [e.to_dict() for e in self.evidence]}


@dataclass
class Brief(Tabular):
    """``chartwatch brief``: the facts about one title; the table is one row per evidence."""

    label: str
    show: str
    category: str | None
    as_of: dt.date | None
    vs: str | None
    notes: list[str]
    facts: list[Fact]
    key: str = ""  # the stable key: ``Ballerina (film, English)``
    view: dict[str, Any] = field(default_factory=dict)  # View.describe(): as_of, reconstructed…

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "key": self.key,
            "show": self.show,
            "category": self.category,
            **(self.view or {"as_of": jsonable(self.as_of)}),
            "vs": self.vs,
            "notes": list(self.notes),
            "facts": [f.to_dict() for f in self.facts],
        }

    def table_rows(self) -> list[dict[str, Any]]:
        return [
            {"fact": f.id, **{k: getattr(e, k) for k in Evidence.__dataclass_fields__}}
            for f in self.facts
            for e in f.evidence
        ]
