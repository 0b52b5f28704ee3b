-- Heat-map data: notices by weekday (1 = Monday) and hour of their t0 on London's clock
-- (`incidents.t0_local`: the published instant in Europe/London, whatever zone the source
-- wrote it in; the published wall time when its instant is unknown; else the first
-- sighting).
-- Example: SELECT * FROM hour_of_week WHERE category = 'incident' ORDER BY weekday, hour;
CREATE OR REPLACE VIEW hour_of_week AS
SELECT
    source,
    category,
    isodow(t0_local) AS weekday,
    hour(t0_local) AS hour,
    count(*) AS notices
FROM incidents
WHERE t0_local IS NOT NULL
GROUP BY ALL
