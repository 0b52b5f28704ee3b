"""Reparse: today's parsers over stored snapshots, in one transaction, with a report."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from archive.db import connect
from archive.ingest import FetchedPage, finish_crawl, ingest_page, start_crawl
from archive.reparse import reparse
from notices.cli import main
from parsers import parse
from parsers.result import ParseResult
from tests.crawl.site import check_invariants
from tests.handbuilt import A_DONE, A_OPEN, CRAWLS, URL, B, C, D, build_archive

STATE = "SELECT notice_key, version, state, vanished_at, first_seen_at, last_seen_at, sightings FROM notices ORDER BY ALL"
TABLES = ("notices", "notice_versions", "notice_updates", "sightings", "notice_events",
          "snapshots", "fetches")  # fmt: skip
EVENTS = (
    "SELECT notice_key, event, event_at, version, crawl_id, fetch_id FROM notice_events"
    " ORDER BY ALL"
)


def _parse(page: FetchedPage) -> ParseResult:
    return parse(page.source, page.body or b"", url=page.url, fetched_at=page.fetched_at)


def _crawl(
    con: duckdb.DuckDBPyConnection,
    when: datetime,
    pages: list[tuple[str, list[str]]],
    parser: Callable[[FetchedPage], ParseResult] = _parse,
    *,
    complete: bool = True,
) -> None:
    """One crawl of copied listing pages, each (URL, its notices), through ``parser``."""
    crawl_id = start_crawl(con, "nhsmail", when)
    for url, notices in pages:
        page = FetchedPage("nhsmail", url, when, 200, "\n".join(notices).encode())
        ingest_page(con, crawl_id, page, parser)
    finish_crawl(con, crawl_id, when, complete=complete)


def _old_parser(page: FetchedPage) -> ParseResult:
    """A parser from before a fix: it read every title with a stray suffix."""
    result = _parse(page)
    records = [dict(r, title=(r["title"] or "") + " (old)", parser_version="wp_listing/0")
               for r in result.records]  # fmt: skip
    return replace(result, records=records)


def test_reparse_with_the_same_parsers_reproduces_the_archive(tmp_path: Path) -> None:
    con = build_archive(tmp_path / "a.duckdb")
    state, events = con.execute(STATE).fetchall(), con.execute(EVENTS).fetchall()
    report = reparse(con)
    assert report.applied and report.snapshots == 3
    assert (report.new_notices, report.gone_notices, report.changed_notices) == ([], [], 0)
    assert con.execute(STATE).fetchall() == state
    assert con.execute(EVENTS).fetchall() == events  # vanishing replayed crawl by crawl
    con.close()
    check_invariants(tmp_path / "a.duckdb")


def test_reparse_keeps_a_drifted_page_drift(tmp_path: Path) -> None:
    """A page that drifted (one notice read where four were) stays drift through a reparse
    with the same parsers: its notices are not sighted, so none vanishes."""
    unreadable = "\n".join(["  • A notice in a theme the parser cannot read", ""] * 3)
    at = datetime(2023, 1, 10, 9, 30, tzinfo=UTC)
    crawls = [(at, [A_OPEN, B, C, D]), (at + timedelta(hours=1), [B, unreadable]),
              (at + timedelta(hours=2), [B, unreadable])]  # fmt: skip
    con = connect(tmp_path / "a.duckdb")
    for when, notices in crawls:
        _crawl(con, when, [(URL, notices)])
    outcomes = "SELECT fetch_id, outcome FROM fetches ORDER BY ALL"
    parsed = "SELECT snapshot_id, parse_outcome FROM snapshots ORDER BY ALL"
    before = [con.execute(q).fetchall() for q in (STATE, outcomes, parsed, EVENTS)]
    assert [o for _, o in before[1]] == ["new", "drift", "drift"]
    report = reparse(con)
    assert report.drifted == 1 and report.changed_notices == 0
    assert "1 snapshots drifted" in "\n".join(report.lines())
    assert [con.execute(q).fetchall() for q in (STATE, outcomes, parsed, EVENTS)] == before
    assert (
        con.execute("SELECT count(*) FROM notices WHERE vanished_at IS NOT NULL").fetchone()[0] == 0
    )
    con.close()
    check_invariants(tmp_path / "a.duckdb")


def test_a_drift_the_parsers_now_read_becomes_new_then_unchanged(tmp_path: Path) -> None:
    """Fetched, drifted (a parser that read one notice of four), fetched again unchanged:
    once today's parsers read it, the first fetch is new and the second unchanged."""

    def one_notice(page: FetchedPage) -> ParseResult:
        result = _parse(page)
        return replace(result, records=result.records[:1])

    con = connect(tmp_path / "a.duckdb")
    at = datetime(2023, 1, 10, 9, 30, tzinfo=UTC)
    crawls = [(at, [A_OPEN, B, C, D], _parse), (at + timedelta(hours=1), [A_DONE, B, C, D], one_notice),
              (at + timedelta(hours=2), [A_DONE, B, C, D], one_notice)]  # fmt: skip
    for when, notices, parser in crawls:
        _crawl(con, when, [(URL, notices)], parser)
    outcomes = "SELECT outcome FROM fetches ORDER BY fetch_id"
    assert con.execute(outcomes).fetchall() == [("new",), ("drift",), ("drift",)]
    report = reparse(con)
    assert report.drifted == 0
    assert con.execute(outcomes).fetchall() == [("new",), ("new",), ("unchanged",)]
    assert con.execute(
        "SELECT state FROM notices WHERE notice_key = 'nhsmail:INC10000001'"
    ).fetchall() == [("resolved",)]
    con.close()
    check_invariants(tmp_path / "a.duckdb")


def test_reparse_vanishes_nothing_on_a_crawl_cut_short(tmp_path: Path) -> None:
    """A crawl stopped after page 1 (SIGTERM, the page cap) vanishes nothing live, though
    page 1 no longer shows A (it moved to page 2, never fetched); nor may a reparse."""
    page_2 = URL + "page/2/"
    con = connect(tmp_path / "a.duckdb")
    at = datetime(2023, 1, 10, 9, 30, tzinfo=UTC)
    _crawl(con, at, [(URL, [A_OPEN, B]), (page_2, [C])])
    _crawl(con, at + timedelta(hours=1), [(URL, [B])], complete=False)  # cut short
    state, events = con.execute(STATE).fetchall(), con.execute(EVENTS).fetchall()
    assert con.execute("SELECT outcome FROM crawls ORDER BY crawl_id").fetchall() == [
        ("ok",),
        ("interrupted",),
    ]
    reparse(con)
    assert con.execute(STATE).fetchall() == state
    assert con.execute(EVENTS).fetchall() == events
    con.close()


def test_reparse_vanishes_nothing_for_a_page_cut_short(tmp_path: Path) -> None:
    """A listing whose body stopped part way still shows most of its notices; live, its
    crawl vanished nothing of the rest, and neither may the vanishing a reparse replays."""
    from tests.crawl.site import article, listing

    whole = listing(*(article(f"INC4000000{i} – Issue {i} – NEW", "20/01/2023 09:00:00 AM",
                              f"We are aware of issue {i}.") for i in range(4)))  # fmt: skip
    cut = whole[: whole.index("INC40000003")]  # three of four: no drift
    con = connect(tmp_path / "a.duckdb")
    at = datetime(2023, 1, 20, 9, 30, tzinfo=UTC)
    for i, body in enumerate([whole, cut]):
        crawl_id = start_crawl(con, "nhsmail", at + timedelta(hours=i))
        page = FetchedPage("nhsmail", URL, at + timedelta(hours=i), 200, body.encode())
        ingest_page(con, crawl_id, page, _parse)
        finish_crawl(con, crawl_id, at + timedelta(hours=i))
    state, events = con.execute(STATE).fetchall(), con.execute(EVENTS).fetchall()
    assert con.execute("SELECT outcome, vanished FROM crawls ORDER BY crawl_id").fetchall() == [
        ("ok", 0),
        ("failed", 0),
    ]
    reparse(con)
    assert con.execute(STATE).fetchall() == state
    assert con.execute(EVENTS).fetchall() == events
    assert con.execute("SELECT count(*) FROM notices WHERE vanished_at IS NOT NULL").fetchone() == (
        0,
    )
    con.close()
    check_invariants(tmp_path / "a.duckdb")


def test_reparse_keeps_a_listing_turned_empty_status_page_drift(tmp_path: Path) -> None:
    """A listing's address that now shows an empty status page drifted live; a reparse
    applies the same rule (the URL's last parsed snapshot was no status page)."""
    emptied = ("Service Status\n\nLast updated: 10/01/2023 11:00\n\n"
               "High Severity Service Incidents\n\nThere are no HSSIs at present.\n")  # fmt: skip
    at = datetime(2023, 1, 10, 9, 30, tzinfo=UTC)
    con = connect(tmp_path / "a.duckdb")
    _crawl(con, at, [(URL, [A_OPEN, B, C])])
    _crawl(con, at + timedelta(hours=1), [(URL, [emptied])])
    outcomes = "SELECT outcome FROM fetches ORDER BY fetch_id"
    assert con.execute(outcomes).fetchall() == [("new",), ("drift",)]
    state, events = con.execute(STATE).fetchall(), con.execute(EVENTS).fetchall()
    report = reparse(con)
    assert report.drifted == 1
    assert con.execute(outcomes).fetchall() == [("new",), ("drift",)]
    assert con.execute(STATE).fetchall() == state
    assert con.execute(EVENTS).fetchall() == events
    assert con.execute("SELECT count(*) FROM notices WHERE vanished_at IS NOT NULL").fetchone() == (
        0,
    )
    con.close()
    check_invariants(tmp_path / "a.duckdb")


def test_reparse_applies_a_parser_fix_and_says_what_changed(tmp_path: Path) -> None:
    con = connect(tmp_path / "a.duckdb")
    for at, notices in CRAWLS:
        _crawl(con, at, [(URL, list(notices))], _old_parser)
    fetches = con.execute("SELECT * FROM fetches ORDER BY fetch_id").fetchall()
    report = reparse(con)
    assert report.changed_fields["title"] == 5 and report.changed_notices == 5
    assert con.execute("SELECT count(*) FROM notices WHERE title LIKE '%(old)'").fetchone() == (0,)
    from parsers.nhsmail import wp_listing

    assert con.execute("SELECT DISTINCT parser_version FROM notice_versions").fetchall() == [
        (f"wp_listing/{wp_listing.VERSION}",)
    ]
    assert con.execute("SELECT fetch_id, outcome FROM fetches ORDER BY fetch_id").fetchall() == [
        (f[0], f[6]) for f in fetches
    ], "observations stay as they were"
    con.close()
    check_invariants(tmp_path / "a.duckdb")


def test_dry_run_reports_and_writes_nothing(tmp_path: Path) -> None:
    con = connect(tmp_path / "a.duckdb")
    at = datetime(2023, 1, 10, 9, 30, tzinfo=UTC)
    crawl_id = start_crawl(con, "nhsmail", at)
    ingest_page(
        con,
        crawl_id,
        FetchedPage("nhsmail", URL, at, 200, "\n".join(CRAWLS[0][1]).encode()),
        _old_parser,
    )
    finish_crawl(con, crawl_id, at)
    tables = (
        "notices",
        "notice_versions",
        "notice_updates",
        "sightings",
        "notice_events",
        "snapshots",
        "fetches",
    )
    before = {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables}
    report = reparse(con, dry_run=True)
    assert not report.applied and report.changed_notices == 3
    assert {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables} == before


def test_a_drifted_snapshot_the_parsers_now_read_becomes_an_observation(tmp_path: Path) -> None:
    con = connect(tmp_path / "a.duckdb")
    at = datetime(2023, 1, 10, 9, 30, tzinfo=UTC)
    page = FetchedPage("nhsmail", URL, at, 200, "\n".join(CRAWLS[0][1]).encode())
    crawl_id = start_crawl(con, "nhsmail", at)
    ingest_page(con, crawl_id, page, _parse)
    finish_crawl(con, crawl_id, at)
    # the site's theme changed and the parser of the day read nothing: drift
    later = at + timedelta(hours=1)
    changed = replace(page, fetched_at=later, body=page.body + b"\n<!-- new theme -->\n")
    crawl_id = start_crawl(con, "nhsmail", later)
    blind = ingest_page(con, crawl_id, changed, lambda p: ParseResult([], None, ["wp_listing"]))
    finish_crawl(con, crawl_id, later)
    assert blind.outcome == "drift"
    assert con.execute(
        "SELECT count(*) FROM sightings WHERE observed_at = ?", [later]
    ).fetchone() == (0,)
    reparse(con)  # today's parser reads it
    assert con.execute("SELECT outcome FROM fetches ORDER BY fetch_id").fetchall() == [
        ("new",),
        ("new",),
    ]
    assert con.execute(
        "SELECT count(*) FROM sightings WHERE observed_at = ?", [later]
    ).fetchone() == (3,)


def test_reparse_command(tmp_path: Path, capsys) -> None:
    db = tmp_path / "a.duckdb"
    build_archive(db).close()
    assert main(["reparse", "--dry-run", "--db", str(db)]) == 0
    assert "reparsed 3 snapshots" in capsys.readouterr().out
    assert main(["reparse", "nhsmail", "--db", str(db)]) == 0
    assert "dry run" not in capsys.readouterr().out
    assert main(["reparse", "--db", str(tmp_path / "none.duckdb")]) == 2
    duckdb.connect(str(db), read_only=True).close()


def test_reparse_reads_each_snapshot_with_its_kind(tmp_path: Path) -> None:
    """A source named `github` is read by the `statuspage` parser, before and after."""
    from parsers import parse_as
    from tests.golden import FIXTURES

    folder = FIXTURES / "statuspage" / "api_incidents-2025-01-03"
    body = next(p for p in folder.iterdir() if p.stem == "page").read_bytes()
    con = connect(tmp_path / "a.duckdb")
    at = datetime(2025, 1, 3, 12, 0, tzinfo=UTC)
    page = FetchedPage("github", "https://www.githubstatus.com/api/v2/incidents.json", at, 200,
                       body, kind="statuspage")  # fmt: skip
    crawl_id = start_crawl(con, "github", at)
    first = ingest_page(
        con,
        crawl_id,
        page,
        lambda p: parse_as(p.source, p.kind, p.body, url=p.url, fetched_at=p.fetched_at),
    )
    finish_crawl(con, crawl_id, at)
    assert first.notices > 0
    before = con.execute(STATE).fetchall()
    report = reparse(con, "github")
    assert report.snapshots == 1 and con.execute(STATE).fetchall() == before
    assert con.execute("SELECT DISTINCT source FROM notices").fetchall() == [("github",)]
    assert con.execute("SELECT count(*) FROM notices WHERE state IS NULL").fetchone() == (0,)


def test_parsing_in_worker_processes_gives_the_same_archive(tmp_path: Path, monkeypatch) -> None:
    """A large reparse parses in one process per core; what it writes is what the
    in-process parse writes, table by table, and progress still counts every snapshot."""
    import archive.reparse

    serial, pooled = build_archive(tmp_path / "s.duckdb"), build_archive(tmp_path / "p.duckdb")
    reparse(serial, jobs=1)
    monkeypatch.setattr(archive.reparse, "_POOL_MIN", 0)  # the fixture has 3 snapshots
    monkeypatch.setattr(archive.reparse, "_CHUNK", 1)  # three tasks for two workers
    seen: list[tuple[int, int]] = []
    report = reparse(pooled, jobs=2, progress=lambda done, total: seen.append((done, total)))
    assert report.applied and report.snapshots == 3
    assert seen == [(1, 3), (2, 3), (3, 3)]
    for table in TABLES:
        query = f"SELECT * FROM {table} ORDER BY ALL"
        assert pooled.execute(query).fetchall() == serial.execute(query).fetchall(), table


def _die(snaps: object) -> object:
    """A parsing process that dies, as one killed for memory would (runs in the worker)."""
    os._exit(1)


def test_a_parsing_process_that_dies_fails_the_reparse_and_changes_nothing(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    import archive.reparse

    db = tmp_path / "a.duckdb"
    con = build_archive(db)
    before = {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES}
    monkeypatch.setattr(archive.reparse, "_POOL_MIN", 0)
    monkeypatch.setattr(archive.reparse, "parse_snapshots", _die)  # the workers run it
    with pytest.raises(archive.reparse.ReparseError, match="parsing process died"):
        reparse(con, jobs=2)
    assert {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES} == before
    con.close()
    assert main(["reparse", "--jobs", "2", "--db", str(db)]) == 1
    assert "--jobs 1" in capsys.readouterr().err


def test_reparse_jobs_option(tmp_path: Path, capsys) -> None:
    db = tmp_path / "a.duckdb"
    build_archive(db).close()
    assert main(["reparse", "--jobs", "2", "--db", str(db)]) == 0
    assert "reparsed 3 snapshots" in capsys.readouterr().out
    assert main(["reparse", "--jobs", "0", "--db", str(db)]) == 2
    assert "at least 1" in capsys.readouterr().err


def test_the_report_names_sightings_and_last_seen_among_what_changed(tmp_path: Path) -> None:
    # a parser from before a fix missed B on the second page it saw: today's finds it there,
    # so B gains a sighting and a later last sighting, and the report says so
    def missed_b(page: FetchedPage) -> ParseResult:
        result = _parse(page)
        return replace(result, records=[r for r in result.records if "INC10000002" not in
                                        (r["notice_key"] or "")])  # fmt: skip

    con = connect(tmp_path / "a.duckdb")
    at = datetime(2023, 1, 10, 9, 30, tzinfo=UTC)
    _crawl(con, at, [(URL, [A_OPEN, B])])
    _crawl(con, at + timedelta(hours=1), [(URL, [A_OPEN, B, C])], missed_b)
    report = reparse(con)
    assert report.changed_fields.get("last_seen_at") == 1
    assert report.changed_fields.get("sightings") == 1


UNREAD = "Nothing a parser can read here."


def _reads_unread_as_a(page: FetchedPage) -> ParseResult:
    """An older parser that read the unreadable page as showing notice A."""
    if page.body == UNREAD.encode():
        page = replace(page, body=A_OPEN.encode())
    return _parse(page)


def test_a_page_reparse_finds_unread_is_unread_each_time_it_came(tmp_path: Path) -> None:
    # Page 2 showed A to an older parser, twice (new, then unchanged); today's cannot read
    # it. Reparse made its first fetch no_notices but left the second 'unchanged', so that
    # crawl counted as clean and vanished A, which ingesting with today's parser does not.
    t0 = datetime(2023, 1, 10, 9, 30, tzinfo=UTC)
    page2 = URL + "page/2/"

    def history(con: duckdb.DuckDBPyConnection, parser: Callable[..., ParseResult]) -> None:
        _crawl(con, t0, [(URL, [A_OPEN, B])], parser)
        for hours in (1, 2):
            _crawl(con, t0 + timedelta(hours=hours), [(URL, [B]), (page2, [UNREAD])], parser)

    today = connect(tmp_path / "today.duckdb")
    history(today, _parse)
    reparsed = connect(tmp_path / "reparsed.duckdb")
    history(reparsed, _reads_unread_as_a)
    reparse(reparsed)
    outcomes = "SELECT url, outcome FROM fetches ORDER BY fetch_id"
    events = "SELECT notice_key, event FROM notice_events WHERE event = 'vanished'"
    assert reparsed.execute(outcomes).fetchall() == today.execute(outcomes).fetchall()
    assert [o for u, o in today.execute(outcomes).fetchall() if u == page2] == ["no_notices"] * 2
    assert reparsed.execute(events).fetchall() == today.execute(events).fetchall() == []


def test_an_unread_page_after_a_reparse_names_the_first_reason_once(tmp_path: Path) -> None:
    # The page became unread by a reparse, so no fetch of it says why: each later fetch
    # must not quote the one before it ("still drift: unchanged since …, still drift: …").
    t0 = datetime(2023, 1, 10, 9, 30, tzinfo=UTC)
    con = connect(tmp_path / "a.duckdb")
    _crawl(con, t0, [(URL, [A_OPEN, B])])
    _crawl(con, t0 + timedelta(hours=1), [(URL, [UNREAD])], _reads_unread_as_a)
    reparse(con)
    for hours in (2, 3, 4):
        _crawl(con, t0 + timedelta(hours=hours), [(URL, [UNREAD])])
    said = [e for (e,) in con.execute("SELECT error FROM fetches ORDER BY fetch_id").fetchall()]
    assert said[:2] == [None, None]  # read, then unread only by the reparse
    snapshot = con.execute("SELECT max(snapshot_id) FROM snapshots").fetchone()[0]
    assert said[2:] == [said[2]] * 3
    assert said[2].startswith(f"unchanged since snapshot {snapshot}, still drift: ")
    assert said[2].count("unchanged since") == 1


def test_a_304_that_found_a_page_unread_is_a_304_again_once_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A reparse whose parsers cannot read the page, then one whose parsers can, gives the
    # archive back as it was: the 304 is 'not_modified' again, not 'unchanged'.
    import archive.reparse

    t0 = datetime(2023, 1, 10, 9, 30, tzinfo=UTC)
    body = "\n".join([A_OPEN, B]).encode()
    con = connect(tmp_path / "a.duckdb")
    for hours, status, got in ((0, 200, body), (1, 304, None), (2, 200, body)):
        at = t0 + timedelta(hours=hours)
        crawl_id = start_crawl(con, "nhsmail", at)
        page = FetchedPage("nhsmail", URL, at, status, got, not_modified=status == 304)
        ingest_page(con, crawl_id, page, _parse)
        finish_crawl(con, crawl_id, at)
    outcomes = "SELECT outcome FROM fetches ORDER BY fetch_id"
    before = con.execute(outcomes).fetchall()
    assert before == [("new",), ("not_modified",), ("unchanged",)]
    with monkeypatch.context() as m:
        m.setattr(archive.reparse, "parse_as", lambda *a, **k: ParseResult([], None))
        reparse(con)
    assert con.execute(outcomes).fetchall() == [("no_notices",)] * 3
    reparse(con)
    assert con.execute(outcomes).fetchall() == before
