-- The latest Final Update (or Issue Resolved) time the notice states, with or without an
-- Issue Reported line beside it: `final_at` keeps the pair for reported_to_final, this one
-- is what published_to_final is measured to (most real NHSmail posts have no Issue Reported).
ALTER TABLE notices ADD COLUMN stated_final_at TIMESTAMPTZ;
