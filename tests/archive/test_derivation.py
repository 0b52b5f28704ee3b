"""What a release derives from the history is numbered (`archive.db.DERIVATION`): archives
record it, readers of an older derivation are sent to `notices migrate`, and no release
rewrites an archive that a newer one wrote."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from archive.db import (
    DERIVATION,
    ArchiveUnusable,
    connect,
    migrations,
    notices_derivation,
    views_digest,
)
from tests.handbuilt import build_archive, tampered_copy


def test_a_change_to_the_derivation_bumps_its_number() -> None:
    """Changed rebuild_notices.sql, new_notices.sql, a view or the renderings? Bump
    DERIVATION in archive/db.py, then put the new digests here."""
    assert (DERIVATION, notices_derivation(), views_digest()) == (
        9,
        "f687ef602f2c7ab6",
        "e28fa6b043e2b05d",
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("derivation") / "a.duckdb"
    build_archive(db).close()
    return db


def _copy(built: Path, tmp_path: Path, *statements: str) -> Path:
    return tampered_copy(built, tmp_path / "a.duckdb", *statements)


def _rows(db: Path) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(
            "SELECT * EXCLUDE (notice_key), notice_key FROM notices ORDER BY notice_key"
        ).fetchall()
    finally:
        con.close()


def test_an_archive_a_newer_release_wrote_is_neither_rewritten_nor_read(
    built: Path, tmp_path: Path
) -> None:
    db = _copy(
        built,
        tmp_path,
        f"UPDATE archive_meta SET value = '{DERIVATION + 1}' WHERE name = 'derivation'",
        "UPDATE archive_meta SET value = 'newer' WHERE name = 'notices_derivation'",
        "UPDATE notices SET final_at = TIMESTAMPTZ '2030-01-01 00:00:00+00'",
    )
    before = _rows(db)
    for read_only in (False, True):
        with pytest.raises(ArchiveUnusable, match="written by a newer release"):
            connect(db, read_only=read_only)
    assert _rows(db) == before  # no rebuild with this release's older SQL


def test_an_archive_of_a_newer_schema_is_not_written(built: Path, tmp_path: Path) -> None:
    latest = migrations()[-1][0]
    db = _copy(
        built,
        tmp_path,
        f"INSERT INTO schema_migrations (version, name) VALUES ({latest + 1}, 'from_the_future')",
    )
    for read_only in (False, True):
        with pytest.raises(ArchiveUnusable, match="newer than this release's"):
            connect(db, read_only=read_only)


def test_an_older_derivation_is_rebuilt_on_a_writable_open(built: Path, tmp_path: Path) -> None:
    want = _rows(built)
    db = _copy(
        built,
        tmp_path,
        "UPDATE archive_meta SET value = '0' WHERE name = 'derivation'",
        "UPDATE notices SET final_at = NULL, last_open = NULL",
    )
    with pytest.raises(ArchiveUnusable, match=f"derivation 0, this release's is {DERIVATION}"):
        connect(db, read_only=True)
    connect(db).close()
    assert _rows(db) == want
    connect(db, read_only=True).close()


@pytest.mark.parametrize("value", ["3.1", "next", ""])
def test_a_derivation_this_release_cannot_read_is_a_newer_ones(
    built: Path, tmp_path: Path, value: str
) -> None:
    db = _copy(
        built, tmp_path, f"UPDATE archive_meta SET value = '{value}' WHERE name = 'derivation'"
    )
    for read_only in (False, True):
        with pytest.raises(ArchiveUnusable, match="written by a newer release"):
            connect(db, read_only=read_only)
