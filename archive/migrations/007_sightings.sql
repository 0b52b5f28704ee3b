-- Which notice versions each successful fetch showed. First seen, last seen and
-- vanishing are computed from these, never guessed. (fetch_id, notice_key, version) is
-- unique: ingest inserts with an anti-join (no index to maintain), the tests check it.
CREATE TABLE sightings (
    fetch_id    BIGINT NOT NULL,  -- fetches.fetch_id
    notice_key  VARCHAR NOT NULL,
    version     INTEGER NOT NULL,
    observed_at TIMESTAMPTZ NOT NULL,
    url         VARCHAR NOT NULL,
    is_open     BOOLEAN
);
