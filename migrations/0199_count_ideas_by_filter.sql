-- A list of ideas filtered by status, category, province or agency counted its matches: a scan of
-- every visible idea, 36 ms at 100k ideas for one province, and more with every idea posted. The
-- visible ideas of each board, status, category and province are counted here instead, kept exact
-- by triggers as idea_boards.visible_ideas is (migration 0060), so a filtered total is a sum over
-- the combinations that match: as many rows as combinations in use, whatever the number of ideas.
-- Supports and comments change none of these columns, so they never fire the update trigger.
CREATE TABLE idea_list_counts (
    board_id bigint NOT NULL REFERENCES idea_boards (id) ON DELETE CASCADE,
    status   text   NOT NULL,
    category text   NOT NULL,
    province text   NOT NULL,  -- '' for an idea without one
    ideas    bigint NOT NULL,
    PRIMARY KEY (board_id, status, category, province)
);
INSERT INTO idea_list_counts (board_id, status, category, province, ideas)
SELECT board_id, status, category, COALESCE(province, ''), count(*) FROM ideas
WHERE hidden_at IS NULL AND status <> 'pending_moderation'
GROUP BY 1, 2, 3, 4;

-- Rows are changed in key order, in every trigger, so two transactions moving ideas between the
-- same two combinations in opposite directions take the two rows' locks in the same order.
CREATE FUNCTION idea_list_counts_add(
    boards bigint[], statuses text[], categories text[], provinces text[], deltas bigint[]
) RETURNS void LANGUAGE sql AS $$
    INSERT INTO idea_list_counts AS c (board_id, status, category, province, ideas)
    SELECT b, s, k, COALESCE(p, ''), sum(d)
    FROM unnest(boards, statuses, categories, provinces, deltas) AS u(b, s, k, p, d)
    GROUP BY b, s, k, COALESCE(p, '') ORDER BY b, s, k, COALESCE(p, '')
    ON CONFLICT (board_id, status, category, province) DO UPDATE SET ideas = c.ideas + EXCLUDED.ideas
$$;

CREATE FUNCTION idea_list_counts_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM idea_list_counts_add(array_agg(board_id), array_agg(status), array_agg(category),
                                 array_agg(province), array_agg(1::bigint))
    FROM new_ideas WHERE hidden_at IS NULL AND status <> 'pending_moderation' HAVING count(*) > 0;
    RETURN NULL;
END $$;

CREATE FUNCTION idea_list_counts_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM idea_list_counts_add(array_agg(board_id), array_agg(status), array_agg(category),
                                 array_agg(province), array_agg(-1::bigint))
    FROM old_ideas WHERE hidden_at IS NULL AND status <> 'pending_moderation' HAVING count(*) > 0;
    RETURN NULL;
END $$;

-- One call with both changes, so they are made in key order.
CREATE FUNCTION idea_list_counts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM idea_list_counts_add(array_agg(b), array_agg(s), array_agg(k), array_agg(p), array_agg(d))
    FROM (VALUES (OLD.board_id, OLD.status, OLD.category, OLD.province, -1::bigint,
                  OLD.hidden_at IS NULL AND OLD.status <> 'pending_moderation'),
                 (NEW.board_id, NEW.status, NEW.category, NEW.province, 1::bigint,
                  NEW.hidden_at IS NULL AND NEW.status <> 'pending_moderation')) AS v(b, s, k, p, d, visible)
    WHERE visible HAVING count(*) > 0;
    RETURN NULL;
END $$;

CREATE TRIGGER ideas_list_counts_inserted AFTER INSERT ON ideas
    REFERENCING NEW TABLE AS new_ideas FOR EACH STATEMENT EXECUTE FUNCTION idea_list_counts_inserted();
CREATE TRIGGER ideas_list_counts_deleted AFTER DELETE ON ideas
    REFERENCING OLD TABLE AS old_ideas FOR EACH STATEMENT EXECUTE FUNCTION idea_list_counts_deleted();
CREATE TRIGGER ideas_list_counts_changed AFTER UPDATE OF status, hidden_at, board_id, category, province ON ideas
    FOR EACH ROW
    WHEN ((OLD.status, OLD.hidden_at IS NULL, OLD.board_id, OLD.category, OLD.province)
          IS DISTINCT FROM (NEW.status, NEW.hidden_at IS NULL, NEW.board_id, NEW.category, NEW.province))
    EXECUTE FUNCTION idea_list_counts_changed();

-- A province's list walked the sort's index past every other province's ideas: 48 ms at 100k
-- ideas for a province with two. With this index PostgreSQL reads a small province's ideas
-- directly and sorts them, and still walks the sort's index for a large one.
CREATE INDEX ideas_province_idx ON ideas (province) WHERE hidden_at IS NULL AND status <> 'pending_moderation';
