-- One row per notice, with every duration side by side; each NULL when it cannot be
-- known, never guessed, never negative (a negative one is listed in data_errors).
--   t0: the notice's published time, else its first sighting (t0_source says which)
--   t0_local: t0 on London's clock, which months, quarters and hours of the week are
--             taken from; the published wall time as shown when its instant is unknown
--             because it fell in London's clock change (gap or fold), so such a notice
--             still falls in its own month (a wall time in a zone nobody named is not
--             London's: the first sighting then)
--   stated_window_minutes: window end - start, from the notice's own prose
--   reported_to_final_minutes: Final Update (or Issue Resolved) - Issue Reported, from its
--             own timeline
--   published_to_final_minutes: Final Update (or Issue Resolved) - published: the span
--             NHSmail's posts state when they have no Issue Reported line (most real ones)
--   observed_resolve_min/max_minutes: last_open - t0 / first_closed - t0, from sightings;
--             max is NULL for a notice with no published time first seen closed (its t0
--             is that very sighting: nothing bounds it)
--   censored: NULL when both ends were observed, else still_open, vanished_open,
--             first_seen_closed, or no_state (the notice never stated a state)
--   *_to_*_minutes: lifecycle phases from the notice's own timeline, for sources whose
--             updates state a status (Statuspage, Google Cloud), NULL where a phase was
--             skipped (most incidents skip some); incident_phases has the phase times
-- Example: every HSSI per quarter, and how long the bracketed ones with a published time took:
--   SELECT date_trunc('quarter', t0_local) AS q, count(*) AS hssis,
--          count(*) FILTER (WHERE censored IS NULL) AS bracketed,
--          median(observed_resolve_max_minutes)
--              FILTER (WHERE censored IS NULL AND t0_source = 'published') AS median_max
--   FROM incidents WHERE severity = 'HSSI' GROUP BY q ORDER BY q;
CREATE OR REPLACE VIEW incidents AS
WITH timed AS (
    SELECT
        *,
        coalesce(first_published_at, first_seen_at) AS t0
    FROM notices
),
raw AS (
    SELECT
        *,
        -- epoch arithmetic: date_diff on TIMESTAMPTZ walks the calendar, and is slow
        (epoch(claimed_window_end) - epoch(claimed_window_start)) / 60.0 AS raw_window,
        (epoch(final_at) - epoch(reported_at)) / 60.0 AS raw_reported_to_final,
        (epoch(stated_final_at) - epoch(first_published_at)) / 60.0 AS raw_published_to_final,
        (epoch(last_open) - epoch(t0)) / 60.0 AS raw_min,
        CASE WHEN first_published_at IS NOT NULL OR last_open IS NOT NULL
             THEN (epoch(first_closed) - epoch(t0)) / 60.0 END AS raw_max,
        (epoch(identified_at) - epoch(investigating_at)) / 60.0 AS raw_investigating,
        (epoch(monitoring_at) - epoch(identified_at)) / 60.0 AS raw_identified,
        (epoch(phase_resolved_at) - epoch(monitoring_at)) / 60.0 AS raw_monitoring,
        (epoch(postmortem_at) - epoch(phase_resolved_at)) / 60.0 AS raw_postmortem
    FROM timed
)
SELECT
    notice_key,
    source,
    reference,
    title,
    summary,
    category,
    severity,
    state,
    is_open,
    versions,
    first_published_at AS published_at,
    first_published_local AS published_local,
    first_seen_at,
    last_seen_at,
    vanished_at,
    t0,
    CASE WHEN first_published_at IS NULL THEN 'first_seen' ELSE 'published' END AS t0_source,
    coalesce(
        timezone('Europe/London', first_published_at),
        CASE WHEN tz_policy IN ('unresolved_gap', 'unresolved_fold')
             THEN first_published_local END,
        timezone('Europe/London', first_seen_at)
    ) AS t0_local,
    claimed_window_start AS window_start,
    claimed_window_end AS window_end,
    last_open,
    first_closed,
    CASE WHEN raw_window >= 0 THEN raw_window END AS stated_window_minutes,
    claimed_duration_minutes AS stated_duration_minutes,
    CASE WHEN raw_reported_to_final >= 0 THEN raw_reported_to_final END
        AS reported_to_final_minutes,
    CASE WHEN raw_published_to_final >= 0 THEN raw_published_to_final END
        AS published_to_final_minutes,
    CASE WHEN raw_min >= 0 THEN raw_min END AS observed_resolve_min_minutes,
    CASE WHEN raw_max >= 0 THEN raw_max END AS observed_resolve_max_minutes,
    CASE
        WHEN ever_open IS NULL AND ever_closed IS NULL THEN 'no_state'
        WHEN first_closed IS NULL AND vanished_at IS NOT NULL THEN 'vanished_open'
        WHEN first_closed IS NULL THEN 'still_open'
        WHEN last_open IS NULL THEN 'first_seen_closed'
    END AS censored,
    CASE WHEN raw_investigating >= 0 THEN raw_investigating END
        AS investigating_to_identified_minutes,
    CASE WHEN raw_identified >= 0 THEN raw_identified END AS identified_to_monitoring_minutes,
    CASE WHEN raw_monitoring >= 0 THEN raw_monitoring END AS monitoring_to_resolved_minutes,
    CASE WHEN raw_postmortem >= 0 THEN raw_postmortem END AS resolved_to_postmortem_minutes,
    CASE
        WHEN raw_window < 0 OR raw_reported_to_final < 0 OR raw_published_to_final < 0
            OR raw_min < 0 OR raw_max < 0
            OR raw_investigating < 0 OR raw_identified < 0 OR raw_monitoring < 0
            OR raw_postmortem < 0
        THEN list_filter([
            CASE WHEN raw_window < 0 THEN 'negative_stated_window' END,
            CASE WHEN raw_reported_to_final < 0 THEN 'negative_reported_to_final' END,
            CASE WHEN raw_published_to_final < 0 THEN 'negative_published_to_final' END,
            CASE WHEN raw_min < 0 THEN 'negative_observed_min' END,
            CASE WHEN raw_max < 0 THEN 'negative_observed_max' END,
            -- named as incident_phases names them
            CASE WHEN raw_investigating < 0 THEN 'identified_before_investigating' END,
            CASE WHEN raw_identified < 0 THEN 'monitoring_before_identified' END,
            CASE WHEN raw_monitoring < 0 THEN 'resolved_before_monitoring' END,
            CASE WHEN raw_postmortem < 0 THEN 'postmortem_before_resolved' END
        ], lambda e: e IS NOT NULL)
        ELSE []
    END AS data_errors
FROM raw
