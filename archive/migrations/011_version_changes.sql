-- Which fields each version changed from the one before it (NULL for a first version),
-- computed once when the version is written, so `revisions` is a plain read.
ALTER TABLE notice_versions ADD COLUMN changed VARCHAR[];
