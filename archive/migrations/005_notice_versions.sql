-- One row per distinct observed version of a notice: the record's fields as the page
-- claimed them, and when we observed them (the two clocks are kept apart).
-- (notice_key, version) and (notice_key, content_hash) are unique. The ingest statements
-- guarantee it (anti-joins) and the tests check it: DuckDB would keep an ART index per
-- PRIMARY KEY/UNIQUE here, and maintaining those cost more than the rest of an ingest.
CREATE TABLE notice_versions (
    notice_key              VARCHAR NOT NULL,
    version                 INTEGER NOT NULL CHECK (version >= 1),
    content_hash            VARCHAR NOT NULL,
    source                  VARCHAR NOT NULL,
    url                     VARCHAR,
    layout                  VARCHAR NOT NULL,
    parser_version          VARCHAR NOT NULL,
    section                 VARCHAR,
    title                   VARCHAR,
    summary                 VARCHAR,
    reference               VARCHAR,
    "references"            STRUCT(kind VARCHAR, value VARCHAR, "where" VARCHAR)[] NOT NULL,
    state_raw               VARCHAR,
    state                   VARCHAR CHECK (state IN ({{STATES}})),
    state_source            VARCHAR,
    is_open                 BOOLEAN,
    category                VARCHAR CHECK (category IN ({{CATEGORIES}})),
    severity                VARCHAR,
    published_raw           VARCHAR,
    published_local         TIMESTAMP,
    published_at            TIMESTAMPTZ,
    tz_label                VARCHAR,
    tz_policy               VARCHAR,
    page_updated_raw        VARCHAR,
    page_updated_local      TIMESTAMP,
    page_updated_at         TIMESTAMPTZ,
    window_raw              VARCHAR,
    window_start_local      TIMESTAMP,
    window_end_local        TIMESTAMP,
    window_start            TIMESTAMPTZ,
    window_end              TIMESTAMPTZ,
    stated_duration_minutes INTEGER CHECK (stated_duration_minutes >= 0),
    details                 MAP(VARCHAR, VARCHAR) NOT NULL,  -- the labelled lines
    body                    VARCHAR NOT NULL,
    flags                   VARCHAR[] NOT NULL,
    warnings                VARCHAR[] NOT NULL,
    first_observed_at       TIMESTAMPTZ NOT NULL,
    last_observed_at        TIMESTAMPTZ NOT NULL,
    snapshot_id             BIGINT,  -- the page that first showed this version
    CHECK ((state IS NULL) = (is_open IS NULL)),
    CHECK (state IS NULL OR is_open = (state IN ({{OPEN_STATES}}))),
    CHECK (first_observed_at <= last_observed_at)
);
