-- The appeared and changed events of the notices in temp table `earlier` (whose history a
-- batch reached back into), from their whole history, by the rules ingest applies as
-- versions arrive: a notice appears with its first version and changes with a version
-- numbered after the first in its rendering (`rendering(layout)`). Each is dated at the version's first
-- observation and names the fetch (and crawl) that made it.
INSERT INTO notice_events (notice_key, event, event_at, version, crawl_id, fetch_id)
WITH versions AS (
    SELECT
        notice_key,
        version,
        first_observed_at,
        min(version) OVER (PARTITION BY notice_key, rendering(layout)) AS first_in_layout,
        changed
    FROM notice_versions
    WHERE notice_key IN (SELECT notice_key FROM earlier)
),
first_sightings AS (
    SELECT notice_key, version, arg_min(fetch_id, (observed_at, fetch_id)) AS fetch_id
    FROM sightings
    WHERE notice_key IN (SELECT notice_key FROM earlier)
    GROUP BY notice_key, version
)
SELECT
    v.notice_key,
    CASE WHEN v.version = 1 THEN 'appeared' ELSE 'changed' END AS event,
    v.first_observed_at AS event_at,
    v.version,
    f.crawl_id,
    s.fetch_id
FROM versions AS v
LEFT JOIN first_sightings AS s USING (notice_key, version)
LEFT JOIN fetches AS f USING (fetch_id)
-- (and something changed: an excerpt's fuller text, version_changes.sql, is not)
WHERE v.version = 1 OR (v.version > v.first_in_layout AND coalesce(len(v.changed), 1) > 0)
