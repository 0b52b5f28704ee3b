-- When each lifecycle phase was first stated in the notice's own timeline (the latest
-- version whose updates state statuses), kept with its current state so that `incidents`
-- shows phase durations without re-reading every update.
ALTER TABLE notices ADD COLUMN investigating_at TIMESTAMPTZ;
ALTER TABLE notices ADD COLUMN identified_at TIMESTAMPTZ;
ALTER TABLE notices ADD COLUMN monitoring_at TIMESTAMPTZ;
ALTER TABLE notices ADD COLUMN phase_resolved_at TIMESTAMPTZ;
ALTER TABLE notices ADD COLUMN postmortem_at TIMESTAMPTZ;
