-- A version's content hash as the 128 bits it is (the md5 of its content) rather than 32
-- hex characters: lossless in every export (Parquet's UUID type, the canonical text in CSV
-- and JSON), half the size, and cheaper to join on and to write, which is most of what a
-- bulk ingest does.
--
-- And hashed over text this project defines: lists and maps as JSON. The hashes before
-- this were over DuckDB's own text for them, which changed between DuckDB releases (1.4
-- quotes a value holding a comma or a bracket, 1.2 did not), so an upgraded DuckDB made a
-- new version of every notice with such a value. Each stored version is hashed again from
-- its stored fields, as archive/ingest.py's `_HASH_SQL` hashes a staged row
-- (tests/archive/test_archive.py holds the two equal). Two versions of one notice that
-- hash alike now (recorded by two DuckDB releases that wrote the same content apart) are
-- both kept: the first takes the new hash, the later keeps its old one, so no history is
-- lost and new sightings pair with the first.
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

UPDATE notices AS n SET content_hash = v.content_hash
FROM notice_versions AS v
WHERE v.notice_key = n.notice_key AND v.version = n.version;

DROP TABLE rehashed_019;
