-- A milestone the agency decides not to hold the partner to is waived, with a reason (the review's
-- comment), so a task can be signed off only when every milestone is accepted or waived.
ALTER TABLE handover_milestones DROP CONSTRAINT handover_milestones_status_check;
ALTER TABLE handover_milestones ADD CONSTRAINT handover_milestones_status_check
    CHECK (status IN ('scheduled', 'met', 'partly_met', 'not_met', 'waived'));
ALTER TABLE handover_reviews DROP CONSTRAINT handover_reviews_verdict_check;
ALTER TABLE handover_reviews ADD CONSTRAINT handover_reviews_verdict_check
    CHECK (verdict IN ('met', 'partly_met', 'not_met', 'waived'));
