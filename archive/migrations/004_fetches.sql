-- Every observation of a URL: new content, unchanged content, 304, drift or failure.
-- A failed fetch is a failed observation and is never a sighting.
CREATE SEQUENCE fetch_id_seq START 1;
CREATE TABLE fetches (
    fetch_id    BIGINT PRIMARY KEY DEFAULT nextval('fetch_id_seq'),
    crawl_id    BIGINT,  -- crawls.crawl_id (no FK: DuckDB forbids updating a referenced row)
    source      VARCHAR NOT NULL,
    url         VARCHAR NOT NULL,
    fetched_at  TIMESTAMPTZ NOT NULL,
    http_status INTEGER,
    outcome     VARCHAR NOT NULL
                CHECK (outcome IN ('new', 'unchanged', 'not_modified', 'drift', 'no_notices',
                                   'failed')),
    snapshot_id BIGINT,  -- snapshots.snapshot_id: the content observed
    error       VARCHAR,
    CHECK ((outcome = 'failed') = (snapshot_id IS NULL))
);
