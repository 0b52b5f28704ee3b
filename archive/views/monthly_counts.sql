-- Notices per source, month (of t0, as a calendar in London reads it: a notice published at
-- 00:30 BST on 1 April is April's), category and severity. Read beside `coverage`: a month
-- with few crawls shows few notices whatever happened.
-- Example: SELECT month, sum(notices) FROM monthly_counts WHERE severity = 'HSSI' GROUP BY 1;
CREATE OR REPLACE VIEW monthly_counts AS
SELECT
    source,
    date_trunc('month', t0_local) AS month,
    category,
    severity,
    count(*) AS notices,
    count(*) FILTER (WHERE censored IS DISTINCT FROM 'no_state') AS with_state,
    count(*) FILTER (WHERE censored IS NULL) AS resolved_observed,
    count(*) FILTER (WHERE censored IN ('still_open', 'vanished_open')) AS open_censored
FROM incidents
GROUP BY ALL
