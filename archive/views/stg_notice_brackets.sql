-- Staging: what the sightings say about each notice's lifecycle.
-- last_open: the last sighting in which the notice was open; first_closed: the first
-- sighting after that in which it was closed (or the first closed one, if never seen open).
CREATE OR REPLACE VIEW stg_notice_brackets AS
WITH per_notice AS (
    SELECT
        notice_key,
        max(observed_at) FILTER (WHERE is_open) AS last_open,
        bool_or(is_open) AS ever_open,
        bool_or(NOT is_open) AS ever_closed
    FROM sightings
    GROUP BY notice_key
),
closed_after AS (
    SELECT s.notice_key, min(s.observed_at) AS first_closed
    FROM sightings AS s
    JOIN per_notice AS p USING (notice_key)
    WHERE NOT s.is_open AND (p.last_open IS NULL OR s.observed_at > p.last_open)
    GROUP BY s.notice_key
)
SELECT p.notice_key, p.last_open, c.first_closed, p.ever_open, p.ever_closed
FROM per_notice AS p
LEFT JOIN closed_after AS c USING (notice_key)
