"""Docs that cannot drift: the CLI reference, help texts, the README's two commands, doctests."""

from __future__ import annotations

import doctest
import importlib.util
import re

import pytest
import typer.main

from chartwatch.cli.app import app
from conftest import ROOT


def _reference() -> str:
    spec = importlib.util.spec_from_file_location("gen", ROOT / "docs" / "gen_cli_reference.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text: str = module.reference()
    return text


def test_cli_reference_is_up_to_date():
    current = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert current == _reference(), "docs/cli.md is out of date: run `make docs`"


def test_every_command_and_option_has_help():
    group = typer.main.get_command(app)
    commands = group.commands  # type: ignore[attr-defined]
    assert set(commands) >= {"ingest", "replay", "update", "status", "week", "history", "export"}
    for name, command in commands.items():
        assert command.help and len(command.help) > 20, f"{name} has no help text"
        for param in command.params:
            if param.param_type_name == "option":
                assert param.help, f"{name} {param.opts} has no help"


def test_every_command_sits_in_a_help_panel_in_a_new_users_order():
    """No command is left in Typer's catch-all "Commands" panel; the panels come in the
    order a new user needs them, and each command's summary is one paragraph on one line."""
    group = typer.main.get_command(app)
    commands = group.commands  # type: ignore[attr-defined]
    panels: dict[str, list[str]] = {}
    for name, command in commands.items():
        panel = getattr(command, "rich_help_panel", None)
        assert panel, f"{name} is in no help panel"
        panels.setdefault(panel, []).append(name)
        assert command.short_help and "\n" not in command.short_help, name
    assert list(panels) == [
        "Charts and the store",
        "Get the data",
        "Titles and records",
        "Forecasts",
        "Engagement reports",
        "Web and plots",
        "Charts from your own viewing events",
    ]
    assert panels["Forecasts"] == ["greenlight"]
    assert panels["Engagement reports"] == ["engagement"]
    assert panels["Web and plots"] == ["serve", "plot"]
    assert panels["Charts from your own viewing events"] == ["build", "synth"]
    reference = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    help_text = reference.split("```text\n", 1)[1].split("```", 1)[0]
    assert "─ Commands ─" not in help_text
    positions = [help_text.index(f"─ {panel} ─") for panel in panels]
    assert positions == sorted(positions)


def test_every_command_is_documented_in_cli_md():
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for name in typer.main.get_command(app).commands:  # type: ignore[attr-defined]
        assert f"## chartwatch {name}" in text


def test_readme_opens_with_the_two_setup_commands():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    head = "\n".join(lines[:15])
    commands = re.findall(r"^make (\w+)", head, flags=re.MULTILINE)
    assert commands == ["demo", "test"]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci


@pytest.mark.parametrize(
    "module",
    [
        "chartwatch.dates",
        "chartwatch.render.prose",
        "chartwatch.ingestion.engagement",
        "chartwatch.engagement.link",
        "chartwatch.engagement.names",
        "chartwatch.titles.search",
        "chartwatch.render.charts",
    ],
)
def test_docstring_examples_run(module):
    mod = importlib.import_module(module)
    failures, tried = doctest.testmod(mod)
    assert tried > 0 and failures == 0
