-- Each Bangkok day's head, published once the day is over (/record/heads.txt and the record's
-- Atom feed): outsiders keep copies, so a rewritten history disagrees with what they hold.
CREATE TABLE record_published_heads (
    day          date PRIMARY KEY,
    seq          bigint NOT NULL,
    hash         text NOT NULL,
    published_at timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER record_published_heads_append_only BEFORE UPDATE OR DELETE ON record_published_heads
    FOR EACH ROW EXECUTE FUNCTION record_refuse_change();
CREATE TRIGGER record_published_heads_no_truncate BEFORE TRUNCATE ON record_published_heads
    FOR EACH STATEMENT EXECUTE FUNCTION record_refuse_change();

-- Each verification of the chain (the hourly job, the CLI): /api/v1/health shows the last.
CREATE TABLE record_checks (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    checked_at timestamptz NOT NULL DEFAULT now(),
    ok         boolean NOT NULL,
    checked    bigint NOT NULL,
    from_seq   bigint NOT NULL,
    head_seq   bigint NOT NULL,
    first_bad  bigint,
    problem    text,
    detail     text NOT NULL DEFAULT ''
);
