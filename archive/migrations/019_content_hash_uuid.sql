-- A version's content hash as the 128 bits it is (the md5 of its content) rather than 32
-- hex characters: lossless in every export (Parquet's UUID type, the canonical text in CSV
-- and JSON), half the size, and cheaper to join on and to write, which is most of what a
-- bulk ingest does.
--
-- And hashed over text this project defines: lists and maps as JSON. The hashes before
-- this were over DuckDB's own text for them, which changes between DuckDB releases (2.0
-- doubles a backslash that 1.4 left single; 1.4 quotes a value holding a comma, which 1.2
-- did not), so an upgraded DuckDB made a new version of every notice with such a value.
-- Each stored version is hashed again from its stored fields, as archive/ingest.py's
-- `_HASH_SQL` hashes a staged row (tests/archive/test_archive.py holds the two equal).
-- Two versions of one notice that hash alike now (recorded by two DuckDB releases that
-- wrote the same content apart) are both kept: the first takes the new hash, the later
-- keeps its old one, so no history is lost and new sightings pair with the first.
ALTER TABLE notice_versions ALTER content_hash TYPE UUID USING CAST(content_hash AS UUID);
ALTER TABLE notices ALTER content_hash TYPE UUID USING CAST(content_hash AS UUID);

CREATE TEMP TABLE rehashed_019 AS
SELECT notice_key, version, CAST(md5(concat_ws(
        chr(31),
        coalesce(CAST("section" AS VARCHAR), chr(0)),
        coalesce(CAST("title" AS VARCHAR), chr(0)),
        coalesce(CAST("summary" AS VARCHAR), chr(0)),
        coalesce(CAST("reference" AS VARCHAR), chr(0)),
        coalesce(CAST(to_json("references") AS VARCHAR), chr(0)),
        coalesce(CAST("state_raw" AS VARCHAR), chr(0)),
        coalesce(CAST("state" AS VARCHAR), chr(0)),
        coalesce(CAST("state_source" AS VARCHAR), chr(0)),
        coalesce(CAST("is_open" AS VARCHAR), chr(0)),
        coalesce(CAST("category" AS VARCHAR), chr(0)),
        coalesce(CAST("severity" AS VARCHAR), chr(0)),
        coalesce(CAST("published_raw" AS VARCHAR), chr(0)),
        coalesce(CAST("published_local" AS VARCHAR), chr(0)),
        coalesce(CAST("published_at" AS VARCHAR), chr(0)),
        coalesce(CAST("tz_label" AS VARCHAR), chr(0)),
        coalesce(CAST("tz_policy" AS VARCHAR), chr(0)),
        coalesce(CAST("window_raw" AS VARCHAR), chr(0)),
        coalesce(CAST("window_start_local" AS VARCHAR), chr(0)),
        coalesce(CAST("window_end_local" AS VARCHAR), chr(0)),
        coalesce(CAST("window_start" AS VARCHAR), chr(0)),
        coalesce(CAST("window_end" AS VARCHAR), chr(0)),
        coalesce(CAST("stated_duration_minutes" AS VARCHAR), chr(0)),
        coalesce(CAST(to_json("details") AS VARCHAR), chr(0)),
        coalesce(CAST("body" AS VARCHAR), chr(0)),
        coalesce(CAST(to_json("flags") AS VARCHAR), chr(0)),
        coalesce(CAST(to_json("warnings") AS VARCHAR), chr(0))
    )) AS UUID) AS new_hash
FROM notice_versions
QUALIFY row_number() OVER (PARTITION BY notice_key, new_hash ORDER BY version) = 1;

UPDATE notice_versions AS v SET content_hash = r.new_hash
FROM rehashed_019 AS r
WHERE v.notice_key = r.notice_key AND v.version = r.version;

DROP TABLE rehashed_019;

-- Versions first seen in the same fetch at the same instant (one page showing a notice in
-- two texts) are numbered by content hash (archive/ingest.py, stage_new). Each such group
-- takes its numbers again in the order of its new hashes, as an ingest or a reparse now
-- numbers it, and every table naming a version follows.
CREATE TEMP TABLE renumber_019 AS
WITH candidates AS (
    SELECT notice_key, version, first_observed_at, content_hash
    FROM notice_versions
    QUALIFY count(*) OVER (PARTITION BY notice_key, first_observed_at) > 1
), firsts AS (
    -- a version's first fetch: the first of those that sighted it at its first observation
    SELECT c.notice_key, c.version, c.first_observed_at, c.content_hash,
           min(s.fetch_id) AS first_fetch
    FROM candidates AS c
    LEFT JOIN sightings AS s
      ON s.notice_key = c.notice_key AND s.version = c.version
     AND s.observed_at = c.first_observed_at
    GROUP BY ALL
), tied AS (
    SELECT *,
           row_number() OVER (g ORDER BY content_hash) AS by_hash,
           row_number() OVER (g ORDER BY version) AS by_version
    FROM firsts
    WINDOW g AS (PARTITION BY notice_key, first_observed_at, first_fetch)
)
SELECT a.notice_key, a.version AS old_version, b.version
FROM tied AS a
JOIN tied AS b
  ON b.notice_key = a.notice_key AND b.first_observed_at = a.first_observed_at
 AND b.first_fetch IS NOT DISTINCT FROM a.first_fetch AND b.by_version = a.by_hash
WHERE a.version <> b.version;

UPDATE notice_versions AS t SET version = r.version FROM renumber_019 AS r
WHERE t.notice_key = r.notice_key AND t.version = r.old_version;
UPDATE notice_updates AS t SET version = r.version FROM renumber_019 AS r
WHERE t.notice_key = r.notice_key AND t.version = r.old_version;
UPDATE sightings AS t SET version = r.version FROM renumber_019 AS r
WHERE t.notice_key = r.notice_key AND t.version = r.old_version;
UPDATE notice_events AS t SET version = r.version FROM renumber_019 AS r
WHERE t.notice_key = r.notice_key AND t.version = r.old_version;
-- a reappearance names the highest version its fetch showed (as ingest and the replay of
-- vanishing book it), which may now be the other text
UPDATE notice_events AS e SET version = s.version
FROM (
    SELECT notice_key, fetch_id, max(version) AS version
    FROM sightings
    WHERE notice_key IN (SELECT notice_key FROM renumber_019)
    GROUP BY ALL
) AS s
WHERE e.event = 'reappeared' AND e.notice_key = s.notice_key AND e.fetch_id = s.fetch_id;

-- Renumbered, the notices, what each version changed and the appeared/changed events are
-- derived again (archive.db.refresh_notices runs after the migrations when this digest is
-- not this release's).
DELETE FROM archive_meta
WHERE name = 'notices_derivation' AND EXISTS (SELECT 1 FROM renumber_019);
DROP TABLE renumber_019;

UPDATE notices AS n SET content_hash = v.content_hash
FROM notice_versions AS v
WHERE v.notice_key = n.notice_key AND v.version = n.version;
