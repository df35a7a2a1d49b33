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


@pytest.mark.parametrize("module", ["chartwatch.dates", "chartwatch.render.prose"])
def test_docstring_examples_run(module):
    mod = importlib.import_module(module)
    failures, tried = doctest.testmod(mod)
    assert tried > 0 and failures == 0
