-- Each posting carries what a search needs of its document besides the words: the filters and
-- facets (province, agency, status) and its popularity. The first search statement then reads no
-- search_documents row per candidate: that primary-key read was ~2.3 us of the ~5.5 us a
-- candidate cost, up to 1 ms of a search at 100k documents (bench/bench_search.py).
-- Popularity is kept in doublings, floor(log2(1 + popularity)), and ranks as ln(2) per doubling:
-- a support then rewrites a document's postings only when its popularity doubles, not every time.
CREATE FUNCTION search_popularity_doublings(popularity integer) RETURNS smallint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    -- numeric log: exact at powers of two, where a float8 quotient can land just under
    SELECT floor(log(2.0, 1 + greatest(popularity, 0)))::smallint
$$;

DROP INDEX search_postings_best_idx;
TRUNCATE search_postings;
ALTER TABLE search_postings
    ADD COLUMN province   text,
    ADD COLUMN agency     text,
    ADD COLUMN status     text,
    ADD COLUMN doublings  smallint NOT NULL;

INSERT INTO search_postings (lexeme, kind, entity_id, impact, created_at, province, agency, status, doublings)
SELECT p.lexeme, d.kind, d.entity_id, p.impact, d.created_at, d.province, d.agency, d.status,
       search_popularity_doublings(d.popularity)
FROM search_documents d, search_postings_of(d.tsv) p
WHERE NOT d.deleted;

CREATE INDEX search_postings_best_idx ON search_postings (lexeme, impact DESC, created_at DESC)
    INCLUDE (kind, entity_id, province, agency, status, doublings);

CREATE OR REPLACE FUNCTION search_postings_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_postings (lexeme, kind, entity_id, impact, created_at, province, agency, status, doublings)
    SELECT p.lexeme, n.kind, n.entity_id, p.impact, n.created_at, n.province, n.agency, n.status,
           search_popularity_doublings(n.popularity)
    FROM new_rows n, search_postings_of(n.tsv) p
    WHERE NOT n.deleted;
    RETURN NULL;
END
$$;

-- Whether the postings of a document row are stale after an update.
CREATE FUNCTION search_postings_stale(o search_documents, n search_documents) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT o.tsv IS DISTINCT FROM n.tsv OR o.deleted <> n.deleted OR o.created_at <> n.created_at
        OR o.province IS DISTINCT FROM n.province OR o.agency IS DISTINCT FROM n.agency
        OR o.status IS DISTINCT FROM n.status
        OR search_popularity_doublings(o.popularity) <> search_popularity_doublings(n.popularity)
$$;

-- Only stale postings are rewritten; a tombstone keeps none.
CREATE OR REPLACE FUNCTION search_postings_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM search_postings p
    USING new_rows n JOIN old_rows o USING (kind, entity_id)
    WHERE p.kind = n.kind AND p.entity_id = n.entity_id AND search_postings_stale(o, n);
    INSERT INTO search_postings (lexeme, kind, entity_id, impact, created_at, province, agency, status, doublings)
    SELECT p.lexeme, n.kind, n.entity_id, p.impact, n.created_at, n.province, n.agency, n.status,
           search_popularity_doublings(n.popularity)
    FROM new_rows n JOIN old_rows o USING (kind, entity_id), search_postings_of(n.tsv) p
    WHERE NOT n.deleted AND search_postings_stale(o, n);
    RETURN NULL;
END
$$;
