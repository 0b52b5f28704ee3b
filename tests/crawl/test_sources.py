"""Crawls of the structured sources (Statuspage, feeds, Google Cloud) from a loopback
server, through `notices crawl`, the real spiders, middlewares and pipeline, with a
sources file of the test's own."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from notices.cli import main
from tests.crawl.payloads import (
    EMPTY_HISTORY,
    Payload,
    PayloadSite,
    crawl,
    fixture,
    fixture_json,
    history_page,
    incident_payload,
    resolved_incident,
    source,
    sources_file,
)
from tests.crawl.site import check_invariants, rows

SUMMARY = fixture_json("statuspage", "api_summary-2025-06-10")
INCIDENTS = fixture_json("statuspage", "api_incidents-2025-01-03")
MAINTENANCES = fixture_json("statuspage", "api_scheduled_maintenances-2025-03-28")
HISTORY_1 = fixture("statuspage", "history-2025-01-15")  # served as stored: \u003c… escapes
WEBHOOKS = fixture_json("statuspage", "api_incident-2024-01-04")  # a postmortem timeline
LEGACY = fixture_json("statuspage", "api_incident-2022-03-16")  # imported HTML update list
HISTORY_2 = history_page(
    ("January", 2024, [{"code": "w3bh00kd3l4y", "name": "Delayed webhook deliveries",
                        "message": "Postmortem", "impact": "major",
                        "timestamp": "Dec <var data-var='date'>31</var>, <var data-var='time'>"
                                     "21:05</var> - Jan <var data-var='date'>1</var>, <var "
                                     "data-var='time'>02:14</var> UTC"}]),
    ("November", 2016, [{"code": "l3g4cy0ld001", "name": "Incident on 2016-11-03 18:02:44 UTC",
                         "message": "Everything operating normally.", "impact": "major",
                         "timestamp": "Nov <var data-var='date'> 3</var>, <var data-var="
                                      "'time'>18:02</var> UTC"}]),
)  # fmt: skip
LIST_CODES = {"l0g1nf41lur3", "n3tw0rkm41nt", "0p3n1nc1d3nt", "nwy34rsp4n01", "m41nt3n4nc01",
              "upc0m1ngm41n", "1npr0gr3ss01"}  # fmt: skip
HISTORY_CODES = {"hjan14apierr", "hjan08dbmain", "hjan03slowlg", "hdec31paymnt", "hdec30notifs",
                 "w3bh00kd3l4y", "l3g4cy0ld001"}  # fmt: skip
OPEN_CODES = {"l0g1nf41lur3", "n3tw0rkm41nt", "0p3n1nc1d3nt", "upc0m1ngm41n", "1npr0gr3ss01"}
HUBS = ["/api/v2/summary.json", "/api/v2/incidents.json", "/api/v2/scheduled-maintenances.json",
        "/history.json?page=1", "/history.json?page=2", "/history.json?page=3",
        "/history.json?page=4"]  # fmt: skip


def incident_path(code: str) -> str:
    return f"/api/v2/incidents/{code}.json"


def statuspage_site(server: HTTPServer, recently: str | None = None) -> PayloadSite:
    """A Statuspage page: its lists, four history pages (the last two empty) and every
    incident's own JSON. ``recently``: hdec30notifs's resolution time."""
    site = PayloadSite(server)
    site.put_json("/api/v2/summary.json", SUMMARY)
    site.put_json("/api/v2/incidents.json", INCIDENTS)
    site.put_json("/api/v2/scheduled-maintenances.json", MAINTENANCES)
    site.routes["/history.json?page=1"] = Payload(HISTORY_1)
    site.put_json("/history.json?page=2", HISTORY_2)
    site.put_json("/history.json?page=3", EMPTY_HISTORY)
    site.put_json("/history.json?page=4", EMPTY_HISTORY)
    site.put_json("/history.json?page=5", HISTORY_2)  # past two empty pages: never asked
    for listing, key in ((SUMMARY, "incidents"), (SUMMARY, "scheduled_maintenances"),
                         (INCIDENTS, "incidents"), (MAINTENANCES, "scheduled_maintenances")):  # fmt: skip
        for item in listing[key]:
            site.put_json(incident_path(item["id"]), incident_payload(item, listing["page"]))
    site.put_json(incident_path("w3bh00kd3l4y"), WEBHOOKS)
    site.put_json(incident_path("l3g4cy0ld001"), LEGACY)
    for entry in json.loads(HISTORY_1)["months"][0]["incidents"] + [
        {"code": "hdec30notifs", "name": "Delayed email notifications"}
    ]:
        code = entry["code"]
        at = "2025-01-14T16:02:00.000Z"
        if code == "hdec30notifs" and recently:
            at = recently
        site.put_json(
            incident_path(code), incident_payload(resolved_incident(code, entry["name"], at))
        )
    return site


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "archive.duckdb"


@pytest.fixture
def harbourline(tmp_path: Path, httpserver: HTTPServer) -> tuple[PayloadSite, Path]:
    recently = (datetime.now(UTC) - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    site = statuspage_site(httpserver, recently)
    return site, sources_file(
        tmp_path / "sources.toml", source("harbourline", "statuspage", site.base)
    )


def incident_requests(site: PayloadSite, since: int = 0) -> set[str]:
    return {
        p.rsplit("/", 1)[1].removesuffix(".json")
        for p in site.requested(since)
        if p.startswith("/api/v2/incidents/")
    }


def test_full_statuspage_crawl(harbourline: tuple[PayloadSite, Path], db: Path) -> None:
    site, sources = harbourline
    done = crawl(db, "harbourline", sources=sources)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("crawl harbourline #1: ok — 21 pages (21 new"), done.stdout
    asked = site.requested()
    assert [p for p in asked if not p.startswith("/api/v2/incidents/")] == HUBS
    assert incident_requests(site) == LIST_CODES | HISTORY_CODES
    assert "/history.json?page=5" not in asked, "two empty history pages end the walk"
    # the archive's source name, the parser's key
    notices = rows(db, "SELECT notice_key, source, state FROM notices ORDER BY 1")
    assert {k for k, _, _ in notices} == {
        f"statuspage:localhost:{c}" for c in LIST_CODES | HISTORY_CODES
    }
    assert {s for _, s, _ in notices} == {"harbourline"}
    # the current state comes from a version that states one, not from a history line
    assert [k for k, _, state in notices if state is None] == []
    assert rows(db, "SELECT DISTINCT source FROM crawls") == [("harbourline",)]
    # every layout was read: lists, history, each incident's own JSON
    layouts = {r[0] for r in rows(db, "SELECT DISTINCT layout FROM snapshots")}
    assert layouts == {"api_summary", "api_incidents", "api_scheduled_maintenances",
                       "history", "api_incident"}  # fmt: skip
    # the incident's own JSON gives the whole timeline, oldest first, statuses and all
    timeline = rows(
        db,
        "SELECT u.status, u.at FROM notice_updates u JOIN notice_versions v USING"
        " (notice_key, version) WHERE v.notice_key = 'statuspage:localhost:w3bh00kd3l4y'"
        " AND v.layout = 'api_incident' ORDER BY u.seq",
    )
    assert [s for s, _ in timeline] == [
        "investigating", "identified", "monitoring", "resolved", "postmortem"
    ]  # fmt: skip
    assert timeline[0][1] == datetime(2023, 12, 31, 23, 41, 17, tzinfo=UTC)
    # the imported incident's one HTML body became five entries
    legacy = rows(
        db,
        "SELECT count(*) FROM notice_updates u JOIN notice_versions v USING (notice_key, version)"
        " WHERE v.notice_key = 'statuspage:localhost:l3g4cy0ld001' AND v.layout = 'api_incident'",
    )
    assert legacy == [(5,)]
    check_invariants(db)


def test_incident_pages_robots_txt_forbids_are_left_out(
    harbourline: tuple[PayloadSite, Path], db: Path
) -> None:
    site, sources = harbourline
    site.routes["/robots.txt"] = Payload(
        b"User-agent: *\nDisallow: /api/v2/incidents/\n", "text/plain"
    )
    done = crawl(db, "harbourline", sources=sources)
    assert done.returncode == 0, done.stdout + done.stderr
    left_out = len(LIST_CODES | HISTORY_CODES)
    assert f"{left_out} notice pages left out (robots.txt forbids them)" in done.stdout
    assert incident_requests(site) == set()
    assert rows(db, "SELECT count(*) FROM fetches WHERE outcome = 'failed'") == [(0,)]
    check_invariants(db)


def test_incremental_recrawl_fetches_only_what_changed(
    harbourline: tuple[PayloadSite, Path], db: Path
) -> None:
    site, sources = harbourline
    assert crawl(db, "harbourline", sources=sources).returncode == 0
    before = check_invariants(db)
    # nwy34rsp4n01 gets a postmortem: incidents.json shows a newer updated_at
    changed = copy.deepcopy(INCIDENTS)
    item = changed["incidents"][1]
    assert item["id"] == "nwy34rsp4n01"
    postmortem = copy.deepcopy(item["incident_updates"][0])
    postmortem.update(id="pm0nwy34rsp4", status="postmortem", body="What happened, and why.",
                      created_at="2025-01-03T09:00:00.000Z", updated_at="2025-01-03T09:00:00.000Z",
                      display_at="2025-01-03T09:00:00.000Z", affected_components=None)  # fmt: skip
    item.update(status="postmortem", updated_at="2025-01-03T09:00:00.120Z",
                incident_updates=[postmortem, *item["incident_updates"]])  # fmt: skip
    site.put_json("/api/v2/incidents.json", changed)
    site.put_json(incident_path("nwy34rsp4n01"), incident_payload(item, changed["page"]))
    mark = len(site.log)

    done = crawl(db, "harbourline", sources=sources)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 vanished" in done.stdout
    # the hubs again, in full; of the incidents only the changed one, those the archive
    # last saw open, and the one resolved three days ago (postmortems come late)
    assert [p for p in site.requested(mark) if not p.startswith("/api/v2/incidents/")] == HUBS
    assert incident_requests(site, mark) == OPEN_CODES | {"nwy34rsp4n01", "hdec30notifs"}
    after = check_invariants(db)
    assert after["fetches"] == before["fetches"] + len(HUBS) + 7
    state = rows(
        db,
        "SELECT state, versions FROM notices WHERE notice_key = 'statuspage:localhost:nwy34rsp4n01'",
    )
    assert state[0][0] == "postmortem"
    statuses = rows(
        db,
        "SELECT list(u.status ORDER BY u.seq) FROM notice_updates u JOIN notice_versions v"
        " USING (notice_key, version) WHERE v.notice_key = 'statuspage:localhost:nwy34rsp4n01'"
        " GROUP BY v.version ORDER BY v.version DESC LIMIT 1",
    )
    assert statuses[0][0][-1] == "postmortem"
    # nothing else changed: only the edited incident and its list have new snapshots
    new = rows(db, "SELECT url FROM fetches WHERE crawl_id = 2 AND outcome = 'new' ORDER BY 1")
    assert [u for (u,) in new] == [site.url("/api/v2/incidents.json"),
                                   site.url(incident_path("nwy34rsp4n01"))]  # fmt: skip

    # a third crawl with nothing changed asks for no resolved incident but the recent one
    mark = len(site.log)
    assert crawl(db, "harbourline", sources=sources).returncode == 0
    assert incident_requests(site, mark) == OPEN_CODES | {"hdec30notifs"}
    check_invariants(db)


def test_recheck_window_is_a_setting(harbourline: tuple[PayloadSite, Path], db: Path) -> None:
    site, sources = harbourline
    assert crawl(db, "harbourline", sources=sources).returncode == 0
    mark = len(site.log)
    done = crawl(db, "harbourline", "-s", "NOTICES_STATUSPAGE_RECHECK_DAYS=1", sources=sources)
    assert done.returncode == 0, done.stderr
    assert incident_requests(site, mark) == OPEN_CODES


def test_truncated_payloads_are_recorded_not_a_crash(
    harbourline: tuple[PayloadSite, Path], db: Path
) -> None:
    site, sources = harbourline
    site.routes["/history.json?page=1"] = Payload(HISTORY_1[: len(HISTORY_1) // 2])
    whole = json.dumps(WEBHOOKS).encode()
    site.routes[incident_path("0p3n1nc1d3nt")] = Payload(whole[:-40])
    done = crawl(db, "harbourline", sources=sources)
    # recorded, summarised, and the exit code says the pages gave no notices (drift)
    assert done.returncode == 4, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout.startswith("crawl harbourline #1: drift — ")
    assert "2 drift" in done.stdout
    bad = rows(
        db,
        "SELECT f.url, f.outcome, s.parse_outcome, s.warnings FROM fetches f"
        " JOIN snapshots s USING (snapshot_id) WHERE f.outcome <> 'new' ORDER BY f.url",
    )
    assert [(u, o, p) for u, o, p, _ in bad] == [
        (site.url(incident_path("0p3n1nc1d3nt")), "no_notices", "no_notices"),
        (site.url("/history.json?page=1"), "no_notices", "no_notices"),
    ]
    for *_, warnings in bad:
        assert any("truncated" in w for w in warnings), warnings
    # the walk stopped at the page it could not read; the lists' incidents were all read
    assert "/history.json?page=2" not in site.requested()
    assert incident_requests(site) == LIST_CODES
    assert rows(db, "SELECT outcome, vanished FROM crawls") == [("drift", 0)]
    assert rows(db, "SELECT count(*) FROM notices")[0][0] == len(LIST_CODES)
    check_invariants(db)

    # fixed at the source: the next crawl reads everything and the crawl is ok again
    site.routes["/history.json?page=1"] = Payload(HISTORY_1)
    site.routes[incident_path("0p3n1nc1d3nt")] = Payload(
        json.dumps(incident_payload(INCIDENTS["incidents"][0], INCIDENTS["page"])).encode()
    )
    done = crawl(db, "harbourline", sources=sources)
    assert done.returncode == 0, done.stdout + done.stderr
    assert rows(db, "SELECT count(*) FROM notices")[0][0] == len(LIST_CODES | HISTORY_CODES)
    check_invariants(db)


def test_a_list_nested_too_deeply_to_read_is_no_notices_not_a_spider_error(
    harbourline: tuple[PayloadSite, Path], db: Path
) -> None:
    """The spider reads a list as the parser does (`decode_json`): JSON nested past
    Python's recursion limit is a page it cannot read, recorded as such, and the walk goes
    on; it was a spider error with a traceback that ended the walk at that list."""
    site, sources = harbourline
    site.routes["/api/v2/summary.json"] = Payload(b"[" * 100_000)
    done = crawl(db, "harbourline", sources=sources)
    assert done.returncode == 4, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "Spider error" not in done.stderr, done.stderr
    assert rows(db, "SELECT outcome FROM fetches WHERE url LIKE '%/summary.json'") == [
        ("no_notices",)
    ]
    asked = site.requested()
    assert "/api/v2/incidents.json" in asked and "/history.json?page=4" in asked
    check_invariants(db)


def test_a_failed_list_does_not_stop_the_walk(
    harbourline: tuple[PayloadSite, Path], db: Path
) -> None:
    site, sources = harbourline
    site.routes["/api/v2/summary.json"] = Payload(b"down", status=503)
    done = crawl(db, "harbourline", sources=sources)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 failed" in done.stdout
    asked = site.requested()
    assert "/history.json?page=4" in asked and "/api/v2/incidents.json" in asked
    # summary's own incidents are found through the other lists and history, or not at all
    assert incident_requests(site) == (LIST_CODES | HISTORY_CODES) - {
        "l0g1nf41lur3",
        "n3tw0rkm41nt",
    }
    check_invariants(db)


def test_history_is_bounded_by_a_setting(harbourline: tuple[PayloadSite, Path], db: Path) -> None:
    site, sources = harbourline
    done = crawl(db, "harbourline", "-s", "NOTICES_STATUSPAGE_MAX_HISTORY_PAGES=1", sources=sources)
    # cut short: recorded as interrupted, so nothing may vanish because of it
    assert done.returncode == 1, done.stdout + done.stderr
    assert "interrupted" in done.stdout
    assert "/history.json?page=2" not in site.requested()
    check_invariants(db)


def test_feed_crawl_and_a_304(tmp_path: Path, httpserver: HTTPServer, db: Path) -> None:
    site = PayloadSite(httpserver)
    atom = fixture("feed", "atom-2025-01-03")
    rss = fixture("feed", "rss-2024-11-20")
    site.routes["/history.atom"] = Payload(atom, "application/atom+xml", headers={"ETag": '"a1"'})
    site.routes["/rss/all.rss"] = Payload(rss, "application/rss+xml")
    sources = sources_file(
        tmp_path / "sources.toml",
        source("tallowbox-feed", "feed", site.url("/history.atom"), site.url("/rss/all.rss")),
    )
    done = crawl(db, "tallowbox-feed", sources=sources)
    assert done.returncode == 0, done.stdout + done.stderr
    expected = [
        json.loads(line)
        for folder in ("atom-2025-01-03", "rss-2024-11-20")
        for line in (Path(__file__).parents[1] / "fixtures/feed" / folder / "expected.jsonl")
        .read_text()
        .splitlines()
    ]
    keys = {
        r[0] for r in rows(db, "SELECT notice_key FROM notices WHERE source = 'tallowbox-feed'")
    }
    # the fixtures' keys, the host being the server's (an item keyed by a link to another
    # host keeps that host in its slug)
    assert len(keys) == len(expected) and all(k.startswith("feed:localhost:") for k in keys)
    atom = {r["notice_key"].split(":", 2)[2] for r in expected if "tallowbox" in r["url"]}
    assert atom <= {k.split(":", 2)[2] for k in keys}
    with_timelines = rows(db, "SELECT count(DISTINCT notice_key) FROM notice_updates")[0][0]
    assert with_timelines >= 2
    check_invariants(db)
    # the feed is asked conditionally next time: a 304 is "unchanged, seen now"
    done = crawl(db, "tallowbox-feed", sources=sources)
    assert done.returncode == 0, done.stdout + done.stderr
    second = [h for path, h, _ in site.log if path == "/history.atom"][-1]
    assert second.get("If-None-Match") == '"a1"'
    assert rows(
        db, "SELECT outcome FROM fetches WHERE crawl_id = 2 AND url LIKE '%history.atom'"
    ) == [("not_modified",)]
    check_invariants(db)


def test_gcp_crawl(tmp_path: Path, httpserver: HTTPServer, db: Path) -> None:
    site = PayloadSite(httpserver)
    site.routes["/incidents.json"] = Payload(fixture("gcp", "incidents-2024-03-31"))
    sources = sources_file(
        tmp_path / "sources.toml", source("cloud", "gcp", site.url("/incidents.json"))
    )
    done = crawl(db, "cloud", sources=sources)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("crawl cloud #1: ok — 1 pages (1 new")
    expected = [
        json.loads(line)
        for line in (Path(__file__).parents[1] / "fixtures/gcp/incidents-2024-03-31/expected.jsonl")
        .read_text()
        .splitlines()
    ]
    got = rows(db, "SELECT notice_key, published_at, window_start FROM notices ORDER BY 1")
    assert [k for k, _, _ in got] == sorted(r["notice_key"] for r in expected)
    # publication and impact window kept apart
    assert all(p is not None and w is not None for _, p, w in got)
    assert rows(db, "SELECT count(*) FROM publication_lag")[0][0] == len(expected)
    check_invariants(db)


def test_crawl_all_crawls_every_source_in_the_file(
    tmp_path: Path, httpserver: HTTPServer, db: Path
) -> None:
    site = PayloadSite(httpserver)
    summary = copy.deepcopy(SUMMARY)
    site.put_json("/sp/api/v2/summary.json", summary)
    site.put_json("/sp/api/v2/incidents.json", {"page": SUMMARY["page"], "incidents": []})
    site.put_json(
        "/sp/api/v2/scheduled-maintenances.json",
        {"page": SUMMARY["page"], "scheduled_maintenances": []},
    )
    site.put_json("/sp/history.json?page=1", EMPTY_HISTORY)
    site.put_json("/sp/history.json?page=2", EMPTY_HISTORY)
    for key in ("incidents", "scheduled_maintenances"):
        for item in summary[key]:
            site.put_json(f"/sp{incident_path(item['id'])}", incident_payload(item))
    site.routes["/incidents.json"] = Payload(fixture("gcp", "incidents-2024-03-31"))
    # a source's politeness applies to it alone: no retries for the status page here
    site.routes["/sp/api/v2/incidents.json"].fail_first = 1
    sources = sources_file(
        tmp_path / "sources.toml",
        source("harbourline", "statuspage", site.url("/sp"), politeness={"RETRY_TIMES": 0}),
        source("cloud", "gcp", site.url("/incidents.json")),
    )
    done = crawl(db, "--all", sources=sources)
    lines = done.stdout.splitlines()
    assert len(lines) == 2, done.stdout + done.stderr
    assert lines[0].startswith(
        "crawl harbourline #1: failed — 7 pages (6 new, 0 unchanged, 1 failed"
    )
    assert lines[1].startswith("crawl cloud #2: ok — 1 pages (1 new")
    assert done.returncode == 1
    assert rows(db, "SELECT source, outcome FROM crawls ORDER BY crawl_id") == [
        ("harbourline", "failed"),
        ("cloud", "ok"),
    ]
    assert len([p for p in site.requested() if p == "/sp/api/v2/incidents.json"]) == 1
    by_source = dict(rows(db, "SELECT source, count(*) FROM notices GROUP BY 1"))
    assert by_source == {"harbourline": 2, "cloud": 3}
    check_invariants(db)

    # NOTICES_SOURCES names the file too; and one source by name
    done = crawl(db, "cloud", env={"NOTICES_SOURCES": str(sources)})
    assert done.returncode == 0 and done.stdout.startswith("crawl cloud #3: ok"), done.stdout
    check_invariants(db)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["crawl"], "name a source to crawl (or --all)"),
        (["crawl", "nhsmail", "--all"], "not both"),
        (["crawl", "no-such-source"], "no crawlable source named no-such-source"),
        (["crawl", "github", "npm", "--start-url", "http://127.0.0.1:9/"], "name exactly one"),
    ],
)
def test_crawl_usage_errors(argv: list[str], message: str, capsys: Any) -> None:
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_a_broken_sources_file_is_a_usage_error(tmp_path: Path, capsys: Any) -> None:
    bad = tmp_path / "sources.toml"
    bad.write_text('[[source]]\nname = "x"\nkind = "nope"\n')
    assert main(["crawl", "--all", "--sources", str(bad)]) == 2
    assert "sources.toml" in capsys.readouterr().err


def test_scrapy_crawl_finds_the_source_in_the_sources_file(
    tmp_path: Path, httpserver: HTTPServer, db: Path
) -> None:
    import os
    import subprocess
    import sys

    site = PayloadSite(httpserver)
    site.routes["/incidents.json"] = Payload(fixture("gcp", "incidents-2024-03-31"))
    sources = sources_file(
        tmp_path / "sources.toml", source("cloud", "gcp", site.url("/incidents.json"))
    )
    scrapy = str(Path(sys.executable).parent / "scrapy")
    root = Path(__file__).resolve().parents[2]  # scrapy.cfg lives at the repository root
    done = subprocess.run(
        [scrapy, "crawl", "gcp", "-a", "source=cloud", "-s", "DOWNLOAD_DELAY=0",
         "-s", "AUTOTHROTTLE_ENABLED=false", "-s", "NOTICES_ALLOW_PRIVATE_HOSTS=true"],
        cwd=root, capture_output=True, text=True, timeout=120,
        env={**os.environ, "NOTICES_DB": str(db), "NOTICES_SOURCES": str(sources)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert rows(db, "SELECT source, outcome, pages_fetched FROM crawls") == [("cloud", "ok", 1)]
    assert rows(db, "SELECT DISTINCT source FROM notices") == [("cloud",)]
    check_invariants(db)


def test_kind_of_and_parse_as_name_the_archive_source() -> None:
    from parsers import parse_as
    from scraper.sources import SourcesError, kind_of

    assert kind_of("github") == "statuspage" and kind_of("google-cloud") == "gcp"
    assert kind_of("nhsmail") == "nhsmail"
    assert kind_of("feed") == "feed"  # an archive's source named after its kind
    with pytest.raises(SourcesError):
        kind_of("no-such-source")
    result = parse_as(
        "cloud", "gcp", fixture("gcp", "incidents-2024-03-31"),
        url="https://status.cloud.google.com/incidents.json",
    )  # fmt: skip
    assert result.records and {r["source"] for r in result.records} == {"cloud"}
    assert all(r["notice_key"].startswith("gcp:") for r in result.records)
