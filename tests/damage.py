"""Damaged variants of the real files, generated from a seed, each with its expected outcome.

The bases are slices of the real published files (``rawdata``): a week of the global lists
as published today (11 columns, quoted JSON in ``episode_launch_details``), a week of the
global lists in the first generation's 7 columns, two countries' lists for one week (one of
them Réunion, for non-ASCII text), and the whole most-popular file. Each variant puts one
kind of damage into one base: truncations at every kind of boundary, encodings, delimiters,
columns missing, extra, shuffled or renamed, numbers and dates out of range, duplicated or
missing ranks, control characters, wrong kinds and junk containers.

Outcomes:

* ``accepted``: the same data in another form (gzip, CRLF, a BOM, a real CSV, shuffled
  columns, an .xlsx workbook); it must add no version and no warning (``unchanged`` when
  its content is byte-identical to the base).
* ``warning``: accepted with a warning holding ``says``; ``changes`` tells whether it adds
  versions (an unknown column is data; a missing column is not).
* ``rejected``: rejected with a reason holding ``says`` (or one of them), on ``line`` when
  given; the store must be unchanged.

Nothing here imports chartwatch: the expected outcomes come from how the variant was made.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import random
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from rawdata import COUNTRIES, GLOBAL, POPULAR, raw_bytes

SEED = 20261202
GLOBAL_OLD_COLUMNS = (
    "week",
    "category",
    "weekly_rank",
    "show_title",
    "season_title",
    "weekly_hours_viewed",
    "cumulative_weeks_in_top_10",
)
REQUIRED = {
    "global": GLOBAL_OLD_COLUMNS,
    "countries": (
        "country_name",
        "country_iso2",
        "week",
        "category",
        "weekly_rank",
        "show_title",
        "season_title",
        "cumulative_weeks_in_top_10",
    ),
    "most-popular": ("category", "rank", "show_title", "season_title"),
}


@dataclass(frozen=True)
class Variant:
    name: str
    filename: str
    data: bytes
    outcome: str  # accepted | unchanged | warning | rejected
    says: tuple[str, ...] = ()  # any one of these is in the reason or a warning
    line: int | None = None
    changes: bool = False


@dataclass(frozen=True)
class Base:
    """A slice of a real file: its header and rows as tab-separated fields."""

    name: str
    kind: str
    filename: str
    header: list[str]
    rows: list[list[str]]

    def dump(self, header: list[str] | None = None, rows: list[list[str]] | None = None) -> bytes:
        lines = ["\t".join(header or self.header)]
        lines += ["\t".join(r) for r in (self.rows if rows is None else rows)]
        return "\n".join(lines).encode("utf-8")  # Netflix's files end without a newline

    @property
    def data(self) -> bytes:
        return self.dump()

    def col(self, name: str) -> int:
        return self.header.index(name)

    def copy_rows(self) -> list[list[str]]:
        return [list(r) for r in self.rows]

    def rank_column(self) -> str:
        return "rank" if self.kind == "most-popular" else "weekly_rank"

    def lists(self) -> list[list[int]]:
        """Row indexes of each list (rows of one list are adjacent in the real files)."""
        out: list[list[int]] = []
        rank = self.col(self.rank_column())
        for i, row in enumerate(self.rows):
            if row[rank] == "1":
                out.append([])
            out[-1].append(i)
        return out

    def measure(self, row: list[str]) -> int | None:
        if self.kind == "countries":
            return None
        if self.kind == "most-popular":
            col = (
                "views_first_91_days"
                if "views_first_91_days" in self.header
                else ("hours_viewed_first_28_days")
            )
            return int(row[self.col(col)])
        week = row[self.col("week")]
        col = "weekly_views" if week >= "2023-06-18" else "weekly_hours_viewed"
        return int(row[self.col(col)])


def _split(data: bytes) -> tuple[list[str], list[list[str]]]:
    lines = data.decode("utf-8").split("\n")
    return lines[0].split("\t"), [line.split("\t") for line in lines[1:]]


def bases() -> dict[str, Base]:
    """The four real slices the variants start from."""
    g_header, g_rows = _split(raw_bytes(GLOBAL))
    week = g_header.index("week")
    newest = [r for r in g_rows if r[week] == g_rows[0][week]]
    old_rows = [r for r in g_rows if r[week] == "2022-01-02"]
    keep = [g_header.index(c) for c in GLOBAL_OLD_COLUMNS]
    c_header, c_rows = _split(raw_bytes(COUNTRIES))
    cweek, iso = c_header.index("week"), c_header.index("country_iso2")
    countries = [r for r in c_rows if r[cweek] == "2022-02-27" and r[iso] in ("AR", "RE")]
    p_header, p_rows = _split(raw_bytes(POPULAR))
    out = [
        Base("global", "global", GLOBAL, g_header, newest),
        Base(
            "global-7-columns",
            "global",
            GLOBAL,
            list(GLOBAL_OLD_COLUMNS),
            [[r[i] for i in keep] for r in old_rows],
        ),
        Base("countries", "countries", COUNTRIES, c_header, countries),
        Base("most-popular", "most-popular", POPULAR, p_header, p_rows),
    ]
    assert [len(b.rows) for b in out] == [40, 40, 40, 40]
    return {b.name: b for b in out}


def line_of(row_index: int) -> int:
    """The file line of row ``row_index`` (the header is line 1)."""
    return row_index + 2


def _xlsx(base: Base) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in csv.reader(io.StringIO(base.data.decode("utf-8")), delimiter="\t"):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _csv(base: Base) -> bytes:
    rows = list(csv.reader(io.StringIO(base.data.decode("utf-8")), delimiter="\t"))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().rstrip("\n").encode("utf-8")


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()


def _sunday(year: int, month: int, day: int) -> str:
    d = dt.date(year, month, day)
    return (d + dt.timedelta(days=(6 - d.weekday()) % 7)).isoformat()


def variants(seed: int = SEED) -> list[Variant]:
    """Every variant, in a fixed order, from ``seed``."""
    rng = random.Random(seed)
    b = bases()
    out: list[Variant] = []

    def add(name: str, base: Base, data: bytes, outcome: str, *says: str, **kw: object) -> None:
        filename = str(kw.pop("filename", base.filename))
        out.append(Variant(f"{base.name}:{name}", filename, data, outcome, says, **kw))  # type: ignore[arg-type]

    def edit(base: Base, row: int, column: str, value: str) -> bytes:
        rows = base.copy_rows()
        rows[row][base.col(column)] = value
        return base.dump(rows=rows)

    def some_row(base: Base) -> int:
        return rng.randrange(len(base.rows))

    # -- truncations ------------------------------------------------------------------------
    for base in b.values():
        for k in sorted(rng.sample(range(1, 10), 2)):
            rows = base.rows[:-k]
            ranks = ", ".join(str(r) for r in range(11 - k, 11))
            add(
                f"cut-{k}-lines-early",
                base,
                base.dump(rows=rows),
                "rejected",
                f"missing {ranks}",
                line=line_of(len(rows) - 1),
            )
        for _ in range(2):
            row = rng.randrange(len(base.rows) - 1)
            prefix = base.dump(rows=base.rows[:row])
            fields = base.rows[row]
            keep = rng.randrange(1, len(fields) - 1)  # whole fields kept, then part of one
            part = fields[keep][: rng.randrange(len(fields[keep]) + 1)]
            cut = prefix + b"\n" + "\t".join([*fields[:keep], part]).encode()
            add(
                f"cut-inside-line-{line_of(row)}",
                base,
                cut,
                "rejected",
                "fields",
                line=line_of(row),
            )
        add(
            "cut-after-header", base, "\t".join(base.header).encode() + b"\n", "rejected", "no rows"
        )
        add(
            "gzip-cut",
            base,
            gzip.compress(base.data, mtime=0)[: rng.randrange(30, 400)],
            "rejected",
            "gzip",
            filename=base.filename + ".gz",
        )
        last_list = base.lists()[-1]
        # the store holds the base: the list cut away is one it holds for the file's week
        add(
            "cut-at-a-list-boundary",
            base,
            base.dump(rows=base.rows[: last_list[0]]),
            "rejected",
            "list boundary",
            line=line_of(last_list[0] - 1),
        )
    glob = b["global"]
    quoted = [i for i, r in enumerate(glob.rows) if r[-1].startswith('"')]
    for row in rng.sample(quoted, 3):
        text = glob.dump(rows=glob.rows[: row + 1])
        cut = len(text) - rng.randrange(2, len(glob.rows[row][-1]) - 1)
        add(
            f"cut-inside-quoted-field-{line_of(row)}",
            glob,
            text[:cut],
            "rejected",
            "not closed",
            line=line_of(row),
        )
    pop = b["most-popular"]
    for digits in (1, 2, 4, 6):
        add(
            f"cut-inside-last-number-{digits}",
            pop,
            pop.data[:-digits],
            "rejected",
            "cut inside its last number",
            line=line_of(len(pop.rows) - 1),
        )
    add("empty", pop, b"", "rejected", "empty")

    # -- encodings --------------------------------------------------------------------------
    for base in b.values():
        add("bom", base, b"\xef\xbb\xbf" + base.data, "accepted")
        add("crlf", base, base.data.replace(b"\n", b"\r\n"), "accepted")
        add(
            "gzip",
            base,
            gzip.compress(base.data, mtime=0),
            "unchanged",
            filename=base.filename + ".gz",
        )
        add(
            "gzip-in-gzip",
            base,
            gzip.compress(gzip.compress(base.data, mtime=0)),
            "rejected",
            "UTF-8",
            "control character",
            "NUL",
            filename=base.filename + ".gz",
        )
    ctry = b["countries"]
    first = next(i for i, r in enumerate(ctry.rows) if not "\t".join(r).isascii())
    add(
        "latin-1",
        ctry,
        ctry.data.decode().encode("latin-1"),
        "rejected",
        "UTF-8",
        line=line_of(first),
    )
    for base in (glob, b["global-7-columns"]):
        row = some_row(base)
        rows = base.copy_rows()
        data = base.dump(rows=rows).split(b"\n")
        data[row + 1] = data[row + 1].replace(b"\t", "\tAmélie ".encode("latin-1"), 1)
        add(
            f"latin-1-title-{line_of(row)}",
            base,
            b"\n".join(data),
            "rejected",
            "UTF-8",
            line=line_of(row),
        )
    for base in (pop, glob):
        add("utf-16", base, base.data.decode().encode("utf-16"), "rejected", "UTF-8", line=1)

    # -- delimiters -------------------------------------------------------------------------
    for base in b.values():
        add("commas-in-a-tsv", base, base.data.replace(b"\t", b","), "rejected", "comma", line=1)
        add("real-csv", base, _csv(base), "accepted", filename=base.filename[:-4] + ".csv")
    add("semicolons", pop, pop.data.replace(b"\t", b";"), "rejected", "semicolon", line=1)
    add("pipes", ctry, ctry.data.replace(b"\t", b"|"), "rejected", "pipe", line=1)
    add(
        "tabs-in-a-csv",
        pop,
        pop.data + b"\n",  # not byte-identical to the base (that would be "unchanged")
        "rejected",
        "tab-separated",
        line=1,
        filename="most-popular.csv",
    )
    for base in (glob, ctry):
        row = some_row(base)
        rows = base.copy_rows()
        at = rng.randrange(1, len(rows[row]))
        rows[row].insert(at, "")
        add(
            f"extra-field-{line_of(row)}",
            base,
            base.dump(rows=rows),
            "rejected",
            "fields",
            "is not",
            line=line_of(row),
        )

    # -- columns ----------------------------------------------------------------------------
    def drop(base: Base, names: set[str]) -> bytes:
        keep = [i for i, c in enumerate(base.header) if c not in names]
        return base.dump(
            header=[base.header[i] for i in keep], rows=[[r[i] for i in keep] for r in base.rows]
        )

    for base in b.values():
        for column in rng.sample(REQUIRED[base.kind], 2):
            add(
                f"no-{column}",
                base,
                drop(base, {column}),
                "rejected",
                "missing required column",
                "not a Netflix Top 10 file",
                line=1,
            )
        order = list(range(len(base.header)))
        while order == sorted(order):
            rng.shuffle(order)
        add(
            "shuffled-columns",
            base,
            base.dump(
                header=[base.header[i] for i in order],
                rows=[[r[i] for i in order] for r in base.rows],
            ),
            "accepted",
        )
        column = rng.choice(REQUIRED[base.kind])
        renamed = [c + "_x" if c == column else c for c in base.header]
        add(
            f"renamed-{column}",
            base,
            base.dump(header=renamed),
            "rejected",
            "missing required column",
            "not a Netflix Top 10 file",
            line=1,
        )
        add(
            "duplicate-header-name",
            base,
            base.dump(header=[*base.header[:-1], base.header[0]]),
            "rejected",
            "appears twice",
            line=1,
        )
        add("xlsx", base, _xlsx(base), "accepted", filename=base.filename[:-4] + ".xlsx")
    add(
        "no-runtime-no-weekly-views",
        glob,
        drop(glob, {"runtime", "weekly_views"}),
        "warning",
        "keep the values",
    )
    add(
        "no-launch-columns",
        glob,
        drop(glob, {"is_staggered_launch", "episode_launch_details"}),
        "warning",
        "keep the values",
    )
    add("no-runtime", pop, drop(pop, {"runtime"}), "warning", "keep the values")
    for base in (glob, pop):
        add(
            "extra-column",
            base,
            base.dump(
                header=[*base.header, "new_metric"],
                rows=[[*r, str(i)] for i, r in enumerate(base.rows)],
            ),
            "warning",
            "unknown column",
            changes=True,
        )
    add(
        "empty-header-name",
        ctry,
        ctry.dump(header=["", *ctry.header[1:]]),
        "rejected",
        "no name",
        line=1,
    )
    add(
        "upper-case-header",
        pop,
        pop.dump(header=[c.upper() for c in pop.header]),
        "rejected",
        "not a Netflix Top 10 file",
        line=1,
    )
    swapped = [
        {"weekly_hours_viewed": "weekly_views", "weekly_views": "weekly_hours_viewed"}.get(c, c)
        for c in glob.header
    ]
    add("hours-and-views-swapped", glob, glob.dump(header=swapped), "rejected", "out of order")

    # -- numbers ----------------------------------------------------------------------------
    counts = [
        (glob, ("weekly_hours_viewed", "weekly_views", "runtime")),
        (b["global-7-columns"], ("weekly_hours_viewed",)),
        (pop, ("hours_viewed_first_91_days", "views_first_91_days", "runtime")),
    ]
    bad_numbers = [
        ("10000000000000000000", "implausible"),
        ("99999999999999999999999", "implausible"),
        ("9000000000000000000", "implausible"),
        ("-10000", "negative"),
        ("1.5", "whole number"),
        ("twelve", "is not a number"),
        ("nan", "not a number"),
        ("inf", "not a number"),
        ("1e400", "not a number"),
    ]
    for base, columns in counts:
        for value, says in rng.sample(bad_numbers, 5):
            column = rng.choice(columns)
            if column == "runtime" and says == "whole number":
                value, says = "5000", "implausible"
            row = some_row(base)
            add(
                f"{column}={value}-{line_of(row)}",
                base,
                edit(base, row, column, value),
                "rejected",
                says,
                line=line_of(row),
            )
    for value, says in [
        ("0", "1–10"),
        ("11", "1–10"),
        ("99999999999999999999", "1–10"),
        ("1e30", "1–10"),
        ("2.5", "whole number"),
        ("-3", "1–10"),
        ("first", "is not a number"),
    ]:
        base = rng.choice(list(b.values()))
        row = some_row(base)
        add(
            f"rank={value}-{line_of(row)}",
            base,
            edit(base, row, base.rank_column(), value),
            "rejected",
            says,
            line=line_of(row),
        )
    for base in (glob, b["global-7-columns"], ctry):
        for value, says in (("0", "at least 1"), ("5000", "weekly lists")):
            row = some_row(base)
            add(
                f"cumulative={value}-{line_of(row)}",
                base,
                edit(base, row, "cumulative_weeks_in_top_10", value),
                "rejected",
                says,
                line=line_of(row),
            )

    # -- dates ------------------------------------------------------------------------------
    for value, says in [
        (_sunday(2099, 12, 25), "in the future"),
        (_sunday(1900, 1, 1), "before Netflix"),
        ("2021-06-27", "before Netflix"),
        ("2024-06-22", "not a Sunday"),
        ("2024-13-45", "date"),
        ("", "week is empty"),
    ]:
        base = rng.choice([glob, b["global-7-columns"], ctry])
        row = some_row(base)
        add(
            f"week={value or 'empty'}-{line_of(row)}",
            base,
            edit(base, row, "week", value),
            "rejected",
            says,
            line=line_of(row),
        )

    # -- ranks ------------------------------------------------------------------------------
    for base in b.values():
        lists = base.lists()
        members = rng.choice(lists)
        row = rng.choice(members[1:])
        rank = base.col(base.rank_column())
        add(
            f"rank-twice-{line_of(row)}",
            base,
            edit(base, row, base.rank_column(), base.rows[row - 1][rank]),
            "rejected",
            "appears twice",
            line=line_of(row),
        )
        members = rng.choice(lists)
        gone = rng.choice(members[:-1])
        rows = [r for i, r in enumerate(base.rows) if i != gone]
        add(
            f"rank-missing-{line_of(gone)}",
            base,
            base.dump(rows=rows),
            "rejected",
            f"missing {base.rows[gone][rank]}",
            line=line_of(members[-1] - 1),
        )
        members = rng.choice(lists)
        a, c = sorted(rng.sample(members, 2))
        rows = base.copy_rows()
        show, season = base.col("show_title"), base.col("season_title")
        rows[c][show], rows[c][season] = rows[a][show], rows[a][season]
        add(
            f"title-twice-{line_of(c)}",
            base,
            base.dump(rows=rows),
            "rejected",
            "twice",
            line=line_of(c),
        )
        members = rng.choice(lists)
        rows = base.copy_rows()
        rows[members[0] : members[-1] + 1] = [base.rows[i] for i in reversed(members)]
        add("list-lines-reversed", base, base.dump(rows=rows), "accepted")
        if base.kind != "countries":
            strict = [
                i
                for m in lists
                for i in m[:-1]
                if (base.measure(base.rows[i]) or 0) > (base.measure(base.rows[i + 1]) or 0)
            ]
            a = rng.choice(strict)
            rows = base.copy_rows()
            rows[a][rank], rows[a + 1][rank] = rows[a + 1][rank], rows[a][rank]
            rows[a], rows[a + 1] = rows[a + 1], rows[a]
            add(
                f"ranks-out-of-order-{line_of(a)}",
                base,
                base.dump(rows=rows),
                "rejected",
                "out of order",
                line=line_of(a + 1),
            )

    # -- control characters and quotes ------------------------------------------------------
    controls = [
        ("\x00", "NUL"),
        ("\x1b[2J", "terminal escape"),
        ("\x07", "control character"),
        ("\x7f", "control character"),
        ("\u0085", "control character"),
        ("\u009b2J", "control character"),
    ]
    for char, says in controls:
        base = rng.choice(list(b.values()))
        row = some_row(base)
        title = base.rows[row][base.col("show_title")]
        add(
            f"control-{ord(char[0]):02x}-{line_of(row)}",
            base,
            edit(base, row, "show_title", title[:3] + char + title[3:]),
            "rejected",
            says,
            line=line_of(row),
        )
    for char in ("\t", "\n"):
        base = rng.choice([pop, ctry])
        row = some_row(base)
        title = base.rows[row][base.col("show_title")]
        add(
            f"quoted-title-with-{ord(char):02x}-{line_of(row)}",
            base,
            edit(base, row, "show_title", f'"{title}{char}x"'),
            "rejected",
            "tab or a line break",
            line=line_of(row),
        )
    for base in (pop, b["global-7-columns"]):
        row = some_row(base)
        season = base.rows[row][base.col("season_title")]
        add(
            f"stray-quote-{line_of(row)}",
            base,
            edit(base, row, "season_title", '"' + season),
            "rejected",
            "not closed",
            line=line_of(row),
        )
    base = pop
    row = rng.randrange(len(base.rows) - 1)
    rows = base.copy_rows()
    rows[row][base.col("season_title")] = '"' + rows[row][base.col("season_title")]
    rows[row + 1][base.col("season_title")] += '"'  # the lines between become one field
    add(
        f"two-stray-quotes-{line_of(row)}",
        base,
        base.dump(rows=rows),
        "rejected",
        "tab or a line break",
        line=line_of(row),
    )

    # -- countries --------------------------------------------------------------------------
    for code in ("XX", "ZZ"):
        row = some_row(ctry)
        add(
            f"country-{code}-{line_of(row)}",
            ctry,
            edit(ctry, row, "country_iso2", code),
            "rejected",
            "not a country code",
            line=line_of(row),
        )
    add(
        "name-of-another-country",
        ctry,
        edit(ctry, 0, "country_name", "Brazil"),
        "rejected",
        "the name of BR",
        line=2,
    )
    add(
        "lower-case-code",
        ctry,
        edit(ctry, 5, "country_iso2", "ar"),
        "rejected",
        "two-letter",
        line=7,
    )
    rows = ctry.copy_rows()
    for r in rows:
        if r[ctry.col("country_iso2")] == "AR":
            r[ctry.col("country_name")] = "Argentinia"
    add("unknown-spelling", ctry, ctry.dump(rows=rows), "warning", "Argentinia", changes=True)

    # -- wrong kinds ------------------------------------------------------------------------
    relabel = [
        {"hours_viewed_first_91_days": "hours_viewed_first_28_days"}.get(c, c) for c in pop.header
    ]
    add(
        "91-day-relabelled-28-day", pop, pop.dump(header=relabel), "rejected", "generations", line=1
    )
    add(
        "91-day-hours-only-relabelled-28-day",
        pop,
        drop(pop, {"runtime", "views_first_91_days"}).replace(
            b"hours_viewed_first_91_days", b"hours_viewed_first_28_days"
        ),
        "rejected",
        "out of order",
    )
    add("global-named-most-popular", glob, glob.data, "unchanged", filename=POPULAR)
    add(
        "countries-without-iso2",
        ctry,
        drop(ctry, {"country_iso2"}),
        "rejected",
        "missing required column",
        line=1,
    )

    # -- junk containers --------------------------------------------------------------------
    junk = bytes(rng.randrange(256) for _ in range(2000))
    add("random-bytes", pop, junk, "rejected")
    add(
        "gzip-of-random-bytes",
        pop,
        gzip.compress(junk, mtime=0),
        "rejected",
        filename=POPULAR + ".gz",
    )
    add(
        "zip-of-junk-as-xlsx",
        pop,
        _zip({"junk.bin": junk}),
        "rejected",
        "xlsx",
        filename="most-popular.xlsx",
    )
    add("zip-of-the-tsv", pop, _zip({POPULAR: pop.data}), "rejected", "xlsx")
    add(
        "xlsx-cut-in-half", pop, _xlsx(pop)[:5000], "rejected", "xlsx", filename="most-popular.xlsx"
    )
    add("xlsx-named-tsv", pop, _xlsx(pop), "accepted")
    add(
        "pdf",
        pop,
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
        "rejected",
    )
    add("html", glob, b"<!DOCTYPE html><html><body>Moved</body></html>", "rejected", "HTML")
    add("null", ctry, b"null", "rejected", "null")
    names = [v.name for v in out]
    assert len(names) == len(set(names)), [n for n in names if names.count(n) > 1]
    return out


def by_outcome(items: list[Variant]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for v in items:
        counts[v.outcome] = counts.get(v.outcome, 0) + 1
    return counts


Check = Callable[[Variant], None]
