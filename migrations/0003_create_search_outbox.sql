-- Every write to searchable content adds a row here in the same transaction; a relay
-- pushes it to the search backend and deletes the row only after the backend confirms.
CREATE TABLE search_outbox (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind            text NOT NULL,
    entity_id       bigint NOT NULL,
    op              text NOT NULL CHECK (op IN ('upsert', 'delete')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    attempts        int NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text NOT NULL DEFAULT ''
);
CREATE INDEX search_outbox_due_idx ON search_outbox (next_attempt_at, id);
