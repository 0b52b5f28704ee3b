"""Reparse speed: 10,000 stored snapshots through today's parsers, against a bare lxml parse.

Target (issue #5): within 4x a bare `lxml.html` parse of the same bytes. The archive is
filled directly (snapshots, contents, one fetch each) with synthetic WordPress listings of
five notices; `archive.reparse.reparse` then rebuilds everything, parsing in one process per
core (`--jobs 1`: in-process). Prints snapshots/s and the ratio against the bare parse, which
runs on one core. Run: `make bench` or `python -m bench.reparse_bench [--snapshots N]`.
"""

from __future__ import annotations

import argparse
import hashlib
import tempfile
import time
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import lxml.html

from archive.db import connect
from archive.reparse import default_jobs, reparse
from bench.synthetic import listing_html


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--snapshots", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=default_jobs(), help="parsing processes")
    args = parser.parse_args()
    n, jobs = args.snapshots, args.jobs
    pages = [listing_html(5, seed=i) for i in range(n)]
    with tempfile.TemporaryDirectory() as tmp:
        con = connect(Path(tmp) / "reparse.duckdb")
        start = datetime(2020, 1, 1, tzinfo=UTC)
        con.execute("INSERT INTO crawls (crawl_id, source, origin, started_at, outcome)"
                    " SELECT i, 'nhsmail', 'live', TIMESTAMPTZ '2020-01-01' + INTERVAL (i) HOUR,"
                    f" 'ok' FROM range(1, {n + 1}) t(i)")  # fmt: skip
        rows_c, rows_s, rows_f = [], [], []
        for i, body in enumerate(pages, start=1):
            sha = hashlib.sha256(body).hexdigest()
            at = start + timedelta(hours=i)
            rows_c.append((sha, "zlib", len(body), zlib.compress(body, 6)))
            rows_s.append((i, i, "nhsmail", f"https://support.nhs.net/servicestatus/page/{i % 50}/",
                           at, 200, sha, "{}", "live", "parsed"))  # fmt: skip
            rows_f.append((i, i, "nhsmail", rows_s[-1][3], at, 200, "new", i))
        con.executemany("INSERT INTO contents VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING", rows_c)
        con.executemany("INSERT INTO snapshots (snapshot_id, crawl_id, source, url, fetched_at,"
                        " http_status, sha256, headers, origin, parse_outcome)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows_s)  # fmt: skip
        con.executemany("INSERT INTO fetches (fetch_id, crawl_id, source, url, fetched_at,"
                        " http_status, outcome, snapshot_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        rows_f)  # fmt: skip
        t0 = time.perf_counter()
        report = reparse(con, jobs=jobs)
        took = time.perf_counter() - t0
        con.close()
    t0 = time.perf_counter()
    for body in pages:
        lxml.html.document_fromstring(body)
    bare = time.perf_counter() - t0
    print(f"snapshots: {n:,} ({sum(map(len, pages)) / 1e6:.0f} MB), notices after: "
          f"{report.notices_after:,}")  # fmt: skip
    print(f"reparse: {took:.1f} s, {n / took:,.0f} snapshots/s ({jobs} parsing processes)")
    print(f"bare lxml parse of the same bytes: {bare:.1f} s")
    print(f"ratio: {took / bare:.1f}x (target <= 4x)")


if __name__ == "__main__":
    main()
