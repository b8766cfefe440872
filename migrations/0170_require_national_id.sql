-- A board or a consultation may admit only people who verified a Thai national ID (issue 22,
-- identity levels). Off by default: most spaces must stay open to anyone with an email address.
ALTER TABLE idea_boards ADD COLUMN requires_national_id boolean NOT NULL DEFAULT false;
ALTER TABLE consultations ADD COLUMN requires_national_id boolean NOT NULL DEFAULT false;
