-- Every version after a notice's first, with the fields that changed from the one before
-- (computed when the version was written; see archive/sql/version_changes.sql).
-- Example: SELECT notice_key, version, changed FROM revisions WHERE list_contains(changed, 'state');
CREATE OR REPLACE VIEW revisions AS
SELECT notice_key, version, first_observed_at, snapshot_id, state, is_open, changed
FROM notice_versions
WHERE version > 1
