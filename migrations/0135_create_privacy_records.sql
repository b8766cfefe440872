-- PDPA: which privacy notice each person accepted, their consent per purpose, and erased accounts.

-- An erased account keeps its row as a tombstone, so the public contributions that point at it
-- (ideas, comments, official answers written by former staff) stay whole and render as
-- "deleted account" through the display_name every page already joins on; supports and answers
-- keep pointing at it, so they stay counted while nothing in the row names a person.
ALTER TABLE users DROP CONSTRAINT users_status_check;
ALTER TABLE users ADD CONSTRAINT users_status_check CHECK (status IN ('active', 'blocked', 'erased'));
ALTER TABLE users ADD COLUMN erased_at timestamptz;
ALTER TABLE users ADD CONSTRAINT users_erased_check CHECK ((status = 'erased') = (erased_at IS NOT NULL));

-- One row per acceptance of a notice version (the versions themselves live in
-- civic/privacy/rules.py and templates/privacy/). Accepting again is harmless; the newest
-- version a person accepted is what the login gate compares with the current one.
CREATE TABLE privacy_acceptances (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    version     integer NOT NULL CHECK (version > 0),
    channel     text NOT NULL CHECK (channel IN ('web', 'api', 'counter')),
    accepted_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX privacy_acceptances_user_idx ON privacy_acceptances (user_id, version DESC);

-- Consent is a log, never updated: each grant or withdrawal is a new row, and a person's current
-- choice for a purpose is their newest row. `event_id` is set for the publication consents the
-- consumer copies from consultation responses, so running it again adds nothing.
CREATE TABLE consent_records (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose     text NOT NULL CHECK (purpose IN ('publication', 'notification_email', 'assisted')),
    granted     boolean NOT NULL,
    channel     text NOT NULL CHECK (channel IN ('web', 'api', 'counter')),
    detail      jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(detail) = 'object'),
    event_id    bigint UNIQUE,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX consent_records_user_idx ON consent_records (user_id, purpose, recorded_at DESC, id DESC);
