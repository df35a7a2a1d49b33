"""One download with httpx: timeouts, a size limit and a one-line reason for every failure.

Used by ``ingest URL`` (:mod:`chartwatch.ingestion.load`) and ``update``
(:mod:`chartwatch.ingestion.download`); it knows nothing of the store.
"""

from __future__ import annotations

import datetime as dt
import time
from urllib.parse import urlsplit

import httpx

from chartwatch import __version__
from chartwatch.errors import DownloadError
from chartwatch.ingestion.reader import Payload, max_bytes


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
