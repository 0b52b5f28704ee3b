"""kill -9 at random points during crawls, backfills and reparses of one archive.

The three commands take turns on the same archive, each with new work to do (the live
listing moves on along the script, the web archive gains captures). Each run is struck in
one of three ways: inside an ingest transaction (NOTICES_FAULT_PAUSE, crawl and backfill),
a random moment after it took the archive's lock, or a random moment after its start. After
every kill: the invariants hold, no stored row is gone, a killed reparse left the archive
exactly as it was; then the same command runs again and must complete with exit 0.
"""

from __future__ import annotations

import random
from functools import partial
from pathlib import Path

from tests.crawl.site import rows
from tests.reliability import harness as h
from tests.reliability.conftest import SEED, record
from tests.reliability.script import LISTING, Site, WebArchive

STRIKES = {"crawl": ("ingest", "locked", "random"), "backfill": ("ingest", "locked", "random"),
           "reparse": ("locked", "random")}  # fmt: skip


def test_kill_9(tmp_path: Path, sizes: dict[str, int]) -> None:
    rng = random.Random(SEED)
    db = tmp_path / "archive.duckdb"
    site, web = Site(), WebArchive()
    # A finished CDX query is not asked again: each backfill asks for the captures since
    # its new ones (`--from`), a new query.
    stamps = [web.add(step) for step in range(3)]
    since = stamps[0]
    ops = {
        "crawl": lambda: h.crawl_args(db, site.server.url(LISTING)),
        "backfill": lambda: ["backfill", "nhsmail", "--db", str(db), "--cdx-url",
                             web.server.url("/cdx"), "--pattern",
                             "support.nhs.net" + LISTING, "--from", since, *h.BACKFILL],
        "reparse": lambda: ["reparse", "--db", str(db)],
    }  # fmt: skip
    problems: list[str] = []
    runs: list[h.Run] = []
    tally: dict[str, int] = {}
    lost_total = 0
    survived = 0
    try:
        clean = {}  # how long each command takes when left alone
        for op in ("crawl", "backfill", "reparse"):
            run = h.notices(*ops[op]())
            assert run.returncode == 0, f"{op}: {run.stdout}{run.stderr[-800:]}"
            clean[op] = run.seconds
            runs.append(run)
        for i in range(sizes["kills"]):
            op = ("crawl", "backfill", "reparse")[i % 3]
            strike = STRIKES[op][(i // 3) % len(STRIKES[op])]
            if op == "crawl":
                site.show(site.step + 1)
            elif op == "backfill":
                stamps = [web.add(len(web.captures)) for _ in range(2)]
                since = stamps[0]
            before = h.keys(db)
            numbered = h.keys(db, numbered=True)
            mark = tmp_path / f"mark-{i}"
            env: dict[str, str] = {}
            if strike == "ingest":
                env = {"NOTICES_FAULT_PAUSE": "ingest", "NOTICES_FAULT_SECONDS": "60",
                       "NOTICES_FAULT_MARK": str(mark)}  # fmt: skip
            child = h.Child(*ops[op](), env=env)
            if strike == "ingest":
                run = child.wait(timeout=120, kill_when=mark.exists)
            elif strike == "locked":
                locked = h.delayed(partial(h.holds_lock, db, child.pid), rng.uniform(0.0, 0.5))
                run = child.wait(timeout=120, kill_when=locked)
            else:
                run = child.wait(timeout=120, kill_after=rng.uniform(0.3, 1.2) * clean[op])
            runs.append(run)
            killed = run.returncode == -9
            where = f"{strike}" if killed else f"{strike} (finished first)"
            tally[f"{op} {where}"] = tally.get(f"{op} {where}", 0) + 1
            found: list[str] = []
            if run.crashed:
                found.append(f"traceback: {run.stderr[-600:]}")
            try:
                h.invariants(db, killed=True)
            except AssertionError as exc:
                found.append(f"invariants after the kill: {exc}")
            after = h.keys(db)
            lost = h.lost(before, after)
            if op == "reparse" and h.keys(db, numbered=True) != numbered:
                found.append(f"a killed reparse changed {h.grew(numbered, after)}")
            if strike == "ingest" and killed and after["fetches"] != before["fetches"]:
                found.append("the page inside the killed transaction left a fetch")
            if op == "crawl" and killed and h.grew(before, after):
                # as after the crawl is allowed too: a kill that came once its one
                # transaction had committed (the process still exiting) finds it whole
                new = sorted(i for (i,) in after["crawls"] - before["crawls"])
                booked = rows(db, "SELECT count(*) FROM crawls WHERE crawl_id IN"
                              f" ({', '.join(map(str, new)) or 'NULL'}) AND finished_at"
                              " IS NOT NULL AND outcome <> 'running'")  # fmt: skip
                if not new or booked != [(len(new),)]:
                    found.append(f"the killed crawl left rows in {sorted(h.grew(before, after))}")
                else:
                    tally[f"{op} {where}"] -= 1  # counted as what it was
                    where = f"{strike} (after its commit)"
                    tally[f"{op} {where}"] = tally.get(f"{op} {where}", 0) + 1
            rerun = h.notices(*ops[op]())
            runs.append(rerun)
            if rerun.returncode != 0:
                found.append(f"rerun exit {rerun.returncode}: {rerun.stdout[-300:]}")
            try:
                h.invariants(db)
            except AssertionError as exc:
                found.append(f"invariants after the rerun: {exc}")
            lost += h.lost(before, h.keys(db))
            if lost:
                found.append(f"{lost} rows lost")
            if op == "reparse" and h.keys(db, numbered=True) != numbered:
                found.append("a reparse with the same parsers did not reproduce the archive")
            lost_total += lost
            if found:
                problems += [f"kill {i} ({op}, {strike}): {p}" for p in found]
            else:
                survived += 1
        stored = rows(db, "SELECT count(*) FROM backfill_captures WHERE status = 'fetched'")
        if stored != [(len(web.captures),)]:
            problems.append(f"captures stored {stored}, {len(web.captures)} in the archive")
    finally:
        site.server.stop()
        web.server.stop()
    detail = ", ".join(f"{n} {k}" for k, n in sorted(tally.items()) if n)
    record("kill -9", runs=sizes["kills"], survived=survived,
           outcome=f"{detail}; every rerun exit 0, invariants held after each kill",
           rows_lost=lost_total, unchanged="yes (reparse)",
           peak_rss_mb=max(r.peak_rss_mb for r in runs))  # fmt: skip
    assert not problems, problems
