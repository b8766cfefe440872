-- Place and agency names in the search index (civic.search.text.place_text): a document is also
-- found by its province's names (Thai, English, short forms) and its agency's, stored in the
-- tsvector with weight C. They must count for less than a word the author wrote, so C now
-- weighs 0.05, below a body occurrence (D, 0.1); A and D are unchanged. No document carried
-- weight C before, so the stored postings are all still right.
CREATE OR REPLACE FUNCTION search_postings_of(tsv tsvector) RETURNS TABLE (lexeme text, impact real)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT u.lexeme,
           ln(1 + 1.0 * cardinality(array_positions(u.weights, 'A')) + 0.4 * cardinality(array_positions(u.weights, 'B'))
                + 0.05 * cardinality(array_positions(u.weights, 'C')) + 0.1 * cardinality(array_positions(u.weights, 'D')))::real
    FROM unnest(tsv) AS u
$$;
