-- The counter and phone channel (civic/assisted): agency staff submit an idea, a support or a
-- consultation answer for a person who came in, called or sent a paper form.

-- The agency whose counter took the idea, shown publicly in place of an author's name.
ALTER TABLE ideas ADD COLUMN assisted_org_id bigint REFERENCES organisations (id);

-- The contribution itself is an ordinary idea, support or response owned by a counter account
-- (a users row nobody can log in to) until the person takes it over with the code.
CREATE TABLE assisted_contributions (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN ('idea', 'support', 'answer')),
    -- The idea (for an idea or a support) or the consultation (for an answer).
    target_id       bigint NOT NULL,
    -- The response's id for an answer; the idea's id otherwise.
    contribution_id bigint NOT NULL,
    holder_id       bigint NOT NULL REFERENCES users (id),
    agency_id       bigint NOT NULL REFERENCES organisations (id),
    staff_id        bigint REFERENCES users (id) ON DELETE SET NULL,
    channel         text NOT NULL CHECK (channel IN ('counter', 'phone', 'paper')),
    person_name     text NOT NULL,
    person_contact  text NOT NULL,
    national_id_hash bytea,
    code_hash       bytea NOT NULL UNIQUE,
    code_expires_at timestamptz NOT NULL,
    taken_over_by   bigint REFERENCES users (id) ON DELETE SET NULL,
    taken_over_at   timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now()
);
-- One person counts once: a second assisted support or answer with the same ID on the same idea or
-- consultation is refused by the database, whatever two counters racing each other do.
CREATE UNIQUE INDEX assisted_once_per_person ON assisted_contributions (kind, target_id, national_id_hash)
    WHERE national_id_hash IS NOT NULL AND kind IN ('support', 'answer');
CREATE INDEX assisted_agency_idx ON assisted_contributions (agency_id, created_at DESC);
