"""The public Python API: what ``import chartwatch`` offers, that importing it (and the CLI)
stays light, and that the examples in README.md and in the package docstring run as written.

Expected values come from the raw files (``rawdata``: gzip and csv), never from chartwatch.
"""

from __future__ import annotations

import ast
import contextlib
import datetime as dt
import io
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import chartwatch
from conftest import BUNDLE, ROOT, copy_store
from rawdata import GLOBAL, global_run, label_of, parse_tsv, shared_rows

HEAVY = ("duckdb", "pandas", "pyarrow", "numpy", "fastapi", "uvicorn", "sqlglot", "lifelines")


def readme_python_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)


def docstring_blocks(doc: str) -> list[str]:
    """The literal blocks (``::`` then an indented block) of a reST docstring."""
    blocks, lines, i = [], doc.splitlines(), 0
    while i < len(lines):
        if lines[i].rstrip().endswith("::"):
            i += 1
            block = []
            while i < len(lines) and (not lines[i].strip() or lines[i].startswith("    ")):
                block.append(lines[i])
                i += 1
            blocks.append(textwrap.dedent("\n".join(block)).strip() + "\n")
        else:
            i += 1
    return blocks


def run_example(code: str, namespace: dict[str, object]) -> list[str]:
    """Execute an example as a user would paste it; the lines it printed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<example>", "exec"), namespace)
    return out.getvalue().splitlines()


def week_label(end: dt.date) -> str:
    start = end - dt.timedelta(days=6)
    return f"Mon {start:%b} {start.day} – Sun {end:%b} {end.day}, {end.year}"


def check_synthetic_week(charts: Path, week: str, scale: float) -> None:
    """The global lists built from ``synth`` events are the real week's, figures x scale."""
    built = parse_tsv((charts / GLOBAL).read_bytes())
    raw = [r for r in shared_rows(GLOBAL) if r["week"] == week]
    assert len(built) == len(raw) == 40

    def key(r: dict[str, str]) -> tuple[str, int]:
        return r["category"], int(r["weekly_rank"])

    want = {key(r): r for r in raw}
    for row in built:
        real = want[key(row)]
        assert (row["week"], label_of(row)) == (week, label_of(real))
        assert int(row["weekly_hours_viewed"]) == round(int(real["weekly_hours_viewed"]) * scale)


# -- the names ------------------------------------------------------------------------------
def test_every_exported_name_resolves():
    for name in chartwatch.__all__:
        assert getattr(chartwatch, name) is not None, name
    assert set(chartwatch.__all__) >= {"open_store", "ingest", "week", "build", "synth"}
    from chartwatch.engine.pipeline import build
    from chartwatch.engine.synthetic import synth

    assert chartwatch.build is build and chartwatch.synth is synth
    with pytest.raises(AttributeError, match="no attribute 'ingestion_of'"):
        chartwatch.ingestion_of  # noqa: B018


def test_importing_chartwatch_and_the_cli_stays_light():
    """``import chartwatch`` and the CLI's app import no data library: ``chartwatch --help``
    stays fast. The first use of a function imports its module."""
    code = (
        "import json, sys\n"
        "import chartwatch, chartwatch.cli.app\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "chartwatch.build\n"
        "print(json.dumps([heavy, 'chartwatch.engine.pipeline' in sys.modules]))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    heavy, engine_loaded = json.loads(proc.stdout)
    assert heavy == []
    assert engine_loaded


# -- the examples ---------------------------------------------------------------------------
def test_readme_python_examples_run(tmp_path, monkeypatch, _replayed_template):
    store_example, engine_example = readme_python_blocks()
    # The example replays tests/data/archive.bundle into charts.duckdb. Replay is idempotent,
    # so starting from the session's replayed store gives the same store as a fresh replay,
    # 20 seconds sooner.
    copy_store(_replayed_template, tmp_path / "charts.duckdb")
    (tmp_path / "tests" / "data").mkdir(parents=True)
    (tmp_path / "tests" / "data" / "archive.bundle").symlink_to(BUNDLE)
    monkeypatch.chdir(tmp_path)

    first, debut, *changes = run_example(store_example, {"__name__": "readme"})
    last = max(r["week"] for r in shared_rows(GLOBAL))
    (top,) = [
        r
        for r in shared_rows(GLOBAL)
        if r["week"] == last and r["category"] == "TV (English)" and r["weekly_rank"] == "1"
    ]
    assert first == f"{week_label(dt.date.fromisoformat(last))} {top['season_title']}"
    # as of Tuesday 2022-02-01 its debut week was published, though the archive fetched it a
    # day later: the view takes the archive's first copy and says it is reconstructed
    (aouad_debut,) = global_run("All of Us Are Dead: Season 1")[:1]
    assert debut == f"{aouad_debut['weekly_hours_viewed']} True"
    # Netflix renamed "Ozark: Season 4 Part 1" to "Ozark: Season 4" after publishing it
    ozark_weeks = [r["week"] for r in global_run("Ozark: Season 4")]
    assert changes and changes[0].startswith(f"{ozark_weeks[0]} ")
    for line in changes:
        week, change = line.split(" ", 1)
        assert week in ozark_weeks
        assert change == "Ozark: Season 4 Part 1 → Ozark: Season 4"

    printed = run_example(engine_example, {"__name__": "readme"})
    charts = tmp_path / "charts"
    files = {path.name: len(parse_tsv(path.read_bytes())) for path in charts.glob("*.tsv")}
    assert [ast.literal_eval(line) for line in printed] == [files]
    assert set(files) == {"all-weeks-global.tsv", "all-weeks-countries.tsv"}
    check_synthetic_week(charts, "2024-06-23", 1e-4)


def test_package_docstring_examples_run(tmp_path, monkeypatch, real_file):
    assert chartwatch.__doc__
    store_example, engine_example = docstring_blocks(chartwatch.__doc__)
    real_file(GLOBAL)  # the file the example ingests, in the working folder
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "docstring"}
    run_example(store_example, namespace)
    chart = namespace["chart"]
    last = max(r["week"] for r in shared_rows(GLOBAL))
    assert chart.week_end == dt.date.fromisoformat(last)  # type: ignore[attr-defined]
    assert len(chart.lists) == 4  # type: ignore[attr-defined]

    run_example(engine_example, namespace)
    check_synthetic_week(tmp_path / "charts", "2024-06-23", 1e-4)
