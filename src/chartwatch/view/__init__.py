"""A view of the store: the store at a point in time, and everything derived from it.

Every analysis, forecast and front end reads the store through a :class:`View`::

    import chartwatch
    with chartwatch.open_store("charts.duckdb") as store:
        view = chartwatch.View.of(store)                      # the current charts
        past = chartwatch.View.of(store, as_of=dt.date(2022, 2, 1))

A view knows its ``as_of`` (None: now) and the *stamp* of the store's content (a hash of
every snapshot's sha256 and observation time, so a new snapshot gives a new stamp), and
owns what is derived from the store at that point: the title index, each title's
weeks in the global lists and rows in the country lists, where each figure stood on its
leaderboard at the time, the boards themselves, and (registered by
:mod:`chartwatch.forecast`) the forecast history and fitted models. All of it is computed
once per (stamp, as_of) and kept in one place:

* in memory, on the :class:`~chartwatch.store.Store` object (never process-wide, so two
  stores never share derived data, whatever their labels or sizes), and
* for a store file, on disk in a folder beside it (``STORE.derived/``), so a new process
  that finds the derived data ready pays no title index build and no model fit. Read-only
  readers write there too (never into the store); a stamp's folder is written atomically
  and older stamps' folders are removed.

The as-of rule (which weeks, which values, and when a view is *reconstructed*) is
:mod:`chartwatch.store.rows`'s.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any, TypeVar

from chartwatch.store.rows import visible_rows
from chartwatch.store.store import Store

if TYPE_CHECKING:
    from chartwatch.titles.index import Show, Title, TitleIndex
    from chartwatch.view.core import Core

T = TypeVar("T")

# Bumped whenever what is derived, or its format on disk, changes: older folders are ignored.
DERIVED_FORMAT = "7"


def content_stamp(store: Store) -> str:
    """A stamp of the store's content: every snapshot's kind, sha256 and observation time,
    in order. Two calls give the same stamp exactly when no snapshot was added or moved.
    A read-only store cannot change under its connection (DuckDB lets no process write a
    file another has open), so its stamp is computed once; a writable one's every time."""
    if store.read_only:
        known = store.shared.get("stamp")
        if known is None:
            known = store.shared["stamp"] = _stamp(store)
        return str(known)
    return _stamp(store)


def _stamp(store: Store) -> str:
    row = store.one(
        "SELECT count(*), md5(coalesce(string_agg(kind || ':' || sha256 || '@' || "
        "observed_at::VARCHAR, ',' ORDER BY snapshot_id), '')) FROM snapshots"
    )
    assert row is not None
    return f"{int(row[0])}-{str(row[1])[:16]}"


class _Derived:
    """What one store object has derived, by (stamp, as_of); shared by its cursors."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.stamp: str | None = None
        self.views: dict[dt.date | None, View] = {}


def _derived(store: Store) -> _Derived:
    shared = store.shared.get("derived")
    if shared is None:
        shared = store.shared.setdefault("derived", _Derived())
    assert isinstance(shared, _Derived)
    return shared


class View:
    """The store at a point in time (``as_of`` None: now), with what is derived from it.

    Get one with :meth:`View.of`; analyses take it as their first argument. Thread-safe:
    derived data is computed once under a lock and read freely after that. A view is bound
    to the connection it was made on; :meth:`on` rebinds it to another cursor of the same
    store (the web's worker threads) with the derived data shared."""

    def __init__(self, store: Store, as_of: dt.date | None, stamp: str) -> None:
        self.store = store
        self.as_of = as_of
        self.stamp = stamp
        self._memo: dict[str, Any] = {}
        self._lock = threading.RLock()

    # -- making one ------------------------------------------------------------------------
    @classmethod
    def of(cls, store: Store, as_of: dt.date | None = None) -> View:
        """The view of ``store`` as of ``as_of``: the same object while the store's content
        is unchanged, a new one (with nothing derived yet) after a new snapshot."""
        stamp = content_stamp(store)
        shared = _derived(store)
        with shared.lock:
            if shared.stamp != stamp:
                shared.stamp = stamp
                shared.views = {}
            view = shared.views.get(as_of)
            if view is None:
                view = shared.views[as_of] = cls(store, as_of, stamp)
        return view if view.store is store else view.on(store)

    def on(self, store: Store) -> View:
        """This view read through another connection (a cursor) to the same store."""
        other = View.__new__(View)
        other.store, other.as_of, other.stamp = store, self.as_of, self.stamp
        other._memo, other._lock = self._memo, self._lock
        return other

    def at(self, as_of: dt.date | None) -> View:
        """The view of the same store as of another date."""
        return View.of(self.store, as_of)

    # -- what it is ------------------------------------------------------------------------
    @property
    def key(self) -> tuple[str, dt.date | None]:
        """(stamp, as_of): names this view's derived data everywhere it is kept."""
        return (self.stamp, self.as_of)

    def rows(self) -> tuple[str, list[Any]]:
        """The visible rows as a SQL subquery and its parameters
        (:func:`chartwatch.store.rows.visible_rows`)."""
        return visible_rows(self.as_of)

    @property
    def core(self) -> Core:
        """The derived data every analysis reads (:class:`chartwatch.view.core.Core`)."""
        from chartwatch.view.core import load_core

        return self.derived("core", lambda: load_core(self))

    @property
    def titles(self) -> TitleIndex:
        return self.core.titles

    @property
    def reconstructed(self) -> bool:
        """True when some rows of this view were first observed after ``as_of``."""
        return self.core.reconstructed

    @property
    def first_observed(self) -> dt.date | None:
        """When the store first observed the reconstructed rows (None if there are none)."""
        return self.core.first_observed

    def describe(self) -> dict[str, Any]:
        """The keys every document of this view carries: ``as_of``, ``reconstructed``,
        ``first_observed``."""
        return {
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "reconstructed": self.reconstructed,
            "first_observed": self.first_observed.isoformat() if self.first_observed else None,
        }

    def notice(self) -> str | None:
        """The one line a table prints for a reconstructed view, else None."""
        if not self.reconstructed or self.as_of is None:
            return None
        return (
            f"as of {self.as_of}, reconstructed from files first observed {self.first_observed}: "
            "Netflix may have revised these rows since"
        )

    # -- titles ----------------------------------------------------------------------------
    def resolve(self, query: str) -> Title | Show:
        """The title or show ``query`` names in this view (see
        :func:`chartwatch.titles.search.resolve`), or else the one an original-language
        title of the engagement reports names in full ("la casa de papel": Money Heist; see
        :func:`chartwatch.engagement.names.original_names`), so the CLI, the API and the
        web find the same title for the same words."""
        from chartwatch.errors import AmbiguousTitleError, NotFoundError
        from chartwatch.titles.search import named_by, resolve

        try:
            return resolve(self.titles, query)
        except (NotFoundError, AmbiguousTitleError) as exc:
            from chartwatch.engagement.names import original_names

            named = named_by(original_names(self), query)
            if named is not None:
                return named
            if self.as_of is None:
                raise
            missed = exc
        # a title that charts only after the date: say so, not "no title matches"
        try:
            later = resolve(View.of(self.store).titles, query)
        except (NotFoundError, AmbiguousTitleError):
            raise missed from None
        first = min((t.first_week for t in _titles(later) if t.first_week), default=None)
        name = getattr(later, "label", None) or getattr(later, "name", query)
        when = f": its first week in the lists ends {first}" if first else ""
        raise NotFoundError(f"{name!r} has no chart weeks published by {self.as_of}{when}")

    # -- derived data ----------------------------------------------------------------------
    def peek(self, name: str) -> Any:
        """What was derived as ``name`` for this view, or None if nothing yet."""
        return self._memo.get(name)

    def derived(self, name: str, compute: Callable[[], T]) -> T:
        """``compute()``'s value, computed once for this view (stamp and as_of) and kept
        with it. What is worth keeping across processes is written to disk by the
        computation itself (:mod:`chartwatch.view.disk`)."""
        try:
            return self._memo[name]  # type: ignore[no-any-return]
        except KeyError:
            pass
        with self._lock:
            if name not in self._memo:
                self._memo[name] = compute()
            return self._memo[name]  # type: ignore[no-any-return]

    def last(self, name: str, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``'s value for ``key``, kept only until ``name`` is asked for another
        key: for what one answer asks for twice (a title page's report, read again by its
        brief) but a process should not keep for every title."""
        held = self._memo.get(name)
        if held is not None and held[0] == key:
            return held[1]  # type: ignore[no-any-return]
        value = compute()
        self._memo[name] = (key, value)
        return value

    def __repr__(self) -> str:
        return f"View({self.store.label}, as_of={self.as_of}, stamp={self.stamp})"


def _titles(target: Title | Show) -> tuple[Title, ...]:
    from chartwatch.titles.index import Show

    return target.titles if isinstance(target, Show) else (target,)


__all__ = ["DERIVED_FORMAT", "View", "content_stamp"]
