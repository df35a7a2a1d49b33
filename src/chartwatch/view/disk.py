"""Derived data kept beside a store file, so a new process finds it ready.

A store ``charts.duckdb`` keeps its views' derived data in ``charts.duckdb.derived/``, one
folder per content stamp and format (``STAMP-fFORMAT-vVERSION``), one sub-folder per view
(``now`` or the as-of date). Files are written under a temporary name and renamed into
place, so a reader sees a file whole or not at all; tables are Parquet (read back by
DuckDB), the rest JSON — nothing that runs code when read. When a stamp's folder is made,
the folders of older stamps are removed: a new snapshot retires the old derived data in
this one place.

Nothing here is needed for correctness: when the folder cannot be written (a read-only
disk, no permission) the derived data stays in memory only. In-memory stores keep nothing
on disk.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chartwatch import __version__

if TYPE_CHECKING:
    from chartwatch.view import View


def _root(view: View) -> Path | None:
    path = view.store.path
    return None if path is None else path.with_name(path.name + ".derived")


def folder(view: View) -> Path | None:
    """The folder of ``view``'s derived data (None for an in-memory store)."""
    from chartwatch.view import DERIVED_FORMAT

    root = _root(view)
    if root is None:
        return None
    name = f"{view.stamp}-f{DERIVED_FORMAT}-v{__version__}"
    return root / name / (view.as_of.isoformat() if view.as_of else "now")


def _ready(view: View) -> Path | None:
    """The view's folder, made if need be (and older stamps' folders removed); None when
    it cannot be written."""
    target = folder(view)
    if target is None:
        return None
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    stamp_dir = target.parent
    for other in stamp_dir.parent.iterdir():
        if other != stamp_dir and not other.name.startswith("."):
            shutil.rmtree(other, ignore_errors=True)
    return target


@contextlib.contextmanager
def exclusive(view: View, name: str) -> Iterator[None]:
    """Held by one process (and one thread) at a time for ``view``'s store: a lock file
    ``.NAME.lock`` in the store's derived folder, locked with ``flock``, let go when the
    holder ends. Where there is no such folder or no ``flock`` (an in-memory store, a
    read-only disk, Windows), it holds nothing: the work is then only done twice."""
    root = _root(view)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on Linux or macOS
        fcntl = None  # type: ignore[assignment]
    if root is None or fcntl is None:
        yield
        return
    try:
        root.mkdir(parents=True, exist_ok=True)
        handle = (root / f".{name}.lock").open("a+b")
    except OSError:
        yield
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _replace(tmp: Path, final: Path) -> None:
    tmp.replace(final)


def has(view: View, name: str) -> bool:
    """Whether the JSON file ``name`` is kept in the view's folder."""
    target = folder(view)
    return target is not None and (target / f"{name}.json").is_file()


def read_json(view: View, name: str) -> Any:
    """The JSON file ``name`` of the view's folder, or None when it is not there."""
    target = folder(view)
    if target is None:
        return None
    try:
        return json.loads((target / f"{name}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_json(view: View, name: str, value: Any) -> None:
    target = _ready(view)
    if target is None:
        return
    tmp = target / f".{name}.json.{os.getpid()}.tmp"
    try:
        tmp.write_text(json.dumps(value, ensure_ascii=False, default=str), encoding="utf-8")
        _replace(tmp, target / f"{name}.json")
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()


def table_path(view: View, name: str) -> Path | None:
    """The Parquet file of table ``name`` if it is there, else None."""
    target = folder(view)
    if target is None:
        return None
    path = target / f"{name}.parquet"
    return path if path.is_file() else None


def write_table(view: View, name: str, table: str) -> None:
    """Write the (temporary) table ``table`` of the view's connection as ``name``."""
    target = _ready(view)
    if target is None:
        return
    tmp = target / f".{name}.parquet.{os.getpid()}.tmp"
    quoted = str(tmp).replace("'", "''")
    try:
        view.store.con.execute(f"COPY {table} TO '{quoted}' (FORMAT parquet)")
        _replace(tmp, target / f"{name}.parquet")
    except Exception:
        with contextlib.suppress(OSError):
            tmp.unlink()
