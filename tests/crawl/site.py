"""A loopback NHSmail-like site for crawl tests, and helpers to crawl it and check the archive."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

NOTICES = str(Path(sys.executable).parent / "notices")
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=false",
        "-s", "RETRY_BACKOFF_BASE=0.05", "-s", "DOWNLOAD_TIMEOUT=3",
        "-s", "NOTICES_ALLOW_PRIVATE_HOSTS=true"]  # the loopback test site  # fmt: skip


def listing(*notices: str, next_page: str | None = None) -> str:
    """A WordPress category page; each notice is (title or '', date, body, post path)."""
    nav = f"<a class='next page-numbers' href='{next_page}'>Older posts</a>" if next_page else ""
    return (
        "<!doctype html><html><head><title>Service Status</title></head><body>"
        "<header class='site-header'><nav><a href='/'>Home</a></nav></header>"
        f"<main id='main'>{''.join(notices)}<nav class='pagination'>{nav}</nav></main>"
        "<footer class='site-footer'>© NHS</footer></body></html>"
    )


def article(title: str, date: str, body: str, post: str | None = None) -> str:
    heading = ""
    if title:
        link = f"<a href='{post}'>{title}</a>" if post else title
        heading = f"<h2 class='entry-title'>{link}</h2>"
    paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n"))
    return (
        f"<article class='post'><header class='entry-header'>{heading}</header>"
        f"<div class='entry-meta'><p>{date}</p></div>"
        f"<div class='entry-content'>{paragraphs}</div></article>"
    )


def post(title: str, date: str, body: str) -> str:
    return listing(article(title, date, body))


@dataclass
class Route:
    body: str | bytes = ""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    fail_first: int = 0  # answer 500 to this many requests first
    late_first: int = 0  # answer this many requests first after the client gave up (4 s)
    unsized: bool = False  # no Content-Length: the body ends where the server closes


class Site:
    """Routes that tests change between crawls, and a log of every request."""

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.routes: dict[str, Route] = {
            "/robots.txt": Route(
                "User-agent: *\nAllow: /\n", headers={"Content-Type": "text/plain"}
            )
        }
        self.log: list[tuple[str, dict[str, str], int]] = []
        self.arrived: list[str] = []  # paths as requests arrive, before any delay
        self.arrival_times: list[tuple[str, float]] = []  # (path, time.monotonic())
        server.expect_request("").respond_with_handler(self.handle)  # every path

    def url(self, path: str) -> str:
        return self.server.url_for(path)

    def handle(self, request: Request) -> Response:
        self.arrived.append(request.path)
        self.arrival_times.append((request.path, time.monotonic()))
        route = self.routes.get(request.path)
        headers = {k: v for k, v in request.headers.items()}
        if route is None:
            self.log.append((request.path, headers, 404))
            return Response("not found", status=404)
        if route.delay:
            time.sleep(route.delay)
        if route.late_first > 0:
            route.late_first -= 1
            time.sleep(4)  # DOWNLOAD_TIMEOUT is 3 in tests
        if route.fail_first > 0:
            route.fail_first -= 1
            self.log.append((request.path, headers, 500))
            return Response("oops", status=500)
        etag = route.headers.get("ETag")
        if etag and request.headers.get("If-None-Match") == etag:
            self.log.append((request.path, headers, 304))
            return Response(status=304, headers={"ETag": etag})
        self.log.append((request.path, headers, route.status))
        body = route.body.encode() if isinstance(route.body, str) else route.body
        out = {"Content-Type": "text/html; charset=utf-8", **route.headers}
        if route.unsized:  # streamed: HTTP/1.0, no Content-Length, the connection closes
            return Response(iter([body]), status=route.status, headers=out)
        return Response(body, status=route.status, headers=out)

    def requests_for(self, path: str) -> list[tuple[str, dict[str, str], int]]:
        return [entry for entry in self.log if entry[0] == path]


def crawl(db: Path, *start: str, env: dict[str, str] | None = None,
          extra: list[str] | None = None) -> subprocess.CompletedProcess[str]:  # fmt: skip
    args = [NOTICES, "crawl", "nhsmail", "--db", str(db), *FAST, *(extra or [])]
    for url in start:
        args += ["--start-url", url]
    return subprocess.run(
        args, capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})}
    )


def rows(db: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def check_invariants(db: Path) -> dict[str, int]:
    """The archive's invariants; returns table sizes so callers can check nothing shrank."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        q = lambda sql: con.execute(sql).fetchall()  # noqa: E731
        assert (
            q(
                "SELECT notice_key, content_hash FROM notice_versions GROUP BY ALL HAVING count(*) > 1"
            )
            == []
        )
        assert (
            q("SELECT notice_key, version FROM notice_versions GROUP BY ALL HAVING count(*) > 1")
            == []
        )
        # every version points at a stored snapshot whose content is stored
        assert (
            q(
                "SELECT v.notice_key FROM notice_versions v ANTI JOIN snapshots s USING (snapshot_id)"
            )
            == []
        )
        assert q("SELECT s.snapshot_id FROM snapshots s ANTI JOIN contents c USING (sha256)") == []
        # sightings only from successful fetches, each of a stored version
        assert (
            q(
                "SELECT s.fetch_id FROM sightings s JOIN fetches f USING (fetch_id) WHERE f.outcome NOT IN ('new', 'unchanged', 'not_modified')"
            )
            == []
        )
        assert (
            q(
                "SELECT s.notice_key FROM sightings s ANTI JOIN notice_versions v USING (notice_key, version)"
            )
            == []
        )
        # a version's observed bracket covers every sighting of it
        assert (
            q("""SELECT v.notice_key FROM notice_versions v JOIN (
                        SELECT notice_key, version, min(observed_at) f, max(observed_at) l
                        FROM sightings GROUP BY ALL) s USING (notice_key, version)
                    WHERE s.f < v.first_observed_at OR s.l > v.last_observed_at""")
            == []
        )
        # versions are numbered in the order they were first observed
        assert (
            q("""SELECT notice_key, version FROM (
                        SELECT notice_key, version, first_observed_at, lag(first_observed_at)
                            OVER (PARTITION BY notice_key ORDER BY version) AS before
                        FROM notice_versions)
                    WHERE before > first_observed_at""")
            == []
        )
        # the current-state table agrees with the history
        assert (
            q("""SELECT n.notice_key FROM notices n JOIN (
                        SELECT notice_key, count(*) c, min(observed_at) f, max(observed_at) l
                        FROM sightings GROUP BY ALL) s USING (notice_key)
                    WHERE n.sightings <> s.c OR n.first_seen_at <> s.f OR n.last_seen_at <> s.l""")
            == []
        )
        assert (
            q("SELECT count(*) FROM notices")[0][0]
            == q("SELECT count(DISTINCT notice_key) FROM notice_versions")[0][0]
        )
        assert q("SELECT crawl_id FROM crawls WHERE outcome = 'running'") == []
        sizes = {}
        for table in (
            "crawls",
            "fetches",
            "snapshots",
            "contents",
            "notice_versions",
            "notice_updates",
            "sightings",
            "notice_events",
        ):
            sizes[table] = q(f"SELECT count(*) FROM {table}")[0][0]
        return sizes
    finally:
        con.close()


def every_row(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Each table of the archive, whole and in a fixed order."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = [t for (t,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE NOT temporary ORDER BY ALL").fetchall()]  # fmt: skip
        return {t: con.execute(f'SELECT * FROM "{t}" ORDER BY ALL').fetchall() for t in tables}
    finally:
        con.close()


def hold_open(db: Path, seconds: float) -> subprocess.Popen[str]:
    """Another process holding the archive open read-only (a notebook), once it holds it."""
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, time; c = duckdb.connect({str(db)!r}, "
         f"read_only=True); print('held', flush=True); time.sleep({seconds}); c.close()"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    return holder


def pipeline_holds_the_lock(db: Path, proc: subprocess.Popen[str]) -> bool:
    """Whether ``proc``'s pipeline has taken the archive's lock: it opens the archive next
    (and waits there while a reader holds it)."""
    lock = Path(f"{db}.lock")
    return lock.exists() and lock.read_text() == f"pid {proc.pid}"


def signalled_while_waiting(
    argv: list[str], db: Path, *signals: int
) -> tuple[int, str, str, float]:
    """Run ``argv`` (a crawl or backfill) while another process holds ``db`` open; once its
    pipeline has the lock and waits for that reader, send it ``signals``. Its exit code,
    stdout, stderr, and the seconds from the signal to its end."""
    holder = hold_open(db, seconds=120)
    try:
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while not pipeline_holds_the_lock(db, proc) and time.monotonic() < deadline:
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.05)
        time.sleep(0.3)  # in its wait: a try or two at opening the archive refused
        signalled = time.monotonic()
        for sig in signals:
            proc.send_signal(sig)
        out, err = proc.communicate(timeout=60)
        return proc.returncode, out, err, time.monotonic() - signalled
    finally:
        holder.kill()
        holder.communicate()
