"""The Typer app, the options every command shares, and the one place errors are turned
into messages and exit codes."""

from __future__ import annotations

import contextlib
import importlib
import inspect
import json
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    import datetime as dt

    from chartwatch.store import Store
    from chartwatch.view import View

app = typer.Typer(
    name="chartwatch",
    help=(
        "Netflix Top 10 charts, exact and auditable.\n\n"
        "Ingest Netflix's published files (every revision kept) into a DuckDB store and "
        "look at them. The store starts with the bundled real data, so every command "
        "works right away.\n\n"
        "Exit codes: 0 ok, 1 nothing found, 2 bad input or usage."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

# A plain string, made a Path here: typer coerces Path options through pydantic, whose
# import alone costs about a fifth of a second of every command's start.
DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="The store (a DuckDB file). Default: $CHARTWATCH_DB, else the user data folder.",
        show_default=False,
        metavar="PATH",
    ),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print stable JSON instead of a table (see docs/json.md).")
]
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Show what had been published by this date (YYYY-MM-DD) instead of the current view.",
        metavar="DATE",
    ),
]


def version_callback(value: bool) -> None:
    if value:
        from chartwatch import __version__

        typer.echo(f"chartwatch {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=version_callback, is_eager=True, help="Show the version."
        ),
    ] = False,
) -> None:
    """Netflix Top 10 charts, exact and auditable."""


def err(message: str) -> None:
    """One line on stderr (control characters from data shown escaped)."""
    from chartwatch.render.terminal import escape_controls

    sys.stderr.write(escape_controls(message.rstrip("\n")) + "\n")


def out_json(data: Any) -> None:
    """Print ``data`` as JSON on stdout (dates as ISO strings, keys as given)."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def console(**kwargs: Any) -> Any:
    """The console every command prints through: no markup, control characters escaped
    (:mod:`chartwatch.render.terminal`)."""
    from chartwatch.render.terminal import SafeConsole

    return SafeConsole(**kwargs)


def parse_date(text: str | None, option: str) -> dt.date | None:
    if text is None:
        return None
    from chartwatch.dates import parse_date as parse

    return parse(text, option=option)


@contextmanager
def errors(flags: Mapping[str, str] | None = None) -> Iterator[None]:
    """Turn chartwatch's errors into ``Error: …`` on stderr and the error's exit code; a
    usage error names its parameter as the command's option (``flags``: those whose name
    is not the keyword's, :meth:`~chartwatch.errors.UsageError.for_cli`)."""
    from chartwatch.errors import ChartwatchError

    try:
        yield
    except ChartwatchError as exc:
        from chartwatch.errors import UsageError

        err(f"Error: {exc.for_cli(flags) if isinstance(exc, UsageError) else exc.message}")
        for candidate in getattr(exc, "candidates", [])[:20]:
            err(f"  {candidate}")
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        err("Interrupted.")
        raise typer.Exit(130) from None


@contextmanager
def store_for(
    db: str | Path | None, *, write: bool = False, autoload: bool = True
) -> Iterator[Store]:
    """The store, for reading unless ``write``; closed at the end.

    A reader opens it read-only, so any number run at once (docs/store.md). It opens it for
    writing only when it must, and then reopens it read-only: to create it and load the
    bundled data on first use (one notice; with ``autoload``), or to migrate its schema. A
    writer (``ingest``, ``replay``, ``update``) marks the store as holding its own files, so
    the bundled data never goes into it.
    """
    from chartwatch.store.store import default_db_path, store_failure

    path = Path(db) if db is not None and str(db) != ":memory:" else None
    label = str(db) if db is not None else str(default_db_path())
    try:
        with _opened(path if path is not None else db, write=write, autoload=autoload) as store:
            yield store
    except Exception as exc:
        # a full disk or a damaged file met while reading or writing: one line, exit 2
        failure = store_failure(label, exc)
        if failure is None:
            raise
        raise failure from None


@contextmanager
def _opened(db: str | Path | None, *, write: bool, autoload: bool) -> Iterator[Store]:
    from chartwatch.bundled import empty_notice, own_files_only
    from chartwatch.store import open_store

    if write:
        store = open_store(db)
        try:
            own_files_only(store)
        except BaseException:
            store.close()
            raise
    else:
        store = _reader(db, autoload)
        try:
            notice = empty_notice(store)
        except BaseException:
            store.close()
            raise
        if notice:
            err(notice)
    try:
        yield store
    except BaseException:
        # closing after a failed write fails again: the first failure is the one to tell
        with contextlib.suppress(Exception):
            store.close()
        raise
    store.close()


def _reader(db: str | Path | None, autoload: bool) -> Store:
    """The store opened read-only, after creating, loading or migrating it if it must."""
    from chartwatch.bundled import ensure_data, wants_bundled
    from chartwatch.errors import StoreMigrationError
    from chartwatch.store import open_store
    from chartwatch.store.store import default_db_path

    if db is not None and str(db) == ":memory:":
        store = open_store(":memory:")
        if autoload:
            ensure_data(store, notice=err)
        return store
    path = (Path(db) if db else default_db_path()).expanduser()
    if path.exists():
        try:
            store = open_store(path, read_only=True)
        except StoreMigrationError:
            pass
        else:
            try:
                if not (autoload and wants_bundled(store)):
                    return store
            except BaseException:
                store.close()
                raise
            store.close()
    with open_store(path) as writer:  # creates or migrates it
        if autoload:
            ensure_data(writer, notice=err)
    return open_store(path, read_only=True)


@contextmanager
def view_for(db: str | Path | None, as_of: str | None = None) -> Iterator[View]:
    """The view of the store at ``--as-of`` (parsed here, so a bad date names the flag)."""
    from chartwatch.view import View

    day = parse_date(as_of, "--as-of")
    with store_for(db) as store:
        yield View.of(store, day)


def print_view(view: View, renderable: Any) -> None:
    """Print a table, after the one line that says a view is reconstructed."""
    out = console()
    notice = view.notice()
    if notice:
        out.print(notice, style="dim")
    out.print(renderable)


# Register the commands (each module adds its own to ``app``, in a help panel of its own),
# in the order ``--help`` shows the panels: first what a new user runs on the bundled data,
# then getting more data, a title's story and its future, the browser, and last building
# charts from one's own events.
_COMMAND_MODULES = (
    "query_cmds",  # Charts and the store: status, week, history, export
    "ingest_cmds",  # Get the data: ingest, replay, update
    "title_cmds",  # Titles and records: search, title, records
    "brief_cmds",  # … brief
    "check_cmds",  # … check: the claims in a text
    "compare_cmds",  # … compare, countries
    "forecast_cmds",  # Forecasts: greenlight
    "engagement_cmds",  # Engagement reports: engagement
    "web_cmds",  # Web and plots: serve, plot
    "engine_cmds",  # Charts from your own viewing events: build, synth
)
for _module in _COMMAND_MODULES:
    importlib.import_module(f"chartwatch.cli.{_module}")


def _one_line_summaries() -> None:
    """Show each command's first paragraph on one line in ``chartwatch --help``.

    Typer's Rich help keeps a docstring's line breaks, so a summary written over two
    source lines wrapped raggedly in the command list.
    """
    for info in app.registered_commands:
        text = info.help or (info.callback.__doc__ if info.callback else None)
        if info.short_help is None and text:
            info.short_help = " ".join(inspect.cleandoc(text).split("\n\n")[0].split())


_one_line_summaries()
