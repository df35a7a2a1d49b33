"""``chartwatch check`` on 1 MB of text: the seed article and the claims corpus repeated
as a long feed of coverage reads. Aim: under 2 s. Wall and CPU time are both reported:
on a shared machine the wall time includes waiting for a core.

Measured, on a store whose view was derived beforehand (as ``chartwatch prepare`` or a
first command leaves it):

* ``check(store, text)`` in this process, each run on a new store object (the view's
  lookups start empty, its core is read from disk), then again on the same one (warm);
* the same with the text **varied**: each copy's figures changed (``124.79`` becomes
  ``124.80`` in the second copy…), so every copy's figure claims are judged anew;
* a **cold process**: ``chartwatch check --file 1MB.txt --db STORE --json``, and without
  ``--json`` (the marked text and one line per claim, laid out by Rich), from start-up to
  exit, with the child's CPU time.

Run: ``.venv/bin/python bench/bench_check.py`` (prints JSON; ``--out FILE`` writes it).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import chartwatch
from chartwatch.check import check

ROOT = Path(__file__).resolve().parent.parent
CLAIMS = ROOT / "tests" / "data" / "claims"


def text_of(size: int) -> str:
    seed = (CLAIMS / "seed-article.txt").read_text(encoding="utf-8")
    lines = (CLAIMS / "corpus.jsonl").read_text(encoding="utf-8").splitlines()
    sentences = [json.loads(line)["text"] for line in lines if line.strip()]
    block = seed + "\n" + "\n".join(sentences) + "\n"
    return (block * (size // len(block.encode()) + 1)).encode()[:size].decode(errors="ignore")


def varied(size: int) -> str:
    """:func:`text_of`, each copy of the block with its decimal figures raised by a step
    of their last digit per copy (so no copy repeats another's figure claims)."""
    seed = (CLAIMS / "seed-article.txt").read_text(encoding="utf-8")
    lines = (CLAIMS / "corpus.jsonl").read_text(encoding="utf-8").splitlines()
    block = seed + "\n" + "\n".join(json.loads(x)["text"] for x in lines if x.strip()) + "\n"

    def copy(k: int) -> str:
        def bump(m: re.Match[str]) -> str:
            whole, frac = m.group(1), m.group(2)
            value = int(whole + frac) + k
            text = str(value).rjust(len(frac) + 1, "0")
            return f"{text[: -len(frac)]}.{text[-len(frac) :]}"

        return re.sub(r"\b(\d+)\.(\d+)\b", bump, block)

    out, k, total = [], 0, 0
    while total < size:
        part = copy(k)
        out.append(part)
        total += len(part.encode())
        k += 1
    return "".join(out).encode()[:size].decode(errors="ignore")


def in_process(path: Path, text: str, repeat: int) -> dict[str, object]:
    """``check()`` on a new store object per run (cold lookups), then on the same (warm)."""
    times, cpu, warm, claims = [], [], [], 0
    for _ in range(repeat):
        with chartwatch.open_store(path, read_only=True) as store:
            start, start_cpu = time.perf_counter(), time.process_time()
            claims = len(check(store, text).claims)
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
            start = time.perf_counter()
            check(store, text)  # the same view again: its lookups ready
            warm.append(time.perf_counter() - start)
    return {
        "claims": claims,
        "median_s": round(statistics.median(times), 3),
        "runs_s": [round(t, 3) for t in times],
        "median_cpu_s": round(statistics.median(cpu), 3),
        "cpu_runs_s": [round(t, 3) for t in cpu],
        "warm_median_s": round(statistics.median(warm), 3),
    }


def cold_process(path: Path, file: Path, repeat: int, *extra: str) -> dict[str, object]:
    """``chartwatch check --file FILE --db STORE [extra]`` as a new process, its output
    read from a pipe: wall time and the child's CPU time."""
    exe = Path(sys.executable).with_name("chartwatch")
    argv = [str(exe), "check", "--file", str(file), "--db", str(path), *extra]
    env = {**os.environ, "COLUMNS": "100"}
    wall, cpu = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run(argv, stdout=subprocess.PIPE, env=env, check=False)
        wall.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}")
    return {
        "command": "chartwatch check --file 1MB.txt --db STORE " + " ".join(extra),
        "median_s": round(statistics.median(wall), 3),
        "runs_s": [round(t, 3) for t in wall],
        "median_cpu_s": round(statistics.median(cpu), 3),
        "cpu_runs_s": [round(t, 3) for t in cpu],
        "output_bytes": len(proc.stdout),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    text = text_of(args.size)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "s.duckdb"
        with chartwatch.open_store(path) as store:
            chartwatch.load_bundled(store)
        with chartwatch.open_store(path, read_only=True) as store:
            # the view's derived data (catalogue, runs, boards, the reports' links and
            # original names) made once and written beside the store, as ``chartwatch
            # prepare --core-only`` does
            from chartwatch.prepare import prepare

            start = time.perf_counter()
            prepare(chartwatch.View.of(store), forecasts=False)
            derive_s = time.perf_counter() - start
        same = in_process(path, text, args.repeat)
        vary = in_process(path, varied(args.size), args.repeat)
        file = Path(tmp) / "1MB.txt"
        file.write_text(text, encoding="utf-8")
        cold_json = cold_process(path, file, args.repeat, "--json")
        cold_text = cold_process(path, file, args.repeat)

    result = {
        "load_average_1m": round(os.getloadavg()[0], 1),
        "bytes": len(text.encode()),
        **same,
        "varied": vary,
        "cold_process_json": cold_json,
        "cold_process_text": cold_text,
        "derive_view_s": round(derive_s, 3),
        "aim_s": 2.0,
    }
    out = json.dumps(result, indent=2)
    if args.out:
        args.out.write_text(out + "\n")
    sys.stdout.write(out + "\n")


if __name__ == "__main__":
    main()
