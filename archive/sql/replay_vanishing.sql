-- Vanishings and reappearances of the notices of source $source, replayed over every crawl
-- in observation order from the sightings (after a reparse rebuilt them, or a backfill
-- added older observations). The rule is finish_crawl's: a notice vanishes at the first
-- clean crawl (complete, and no page failed, drifted, went unread or was cut short: $cut
-- begins the warning that says so) after the last one that showed it in which one of the
-- URLs that showed it was fetched again and it was not seen; it reappears when a later
-- crawl sees it again. A backfill's capture of a "latest N" page
-- proves nothing of a notice older than all it shows: that one was pushed to the next page.
INSERT INTO notice_events (notice_key, event, event_at, version, crawl_id, fetch_id)
WITH crawl_times AS (
    SELECT crawl_id, min(fetched_at) AS crawl_at
    FROM fetches
    WHERE source = $source
    GROUP BY crawl_id
),
crawl_urls AS (
    -- a page cut short is sighted but proves nothing left it
    SELECT f.crawl_id, f.url,
           bool_or(f.outcome IN ('new', 'unchanged', 'not_modified')) AS ok,
           bool_or(f.outcome IN ('failed', 'drift', 'no_notices')
                   OR len(list_filter(s.warnings, lambda w: starts_with(w, $cut))) > 0)
               AS inconclusive
    FROM fetches AS f
    LEFT JOIN snapshots AS s USING (snapshot_id)
    WHERE f.source = $source
    GROUP BY f.crawl_id, f.url
),
clean AS (
    -- and complete: a crawl cut short (interrupted, or never finished) proves nothing
    SELECT crawl_id FROM crawl_urls GROUP BY crawl_id HAVING NOT bool_or(inconclusive)
    EXCEPT
    SELECT crawl_id FROM crawls WHERE outcome IN ('interrupted', 'running')
),
seen AS (
    SELECT DISTINCT s.notice_key, f.crawl_id, f.url
    FROM sightings AS s
    JOIN fetches AS f USING (fetch_id)
    WHERE f.source = $source
),
published AS (
    SELECT notice_key, min(published_at) AS published
    FROM notice_versions WHERE source = $source GROUP BY notice_key
),
backfill AS (
    SELECT crawl_id FROM crawls WHERE source = $source AND origin = 'backfill'
),
pages AS (
    -- what each page (crawl, URL) showed, live or captured, with its oldest notice
    SELECT s.crawl_id, s.url, list(DISTINCT s.notice_key) AS keys,
           min(p.published) AS oldest, s.crawl_id IN (SELECT crawl_id FROM backfill) AS backfill
    FROM seen AS s
    LEFT JOIN published AS p USING (notice_key)
    GROUP BY s.crawl_id, s.url
),
spans AS (
    SELECT notice_key, crawl_id AS shown_in, crawl_at AS shown_at,
           lead(crawl_id) OVER w AS seen_next, lead(crawl_at) OVER w AS seen_next_at
    FROM (SELECT DISTINCT notice_key, crawl_id FROM seen) JOIN crawl_times USING (crawl_id)
    WINDOW w AS (PARTITION BY notice_key ORDER BY crawl_at, crawl_id)
),
shown_by AS (
    -- the addresses a span's showing counts, each with the crawl in which it last showed
    -- the notice by then: live, those of the crawl that showed it (the listing and the post
    -- together); backfilled, every address that had shown it by then, since each capture
    -- is a crawl of its own (a post captured after its listing would otherwise leave only
    -- the post, which always shows it)
    SELECT sp.notice_key, sp.shown_in, se.url, sp.shown_in AS last_on_url
    FROM spans AS sp
    JOIN seen AS se ON se.notice_key = sp.notice_key AND se.crawl_id = sp.shown_in
    UNION
    SELECT sp.notice_key, sp.shown_in, se.url, arg_max(se.crawl_id, ct.crawl_at) AS last_on_url
    FROM spans AS sp
    JOIN seen AS se ON se.notice_key = sp.notice_key
    JOIN crawl_times AS ct ON ct.crawl_id = se.crawl_id AND ct.crawl_at <= sp.shown_at
    WHERE sp.shown_in IN (SELECT crawl_id FROM backfill)
    GROUP BY sp.notice_key, sp.shown_in, se.url
),
candidates AS (
    -- A backfill's capture is one page, fetched alone. A notice older than all the page
    -- shows now, where the page shows a notice it did not show when it last showed this
    -- one, was pushed to the next page of a "latest N" listing (unread in that crawl), not
    -- removed; a page that only lost notices, or only changed them, pushed nothing off.
    SELECT sp.notice_key, sp.shown_in, sp.seen_next, cu.crawl_id, ct.crawl_at
    FROM spans AS sp
    JOIN shown_by AS se ON se.notice_key = sp.notice_key AND se.shown_in = sp.shown_in
    JOIN crawl_urls AS cu ON cu.url = se.url
    JOIN crawl_times AS ct ON ct.crawl_id = cu.crawl_id
    LEFT JOIN published AS p ON p.notice_key = sp.notice_key
    LEFT JOIN pages AS now ON now.crawl_id = cu.crawl_id AND now.url = cu.url
    LEFT JOIN pages AS before ON before.crawl_id = se.last_on_url AND before.url = se.url
    WHERE ct.crawl_at > sp.shown_at AND (sp.seen_next_at IS NULL OR ct.crawl_at < sp.seen_next_at)
      AND cu.crawl_id IN (SELECT crawl_id FROM clean)
    GROUP BY sp.notice_key, sp.shown_in, sp.seen_next, cu.crawl_id, ct.crawl_at
    HAVING bool_or(cu.ok AND NOT coalesce(
               now.backfill
               AND p.published < now.oldest
               AND len(list_filter(now.keys, lambda k: NOT list_contains(before.keys, k))) > 0,
               false))
       AND NOT bool_or(cu.inconclusive)
),
vanished AS (
    SELECT notice_key, seen_next, arg_min(crawl_id, crawl_at) AS crawl_id
    FROM candidates
    GROUP BY notice_key, shown_in, seen_next
),
reappeared AS (
    -- the crawl's first sighting (earliest, then first fetch) and the highest version that
    -- fetch showed, as a live crawl books it (archive/ingest.py `_after_sightings`)
    SELECT notice_key, first.at AS event_at, -first.v AS version, seen_next AS crawl_id,
           first.fetch_id
    FROM (
        SELECT v.notice_key, v.seen_next,
               min(struct_pack(at := s.observed_at, fetch_id := s.fetch_id, v := -s.version))
               AS first
        FROM vanished AS v
        JOIN sightings AS s ON s.notice_key = v.notice_key
        JOIN fetches AS f ON f.fetch_id = s.fetch_id AND f.crawl_id = v.seen_next
        WHERE v.seen_next IS NOT NULL
        GROUP BY v.notice_key, v.seen_next
    )
)
SELECT v.notice_key, 'vanished', coalesce(c.finished_at, c.started_at), NULL, v.crawl_id, NULL
FROM vanished AS v
JOIN crawls AS c USING (crawl_id)
UNION ALL
SELECT notice_key, 'reappeared', event_at, version, crawl_id, fetch_id
FROM reappeared
