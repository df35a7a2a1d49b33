"""Titles: label parsing (show + installment), identity across Netflix's renames, search."""

from chartwatch.titles.catalog import Catalog, Show, Title
from chartwatch.titles.labels import Installment, parse_label
from chartwatch.titles.search import Candidate, resolve, search

__all__ = [
    "Candidate",
    "Catalog",
    "Installment",
    "Show",
    "Title",
    "parse_label",
    "resolve",
    "search",
]
