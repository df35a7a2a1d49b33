"""From raw bytes to a clean delimited text file DuckDB can read, or a one-line rejection.

Everything that can be said about a file before looking at its rows is checked here:
compression, spreadsheet or text, encoding, HTML pages and the word ``null`` served in
place of data, empty files, the delimiter, and the header. Row-level checks are SQL, in
:mod:`chartwatch.ingestion.validate`.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import gzip
import hashlib
import io
import os
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chartwatch.errors import BadInputError
from chartwatch.ingestion.kinds import Kind, detect_kind

if TYPE_CHECKING:
    from chartwatch.ingestion.engagement import PreparedReport

_DELIMS = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}

ENV_MAX_BYTES = "CHARTWATCH_MAX_BYTES"
DEFAULT_MAX_BYTES = 256 * 1024 * 1024
# Control characters that no Netflix file holds (tab, line feed and carriage return are the
# file's own structure; a tab or line break inside a value is checked in SQL): NUL, the
# terminal's escape (ESC[2J clears a screen) and the rest of C0, DEL, and C1 (U+0080-U+009F,
# two bytes in UTF-8).
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\xc2[\x80-\x9f]")
# The same, looked for faster: each single byte by a plain search (memchr), C1 by its lead
# byte; the alternation above scans a 4 MB file in about 50 ms, these in about 4 ms.
_CONTROL_BYTES = tuple(bytes([b]) for b in (*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F))
_C1 = re.compile(rb"\xc2[\x80-\x9f]")
_CHUNK = 1 << 22
_NON_SPACE = re.compile(rb"\S")


def max_bytes() -> int:
    """The largest file chartwatch reads, after decompression: ``$CHARTWATCH_MAX_BYTES``,
    else 256 MiB (the country lists, Netflix's largest file, grow by about 6 MiB a year)."""
    env = os.environ.get(ENV_MAX_BYTES, "")
    return int(env) if env.isdigit() and int(env) > 0 else DEFAULT_MAX_BYTES


def _too_big(limit: int, what: str = "larger than") -> str:
    return f"{what} {limit / 2**20:g} MiB ({ENV_MAX_BYTES}); not a Top 10 file"


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


def _read_capped(fh: Any, expected: int, limit: int) -> bytes:
    """Read ``fh`` to its end, or to one byte past ``limit``, whichever comes first.

    Read in pieces (``read(limit)`` would set aside ``limit`` bytes for every file), the
    first as large as the ``expected`` size so that a file of known size is one read.
    """
    out = io.BytesIO()
    piece = min(max(expected + 1, 1 << 20), limit + 1)
    while out.tell() <= limit:
        chunk = fh.read(min(piece, limit + 1 - out.tell()))
        if not chunk:
            break
        out.write(chunk)
        piece = 1 << 22
    return out.getvalue()


def _decompress(payload: Payload) -> tuple[bytes, bool]:
    """The payload's content, gunzipped if it is gzip data, never more than :func:`max_bytes`.

    The gzip stream is read up to one byte past the limit, so a small file that expands to
    gigabytes (a "gzip bomb") costs at most the limit in memory and is refused.
    """
    data = payload.data
    limit = max_bytes()
    if data[:2] != b"\x1f\x8b":
        if len(data) > limit:
            raise BadInputError(payload.source, _too_big(limit))
        return data, False
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as fh:
            raw = _read_capped(fh, len(data) * 4, limit)
    except (EOFError, OSError, zlib.error) as exc:
        raise BadInputError(payload.source, f"truncated or corrupt gzip data ({exc})") from None
    if len(raw) > limit:
        raise BadInputError(payload.source, _too_big(limit, "gzip data expanding to more than"))
    return raw, True


def _open_xlsx(data: bytes, source: str) -> Any:
    import openpyxl  # lazy: only spreadsheets need it

    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds (zip, XML, key, value errors)
        raise BadInputError(source, f"not a readable .xlsx workbook ({_why(exc)})") from None


def _why(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}"[:120] if text else type(exc).__name__


def _check_zip(data: bytes, source: str, limit: int) -> None:
    """An .xlsx is a zip whose members' sizes are declared up front: a zip bomb is refused
    before anything is expanded (zipfile stops at the declared size), junk at once."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > limit:
                raise BadInputError(source, _too_big(limit, "a workbook expanding to more than"))
    except BadInputError:
        raise
    except Exception as exc:  # not a zip at all, or a cut one
        raise BadInputError(source, f"not a readable .xlsx workbook ({_why(exc)})") from None


def _sheet_to_tsv(book: Any, source: str, limit: int) -> bytes:
    """The first sheet of an open .xlsx workbook as TSV text, refused once it grows past
    ``limit`` bytes."""
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
        if out.tell() > limit:
            raise BadInputError(source, _too_big(limit, "a workbook larger than"))
    return out.getvalue().encode("utf-8")


def _read_xlsx(item: Content, fmt: str) -> bytes | PreparedReport:
    """An .xlsx workbook: an engagement report (recognised by its header and title rows),
    else its first sheet as TSV text. A workbook that cannot be read (truncated, corrupt,
    a zip bomb) is rejected with one line.

    Reports are read with chartwatch's lean streaming reader
    (:mod:`chartwatch.ingestion.xlsx`, about twice as fast as openpyxl); a workbook that
    reader cannot open is left to openpyxl.
    """
    from chartwatch.ingestion import engagement
    from chartwatch.ingestion.xlsx import Book

    source = item.payload.source
    limit = max_bytes()
    _check_zip(item.raw, source, limit)
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
        return _sheet_to_tsv(book, source, limit)
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

    if _NON_SPACE.search(text) is None:
        raise BadInputError(source, "empty file: no header and no rows")
    if text.startswith(b"\xef\xbb\xbf"):
        text = text[3:]
    _check_utf8(text, source)
    # Look at the start only: these checks must not copy a file of several MB.
    head = text[:1024].decode("utf-8", errors="ignore").lstrip()
    if head.startswith("<") or head[:200].lower().find("<html") >= 0:
        raise BadInputError(source, "an HTML page, not a data file" + _html_gist(head))
    if len(head) <= 16 and head.strip().lower() == "null":
        raise BadInputError(source, "the file holds only the word 'null', not data")
    control = _first_control(text)
    if control is not None:
        found = control.group()
        shown = f"0x{found[0]:02x}" if len(found) == 1 else "U+00" + found[1:].hex().upper()
        what = {b"\x00": "a NUL byte", b"\x1b": "a terminal escape (ESC)"}.get(found, "")
        raise BadInputError(
            source,
            f"{what or 'a control character'} ({shown}): binary data or terminal codes, not text",
            line=text.count(b"\n", 0, control.start()) + 1,
        )
    if text.count(b'"') % 2:
        # Every quoted field opens and closes (a quote inside one is doubled), so a file
        # with an odd number of quotes was cut inside a quoted field or holds a stray quote.
        raise BadInputError(
            source,
            "a quoted field is not closed: the file is cut short or holds a stray quote",
            line=text.count(b"\n", 0, _open_quote(text)) + 1,
        )

    end = text.find(b"\n")
    first_line = (text if end < 0 else text[:end]).decode("utf-8").rstrip("\r")
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
    if _NON_SPACE.search(text, len(first_line.encode("utf-8"))) is None:
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


def _first_control(text: bytes) -> re.Match[bytes] | None:
    """The first control character of ``text`` (:data:`_CONTROL`), or None; a text without
    one (every real file) is cleared by fast searches, without the regular expression's
    byte-by-byte scan and without a copy."""
    if not any(b in text for b in _CONTROL_BYTES) and _C1.search(text) is None:
        return None
    return _CONTROL.search(text)


def _open_quote(text: bytes) -> int:
    """Where the quoted field that never closes begins, in a text with an odd number of
    quotes: the first quote that does not open a field where a field starts, or whose
    partner does not end one; else the last quote (a file cut inside a quoted field)."""
    quotes = [m.start() for m in re.finditer(b'"', text)]
    edge = b"\t,;|\r\n"
    i = 0
    while i < len(quotes):
        start = quotes[i]
        if start > 0 and text[start - 1] not in edge:
            return start
        j = i + 1
        while j + 1 < len(quotes) and quotes[j + 1] == quotes[j] + 1:
            j += 2  # a doubled quote inside the field
        if j >= len(quotes):
            return start
        end = quotes[j] + 1
        if end < len(text) and text[end] not in edge:
            return start
        i = j + 1
    return quotes[-1]


def _check_utf8(text: bytes, source: str) -> None:
    """Raise unless ``text`` is UTF-8, naming the line of the first bad byte.

    Decoded in pieces that end at a line break (never inside a character), and the text
    thrown away: checking a large file does not hold a second, decoded copy of it.
    """
    view = memoryview(text)
    start = 0
    while start < len(text):
        end = text.find(b"\n", start + _CHUNK)
        end = len(text) if end < 0 else end + 1
        try:
            codecs.utf_8_decode(view[start:end], "strict", True)
        except UnicodeDecodeError as exc:
            at = start + exc.start
            raise BadInputError(
                source,
                f"not UTF-8 text (byte 0x{text[at : at + 1].hex()} cannot be decoded)",
                line=text.count(b"\n", 0, at) + 1,
            ) from None
        start = end


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


_FILE_TYPES = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _check_regular(info: os.stat_result, source: str) -> None:
    for test, what in _FILE_TYPES:
        if test(info.st_mode):
            if what == "a directory":
                raise BadInputError(source, "is a directory, not a file")
            raise BadInputError(source, f"not a regular file but {what}; give a data file")
    if not stat.S_ISREG(info.st_mode):
        raise BadInputError(source, "not a regular file; give a data file")


def read_path(path: Path, *, observed_at: dt.datetime | None = None) -> Payload:
    """A local file as a :class:`Payload`, observed at its modification time unless given.

    Only a regular file is read (a symlink is followed to what it names): a directory, a
    pipe, a device such as ``/dev/zero`` or a socket is refused before it is read, and so is
    a file larger than :func:`max_bytes`. The file is opened without blocking, so a FIFO
    with no writer cannot hang the command.
    """
    source = str(path)
    try:
        _check_regular(path.stat(), source)  # before opening: a socket cannot be opened
    except FileNotFoundError:
        raise BadInputError(source, "no such file") from None
    except PermissionError:
        raise BadInputError(source, "permission denied") from None
    except OSError as exc:
        raise BadInputError(source, f"cannot be read ({exc.strerror or exc})") from None
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise BadInputError(source, "no such file") from None
    except IsADirectoryError:
        raise BadInputError(source, "is a directory, not a file") from None
    except PermissionError:
        raise BadInputError(source, "permission denied") from None
    except OSError as exc:
        raise BadInputError(source, f"cannot be opened ({exc.strerror or exc})") from None
    limit = max_bytes()
    try:
        info = os.fstat(fd)  # again: what was opened, in case the path changed meanwhile
        _check_regular(info, source)
        if info.st_size > limit:
            raise BadInputError(source, _too_big(limit))
        with os.fdopen(os.dup(fd), "rb", buffering=0) as fh:
            data = _read_capped(fh, info.st_size, limit)  # no more, even if it grows
    except OSError as exc:
        raise BadInputError(source, f"cannot be read ({exc.strerror or exc})") from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise BadInputError(source, _too_big(limit))
    if observed_at is None:
        return Payload(
            source=source,
            name=path.name,
            data=data,
            observed_at=dt.datetime.fromtimestamp(info.st_mtime, tz=dt.UTC),
            observed_how="file-time",
        )
    return Payload(source, path.name, data, observed_at, "given")
