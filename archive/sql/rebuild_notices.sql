-- The current-state rows of the notices in temp table `rebuild_keys`, from the history.
-- The current version is the newest among those the notice's latest crawl showed: a notice
-- on a listing and on its own post has two versions, both current at once.
INSERT INTO notices BY NAME
-- s is read three times: materialised once
WITH s AS MATERIALIZED (
    SELECT s.notice_key, s.version, s.observed_at, s.fetch_id, s.is_open, f.crawl_id
    FROM sightings AS s
    JOIN fetches AS f USING (fetch_id)
    WHERE s.notice_key IN (SELECT notice_key FROM rebuild_keys)
),
seen AS (
    SELECT
        notice_key,
        min(observed_at) AS first_seen_at,
        max(observed_at) AS last_seen_at,
        count(*) AS sightings,
        arg_max(crawl_id, (observed_at, fetch_id)) AS last_crawl,
        max(observed_at) FILTER (WHERE is_open) AS last_open,
        bool_or(is_open) AS ever_open,
        bool_or(NOT is_open) AS ever_closed
    FROM s
    GROUP BY notice_key
),
closed AS (
    SELECT s.notice_key, min(s.observed_at) AS first_closed
    FROM s
    JOIN seen USING (notice_key)
    WHERE NOT s.is_open AND (seen.last_open IS NULL OR s.observed_at > seen.last_open)
    GROUP BY s.notice_key
),
current AS (
    -- The newest version the latest crawl showed, preferring one that states a state
    -- (a history line or excerpt may not); failing that the latest stated version of any
    -- crawl; failing that (notices that never state one) the latest crawl's newest.
    SELECT
        s.notice_key,
        coalesce(
            max(s.version) FILTER (WHERE s.crawl_id IS NOT DISTINCT FROM seen.last_crawl
                                     AND s.is_open IS NOT NULL),
            arg_max(s.version, s.observed_at) FILTER (WHERE s.is_open IS NOT NULL),
            max(s.version) FILTER (WHERE s.crawl_id IS NOT DISTINCT FROM seen.last_crawl)
        ) AS version
    FROM s
    JOIN seen USING (notice_key)
    GROUP BY s.notice_key
),
claims AS (
    SELECT
        notice_key,
        count(*) AS versions,
        min(published_at) AS first_published_at,
        min(published_local) AS first_published_local,
        arg_max(window_start, version) FILTER (
            WHERE window_start IS NOT NULL AND window_end IS NOT NULL) AS claimed_window_start,
        arg_max(window_end, version) FILTER (
            WHERE window_start IS NOT NULL AND window_end IS NOT NULL) AS claimed_window_end,
        arg_max(stated_duration_minutes, version) FILTER (
            WHERE stated_duration_minutes IS NOT NULL) AS claimed_duration_minutes
    FROM notice_versions
    WHERE notice_key IN (SELECT notice_key FROM rebuild_keys)
    GROUP BY notice_key
),
timeline AS (
    SELECT
        notice_key,
        version,
        max("at") FILTER (WHERE label = 'Issue Reported') AS reported_at,
        max("at") FILTER (WHERE label = 'Final Update') AS final_at
    FROM notice_updates
    WHERE notice_key IN (SELECT notice_key FROM rebuild_keys)
    GROUP BY notice_key, version
),
latest_timeline AS (
    SELECT notice_key, arg_max(reported_at, version) AS reported_at,
           arg_max(final_at, version) AS final_at
    FROM timeline
    WHERE reported_at IS NOT NULL AND final_at IS NOT NULL
    GROUP BY notice_key
),
stated_timeline AS (
    SELECT notice_key, max(version) AS version
    FROM notice_updates
    WHERE status IS NOT NULL AND notice_key IN (SELECT notice_key FROM rebuild_keys)
    GROUP BY notice_key
),
phases AS (
    SELECT
        u.notice_key,
        min(u."at") FILTER (WHERE u.status = 'investigating') AS investigating_at,
        min(u."at") FILTER (WHERE u.status = 'identified') AS identified_at,
        min(u."at") FILTER (WHERE u.status = 'monitoring') AS monitoring_at,
        min(u."at") FILTER (WHERE u.status = 'resolved') AS phase_resolved_at,
        min(u."at") FILTER (WHERE u.status = 'postmortem') AS postmortem_at
    FROM notice_updates AS u
    JOIN stated_timeline USING (notice_key, version)
    GROUP BY u.notice_key
),
last_event AS (
    SELECT notice_key, arg_max(event, (event_at, event = 'vanished')) AS event,
           max(event_at) AS event_at
    FROM notice_events
    WHERE event IN ('vanished', 'reappeared')
      AND notice_key IN (SELECT notice_key FROM rebuild_keys)
    GROUP BY notice_key
)
SELECT
    v.* EXCLUDE (changed),
    claims.versions,
    seen.sightings,
    seen.first_seen_at,
    seen.last_seen_at,
    CASE WHEN last_event.event = 'vanished' THEN last_event.event_at END AS vanished_at,
    seen.last_open,
    closed.first_closed,
    seen.ever_open,
    seen.ever_closed,
    claims.first_published_at,
    claims.first_published_local,
    claims.claimed_window_start,
    claims.claimed_window_end,
    claims.claimed_duration_minutes,
    latest_timeline.reported_at,
    latest_timeline.final_at,
    phases.investigating_at,
    phases.identified_at,
    phases.monitoring_at,
    phases.phase_resolved_at,
    phases.postmortem_at
FROM current
JOIN notice_versions AS v USING (notice_key, version)
JOIN seen USING (notice_key)
JOIN claims USING (notice_key)
LEFT JOIN closed USING (notice_key)
LEFT JOIN latest_timeline USING (notice_key)
LEFT JOIN phases USING (notice_key)
LEFT JOIN last_event USING (notice_key)
