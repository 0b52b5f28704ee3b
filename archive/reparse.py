"""Reparse: rebuild what the parsers made of every stored snapshot, with today's parsers.

Observations stay as they were: fetches, snapshots' bytes and times. What is rebuilt is
their interpretation: notice versions (each tagged with the parser version that produced
it), their updates, the sightings, the events and the current notices, all in one
transaction. The difference (new notices, changed fields, notices no longer produced) is
reported before anything is committed; `dry_run` reports it and rolls back.
"""

from __future__ import annotations

import multiprocessing
import os
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime
from multiprocessing.context import BaseContext
from typing import Any

import duckdb
import pyarrow as pa

from archive.columns import STAGE_SCHEMA, staged_row
from archive.db import rollback
from archive.ingest import DRIFT_RATIO, ingest_records, replay_vanishing
from parsers import CURRENT_ONLY, parse_as

_OUTCOME = pa.schema([("snapshot_id", pa.int64()), ("parse_outcome", pa.string()),
                      ("layout", pa.string()), ("parser_version", pa.string()),
                      ("notice_count", pa.int32()), ("shrink_ok", pa.bool_())])  # fmt: skip
# Fields compared to say what a reparse changed, per notice.
COMPARED = ("title", "summary", "reference", "state", "is_open", "category", "severity",
            "published_at", "window_start", "window_end", "stated_duration_minutes", "body",
            "version", "layout", "first_seen_at", "last_seen_at", "sightings",
            "vanished_at")  # fmt: skip


class ReparseError(Exception):
    """The reparse could not finish; the archive is as it was."""


@dataclass(slots=True)
class ReparseReport:
    snapshots: int = 0
    notices_before: int = 0
    notices_after: int = 0
    new_notices: list[str] = field(default_factory=list)
    gone_notices: list[str] = field(default_factory=list)
    changed_fields: dict[str, int] = field(default_factory=dict)
    changed_notices: int = 0
    parse_failures: int = 0
    drifted: int = 0
    applied: bool = False

    def lines(self) -> list[str]:
        out = [
            f"reparsed {self.snapshots} snapshots: {self.notices_before} notices before, "
            f"{self.notices_after} after; {len(self.new_notices)} new, "
            f"{len(self.gone_notices)} no longer produced, {self.changed_notices} changed"
            + ("" if self.applied else " (dry run: nothing written)")
        ]
        if self.changed_fields:
            fields = ", ".join(f"{k} {v}" for k, v in sorted(self.changed_fields.items()))
            out.append(f"  fields changed: {fields}")
        out += [f"  + {key}" for key in self.new_notices[:20]]
        out += [f"  - {key}" for key in self.gone_notices[:20]]
        if self.parse_failures:
            out.append(f"  {self.parse_failures} snapshots gave no notices")
        if self.drifted:
            out.append(
                f"  {self.drifted} snapshots drifted (under half the notices of the page's"
                " previous snapshot): kept, and nothing they show is sighted"
            )
        return out


# A stored snapshot as reparse reads it: id, source name, parser kind, URL, fetch time and
# its zlib-compressed bytes.
Snapshot = tuple[int, str, str, str | None, datetime, bytes]
Outcome = tuple[int, str, str | None, str | None, int, bool]
_CHUNK = 100  # snapshots per task: enough rows for one Arrow conversion, small enough to
# keep every worker busy to the end and the progress line moving
_POOL_MIN = 1000  # fewer parse in-process: starting a pool costs what ~300 parses do


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def parse_snapshots(snaps: list[Snapshot]) -> tuple[pa.Table, list[Outcome]]:
    """Today's parsers over some stored snapshots: their records staged as one Arrow table,
    and each snapshot's outcome. Touches no archive, so it runs in worker processes too."""
    rows: list[dict[str, Any]] = []
    outcomes: list[Outcome] = []
    for snapshot_id, src, kind, url, fetched_at, data in snaps:
        result = parse_as(src, kind, zlib.decompress(data), url=url, fetched_at=fetched_at)
        records = result.records
        parse_outcome = "parsed" if records or result.empty_ok else "no_notices"
        version = records[0]["parser_version"] if records else None
        outcomes.append(
            (snapshot_id, parse_outcome, result.layout, version, len(records), result.shrink_ok)
        )
        rows += (staged_row(r, fetch_id=0, observed_at=fetched_at, snapshot_id=snapshot_id)
                 for r in records)  # fmt: skip
    return pa.Table.from_pylist(rows, schema=STAGE_SCHEMA), outcomes


def _pool_context() -> BaseContext:
    # Not fork: the parent runs DuckDB's threads, and a forked child inherits their locks.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _parse_all(
    con: duckdb.DuckDBPyConnection,
    source: str | None,
    progress: Callable[[int, int], None] | None,
    jobs: int,
) -> tuple[pa.Table, list[Outcome]]:
    snaps: list[Snapshot] = con.execute(
        "SELECT s.snapshot_id, s.source, coalesce(s.kind, s.source), s.url, s.fetched_at, c.data"
        " FROM snapshots s"
        " JOIN contents c USING (sha256) WHERE $source IS NULL OR s.source = $source"
        " ORDER BY s.snapshot_id",
        {"source": source},
    ).fetchall()
    chunks = [snaps[i : i + _CHUNK] for i in range(0, len(snaps), _CHUNK)]
    tables: list[pa.Table] = [pa.Table.from_pylist([], schema=STAGE_SCHEMA)]
    outcomes: list[Outcome] = []
    with ExitStack() as stack:
        if jobs > 1 and len(snaps) >= _POOL_MIN:
            # Each snapshot parses on its own: one process per core, results in order.
            pool = stack.enter_context(
                ProcessPoolExecutor(min(jobs, len(chunks)), mp_context=_pool_context())
            )
            results: Iterator[tuple[pa.Table, list[Outcome]]] = pool.map(parse_snapshots, chunks)
        else:
            results = map(parse_snapshots, chunks)
        try:
            for table, outs in results:
                tables.append(table)
                outcomes += outs
                if progress:
                    progress(len(outcomes), len(snaps))
        except BrokenProcessPool as exc:
            raise ReparseError(
                "a parsing process died (out of memory, or a crash in a parser library);"
                " nothing was changed. `--jobs 1` parses in one process"
            ) from exc
    return pa.concat_tables(tables), outcomes


def reparse(
    con: duckdb.DuckDBPyConnection,
    source: str | None = None,
    *,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
    jobs: int | None = None,
) -> ReparseReport:
    """Rebuild versions, updates, sightings, events and notices from stored snapshots.

    ``jobs``: processes that parse (default: one per core). A large reparse parses in a
    process pool, so a script that calls this must guard its entry point with
    ``if __name__ == "__main__":``, as for any pool that does not fork."""
    # the slow part, before the transaction
    parsed, outcomes = _parse_all(con, source, progress, jobs or default_jobs())
    report = ReparseReport(snapshots=len(outcomes))
    if source:
        sources = [source]
    else:
        sources = [r[0] for r in con.execute("SELECT DISTINCT source FROM snapshots").fetchall()]
    con.begin()
    try:
        cols = ", ".join(f'"{c}"' for c in COMPARED)
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE before AS SELECT notice_key, {cols} FROM notices"
            " WHERE $source IS NULL OR source = $source",
            {"source": source},
        )
        _clear(con, sources)
        con.execute(
            "CREATE OR REPLACE TEMP TABLE reparsed (snapshot_id BIGINT, parse_outcome VARCHAR,"
            " layout VARCHAR, parser_version VARCHAR, notice_count INTEGER, shrink_ok BOOLEAN)"
        )
        if outcomes:  # as Arrow: executemany inserts row by row
            columns = zip(*outcomes, strict=True)
            cols = [pa.array(c, f.type) for c, f in zip(columns, _OUTCOME, strict=True)]
            con.register("outcomes_in", pa.Table.from_arrays(cols, schema=_OUTCOME))
            con.execute("INSERT INTO reparsed SELECT * FROM outcomes_in")
            con.unregister("outcomes_in")
        report.drifted = _mark_drift(con)
        con.execute(
            "UPDATE snapshots s SET parse_outcome = r.parse_outcome, layout = r.layout,"
            " parser_version = r.parser_version, notice_count = r.notice_count"
            " FROM reparsed r WHERE s.snapshot_id = r.snapshot_id"
        )
        # A snapshot the parsers now read is an ordinary observation; one they cannot, or
        # one that drifted, is not, and neither are the fetches that found it unchanged.
        con.execute(
            """
            UPDATE fetches f SET outcome = CASE
                -- unread, however it was found: as ingest has a page that comes again
                WHEN r.parse_outcome <> 'parsed' THEN r.parse_outcome
                WHEN f.outcome IN ('drift', 'no_notices') AND f.fetch_id = r.first_fetch
                THEN 'new'
                -- a 304 that found it unread, now read: as ingest had it
                WHEN f.outcome IN ('drift', 'no_notices') AND f.http_status = 304
                THEN 'not_modified'
                WHEN f.outcome IN ('drift', 'no_notices') THEN 'unchanged'  -- a re-fetch
                ELSE f.outcome END
            FROM (SELECT *, (SELECT min(fetch_id) FROM fetches x
                             WHERE x.snapshot_id = reparsed.snapshot_id) AS first_fetch
                  FROM reparsed) AS r
            WHERE f.snapshot_id = r.snapshot_id
              AND f.outcome IN ('new', 'drift', 'no_notices', 'unchanged', 'not_modified')
            """
        )
        report.parse_failures = sum(1 for o in outcomes if o[1] != "parsed")
        con.register("parsed_in", parsed.drop_columns(["fetch_id", "observed_at"]))
        expanded = con.sql(
            "SELECT f.fetch_id, f.fetched_at AS observed_at, p.* FROM parsed_in p"
            " JOIN reparsed r ON r.snapshot_id = p.snapshot_id AND r.parse_outcome = 'parsed'"
            " JOIN fetches f ON f.snapshot_id = p.snapshot_id"
            " AND f.outcome IN ('new', 'unchanged', 'not_modified')"
        ).to_arrow_table()
        con.unregister("parsed_in")
        if expanded.num_rows:
            ingest_records(con, expanded.select(STAGE_SCHEMA.names).cast(STAGE_SCHEMA))
            # events name the crawl of the fetch that made them, as a live ingest does
            con.execute(
                "UPDATE notice_events e SET crawl_id = f.crawl_id FROM fetches f"
                " WHERE e.fetch_id = f.fetch_id AND e.crawl_id IS NULL"
                " AND f.crawl_id IS NOT NULL"
            )
        for name in sources:
            replay_vanishing(con, name)
        _diff(con, report, source)
        if dry_run:
            con.rollback()
        else:
            con.commit()
            report.applied = True
    except BaseException:
        rollback(con)
        raise
    return report


def _mark_drift(con: duckdb.DuckDBPyConnection) -> int:
    """Ingest's drift rule over the reparsed snapshots (temp table `reparsed`), each URL's
    in observation order: a snapshot with fewer than DRIFT_RATIO of the notices of the
    URL's last snapshot that parsed has drifted, and is marked so, unless its page shows
    only what is current (`shrink_ok`) and so did that snapshot's (`parsers.CURRENT_ONLY`).
    Returns how many."""
    rows = con.execute(
        "SELECT r.snapshot_id, r.parse_outcome, r.notice_count, r.shrink_ok, r.layout,"
        " s.source, s.url FROM reparsed r JOIN snapshots s USING (snapshot_id)"
        " ORDER BY s.source, s.url, s.fetched_at, s.snapshot_id"
    ).fetchall()
    drifted: list[int] = []
    last_parsed: dict[tuple[str, str], tuple[int, str | None]] = {}
    for snapshot_id, outcome, count, shrink_ok, layout, source, page in rows:
        url = (source, page)
        previous, previous_layout = last_parsed.get(url, (0, None))
        shrinks = shrink_ok and previous_layout in CURRENT_ONLY
        if previous and count < previous * DRIFT_RATIO and not shrinks:
            drifted.append(snapshot_id)
        elif outcome == "parsed":  # a status page with none on show too
            last_parsed[url] = (count, layout)
    if drifted:
        con.execute(
            "UPDATE reparsed SET parse_outcome = 'drift'"
            " WHERE snapshot_id IN (SELECT unnest(?::BIGINT[]))",
            [drifted],
        )
    return len(drifted)


def _source_filter(source: str | None) -> str:
    if source is None:
        return "TRUE"
    return "source = '" + source.replace("'", "''") + "'"


def _clear(con: duckdb.DuckDBPyConnection, sources: list[str]) -> None:
    """Remove the interpretation (never the observations) of these sources."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE cleared AS SELECT DISTINCT notice_key"
        " FROM notice_versions WHERE source IN (SELECT unnest(?::VARCHAR[]))",
        [sources],
    )
    for table in ("notice_updates", "notice_events", "notices", "notice_versions"):
        con.execute(f"DELETE FROM {table} WHERE notice_key IN (SELECT notice_key FROM cleared)")
    con.execute(
        "DELETE FROM sightings WHERE fetch_id IN"
        " (SELECT fetch_id FROM fetches WHERE source IN (SELECT unnest(?::VARCHAR[])))",
        [sources],
    )


def _keys(con: duckdb.DuckDBPyConnection, relation: str) -> list[str]:
    rows = con.execute(f"SELECT notice_key FROM {relation} USING (notice_key) ORDER BY 1")
    return [r[0] for r in rows.fetchall()]


def _diff(con: duckdb.DuckDBPyConnection, report: ReparseReport, source: str | None) -> None:
    cols = ", ".join(f'"{c}"' for c in COMPARED)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE after AS SELECT notice_key, {cols} FROM notices"
        f" WHERE {_source_filter(source)}"
    )
    report.notices_before = con.execute("SELECT count(*) FROM before").fetchone()[0]
    report.notices_after = con.execute("SELECT count(*) FROM after").fetchone()[0]
    report.new_notices = _keys(con, "after ANTI JOIN before")
    report.gone_notices = _keys(con, "before ANTI JOIN after")
    changed = " + ".join(
        f'(a."{c}" IS DISTINCT FROM b."{c}")::INT' for c in COMPARED if c != "version"
    )
    report.changed_notices = con.execute(
        f"SELECT count(*) FROM after a JOIN before b USING (notice_key) WHERE {changed} > 0"
    ).fetchone()[0]
    for c in COMPARED:
        if c == "version":
            continue
        n = con.execute(
            f"SELECT count(*) FROM after a JOIN before b USING (notice_key)"
            f' WHERE a."{c}" IS DISTINCT FROM b."{c}"'
        ).fetchone()[0]
        if n:
            report.changed_fields[c] = n
