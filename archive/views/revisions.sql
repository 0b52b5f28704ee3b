-- Every version after a notice's first, with the fields that changed from the one before
-- (computed when the version was written; see archive/sql/version_changes.sql).
-- Example: SELECT notice_key, version, changed FROM revisions WHERE list_contains(changed, 'state');
CREATE OR REPLACE VIEW revisions AS
SELECT
    v.notice_key,
    v.version,
    count(*) OVER (PARTITION BY v.notice_key) + 1 AS versions,
    v.first_observed_at,
    v.snapshot_id,
    v.state,
    p.state AS previous_state,
    v.changed
FROM notice_versions AS v
JOIN notice_versions AS p ON p.notice_key = v.notice_key AND p.version = v.version - 1
WHERE v.version > 1
