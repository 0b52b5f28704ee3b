-- Staging: what the notice itself claims across its versions (the page's clock).
-- published_at: the earliest stated publication; the stated window and the
-- Issue Reported / Final Update times from the latest version that states them.
CREATE OR REPLACE VIEW stg_notice_claims AS
WITH versions AS (
    SELECT
        notice_key,
        min(published_at) AS published_at,
        min(published_local) AS published_local,
        arg_max(window_start, version) FILTER (
            WHERE window_start IS NOT NULL AND window_end IS NOT NULL) AS window_start,
        arg_max(window_end, version) FILTER (
            WHERE window_start IS NOT NULL AND window_end IS NOT NULL) AS window_end,
        arg_max(stated_duration_minutes, version) FILTER (
            WHERE stated_duration_minutes IS NOT NULL) AS stated_duration_minutes
    FROM notice_versions
    GROUP BY notice_key
),
timeline AS (
    SELECT
        notice_key,
        version,
        max("at") FILTER (WHERE label = 'Issue Reported') AS reported_at,
        max("at") FILTER (WHERE label = 'Final Update') AS final_at
    FROM notice_updates
    GROUP BY notice_key, version
),
latest_timeline AS (
    SELECT
        notice_key,
        arg_max(reported_at, version) AS reported_at,
        arg_max(final_at, version) AS final_at
    FROM timeline
    WHERE reported_at IS NOT NULL AND final_at IS NOT NULL
    GROUP BY notice_key
)
SELECT v.*, t.reported_at, t.final_at
FROM versions AS v
LEFT JOIN latest_timeline AS t USING (notice_key)
