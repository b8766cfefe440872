-- A support rewrites its idea's row (support_count). While support_count is indexed, that
-- rewrite must add an entry to every index on ideas; without the index, and with room left on
-- each page (fillfactor), PostgreSQL updates the row in place (a HOT update): the hottest write
-- of the site touches one heap page instead of six indexes.
-- The "top" sort loses its index: it sorts the filtered ideas, as the "hot" sort always has.
DROP INDEX ideas_support_idx;
ALTER TABLE ideas SET (fillfactor = 85);
