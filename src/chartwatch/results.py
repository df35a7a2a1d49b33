"""What every result object shares: stable JSON, and tables for notebooks.

A result with a table (a title's week-by-week run, a leaderboard, a comparison) converts to
Arrow, pandas or Polars; those libraries are optional and imported only when asked for.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from abc import ABC, abstractmethod
from typing import Any

from chartwatch.errors import require_extra

_PLAIN = (str, int, float, bool, type(None))


def jsonable(value: Any) -> Any:
    """Dataclasses, dates and containers as plain JSON values (dates as ISO strings)."""
    if isinstance(value, _PLAIN):  # most values: answered before the slower checks
        return value
    if isinstance(value, list | tuple):
        return [v if isinstance(v, _PLAIN) else jsonable(v) for v in value]
    if isinstance(value, dict):
        return {
            (k.isoformat() if isinstance(k, dt.date) else k): (
                v if isinstance(v, _PLAIN) else jsonable(v)
            )
            for k, v in value.items()
        }
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if hasattr(value, "__dataclass_fields__") and not isinstance(value, type):
        return {name: jsonable(getattr(value, name)) for name in _field_names(type(value))}
    return value


_FIELDS: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


class Tabular(ABC):
    """Base of results with a table: ``table_rows()`` gives it as a list of dicts."""

    @abstractmethod
    def table_rows(self) -> list[dict[str, Any]]:
        """The result's table, one dict per row."""

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON document. A result's ``view`` (``View.describe()``: ``as_of``,
        ``reconstructed``, ``first_observed``) is merged into the top level."""
        out: dict[str, Any] = jsonable(self)
        view = out.pop("view", None)
        if view:
            out.update(view)
        return out

    def to_arrow(self) -> Any:
        """The table as a ``pyarrow.Table`` (needs pyarrow)."""
        require_extra("notebook", ("pyarrow",), "to_arrow()")
        import pyarrow as pa

        return pa.Table.from_pylist(self.table_rows())

    def to_pandas(self) -> Any:
        """The table as a ``pandas.DataFrame`` (needs pandas)."""
        require_extra("notebook", ("pandas",), "to_pandas()")
        import pandas as pd

        return pd.DataFrame(self.table_rows())

    def to_polars(self) -> Any:
        """The table as a ``polars.DataFrame`` (needs polars)."""
        require_extra("notebook", ("polars",), "to_polars()")
        import polars as pl

        return pl.DataFrame(self.table_rows())
