"""The real engagement reports read independently of chartwatch, with openpyxl directly.

Tests compute their expected numbers from these helpers, never from chartwatch's reader.
Each report is read as Netflix lays it out: a few title rows, the header row (found by its
``Title`` cell), then one row per title; the period is named in the second title row.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any

import openpyxl

FOLDER = Path(__file__).resolve().parent.parent / "src" / "chartwatch" / "data" / "engagement"
FILES = {
    "2023H1": "What_We_Watched_A_Netflix_Engagement_Report_2023Jan-Jun.xlsx",
    "2023H2": "What_We_Watched_A_Netflix_Engagement_Report_2023Jul-Dec.xlsx",
    "2024H1": "What_We_Watched_A_Netflix_Engagement_Report_2024Jan-Jun.xlsx",
}
PERIODS = {
    "2023H1": (dt.date(2023, 1, 1), dt.date(2023, 6, 30)),
    "2023H2": (dt.date(2023, 7, 1), dt.date(2023, 12, 31)),
    "2024H1": (dt.date(2024, 1, 1), dt.date(2024, 6, 30)),
}


@dataclass(frozen=True)
class Row:
    sheet: str
    row: int  # the sheet row (1-based)
    cell: str  # the Title cell as published
    title: str  # before " // "
    original_title: str | None  # after the first " // "
    available_globally: bool
    release_date: dt.date | None
    hours_viewed: int
    runtime_hours: float | None
    views: int | None


def path(report: str) -> Path:
    return FOLDER / FILES[report]


def raw(report: str) -> bytes:
    return path(report).read_bytes()


def _runtime(text: Any) -> float | None:
    if text in (None, "*"):
        return None
    h, m = str(text).split(":")
    return int(h) + int(m) / 60


def _date(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    return dt.date.fromisoformat(value)


@cache
def rows(report: str) -> tuple[Row, ...]:
    """Every title row of a report, in sheet order then row order."""
    book = openpyxl.load_workbook(path(report), read_only=True, data_only=True)
    out: list[Row] = []
    for sheet in book.worksheets:
        header: dict[str, int] | None = None
        for n, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if header is None:
                if "Title" in values:
                    header = {v: i for i, v in enumerate(values) if v}
                continue
            if all(v is None for v in values):
                continue
            cell = values[header["Title"]]
            title, _, original = cell.partition(" // ")
            out.append(
                Row(
                    sheet=sheet.title,
                    row=n,
                    cell=cell,
                    title=title.strip(),
                    original_title=original.strip() or None,
                    available_globally=values[header["Available Globally?"]] == "Yes",
                    release_date=_date(values[header["Release Date"]]),
                    hours_viewed=int(values[header["Hours Viewed"]]),
                    runtime_hours=_runtime(values[header["Runtime"]])
                    if "Runtime" in header
                    else None,
                    views=int(values[header["Views"]]) if "Views" in header else None,
                )
            )
    book.close()
    return tuple(out)


def period_text(report: str) -> str:
    """The second title row of the first sheet ("Hours viewed from January to June 2023")."""
    book = openpyxl.load_workbook(path(report), read_only=True, data_only=True)
    texts = [v for r in book.worksheets[0].iter_rows(max_row=5, values_only=True) for v in r if v]
    book.close()
    return str(texts[1])


def edit(data: bytes, member: str, old: str, new: str, count: int = 1) -> bytes:
    """The workbook ``data`` with ``old`` replaced by ``new`` in one zip member's XML."""
    src = zipfile.ZipFile(BytesIO(data))
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == member:
                text = body.decode("utf-8")
                assert old in text, (member, old)
                body = text.replace(old, new, count).encode("utf-8")
            dst.writestr(info, body)
    return out.getvalue()


def series_share(titles: list[str]) -> float:
    """The share of titles naming a season or limited series (to tell a sheet's kind)."""
    mark = re.compile(r": (Season \d|Limited Series)")
    return sum(1 for t in titles if mark.search(t)) / len(titles)
