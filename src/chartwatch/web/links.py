"""Addresses of titles: readable slugs that resolve back to the same title.

``/title/all-of-us-are-dead-season-1`` is the label, lower-cased, accents and punctuation
dropped, words joined by hyphens. A slug is a title query like any other (hyphens read as
spaces), so it resolves through :func:`chartwatch.titles.resolve`; when two titles share a
slug, ``~film`` / ``~tv`` and then ``~YEAR`` are added (``/title/the-stranger~film``), which
read as the qualifiers ``(film)``, ``(tv)``, ``(2022)`` of a title query. A test checks
that every title's and show's slug resolves back to it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import quote

from chartwatch.titles import Show, Title, TitleIndex
from chartwatch.titles.index import list_word
from chartwatch.titles.search import plain

if TYPE_CHECKING:
    from chartwatch.view import View

_QUALIFIERS = re.compile(
    r"^(.*?)((?:~(?:film|tv|show|english|non-english|no-global-list|\d{4}))+)$"
)


def slug(name: str) -> str:
    """``All of Us Are Dead: Season 1`` → ``all-of-us-are-dead-season-1``."""
    return "-".join(plain(name).split())


def title_query(text: str) -> str:
    """The title query a ``/title/…`` path stands for: the text itself (title matching
    ignores punctuation, so hyphens count as spaces), with a trailing ``~film~2022`` read
    as the qualifier ``(film, 2022)``.

    >>> title_query("the-stranger~film~2022")
    'the-stranger (film, 2022)'
    """
    text = text.strip()
    match = _QUALIFIERS.match(text)
    if not match:
        return text
    quals = match.group(2).split("~")[1:]
    return f"{match.group(1)} ({', '.join(quals)})"


def query_url(query: str) -> str:
    """The page of whatever ``query`` resolves to (any text a user could type)."""
    return "/title/" + quote(query, safe="")


class Links:
    """Slugs of every title and show of one title_index, qualified where two would collide."""

    def __init__(self, cat: TitleIndex) -> None:
        self.cat = cat
        groups: dict[str, list[Title | Show]] = {}
        rivals: dict[str, list[Title | Show]] = {}
        for title in cat.titles.values():
            groups.setdefault(slug(title.label), []).append(title)
        for show in cat.shows.values():
            if len(show.titles) > 1:
                groups.setdefault(slug(show.name), []).append(show)
            elif show.titles[0].label != show.name:
                # a one-installment show is found by its name too: a rival, without a page
                rivals.setdefault(slug(show.name), []).append(show.titles[0])
        self._paths: dict[int, str] = {}
        self._targets: dict[str, Title | Show] = {}
        for base, targets in groups.items():
            everyone = targets + [t for t in rivals.get(base, []) if t not in targets]
            for target in targets:
                path = self._qualified(base, target, everyone)
                n = 2
                while path in self._targets:  # still shared (same kind, same year)
                    path = f"{path.split('~n')[0]}~n{n}"
                    n += 1
                self._paths[id(target)] = path
                self._targets[path] = target

    @staticmethod
    def _qualified(base: str, target: Title | Show, rivals: list[Title | Show]) -> str:
        if not base:
            name = target.name if isinstance(target, Show) else target.label
            return quote(name, safe="")
        if len(rivals) == 1:
            return base
        path = base

        def kind(t: Title | Show) -> str:
            return "show" if isinstance(t, Show) else "film" if t.film else "tv"

        same = [t for t in rivals if kind(t) == kind(target)]
        if len(same) < len(rivals):
            path += "~" + kind(target)
        if len(same) > 1 and isinstance(target, Title) and target.namesakes:
            # one label in two lists (two films named Ballerina): ~english, ~non-english
            path += "~" + slug(list_word(target.category))
        elif len(same) > 1 and isinstance(target, Title) and target.first_week:
            path += f"~{target.first_week.year}"
        return quote(path, safe="~-")

    def title(self, target: Title | Show) -> str:
        """``/title/…`` of a title or show of this title_index."""
        path = self._paths.get(id(target))
        if path is None:  # not of this title_index: fall back to a query that names it
            name = target.name if isinstance(target, Show) else target.label
            return query_url(name)
        return "/title/" + path

    def target(self, path: str) -> Title | Show | None:
        """The title or show whose page is ``/title/{path}`` (``path`` as in the URL,
        percent-encoded or not), or None for any other text."""
        return self._targets.get(path) or self._targets.get(quote(path, safe="~-"))

    def label(self, label: str, film: bool) -> str:
        """``/title/…`` of the title with this label (current or old)."""
        canonical = self.cat.canonical(label)
        title = self.cat.titles.get((canonical, film))
        if title is None:
            return query_url(label + (" (film)" if film else ""))
        return self.title(title)


def links_for(view: View) -> Links:
    """The links of the view's title index, made once per view and kept with it."""
    return view.derived("web_links", lambda: Links(view.titles))
