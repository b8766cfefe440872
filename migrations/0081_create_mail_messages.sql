-- Outgoing mail: one durable row per message, written in the transaction of whatever caused it,
-- with a pgqueuer job (payload = the row id) that sends it. The row, not the job, is the truth:
-- the sender marks it sent in the transaction that holds its lock, so a message is never sent
-- again once recorded, and a relay killed before recording sends it again (at least once).
CREATE TABLE mail_messages (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The caller's idempotency key: queued once per key, ever.
    key          text NOT NULL UNIQUE,
    user_id      bigint REFERENCES users(id) ON DELETE SET NULL,
    to_address   text NOT NULL,
    lang         text NOT NULL CHECK (lang IN ('th', 'en')),
    template     text NOT NULL,
    -- What List-Unsubscribe turns off: a notification kind, or 'all'.
    kind         text NOT NULL DEFAULT 'all',
    context      jsonb NOT NULL DEFAULT '{}',
    status       text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
    attempts     integer NOT NULL DEFAULT 0,
    last_error   text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    sent_at      timestamptz,
    CHECK ((status = 'sent') = (sent_at IS NOT NULL))
);
CREATE INDEX mail_messages_user_idx ON mail_messages (user_id, created_at DESC) WHERE user_id IS NOT NULL;
CREATE INDEX mail_messages_unsent_idx ON mail_messages (created_at) WHERE status <> 'sent';
