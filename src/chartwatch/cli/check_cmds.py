"""``chartwatch check``: the chart claims in a text, each judged against the store."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from chartwatch.cli.app import (
    AsOfOption,
    DbOption,
    JsonOption,
    app,
    console,
    errors,
    parse_date,
    store_for,
)


def _read(text: str | None, file: Path | None) -> str:
    """The text to check: TEXT, ``-`` (standard input) or --file; UTF-8 only."""
    from chartwatch.errors import BadInputError, UsageError

    if file is not None and text is not None:
        raise UsageError("give TEXT or --file, not both")
    if file is not None:
        source = str(file)
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise BadInputError(source, exc.strerror or "cannot be read") from None
    elif text is None or text == "-":
        source = "<stdin>"
        if not hasattr(sys.stdin, "buffer"):
            return sys.stdin.read()
        data = sys.stdin.buffer.read()
    else:
        return text
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise BadInputError(source, "not UTF-8 text", line=line) from None


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector held off while this process reads, judges and writes a
    text's claims (and let run again after). A long text makes tens of thousands of
    objects that live until the report is written (claims, the titles they name, their
    matches, the JSON), none in a cycle: for 1 MB the collector swept them a full time and
    some 170 times young, about a tenth of the check, to free nothing. Done here, in the
    command's own process, not in :func:`chartwatch.check.check`, which a server may run
    in several threads at once."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@app.command(rich_help_panel="Titles and records")
def check(
    text: Annotated[
        str | None,
        typer.Argument(
            help="The text to check; '-' (or nothing) reads standard input.",
            show_default=False,
        ),
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option("--file", help="Read the text from this UTF-8 file.", metavar="PATH"),
    ] = None,
    as_of: AsOfOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Find the chart claims in a text and judge each against the published lists.

    Ranks, figures (hours, views), records, country counts, weeks at No. 1 or in the Top
    10, release dates and comparisons: each is true, false, misleading (right only for
    another unit, week, list or source) or unverifiable, with why and the published rows
    behind it. A text with no claim exits 1; text that is not UTF-8 exits 2.
    """
    from chartwatch.check import check as run_check

    with errors(), _collector_paused():
        asof = parse_date(as_of, "--as-of")
        body = _read(text, file)
        with store_for(db) as store:
            report = run_check(store, body, as_of=asof)
        if as_json:
            from chartwatch.render.check import check_json

            sys.stdout.write(check_json(report) + "\n")
        else:
            from chartwatch.render.check import check_view

            console().print(check_view(body, report))
        if not report.claims:
            if not as_json:
                from chartwatch.cli.app import err

                err("No chart claim found.")
            raise typer.Exit(1)
