-- The parser kind a snapshot was read with ('statuspage' for source 'github'), so a reparse
-- can read it again even if the source has left sources.toml. NULL: the source's own name.
ALTER TABLE snapshots ADD COLUMN kind VARCHAR;
