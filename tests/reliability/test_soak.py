"""A soak: consecutive crawls of a listing whose notices change on a known script.

The archive must end with exactly what the script produced (every version in order, every
sighting, every vanishing), no crawl may lose a stored row, and the crawler's peak memory
per block of crawls must stay flat.
"""

from __future__ import annotations

from pathlib import Path

from tests.crawl.site import rows
from tests.reliability import harness as h
from tests.reliability.conftest import record
from tests.reliability.script import LISTING, expected, listing_at, shown
from tests.reliability.servers import FaultServer, reply


def test_soak(tmp_path: Path, sizes: dict[str, int]) -> None:
    n, block = sizes["soak"], sizes["soak_block"]
    db = tmp_path / "archive.duckdb"
    problems: list[str] = []
    peaks: list[float] = []
    lost = 0
    survived = 0
    server = FaultServer({}, max_requests=3 * n + 10, lifetime=10 * n + 60)
    try:
        before = h.keys(db)
        for step in range(n):
            server.routes[LISTING] = reply(listing_at(step))
            run = h.crawl(db, server.url(LISTING))
            after = h.keys(db)
            gone = h.lost(before, after)
            lost += gone
            peaks.append(run.peak_rss_mb)
            ok = run.returncode == 0 and not run.crashed and not gone
            survived += ok
            if not ok:
                problems.append(f"step {step}: exit {run.returncode}, {gone} rows lost, "
                                f"{run.stdout.strip()[:200]} {run.stderr[-300:]}")  # fmt: skip
            before = after
    finally:
        server.stop()
    h.invariants(db)
    want = expected(n)
    got: dict[str, list[str]] = {}
    for key, state in rows(db, "SELECT notice_key, state FROM notice_versions ORDER BY ALL"):
        got.setdefault(key, []).append(state)
    if got != want.versions:
        problems.append(f"versions {got} != {want.versions}")
    seen = dict(rows(db, "SELECT notice_key, count(*) FROM sightings GROUP BY ALL"))
    if seen != want.sightings:
        problems.append(f"sightings {seen} != {want.sightings}")
    vanished = {r[0] for r in rows(db, "SELECT notice_key FROM notices WHERE vanished_at "
                                       "IS NOT NULL")}  # fmt: skip
    if vanished != want.vanished:
        problems.append(f"vanished {sorted(vanished)} != {sorted(want.vanished)}")
    events: dict[str, list[str]] = {}
    for key, event in rows(db, "SELECT notice_key, event FROM notice_events"
                               " ORDER BY notice_key, event_at, event"):  # fmt: skip
        events.setdefault(key, []).append(event)
    script_events = {key: ["appeared"] + ["changed"] * (len(v) - 1)
                     + (["vanished"] if key in want.vanished else [])
                     for key, v in want.versions.items()}  # fmt: skip
    if events != script_events:
        problems.append(f"events {events} != {script_events}")
    on_show = {s.key for s in shown(n - 1)}
    if vanished & on_show:
        problems.append("a notice on show is marked vanished")
    blocks = [max(peaks[i : i + block]) for i in range(0, len(peaks), block)]
    flat = blocks[-1] <= blocks[0] * 1.15 + 20
    if not flat:
        problems.append(f"peak RSS grew: {blocks}")
    versions = sum(len(v) for v in want.versions.values())
    record("soak", runs=n, survived=survived if not problems else min(survived, n - 1),
           outcome=f"{len(want.versions)} notices, {versions} versions, "
                   f"{sum(want.sightings.values())} sightings, {len(want.vanished)} vanished: "
                   f"exactly the script's; peak RSS per {block} crawls: "
                   + ", ".join(f"{b:.0f}" for b in blocks) + " MB",
           rows_lost=lost, peak_rss_mb=max(peaks))  # fmt: skip
    assert not problems, problems
    assert lost == 0
