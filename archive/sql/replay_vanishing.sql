-- Vanishings and reappearances of the notices of source $source, replayed over every crawl
-- in observation order from the sightings (after a reparse rebuilt them, or a backfill
-- added older observations). The rule is finish_crawl's: a notice vanishes at the first
-- clean crawl (complete, and no page failed, drifted or went unread) after the last one that showed it
-- in which one of the URLs that showed it was fetched again and it was not seen; it
-- reappears when a later crawl sees it again. A backfill's capture of a "latest N" page
-- proves nothing of a notice older than all it shows: that one was pushed to the next page.
INSERT INTO notice_events (notice_key, event, event_at, version, crawl_id, fetch_id)
WITH crawl_times AS (
    SELECT crawl_id, min(fetched_at) AS crawl_at
    FROM fetches
    WHERE source = $source
    GROUP BY crawl_id
),
crawl_urls AS (
    SELECT crawl_id, url,
           bool_or(outcome IN ('new', 'unchanged', 'not_modified')) AS ok,
           bool_or(outcome IN ('failed', 'drift', 'no_notices')) AS inconclusive
    FROM fetches
    WHERE source = $source
    GROUP BY crawl_id, url
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
on_url AS (
    -- when each notice was first shown by each URL
    SELECT s.notice_key, s.url, min(ct.crawl_at) AS first_at
    FROM seen AS s JOIN crawl_times AS ct USING (crawl_id)
    GROUP BY s.notice_key, s.url
),
newcomers AS (
    -- the pages (crawl, URL) that showed a notice the URL had never shown before
    SELECT DISTINCT s.crawl_id, s.url
    FROM seen AS s
    JOIN crawl_times AS ct USING (crawl_id)
    JOIN on_url AS o ON o.notice_key = s.notice_key AND o.url = s.url AND o.first_at = ct.crawl_at
),
oldest AS (
    -- A backfill's capture is one page, fetched alone. When it shows a notice new to that
    -- address, something was pushed in at the top of a "latest N" page: a notice older than
    -- all the page still shows was pushed to the next page, unread in that crawl, not
    -- removed. (A page that only lost notices pushed nothing off.)
    SELECT f.crawl_id, f.url, min(v.published_at) AS oldest
    FROM sightings AS s
    JOIN fetches AS f USING (fetch_id)
    JOIN notice_versions AS v USING (notice_key, version)
    JOIN newcomers AS n ON n.crawl_id = f.crawl_id AND n.url = f.url
    WHERE f.source = $source AND f.crawl_id IN (SELECT crawl_id FROM backfill)
    GROUP BY f.crawl_id, f.url
),
spans AS (
    SELECT notice_key, crawl_id AS shown_in, crawl_at AS shown_at,
           lead(crawl_id) OVER w AS seen_next, lead(crawl_at) OVER w AS seen_next_at
    FROM (SELECT DISTINCT notice_key, crawl_id FROM seen) JOIN crawl_times USING (crawl_id)
    WINDOW w AS (PARTITION BY notice_key ORDER BY crawl_at, crawl_id)
),
shown_by AS (
    -- the addresses a span's showing counts: live, those of the crawl that showed it (the
    -- listing and the post together); backfilled, every address that had shown it by
    -- then, since each capture is a crawl of its own (a post captured after its listing
    -- would otherwise leave only the post, which always shows it)
    SELECT sp.notice_key, sp.shown_in, se.url
    FROM spans AS sp
    JOIN seen AS se ON se.notice_key = sp.notice_key AND se.crawl_id = sp.shown_in
    UNION
    SELECT sp.notice_key, sp.shown_in, o.url
    FROM spans AS sp
    JOIN on_url AS o ON o.notice_key = sp.notice_key AND o.first_at <= sp.shown_at
    WHERE sp.shown_in IN (SELECT crawl_id FROM backfill)
),
candidates AS (
    SELECT sp.notice_key, sp.shown_in, sp.seen_next, cu.crawl_id, ct.crawl_at
    FROM spans AS sp
    JOIN shown_by AS se ON se.notice_key = sp.notice_key AND se.shown_in = sp.shown_in
    JOIN crawl_urls AS cu ON cu.url = se.url
    JOIN crawl_times AS ct ON ct.crawl_id = cu.crawl_id
    LEFT JOIN published AS p ON p.notice_key = sp.notice_key
    LEFT JOIN oldest AS o ON o.crawl_id = cu.crawl_id AND o.url = cu.url
    WHERE ct.crawl_at > sp.shown_at AND (sp.seen_next_at IS NULL OR ct.crawl_at < sp.seen_next_at)
      AND cu.crawl_id IN (SELECT crawl_id FROM clean)
    GROUP BY sp.notice_key, sp.shown_in, sp.seen_next, cu.crawl_id, ct.crawl_at
    HAVING bool_or(cu.ok AND NOT coalesce(p.published < o.oldest, false))
       AND NOT bool_or(cu.inconclusive)
),
vanished AS (
    SELECT notice_key, seen_next, arg_min(crawl_id, crawl_at) AS crawl_id
    FROM candidates
    GROUP BY notice_key, shown_in, seen_next
),
reappeared AS (
    SELECT v.notice_key, min(s.observed_at) AS event_at, arg_min(s.version, s.observed_at) AS version,
           v.seen_next AS crawl_id, arg_min(s.fetch_id, s.observed_at) AS fetch_id
    FROM vanished AS v
    JOIN sightings AS s ON s.notice_key = v.notice_key
    JOIN fetches AS f ON f.fetch_id = s.fetch_id AND f.crawl_id = v.seen_next
    WHERE v.seen_next IS NOT NULL
    GROUP BY v.notice_key, v.seen_next
)
SELECT v.notice_key, 'vanished', coalesce(c.finished_at, c.started_at), NULL, v.crawl_id, NULL
FROM vanished AS v
JOIN crawls AS c USING (crawl_id)
UNION ALL
SELECT notice_key, 'reappeared', event_at, version, crawl_id, fetch_id
FROM reappeared
