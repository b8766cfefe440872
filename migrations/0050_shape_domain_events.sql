-- Domain events become the one record of "what happened" (civic.events lists the kinds).
-- Consumers read them in (xid, id) order, never past the oldest transaction still running
-- (pg_snapshot_xmin): ids are taken at insert time, so a transaction that started earlier can
-- commit a lower id after a later one committed; ordering by the writing transaction's id,
-- and stopping below every open one, means no consumer ever steps over an event that commits
-- late. See civic/consumers.py.
ALTER TABLE events RENAME COLUMN at TO occurred_at;
ALTER TABLE events DROP COLUMN delivered_at;
ALTER TABLE events
    ADD COLUMN actor_id   bigint REFERENCES users (id) ON DELETE SET NULL,
    ADD COLUMN agency_id  bigint REFERENCES organisations (id) ON DELETE SET NULL,
    ADD COLUMN province   text,
    ADD COLUMN visibility text NOT NULL DEFAULT 'public' CHECK (visibility IN ('public', 'staff', 'private')),
    ADD COLUMN xid        xid8 NOT NULL DEFAULT pg_current_xact_id();
-- Events written before this migration carry the claim events' staff-only visibility.
UPDATE events SET visibility = 'staff' WHERE kind LIKE 'handover.claim_%';
CREATE INDEX events_log_idx ON events (xid, id);
CREATE INDEX events_subject_idx ON events (subject_kind, subject_id, id);
CREATE INDEX events_actor_idx ON events (actor_id, id) WHERE actor_id IS NOT NULL;

-- One row per consumer: how far it has read. A consumer holds its row's lock while it works
-- (FOR UPDATE SKIP LOCKED), so two runners never handle the same events at once.
CREATE TABLE event_cursors (
    name       text PRIMARY KEY,
    last_xid   xid8 NOT NULL DEFAULT '0',
    last_id    bigint NOT NULL DEFAULT 0,
    handled    bigint NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now(),
    last_error text NOT NULL DEFAULT ''
);
