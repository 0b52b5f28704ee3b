"""Pages that arrive whole but are strange inside: encodings, mojibake, pathological HTML,
and malformed payloads for the structured source kinds.

Each case crawls a fresh archive (a listing of one notice, in the fault's shape) through
`notices crawl`, then reads what the notice became.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.crawl.site import article, listing, rows
from tests.reliability import harness as h
from tests.reliability.conftest import FULL, record
from tests.reliability.servers import FaultServer, reply

TITLE = "INC28274463 – Portal’s login page – NEW"
DATE = "14/04/2022 09:35:00 AM"
PAGE = listing(article(TITLE, DATE, "The NHSmail team are aware – café “users” affected."))


class Runs:
    """Crawls of single pages into fresh archives, and what went wrong with them."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp = tmp_path
        self.runs: list[h.Run] = []
        self.problems: list[str] = []
        self.survived = 0
        self.lost = 0

    def crawl(self, body: bytes, headers: dict[str, str] | None = None,
              extra: list[str] | None = None) -> tuple[h.Run, Path]:  # fmt: skip
        db = self.tmp / f"archive-{len(self.runs)}.duckdb"
        with FaultServer({"/status/": reply(body, headers=headers)}, max_requests=20,
                         lifetime=120) as server:  # fmt: skip
            run = h.crawl(db, server.url("/status/"), extra=extra)
        self.runs.append(run)
        return run, db

    def check(self, run: h.Run, db: Path, *problems: str) -> None:
        """One run's verdict: no traceback, invariants hold, and the case's own problems."""
        found = [p for p in problems if p]
        if run.crashed:
            found.append(f"traceback: {run.stderr[-600:]}")
        try:
            h.invariants(db)
        except AssertionError as exc:
            found.append(f"invariants: {exc}")
        self.problems += found
        self.survived += not found

    def finish(self, case: str, outcome: str) -> None:
        peak = max((r.peak_rss_mb for r in self.runs), default=None)
        record(case, runs=len(self.runs), survived=self.survived, outcome=outcome,
               rows_lost=self.lost, peak_rss_mb=peak)  # fmt: skip
        assert not self.problems, self.problems


def titles(db: Path) -> list[tuple[str, str | None]]:
    return rows(db, "SELECT title, state FROM notice_versions ORDER BY notice_key")


@pytest.fixture
def runs(tmp_path: Path) -> Runs:
    return Runs(tmp_path)


def test_wrong_charset(runs: Runs) -> None:
    body = PAGE.encode("cp1252")
    for header in ("text/html; charset=utf-8", "text/html"):
        run, db = runs.crawl(body, {"Content-Type": header})
        got = titles(db)
        runs.check(run, db, "" if run.returncode == 0 else f"exit {run.returncode}",
                   "" if got == [(TITLE, "open")] else f"{header}: {got}")  # fmt: skip
    runs.finish("wrong charset", "exit 0 both ways; title 'INC28274463 – Portal’s login page "
                "– NEW', state open")  # fmt: skip


def test_bom(runs: Runs) -> None:
    run, db = runs.crawl(b"\xef\xbb\xbf" + PAGE.encode(), {"Content-Type": "text/html; "
                                                              "charset=iso-8859-1"})  # fmt: skip
    got = titles(db)
    runs.check(run, db, "" if got == [(TITLE, "open")] else f"{got}")
    runs.finish("BOM", f"exit {run.returncode}; title read as UTF-8, no U+FEFF")


def test_mojibake_titles(runs: Runs) -> None:
    # read as Windows-1252 (its five unmapped bytes as Latin-1), then saved as UTF-8 again
    garbled = "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b)
                      for b in PAGE.encode())  # fmt: skip
    body = garbled.encode("utf-8")
    run, db = runs.crawl(body)
    got = titles(db)
    warnings = rows(db, "SELECT warnings FROM snapshots")[0][0]
    repaired = [w for w in warnings if "mojibake" in w]
    runs.check(run, db, "" if got == [(TITLE, "open")] else f"title {got}",
               "" if repaired else f"no warning: {warnings}")  # fmt: skip
    runs.finish("mojibake titles", f"exit {run.returncode}; title repaired, state open; "
                f"warning: {repaired[0][:60] if repaired else 'none'}…")  # fmt: skip


def test_100000_nested_elements(runs: Runs) -> None:
    around = PAGE.replace("<main id='main'>", "<main id='main'>" + "<div>" * 100_000).encode()
    inside = listing(article(TITLE, DATE, "<span>" * 100_000 + "deep" + "</span>" * 100_000))
    outcomes = []
    for body in (around, inside.encode()):
        run, db = runs.crawl(body)
        kept = rows(db, "SELECT parse_outcome FROM snapshots")
        outcomes.append(f"exit {run.returncode} ({kept[0][0] if kept else 'no snapshot'}, "
                        f"{run.seconds:.1f} s)")  # fmt: skip
        runs.check(run, db, "" if run.returncode in (0, 4) else f"exit {run.returncode}",
                   "" if kept else "no snapshot kept", "" if run.seconds < 30 else "slow")  # fmt: skip
    runs.finish("100,000 nested elements", f"notices inside 100,000 <div>s: {outcomes[0]}, "
                f"nothing vanished; 100,000 nested <span>s in a body: {outcomes[1]}")  # fmt: skip


def test_20_mb_single_line(runs: Runs) -> None:
    chunk = "<b>Relay</b> delays for some users of the service; see the status page. "
    if not FULL:  # the same 20 MB with a tenth of the elements: a lighter peak in `make test`
        chunk = chunk + "Mail is queued and will be delivered once the relay recovers. " * 12
    line = chunk * (20_000_000 // len(chunk) + 1)
    body = listing(article(TITLE, DATE, line)).replace("\n", " ").encode()
    assert b"\n" not in body and len(body) > 20_000_000
    refused, db = runs.crawl(body)  # the default DOWNLOAD_MAXSIZE (10 MB)
    failed = rows(db, "SELECT outcome FROM fetches")
    runs.check(refused, db, "" if failed == [("failed",)] else f"default: {failed}")
    started = time.monotonic()
    run, db = runs.crawl(body, extra=["-s", "DOWNLOAD_MAXSIZE=33554432"])
    took = time.monotonic() - started
    got = titles(db)
    runs.check(run, db, "" if got == [(TITLE, "open")] else f"{got}",
               "" if took < 60 else f"took {took:.0f} s")  # fmt: skip
    runs.finish("20 MB single line", f"refused at 10 MB by default (exit {refused.returncode}); "
                f"with 32 MB allowed: exit {run.returncode}, crawled and parsed in "
                f"{run.seconds:.1f} s, peak {run.peak_rss_mb:.0f} MB")  # fmt: skip


def test_nul_bytes(runs: Runs) -> None:
    body = PAGE.encode().replace(b"aware", b"aw\x00are").replace(b"<article", b"\x00\x00<article")
    run, db = runs.crawl(body)
    got = titles(db)
    text = rows(db, "SELECT body FROM notice_versions")
    runs.check(run, db, "" if got == [(TITLE, "open")] else f"{got}",
               "" if text and "aware" in text[0][0] else f"body {text}")  # fmt: skip
    runs.finish("NUL bytes", f"exit {run.returncode}; title and body read as without them")


MALFORMED = {
    "statuspage": ['{"incidents": [{"id": "x1", "name": "Login fail', "[1, 2",
                   '{"page": {}, "incidents": "none"}', "null", "<html>gateway</html>"],
    "feed": ["<rss><channel><item><title>Outage</ti", "<feed xmlns='http://www.w3.org/2005/"
             "Atom'><entry>", '{"not": "xml"}', "<?xml version='1.0'?><rss>&undefined;</rss>",
             ""],
    "gcp": ['[{"id": "a", "begin": "2024-', '{"incidents": []}', "[null, 1, \"x\"]",
            "\x00\x01\x02", "<html/>"],
}  # fmt: skip


def test_malformed_payloads(runs: Runs, tmp_path: Path) -> None:
    per_kind = 5 if FULL else 2
    exits = set()
    for kind, payloads in MALFORMED.items():
        for i, payload in enumerate(payloads[:per_kind]):
            path = tmp_path / f"{kind}-{i}.txt"
            path.write_text(payload, encoding="utf-8")
            run = h.notices("parse", kind, str(path), "--url",
                            "https://status.example.com/api/v2/incidents.json")  # fmt: skip
            runs.runs.append(run)
            exits.add(run.returncode)
            found = [] if run.returncode == 1 else [f"{kind} {payload!r}: exit {run.returncode}"]
            if run.crashed:
                found.append(f"{kind} {payload!r}: traceback {run.stderr[-400:]}")
            runs.problems += found
            runs.survived += not found
    runs.finish("malformed JSON/XML", f"`notices parse` of {len(runs.runs)} bad payloads "
                f"(3 kinds): exit {sorted(exits)}, a warning naming the fault, no traceback")  # fmt: skip
