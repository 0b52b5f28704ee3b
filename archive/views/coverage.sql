-- Observation density per source and month (London's calendar): crawls, fetches (and how many failed),
-- snapshots, and the longest gap between successful fetches that spans the month (a month
-- with no fetch shows the gap it lies in), so that no trend is read
-- without knowing how often we were looking.
-- Example: SELECT * FROM coverage WHERE source = 'nhsmail' ORDER BY month;
CREATE OR REPLACE VIEW coverage AS
WITH ok AS (
    SELECT
        source,
        fetched_at,
        lag(fetched_at) OVER (PARTITION BY source ORDER BY fetched_at) AS previous
    FROM fetches
    WHERE outcome IN ('new', 'unchanged', 'not_modified')
),
spans AS (
    SELECT
        source,
        date_trunc('month', timezone('Europe/London', previous)) AS first_month,
        date_trunc('month', timezone('Europe/London', fetched_at)) AS last_month,
        (epoch(fetched_at) - epoch(previous)) / 3600.0 AS hours
    FROM ok
    WHERE previous IS NOT NULL
),
gaps AS (
    -- a gap counts in every month it spans, not only the one it ends in: a month with no
    -- fetch at all lies inside one (the few gaps across a month's end are expanded)
    SELECT source, month, max(hours) AS max_gap_hours
    FROM (
        SELECT source, last_month AS month, hours FROM spans WHERE first_month = last_month
        UNION ALL
        SELECT source, unnest(generate_series(first_month, last_month, INTERVAL 1 MONTH)),
               hours
        FROM spans WHERE first_month < last_month
    )
    GROUP BY ALL
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
