-- Observation density per source and month (London's calendar): crawls, fetches (and how many failed),
-- snapshots, and the longest gap between successful fetches, so that no trend is read
-- without knowing how often we were looking.
-- Example: SELECT * FROM coverage WHERE source = 'nhsmail' ORDER BY month;
CREATE OR REPLACE VIEW coverage AS
WITH ok AS (
    SELECT
        source,
        fetched_at,
        fetched_at - lag(fetched_at) OVER (PARTITION BY source ORDER BY fetched_at) AS gap
    FROM fetches
    WHERE outcome IN ('new', 'unchanged', 'not_modified')
),
gaps AS (
    SELECT source, date_trunc('month', timezone('Europe/London', fetched_at)) AS month,
           max(epoch(gap)) / 3600.0 AS max_gap_hours
    FROM ok GROUP BY ALL
),
fetch_counts AS (
    SELECT
        source,
        date_trunc('month', timezone('Europe/London', fetched_at)) AS month,
        count(DISTINCT crawl_id) AS crawls,
        count(*) AS fetches,
        count(*) FILTER (WHERE outcome = 'failed') AS failed_fetches,
        count(*) FILTER (WHERE outcome IN ('drift', 'no_notices')) AS drift_fetches,
        count(DISTINCT snapshot_id) FILTER (WHERE outcome IN ('new', 'drift', 'no_notices'))
            AS snapshots
    FROM fetches
    GROUP BY ALL
),
months AS (
    -- every month from a source's first fetch to its last, so a month with no crawls
    -- shows as a row of zeros instead of being silently absent
    SELECT source, unnest(generate_series(min(month), max(month), INTERVAL 1 MONTH)) AS month
    FROM fetch_counts
    GROUP BY source
)
SELECT
    m.source,
    m.month,
    coalesce(f.crawls, 0) AS crawls,
    coalesce(f.fetches, 0) AS fetches,
    coalesce(f.failed_fetches, 0) AS failed_fetches,
    coalesce(f.drift_fetches, 0) AS drift_fetches,
    coalesce(f.snapshots, 0) AS snapshots,
    g.max_gap_hours
FROM months AS m
LEFT JOIN fetch_counts AS f USING (source, month)
LEFT JOIN gaps AS g USING (source, month)
