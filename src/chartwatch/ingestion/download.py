"""``chartwatch update``: Netflix's published files downloaded (:mod:`chartwatch.ingestion.fetch`)
and ingested one at a time."""

from __future__ import annotations

import os
from collections.abc import Callable

from chartwatch.errors import DownloadError
from chartwatch.ingestion import leftovers
from chartwatch.ingestion.fetch import fetch
from chartwatch.ingestion.load import IngestResult, ingest_payload
from chartwatch.store.store import Store

DEFAULT_BASE_URL = "https://www.netflix.com/tudum/top10/data/"
ENV_BASE_URL = "CHARTWATCH_BASE_URL"
FILES = ("all-weeks-global.tsv", "all-weeks-countries.tsv", "most-popular.tsv")


def base_url() -> str:
    """The base URL: ``$CHARTWATCH_BASE_URL``, else Netflix's."""
    return os.environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL


def update(
    store: Store,
    *,
    base: str | None = None,
    timeout: float = 30.0,
    files: tuple[str, ...] = FILES,
    urls: tuple[str, ...] = (),
    on_result: Callable[[IngestResult], None] | None = None,
) -> list[IngestResult]:
    """Download Netflix's current files and ingest each one on its own.

    ``urls`` (e.g. an engagement report's address) are fetched instead of the Top 10 files
    when given. A file that cannot be downloaded is reported as rejected with the reason;
    the others still load.
    """
    root = (base or base_url()).rstrip("/") + "/"
    leftovers.sweep()
    results: list[IngestResult] = []
    for url in urls or tuple(root + name for name in files):
        if results:
            store.let_readers_in()  # a reader waiting for the store goes before the next file
        try:
            payload = fetch(url, timeout=timeout)
        except DownloadError as exc:
            result = IngestResult(source=url, status="rejected", reason=exc.message)
        else:
            result = ingest_payload(store, payload)
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results
