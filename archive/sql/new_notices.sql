-- The current-state rows of the notices this batch is the whole history of: no version
-- before it and one staged row in it (temp table `stage_new` where `single`; the wide
-- columns in Arrow `stage_in`). One version, one sighting, no vanishing: these are the
-- values rebuild_notices.sql derives for such a notice, without aggregating any history.
-- tests/archive/test_new_notices.py runs both over the same records and compares.
INSERT INTO notices BY NAME
WITH one AS (
    SELECT
        i.* EXCLUDE (rid, fetch_id, observed_at, updates),
        n.version,
        n.content_hash,
        n.first_at,
        n.last_at,
        -- its one timeline (a phase is stated only by an update with that status)
        list_max([u."at" FOR u IN i.updates IF u.label = 'Issue Reported']) AS reported_at,
        list_max([u."at" FOR u IN i.updates IF u.label IN ('Final Update', 'Issue Resolved')]) AS final_at,
        list_min([u."at" FOR u IN i.updates IF u.status = 'investigating']) AS investigating_at,
        list_min([u."at" FOR u IN i.updates IF u.status = 'identified']) AS identified_at,
        list_min([u."at" FOR u IN i.updates IF u.status = 'monitoring']) AS monitoring_at,
        list_min([u."at" FOR u IN i.updates IF u.status = 'resolved']) AS phase_resolved_at,
        list_min([u."at" FOR u IN i.updates IF u.status = 'postmortem']) AS postmortem_at
    FROM stage_new AS n
    JOIN stage_in AS i USING (rid)
    -- the history counts the sightings of recorded fetches only
    WHERE n.single AND i.fetch_id IN (SELECT fetch_id FROM fetches)
)
SELECT
    one.* EXCLUDE (first_at, last_at, reported_at, final_at),
    first_at AS first_observed_at,
    last_at AS last_observed_at,
    1 AS versions,
    1 AS sightings,
    first_at AS first_seen_at,
    first_at AS last_seen_at,
    NULL AS vanished_at,
    CASE WHEN is_open THEN first_at END AS last_open,
    CASE WHEN NOT is_open THEN first_at END AS first_closed,
    is_open AS ever_open,
    NOT is_open AS ever_closed,
    published_at AS first_published_at,
    published_local AS first_published_local,
    window_start AS claimed_window_start,
    CASE WHEN window_start IS NOT NULL THEN window_end END AS claimed_window_end,
    stated_duration_minutes AS claimed_duration_minutes,
    CASE WHEN final_at IS NOT NULL THEN reported_at END AS reported_at,
    CASE WHEN reported_at IS NOT NULL THEN final_at END AS final_at,
    final_at AS stated_final_at
FROM one
