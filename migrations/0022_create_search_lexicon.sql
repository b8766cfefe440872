-- Every distinct lexeme of the search index, for words inside compounds (civic.search.postgres).
-- A query fragment such as รถเมล์ must also find ป้ายรถเมล์. `tokens LIKE '%รถเมล์%'` over
-- 100k documents rechecks the whole token text of every document that shares its trigrams
-- (up to 400 ms); the same LIKE over this table of short, distinct words takes about a
-- millisecond, and the words it finds are then matched exactly through the tsvector GIN index.
-- Kept by statement-level triggers, so every writer (upsert, COPY loads, manual SQL) feeds it.
-- Words are never removed: a stale word only expands a query to a lexeme no document has.
CREATE TABLE search_lexicon (word text PRIMARY KEY);
CREATE INDEX search_lexicon_word_trgm_idx ON search_lexicon USING gin (word gin_trgm_ops);

INSERT INTO search_lexicon (word)
SELECT DISTINCT w FROM search_documents, unnest(tsvector_to_array(tsv)) AS w
ON CONFLICT DO NOTHING;

-- Sorted, so that two concurrent writers take the same keys in the same order (no deadlock).
CREATE FUNCTION search_lexicon_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_lexicon (word)
    SELECT DISTINCT w FROM new_rows, unnest(tsvector_to_array(new_rows.tsv)) AS w
    WHERE NOT EXISTS (SELECT 1 FROM search_lexicon l WHERE l.word = w)
    ORDER BY w
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

-- Transition tables allow one event per trigger, hence two.
CREATE TRIGGER search_lexicon_after_insert AFTER INSERT ON search_documents
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_lexicon_add();
CREATE TRIGGER search_lexicon_after_update AFTER UPDATE ON search_documents
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_lexicon_add();
