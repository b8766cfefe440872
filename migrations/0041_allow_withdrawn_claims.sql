-- A partner may give a task back (withdraw its own claim) before or after confirmation.
ALTER TABLE handover_claims DROP CONSTRAINT handover_claims_status_check;
ALTER TABLE handover_claims ADD CONSTRAINT handover_claims_status_check
    CHECK (status IN ('active', 'confirmed', 'released', 'expired', 'withdrawn'));
