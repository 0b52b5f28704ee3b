"""The archive on its own: migrations, vocabularies, idempotent ingest, two clocks."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from archive.columns import HASHED, RECORD_COLUMNS
from archive.db import connect, migrations
from archive.ingest import FetchedPage, finish_crawl, ingest_page, start_crawl
from parsers import parse
from parsers.record import CATEGORIES
from parsers.states import STATES
from tests.crawl.site import check_invariants
from tests.golden import FIXTURES

LISTING = (FIXTURES / "nhsmail" / "wp_listing-2022-11-08" / "page.txt").read_bytes()
URL = "https://support.nhs.net/category/service-status/"
T0 = datetime(2022, 11, 8, 9, 0, tzinfo=UTC)


def _parse(page: FetchedPage):  # type: ignore[no-untyped-def]
    return parse(page.source, page.body or b"", url=page.url, fetched_at=page.fetched_at)


def _crawl(con: duckdb.DuckDBPyConnection, body: bytes | None, at: datetime, status: int = 200):  # type: ignore[no-untyped-def]
    crawl_id = start_crawl(con, "nhsmail", at)
    outcome = ingest_page(con, crawl_id, FetchedPage("nhsmail", URL, at, status, body), _parse)
    return outcome, finish_crawl(con, crawl_id, at + timedelta(minutes=1))


def _visit(con: duckdb.DuckDBPyConnection, url: str, body: str, at: datetime):  # type: ignore[no-untyped-def]
    """One crawl of one page at ``at``: its outcome and the crawl's summary."""
    crawl_id = start_crawl(con, "nhsmail", at)
    outcome = ingest_page(
        con, crawl_id, FetchedPage("nhsmail", url, at, 200, body.encode()), _parse
    )
    return outcome, finish_crawl(con, crawl_id, at)


def _visits(con: duckdb.DuckDBPyConnection, url: str, pages: list[tuple[str, datetime]]):  # type: ignore[no-untyped-def]
    """One crawl of one page per (body, time): their outcomes and the last crawl's summary."""
    visits = [_visit(con, url, body, at) for body, at in pages]
    return [outcome for outcome, _ in visits], visits[-1][1]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "a.duckdb"


def test_migrations_are_recorded_and_reopening_applies_nothing(db: Path) -> None:
    con = connect(db)
    names = [
        r[0] for r in con.execute("SELECT name FROM schema_migrations ORDER BY version").fetchall()
    ]
    assert names == [name for _, name, _ in migrations()]
    con.close()
    con = connect(db)
    assert con.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == len(names)


def test_a_migration_that_fails_leaves_no_part_of_itself(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import archive.db

    connect(db).close()
    shipped = migrations()
    broken = "CREATE TABLE half_done (x INTEGER); ALTER TABLE notices ADD COLUMN half INTEGER;"
    broken += " INSERT INTO half_done SELECT * FROM no_such_table;"
    monkeypatch.setattr(archive.db, "migrations", lambda: [*shipped, (999, "broken", broken)])
    with pytest.raises(duckdb.CatalogException, match="no_such_table"):
        connect(db)
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] == shipped[-1][0]
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert "half_done" not in tables
    columns = {r[0] for r in con.execute("DESCRIBE notices").fetchall()}
    assert "half" not in columns
    con.close()
    monkeypatch.undo()
    connect(db).close()  # and the release's own migrations still open it


# The content hash as the releases before migration 019 wrote it: 32 hex characters over
# DuckDB's own text of every field.
_HEX_HASH = "md5(concat_ws(chr(31), {}))".format(
    ", ".join(f'coalesce(CAST("{c}" AS VARCHAR), chr(0))' for c in HASHED)
)


def test_hashes_from_before_019_are_redone_and_still_pair(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before migration 019 a hash was 32 hex characters over DuckDB's own text for lists
    and maps, which changed between DuckDB releases. Upgraded, every stored version is
    hashed as ingest hashes now: the same records staged again add no version, and a
    content recorded twice under two releases' texts keeps both versions, sighted as the
    first."""
    import random

    import archive.db
    import archive.ingest
    from tests.archive.test_new_notices import _batch, _record

    records = [_record(random.Random(i), f"nhsmail:inc{i}", 0) for i in range(20)]
    for i, record in enumerate(records[:10]):  # values DuckDB 1.2 and 1.4 write apart
        record.update(details={"issue_status": f"RESOLVED, {i}"}, flags=["a, b"],
                      references=[{"kind": "inc", "value": "INC1, INC2", "where": "[title]"}])  # fmt: skip
    fetch = (
        "INSERT INTO fetches (fetch_id, source, url, fetched_at, http_status, outcome, snapshot_id)"
    )
    with monkeypatch.context() as before:
        before.setattr(archive.db, "migrations", lambda: migrations()[:18])
        before.setattr(archive.ingest, "_HASH_SQL", _HEX_HASH)
        con = connect(db)
        con.execute("INSERT INTO contents VALUES ('x', 'zlib', 0, ''::BLOB)")
        con.execute(
            "INSERT INTO snapshots (snapshot_id, source, url, fetched_at, http_status, sha256,"
            " headers, origin, parse_outcome) SELECT i, 'nhsmail', 'u', now(), 200, 'x', '{}',"
            " 'live', 'parsed' FROM range(1, 4) t(i)"
        )
        con.execute(fetch + " SELECT i, 'nhsmail', 'u', now(), 200, 'new', i FROM range(1, 4) t(i)")
        con.begin()
        archive.ingest.ingest_records(con, _batch({1: records}))
        con.commit()
        # notice 0's content as another DuckDB release hashed it: a second version
        con.execute(
            "INSERT INTO notice_versions SELECT * REPLACE (2 AS version, md5('1.2') AS"
            " content_hash) FROM notice_versions WHERE notice_key = 'nhsmail:inc0'"
        )
        old = con.execute("SELECT notice_key, version, content_hash FROM notice_versions")
        old = old.fetchall()
        con.close()
    assert len(old) == 21 and all(re.fullmatch("[0-9a-f]{32}", h) for _, _, h in old)
    con = connect(db)
    kinds = con.execute(
        "SELECT DISTINCT data_type FROM duckdb_columns() WHERE column_name = 'content_hash'"
        " AND table_name IN ('notices', 'notice_versions')"
    )
    assert kinds.fetchall() == [("UUID",)]
    versions = "SELECT notice_key, version FROM notice_versions ORDER BY ALL"
    assert con.execute(versions).fetchall() == sorted((k, v) for k, v, _ in old)
    kept = con.execute(
        "SELECT replace(content_hash::VARCHAR, '-', '') FROM notice_versions"
        " WHERE notice_key = 'nhsmail:inc0' AND version = 2"
    )
    assert kept.fetchall() == [(hashlib.md5(b"1.2").hexdigest(),)]
    current = "SELECT notice_key, version, content_hash FROM notices ORDER BY ALL"
    assert con.execute(
        "SELECT n.notice_key, n.version, v.content_hash FROM notices n"
        " JOIN notice_versions v USING (notice_key, version) ORDER BY ALL"
    ).fetchall() == con.execute(current).fetchall()  # fmt: skip
    con.begin()
    assert archive.ingest.ingest_records(con, _batch({2: records})) == 0
    con.commit()
    assert con.execute(versions).fetchall() == sorted((k, v) for k, v, _ in old)
    sighted = "SELECT notice_key, version FROM sightings WHERE fetch_id = 2 ORDER BY ALL"
    assert con.execute(sighted).fetchall() == [(f"nhsmail:inc{i}", 1) for i in sorted(
        range(20), key=lambda i: f"nhsmail:inc{i}")]  # fmt: skip
    con.close()
    check_invariants(db)


def test_versions_one_page_showed_together_are_numbered_as_a_reparse_numbers_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One page showing a notice twice, in two texts: their versions are numbered by
    content hash, so migration 019's new hashes renumber them (and everything naming the
    versions) as a reparse now would, and the current row follows."""
    import archive.db
    import archive.ingest
    from archive.reparse import reparse
    from tests.handbuilt import B, C, D, build_archive, notice

    at = datetime(2023, 1, 10, 9, 30, tzinfo=UTC)
    numbered = "SELECT notice_key, version, state_raw FROM notice_versions ORDER BY ALL"
    events = "SELECT notice_key, event, version, fetch_id FROM notice_events ORDER BY ALL"
    tables = ("notice_updates", "sightings")
    named = " UNION ALL ".join(
        f"SELECT '{t}', version, count(*) FROM {t} GROUP BY ALL" for t in tables
    )
    orders = set()
    for v in range(6):  # old and new hashes sort the two texts alike, or not
        page = [notice("INC10000001 – Relay Delay – NEW", "10/01/2023 09:00:00 AM", f"Delays ({v})."),
                notice("INC10000001 – Relay Delay – RESOLVED", "10/01/2023 09:00:00 AM", f"Flowing ({v}).")]  # fmt: skip
        db = tmp_path / f"{v}.duckdb"
        with monkeypatch.context() as before:
            before.setattr(archive.db, "migrations", lambda: migrations()[:18])
            before.setattr(archive.ingest, "_HASH_SQL", _HEX_HASH)
            # shown, dropped, shown again: a reappearance names one of the two versions
            con = build_archive(db, [(at, [*page, B, C, D]), (at + timedelta(hours=1), [B, C, D]),
                                     (at + timedelta(hours=2), [*page, B, C, D])])  # fmt: skip
            stored = con.execute(numbered).fetchall()
            con.close()
        con = connect(db)
        upgraded = con.execute(numbered).fetchall()
        orders.add(upgraded == stored)
        state = "SELECT notice_key, version, state_raw FROM notices ORDER BY ALL"
        queries = (numbered, state, events, named + " ORDER BY ALL")
        rows = {q: con.execute(q).fetchall() for q in queries}
        assert any(e[1] == "reappeared" for e in rows[events])
        report = reparse(con, jobs=1)
        assert report.changed_notices == 0, report.lines()
        assert {q: con.execute(q).fetchall() for q in rows} == rows
        con.close()
        check_invariants(db)
    assert orders == {True, False}, "both renumbered and not"


def test_state_and_category_checks_come_from_the_parsers_vocabulary(db: Path) -> None:
    con = connect(db)
    sql = con.execute(
        "SELECT sql FROM duckdb_tables() WHERE table_name = 'notice_versions'"
    ).fetchone()[0]
    for state in STATES:
        assert f"'{state}'" in sql
    for category in CATEGORIES:
        assert f"'{category}'" in sql
    with pytest.raises(duckdb.ConstraintException):
        con.execute(
            "INSERT INTO notice_updates (notice_key, version, seq, status, flags)"
            " VALUES ('k', 1, 1, 'wobbly', [])"
        )


def test_version_columns_follow_the_record_contract(db: Path) -> None:
    con = connect(db)
    cols = [r[0] for r in con.execute("DESCRIBE notice_versions").fetchall()]
    assert [c for c in cols if c in RECORD_COLUMNS] == list(RECORD_COLUMNS)
    assert set(cols) - set(RECORD_COLUMNS) == {
        "version",
        "content_hash",
        "first_observed_at",
        "last_observed_at",
        "snapshot_id",
        "changed",
    }


def test_same_page_twice_changes_nothing_of_substance(db: Path) -> None:
    con = connect(db)
    first, _ = _crawl(con, LISTING, T0)
    assert (first.outcome, first.notices, first.versions_new) == ("new", 6, 6)
    count = lambda t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: E731
    tables = ("snapshots", "contents", "notice_versions", "notice_updates", "notice_events")
    before = {t: count(t) for t in tables}
    current = "SELECT notice_key, version, state, first_seen_at FROM notices ORDER BY 1"
    notices_before = con.execute(current).fetchall()
    again, summary = _crawl(con, LISTING, T0 + timedelta(hours=1))
    assert (again.outcome, again.versions_new, summary["outcome"]) == ("unchanged", 0, "ok")
    assert {t: count(t) for t in tables} == before
    assert con.execute(current).fetchall() == notices_before
    assert count("crawls") == 2 and count("sightings") == 12  # seen again, now
    con.close()
    check_invariants(db)


def test_ingesting_the_same_records_twice_adds_no_versions(db: Path) -> None:
    from archive.columns import stage_rows
    from archive.ingest import ingest_records

    con = connect(db)
    outcome, _ = _crawl(con, LISTING, T0)
    records = parse("nhsmail", LISTING, url=URL).records
    table = stage_rows(
        records, fetch_id=outcome.fetch_id, observed_at=T0, snapshot_id=outcome.snapshot_id
    )
    con.begin()
    assert ingest_records(con, table) == 0
    con.commit()
    assert con.execute("SELECT count(*) FROM sightings").fetchone()[0] == 6
    assert con.execute("SELECT count(*) FROM notice_versions").fetchone()[0] == 6
    con.close()
    check_invariants(db)


def test_two_clocks_page_claims_and_observation_times_stay_apart(db: Path) -> None:
    con = connect(db)
    _crawl(con, LISTING, T0)
    row = con.execute(
        "SELECT published_at, first_observed_at FROM notice_versions WHERE notice_key = 'nhsmail:INC32011845'"
    ).fetchone()
    assert row[0] == datetime(2022, 10, 31, 8, 5, tzinfo=UTC)  # what the page claims
    assert row[1] == T0  # when we saw it


def test_failed_fetch_is_never_a_sighting_and_vanishes_nothing(db: Path) -> None:
    con = connect(db)
    _crawl(con, LISTING, T0)
    outcome, summary = _crawl(con, None, T0 + timedelta(hours=1), status=503)
    assert outcome.outcome == "failed" and summary["outcome"] == "failed"
    assert con.execute("SELECT count(*) FROM sightings").fetchone()[0] == 6
    assert (
        con.execute("SELECT count(*) FROM notices WHERE vanished_at IS NOT NULL").fetchone()[0] == 0
    )


def test_drift_keeps_the_snapshot_and_vanishes_nothing(db: Path) -> None:
    con = connect(db)
    _crawl(con, LISTING, T0)
    outcome, summary = _crawl(
        con, b"<html><body><p>We have moved.</p></body></html>", T0 + timedelta(hours=1)
    )
    assert outcome.outcome == "drift" and summary["outcome"] == "drift"
    assert con.execute("SELECT parse_outcome FROM snapshots ORDER BY snapshot_id").fetchall() == [
        ("parsed",),
        ("drift",),
    ]
    assert (
        con.execute("SELECT count(*) FROM notices WHERE vanished_at IS NOT NULL").fetchone()[0] == 0
    )
    assert "layouts tried" in summary["errors"][0]


@pytest.mark.parametrize("before", [LISTING, None], ids=["drift", "no_notices"])
def test_an_unreadable_page_that_comes_again_unchanged_keeps_its_outcome(
    db: Path, before: bytes | None
) -> None:
    # The same unread bytes must give the same outcome every time they come: it was drift
    # (exit 4) once, then "unchanged" (exit 0) for good, and its log line said "None".
    con = connect(db)
    if before is not None:
        _crawl(con, before, T0)
    blank = b"<html><body><p>We have moved.</p></body></html>"
    first, _ = _crawl(con, blank, T0 + timedelta(hours=1))
    for hours in (2, 3):
        again, summary = _crawl(con, blank, T0 + timedelta(hours=hours))
        assert again.outcome == first.outcome
        assert summary["outcome"] == "drift"  # as the first time (no_notices counts so)
        assert again.message.startswith(
            f"unchanged since snapshot {again.snapshot_id}, still {first.outcome}: "
        )
        assert first.message[:100] in again.message  # and why, as the first time
        assert summary["errors"] and "None" not in summary["errors"][0]
    stored = con.execute("SELECT outcome FROM fetches ORDER BY fetch_id").fetchall()
    assert stored[-3:] == [(first.outcome,)] * 3
    assert con.execute("SELECT count(*) FROM snapshots").fetchone()[0] == 1 + (before is not None)
    assert (
        con.execute("SELECT count(*) FROM notices WHERE vanished_at IS NOT NULL").fetchone()[0] == 0
    )


STATUS_PAGE = """Service Status

Last updated: {updated}

High Severity Service Incidents

In the event of High Severity Service Incidents (HSSIs), information will be provided here.
{items}
Portal Known Issues

There are no known issues at present.
"""
ITEM = """
  • INC01872345– HSSI – NEW

    Some users cannot sign in to Outlook Web Access.
"""


def test_a_status_page_emptied_of_incidents_is_not_drift(db: Path) -> None:
    con = connect(db)
    url = "http://support.nhs.net/servicestatus"
    pages = [(STATUS_PAGE.format(updated="10/05/2017 09:00", items=ITEM), T0),
             (STATUS_PAGE.format(updated="10/05/2017 12:00", items=""), T0 + timedelta(hours=3))]  # fmt: skip
    outcomes, summary = _visits(con, url, pages)
    assert [o.outcome for o in outcomes] == ["new", "new"]
    assert summary["outcome"] == "ok" and summary["vanished"] == 1
    assert con.execute("SELECT vanished_at FROM notices").fetchall() == [(T0 + timedelta(hours=3),)]


def test_a_status_page_cut_short_vanishes_nothing(db: Path) -> None:
    """A capture or transfer that stops before the incidents section's items is no proof
    that the incidents went: the page fails loudly and every notice stays on show."""
    con = connect(db)
    url = "http://support.nhs.net/servicestatus"
    whole = STATUS_PAGE.format(updated="10/05/2017 12:00", items="")
    cut = "<!DOCTYPE html><html><body>" + "".join(
        f"<p>{line}</p>" for line in whole.splitlines() if line
    )
    cut = cut[: cut.index(" will be provided")]
    pages = [(STATUS_PAGE.format(updated="10/05/2017 09:00", items=ITEM), T0),
             (cut, T0 + timedelta(hours=3))]  # fmt: skip
    outcomes, summary = _visits(con, url, pages)
    assert [o.outcome for o in outcomes] == ["new", "drift"]
    assert summary["outcome"] == "drift" and summary["vanished"] == 0
    assert con.execute("SELECT vanished_at FROM notices").fetchall() == [(None,)]
    assert con.execute("SELECT warnings FROM snapshots ORDER BY snapshot_id").fetchall()[1] == (
        ["cut short: the HTML document ends before </body> and </html>"],
    )


STATUS_HTML = (
    "<!DOCTYPE html><html><body><h1>Service Status</h1><p>Last updated: {updated}</p>"
    "<h2>High Severity Service Incidents</h2><p>Any High Severity Service Incidents (HSSIs)"
    " will be described in this section.</p>{hssi}<h2>Portal Known Issues</h2>{known}"
    "</body></html>"
)
HSSI = ("<p><strong>INC01872345 – HSSI – NEW</strong></p>"
        "<p>Some users cannot sign in to Outlook Web Access.</p>")  # fmt: skip
KNOWN = ("<p><strong>Bulk account upload reports Unknown error</strong></p>"
         "<p>Large files may end with the message Unknown error.</p>")  # fmt: skip
NO_KNOWN = "<p>There are no Portal known issues at present.</p>"


def _as_list(items: str) -> str:
    """Items (a bold title, a paragraph) as a theme that lists them: one <li> each."""
    return re.sub(r"<p><strong>(.*?)</strong></p><p>(.*?)</p>", r"<ul><li>\1: \2</li></ul>", items)


def test_a_status_page_whose_items_changed_markup_is_drift_not_empty(db: Path) -> None:
    """The sections' headings kept, their items now list items the layout does not read:
    the page is unread (drift), not one with none on show, and nothing vanishes. When its
    sections say they hold none, it is empty, and its notices vanish."""
    con = connect(db)
    url = "http://support.nhs.net/servicestatus"
    pages = [
        (STATUS_HTML.format(updated="10/05/2017 09:00", hssi=HSSI, known=KNOWN), T0),
        (STATUS_HTML.format(updated="10/05/2017 12:00", hssi=_as_list(HSSI), known=_as_list(KNOWN)),
         T0 + timedelta(hours=3)),
        # one section's items unread, the other's emptied: may not shrink to nothing either
        (STATUS_HTML.format(updated="10/05/2017 13:00", hssi=_as_list(HSSI), known=NO_KNOWN),
         T0 + timedelta(hours=4)),
    ]  # fmt: skip
    outcomes, summary = _visits(con, url, pages)
    assert [o.outcome for o in outcomes] == ["new", "drift", "drift"]
    assert (summary["outcome"], summary["vanished"]) == ("drift", 0)
    assert con.execute(
        "SELECT parse_outcome, layout, notice_count FROM snapshots ORDER BY snapshot_id"
    ).fetchall() == [("parsed", "servicestatus_2017", 2), ("drift", None, 0), ("drift", None, 0)]
    assert con.execute("SELECT count(*) FROM notices WHERE vanished_at IS NOT NULL").fetchone() == (
        0,
    )
    emptied = STATUS_HTML.format(updated="10/05/2017 14:00", hssi="", known=NO_KNOWN)
    outcome, summary = _visit(con, url, emptied, T0 + timedelta(hours=5))
    assert (outcome.outcome, summary["outcome"], summary["vanished"]) == ("new", "ok", 2)
    con.close()
    check_invariants(db)


def test_a_listing_that_now_reads_as_an_empty_status_page_is_drift(db: Path) -> None:
    """A listing of the latest posts whose address now shows "Service Status", a "Last
    updated" line and sections saying they hold none: a status page may empty, but this
    page was no status page, so it has changed layout (drift), and nothing vanishes."""
    con = connect(db)
    _crawl(con, LISTING, T0)
    emptied = STATUS_HTML.format(updated="08/11/2022 10:00", hssi="", known=NO_KNOWN)
    outcome, summary = _crawl(con, emptied.encode(), T0 + timedelta(hours=1))
    assert (outcome.outcome, summary["outcome"], summary["vanished"]) == ("drift", "drift", 0)
    assert con.execute(
        "SELECT parse_outcome, layout, notice_count FROM snapshots ORDER BY snapshot_id"
    ).fetchall() == [("parsed", "wp_listing", 6), ("drift", "portal_2018", 0)]
    assert con.execute("SELECT count(*) FROM notices WHERE vanished_at IS NOT NULL").fetchone() == (
        0,
    )
    assert con.execute("SELECT count(*) FROM sightings").fetchone() == (6,)
    con.close()
    check_invariants(db)


def _numbered_listing(count: int = 10) -> str:
    """A WordPress listing of ``count`` notices, INC40000000 (the newest) onwards."""
    from tests.crawl.site import article, listing

    return listing(*(
        article(f"INC4000000{i} – Issue {i} – NEW", f"{20 - i:02d}/01/2023 09:00:00 AM",
                f"We are aware of issue {i}.")
        for i in range(count)
    ))  # fmt: skip


def _cut_in_the_eighth(page: str) -> str:
    """``page`` as a connection closed part way through its eighth notice leaves it."""
    return page[: page.index("We are aware of issue 7")]


def test_a_listing_cut_short_shows_what_it_shows_and_vanishes_nothing(db: Path) -> None:
    """A listing whose body stops in its eighth notice (the server closed the connection,
    no Content-Length to tell) still shows eight, more than half: no drift, and the eight
    are sighted. But the two it never reached did not leave it: nothing vanishes, and the
    crawl fails, as one whose body fell short of its Content-Length does."""
    con = connect(db)
    whole = _numbered_listing()
    pages = [(whole, T0), (_cut_in_the_eighth(whole), T0 + timedelta(hours=1))]
    outcomes, summary = _visits(con, URL, pages)
    assert [o.outcome for o in outcomes] == ["new", "new"]
    assert (summary["outcome"], summary["vanished"], summary["cut_short"]) == ("failed", 0, 1)
    assert summary["errors"] == [
        f"{URL}: cut short: the HTML document ends before </body> and </html>"
    ]
    assert con.execute(
        "SELECT parse_outcome, notice_count, warnings FROM snapshots ORDER BY snapshot_id"
    ).fetchall() == [
        ("parsed", 10, []),
        ("parsed", 8, ["cut short: the HTML document ends before </body> and </html>"]),
    ]
    assert con.execute("SELECT count(*) FROM notices WHERE vanished_at IS NOT NULL").fetchone() == (
        0,
    )
    # no vanished event; the eighth, cut inside its text, is a version of its own
    assert con.execute(
        "SELECT event, notice_key FROM notice_events WHERE event <> 'appeared'"
    ).fetchall() == [("changed", "nhsmail:INC40000007")]
    # what it showed was seen in crawl 2
    seen = con.execute(
        "SELECT notice_key FROM sightings JOIN fetches USING (fetch_id) WHERE crawl_id = 2"
        " ORDER BY notice_key"
    ).fetchall()
    assert seen == [(f"nhsmail:INC4000000{i}",) for i in range(8)]
    assert con.execute("SELECT crawl_id, outcome FROM crawls ORDER BY crawl_id").fetchall() == [
        (1, "ok"),
        (2, "failed"),
    ]
    # the same cut body again proves nothing either; the whole listing again is clean, and a
    # whole listing that then lost a notice vanishes it
    later = [(_cut_in_the_eighth(whole), T0 + timedelta(hours=2)), (whole, T0 + timedelta(hours=3))]
    outcomes, summary = _visits(con, URL, later)
    assert [o.outcome for o in outcomes] == ["unchanged", "new"]
    assert summary["outcome"] == "ok"
    assert con.execute("SELECT outcome, vanished FROM crawls WHERE crawl_id = 3").fetchall() == [
        ("failed", 0)
    ]
    _, summary = _visit(con, URL, _numbered_listing(9), T0 + timedelta(hours=4))
    assert (summary["outcome"], summary["vanished"]) == ("ok", 1)
    assert con.execute(
        "SELECT notice_key FROM notices WHERE vanished_at IS NOT NULL"
    ).fetchall() == [("nhsmail:INC40000009",)]
    con.close()
    check_invariants(db)


def test_a_redesign_keeping_the_status_header_is_drift_not_an_empty_page(db: Path) -> None:
    con = connect(db)
    url = "http://support.nhs.net/servicestatus"
    redesign = ("<html><body><main><h1>Service Status</h1><p>Last updated: 10/05/2017 12:00</p>"
                "<div class='card'>INC01872345 Outlook Web Access sign-in</div></main></body></html>")  # fmt: skip
    pages = [(STATUS_PAGE.format(updated="10/05/2017 09:00", items=ITEM), T0),
             (redesign, T0 + timedelta(hours=3)),
             (redesign.replace("12:00", "13:00"), T0 + timedelta(hours=4))]  # fmt: skip
    outcomes, summary = _visits(con, url, pages)
    # still drift on the second changed body: compared with the last page the parsers read
    assert [o.outcome for o in outcomes] == ["new", "drift", "drift"]
    assert summary["outcome"] == "drift"
    assert con.execute("SELECT count(*) FROM notices WHERE vanished_at IS NOT NULL").fetchone() == (
        0,
    )


def test_no_vanishing_when_another_page_of_the_crawl_failed(db: Path) -> None:
    from tests.handbuilt import notice

    con = connect(db)
    first = notice("INC20000001 – Relay – NEW", "10/01/2023 09:00:00 AM", "Relay delays.")
    second = notice("INC20000002 – Portal – NEW", "10/01/2023 08:00:00 AM", "Portal slow.")
    page1, page2 = URL, URL + "page/2/"
    crawl_id = start_crawl(con, "nhsmail", T0)
    for url, body in ((page1, first + second), (page2, "")):
        ingest_page(con, crawl_id, FetchedPage("nhsmail", url, T0, 200, body.encode()), _parse)
    finish_crawl(con, crawl_id, T0)
    # next crawl: a new notice pushes INC20000002 to page 2, which fails
    later = T0 + timedelta(hours=1)
    third = notice("INC20000003 – Teams – NEW", "10/01/2023 10:00:00 AM", "Teams down.")
    crawl_id = start_crawl(con, "nhsmail", later)
    ingest_page(
        con, crawl_id, FetchedPage("nhsmail", page1, later, 200, (third + first).encode()), _parse
    )
    ingest_page(con, crawl_id, FetchedPage("nhsmail", page2, later, 503), _parse)
    summary = finish_crawl(con, crawl_id, later)
    assert summary["outcome"] == "failed" and summary["vanished"] == 0
    assert con.execute("SELECT count(*) FROM notices WHERE vanished_at IS NOT NULL").fetchone() == (
        0,
    )


def test_a_parser_or_booking_error_costs_its_page_not_the_crawl(db: Path) -> None:
    """A page the parser raises on, and one whose records the archive refuses (a bug), are
    booked as failed fetches; the crawl's other pages are booked whole, in the same
    transaction, each parsed once, under one crawl number."""
    import dataclasses

    from archive.ingest import CrawlPlan, ingest_crawl

    con = connect(db)
    pages = [FetchedPage("nhsmail", f"{URL}?p={i}", T0, 200, LISTING) for i in range(4)]
    calls: list[str] = []

    def parse_or_break(page: FetchedPage):  # type: ignore[no-untyped-def]
        calls.append(page.url)
        if page.url.endswith("p=1"):
            raise RuntimeError("parser bug")
        result = _parse(page)
        if page.url.endswith("p=2"):  # a state outside the vocabulary: the CHECK refuses it
            bad = [{**r, "state": "bogus"} for r in result.records]
            return dataclasses.replace(result, records=bad)
        return result

    plan = CrawlPlan("nhsmail", T0, T0, pages)
    summary, outcomes = ingest_crawl(con, plan, parse_or_break)
    assert [o.outcome for o in outcomes] == ["new", "failed", "failed", "new"]
    assert summary["outcome"] == "failed" and summary["pages"] == 4
    assert sorted(calls) == [f"{URL}?p={i}" for i in range(4)], "each page parsed once"
    errors = con.execute("SELECT url, error FROM fetches WHERE outcome = 'failed' ORDER BY url")
    [(p1, e1), (p2, e2)] = errors.fetchall()
    assert (p1, e1) == (f"{URL}?p=1", "parse error: RuntimeError: parser bug")
    assert p2 == f"{URL}?p=2" and e2.startswith("ingest error: ConstraintException")
    assert outcomes[1].message == e1 and outcomes[2].message == e2
    assert con.execute("SELECT url FROM snapshots ORDER BY url").fetchall() == [
        (f"{URL}?p=0",),
        (f"{URL}?p=3",),
    ], "the failed pages left nothing half-written"
    assert con.execute("SELECT crawl_id, outcome FROM crawls").fetchall() == [(1, "failed")]
    con.close()
    check_invariants(db)


@pytest.mark.parametrize("trouble", ["eleven refused pages", "out of memory"])
def test_a_crawl_that_cannot_be_booked_in_part_books_nothing(db: Path, trouble: str) -> None:
    """Past MAX_BROKEN_PAGES refused pages the bug is everywhere, and an error of the
    machine is no page's fault: either way the whole crawl is rolled back, nothing booked."""
    import dataclasses

    from archive.ingest import MAX_BROKEN_PAGES, CrawlPlan, ingest_crawl

    con = connect(db)
    n = MAX_BROKEN_PAGES + 1
    pages = [FetchedPage("nhsmail", f"{URL}?p={i}", T0, 200, LISTING) for i in range(n)]

    def troubled(page: FetchedPage):  # type: ignore[no-untyped-def]
        if trouble == "out of memory":
            raise MemoryError
        result = _parse(page)
        return dataclasses.replace(
            result, records=[{**r, "state": "bogus"} for r in result.records]
        )

    with pytest.raises(MemoryError if trouble == "out of memory" else duckdb.ConstraintException):
        ingest_crawl(con, CrawlPlan("nhsmail", T0, T0, pages), troubled)
    for table in ("crawls", "fetches", "snapshots", "contents", "notice_versions", "sightings"):
        assert con.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table


def test_a_booking_asked_to_stop_writes_nothing(db: Path) -> None:
    from archive.ingest import BookingStopped, CrawlPlan, ingest_crawl

    con = connect(db)
    pages = [FetchedPage("nhsmail", f"{URL}?p={i}", T0, 200, LISTING) for i in range(3)]
    asked = iter([False, False, True])
    with pytest.raises(BookingStopped):
        ingest_crawl(con, CrawlPlan("nhsmail", T0, T0, pages), _parse, stop=lambda: next(asked))
    for table in ("crawls", "fetches", "snapshots", "contents", "notice_versions", "sightings"):
        assert con.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table


def test_a_crawl_that_cannot_be_booked_leaves_the_archive_as_before(db: Path) -> None:
    from archive.ingest import CrawlPlan, ingest_crawl

    con = connect(db)
    ingest_crawl(
        con, CrawlPlan("nhsmail", T0, T0, [FetchedPage("nhsmail", URL, T0, 200, LISTING)]), _parse
    )
    tables = ("crawls", "fetches", "snapshots", "sightings", "notice_versions", "notices")
    before = {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables}
    later = T0 + timedelta(hours=1)
    changed = LISTING.replace(b"</body>", b"<p>changed</p></body>")

    def disk_full(_crawl_id: int, _outcomes: object) -> None:
        raise OSError("No space left on device")

    plan = CrawlPlan("nhsmail", later, later, [FetchedPage("nhsmail", URL, later, 200, changed)])
    with pytest.raises(OSError):
        ingest_crawl(con, plan, _parse, before_commit=disk_full)
    assert {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables} == before


def test_the_same_fetch_replayed_changes_nothing(db: Path) -> None:
    con = connect(db)
    crawl_id = start_crawl(con, "nhsmail", T0)
    page = FetchedPage("nhsmail", URL, T0, 200, LISTING)
    assert ingest_page(con, crawl_id, page, _parse).outcome == "new"
    tables = ("fetches", "snapshots", "sightings", "notice_versions", "notice_events")
    before = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone() for t in tables}
    assert ingest_page(con, crawl_id, page, _parse).outcome == "duplicate"
    assert {t: con.execute(f"SELECT count(*) FROM {t}").fetchone() for t in tables} == before


def test_far_fewer_notices_than_before_is_drift(db: Path) -> None:
    from tests.handbuilt import notice

    con = connect(db)
    items = [notice(f"INC7000000{i} – Issue {i} – RESOLVED", f"0{i + 1}/01/2023 09:00:00 AM",
                    "RESOLVED – Fixed.") for i in range(6)]  # fmt: skip
    pages = [("\n".join(items), T0), ("\n".join(items[:2]), T0 + timedelta(hours=1))]
    outcomes = []
    for body, at in pages:
        outcome, summary = _visit(con, URL, body, at)
        outcomes.append(outcome)
    assert [o.outcome for o in outcomes] == ["new", "drift"]
    assert summary["vanished"] == 0


def _build_in_order_of(db: Path, pages, order: list[int]) -> duckdb.DuckDBPyConnection:  # type: ignore[no-untyped-def]
    """An archive of ``pages`` ((time, url, notices) each, a crawl of its own) ingested in
    ``order`` the way a backfill does: vanishing replayed at the end."""
    from archive.ingest import replay_vanishing

    con = connect(db)
    for i in order:
        at, url, notices = pages[i]
        crawl_id = start_crawl(con, "nhsmail", at, origin="backfill")
        page = FetchedPage("nhsmail", url, at, 200, "\n".join(notices).encode())
        assert ingest_page(con, crawl_id, page, _parse).outcome == "new"
        finish_crawl(con, crawl_id, at, decide_vanishing=False)
    replay_vanishing(con, "nhsmail")
    return con


_HISTORY = {
    "versions": "SELECT v.notice_key, v.version, v.content_hash, v.first_observed_at,"
    " v.last_observed_at, v.changed, v.layout, v.url, v.parser_version, s.fetched_at"
    " FROM notice_versions AS v JOIN snapshots AS s USING (snapshot_id)",
    "updates": "SELECT * FROM notice_updates",
    "sightings": "SELECT notice_key, version, observed_at, is_open FROM sightings",
    "events": "SELECT notice_key, event, event_at, version FROM notice_events",
    "notices": "SELECT notice_key, version, state, layout, versions, first_seen_at, last_seen_at,"
    " vanished_at, last_open, first_closed, reported_at, final_at FROM notices",
}


def _history(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:  # type: ignore[type-arg]
    return {name: con.execute(f"{sql} ORDER BY ALL").fetchall() for name, sql in _HISTORY.items()}


def _same_history(late: duckdb.DuckDBPyConnection, in_order: duckdb.DuckDBPyConnection) -> None:
    """``late`` holds what ``in_order`` holds, and what a reparse of its own snapshots
    gives; each appeared or changed event names the fetch that first showed its version."""
    from archive.reparse import reparse

    history = _history(late)
    for name, rows in _history(in_order).items():
        assert history[name] == rows, name
    assert (
        late.execute(
            "SELECT count(*) FROM notice_events e JOIN sightings s USING (fetch_id, notice_key,"
            " version) WHERE e.event IN ('appeared', 'changed') AND s.observed_at = e.event_at"
        ).fetchone()
        == late.execute(
            "SELECT count(*) FROM notice_events WHERE event IN ('appeared', 'changed')"
        ).fetchone()
    )
    report = reparse(late, dry_run=True)
    assert (report.new_notices, report.gone_notices, report.changed_notices) == ([], [], 0)
    reparse(late)
    assert _history(late) == history


def _pages(crawls) -> list[tuple[datetime, str, list[str]]]:  # type: ignore[no-untyped-def]
    from tests.handbuilt import URL as HANDBUILT_URL

    return [(at, HANDBUILT_URL, list(notices)) for at, notices in crawls]


def _late(tmp_path: Path, pages, order: list[int], query: str) -> list[tuple]:  # type: ignore[no-untyped-def,type-arg]
    """``pages`` ingested in ``order`` and in time order: the two histories must agree (and
    agree with a reparse); returns ``query``'s rows on the late one, before the reparse."""
    folder = tmp_path / "".join(map(str, order))
    folder.mkdir(parents=True, exist_ok=True)
    in_order = _build_in_order_of(folder / "in_order.duckdb", pages, sorted(order))
    late = _build_in_order_of(folder / "late.duckdb", pages, order)
    rows = late.execute(query).fetchall()
    _same_history(late, in_order)
    late.close()
    check_invariants(folder / "late.duckdb")
    return rows


def test_an_older_observation_ingested_later_takes_its_place_in_the_history(
    tmp_path: Path,
) -> None:
    """A backfill after live crawls: the capture from before the first crawl shows a notice
    still open. Its version is numbered first, the stored one second, and versions, changes,
    sightings, events and the current row come out as if the two had arrived in order."""
    from tests.handbuilt import CRAWLS

    query = (
        "SELECT version, state_raw, changed FROM notice_versions"
        " WHERE notice_key = 'nhsmail:INC10000001' ORDER BY version"
    )
    assert _late(tmp_path, _pages(CRAWLS), [1, 2, 0], query) == [  # 09:30 arrives last
        (1, "NEW", None),
        (2, "RESOLVED", ["title", "summary", "state", "body", "updates"]),
    ]


def test_stored_versions_a_capture_shows_together_are_numbered_as_its_page_would_be(
    tmp_path: Path,
) -> None:
    """Live crawls saw a notice in one text, then another; an older capture shows both on
    one page. Both move back to the capture's fetch, and are numbered as versions first
    seen together always are (by content hash), not in the order the live crawls met them:
    as ingesting the capture first, or a reparse, numbers them."""
    from tests.handbuilt import notice

    t = datetime(2023, 1, 10, 9, 30, tzinfo=UTC)
    query = "SELECT state_raw FROM notice_versions ORDER BY version"
    orders = set()
    for v in range(4):  # hashes that sort the two texts as the live crawls met them, or not
        x, y = (notice(f"INC10000001 – Relay Delay – {s}", "10/01/2023 09:00:00 AM",
                       f"Text {s} ({v}).") for s in ("NEW", "RESOLVED"))  # fmt: skip
        pages = _pages([(t, [x, y]), (t + timedelta(hours=1), [x]), (t + timedelta(hours=2), [y])])
        orders.add(tuple(_late(tmp_path / str(v), pages, [1, 2, 0], query)))
    assert orders == {(("NEW",), ("RESOLVED",)), (("RESOLVED",), ("NEW",))}


def test_a_notice_reappearing_in_two_texts_names_the_same_version_live_and_replayed(
    tmp_path: Path,
) -> None:
    """A page shows a notice in two texts, drops it, then shows both again: the reappeared
    event names the page's higher-numbered version, whether booked live or replayed by a
    reparse."""
    from archive.reparse import reparse
    from tests.handbuilt import B, C, D, build_archive, notice

    t = datetime(2023, 1, 10, 9, 30, tzinfo=UTC)
    events = "SELECT event, version, fetch_id FROM notice_events ORDER BY ALL"
    for v in range(4):  # either text may be version 2
        x, y = (notice(f"INC10000001 – Relay Delay – {s}", "10/01/2023 09:00:00 AM",
                       f"Text {s} ({v}).") for s in ("NEW", "RESOLVED"))  # fmt: skip
        crawls = [(t, [x, y, B, C, D]), (t + timedelta(hours=1), [B, C, D]),
                  (t + timedelta(hours=2), [x, y, B, C, D])]  # fmt: skip
        con = build_archive(tmp_path / f"{v}.duckdb", crawls)
        live = con.execute(events).fetchall()
        assert ("reappeared", 2, 3) in live
        reparse(con, jobs=1)
        assert con.execute(events).fetchall() == live
        con.close()


def test_a_stored_version_seen_earlier_than_another_comes_first(tmp_path: Path) -> None:
    """Live crawls saw a notice open, then resolved; an older capture shows the resolved
    text already (an excerpt ahead of its post, a page edited back and forth). The
    resolved version was first observed first now: it becomes version 1."""
    from tests.handbuilt import A_DONE, A_OPEN

    t = datetime(2023, 1, 10, 9, 30, tzinfo=UTC)
    crawls = [(t, [A_DONE]), (t + timedelta(hours=1), [A_OPEN]), (t + timedelta(hours=2), [A_DONE])]
    query = "SELECT version, state_raw FROM notice_versions ORDER BY version"
    assert _late(tmp_path, _pages(crawls), [1, 2, 0], query) == [(1, "RESOLVED"), (2, "NEW")]


def test_a_version_seen_earlier_on_another_page_takes_that_page(tmp_path: Path) -> None:
    """Live: a notice's own post at 10:00, then the listing showing it resolved at 10:30. A
    capture of the listing from 09:30 shows the post's text: that version was first shown
    by the listing, in the listing's layout, so the resolved listing version revises it."""
    from tests.handbuilt import A_DONE, A_OPEN
    from tests.handbuilt import URL as LISTING

    post = "https://support.nhs.net/knowledge-base/inc10000001/"
    t = datetime(2023, 1, 10, 9, 30, tzinfo=UTC)
    pages = [(t, LISTING, [A_OPEN]), (t + timedelta(minutes=30), post, [A_OPEN]),
             (t + timedelta(hours=1), LISTING, [A_DONE])]  # fmt: skip
    query = "SELECT version, layout, changed FROM notice_versions ORDER BY version"
    assert _late(tmp_path, pages, [1, 2, 0], query) == [
        (1, "wp_listing", None),
        (2, "wp_listing", ["title", "summary", "state", "body", "updates"]),
    ]


def test_versions_first_seen_at_the_same_instant_keep_their_fetch_order(tmp_path: Path) -> None:
    """A listing and a post fetched at the same instant show the notice in two texts. Both
    an ingest and a reparse number them in fetch order, whatever their content hashes."""
    from tests.handbuilt import A_DONE, A_OPEN, notice
    from tests.handbuilt import URL as LISTING

    post = "https://support.nhs.net/knowledge-base/inc10000001/"
    t = datetime(2023, 1, 10, 9, 30, tzinfo=UTC)
    hash_orders = set()
    for variant in (0, 15):  # texts whose hashes sort after and before the listing's
        post_text = notice("INC10000001 – Relay Delay – NEW", "10/01/2023 09:00:00 AM",
                           f"The relay is slow ({variant}).")  # fmt: skip
        pages = [(t, LISTING, [A_OPEN]), (t, post, [post_text]),
                 (t + timedelta(hours=1), LISTING, [A_DONE])]  # fmt: skip
        query = "SELECT layout, content_hash FROM notice_versions ORDER BY version"
        layouts, hashes = zip(*_late(tmp_path / str(variant), pages, [2, 0, 1], query), strict=True)
        assert layouts == ("wp_listing", "wp_post", "wp_listing")
        hash_orders.add(hashes[1] < hashes[0])
    assert hash_orders == {True, False}, "both hash orders tried"


def _statuspage_crawls(con: duckdb.DuckDBPyConnection, url: str, payloads: list[dict]) -> list:  # type: ignore[type-arg]
    """One crawl per payload of one Statuspage URL, an hour apart; their summaries."""
    import json

    summaries = []
    for i, payload in enumerate(payloads):
        at = T0 + timedelta(hours=i)
        crawl_id = start_crawl(con, "statuspage", at)
        page = FetchedPage("statuspage", url, at, 200, json.dumps(payload).encode())
        ingest_page(con, crawl_id, page, _parse)
        summaries.append(finish_crawl(con, crawl_id, at + timedelta(minutes=1)))
    return summaries


def _open_incidents(n: int) -> dict:  # type: ignore[type-arg]
    import copy
    import json

    base = json.loads(
        (FIXTURES / "statuspage" / "api_summary-2025-06-10" / "page.json").read_text()
    )
    one = base["incidents"][0]
    base["incidents"] = []
    for i in range(n):
        incident = copy.deepcopy(one)
        incident["id"] = f"open{i:08d}"
        base["incidents"].append(incident)
    return base


def test_a_summary_listing_fewer_open_incidents_is_no_drift(db: Path) -> None:
    # summary.json lists only what is open: six one hour, two the next, none after
    con = connect(db)
    url = "https://www.githubstatus.com/api/v2/summary.json"
    summaries = _statuspage_crawls(con, url, [_open_incidents(6), _open_incidents(2),
                                              _open_incidents(0)])  # fmt: skip
    assert [s["outcome"] for s in summaries] == ["ok", "ok", "ok"]
    assert [s["vanished"] for s in summaries] == [0, 4, 2]
    from archive.reparse import reparse

    assert reparse(con).drifted == 0


def test_incidents_json_turned_summary_shaped_is_drift(db: Path) -> None:
    # summary.json may shrink, but the URL was incidents.json's latest 50: a payload of
    # another shape there is a change of layout, not incidents resolved
    import json

    con = connect(db)
    url = "https://www.githubstatus.com/api/v2/incidents.json"
    payload = json.loads(
        (FIXTURES / "statuspage" / "api_incidents-2025-01-03" / "page.json").read_text()
    )
    summaries = _statuspage_crawls(con, url, [payload, _open_incidents(0)])
    assert (summaries[1]["outcome"], summaries[1]["vanished"]) == ("drift", 0)
    assert con.execute("SELECT count(*) FROM notices WHERE vanished_at IS NOT NULL").fetchone() == (
        0,
    )


def test_incidents_json_emptied_is_drift_and_vanishes_nothing(db: Path) -> None:
    # incidents.json is the latest 50, whatever their state: it never empties
    import json

    con = connect(db)
    url = "https://www.githubstatus.com/api/v2/incidents.json"
    payload = json.loads(
        (FIXTURES / "statuspage" / "api_incidents-2025-01-03" / "page.json").read_text()
    )
    emptied = {**payload, "incidents": []}
    summaries = _statuspage_crawls(con, url, [payload, emptied])
    assert summaries[1]["outcome"] == "drift" and summaries[1]["vanished"] == 0
    assert con.execute("SELECT count(*) FROM notices WHERE vanished_at IS NOT NULL").fetchone() == (
        0,
    )


def test_no_validators_from_a_copy_the_parsers_could_not_read(db: Path) -> None:
    from archive.ingest import validators

    con = connect(db)
    good, cut = LISTING, LISTING[: len(LISTING) // 20]
    for i, body in enumerate([good, cut]):
        at = T0 + timedelta(hours=i)
        crawl_id = start_crawl(con, "nhsmail", at)
        page = FetchedPage("nhsmail", URL, at, 200, body, headers={"ETag": '"full"'})
        ingest_page(con, crawl_id, page, _parse)
        finish_crawl(con, crawl_id, at)
    assert con.execute("SELECT parse_outcome FROM snapshots ORDER BY snapshot_id").fetchall() == [
        ("parsed",),
        ("drift",),
    ]
    # a 304 to the whole body's ETag would keep the URL on the cut copy for good
    assert validators(con, "nhsmail") == {}


def test_no_validators_from_a_copy_cut_short(db: Path) -> None:
    """A listing cut short that still shows most of its notices is read, but its ETag is
    the whole body's: a 304 to it would keep the URL on the cut copy for good."""
    from archive.ingest import validators

    con = connect(db)
    whole = _numbered_listing().encode()
    for i, body in enumerate([whole, _cut_in_the_eighth(whole.decode()).encode()]):
        at = T0 + timedelta(hours=i)
        crawl_id = start_crawl(con, "nhsmail", at)
        page = FetchedPage("nhsmail", URL, at, 200, body, headers={"ETag": f'"v{i}"'})
        ingest_page(con, crawl_id, page, _parse)
        finish_crawl(con, crawl_id, at)
        if i == 0:
            assert validators(con, "nhsmail") == {URL: {"etag": '"v0"'}}
    assert con.execute("SELECT parse_outcome FROM snapshots ORDER BY snapshot_id").fetchall() == [
        ("parsed",),
        ("parsed",),
    ]
    assert validators(con, "nhsmail") == {}


def test_a_statuspage_incident_resolved_in_another_payload_is_a_revision(db: Path) -> None:
    # open on summary.json, then resolved on incidents.json (it has left summary.json): the
    # two payloads render the incident whole, so the second is a revision of the first
    import copy
    import json

    con = connect(db)
    summary = {**_open_incidents(1), "scheduled_maintenances": []}
    incident = summary["incidents"][0]
    resolved = copy.deepcopy(incident)
    resolved.update(status="resolved", resolved_at="2022-11-08T10:30:00.000Z")
    update = copy.deepcopy(resolved["incident_updates"][0])
    update.update(id="upd-resolved", status="resolved", body="Fixed.",
                  created_at="2022-11-08T10:30:00.000Z", display_at="2022-11-08T10:30:00.000Z")  # fmt: skip
    resolved["incident_updates"].insert(0, update)
    listing = {"page": summary["page"], "incidents": [resolved]}
    for i, (url, payload) in enumerate([("summary.json", summary), ("incidents.json", listing)]):
        at = T0 + timedelta(hours=i)
        crawl_id = start_crawl(con, "statuspage", at)
        page = FetchedPage("statuspage", f"https://www.githubstatus.com/api/v2/{url}", at, 200,
                           json.dumps(payload).encode())  # fmt: skip
        ingest_page(con, crawl_id, page, _parse)
        finish_crawl(con, crawl_id, at)
    key = con.execute("SELECT notice_key FROM notices").fetchone()[0]
    assert con.execute(
        "SELECT version, layout, state FROM notice_versions ORDER BY version"
    ).fetchall() == [(1, "api_summary", incident["status"]), (2, "api_incidents", "resolved")]
    assert con.execute(
        "SELECT event, version FROM notice_events WHERE notice_key = ? AND event <> 'vanished'"
        " ORDER BY event_at, event",
        [key],
    ).fetchall() == [("appeared", 1), ("changed", 2)]
    [(changed,)] = con.execute("SELECT changed FROM revisions").fetchall()
    assert "state" in changed


RESOLVED_AT_POST = """INC30766572 – NHSmail Password Issue – {state}

27/07/2022 10:50:00 AM

Issue Reported: 27/07/2022 09:05:00 AM
{resolved}
Issue Status: {state}
"""


def test_reported_to_final_takes_an_issue_resolved_line(db: Path) -> None:
    """A post that says when service came back with "Issue Resolved:" rather than a "Final
    Update:" has its reported-to-final span, first version and later ones alike."""
    con = connect(db)
    url = "https://support.nhs.net/2022/07/inc30766572-nhsmail-password-issue-resolved/"
    pages = [
        (RESOLVED_AT_POST.format(state="RESOLVED", resolved="Issue Resolved: 27/07/2022 11:47:00 AM"), T0),
        (RESOLVED_AT_POST.format(state="RESOLVED", resolved="Issue Resolved: 27/07/2022 11:57:00 AM\nRoot cause: a certificate."), T0 + timedelta(hours=1)),
    ]  # fmt: skip
    spans = []
    for body, at in pages:
        _visit(con, url, body, at)
        spans.append(con.execute("SELECT reported_to_final_minutes FROM incidents").fetchone()[0])
    assert spans == [162, 172]


def test_a_failed_commit_keeps_its_reason(db: Path) -> None:
    """A commit that fails (disk full) has already rolled back: the error raised, booked
    and printed must be that one, not the second rollback's 'no transaction is active'."""

    class DiskFull:
        def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
            self.con = con

        def commit(self) -> None:
            self.con.rollback()  # as DuckDB does when its commit cannot write
            raise duckdb.IOException("No space left on device")

        def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
            return getattr(self.con, name)

    con = connect(db)
    crawl_id = start_crawl(con, "nhsmail", T0)
    body = (FIXTURES / "nhsmail" / "wp_listing-2022-11-08" / "page.txt").read_bytes()
    with pytest.raises(duckdb.IOException, match="No space left on device"):
        ingest_page(DiskFull(con), crawl_id, FetchedPage("nhsmail", URL, T0, 200, body), _parse)  # type: ignore[arg-type]
    assert con.execute("SELECT count(*) FROM snapshots").fetchone() == (0,)


def test_a_crawl_whose_process_died_keeps_what_it_did(db: Path) -> None:
    """kill -9 after two committed pages: the next crawl books the dead one interrupted
    with those two pages, ended at its last fetch (not at the next crawl's start)."""
    con = connect(db)
    crawl_id = start_crawl(con, "nhsmail", T0)
    body = (FIXTURES / "nhsmail" / "wp_listing-2022-11-08" / "page.txt").read_bytes()
    at = T0 + timedelta(seconds=5)
    ingest_page(con, crawl_id, FetchedPage("nhsmail", URL, at, 200, body), _parse)
    ingest_page(con, crawl_id, FetchedPage("nhsmail", URL + "page/2/", at, 503), _parse)
    # (the process dies here: no finish_crawl)
    start_crawl(con, "nhsmail", T0 + timedelta(hours=1))
    row = con.execute(
        "SELECT outcome, finished_at, pages_fetched, pages_new, pages_failed, errors"
        " FROM crawls WHERE crawl_id = ?",
        [crawl_id],
    ).fetchone()
    assert row == (
        "interrupted", at, 2, 1, 1,
        ["the process ended before the crawl finished (killed?)"],
    )  # fmt: skip


def test_published_to_final_needs_no_issue_reported_line(db: Path) -> None:
    """Real NHSmail posts state a publication and a Final Update, seldom an Issue Reported
    line: their span is measured all the same, first version (new_notices.sql) and later
    ones (rebuild_notices.sql)."""
    con = connect(db)
    url = "https://support.nhs.net/2022/07/inc30766572-nhsmail-password-issue-resolved/"
    post = (
        "INC30766572 – NHSmail Password Issue – {state}\n\n27/07/2022 10:50:00 AM\n\n"
        "Issue Status: {state}\n\n{final}\n"
    )
    pages = [
        (post.format(state="RESOLVED", final="Final Update: 27/07/2022 11:47:00 AM – Fixed."), T0),
        (post.format(state="RESOLVED", final="Final Update: 27/07/2022 11:57:00 AM – Fixed."),
         T0 + timedelta(hours=1)),
    ]  # fmt: skip
    spans = []
    for body, at in pages:
        _visit(con, url, body, at)
        spans.append(
            con.execute(
                "SELECT published_to_final_minutes, reported_to_final_minutes FROM incidents"
            ).fetchone()
        )
    assert spans == [(57, None), (67, None)]


def test_an_excerpt_and_the_full_text_are_no_revision_of_one_another(db: Path) -> None:
    """A listing shows a notice's excerpt; a tag archive (also a listing) its full text: two
    renderings, as a listing and the post are, not a change of the notice."""
    from tests.crawl.site import article, listing

    text = ("RESOLVED – The NHSmail Portal could not be reached by some users this morning. "
            "Engineers restarted the web servers and access was restored.")  # fmt: skip
    full = listing(article("INC28274463 – Portal – RESOLVED", "14/04/2022 09:35:00 AM", text))
    short = listing(article("INC28274463 – Portal – RESOLVED", "14/04/2022 09:35:00 AM",
                            text[:60] + " […]"))  # fmt: skip
    con = connect(db)
    pages = [("https://support.nhs.net/servicestatus/", short, T0),
             ("https://support.nhs.net/tag/portal/", full, T0 + timedelta(hours=1)),
             ("https://support.nhs.net/servicestatus/", short.replace("could not", "couldn't"),
              T0 + timedelta(hours=2))]  # fmt: skip
    for url, body, at in pages:
        _visit(con, url, body, at)
    # version 2, the full text the excerpt starts, changes nothing; version 3, the excerpt
    # edited, changes the text
    assert con.execute("SELECT version, changed FROM revisions ORDER BY version").fetchall() == [
        (2, []),
        (3, ["body"]),
    ]
    events = "SELECT event, version FROM notice_events ORDER BY event_at"
    assert con.execute(events).fetchall() == [("appeared", 1), ("changed", 3)]


def test_a_short_notice_that_grows_into_an_excerpt_is_still_revised(db: Path) -> None:
    """WordPress marks an excerpt only when the text is long: a short NEW notice that grows
    into a long RESOLVED one on the same listing is a change of state, whatever the mark."""
    from tests.crawl.site import article, listing

    short = listing(article("INC28274463 – Portal – NEW", "14/04/2022 09:35:00 AM",
                            "We are investigating."))  # fmt: skip
    long = listing(article("INC28274463 – Portal – RESOLVED", "14/04/2022 09:35:00 AM",
                           "RESOLVED – We investigated and restored the Portal […]"))  # fmt: skip
    con = connect(db)
    for body, at in ((short, T0), (long, T0 + timedelta(hours=1))):
        _visit(con, "https://support.nhs.net/servicestatus/", body, at)
    [(changed,)] = con.execute("SELECT changed FROM revisions").fetchall()
    assert "state" in changed
    events = "SELECT event, version FROM notice_events ORDER BY event_at"
    assert con.execute(events).fetchall() == [("appeared", 1), ("changed", 2)]


def test_an_older_derivations_revisions_are_redone_on_upgrade(db: Path) -> None:
    """What each stored version changed, and its appeared/changed events, follow this
    release's rule once the archive is opened for writing."""
    from tests.crawl.site import article, listing

    text = "RESOLVED – The Portal was down this morning. Engineers restored access at noon."
    short = listing(article("INC28274463 – Portal – RESOLVED", "14/04/2022 09:35:00 AM",
                            text[:30] + " […]"))  # fmt: skip
    full = listing(article("INC28274463 – Portal – RESOLVED", "14/04/2022 09:35:00 AM", text))
    con = connect(db)
    _visit(con, "https://support.nhs.net/servicestatus/", short, T0)
    _visit(con, "https://support.nhs.net/tag/portal/", full, T0 + timedelta(hours=1))
    events = "SELECT event, version FROM notice_events ORDER BY event_at"
    want = con.execute(events).fetchall()
    con.execute("UPDATE notice_versions SET changed = ['body', 'flags'] WHERE version = 2")
    con.execute(
        "INSERT INTO notice_events (notice_key, event, event_at, version)"
        " SELECT notice_key, 'changed', first_observed_at, 2 FROM notice_versions WHERE version = 2"
    )
    con.execute("UPDATE archive_meta SET value = '4' WHERE name = 'derivation'")
    con.close()
    con = connect(db)
    assert con.execute("SELECT changed FROM notice_versions WHERE version = 2").fetchone() == ([],)
    assert con.execute(events).fetchall() == want == [("appeared", 1)]


def test_a_capture_after_a_live_crawl_pushes_off_what_the_live_crawl_showed(db: Path) -> None:
    """The capture that last showed a notice may be a live crawl's page: what it showed is
    compared all the same."""
    from archive.ingest import replay_vanishing
    from tests.crawl.site import article, listing

    url = "https://support.nhs.net/servicestatus/"
    relay = article("INC30000001 – Relay – RESOLVED", "10/05/2022 09:00:00 AM", "RESOLVED – Relay.")
    portal = article("INC30000002 – Portal – RESOLVED", "09/05/2022 09:00:00 AM", "RESOLVED.")
    teams = article("INC30000003 – Teams – NEW", "11/05/2022 09:00:00 AM", "Teams is down.")
    con = connect(db)
    _visit(con, url, listing(relay, portal), T0)  # live: relay, portal
    at = T0 + timedelta(hours=1)  # a capture: teams in at the top, portal pushed off
    crawl_id = start_crawl(con, "nhsmail", at, origin="backfill")
    page = FetchedPage("nhsmail", url, at, 200, listing(teams, relay).encode(),
                       origin="backfill", capture_id=f"{at} {url}")  # fmt: skip
    ingest_page(con, crawl_id, page, _parse)
    finish_crawl(con, crawl_id, at, decide_vanishing=False)
    con.begin()
    replay_vanishing(con, "nhsmail")
    con.commit()
    assert con.execute("SELECT count(*) FROM notices WHERE vanished_at IS NOT NULL").fetchone() == (
        0,
    )


EXCERPTED = (
    "RESOLVED – The NHSmail Portal could not be reached by some users this morning. "
    "Engineers restarted the web servers and access was restored at noon."
)
TWO_PARAGRAPHS = (
    "RESOLVED – The NHSmail Portal could not be reached.\n"
    "Engineers restarted the web servers and access was restored."
)
WITH_UPDATES = (
    "RESOLVED – Portal access was restored at 12:00.\n"
    "Update 11:00 – Engineers have identified the cause and are applying a fix to the servers.\n"
    "Update 10:00 – We are investigating reports that users cannot reach the Portal."
)
FRONT, TAG = "https://support.nhs.net/servicestatus/", "https://support.nhs.net/tag/portal/"


@pytest.mark.parametrize(
    ("pages", "last_changed"),
    [
        # an edit of the full text behind an excerpt: compared with the last full text
        ([(TAG, EXCERPTED), (FRONT, EXCERPTED[:60] + " […]"),
          (TAG, EXCERPTED.replace("at noon", "at 11:45"))], ["body"]),
        # an excerpt runs paragraphs together: still the start of the full text
        ([(FRONT, TWO_PARAGRAPHS.replace("\n", " ")[:80] + " […]"), (TAG, TWO_PARAGRAPHS)], []),
        # the excerpt shows less of the timeline: no change of it either
        ([(FRONT, WITH_UPDATES.replace("\n", " ")[:120] + " […]"), (TAG, WITH_UPDATES)], []),
        # the whole text run together with a "[…]" after it: still no change
        ([(TAG, WITH_UPDATES), (FRONT, WITH_UPDATES.replace("\n", " ") + " […]")], []),
        # an excerpt showing one edit, then the full text with it and another past the cut
        ([(TAG, EXCERPTED), (FRONT, EXCERPTED.replace("some", "all")[:60] + " […]"),
          (TAG, EXCERPTED.replace("some", "all").replace("at noon", "at 11:45"))], ["body"]),
        # a longer excerpt of the same text is no change
        ([(FRONT, EXCERPTED[:40] + " […]"), (TAG, EXCERPTED), (FRONT, EXCERPTED[:90] + " […]")],
         []),
    ],
)  # fmt: skip
def test_an_excerpt_and_its_fuller_text(
    db: Path, pages: list[tuple[str, str]], last_changed: list[str]
) -> None:
    from tests.crawl.site import article, listing

    con = connect(db)
    for i, (url, text) in enumerate(pages):
        page = listing(article("INC28274463 – Portal – RESOLVED", "14/04/2022 09:35:00 AM", text))
        _visit(con, url, page, T0 + timedelta(hours=i))
    [(changed,)] = con.execute(
        "SELECT changed FROM notice_versions ORDER BY version DESC LIMIT 1"
    ).fetchall()
    assert changed == last_changed
    events = [e for (e,) in con.execute("SELECT event FROM notice_events").fetchall()]
    assert events.count("changed") == (1 if last_changed else 0)


def test_a_state_change_seen_in_the_excerpt_and_the_full_text_is_one_change(db: Path) -> None:
    """Each crawl shows the notice's excerpt (front page) and its full text (a tag archive),
    both listings: the state change is one change, not one per rendering of it."""
    from tests.crawl.site import article, listing

    full = ("The NHSmail Portal could not be reached by some users this morning. "
            "Engineers restarted the web servers and access was restored at noon.")  # fmt: skip
    con = connect(db)
    for i, (url, state, text) in enumerate([
        (FRONT, "NEW", full[:60] + " […]"), (TAG, "NEW", full),
        (FRONT, "RESOLVED", full[:60] + " […]"), (TAG, "RESOLVED", full),
    ]):  # fmt: skip
        page = listing(article(f"INC28274463 – Portal – {state}", "14/04/2022 09:35:00 AM", text))
        _visit(con, url, page, T0 + timedelta(hours=i))
    events = "SELECT event, version FROM notice_events ORDER BY event_at"
    assert con.execute(events).fetchall() == [("appeared", 1), ("changed", 3)]
    changed = "SELECT version, changed FROM notice_versions ORDER BY version"
    assert con.execute(changed).fetchall() == [
        (1, None),
        (2, []),
        (3, ["title", "summary", "state"]),
        (4, []),
    ]


@pytest.mark.parametrize("more", ["", " We will provide updates as necessary."])
def test_a_history_line_rescheduled_with_the_same_message_is_a_change(db: Path, more: str) -> None:
    """A Statuspage history line is an excerpt whose window comes from its time, not its
    text: the same words at a new time are a change."""
    import json

    line = {"code": "hjan08dbmain", "name": "Database maintenance", "impact": "maintenance",
            "message": "The scheduled maintenance has been completed.",
            "timestamp": "Jan <var data-var='date'> 8</var>, <var data-var='time'>02:00</var>"
                         " - <var data-var='time'>04:00</var> UTC"}  # fmt: skip
    moved = dict(
        line,
        timestamp=line["timestamp"].replace("02:00", "03:00").replace("04:00", "05:00"),
        message=line["message"] + more,
    )
    con = connect(db)
    url = "https://www.githubstatus.com/history.json"
    for i, item in enumerate((line, moved)):
        at = T0 + timedelta(hours=i)
        body = json.dumps({"months": [{"name": "January", "year": 2025, "incidents": [item]}]})
        crawl_id = start_crawl(con, "statuspage", at)
        ingest_page(con, crawl_id, FetchedPage("statuspage", url, at, 200, body.encode()),
                    lambda p: parse(p.source, p.body, url=p.url, fetched_at=p.fetched_at))  # fmt: skip
        finish_crawl(con, crawl_id, at)
    [(changed,)] = con.execute("SELECT changed FROM notice_versions WHERE version = 2").fetchall()
    assert "window" in changed


def test_an_edit_the_excerpt_showed_is_counted_once_with_the_full_texts(db: Path) -> None:
    """An excerpt is compared with excerpts, a full text with full texts: the edit counts
    when the full text shows it (the first excerpt has none before it to differ from)."""
    from tests.crawl.site import article, listing

    edited = EXCERPTED.replace("some users", "all users")  # inside the excerpt's 60 characters
    con = connect(db)
    for i, (url, text) in enumerate(
        [(TAG, EXCERPTED), (FRONT, edited[:60] + " […]"), (TAG, edited)]
    ):
        page = listing(article("INC28274463 – Portal – RESOLVED", "14/04/2022 09:35:00 AM", text))
        _visit(con, url, page, T0 + timedelta(hours=i))
    changed = "SELECT version, changed FROM notice_versions ORDER BY version"
    assert con.execute(changed).fetchall() == [(1, None), (2, []), (3, ["body"])]


@pytest.mark.parametrize(
    ("headers", "origin", "cut"),
    [
        ({"Content-Length": "{n}"}, "live", False),  # whole: HTML may omit the end tags
        ({"content-length": "{n}"}, "live", False),
        ({}, "live", True),  # no length to tell: it may have been cut
        ({"Content-Length": "{half}"}, "live", True),  # decompressed, or data lost
        ({"Access-Control-Expose-Headers": "Content-Length"}, "live", True),
        ({"Content-Length": "{n}"}, "backfill", True),  # the playback's length, not the page's
    ],
)
def test_a_document_ending_early_is_cut_short_unless_it_came_whole(
    db: Path, headers: dict[str, str], origin: str, cut: bool
) -> None:
    from archive.ingest import WHOLE_BY_LENGTH
    from parsers.lines import ENDS_EARLY
    from tests.crawl.site import article, listing

    full = listing(*(article(f"INC4000000{i} – Issue {i} – NEW", "10/01/2023 09:00:00 AM",
                             f"About issue {i}.") for i in range(3)))  # fmt: skip
    body = full[: full.rindex("</body>")].encode()
    told = {k: v.format(n=len(body), half=len(body) // 2) for k, v in headers.items()}
    con = connect(db)
    crawl_id = start_crawl(con, "nhsmail", T0)
    page = FetchedPage("nhsmail", URL, T0, 200, body, headers=told, origin=origin)
    assert ingest_page(con, crawl_id, page, _parse).outcome == "new"
    summary = finish_crawl(con, crawl_id, T0)
    [(warnings,)] = con.execute("SELECT warnings FROM snapshots").fetchall()
    assert (ENDS_EARLY in warnings, WHOLE_BY_LENGTH in warnings) == (cut, not cut)
    assert summary["outcome"] == ("failed" if cut else "ok")


def test_bytes_first_thought_cut_short_are_whole_once_a_live_fetch_shows_it(db: Path) -> None:
    # A Wayback capture (or a gzip transfer) of a page that omits </body></html> cannot say
    # it came whole; a later live fetch of the same bytes, exactly its Content-Length, can.
    # Before, each crawl re-sighted the stored snapshot's "cut short" and failed for good.
    from archive.ingest import WHOLE_BY_LENGTH
    from parsers.lines import ENDS_EARLY
    from tests.crawl.site import article, listing

    full = listing(article("INC40000001 – Issue – NEW", "10/01/2023 09:00:00 AM", "About it."))
    body = full[: full.rindex("</body>")].encode()
    con = connect(db)
    outcomes = []
    for hours, origin in ((0, "backfill"), (1, "live"), (2, "live")):
        at = T0 + timedelta(hours=hours)
        crawl_id = start_crawl(con, "nhsmail", at)
        told = {"Content-Length": str(len(body))}
        page = FetchedPage("nhsmail", URL, at, 200, body, headers=told, origin=origin)
        fetched = ingest_page(con, crawl_id, page, _parse)
        outcomes.append((fetched.outcome, finish_crawl(con, crawl_id, at)["outcome"]))
        [(warnings,)] = con.execute("SELECT warnings FROM snapshots").fetchall()
        if hours == 0:
            assert ENDS_EARLY in warnings
    assert outcomes == [("new", "failed"), ("unchanged", "ok"), ("unchanged", "ok")]
    assert ENDS_EARLY not in warnings
    assert f"{WHOLE_BY_LENGTH} (fetch 2)" in warnings
