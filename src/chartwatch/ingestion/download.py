"""Downloading Netflix's published files with httpx: timeouts, limits and clear failures."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx

from chartwatch import __version__
from chartwatch.errors import DownloadError
from chartwatch.ingestion import leftovers
from chartwatch.ingestion.load import IngestResult, ingest_payload
from chartwatch.ingestion.reader import Payload, max_bytes
from chartwatch.store.store import Store

DEFAULT_BASE_URL = "https://www.netflix.com/tudum/top10/data/"
ENV_BASE_URL = "CHARTWATCH_BASE_URL"
FILES = ("all-weeks-global.tsv", "all-weeks-countries.tsv", "most-popular.tsv")


def base_url() -> str:
    """The base URL: ``$CHARTWATCH_BASE_URL``, else Netflix's."""
    return os.environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL


def fetch(url: str, *, timeout: float = 30.0) -> Payload:
    """Download ``url`` into a :class:`Payload` observed at the time of download.

    ``timeout`` bounds the connection, every wait for data, and the whole download
    (at most ten times ``timeout``). Raises :class:`DownloadError` with one line.
    """
    host = urlsplit(url).netloc or url
    deadline = time.monotonic() + 10 * timeout
    limits = httpx.Timeout(timeout, connect=min(timeout, 10.0))
    headers = {"User-Agent": f"chartwatch/{__version__}"}
    try:
        with (
            httpx.Client(timeout=limits, follow_redirects=True, headers=headers) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code >= 400:
                raise DownloadError(
                    f"the server answered HTTP {response.status_code} {response.reason_phrase}"
                )
            chunks: list[bytes] = []
            size = 0
            limit = max_bytes()  # the gzip content is capped again as it is expanded
            for chunk in response.iter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size > limit:
                    raise DownloadError(f"larger than {limit / 2**20:g} MiB; not a Top 10 file")
                if time.monotonic() > deadline:
                    raise DownloadError(f"download took longer than {10 * timeout:g} s")
            observed = dt.datetime.now(dt.UTC)
            final = str(response.url)
    except httpx.TimeoutException:
        raise DownloadError(
            f"timed out after {timeout:g} s waiting for {host}; try again later or raise --timeout"
        ) from None
    except httpx.ConnectError:
        raise DownloadError(
            f"cannot connect to {host} (offline? check the network or --base-url)"
        ) from None
    except httpx.HTTPError as exc:
        raise DownloadError(f"download failed ({type(exc).__name__}: {exc})") from None
    name = urlsplit(final).path.rsplit("/", 1)[-1] or urlsplit(url).path.rsplit("/", 1)[-1]
    return Payload(
        source=url,
        name=name,
        data=b"".join(chunks),
        observed_at=observed,
        observed_how="download-time",
    )


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
