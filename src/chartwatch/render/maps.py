"""The world map of a title's country lists: each country coloured by the title's best
position there (ColorBrewer's Blues, light to dark = worse to better, grey where it was not
in the Top 10), small countries as dots, one view per week moved by the page's slider.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from chartwatch.errors import UsageError
from chartwatch.render.charts import ATLAS_URL, finish_spec, in_prose, load_altair
from chartwatch.render.shells import SLOT, Shape, slot

if TYPE_CHECKING:
    from chartwatch.analytics.countries import Footprint

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
        f"World map of {in_prose(footprint.label)}: No. 1 in {n1} countries and in the Top 10 in "
        f"{footprint.countries_top10} over its weeks with country lists; showing "
        f"{views[start]}."
    )
    # the title follows the week shown (the page's slider moves ``week``)
    weeks = json.dumps([str(w) for w in footprint.weeks])
    name = json.dumps(in_prose(footprint.label))
    return Shape(
        map_shell(start, width),
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
def map_shell(start: int, width: int | str) -> str:
    """The world map showing view ``start``, with slots for its countries, dots,
    description, title expression and views (:func:`fill`)."""
    alt = load_altair()
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
        alt.Chart(alt.Data(values=slot("listed")))
        .transform_filter(this_view)
        .transform_lookup(lookup="id", from_=alt.LookupData(data=shapes, key="id"), as_="geo")
        .mark_geoshape(stroke="#FFFFFF", strokeWidth=0.4)
        .encode(shape="geo:G", color=color, tooltip=tooltip)
    )
    dots = (
        alt.Chart(alt.Data(values=slot("dots")))
        .transform_filter(this_view)
        .mark_circle(size=45, stroke="#333333", strokeWidth=0.6, opacity=1)
        .encode(longitude="lon:Q", latitude="lat:Q", color=color, tooltip=tooltip)
    )
    chart = (
        alt.layer(world, listed, dots)
        .add_params(alt.param(name="week", value=start))
        .project(type="equalEarth")
        .properties(width=width, height=340, description=SLOT.format("description"))
    )
    spec = finish_spec(chart)
    spec["title"] = {
        "text": {"expr": SLOT.format("title")},
        "subtitle": "Position in each country's Top 10",
    }
    spec["usermeta"] = {"chartwatch": {"views": slot("views")}}
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
