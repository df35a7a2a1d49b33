"""``chartwatch check``: find the chart claims in a piece of text and judge each against
the store.

``check(store, text, as_of=None)`` returns a :class:`Report`: every claim with its
character offsets into ``text``, its kind, the title it is about, what it states, what
the store has, the verdict (``true``, ``false``, ``misleading``, ``unverifiable``), a
one-sentence explanation and the published rows behind it. The grammar is in
:mod:`~chartwatch.check.extract`, the verdicts in :mod:`~chartwatch.check.judge`, and
every read of the store in :mod:`~chartwatch.check.facts`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from chartwatch.brief.types import Evidence
from chartwatch.results import jsonable
from chartwatch.store.store import Store

__all__ = ["CheckedClaim", "Report", "check"]


@dataclass
class CheckedClaim:
    """One claim and its verdict. ``start``/``end`` are offsets into the checked text."""

    text: str
    start: int
    end: int
    kind: str
    title: str | None
    stated: dict[str, Any]
    actual: Any
    verdict: str
    explanation: str
    evidence: list[Evidence] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "kind": self.kind,
            "title": self.title,
            "stated": jsonable(self.stated),
            "actual": jsonable(self.actual),
            "verdict": self.verdict,
            "explanation": self.explanation,
            "evidence": [e.to_dict() for e in self.evidence],
        }


@dataclass
class Report:
    """``chartwatch check``: the claims found in a text, in order, each judged."""

    as_of: dt.date | None
    claims: list[CheckedClaim]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON of ``chartwatch check --json`` (docs/json.md)."""
        return {
            "as_of": jsonable(self.as_of),
            "claims": [c.to_dict() for c in self.claims],
        }


def check(store: Store, text: str, as_of: dt.date | None = None) -> Report:
    """Every chart claim in ``text``, judged against the store as published by ``as_of``
    (default: now): one :class:`~chartwatch.view.View`, made once, judges them all."""
    from chartwatch.check.extract import extract
    from chartwatch.check.facts import Facts
    from chartwatch.check.judge import judge, stated_json
    from chartwatch.view import View

    facts = Facts(View.of(store, as_of))
    claims = extract(facts, text)
    facts.read_countries(_country_titles(claims))
    out = []
    judged: dict[tuple[Any, ...], tuple[Any, dict[str, Any]]] = {}
    statements: dict[int, tuple[Any, ...]] = {}
    for claim in claims:
        key = _signature(claim, statements)
        found = judged.get(key)
        if found is None:  # the same claim about the same title is judged once per text
            found = judged[key] = (judge(facts, claim), stated_json(claim))
        j, stated = found
        out.append(
            CheckedClaim(
                text=claim.text,
                start=claim.start,
                end=claim.end,
                kind=claim.kind,
                title=j.title or (claim.title.name if claim.title is not None else None),
                stated=stated,
                actual=j.actual,
                verdict=j.verdict,
                explanation=j.explanation,
                evidence=j.evidence,
            )
        )
    return Report(as_of, out, list(facts.notes))


def _country_titles(claims: list[Any]) -> list[Any]:
    """The titles whose country lists the judge may read: those of country claims, and of
    No. 1 claims (true only in country lists?)."""
    out = []
    for c in claims:
        if c.title is None or c.title.target is None:
            continue
        if c.kind == "countries" or (c.kind == "rank" and c.stated.get("rank") == 1):
            target = c.title.target
            out += list(target.titles) if hasattr(target, "titles") else [target]
    return out


def _signature(claim: Any, statements: dict[int, tuple[Any, ...]]) -> tuple[Any, ...]:
    """What a judgement depends on: two claims with the same signature get the same one.
    ``statements``: what a claim states, in order, by the ``id`` of its ``stated`` (the
    claims of one sentence's copies share theirs; all live while the text is checked)."""
    date = claim.stated.get("_date")
    stated = statements.get(id(claim.stated))
    if stated is None:
        stated = statements[id(claim.stated)] = tuple(
            sorted((k, repr(v)) for k, v in claim.stated.items() if k != "_date")
        )
    return (
        claim.kind,
        _target(claim.title),
        _target(claim.other),
        stated,
        date.group() if date is not None else None,
        claim.basis,
        claim.week_n,
        claim.list_name,
        claim.source,
        claim.service,
    )


def _target(mention: Any) -> Any:
    """What a mention names, as a judgement's signature holds it."""
    if mention is None or mention.target is None:
        return None
    t = mention.target
    return getattr(t, "key", None) or ("show", t.name)
