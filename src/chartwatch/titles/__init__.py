"""Titles: label parsing (show + installment), identity across Netflix's renames, search."""

from chartwatch.titles.index import Show, Title, TitleIndex
from chartwatch.titles.labels import Installment, parse_label
from chartwatch.titles.search import Candidate, resolve, search

__all__ = [
    "Candidate",
    "Installment",
    "Show",
    "Title",
    "TitleIndex",
    "parse_label",
    "resolve",
    "search",
]
