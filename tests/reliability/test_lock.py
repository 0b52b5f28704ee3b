"""Two crawls and a reparse at once on one archive: one proceeds, the others exit 3.

The one that gets the archive's lock is held there (a crawl or backfill paused inside an
ingest transaction, a reparse stopped with SIGSTOP as soon as it holds the lock) while the
other commands start together; they must give up at once with exit 3 and leave no trace,
and the holder must then finish normally.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from tests.crawl.site import rows
from tests.reliability import harness as h
from tests.reliability.conftest import record
from tests.reliability.script import LISTING, Site, WebArchive

ROUNDS = ("crawl", "reparse", "backfill")  # who holds the lock, round by round


def test_two_crawls_and_a_reparse_at_once(tmp_path: Path, sizes: dict[str, int]) -> None:
    db = tmp_path / "archive.duckdb"
    site, web = Site(), WebArchive()
    problems: list[str] = []
    runs: list[h.Run] = []
    survived = 0
    lost = 0
    slowest = 0.0
    crawl = lambda: h.crawl_args(db, site.server.url(LISTING))  # noqa: E731
    reparse = ["reparse", "--db", str(db)]
    try:
        assert h.notices(*crawl()).returncode == 0
        for round_, holder in enumerate(ROUNDS[: sizes["lock_rounds"]]):
            site.show(site.step + 1)
            mark = tmp_path / f"mark-{round_}"
            pause = {"NOTICES_FAULT_PAUSE": "ingest", "NOTICES_FAULT_SECONDS": "4",
                     "NOTICES_FAULT_MARK": str(mark)}  # fmt: skip
            if holder == "crawl":
                first = h.Child(*crawl(), env=pause)
                others = [crawl(), crawl(), reparse]
            elif holder == "backfill":
                web.add(round_)
                first = h.Child("backfill", "nhsmail", "--db", str(db), "--cdx-url",
                                web.server.url("/cdx"), "--pattern", "support.nhs.net" + LISTING,
                                *h.BACKFILL, env=pause)  # fmt: skip
                others = [crawl(), crawl(), reparse]
            else:
                first = h.Child(*reparse)
                others = [crawl(), crawl()]
            before = h.keys(db)
            live_before = _live_crawls(db)
            stopped = _hold(first, db, mark, holder)
            if not stopped:
                problems.append(f"round {round_}: the {holder} never held the lock")
                continue
            started = time.monotonic()
            refused = [h.Child(*args) for args in others]
            refused_runs = [c.wait(timeout=60) for c in refused]
            took = time.monotonic() - started
            if holder == "reparse":
                os.kill(first.pid, signal.SIGCONT)
            held = first.wait(timeout=120)
            runs += [held, *refused_runs]
            found = []
            if held.returncode != 0:
                found.append(f"the {holder} holding the lock exited {held.returncode}")
            codes = [r.returncode for r in refused_runs]
            if codes != [3] * len(others):
                found.append(f"the others exited {codes}")
            busy = ["busy" in (r.stdout + r.stderr) for r in refused_runs]
            if not all(busy):
                found.append("a refused command did not say the archive was busy")
            if any(r.crashed for r in [held, *refused_runs]):
                found.append("traceback")
            h.invariants(db)
            running = rows(db, "SELECT count(*) FROM crawls WHERE outcome = 'running'")
            if running != [(0,)]:
                found.append("a crawl left running")
            after = h.keys(db)
            if _live_crawls(db) - live_before != (holder == "crawl"):
                found.append(f"{_live_crawls(db) - live_before} live crawls added")
            if holder == "reparse" and after["fetches"] != before["fetches"]:
                found.append("a refused crawl left fetches")
            lost += h.lost(before, after)
            slowest = max(slowest, took)
            problems += [f"round {round_} ({holder} held): {p}" for p in found]
            survived += not found
            if took > 30:
                problems.append(f"the refused commands took {took:.0f} s to give up")
    finally:
        site.server.stop()
        web.server.stop()
    holders = ", ".join(ROUNDS[: sizes["lock_rounds"]])
    record("two crawls + a reparse", runs=sizes["lock_rounds"], survived=survived,
           outcome=f"holder ({holders}) exit 0; the other two crawls and the reparse (or "
                   f"two crawls) exit 3 within {slowest:.1f} s, saying busy; no row from them",
           rows_lost=lost, unchanged="yes (no trace of the refused)",
           peak_rss_mb=max((r.peak_rss_mb for r in runs), default=None))  # fmt: skip
    assert not problems, problems


def _hold(first: h.Child, db: Path, mark: Path, holder: str) -> bool:
    """Wait until ``first`` holds the lock (and is paused or stopped there)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and first.poll() is None:
        if holder == "reparse":
            if h.holds_lock(db, first.pid):
                os.kill(first.pid, signal.SIGSTOP)
                return True
        elif mark.exists():
            return True
        time.sleep(0.002)
    return False


def _live_crawls(db: Path) -> int:
    return int(rows(db, "SELECT count(*) FROM crawls WHERE origin = 'live'")[0][0])
