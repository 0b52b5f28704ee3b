-- One row per crawl (or backfill run) of one source. Counts are filled in when it finishes.
CREATE SEQUENCE crawl_id_seq START 1;
CREATE TABLE crawls (
    crawl_id        BIGINT PRIMARY KEY DEFAULT nextval('crawl_id_seq'),
    source          VARCHAR NOT NULL,
    origin          VARCHAR NOT NULL CHECK (origin IN ('live', 'backfill')),
    started_at      TIMESTAMPTZ NOT NULL,
    finished_at     TIMESTAMPTZ,
    outcome         VARCHAR NOT NULL
                    CHECK (outcome IN ('running', 'ok', 'failed', 'drift', 'interrupted')),
    pages_fetched   INTEGER NOT NULL DEFAULT 0,
    pages_new       INTEGER NOT NULL DEFAULT 0,
    pages_unchanged INTEGER NOT NULL DEFAULT 0,
    pages_failed    INTEGER NOT NULL DEFAULT 0,
    pages_drift     INTEGER NOT NULL DEFAULT 0,
    notices_seen    INTEGER NOT NULL DEFAULT 0,
    versions_new    INTEGER NOT NULL DEFAULT 0,
    vanished        INTEGER NOT NULL DEFAULT 0,
    errors          VARCHAR[] NOT NULL DEFAULT []
);
