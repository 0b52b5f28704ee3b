-- Appearances, changes, vanishings and reappearances, in observation time.
CREATE TABLE notice_events (
    notice_key VARCHAR NOT NULL,
    event      VARCHAR NOT NULL CHECK (event IN ('appeared', 'changed', 'vanished', 'reappeared')),
    event_at   TIMESTAMPTZ NOT NULL,
    version    INTEGER,
    crawl_id   BIGINT,
    fetch_id   BIGINT
);
