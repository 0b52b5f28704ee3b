-- Raw page bytes, stored once per distinct content (zlib-compressed), keyed by SHA-256.
CREATE TABLE contents (
    sha256      VARCHAR PRIMARY KEY,
    compression VARCHAR NOT NULL CHECK (compression IN ('zlib')),
    size_bytes  BIGINT NOT NULL CHECK (size_bytes >= 0),
    data        BLOB NOT NULL
);
