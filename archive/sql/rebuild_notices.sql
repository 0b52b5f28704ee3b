-- The current-state rows of the notices in temp table `rebuild_keys`, from the history.
-- The current version is the newest among those the notice's latest crawl showed: a notice
-- on a listing and on its own post has two versions, both current at once.
-- Shape, for speed: the per-notice facts are gathered into one narrow row per notice
-- (`state`, materialised) before the wide version row is joined once at the end; joining
-- the wide rows first made DuckDB build hash tables of them, once per LEFT JOIN.
INSERT INTO notices BY NAME
-- s is read twice: materialised once
WITH s AS MATERIALIZED (
    SELECT
        s.notice_key, s.version, s.observed_at, s.fetch_id, s.is_open, f.crawl_id,
        -- whether the notice was open, as its crawl saw it: said by the newest version
        -- that crawl showed stating a state, and by every sighting in that crawl agreeing
        -- with it (the listing and the post both RESOLVED: closed from the first of them).
        -- A stale copy in the same crawl (its post unchanged while the listing says
        -- RESOLVED) neither reopens nor closes it. A fetch outside any crawl is a crawl of
        -- its own.
        CASE WHEN s.is_open = arg_max(s.is_open, s.version) FILTER (WHERE s.is_open IS NOT NULL)
                 OVER (PARTITION BY s.notice_key, coalesce(f.crawl_id, -s.fetch_id))
             THEN s.is_open END AS crawl_open
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
        max(observed_at) FILTER (WHERE crawl_open) AS last_open,
        bool_or(crawl_open) AS ever_open,
        bool_or(NOT crawl_open) AS ever_closed
    FROM s
    GROUP BY notice_key
),
current AS (
    -- The newest version the latest crawl showed, preferring one that states a state
    -- (a history line or excerpt may not); failing that the latest stated version of any
    -- crawl; failing that (notices that never state one) the latest crawl's newest.
    -- And the first closed sighting after the last open one, from the same pass.
    SELECT
        s.notice_key,
        coalesce(
            max(s.version) FILTER (WHERE s.crawl_id IS NOT DISTINCT FROM seen.last_crawl
                                     AND s.is_open IS NOT NULL),
            arg_max(s.version, s.observed_at) FILTER (WHERE s.is_open IS NOT NULL),
            max(s.version) FILTER (WHERE s.crawl_id IS NOT DISTINCT FROM seen.last_crawl)
        ) AS version,
        min(s.observed_at) FILTER (
            WHERE NOT s.crawl_open AND (seen.last_open IS NULL OR s.observed_at > seen.last_open)
        ) AS first_closed
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
        -- the latest whole window; failing one, the latest start alone (an incident still
        -- going on: Google Cloud's begin, no end yet)
        coalesce(
            arg_max(window_start, version) FILTER (
                WHERE window_start IS NOT NULL AND window_end IS NOT NULL),
            arg_max(window_start, version) FILTER (WHERE window_start IS NOT NULL)
        ) AS claimed_window_start,
        arg_max(window_end, version) FILTER (
            WHERE window_start IS NOT NULL AND window_end IS NOT NULL) AS claimed_window_end,
        arg_max(stated_duration_minutes, version) FILTER (
            WHERE stated_duration_minutes IS NOT NULL) AS claimed_duration_minutes
    FROM notice_versions
    WHERE notice_key IN (SELECT notice_key FROM rebuild_keys)
    GROUP BY notice_key
),
timeline AS (
    -- per version: its Issue Reported / Final Update pair, whether its updates state
    -- statuses, and when each phase was first stated in it (one pass over the updates)
    SELECT
        notice_key,
        version,
        max("at") FILTER (WHERE label = 'Issue Reported') AS reported_at,
        max("at") FILTER (WHERE label IN ('Final Update', 'Issue Resolved')) AS final_at,
        bool_or(status IS NOT NULL) AS stated,
        min("at") FILTER (WHERE status = 'investigating') AS investigating_at,
        min("at") FILTER (WHERE status = 'identified') AS identified_at,
        min("at") FILTER (WHERE status = 'monitoring') AS monitoring_at,
        min("at") FILTER (WHERE status = 'resolved') AS phase_resolved_at,
        min("at") FILTER (WHERE status = 'postmortem') AS postmortem_at
    FROM notice_updates
    WHERE notice_key IN (SELECT notice_key FROM rebuild_keys)
    GROUP BY notice_key, version
),
timelines AS (
    -- the latest version with both stamps, and with a final stamp at all; the phases of
    -- the latest version stating any
    -- (structs, so that a NULL stamp of that version is kept, not skipped by arg_max)
    SELECT
        notice_key,
        arg_max({'reported_at': reported_at, 'final_at': final_at}, version) FILTER (
            WHERE reported_at IS NOT NULL AND final_at IS NOT NULL) AS claimed,
        arg_max(final_at, version) FILTER (WHERE final_at IS NOT NULL) AS stated_final_at,
        arg_max({'investigating_at': investigating_at, 'identified_at': identified_at,
                 'monitoring_at': monitoring_at, 'phase_resolved_at': phase_resolved_at,
                 'postmortem_at': postmortem_at}, version) FILTER (WHERE stated) AS phases
    FROM timeline
    GROUP BY notice_key
),
last_event AS (
    SELECT notice_key, arg_max(event, (event_at, event = 'vanished')) AS event,
           max(event_at) AS event_at
    FROM notice_events
    WHERE event IN ('vanished', 'reappeared')
      AND notice_key IN (SELECT notice_key FROM rebuild_keys)
    GROUP BY notice_key
),
state AS MATERIALIZED (
    SELECT
        current.notice_key,
        current.version,
        claims.versions,
        seen.sightings,
        seen.first_seen_at,
        seen.last_seen_at,
        CASE WHEN last_event.event = 'vanished' THEN last_event.event_at END AS vanished_at,
        seen.last_open,
        current.first_closed,
        seen.ever_open,
        seen.ever_closed,
        claims.first_published_at,
        claims.first_published_local,
        claims.claimed_window_start,
        claims.claimed_window_end,
        claims.claimed_duration_minutes,
        timelines.claimed.reported_at,
        timelines.claimed.final_at,
        timelines.stated_final_at,
        timelines.phases.investigating_at,
        timelines.phases.identified_at,
        timelines.phases.monitoring_at,
        timelines.phases.phase_resolved_at,
        timelines.phases.postmortem_at
    FROM current
    JOIN seen USING (notice_key)
    JOIN claims USING (notice_key)
    LEFT JOIN timelines USING (notice_key)
    LEFT JOIN last_event USING (notice_key)
)
SELECT v.* EXCLUDE (changed), state.* EXCLUDE (notice_key, version)
FROM notice_versions AS v
JOIN state USING (notice_key, version)
