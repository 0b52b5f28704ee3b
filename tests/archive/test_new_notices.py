"""Brand-new notices get their current row straight from their one staged row
(archive/sql/new_notices.sql) instead of from the history (archive/sql/rebuild_notices.sql).
Both must give the very same rows: ingest varied records, then rebuild every notice from
the history and compare."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from archive.columns import stage_rows
from archive.db import connect
from archive.ingest import ingest_records, rebuild_notices
from parsers.record import CATEGORIES
from parsers.states import STATES

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
LABELS = ["Issue Reported", "Final Update", "Current Update", None]
PHASES = [None, "investigating", "identified", "monitoring", "resolved", "postmortem"]
ORPHAN_FETCH = 99  # staged rows of a fetch the archive has no row for: never current


def _stamp(rng: random.Random, local: bool = False) -> str | None:
    if rng.random() < 0.2:
        return None
    at = T0 - timedelta(minutes=rng.randrange(0, 500_000), microseconds=rng.choice([0, 250]))
    return at.replace(tzinfo=None).isoformat() if local else at.isoformat()


def _record(rng: random.Random, key: str, variant: int) -> dict[str, Any]:
    state = rng.choice([None, *STATES])
    return {
        "notice_key": key,
        "source": "nhsmail",
        "url": "https://example.org/status",
        "layout": rng.choice(["wp_listing", "wp_post"]),
        "parser_version": "wp/1",
        "section": rng.choice([None, "Current", "Past"]),
        "title": f"{key} title {variant}",
        "summary": rng.choice([None, f"{key} summary"]),
        "reference": rng.choice([None, key.upper()]),
        "references": rng.choice([[], [{"kind": "inc", "value": key, "where": "title"}]]),
        "state_raw": state.upper() if state else None,
        "state": state,
        "state_source": "title" if state else None,
        "is_open": STATES[state] if state else None,
        "category": rng.choice([None, *CATEGORIES]),
        "severity": rng.choice([None, "major"]),
        "published_raw": "raw",
        "published_local": _stamp(rng, local=True),
        "published_at": _stamp(rng),
        "tz_label": rng.choice([None, "BST"]),
        "tz_policy": "europe_london",
        "page_updated_raw": rng.choice([None, "raw"]),
        "page_updated_local": _stamp(rng, local=True),
        "page_updated_at": _stamp(rng),
        "window_raw": rng.choice([None, "raw"]),
        "window_start_local": _stamp(rng, local=True),
        "window_end_local": _stamp(rng, local=True),
        "window_start": _stamp(rng) if rng.random() < 0.6 else None,
        "window_end": _stamp(rng) if rng.random() < 0.6 else None,
        "stated_duration_minutes": rng.choice([None, 0, 45, 90]),
        "details": rng.choice([{}, {"issue_status": "RESOLVED"}]),
        "body": f"{key} body",
        "flags": rng.choice([[], ["hour_24_with_pm"]]),
        "warnings": rng.choice([[], ["odd"]]),
        "updates": [
            {
                "label": rng.choice(LABELS),
                "at_raw": "raw",
                "at_local": _stamp(rng, local=True),
                "at": _stamp(rng),
                "text": "text",
                "status_raw": None,
                "status": rng.choice(PHASES),
                "flags": rng.choice([None, [], ["x"]]),
            }
            for _ in range(rng.randrange(0, 5))
        ],
    }


def _batch(rows: dict[int, list[dict[str, Any]]]) -> pa.Table:
    """Staged rows of several fetches: fetch i observed i hours after T0."""
    return pa.concat_tables(
        stage_rows(records, fetch_id=f, observed_at=T0 + timedelta(hours=f), snapshot_id=f)
        for f, records in sorted(rows.items())
    )


def _ingest(con: duckdb.DuckDBPyConnection, table: pa.Table) -> None:
    con.begin()
    ingest_records(con, table)
    con.commit()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_new_notices_match_the_rebuild_from_history(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    con = connect(tmp_path / "a.duckdb")
    con.execute(
        "INSERT INTO fetches (fetch_id, crawl_id, source, url, fetched_at, http_status,"
        " outcome, snapshot_id) SELECT i, CASE WHEN i % 3 = 0 THEN NULL ELSE i % 2 END,"
        " 'nhsmail', 'u', now(), 200, 'new', i FROM range(1, 9) t(i)"
    )
    # notices already in the archive, seen again (some changed) in the batch under test
    known = [f"nhsmail:known{i}" for i in range(30)]
    _ingest(con, _batch({1: [_record(rng, k, 0) for k in known]}))
    batch: dict[int, list[dict[str, Any]]] = {f: [] for f in (2, 3, 4, 5, ORPHAN_FETCH)}
    for i in range(300):  # one staged row, no history: the fast path
        batch[rng.choice([2, 3, 4, 5])].append(_record(rng, f"nhsmail:new{i}", 0))
    for i in range(30):  # new, but seen twice in the batch: same content, or changed
        key = f"nhsmail:twice{i}"
        batch[2].append(_record(random.Random(i), key, 0))
        batch[4].append(_record(random.Random(i), key, i % 2))
    for k in known:
        batch[5].append(_record(rng, k, rng.choice([0, 1])))
    for i in range(5):
        batch[ORPHAN_FETCH].append(_record(rng, f"nhsmail:orphan{i}", 0))
    _ingest(con, _batch(batch))

    single = con.execute("SELECT count(*) FROM stage_new WHERE single").fetchone()[0]
    assert single == 305  # the new ones and the orphans went the fast way
    con.execute("CREATE TEMP TABLE fast AS SELECT * FROM notices")
    con.begin()
    rebuild_notices(con, "SELECT notice_key FROM notice_versions")
    con.commit()
    diff = con.execute(
        "(FROM fast EXCEPT ALL FROM notices) UNION ALL (FROM notices EXCEPT ALL FROM fast)"
    ).fetchall()
    assert diff == []
    assert con.execute("SELECT count(*) FROM notices").fetchone()[0] == 300 + 30 + 30
    # the fast rows exercise every column (a column new_notices.sql left NULL would show);
    # a brand-new notice cannot have vanished
    names = [r[0] for r in con.execute("DESCRIBE notices").fetchall()]
    counts = con.execute(
        "SELECT " + ", ".join(f'count("{n}")' for n in names) + " FROM fast"
        " WHERE notice_key LIKE 'nhsmail:new%'"
    ).fetchone()
    assert [n for n, c in zip(names, counts, strict=True) if not c] == ["vanished_at"]
