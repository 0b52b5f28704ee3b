-- Which fields each version in temp table `stage_new_keys` (notice_key, version: the new
-- versions, or every version of notices numbered again) changed from the notice's previous
-- version in the same rendering (`rendering(layout)`): a listing's excerpt and the notice's
-- own post are two renderings, not a revision of one another. A version with no
-- predecessor in its rendering keeps changed = NULL.
UPDATE notice_versions AS v
SET changed = c.changed
FROM (
    WITH previous AS (
        -- each version of these notices with the one before it in its layout (a window, not
        -- a join on version < version: that pairs every two versions of a long history);
        -- a notice whose only new version is its first has none
        SELECT notice_key, version,
               lag(version) OVER (PARTITION BY notice_key, rendering(layout) ORDER BY version)
                   AS previous
        FROM notice_versions
        WHERE notice_key IN (SELECT notice_key FROM stage_new_keys WHERE version > 1)
    ),
    pairs AS (
        SELECT notice_key, version, previous
        FROM stage_new_keys
        JOIN previous USING (notice_key, version)
        WHERE previous IS NOT NULL
    ),
    both_versions AS (
        SELECT notice_key, version FROM pairs
        UNION
        SELECT notice_key, previous FROM pairs
    ),
    timelines AS (
        SELECT u.notice_key, u.version,
               list(struct_pack(u.label, u."at", u.text) ORDER BY u.seq) AS timeline
        FROM notice_updates AS u
        JOIN both_versions USING (notice_key, version)
        GROUP BY u.notice_key, u.version
    ),
    sides AS (
        SELECT n.*, t.timeline
        FROM notice_versions AS n
        JOIN both_versions USING (notice_key, version)
        LEFT JOIN timelines AS t USING (notice_key, version)
    )
    SELECT
        cur.notice_key,
        cur.version,
        list_filter([
            CASE WHEN cur.title IS DISTINCT FROM prev.title THEN 'title' END,
            CASE WHEN cur.summary IS DISTINCT FROM prev.summary THEN 'summary' END,
            CASE WHEN cur.reference IS DISTINCT FROM prev.reference THEN 'reference' END,
            CASE WHEN cur."references" IS DISTINCT FROM prev."references" THEN 'references' END,
            CASE WHEN cur.state IS DISTINCT FROM prev.state
                  OR cur.state_raw IS DISTINCT FROM prev.state_raw THEN 'state' END,
            CASE WHEN cur.category IS DISTINCT FROM prev.category THEN 'category' END,
            CASE WHEN cur.severity IS DISTINCT FROM prev.severity THEN 'severity' END,
            CASE WHEN cur.published_raw IS DISTINCT FROM prev.published_raw THEN 'published' END,
            CASE WHEN cur.window_start IS DISTINCT FROM prev.window_start
                  OR cur.window_end IS DISTINCT FROM prev.window_end THEN 'window' END,
            CASE WHEN cur.stated_duration_minutes IS DISTINCT FROM prev.stated_duration_minutes
                 THEN 'stated_duration' END,
            CASE WHEN cur.details IS DISTINCT FROM prev.details THEN 'details' END,
            -- an excerpt and the fuller text it starts (a tag archive showing the whole
            -- post) are no change of the notice's text, nor is the excerpt mark
            CASE WHEN cur.body IS DISTINCT FROM prev.body AND NOT (
                (list_contains(cur.flags, 'excerpt') AND starts_with(prev.body, cur.body))
                OR (list_contains(prev.flags, 'excerpt') AND starts_with(cur.body, prev.body))
            ) THEN 'body' END,
            CASE WHEN list_filter(cur.flags, lambda f: f <> 'excerpt')
                      IS DISTINCT FROM list_filter(prev.flags, lambda f: f <> 'excerpt')
                 THEN 'flags' END,
            CASE WHEN cur.section IS DISTINCT FROM prev.section THEN 'section' END,
            CASE WHEN cur.timeline IS DISTINCT FROM prev.timeline THEN 'updates' END
        ], lambda f: f IS NOT NULL) AS changed
    FROM pairs
    JOIN sides AS cur ON cur.notice_key = pairs.notice_key AND cur.version = pairs.version
    JOIN sides AS prev ON prev.notice_key = pairs.notice_key AND prev.version = pairs.previous
) AS c
WHERE v.notice_key = c.notice_key AND v.version = c.version
