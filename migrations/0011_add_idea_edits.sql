-- Authors may edit their idea while it is published (or waiting for moderation) and has no
-- official answer. Each edit is a public entry in the idea's history (kind = 'edited'), and the
-- version it replaced is kept, so what people supported stays on record.
ALTER TABLE idea_status_history
    ADD COLUMN kind text NOT NULL DEFAULT 'status' CHECK (kind IN ('status', 'edited'));

CREATE TABLE idea_revisions (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    idea_id     bigint NOT NULL REFERENCES ideas(id) ON DELETE CASCADE,
    -- The text as it was before the edit recorded at `at`.
    title       text NOT NULL,
    body        text NOT NULL,
    category    text NOT NULL,
    province    text,
    links       text[] NOT NULL,
    edited_by   bigint REFERENCES users(id),
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idea_revisions_idea_idx ON idea_revisions (idea_id, at);
