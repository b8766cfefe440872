-- No statement reads search_documents_tokens_trgm_idx: typo tolerance matches titles alone (on
-- whole documents the trigram index returned most of the table for common Thai characters), and
-- a fuzzy score's word_similarity over the tokens is computed on rows found otherwise. It was the
-- largest search index, and every document written paid for it.
DROP INDEX search_documents_tokens_trgm_idx;
