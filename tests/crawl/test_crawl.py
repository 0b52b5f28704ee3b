"""Crawls of a loopback site through the real spider, middlewares and pipeline.

Each crawl runs `notices crawl` in a subprocess (Twisted's reactor starts once per process).
"""

from __future__ import annotations

import itertools
import re
import time
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from archive.lock import ArchiveLock
from tests.crawl.site import (
    Route,
    Site,
    article,
    check_invariants,
    crawl,
    every_row,
    hold_open,
    listing,
    post,
    rows,
)

P1 = "/2022/04/inc28274463-portal/"
P2 = "/2022/04/relay-certificate/"


def _site(server: HTTPServer) -> Site:
    site = Site(server)
    site.routes["/status/"] = Route(
        listing(
            article("INC28274463 – Portal Unavailable – NEW", "14/04/2022 09:35:00 AM",
                    "The NHSmail team are aware of an issue affecting the Portal.", P1),
            article("", "21/03/2022 10:20:00 AM",
                    "RESOLVED – Mail sent via the relay was rejected."),
            next_page="/status/page/2/",
        )
    )  # fmt: skip
    site.routes["/status/page/2/"] = Route(
        listing(
            article("Relay Certificate Renewal – Maintenance – COMPLETED",
                    "18/10/2021 07:22:59 PM (BST)",
                    "COMPLETED: between 1:00 AM and 1:30 AM on the 19th October, 2021.", P2)
        )
    )  # fmt: skip
    site.routes[P1] = Route(
        post("INC28274463 – Portal Unavailable – NEW", "14/04/2022 09:35:00 AM",
             "Issue Status: NEW\nDescription: The NHSmail Portal cannot be reached.")
    )  # fmt: skip
    site.routes[P2] = Route(
        post("Relay Certificate Renewal – Maintenance – COMPLETED",
             "18/10/2021 07:22:59 PM (BST)", "COMPLETED: the certificate was renewed.")
    )  # fmt: skip
    return site


def _without_the_relay_notice(state: str, body: str) -> Route:
    """The first listing page once the untitled relay notice has dropped off it."""
    return Route(
        listing(
            article(f"INC28274463 – Portal Unavailable – {state}", "14/04/2022 09:35:00 AM",
                    body, P1),
            next_page="/status/page/2/",
        )
    )  # fmt: skip


@pytest.fixture
def site(httpserver: HTTPServer) -> Site:
    return _site(httpserver)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "archive.duckdb"


def test_full_crawl_follows_pagination_and_posts(site: Site, db: Path) -> None:
    done = crawl(db, site.url("/status/"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("crawl nhsmail #1: ok — 4 pages (4 new")
    fetched = {r[0] for r in rows(db, "SELECT url FROM fetches")}
    assert fetched == {site.url(p) for p in ("/status/", "/status/page/2/", P1, P2)}
    keys = {r[0] for r in rows(db, "SELECT notice_key FROM notices")}
    assert keys == {
        "nhsmail:INC28274463",
        "nhsmail:20220321T1020:mail-sent-via-the-relay-was-rejected",
        "nhsmail:20211018T1922:relay-certificate-renewal-maintenance",
    }
    # the listing and the post show INC28274463 differently: two versions, both current
    assert (
        rows(db, "SELECT count(*) FROM notice_versions WHERE notice_key = 'nhsmail:INC28274463'")[
            0
        ][0]
        == 2
    )
    assert site.requests_for("/robots.txt"), "robots.txt is asked first"
    ua = site.requests_for("/status/")[0][1]["User-Agent"]
    assert ua.startswith("notice-archive/")
    check_invariants(db)


@pytest.mark.parametrize("how", ["environment", "setting"])
def test_the_user_agent_names_the_contact(site: Site, db: Path, how: str) -> None:
    contact = "ops@example.org"
    if how == "setting":
        done = crawl(db, site.url("/status/"), extra=["-s", f"NOTICES_CONTACT={contact}"])
    else:
        done = crawl(db, site.url("/status/"), env={"NOTICES_CONTACT": contact})
    assert done.returncode == 0, done.stdout
    want = "notice-archive/0.1 (+status-page history archive; contact ops@example.org)"
    assert {h["User-Agent"] for _, h, _ in site.log} == {want}  # robots.txt's request too


def test_unchanged_second_crawl_adds_a_crawl_and_sightings_only(site: Site, db: Path) -> None:
    assert crawl(db, site.url("/status/")).returncode == 0
    before = check_invariants(db)
    done = crawl(db, site.url("/status/"))
    assert done.returncode == 0, done.stderr
    after = check_invariants(db)
    assert after["crawls"] == before["crawls"] + 1
    assert after["fetches"] == before["fetches"] + 4
    for table in ("snapshots", "contents", "notice_versions", "notice_updates", "notice_events"):
        assert after[table] == before[table], table
    assert rows(db, "SELECT DISTINCT outcome FROM fetches WHERE crawl_id = 2") == [("unchanged",)]


def test_state_change_vanish_and_reappear(site: Site, db: Path) -> None:
    assert crawl(db, site.url("/status/")).returncode == 0
    # crawl 2: the incident resolves; the untitled notice drops off the listing
    site.routes["/status/"] = _without_the_relay_notice(
        "RESOLVED", "RESOLVED – The NHSmail team are aware of an issue affecting the Portal."
    )
    site.routes[P1] = Route(
        post("INC28274463 – Portal Unavailable – RESOLVED", "14/04/2022 09:35:00 AM",
             "Issue Status: RESOLVED\nDescription: The NHSmail Portal cannot be reached.\n"
             "Final Update: 14/04/2022 11:05:00 AM – Access has been restored.")
    )  # fmt: skip
    assert crawl(db, site.url("/status/")).returncode == 0
    state = rows(
        db,
        "SELECT state, is_open, vanished_at FROM notices WHERE notice_key = 'nhsmail:INC28274463'",
    )
    assert state == [("resolved", False, None)]
    untitled = "nhsmail:20220321T1020:mail-sent-via-the-relay-was-rejected"
    assert rows(
        db, "SELECT vanished_at IS NOT NULL FROM notices WHERE notice_key = ?", [untitled]
    ) == [(True,)]
    updates = rows(db, "SELECT label, at_local FROM notice_updates WHERE label = 'Final Update'")
    assert [u[0] for u in updates] == ["Final Update"]
    # crawl 3: it comes back
    site.routes["/status/"] = _site(site.server).routes["/status/"]
    site.server.clear_handler_errors()
    assert crawl(db, site.url("/status/")).returncode == 0
    assert rows(db, "SELECT vanished_at FROM notices WHERE notice_key = ?", [untitled]) == [(None,)]
    events = [
        r[0]
        for r in rows(
            db, "SELECT event FROM notice_events WHERE notice_key = ? ORDER BY event_at", [untitled]
        )
    ]
    assert events == ["appeared", "vanished", "reappeared"]
    # nothing was deleted: every version is still there
    assert (
        rows(db, "SELECT count(*) FROM notice_versions WHERE notice_key = 'nhsmail:INC28274463'")[
            0
        ][0]
        == 4
    )
    check_invariants(db)


def test_etag_304_is_unchanged_seen_now(site: Site, db: Path) -> None:
    site.routes[P1].headers["ETag"] = '"v1"'
    assert crawl(db, site.url("/status/")).returncode == 0
    before = check_invariants(db)
    assert crawl(db, site.url("/status/")).returncode == 0
    second = site.requests_for(P1)[-1]
    assert second[1].get("If-None-Match") == '"v1"' and second[2] == 304
    assert rows(db, "SELECT outcome FROM fetches WHERE crawl_id = 2 AND url LIKE '%portal/'") == [
        ("not_modified",)
    ]
    after = check_invariants(db)
    assert after["snapshots"] == before["snapshots"]
    # "seen now": the post's notice got a sighting at the second crawl's time
    seen = rows(
        db,
        "SELECT notice_key FROM sightings JOIN fetches USING (fetch_id) WHERE outcome = 'not_modified'",
    )
    assert seen == [("nhsmail:INC28274463",)]


def test_listings_are_fetched_in_full_so_posts_are_still_found(site: Site, db: Path) -> None:
    site.routes["/status/"].headers["ETag"] = '"L1"'
    assert crawl(db, site.url("/status/")).returncode == 0
    assert crawl(db, site.url("/status/")).returncode == 0
    assert "If-None-Match" not in site.requests_for("/status/")[-1][1]
    assert len(site.requests_for(P1)) == 2, "the post linked from the listing was asked again"
    check_invariants(db)


def test_max_age_does_not_stop_the_next_crawl_asking(site: Site, db: Path) -> None:
    for path in ("/status/", P1):
        site.routes[path].headers.update({"Cache-Control": "max-age=86400",
                                          "Last-Modified": "Mon, 01 Jan 2018 00:00:00 GMT"})  # fmt: skip
    assert crawl(db, site.url("/status/")).returncode == 0
    assert crawl(db, site.url("/status/")).returncode == 0
    for path in ("/status/", P1):
        assert len(site.requests_for(path)) == 2, f"the second crawl asked the server for {path}"
    assert site.requests_for(P1)[1][1].get("If-Modified-Since") == "Mon, 01 Jan 2018 00:00:00 GMT"
    check_invariants(db)


def test_500_on_revalidation_is_a_failed_observation(site: Site, db: Path) -> None:
    site.routes["/status/"].headers["ETag"] = '"v1"'
    site.routes[P1].headers["ETag"] = '"p1"'
    assert crawl(db, site.url("/status/")).returncode == 0
    before = check_invariants(db)
    site.routes["/status/"] = Route("down", status=500)
    done = crawl(db, site.url("/status/"), site.url(P1))
    assert done.returncode == 1
    # the post answered its conditional request with 304: still a sighting
    assert rows(db, "SELECT outcome FROM fetches WHERE crawl_id = 2 AND url LIKE '%portal/'") == [
        ("not_modified",)
    ]
    assert "1 failed" in done.stdout
    assert "/status/: HTTP 500" in done.stdout  # the line names the status
    failed = rows(
        db,
        "SELECT http_status, snapshot_id, error FROM fetches WHERE crawl_id = 2"
        " AND url LIKE '%/status/'",
    )
    assert failed == [(500, None, "HTTP 500")]
    assert (
        rows(
            db,
            "SELECT count(*) FROM sightings JOIN fetches USING (fetch_id) WHERE crawl_id = 2 AND fetches.url LIKE '%/status/'",
        )[0][0]
        == 0
    )
    # a failed listing proves nothing: nothing it showed vanished
    assert rows(db, "SELECT count(*) FROM notices WHERE vanished_at IS NOT NULL")[0][0] == 0
    assert check_invariants(db)["notice_versions"] == before["notice_versions"]


def test_500s_then_success_is_retried_with_backoff(site: Site, db: Path) -> None:
    site.routes["/status/"].fail_first = 2
    done = crawl(db, site.url("/status/"), extra=["-s", "RETRY_BACKOFF_BASE=0.5"])
    assert done.returncode == 0, done.stdout
    statuses = [entry[2] for entry in site.requests_for("/status/")]
    assert statuses == [500, 500, 200]
    times = [t for path, t in site.arrival_times if path == "/status/"]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    # 0.5 s before the first retry, then twice that (a busy machine only adds to them)
    assert gaps[0] >= 0.45 and gaps[1] >= 0.95, gaps
    check_invariants(db)


def _revalidated(site: Site, db: Path, route: Route, *extra: str) -> None:
    """Crawl 1 stores the post with its ETag; crawl 2 asks for it again conditionally and
    gets ``route``'s answer: a failed observation of the post, never a sighting of it."""
    site.routes[P1].headers["ETag"] = '"p1"'
    assert crawl(db, site.url("/status/")).returncode == 0
    before = check_invariants(db)
    seen = rows(db, "SELECT last_observed_at FROM notice_versions WHERE url LIKE '%portal/'")
    asked = len(site.log)
    site.routes[P1] = route
    done = crawl(db, site.url("/status/"), extra=list(extra))
    assert done.returncode == 1, done.stdout
    again = [h for p, h, _ in site.log[asked:] if p == P1]
    assert again and all(h.get("If-None-Match") == '"p1"' for h in again), "asked conditionally"
    assert rows(db, "SELECT outcome, snapshot_id FROM fetches WHERE crawl_id = 2"
                " AND url LIKE '%portal/'") == [("failed", None)]  # fmt: skip
    assert rows(db, "SELECT count(*) FROM sightings JOIN fetches USING (fetch_id)"
                " WHERE crawl_id = 2 AND fetches.url LIKE '%portal/'") == [(0,)]  # fmt: skip
    # the stored post was not seen again, and a failed crawl decides no vanishing
    assert (
        rows(db, "SELECT last_observed_at FROM notice_versions WHERE url LIKE '%portal/'") == seen
    )
    assert rows(db, "SELECT count(*) FROM notices WHERE vanished_at IS NOT NULL") == [(0,)]
    assert check_invariants(db)["notice_versions"] == before["notice_versions"]


def test_a_500_to_a_conditional_request_is_a_failed_observation(site: Site, db: Path) -> None:
    _revalidated(site, db, Route("down", status=500))


def test_a_timeout_of_a_conditional_request_is_a_failed_observation(site: Site, db: Path) -> None:
    # the answer would have been 304, had it come in time
    slow = Route(site.routes[P1].body, headers={"ETag": '"p1"'}, late_first=2)
    _revalidated(site, db, slow, "-s", "RETRY_TIMES=1")


def test_timeouts_then_success_are_retried(site: Site, db: Path) -> None:
    site.routes["/status/"].late_first = 2
    done = crawl(db, site.url("/status/"))
    assert done.returncode == 0, done.stdout
    assert len(site.requests_for("/status/")) == 3
    assert rows(db, "SELECT outcome, count(*) FROM fetches GROUP BY ALL") == [("new", 4)]
    check_invariants(db)


def test_notice_pages_robots_txt_forbids_are_left_out_not_failed(site: Site, db: Path) -> None:
    import subprocess

    from tests.crawl.site import NOTICES

    site.routes["/robots.txt"].body = "User-agent: *\nDisallow: /2022/\n"
    done = crawl(db, site.url("/status/"))
    assert done.returncode == 0, done.stdout
    assert "2 notice pages left out (robots.txt forbids them)" in done.stdout
    assert rows(db, "SELECT outcome, pages_left_out FROM crawls") == [("ok", 2)]
    status = subprocess.run([NOTICES, "status", "--db", str(db)], capture_output=True, text=True)
    assert "its last crawl left out 2 notice pages robots.txt forbids" in status.stdout
    assert not site.requests_for(P1) and not site.requests_for(P2)
    assert rows(db, "SELECT count(*) FROM fetches WHERE outcome <> 'new'") == [(0,)]
    # the listings still decide what vanished
    site.routes["/status/"] = _without_the_relay_notice(
        "NEW", "The NHSmail team are aware of an issue affecting the Portal."
    )
    assert crawl(db, site.url("/status/")).returncode == 0
    assert rows(db, "SELECT notice_key FROM notices WHERE vanished_at IS NOT NULL") == [
        ("nhsmail:20220321T1020:mail-sent-via-the-relay-was-rejected",)
    ]
    check_invariants(db)


def test_a_post_given_as_the_start_page_that_robots_txt_forbids_fails(site: Site, db: Path) -> None:
    site.routes["/robots.txt"].body = "User-agent: *\nDisallow: /2022/\n"
    done = crawl(db, site.url(P1))
    assert done.returncode == 1, done.stdout
    assert rows(db, "SELECT outcome, error FROM fetches") == [
        ("failed", "IgnoreRequest: Forbidden by robots.txt")
    ]


@pytest.mark.parametrize(
    ("group", "left_out"),
    [("example", False), ("notice-archive", True), ("notice-archive/0.1", True)],
)
def test_robots_txt_groups_are_matched_against_our_product_token(
    site: Site, db: Path, group: str, left_out: bool
) -> None:
    """Not against the whole User-Agent, whose contact (ops@example.org) would otherwise
    pick another agent's group."""
    site.routes[
        "/robots.txt"
    ].body = f"User-agent: {group}\nDisallow: /2022/\n\nUser-agent: *\nAllow: /\n"
    for how in ({"env": {"NOTICES_CONTACT": "ops@example.org"}},
                {"extra": ["-s", "NOTICES_CONTACT=ops@example.org"]}):  # fmt: skip
        done = crawl(db, site.url("/status/"), **how)  # type: ignore[arg-type]
        assert done.returncode == 0, done.stdout
        assert ("left out" in done.stdout) is left_out, (how, done.stdout)
    assert bool(site.requests_for(P1)) is not left_out


def test_a_listing_robots_txt_forbids_fails_the_crawl(site: Site, db: Path) -> None:
    site.routes["/robots.txt"].body = "User-agent: *\nDisallow: /status/page/\n"
    done = crawl(db, site.url("/status/"))
    assert done.returncode == 1, done.stdout
    assert "Forbidden by robots.txt" in done.stdout
    check_invariants(db)


def test_a_crawl_on_a_terminal_shows_its_progress(site: Site, db: Path) -> None:
    """One line, rewritten as pages come in, on stderr when it is a terminal."""
    import os
    import pty
    import subprocess
    import threading

    from tests.crawl.site import FAST, NOTICES

    master, slave = pty.openpty()
    chunks: list[bytes] = []

    def read() -> None:  # as it comes: a full terminal would stall the crawl
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the terminal's other end is closed: all read
                return
            if not chunk:
                return
            chunks.append(chunk)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    args = [
        NOTICES,
        "crawl",
        "nhsmail",
        "--db",
        str(db),
        *FAST,
        "--start-url",
        site.url("/status/"),
    ]
    done = subprocess.run(args, stdout=subprocess.PIPE, stderr=slave, text=True, timeout=120)
    os.close(slave)
    reader.join(10)
    os.close(master)
    shown = b"".join(chunks)
    assert done.returncode == 0, done.stdout
    assert b"\r4 pages fetched (0 failed); 0 queued" in shown, shown
    assert b"\rbooked 4/4 pages" in shown, shown  # the crawl's one transaction
    assert "queued" not in done.stdout  # the one-line summary alone goes to stdout


def test_timeout_is_a_failed_observation(site: Site, db: Path) -> None:
    site.routes["/status/"].delay = 5  # DOWNLOAD_TIMEOUT is 3 in tests
    done = crawl(db, site.url("/status/"), extra=["-s", "RETRY_TIMES=1"])
    assert done.returncode == 1
    errors = rows(db, "SELECT outcome, error FROM fetches")
    assert errors[0][0] == "failed" and "Timeout" in errors[0][1]
    assert rows(db, "SELECT count(*) FROM sightings")[0][0] == 0
    check_invariants(db)


def test_layout_change_is_drift_and_vanishes_nothing(site: Site, db: Path) -> None:
    assert crawl(db, site.url("/status/")).returncode == 0
    before = check_invariants(db)
    site.routes["/status/"] = Route(
        "<html><body><main><div class='new-theme'><span>Portal issue</span>"
        "<span>see our new status app</span></div></main></body></html>"
    )
    done = crawl(db, site.url("/status/"))
    assert done.returncode == 4, done.stdout
    assert "drift" in done.stdout
    kept = rows(
        db,
        "SELECT parse_outcome, notice_count FROM snapshots WHERE crawl_id = 2 AND url LIKE '%/status/'",
    )
    assert kept == [("drift", 0)], "the snapshot is kept for a later reparse"
    assert rows(db, "SELECT count(*) FROM notices WHERE vanished_at IS NOT NULL")[0][0] == 0
    after = check_invariants(db)
    assert after["notice_versions"] == before["notice_versions"]


def test_a_listing_cut_short_by_a_closed_connection_vanishes_nothing(site: Site, db: Path) -> None:
    """The server sends the listing with no Content-Length and closes the connection in its
    eighth notice of ten: nothing tells the transfer was short but the page itself. What it
    shows is sighted; the two it never reached do not vanish, and the crawl fails (exit 1)
    as one whose body fell short of its Content-Length does."""
    whole = listing(*(
        article(f"INC4000000{i} – Issue {i} – NEW", f"{20 - i:02d}/01/2023 09:00:00 AM",
                f"We are aware of issue {i}.")
        for i in range(10)
    ))  # fmt: skip
    site.routes["/status/"] = Route(whole)
    assert crawl(db, site.url("/status/")).returncode == 0
    site.routes["/status/"] = Route(whole[: whole.index("We are aware of issue 7")], unsized=True)
    done = crawl(db, site.url("/status/"))
    assert done.returncode == 1, done.stdout + done.stderr
    line = done.stdout.strip()
    assert line.startswith("crawl nhsmail #2: failed — 1 pages (1 new, 0 unchanged, 0 failed,")
    assert "8 notices seen" in line and "0 vanished" in line and "1 page cut short" in line
    assert "/status/: cut short: the HTML document ends before </body> and </html>" in line
    assert rows(db, "SELECT crawl_id, outcome, vanished FROM crawls ORDER BY ALL") == [
        (1, "ok", 0),
        (2, "failed", 0),
    ]
    assert rows(
        db, "SELECT f.outcome, s.parse_outcome, s.notice_count FROM fetches f"
        " JOIN snapshots s USING (snapshot_id) WHERE f.crawl_id = 2"
    ) == [("new", "parsed", 8)]  # fmt: skip
    assert rows(
        db, "SELECT count(DISTINCT notice_key) FROM sightings JOIN fetches USING (fetch_id)"
        " WHERE crawl_id = 2"
    ) == [(8,)]  # fmt: skip
    assert rows(db, "SELECT count(*) FROM notices WHERE vanished_at IS NOT NULL") == [(0,)]
    assert rows(db, "SELECT count(*) FROM notice_events WHERE event = 'vanished'") == [(0,)]
    check_invariants(db)


def test_a_redirect_does_not_carry_the_first_urls_validators(site: Site, db: Path) -> None:
    """A stored post moves (301) to an address with the same ETag. Asked with the old
    post's If-None-Match, the new address answered 304 to a copy the archive never held:
    every later crawl failed ("no stored copy"), or, had it held an older copy of the new
    address, that stale copy would have been sighted."""
    site.routes[P1].headers["ETag"] = '"v1"'
    assert crawl(db, site.url("/status/")).returncode == 0
    moved = "/2022/04/inc28274463-portal-moved/"
    site.routes[moved] = Route(site.routes[P1].body, headers={"ETag": '"v1"'})
    site.routes[P1] = Route(status=301, headers={"Location": moved})
    for number in (2, 3):
        done = crawl(db, site.url("/status/"))
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stdout.startswith(f"crawl nhsmail #{number}: ok")
    asked = site.requests_for(moved)
    assert "If-None-Match" not in asked[0][1]  # its first time: nothing of it to name
    assert rows(db, "SELECT outcome, http_status FROM fetches WHERE url LIKE '%-moved/'"
                " ORDER BY fetch_id") == [("new", 200), ("not_modified", 304)]  # fmt: skip
    check_invariants(db)


def test_a_whole_page_without_its_closing_tags_is_no_page_cut_short(site: Site, db: Path) -> None:
    """A page that omits </body></html> (HTML allows it) but fills its Content-Length came
    whole: it proves what left it, every crawl, and no crawl fails for it."""

    def page(*issues: int) -> str:
        whole = listing(*(article(f"INC4000000{i} – Issue {i} – NEW",
                                  f"{20 - i:02d}/01/2023 09:00:00 AM", f"About issue {i}.")
                          for i in issues))  # fmt: skip
        return whole[: whole.rindex("</body>")]

    site.routes["/status/"] = Route(page(0, 1, 2))
    assert crawl(db, site.url("/status/")).returncode == 0
    site.routes["/status/"] = Route(page(0, 1))
    for number in (2, 3):
        done = crawl(db, site.url("/status/"))
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stdout.startswith(f"crawl nhsmail #{number}: ok")
    assert rows(db, "SELECT outcome, vanished FROM crawls ORDER BY crawl_id") == [
        ("ok", 0), ("ok", 1), ("ok", 0)
    ]  # fmt: skip
    warned = rows(db, "SELECT list_distinct(flatten(list(warnings))) FROM snapshots")[0][0]
    assert any("ends before </body>" in w for w in warned)  # the parser still says so
    check_invariants(db)


PORTAL_STATUS = (
    "<!DOCTYPE html><html><head><title>NHSmail – Service Status</title></head><body>"
    "<main><h1>Service Status</h1><p>Last updated: 02/11/2018 09:40</p>"
    "<div class='accordion'><h2>High Severity Service Incidents</h2><div>"
    "<p>Details of any High Severity Service Incidents (HSSIs) will appear here.</p>{hssi}"
    "</div><h2>Known Issues</h2><div>{known}</div>"
    "<h2>How to report an issue</h2><div><h3>Users</h3><p>Contact your Local Administrator."
    "</p></div></div></main></body></html>"
)
PORTAL_ITEMS = {
    "hssi": "<h3>INC03098812 – HSSI – Portal Unavailable – RESOLVED</h3>"
    "<p>RESOLVED – The NHSmail Portal could not be reached between 09:05 and 09:50.</p>",
    "known": "<h3>Mobile – meeting invitations from Gmail show the wrong time</h3>"
    "<p>Opening the invitation in Outlook Web Access shows the correct time.</p>",
}


def _drifted_and_kept(done, db: Path, url: str, layout: str | None) -> None:  # type: ignore[no-untyped-def]
    """Crawl 2 of ``url`` drifted: exit 4, its snapshot kept unread, nothing vanished."""
    assert done.returncode == 4, done.stdout + done.stderr
    assert done.stdout.startswith("crawl nhsmail #2: drift — 1 pages (0 new, 0 unchanged,")
    assert "0 notices seen" in done.stdout and "0 vanished" in done.stdout
    assert rows(db, "SELECT outcome, vanished FROM crawls ORDER BY crawl_id") == [
        ("ok", 0),
        ("drift", 0),
    ]
    assert rows(
        db, "SELECT f.outcome, s.parse_outcome, s.layout, s.notice_count FROM fetches f"
        " JOIN snapshots s USING (snapshot_id) WHERE f.crawl_id = 2 AND f.url = ?", [url]
    ) == [("drift", "drift", layout, 0)]  # fmt: skip
    assert rows(db, "SELECT count(*) FROM notices WHERE vanished_at IS NOT NULL") == [(0,)]
    assert rows(db, "SELECT count(*) FROM notice_events WHERE event = 'vanished'") == [(0,)]
    check_invariants(db)


def test_a_status_page_whose_items_became_a_list_is_drift(site: Site, db: Path) -> None:
    """The portal status page keeps its section headings; its items (<h3> and <p>) become
    one <li> each. That is an unread page, not one with none on show: exit 4, the snapshot
    kept for a reparse, and neither notice vanishes."""
    path = "/Help/servicestatus/"
    site.routes[path] = Route(PORTAL_STATUS.format(**PORTAL_ITEMS))
    assert crawl(db, site.url(path)).returncode == 0
    assert rows(db, "SELECT layout, notice_count FROM snapshots") == [("portal_2018", 2)]
    as_list = {
        name: re.sub(r"<h3>(.*?)</h3><p>(.*?)</p>", r"<ul><li>\1: \2</li></ul>", items)
        for name, items in PORTAL_ITEMS.items()
    }
    site.routes[path] = Route(PORTAL_STATUS.format(**as_list))
    _drifted_and_kept(crawl(db, site.url(path)), db, site.url(path), None)


def test_a_listing_turned_empty_status_page_is_drift(site: Site, db: Path) -> None:
    """The WordPress listing's address now shows "Service Status", a "Last updated" line and
    sections saying they hold none: an empty status page, but this URL was a listing of
    three notices, so its layout changed: exit 4, and none of the three vanishes."""
    site.routes["/status/"] = Route(
        listing(*(article(f"INC4000000{i} – Issue {i} – NEW", f"1{i}/01/2023 09:00:00 AM",
                          f"We are aware of issue {i}.") for i in range(3)))
    )  # fmt: skip
    assert crawl(db, site.url("/status/")).returncode == 0
    assert rows(db, "SELECT layout, notice_count FROM snapshots") == [("wp_listing", 3)]
    site.routes["/status/"] = Route(
        PORTAL_STATUS.format(hssi="", known="<p>There are no known issues at present.</p>")
    )
    _drifted_and_kept(crawl(db, site.url("/status/")), db, site.url("/status/"), "portal_2018")


def test_second_crawl_on_a_locked_archive_exits_3(site: Site, db: Path) -> None:
    assert crawl(db, site.url("/status/")).returncode == 0
    before = check_invariants(db)
    asked = len(site.log)
    with ArchiveLock(db):
        done = crawl(db, site.url("/status/"))
    assert done.returncode == 3
    assert "locked" in done.stdout and "busy" in done.stdout
    assert [p for p, _, _ in site.log[asked:] if p != "/robots.txt"] == [], (
        "the site was asked nothing"
    )
    assert len(done.stderr) < 2000, "no page bodies dumped into cron mail"
    assert check_invariants(db) == before
    assert "Warning" not in done.stderr and "never awaited" not in done.stderr, (
        "cron mails stderr: a refused crawl leaves only its one error line there"
    )


def test_crawl_into_a_file_that_is_no_archive_fails_and_is_not_locked(site: Site, db: Path) -> None:
    # exit 3 is "locked: try later", which the README's systemd unit counts as success; a
    # damaged archive must fail (exit 1) at once, saying so, and ask the site nothing
    damage = bytes(range(256)) * 20
    db.write_bytes(damage)
    started = time.monotonic()
    done = crawl(db, site.url("/status/"))
    assert done.returncode == 1, done.stdout + done.stderr
    assert time.monotonic() - started < 30, "no waiting, as for a reader to go away"
    assert done.stdout.strip() == (
        f"crawl nhsmail: failed — {db} is not a valid archive"
        " (not a DuckDB database file, or damaged)"
    )
    assert "Traceback" not in done.stderr and "Warning" not in done.stderr
    assert [p for p, _, _ in site.log if p != "/robots.txt"] == [], "the site was asked nothing"
    assert db.read_bytes() == damage


def test_sigterm_closes_the_crawl_and_books_it(site: Site, db: Path) -> None:
    """systemd stops a unit with SIGTERM: the crawl closes as a spider does, its row is
    finished as interrupted (vanishing nothing), the exit is non-zero, the lock freed."""
    import signal
    import subprocess
    import time

    from tests.crawl.site import FAST, NOTICES

    assert crawl(db, site.url("/status/")).returncode == 0
    before = check_invariants(db)
    site.routes["/status/"].delay = 2
    arrived = len(site.arrived)
    proc = subprocess.Popen(
        [NOTICES, "crawl", "nhsmail", "--db", str(db), *FAST, "--start-url", site.url("/status/")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while "/status/" not in site.arrived[arrived:] and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, out + err[-2000:]
    assert "interrupted" in out, out
    [(outcome, finished)] = rows(db, "SELECT outcome, finished_at FROM crawls WHERE crawl_id = 2")
    assert outcome == "interrupted" and finished is not None
    assert rows(db, "SELECT count(*) FROM notices WHERE vanished_at IS NOT NULL") == [(0,)]
    after = check_invariants(db)
    assert after["notice_versions"] == before["notice_versions"]
    site.routes["/status/"].delay = 0
    assert crawl(db, site.url("/status/")).returncode == 0, "the lock was freed"


@pytest.mark.parametrize("how", ["SIGTERM", "SIGINT", "SIGTERM twice"])
def test_a_signal_while_the_crawl_waits_for_a_reader_stops_it_at_once(
    site: Site, db: Path, how: str
) -> None:
    """A reader in another process (a notebook) holds the archive, so the pipeline waits
    for it (NOTICES_WRITER_WAIT) before Scrapy's engine runs. A stop asked meanwhile
    (systemctl stop, ^C) ends the crawl then, not after the wait (exit 5, "close it"):
    exit 1, saying so, the site asked nothing, every table as it was, the lock free."""
    import signal

    from tests.crawl.site import FAST, NOTICES, signalled_while_waiting

    assert crawl(db, site.url("/status/")).returncode == 0
    before = every_row(db)
    asked = len(site.arrived)
    sig = getattr(signal, how.split()[0])
    # twice: the wait's end or the second's stop, either will do
    code, out, err, took = signalled_while_waiting(
        [NOTICES, "crawl", "nhsmail", "--db", str(db), *FAST, "--start-url",
         site.url("/status/"), "-s", "NOTICES_WRITER_WAIT=20"],
        db, *[sig] * (2 if how.endswith("twice") else 1),
    )  # fmt: skip
    assert code == 1, out + err[-2000:]
    assert took < 5, f"stopped {took:.1f} s after the signal, not at once"
    assert out.startswith(f"crawl nhsmail: interrupted — {sig.name} received"), out
    assert "Traceback" not in err, err[-2000:]
    assert site.arrived[asked:] == [], "nothing asked"
    assert every_row(db) == before, "the archive is untouched"
    with ArchiveLock(db):  # freed
        pass


def test_a_second_signal_before_booking_stops_at_once_and_says_so(site: Site, db: Path) -> None:
    """The first signal closes the spider, which waits for the page being fetched; a second
    stops the reactor there, before anything is booked: exit 1, and the line says so."""
    import signal
    import subprocess
    import time

    from tests.crawl.site import FAST, NOTICES

    assert crawl(db, site.url("/status/")).returncode == 0
    before = every_row(db)
    site.routes["/status/"].delay = 4
    arrived = len(site.arrived)
    proc = subprocess.Popen(
        [NOTICES, "crawl", "nhsmail", "--db", str(db), *FAST, "-s", "DOWNLOAD_TIMEOUT=30",
         "--start-url", site.url("/status/")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while "/status/" not in site.arrived[arrived:] and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    signalled = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, out + err[-2000:]
    assert time.monotonic() - signalled < 3, "stopped at once, not when the page came"
    assert out.strip() == (
        "crawl nhsmail: interrupted — SIGTERM received, then SIGTERM: stopped at once,"
        " nothing booked"
    )
    assert "Traceback" not in err, err[-2000:]
    assert every_row(db) == before
    with ArchiveLock(db):  # freed
        pass


def test_a_reader_holding_the_archive_past_the_wait_exits_5(site: Site, db: Path) -> None:
    """Not another crawl (exit 3, "try later", which a timer may count as success): a
    notebook left open stops every crawl until it is closed, so it must not look like one."""

    assert crawl(db, site.url("/status/")).returncode == 0
    holder = hold_open(db, seconds=30)
    try:
        asked = len(site.arrived)
        done = crawl(db, site.url("/status/"), extra=["-s", "NOTICES_WRITER_WAIT=1"])
    finally:
        holder.kill()
        holder.communicate()
    assert done.returncode == 5, done.stdout + done.stderr[-2000:]
    assert done.stdout.startswith("crawl nhsmail: held open — archive ")
    assert "crawled nothing: close it" in done.stdout
    assert site.arrived[asked:] == [], "nothing asked"
    assert rows(db, "SELECT count(*) FROM crawls") == [(1,)]


def test_a_crawl_cut_short_by_the_page_cap_is_interrupted(site: Site, db: Path) -> None:
    done = crawl(db, site.url("/status/"), extra=["-s", "CLOSESPIDER_PAGECOUNT=1"])
    assert done.returncode == 1, done.stdout
    assert "interrupted" in done.stdout
    assert rows(db, "SELECT outcome FROM crawls") == [("interrupted",)]
    check_invariants(db)


@pytest.mark.parametrize("strike", ["while fetching", "while booking"])
def test_kill_9_mid_crawl_leaves_the_archive_as_before_it(
    site: Site, db: Path, tmp_path: Path, strike: str
) -> None:
    """A crawl is one ingest step: killed while it still fetches, or inside the transaction
    that books it, it leaves every table exactly as before the crawl (not the pages it had
    fetched, not a crawl row), and a clean rerun books the whole crawl."""
    import os
    import signal
    import subprocess
    import time

    from tests.crawl.site import FAST, NOTICES

    assert crawl(db, site.url("/status/")).returncode == 0  # crawl 1: the "before"
    before = every_row(db)
    # crawl 2 changes two pages: a new notice on the listing, a state change in a post
    site.routes["/status/"] = Route(
        listing(article("INC30000001 – Relay Delays – NEW", "01/05/2022 08:00:00 AM",
                        "We are aware of delays on the relay."),
                article("INC28274463 – Portal Unavailable – RESOLVED", "14/04/2022 09:35:00 AM",
                        "The Portal is available again.", P1),
                next_page="/status/page/2/"))  # fmt: skip
    site.routes[P1] = Route(
        post("INC28274463 – Portal Unavailable – RESOLVED", "14/04/2022 09:35:00 AM",
             "Issue Status: RESOLVED\nDescription: The Portal is available again."))  # fmt: skip
    mark = tmp_path / "paused"
    env = dict(os.environ)
    if strike == "while booking":
        env |= {"NOTICES_FAULT_PAUSE": "ingest", "NOTICES_FAULT_SECONDS": "60",
                "NOTICES_FAULT_MARK": str(mark)}  # fmt: skip
    else:  # the last page answers late: the first pages are fetched, the crawl goes on
        site.routes[P2].delay = 4
    arrived = len(site.arrived)
    proc = subprocess.Popen(
        [NOTICES, "crawl", "nhsmail", "--db", str(db), *FAST, "-s", "DOWNLOAD_TIMEOUT=30",
         "--start-url", site.url("/status/")],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip

    def struck() -> bool:
        if strike == "while booking":
            return mark.exists()
        return P2 in site.arrived[arrived:] and len(site.arrived[arrived:]) >= 4

    deadline = time.monotonic() + 60
    while not struck() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert struck(), "the crawl got to where it is killed"
    if strike == "while fetching":
        time.sleep(0.5)  # the pages that did come are through the pipeline by now
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert every_row(db) == before, "the killed crawl left nothing behind"
    # a clean rerun books the whole crawl (once the one-threaded site has answered P2)
    site.routes[P2].delay = 0
    time.sleep(4)
    done = crawl(db, site.url("/status/"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert rows(db, "SELECT crawl_id, outcome FROM crawls ORDER BY crawl_id") == [
        (1, "ok"),
        (2, "ok"),
    ]
    assert rows(
        db, "SELECT notice_key, state FROM notices WHERE notice_key IN"
        " ('nhsmail:INC30000001', 'nhsmail:INC28274463') ORDER BY ALL"
    ) == [("nhsmail:INC28274463", "resolved"), ("nhsmail:INC30000001", "open")]  # fmt: skip
    check_invariants(db)
    after = every_row(db)
    for table in ("crawls", "fetches", "snapshots", "contents", "sightings", "notice_events"):
        assert all(row in after[table] for row in before[table]), f"{table}: a row was lost"


def _crawl_paused_in_booking(site: Site, db: Path, mark: Path, seconds: int):  # type: ignore[no-untyped-def]
    """`notices crawl` in a subprocess, returned once it pauses inside its booking
    transaction for ``seconds`` (NOTICES_FAULT_PAUSE)."""
    import os
    import subprocess
    import time

    from tests.crawl.site import FAST, NOTICES

    env = {**os.environ, "NOTICES_FAULT_PAUSE": "ingest", "NOTICES_FAULT_SECONDS": str(seconds),
           "NOTICES_FAULT_MARK": str(mark)}  # fmt: skip
    proc = subprocess.Popen(
        [NOTICES, "crawl", "nhsmail", "--db", str(db), *FAST, "--start-url", site.url("/status/")],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not mark.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert mark.exists(), "the crawl got to its booking"
    return proc


@pytest.mark.parametrize("signals", [1, 2])
def test_sigterm_while_booking(site: Site, db: Path, tmp_path: Path, signals: int) -> None:
    """Booking holds Scrapy's reactor. One signal lets a fully fetched crawl's booking
    finish; a second must still stop it (exit 1), rolled back: the archive as before."""
    import signal
    import time

    assert crawl(db, site.url("/status/")).returncode == 0
    before = every_row(db)
    site.routes["/status/"] = _without_the_relay_notice("RESOLVED", "The Portal is back.")
    proc = _crawl_paused_in_booking(site, db, tmp_path / "paused", seconds=3)
    for _ in range(signals):
        proc.send_signal(signal.SIGTERM)
        time.sleep(0.2)
    out, err = proc.communicate(timeout=60)
    assert "Traceback" not in err, err[-2000:]
    if signals == 2:
        assert proc.returncode == 1, out + err[-2000:]
        assert "stopped while booking" in out, out
        assert every_row(db) == before
    else:
        assert proc.returncode == 0, out + err[-2000:]
        assert out.startswith("crawl nhsmail #2: ok — 4 pages (1 new, 3 unchanged"), out
    assert crawl(db, site.url("/status/")).returncode == 0, "the lock was freed"


def test_two_crawls_at_once_the_second_exits_3(site: Site, db: Path, tmp_path: Path) -> None:

    first = _crawl_paused_in_booking(site, db, tmp_path / "paused", seconds=4)
    second = crawl(db, site.url("/status/"))
    out, _ = first.communicate(timeout=120)
    assert second.returncode == 3, second.stdout
    assert "busy" in second.stdout
    assert first.returncode == 0, out
    assert rows(db, "SELECT count(*) FROM crawls") == [(1,)], "the refused crawl left no trace"
    check_invariants(db)


def test_scrapy_crawl_command_uses_the_same_pipeline(site: Site, db: Path) -> None:
    import os
    import subprocess
    import sys

    scrapy = str(Path(sys.executable).parent / "scrapy")
    root = Path(__file__).resolve().parents[2]  # scrapy.cfg lives at the repository root
    done = subprocess.run(
        [scrapy, "crawl", "nhsmail", "-a", f"start_urls={site.url('/status/')}",
         "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=false",
         "-s", "NOTICES_ALLOW_PRIVATE_HOSTS=true"],
        cwd=root, env={**os.environ, "NOTICES_DB": str(db)}, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert rows(db, "SELECT outcome, pages_fetched FROM crawls") == [("ok", 4)]
    check_invariants(db)


def test_private_addresses_are_refused_unless_allowed(site: Site, db: Path) -> None:
    import subprocess

    from tests.crawl.site import FAST, NOTICES

    assert FAST[-2:] == ["-s", "NOTICES_ALLOW_PRIVATE_HOSTS=true"]
    strict = FAST[:-2]  # the same settings without the opt-in
    done = subprocess.run(
        [NOTICES, "crawl", "nhsmail", "--db", str(db), *strict, "--start-url", site.url("/status/")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1
    assert site.requests_for("/status/") == [], "nothing was asked of a loopback host"
    assert "non-public address" in rows(db, "SELECT error FROM fetches")[0][0]


def test_listings_are_followed_to_their_last_page(site: Site, db: Path) -> None:
    pages = ["/status/"] + [f"/status/page/{n}/" for n in range(2, 8)]
    for n, path in enumerate(pages):
        nxt = pages[n + 1] if n + 1 < len(pages) else None
        site.routes[path] = Route(listing(article(
            f"INC3000000{n} – Issue {n} – RESOLVED", f"0{n + 1}/01/2023 09:00:00 AM",
            "RESOLVED – Fixed."), next_page=nxt))  # fmt: skip
    assert crawl(db, site.url("/status/")).returncode == 0
    assert rows(db, "SELECT count(*) FROM notices") == [(7,)]
    # a cap on listing pages cuts the crawl short: it says so and vanishes nothing
    done = crawl(db, site.url("/status/"), extra=["-s", "NOTICES_MAX_LISTING_PAGES=3"])
    assert rows(db, "SELECT outcome, vanished FROM crawls ORDER BY crawl_id DESC LIMIT 1") == [
        ("interrupted", 0)
    ]
    assert done.returncode == 1


RELAY = "nhsmail:20220321T1020:mail-sent-via-the-relay-was-rejected"


@pytest.mark.parametrize("claim", ["meta", "header"])
def test_a_wrong_charset_claim_does_not_hide_the_listings_links(
    site: Site, db: Path, claim: str
) -> None:
    """The parser reads a page's bytes (a byte-order mark, else UTF-8, else Windows-1252),
    not what the page claims; the spider reads the links in the same text. A UTF-8 listing
    that claimed UTF-16 once gave no links: the crawl said ok, and a notice pushed onto
    page 2 vanished though page 2 shows it."""
    assert crawl(db, site.url("/status/")).returncode == 0
    # a new notice pushes the untitled relay notice onto page 2
    first = listing(
        article("INC28300001 – Teams Sign-in Failures – NEW", "15/04/2022 08:00:00 AM",
                "Some users cannot sign in to Teams.", None),
        article("INC28274463 – Portal Unavailable – NEW", "14/04/2022 09:35:00 AM",
                "The NHSmail team are aware of an issue affecting the Portal.", P1),
        next_page="/status/page/2/",
    )  # fmt: skip
    site.routes["/status/page/2/"] = Route(
        listing(
            article("", "21/03/2022 10:20:00 AM", "RESOLVED – Mail sent via the relay was rejected."),
            article("Relay Certificate Renewal – Maintenance – COMPLETED",
                    "18/10/2021 07:22:59 PM (BST)",
                    "COMPLETED: between 1:00 AM and 1:30 AM on the 19th October, 2021.", P2),
        )
    )  # fmt: skip
    if claim == "meta":
        body = first.replace("<head>", '<head><meta charset="utf-16">')
        site.routes["/status/"] = Route(body, headers={"Content-Type": "text/html"})
    else:
        site.routes["/status/"] = Route(
            first, headers={"Content-Type": "text/html; charset=utf-16"}
        )
    done = crawl(db, site.url("/status/"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("crawl nhsmail #2: ok — 4 pages"), done.stdout
    assert done.stdout.rstrip().endswith(", 0 vanished"), done.stdout
    assert len(site.requests_for("/status/page/2/")) == 2, "page 2 was not reached"
    assert len(site.requests_for(P1)) == 2 and len(site.requests_for(P2)) == 2
    assert rows(db, "SELECT count(*) FROM notice_events WHERE event = 'vanished'") == [(0,)]
    assert rows(
        db,
        "SELECT f.url FROM sightings s JOIN fetches f USING (fetch_id)"
        " WHERE f.crawl_id = 2 AND s.notice_key = ?",
        [RELAY],
    ) == [(site.url("/status/page/2/"),)]
    check_invariants(db)


def test_a_304_to_a_listing_asked_without_validators_fails_the_crawl(site: Site, db: Path) -> None:
    """A listing is asked in full, never conditionally; a 304 to it compared nothing of ours
    and leaves no page to read links from. It is a failed observation, not a sighting from
    the stored copy: the crawl fails (exit 1) and decides no vanishing."""
    assert crawl(db, site.url("/status/")).returncode == 0
    site.routes["/status/"] = Route(status=304)
    done = crawl(db, site.url("/status/"))
    asked = site.requests_for("/status/")[-1]
    assert asked[2] == 304 and "If-None-Match" not in asked[1]
    assert "If-Modified-Since" not in asked[1]
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.startswith(
        "crawl nhsmail #2: failed — 1 pages (0 new, 0 unchanged, 1 failed"
    )
    assert "304" in done.stdout  # the line says why
    [(outcome, status, snapshot, error)] = rows(
        db, "SELECT outcome, http_status, snapshot_id, error FROM fetches WHERE crawl_id = 2"
    )
    assert (outcome, status, snapshot) == ("failed", 304, None)
    assert "no validators" in error
    assert rows(
        db, "SELECT count(*) FROM sightings JOIN fetches USING (fetch_id) WHERE crawl_id = 2"
    ) == [(0,)]
    assert rows(db, "SELECT count(*) FROM notice_events WHERE event = 'vanished'") == [(0,)]
    check_invariants(db)


def test_a_json_body_on_a_listing_is_drift_without_a_traceback(site: Site, db: Path) -> None:
    """Links are read only from a body the parser reads as HTML: a JSON answer on the
    listing's address is drift (exit 4), not a spider error with a traceback."""
    assert crawl(db, site.url("/status/")).returncode == 0
    site.routes["/status/"] = Route(
        '{"a": [1, 2, 3]}', headers={"Content-Type": "application/json"}
    )
    done = crawl(db, site.url("/status/"))
    assert done.returncode == 4, done.stdout + done.stderr
    assert done.stdout.startswith("crawl nhsmail #2: drift — 1 pages"), done.stdout
    assert "Traceback" not in done.stderr and "Spider error" not in done.stderr, done.stderr
    assert rows(db, "SELECT count(*) FROM notice_events WHERE event = 'vanished'") == [(0,)]
    check_invariants(db)
