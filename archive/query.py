"""Read-only access for analysts: `notices sql`, `notices status`, `notices export`."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

# Tables analysts read, in the order an export writes them. `contents` holds raw bytes.
PUBLIC_TABLES = (
    "crawls",
    "fetches",
    "snapshots",
    "contents",
    "notices",
    "notice_versions",
    "notice_updates",
    "sightings",
    "notice_events",
    "backfill_captures",
    "backfill_cdx_pages",
)
FORMATS = {"parquet": "(FORMAT parquet)", "csv": "(FORMAT csv, HEADER true)",
           "jsonl": "(FORMAT json)"}  # fmt: skip
_NAME_RE = re.compile(r"^[a-z_][a-z0-9_]*$")


def public_relations(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The public tables, then any views (analysis views are added by later migrations)."""
    views = [
        r[0]
        for r in con.execute(
            "SELECT view_name FROM duckdb_views() WHERE NOT internal ORDER BY view_name"
        ).fetchall()
    ]
    return [*PUBLIC_TABLES, *views]


def status(con: duckdb.DuckDBPyConnection) -> list[dict[str, object]]:
    """Per source: the last crawl and its outcome, and what the archive holds."""
    rows = con.execute(
        """
        WITH last AS (
            SELECT * FROM crawls QUALIFY row_number() OVER (
                PARTITION BY source ORDER BY started_at DESC, crawl_id DESC) = 1
        )
        SELECT s.source, last.crawl_id, last.started_at, last.finished_at, last.outcome,
               last.pages_left_out,
               (SELECT count(*) FROM crawls c WHERE c.source = s.source) AS crawls,
               (SELECT count(*) FROM snapshots x WHERE x.source = s.source) AS snapshots,
               (SELECT count(*) FROM notices n WHERE n.source = s.source) AS notices,
               (SELECT count(*) FROM notices n WHERE n.source = s.source
                                                 AND n.vanished_at IS NULL) AS on_show,
               (SELECT count(*) FROM notice_versions v WHERE v.source = s.source) AS versions
        FROM (SELECT DISTINCT source FROM crawls) s LEFT JOIN last USING (source)
        ORDER BY s.source
        """
    ).fetchall()
    names = ["source", "last_crawl", "started_at", "finished_at", "outcome", "left_out", "crawls",
             "snapshots", "notices", "on_show", "versions"]  # fmt: skip
    return [dict(zip(names, row, strict=True)) for row in rows]


# Spreadsheets run a cell starting with these as a formula; scraped text must not be run.
FORMULA_START = "=+-@\t\r"
_FORMULA_SQL = "'^[=+@\t\r-]'"  # the same characters, as a regular expression in SQL


def neutralise(value: object) -> object:
    """A text cell a spreadsheet would run as a formula, made inert with a leading quote."""
    if isinstance(value, str) and value and value[0] in FORMULA_START:
        return "'" + value
    return value


def _csv_select(con: duckdb.DuckDBPyConnection, name: str) -> str:
    """SELECT list for a CSV export: text columns neutralised, the rest as they are."""
    cols = []
    for column, kind, *_ in con.execute(f"DESCRIBE {name}").fetchall():
        quoted = '"' + column.replace('"', '""') + '"'
        if kind == "VARCHAR":
            cols.append(
                f"CASE WHEN regexp_matches({quoted}, {_FORMULA_SQL})"
                f" THEN chr(39) || {quoted} ELSE {quoted} END AS {quoted}"
            )
        else:
            cols.append(quoted)
    return ", ".join(cols)


def export(con: duckdb.DuckDBPyConnection, out_dir: str | Path, fmt: str) -> list[Path]:
    """Every public table and view to ``out_dir``, one file each. CSV text cells that a
    spreadsheet would run as formulas are neutralised with a leading quote."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in public_relations(con):
        if not _NAME_RE.match(name):
            continue
        target = out / f"{name}.{fmt}"
        escaped = str(target).replace("'", "''")
        select = _csv_select(con, name) if fmt == "csv" else "*"
        con.execute(f"COPY (SELECT {select} FROM {name}) TO '{escaped}' {FORMATS[fmt]}")
        written.append(target)
    return written
