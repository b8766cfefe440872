-- Board lists and the home page read one page from an index, whatever the number of ideas.
--
-- Every public list shows visible ideas (not hidden, not awaiting moderation) in one of four
-- orders, across all boards or on one board. Each order gets an index over exactly those ideas,
-- with and without the board in front, so a page is read by walking an index from its start:
-- at 100k ideas the "hot" sort used to compute a score for every idea and sort them all.
--
-- This gives up what 0012 bought: support_count is indexed again, so a support updates the row
-- with new index entries instead of in place (HOT). Measured on the mixed benchmark, the lists
-- are most of the traffic and the support statement's extra index entries a small part of it.

-- "hot" decays with age, but only through the creation time, so the score is fixed between
-- supports and can be indexed: doubling the supports is worth one day of recency. (The old
-- score, supports / (age in hours + 2) ^ 1.5, changed with now() and could only be sorted.)
-- Epoch seconds through an interval, because extract() on a timestamptz is not immutable.
ALTER TABLE ideas ADD COLUMN hot_score double precision GENERATED ALWAYS AS (
    ln(1 + support_count::double precision) / ln(2)
    + extract(epoch FROM created_at - timestamptz '2020-01-01 00:00:00+00') / 86400
) STORED;

CREATE INDEX ideas_list_hot_idx ON ideas (hot_score DESC, id DESC)
    WHERE hidden_at IS NULL AND status <> 'pending_moderation';
CREATE INDEX ideas_list_top_idx ON ideas (support_count DESC, id DESC)
    WHERE hidden_at IS NULL AND status <> 'pending_moderation';
CREATE INDEX ideas_list_new_idx ON ideas (created_at DESC, id DESC)
    WHERE hidden_at IS NULL AND status <> 'pending_moderation';
CREATE INDEX ideas_list_discussed_idx ON ideas (comment_count DESC, id DESC)
    WHERE hidden_at IS NULL AND status <> 'pending_moderation';
CREATE INDEX ideas_board_hot_idx ON ideas (board_id, hot_score DESC, id DESC)
    WHERE hidden_at IS NULL AND status <> 'pending_moderation';
CREATE INDEX ideas_board_top_idx ON ideas (board_id, support_count DESC, id DESC)
    WHERE hidden_at IS NULL AND status <> 'pending_moderation';
CREATE INDEX ideas_board_new_idx ON ideas (board_id, created_at DESC, id DESC)
    WHERE hidden_at IS NULL AND status <> 'pending_moderation';
CREATE INDEX ideas_board_discussed_idx ON ideas (board_id, comment_count DESC, id DESC)
    WHERE hidden_at IS NULL AND status <> 'pending_moderation';
-- Superseded by ideas_list_new_idx: one index fewer to write per support.
DROP INDEX ideas_created_idx;

-- How many visible ideas each board has, kept exact by triggers, so an unfiltered list's total
-- is a sum over boards rather than a count over ideas. Inserts and deletes are counted once per
-- statement (an import of 100k ideas updates each board once); a change of status, visibility or
-- board is counted per row. Supports and comments change none of those columns, so they never
-- fire the update trigger.
ALTER TABLE idea_boards ADD COLUMN visible_ideas bigint NOT NULL DEFAULT 0;
UPDATE idea_boards b SET visible_ideas = (
    SELECT count(*) FROM ideas i
    WHERE i.board_id = b.id AND i.hidden_at IS NULL AND i.status <> 'pending_moderation'
);

CREATE FUNCTION idea_boards_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE idea_boards b SET visible_ideas = b.visible_ideas + n.c
    FROM (SELECT board_id, count(*) AS c FROM new_ideas
          WHERE hidden_at IS NULL AND status <> 'pending_moderation' GROUP BY board_id) n
    WHERE b.id = n.board_id;
    RETURN NULL;
END $$;

CREATE FUNCTION idea_boards_count_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE idea_boards b SET visible_ideas = b.visible_ideas - o.c
    FROM (SELECT board_id, count(*) AS c FROM old_ideas
          WHERE hidden_at IS NULL AND status <> 'pending_moderation' GROUP BY board_id) o
    WHERE b.id = o.board_id;
    RETURN NULL;
END $$;

CREATE FUNCTION idea_boards_count_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    was boolean := OLD.hidden_at IS NULL AND OLD.status <> 'pending_moderation';
    now_visible boolean := NEW.hidden_at IS NULL AND NEW.status <> 'pending_moderation';
BEGIN
    IF was AND (NOT now_visible OR NEW.board_id <> OLD.board_id) THEN
        UPDATE idea_boards SET visible_ideas = visible_ideas - 1 WHERE id = OLD.board_id;
    END IF;
    IF now_visible AND (NOT was OR NEW.board_id <> OLD.board_id) THEN
        UPDATE idea_boards SET visible_ideas = visible_ideas + 1 WHERE id = NEW.board_id;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER ideas_count_inserted AFTER INSERT ON ideas
    REFERENCING NEW TABLE AS new_ideas FOR EACH STATEMENT EXECUTE FUNCTION idea_boards_count_inserted();
CREATE TRIGGER ideas_count_deleted AFTER DELETE ON ideas
    REFERENCING OLD TABLE AS old_ideas FOR EACH STATEMENT EXECUTE FUNCTION idea_boards_count_deleted();
CREATE TRIGGER ideas_count_changed AFTER UPDATE OF status, hidden_at, board_id ON ideas
    FOR EACH ROW EXECUTE FUNCTION idea_boards_count_changed();
