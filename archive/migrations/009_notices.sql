-- Current state, one row per notice: the fields of its latest observed version (`version`)
-- plus when it was first and last seen and whether it has vanished. Derived from
-- notice_versions, sightings and notice_events; rebuilt for the notices an ingest touches
-- (delete then insert per key, so notice_key stays unique without an index to maintain).
CREATE TABLE notices AS SELECT * FROM notice_versions WITH NO DATA;
ALTER TABLE notices ADD COLUMN versions INTEGER;
ALTER TABLE notices ADD COLUMN sightings INTEGER;
ALTER TABLE notices ADD COLUMN first_seen_at TIMESTAMPTZ;
ALTER TABLE notices ADD COLUMN last_seen_at TIMESTAMPTZ;
ALTER TABLE notices ADD COLUMN vanished_at TIMESTAMPTZ;
