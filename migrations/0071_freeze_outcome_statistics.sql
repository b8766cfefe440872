-- The statistics an outcome was published with, frozen with it: responses cannot change after
-- closing, and recomputing them over every response on each view of the outcome cost 141 ms at
-- 100k responses. NULL only for outcomes published before this migration; the first read fills it.
ALTER TABLE consultation_outcomes ADD COLUMN stats jsonb;
