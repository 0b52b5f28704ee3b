-- Every revision: a version with the fields that changed from the notice's previous version
-- in the same rendering (computed when written; see archive/sql/version_changes.sql and
-- rendering.sql). A first version in another rendering (a post after the listing's
-- excerpt) is not a revision; Statuspage's summary.json, incidents.json and an incident's
-- own JSON are one rendering.
-- Example: SELECT notice_key, version, changed FROM revisions WHERE list_contains(changed, 'state');
CREATE OR REPLACE VIEW revisions AS
SELECT notice_key, version, first_observed_at, snapshot_id, state, is_open, changed
FROM notice_versions
WHERE changed IS NOT NULL
