-- The overdue answers page read every idea past its answer clock and sorted them all: 68 ms a
-- view with 73,000 of 100k ideas overdue, growing with each one. It then showed the first 1,000
-- and called that the total, and the staff tools counted an agency's overdue ideas among those
-- 1,000 only.
--
-- An idea now knows when it was first answered (kept by a trigger on idea_answers, whichever path
-- writes the answer), so the ideas awaiting an answer (a clock running, no answer, not hidden)
-- are one partial index in the order of their clocks: a page of the longest overdue reads its
-- rows from it. Each board counts its ideas awaiting an answer, kept exact by triggers as
-- visible_ideas is (migration 0060); the overdue ones are those less the ones whose clock still
-- runs, which the index counts: at most the ideas of one answer window, whatever the backlog.
ALTER TABLE ideas ADD COLUMN answered_at timestamptz;
UPDATE ideas i SET answered_at = a.created_at FROM idea_answers a WHERE a.idea_id = i.id;

CREATE FUNCTION ideas_mark_answered() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE ideas SET answered_at = NEW.created_at WHERE id = NEW.idea_id AND answered_at IS NULL;
    RETURN NULL;
END $$;
-- An answer is replaced in place (ON CONFLICT DO UPDATE), and deleted only with its idea.
CREATE TRIGGER idea_answers_mark_answered AFTER INSERT ON idea_answers
    FOR EACH ROW EXECUTE FUNCTION ideas_mark_answered();

CREATE INDEX ideas_awaiting_answer_idx ON ideas (answer_due_at, id) INCLUDE (board_id)
    WHERE answered_at IS NULL AND hidden_at IS NULL AND answer_due_at IS NOT NULL;

ALTER TABLE idea_boards ADD COLUMN awaiting_answer bigint NOT NULL DEFAULT 0;
UPDATE idea_boards b SET awaiting_answer = w.n
FROM (SELECT board_id, count(*) AS n FROM ideas
      WHERE answered_at IS NULL AND hidden_at IS NULL AND answer_due_at IS NOT NULL GROUP BY board_id) w
WHERE b.id = w.board_id;

CREATE FUNCTION idea_boards_awaiting_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE idea_boards b SET awaiting_answer = b.awaiting_answer + n.c
    FROM (SELECT board_id, count(*) AS c FROM new_ideas
          WHERE answered_at IS NULL AND hidden_at IS NULL AND answer_due_at IS NOT NULL GROUP BY board_id) n
    WHERE b.id = n.board_id;
    RETURN NULL;
END $$;

CREATE FUNCTION idea_boards_awaiting_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE idea_boards b SET awaiting_answer = b.awaiting_answer - o.c
    FROM (SELECT board_id, count(*) AS c FROM old_ideas
          WHERE answered_at IS NULL AND hidden_at IS NULL AND answer_due_at IS NOT NULL GROUP BY board_id) o
    WHERE b.id = o.board_id;
    RETURN NULL;
END $$;

-- Fired only when an idea starts or stops awaiting an answer, or moves board (the WHEN clause):
-- every support writes answer_due_at (unchanged unless it reaches the threshold), and a board
-- row updated on every support would queue all of a board's supports behind each other.
CREATE FUNCTION idea_boards_awaiting_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.answered_at IS NULL AND OLD.hidden_at IS NULL AND OLD.answer_due_at IS NOT NULL THEN
        UPDATE idea_boards SET awaiting_answer = awaiting_answer - 1 WHERE id = OLD.board_id;
    END IF;
    IF NEW.answered_at IS NULL AND NEW.hidden_at IS NULL AND NEW.answer_due_at IS NOT NULL THEN
        UPDATE idea_boards SET awaiting_answer = awaiting_answer + 1 WHERE id = NEW.board_id;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER ideas_awaiting_inserted AFTER INSERT ON ideas
    REFERENCING NEW TABLE AS new_ideas FOR EACH STATEMENT EXECUTE FUNCTION idea_boards_awaiting_inserted();
CREATE TRIGGER ideas_awaiting_deleted AFTER DELETE ON ideas
    REFERENCING OLD TABLE AS old_ideas FOR EACH STATEMENT EXECUTE FUNCTION idea_boards_awaiting_deleted();
CREATE TRIGGER ideas_awaiting_changed AFTER UPDATE OF answered_at, hidden_at, answer_due_at, board_id ON ideas
    FOR EACH ROW WHEN (
        (OLD.answered_at IS NULL AND OLD.hidden_at IS NULL AND OLD.answer_due_at IS NOT NULL)
            IS DISTINCT FROM (NEW.answered_at IS NULL AND NEW.hidden_at IS NULL AND NEW.answer_due_at IS NOT NULL)
        OR OLD.board_id <> NEW.board_id
    ) EXECUTE FUNCTION idea_boards_awaiting_changed();
