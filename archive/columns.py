"""How a parser record becomes archive columns: one list, used by ingest and the tests.

Nested fields stay nested (DuckDB lists, structs and maps), so analysts can `unnest` the
references or `list_contains(flags, 'hour_24_with_pm')` without parsing JSON.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pyarrow as pa

REFERENCE = pa.struct([("kind", pa.string()), ("value", pa.string()), ("where", pa.string())])
UPDATE = pa.struct(
    [
        ("label", pa.string()),
        ("at_raw", pa.string()),
        ("at_local", pa.timestamp("us")),
        ("at", pa.timestamp("us", tz="UTC")),
        ("text", pa.string()),
        ("status_raw", pa.string()),
        ("status", pa.string()),
        ("flags", pa.list_(pa.string())),
    ]
)
LOCAL = pa.timestamp("us")
UTC = pa.timestamp("us", tz="UTC")

# Record field -> Arrow type, in notice_versions' column order.
RECORD_COLUMNS: dict[str, pa.DataType] = {
    "notice_key": pa.string(),
    "source": pa.string(),
    "url": pa.string(),
    "layout": pa.string(),
    "parser_version": pa.string(),
    "section": pa.string(),
    "title": pa.string(),
    "summary": pa.string(),
    "reference": pa.string(),
    "references": pa.list_(REFERENCE),
    "state_raw": pa.string(),
    "state": pa.string(),
    "state_source": pa.string(),
    "is_open": pa.bool_(),
    "category": pa.string(),
    "severity": pa.string(),
    "published_raw": pa.string(),
    "published_local": LOCAL,
    "published_at": UTC,
    "tz_label": pa.string(),
    "tz_policy": pa.string(),
    "page_updated_raw": pa.string(),
    "page_updated_local": LOCAL,
    "page_updated_at": UTC,
    "window_raw": pa.string(),
    "window_start_local": LOCAL,
    "window_end_local": LOCAL,
    "window_start": UTC,
    "window_end": UTC,
    "stated_duration_minutes": pa.int32(),
    "details": pa.map_(pa.string(), pa.string()),
    "body": pa.string(),
    "flags": pa.list_(pa.string()),
    "warnings": pa.list_(pa.string()),
}
# What makes two observations the same version: the notice's content, not where or when
# it was seen, which parser read it, or the page's own "Last updated" stamp.
NOT_HASHED = {"source", "url", "layout", "parser_version", "page_updated_raw",
              "page_updated_local", "page_updated_at"}  # fmt: skip
HASHED = [name for name in RECORD_COLUMNS if name not in NOT_HASHED and name != "notice_key"]
STAGE_COLUMNS: dict[str, pa.DataType] = {
    "fetch_id": pa.int64(),
    "observed_at": UTC,
    "snapshot_id": pa.int64(),
    **RECORD_COLUMNS,
    "updates": pa.list_(UPDATE),
}
STAGE_SCHEMA = pa.schema(list(STAGE_COLUMNS.items()))


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _times(row: dict[str, Any], names: tuple[str, ...]) -> None:
    for name in names:
        row[name] = _time(row[name])


_TIME_FIELDS = tuple(n for n, t in RECORD_COLUMNS.items() if t in (LOCAL, UTC))


def staged_row(
    record: dict[str, Any], *, fetch_id: int, observed_at: datetime, snapshot_id: int
) -> dict[str, Any]:
    """One parser record (a JSON-shaped dict) as a row of the staging layout."""
    row = {name: record[name] for name in RECORD_COLUMNS}
    _times(row, _TIME_FIELDS)
    row["details"] = list(record["details"].items())
    updates = []
    for update in record["updates"]:
        u = dict(update)
        u["at_local"], u["at"] = _time(u["at_local"]), _time(u["at"])
        updates.append(u)
    row["updates"] = updates
    row.update(fetch_id=fetch_id, observed_at=observed_at, snapshot_id=snapshot_id)
    return row


def stage_rows(
    records: list[dict[str, Any]], *, fetch_id: int, observed_at: datetime, snapshot_id: int
) -> pa.Table:
    """Parser records (JSON-shaped dicts) as an Arrow table in the staging layout."""
    rows = [
        staged_row(r, fetch_id=fetch_id, observed_at=observed_at, snapshot_id=snapshot_id)
        for r in records
    ]
    return pa.Table.from_pylist(rows, schema=STAGE_SCHEMA)
