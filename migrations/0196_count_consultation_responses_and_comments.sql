-- Every consultation listed or shown counted its responses and visible comments: an index entry
-- per response, 0.08 ms at the bench's 200 each, and a national consultation with 50,000
-- responses would cost milliseconds on every view of the home page, the hub and its own page.
-- The counts are kept here instead. Not on the consultation's row: responders hold it FOR SHARE
-- (so it cannot close under them), and two of them updating it would deadlock. Concurrent
-- responses to one consultation take this row in turn, from their insert to their commit.
CREATE TABLE consultation_counts (
    consultation_id  bigint PRIMARY KEY REFERENCES consultations(id) ON DELETE CASCADE,
    responses        bigint NOT NULL DEFAULT 0,
    visible_comments bigint NOT NULL DEFAULT 0
);
INSERT INTO consultation_counts (consultation_id, responses, visible_comments)
SELECT c.id,
       (SELECT count(*) FROM consultation_responses r WHERE r.consultation_id = c.id),
       (SELECT count(*) FROM consultation_comments m WHERE m.consultation_id = c.id AND m.status = 'visible')
FROM consultations c;

-- Rows are changed in id order, so two statements changing the same consultations take their
-- locks in the same order. A consultation deleted with its responses and comments (a cascade) is
-- gone by the time these triggers run, and has nothing left to count.
CREATE FUNCTION consultation_counts_add(ids bigint[], responses bigint[], comments bigint[]) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO consultation_counts AS k (consultation_id, responses, visible_comments)
    SELECT id, sum(r), sum(m) FROM unnest(ids, responses, comments) AS u(id, r, m)
    WHERE EXISTS (SELECT 1 FROM consultations c WHERE c.id = u.id)
    GROUP BY id ORDER BY id
    ON CONFLICT (consultation_id) DO UPDATE
    SET responses = k.responses + EXCLUDED.responses,
        visible_comments = k.visible_comments + EXCLUDED.visible_comments
$$;

CREATE FUNCTION consultation_responses_counted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    sign bigint := CASE TG_OP WHEN 'INSERT' THEN 1 ELSE -1 END;
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM consultation_counts_add(array_agg(consultation_id), array_agg(sign), array_agg(0::bigint))
        FROM new_rows HAVING count(*) > 0;
    ELSE
        PERFORM consultation_counts_add(array_agg(consultation_id), array_agg(sign), array_agg(0::bigint))
        FROM old_rows HAVING count(*) > 0;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION consultation_comments_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM consultation_counts_add(array_agg(consultation_id), array_agg(0::bigint), array_agg(1::bigint))
        FROM new_rows WHERE status = 'visible' HAVING count(*) > 0;
    ELSE
        PERFORM consultation_counts_add(array_agg(consultation_id), array_agg(0::bigint), array_agg(-1::bigint))
        FROM old_rows WHERE status = 'visible' HAVING count(*) > 0;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION consultation_comments_recounted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM consultation_counts_add(
        ARRAY[OLD.consultation_id, NEW.consultation_id], ARRAY[0, 0]::bigint[],
        ARRAY[(OLD.status = 'visible')::int * -1, (NEW.status = 'visible')::int]::bigint[]);
    RETURN NULL;
END $$;

CREATE TRIGGER consultation_responses_count_inserted AFTER INSERT ON consultation_responses
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION consultation_responses_counted();
CREATE TRIGGER consultation_responses_count_deleted AFTER DELETE ON consultation_responses
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION consultation_responses_counted();
CREATE TRIGGER consultation_comments_count_inserted AFTER INSERT ON consultation_comments
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION consultation_comments_counted();
CREATE TRIGGER consultation_comments_count_deleted AFTER DELETE ON consultation_comments
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION consultation_comments_counted();
CREATE TRIGGER consultation_comments_count_changed AFTER UPDATE OF status, consultation_id ON consultation_comments
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.consultation_id IS DISTINCT FROM NEW.consultation_id)
    EXECUTE FUNCTION consultation_comments_recounted();
