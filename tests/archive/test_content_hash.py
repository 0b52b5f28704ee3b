"""A version's content hash (`archive.columns.CONTENT_HASH_SQL`) is what pairs an
observation with a stored version. It is DuckDB's hash(), which DuckDB does not promise to
keep across its releases: archives record what computed theirs, and a writable open
recomputes them when that changes (`archive.db.rehash`)."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from archive.columns import CONTENT_HASH_SQL, HASHED, NOT_HASHED, STAGE_SCHEMA
from archive.db import ArchiveUnusable, connect
from tests.archive.test_new_notices import T0, _batch, _ingest, _record


def _hashes(rows: list[dict[str, Any]]) -> list[str]:
    con = duckdb.connect()
    con.register("rows_in", pa.Table.from_pylist(rows, schema=STAGE_SCHEMA))
    return [h for (h,) in con.execute(f"SELECT {CONTENT_HASH_SQL} FROM rows_in").fetchall()]


def _changed(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, str):
        return value + "!"
    if isinstance(value, int):
        return value + 1
    if isinstance(value, list):  # a map's items take a new key
        return [*value, ("changed", "yes") if isinstance(value[0], tuple) else value[0]]
    return value + timedelta(minutes=1)  # a timestamp


def test_every_hashed_field_tells_versions_apart_and_no_other_does() -> None:
    record = _record(random.Random(4), "nhsmail:inc1", 0)
    base = _batch({1: [record]}).to_pylist()[0]
    for name, value in list(base.items()):  # a value in every field, to change
        if value is None:
            at = T0 + timedelta(days=len(name))
            base[name] = at.replace(tzinfo=None) if name.endswith("_local") else (
                at if name.endswith(("_at", "_start", "_end")) else f"{name} shown")  # fmt: skip
    base.update(stated_duration_minutes=30, is_open=True, flags=["hour_24_with_pm"],
                warnings=["odd"], details=[("issue_status", "OPEN")],
                references=[{"kind": "nhsmail_inc", "value": "INC1", "where": "title"}])  # fmt: skip
    variants = [dict(base, **{name: _changed(base[name])}) for name in HASHED]
    # a nested field absent, empty or holding a NULL: three contents
    for name, holding_null in (
        ("flags", [None]),
        ("warnings", [None]),
        ("references", [None]),
        ("details", [("issue_status", None)]),
    ):
        variants += [dict(base, **{name: v}) for v in (None, [], holding_null)]
    elsewhere = [dict(base, **{name: _changed(base[name])}) for name in NOT_HASHED]
    hashes = _hashes([base, dict(base), *variants, *elsewhere])
    assert hashes[1] == hashes[0]
    content = hashes[2 : 2 + len(variants)]
    assert len(set(content)) == len(variants) and hashes[0] not in content
    assert set(hashes[2 + len(variants) :]) == {hashes[0]}  # not content: the same version


@pytest.fixture
def ingested(tmp_path: Path) -> tuple[Path, list[tuple]]:  # type: ignore[type-arg]
    """An archive of varied records, seen twice (some changed), and its stored hashes."""
    db = tmp_path / "a.duckdb"
    con = connect(db)
    con.execute(
        "INSERT INTO fetches (fetch_id, source, url, fetched_at, http_status, outcome,"
        " snapshot_id) SELECT i, 'nhsmail', 'u', now(), 200, 'new', i FROM range(1, 9) t(i)"
    )
    rng = random.Random(11)
    keys = [f"nhsmail:inc{i}" for i in range(60)]
    _ingest(con, _batch({1: [_record(random.Random(k), k, 0) for k in keys]}))
    _ingest(con, _batch({2: [_record(random.Random(k), k, rng.choice([0, 1])) for k in keys]}))
    con.close()
    return db, _stored(db)


def _stored(db: Path) -> list[tuple]:  # type: ignore[type-arg]
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(
            "SELECT 'v', notice_key, version, content_hash FROM notice_versions UNION ALL"
            " SELECT 'n', notice_key, version, content_hash FROM notices ORDER BY ALL"
        ).fetchall()
    finally:
        con.close()


def _tamper(db: Path, *statements: str) -> None:
    con = duckdb.connect(str(db))
    for statement in statements:
        con.execute(statement)
    con.close()


def test_hashes_computed_otherwise_are_recomputed_as_ingest_computes_them(
    ingested: tuple[Path, list[tuple]],  # type: ignore[type-arg]
) -> None:
    """As after a DuckDB release whose hash() differs, or an archive of md5 hashes: the
    next writable open rehashes every version (from the stored rows, to what ingest gives
    the staged ones), and the same records seen again make no new version."""
    db, hashes = ingested
    versions = sum(1 for row in hashes if row[0] == "v")
    assert versions > 60  # some notices changed
    _tamper(
        db,
        "UPDATE notice_versions SET content_hash = md5(notice_key || version)",
        "UPDATE notices SET content_hash = md5(notice_key || version)",
        "UPDATE archive_meta SET value = 'another duckdb' WHERE name = 'content_hash'",
    )
    assert _stored(db) != hashes
    con = connect(db)
    con.close()
    assert _stored(db) == hashes
    con = connect(db)
    keys = [f"nhsmail:inc{i}" for i in range(60)]
    rng = random.Random(11)
    table = _batch({3: [_record(random.Random(k), k, rng.choice([0, 1])) for k in keys]})
    _ingest(con, table)
    assert con.execute("SELECT count(*) FROM notice_versions").fetchone()[0] == versions
    con.close()


def test_versions_a_rehash_cannot_tell_apart_stop_the_open_and_change_nothing(
    ingested: tuple[Path, list[tuple]],  # type: ignore[type-arg]
) -> None:
    db, hashes = ingested
    same = ", ".join(f'"{name}" = f."{name}"' for name in HASHED)
    _tamper(
        db,
        f"UPDATE notice_versions v SET {same} FROM notice_versions f"
        " WHERE f.notice_key = v.notice_key AND f.version = 1 AND v.version = 2",
        "DELETE FROM archive_meta WHERE name = 'content_hash'",
    )
    with pytest.raises(ArchiveUnusable, match=r"versions \[1, 2\] of nhsmail:inc\d+ have the same"):
        connect(db)
    assert _stored(db) == hashes


def test_an_archive_hashed_by_this_duckdb_is_not_rehashed(
    ingested: tuple[Path, list[tuple]],  # type: ignore[type-arg]
) -> None:
    db, _ = ingested
    _tamper(db, "UPDATE notices SET content_hash = 'left alone'")
    connect(db).close()
    assert {h for kind, _, _, h in _stored(db) if kind == "n"} == {"left alone"}
