"""The chart definitions: a title's run, titles compared, and a title's world map.

One definition serves the web pages (rendered in the browser by the vendored Vega-Lite) and
the files ``chartwatch plot`` writes (PNG, SVG or self-contained HTML, rendered by
vl-convert without a browser). Each function takes a result object of
:mod:`chartwatch.analytics` and returns a Vega-Lite specification as a plain dict, built
with Altair.

Colours are colour-blind safe: the Okabe-Ito palette for series, and ColorBrewer's Blues
(light to dark = worse to better) with a neutral grey for the map. Every chart carries a
``description`` that becomes the SVG's accessible name; the pages also show the same
figures as tables.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chartwatch.errors import UsageError

if TYPE_CHECKING:
    from chartwatch.analytics.compare import Comparison
    from chartwatch.analytics.countries import Footprint
    from chartwatch.analytics.runs import TitleReport

VEGA_LITE_VERSION = "6.4"  # the Vega-Lite vl-convert compiles with (for files and pages)
# Okabe & Ito (2008): distinguishable with every common colour-vision deficiency
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000"]
MEASURE_BLUE = "#0072B2"
RANK_ORANGE = "#D55E00"
MAP_STATUSES = {  # status key -> (legend label, colour)
    "no1": ("No. 1", "#08519C"),
    "top10": ("Top 10", "#6BAED6"),
    "absent": ("Not in the Top 10", "#BDBDBD"),
    "no_list": ("No list", "#F2F2F2"),
}
# Countries with Netflix lists that are too small for the 110m world map: drawn as dots.
SMALL_COUNTRIES = {  # iso2 -> (longitude, latitude)
    "BH": (50.56, 26.07),
    "GP": (-61.55, 16.25),
    "HK": (114.17, 22.32),
    "MQ": (-61.02, 14.64),
    "MT": (14.40, 35.90),
    "MU": (57.55, -20.35),
    "MV": (73.22, 3.20),
    "RE": (55.54, -21.12),
    "SG": (103.82, 1.35),
}
ATLAS_URL = "/static/world/countries-110m.json"
FORMATS = ("png", "svg", "html")
VALIDATE = False  # the tests validate every spec against the schema; serving skips it (slow)
UNITS = {"hours_viewed": "Hours viewed", "views": "Views"}


@cache
def atlas() -> dict[str, Any]:
    """The vendored world TopoJSON (world-atlas countries-110m, Natural Earth)."""
    data = resources.files("chartwatch.web").joinpath("static/world/countries-110m.json")
    out: dict[str, Any] = json.loads(data.read_text(encoding="utf-8"))
    return out


@cache
def atlas_ids() -> frozenset[str]:
    """ISO 3166-1 numeric codes of the countries the atlas draws."""
    geometries = atlas()["objects"]["countries"]["geometries"]
    return frozenset(str(g["id"]) for g in geometries if g.get("id"))


@cache
def numeric_code(iso2: str) -> str | None:
    """ISO 3166-1 numeric code (as the atlas writes it, ``"410"``) of an alpha-2 code."""
    import pycountry

    country = pycountry.countries.get(alpha_2=iso2)
    return str(country.numeric) if country is not None else None


def warm(width: int | str, map_width: int | str) -> None:
    """Import Altair and build the run-chart and map shells for these widths now (a web
    server calls this as it starts, so that its first title page pays neither)."""
    warm_shells(width, map_width)


def warm_shells(width: int | str, map_width: int | str) -> list[str]:
    """The shapes every title page uses: the run chart in hours and in views, and the map
    opening on the whole run (built on the first call)."""
    return [*(_run_shell(unit, width) for unit in UNITS.values()), _map_shell(0, map_width)]


def _alt() -> Any:
    import altair as alt

    return alt


def _week_x(alt: Any, field: str = "week_end") -> Any:
    return alt.X(
        f"{field}:T",
        title="Week ending",
        scale=alt.Scale(type="utc"),
        axis=alt.Axis(format="%b %-d, %Y", labelAngle=-30, labelOverlap=True),
    )


def _rank_y(alt: Any) -> Any:
    return alt.Y(
        "rank:Q",
        title="Rank",
        scale=alt.Scale(domain=[10, 1], nice=False),
        axis=alt.Axis(values=[1, 3, 5, 7, 10], format="d"),
    )


def _in_prose(label: str) -> str:
    """A label as it reads before a colon in a sentence or a chart's title: without the
    dash some labels end with ("I am Solo: Part 5 -" as Netflix publishes it), which would
    read "Part 5 -: …".

    >>> _in_prose("I am Solo: Part 5 -")
    'I am Solo: Part 5'
    """
    return label.rstrip().removesuffix(" -").removesuffix(" –").rstrip() or label


def run_chart(report: TitleReport, *, width: int | str = 640) -> dict[str, Any]:
    """A title's weeks in the global Top 10: hours viewed (or views, when every week has
    them) as bars spanning each Monday-to-Sunday week, and its rank below."""
    return run_shape(report, width=width).spec()


def run_shape(report: TitleReport, *, width: int | str = 640) -> Shape:
    """:func:`run_chart` before its shell is filled (a page's Vega is filled from it)."""
    if not report.weeks:
        raise UsageError(f"{report.label!r} has no weeks in the global Top 10 to plot")
    measure = report.best_week.measure if report.best_week else "hours_viewed"
    unit = UNITS[measure]
    rows = [
        {
            "week_start": w.week_start.isoformat(),
            "week_next": (w.week_end + dt.timedelta(days=1)).isoformat(),
            "week_end": w.week_end.isoformat(),
            "mid": f"{(w.week_start + dt.timedelta(days=3)).isoformat()}T12:00:00Z",
            "rank": w.rank,
            "value": getattr(w, measure),
            "category": w.category,
        }
        for w in report.weeks
    ]
    first, last = report.weeks[0], report.weeks[-1]
    description = (
        f"{_in_prose(report.label)}: {len(report.weeks)} weeks in the global Top 10, weeks ending "
        f"{first.week_end} to {last.week_end}; peak rank {report.peak_rank}; "
        f"{unit.lower()} per week from {_fmt(min(_vals(rows)))} to {_fmt(max(_vals(rows)))}."
    )
    return Shape(
        _run_shell(unit, width), {"rows": rows, "label": report.label, "description": description}
    )


@cache
def _run_shell(unit: str, width: int | str) -> str:
    """The run chart for ``unit`` and ``width`` with slots for its rows, title and
    description (:func:`fill`): Altair builds it once, not for every title."""
    alt = _alt()
    data = alt.Data(values=_slot("rows"))
    tooltip = [
        alt.Tooltip("week_end:N", title="Week ending"),
        alt.Tooltip("rank:Q", title="Rank"),
        alt.Tooltip("value:Q", title=unit, format=","),
        alt.Tooltip("category:N", title="List"),
    ]
    x = _week_x(alt, "week_start")
    bars = (
        alt.Chart(data)
        .mark_bar(color=MEASURE_BLUE, stroke="white", strokeWidth=1)
        .encode(
            x=x,
            x2="week_next:T",
            y=alt.Y("value:Q", title=unit, axis=alt.Axis(format="~s")),
            y2=alt.Y2(datum=0),
            tooltip=tooltip,
        )
        .properties(width=width, height=220)
    )
    ranks = (
        alt.Chart(data)
        .mark_line(color=RANK_ORANGE, point=alt.OverlayMarkDef(color=RANK_ORANGE, size=50))
        .encode(x=_week_x(alt, "mid"), y=_rank_y(alt), tooltip=tooltip)
        .properties(width=width, height=130)
    )
    chart = (
        alt.vconcat(bars, ranks, spacing=12)
        .resolve_scale(x="shared")
        .properties(
            title=alt.TitleParams(_SLOT.format("label"), subtitle=f"{unit} and rank, week by week"),
            description=_SLOT.format("description"),
        )
    )
    return json.dumps(_finish(chart))


# A chart's shape is built once per kind and options (Altair takes tens of milliseconds per
# chart, a map hundreds); its data, title and description fill slots in a copy.
_SLOT = "\x00slot:{}\x00"


def _slot(name: str) -> list[dict[str, str]]:
    return [{"\x00slot": name}]


class Filled(dict[str, Any]):
    """A chart specification made by filling a shell: the dict itself, and the ``shell``
    (JSON) and the ``slots`` values it was made from, so a compiled form of the shell can be filled
    the same way (the pages' Vega, :func:`chartwatch.web.vega.vega_spec`)."""

    shell: str
    slots: dict[str, Any]


@dataclass(frozen=True)
class Shape:
    """A chart before its shell is filled: the ``shell`` (JSON) and the ``slots``' values.
    :meth:`spec` fills it; a web page fills the shell's compiled Vega instead
    (:func:`chartwatch.web.vega.vega_json`), so the chart itself is never parsed."""

    shell: str
    slots: dict[str, Any]

    def spec(self) -> Filled:
        return fill(self.shell, **self.slots)

    @property
    def description(self) -> str:
        """The chart's description, as the filled spec has it (the pages' captions)."""
        return str(self.slots["description"])


def fill(shell: str, **values: Any) -> Filled:
    """A copy of the chart ``shell`` (JSON) with each slot replaced by its value (see
    :func:`fill_text`), parsed once."""
    out = Filled(json.loads(fill_text(shell, **values)))
    out.shell, out.slots = shell, values
    return out


def fill_text(shell: str, *, sort_keys: bool = False, **values: Any) -> str:
    """The JSON text of the chart ``shell`` (JSON) with each slot replaced by its value: a
    list ``[{"\x00slot": name}]``, a string that is a slot, a slot inside a string, or one
    inside a string literal of an expression (the compiled Vega's sort by the titles'
    order: escaped as JSON.stringify escapes). Done on the text, so nothing is parsed: with
    a shell written with sorted keys and ``sort_keys``, the text is what ``json.dumps`` of
    the filled chart with ``sort_keys=True`` writes."""

    def value(m: re.Match[str]) -> str:
        whole, listed, escaped, inner = m.groups()
        if whole or listed:
            return json.dumps(values[whole or listed], sort_keys=sort_keys)
        if escaped:
            literal = json.dumps(str(values[escaped]), ensure_ascii=False)[1:-1]
            return json.dumps(literal)[1:-1]
        return json.dumps(str(values[inner]))[1:-1]

    return _SLOT_TEXT.sub(value, shell)


# the slots as json.dumps writes them, in the order tried at each position
_SLOT_TEXT = re.compile(
    r'"\\u0000slot:(\w+)\\u0000"'  # a whole string
    r'|\[\{"\\u0000slot": "(\w+)"\}\]'  # a list of rows
    r"|\\\\u0000slot:(\w+)\\\\u0000"  # inside an expression's string literal
    r"|\\u0000slot:(\w+)\\u0000"  # inside a string
)


def _vals(rows: list[dict[str, Any]]) -> list[int]:
    return [r["value"] for r in rows if r["value"] is not None] or [0]


def _fmt(value: int) -> str:
    return f"{value:,}"


def compare_chart(
    comparison: Comparison, *, width: int | str = 640, first_runs: bool = False
) -> dict[str, Any]:
    """Titles' runs overlaid: the compared measure (hours or views) per week and each
    title's rank, aligned on debut (week 1, 2, …) or on the calendar.

    ``first_runs`` draws only each title's first unbroken stretch in the Top 10 (the run
    people mean): a re-entry years later would otherwise stretch the axis and squeeze the
    runs into its left edge."""
    by_debut = comparison.align == "debut"
    measure = {"hours": "hours_viewed", "views": "views"}.get(comparison.metric)
    columns = {t.label: t.column for t in comparison.titles}
    first_stretch = {t.label: t.stretches[0] for t in comparison.titles if t.stretches}
    rows = []
    stretch, previous = 0, None  # a line breaks where a title left the Top 10
    for w in comparison.weeks:
        run = first_stretch.get(w.label)
        if first_runs and run is not None and not run[0] <= w.week_number <= run[1]:
            continue
        if previous is None or previous.label != w.label:
            stretch = 0
        elif w.week_number - previous.week_number > 1:
            stretch += 1
        previous = w
        rows.append(
            {
                "title": columns.get(w.label, w.label),
                "stretch": stretch,
                "week_number": w.week_number,
                "week_end": w.week_end.isoformat(),
                "rank": w.rank,
                "value": getattr(w, measure) if measure else None,
            }
        )
    order = [t.column for t in comparison.titles]
    names = " vs ".join(order)
    description = (
        f"{names}: "
        + "; ".join(
            f"{t.column}, {t.weeks_in_top10} weeks in the Top 10" for t in comparison.titles
        )
        + ("; aligned on each title's first week" if by_debut else "; by calendar week")
        + ("; each title's first run in the Top 10, without re-entries" if first_runs else "")
        + "."
    )
    shell = _compare_shell(by_debut, measure, comparison.metric, len(order), width)
    names_in_order = {f"t{i}": name for i, name in enumerate(order)}
    return fill(shell, rows=rows, description=description, **names_in_order)


@cache
def _compare_shell(
    by_debut: bool, measure: str | None, metric: str, n: int, width: int | str
) -> str:
    """The comparison of ``n`` titles with slots for its rows, description and the titles'
    names (``t0``, ``t1``…, in order): Altair builds it once per shape, not per pair."""
    alt = _alt()
    order = [_SLOT.format(f"t{i}") for i in range(n)]
    color = alt.Color(
        "title:N",
        title=None,
        scale=alt.Scale(domain=order, range=PALETTE[: len(order)]),
        sort=order,
        legend=alt.Legend(orient="top", direction="vertical", labelLimit=400),
    )
    if by_debut:
        x = alt.X(
            "week_number:Q",
            title="Weeks since its first week in the Top 10 (week 1)",
            scale=alt.Scale(domainMin=1),
            axis=alt.Axis(tickMinStep=1),
        )
    else:
        x = _week_x(alt)
    tooltip = [
        alt.Tooltip("title:N", title="Title"),
        alt.Tooltip("week_number:Q", title="Week"),
        alt.Tooltip("week_end:N", title="Week ending"),
        alt.Tooltip("rank:Q", title="Rank"),
    ]
    data = alt.Data(values=_slot("rows"))
    panels = []
    if measure:
        unit = UNITS[measure]
        panels.append(
            alt.Chart(data)
            .mark_line(point=True, strokeWidth=2.5, strokeJoin="round")
            .encode(
                x=x,
                y=alt.Y("value:Q", title=unit, axis=alt.Axis(format="~s")),
                color=color,
                detail="stretch:N",
                strokeDash=alt.StrokeDash("title:N", sort=order, legend=None),
                tooltip=[*tooltip, alt.Tooltip("value:Q", title=unit, format=",")],
            )
            .properties(width=width, height=220)
        )
    panels.append(
        alt.Chart(data)
        .mark_line(point=True, strokeWidth=2, strokeJoin="round")
        .encode(
            x=x,
            y=_rank_y(alt),
            color=color,
            detail="stretch:N",
            strokeDash=alt.StrokeDash("title:N", sort=order, legend=None),
            tooltip=tooltip,
        )
        .properties(width=width, height=150)
    )
    what = {"hours": "Hours viewed", "views": "Views", "rank": "Rank"}[metric]
    chart = alt.vconcat(*panels, spacing=12).properties(
        title=alt.TitleParams(
            " vs ".join(order),
            subtitle=f"{what} by week, " + ("aligned on debut" if by_debut else "by calendar week"),
        ),
        description=_SLOT.format("description"),
    )
    return json.dumps(_finish(chart))


def _status(rank: int | None) -> str:
    return "absent" if rank is None else "no1" if rank == 1 else "top10"


def map_rows(footprint: Footprint) -> list[dict[str, Any]]:
    """One row per country and view: ``w`` 0 is the whole run (the best position in any of
    its weeks), ``w`` 1… are the weeks in order."""
    rows = []
    for c in footprint.countries:
        code = numeric_code(c.iso2)
        if code is None:
            continue
        point = SMALL_COUNTRIES.get(c.iso2) if code not in atlas_ids() else None
        base: dict[str, Any] = {"id": code, "iso2": c.iso2, "name": c.name}
        if point:
            base.update(lon=point[0], lat=point[1])
        best: int | None
        if c.no1_weeks:
            whole, best = "no1", 1
        elif c.top10_weeks:
            whole, best = "top10", c.best_rank
        else:
            whole, best = ("absent" if c.by_week else "no_list"), None
        rows.append({**base, "w": 0, "status": MAP_STATUSES[whole][0], "rank": best})
        for i, week in enumerate(footprint.weeks, start=1):
            if week in c.by_week:
                rank = c.by_week[week]
                label = MAP_STATUSES[_status(rank)][0]
            else:
                rank, label = None, MAP_STATUSES["no_list"][0]
            rows.append({**base, "w": i, "status": label, "rank": rank})
    return rows


def map_chart(
    footprint: Footprint,
    *,
    week: dt.date | None = None,
    width: int | str = 640,
    inline_atlas: bool = True,
) -> dict[str, Any]:
    """The world coloured by the title's best position in each country's Top 10: No. 1,
    Top 10, not in the Top 10, or no list. The ``week`` parameter (0 = the whole run,
    1… = its weeks with country lists) picks the view; the web page moves it with a slider.

    ``inline_atlas`` puts the map's shapes in the spec (for files); otherwise the spec
    points at the vendored file the web app serves.
    """
    spec = map_shape(footprint, week=week, width=width).spec()
    if inline_atlas:  # swapped in after Altair: validating 100 kB of shapes takes seconds
        plain = dict(spec)  # no longer its shell filled
        _inline_atlas(plain)
        return plain
    return spec


def map_shape(
    footprint: Footprint, *, week: dt.date | None = None, width: int | str = 640
) -> Shape:
    """:func:`map_chart` (its shapes read from the web app's address) before its shell is
    filled: a title page's map is filled from it as Vega, never parsed (about 60 KB)."""
    start = 0
    if week is not None:
        if week not in footprint.weeks:
            have = ", ".join(str(w) for w in footprint.weeks)
            raise UsageError(
                f"{footprint.label!r} has no country lists for {week}: {have}", parameter="week"
            )
        start = footprint.weeks.index(week) + 1
    rows = map_rows(footprint)
    views = ["the whole run", *(f"the week ending {w}" for w in footprint.weeks)]
    n1 = footprint.countries_no1
    description = (
        f"World map of {_in_prose(footprint.label)}: No. 1 in {n1} countries and in the Top 10 in "
        f"{footprint.countries_top10} over its weeks with country lists; showing "
        f"{views[start]}."
    )
    # the title follows the week shown (the page's slider moves ``week``)
    weeks = json.dumps([str(w) for w in footprint.weeks])
    name = json.dumps(_in_prose(footprint.label))
    return Shape(
        _map_shell(start, width),
        {
            "listed": [r for r in rows if "lon" not in r],
            "dots": [r for r in rows if "lon" in r] or [{"w": -1}],
            "description": description,
            "title": f"{name} + (week == 0 ? ': best position over the whole run' : "
            f"': the week ending ' + {weeks}[week - 1])",
            "views": views,
        },
    )


@cache
def _map_shell(start: int, width: int | str) -> str:
    """The world map showing view ``start``, with slots for its countries, dots,
    description, title expression and views (:func:`fill`)."""
    alt = _alt()
    shapes = alt.topo_feature(ATLAS_URL, "countries")
    labels = [label for label, _ in MAP_STATUSES.values()]
    colors = [color for _, color in MAP_STATUSES.values()]
    color = alt.Color(
        "status:N",
        title=None,
        scale=alt.Scale(domain=labels, range=colors),
        legend=alt.Legend(orient="bottom", direction="horizontal", symbolStrokeColor="#666"),
    )
    tooltip = [
        alt.Tooltip("name:N", title="Country"),
        alt.Tooltip("status:N", title="Position"),
        alt.Tooltip("rank:Q", title="Best rank"),
    ]
    world = (
        alt.Chart(shapes)
        .mark_geoshape(fill=MAP_STATUSES["no_list"][1], stroke="#FFFFFF", strokeWidth=0.4)
        .transform_filter("datum.id != '010'")  # Antarctica
    )
    this_view = "datum.w == week"
    listed = (
        alt.Chart(alt.Data(values=_slot("listed")))
        .transform_filter(this_view)
        .transform_lookup(lookup="id", from_=alt.LookupData(data=shapes, key="id"), as_="geo")
        .mark_geoshape(stroke="#FFFFFF", strokeWidth=0.4)
        .encode(shape="geo:G", color=color, tooltip=tooltip)
    )
    dots = (
        alt.Chart(alt.Data(values=_slot("dots")))
        .transform_filter(this_view)
        .mark_circle(size=45, stroke="#333333", strokeWidth=0.6, opacity=1)
        .encode(longitude="lon:Q", latitude="lat:Q", color=color, tooltip=tooltip)
    )
    chart = (
        alt.layer(world, listed, dots)
        .add_params(alt.param(name="week", value=start))
        .project(type="equalEarth")
        .properties(width=width, height=340, description=_SLOT.format("description"))
    )
    spec = _finish(chart)
    spec["title"] = {
        "text": {"expr": _SLOT.format("title")},
        "subtitle": "Position in each country's Top 10",
    }
    spec["usermeta"] = {"chartwatch": {"views": _slot("views")}}
    return json.dumps(spec)


def _inline_atlas(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("url") == ATLAS_URL:
            del node["url"]
            node["values"] = atlas()
        for key, value in node.items():
            if key != "values":
                _inline_atlas(value)
    elif isinstance(node, list):
        for value in node:
            _inline_atlas(value)


def _finish(chart: Any) -> dict[str, Any]:
    spec: dict[str, Any] = chart.configure_view(stroke=None).to_dict(validate=VALIDATE)
    spec.pop("$schema", None)  # no reference to a remote schema in the pages or files
    spec["config"].update(
        font="system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif",
        background="#FFFFFF",
    )
    # readable text: Vega's 10 px default is too small for legends and axes
    spec["config"].setdefault("legend", {}).update(labelFontSize=12, titleFontSize=12)
    spec["config"].setdefault("axis", {}).update(labelFontSize=12, titleFontSize=12)
    return spec


def save(spec: dict[str, Any], path: str | Path, *, format: str | None = None) -> Path:
    """Write ``spec`` as PNG, SVG or a self-contained HTML file (by ``format`` or the file's
    extension), with vl-convert: no browser, no network."""
    import vl_convert as vlc

    target = Path(path)
    fmt = (format or target.suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise UsageError(f"-o: write a .png, .svg or .html file (not {target.name!r})")
    if not target.parent.exists():
        raise UsageError(f"-o: the folder {target.parent} does not exist")
    # vl-convert's SVG reader aborts the whole process on a control character (XML has
    # none): show them escaped, as the terminal does
    spec = _without_controls(spec)
    if fmt == "png":
        target.write_bytes(vlc.vegalite_to_png(spec, vl_version=VEGA_LITE_VERSION, scale=2))
    elif fmt == "svg":
        target.write_text(vlc.vegalite_to_svg(spec, vl_version=VEGA_LITE_VERSION), "utf-8")
    else:
        target.write_text(html_page(spec), encoding="utf-8")
    return target


def _without_controls(value: Any) -> Any:
    """``value`` with the control characters of every string shown as escapes."""
    from chartwatch.render.terminal import escape_controls

    if isinstance(value, str):
        return escape_controls(value)
    if isinstance(value, dict):
        return {k: _without_controls(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_controls(v) for v in value]
    return value


def script_json(value: Any) -> str:
    """``value`` as JSON that is safe inside an HTML ``<script>`` block: ``<``, ``>`` and
    ``&`` (so no ``</script>`` or ``<!--`` from data ends or bends the block) and the line
    separators U+2028/U+2029 are written as ``\\u`` escapes; it parses to the same value."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char in ("<", ">", "&", "\u2028", "\u2029"):
        text = text.replace(char, f"\\u{ord(char):04x}")
    return text


_SENTINEL = "chartwatch-spec-goes-here"


def html_page(spec: dict[str, Any]) -> str:
    """A self-contained HTML page showing ``spec`` (vl-convert's page, with the scripts
    bundled). The page is made for a placeholder chart and the real one is put in with
    :func:`script_json`: vl-convert pastes a spec into its ``<script>`` raw, so a title
    holding ``</script><script>…`` would run."""
    import vl_convert as vlc

    placeholder = {"mark": "point", "description": _SENTINEL}
    page = vlc.vegalite_to_html(placeholder, vl_version=VEGA_LITE_VERSION, bundle=True)
    marker = "const spec = "
    start = page.index(marker) + len(marker)
    end = page.index(_SENTINEL, start)
    end = page.index("}", end) + 1  # the placeholder holds no nested object
    return page[:start] + script_json(spec) + page[end:]


# -- the engagement reports: what the Top 10 leaves out ----------------------------------------

SHARES = (  # key of a report's summary (``engagement --summary --json``) -> what it measures
    ("share_never_charted", "Titles that never charted"),
    ("share_top_1_percent", "The top 1 % of titles"),
    ("share_top_10_percent", "The top 10 % of titles"),
)


def engagement_shares_chart(item: dict[str, Any], *, width: int | str = 640) -> dict[str, Any]:
    """One engagement report's share of all hours viewed that went to the titles that never
    charted in the Top 10, and to its top 1 % and top 10 % of titles, as bars from 0 to
    100 %. ``item`` is one report of ``engagement --summary --json``."""
    alt = _alt()
    rows = [{"what": text, "share": item[key]} for key, text in SHARES]
    base = alt.Chart(alt.Data(values=rows)).encode(
        y=alt.Y(
            "what:N",
            title=None,
            sort=[text for _, text in SHARES],
            axis=alt.Axis(labelLimit=170),
        ),
        x=alt.X(
            "share:Q",
            title="Share of all hours viewed",
            scale=alt.Scale(domain=[0, 1]),
            axis=alt.Axis(format="%", tickCount=5),
        ),
        tooltip=[
            alt.Tooltip("what:N", title="Titles"),
            alt.Tooltip("share:Q", title="Share of hours", format=".1%"),
        ],
    )
    bars = base.mark_bar(color=MEASURE_BLUE, height={"band": 0.7})
    labels = base.mark_text(align="left", dx=4, fontSize=12).encode(
        text=alt.Text("share:Q", format=".1%")
    )
    description = (
        f"Engagement report {item['report']} ({item['period_start']} to "
        f"{item['period_end']}): of {item['total_hours_viewed']:,} hours viewed, "
        + "; ".join(f"{text.lower()} had {item[key]:.1%}" for key, text in SHARES)
        + "."
    )
    chart = alt.layer(bars, labels).properties(
        width=width,
        height=150,
        title=alt.TitleParams(
            "Where the hours went", subtitle=f"Engagement report {item['report']}"
        ),
        description=description,
    )
    return _finish(chart)


def release_years_chart(item: dict[str, Any], *, width: int | str = 640) -> dict[str, Any]:
    """How many titles of one engagement report were released in each year (the titles
    with a release date: most licensed titles have none). ``item`` is one report of
    ``engagement --summary --json``."""
    alt = _alt()
    years = item["titles_by_release_year"]
    rows = [{"year": year, "titles": n} for year, n in years.items()]
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_bar(color=MEASURE_BLUE)
        .encode(
            x=alt.X("year:O", title="Release year", axis=alt.Axis(labelAngle=0, labelOverlap=True)),
            y=alt.Y("titles:Q", title="Titles", axis=alt.Axis(format="~s")),
            tooltip=[
                alt.Tooltip("year:O", title="Released in"),
                alt.Tooltip("titles:Q", title="Titles", format=","),
            ],
        )
        .properties(
            width=width,
            height=200,
            title=alt.TitleParams(
                "Titles by release year",
                subtitle=f"{item['titles_without_release_date']:,} of {item['titles']:,} "
                "titles have no release date",
            ),
        )
    )
    busiest = max(years.items(), key=lambda kv: kv[1]) if years else None
    description = (
        f"Engagement report {item['report']}: {sum(years.values()):,} titles with a release "
        f"date, released from {min(years)} to {max(years)}; the most, {busiest[1]:,}, in "
        f"{busiest[0]}; {item['titles_without_release_date']:,} titles have no release date."
        if busiest
        else f"Engagement report {item['report']}: no title has a release date."
    )
    return _finish(chart.properties(description=description))
