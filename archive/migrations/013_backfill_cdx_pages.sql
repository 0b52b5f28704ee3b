-- Where each CDX query of a backfill got to: the resume key to ask for next, or done.
CREATE TABLE backfill_cdx_pages (
    source      VARCHAR NOT NULL,
    query       VARCHAR NOT NULL,  -- pattern, match type and date range, as one key
    resume_key  VARCHAR,           -- NULL: start from the first page
    done        BOOLEAN NOT NULL,
    pages       INTEGER NOT NULL,
    captures    INTEGER NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (source, query)
);
