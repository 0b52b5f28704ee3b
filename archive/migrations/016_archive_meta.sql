-- Facts about the archive itself, by name: `notices_derivation` is the digest of the code
-- that derives the `notices` rows from the history (archive/sql/rebuild_notices.sql and
-- the renderings). When a release changes it, or adds derived columns, opening the archive
-- writable rebuilds every `notices` row, so no row keeps an older derivation.
CREATE TABLE archive_meta (
    name VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);
