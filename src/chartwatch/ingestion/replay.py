"""Replaying a git-scraping archive: every version of every data file, oldest first.

Archives such as github.com/dbready/netflix_top10 commit Netflix's files every week. Each
version of each data file becomes a snapshot observed at its commit time, so the store
ends up knowing what was published when, including every retroactive revision. Replay is
idempotent (content already in the store is "unchanged") and therefore resumable.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Generator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from chartwatch.errors import BadInputError
from chartwatch.ingestion import leftovers
from chartwatch.ingestion.batch import in_turn
from chartwatch.ingestion.load import IngestResult
from chartwatch.ingestion.reader import Payload
from chartwatch.store.store import Store

DATA_SUFFIXES = (".tsv", ".csv", ".xlsx", ".tsv.gz", ".csv.gz", ".xlsx.gz")


@dataclass(frozen=True)
class FileVersion:
    """One version of one data file in the archive."""

    commit: str
    committed_at: dt.datetime
    path: str
    blob: str


@dataclass
class ReplaySummary:
    """The outcome of a replay. JSON keys are these field names (stable)."""

    archive: str
    commits: int = 0
    files: int = 0
    accepted: int = 0
    unchanged: int = 0
    rejected: list[IngestResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def add(self, result: IngestResult) -> None:
        self.files += 1
        if result.status == "accepted":
            self.accepted += 1
            self.warnings.extend(f"{result.source}: {w}" for w in result.warnings)
        elif result.status == "unchanged":
            self.unchanged += 1
        else:
            self.rejected.append(result)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["rejected"] = [
            {"source": r.source, "reason": r.reason, "line": r.line} for r in self.rejected
        ]
        return out


def _git(repo: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        first = (proc.stderr.strip().splitlines() or ["git failed"])[0]
        raise BadInputError(str(repo), f"not a readable git archive ({first})")
    return proc.stdout


def _open_archive(archive: Path, workdir: Path) -> Path:
    """A git directory for ``archive``: the repository itself, or a bare clone of a bundle."""
    if shutil.which("git") is None:
        raise BadInputError(str(archive), "replay needs the git command; install git")
    if not archive.exists():
        raise BadInputError(str(archive), "no such file or directory")
    if archive.is_dir():
        # git looks upwards for a repository: a plain folder inside one (e.g. the folder
        # holding a bundle) would replay the enclosing repository's history instead.
        if _git(archive, "rev-parse", "--show-prefix").strip():
            top = _git(archive, "rev-parse", "--show-toplevel").strip()
            raise BadInputError(
                str(archive),
                f"not a git repository but a folder inside the repository {top}; "
                "pass the repository's top folder or a bundle",
            )
        return archive
    target = workdir / "archive.git"
    proc = subprocess.run(
        ["git", "clone", "--quiet", "--bare", str(archive), str(target)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        first = (proc.stderr.strip().splitlines() or ["git clone failed"])[0]
        raise BadInputError(str(archive), f"not a git repository or bundle ({first})")
    return target


def file_versions(repo: Path) -> list[FileVersion]:
    """Every added or modified data file in every commit of HEAD, oldest commit first."""
    out = _git(
        repo,
        "log",
        "--reverse",
        "--date-order",
        "--no-renames",
        "--raw",
        "--no-abbrev",
        "--format=%x00%H %ct",
        "HEAD",
    )
    versions: list[FileVersion] = []
    commit, when = "", dt.datetime.min.replace(tzinfo=dt.UTC)
    for line in out.splitlines():
        if line.startswith("\x00"):
            sha, ts = line[1:].split()
            commit, when = sha, dt.datetime.fromtimestamp(int(ts), tz=dt.UTC)
        elif line.startswith(":"):
            meta, path = line.split("\t", 1)
            parts = meta.split()
            blob, status = parts[3], parts[4]
            if status[0] in "AMT" and path.lower().endswith(DATA_SUFFIXES):
                versions.append(FileVersion(commit, when, path, blob))
    return versions


def _blobs(repo: Path, shas: list[str]) -> Generator[bytes, None, None]:
    """Stream blob contents through one ``git cat-file --batch`` process."""
    proc = subprocess.Popen(
        ["git", "-C", str(repo), "cat-file", "--batch"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        for sha in shas:
            proc.stdin.write(sha.encode() + b"\n")
            proc.stdin.flush()
            header = proc.stdout.readline().split()
            size = int(header[2])
            data = proc.stdout.read(size)
            proc.stdout.read(1)  # the newline after each object
            yield data
    finally:
        proc.stdin.close()
        proc.wait()


def replay(
    store: Store,
    archive: str | Path,
    *,
    on_start: Callable[[int], None] | None = None,
    on_result: Callable[[IngestResult], None] | None = None,
) -> ReplaySummary:
    """Ingest every version of every data file of a git archive (repository or bundle).

    Files are taken oldest commit first, each observed at its commit time. ``on_start``
    gets the number of file versions, ``on_result`` each result as it comes.
    """
    archive = Path(archive)
    summary = ReplaySummary(archive=str(archive))
    leftovers.sweep()
    with tempfile.TemporaryDirectory(prefix=leftovers.prefix("replay")) as tmp:
        repo = _open_archive(archive, Path(tmp))
        versions = file_versions(repo)
        summary.commits = int(_git(repo, "rev-list", "--count", "HEAD").strip() or 0)
        if on_start is not None:
            on_start(len(versions))
        blobs = _blobs(repo, [v.blob for v in versions])

        def payload(i: int) -> Payload:
            # asked for 0, 1, 2… in turn (in_turn), so the blobs are read in order
            version, data = versions[i], next(blobs)
            return Payload(
                source=f"{archive.name}@{version.commit[:12]}:{version.path}",
                name=version.path.rsplit("/", 1)[-1],
                data=data,
                observed_at=version.committed_at,
                observed_how="commit-time",
            )

        def done(result: IngestResult) -> None:
            summary.add(result)
            if on_result is not None:
                on_result(result)

        # the next file is read, checked and staged while one is loaded; a reader waiting
        # for the store goes before the next file
        try:
            in_turn(store, len(versions), payload, lambda i: True, done)
        finally:
            blobs.close()  # the git process ends with the generator
    return summary
