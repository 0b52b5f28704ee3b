"""A small archive built by hand whose right answers are known, for the view, notebook and
report tests.

Three crawls an hour apart on 10 January 2023 (GMT, so local time = UTC):
  A  INC10000001 published 09:00, open at 09:30, resolved at 10:30 and 11:30 (revised)
  B  INC10000002 published 09:10, open in all three crawls             (still open)
  C  INC10000003 published 08:00, open at 09:30, gone at 10:30         (vanished open)
  D  INC10000004 published 07:00, first seen at 10:30 already resolved (first seen closed)
  E  a maintenance notice with only a stated window, seen once at 11:30 (no state)

`build_archive(path)` ingests them through the real parser and ingest; pass other
``crawls`` (same shape as CRAWLS) for a variant.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from archive.db import connect
from archive.ingest import FetchedPage, finish_crawl, ingest_page, start_crawl
from parsers import parse

URL = "https://support.nhs.net/category/service-status/"


def notice(title: str, stamp: str, *body: str) -> str:
    """One item of a copied listing page: bullet title, date line, body lines."""
    lines = [f"  • {title}", "", f"    {stamp}", *(f"    {b}" for b in body), ""]
    return "\n".join(lines)


A_OPEN = notice("INC10000001 – Relay Delay – NEW", "10/01/2023 09:00:00 AM",
                "We are aware of delays on the relay.",
                "Issue Reported: 10/01/2023 08:45:00 AM")  # fmt: skip
A_DONE = notice("INC10000001 – Relay Delay – RESOLVED", "10/01/2023 09:00:00 AM",
                "We are aware of delays on the relay.",
                "Issue Reported: 10/01/2023 08:45:00 AM",
                "Final Update: 10/01/2023 10:15:00 AM – Mail is flowing normally.")  # fmt: skip
B = notice("INC10000002 – Portal Slowness – ONGOING", "10/01/2023 09:10:00 AM",
           "Some Portal pages are slow to load.")  # fmt: skip
C = notice("INC10000003 – Teams Sign-in – NEW", "10/01/2023 08:00:00 AM",
           "Some users cannot sign in to Teams.")  # fmt: skip
D = notice("INC10000004 – Mail Outage – RESOLVED", "10/01/2023 07:00:00 AM",
           "RESOLVED – Mail could not be sent for a short time.")  # fmt: skip
E = notice("Relay Maintenance", "10/01/2023 11:00:00 AM",
           "The relay will be unavailable between 22:00 and 23:30 on the 14th January 2023.")  # fmt: skip

Crawls = Sequence[tuple[datetime, Sequence[str]]]

CRAWLS: Crawls = [
    (datetime(2023, 1, 10, 9, 30, tzinfo=UTC), [A_OPEN, B, C]),
    (datetime(2023, 1, 10, 10, 30, tzinfo=UTC), [A_DONE, B, D]),
    (datetime(2023, 1, 10, 11, 30, tzinfo=UTC), [A_DONE, B, D, E]),
]


def build_archive(db: Path, crawls: Crawls = CRAWLS) -> duckdb.DuckDBPyConnection:
    """Create the archive at ``db`` from ``crawls``, one listing page per crawl; return the
    writable connection (close it before another process opens the file)."""
    con = connect(db)
    for at, notices in crawls:
        crawl_id = start_crawl(con, "nhsmail", at)
        page = FetchedPage("nhsmail", URL, at, 200, "\n".join(notices).encode())
        outcome = ingest_page(
            con,
            crawl_id,
            page,
            lambda p: parse(p.source, p.body, url=p.url, fetched_at=p.fetched_at),
        )
        assert outcome.outcome == "new"
        finish_crawl(con, crawl_id, at)
    return con


def tampered_copy(archive: Path, dest: Path, *statements: str) -> Path:
    """A copy of ``archive`` at ``dest``, changed by ``statements`` (an older or a newer
    release's leavings)."""
    import shutil

    shutil.copy(archive, dest)
    con = duckdb.connect(str(dest))
    for statement in statements:
        con.execute(statement)
    con.close()
    return dest
