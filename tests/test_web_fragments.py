"""The parts of pages written in Python (``chartwatch.web.fragments``) write exactly what
the Jinja loops they replaced wrote: the loops are kept here, rendered with the pages'
settings, and compared on real data and on hostile text."""

from __future__ import annotations

import random

import pytest
from jinja2 import Environment, select_autoescape

from chartwatch.analytics.countries import countries
from chartwatch.store.store import Store
from chartwatch.view import View
from chartwatch.web import fragments
from chartwatch.web.pages import _whole_run, countries_available

# the templates' loops before they moved to Python, byte for byte
# ruff: noqa: E501
GRID = """  <tbody>
  {% for c in fp.countries %}
  <tr><th scope="row">{{ c.name }}</th><td>{{ c.whole_run }}</td>
    {% for wk in fp.weeks %}<td class="num">{% if wk in c.by_week %}{{ c.by_week[wk] if c.by_week[wk] is not none else "–" }}{% endif %}</td>{% endfor %}</tr>
  {% endfor %}
  </tbody>"""
GRID_NOW = """  <tbody>
{{ country_grid(fp) }}  </tbody>"""
PICKERS = """    <select name="week">
      {% for wk in weeks %}<option value="{{ wk }}"{% if wk == week %} selected{% endif %}>{{ wk }}</option>{% endfor %}
    </select>
    <select name="country">
      <option value="">Global lists</option>
      {% for c in countries %}<option value="{{ c.iso2 }}"{% if c.iso2 == iso %} selected{% endif %}>{{ c.name }}</option>{% endfor %}
    </select>"""
PICKERS_NOW = """    <select name="week">
{{ week_options(weeks, week) }}    </select>
    <select name="country">
      <option value="">Global lists</option>
{{ country_options(countries, iso) }}    </select>"""
HOSTILE = ["<script>alert(1)</script>", "Tom & Jerry", "\"quoted\" 'single'", "Ünïcödé «»", ""]


@pytest.fixture(scope="module")
def env() -> Environment:
    e = Environment(
        autoescape=select_autoescape(default_for_string=True), trim_blocks=True, lstrip_blocks=True
    )
    e.globals.update(
        country_grid=fragments.country_grid,
        week_options=fragments.week_options,
        country_options=fragments.country_options,
    )
    return e


def both(env: Environment, old: str, new: str, **context: object) -> tuple[str, str]:
    return env.from_string(old).render(**context), env.from_string(new).render(**context)


def footprints(store: Store, n: int) -> list[dict]:
    """The page's footprint dicts of ``n`` titles with country lists, chosen at random."""
    view = View.of(store)
    with_countries = sorted({key for key in view.core.country_rows}, key=lambda k: (k[0], k[1]))
    out = []
    for ident, film in random.Random(7).sample(with_countries, n):
        fp = countries(view, view.titles.titles[(ident, film)]).to_dict()
        for c in fp["countries"]:
            c["whole_run"] = _whole_run(c)
        out.append(fp)
    return out


def test_the_country_grid_is_the_loop_it_replaced(bundled: Store, env: Environment) -> None:
    fps = footprints(bundled, 40)
    assert sum(len(fp["countries"]) * len(fp["weeks"]) for fp in fps) > 10_000  # cells
    for fp in fps:
        old, new = both(env, GRID, GRID_NOW, fp=fp)
        assert new == old


def test_the_country_grid_escapes_as_jinja_does(env: Environment) -> None:
    fp = {
        "weeks": ["2022-01-02", "2022-01-09"],
        "countries": [
            {"name": name, "whole_run": name, "by_week": {"2022-01-02": None, "2022-01-09": 3}}
            for name in HOSTILE
        ],
    }
    old, new = both(env, GRID, GRID_NOW, fp=fp)
    assert new == old
    assert "<script>" not in new


def test_the_pickers_are_the_loops_they_replaced(bundled: Store, env: Environment) -> None:
    view = View.of(bundled)
    weeks = [w.isoformat() for w in sorted(view.core.global_weeks, reverse=True)]
    listed = countries_available(view)
    hostile = [{"iso2": text, "name": text} for text in HOSTILE]
    for week, iso in [(weeks[0], None), (weeks[-1], listed[3]["iso2"]), ("none", "XX")]:
        for options in (listed, hostile):
            old, new = both(
                env, PICKERS, PICKERS_NOW, weeks=weeks, week=week, countries=options, iso=iso
            )
            assert new == old


def test_templates_read_a_documents_keys_first_and_still_reach_the_rest() -> None:
    """The pages' environment looks ``d.key`` up as a key first (their data are JSON
    documents); methods, attributes and missing keys behave as in Jinja."""
    from jinja2 import StrictUndefined, UndefinedError

    from chartwatch.web.app import _environment

    env = _environment()(undefined=StrictUndefined)
    render = lambda text, **kw: env.from_string(text).render(**kw)  # noqa: E731
    doc = {"week": "2022-01-30", "counts": {"true": 2}, "n": 0}
    assert render("{{ d.week }} {{ d.n }}", d=doc) == "2022-01-30 0"
    assert (
        render("{% for k, v in d.counts.items() %}{{ k }}={{ v }}{% endfor %}", d=doc) == "true=2"
    )
    assert render("{{ d.get('week') }}", d=doc) == "2022-01-30"
    assert render("{{ s.upper() }}", s="x") == "X"
    with pytest.raises(UndefinedError):
        render("{{ d.missing }}", d=doc)
