"""What a build keeps between runs, so that a new week of events computes only what changed.

The state lives in ``DIR/.chartwatch-build/``:

- ``state.json``: the settings the daily sums depend on (time zone, duration cap), every
  events file seen (path, size, modification time, first and last week it holds) and, for
  every week built, the fingerprints of the files that held it and its daily-sums file.
- ``daily/sums-TOKEN.parquet``: the daily sums (stage 1 of the method) of the weeks a run
  computed, one file per run; a file always holds exactly the weeks that name it (when
  some of its weeks are recomputed later, the rest are copied to a new file). Earlier
  states kept one folder per week, ``daily/WEEK-TOKEN/``, and are read as they are.

A week is recomputed when it was never built, when the set of files holding it changed (a
file added, removed, or modified), or when a setting of stage 1 changed; every other week
is reused. New daily files get a fresh name and ``state.json`` is replaced atomically after
them, so a build killed half-way leaves the previous state intact.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chartwatch.engine.inputs import EventFile

STATE_DIR = ".chartwatch-build"
STATE_VERSION = 1


@dataclass
class WeekState:
    inputs: list[list[Any]]
    file: str | None  # daily-sums file name, None when the week had no events


@dataclass
class FileState:
    size: int
    mtime_ns: int
    first_week: str | None
    last_week: str | None


@dataclass
class State:
    root: Path
    stage1: dict[str, Any] = field(default_factory=dict)
    files: dict[str, FileState] = field(default_factory=dict)
    weeks: dict[str, WeekState] = field(default_factory=dict)

    @property
    def daily_dir(self) -> Path:
        return self.root / "daily"

    @classmethod
    def load(cls, out_dir: Path) -> State:
        root = out_dir / STATE_DIR
        path = root / "state.json"
        state = cls(root)
        if not path.exists():
            return state
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return state  # unreadable: start again
        if data.get("version") != STATE_VERSION:
            return state
        state.stage1 = data.get("stage1", {})
        state.files = {p: FileState(**f) for p, f in data.get("files", {}).items()}
        state.weeks = {w: WeekState(**s) for w, s in data.get("weeks", {}).items()}
        return state

    def reset(self) -> None:
        self.stage1 = {}
        self.files = {}
        self.weeks = {}

    def known_span(self, f: EventFile) -> tuple[bool, tuple[dt.date, dt.date] | None]:
        """(True, its recorded weeks) for an unchanged file; (False, None) for a new or
        changed one. The weeks are None for a file without events."""
        old = self.files.get(f.path)
        if old is None or old.size != f.size or old.mtime_ns != f.mtime_ns:
            return False, None
        if old.first_week is None or old.last_week is None:
            return True, None
        return True, (dt.date.fromisoformat(old.first_week), dt.date.fromisoformat(old.last_week))

    @staticmethod
    def new_token() -> str:
        return secrets.token_hex(4)

    def new_daily_file(self) -> str:
        """A fresh file name for daily sums (one Parquet file, one or more weeks)."""
        return f"sums-{self.new_token()}.parquet"

    def daily_paths(self) -> list[tuple[dt.date, Path]]:
        return sorted(
            (dt.date.fromisoformat(w), self.daily_dir / s.file)
            for w, s in self.weeks.items()
            if s.file is not None
        )

    def save(self) -> None:
        """Write state.json atomically, then delete daily files it no longer names."""
        self.root.mkdir(parents=True, exist_ok=True)
        data = {
            "version": STATE_VERSION,
            "stage1": self.stage1,
            "files": {p: vars(f) for p, f in sorted(self.files.items())},
            "weeks": {w: vars(s) for w, s in sorted(self.weeks.items())},
        }
        tmp = self.root / "state.json.tmp"
        tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        tmp.replace(self.root / "state.json")
        keep = {s.file for s in self.weeks.values() if s.file}
        if self.daily_dir.exists():
            for p in self.daily_dir.iterdir():
                if p.name not in keep:
                    if p.is_dir():
                        shutil.rmtree(p, ignore_errors=True)
                    else:
                        p.unlink(missing_ok=True)
