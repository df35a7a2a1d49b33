"""The real Netflix files shipped with chartwatch, loaded into an empty store on first use."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported when the data is loaded: every command checks, few load
    from chartwatch.ingestion.load import IngestResult
    from chartwatch.ingestion.reader import Payload
    from chartwatch.store.store import Store


def bundled_payloads(*, engagement: bool = True) -> list[Payload]:
    """The bundled files, each observed at the archive commit that first held its bytes
    (the engagement reports: the day Netflix published each; left out if not
    ``engagement``)."""
    from chartwatch.ingestion.reader import Payload

    root = resources.files("chartwatch") / "data"
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    payloads = []
    for item in manifest["files"]:
        if not engagement and item["name"].startswith("engagement/"):
            continue
        file = root
        for part in item["name"].split("/"):  # a name may sit in a folder (engagement/…)
            file = file / part
        payloads.append(
            Payload(
                source=f"bundled:{item['name']} ({item['source']})",
                name=item["name"].rsplit("/", 1)[-1],
                data=file.read_bytes(),
                observed_at=dt.datetime.fromisoformat(item["observed_at"]),
                observed_how="commit-time",
            )
        )
    return payloads


def load_bundled(store: Store, *, engagement: bool = True) -> list[IngestResult]:
    """Ingest the bundled files (a no-op for files the store already holds): the three Top 10
    files and, unless ``engagement`` is false, the three engagement reports."""
    from chartwatch.ingestion.load import ingest_payload

    return [ingest_payload(store, p) for p in bundled_payloads(engagement=engagement)]


# ``meta.autoload`` says whether the bundled data may be loaded into a store:
OWN_FILES = "off"  # a store made for one's own files (ingest, replay, update): never
LOADING = "loading"  # the first load began; a crash in the middle is finished next time
LOADED = "done"  # loaded (a store older than this key: one that holds snapshots)


def wants_bundled(store: Store) -> bool:
    """Whether the bundled data is to be loaded into ``store`` on first use: it never held
    anything and was not made for one's own files, or a first load did not finish."""
    mark = store.meta("autoload")
    if mark == LOADING:
        return True
    return mark is None and store.is_empty()


def own_files_only(store: Store) -> None:
    """Record that ``store`` holds one's own files, so that the bundled data is never loaded
    into it, even when it is empty (an ingest that crashed, or found the disk full)."""
    if store.meta("autoload") is None and store.is_empty():
        store.set_meta("autoload", OWN_FILES)


def ensure_data(store: Store, notice: Callable[[str], None] | None = None) -> bool:
    """Load the bundled data into a store that has never held anything; True if it did.

    A store made by ``ingest``, ``replay`` or ``update`` (see :func:`own_files_only`) never
    gets it, even empty. ``notice`` receives a one-line message saying so.
    """
    if store.read_only or not wants_bundled(store):
        return False
    store.set_meta("autoload", LOADING)
    results = load_bundled(store)
    store.set_meta("autoload", LOADED)
    if notice is not None:
        rows = sum(r.rows for r in results)
        notice(
            f"chartwatch: the store {store.label} was empty; loaded the bundled Netflix data "
            f"({len(results)} files, {rows:,} rows). `chartwatch update` fetches newer files."
        )
    return True


def empty_notice(store: Store) -> str | None:
    """The line a read command prints for a store that holds nothing and never will get the
    bundled data (it was made for one's own files), else None."""
    if store.meta("autoload") == OWN_FILES and store.is_empty():
        return (
            f"chartwatch: the store {store.label} holds no files: it was made by ingest, "
            "replay or update and none has finished (a crash or a full disk?); the bundled "
            "data is not loaded into it. Run the ingest again, or pass another --db."
        )
    return None
