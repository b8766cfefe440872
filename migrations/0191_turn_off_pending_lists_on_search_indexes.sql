-- Searches read the GIN indexes on the request path; the search consumer writes them in the
-- background. With fastupdate (PostgreSQL's default) new entries wait in an unsorted pending list
-- of up to 4 MB until a vacuum or an insert merges them, and every search scans that whole list:
-- right after a reindex of 20,000 documents each `LIKE '%term%'` over the lexicon read ~180
-- pages, and a search took 11-17 ms where it takes about 1 ms once the list is merged. Without
-- pending lists a search costs the same whenever it runs; the consumer pays on write instead.
ALTER INDEX search_lexicon_word_trgm_idx SET (fastupdate = off);
ALTER INDEX search_documents_tsv_idx SET (fastupdate = off);
ALTER INDEX search_documents_tokens_trgm_idx SET (fastupdate = off);
ALTER INDEX search_documents_title_trgm_idx SET (fastupdate = off);
ALTER INDEX organisations_search_name_trgm_idx SET (fastupdate = off);
ALTER INDEX organisations_search_fold_trgm_idx SET (fastupdate = off);
-- Entries already pending are merged now.
SELECT gin_clean_pending_list(c.oid)
FROM pg_class c
WHERE c.relname IN ('search_lexicon_word_trgm_idx', 'search_documents_tsv_idx',
                    'search_documents_tokens_trgm_idx', 'search_documents_title_trgm_idx',
                    'organisations_search_name_trgm_idx', 'organisations_search_fold_trgm_idx');
