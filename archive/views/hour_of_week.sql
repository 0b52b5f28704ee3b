-- Heat-map data: notices by weekday (1 = Monday) and hour of their t0, in London wall time
-- (the published instant in Europe/London, whatever zone the source wrote it in; else the
-- published wall time as shown, when its instant is unknown (a clock change's gap or
-- fold); else the first sighting in Europe/London).
-- Example: SELECT * FROM hour_of_week WHERE category = 'incident' ORDER BY weekday, hour;
CREATE OR REPLACE VIEW hour_of_week AS
WITH local_t0 AS (
    SELECT
        source,
        category,
        coalesce(
            timezone('Europe/London', published_at),
            published_local,
            timezone('Europe/London', first_seen_at)
        ) AS t0_local
    FROM incidents
)
SELECT
    source,
    category,
    isodow(t0_local) AS weekday,
    hour(t0_local) AS hour,
    count(*) AS notices
FROM local_t0
WHERE t0_local IS NOT NULL
GROUP BY ALL
