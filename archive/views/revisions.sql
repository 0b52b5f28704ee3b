-- Every revision: a version with the fields that changed from the notice's previous version
-- in the same layout (computed when written; see archive/sql/version_changes.sql). A first
-- rendering in another layout (a post after the listing's excerpt) is not a revision.
-- Example: SELECT notice_key, version, changed FROM revisions WHERE list_contains(changed, 'state');
CREATE OR REPLACE VIEW revisions AS
SELECT notice_key, version, first_observed_at, snapshot_id, state, is_open, changed
FROM notice_versions
WHERE changed IS NOT NULL
