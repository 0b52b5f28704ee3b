-- Median and p90 time to resolve per source, quarter (London's calendar, as in
-- monthly_counts) and category, from the observed
-- brackets of incidents seen both open and closed (censored IS NULL), with the censored
-- ones counted beside them, never silently dropped. The medians are over incidents with a
-- published time: one without (`untimed`) is measured from our first sighting, which its
-- outage began some unknown time before. These medians ignore censoring; the
-- Kaplan-Meier estimate in `archive.survival` treats still-open incidents as censored.
-- `incidents` counts those that stated a state (censored is not 'no_state'): a notice that
-- never stated one has nothing to resolve.
-- Example: SELECT * FROM time_to_resolve WHERE category = 'incident' ORDER BY quarter;
CREATE OR REPLACE VIEW time_to_resolve AS
WITH grouped AS (
    SELECT
        source,
        date_trunc('quarter', t0_local) AS quarter,
        category,
        count(*) FILTER (WHERE censored IS DISTINCT FROM 'no_state') AS incidents,
        count(*) FILTER (WHERE censored IS NULL) AS resolved_observed,
        count(*) FILTER (WHERE censored = 'still_open') AS still_open,
        count(*) FILTER (WHERE censored = 'vanished_open') AS vanished_open,
        count(*) FILTER (WHERE censored = 'first_seen_closed') AS first_seen_closed,
        count(*) FILTER (WHERE censored IS NULL AND t0_source = 'first_seen') AS untimed,
        median(observed_resolve_min_minutes) FILTER (
            WHERE censored IS NULL AND t0_source = 'published') AS median_min_minutes,
        -- one sort gives both quantiles
        quantile_cont(observed_resolve_max_minutes, [0.5, 0.9]) FILTER (
            WHERE censored IS NULL AND t0_source = 'published') AS max_quantiles,
        median(reported_to_final_minutes) AS median_reported_to_final_minutes,
        median(published_to_final_minutes) AS median_published_to_final_minutes,
        median(stated_window_minutes) AS median_stated_window_minutes
    FROM incidents
    GROUP BY ALL
)
SELECT
    * EXCLUDE (max_quantiles, median_reported_to_final_minutes,
               median_published_to_final_minutes, median_stated_window_minutes),
    max_quantiles[1] AS median_max_minutes,
    max_quantiles[2] AS p90_max_minutes,
    median_reported_to_final_minutes,
    median_published_to_final_minutes,
    median_stated_window_minutes
FROM grouped
