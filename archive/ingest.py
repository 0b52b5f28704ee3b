"""Putting observations into the archive: one transaction per batch. A live crawl is one
batch (`ingest_crawl`): its row, every page it fetched and what vanished are booked
together, so a killed process leaves the archive as before the crawl or after it.

A fetched page becomes a `fetches` row, always; new content also becomes a `snapshots` row
(raw bytes stored once per distinct content) and, through the parser, notice versions and
sightings. Unchanged content and 304s re-sight what the previous snapshot showed without
parsing anything. A page that used to give notices and now gives none (or far fewer) is
drift: the snapshot is kept for a later reparse, nothing is sighted, nothing vanishes.

Records move in bulk: Arrow tables registered with DuckDB and set-based SQL, never
row-by-row inserts.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import os
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from archive.columns import HASHED, NOT_HASHED, RECORD_COLUMNS, stage_rows
from archive.db import rollback, sql_file, transaction
from parsers import CURRENT_ONLY
from parsers.lines import ENDS_EARLY
from parsers.result import CUT_SHORT, ParseResult

DRIFT_RATIO = 0.5  # fewer than half the previous snapshot's notices counts as drift
OK_FETCHES = ("new", "unchanged", "not_modified")
# A snapshot whose page was cut short, by its stored warnings (`parsers.result.CUT_SHORT`):
# what it shows is sighted, but it proves nothing left it. `{s}`: the snapshots' alias.
_CUT_LIST_SQL = "list_filter({s}.warnings, lambda w: starts_with(w, $cut))"
_CUT_SHORT_SQL = f"len({_CUT_LIST_SQL}) > 0"
_CUT = {"cut": CUT_SHORT}
# An HTML document that only ends before its closing tags (`parsers.lines.ENDS_EARLY`) came
# whole when a live transfer's body is exactly its Content-Length: not decompressed (that
# length is the compressed one) and not short (a transfer Scrapy let through with data
# lost). Its warning is then stored as this, which does not begin "cut short".
WHOLE_BY_LENGTH = (
    "the HTML document ends before </body> and </html>, but came whole by its Content-Length"
)


def _came_whole(page: FetchedPage) -> bool:
    """A live fetch whose body is exactly as long as its Content-Length says (a Wayback
    playback's length is of the playback, not of the page it captured)."""
    if page.origin != "live" or page.body is None:
        return False
    length = next((v for k, v in page.headers.items() if k.lower() == "content-length"), "")
    return length.strip().isdigit() and int(length) == len(page.body)


def _now_whole(con: duckdb.DuckDBPyConnection, snapshot_id: int, fetch_id: int) -> None:
    """The snapshot's bytes, thought cut short when first stored (a Wayback capture, a gzip
    transfer), came whole in fetch ``fetch_id``: its warning says so from now on, and which
    fetch showed it. Only the archive's warning changes; the bytes are the same."""
    con.execute(
        "UPDATE snapshots SET warnings = list_transform(warnings, lambda w: CASE WHEN"
        " w = $early THEN $whole ELSE w END) WHERE snapshot_id = $id"
        " AND list_contains(warnings, $early)",
        {"early": ENDS_EARLY, "whole": f"{WHOLE_BY_LENGTH} (fetch {fetch_id})", "id": snapshot_id},
    )


def _stored_warnings(page: FetchedPage, warnings: list[str]) -> list[str]:
    """The parser's warnings as the snapshot keeps them: a document that ends early but came
    whole (`_came_whole`) is said to be so, not cut short."""
    if ENDS_EARLY not in warnings or not _came_whole(page):
        return warnings
    return [WHOLE_BY_LENGTH if w == ENDS_EARLY else w for w in warnings]


log = logging.getLogger(__name__)


@dataclass(slots=True)
class FetchedPage:
    """One fetch of one URL, as the crawler saw it (bytes, status, headers, time)."""

    source: str
    url: str
    fetched_at: datetime  # timezone-aware
    http_status: int | None
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    origin: str = "live"
    capture_id: str | None = None
    error: str | None = None  # set when the fetch failed (timeout, 5xx after retries…)
    not_modified: bool = False  # a 304 answer to a conditional request
    # which parser reads it (a key of parsers.SOURCES) when the source's name is not
    # its kind: source 'github' is read by 'statuspage'. None: the source name.
    kind: str | None = None

    @property
    def failed(self) -> bool:
        if self.error is not None:
            return True
        status = self.http_status
        return status is None or (status >= 400 and not self.not_modified)


@dataclass(slots=True)
class PageOutcome:
    outcome: str  # new | unchanged | not_modified | drift | no_notices | failed | duplicate
    fetch_id: int
    snapshot_id: int | None = None
    notices: int = 0
    versions_new: int = 0
    message: str = ""


Parse = Callable[[FetchedPage], ParseResult]


def _fault_point(name: str) -> None:
    """Fault injection for the kill -9 tests: pause inside the transaction when asked,
    after touching the file NOTICES_FAULT_MARK so the test knows when to strike."""
    if os.environ.get("NOTICES_FAULT_PAUSE") != name:
        return
    mark = os.environ.get("NOTICES_FAULT_MARK")
    if mark:
        with open(mark, "a") as f:
            f.write(f"{name}\n")
    time.sleep(float(os.environ.get("NOTICES_FAULT_SECONDS", "30")))


def _one(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> Any:
    row = con.execute(sql, params).fetchone()
    return row[0] if row else None


def _previous_snapshot(
    con: duckdb.DuckDBPyConnection, source: str, url: str, at: datetime
) -> tuple[int, str, int, str] | None:
    """The URL's latest snapshot observed up to ``at`` (backfilled captures arrive out of
    order: each is compared with what came before it in observation time)."""
    row = con.execute(
        "SELECT snapshot_id, sha256, notice_count, parse_outcome FROM snapshots"
        " WHERE source = ? AND url = ? AND fetched_at <= ?"
        " ORDER BY fetched_at DESC, snapshot_id DESC LIMIT 1",
        [source, url, at],
    ).fetchone()
    return (int(row[0]), str(row[1]), int(row[2]), str(row[3])) if row else None


def validators(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, dict[str, str]]:
    """ETag / Last-Modified of each URL's latest snapshot, for conditional requests. None
    for a URL whose latest snapshot the parsers could not read (drift, no notices) or that
    was cut short: a body cut short keeps the whole body's validators, and a 304 to them
    would keep the URL on that bad copy for good. Such a URL is asked for whole."""
    out = {}
    for url, _sha, headers, outcome, cut in _latest_snapshots(con, source):
        if outcome != "parsed" or cut:
            continue
        h = {k.lower(): v for k, v in json.loads(headers).items()}
        kept = {k: h[k] for k in ("etag", "last-modified") if k in h}
        if kept:
            out[url] = kept
    return out


def latest_contents(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, str]:
    """The sha256 of each URL's latest snapshot: a fetch of the same bytes is unchanged and
    needs no parsing."""
    return {url: sha for url, sha, *_ in _latest_snapshots(con, source)}


def _latest_snapshots(con: duckdb.DuckDBPyConnection, source: str) -> list[Any]:
    """(url, sha256, headers, parse_outcome, cut short) of each URL's latest snapshot."""
    return con.execute(
        "SELECT url, sha256, headers, parse_outcome,"
        f" {_CUT_SHORT_SQL.format(s='snapshots')} FROM snapshots WHERE source = $source"
        " QUALIFY row_number() OVER"
        " (PARTITION BY url ORDER BY fetched_at DESC, snapshot_id DESC) = 1",
        {"source": source, **_CUT},
    ).fetchall()


_STILL = "unchanged since snapshot "  # begins what a fetch of a page still unread says


def _still_unread(con: duckdb.DuckDBPyConnection, snapshot_id: int, outcome: str) -> str:
    """Why a page the parser could not read, come again unchanged, is still unread: what
    was said of it when it first came."""
    first = _one(
        con,
        "SELECT error FROM fetches WHERE snapshot_id = $id AND error IS NOT NULL"
        " AND NOT starts_with(error, $again) ORDER BY fetch_id LIMIT 1",
        {"id": snapshot_id, "again": _STILL},
    )
    if not first:  # unread since a reparse: what the parsers warned of it, if anything
        warned = _one(con, "SELECT warnings FROM snapshots WHERE snapshot_id = ?", [snapshot_id])
        first = "; ".join(warned or []) or ("no notices" if outcome == "no_notices" else "drift")
    return f"{_STILL}{snapshot_id}, still {outcome}: {first}"[:500]


def _insert_fetch(
    con: duckdb.DuckDBPyConnection,
    crawl_id: int | None,
    page: FetchedPage,
    outcome: str,
    snapshot_id: int | None,
    error: str | None = None,
) -> int:
    return int(
        _one(
            con,
            "INSERT INTO fetches (crawl_id, source, url, fetched_at, http_status, outcome,"
            " snapshot_id, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING fetch_id",
            [crawl_id, page.source, page.url, page.fetched_at, page.http_status, outcome,
             snapshot_id, error],
        )
    )  # fmt: skip


def _resight(
    con: duckdb.DuckDBPyConnection,
    crawl_id: int | None,
    fetch_id: int,
    snapshot_id: int,
    page: FetchedPage,
) -> int:
    """Sight again what the latest successful fetch of ``snapshot_id`` showed."""
    con.execute(
        "INSERT INTO sightings (fetch_id, notice_key, version, observed_at, url, is_open)"
        " SELECT ?, notice_key, version, ?, ?, is_open FROM sightings WHERE fetch_id = ("
        "   SELECT max(s.fetch_id) FROM sightings s JOIN fetches f USING (fetch_id)"
        "   WHERE f.snapshot_id = ? AND f.fetch_id <> ?)",
        [fetch_id, page.fetched_at, page.url, snapshot_id, fetch_id],
    )
    # the versions seen again were observed now too: their observed bracket grows
    con.execute(
        "UPDATE notice_versions v SET last_observed_at = greatest(v.last_observed_at, s.at),"
        " first_observed_at = least(v.first_observed_at, s.at)"
        " FROM (SELECT notice_key, version, max(observed_at) AS at FROM sightings"
        "       WHERE fetch_id = ? GROUP BY ALL) s"
        " WHERE v.notice_key = s.notice_key AND v.version = s.version",
        [fetch_id],
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE touched AS"
        " SELECT DISTINCT notice_key FROM sightings WHERE fetch_id = ?",
        [fetch_id],
    )
    _after_sightings(con, crawl_id)
    return int(_one(con, "SELECT count(*) FROM touched", []))


def _store_content(con: duckdb.DuckDBPyConnection, body: bytes, sha: str) -> None:
    con.execute(
        "INSERT INTO contents (sha256, compression, size_bytes, data) VALUES (?, 'zlib', ?, ?)"
        " ON CONFLICT DO NOTHING",
        [sha, len(body), zlib.compress(body, 6)],
    )


def ingest_page(
    con: duckdb.DuckDBPyConnection,
    crawl_id: int | None,
    page: FetchedPage,
    parse: Parse,
) -> PageOutcome:
    """Record one fetch, in one transaction. ``parse`` is called only for new content."""
    with transaction(con):
        outcome = _ingest_page(con, crawl_id, page, parse)
        _fault_point("ingest")
    return outcome


@dataclass(slots=True)
class CrawlPlan:
    """What a crawl saw, to be booked in one transaction once it is over."""

    source: str
    started_at: datetime
    finished_at: datetime
    pages: list[FetchedPage]
    origin: str = "live"
    complete: bool = True  # not cut short (SIGTERM, a page cap): else vanishes nothing
    decide_vanishing: bool = True
    left_out: int = 0  # pages robots.txt kept it from asking for


class _PageBroke(Exception):
    def __init__(self, index: int, exc: Exception) -> None:
        self.index, self.exc = index, exc


class ParseFailed(Exception):
    """A parser raised on a page: its type and message, without the traceback (logged when
    it happened), so that holding it keeps no parse tree alive."""


def parse_failure(page: FetchedPage, exc: Exception) -> ParseFailed:
    if isinstance(exc, ParseFailed):
        return exc
    log.error("parsing %s raised", page.url, exc_info=exc)
    return ParseFailed(f"{type(exc).__name__}: {exc}")


class BookingStopped(Exception):
    """The booking was asked to stop (a second SIGTERM): rolled back, nothing written."""


# Errors of the machine, not of a page: they end the booking (rolled back) rather than be
# pinned on the page that met them.
MACHINE_ERRORS = (
    MemoryError,
    OSError,
    duckdb.OutOfMemoryException,
    duckdb.IOException,
    duckdb.FatalException,
    duckdb.InterruptException,
)
MAX_BROKEN_PAGES = 10  # each costs a rebooking of the crawl; more is a bug to fix, loudly


def ingest_crawl(
    con: duckdb.DuckDBPyConnection,
    plan: CrawlPlan,
    parse: Parse,
    *,
    before_commit: Callable[[int, list[PageOutcome]], None] | None = None,
    stop: Callable[[], bool] = lambda: False,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[dict[str, Any], list[PageOutcome]]:
    """Book a whole crawl (its row, every page, vanishings, counts) in one transaction, so
    that a process killed at any moment leaves the archive as before the crawl or as after
    it: a crawl is one ingest step.

    A page the parser raises on is booked as a failed fetch on the spot (parsing comes
    before any write of that page). A page whose booking itself raises (a bug in the
    archive's SQL, say) costs that page, not the crawl: the transaction is rolled back and
    booked again with that page as a failed fetch, up to MAX_BROKEN_PAGES times. Errors of
    the machine (out of memory, I/O) and ``stop()`` turning true end it, rolled back.
    ``before_commit`` may add to the transaction (a backfill marks its capture done);
    ``progress(done, total)`` hears of each page booked.
    """
    broken: dict[int, str] = {}
    parsed: dict[int, ParseResult | ParseFailed] = {}  # parsing is pure: kept across attempts
    crawl_id: int | None = None  # the same number on every attempt

    def parse_once(i: int) -> Parse:
        def run(page: FetchedPage) -> ParseResult:
            if i not in parsed:
                try:
                    parsed[i] = parse(page)
                except MACHINE_ERRORS:
                    raise
                except Exception as exc:
                    parsed[i] = parse_failure(page, exc)
            result = parsed[i]
            if isinstance(result, Exception):
                raise result
            return result

        return run

    while True:
        con.begin()
        try:
            crawl_id = _start_crawl(con, plan.source, plan.started_at, plan.origin, crawl_id)
            outcomes = []
            for i, page in enumerate(plan.pages):
                if stop():
                    raise BookingStopped("stopped while booking the crawl; nothing was written")
                if i in broken:
                    page = dataclasses.replace(page, error=broken[i])
                try:
                    outcomes.append(_ingest_page(con, crawl_id, page, parse_once(i)))
                except MACHINE_ERRORS:
                    raise
                except Exception as exc:
                    if i in broken or len(broken) >= MAX_BROKEN_PAGES:
                        raise  # booking it as failed failed too, or the bug is everywhere
                    raise _PageBroke(i, exc) from exc
                if progress is not None:  # (outside: its own failure is no page's)
                    progress(i + 1, len(plan.pages))
            summary = _finish_crawl(
                con, crawl_id, plan.finished_at, complete=plan.complete,
                decide_vanishing=plan.decide_vanishing, left_out=plan.left_out,
            )  # fmt: skip
            if before_commit is not None:
                before_commit(crawl_id, outcomes)
            _fault_point("ingest")
            if stop():
                raise BookingStopped("stopped while booking the crawl; nothing was written")
            con.commit()
            return summary, outcomes
        except _PageBroke as broke:
            rollback(con)
            log.error(
                "booking %s raised; booking the crawl again with it as a failed fetch",
                plan.pages[broke.index].url,
                exc_info=broke.exc,
            )
            broken[broke.index] = f"ingest error: {type(broke.exc).__name__}: {broke.exc}"[:500]
        except BaseException:
            rollback(con)
            raise


def _already_recorded(con: duckdb.DuckDBPyConnection, page: FetchedPage, sha: str | None) -> bool:
    """The very same observation (same URL, same moment, same bytes) replayed: a retried
    pipeline step or a re-run import must change nothing."""
    if sha is None or page.failed:
        return False
    return bool(
        _one(
            con,
            "SELECT count(*) FROM fetches f JOIN snapshots s USING (snapshot_id)"
            " WHERE f.source = ? AND f.url = ? AND f.fetched_at = ? AND s.sha256 = ?",
            [page.source, page.url, page.fetched_at, sha],
        )
    )


def _ingest_page(
    con: duckdb.DuckDBPyConnection, crawl_id: int | None, page: FetchedPage, parse: Parse
) -> PageOutcome:
    sha = hashlib.sha256(page.body).hexdigest() if page.body is not None else None
    if _already_recorded(con, page, sha):
        return PageOutcome("duplicate", 0, message="this fetch is already in the archive")
    if page.failed:
        error = page.error or f"HTTP {page.http_status}"
        fetch_id = _insert_fetch(con, crawl_id, page, "failed", None, error)
        return PageOutcome("failed", fetch_id, message=error)
    prev = _previous_snapshot(con, page.source, page.url, page.fetched_at)
    if page.not_modified or (prev is not None and sha == prev[1]):
        if prev is None:
            error = "304 Not Modified but no stored copy of this URL"
            fetch_id = _insert_fetch(con, crawl_id, page, "failed", None, error)
            return PageOutcome("failed", fetch_id, message=error)
        kind = "not_modified" if page.not_modified else "unchanged"
        message = None
        if prev[3] in ("drift", "no_notices"):
            # still the page the parser could not read: the same outcome, every time it
            # comes (no sightings, and the crawl not clean), and the same reason
            kind, message = prev[3], _still_unread(con, prev[0], prev[3])
        fetch_id = _insert_fetch(con, crawl_id, page, kind, prev[0], message)
        if not page.not_modified and _came_whole(page):
            _now_whole(con, prev[0], fetch_id)
        seen = _resight(con, crawl_id, fetch_id, prev[0], page) if kind in OK_FETCHES else 0
        return PageOutcome(kind, fetch_id, prev[0], notices=seen, message=message)

    body = page.body or b""
    try:
        result = parse(page)
    except MACHINE_ERRORS:
        raise
    except Exception as exc:  # a parser bug costs this page; nothing of it is written yet
        error = f"parse error: {parse_failure(page, exc)}"[:500]
        fetch_id = _insert_fetch(con, crawl_id, page, "failed", None, error)
        return PageOutcome("failed", fetch_id, message=error)
    records = result.records
    # Compare with the last snapshot the parsers read, not merely the last one: a page that
    # drifted stays drift, whatever changes on it, until it parses again.
    previous = con.execute(
        "SELECT notice_count, layout FROM snapshots WHERE source = ? AND url = ?"
        " AND fetched_at <= ? AND parse_outcome = 'parsed'"
        " ORDER BY fetched_at DESC, snapshot_id DESC LIMIT 1",
        [page.source, page.url, page.fetched_at],
    ).fetchone()
    previous_count, previous_layout = (int(previous[0]), previous[1]) if previous else (0, None)
    # A page that shows only what is current may shrink to nothing, from a snapshot that
    # showed only what was current too; any other (a listing's latest posts, incidents.json's
    # latest 50, a listing that now reads as an empty status page) has drifted, empty or not.
    shrink_ok = result.shrink_ok and previous_layout in CURRENT_ONLY
    if previous_count and len(records) < previous_count * DRIFT_RATIO and not shrink_ok:
        parse_outcome, kind = "drift", "drift"
        message = (
            f"{page.source} {page.url}: {len(records)} notices where the previous snapshot "
            f"had {previous_count}; layouts tried: {', '.join(result.tried) or 'none'}"
        )
    elif not records and result.empty_ok:
        parse_outcome, kind, message = "parsed", "new", ""  # a status page with none on show
    elif not records:
        parse_outcome, kind = "no_notices", "no_notices"
        message = f"{page.source} {page.url}: no notices; layouts tried: {', '.join(result.tried)}"
    else:
        parse_outcome, kind, message = "parsed", "new", ""
    _store_content(con, body, sha or hashlib.sha256(body).hexdigest())
    snapshot_id = int(
        _one(
            con,
            "INSERT INTO snapshots (crawl_id, source, url, fetched_at, http_status, sha256,"
            " headers, origin, capture_id, parse_outcome, layout, parser_version, notice_count,"
            " warnings, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " RETURNING snapshot_id",
            [crawl_id, page.source, page.url, page.fetched_at, page.http_status or 200, sha,
             json.dumps(page.headers, sort_keys=True), page.origin, page.capture_id,
             parse_outcome, result.layout,
             records[0]["parser_version"] if records else None, len(records),
             _stored_warnings(page, result.warnings), page.kind],
        )
    )  # fmt: skip
    fetch_id = _insert_fetch(con, crawl_id, page, kind, snapshot_id, message or None)
    if kind != "new" or not records:
        return PageOutcome(kind, fetch_id, snapshot_id, message=message)
    table = stage_rows(
        records, fetch_id=fetch_id, observed_at=page.fetched_at, snapshot_id=snapshot_id
    )
    versions_new = ingest_records(con, table, crawl_id=crawl_id)
    return PageOutcome(kind, fetch_id, snapshot_id, notices=len(records), versions_new=versions_new)


def _quoted(column: str) -> str:
    return f'"{column}"'  # "references" is an SQL keyword; quoting every name is harmless


def _as_text(column: str) -> str:
    """A hashed field as text. Lists and maps as JSON: DuckDB's own text for them changes
    between releases (1.4 quotes a value holding a comma, which 1.2 did not; 2.0 doubles a
    backslash that 1.4 left single), and without quotes cannot tell `{a=x, b}` from two
    entries. A scalar's text has not changed."""
    kind = RECORD_COLUMNS[column]
    nested = pa.types.is_list(kind) or pa.types.is_map(kind) or pa.types.is_struct(kind)
    value = f"to_json({_quoted(column)})" if nested else _quoted(column)
    return f"coalesce(CAST({value} AS VARCHAR), chr(0))"


# md5 over the content as text, kept as the UUID its 128 bits make. Migration 019 hashed
# every stored version this way: a change here needs a migration that rehashes them too.
_HASH_SQL = f"CAST(md5(concat_ws(chr(31), {', '.join(map(_as_text, HASHED))})) AS UUID)"
# What a version takes from the row that first showed it, beside its content.
_FIRST_ROW = ("snapshot_id", *sorted(NOT_HASHED))
_FIRST_ROW_COLUMNS = ", ".join(f"i.{_quoted(c)}" for c in _FIRST_ROW)
_FIRST_ROW_SET = ", ".join(
    f"{_quoted(c)} = CASE WHEN s.first_at < v.first_observed_at THEN s.{_quoted(c)}"
    f" ELSE v.{_quoted(c)} END"
    for c in _FIRST_ROW
)
_VERSION_COLUMNS = ", ".join(_quoted(c) for c in RECORD_COLUMNS)
_STAGED_COLUMNS = ", ".join(f"i.{_quoted(c)}" for c in RECORD_COLUMNS)


def ingest_records(
    con: duckdb.DuckDBPyConnection, table: pa.Table, *, crawl_id: int | None = None
) -> int:
    """Versions, updates, sightings, events and current notices from staged records.

    ``table`` has the staging layout (`archive.columns.STAGE_SCHEMA`): one row per notice
    per fetch. Runs inside the caller's transaction; returns how many versions were new.
    """
    rid = pa.array(np.arange(table.num_rows, dtype=np.int64))
    # The wide columns stay in Arrow (`stage_in`), read by rid only for the versions that
    # are new; the set-based statements work on the narrow `stage`.
    con.register("stage_in", table.append_column("rid", rid))
    try:
        return _ingest_staged(con, crawl_id)
    finally:
        # after a failed statement the transaction refuses even this: keep the first error
        with contextlib.suppress(duckdb.TransactionException):
            con.unregister("stage_in")


def _ingest_staged(con: duckdb.DuckDBPyConnection, crawl_id: int | None) -> int:
    """`ingest_records` once the batch is registered as `stage_in`."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE stage AS"
        " SELECT rid, fetch_id, observed_at, notice_key, url, layout, is_open,"
        f" {_HASH_SQL} AS content_hash FROM stage_in"
    )
    # Each (notice, content) pair of the batch: its first row (and that row's fetch), its
    # observed bracket, its number of rows.
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE stage_pairs AS
        SELECT notice_key, content_hash, first.rid, first.fetch_id AS first_fetch,
               first.observed_at AS first_at, last_at, row_count
        FROM (
            SELECT notice_key, content_hash,
                   min(struct_pack(observed_at, fetch_id, rid)) AS first,
                   max(observed_at) AS last_at, count(*) AS row_count
            FROM stage GROUP BY notice_key, content_hash
        )
        """
    )
    # The notices whose history this batch reaches back into (a backfill after live
    # crawls): seen before a stored version of them was first seen. Noted before the
    # brackets move; `_reach_back` puts their history in order once the batch is in.
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE earlier AS
        SELECT DISTINCT p.notice_key
        FROM stage_pairs AS p
        JOIN notice_versions AS v USING (notice_key)
        WHERE p.first_at < v.first_observed_at
        """
    )
    # Observation brackets of versions seen again (backfill may arrive out of order). Run
    # before the new versions go in, which get their whole bracket on insert. A version
    # seen before its first observation takes that earlier row's page: its snapshot, and
    # the columns that are not its content (URL, layout, parser version, page stamp).
    con.execute(
        f"""
        UPDATE notice_versions v SET
            first_observed_at = least(v.first_observed_at, s.first_at),
            last_observed_at = greatest(v.last_observed_at, s.last_at),
            {_FIRST_ROW_SET}
        FROM (SELECT p.notice_key, p.content_hash, p.first_at, p.last_at, {_FIRST_ROW_COLUMNS}
              FROM stage_pairs AS p JOIN stage_in AS i USING (rid)) AS s
        WHERE v.notice_key = s.notice_key AND v.content_hash = s.content_hash
          AND (s.first_at < v.first_observed_at OR s.last_at > v.last_observed_at)
        """
    )
    # New pairs become versions numbered after the notice's last one. A notice with no
    # version yet and one staged row (`single`) has no history but that row.
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE stage_new AS
        WITH fresh AS (
            SELECT * FROM stage_pairs ANTI JOIN notice_versions USING (notice_key, content_hash)
        ), last AS (
            SELECT notice_key, max(version) AS last_version FROM notice_versions
            WHERE notice_key IN (SELECT notice_key FROM fresh) GROUP BY notice_key
        )
        SELECT fresh.*, coalesce(last.last_version, 0) + row_number() OVER (
                PARTITION BY fresh.notice_key
                ORDER BY fresh.first_at, fresh.first_fetch, fresh.content_hash
            ) AS version,
            last.last_version IS NULL AS is_first,
            last.last_version IS NULL AND fresh.row_count = 1
                AND count(*) OVER (PARTITION BY fresh.notice_key) = 1 AS single
        FROM fresh LEFT JOIN last USING (notice_key)
        """
    )
    versions_new = int(_one(con, "SELECT count(*) FROM stage_new", []))
    if versions_new:
        _insert_versions(con, crawl_id)
    con.execute(
        """
        INSERT INTO sightings (fetch_id, notice_key, version, observed_at, url, is_open)
        WITH seen AS (
            SELECT DISTINCT s.fetch_id, s.notice_key, v.version, s.observed_at, s.url, s.is_open
            FROM stage s JOIN notice_versions v USING (notice_key, content_hash)
        )
        SELECT * FROM seen ANTI JOIN sightings x USING (fetch_id, notice_key, version)
        """
    )
    if _one(con, "SELECT count(*) FROM earlier", []):
        _reach_back(con)
    if versions_new:
        # Brand-new notices get their current row straight from their one staged row; the
        # others are rebuilt from the history.
        con.execute(sql_file("new_notices"))
        con.execute(
            "CREATE OR REPLACE TEMP TABLE touched AS SELECT DISTINCT notice_key FROM stage"
            " ANTI JOIN (SELECT notice_key FROM stage_new WHERE single) USING (notice_key)"
        )
    else:
        con.execute("CREATE OR REPLACE TEMP TABLE touched AS SELECT DISTINCT notice_key FROM stage")
    _after_sightings(con, crawl_id)
    return versions_new


def _insert_versions(con: duckdb.DuckDBPyConnection, crawl_id: int | None) -> None:
    """The versions in `stage_new`, their updates, what they changed, their events."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE stage_new_keys AS SELECT notice_key, version FROM stage_new"
    )
    con.execute(
        f"INSERT INTO notice_versions ({_VERSION_COLUMNS}, version, content_hash,"
        " first_observed_at, last_observed_at, snapshot_id)"
        f" SELECT {_STAGED_COLUMNS}, n.version, n.content_hash, n.first_at, n.last_at,"
        " i.snapshot_id FROM stage_new n JOIN stage_in i USING (rid)"
    )
    con.execute(
        """
        INSERT INTO notice_updates
        SELECT notice_key, version, u.seq, u.label, u.at_raw, u.at_local, u."at", u.text,
               u.status_raw, u.status, coalesce(u.flags, [])
        FROM (
            SELECT n.notice_key, n.version,
                   unnest(list_transform(i.updates, lambda x, j: struct_insert(x, seq := j)))
                   AS u
            FROM stage_new n JOIN stage_in i USING (rid)
        )
        """
    )
    con.execute(sql_file("version_changes"))
    # A notice appears with its first version and changes with a new version of a
    # rendering (`rendering(layout)`) it already had, i.e. one numbered after the first
    # version in that rendering; a first version in another rendering (its post, after the
    # listing's excerpt) is neither. (Compared with each rendering's first version, not with
    # every earlier version: a batch of a notice's whole history, as a reparse gives, would
    # pair them all.)
    con.execute(
        """
        INSERT INTO notice_events (notice_key, event, event_at, version, crawl_id, fetch_id)
        WITH later AS (
            SELECT * FROM stage_new WHERE NOT (is_first AND version = 1)
        ), first_in_layout AS (
            SELECT notice_key, rendering(layout) AS layout, min(version) AS version
            FROM notice_versions
            WHERE notice_key IN (SELECT notice_key FROM later) GROUP BY ALL
        )
        SELECT notice_key, 'appeared', first_at, version, $crawl, first_fetch
        FROM stage_new
        WHERE is_first AND version = 1
        UNION ALL
        SELECT n.notice_key, 'changed', n.first_at, n.version, $crawl, n.first_fetch
        FROM later AS n
        JOIN stage AS s USING (rid)
        JOIN first_in_layout AS f
          ON f.notice_key = s.notice_key AND f.layout = rendering(s.layout)
        JOIN notice_versions AS v ON v.notice_key = n.notice_key AND v.version = n.version
        -- and something changed: an excerpt's fuller text (version_changes.sql) is not
        WHERE f.version < n.version AND coalesce(len(v.changed), 1) > 0
        """,
        {"crawl": crawl_id},
    )


def _reach_back(con: duckdb.DuckDBPyConnection) -> None:
    """Put in order the history of the notices in temp table `earlier`, which the batch saw
    before a stored version of them was first seen, as a reparse of the same snapshots
    would have it. Versions are numbered in the order they were first observed (then by
    first fetch and content hash, as `stage_new` numbers them): a new one
    from such an observation went in after the stored ones, and a stored one seen again may
    now come first. Where the order changed, every table that names a version follows. What
    each version changed is worked out again, and the appeared and changed events are dated
    again at their versions' first observations, which may have moved earlier."""
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE renumber AS
        WITH firsts AS (
            -- each version's first fetch (the first that sighted it when first observed):
            -- versions first seen in one fetch are numbered by hash, as `stage_new` does
            SELECT v.notice_key, v.version, v.first_observed_at, v.content_hash,
                   min(s.fetch_id) AS first_fetch
            FROM notice_versions AS v
            LEFT JOIN sightings AS s
              ON s.notice_key = v.notice_key AND s.version = v.version
             AND s.observed_at = v.first_observed_at
            WHERE v.notice_key IN (SELECT notice_key FROM earlier)
            GROUP BY ALL
        ), numbered AS (
            SELECT notice_key, version AS old_version,
                   row_number() OVER (PARTITION BY notice_key
                                      ORDER BY first_observed_at, first_fetch, content_hash)
                   AS version
            FROM firsts
        )
        SELECT * FROM numbered
        WHERE notice_key IN (SELECT notice_key FROM numbered WHERE version <> old_version)
        """
    )
    if _one(con, "SELECT count(*) FROM renumber", []):
        for table in ("notice_versions", "notice_updates", "sightings", "notice_events"):
            con.execute(
                f"UPDATE {table} AS t SET version = r.version FROM renumber AS r"
                " WHERE t.notice_key = r.notice_key AND t.version = r.old_version"
                " AND r.version <> r.old_version"
            )
    # Numbers, and a version's layout (taken from its earliest page), may have moved.
    con.execute(
        "UPDATE notice_versions SET changed = NULL"
        " WHERE notice_key IN (SELECT notice_key FROM earlier)"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE stage_new_keys AS SELECT notice_key, version"
        " FROM notice_versions WHERE notice_key IN (SELECT notice_key FROM earlier)"
    )
    con.execute(sql_file("version_changes"))
    con.execute(
        "DELETE FROM notice_events WHERE event IN ('appeared', 'changed')"
        " AND notice_key IN (SELECT notice_key FROM earlier)"
    )
    con.execute(sql_file("version_events"))


def _after_sightings(con: duckdb.DuckDBPyConnection, crawl_id: int | None) -> None:
    """Reappearances, then the current rows of the notices in temp table `touched`.

    A notice reappears when sighted after it had vanished. (It appears or changes when a
    version of it is first seen: `ingest_records` records those.)
    """
    con.execute(
        """
        INSERT INTO notice_events (notice_key, event, event_at, version, crawl_id, fetch_id)
        -- only the sightings of touched notices that had vanished are ranked
        WITH vanished AS (
            SELECT notice_key, vanished_at FROM notices
            WHERE vanished_at IS NOT NULL AND notice_key IN (SELECT notice_key FROM touched)
        )
        SELECT n.notice_key, 'reappeared', s.observed_at, s.version, ?, s.fetch_id
        FROM vanished n
        JOIN (SELECT * FROM sightings WHERE notice_key IN (SELECT notice_key FROM vanished)
              QUALIFY row_number() OVER (PARTITION BY notice_key
                                         ORDER BY observed_at DESC, version DESC) = 1) s
          USING (notice_key)
        WHERE s.observed_at > n.vanished_at
        """,
        [crawl_id],
    )
    rebuild_notices(con, "SELECT notice_key FROM touched")


def rebuild_notices(con: duckdb.DuckDBPyConnection, keys_sql: str) -> None:
    """Recompute the `notices` rows for the keys ``keys_sql`` selects, from the history."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE rebuild_keys AS SELECT DISTINCT * FROM ({keys_sql})")
    con.execute("DELETE FROM notices WHERE notice_key IN (SELECT notice_key FROM rebuild_keys)")
    con.execute(sql_file("rebuild_notices"))


def replay_vanishing(con: duckdb.DuckDBPyConnection, source: str) -> None:
    """Recompute a source's vanished/reappeared events from all its sightings, crawls in
    observation order (after a reparse, or a backfill that added older observations).
    Runs inside the caller's transaction."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE replayed AS SELECT DISTINCT notice_key FROM notice_versions"
        " WHERE source = ?",
        [source],
    )
    con.execute(
        "DELETE FROM notice_events WHERE event IN ('vanished', 'reappeared')"
        " AND notice_key IN (SELECT notice_key FROM replayed)"
    )
    con.execute(sql_file("replay_vanishing"), {"source": source, **_CUT})
    rebuild_notices(con, "SELECT notice_key FROM replayed")


def start_crawl(
    con: duckdb.DuckDBPyConnection, source: str, started_at: datetime, origin: str = "live"
) -> int:
    """A new crawl row, in a transaction of its own. Call with the archive's lock held."""
    with transaction(con):
        return _start_crawl(con, source, started_at, origin)


def _start_crawl(
    con: duckdb.DuckDBPyConnection,
    source: str,
    started_at: datetime,
    origin: str = "live",
    crawl_id: int | None = None,
) -> int:
    """A new crawl row. Any crawl still 'running' belongs to a process that died (kill -9,
    power loss) when crawls were still booked page by page (earlier releases) and is marked
    'interrupted'."""
    # What such a crawl did get done was committed fetch by fetch: its row says so, and it
    # ended at its last fetch (when this one starts, it was long dead).
    con.execute(
        """
        UPDATE crawls SET outcome = 'interrupted',
            finished_at = coalesce(crawls.finished_at, f.last_at, crawls.started_at),
            pages_fetched = coalesce(f.fetched, 0), pages_new = coalesce(f.new, 0),
            pages_unchanged = coalesce(f.unchanged, 0), pages_failed = coalesce(f.failed, 0),
            pages_drift = coalesce(f.drift, 0),
            errors = list_append(coalesce(crawls.errors, []),
                                 'the process ended before the crawl finished (killed?)')
        FROM (
            SELECT c.crawl_id, max(fe.fetched_at) AS last_at, count(fe.fetch_id) AS fetched,
                   count(*) FILTER (fe.outcome = 'new') AS new,
                   count(*) FILTER (fe.outcome IN ('unchanged', 'not_modified')) AS unchanged,
                   count(*) FILTER (fe.outcome = 'failed') AS failed,
                   count(*) FILTER (fe.outcome IN ('drift', 'no_notices')) AS drift
            FROM crawls AS c LEFT JOIN fetches AS fe USING (crawl_id)
            WHERE c.outcome = 'running' GROUP BY c.crawl_id
        ) AS f
        WHERE crawls.crawl_id = f.crawl_id
        """
    )
    if crawl_id is None:
        crawl_id = int(_one(con, "SELECT nextval('crawl_id_seq')", []))
    con.execute(
        "INSERT INTO crawls (crawl_id, source, origin, started_at, outcome)"
        " VALUES (?, ?, ?, ?, 'running')",
        [crawl_id, source, origin, started_at],
    )
    return crawl_id


def finish_crawl(
    con: duckdb.DuckDBPyConnection, crawl_id: int, finished_at: datetime, **options: Any
) -> dict[str, Any]:
    """`_finish_crawl` in a transaction of its own."""
    with transaction(con):
        return _finish_crawl(con, crawl_id, finished_at, **options)


def _finish_crawl(
    con: duckdb.DuckDBPyConnection,
    crawl_id: int,
    finished_at: datetime,
    *,
    errors: list[str] | None = None,
    complete: bool = True,
    decide_vanishing: bool = True,
    left_out: int = 0,
) -> dict[str, Any]:
    """Vanishings, counts and outcome of a crawl.

    ``left_out``: the pages robots.txt kept the crawl from asking for (`pages_left_out`).

    Vanishing is decided only by a clean, complete crawl: every page fetched and read (no
    failure, no drift, not cut short), since a notice may have moved to the page that
    failed. Then a notice vanishes when a page that showed it in the last crawl that saw it
    was fetched again and no page shows it now. (Its own post, no longer linked from the
    listing, is not fetched again and so proves nothing either way: the listing is the
    board.)

    A page whose body was cut short (its snapshot's warnings say so: the connection closed
    before the document ended, with no Content-Length to tell) is read for what it shows,
    which is sighted, but fails the crawl as a transfer short of its Content-Length does.
    """
    source = _one(con, "SELECT source FROM crawls WHERE crawl_id = ?", [crawl_id])
    # The fetches that keep the crawl from proving anything left: failed, unread, cut short
    # (in fetch order, each with what to say of it, and whether it is a cut-short sighting).
    unclean = con.execute(
        f"""
        SELECT f.url || ': ' || coalesce(f.error, cut[1], f.outcome), f.outcome IN {OK_FETCHES}
        FROM (
            SELECT f.*, {_CUT_LIST_SQL.format(s="s")} AS cut
            FROM fetches AS f LEFT JOIN snapshots AS s USING (snapshot_id)
            WHERE f.crawl_id = $crawl
        ) AS f
        WHERE f.outcome IN ('failed', 'drift', 'no_notices')
           OR (f.outcome IN {OK_FETCHES} AND len(f.cut) > 0)
        ORDER BY f.fetch_id
        """,
        {"crawl": crawl_id, **_CUT},
    ).fetchall()
    cut_short = sum(1 for _, sighted in unclean if sighted)
    if complete and decide_vanishing and not unclean:
        con.execute(
            """
            CREATE OR REPLACE TEMP TABLE gone AS
            WITH this_crawl AS (
                SELECT url,
                       bool_or(outcome IN ('new', 'unchanged', 'not_modified')) AS ok,
                       bool_or(outcome IN ('failed', 'drift', 'no_notices')) AS inconclusive
                FROM fetches WHERE crawl_id = $crawl GROUP BY url
            ), seen_now AS (
                SELECT DISTINCT s.notice_key FROM sightings s JOIN fetches f USING (fetch_id)
                WHERE f.crawl_id = $crawl
            ), shown_before AS (
                -- where each notice still on show was seen in the last crawl that saw it
                SELECT s.notice_key, f.url FROM sightings s
                JOIN fetches f USING (fetch_id) JOIN notices n USING (notice_key)
                WHERE n.source = $source AND n.vanished_at IS NULL
                  AND f.crawl_id <> $crawl
                -- latest in observation time: backfilled crawls may carry old times
                QUALIFY f.crawl_id IS NOT DISTINCT FROM first_value(f.crawl_id) OVER (
                    PARTITION BY s.notice_key ORDER BY s.observed_at DESC, s.fetch_id DESC)
            )
            SELECT b.notice_key FROM shown_before b LEFT JOIN this_crawl c USING (url)
            WHERE b.notice_key NOT IN (SELECT notice_key FROM seen_now)
            GROUP BY b.notice_key
            HAVING bool_or(coalesce(c.ok, false))
               AND NOT bool_or(coalesce(c.inconclusive, false))
            """,
            {"crawl": crawl_id, "source": source},
        )
        con.execute(
            "INSERT INTO notice_events (notice_key, event, event_at, crawl_id)"
            " SELECT notice_key, 'vanished', $at, $crawl FROM gone",
            {"at": finished_at, "crawl": crawl_id},
        )
        rebuild_notices(con, "SELECT notice_key FROM gone")
        vanished = int(_one(con, "SELECT count(*) FROM gone", []))
    else:
        vanished = 0
    counts = con.execute(
        """
        SELECT count(*),
               count(*) FILTER (outcome = 'new'),
               count(*) FILTER (outcome IN ('unchanged', 'not_modified')),
               count(*) FILTER (outcome = 'failed'),
               count(*) FILTER (outcome IN ('drift', 'no_notices'))
        FROM fetches WHERE crawl_id = ?
        """,
        [crawl_id],
    ).fetchone()
    seen = _one(
        con,
        "SELECT count(DISTINCT notice_key) FROM sightings JOIN fetches USING (fetch_id)"
        " WHERE crawl_id = ?",
        [crawl_id],
    )
    versions_new = _one(
        con,
        "SELECT count(*) FROM notice_versions JOIN snapshots USING (snapshot_id)"
        " WHERE crawl_id = ?",
        [crawl_id],
    )
    fetched, new, unchanged, failed, drift = (int(x) for x in counts)
    all_errors = [*(errors or []), *(message for message, _ in unclean)]
    if drift:
        outcome = "drift"
    elif failed or cut_short or errors or not complete or fetched == 0:
        outcome = "failed" if complete else "interrupted"
    else:
        outcome = "ok"
    con.execute(
        """
        UPDATE crawls SET finished_at = ?, outcome = ?, pages_fetched = ?, pages_new = ?,
            pages_unchanged = ?, pages_failed = ?, pages_drift = ?, notices_seen = ?,
            versions_new = ?, vanished = ?, errors = ?, pages_left_out = ?
        WHERE crawl_id = ?
        """,
        [finished_at, outcome, fetched, new, unchanged, failed, drift, seen, versions_new,
         vanished, all_errors, left_out, crawl_id],
    )  # fmt: skip
    return {
        "crawl_id": crawl_id, "source": source, "outcome": outcome, "pages": fetched,
        "new": new, "unchanged": unchanged, "failed": failed, "drift": drift,
        "notices": seen, "versions_new": versions_new, "vanished": vanished,
        "errors": all_errors, "left_out": left_out, "cut_short": cut_short,
    }  # fmt: skip
