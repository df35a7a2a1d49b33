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


def ensure_data(store: Store, notice: Callable[[str], None] | None = None) -> bool:
    """Load the bundled data if the store is empty; True if it did.

    ``notice`` receives a one-line message saying so.
    """
    if not store.is_empty() or store.read_only:
        return False
    results = load_bundled(store)
    if notice is not None:
        rows = sum(r.rows for r in results)
        notice(
            f"chartwatch: the store {store.label} was empty; loaded the bundled Netflix data "
            f"({len(results)} files, {rows:,} rows). `chartwatch update` fetches newer files."
        )
    return True
