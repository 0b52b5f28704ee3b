"""`notices report`: one self-contained HTML page with the archive's headline figures.

Everything comes from the analysis views (`monthly_counts`, `time_to_resolve`, `incidents`,
`coverage`) and the Kaplan-Meier estimate in `archive.survival`, read through the connection
passed in. The page has no scripts and loads nothing: the plots are PNGs drawn with
matplotlib's Agg canvas (no pyplot, no global state) and embedded as base64 `data:` URIs,
the style sheet is inline, and a Content-Security-Policy forbids everything else. Every
value taken from the archive, scraped titles and summaries above all, is HTML-escaped.

`build_report(con)` returns the page; `write_report(db, out)` opens an archive read-only
and writes the page to a file.
"""

from __future__ import annotations

import base64
import html
import io
import math
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from archive.survival import incidents_for_km, kaplan_meier, median_survival

RECENT_NOTICES = 15
NO_DATA = "no data yet"
MISSING = "—"

_STYLE = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2327;
       background: #fff; margin: 0 auto; max-width: 1100px; padding: 1.5rem 2rem 3rem; }
h1 { font-size: 1.7rem; margin: 0 0 .2rem; }
h2 { font-size: 1.25rem; margin: 2.2rem 0 .6rem; border-bottom: 2px solid #d0d7de;
     padding-bottom: .2rem; }
p.meta, p.note { color: #57606a; margin: .2rem 0 .8rem; }
p.empty { color: #57606a; font-style: italic; }
dl.headline { display: grid; grid-template-columns: repeat(auto-fill, minmax(165px, 1fr));
              gap: .6rem; margin: 1rem 0; }
dl.headline div { background: #f3f6f9; border-radius: 6px; padding: .6rem .8rem; }
dl.headline dt { color: #57606a; font-size: .85rem; }
dl.headline dd { margin: 0; font-size: 1.5rem; font-weight: 600; }
div.scroll { overflow-x: auto; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .9rem; }
th, td { border-bottom: 1px solid #d0d7de; padding: .25rem .6rem; text-align: left;
         vertical-align: top; }
th { background: #f3f6f9; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
img { max-width: 100%; height: auto; display: block; margin: .5rem 0; }
"""
# No scripts, no fetches: only inline style and embedded images may load.
_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


# -- formatting ---------------------------------------------------------------------------


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists and other containers
        return False


def fmt_duration(minutes: Any) -> str:
    """Minutes as '45 min', '3 h 30 min', '2 d 4 h'; a dash when unknown."""
    if _missing(minutes):
        return MISSING
    total = round(float(minutes))
    if total < 60:
        return f"{total} min"
    hours, mins = divmod(total, 60)
    if hours < 48:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def _fmt(value: Any) -> str:
    if _missing(value):
        return MISSING
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"
    return str(value)


def _month(value: Any) -> str:
    return MISSING if _missing(value) else pd.Timestamp(value).strftime("%Y-%m")


def _quarter(value: Any) -> str:
    if _missing(value):
        return MISSING
    stamp = pd.Timestamp(value)
    return f"{stamp.year} Q{(stamp.month - 1) // 3 + 1}"


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _table(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], numeric: Iterable[int] = ()
) -> str:
    """An HTML table; every cell is escaped here, whatever it holds."""
    right = set(numeric)
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="num">{_e(_fmt(v))}</td>' if i in right else f"<td>{_e(_fmt(v))}</td>"
            for i, v in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    return (
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _empty() -> str:
    return f'<p class="empty">{NO_DATA}</p>'


def _png(fig: Figure, alt: str) -> str:
    """The figure as an <img> with its PNG inline."""
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight", metadata={"Software": None})
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img alt="{_e(alt)}" src="data:image/png;base64,{data}">'


def _pad(ax: Any, bars: int, least: int = 12) -> None:
    """Keep a few bars bar-sized: show at least ``least`` slots."""
    extra = max(0, least - bars) / 2
    ax.set_xlim(-0.5 - extra, bars - 0.5 + extra)


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


# -- data ---------------------------------------------------------------------------------


def headline(
    con: duckdb.DuckDBPyConnection, km: dict[str, pd.DataFrame] | None = None
) -> dict[str, Any]:
    """The figures at the top of the page; ``km`` as from `kaplan_meier_by_category`."""
    (notices, with_state, still_open, vanished_open, resolved, first_t0, last_t0) = _rows(
        con,
        """
        SELECT count(*),
               count(*) FILTER (WHERE censored IS DISTINCT FROM 'no_state'),
               -- a scheduled maintenance is no open incident (an open alert is)
               count(*) FILTER (WHERE censored IN ('still_open')
                                AND category IS DISTINCT FROM 'maintenance'),
               count(*) FILTER (WHERE censored = 'vanished_open'),
               count(*) FILTER (WHERE censored IS NULL),
               min(t0), max(t0)
        FROM incidents
        """,
    )[0]
    crawls, sources, last_crawl = _rows(
        con, "SELECT count(*), count(DISTINCT source), max(started_at) FROM crawls"
    )[0]
    incident = (km if km is not None else kaplan_meier_by_category(con)).get("incident")
    return {
        "notices": notices,
        "with_state": with_state,
        "open_incidents": still_open,
        "vanished_open": vanished_open,
        "resolved_observed": resolved,
        "km_median_incident_minutes": median_survival(incident) if incident is not None else None,
        "crawls": crawls,
        "sources": sources,
        "first_t0": first_t0,
        "last_t0": last_t0,
        "last_crawl": last_crawl,
    }


def kaplan_meier_by_category(
    con: duckdb.DuckDBPyConnection, *, end: str = "max"
) -> dict[str, pd.DataFrame]:
    """Kaplan-Meier table per category (incidents with a state; still-open censored)."""
    data = incidents_for_km(con, end=end)
    data["category"] = data["category"].fillna("unknown")
    return {
        str(category): kaplan_meier(group["minutes"].to_numpy(), group["resolved"].to_numpy())
        for category, group in data.groupby("category", sort=True)
    }


def monthly_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Notices per month (rows, every month from the first to the last) by category."""
    counts = con.execute(
        "SELECT month, coalesce(category, 'unknown') AS category, sum(notices) AS notices"
        " FROM monthly_counts WHERE month IS NOT NULL GROUP BY ALL"
    ).df()
    if counts.empty:
        return pd.DataFrame()
    counts["month"] = pd.to_datetime(counts["month"], utc=True).dt.tz_localize(None)
    table = counts.pivot_table(
        index="month", columns="category", values="notices", aggfunc="sum", fill_value=0
    )
    months = pd.date_range(table.index.min(), table.index.max(), freq="MS")
    return table.reindex(months, fill_value=0).astype(int)


# -- sections -----------------------------------------------------------------------------


def _headline_section(figures: dict[str, Any]) -> str:
    items = [
        ("Notices", figures["notices"]),
        ("With a state", figures["with_state"]),
        ("Open incidents", figures["open_incidents"]),
        ("Resolved (seen open, then closed)", figures["resolved_observed"]),
        ("Vanished while open", figures["vanished_open"]),
        (
            "Median time to resolve (incidents, KM, upper end)",
            fmt_duration(figures["km_median_incident_minutes"]),
        ),
        ("Crawls", figures["crawls"]),
    ]
    cells = "".join(
        f'<div><dt>{_e(label)}</dt><dd data-figure="{_e(label)}">{_e(_fmt(value))}</dd></div>'
        for label, value in items
    )
    span = (
        f"Notices dated {_e(_fmt(figures['first_t0']))} to {_e(_fmt(figures['last_t0']))} UTC"
        f" from {_e(figures['sources'])} source(s); last crawl started"
        f" {_e(_fmt(figures['last_crawl']))} UTC."
        if figures["notices"]
        else "The archive holds no notices yet."
    )
    return f'<dl class="headline">{cells}</dl><p class="note">{span}</p>'


def _monthly_section(con: duckdb.DuckDBPyConnection) -> str:
    table = monthly_frame(con)
    if table.empty:
        return _empty()
    fig = Figure(figsize=(11, 3.8))
    ax = fig.add_subplot()
    positions = range(len(table))
    bottom = [0] * len(table)
    for category in table.columns:
        values = table[category].tolist()
        ax.bar(positions, values, bottom=bottom, label=str(category), width=0.85)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    _pad(ax, len(table))
    step = max(1, math.ceil(len(table) / 16))
    ticks = list(positions)[::step]
    ax.set_xticks(ticks, [table.index[i].strftime("%Y-%m") for i in ticks], rotation=45)
    ax.set_ylabel("notices")
    ax.set_title("Notices per month (month of publication, else of first sighting; London)")
    ax.legend(loc="upper left", fontsize="small")
    crawls = dict(
        _rows(
            con,
            "SELECT strftime(month, '%Y-%m'), sum(crawls) FROM coverage GROUP BY ALL",
        )
    )
    rows = [
        [
            month.strftime("%Y-%m"),
            *table.loc[month].tolist(),
            int(table.loc[month].sum()),
            crawls.get(month.strftime("%Y-%m"), 0),
        ]
        for month in table.index
    ]
    headers = ["month", *map(str, table.columns), "total", "crawls that month"]
    return (
        _png(fig, "Notices per month by category")
        + '<p class="note">Read beside the crawls column: a month with few crawls shows few'
        " notices whatever happened.</p>" + _table(headers, rows, numeric=range(1, len(headers)))
    )


def _resolve_section(
    con: duckdb.DuckDBPyConnection,
    upper: dict[str, pd.DataFrame],
    lower: dict[str, pd.DataFrame],
) -> str:
    parts = []
    if any(len(t) for t in upper.values()):
        fig = Figure(figsize=(11, 4.2))
        ax = fig.add_subplot()
        for category, table in upper.items():
            if not len(table):
                continue
            hours = [0.0, *(table["minutes"] / 60).tolist()]
            survival = [1.0, *table["survival"].tolist()]
            (line,) = ax.step(hours, survival, where="post", label=category)
            censored = table[table["censored"] > 0]
            ax.plot(
                censored["minutes"] / 60,
                censored["survival"],
                "+",
                color=line.get_color(),
                markersize=10,
            )
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlabel("hours since publication (upper end of the observed bracket)")
        ax.set_ylabel("share not yet resolved")
        ax.set_title("Kaplan-Meier time to resolve by category (+ = censored: still open)")
        ax.legend(fontsize="small")
        parts.append(_png(fig, "Kaplan-Meier time to resolve by category"))
        km_rows = []
        for category, table in upper.items():
            low = lower.get(category)
            km_rows.append(
                [
                    category,
                    int(table["resolved"].sum() + table["censored"].sum()),
                    int(table["resolved"].sum()),
                    int(table["censored"].sum()),
                    fmt_duration(median_survival(table)),
                    fmt_duration(median_survival(low)) if low is not None and len(low) else MISSING,
                ]
            )
        parts.append(
            '<p class="note">Sightings only bracket the moment a notice resolved: it was'
            " still open at one crawl and closed at the next. Incidents still open (or gone"
            " while open) are censored at the last time they were seen open, not dropped."
            " Incidents first seen already closed are left out (we know only that they"
            " resolved before we first looked; the time_to_resolve table counts them),"
            " and so are notices with no published time (the 2017-2019 pages give none):"
            " measured from our first sighting, their brackets bound nothing."
            " A median is a dash when fewer than half are known to have resolved.</p>"
        )
        parts.append(
            _table(
                [
                    "category",
                    "incidents",
                    "resolved",
                    "censored",
                    "KM median (upper end)",
                    "KM median (lower end)",
                ],
                km_rows,
                numeric=range(1, 6),
            )
        )
    rows = _rows(
        con,
        """
        SELECT source, quarter, category, incidents, resolved_observed, still_open,
               vanished_open, first_seen_closed, median_min_minutes, median_max_minutes,
               p90_max_minutes, median_reported_to_final_minutes,
               median_published_to_final_minutes, median_stated_window_minutes
        FROM time_to_resolve ORDER BY quarter, source, category
        """,
    )
    if rows:
        parts.append("<h3>Per quarter (<code>time_to_resolve</code>)</h3>")
        durations = range(8, 14)
        shown = [
            [r[0], _quarter(r[1]), *r[2:8], *(fmt_duration(r[i]) for i in durations)] for r in rows
        ]
        parts.append(
            _table(
                [
                    "source",
                    "quarter",
                    "category",
                    "incidents",
                    "resolved",
                    "still open",
                    "vanished open",
                    "first seen closed",
                    "median (lower)",
                    "median (upper)",
                    "p90 (upper)",
                    "median reported→final",
                    "median published→final",
                    "median stated window",
                ],
                shown,
                numeric=range(3, 14),
            )
        )
    return "".join(parts) or _empty()


def _open_section(con: duckdb.DuckDBPyConnection) -> str:
    rows = _rows(
        con,
        """
        SELECT reference, coalesce(title, summary) AS title, category, state, t0,
               last_open, observed_resolve_min_minutes, source
        FROM incidents WHERE censored IN ('still_open')
          AND category IS DISTINCT FROM 'maintenance'
        ORDER BY t0 DESC NULLS LAST, notice_key
        """,
    )
    if not rows:
        (notices,) = _rows(con, "SELECT count(*) FROM incidents")[0]
        return '<p class="empty">no incident is open</p>' if notices else _empty()
    shown = [[*r[:5], r[5], fmt_duration(r[6]), r[7]] for r in rows]
    return '<p class="note">Open when last seen and still on show. Times in UTC.</p>' + _table(
        [
            "reference",
            "title",
            "category",
            "state",
            "published (or first seen)",
            "last seen open",
            "open for at least",
            "source",
        ],
        shown,
        numeric=[6],
    )


def _recent_section(con: duckdb.DuckDBPyConnection) -> str:
    rows = _rows(
        con,
        f"""
        SELECT t0, coalesce(title, summary) AS title, category, state, censored, source
        FROM incidents ORDER BY t0 DESC NULLS LAST, notice_key LIMIT {RECENT_NOTICES}
        """,
    )
    if not rows:
        return _empty()
    return _table(
        ["published (or first seen)", "title", "category", "state", "bracket", "source"],
        [[*r[:4], (r[4] or "seen open, then closed").replace("_", " "), r[5]] for r in rows],
    )


def _coverage_section(con: duckdb.DuckDBPyConnection) -> str:
    rows = _rows(
        con,
        """
        SELECT source, month, crawls, fetches, failed_fetches, drift_fetches, snapshots,
               max_gap_hours
        FROM coverage ORDER BY month, source
        """,
    )
    if not rows:
        return _empty()
    per_month = con.execute(
        "SELECT month, sum(crawls) AS crawls, sum(failed_fetches) AS failed"
        " FROM coverage GROUP BY month ORDER BY month"
    ).df()
    fig = Figure(figsize=(11, 3.2))
    ax = fig.add_subplot()
    labels = [_month(m) for m in per_month["month"]]
    ax.bar(range(len(labels)), per_month["crawls"], width=0.85, label="crawls")
    ax.bar(range(len(labels)), per_month["failed"], width=0.5, label="failed fetches")
    _pad(ax, len(labels))
    step = max(1, math.ceil(len(labels) / 16))
    ticks = list(range(len(labels)))[::step]
    ax.set_xticks(ticks, [labels[i] for i in ticks], rotation=45)
    ax.set_title("Observation density: crawls per month")
    ax.legend(fontsize="small")
    shown = [[r[0], _month(r[1]), *r[2:7], r[7]] for r in rows]
    return _png(fig, "Crawls per month") + _table(
        [
            "source",
            "month",
            "crawls",
            "fetches",
            "failed",
            "drift",
            "snapshots",
            "longest gap (hours)",
        ],
        shown,
        numeric=range(2, 8),
    )


def build_report(
    con: duckdb.DuckDBPyConnection,
    *,
    name: str = "archive",
    generated_at: datetime | None = None,
) -> str:
    """The whole page as a string. ``name`` (e.g. the archive's file name) is shown as text.

    Sets the connection's TimeZone to UTC: months and quarters in the views are UTC ones.
    """
    if con.execute("SELECT current_setting('TimeZone')").fetchone()[0] != "UTC":
        con.execute("SET TimeZone = 'UTC'")  # archive.db.connect's connections already are
    when = (generated_at or datetime.now(UTC)).astimezone(UTC)
    upper = kaplan_meier_by_category(con, end="max")
    lower = kaplan_meier_by_category(con, end="min")
    sections: list[tuple[str, str, Callable[[], str]]] = [
        ("monthly", "Notices per month", lambda: _monthly_section(con)),
        ("resolve", "Time to resolve", lambda: _resolve_section(con, upper, lower)),
        ("open", "Open incidents", lambda: _open_section(con)),
        ("recent", "Latest notices", lambda: _recent_section(con)),
        ("coverage", "Coverage", lambda: _coverage_section(con)),
    ]
    body = [
        f'<section id="{key}"><h2>{_e(title)}</h2>{render()}</section>'
        for key, title, render in sections
    ]
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>Notice Archive report: {_e(name)}</title>",
            f"<style>{_STYLE}</style>",
            "</head>",
            "<body>",
            "<h1>Notice Archive report</h1>",
            f'<p class="meta">{_e(name)} · generated {_e(when.strftime("%Y-%m-%d %H:%M"))} UTC</p>',
            _headline_section(headline(con, upper)),
            *body,
            "</body>",
            "</html>",
            "",
        ]
    )


def save_report(page: str, out: str | Path) -> Path:
    """Write ``page`` to ``out`` (UTF-8), creating its folder; return the path."""
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(page, encoding="utf-8")
    return target


def write_report(db: str | Path, out: str | Path) -> Path:
    """Open the archive at ``db`` read-only and write its report to ``out``."""
    from archive.db import connect

    con = connect(db, read_only=True)
    try:
        page = build_report(con, name=Path(db).name)
    finally:
        con.close()
    return save_report(page, out)
