"""The git archive read independently of chartwatch: ``git clone``, ``git log``, ``git show``
and the csv module. Tests compute their expected numbers with these helpers, never from
chartwatch's output.

Values are normalised the way the published files mean them (``rawdata.value``): ``""``
and ``N/A`` are missing, counts are integers, ``runtime`` is a float, ``is_staggered_launch``
a boolean.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from conftest import BUNDLE
from rawdata import COUNTRIES, GLOBAL, POPULAR, parse_tsv, value
from rawdata import VALUE_COLUMNS as VALUE_COLS

LIST_OF = {GLOBAL: "global", COUNTRIES: "countries", POPULAR: "most-popular"}
# The first country files labelled their lists "(English)"; later files say Films / TV.
COUNTRY_CATEGORY = {"Films (English)": "Films", "TV (English)": "TV"}


def git(repo: Path, *args: str) -> bytes:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True).stdout


def clone(dest: Path, bundle: Path = BUNDLE) -> Path:
    """A plain (non-bare) clone of the bundle at ``dest``."""
    subprocess.run(["git", "clone", "--quiet", str(bundle), str(dest)], check=True)
    return dest


def parse(name: str, data: bytes) -> dict[tuple[Any, ...], dict[str, Any]]:
    """A published file as {key: values}; key = (list, country_iso2, week, category, rank)
    and values holds every value column (None where the file has no such column)."""
    lst = LIST_OF[name]
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in parse_tsv(data):
        category = row["category"]
        if lst == "countries":
            category = COUNTRY_CATEGORY.get(category, category)
        key = (
            lst,
            row.get("country_iso2"),
            dt.date.fromisoformat(row["week"]) if "week" in row else None,
            category,
            int(row["weekly_rank"] if "weekly_rank" in row else row["rank"]),
        )
        assert key not in out, key
        out[key] = {c: value(c, row.get(c)) for c in VALUE_COLS}
    return out


def is_data(data: bytes) -> bool:
    """A real Top 10 file: a tab-separated header naming show_title."""
    first = data.split(b"\n", 1)[0]
    return b"\t" in first and b"show_title" in first.split(b"\t")


@dataclass(frozen=True)
class Version:
    """One added or modified data file in one commit."""

    commit: str
    when: dt.datetime
    path: str
    blob: str


class Archive:
    """A clone of the archive bundle, read with git and csv."""

    def __init__(self, repo: Path) -> None:
        self.repo = repo
        self._blobs: dict[str, bytes] = {}
        self._parsed: dict[str, dict[tuple[Any, ...], dict[str, Any]]] = {}

    @cached_property
    def commits(self) -> list[tuple[str, dt.datetime]]:
        out = git(self.repo, "log", "--reverse", "--format=%H %ct", "HEAD").decode()
        return [
            (sha, dt.datetime.fromtimestamp(int(ts), tz=dt.UTC))
            for sha, ts in (line.split() for line in out.splitlines())
        ]

    @cached_property
    def versions(self) -> list[Version]:
        """Every A/M/T entry of ``git log --raw``, oldest commit first."""
        out = git(
            self.repo,
            "log",
            "--reverse",
            "--raw",
            "--no-renames",
            "--no-abbrev",
            "--format=@%H %ct",
            "HEAD",
        ).decode()
        versions: list[Version] = []
        sha, when = "", dt.datetime.min
        for line in out.splitlines():
            if line.startswith("@"):
                sha, ts = line[1:].split()
                when = dt.datetime.fromtimestamp(int(ts), tz=dt.UTC)
            elif line.startswith(":"):
                meta, path = line.split("\t", 1)
                parts = meta.split()
                if parts[4][0] in "AMT":
                    versions.append(Version(sha, when, path, parts[3]))
        return versions

    def blob(self, sha: str) -> bytes:
        if sha not in self._blobs:
            self._blobs[sha] = git(self.repo, "show", sha)
        return self._blobs[sha]

    def header(self, version: Version) -> list[str]:
        """The columns of a (valid) version, as its first line names them."""
        first = self.blob(version.blob).split(b"\n", 1)[0].decode("utf-8")
        return first.rstrip("\r").split("\t")

    def rows(self, version: Version) -> dict[tuple[Any, ...], dict[str, Any]]:
        if version.blob not in self._parsed:
            self._parsed[version.blob] = parse(version.path, self.blob(version.blob))
        return self._parsed[version.blob]

    @cached_property
    def _valid(self) -> list[Version]:
        return [v for v in self.versions if is_data(self.blob(v.blob))]

    def valid(self, path: str | None = None) -> list[Version]:
        """The versions that are data (not an HTML page or ``null``), oldest first."""
        return [v for v in self._valid if path is None or v.path == path]

    def junk(self) -> list[Version]:
        valid = set(self._valid)
        return [v for v in self.versions if v not in valid]

    def file_at(self, commit: str, path: str) -> bytes:
        return git(self.repo, "show", f"{commit}:{path}")

    def as_of(self, day: dt.date, path: str) -> dict[tuple[Any, ...], dict[str, Any]]:
        """What the versions of ``path`` published up to the end of ``day`` (UTC) say:
        each key with its value in the latest valid version holding it."""
        seen: dict[tuple[Any, ...], dict[str, Any]] = {}
        for v in self.valid(path):
            if v.when.date() <= day:
                seen.update(self.rows(v))
        return seen


_CACHE: dict[str, Archive] = {}


def archive(tmp_path_factory: Any) -> Archive:
    """The archive, cloned once per test session."""
    if "a" not in _CACHE:
        _CACHE["a"] = Archive(clone(tmp_path_factory.mktemp("rawarchive") / "repo"))
    return _CACHE["a"]


# -- comparing two store files, table by table --------------------------------------------
def table_differences(a: Path, b: Path, *, ignore: tuple[str, ...] = ()) -> dict[str, str]:
    """{table: what differs} between the stores at ``a`` and ``b`` (full contents of every
    table, as multisets of rows, leaving out the columns named in ``ignore``); {} if equal."""
    import duckdb

    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{a}' AS a (READ_ONLY)")
        con.execute(f"ATTACH '{b}' AS b (READ_ONLY)")

        def columns(db: str) -> dict[str, list[str]]:
            out: dict[str, list[str]] = {}
            for table, column in con.execute(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_catalog = ? AND table_schema = 'main' "
                "ORDER BY table_name, ordinal_position",
                [db],
            ).fetchall():
                out.setdefault(table, []).append(column)
            return out

        cols_a, cols_b = columns("a"), columns("b")
        diffs: dict[str, str] = {}
        if cols_a != cols_b:
            diffs["<schema>"] = f"{cols_a} != {cols_b}"
            return diffs
        for table, cols in cols_a.items():
            keep = ", ".join(f'"{c}"' for c in cols if c not in ignore)
            n_a, n_b = (
                con.execute(f"SELECT count(*) FROM {db}.{table}").fetchone()[0]  # type: ignore[index]
                for db in ("a", "b")
            )
            only_a, only_b = (
                con.execute(
                    f"SELECT count(*) FROM (SELECT {keep} FROM {x}.{table} "
                    f"EXCEPT ALL SELECT {keep} FROM {y}.{table})"
                ).fetchone()[0]  # type: ignore[index]
                for x, y in (("a", "b"), ("b", "a"))
            )
            if n_a != n_b or only_a or only_b:
                diffs[table] = f"{n_a} vs {n_b} rows; {only_a} only in a, {only_b} only in b"
        return diffs
    finally:
        con.close()


def table_counts(db: Path) -> dict[str, int]:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        tables = [
            t
            for (t,) in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
            ).fetchall()
        ]
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}  # type: ignore[index]
