-- Web-archive captures a backfill has found (from the CDX index) and what became of them,
-- so an interrupted backfill resumes where it stopped and a re-run fetches nothing stored.
CREATE TABLE backfill_captures (
    source      VARCHAR NOT NULL,
    capture_id  VARCHAR NOT NULL,  -- '<14-digit timestamp> <original url>'
    url         VARCHAR NOT NULL,  -- the original address
    captured_at TIMESTAMPTZ NOT NULL,
    digest      VARCHAR,
    mimetype    VARCHAR,
    found_at    TIMESTAMPTZ NOT NULL,
    status      VARCHAR NOT NULL CHECK (status IN ('pending', 'fetched', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    fetch_id    BIGINT,  -- fetches.fetch_id of the last attempt
    PRIMARY KEY (source, capture_id)
);
