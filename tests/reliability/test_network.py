"""Transport faults against a crawl of an archive that already holds the site.

One loopback site and one seeded archive per module; each case crawls a copy of that
archive after breaking the site in one way, then checks what the crawl left behind: exit
code, the broken URL's fetch outcome, no sighting from it, nothing vanished, no row lost,
and the interpretation (snapshots, versions, events) unchanged.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.crawl.site import article, listing, post, rows
from tests.reliability import harness as h
from tests.reliability.conftest import record
from tests.reliability.servers import (
    FaultServer,
    Handler,
    Request,
    gzip_bomb,
    redirect,
    reply,
    reset_mid_body,
    script,
    short_body,
    stall,
    stream,
)

P1 = "/2022/04/inc28274463-portal/"
P2 = "/2022/04/relay-certificate/"
LISTING = listing(
    article("INC28274463 – Portal Unavailable – NEW", "14/04/2022 09:35:00 AM",
            "The NHSmail team are aware of an issue affecting the Portal.", P1),
    article("Relay Certificate Renewal – Maintenance – COMPLETED", "18/10/2021 07:22:59 PM",
            "COMPLETED: between 1:00 AM and 1:30 AM on the 19th October, 2021.", P2),
)  # fmt: skip
POST1 = post("INC28274463 – Portal Unavailable – NEW", "14/04/2022 09:35:00 AM",
             "Issue Status: NEW\nDescription: The NHSmail Portal cannot be reached.")  # fmt: skip
POST2 = post("Relay Certificate Renewal – Maintenance – COMPLETED", "18/10/2021 07:22:59 PM",
             "COMPLETED: the certificate was renewed.")  # fmt: skip
# What a failed or refused fetch must leave alone: the archive's interpretation.
INTERPRETATION = ("snapshots", "contents", "notice_versions", "notice_updates", "notice_events")


def healthy() -> dict[str, Handler]:
    return {"/status/": reply(LISTING), P1: reply(POST1), P2: reply(POST2)}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FaultServer, Path]]:
    server = FaultServer(healthy(), max_requests=600, lifetime=600)
    seed = tmp_path_factory.mktemp("seed") / "archive.duckdb"
    first = h.crawl(seed, server.url("/status/"))
    assert first.returncode == 0, first.stdout + first.stderr
    try:
        yield server, seed
    finally:
        server.stop()


class Case:
    """One fault against a fresh copy of the seeded archive."""

    def __init__(self, site: tuple[FaultServer, Path], tmp_path: Path) -> None:
        self.server, seed = site
        self.server.routes.clear()
        self.server.routes.update(healthy())
        self.server.routes["/robots.txt"] = reply("User-agent: *\nAllow: /\n")
        self.db = tmp_path / "archive.duckdb"
        shutil.copyfile(seed, self.db)
        self.before = h.keys(self.db)
        self.mark = len(self.server.log)
        self.problems: list[str] = []
        self.runs: list[h.Run] = []

    def url(self, path: str) -> str:
        return self.server.url(path)

    def crawl(self, *paths: str, extra: list[str] | None = None) -> h.Run:
        run = h.crawl(self.db, *(self.url(p) for p in paths or ("/status/",)), extra=extra)
        self.runs.append(run)
        if run.crashed:
            self.problems.append(f"traceback: {run.stderr[-800:]}")
        return run

    def hits(self, path: str) -> list[int]:
        return [e.status for e in self.server.log[self.mark :] if e.path == path]

    def expect(self, ok: bool, problem: str) -> None:
        if not ok:
            self.problems.append(problem)

    def last_fetches(self) -> dict[str, tuple[str, str | None]]:
        crawl_id = rows(self.db, "SELECT max(crawl_id) FROM crawls")[0][0]
        return {"/" + path: (outcome, error) for path, outcome, error
                in h.fetch_outcomes(self.db, crawl_id)}  # fmt: skip

    def finish(self, case: str, outcome: str, *, unchanged: tuple[str, ...] = INTERPRETATION,
               runs: int = 1) -> None:  # fmt: skip
        after = h.keys(self.db)
        try:
            h.invariants(self.db)
        except AssertionError as exc:
            self.problems.append(f"invariants: {exc}")
        lost = h.lost(self.before, after)
        changed = sorted(t for t in unchanged if after[t] != self.before[t])
        vanished = rows(self.db, "SELECT count(*) FROM notices WHERE vanished_at IS NOT NULL")
        self.expect(vanished == [(0,)], "a notice vanished because of a fault")
        self.expect(not changed, f"changed: {changed}")
        peak = max((r.peak_rss_mb for r in self.runs), default=None)
        survived = runs if not self.problems and not lost else 0
        record(case, runs=runs, survived=survived, outcome=outcome, rows_lost=lost,
               unchanged=("yes" if unchanged else "n/a") if not changed else "NO: " + ", ".join(changed),
               peak_rss_mb=peak)  # fmt: skip
        assert not self.problems, self.problems
        assert lost == 0


@pytest.fixture
def case(site: tuple[FaultServer, Path], tmp_path: Path) -> Case:
    return Case(site, tmp_path)


def test_5xx_storm(case: Case) -> None:
    codes = [500, 502, 503]
    for path in ("/status/", P1, P2):
        case.server.routes[path] = script(*(reply("down", codes[i % 3]) for i in range(12)))
    run = case.crawl("/status/", P1, P2)
    fetches = case.last_fetches()
    case.expect(run.returncode == 1, f"exit {run.returncode}")
    case.expect(all(fetches.get(p, ("?",))[0] == "failed" for p in ("/status/", P1, P2)),
                f"fetches {fetches}")  # fmt: skip
    tries = [len(case.hits(p)) for p in ("/status/", P1, P2)]
    case.expect(tries == [4, 4, 4], f"tries per page {tries}")
    case.finish("5xx storm", f"exit {run.returncode}; 3 pages failed after {tries[0]} tries each; "
                f"{len(case.server.log) - case.mark} requests in all")  # fmt: skip


def test_timeout(case: Case) -> None:
    case.server.routes[P1] = stall(2.5)
    run = case.crawl(extra=["-s", "DOWNLOAD_TIMEOUT=1", "-s", "RETRY_TIMES=1"])
    outcome, error = case.last_fetches().get(P1, ("missing", None))
    case.expect(run.returncode == 1 and outcome == "failed", f"exit {run.returncode}, {outcome}")
    case.expect("Timeout" in (error or ""), f"error {error}")
    case.expect(case.last_fetches().get("/status/", ("?",))[0] == "unchanged", "listing")
    case.finish("timeout", f"exit {run.returncode}; post failed "
                f"({(error or '').split(':')[0]}) after {len(case.hits(P1))} tries of 1 s; "
                "listing unchanged")  # fmt: skip


def test_reset_mid_body(case: Case) -> None:
    body = POST1.encode() * 40
    case.server.routes[P1] = reset_mid_body(body, len(body) // 2)
    run = case.crawl()
    outcome, error = case.last_fetches().get(P1, ("missing", None))
    case.expect(run.returncode == 1 and outcome == "failed", f"exit {run.returncode}, {outcome}")
    case.finish("reset mid-body", f"exit {run.returncode}; post failed "
                f"({(error or '').split(':')[0]}) after {len(case.hits(P1))} requests")  # fmt: skip


def test_short_body(case: Case) -> None:
    body = POST1.encode()
    case.server.routes[P1] = short_body(body[: len(body) // 2], len(body))
    run = case.crawl()
    outcome, error = case.last_fetches().get(P1, ("missing", None))
    case.expect(run.returncode == 1 and outcome == "failed", f"exit {run.returncode}, {outcome}")
    case.expect("DataLoss" in (error or ""), f"error {error}")
    case.finish("short body", f"exit {run.returncode}; post failed "
                f"({(error or '').split(':')[0]}); half a page never parsed")  # fmt: skip


def test_empty_200(case: Case) -> None:
    case.server.routes[P1] = reply(b"")
    run = case.crawl()
    outcome, _ = case.last_fetches().get(P1, ("missing", None))
    case.expect(run.returncode == 4 and outcome == "drift", f"exit {run.returncode}, {outcome}")
    seen = rows(case.db, "SELECT count(*) FROM sightings JOIN fetches USING (fetch_id)"
                         " WHERE outcome = 'drift'")  # fmt: skip
    case.expect(seen == [(0,)], "a sighting from the empty page")
    case.finish("empty 200", f"exit {run.returncode} (drift); empty snapshot kept for a "
                "reparse; no sighting, nothing vanished",
                unchanged=("notice_versions", "notice_updates", "notice_events"))  # fmt: skip


def _first_post_429(headers: dict[str, str]) -> Handler:
    """The first request to any post is answered 429; everything else normally."""
    answered: list[str] = []
    posts = {P1: reply(POST1), P2: reply(POST2)}

    def handler(request: Request, conn: object) -> int:
        if not answered:
            answered.append(request.path)
            return reply("slow down", 429, headers)(request, conn)  # type: ignore[arg-type]
        return posts[request.path](request, conn)  # type: ignore[arg-type]

    return handler


def _pause(case: Case) -> tuple[float, int]:
    """Seconds between the 429 and the retry of that URL, and requests to the host between."""
    log = case.server.log[case.mark :]
    first = next(e for e in log if e.status == 429)
    retry = next(e for e in log if e.path == first.path and e.at > first.at)
    others = [e for e in log if first.at < e.at < retry.at]
    return retry.at - first.at, len(others)


def test_429_with_retry_after(case: Case) -> None:
    handler = _first_post_429({"Retry-After": "2"})
    case.server.routes[P1] = case.server.routes[P2] = handler
    run = case.crawl(extra=["-s", "DOWNLOAD_DELAY=0.2"])
    waited, others = _pause(case)
    fetched = case.last_fetches()
    case.expect(run.returncode == 0, f"exit {run.returncode}")
    case.expect(waited >= 1.9, f"retried after {waited:.2f} s")
    case.expect(all(fetched.get(p, ("?",))[0] == "unchanged" for p in (P1, P2)), str(fetched))
    case.finish("429 + Retry-After", f"exit 0; retried after {waited:.1f} s; requests to "
                f"the host's other URLs during the pause: {others}")  # fmt: skip


def test_429_without_retry_after(case: Case) -> None:
    handler = _first_post_429({})
    case.server.routes[P1] = case.server.routes[P2] = handler
    run = case.crawl(extra=["-s", "RETRY_429_MIN_DELAY=1.5", "-s", "RETRY_BACKOFF_BASE=0.05"])
    waited, _ = _pause(case)
    case.expect(run.returncode == 0, f"exit {run.returncode}")
    case.expect(waited >= 1.4, f"retried after {waited:.2f} s (backoff base 0.05 s)")
    case.finish("429, no Retry-After", f"exit 0; retried after {waited:.1f} s "
                "(RETRY_429_MIN_DELAY=1.5 here, backoff base 0.05 s)")  # fmt: skip


def test_429_storm(case: Case) -> None:
    case.server.routes[P1] = reply("slow down", 429, {"Retry-After": "0"})
    run = case.crawl(extra=["-s", "RETRY_429_MIN_DELAY=0.1"])
    outcome, _ = case.last_fetches().get(P1, ("missing", None))
    case.expect(run.returncode == 1 and outcome == "failed", f"exit {run.returncode}, {outcome}")
    case.expect(len(case.hits(P1)) == 4, f"{len(case.hits(P1))} requests")
    case.finish("429 storm", f"exit 1; post failed after {len(case.hits(P1))} requests")


def _megabytes(n: int) -> list[bytes]:
    return [b"<p>" + b"x" * ((1 << 20) - 3)] * n


def test_oversize_body(case: Case) -> None:
    case.server.routes[P1] = stream(lambda: _megabytes(12), length=12 << 20)
    case.server.routes[P2] = stream(lambda: _megabytes(12))  # chunked: no length to refuse
    run = case.crawl()
    fetches = case.last_fetches()
    errors = [fetches.get(p, ("missing", ""))[1] or "" for p in (P1, P2)]
    case.expect(run.returncode == 1, f"exit {run.returncode}")
    case.expect(all(fetches.get(p, ("?",))[0] == "failed" for p in (P1, P2)), str(fetches))
    case.expect(all("Cancelled" in e for e in errors), str(errors))
    case.expect(run.peak_rss_mb < 400, f"peak {run.peak_rss_mb:.0f} MB")
    case.finish("oversize body", "exit 1; both refused (DownloadCancelledError): by "
                "Content-Length before the body, and at 10 MB while chunks arrived")  # fmt: skip


def test_gzip_bomb(case: Case, sizes: dict[str, int]) -> None:
    bomb = gzip_bomb(sizes["bomb"])
    case.server.routes[P1] = reply(bomb, headers={"Content-Encoding": "gzip"})
    run = case.crawl()
    outcome, error = case.last_fetches().get(P1, ("missing", None))
    case.expect(run.returncode == 1 and outcome == "failed", f"exit {run.returncode}, {outcome}")
    case.expect("DOWNLOAD_MAXSIZE" in (error or ""), f"error {error}")
    case.expect(run.peak_rss_mb < 500, f"peak {run.peak_rss_mb:.0f} MB")  # well under 1 GB
    inflated = f"{sizes['bomb'] >> 20} MB" if sizes["bomb"] < 1 << 30 else "1 GB"
    case.finish("gzip bomb", f"exit 1; {len(bomb) / 1e6:.2f} MB on the wire, {inflated} "
                "inflated: refused at DOWNLOAD_MAXSIZE during decompression")  # fmt: skip


def test_redirect_loops(case: Case) -> None:
    case.server.routes[P1] = redirect(P1)
    case.server.routes[P2] = redirect("/2022/04/relay-elsewhere/")
    case.server.routes["/2022/04/relay-elsewhere/"] = redirect(P2, 301)
    run = case.crawl()
    fetches = case.last_fetches()
    case.expect(run.returncode == 1, f"exit {run.returncode}")
    loops = [error for outcome, error in fetches.values()
             if outcome == "failed" and "redirect loop" in (error or "")]  # fmt: skip
    for path in (P1, P2):  # recorded under the URL that answered the looping redirect
        case.expect(any(case.url(path) in e for e in loops), f"{path}: {fetches}")
    asked = len(case.server.log) - case.mark
    case.expect(asked <= 8, f"{asked} requests")
    case.finish("redirect loop", f"exit 1; both posts failed 'redirect loop (… -> …)' after "
                f"{asked} requests in all")  # fmt: skip


def test_redirects_off_site(case: Case) -> None:
    moved = "/2022/04/inc28274463-portal-moved/"
    case.server.routes[P1] = redirect(case.server.url(P1, host="localhost"))
    case.server.routes[P2] = redirect("/status/", 301)
    case.server.routes["/status/"] = reply(LISTING.replace(P2, "/2022/04/old-address/"))
    case.server.routes["/2022/04/old-address/"] = redirect(moved, 301)
    case.server.routes[moved] = reply(POST2)
    run = case.crawl("/status/", P1, P2)
    fetches = case.last_fetches()
    off = [e for e in case.server.log[case.mark :] if e.headers.get("Host", "").startswith("loc")]
    case.expect(not off, "the other host was asked")
    case.expect(run.returncode == 1, f"exit {run.returncode}")
    case.expect("outside the allowed hosts" in (fetches.get(P1, ("", ""))[1] or ""), str(fetches))
    case.expect("asked for already" in (fetches.get(P2, ("", ""))[1] or ""), str(fetches))
    case.expect(fetches.get(moved, ("?",))[0] == "new", f"moved post: {fetches.get(moved)}")
    case.finish("redirect off-site", "exit 1; to localhost: failed, never asked; to the "
                "listing: failed 'asked for already'; same-host move: followed",
                unchanged=())  # fmt: skip


def test_meta_refresh_to_itself(case: Case) -> None:
    refresh = "<head><meta http-equiv='refresh' content='60; url=/status/'>"
    case.server.routes["/status/"] = reply(LISTING.replace("<head>", refresh))
    run = case.crawl()
    fetches = case.last_fetches()
    case.expect(run.returncode == 0, f"exit {run.returncode}")
    case.expect(fetches.get("/status/", ("missing",))[0] == "new", str(fetches))
    case.finish("meta refresh to itself", "exit 0; the listing kept as it came and its posts "
                "followed", unchanged=("notice_versions", "notice_updates"))  # fmt: skip
