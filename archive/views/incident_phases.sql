-- One row per notice whose timeline states statuses (Statuspage incidents and
-- maintenances, Statuspage feeds, Google Cloud): when each lifecycle phase was first
-- stated, and the minutes between consecutive phases of
--   investigating -> identified -> monitoring -> resolved, and resolved -> postmortem.
-- A phase's time is the earliest "at" among its timeline's entries with that status (the
-- page's own clock: Statuspage's display_at). A duration is NULL when either phase was
-- skipped (most incidents skip some) or undated, never bridged over the gap; and NULL when
-- negative (the page's times disagree), the disagreement listed in data_errors.
-- The timeline is the notice's latest version that has one with statuses: a history line
-- or a listing's excerpt of the same incident carries none and does not hide it.
-- Example: SELECT source, median(investigating_to_identified_minutes),
--                 median(monitoring_to_resolved_minutes)
--          FROM incident_phases WHERE category = 'incident' GROUP BY source;
CREATE OR REPLACE VIEW incident_phases AS
WITH timeline AS (
    SELECT notice_key, max(version) AS version
    FROM notice_updates
    WHERE status IS NOT NULL
    GROUP BY notice_key
),
firsts AS (
    -- the phase times are kept with each notice (archive/sql/rebuild_notices.sql)
    SELECT
        u.notice_key,
        u.version,
        count(*) AS updates,
        min(u."at") AS first_update_at,
        any_value(n.investigating_at) AS investigating_at,
        any_value(n.identified_at) AS identified_at,
        any_value(n.monitoring_at) AS monitoring_at,
        any_value(n.phase_resolved_at) AS resolved_at,
        any_value(n.postmortem_at) AS postmortem_at
    FROM notice_updates AS u
    JOIN timeline USING (notice_key, version)
    JOIN notices AS n USING (notice_key)
    GROUP BY u.notice_key, u.version
),
raw AS (
    SELECT
        *,
        (epoch(identified_at) - epoch(investigating_at)) / 60.0 AS raw_investigating,
        (epoch(monitoring_at) - epoch(identified_at)) / 60.0 AS raw_identified,
        (epoch(resolved_at) - epoch(monitoring_at)) / 60.0 AS raw_monitoring,
        (epoch(postmortem_at) - epoch(resolved_at)) / 60.0 AS raw_postmortem,
        (epoch(resolved_at) - epoch(first_update_at)) / 60.0 AS raw_to_resolved
    FROM firsts
)
SELECT
    raw.notice_key,
    n.source,
    n.category,
    n.severity,
    n.state,
    raw.version,
    raw.updates,
    raw.first_update_at,
    raw.investigating_at,
    raw.identified_at,
    raw.monitoring_at,
    raw.resolved_at,
    raw.postmortem_at,
    CASE WHEN raw_investigating >= 0 THEN raw_investigating END
        AS investigating_to_identified_minutes,
    CASE WHEN raw_identified >= 0 THEN raw_identified END AS identified_to_monitoring_minutes,
    CASE WHEN raw_monitoring >= 0 THEN raw_monitoring END AS monitoring_to_resolved_minutes,
    CASE WHEN raw_postmortem >= 0 THEN raw_postmortem END AS resolved_to_postmortem_minutes,
    CASE WHEN raw_to_resolved >= 0 THEN raw_to_resolved END AS first_update_to_resolved_minutes,
    list_filter([
        CASE WHEN raw_investigating < 0 THEN 'identified_before_investigating' END,
        CASE WHEN raw_identified < 0 THEN 'monitoring_before_identified' END,
        CASE WHEN raw_monitoring < 0 THEN 'resolved_before_monitoring' END,
        CASE WHEN raw_postmortem < 0 THEN 'postmortem_before_resolved' END
    ], lambda e: e IS NOT NULL) AS data_errors
FROM raw
JOIN notices AS n USING (notice_key)
