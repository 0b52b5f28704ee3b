-- The timeline lines inside each notice version (Issue Reported, Current Update, ...).
-- (notice_key, version, seq) is unique: written once, with its version.
CREATE TABLE notice_updates (
    notice_key VARCHAR NOT NULL,
    version    INTEGER NOT NULL,
    seq        INTEGER NOT NULL,
    label      VARCHAR,
    at_raw     VARCHAR,
    at_local   TIMESTAMP,
    "at"       TIMESTAMPTZ,
    text       VARCHAR,
    status_raw VARCHAR,
    status     VARCHAR CHECK (status IN ({{STATES}})),
    flags      VARCHAR[] NOT NULL
);
