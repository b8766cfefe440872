-- What an edit changed, for the public timeline (civic.handovers.rules.edit_changes): the plan's
-- old and new values, the names of text fields. Events written before this keep only the field
-- names in `note`; their old values are in the audit log.
ALTER TABLE handover_events ADD COLUMN changes jsonb NOT NULL DEFAULT '[]'::jsonb;
