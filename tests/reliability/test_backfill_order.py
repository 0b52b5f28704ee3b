"""A defect the kill -9 runs found: a backfill ingested captures newest first.

Scrapy's scheduler is last-in first-out, so the captures a CDX page listed in time order
were fetched in reverse. Versions are numbered, and events dated, in the order observations
are ingested: a notice's versions came out backwards (RESOLVED as version 1), its 'appeared'
was dated after its 'changed' events, and a reparse with the same parsers renumbered
everything instead of reproducing the archive.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tests.crawl.site import rows
from tests.reliability import harness as h
from tests.reliability.script import LISTING, WebArchive


def test_captures_are_ingested_in_observation_order(tmp_path: Path) -> None:
    db = tmp_path / "archive.duckdb"
    web = WebArchive()
    try:
        for i, step in enumerate((0, 2, 4, 6)):  # NEW, ONGOING, RESOLVED, RESOLVED
            web.add(step, at=datetime(2021, 3, 1 + 2 * i, 12, tzinfo=UTC))
        run = h.notices("backfill", "nhsmail", "--db", str(db), "--cdx-url",
                        web.server.url("/cdx"), "--pattern", "support.nhs.net" + LISTING,
                        *h.BACKFILL)  # fmt: skip
    finally:
        web.server.stop()
    assert run.returncode == 0, run.stdout + run.stderr[-800:]
    by_number = rows(db, "SELECT notice_key, version, state_raw FROM notice_versions"
                         " ORDER BY notice_key, version")  # fmt: skip
    by_time = rows(db, "SELECT notice_key, version, state_raw FROM notice_versions"
                       " ORDER BY notice_key, first_observed_at")  # fmt: skip
    assert by_number == by_time
    assert [r[2] for r in by_number if r[0] == "nhsmail:INC30000000"] == [
        "NEW", "ONGOING", "RESOLVED"]  # fmt: skip
    first_events = rows(db, "SELECT DISTINCT notice_key, first_value(event) OVER ("
                            " PARTITION BY notice_key ORDER BY event_at) FROM notice_events")  # fmt: skip
    assert {event for _, event in first_events} == {"appeared"}
    before = h.keys(db, numbered=True)
    assert h.reparse(db).returncode == 0
    assert h.keys(db, numbered=True) == before, "a reparse reproduces the archive exactly"
    h.invariants(db)
