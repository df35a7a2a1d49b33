"""The chart definitions: a title's run, titles compared, the engagement reports' figures,
and writing any chart to a file (the world map is :mod:`chartwatch.render.maps`; how a
chart's shape is built once and filled is :mod:`chartwatch.render.shells`).

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
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chartwatch.errors import UsageError
from chartwatch.render.shells import SLOT, Shape, fill, slot

if TYPE_CHECKING:
    from chartwatch.analytics.compare import Comparison
    from chartwatch.analytics.runs import TitleReport

VEGA_LITE_VERSION = "6.4"  # the Vega-Lite vl-convert compiles with (for files and pages)
# Okabe & Ito (2008): distinguishable with every common colour-vision deficiency
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000"]
MEASURE_BLUE = "#0072B2"
RANK_ORANGE = "#D55E00"
ATLAS_URL = "/static/world/countries-110m.json"
FORMATS = ("png", "svg", "html")
VALIDATE = False  # the tests validate every spec against the schema; serving skips it (slow)
UNITS = {"hours_viewed": "Hours viewed", "views": "Views"}


def warm(width: int | str, map_width: int | str) -> None:
    """Import Altair and build the run-chart and map shells for these widths now (a web
    server calls this as it starts, so that its first title page pays neither)."""
    warm_shells(width, map_width)


def warm_shells(width: int | str, map_width: int | str) -> list[str]:
    """The shapes every title page uses: the run chart in hours and in views, and the map
    opening on the whole run (built on the first call)."""
    from chartwatch.render.maps import map_shell

    return [*(_run_shell(unit, width) for unit in UNITS.values()), map_shell(0, map_width)]


def load_altair() -> Any:
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


def in_prose(label: str) -> str:
    """A label as it reads before a colon in a sentence or a chart's title: without the
    dash some labels end with ("I am Solo: Part 5 -" as Netflix publishes it), which would
    read "Part 5 -: …".

    >>> in_prose("I am Solo: Part 5 -")
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
        f"{in_prose(report.label)}: {len(report.weeks)} weeks in the global Top 10, weeks ending "
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
    alt = load_altair()
    data = alt.Data(values=slot("rows"))
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
            title=alt.TitleParams(SLOT.format("label"), subtitle=f"{unit} and rank, week by week"),
            description=SLOT.format("description"),
        )
    )
    return json.dumps(finish_spec(chart))


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
    alt = load_altair()
    order = [SLOT.format(f"t{i}") for i in range(n)]
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
    data = alt.Data(values=slot("rows"))
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
        description=SLOT.format("description"),
    )
    return json.dumps(finish_spec(chart))


def finish_spec(chart: Any) -> dict[str, Any]:
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
    alt = load_altair()
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
    return finish_spec(chart)


def release_years_chart(item: dict[str, Any], *, width: int | str = 640) -> dict[str, Any]:
    """How many titles of one engagement report were released in each year (the titles
    with a release date: most licensed titles have none). ``item`` is one report of
    ``engagement --summary --json``."""
    alt = load_altair()
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
    return finish_spec(chart.properties(description=description))
