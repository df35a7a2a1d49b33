"""Usage errors know their parameter: Python sees the keyword of the engine's ``build``,
``synth``, ``calibrate`` and ``Method`` (the message names no flag); the command line
names the option as the command spells it (``--round-hours`` for ``hours_step``), for
the engine's commands and the others' own checks alike."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from chartwatch.engine.calibration import calibrate
from chartwatch.engine.inputs import event_files
from chartwatch.engine.method import Method
from chartwatch.engine.pipeline import build, parse_weeks
from chartwatch.engine.synthetic import synth
from chartwatch.errors import UsageError
from chartwatch.forecast import history as forecast_history
from chartwatch.forecast import models as forecast_models
from chartwatch.results import Tabular

MISSING = "/nonexistent/chartwatch"

CASES: list[tuple[str, Callable[[Path], Any]]] = [
    ("rank_by", lambda _: Method(rank_by="loudness")),  # type: ignore[arg-type]
    ("switch_week", lambda _: Method(switch_week=dt.date(2023, 6, 19))),  # a Monday
    ("hours_step", lambda _: Method(hours_step=(0, 100_000))),
    ("views_step", lambda _: Method(views_step=0)),
    ("max_seconds", lambda _: Method(max_seconds=0)),
    ("most_popular_days", lambda _: Method(most_popular_days=30)),
    ("timezone", lambda _: Method(timezone="not a zone!")),
    ("scale", lambda tmp: synth(["bundled"], tmp, scale=0)),
    ("noise", lambda tmp: synth(["bundled"], tmp, scale=1e-4, noise=2)),
    ("session_minutes", lambda tmp: synth(["bundled"], tmp, scale=1e-4, session_minutes=0)),
    ("sources", lambda _: calibrate([MISSING], scale=1e-4)),
    ("weeks", lambda _: parse_weeks("2024-01-07..2023-01-01")),
    ("weeks", lambda _: parse_weeks("last week")),
    ("engine", lambda tmp: build(MISSING, MISSING, tmp, engine="abacus")),
    ("catalog", lambda tmp: build(MISSING, MISSING, tmp)),
    ("events", lambda _: event_files(MISSING)),
    ("memory_limit", lambda tmp: build(MISSING, MISSING, tmp, memory_limit="lots")),
]


@pytest.mark.parametrize(("parameter", "call"), CASES, ids=[c[0] for c in CASES])
def test_python_sees_the_keyword(parameter: str, call: Callable[[Path], Any], tmp_path) -> None:
    with pytest.raises(UsageError) as info:
        call(tmp_path)
    assert info.value.parameter == parameter
    message = info.value.message
    assert "--" not in message and not message.startswith(("EVENTS", "CATALOG")), message
    assert str(info.value) == f"{parameter}: {message}"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["build", MISSING, MISSING, "-o", "{tmp}", "--round-hours", "0"], "--round-hours: "),
        (["build", MISSING, MISSING, "-o", "{tmp}", "--round-hours", "ten"], "--round-hours: "),
        (["build", MISSING, MISSING, "-o", "{tmp}", "--most-popular", "30"], "--most-popular: "),
        (["build", MISSING, MISSING, "-o", "{tmp}", "--switch-week", "2023-06-19"],
         "--switch-week: "),
        (["build", MISSING, MISSING, "-o", "{tmp}", "--rank-by", "loudness"], "--rank-by: "),
        (["build", MISSING, MISSING, "-o", "{tmp}", "--spark-conf", "x"], "--spark-conf: "),
        (["build", MISSING, MISSING, "-o", "{tmp}", "--weeks", "x"], "--weeks: "),
        (["build", MISSING, MISSING, "-o", "{tmp}"], "CATALOG: "),
        (["synth", "--from", MISSING, "--scale", "1e-4", "-o", "{tmp}"], "--from: "),
        (["synth", "--from", "bundled", "--scale", "0", "-o", "{tmp}"], "--scale: "),
        (["synth", "--from", "bundled", "--scale", "1e-4", "--noise", "2", "-o", "{tmp}"],
         "--noise: "),
    ],
)  # fmt: skip
def test_the_command_line_names_the_option(cli, tmp_path, args: list[str], says: str) -> None:
    result = cli(*[a.replace("{tmp}", str(tmp_path / "out")) for a in args])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: " + says), result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["history", "--list", "weekly"], "--list: 'weekly' is not one of "),
        (["export", "-o", "{tmp}.csv", "--list", "weekly"], "--list: 'weekly' is not one of "),
        (["export", "-o", "{tmp}.xlsx"], "--format: 'xlsx' is not one of "),
        (["plot", "chart", "squid game", "-o", "{tmp}.png"], "KIND: 'chart' is not one of "),
    ],
)
def test_other_commands_name_the_option(
    cli, bundled_db, tmp_path, args: list[str], says: str
) -> None:
    result = cli(*[a.replace("{tmp}", str(tmp_path / "out")) for a in args], "--db", bundled_db)
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().startswith("Error: " + says), result.stderr


@pytest.mark.parametrize(
    ("module", "call", "says"),
    [
        ("pyarrow", lambda: _Rows().to_arrow(), "to_arrow() needs pyarrow"),
        ("pandas", lambda: _Rows().to_pandas(), "to_pandas() needs pandas"),
        ("polars", lambda: _Rows().to_polars(), "to_polars() needs polars"),
        ("pandas", lambda: forecast_history.pandas(), "forecasts need pandas"),
        ("lifelines", lambda: forecast_models.lifelines(), "the renewal forecast needs lifelines"),
    ],
)  # fmt: skip
def test_a_missing_extra_is_one_error_from_one_place(
    monkeypatch: pytest.MonkeyPatch, module: str, call: Callable[[], Any], says: str
) -> None:
    """Every optional extra that is missing raises MissingExtraError (an ImportError too),
    from ``require_extra``, with what to install."""
    import sys

    import chartwatch.errors
    from chartwatch.errors import MissingExtraError

    monkeypatch.setitem(sys.modules, module, None)
    monkeypatch.setattr(chartwatch.errors, "_MISSING", {})  # what is installed, looked up anew
    with pytest.raises(MissingExtraError, match="pip install 'chartwatch\\[") as info:
        call()
    assert isinstance(info.value, ImportError) and str(info.value).startswith(says)
    assert info.value.modules == [module]


class _Rows(Tabular):
    def table_rows(self) -> list[dict[str, Any]]:
        return [{"a": 1}]
