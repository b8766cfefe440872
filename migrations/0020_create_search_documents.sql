-- The embedded search index (civic.search.postgres). One row per searchable entity.
-- title/body are the author's originals, kept for display and highlighting; `tokens` and
-- `tsv` hold the repaired, normalised, segmented text (civic.thai.tokens_for_index).
-- `version` is the database clock (microseconds) when the relay read the entity: an upsert
-- carrying an older version never overwrites a newer one, so replays are harmless.
-- A delete keeps a tombstone (deleted = true) with its version for the same reason.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE search_documents (
    kind         text NOT NULL,
    entity_id    bigint NOT NULL,
    version      bigint NOT NULL,
    deleted      boolean NOT NULL DEFAULT false,
    title        text NOT NULL DEFAULT '',
    body         text NOT NULL DEFAULT '',
    url          text NOT NULL DEFAULT '',
    title_tokens text NOT NULL DEFAULT '',
    tokens       text NOT NULL DEFAULT '',
    tsv          tsvector NOT NULL DEFAULT ''::tsvector,
    province     text,
    agency       text,
    status       text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    popularity   integer NOT NULL DEFAULT 0,
    indexed_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, entity_id)
);

CREATE INDEX search_documents_tsv_idx ON search_documents USING gin (tsv);
CREATE INDEX search_documents_tokens_trgm_idx ON search_documents USING gin (tokens gin_trgm_ops);
CREATE INDEX search_documents_title_trgm_idx ON search_documents USING gin (title_tokens gin_trgm_ops);
