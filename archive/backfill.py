"""Backfill bookkeeping: CDX query progress and captures found, fetched or failed.

The spider asks the pipeline's archive what is already known (`resume_state`), the
pipeline records each CDX page (`record_cdx_page`) in its own short transaction, and each
capture's fate (`mark_capture`) in that capture's booking transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import duckdb

from archive.db import rollback


@dataclass(slots=True)
class Capture:
    capture_id: str  # "<timestamp> <original>"
    url: str
    captured_at: datetime
    digest: str | None = None
    mimetype: str | None = None

    @property
    def timestamp(self) -> str:
        return self.capture_id.split(" ", 1)[0]


@dataclass(slots=True)
class CdxPage:
    """One page of CDX results, as the spider read it (an item for the pipeline)."""

    source: str
    query: str
    captures: list[Capture]
    next_resume_key: str | None  # None: the query is finished
    # only noted as to be asked (a post a stored listing links): kept until answered, so a
    # run that fails or stops before the answer asks it again next time
    queued: bool = False


@dataclass(slots=True)
class ResumeState:
    queries: dict[str, tuple[str | None, bool]] = field(default_factory=dict)  # key, done
    pending: list[Capture] = field(default_factory=list)  # found, not yet stored
    stored: set[str] = field(default_factory=set)  # capture ids already fetched


def capture_time(timestamp: str) -> datetime:
    """A CDX timestamp (YYYYMMDDhhmmss, UTC; shorter ones pad with zeros) as a datetime."""
    padded = (timestamp + "00000101000000"[len(timestamp) :])[:14]
    return datetime.strptime(padded, "%Y%m%d%H%M%S").replace(tzinfo=UTC)


def resume_state(con: duckdb.DuckDBPyConnection, source: str) -> ResumeState:
    state = ResumeState()
    for query, key, done in con.execute(
        "SELECT query, resume_key, done FROM backfill_cdx_pages WHERE source = ?", [source]
    ).fetchall():
        state.queries[query] = (key, done)
    for capture_id, url, at, digest, mimetype, status in con.execute(
        "SELECT capture_id, url, captured_at, digest, mimetype, status FROM backfill_captures"
        " WHERE source = ? ORDER BY captured_at, capture_id",
        [source],
    ).fetchall():
        if status == "fetched":
            state.stored.add(capture_id)
        else:
            state.pending.append(Capture(capture_id, url, at, digest, mimetype))
    return state


def record_cdx_page(con: duckdb.DuckDBPyConnection, page: CdxPage) -> int:
    """Store the captures a CDX page listed and where the query got to; return how many
    captures were new."""
    now = datetime.now(UTC)
    if page.queued:
        con.execute(
            "INSERT INTO backfill_cdx_pages VALUES (?, ?, NULL, false, 0, 0, ?)"
            " ON CONFLICT (source, query) DO UPDATE SET done = false"
            " WHERE backfill_cdx_pages.done",
            [page.source, page.query, now],
        )
        return 0
    con.begin()
    try:
        before = con.execute(
            "SELECT count(*) FROM backfill_captures WHERE source = ?", [page.source]
        ).fetchone()[0]
        if page.captures:
            con.executemany(
                "INSERT INTO backfill_captures (source, capture_id, url, captured_at, digest,"
                " mimetype, found_at, status) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending')"
                " ON CONFLICT DO NOTHING",
                [[page.source, c.capture_id, c.url, c.captured_at, c.digest, c.mimetype, now]
                 for c in page.captures],
            )  # fmt: skip
        after = con.execute(
            "SELECT count(*) FROM backfill_captures WHERE source = ?", [page.source]
        ).fetchone()[0]
        con.execute(
            """
            INSERT INTO backfill_cdx_pages VALUES (?, ?, ?, ?, 1, ?, ?)
            ON CONFLICT (source, query) DO UPDATE SET resume_key = excluded.resume_key,
                done = excluded.done, pages = backfill_cdx_pages.pages + 1,
                captures = backfill_cdx_pages.captures + excluded.captures,
                updated_at = excluded.updated_at
            """,
            [page.source, page.query, page.next_resume_key, page.next_resume_key is None,
             len(page.captures), now],
        )  # fmt: skip
        con.commit()
    except BaseException:
        rollback(con)
        raise
    return int(after - before)


def mark_capture(
    con: duckdb.DuckDBPyConnection, source: str, capture_id: str, ok: bool, fetch_id: int
) -> None:
    con.execute(
        "UPDATE backfill_captures SET status = ?, attempts = attempts + 1, fetch_id = ?"
        " WHERE source = ? AND capture_id = ?",
        ["fetched" if ok else "failed", fetch_id, source, capture_id],
    )


def counts(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, int]:
    rows = con.execute(
        "SELECT status, count(*) FROM backfill_captures WHERE source = ? GROUP BY status",
        [source],
    ).fetchall()
    return {status: int(n) for status, n in rows}
