-- Every version after a notice's first, with the fields that changed from the one before.
-- Example: SELECT notice_key, version, changed FROM revisions WHERE list_contains(changed, 'state');
CREATE OR REPLACE VIEW revisions AS
WITH ordered AS (
    SELECT
        notice_key,
        version,
        first_observed_at,
        snapshot_id,
        count(*) OVER (PARTITION BY notice_key) AS versions,
        struct_pack(
            title, summary, reference, "references", state_raw, state, category, severity,
            published_raw, published_at, window_start, window_end, stated_duration_minutes,
            details, body, flags, section
        ) AS fields,
        lag(struct_pack(
            title, summary, reference, "references", state_raw, state, category, severity,
            published_raw, published_at, window_start, window_end, stated_duration_minutes,
            details, body, flags, section
        )) OVER (PARTITION BY notice_key ORDER BY version) AS previous
    FROM notice_versions
),
updates AS (
    SELECT notice_key, version, list(struct_pack(label, "at", text) ORDER BY seq) AS timeline
    FROM notice_updates
    GROUP BY notice_key, version
),
compared AS (
    SELECT
        o.*,
        u.timeline,
        lag(u.timeline) OVER (PARTITION BY o.notice_key ORDER BY o.version) AS previous_timeline
    FROM ordered AS o
    LEFT JOIN updates AS u USING (notice_key, version)
)
SELECT
    notice_key,
    version,
    versions,
    first_observed_at,
    snapshot_id,
    fields.state AS state,
    previous.state AS previous_state,
    list_filter([
        CASE WHEN fields.title IS DISTINCT FROM previous.title THEN 'title' END,
        CASE WHEN fields.summary IS DISTINCT FROM previous.summary THEN 'summary' END,
        CASE WHEN fields.reference IS DISTINCT FROM previous.reference THEN 'reference' END,
        CASE WHEN fields."references" IS DISTINCT FROM previous."references" THEN 'references' END,
        CASE WHEN fields.state IS DISTINCT FROM previous.state
              OR fields.state_raw IS DISTINCT FROM previous.state_raw THEN 'state' END,
        CASE WHEN fields.category IS DISTINCT FROM previous.category THEN 'category' END,
        CASE WHEN fields.severity IS DISTINCT FROM previous.severity THEN 'severity' END,
        CASE WHEN fields.published_raw IS DISTINCT FROM previous.published_raw THEN 'published' END,
        CASE WHEN fields.window_start IS DISTINCT FROM previous.window_start
              OR fields.window_end IS DISTINCT FROM previous.window_end THEN 'window' END,
        CASE WHEN fields.stated_duration_minutes IS DISTINCT FROM previous.stated_duration_minutes
             THEN 'stated_duration' END,
        CASE WHEN fields.details IS DISTINCT FROM previous.details THEN 'details' END,
        CASE WHEN fields.body IS DISTINCT FROM previous.body THEN 'body' END,
        CASE WHEN fields.flags IS DISTINCT FROM previous.flags THEN 'flags' END,
        CASE WHEN fields.section IS DISTINCT FROM previous.section THEN 'section' END,
        CASE WHEN timeline IS DISTINCT FROM previous_timeline THEN 'updates' END
    ], lambda f: f IS NOT NULL) AS changed
FROM compared
WHERE version > 1
