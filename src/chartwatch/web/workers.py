"""``chartwatch serve --workers N``: N server processes on one address, connections spread
over them by the kernel.

uvicorn's own ``workers`` shares one listening socket between its processes, and the first
process to wake takes every connection waiting (a browser's, or a proxy's, kept open for many
requests), so one process could serve nearly everything while the others idle. Here each
process listens on its own socket with ``SO_REUSEPORT``, and Linux spreads new connections
over the sockets by a hash of their addresses.

The parent checks that the address is free, opens the sockets (all listening before any
process starts, so a process still starting gets its share of connections, queued), starts
the processes, and stops them all on Ctrl-C or SIGTERM, or when one of them exits.
"""

from __future__ import annotations

import multiprocessing
import signal
import socket
import sys
import time
from typing import Any

from chartwatch.errors import UsageError


def _listening(host: str, port: int, *, shared: bool) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if shared:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def _worker(settings: dict[str, Any], sock: socket.socket) -> None:
    """One server process: the app of :func:`chartwatch.web.app.served`, on its own socket."""
    import uvicorn

    from chartwatch.web.app import SERVED_APP

    config = uvicorn.Config(
        SERVED_APP,
        factory=True,
        host=settings["host"],
        port=settings["port"],
        log_level="warning",
        access_log=False,
    )
    uvicorn.Server(config).run(sockets=[sock])


def run(host: str, port: int, workers: int) -> int:
    """Serve with ``workers`` processes until stopped; the exit status (0 when stopped by a
    signal, 1 when a process ended by itself)."""
    if not hasattr(socket, "SO_REUSEPORT"):
        raise UsageError("above 1 needs SO_REUSEPORT (Linux, macOS)", parameter="workers")
    try:
        _listening(host, port, shared=False).close()  # the address is free (not shared)
    except OSError as exc:
        raise UsageError(
            f"cannot listen on {host}:{port}: {exc.strerror}", parameter="port"
        ) from None
    spawn = multiprocessing.get_context("spawn")
    settings = {"host": host, "port": port}
    # every socket listens before any process starts: a connection made while a process is
    # still starting waits in its socket's queue instead of going to the ones already up
    sockets = [_listening(host, port, shared=True) for _ in range(workers)]
    for sock in sockets:
        sock.listen(2048)
    children = [spawn.Process(target=_worker, args=(settings, sock)) for sock in sockets]
    stopping: list[int] = []

    def stop(signum: int, _frame: Any) -> None:
        stopping.append(signum)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        for child in children:
            child.start()
        while not stopping and all(child.is_alive() for child in children):
            time.sleep(0.2)
    finally:
        for child in children:
            if child.is_alive():
                child.terminate()  # uvicorn shuts down gracefully on SIGTERM
        for child in children:
            child.join(timeout=20)
            if child.is_alive():
                child.kill()
                child.join()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for sock in sockets:
            sock.close()
    if not stopping:
        print("chartwatch: a server process ended; stopped the others", file=sys.stderr)
        return 1
    return 0
