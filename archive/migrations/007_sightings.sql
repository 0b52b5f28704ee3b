-- Which notice versions each successful fetch showed. First seen, last seen and
-- vanishing are computed from these, never guessed.
CREATE TABLE sightings (
    fetch_id    BIGINT NOT NULL REFERENCES fetches (fetch_id),
    notice_key  VARCHAR NOT NULL,
    version     INTEGER NOT NULL,
    observed_at TIMESTAMPTZ NOT NULL,
    url         VARCHAR NOT NULL,
    is_open     BOOLEAN,
    PRIMARY KEY (fetch_id, notice_key, version)
);
