-- The overdue answers page read every idea past its answer clock and sorted them all: 68 ms a
-- view with 73,000 of 100k ideas overdue, growing with each one. It then showed the first 1,000
-- and called that the total, and the staff tools counted an agency's overdue ideas among those
-- 1,000 only.
--
-- An idea now knows when it was first answered (kept by a trigger on idea_answers, whichever path
-- writes the answer), so the ideas awaiting an answer (a clock running, no answer, not hidden)
-- are one partial index in the order of their clocks: a page of the longest overdue reads its
-- rows from it, and the counts read the index alone (board_id is in it), never the table or the
-- answers. They still read one index entry per overdue idea. A count kept per board by a row
-- trigger was tried and dropped: a statement that starts many clocks at once (a board's
-- threshold lowered) updated the board's row once per idea in one transaction, and each update
-- walked the row's earlier versions: 79,000 ideas took 859 s.
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
