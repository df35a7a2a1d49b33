"""A lean streaming reader of .xlsx cell values, for the engagement reports.

openpyxl's read-only mode builds a Python object per cell and looks up its style; a report
of 16,000 rows spends most of its ingest there. This reader streams each sheet's XML with
the standard library's C parser and yields the cell values only: shared and inline
strings, numbers, booleans. It offers the part of openpyxl's interface chartwatch uses
(``worksheets``, a sheet's ``title`` and ``iter_rows(max_row=…, values_only=True)``, rows
numbered from 1 with missing rows yielded empty), so the same code reads either. Dates
stay numbers (Excel serial days; :func:`serial_date` converts them): only the reader of a
column knows it holds dates.

A workbook that is not a zip, lacks a part, or holds malformed XML raises the error of
``zipfile`` or ``xml.etree`` (the caller turns it into a one-line rejection).
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import zipfile
from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_C, _V, _ROW, _T, _IS, _SI, _R, _RPH = (
    _MAIN + n for n in ("c", "v", "row", "t", "is", "si", "r", "rPh")
)
_EPOCH = dt.datetime(1899, 12, 30)


def serial_date(value: float) -> dt.datetime:
    """An Excel serial day number (1900 date system) as a datetime.

    >>> serial_date(45008)
    datetime.datetime(2023, 3, 23, 0, 0)
    """
    return _EPOCH + dt.timedelta(days=value)


def _column(ref: str) -> int:
    """0-based column index of a cell reference such as ``B7``."""
    n = 0
    for ch in ref:
        if "A" <= ch <= "Z":
            n = n * 26 + ord(ch) - 64
        else:
            break
    return n - 1


class Sheet:
    """One worksheet: its name and a stream of its rows' values."""

    def __init__(self, book: Book, title: str, member: str) -> None:
        self.book = book
        self.title = title
        self.member = member

    def iter_rows(
        self, max_row: int | None = None, values_only: bool = True
    ) -> Iterator[tuple[Any, ...]]:
        """Rows 1, 2, … as tuples of values from column A (None for empty cells)."""
        strings = self.book.strings()
        expected = 1
        cells: dict[int, Any] = {}
        with self.book.zip.open(self.member) as fh:
            for _event, el in ElementTree.iterparse(fh, events=("end",)):
                tag = el.tag
                if tag == _C:
                    kind = el.get("t")
                    ref = el.get("r")
                    col = _column(ref) if ref else len(cells)
                    if kind == "inlineStr":
                        node = el.find(_IS)
                        cells[col] = (
                            "".join(t.text or "" for t in node.iter(_T)) if node is not None else ""
                        )
                    else:
                        v = el.find(_V)
                        text = v.text if v is not None else None
                        if text is None:
                            pass
                        elif kind == "s":
                            cells[col] = strings[int(text)]
                        elif kind in ("str", "e"):
                            cells[col] = text
                        elif kind == "b":
                            cells[col] = text == "1"
                        else:
                            num = float(text)
                            cells[col] = int(num) if num.is_integer() and "." not in text else num
                elif tag == _ROW:
                    ref = el.get("r")
                    number = int(ref) if ref else expected
                    if max_row is not None and number > max_row:
                        break
                    while expected < number:
                        yield ()
                        expected += 1
                    width = max(cells) + 1 if cells else 0
                    yield tuple(cells.get(i) for i in range(width))
                    expected = number + 1
                    cells = {}
                    el.clear()


class Book:
    """A workbook's sheets, in workbook order, read from its bytes."""

    def __init__(self, data: bytes) -> None:
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        rels = ElementTree.fromstring(self.zip.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(_PKG + "Relationship")}
        book = ElementTree.fromstring(self.zip.read("xl/workbook.xml"))
        self.worksheets: list[Sheet] = []
        for sheet in book.iter(_MAIN + "sheet"):
            target = targets[sheet.get(_REL + "id")]
            member = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
            self.worksheets.append(Sheet(self, sheet.get("name", ""), posixpath.normpath(member)))
        self._strings: list[str] | None = None

    def strings(self) -> list[str]:
        """The shared strings table (rich text runs joined, phonetic guides left out)."""
        if self._strings is None:
            out: list[str] = []
            if "xl/sharedStrings.xml" in self.zip.namelist():
                with self.zip.open("xl/sharedStrings.xml") as fh:
                    for _event, el in ElementTree.iterparse(fh, events=("end",)):
                        if el.tag != _SI:
                            continue
                        t = el.find(_T)
                        if t is not None:
                            out.append(t.text or "")
                        else:
                            out.append(
                                "".join((x.text or "") for r in el.iter(_R) for x in r.iter(_T))
                            )
                        el.clear()
            self._strings = out
        return self._strings

    def close(self) -> None:
        self.zip.close()
