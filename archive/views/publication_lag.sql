-- How long after its stated publication we first saw each notice (crawl density), and
-- how the stated start of its window relates to its publication (negative: posted after
-- the window began, as incident notices are; positive: announced ahead, as maintenance is).
-- Example: SELECT category, median(first_seen_lag_minutes) FROM publication_lag GROUP BY 1;
CREATE OR REPLACE VIEW publication_lag AS
WITH lags AS (
SELECT
    notice_key,
    source,
    category,
    published_at,
    first_seen_at,
    window_start,
    (epoch(first_seen_at) - epoch(published_at)) / 60.0 AS first_seen_lag_minutes,
    (epoch(window_start) - epoch(published_at)) / 60.0 AS window_start_minus_published_minutes
FROM incidents
WHERE published_at IS NOT NULL
)
SELECT
    * EXCLUDE (first_seen_lag_minutes),
    -- seen before it was published: the page's claim or our clock is wrong; flagged,
    -- never reported as a negative lag
    CASE WHEN first_seen_lag_minutes >= 0 THEN first_seen_lag_minutes END
        AS first_seen_lag_minutes,
    CASE WHEN first_seen_lag_minutes < 0 THEN ['seen_before_published'] ELSE [] END
        AS data_errors
FROM lags
