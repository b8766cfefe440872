-- pg_prewarm (a contrib module) lets the app load the relations a search reads into shared
-- buffers when it starts (civic.search.postgres.prewarm), so that the first search of a word
-- does not wait for its pages to be copied in. Optional: on a server without contrib modules
-- the app starts without it, and searches warm the cache as they run.
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_prewarm;
EXCEPTION WHEN undefined_file OR feature_not_supported OR insufficient_privilege THEN
    RAISE NOTICE 'pg_prewarm is not available: search pages are read in as they are needed';
END
$$;
