"""From raw bytes to a clean delimited text file DuckDB can read, or a one-line rejection.

Everything that can be said about a file before looking at its rows is checked here:
compression, spreadsheet or text, encoding, HTML pages and the word ``null`` served in
place of data, empty files, the delimiter, and the header. Row-level checks are SQL, in
:mod:`chartwatch.ingestion.validate`.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chartwatch.errors import BadInputError
from chartwatch.ingestion.kinds import Kind, detect_kind

if TYPE_CHECKING:
    from chartwatch.ingestion.engagement import PreparedReport

_DELIMS = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}


@dataclass(frozen=True)
class Payload:
    """A file as obtained: its bytes and where and when they were observed."""

    source: str
    name: str
    data: bytes
    observed_at: dt.datetime
    observed_how: str  # "file-time" | "download-time" | "commit-time" | "given"


@dataclass(frozen=True)
class Prepared:
    """A payload that passed the file-level checks, written out as delimited UTF-8 text."""

    payload: Payload
    sha256: str
    format: str  # tsv | csv | xlsx, with "+gzip" when it came compressed
    kind: Kind
    columns: list[str]
    unknown_columns: list[str]
    delimiter: str
    text: bytes

    @property
    def source(self) -> str:
        return self.payload.source


def _strip_gz(name: str) -> str:
    return name[:-3] if name.lower().endswith(".gz") else name


def _decompress(payload: Payload) -> tuple[bytes, bool]:
    data = payload.data
    if data[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(data), True
        except (EOFError, OSError, zlib.error) as exc:
            raise BadInputError(payload.source, f"truncated or corrupt gzip data ({exc})") from None
    return data, False


def _open_xlsx(data: bytes, source: str) -> Any:
    import openpyxl  # lazy: only spreadsheets need it

    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds (zip, XML, key, value errors)
        raise BadInputError(source, f"not a readable .xlsx workbook ({_why(exc)})") from None


def _why(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}"[:120] if text else type(exc).__name__


def _sheet_to_tsv(book: Any) -> bytes:
    """Write the first sheet of an open .xlsx workbook as TSV text."""
    sheet = book.worksheets[0]
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    width = 0
    for row in sheet.iter_rows(values_only=True):
        if row is None or all(v is None for v in row):
            continue
        cells = [_cell_text(v) for v in row]
        # A sheet leaves out a row's empty cells at its end: pad each row to the header.
        width = width or len(cells)
        if len(cells) < width:
            cells += [""] * (width - len(cells))
        elif not any(cells[width:]):
            cells = cells[:width]
        writer.writerow(cells)
    return out.getvalue().encode("utf-8")


def _read_xlsx(item: Content, fmt: str) -> bytes | PreparedReport:
    """An .xlsx workbook: an engagement report (recognised by its header and title rows),
    else its first sheet as TSV text. A workbook that cannot be read (truncated, corrupt)
    is rejected with one line.

    Reports are read with chartwatch's lean streaming reader
    (:mod:`chartwatch.ingestion.xlsx`, about twice as fast as openpyxl); a workbook that
    reader cannot open is left to openpyxl.
    """
    from chartwatch.ingestion import engagement
    from chartwatch.ingestion.xlsx import Book

    source = item.payload.source
    try:
        lean: Book | None = Book(item.raw)
    except Exception:  # not a workbook this reader knows: openpyxl decides
        lean = None
    if lean is not None:
        try:
            if engagement.is_report(lean):
                return engagement.prepare_report(lean, item.payload, item.sha256, fmt)
        except BadInputError:
            raise
        except Exception as exc:  # a sheet whose XML or zip member is cut off or corrupt
            raise BadInputError(source, f"not a readable .xlsx workbook ({_why(exc)})") from None
        finally:
            lean.close()
    book = _open_xlsx(item.raw, source)
    try:
        if lean is None and engagement.is_report(book):
            return engagement.prepare_report(book, item.payload, item.sha256, fmt)
        return _sheet_to_tsv(book)
    except BadInputError:
        raise
    except Exception as exc:
        raise BadInputError(source, f"not a readable .xlsx workbook ({_why(exc)})") from None
    finally:
        book.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _html_gist(text: str) -> str:
    gist = re.sub(r"<[^>]*>", " ", text[:400])
    gist = " ".join(gist.split())
    return f" ({gist[:60]!r})" if gist else ""


@dataclass(frozen=True)
class Content:
    """A payload's content after decompression, and its sha256 (the snapshot's identity)."""

    payload: Payload
    raw: bytes
    was_gzip: bool
    sha256: str


def content(payload: Payload) -> Content:
    """Decompress ``payload`` if gzipped and hash its content."""
    raw, was_gzip = _decompress(payload)
    return Content(payload, raw, was_gzip, hashlib.sha256(raw).hexdigest())


def prepare(item: Content) -> Prepared | PreparedReport:
    """Run the file-level checks on a file's content and return it ready for DuckDB.

    An .xlsx engagement report comes back as a
    :class:`~chartwatch.ingestion.engagement.PreparedReport`, read but not yet checked.
    Raises :class:`BadInputError` with a one-line reason naming the file (and line).
    """
    payload, raw, was_gzip, sha256 = item.payload, item.raw, item.was_gzip, item.sha256
    source = payload.source
    name = _strip_gz(payload.name).lower()

    is_xlsx = raw[:4] == b"PK\x03\x04" or name.endswith(".xlsx")
    if is_xlsx:
        if raw[:4] != b"PK\x03\x04":
            raise BadInputError(source, "not a readable .xlsx workbook (no zip signature)")
        fmt = "xlsx"
        read = _read_xlsx(item, fmt + ("+gzip" if was_gzip else ""))
        if not isinstance(read, bytes):
            return read
        text = read
    else:
        text = raw
        fmt = "csv" if name.endswith(".csv") else "tsv"

    if not text.strip():
        raise BadInputError(source, "empty file: no header and no rows")
    if text.startswith(b"\xef\xbb\xbf"):
        text = text[3:]
    try:
        decoded = text.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = text.count(b"\n", 0, exc.start) + 1
        bad = text[exc.start : exc.start + 1].hex()
        raise BadInputError(
            source, f"not UTF-8 text (byte 0x{bad} cannot be decoded)", line=line
        ) from None
    # Look at the start only: these checks must not copy a file of several MB.
    head = decoded[:1024].lstrip()
    if head.startswith("<") or head[:200].lower().find("<html") >= 0:
        raise BadInputError(source, "an HTML page, not a data file" + _html_gist(head))
    if len(head) <= 16 and head.strip().lower() == "null":
        raise BadInputError(source, "the file holds only the word 'null', not data")

    end = decoded.find("\n")
    first_line = (decoded if end < 0 else decoded[:end]).rstrip("\r")
    delimiter = _delimiter(fmt, name, first_line, source)
    # Parsed as CSV, not split: a header may quote its names ("week","category",…).
    try:
        columns = [c.strip() for c in next(csv.reader([first_line], delimiter=delimiter))]
    except csv.Error as exc:
        raise BadInputError(
            source, "unreadable header: " + str(exc).split(" - ")[0], line=1
        ) from None
    for i, col in enumerate(columns, start=1):
        if not col:
            raise BadInputError(source, f"header column {i} has no name", line=1)
    seen: set[str] = set()
    for col in columns:
        if col in seen:
            raise BadInputError(source, f"column {col!r} appears twice in the header", line=1)
        seen.add(col)
    kind = detect_kind(columns, source)
    if re.compile(r"\S").search(decoded, len(first_line)) is None:
        raise BadInputError(source, "the file has a header but no rows (empty or truncated)")
    unknown = [c for c in columns if c not in kind.known]
    return Prepared(
        payload=payload,
        sha256=sha256,
        format=fmt + ("+gzip" if was_gzip else ""),
        kind=kind,
        columns=columns,
        unknown_columns=unknown,
        delimiter=delimiter,
        text=text,
    )


def _delimiter(fmt: str, name: str, header: str, source: str) -> str:
    if fmt == "xlsx":
        return "\t"
    counts = {d: header.count(d) for d in _DELIMS}
    found = max(counts, key=lambda d: counts[d])
    if name.endswith(".tsv"):
        expected = "\t"
    elif name.endswith(".csv"):
        expected = ","
    else:  # a URL or a name without extension: trust the header
        return found if counts[found] else "\t"
    if counts[expected] == 0 and counts[found] > 0:
        raise BadInputError(
            source,
            f"wrong delimiter: a .{fmt} file must be {_DELIMS[expected]}-separated, "
            f"but its header is {_DELIMS[found]}-separated",
            line=1,
        )
    return expected


def read_path(path: Path, *, observed_at: dt.datetime | None = None) -> Payload:
    """A local file as a :class:`Payload`, observed at its modification time unless given."""
    try:
        data = path.read_bytes()
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        raise BadInputError(str(path), "no such file") from None
    except IsADirectoryError:
        raise BadInputError(str(path), "is a directory, not a file") from None
    except PermissionError:
        raise BadInputError(str(path), "permission denied") from None
    if observed_at is None:
        return Payload(
            source=str(path),
            name=path.name,
            data=data,
            observed_at=dt.datetime.fromtimestamp(mtime, tz=dt.UTC),
            observed_how="file-time",
        )
    return Payload(str(path), path.name, data, observed_at, "given")
