"""Helpers shared by the benchmark scripts: timing statistics, timed child processes and SQL
statements, the command line every script takes, paths, machine facts."""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "src" / "chartwatch" / "data"
BUNDLE = ROOT / "tests" / "data" / "archive.bundle"
GLOBAL_AND_COUNTRIES = ("all-weeks-global.tsv", "all-weeks-countries.tsv")


def decompress_to(folder: Path, names: tuple[str, ...] = GLOBAL_AND_COUNTRIES) -> list[Path]:
    """Write the bundled gzipped files to ``folder`` uncompressed, as users download them."""
    paths = []
    for name in names:
        path = folder / name
        path.write_bytes(gzip.decompress((DATA / f"{name}.gz").read_bytes()))
        paths.append(path)
    return paths


def stats(times: list[float]) -> dict[str, Any]:
    """Median, min and max of wall times in seconds, with every run kept."""
    return {
        "median_s": statistics.median(times),
        "min_s": min(times),
        "max_s": max(times),
        "runs_s": [round(t, 6) for t in times],
    }


def child_env(pycache: Path) -> dict[str, str]:
    """The environment of a timed ``chartwatch`` process: bytecode cached in ``pycache``, as
    for an installed chartwatch whose ``.pyc`` files exist (the working tree is left
    untouched), no ``$CHARTWATCH_DB``, and the same table width whatever the terminal."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("CHARTWATCH_DB", None)
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    env["COLUMNS"] = "100"
    return env


def run_timed(
    argv: list[str], env: dict[str, str], *, keep_stdout: bool = False
) -> tuple[float, str]:
    """Run ``argv`` as a new process: its wall time, and its stdout if ``keep_stdout``
    (else it goes to /dev/null). A failed run stops the benchmark with its stderr."""
    start = time.perf_counter()
    proc = subprocess.run(
        argv,
        env=env,
        stdout=subprocess.PIPE if keep_stdout else subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr}")
    return elapsed, proc.stdout or ""


def _one_line(sql: str) -> str:
    return " ".join(sql.split())[:90]


class TimedConnection:
    """Wraps a DuckDB connection and adds up the calls and time of each distinct statement
    (``spent[key(sql)] == [calls, seconds]``)."""

    def __init__(self, con: Any, key: Callable[[str], str] = _one_line) -> None:
        self.con = con
        self.key = key
        self.spent: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])

    def execute(self, sql: str, *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return self.con.execute(sql, *args, **kwargs)
        finally:
            entry = self.spent[self.key(sql)]
            entry[0] += 1
            entry[1] += time.perf_counter() - start

    def __getattr__(self, name: str) -> Any:
        return getattr(self.con, name)


@contextmanager
def sql_timed(store: Any, key: Callable[[str], str] = _one_line) -> Iterator[TimedConnection]:
    """Time every statement ``store`` runs inside the block (its connection is put back)."""
    timed = TimedConnection(store.con, key)
    store.con = timed
    try:
        yield timed
    finally:
        store.con = timed.con


def arguments(doc: str | None, *, repeat: int, repeat_help: str) -> argparse.ArgumentParser:
    """The options every benchmark takes: ``--repeat N`` and ``--json``."""
    parser = argparse.ArgumentParser(description=(doc or "").split("\n\n")[0])
    parser.add_argument(
        "--repeat", type=int, default=repeat, help=f"{repeat_help} (default {repeat})"
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    return parser


def parse(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def publish(
    result: dict[str, Any],
    args: argparse.Namespace,
    summary: Callable[[dict[str, Any]], str],
    save: Path | None = None,
) -> int:
    """Add the machine to ``result``, save it as JSON to ``save`` if given, and print it as
    JSON (``--json``) or as the script's summary."""
    result["machine"] = machine()
    if save is not None:
        save.parent.mkdir(exist_ok=True)
        save.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
    if args.json:
        emit_json(result)
    else:
        print(summary(result))
    return 0


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def seconds(value: float) -> str:
    return f"{value:.2f} s" if value >= 1 else ms(value)


def loadavg() -> list[float] | None:
    """The 1-, 5- and 15-minute load averages (other work on the machine skews timings)."""
    try:
        return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    except OSError:
        return None


def _busy_seconds() -> float | None:
    """CPU time all processes have used since boot (busy jiffies in /proc/stat)."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _own_seconds() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


class OtherLoad:
    """Measures how many cores other processes kept busy while the block ran.

    Benchmarks on a shared machine are only as good as the quiet they ran in; each
    script records this next to its timings (0.0 means the machine was otherwise idle).
    """

    def __init__(self) -> None:
        self.cores: float | None = None

    def __enter__(self) -> OtherLoad:
        self._busy, self._own, self._wall = _busy_seconds(), _own_seconds(), time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        busy = _busy_seconds()
        wall = time.perf_counter() - self._wall
        if busy is None or self._busy is None or wall <= 0:
            return
        other = (busy - self._busy) - (_own_seconds() - self._own)
        self.cores = round(max(other, 0.0) / wall, 2)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def nproc() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def git_commit() -> str | None:
    proc = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short=12", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        return None
    dirty = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "--", "src"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return proc.stdout.strip() + ("+dirty-src" if dirty else "")


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    import duckdb

    import chartwatch

    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "nproc": nproc(),
        "cpu_model": cpu_model(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "chartwatch": chartwatch.__version__,
        "git_commit": git_commit(),
        "loadavg": loadavg(),
    }


def emit_json(data: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(data, indent=2) + "\n")
