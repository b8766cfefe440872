-- The public record of official acts (civic/record): append-only and hash-chained. Each entry's
-- hash is SHA-256 over the RFC 8785 canonical JSON of its hashed columns and prev_hash (computed
-- in Python, civic/record/rules.py); event_id and recorded_at are bookkeeping, not hashed.
-- No foreign keys: the record outlives whatever it names (an erased account, a deleted event).
CREATE TABLE record_entries (
    seq          bigint PRIMARY KEY CHECK (seq >= 1),
    at           timestamptz NOT NULL,
    agency_id    bigint,
    actor_role   text NOT NULL,
    actor_name   text,
    act          text NOT NULL,
    subject_kind text NOT NULL,
    subject_id   bigint NOT NULL,
    payload      jsonb NOT NULL,
    prev_hash    text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
    hash         text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
    event_id     bigint UNIQUE,
    -- Taken under the head lock, so it rises with seq: the published day heads are cut by it.
    recorded_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX record_entries_agency_idx ON record_entries (agency_id, seq);
CREATE INDEX record_entries_act_idx ON record_entries (act, seq);
CREATE INDEX record_entries_subject_idx ON record_entries (subject_kind, subject_id, seq);
CREATE INDEX record_entries_at_idx ON record_entries (at);
CREATE INDEX record_entries_recorded_at_idx ON record_entries (recorded_at);

-- Corrections are new entries: nothing is changed or removed in place, not even by the owner of
-- the table. (A superuser can still switch triggers off; the chain and the published heads are
-- what reveal that, see `python -m civic record verify`.)
CREATE FUNCTION record_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the public record is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER record_entries_append_only BEFORE UPDATE OR DELETE ON record_entries
    FOR EACH ROW EXECUTE FUNCTION record_refuse_change();
CREATE TRIGGER record_entries_no_truncate BEFORE TRUNCATE ON record_entries
    FOR EACH STATEMENT EXECUTE FUNCTION record_refuse_change();

-- An insert must extend the chain: the next number, linked to the last entry's hash.
CREATE FUNCTION record_check_append() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    last_hash text;
BEGIN
    SELECT hash INTO last_hash FROM record_entries WHERE seq = NEW.seq - 1;
    IF NEW.seq <> COALESCE((SELECT max(seq) FROM record_entries), 0) + 1
       OR NEW.prev_hash <> COALESCE(last_hash, repeat('0', 64)) THEN
        RAISE EXCEPTION 'record entry % does not extend the chain', NEW.seq
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER record_entries_extend_only BEFORE INSERT ON record_entries
    FOR EACH ROW EXECUTE FUNCTION record_check_append();

-- The head: one row, the last entry's number and hash. Every append locks it (FOR UPDATE) for
-- the rest of its transaction, which is what numbers entries without gaps under concurrency.
-- backfilled: whether the official events from before the record existed have been appended
-- (civic/record/chain.py does it once, at the first append).
CREATE TABLE record_head (
    one        boolean PRIMARY KEY DEFAULT true CHECK (one),
    seq        bigint NOT NULL DEFAULT 0,
    hash       text NOT NULL DEFAULT repeat('0', 64),
    backfilled boolean NOT NULL DEFAULT false
);
INSERT INTO record_head DEFAULT VALUES;
