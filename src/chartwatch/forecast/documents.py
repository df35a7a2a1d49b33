"""The forecasts' documents, and the lookups that answer from forecasts made once per view.

Fitting the models takes seconds and needs the ``forecast`` extra (pandas, lifelines). So
every installment's renewal forecast and every running title's run forecast are made once
per view (:func:`renewal_forecasts`, :func:`run_forecasts`), kept with the view and written
beside the store as JSON; ``greenlight QUERY``, ``title`` and ``brief`` then read them,
and this module imports nothing heavy: a new process that finds them ready pays no fit and
loads neither pandas nor lifelines.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from chartwatch.errors import NotFoundError, missing_modules, require_extra
from chartwatch.forecast.features import DEFAULT_WEEKS
from chartwatch.results import Tabular, jsonable

if TYPE_CHECKING:
    from chartwatch.titles import Show, Title
    from chartwatch.view import View

EXTRA_MODULES = ("pandas", "lifelines")
HORIZONS = (12, 24, 36)  # months after the debut: the renewal forecast's horizons
NEXT = (12, 24)  # months after the view's last week: ``p_within_next``


@dataclass
class Status:
    """What has happened so far. ``state``: ``charted`` (the next installment charted),
    ``waiting``, ``no_known_debut`` or ``reentry`` (no forecast for these two)."""

    state: str
    text: str
    next_season: str | None = None
    next_week: dt.date | None = None
    months: float | None = None  # debut → next installment, or debut → the view's last week
    # a later installment an engagement report dates (charted or not): installment,
    # release_date, report; None when no report published by the view's last week does
    reported_next: dict[str, Any] | None = None


@dataclass
class Factor:
    feature: str
    value: float
    effect: str  # "raises" or "lowers"
    hazard_ratio: float  # this feature's multiplier on the renewal rate vs an average one
    text: str


@dataclass
class Comparable:
    """A past installment with similar early weeks, and what happened to it."""

    season: str
    show: str
    debut: dt.date
    distance: float
    renewed: bool
    months: float
    next_season: str | None
    outcome: str


@dataclass
class Greenlight(Tabular):
    """One installment's renewal forecast. ``comparables`` is the table."""

    season: str
    show: str
    category: str
    installment: dict[str, Any]
    as_of: dt.date | None
    data_through: dt.date  # the last week of the lists in this view
    debut: dt.date | None
    weeks_used: int | None  # the first N weeks the forecast reads
    p_next_within: dict[int, float] | None  # months after the debut -> probability
    p_next_within_given_not_yet: dict[int, float | None] | None  # same, given none so far
    status: Status
    # the chance the next installment charts within 12 / 24 months of the view's last week
    # (given none so far); None once it has charted or without a forecast
    p_within_next: dict[int, float] | None = None
    factors: list[Factor] = field(default_factory=list)
    comparables: list[Comparable] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)
    model: dict[str, Any] = field(default_factory=dict)
    run_forecast: dict[str, Any] | None = None

    def table_rows(self) -> list[dict[str, Any]]:
        return [jsonable(c) for c in self.comparables]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = jsonable(self)
        for key in ("p_next_within", "p_next_within_given_not_yet", "p_within_next"):
            if out[key] is not None:
                out[key] = {str(k): v for k, v in out[key].items()}
        return out


@dataclass
class Watchlist(Tabular):
    """``chartwatch greenlight --all``: every installment the store can forecast."""

    as_of: dt.date | None
    data_through: dt.date
    forecasts: list[Greenlight]
    view: dict[str, Any] = field(default_factory=dict)  # View.describe(): as_of, reconstructed…

    def table_rows(self) -> list[dict[str, Any]]:
        rows = []
        for g in self.forecasts:
            p = g.p_next_within or {}
            rows.append(
                {
                    "season": g.season,
                    "category": g.category,
                    "debut": g.debut,
                    "weeks_used": g.weeks_used,
                    **{f"p_{h}": p.get(h) for h in HORIZONS},
                    "status": g.status.state,
                    "months": g.status.months,
                }
            )
        return rows

    def to_dict(self) -> dict[str, Any]:
        """``greenlight --all --json``: the view and every forecast (docs/json.md)."""
        return {
            **(self.view or {"as_of": jsonable(self.as_of)}),
            "data_through": jsonable(self.data_through),
            "forecasts": [g.to_dict() for g in self.forecasts],
        }


@dataclass
class Range:
    estimate: float
    low: float
    high: float


@dataclass
class RunForecast:
    """A title's run forecast (``hours``/``views``/``weeks``: estimate and 80 % interval)."""

    title: str
    film: bool
    debut: dt.date
    as_of: dt.date | None
    weeks_used: int  # 1 or 2: the weeks the forecast reads
    running: bool  # still in the Top 10 in the view's last week
    hours_so_far: int
    weeks_so_far: int
    hours: Range
    views: Range | None
    weeks: Range
    text: str
    caveat: str

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = jsonable(self)
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RunForecast:
        return cls(
            **{
                **d,
                "debut": dt.date.fromisoformat(d["debut"]),
                "as_of": _day(d["as_of"]),
                "hours": Range(**d["hours"]),
                "views": None if d["views"] is None else Range(**d["views"]),
                "weeks": Range(**d["weeks"]),
            }
        )


def _day(text: Any) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def greenlight_from_dict(d: dict[str, Any]) -> Greenlight:
    """A :class:`Greenlight` back from its JSON (``to_dict()``)."""
    status = Status(**{**d["status"], "next_week": _day(d["status"]["next_week"])})
    if status.reported_next is not None:
        found = status.reported_next
        status.reported_next = {**found, "release_date": _day(found["release_date"])}
    p = d["p_next_within"]
    given = d["p_next_within_given_not_yet"]
    nxt = d["p_within_next"]
    return Greenlight(
        season=d["season"],
        show=d["show"],
        category=d["category"],
        installment=d["installment"],
        as_of=_day(d["as_of"]),
        data_through=dt.date.fromisoformat(d["data_through"]),
        debut=_day(d["debut"]),
        weeks_used=d["weeks_used"],
        p_next_within=None if p is None else {int(k): v for k, v in p.items()},
        p_next_within_given_not_yet=None
        if given is None
        else {int(k): v for k, v in given.items()},
        status=status,
        p_within_next=None if nxt is None else {int(k): v for k, v in nxt.items()},
        factors=[Factor(**f) for f in d["factors"]],
        comparables=[
            Comparable(**{**c, "debut": dt.date.fromisoformat(c["debut"])})
            for c in d["comparables"]
        ],
        caveats=list(d["caveats"]),
        model=dict(d["model"]),
        run_forecast=d["run_forecast"],
    )


def renewal_forecasts(view: View) -> dict[str, Any]:
    """Every numbered TV installment's renewal forecast in ``view`` (see
    :func:`chartwatch.forecast.renewal.all_forecasts`), kept with the view."""

    def compute() -> dict[str, Any]:
        from chartwatch.forecast.renewal import all_forecasts

        return all_forecasts(view)

    return view.derived("renewal_forecasts", compute)


def _ready(view: View) -> dict[str, Any] | None:
    """Every installment's forecasts when they are made already (in memory or beside the
    store: ``chartwatch prepare``, ``greenlight --all``), else None."""
    found = view.peek("renewal_forecasts")
    if found is None:
        from chartwatch.view import disk

        kept = disk.read_json(view, "renewal")
        if kept is not None:
            found = view.derived("renewal_forecasts", lambda: dict(kept))
    return None if found is None else dict(found)


def greenlight(view: View, query: str | Title | Show, *, weeks: int = DEFAULT_WEEKS) -> Greenlight:
    """The renewal forecast for the installment ``query`` names (a show: its latest
    installment with a debut) in ``view``: the document of ``chartwatch greenlight``.

    Read from the view's forecasts when they are made; else this installment's alone is
    made (one model fit) and kept with the view."""
    from chartwatch.titles import Show

    require_extra("forecast", EXTRA_MODULES, "forecasts")
    target = view.resolve(query) if isinstance(query, str) else query
    ready = _ready(view) if weeks == DEFAULT_WEEKS else None
    if ready is None:
        name = target.name if isinstance(target, Show) else target.key
        return view.derived(f"greenlight:{weeks}:{name}", lambda: _one(view, target, weeks))
    if isinstance(target, Show):
        ident = ready["shows"].get(target.name)
        if ident is None:
            raise NotFoundError(f"{target.name!r} has no numbered TV installment in the Top 10")
    else:
        ident = target.ident
        if ident not in ready["titles"] or target.film:
            raise NotFoundError(not_numbered(target))
    return greenlight_from_dict(ready["titles"][ident])


def _one(view: View, target: Title | Show, weeks: int) -> Greenlight:
    """One installment's forecast, made (one model fit) and kept beside the store, so the
    next process reads it; a title the forecast does not cover is told each time."""
    import hashlib

    from chartwatch.forecast.renewal import greenlight_now
    from chartwatch.titles import Show
    from chartwatch.view import disk

    name = target.name if isinstance(target, Show) else target.key
    file = "greenlight-" + hashlib.sha1(f"{weeks}:{name}".encode()).hexdigest()[:16]
    kept = disk.read_json(view, file)
    if kept is not None:
        return greenlight_from_dict(kept)
    found = greenlight_now(view, target, weeks)
    disk.write_json(view, file, found.to_dict())
    return found


def forecast_installment(view: View, title: Title) -> Greenlight | None:
    """The renewal forecast of the TV installment ``title`` in ``view``; None when it is
    not a numbered TV installment of the global lists (``brief`` uses it)."""
    if title.film:
        return None
    ready = _ready(view)
    if ready is not None:
        found = ready["titles"].get(title.ident)
        return None if found is None else greenlight_from_dict(found)
    try:
        return greenlight(view, title)
    except NotFoundError:
        return None


def watchlist(view: View, *, weeks: int = DEFAULT_WEEKS) -> Watchlist:
    """The forecast for every installment with a debut in the view, newest debut first:
    the document of ``chartwatch greenlight --all``."""
    require_extra("forecast", EXTRA_MODULES, "forecasts")
    if weeks != DEFAULT_WEEKS:
        from chartwatch.forecast.renewal import watchlist_now

        return watchlist_now(view, weeks)
    ready = renewal_forecasts(view)
    found = [greenlight_from_dict(ready["titles"][t]) for t in ready["watch"]]
    through = found[0].data_through if found else (view.core.last_week or dt.date.min)
    return Watchlist(view.as_of, through, found, view.describe())


def not_numbered(target: Title) -> str:
    kind = "a film" if target.film else f"a {target.installment.kind}"
    if not target.film and target.installment.kind == "limited":
        kind = "a limited series"
    return (
        f"{target.label!r} is {kind}, or not in the global Top 10: greenlight forecasts "
        "numbered TV installments (seasons, parts, volumes)"
    )


def _run_forecasts(view: View) -> dict[str, Any]:
    from chartwatch.view import disk

    kept = disk.read_json(view, "run")
    if kept is not None:  # read back without importing the model (numpy, pandas)
        return dict(kept)
    from chartwatch.forecast.history import load_history
    from chartwatch.forecast.run import predict_run

    core = view.core
    out: dict[str, Any] = {}
    history = load_history(view)
    for (ident, film), weeks in core.weeks.items():
        if weeks[-1].week != core.last_week:
            continue
        found = predict_run(history, ident, film)
        out[f"{ident}\x1f{int(film)}"] = (
            found.to_dict() if found is not None and found.running else None
        )
    disk.write_json(view, "run", out)
    return out


def run_forecasts(view: View) -> dict[str, Any]:
    """The run forecast of every title still in the Top 10 in ``view``'s last week, as
    JSON by ``ident\x1ffilm``; made once per view and kept beside the store."""
    return view.derived("run_forecasts", lambda: _run_forecasts(view))


def running_forecast(view: View, title: Title) -> RunForecast | None:
    """The run forecast of ``title`` if it is still in the Top 10 in the view's last week;
    else None, answered without loading anything heavy. None too when the forecast extra is
    not installed, so ``title`` and ``brief`` work without it."""

    weeks = view.core.title_weeks(title.ident, title.film)
    if not weeks or weeks[-1].week != view.core.last_week:
        return None
    if missing_modules(EXTRA_MODULES):
        return None  # pragma: no cover - depends on the environment
    try:
        found = run_forecasts(view).get(f"{title.ident}\x1f{int(title.film)}")
    except NotFoundError:
        return None
    return None if found is None else RunForecast.from_dict(found)


def run_forecast(view: View, title: Title | str) -> RunForecast:
    """The run forecast of ``title`` (or of the title a query names; a show: its latest
    installment) from its first weeks in ``view`` -- for any title with a known debut, running
    or not. A running title's forecast is the one made once per view (:func:`running_forecast`,
    which answers None for the others); an ended one is predicted here."""
    from chartwatch.forecast.history import load_history
    from chartwatch.forecast.run import predict_run
    from chartwatch.titles import Show

    target = view.resolve(title) if isinstance(title, str) else title
    if isinstance(target, Show):
        target = max(target.titles, key=lambda t: (t.first_week or dt.date.min, t.label))
    found = running_forecast(view, target)
    if found is None:
        found = predict_run(load_history(view), target.ident, target.film)
    if found is None:
        raise NotFoundError(f"{target.label!r} has no known debut in the global Top 10")
    return found
