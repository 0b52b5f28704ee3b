"""Backfill from a loopback fake of a web archive's CDX and playback endpoints."""

from __future__ import annotations

import itertools
import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from tests.crawl.fake_archive import FakeArchive, Snapshot
from tests.crawl.site import (
    NOTICES,
    Route,
    Site,
    article,
    check_invariants,
    crawl,
    listing,
    post,
    rows,
)
from tests.golden import FIXTURES

NHS = FIXTURES / "nhsmail"
PAGE_2017 = (NHS / "servicestatus_2017-2017-03-24" / "page.html").read_bytes()
PAGE_2017_MAY = (NHS / "servicestatus_2017-2017-05-12" / "page.txt").read_bytes()
PAGE_2018 = (NHS / "portal_2018-2018-11-02" / "page.html").read_bytes()
UNKNOWN = b"<html><body><main><p>This site is down for maintenance.</p></main></body></html>"
OLD = "http://support.nhs.net/servicestatus"
PORTAL = "https://portal.nhs.net/Help/servicestatus"
FAST = ["-s", "RETRY_429_MIN_DELAY=0.2", "-s", "RETRY_BACKOFF_BASE=0.05",
        "-s", "DOWNLOAD_TIMEOUT=5", "-s", "NOTICES_ALLOW_PRIVATE_HOSTS=true"]  # fmt: skip


def snapshots() -> list[Snapshot]:
    return [
        Snapshot("20170324091000", OLD, PAGE_2017, "AAA"),
        Snapshot("20170401120000", OLD, PAGE_2017, "AAA"),  # unchanged: collapsed away
        Snapshot("20170512164500", OLD, PAGE_2017_MAY, "BBB"),
        Snapshot("20181102094500", PORTAL, PAGE_2018, "CCC"),
        Snapshot("20190601000000", PORTAL, UNKNOWN, "DDD"),
    ]


def backfill(db: Path, archive: FakeArchive, *extra: str) -> subprocess.CompletedProcess[str]:
    args = [NOTICES, "backfill", "nhsmail", "--db", str(db), "--cdx-url", archive.cdx_url,
            "--rate", "6000", *FAST, *extra]  # fmt: skip
    return subprocess.run(args, capture_output=True, text=True, timeout=180, env=dict(os.environ))


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "archive.duckdb"


def test_backfill_pages_the_index_and_stores_each_capture_at_its_time(
    httpserver: HTTPServer, db: Path
) -> None:
    archive = FakeArchive(httpserver, snapshots(), page_size=2)
    done = backfill(db, archive)
    assert done.returncode == 0, done.stdout + done.stderr
    calls = archive.cdx_calls()
    assert all(c["output"] == "json" and c["filter"] == "statuscode:200" and c["collapse"] == "digest"
               and c["showResumeKey"] == "true" for c in calls)  # fmt: skip
    old_calls = [
        c
        for c in calls
        if c["url"] == "support.nhs.net/servicestatus" and c["matchType"] == "exact"
    ]
    assert [c.get("resumeKey") for c in old_calls] == [None], "two captures fit one page"
    portal = [c for c in calls if c["url"] == "portal.nhs.net/Help/servicestatus"]
    assert [c.get("resumeKey") for c in portal] == [None]
    # the collapsed duplicate is never asked for; every other capture exactly once
    fetched = sorted(p for p, _ in archive.playbacks())
    assert fetched == sorted(
        f"/web/{s.timestamp}id_/{s.original}"
        for s in snapshots()
        if s.timestamp != "20170401120000"
    )
    snaps = rows(
        db,
        "SELECT url, fetched_at, origin, capture_id, parse_outcome FROM snapshots ORDER BY fetched_at",
    )
    assert [(s[0], s[1], s[2]) for s in snaps] == [
        (OLD, datetime(2017, 3, 24, 9, 10, tzinfo=UTC), "backfill"),
        (OLD, datetime(2017, 5, 12, 16, 45, tzinfo=UTC), "backfill"),
        (PORTAL, datetime(2018, 11, 2, 9, 45, tzinfo=UTC), "backfill"),
        (PORTAL, datetime(2019, 6, 1, tzinfo=UTC), "backfill"),
    ]
    assert snaps[0][3] == f"20170324091000 {OLD}"
    # the page in an unknown layout is kept and recorded as unreadable, not a crash
    assert snaps[3][4] in ("drift", "no_notices")
    layouts = rows(db, "SELECT DISTINCT layout FROM snapshots WHERE layout IS NOT NULL ORDER BY 1")
    assert layouts == [("portal_2018",), ("servicestatus_2017",)], (
        "each capture used its own layout"
    )
    assert rows(db, "SELECT count(*) FROM crawls WHERE origin = 'backfill'") == [(4,)]
    assert rows(db, "SELECT status, count(*) FROM backfill_captures GROUP BY ALL ORDER BY 1") == [
        ("fetched", 4)
    ]
    first_seen = rows(db, "SELECT min(first_seen_at) FROM notices")[0][0]
    assert first_seen == datetime(2017, 3, 24, 9, 10, tzinfo=UTC), "observed at capture time"
    check_invariants(db)


def test_paging_with_resume_keys(httpserver: HTTPServer, db: Path) -> None:
    archive = FakeArchive(httpserver, snapshots(), page_size=1)
    assert backfill(db, archive).returncode == 0
    old_calls = [c.get("resumeKey") for c in archive.cdx_calls()
                 if c["url"] == "support.nhs.net/servicestatus" and c["matchType"] == "exact"]  # fmt: skip
    assert old_calls == [None, "1"]
    assert rows(db, "SELECT count(*) FROM backfill_captures") == [(4,)]


def test_429_pauses_then_succeeds(httpserver: HTTPServer, db: Path) -> None:
    snaps = snapshots()
    snaps[0].status_first = [429]
    snaps[0].retry_after = "1"
    archive = FakeArchive(httpserver, snaps)
    done = backfill(db, archive)
    assert done.returncode == 0, done.stdout
    path = f"/web/{snaps[0].timestamp}id_/{OLD}"
    tries = [(t, status) for t, p, _, status in archive.log if p == path]
    assert [s for _, s in tries] == [429, 200]
    assert tries[1][0] - tries[0][0] >= 0.9, "Retry-After was honoured"


def test_a_rerun_finds_captures_made_since(httpserver: HTTPServer, db: Path) -> None:
    archive = FakeArchive(httpserver, snapshots())
    assert backfill(db, archive).returncode == 0
    later = Snapshot("20200301120000", PORTAL, PAGE_2018.replace(b"2018", b"2020"), "EEE")
    archive.snapshots = sorted([*archive.snapshots, later], key=lambda s: (s.original, s.timestamp))
    again = backfill(db, archive)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "1 captures fetched this run" in again.stdout, again.stdout
    fetched = [p for p, status in archive.playbacks() if status == 200]
    assert len(fetched) == len(set(fetched)) == 5, "only the new capture fetched again"
    check_invariants(db)


def test_a_429_asking_for_longer_than_we_wait_stops_the_backfill(
    httpserver: HTTPServer, db: Path
) -> None:
    """Retry-After beyond RETRY_BACKOFF_MAX: not retried sooner, and nothing more is asked
    of the server in this run; a later run fetches what was left."""
    snaps = snapshots()
    snaps[0].status_first = [429]
    snaps[0].retry_after = "3600"
    archive = FakeArchive(httpserver, snaps)
    done = backfill(db, archive)
    assert done.returncode != 0, done.stdout
    path = f"/web/{snaps[0].timestamp}id_/{OLD}"
    [(stopped_at, _)] = [(t, status) for t, p, _, status in archive.log if p == path]
    assert not [p for t, p, _, _ in archive.log if t > stopped_at], "nothing asked after the 429"
    assert "rate-limited" in done.stderr
    again = backfill(db, archive)
    assert again.returncode == 0, again.stdout + again.stderr
    assert rows(db, "SELECT count(*) FROM backfill_captures WHERE status = 'fetched'") == [(4,)]
    check_invariants(db)


def test_interrupted_backfill_resumes_without_fetching_twice(
    httpserver: HTTPServer, db: Path
) -> None:
    archive = FakeArchive(httpserver, snapshots(), page_size=1)
    first = backfill(db, archive, "-s", "CLOSESPIDER_ITEMCOUNT=6")
    # cut short: resumable, but not done, and a timer must not take it for done
    assert first.returncode == 1, first.stdout + first.stderr
    assert "backfill nhsmail: interrupted" in first.stdout
    stored_first = rows(db, "SELECT count(*) FROM backfill_captures WHERE status = 'fetched'")[0][0]
    assert 0 < stored_first < 4
    second = backfill(db, archive)
    assert second.returncode == 0, second.stdout + second.stderr
    paths = [p for p, status in archive.playbacks() if status == 200]
    assert len(paths) == len(set(paths)) == 4, "no capture fetched twice"
    assert rows(db, "SELECT count(*) FROM snapshots") == [(4,)]
    third = backfill(db, archive)
    assert "0 captures fetched this run" in third.stdout
    check_invariants(db)


def test_the_request_rate_is_held(httpserver: HTTPServer, db: Path) -> None:
    archive = FakeArchive(httpserver, snapshots())
    done = backfill(db, archive, "--rate", "120")  # one request every 0.5 s
    assert done.returncode == 0
    times = [t for t, path, _, _ in archive.log if path != "/robots.txt"]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert len(times) >= 6 and min(gaps) >= 0.45


def test_live_and_archived_observations_are_one_notice(
    httpserver: HTTPServer, db: Path, tmp_path: Path
) -> None:
    site = Site(httpserver)
    site.routes["/servicestatus/"] = Route(
        listing(
            article(
                "INC12345678 – Relay Delays – RESOLVED",
                "14/04/2022 09:35:00 AM",
                "RESOLVED – Mail is flowing.",
            )
        )
    )
    assert crawl(db, site.url("/servicestatus/")).returncode == 0
    live_url = site.url("/servicestatus/")
    # an archive that captured the same listing earlier, while the incident was open
    from pytest_httpserver import HTTPServer as Server

    other = Server(port=0)
    other.start()
    try:
        earlier = listing(article("INC12345678 – Relay Delays – NEW", "14/04/2022 09:35:00 AM",
                                  "We are aware of delays on the relay.")).encode()  # fmt: skip
        archive = FakeArchive(other, [Snapshot("20220414100000", live_url, earlier, "EEE")])
        prefix = live_url.split("://", 1)[1]
        done = backfill(db, archive, "--pattern", prefix)
    finally:
        other.clear()
        other.stop()
    assert done.returncode == 0, done.stdout + done.stderr
    notices = rows(db, "SELECT notice_key, versions, first_seen_at, state FROM notices")
    assert len(notices) == 1
    key, versions, first_seen, state = notices[0]
    assert (key, versions, state) == ("nhsmail:INC12345678", 2, "resolved")
    assert first_seen == datetime(2022, 4, 14, 10, 0, tzinfo=UTC), (
        "the capture is the first sighting"
    )
    check_invariants(db)


def test_backfill_into_a_file_that_is_no_archive_fails_and_is_not_locked(
    httpserver: HTTPServer, db: Path
) -> None:
    archive = FakeArchive(httpserver, snapshots(), page_size=2)
    db.write_bytes(b"not a database\n" * 100)
    done = backfill(db, archive)
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.strip() == (
        f"backfill nhsmail: failed — {db} is not a valid archive"
        " (not a DuckDB database file, or damaged)"
    )
    assert "Traceback" not in done.stderr
    assert archive.cdx_calls() == [], "the web archive was asked nothing"


LISTING_URL = "https://support.nhs.net/servicestatus/"
POST_URL = "https://support.nhs.net/2022/05/inc28274463-portal-access-resolved/"
SHORT_URL = "https://support.nhs.net/?p=53067"


def test_the_posts_a_captured_listing_links_are_backfilled_too(
    httpserver: HTTPServer, db: Path
) -> None:
    """A live crawl reads each post a listing links to; so does a backfill: their captures
    are looked up (the listing shows only an excerpt, and the post was captured earlier)."""
    page = listing(
        article("INC28274463 – Portal Access – RESOLVED", "14/05/2022 09:35:00 AM",
                "RESOLVED – The Portal could not be reached.", POST_URL),
        article("Information – Relay change", "13/05/2022 10:00:00 AM",
                "The relay will change.", SHORT_URL),
    )  # fmt: skip
    full = post("INC28274463 – Portal Access – NEW", "14/05/2022 09:35:00 AM",
                "The Portal cannot be reached. Engineers are investigating.")  # fmt: skip
    short = post("Information – Relay change", "13/05/2022 10:00:00 AM", "The relay will change.")
    snaps = [
        Snapshot("20220515120000", LISTING_URL, page.encode(), "L1"),
        Snapshot("20220514100000", POST_URL, full.encode(), "P1"),
        Snapshot("20220513110000", SHORT_URL, short.encode(), "S1"),
    ]
    archive = FakeArchive(httpserver, snaps)
    done = backfill(db, archive, "--pattern", "support.nhs.net/servicestatus/*")
    assert done.returncode == 0, done.stdout + done.stderr
    asked = sorted(c["url"] for c in archive.cdx_calls())
    assert asked == ["support.nhs.net/2022/05/inc28274463-portal-access-resolved/",
                     "support.nhs.net/?p=53067", "support.nhs.net/servicestatus/"]  # fmt: skip
    assert rows(db, "SELECT url, fetched_at FROM snapshots ORDER BY fetched_at") == [
        (SHORT_URL, datetime(2022, 5, 13, 11, 0, tzinfo=UTC)),
        (POST_URL, datetime(2022, 5, 14, 10, 0, tzinfo=UTC)),
        (LISTING_URL, datetime(2022, 5, 15, 12, 0, tzinfo=UTC)),
    ]
    # the post showed it open a day before the listing showed it resolved
    assert rows(
        db, "SELECT last_open, first_closed FROM notices WHERE reference = 'INC28274463'"
    ) == [(datetime(2022, 5, 14, 10, 0, tzinfo=UTC), datetime(2022, 5, 15, 12, 0, tzinfo=UTC))]
    check_invariants(db)


def test_a_captured_listing_with_a_wrong_charset_claim_still_has_its_posts_looked_up(
    httpserver: HTTPServer, db: Path
) -> None:
    """Links are read from the text the parser reads (the bytes: UTF-8 here), not from
    Scrapy's decoding of the capture's <meta charset>, which found no links at all."""
    page = listing(
        article("INC28274463 – Portal Access – RESOLVED", "14/05/2022 09:35:00 AM",
                "RESOLVED – The Portal could not be reached.", POST_URL),
    ).replace("<head>", '<head><meta charset="utf-16">')  # fmt: skip
    full = post("INC28274463 – Portal Access – NEW", "14/05/2022 09:35:00 AM",
                "The Portal cannot be reached. Engineers are investigating.")  # fmt: skip
    snaps = [
        Snapshot("20220515120000", LISTING_URL, page.encode(), "L1"),
        Snapshot("20220514100000", POST_URL, full.encode(), "P1"),
    ]
    archive = FakeArchive(httpserver, snaps)
    done = backfill(db, archive, "--pattern", "support.nhs.net/servicestatus/*")
    assert done.returncode == 0, done.stdout + done.stderr
    asked = sorted(c["url"] for c in archive.cdx_calls())
    assert asked == ["support.nhs.net/2022/05/inc28274463-portal-access-resolved/",
                     "support.nhs.net/servicestatus/"]  # fmt: skip
    assert rows(db, "SELECT url FROM snapshots ORDER BY fetched_at") == [
        (POST_URL,),
        (LISTING_URL,),
    ]
    check_invariants(db)


def test_a_notice_pushed_off_a_captured_listing_has_not_vanished(
    httpserver: HTTPServer, db: Path
) -> None:
    """A capture is one page of the listing, fetched alone: the notice that slid to page 2
    is not gone; one newer than the oldest still shown is. A reparse replays the same."""
    a = article("INC30000001 – Relay – RESOLVED", "10/05/2022 09:00:00 AM", "RESOLVED – Relay.")
    b = article("INC30000002 – Portal – RESOLVED", "09/05/2022 09:00:00 AM", "RESOLVED – Portal.")
    c = article("INC30000003 – Teams – NEW", "11/05/2022 09:00:00 AM", "Teams is down.")
    d = article("INC30000004 – Mail – NEW", "10/05/2022 12:00:00 PM", "Mail is slow.")
    snaps = [
        Snapshot("20220510130000", LISTING_URL, listing(d, a, b).encode(), "L1"),
        # d deleted (newer than a, still shown): vanished; b pushed off the end: not
        Snapshot("20220511100000", LISTING_URL, listing(c, a).encode(), "L2"),
    ]
    archive = FakeArchive(httpserver, snaps)
    done = backfill(db, archive, "--pattern", "support.nhs.net/servicestatus/*")
    assert done.returncode == 0, done.stdout + done.stderr
    gone = "SELECT reference FROM notices WHERE vanished_at IS NOT NULL ORDER BY 1"
    assert rows(db, gone) == [("INC30000004",)]
    replay = subprocess.run([NOTICES, "reparse", "--db", str(db)], capture_output=True, text=True)
    assert replay.returncode == 0, replay.stderr
    assert rows(db, gone) == [("INC30000004",)]


def test_a_captured_listing_that_only_lost_notices_pushed_nothing_off(
    httpserver: HTTPServer, db: Path
) -> None:
    a = article("INC30000001 – Relay – RESOLVED", "10/05/2022 09:00:00 AM", "RESOLVED – Relay.")
    b = article("INC30000002 – Portal – RESOLVED", "09/05/2022 09:00:00 AM", "RESOLVED – Portal.")
    snaps = [
        Snapshot("20220510130000", LISTING_URL, listing(a, b).encode(), "L1"),
        Snapshot("20220511100000", LISTING_URL, listing(a).encode(), "L2"),
    ]
    archive = FakeArchive(httpserver, snaps)
    done = backfill(db, archive, "--pattern", "support.nhs.net/servicestatus/*")
    assert done.returncode == 0, done.stdout + done.stderr
    assert rows(db, "SELECT reference FROM notices WHERE vanished_at IS NOT NULL") == [
        ("INC30000002",)
    ]


def test_a_post_captured_after_its_listing_does_not_keep_it_on_show(
    httpserver: HTTPServer, db: Path
) -> None:
    """Each capture is a crawl of its own: the post, captured last, must not become the only
    page whose re-fetch could show the notice gone (it always shows it)."""
    a = article("INC30000001 – Relay – RESOLVED", "10/05/2022 09:00:00 AM", "RESOLVED – Relay.")
    d = article("INC30000004 – Mail – NEW", "10/05/2022 12:00:00 PM", "Mail is slow.", POST_URL)
    c = article("INC30000003 – Teams – NEW", "11/05/2022 09:00:00 AM", "Teams is down.")
    own = post("INC30000004 – Mail – NEW", "10/05/2022 12:00:00 PM", "Mail is slow.")
    snaps = [
        Snapshot("20220510130000", LISTING_URL, listing(d, a).encode(), "L1"),
        Snapshot("20220510140000", POST_URL, own.encode(), "P1"),
        Snapshot("20220511100000", LISTING_URL, listing(c, a).encode(), "L2"),
    ]
    archive = FakeArchive(httpserver, snaps)
    done = backfill(db, archive, "--pattern", "support.nhs.net/servicestatus/*")
    assert done.returncode == 0, done.stdout + done.stderr
    assert rows(db, "SELECT reference, vanished_at FROM notices WHERE vanished_at IS NOT NULL") == [
        ("INC30000004", datetime(2022, 5, 11, 10, 0, tzinfo=UTC))
    ]


def _listing_and_post() -> list[Snapshot]:
    """A listing captured on 15 May 2022 linking a post captured the day before."""
    page = listing(article("INC28274463 – Portal Access – RESOLVED", "14/05/2022 09:35:00 AM",
                           "RESOLVED – The Portal could not be reached.", POST_URL))  # fmt: skip
    full = post("INC28274463 – Portal Access – NEW", "14/05/2022 09:35:00 AM", "Portal down.")
    return [
        Snapshot("20220515120000", LISTING_URL, page.encode(), "L1"),
        Snapshot("20220514100000", POST_URL, full.encode(), "P1"),
    ]


@pytest.mark.parametrize("first_range", [[], ["--from", "2022", "--to", "2022"]])
def test_a_linked_posts_lookup_that_failed_is_asked_again_next_run(
    httpserver: HTTPServer, db: Path, first_range: list[str]
) -> None:
    """The listing's capture is stored (and never read again): the lookups of the posts it
    links must outlive a run that failed or stopped before the index answered them."""
    snaps = _listing_and_post()
    archive = FakeArchive(httpserver, snaps)
    bare_post = POST_URL.removeprefix("https://")
    archive.cdx_down = {bare_post}
    first = backfill(db, archive, "--pattern", "support.nhs.net/servicestatus/*", "-s",
                     "RETRY_TIMES=0", *first_range)  # fmt: skip
    assert first.returncode != 0, first.stdout
    assert rows(db, "SELECT url FROM snapshots") == [(LISTING_URL,)]
    archive.cdx_down = set()
    again = backfill(db, archive, "--pattern", "support.nhs.net/servicestatus/*")
    assert again.returncode == 0, again.stdout + again.stderr
    assert rows(db, "SELECT url FROM snapshots ORDER BY fetched_at") == [
        (POST_URL,),
        (LISTING_URL,),
    ]


PAGE_2_URL = "https://support.nhs.net/servicestatus/page/2/"
EVENTS = ("SELECT n.reference, e.event FROM notice_events e JOIN notices n USING (notice_key)"
          " WHERE e.event IN ('vanished', 'reappeared') ORDER BY e.event_at, 1")  # fmt: skip


def _relay(state: str = "RESOLVED") -> str:
    return article(f"INC30000001 – Relay – {state}", "10/05/2022 09:00:00 AM", f"{state} – Relay.")


def _portal() -> str:
    return article(
        "INC30000002 – Portal – RESOLVED", "09/05/2022 09:00:00 AM", "RESOLVED – Portal."
    )


def _teams(state: str = "NEW") -> str:
    return article(f"INC30000003 – Teams – {state}", "11/05/2022 09:00:00 AM", f"{state} – Teams.")


@pytest.mark.parametrize(
    "captures",
    [
        # pushed off by Teams, then the page captured again with only an edit
        [(LISTING_URL, [_relay(), _portal()]), (LISTING_URL, [_teams(), _relay()]),
         (LISTING_URL, [_teams("RESOLVED"), _relay()])],
        # and seen on page 2 meanwhile: page 1's edit is no news of it
        [(LISTING_URL, [_relay(), _portal()]), (LISTING_URL, [_teams(), _relay()]),
         (PAGE_2_URL, [_portal()]), (LISTING_URL, [_teams("RESOLVED"), _relay()]),
         (PAGE_2_URL, [_portal(), ""])],
    ],
)  # fmt: skip
def test_a_pushed_off_notice_stays_pushed_off_when_its_page_is_only_edited(
    httpserver: HTTPServer, db: Path, captures: list[tuple[str, list[str]]]
) -> None:
    """Compared with the capture that last showed it: the page shows a notice that one did
    not (Teams), so Portal was pushed off, whatever edits come later."""
    snaps = [
        Snapshot(
            f"202205{10 + n // 4}{10 + n % 4 * 3:02d}0000", url, listing(*items).encode(), str(n)
        )
        for n, (url, items) in enumerate(captures)
    ]
    archive = FakeArchive(httpserver, snaps)
    done = backfill(db, archive, "--pattern", "support.nhs.net/servicestatus/*")
    assert done.returncode == 0, done.stdout + done.stderr
    assert rows(db, EVENTS) == []


def test_a_resumed_lookup_does_not_stand_in_for_this_runs_dates(
    httpserver: HTTPServer, db: Path
) -> None:
    """A post's lookup queued over 2023 and resumed is not its lookup over this run's 2022:
    a 2022 listing linking it still has the post looked up over 2022."""
    snaps = _listing_and_post()
    page = snaps[0].body.decode()
    snaps.append(Snapshot("20230515120000", LISTING_URL, (page + " ").encode(), "L2"))
    archive = FakeArchive(httpserver, snaps)
    archive.cdx_down = {POST_URL.removeprefix("https://")}
    pattern = ["--pattern", "support.nhs.net/servicestatus/*"]
    first = backfill(db, archive, *pattern, "-s", "RETRY_TIMES=0", "--from", "2023")
    assert first.returncode != 0, first.stdout
    archive.cdx_down = set()
    again = backfill(db, archive, *pattern, "--from", "2022")
    assert again.returncode == 0, again.stdout + again.stderr
    assert (POST_URL,) in rows(db, "SELECT url FROM snapshots")


def test_a_signal_while_the_backfill_waits_for_a_reader_stops_it_at_once(
    httpserver: HTTPServer, db: Path
) -> None:
    """As for a crawl: a backfill waiting for a reader (a notebook) to close the archive
    ends on SIGTERM then, not after the wait (exit 5), asking the web archive nothing."""
    import signal

    from archive.db import connect
    from archive.lock import ArchiveLock
    from tests.crawl.site import every_row, signalled_while_waiting

    archive = FakeArchive(httpserver, snapshots(), page_size=2)
    connect(db).close()
    before = every_row(db)
    code, out, err, took = signalled_while_waiting(
        [NOTICES, "backfill", "nhsmail", "--db", str(db), "--cdx-url", archive.cdx_url,
         *FAST, "-s", "NOTICES_WRITER_WAIT=20"],
        db, signal.SIGTERM,
    )  # fmt: skip
    assert code == 1, out + err[-2000:]
    assert took < 5, f"stopped {took:.1f} s after the signal, not at once"
    assert out.strip() == (
        f"backfill nhsmail: interrupted — SIGTERM received while waiting for another process"
        f" to close archive {db}; crawled nothing"
    )
    assert "Traceback" not in err, err[-2000:]
    assert archive.cdx_calls() == [], "the web archive was asked nothing"
    assert every_row(db) == before
    with ArchiveLock(db):  # freed
        pass
