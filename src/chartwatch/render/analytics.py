"""Analytics results as Rich renderables."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.console import Group
from rich.table import Table
from rich.text import Text

from chartwatch.dates import week_label
from chartwatch.render.tables import millions

if TYPE_CHECKING:
    from chartwatch.analytics.compare import Comparison
    from chartwatch.analytics.countries import Footprint
    from chartwatch.analytics.records import Leaderboard
    from chartwatch.analytics.runs import (
        Engagement,
        EngagementTotal,
        ShowEngagement,
        ShowReport,
        TitleReport,
    )
    from chartwatch.titles.search import Candidate

_METRIC_LABEL = {
    "debut_hours": "debut hours",
    "debut_views": "debut views",
    "week_hours": "best-week hours",
    "week_views": "best-week views",
}


def title_view(r: TitleReport) -> Group:
    head = Text(r.key if r.namesakes else r.label, style="bold")
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="dim")
    facts.add_column()
    facts.add_row("show", r.show)
    facts.add_row("category", r.category or "only in country lists")
    if r.namesakes:
        facts.add_row("another title, same name", "; ".join(r.namesakes))
    if r.aliases:
        facts.add_row("also published as", "; ".join(r.aliases))
    if r.debut:
        d = r.debut
        figure = ", ".join(
            x
            for x in (
                f"{millions(d.hours_viewed)} hours" if d.hours_viewed is not None else "",
                f"{millions(d.views)} views" if d.views is not None else "",
            )
            if x
        )
        text = f"No. {d.rank}, {week_label(d.week_end)}" + (f", {figure}" if figure else "")
        facts.add_row("debut" if d.known else "first listed", text)
        if d.note:
            facts.add_row("", Text(d.note, style="yellow"))
    facts.add_row("peak", f"No. {r.peak_rank} ({r.weeks_at_peak} weeks)" if r.peak_rank else "—")
    facts.add_row("weeks in Top 10", str(r.weeks_in_top10))
    facts.add_row("weeks at No. 1", str(r.weeks_at_no1))
    total = millions(r.total_hours_viewed) + " hours" if r.total_hours_viewed else "—"
    if r.total_views:
        total += f", {millions(r.total_views)} views"
        if r.weeks_with_views < r.weeks_in_top10:
            total += f" (the {r.weeks_with_views} weeks from June 2023 with views)"
    facts.add_row("total in the Top 10", total)
    if r.best_week:
        b = r.best_week
        fig = (
            millions(b.views) + " views"
            if b.measure == "views"
            else millions(b.hours_viewed) + " hours"
        )
        facts.add_row("best week", f"{week_label(b.week_end)}: {fig} (No. {b.rank})")
    engagement = engagement_line(r.engagement, r.engagement_total)
    if engagement:
        facts.add_row("engagement reports", engagement)
    c = r.countries
    if c.top10:
        facts.add_row(
            "countries",
            f"No. 1 in {len(c.no1)}, Top 10 in {len(c.top10)} (over the weeks with country lists)",
        )
    if c.note:
        facts.add_row("", Text(c.note, style="dim"))
    for rec in r.records:
        name = _METRIC_LABEL.get(rec.metric, rec.metric)
        if rec.record:
            facts.add_row(
                "record", f"{name}: the {rec.category} record at the time ({millions(rec.value)})"
            )
        else:
            facts.add_row(
                "record?",
                f"{name}: No. {rec.rank} of {rec.of} in {rec.category} at the time; "
                f"record: {rec.holder} ({millions(rec.holder_value)})",
            )
    run = Table(title="Week by week", title_justify="left")
    for col, just in (
        ("week", "left"),
        ("#", "right"),
        ("hours", "right"),
        ("views", "right"),
        ("No. 1 in", "right"),
        ("Top 10 in", "right"),
    ):
        run.add_column(col, justify=just)  # type: ignore[arg-type]
    for w in r.weeks:
        run.add_row(
            week_label(w.week_end),
            str(w.rank),
            millions(w.hours_viewed),
            millions(w.views),
            "" if w.countries_no1 is None else str(w.countries_no1),
            "" if w.countries_top10 is None else str(w.countries_top10),
        )
    return Group(head, facts, run)


def engagement_line(entries: Sequence[Engagement | ShowEngagement], total: EngagementTotal) -> str:
    """``2023H1 94.60M hours; 2023H2 69.70M hours, 5.70M views; total 164.30M hours`` (and
    the release date where a report gives one); empty when the title is in no report."""
    if not entries:
        return ""
    parts = []
    for e in entries:
        text = f"{e.report} {millions(e.hours_viewed)} hours"
        if e.views is not None:
            text += f", {millions(e.views)} views"
        parts.append(text)
    line = "; ".join(parts)
    if len(entries) > 1:
        line += f"; total {millions(total.hours_viewed)} hours"
    released = min((e.release_date for e in entries if e.release_date), default=None)
    if released is not None:
        line += f" (released {released})"
    return line


def show_view(r: ShowReport) -> Table:
    table = Table(
        title=f"{r.show}: {len(r.installments)} charted installments", title_justify="left"
    )
    for col, just in (
        ("installment", "left"),
        ("category", "left"),
        ("debut", "left"),
        ("#", "right"),
        ("peak", "right"),
        ("weeks", "right"),
        ("No. 1", "right"),
        ("hours", "right"),
        ("views", "right"),
    ):
        table.add_column(col, justify=just)  # type: ignore[arg-type]
    for line in r.installments:
        debut = str(line.debut_week_end or "") + ("" if line.debut_known else " (running)")
        table.add_row(
            line.label,
            line.category or "",
            debut,
            str(line.debut_rank or ""),
            str(line.peak_rank or ""),
            str(line.weeks_in_top10),
            str(line.weeks_at_no1),
            millions(line.total_hours_viewed),
            millions(line.total_views),
        )
    table.add_row(
        Text("total", style="bold"),
        "",
        "",
        "",
        "",
        str(r.weeks_in_top10),
        str(r.weeks_at_no1),
        millions(r.total_hours_viewed),
        millions(r.total_views),
    )
    engagement = engagement_line(r.engagement, r.engagement_total)
    if engagement:
        table.caption = f"engagement reports, all installments: {engagement}"
        table.caption_justify = "left"
    for line in r.installments:
        if line.label == r.show:  # Netflix labels it with the show's name alone
            alone = f"the installment labelled {line.label!r} alone: {line.key!r}"
            table.caption = f"{table.caption}\n{alone}" if table.caption else alone
            table.caption_justify = "left"
    return table


def leaderboard_view(b: Leaderboard) -> Table:
    scope = b.category or "all categories"
    when = f", as of {b.as_of}" if b.as_of else ""
    table = Table(title=f"{b.measure} · {scope}{when}", title_justify="left")
    for col, just in (
        ("#", "right"),
        ("title", "left"),
        ("category", "left"),
        ("week", "left"),
        ("value", "right"),
    ):
        table.add_column(col, justify=just)  # type: ignore[arg-type]
    for e in b.entries:
        value = f"{e.value:,}" if b.metric.startswith(("weeks", "countries")) else millions(e.value)
        table.add_row(
            str(e.rank),
            e.season or e.show,
            e.category,
            week_label(e.week_end) if e.week_end else "",
            value,
        )
    return table


def search_view(query: str, hits: list[Candidate]) -> Table:
    table = Table(title=f"Titles matching {query!r}", title_justify="left")
    for col in ("name", "kind", "category", "first week", "last week", "score"):
        table.add_column(col)
    names = [h.name for h in hits]
    for h in hits:
        kind = f"show ({h.installments})" if h.kind == "show" else ("film" if h.film else "TV")
        table.add_row(
            h.key if h.key and names.count(h.name) > 1 else h.name,
            kind,
            h.category or "",
            str(h.first_week or ""),
            str(h.last_week or ""),
            f"{h.score:.0f}",
        )
    return table


def _compare_value(metric: str, value: int | None) -> Text:
    if value is None:
        return Text("·", style="dim")
    return Text(f"#{value}" if metric == "rank" else millions(value))


def compare_view(c: Comparison) -> Group:
    what = {"hours": "hours viewed", "views": "views", "rank": "rank"}[c.metric]
    how = "week 1 = each title's first week" if c.align == "debut" else "by calendar week"
    when = f", as of {c.as_of}" if c.as_of else ""
    table = Table(title=f"{what} · {how}{when}", title_justify="left")
    table.add_column("week", justify="right" if c.align == "debut" else "left")
    for t in c.titles:
        first = f"debut {t.debut_week_end}" if t.debut_known else f"listed {t.first_week_end}"
        if not t.debut_known and c.align == "debut":
            first += " *"
        table.add_column(Text(f"{t.column}\n{first}"), justify="right")
    for row in c.rows:
        table.add_row(
            str(row["week"]), *(_compare_value(c.metric, row[t.column]) for t in c.titles)
        )
    parts: list[Table | Text] = [table]
    for note in c.notes:
        parts.append(
            Text(("* " if "first week of the lists" in note else "") + note, style="yellow")
        )
    parts.append(Text("· = not in the Top 10 that week", style="dim"))
    return Group(*parts)


def footprint_view(f: Footprint) -> Group:
    kind = "films" if f.film else "TV"
    when = f", as of {f.as_of}" if f.as_of else ""
    table = Table(
        title=f"{f.label} · country Top 10 ({kind}) by week ending{when}", title_justify="left"
    )
    table.add_column("country")
    fmt = "%m-%d" if f.weeks[0].year == f.weeks[-1].year else "%y-%m-%d"
    for week in f.weeks:
        table.add_column(week.strftime(fmt) if len(f.weeks) > 1 else str(week), justify="right")
    table.add_column("No. 1", justify="right")
    table.add_column("Top 10", justify="right")
    never = []
    for c in f.countries:
        if not c.top10_weeks:
            never.append(c.name)
            continue
        cells = []
        for week in f.weeks:
            if week not in c.by_week:
                cells.append(Text("no list", style="dim"))
            elif c.by_week[week] is None:
                cells.append(Text("·", style="dim"))
            elif c.by_week[week] == 1:
                cells.append(Text("1", style="bold reverse"))
            else:
                cells.append(Text(str(c.by_week[week])))
        table.add_row(c.name, *cells, str(c.no1_weeks), str(c.top10_weeks))
    table.add_section()
    table.add_row(
        Text("No. 1 in", style="bold"),
        *(str(f.no1_by_week[w]) for w in f.weeks),
        str(f.countries_no1),
        "",
    )
    table.add_row(
        Text("Top 10 in", style="bold"),
        *(str(f.top10_by_week[w]) for w in f.weeks),
        "",
        str(f.countries_top10),
    )
    span = str(f.weeks[0]) if len(f.weeks) == 1 else f"{f.weeks[0]} to {f.weeks[-1]}"
    parts: list[Table | Text] = [
        table,
        Text(
            f"No. 1 in {f.countries_no1} and in the Top 10 in {f.countries_top10} of "
            f"{len(f.countries)} countries (weeks ending {span})",
            style="bold",
        ),
    ]
    if never:
        parts.append(Text(f"not in the Top 10 in these weeks ({len(never)}): " + ", ".join(never)))
    parts.append(Text("1 (bold) = No. 1 · 2–10 = rank · '·' = not in the Top 10", style="dim"))
    if f.note:
        parts.append(Text(f.note, style="dim"))
    return Group(*parts)
