"""``chartwatch greenlight``: renewal forecasts, the watch list, and their backtest."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from chartwatch.cli.app import (
    AsOfOption,
    DbOption,
    JsonOption,
    app,
    errors,
    out_json,
    print_view,
    view_for,
)

if TYPE_CHECKING:
    from chartwatch.forecast.documents import Greenlight, Watchlist

SORTS = ("p24", "p12", "p36", "debut", "season")


def _pct(p: float | None) -> str:
    return "—" if p is None else f"{p:.0%}"


def _one(g: Greenlight) -> Any:
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    parts: list[Any] = [Text(f"{g.season}  ({g.category})", style="bold")]
    parts.append(Text(g.status.text))
    if g.p_next_within:
        t = Table(title="Chance the next installment charts", title_justify="left")
        t.add_column("within")
        t.add_column("from the debut", justify="right")
        t.add_column("given none so far", justify="right")
        given = g.p_next_within_given_not_yet or {}
        for h, p in g.p_next_within.items():
            t.add_row(f"{h} months", _pct(p), _pct(given.get(h)) if given else "—")
        parts.append(t)
        parts.append(Text(f"from its first {g.weeks_used} weeks (debut: week of {g.debut})"))
    if g.factors:
        parts.append(Text("Strongest factors", style="bold"))
        parts.extend(Text(f"  • {f.text}") for f in g.factors)
    if g.comparables:
        t = Table(title="Most similar past installments", title_justify="left")
        for col in ("season", "debut", "what happened"):
            t.add_column(col)
        for c in g.comparables:
            t.add_row(c.season, str(c.debut), c.outcome)
        parts.append(t)
    if g.run_forecast:
        parts.append(Text(f"Run: {g.run_forecast['text']}"))
    if g.caveats:
        parts.append(Text("Caveats", style="bold"))
        parts.extend(Text(f"  • {c}", style="dim") for c in g.caveats)
    return Group(*parts)


def _watchlist(w: Watchlist, sort: str, top: int | None) -> Any:
    from rich.table import Table

    rows = w.table_rows()
    key = {
        "p24": lambda r: -(r["p_24"] or -1),
        "p12": lambda r: -(r["p_12"] or -1),
        "p36": lambda r: -(r["p_36"] or -1),
        "debut": lambda r: -r["debut"].toordinal(),
        "season": lambda r: r["season"].casefold(),
    }[sort]
    rows.sort(key=key)
    table = Table(title=f"Renewal watch list (lists to {w.data_through})", title_justify="left")
    for col, justify in (
        ("season", "left"),
        ("category", "left"),
        ("debut", "left"),
        ("12 mo", "right"),
        ("24 mo", "right"),
        ("36 mo", "right"),
        ("status", "left"),
    ):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for r in rows[:top] if top else rows:
        status = r["status"]
        if r["months"] is not None:
            status += f" ({r['months']:.0f} mo)"
        table.add_row(
            r["season"],
            r["category"],
            str(r["debut"]),
            _pct(r["p_12"]),
            _pct(r["p_24"]),
            _pct(r["p_36"]),
            status,
        )
    return table


def _backtest(document: dict[str, Any]) -> Any:
    """The backtests' document (``greenlight --backtest --json``) as tables."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    b, runs = document["renewal"], document["run"]
    h = b["horizon_months"]
    parts: list[Any] = [
        Text(
            f"Renewal forecast, rolling-origin backtest ({h} months; first {b['weeks']} weeks; "
            f"origins every {b['step_weeks']} weeks, {b['window_weeks']}-week windows; "
            "training outcomes "
            f"{'as known at each origin' if b['strict'] else 'as known now'})",
            style="bold",
        )
    ]
    t = Table(title="Per origin", title_justify="left")
    for col in ("origin", "trained on", "renewals", "scored", "renewed", "model AUC", "debut AUC"):
        t.add_column(col)
    for o in b["origins"]:
        s = {x["method"]: x for x in o["scores"]}
        t.add_row(
            str(o["origin"]),
            str(o["train"]),
            str(o["train_renewed"]),
            str(o["test"]),
            str(o["test_renewed"]),
            _num(s["model"]["auc"]) if "model" in s else ("skipped" if o["skipped"] else "—"),
            _num(s["debut_only"]["auc"]) if "debut_only" in s else "",
        )
    parts.append(t)
    t = Table(title="Pooled (each installment once)", title_justify="left")
    for col in ("method", "n", "renewed", f"AUC@{h}", f"Brier@{h}", "C-index", "rated ≥80%"):
        t.add_column(col)
    for p in b["pooled"]:
        share = f"{p['rated_80_renewed']}/{p['rated_80']}" if p["rated_80"] else "none"
        t.add_row(
            p["method"],
            str(p["n"]),
            str(p["renewed"]),
            _num(p["auc"]),
            _num(p["brier"]),
            _num(p["c_index"]),
            share,
        )
    parts.append(t)
    if b["auc_interval"]:
        parts.append(Text(f"model AUC 95% bootstrap interval: {b['auc_interval']}"))
    cal = b["calibration"].get("model", [])
    if cal:
        t = Table(title="Calibration (model)", title_justify="left")
        for col in ("forecast", "n", "mean forecast", "share renewed"):
            t.add_column(col)
        for c in cal:
            t.add_row(
                f"{c['low']:.0%}–{c['high']:.0%}",
                str(c["n"]),
                _num(c["mean_forecast"]),
                _num(c["observed"]),
            )
        parts.append(t)
    a = b["aims"]
    parts.append(
        Text(
            f"Aims: AUC@{h} ≥ {a['auc_at_least']}: {'met' if a['auc_met'] else 'not met'}; "
            f"better than the debut figure alone: {'yes' if a['beats_debut_only'] else 'no'}; "
            f"≥90% renewed among forecasts ≥80%: "
            + ("met" if a["rated_80_met"] else f"not met ({a['rated_80']} such forecasts)")
        )
    )
    if b.get("plot"):
        parts.append(Text(f"calibration plot: {b['plot']}"))
    t = Table(title="Run forecast backtest (log totals)", title_justify="left")
    for col in ("weeks used", "n", "R² hours", "80% coverage", "R² weeks", "80% coverage"):
        t.add_column(col)
    for r in runs["scores"]:
        t.add_row(
            str(r["weeks_used"]),
            str(r["n"]),
            _num(r["r2_log_hours"]),
            _num(r["coverage_hours"]),
            _num(r["r2_log_weeks"]),
            _num(r["coverage_weeks"]),
        )
    parts.append(t)
    parts.append(Text(f"public model (first two weeks): R² = {runs['public_r2']}"))
    return Group(*parts)


def _num(x: float | None) -> str:
    return "—" if x is None else f"{x:.3f}"


@app.command(rich_help_panel="Forecasts")
def greenlight(
    query: Annotated[
        str | None,
        typer.Argument(
            help='A season or show, fuzzy: "squid game", "emily in paris season 2".',
            metavar="QUERY",
            show_default=False,
        ),
    ] = None,
    all_: Annotated[
        bool, typer.Option("--all", help="The watch list: every installment with a debut.")
    ] = False,
    backtest: Annotated[
        bool,
        typer.Option("--backtest", help="Score the renewal and run forecasts on past data."),
    ] = False,
    weeks: Annotated[
        int,
        typer.Option("--weeks", help="Forecast from the first N weeks after the debut.", min=1),
    ] = 4,
    sort: Annotated[
        str,
        typer.Option("--sort", help=f"Watch-list order: {', '.join(SORTS)}.", metavar="KEY"),
    ] = "p24",
    top: Annotated[
        int | None,
        typer.Option("--top", help="Show only the first N lines of the watch list.", min=1),
    ] = None,
    horizon: Annotated[
        int, typer.Option("--horizon", help="Backtest horizon in months.", min=1, max=36)
    ] = 24,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Backtest: train only on outcomes known at each origin (real-time view).",
        ),
    ] = False,
    plot: Annotated[
        Path | None,
        typer.Option(
            "--plot",
            help="Backtest: write the calibration plot here (PNG).",
            metavar="PATH",
            show_default=False,
        ),
    ] = None,
    seed: Annotated[
        int, typer.Option("--seed", help="Backtest: seed of the bootstrap interval.")
    ] = 0,
    as_of: AsOfOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Will there be another season? Chance the next installment charts within 12/24/36 months.

    Learnt from the charts alone (a Cox model over the first weeks after the debut); see
    docs/forecast.md for the method and the backtest.
    """
    from chartwatch.errors import UsageError

    with errors():
        if sum((bool(query), all_, backtest)) != 1:
            raise UsageError("give a QUERY, or --all, or --backtest")
        if sort not in SORTS:
            raise UsageError(f"{sort!r} is not one of {', '.join(SORTS)}", parameter="sort")
        from chartwatch.errors import require_extra
        from chartwatch.forecast.documents import EXTRA_MODULES

        require_extra("forecast", EXTRA_MODULES, "forecasts")
        with view_for(db, as_of) as view:
            if backtest:
                from chartwatch.forecast.scorecard import backtests

                document = backtests(
                    view, weeks=weeks, horizon=horizon, strict=strict, seed=seed, plot=plot
                )
                if as_json:
                    out_json(document)
                    return
                print_view(view, _backtest(document))
                return
            if all_:
                from chartwatch.forecast.documents import watchlist

                wl = watchlist(view, weeks=weeks)
                if as_json:
                    out_json(wl.to_dict())
                    return
                print_view(view, _watchlist(wl, sort, top))
                return
            from chartwatch.forecast.documents import greenlight as forecast

            assert query is not None
            g = forecast(view, query, weeks=weeks)
        if as_json:
            out_json(g.to_dict())
            return
        print_view(view, _one(g))
