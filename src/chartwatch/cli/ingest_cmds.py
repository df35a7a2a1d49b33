"""``chartwatch ingest``, ``replay`` and ``update``: getting files into the store."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from chartwatch.cli.app import (
    DbOption,
    JsonOption,
    app,
    console,
    err,
    errors,
    out_json,
    store_for,
)

if TYPE_CHECKING:
    from rich.console import Console

    from chartwatch.ingestion.load import IngestResult


def _report(results: list[IngestResult], as_json: bool, title: str) -> int:
    """Print the results; the exit code: 2 if any file was rejected."""
    rejected = [r for r in results if r.status == "rejected"]
    if as_json:
        out_json(
            {
                "results": [r.to_dict() for r in results],
                "accepted": sum(r.status == "accepted" for r in results),
                "unchanged": sum(r.status == "unchanged" for r in results),
                "rejected": len(rejected),
            }
        )
    else:
        from chartwatch.render.tables import ingest_table

        console().print(ingest_table(results, title=title))
        for r in results:
            for w in r.warnings:
                err(f"Warning: {r.source}: {w}")
    for r in rejected:
        where = f"line {r.line}: " if r.line is not None else ""
        err(f"Error: {r.source}: {where}{r.reason}")
    return 2 if rejected else 0


@app.command(rich_help_panel="Get the data")
def ingest(
    sources: Annotated[
        list[str],
        typer.Argument(
            help="Files (.tsv, .csv, .xlsx, optionally .gz) or http(s) URLs.",
            metavar="PATH_OR_URL",
        ),
    ],
    observed_at: Annotated[
        str | None,
        typer.Option(
            "--observed-at",
            help="When these files were published (ISO date or time, UTC). "
            "Default: the file's modification time, or the download time for URLs.",
            metavar="WHEN",
        ),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Ingest Netflix Top 10 files; each is accepted whole or rejected with a reason.

    The kind of file (global, countries, most-popular) is told from its columns. A file
    already in the store (same content) is reported as unchanged and adds nothing. Exit
    code 2 if any file was rejected; the store keeps the others.
    """
    import datetime as dt

    from chartwatch.errors import UsageError
    from chartwatch.ingestion.batch import ingest as ingest_files

    with errors():
        when = None
        if observed_at is not None:
            try:
                when = dt.datetime.fromisoformat(observed_at)
            except ValueError:
                raise UsageError(
                    f"--observed-at: {observed_at!r} is not an ISO date or time"
                ) from None
            if when.tzinfo is None:
                when = when.replace(tzinfo=dt.UTC)
        with store_for(db, write=True) as store:
            results = ingest_files(store, sources, observed_at=when)
        raise typer.Exit(_report(results, as_json, "Ingest"))


@app.command(rich_help_panel="Get the data")
def replay(
    archive: Annotated[
        Path,
        typer.Argument(
            help="A git repository or git bundle of weekly snapshots "
            "(e.g. a git-scraping archive of Netflix's files).",
            metavar="REPO_OR_BUNDLE",
        ),
    ],
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit with code 2 if any snapshot was rejected.")
    ] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Replay a git archive: every version of every data file, oldest commit first.

    Each version is a snapshot observed at its commit time, so the store learns what
    was published when, including Netflix's later revisions. Idempotent and resumable:
    run it again and it adds nothing. Junk snapshots (an HTML page, the word null) are
    reported as rejected; the replay goes on.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from chartwatch.ingestion.replay import replay as run_replay

    with errors(), store_for(db, write=True) as store:
        progress = Progress(
            TextColumn("replay"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}"),
            transient=True,
            disable=as_json,
            console=console_err(),
        )
        with progress:
            task = progress.add_task("", total=None)

            def started(total: int) -> None:
                progress.update(task, total=total)

            def one(result: IngestResult) -> None:
                progress.update(task, advance=1, description=result.source.rsplit("@", 1)[-1])

            summary = run_replay(store, archive, on_start=started, on_result=one)
        if as_json:
            out_json(summary.to_dict())
        else:
            from rich.text import Text

            c = console()
            c.print(
                Text.assemble(
                    f"Replayed {summary.archive}: {summary.commits} commits, {summary.files} "
                    "file versions: ",
                    (f"{summary.accepted} accepted", "green"),
                    f", {summary.unchanged} unchanged, ",
                    (f"{len(summary.rejected)} rejected", "red"),
                    ".",
                )
            )
            for r in summary.rejected:
                where = f"line {r.line}: " if r.line is not None else ""
                c.print(f"  rejected {r.source}: {where}{r.reason}")
            for w in summary.warnings[:20]:
                err(f"Warning: {w}")
        raise typer.Exit(2 if strict and summary.rejected else 0)


def console_err() -> Console:
    return console(stderr=True)  # type: ignore[no-any-return]


@app.command(rich_help_panel="Get the data")
def update(
    urls: Annotated[
        list[str] | None,
        typer.Argument(
            help="Files to download instead of the Top 10 files, e.g. an engagement report "
            "(.xlsx) URL.",
            metavar="[URL]...",
            show_default=False,
        ),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            help="Where to download from. Default: $CHARTWATCH_BASE_URL, else "
            "https://www.netflix.com/tudum/top10/data/",
            metavar="URL",
        ),
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Seconds to wait for the server.", min=0.1)
    ] = 30.0,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Download Netflix's current Top 10 files and ingest them.

    Fetches all-weeks-global.tsv, all-weeks-countries.tsv and most-popular.tsv, or the URLs
    given (such as a semiannual engagement report, which Netflix publishes at a new address
    each time). A file that cannot be downloaded or is not data is reported and the others
    still load.
    """
    from chartwatch.errors import UsageError
    from chartwatch.ingestion.download import update as run_update

    with errors(), store_for(db, write=True) as store:
        bad = [u for u in urls or [] if not u.startswith(("http://", "https://"))]
        if bad:
            raise UsageError(f"{bad[0]!r} is not an http(s) URL; use `chartwatch ingest` for files")
        results = run_update(store, base=base_url, timeout=timeout, urls=tuple(urls or ()))
        raise typer.Exit(_report(results, as_json, "Update"))
