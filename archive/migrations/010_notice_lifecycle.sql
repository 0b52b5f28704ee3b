-- What the analysis views need per notice, kept with its current state so that they read
-- one row per notice instead of re-aggregating every sighting and version:
--   the observed bracket (last sighting open, first sighting closed after it),
--   and what the notice claims across its versions (first publication, the latest stated
--   window and duration, the latest Issue Reported / Final Update pair).
ALTER TABLE notices ADD COLUMN last_open TIMESTAMPTZ;
ALTER TABLE notices ADD COLUMN first_closed TIMESTAMPTZ;
ALTER TABLE notices ADD COLUMN ever_open BOOLEAN;
ALTER TABLE notices ADD COLUMN ever_closed BOOLEAN;
ALTER TABLE notices ADD COLUMN first_published_at TIMESTAMPTZ;
ALTER TABLE notices ADD COLUMN first_published_local TIMESTAMP;
ALTER TABLE notices ADD COLUMN claimed_window_start TIMESTAMPTZ;
ALTER TABLE notices ADD COLUMN claimed_window_end TIMESTAMPTZ;
ALTER TABLE notices ADD COLUMN claimed_duration_minutes INTEGER;
ALTER TABLE notices ADD COLUMN reported_at TIMESTAMPTZ;
ALTER TABLE notices ADD COLUMN final_at TIMESTAMPTZ;
