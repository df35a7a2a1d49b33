"""The web server under load: 32 concurrent clients against ``chartwatch serve`` on 127.0.0.1.

Starts ``chartwatch serve`` (the venv's script, next to ``sys.executable``) on a free port
of 127.0.0.1 over a fresh store of the bundled data, waits until it answers, then runs
each scenario for ``--duration`` seconds with ``--clients`` concurrent clients. Each client
keeps one HTTP/1.1 connection open and sends its next request as soon as the last one is
answered (a closed loop, so requests/s is what the server sustains). Scenarios:

* ``title page``: the HTML page of a title (``/title/…``), cycling over 20 titles
  (the top of the debut-hours leaderboard);
* ``API title``: ``/api/v1/title?q=…`` for the same titles;
* ``records``: the ``/records`` page, cycling over the nine leaderboards;
* ``mixed``: the three together.

Before the timed runs, each address is requested once, one at a time: that first answer
is a cache miss (computed from the store) and is reported as ``first request``; the timed
runs then measure the server as people meet it, answers coming from its per-copy cache
(see docs/web.md). Latency is measured by the client, from sending the request to reading
the last byte, so it includes the time a request waits while the server answers others.

The clients run in this process (one asyncio loop, plain sockets: about a tenth of the
CPU an HTTP library would use) on the same machine as the server, so on 2 cores they take
part of the CPU the server could use; the JSON records the CPU both used. Traffic goes to
127.0.0.1 only and every loop stops at its deadline.

    .venv/bin/python bench/bench_web.py [--duration 10] [--clients 32] [--json]
    .venv/bin/python bench/bench_web.py --realistic [--not-ready] [--duration 60]
    .venv/bin/python bench/bench_web.py --realistic --service   # each kind of page alone

``--realistic`` walks the mix (about 3,300 addresses) with every client starting at its own
place, so an address is asked for again once the clients behind reach it; each process
builds an answer once per copy of the store and caches it (docs/web.md). Besides every
request's latency it reports the latency of each address's first request in the run, which
no process can have cached: what a first visit to a page costs under the same load.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import quote

from _common import OtherLoad, emit_json, machine

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "web.json"
CHARTWATCH = Path(sys.executable).parent / "chartwatch"
AIM_P95_MS = 50.0
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def fetch(base: str, path: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(base + path, timeout=30) as response:  # loopback only
        return int(response.status), response.read()


def start_server(db: Path, port: int, workers: int = 1) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.pop("CHARTWATCH_DB", None)
    command = [str(CHARTWATCH), "serve", "--db", str(db), "--host", HOST, "--port", str(port)]
    proc = subprocess.Popen(
        [*command, "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://{HOST}:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            assert proc.stderr is not None
            raise SystemExit(f"chartwatch serve exited: {proc.stderr.read().decode()}")
        try:
            if fetch(base, "/static/favicon.svg")[0] == 200:
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("chartwatch serve did not start within 60 s")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and the processes under it that are running
    (``serve --workers N``'s workers, a preparing child), from Linux's /proc."""
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stats[int(entry.name)] = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
    tree, grew = {pid}, True
    while grew:
        more = {p for p, f in stats.items() if int(f[1]) in tree} - tree
        tree |= more
        grew = bool(more)
    ticks = sum(int(stats[p][11]) + int(stats[p][12]) for p in tree if p in stats)
    return ticks / os.sysconf("SC_CLK_TCK")


async def _get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> int:
    # as a browser asks: gzip accepted (the server sends the compressed answer it cached)
    # as a browser sends it: a non-ASCII address (a title in Korean or Arabic) percent-encoded
    target = quote(path, safe="/?=&~%:+,;@!$'()*")
    writer.write(f"GET {target} HTTP/1.1\r\nHost: {HOST}\r\nAccept-Encoding: gzip\r\n\r\n".encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = None
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.lower() == "content-length":
            length = int(value.strip())
        elif name.lower() == "transfer-encoding":
            raise RuntimeError(f"{path}: chunked answers are not expected")
    if length is None:
        raise RuntimeError(f"{path}: no content-length")
    await reader.readexactly(length)
    return status


async def _client(
    port: int,
    paths: list[str],
    offset: int,
    deadline: float,
    out: list[float],
    bad: list[str],
    slow: list[tuple[float, str]],
    seen: set[str],
    first: list[float],
) -> None:
    reader, writer = await asyncio.open_connection(HOST, port)
    i = offset
    try:
        while time.perf_counter() < deadline:
            path = paths[i % len(paths)]
            i += 1
            t0 = time.perf_counter()
            try:
                status = await _get(reader, writer, path)
            except (OSError, asyncio.IncompleteReadError) as exc:  # counted, then a new connection
                bad.append(f"{type(exc).__name__} {path}")
                writer.close()
                reader, writer = await asyncio.open_connection(HOST, port)
                continue
            out.append(time.perf_counter() - t0)
            slow.append((out[-1], path))
            if path not in seen:  # the first request for it in the run: built, not cached
                seen.add(path)
                first.append(out[-1])
            if status != 200:
                bad.append(f"{status} {path}")
    finally:
        writer.close()


async def _load(port: int, paths: list[str], clients: int, duration: float) -> dict[str, Any]:
    latencies: list[float] = []
    bad: list[str] = []
    slow: list[tuple[float, str]] = []
    seen: set[str] = set()
    first: list[float] = []
    start = time.perf_counter()
    deadline = start + duration
    await asyncio.gather(
        *(
            _client(
                port, paths, k * len(paths) // clients, deadline, latencies, bad, slow, seen, first
            )
            for k in range(clients)
        )
    )
    wall = time.perf_counter() - start
    slowest = [(round(s * 1000, 1), p) for s, p in sorted(slow, reverse=True)[:8]]
    return {
        "latencies": latencies,
        "first": first,
        "errors": bad,
        "wall_s": wall,
        "slowest": slowest,
    }


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, round(q / 100 * (len(sorted_values) - 1))))
    return sorted_values[k]


def scenario(
    port: int, server_pid: int, paths: list[str], clients: int, duration: float
) -> dict[str, Any]:
    cpu0, own0 = cpu_seconds(server_pid), time.process_time()
    run = asyncio.run(_load(port, paths, clients, duration))
    server_cpu, client_cpu = cpu_seconds(server_pid) - cpu0, time.process_time() - own0
    lat = sorted(run["latencies"])
    first = sorted(run["first"])
    wall = run["wall_s"]
    return {
        "requests": len(lat),
        "errors": len(run["errors"]),
        "error_examples": run["errors"][:5],
        "requests_per_s": round(len(lat) / wall, 1),
        "p50_ms": round(percentile(lat, 50) * 1000, 2),
        "p95_ms": round(percentile(lat, 95) * 1000, 2),
        "p99_ms": round(percentile(lat, 99) * 1000, 2),
        "max_ms": round(lat[-1] * 1000, 2) if lat else None,
        # each address's first request in the run (built by the server, never cached)
        "first_requests": len(first),
        "first_p50_ms": round(percentile(first, 50) * 1000, 2),
        "first_p95_ms": round(percentile(first, 95) * 1000, 2),
        "server_cores": round(server_cpu / wall, 2),
        "client_cores": round(client_cpu / wall, 2),
        "addresses": len(paths),
        "slowest_ms": run["slowest"],
    }


def addresses(base: str) -> dict[str, list[str]]:
    _, body = fetch(base, "/records.json?metric=debut_hours&top=20")
    entries = json.loads(body)["entries"]
    pages = [e["url"] for e in entries]
    api = ["/api/v1/title?q=" + quote(e["label"], safe="") for e in entries]
    _, body = fetch(base, "/records.json")
    records = []
    for metric in json.loads(body)["metrics"]:  # the leaderboards this store has data for
        try:
            fetch(base, f"/records.json?metric={metric}")  # leaves the page uncached
        except OSError:
            continue
        records.append(f"/records?metric={metric}")
    return {"title page": pages, "API title": api, "records": records}


def mix_addresses(db: Path, seed: int = 0) -> list[str]:
    """The realistic mix, in random order: every title's page, every week's page, every
    leaderboard, compare pages for random pairs, searches for random titles, and the API's
    title answers (read from the store the server serves, so every address exists)."""
    import random

    import chartwatch
    from chartwatch.view import View
    from chartwatch.web.links import Links

    rng = random.Random(seed)
    with chartwatch.open_store(db, read_only=True) as store:
        view = View.of(store)
        cat = view.titles
        links = Links(cat)
        titles = [t for t in cat.titles.values() if t.category]
        weeks = sorted(view.core.global_weeks)
    pages = [links.title(t) for t in titles]
    api = ["/api/v1/title?q=" + quote(t.key, safe="") for t in rng.sample(titles, 300)]
    week_pages = [f"/?week={w}" for w in weeks]
    records = [f"/records?metric={m}" for m in ("debut_hours", "week_hours", "weeks_in_top10")]
    pairs = [rng.sample(titles, 2) for _ in range(300)]
    compare = [
        "/compare?" + "&".join("titles=" + quote(t.key, safe="") for t in pair) for pair in pairs
    ]
    search = ["/search?q=" + quote(t.label[:12], safe="") for t in rng.sample(titles, 300)]
    mix = pages + api + week_pages + records * 20 + compare + search
    rng.shuffle(mix)
    return mix


def kind_of(path: str) -> str:
    """The kind of page an address of the mix is: week, title, compare, search, records, api."""
    if path.startswith("/api/"):
        return "api"
    return path.split("?")[0].strip("/").split("/")[0] or "week"


def service_times(port: int, paths: list[str], per_kind: int = 60) -> dict[str, Any]:
    """``--service``: what each kind of page of the mix costs the server alone: one client,
    ``per_kind`` addresses of each kind (each once, so each computed), in random order."""
    import http.client
    import random

    rng = random.Random(1)
    kinds: dict[str, list[str]] = {}
    for path in paths:
        kinds.setdefault(kind_of(path), []).append(path)
    sample = [(k, p) for k, ps in kinds.items() for p in rng.sample(ps, min(per_kind, len(ps)))]
    rng.shuffle(sample)
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    times: dict[str, list[float]] = {}
    for kind, path in sample:
        t = time.perf_counter()
        conn.request("GET", path, headers={"Accept-Encoding": "gzip"})
        response = conn.getresponse()
        response.read()
        times.setdefault(kind, []).append((time.perf_counter() - t) * 1000)
        assert response.status == 200, path
    conn.close()
    out = {}
    for kind, ms in times.items():
        ms.sort()
        out[kind] = {
            "addresses": len(kinds[kind]),
            "sampled": len(ms),
            "median_ms": round(percentile(ms, 50), 1),
            "p90_ms": round(percentile(ms, 90), 1),
            "max_ms": round(ms[-1], 1),
        }
    return out


def realistic(args: argparse.Namespace) -> int:
    """``--realistic``: a server just started on a store whose derived data is ready (or,
    with ``--not-ready``, the first requests after a new snapshot); one scenario of the mix
    for ``--duration`` seconds."""
    info = machine()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "store.duckdb"
        chartwatch_cli = [str(CHARTWATCH), "--db", str(db)]
        subprocess.run(
            [str(CHARTWATCH), "status", "--db", str(db)], check=True, capture_output=True
        )
        prepare_s = None
        if not args.not_ready:
            t0 = time.perf_counter()
            subprocess.run(
                [str(CHARTWATCH), "prepare", "--db", str(db)], check=True, capture_output=True
            )
            prepare_s = round(time.perf_counter() - t0, 2)
        del chartwatch_cli
        paths = mix_addresses(db)
        port = free_port()
        t0 = time.perf_counter()
        server = start_server(db, port, args.workers)
        startup = time.perf_counter() - t0
        try:
            with OtherLoad() as other:
                if args.service:
                    result = service_times(port, paths)
                else:
                    result = scenario(port, server.pid, paths, args.clients, args.duration)
        finally:
            server.terminate()
            server.wait(timeout=20)
    data = {
        "machine": info,
        "clients": args.clients,
        "duration_s": args.duration,
        "derived_ready": not args.not_ready,
        "workers": args.workers,
        "prepare_s": prepare_s,
        "server_start_s": round(startup, 2),
        "mix": result,
        "aims": {"p95_ms": 100, "p99_ms": 300, "errors": 0},
        "other_load_cores": other.cores,
    }
    name = "web-realistic" + ("-not-ready" if args.not_ready else "")
    name += f"-workers{args.workers}" if args.workers > 1 else ""
    out = RESULTS.with_name(name + ("-service" if args.service else "") + ".json")
    out.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    if args.json:
        emit_json(data)
        return 0
    if args.service:
        print(f"{info['date']}: one client, each address once (no queueing); ms")
        for kind, r in result.items():
            print(
                f"  {kind:8} {r['addresses']:5} addresses, {r['sampled']} sampled: "
                f"median {r['median_ms']}, p90 {r['p90_ms']}, max {r['max_ms']}"
            )
        return 0
    r = result
    print(
        f"{info['date']}: {args.clients} clients, {args.duration:g} s, derived data "
        f"{'ready' if not args.not_ready else 'NOT ready'} (prepare {prepare_s} s); "
        f"{r['requests']} requests over {r['addresses']} addresses\n"
        f"{r['requests_per_s']:,.0f} req/s, p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms, "
        f"p99 {r['p99_ms']} ms, max {r['max_ms']} ms, errors {r['errors']}; server "
        f"{r['server_cores']} cores, clients {r['client_cores']} cores, other load "
        f"{other.cores} cores\n"
        f"first request for each address ({r['first_requests']:,}, built, not cached): "
        f"p50 {r['first_p50_ms']} ms, p95 {r['first_p95_ms']} ms"
    )
    for ms, path in r["slowest_ms"][:5]:
        print(f"  slowest: {ms} ms {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per scenario")
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument(
        "--realistic",
        action="store_true",
        help="one run of the realistic mix (every title page in random order, weeks, "
        "records, compare, search, API) on a freshly started server",
    )
    parser.add_argument(
        "--not-ready", action="store_true", help="with --realistic: skip `chartwatch prepare`"
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="with --realistic: `serve --workers N`"
    )
    parser.add_argument(
        "--service",
        action="store_true",
        help="with --realistic: one client, each kind of page's own time (no queueing)",
    )
    args = parser.parse_args(argv)
    if not 0 < args.duration <= 120 or not 1 <= args.clients <= 256:
        parser.error("--duration must be in (0, 120] and --clients in [1, 256]")
    if args.realistic:
        return realistic(args)
    info = machine()
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        t0 = time.perf_counter()
        server = start_server(Path(tmp) / "store.duckdb", port)
        startup = time.perf_counter() - t0
        base = f"http://{HOST}:{port}"
        try:
            groups = addresses(base)
            first: dict[str, dict[str, float]] = {}
            for name, paths in groups.items():
                times = []
                for path in paths:
                    t = time.perf_counter()
                    status, _ = fetch(base, path)
                    times.append(time.perf_counter() - t)
                    assert status == 200, path
                first[name] = {
                    "median_ms": round(sorted(times)[len(times) // 2] * 1000, 1),
                    "max_ms": round(max(times) * 1000, 1),
                }
            groups["mixed"] = [p for trio in zip(*groups.values(), strict=False) for p in trio]
            results = {}
            server_cpu = cpu_seconds(server.pid)
            t_load = time.perf_counter()
            with OtherLoad() as other:
                for name, paths in groups.items():
                    print(f"{name} ...", file=sys.stderr, flush=True)
                    results[name] = scenario(port, server.pid, paths, args.clients, args.duration)
            # OtherLoad counts the server (another process) too: take it out
            server_cores = (cpu_seconds(server.pid) - server_cpu) / (time.perf_counter() - t_load)
            others = None if other.cores is None else round(max(other.cores - server_cores, 0), 2)
        finally:
            server.terminate()
            server.wait(timeout=20)
    worst = max(r["p95_ms"] for r in results.values())
    data = {
        "machine": info,
        "clients": args.clients,
        "duration_s": args.duration,
        "server_start_s": round(startup, 2),
        "first_request": first,
        "results": results,
        "aim_p95_ms": AIM_P95_MS,
        "aim_met": worst < AIM_P95_MS and all(r["errors"] == 0 for r in results.values()),
        "other_load_cores": others,
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    if args.json:
        emit_json(data)
        return 0
    print(
        f"{info['date']}, {info['nproc']} cores ({info['cpu_model']}), chartwatch "
        f"{info['chartwatch']} ({info['git_commit']}); {args.clients} clients, "
        f"{args.duration:g} s per scenario\n"
    )
    print("| Scenario | Requests/s | p50 | p95 | p99 | Errors | Server cores | First request |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, r in results.items():
        cold = first.get(name, {}).get("median_ms")
        print(
            f"| {name} | {r['requests_per_s']:,.0f} | {r['p50_ms']:.1f} ms | "
            f"{r['p95_ms']:.1f} ms | {r['p99_ms']:.1f} ms | {r['errors']} | "
            f"{r['server_cores']:.2f} | {f'{cold:.0f} ms' if cold else ''} |"
        )
    verdict = "met" if data["aim_met"] else "MISSED"
    print(f"\nAim p95 < {AIM_P95_MS:.0f} ms: {verdict}; other processes kept {others} cores busy")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
