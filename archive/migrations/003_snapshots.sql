-- A page as fetched when its content was new for its URL: the raw page's identity, its
-- response headers and what the parser made of it. An unchanged re-fetch or a 304 adds a
-- fetch, not a snapshot.
CREATE SEQUENCE snapshot_id_seq START 1;
CREATE TABLE snapshots (
    snapshot_id    BIGINT PRIMARY KEY DEFAULT nextval('snapshot_id_seq'),
    crawl_id       BIGINT,  -- crawls.crawl_id (no FK: DuckDB forbids updating a referenced row)
    source         VARCHAR NOT NULL,
    url            VARCHAR NOT NULL,
    fetched_at     TIMESTAMPTZ NOT NULL,
    http_status    INTEGER NOT NULL,
    sha256         VARCHAR NOT NULL REFERENCES contents (sha256),
    headers        VARCHAR NOT NULL,  -- JSON object of response headers
    origin         VARCHAR NOT NULL CHECK (origin IN ('live', 'backfill')),
    capture_id     VARCHAR,           -- web-archive capture (backfill)
    parse_outcome  VARCHAR NOT NULL
                   CHECK (parse_outcome IN ('parsed', 'no_notices', 'drift', 'error')),
    layout         VARCHAR,
    parser_version VARCHAR,
    notice_count   INTEGER NOT NULL DEFAULT 0,
    warnings       VARCHAR[] NOT NULL DEFAULT []
);
