"""Temporary files of ingest and replay, named after their process, and the sweep of those
whose process is gone.

Staging a file writes a copy of it to the temporary folder (as large as the file, tens of
MB for the country lists) and a replay clones its archive into a folder there. Both are
removed when the command ends, but a killed process cannot clean up, so every name carries
the process id (``chartwatch-stage-<pid>-…``, ``chartwatch-replay-<pid>-…``) and the next
ingest, replay or update removes those of processes that no longer run.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

_NAME = re.compile(r"chartwatch-(stage|replay)-(\d+)-")


def prefix(what: str) -> str:
    """The name prefix of this process's temporary files of one sort (``stage``, ``replay``)."""
    return f"chartwatch-{what}-{os.getpid()}-"


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it runs
        return True
    except OSError:
        return True
    return True


def sweep(folder: Path | None = None) -> list[Path]:
    """Remove the leftovers of dead processes from ``folder`` (the temporary folder);
    return what was removed. Never raises: a leftover that cannot be removed stays."""
    where = Path(folder or tempfile.gettempdir())
    removed: list[Path] = []
    try:
        entries = list(where.iterdir())
    except OSError:
        return removed
    for entry in entries:
        m = _NAME.match(entry.name)
        if m is None or _running(int(m.group(2))):
            continue
        if _remove(entry):
            removed.append(entry)
    return removed


def _remove(entry: Path, tries: int = 5) -> bool:
    """Remove a leftover file or folder. A killed replay's ``git clone`` may still be
    writing into its folder for a moment (the child outlives its parent), so a folder
    that will not go is tried again, a tenth of a second apart."""
    import time

    for attempt in range(tries):
        try:
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
            return True
        except OSError:  # a file gone or added meanwhile, or no permission
            if not entry.exists():
                return True
            if attempt + 1 < tries:
                time.sleep(0.1)
    return False
