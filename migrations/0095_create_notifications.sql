-- Notifications: the in-app inbox, one row per event and recipient, written set-based by the
-- notifier (civic/notifications/consumer.py) with INSERT ... SELECT ... ON CONFLICT DO NOTHING,
-- so a notifier that runs an event again adds nothing. `email` is the email channel chosen for
-- that row when it was written (the person's preference for the notice, or its default):
-- 'immediate' rows were queued as mail in the same transaction (key notify:<event>:<user>:email),
-- 'digest' rows wait for the next daily digest (digested_at), 'off' rows are in-app only.
-- No foreign key to events (the event row is never deleted) and no separate unread index (the
-- bell counts a person's unread rows through notifications_inbox_idx): each per-row check or
-- index costs the fan-out rate a 100k-follower event needs (bench/bench_notifications.py).
CREATE TABLE notifications (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    event_id    bigint NOT NULL,
    notice      text NOT NULL,
    email       text NOT NULL CHECK (email IN ('immediate', 'digest', 'off')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    read_at     timestamptz,
    digested_at timestamptz,
    UNIQUE (event_id, user_id)
);
CREATE INDEX notifications_inbox_idx ON notifications (user_id, id DESC);
CREATE INDEX notifications_digest_idx ON notifications (user_id, id) WHERE email = 'digest' AND digested_at IS NULL;

-- A person's email choice per notice kind; no row means the notice's default (civic/notifications/rules.py).
CREATE TABLE notification_preferences (
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    notice     text NOT NULL,
    email      text NOT NULL CHECK (email IN ('immediate', 'digest', 'off')),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, notice)
);

-- One digest per person and Bangkok day: the row is taken in the job's transaction, so a digest
-- job that runs twice the same morning sends nothing the second time.
CREATE TABLE notification_digests (
    user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    day     date NOT NULL,
    items   integer NOT NULL,
    sent_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, day)
);

-- Reminder sweeps record an event once per subject, threshold and due date: a due date that
-- moves (a deadline edited) may be reminded of again, the same one never.
CREATE TABLE notification_reminders (
    kind         text NOT NULL,
    subject_kind text NOT NULL,
    subject_id   bigint NOT NULL,
    due_at       timestamptz NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, subject_kind, subject_id, due_at)
);
