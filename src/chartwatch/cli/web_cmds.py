"""``chartwatch serve`` and ``plot``: the web app, and its charts as files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from chartwatch.cli.app import (
    AsOfOption,
    DbOption,
    JsonOption,
    app,
    console,
    err,
    errors,
    out_json,
    parse_date,
    store_for,
    view_for,
)

PLOTS = ("title", "compare", "map")


def _ready(db: str | Path | None) -> Path:
    """The store's path; on first use (no file, or an empty store) load the bundled data,
    as the read commands do."""
    from chartwatch.errors import StoreBusyError
    from chartwatch.store.store import default_db_path, open_snapshot

    path = (Path(db) if db else default_db_path()).expanduser()
    if path.exists():
        try:
            with open_snapshot(path) as copy:
                if not copy.is_empty():
                    return path
        except StoreBusyError:
            err(f"Warning: {path} is being written; the server will read it when it is done.")
            return path
    with store_for(path):
        pass
    return path


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or a name) is this machine only."""
    import ipaddress

    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def allowed_hosts(host: str, extra: list[str]) -> list[str]:
    """The names the Host header may give: the loopback names, the address listened on
    (unless it is every address), and ``extra``."""
    from chartwatch.web.http import LOOPBACK

    names = [*LOOPBACK]
    if host not in ("0.0.0.0", "::", ""):
        names.append(host.strip("[]"))
    return list(dict.fromkeys([*names, *extra]))


@app.command(rich_help_panel="Web and plots")
def serve(
    host: Annotated[
        str, typer.Option("--host", help="The address to listen on.", metavar="HOST")
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", help="The port to listen on.", min=1, max=65535)
    ] = 8000,
    allow_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-host",
            help="Another name the server answers to in the Host header (repeat it), "
            "e.g. the machine's name behind a proxy. Default: the loopback names and --host.",
            metavar="NAME",
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            help="Server processes, each with its own copy of the store: one per core to "
            "spare answers that many pages at once (Python computes one at a time per "
            "process).",
            min=1,
            max=32,
        ),
    ] = 1,
    cache_mb: Annotated[
        int,
        typer.Option(
            "--cache-mb",
            help="Memory for finished answers, per process, kept until the store changes "
            "(a title page takes about 10 KB; every page of the bundled data, 20 MB).",
            min=1,
            metavar="MB",
        ),
    ] = 128,
    db: DbOption = None,
) -> None:
    """Serve the web pages and the JSON API (/api/v1/…, reference at /docs), read-only.

    The server reads an in-memory copy of the store and takes a new copy when the file
    changes, so `chartwatch ingest` and `update` can run while it serves: their data shows
    on the next request after they finish (docs/web.md). It answers only requests whose
    Host header names it (against DNS rebinding) and has no authentication: on an address
    other than loopback, anyone who can reach it can read the store.
    """
    with errors():
        path = _ready(db)
        import uvicorn

        from chartwatch.web.app import create_app, serve_in_environment

        hosts = allowed_hosts(host, allow_host or [])
        from chartwatch.web.source import StoreSource

        if not is_loopback(host):
            err(
                f"Warning: listening on {host}, not only this machine: the server has no "
                "authentication, so anyone who can reach it can read the store. It answers "
                f"to {', '.join(hosts)}; add --allow-host for other names clients use."
            )
        many = f" with {workers} processes" if workers > 1 else ""
        err(f"chartwatch: serving {path} at http://{host}:{port}/{many} (Ctrl-C to stop)")
        settings = {"host": host, "port": port, "log_level": "warning", "access_log": False}
        if workers == 1:
            source = StoreSource(path, prepare=True, cache_bytes=cache_mb * 2**20)
            web = create_app(path, allowed_hosts=hosts, source=source)
            uvicorn.run(web, **settings)  # type: ignore[arg-type]
            return
        # each worker process makes its own app from what ``serve`` leaves in its environment
        from chartwatch.web import workers as processes

        serve_in_environment(path, hosts, cache_bytes=cache_mb * 2**20)
        raise typer.Exit(processes.run(host, port, workers))


@app.command(rich_help_panel="Web and plots")
def plot(
    kind: Annotated[
        str,
        typer.Argument(
            help="title (a title's run), compare (titles overlaid) or map (the world map of "
            "a title's country lists).",
            metavar="KIND",
            show_default=False,
        ),
    ],
    queries: Annotated[
        list[str],
        typer.Argument(
            help="The title (two or more for compare), fuzzy as everywhere.",
            metavar="QUERY…",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "-o",
            "--output",
            help="The file to write: .png, .svg, .html (self-contained, works offline) or "
            ".json (the Vega-Lite specification).",
            metavar="FILE",
        ),
    ],
    week: Annotated[
        str | None,
        typer.Option(
            "--week",
            help="map: one week (any day of it, YYYY-MM-DD). Default: the whole run.",
            metavar="DATE",
        ),
    ] = None,
    metric: Annotated[
        str,
        typer.Option("--metric", help="compare: hours, views or rank.", metavar="M"),
    ] = "hours",
    align: Annotated[
        str,
        typer.Option("--align", help="compare: debut or calendar.", metavar="A"),
    ] = "debut",
    as_of: AsOfOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write a chart to a file: the same charts as the web pages, rendered without a browser.

    chartwatch plot title "all of us are dead" -o run.png
    chartwatch plot compare "all of us are dead" "squid game season 1" -o vs.svg
    chartwatch plot map "all of us are dead" --week 2022-02-06 -o map.html
    """
    import json

    from chartwatch.errors import UsageError
    from chartwatch.render import charts

    with errors({"kind": "KIND"}):
        if kind not in PLOTS:
            raise UsageError(f"{kind!r} is not one of {', '.join(PLOTS)}", parameter="kind")
        wanted = 2 if kind == "compare" else 1
        if (kind == "compare" and len(queries) < 2) or (kind != "compare" and len(queries) != 1):
            raise UsageError(
                f"plot {kind} takes {'two or more titles' if wanted == 2 else 'one title'}"
            )
        suffix = output.suffix.lstrip(".").lower()
        if suffix not in (*charts.FORMATS, "json"):
            raise UsageError(f"-o: write a .png, .svg, .html or .json file (not {output.name!r})")
        if not output.parent.exists():
            raise UsageError(f"-o: the folder {output.parent} does not exist")
        day = parse_date(week, "--week")
        if day is not None and kind != "map":
            raise UsageError("only plot map takes a week", parameter="week")
        with view_for(db, as_of) as view:
            spec = _spec(view, kind, queries, week=day, metric=metric, align=align)
        if suffix == "json":
            output.write_text(json.dumps(spec, indent=2, ensure_ascii=False) + "\n", "utf-8")
        else:
            charts.save(spec, output)
        if as_json:
            out_json({"path": str(output), "format": suffix, "kind": kind})
        else:
            console().print(f"Wrote {output} ({suffix}).", markup=False)


def _spec(
    view: Any,
    kind: str,
    queries: list[str],
    *,
    week: Any,
    metric: str,
    align: str,
) -> dict[str, Any]:
    from chartwatch.render import charts

    if kind == "compare":
        from chartwatch.analytics.compare import compare

        return charts.compare_chart(compare(view, list(queries), metric=metric, align=align))
    if kind == "map":
        from chartwatch.analytics.countries import countries
        from chartwatch.dates import week_ending
        from chartwatch.render.maps import map_chart

        footprint = countries(view, queries[0])
        return map_chart(footprint, week=week_ending(week) if week else None)
    from chartwatch.analytics.compare import resolve_installment
    from chartwatch.analytics.runs import title_report

    report = title_report(view, resolve_installment(view, queries[0]))
    return charts.run_chart(report)
