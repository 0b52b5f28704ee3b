-- A version's content hash as the 128 bits it is (the md5 of its content) rather than 32
-- hex characters: the same value, lossless in every export (Parquet's UUID type, the
-- canonical text in CSV and JSON), half the size, and cheaper to join on and to write,
-- which is most of what a bulk ingest does. The text sorts as the hex did, so versions
-- first seen together keep their numbers.
ALTER TABLE notice_versions ALTER content_hash TYPE UUID USING CAST(content_hash AS UUID);
ALTER TABLE notices ALTER content_hash TYPE UUID USING CAST(content_hash AS UUID);
