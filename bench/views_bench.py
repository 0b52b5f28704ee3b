"""Analysis views on a synthetic archive of 10M notice versions (4 sources, 10 years).

Target (issue #4): each view answers in under 1 s on this 2-core machine. The archive is
filled directly with SQL (how it was filled is not what is measured); each view is timed
materialising its full result, and the timings and row counts are printed. Run:
`make bench` or `python -m bench.views_bench [--versions N]`. Asserts nothing.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from archive.db import connect, views

SOURCES = ["nhsmail", "statuspage:githubstatus.com", "statuspage:status.gitlab.com", "gcp"]


def build(con, versions: int) -> None:  # type: ignore[no-untyped-def]
    """Fill an empty archive: ~2.5 versions per notice, fetches every ~2 hours per source."""
    fetches = 10 * 365 * 12 * len(SOURCES)
    con.execute(f"""
        INSERT INTO crawls (crawl_id, source, origin, started_at, finished_at, outcome)
        SELECT i, {SOURCES!r}[i % 4 + 1], 'live',
               TIMESTAMPTZ '2016-01-01' + INTERVAL (i * 30) MINUTE,
               TIMESTAMPTZ '2016-01-01' + INTERVAL (i * 30 + 2) MINUTE, 'ok'
        FROM range({fetches}) t(i)
    """)
    con.execute(f"""
        INSERT INTO fetches (fetch_id, crawl_id, source, url, fetched_at, http_status, outcome,
                             snapshot_id)
        SELECT i, i, {SOURCES!r}[i % 4 + 1], 'https://example.org/status/' || (i % 7),
               TIMESTAMPTZ '2016-01-01' + INTERVAL (i * 30) MINUTE, 200,
               CASE WHEN i % 97 = 0 THEN 'failed' WHEN i % 5 = 0 THEN 'new'
                    ELSE 'unchanged' END,
               CASE WHEN i % 97 = 0 THEN NULL ELSE i END
        FROM range(1, {fetches}) t(i)
    """)
    con.execute(f"""
        INSERT INTO notice_versions BY NAME
        SELECT
            'n' || (i // 5 * 2 + (i % 5 > 2)::INT) AS notice_key,
            (CASE WHEN i % 5 > 2 THEN i % 5 - 2 ELSE i % 5 + 1 END)::INT AS version,
            md5(i::VARCHAR)::UUID AS content_hash,
            {SOURCES!r}[(i // 5) % 4 + 1] AS source,
            'https://example.org/status/' || (i % 7) AS url,
            'wp_listing' AS layout, 'wp_listing/1' AS parser_version,
            'INC' || (40000000 + i // 5) || ' – Service issue – ' ||
                CASE WHEN i % 5 IN (0, 3) THEN 'NEW' ELSE 'RESOLVED' END AS title,
            'Service issue' AS summary, 'INC' || (40000000 + i // 5) AS reference,
            [] AS "references",
            CASE WHEN i % 5 IN (0, 3) THEN 'NEW' ELSE 'RESOLVED' END AS state_raw,
            CASE WHEN i % 5 IN (0, 3) THEN 'open' ELSE 'resolved' END AS state,
            'title' AS state_source, i % 5 IN (0, 3) AS is_open,
            ['incident', 'maintenance', 'alert', 'information'][(i // 5) % 4 + 1] AS category,
            CASE WHEN i % 17 = 0 THEN 'HSSI' END AS severity,
            '14/04/2022 09:35:00 AM' AS published_raw,
            TIMESTAMP '2016-01-01' + INTERVAL ((i // 5) * 600 % 315360000) SECOND
                AS published_local,
            TIMESTAMPTZ '2016-01-01' + INTERVAL ((i // 5) * 600 % 315360000) SECOND AS published_at,
            map {{}} AS details, 'The team are aware of an issue affecting the service.' AS body,
            [] AS flags, [] AS warnings,
            TIMESTAMPTZ '2016-01-01' + INTERVAL ((i // 5) * 600 % 315360000 + i % 5 * 3600) SECOND
                AS first_observed_at,
            TIMESTAMPTZ '2016-01-01' + INTERVAL ((i // 5) * 600 % 315360000 + i % 5 * 3600 + 1800)
                SECOND AS last_observed_at,
            i // 5 AS snapshot_id,
            CASE WHEN i % 5 IN (1, 2, 4) THEN ['title', 'state', 'body'] END AS changed
        FROM range({versions}) t(i)
    """)
    # Statuspage-like timelines for a quarter of the versions: three stated updates each.
    con.execute("""
        INSERT INTO notice_updates
        SELECT notice_key, version, seq,
               ['Investigating', 'Identified', 'Resolved'][seq] AS label, NULL AS at_raw,
               NULL AS at_local, first_observed_at + INTERVAL (seq * 20) MINUTE AS "at",
               'Update text.' AS text, NULL AS status_raw,
               ['investigating', 'identified', 'resolved'][seq] AS status, [] AS flags
        FROM notice_versions, range(1, 4) t(seq)
        WHERE source LIKE 'statuspage:githubstatus%'
    """)
    con.execute("""
        INSERT INTO notices BY NAME
        WITH per AS (
            SELECT notice_key, max(version) AS version, count(*) AS versions,
                   min(first_observed_at) AS first_seen_at, max(last_observed_at) AS last_seen_at,
                   max(first_observed_at) FILTER (WHERE is_open) AS last_open,
                   min(first_observed_at) FILTER (WHERE NOT is_open) AS first_closed,
                   bool_or(is_open) AS ever_open, bool_or(NOT is_open) AS ever_closed,
                   min(published_at) AS first_published_at,
                   min(published_local) AS first_published_local
            FROM notice_versions GROUP BY notice_key
        )
        SELECT v.* EXCLUDE (changed), per.versions, per.versions * 3 AS sightings,
               per.first_seen_at, per.last_seen_at,
               CASE WHEN hash(v.notice_key) % 13 = 0 THEN per.last_seen_at END AS vanished_at,
               per.last_open, per.first_closed, per.ever_open, per.ever_closed,
               per.first_published_at, per.first_published_local
        FROM per JOIN notice_versions v USING (notice_key, version)
    """)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--versions", type=int, default=10_000_000)
    n = parser.parse_args().versions
    with tempfile.TemporaryDirectory() as tmp:
        con = connect(Path(tmp) / "views.duckdb")
        t0 = time.perf_counter()
        build(con, n)
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("notice_versions", "notices", "fetches", "notice_updates")}  # fmt: skip
        print(f"built in {time.perf_counter() - t0:.0f} s: "
              + ", ".join(f"{k} {v:,}" for k, v in counts.items()))  # fmt: skip
        worst = 0.0
        for name in sorted(views()):
            best = float("inf")
            for _ in range(3):
                t = time.perf_counter()
                con.execute(f"CREATE OR REPLACE TEMP TABLE bench_out AS SELECT * FROM {name}")
                best = min(best, time.perf_counter() - t)
            rows = con.execute("SELECT count(*) FROM bench_out").fetchone()[0]
            worst = max(worst, best)
            flag = "" if best < 1 else "   <- over the 1 s target"
            print(f"  {name:18} {best:6.2f} s  {rows:>12,} rows{flag}")
        print(f"slowest view: {worst:.2f} s (target < 1 s each)")
        con.close()


if __name__ == "__main__":
    main()
