-- The home page ("N open tasks") and the task board count the tasks their filters match. Counting
-- through the tasks' own rows read every task (wide rows: descriptions, deliverables), 4.8 ms at
-- 2,000 tasks and growing with each one posted; the count's filter names only these columns, so
-- it is answered from this index alone.
CREATE INDEX handover_tasks_count_idx ON handover_tasks (status, agency_id, province, category);
