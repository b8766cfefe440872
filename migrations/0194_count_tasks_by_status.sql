-- The home page ("N open tasks") and the task board's unfiltered first page counted the tasks of a
-- status through an index, reading an entry per task: 0.21 ms at 2,000 open tasks, and growing
-- with every task posted (about 1 ms at 10,000). The counts are kept here instead, as
-- idea_boards.visible_ideas keeps the ideas' (migration 0060), so reading one is reading a row.
-- Filtered counts still count their matches (migration 0187).
CREATE TABLE handover_task_counts (
    status text PRIMARY KEY,
    tasks  bigint NOT NULL
);
INSERT INTO handover_task_counts (status, tasks) SELECT status, count(*) FROM handover_tasks GROUP BY status;

-- Rows are changed in status order, in every trigger, so two transactions moving tasks between
-- the same two statuses in opposite directions take the two rows' locks in the same order.
CREATE FUNCTION handover_task_counts_add(changes text[], deltas bigint[]) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO handover_task_counts AS c (status, tasks)
    SELECT s, sum(d) FROM unnest(changes, deltas) AS u(s, d) GROUP BY s ORDER BY s
    ON CONFLICT (status) DO UPDATE SET tasks = c.tasks + EXCLUDED.tasks
$$;

CREATE FUNCTION handover_tasks_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM handover_task_counts_add(array_agg(status), array_agg(1::bigint)) FROM new_tasks HAVING count(*) > 0;
    RETURN NULL;
END $$;

CREATE FUNCTION handover_tasks_count_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM handover_task_counts_add(array_agg(status), array_agg(-1::bigint)) FROM old_tasks HAVING count(*) > 0;
    RETURN NULL;
END $$;

CREATE FUNCTION handover_tasks_count_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM handover_task_counts_add(ARRAY[OLD.status, NEW.status], ARRAY[-1, 1]::bigint[]);
    RETURN NULL;
END $$;

CREATE TRIGGER handover_tasks_count_inserted AFTER INSERT ON handover_tasks
    REFERENCING NEW TABLE AS new_tasks FOR EACH STATEMENT EXECUTE FUNCTION handover_tasks_count_inserted();
CREATE TRIGGER handover_tasks_count_deleted AFTER DELETE ON handover_tasks
    REFERENCING OLD TABLE AS old_tasks FOR EACH STATEMENT EXECUTE FUNCTION handover_tasks_count_deleted();
CREATE TRIGGER handover_tasks_count_changed AFTER UPDATE OF status ON handover_tasks
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION handover_tasks_count_changed();
