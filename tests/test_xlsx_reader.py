"""The lean xlsx reader used for the engagement reports reads what openpyxl reads."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chartwatch.ingestion.engagement import parse_period
from chartwatch.ingestion.xlsx import Book, serial_date
from rawengagement import raw

MONTHS = [dt.date(2000, m, 1).strftime("%B") for m in range(1, 13)]


def _trim(row: tuple) -> tuple:
    values = list(row)
    while values and values[-1] is None:
        values.pop()
    return tuple(values)


@pytest.mark.parametrize("report", ["2023H1", "2024H1"])  # dates as numbers; two sheets
def test_every_cell_as_openpyxl_reads_it(report: str) -> None:
    data = raw(report)
    lean = Book(data)
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    assert [s.title for s in lean.worksheets] == book.sheetnames
    for mine, theirs in zip(lean.worksheets, book.worksheets, strict=True):
        got = [_trim(r) for r in mine.iter_rows(values_only=True)]
        want = [_trim(r) for r in theirs.iter_rows(values_only=True)]
        assert len(got) == len(want)
        for g, w in zip(got, want, strict=True):
            assert len(g) == len(w)
            # openpyxl turns a date-formatted number into a datetime; the lean reader keeps
            # Excel's serial day number, converted by the reader of the column
            assert (
                tuple(
                    serial_date(x) if isinstance(y, dt.datetime) else x
                    for x, y in zip(g, w, strict=True)
                )
                == w
            )
    lean.close()
    book.close()


@given(
    start=st.integers(0, 11),
    end=st.integers(0, 11),
    year=st.integers(2000, 2099),
    lead=st.sampled_from(["Hours viewed", "Views", "Viewing"]),
)
def test_the_period_of_a_title_row(start: int, end: int, year: int, lead: str) -> None:
    text = f"{lead} from {MONTHS[start]} to {MONTHS[end]} {year}"
    period = parse_period(text)
    assert period is not None
    assert period.start == dt.date(year, start + 1, 1)
    assert period.end.year == year and period.end.month == end + 1
    assert (period.end + dt.timedelta(days=1)).day == 1
    if (start, end) == (0, 5):
        assert period.report == f"{year}H1"
    elif (start, end) == (6, 11):
        assert period.report == f"{year}H2"
    assert parse_period(f"{lead} in {MONTHS[start]}") is None
