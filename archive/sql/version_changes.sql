-- Which fields each version in temp table `stage_new_keys` (notice_key, version: the new
-- versions, or every version of notices numbered again) changed from the notice's previous
-- version in the same rendering (`rendering(layout)`): a listing's excerpt and the notice's
-- own post are two renderings, not a revision of one another. A version with no
-- predecessor in its rendering keeps changed = NULL.
--
-- Within a listing an excerpt and the fuller text it starts (a tag archive showing the
-- whole post) are the same text cut short: where one is the other's start (whitespace
-- aside: an excerpt runs paragraphs together), what the text gives (body, updates,
-- details, window, duration, references, summary, flags) is no change. A full text after
-- an excerpt is compared with the last full text before it, so an edit is not lost
-- behind an excerpt.
UPDATE notice_versions AS v
SET changed = c.changed
FROM (
    WITH ordered AS (
        -- each version of these notices with the one before it in its layout, and the last
        -- full text before it (windows, not a join on version < version: that pairs every
        -- two versions of a long history); a notice whose only new version is its first
        -- has none
        SELECT notice_key, version, list_contains(flags, 'excerpt') AS excerpt,
               lag(version) OVER w AS previous,
               lag(list_contains(flags, 'excerpt')) OVER w AS previous_excerpt,
               max(version) FILTER (WHERE NOT list_contains(flags, 'excerpt')) OVER (
                   w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS last_full
        FROM notice_versions
        WHERE notice_key IN (SELECT notice_key FROM stage_new_keys WHERE version > 1)
        WINDOW w AS (PARTITION BY notice_key, rendering(layout) ORDER BY version)
    ),
    pairs AS (
        SELECT notice_key, version,
               CASE WHEN previous_excerpt AND NOT excerpt AND last_full IS NOT NULL
                    THEN last_full ELSE previous END AS previous
        FROM stage_new_keys
        JOIN ordered USING (notice_key, version)
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
        SELECT n.*, t.timeline, list_contains(n.flags, 'excerpt') AS excerpt,
               regexp_replace(n.body, '\s+', ' ', 'g') AS text
        FROM notice_versions AS n
        JOIN both_versions USING (notice_key, version)
        LEFT JOIN timelines AS t USING (notice_key, version)
    )
    SELECT
        cur.notice_key,
        cur.version,
        -- (DuckDB reads a select-list alias in the expressions after it)
        (cur.excerpt AND starts_with(prev.text, cur.text))
            OR (prev.excerpt AND starts_with(cur.text, prev.text)) AS cut,
        list_filter([
            CASE WHEN cur.title IS DISTINCT FROM prev.title THEN 'title' END,
            CASE WHEN cur.summary IS DISTINCT FROM prev.summary AND NOT cut THEN 'summary' END,
            CASE WHEN cur.reference IS DISTINCT FROM prev.reference THEN 'reference' END,
            CASE WHEN cur."references" IS DISTINCT FROM prev."references" AND NOT cut
                 THEN 'references' END,
            CASE WHEN cur.state IS DISTINCT FROM prev.state
                  OR cur.state_raw IS DISTINCT FROM prev.state_raw THEN 'state' END,
            CASE WHEN cur.category IS DISTINCT FROM prev.category THEN 'category' END,
            CASE WHEN cur.severity IS DISTINCT FROM prev.severity THEN 'severity' END,
            CASE WHEN cur.published_raw IS DISTINCT FROM prev.published_raw THEN 'published' END,
            CASE WHEN (cur.window_start IS DISTINCT FROM prev.window_start
                       OR cur.window_end IS DISTINCT FROM prev.window_end) AND NOT cut
                 THEN 'window' END,
            CASE WHEN cur.stated_duration_minutes IS DISTINCT FROM prev.stated_duration_minutes
                      AND NOT cut THEN 'stated_duration' END,
            CASE WHEN cur.details IS DISTINCT FROM prev.details AND NOT cut THEN 'details' END,
            CASE WHEN cur.body IS DISTINCT FROM prev.body AND NOT cut THEN 'body' END,
            CASE WHEN list_filter(cur.flags, lambda f: f <> 'excerpt')
                      IS DISTINCT FROM list_filter(prev.flags, lambda f: f <> 'excerpt')
                      AND NOT cut
                 THEN 'flags' END,
            CASE WHEN cur.section IS DISTINCT FROM prev.section THEN 'section' END,
            CASE WHEN cur.timeline IS DISTINCT FROM prev.timeline AND NOT cut THEN 'updates' END
        ], lambda f: f IS NOT NULL) AS changed
    FROM pairs
    JOIN sides AS cur ON cur.notice_key = pairs.notice_key AND cur.version = pairs.version
    JOIN sides AS prev ON prev.notice_key = pairs.notice_key AND prev.version = pairs.previous
) AS c
WHERE v.notice_key = c.notice_key AND v.version = c.version
