-- Reasons the system writes (a claim expiring) are stored as a code and translated when shown;
-- `reason` keeps only what a person typed (release, give back, cancel).
ALTER TABLE handover_claims ADD COLUMN reason_code text NOT NULL DEFAULT ''
    CHECK (reason_code IN ('', 'not_confirmed_in_time'));
UPDATE handover_claims SET reason_code = 'not_confirmed_in_time', reason = ''
    WHERE status = 'expired' AND reason LIKE 'not confirmed within %';
