-- Which fields each version in temp table `stage_new_keys` (notice_key, version: the new
-- versions, or every version of notices numbered again) changed from the notice's previous
-- version in the same rendering (`rendering(layout)`): a listing's excerpt and the notice's
-- own post are two renderings, not a revision of one another. A version with no
-- predecessor in its rendering keeps changed = NULL.
--
-- Within a listing a notice may show as an excerpt (the front page) and as its full text
-- (a tag archive), crawl after crawl. What the text gives (body, updates, details,
-- window, duration, references, flags, an untitled notice's summary) is compared with the
-- last version shown the same way, an excerpt with an excerpt, a full text with a full
-- text (none yet: no change), and two excerpts where one starts the other (whitespace
-- aside) have the same body. What a cut cannot explain (title, reference, state,
-- category, severity, published, section, a titled notice's summary) is compared with the
-- version just before, so a change is counted once, at the first version that shows it.
UPDATE notice_versions AS v
SET changed = c.changed
FROM (
    WITH ordered AS (
        -- each version of these notices with the one before it in its layout, and the last
        -- full text before it (windows, not a join on version < version: that pairs every
        -- two versions of a long history); a notice whose only new version is its first
        -- has none
        SELECT notice_key, version,
               lag(version) OVER w AS previous,
               lag(version) OVER (
                   PARTITION BY notice_key, rendering(layout), list_contains(flags, 'excerpt')
                   ORDER BY version) AS last_same
        FROM notice_versions
        WHERE notice_key IN (SELECT notice_key FROM stage_new_keys WHERE version > 1)
        WINDOW w AS (PARTITION BY notice_key, rendering(layout) ORDER BY version)
    ),
    pairs AS (
        SELECT notice_key, version, previous, last_same
        FROM stage_new_keys
        JOIN ordered USING (notice_key, version)
        WHERE previous IS NOT NULL
    ),
    both_versions AS (
        SELECT notice_key, version FROM pairs
        UNION
        SELECT notice_key, previous FROM pairs
        UNION
        SELECT notice_key, last_same FROM pairs WHERE last_same IS NOT NULL
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
               regexp_replace(n.body, '\s+', ' ', 'g') AS text,
               list_filter(n.flags, lambda f: f <> 'excerpt') AS marks
        FROM notice_versions AS n
        JOIN both_versions USING (notice_key, version)
        LEFT JOIN timelines AS t USING (notice_key, version)
    ),
    compared AS (
        SELECT
            cur.notice_key,
            cur.version,
            -- (DuckDB reads a select-list alias in the expressions after it)
            coalesce(base.excerpt AND cur.excerpt AND cur.text <> base.text
                AND (starts_with(base.text, cur.text) OR starts_with(cur.text, base.text)),
                false) AS cut,
            list_filter([
                CASE WHEN cur.title IS DISTINCT FROM prev.title THEN 'title' END,
                -- a titled notice's summary is its title; an untitled one's, its text's
                CASE WHEN cur.title IS NOT NULL AND cur.summary IS DISTINCT FROM prev.summary
                          OR cur.title IS NULL AND base.version IS NOT NULL AND NOT cut
                             AND cur.summary IS DISTINCT FROM base.summary
                     THEN 'summary' END,
                CASE WHEN cur.reference IS DISTINCT FROM prev.reference THEN 'reference' END,
                CASE WHEN base.version IS NOT NULL AND cur."references" IS DISTINCT FROM base."references"
                     THEN 'references' END,
                CASE WHEN cur.state IS DISTINCT FROM prev.state
                      OR cur.state_raw IS DISTINCT FROM prev.state_raw THEN 'state' END,
                CASE WHEN cur.category IS DISTINCT FROM prev.category THEN 'category' END,
                CASE WHEN cur.severity IS DISTINCT FROM prev.severity THEN 'severity' END,
                CASE WHEN cur.published_raw IS DISTINCT FROM prev.published_raw
                     THEN 'published' END,
                CASE WHEN base.version IS NOT NULL AND (cur.window_start IS DISTINCT FROM base.window_start
                          OR cur.window_end IS DISTINCT FROM base.window_end) THEN 'window' END,
                CASE WHEN base.version IS NOT NULL
                          AND cur.stated_duration_minutes IS DISTINCT FROM base.stated_duration_minutes
                     THEN 'stated_duration' END,
                CASE WHEN base.version IS NOT NULL AND cur.details IS DISTINCT FROM base.details
                     THEN 'details' END,
                CASE WHEN base.version IS NOT NULL AND cur.text IS DISTINCT FROM base.text
                          AND NOT cut THEN 'body' END,
                CASE WHEN base.version IS NOT NULL AND cur.marks IS DISTINCT FROM base.marks
                     THEN 'flags' END,
                CASE WHEN cur.section IS DISTINCT FROM prev.section THEN 'section' END,
                CASE WHEN base.version IS NOT NULL AND cur.timeline IS DISTINCT FROM base.timeline
                     THEN 'updates' END
            ], lambda f: f IS NOT NULL) AS changed
        FROM pairs
        JOIN sides AS cur ON cur.notice_key = pairs.notice_key AND cur.version = pairs.version
        JOIN sides AS prev ON prev.notice_key = pairs.notice_key AND prev.version = pairs.previous
        LEFT JOIN sides AS base
            ON base.notice_key = pairs.notice_key AND base.version = pairs.last_same
    )
    SELECT notice_key, version, changed FROM compared
) AS c
WHERE v.notice_key = c.notice_key AND v.version = c.version
