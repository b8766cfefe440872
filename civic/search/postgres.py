"""PostgreSQL search backend: the embedded default.

PostgreSQL has no Thai parser, so text is segmented in Python (civic.thai) and stored as
space-joined tokens: a 'simple'-style tsvector built from those tokens (title weight A, body D,
and the names of the document's province and agency C, weighed below the body: text.place_text)
for exact words, and pg_trgm on the token text for typos, prefixes and words inside compounds.
Both have GIN indexes. The database must use a UTF-8 LC_CTYPE (C.UTF-8), or pg_trgm drops Thai.

Ranking (one number per document, higher first; ties by newest):

    1.0  if every query concept matches (a concept = a query word or any of its synonyms)
  + text match: ts_rank(tsv, any concept), or from the postings the sum over concepts of the
    best impact ln(1 + occurrence weights); either way title words weigh 10x body words
  + 0.5  if a query word or synonym is inside a token (a word in a compound: ป้ายรถเมล์)
         (the shortest lexicon words holding a term: SUBSTRING_WORDS_PER_TERM a term, 10 in all)
  + 0.6 * word_similarity(query, tokens)    fuzzy: typos, prefixes, parts of compounds
  + 0.4 * word_similarity(query, title)     ... counted again when it is in the title
  + 0.03 * ln(2) * floor(log2(1 + popularity))   supports/comments in doublings (migration
                                            0024): 100 supports ~ +0.12
  + 0.05 * exp(-age / 1 year)               a little freshness, never enough to beat a match

Candidates come from search_postings (migration 0023): for each query word and synonym, the
documents with its highest impact (in the title, then most often), newest first among equals,
at most WORD_BUDGET shared among the words; and the same for the lexicon words that hold a query
term inside them (up to 4 `LIKE '%term%'` over search_lexicon, migration 0022, trigram-indexed).
Each posting carries its document's filters, facets, date and popularity (migration 0024), so
candidates are ranked and counted without reading search_documents.
All of that, the scoring, the page of hits and the facets are one statement (SEARCH_BEST, or its
shorter twin SEARCH_SIMPLE for queries of plain words). So a
word in half of 100k documents costs what a rare one does, and its best documents are the ones
ranked: the first page measured the same as with 8x the documents read (bench_search). Filters
are applied as the postings are read (they carry the filter columns), so a filtered search reads
the best documents within the filter, the same way. When a word has more documents (within the
filters) than were read, `total` and the facets count the candidates only
(SearchResult.total_exact is false), as Meilisearch's estimatedTotalHits does. When fewer than
FUZZY_BELOW documents are found, a word typed as one compound is tried as its two words apart
too (text.with_compounds_split: สวนสาธารณะ finds "สวน สาธารณะ"), as Meilisearch splits words. Only
when that still finds fewer is the query run again with typo tolerance (SEARCH_FUZZY):
documents word-similar to the query (pg_trgm `<%`, threshold by query length) join, and the two
word_similarity terms count in the rank (they cost one trigram comparison per candidate row,
too much to pay when exact matches abound).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import msgspec

from civic import thai
from civic.search import text
from civic.search.port import (
    FACET_FIELDS,
    SearchDocument,
    SearchHit,
    SearchQuery,
    SearchResult,
    empty_result,
)

log = logging.getLogger(__name__)

WORD_SIMILARITY = 0.5


def word_similarity_threshold(fuzzy_text: str) -> float:
    """Short queries have few trigrams, so two shared ones would already pass 0.5: "ขยะ" would
    match any word starting with ข. Short queries rely on exact and substring matches instead."""
    n = len(fuzzy_text)
    if n <= 3:
        return 1.0
    if n <= 5:
        return 0.7
    return WORD_SIMILARITY


UPSERT = """
INSERT INTO search_documents AS d (kind, entity_id, version, deleted, title, body, url, title_tokens,
                                   tokens, tsv, province, agency, status, created_at, popularity, indexed_at)
SELECT u.kind, u.entity_id, $1, false, u.title, u.body, u.url, u.title_tokens, u.tokens, u.tsv::tsvector,
       u.province, u.agency, u.status, COALESCE(u.created_at, now()), u.popularity, now()
FROM unnest($2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
            $9::text[], $10::text[], $11::text[], $12::text[], $13::timestamptz[], $14::int[])
     AS u(kind, entity_id, title, body, url, title_tokens, tokens, tsv, province, agency, status,
          created_at, popularity)
ON CONFLICT (kind, entity_id) DO UPDATE
SET version = EXCLUDED.version, deleted = false, title = EXCLUDED.title, body = EXCLUDED.body,
    url = EXCLUDED.url, title_tokens = EXCLUDED.title_tokens, tokens = EXCLUDED.tokens,
    tsv = EXCLUDED.tsv, province = EXCLUDED.province, agency = EXCLUDED.agency,
    status = EXCLUDED.status, created_at = EXCLUDED.created_at, popularity = EXCLUDED.popularity,
    indexed_at = now()
-- an older read never overwrites a newer one (replays and racing relays are harmless)
WHERE d.version <= EXCLUDED.version
"""

# A tombstone, not a DELETE: it keeps the version, so a late, older upsert cannot resurrect it.
DELETE = """
INSERT INTO search_documents AS d (kind, entity_id, version, deleted)
SELECT k, e, $1, true FROM unnest($2::text[], $3::bigint[]) AS u(k, e)
ON CONFLICT (kind, entity_id) DO UPDATE
SET version = EXCLUDED.version, deleted = true, title = '', body = '', url = '', title_tokens = '',
    tokens = '', tsv = ''::tsvector, indexed_at = now()
WHERE d.version <= EXCLUDED.version
"""

# The statements below are served by indexes. With a LIMIT and a broad tsquery the planner
# prefers a sequential scan that "stops early" (it assumes matches are spread evenly: 900 ms at
# 100k documents when they are not), so searches run with sequential scans off. And they are
# planned once per prepared statement: planning them anew took 1.2 ms, more than running most
# searches, and their parameters never change the plan's shape. Such a plan keeps the table
# sizes it was made with, but asyncpg prepares each statement again after 300 s
# (max_cached_statement_lifetime), so a plan is never older than that.
# The trigram index is scanned at the lowest threshold any query uses; a query with a higher one
# (word_similarity_threshold) sets its own for its SEARCH_FUZZY (PostgresBackend.search).
# A search pool (create_search_pool) has these settings from connect, so a search is one round
# trip; on any other connection they are set for a transaction around the search (two more,
# ~0.3 ms at p95).
SEARCH_SETTINGS = {
    "enable_seqscan": "off",
    "plan_cache_mode": "force_generic_plan",
    "pg_trgm.word_similarity_threshold": str(WORD_SIMILARITY),
}


async def create_search_pool(dsn: str, *, max_size: int, min_size: int = 1) -> asyncpg.Pool:
    from civic.db import create_pool

    return await create_pool(dsn, max_size=max_size, min_size=min_size, server_settings=SEARCH_SETTINGS)


@asynccontextmanager
async def _settings(conn: asyncpg.Connection, settings: dict[str, str]) -> AsyncIterator[None]:
    """`settings` for what runs inside (SET LOCAL: they end with the transaction). Outside one, a
    transaction is begun in the same round trip as they are set, and ended in every case (COMMIT
    after an error rolls back)."""
    if not settings:
        yield
        return
    set_local = "; ".join(f"SET LOCAL {k} = '{v}'" for k, v in settings.items())
    if conn.is_in_transaction():
        await conn.execute(set_local)
        yield
        return
    await conn.execute("BEGIN; " + set_local)
    try:
        yield
    finally:
        await conn.execute("COMMIT")


# What a posting carries of its document (migration 0024), so that candidates need no
# search_documents row: filters, facets, recency and popularity in doublings.
_CARRIED_COLUMNS = ("kind", "entity_id", "province", "agency", "status", "created_at", "doublings")
_POSTING_CARRIED = ", ".join(f"s.{c}" for c in _CARRIED_COLUMNS)
_CARRIED_NAMES = ", ".join(_CARRIED_COLUMNS)
_ANY_CARRIED = ", ".join(f"any_value({c}) AS {c}" for c in _CARRIED_COLUMNS[2:])


def _filtered(alias: str, first: int) -> str:
    """The filters kind, province, agency and status (parameters $first to $first+3; NULL: any)
    on `alias`."""
    return " ".join(
        f"AND (${n}::text IS NULL OR {alias}.{column} = ${n})"
        for n, column in enumerate(("kind", "province", "agency", "status"), start=first)
    )


def _popularity_score(doublings: str) -> str:
    """0.03 * ln(1 + popularity), counted in whole doublings (migration 0024)."""
    return f"0.03 * ln(2.0) * {doublings}"


# $1 all-concepts tsquery, $2 any-concept tsquery, $3 fuzzy text, $4-$7 filters, $8 limit, $9 offset,
# $10 substring tsquery (the lexicon words that contain a query term: SEARCH_BEST's `inside`) or NULL.
# The tsqueries are built from quoted lexemes (text.quote_lexeme) and cast, never parsed from input.
# SEARCH_FUZZY: words and substrings, each branch one bitmap scan of the tsvector GIN index that
# scores the rows it reads, plus pg_trgm word similarity, which must be computed per candidate
# row and is therefore only run when SEARCH_BEST found fewer than FUZZY_BELOW documents (typo
# tolerance when it is needed, as most engines do).
# Scoring a row costs reading its (TOASTed) tsvector, about 20 us, so candidates are capped:
# WORD_CANDIDATES documents that hold a query word or synonym, then SUBSTRING_CANDIDATES more
# that hold one only inside a longer word. `total` is then a lower bound, like Meilisearch's
# estimatedTotalHits. Only narrow columns and the score are kept; title, body and tokens are
# read for the page of hits alone.
_SCORED = """
    SELECT {branch} AS branch, d.kind, d.entity_id, d.province, d.agency, d.status, d.created_at,
           (CASE WHEN d.tsv @@ $1::tsquery THEN 1.0 ELSE 0.0 END
            + ts_rank('{{0.1, 0.05, 0.4, 1.0}}', d.tsv, $2::tsquery)
            + CASE WHEN d.tsv @@ $10::tsquery THEN 0.5 ELSE 0.0 END
            {fuzzy_score}
            + {popularity}
            + 0.05 * exp(-greatest(extract(epoch FROM now() - d.created_at)::float8, 0) / 31557600.0)
           ) AS score
    FROM search_documents d
    WHERE NOT d.deleted {filters}
      AND {match}
"""
WORD_CANDIDATES = 1500
SUBSTRING_CANDIDATES = 500
FUZZY_CANDIDATES = 500


# The page of hits (title and body are read for these rows alone), as an array of records (NULL
# when empty): asyncpg decodes those in binary, where building and parsing JSON of every body cost
# ~0.2 ms a search. And the candidates' four facet columns, as one array each, in the order of
# FACET_FIELDS: counting them in Python (collections.Counter, C code) cost about half of what four
# GROUP BYs over `m` cost in the statement (~0.25 ms at 400 candidates; one GROUPING SETS pass
# was slower still).
# {tokens}: the document's words, for marking near spellings in the hits of a fuzzy search only
# (NULL otherwise: reading that long column cost ~0.3 ms a page).
_PAGE_AND_FACETS = """
       (SELECT array_agg(ROW(h.kind, h.entity_id, d.title, d.body, d.url, {tokens})
                         ORDER BY h.score DESC, h.created_at DESC, h.kind, h.entity_id)
        FROM (SELECT * FROM m ORDER BY score DESC, created_at DESC, kind, entity_id
              LIMIT {limit} OFFSET {offset}) h
        JOIN search_documents d USING (kind, entity_id)) AS hits,
       (SELECT ROW(array_agg(kind), array_agg(province), array_agg(agency), array_agg(status)) FROM m) AS facets"""


def _fuzzy_sql() -> str:
    both = "+ 0.6 * word_similarity($3::text, d.tokens) + 0.4 * word_similarity($3::text, d.title_tokens)"
    branches = [
        ("d.tsv @@ $2::tsquery", WORD_CANDIDATES, both),
        ("d.tsv @@ $10::tsquery AND NOT d.tsv @@ $2::tsquery", SUBSTRING_CANDIDATES, both),
        # Titles only, and at most FUZZY_CANDIDATES: on bodies the trigram index returns most of
        # the table for common Thai characters. These rows are scored on the title alone (the
        # body's word_similarity costs ~0.1 ms a row, and tokens holds the title, so the body
        # could only raise the score): 1.0 * title similarity stands for 0.6 + 0.4.
        # `<%` is word_similarity at least pg_trgm.word_similarity_threshold, which the search
        # sets to the query's own threshold.
        ("$3::text <% d.title_tokens"
         " AND NOT d.tsv @@ $2::tsquery AND NOT COALESCE(d.tsv @@ $10::tsquery, false)",
         FUZZY_CANDIDATES, "+ word_similarity($3::text, d.title_tokens)"),
    ]  # fmt: skip
    popularity = _popularity_score("search_popularity_doublings(d.popularity)")
    union = "\n    UNION ALL\n".join(
        f"({_SCORED.format(fuzzy_score=score, match=match, branch=i, popularity=popularity, filters=_filtered('d', 4))}"
        f"    LIMIT {cap})"
        for i, (match, cap, score) in enumerate(branches)
    )
    capped = " OR ".join(
        f"count(*) FILTER (WHERE branch = {i}) >= {cap}" for i, (_, cap, _) in enumerate(branches)
    )
    return f"""
WITH m AS MATERIALIZED (
{union}
)
SELECT (SELECT count(*) FROM m) AS total, (SELECT {capped} FROM m) AS truncated,
{_PAGE_AND_FACETS.format(limit="$8", offset="$9", tokens="d.tokens")}
"""


# The first statement of every search: candidates from search_postings (migration 0023), the
# best and then newest documents of each query word, however common the word. A GIN bitmap
# could only give the first documents on disk, the oldest.
# $1 all-concepts tsquery; $2-$5 the query's words: lexeme, concept, alternative, alternative's
# size (a concept matches when a document holds every word of one of its alternatives);
# $6 documents read per word; $7 `LIKE '%term%'` patterns (text.like_patterns), $8 lexicon words
# taken per pattern; $9-$12 filters, applied as the postings are read (an index-only scan, as
# postings carry them); $13 limit, $14 offset; $15 `every`'s depth (EVERY_DEPTH).
# Scored as the module docstring says, with ts_rank replaced by the sum over concepts of the best
# stored impact. `truncated`: some word had more documents (within the filters) than were read,
# so `total` and the facets count the best candidates only.
# When every concept is truncated, the documents holding all of them may be none of the ones
# read (the best documents of one word rarely hold the other): `every` finds them (_every).
# `inside` (the lexicon words found) comes back too: SEARCH_FUZZY takes them as a tsquery.
# Documents read per query word: WORD_BUDGET shared among the words (a synonym-rich query has a
# dozen), never fewer than MIN_PER_WORD; the same for the words found inside, of which the
# shortest SUBSTRING_BUDGET / MIN_PER_SUBSTRING are read. Each candidate costs ~3 us (reading,
# grouping, facets; what else a search needs of the document comes with its postings), so these
# budgets set the time of a search of common words.
WORD_BUDGET = 300
MIN_PER_WORD = 60
SUBSTRING_BUDGET = 200
MIN_PER_SUBSTRING = 20
ALL_CANDIDATES = 500
EVERY_DEPTH = 1000
EVERY_ENOUGH = 50


def _hit(lexemes: str, per_word: str, filters: int) -> str:
    """The postings read for the query's words (`lexemes`: a FROM item with a `lexeme` column)."""
    return f"""hit AS MATERIALIZED (
    SELECT l.lexeme, p.*
    FROM {lexemes},
         LATERAL (SELECT {_POSTING_CARRIED}, s.impact FROM search_postings s WHERE s.lexeme = l.lexeme {_filtered('s', filters)}
                  ORDER BY s.impact DESC, s.created_at DESC LIMIT {per_word}) p
),
cut AS (SELECT lexeme FROM hit GROUP BY lexeme HAVING count(*) >= {per_word})"""


def _every(driver: str, all_cut: str, depth: str, filters: int) -> str:
    """The documents that match the whole query ($1), when every concept's list was cut
    (`all_cut`), up to ALL_CANDIDATES. First those among the first concept's best `depth`
    documents (`deep`: one primary-key probe of search_documents and its tsvector per document,
    ~2.5 us; a probe of the postings per other concept cost ~3.5 us a concept). Only when that
    finds fewer than EVERY_ENOUGH (the words seldom meet in the first one's best documents), the
    GIN index of the tsvectors, which finds any of them (the first on disk) but builds a bitmap of
    every document of each word first: ~2 ms a word held by 20k documents, whatever the LIMIT.
    `driver`: a FROM item `l` with the first concept's words as `lexeme`. A document held through
    two words of the first concept comes twice: `cand` groups them."""
    return f"""deep AS MATERIALIZED (
    SELECT p.*
    FROM {driver},
         LATERAL (SELECT {_POSTING_CARRIED} FROM search_postings s WHERE s.lexeme = l.lexeme {_filtered('s', filters)}
                  ORDER BY s.impact DESC, s.created_at DESC LIMIT {depth}) p
    WHERE {all_cut}
      AND EXISTS (SELECT FROM search_documents d
                  WHERE d.kind = p.kind AND d.entity_id = p.entity_id AND d.tsv @@ $1::tsquery AND NOT d.deleted)
    LIMIT {ALL_CANDIDATES}
),
every AS (
    SELECT {_CARRIED_NAMES} FROM deep
    UNION ALL
    (SELECT d.kind, d.entity_id, d.province, d.agency, d.status, d.created_at,
            search_popularity_doublings(d.popularity) AS doublings
     FROM search_documents d
     WHERE {all_cut} AND (SELECT count(*) < {EVERY_ENOUGH} FROM deep)
       AND d.tsv @@ $1::tsquery AND NOT d.deleted {_filtered('d', filters)}
     LIMIT {ALL_CANDIDATES})
)"""


def _inside(patterns: str, per_pattern: str, words: str, filters: int) -> str:
    """The lexicon words that hold a query term, and their postings (`sub`)."""
    return f"""inside AS MATERIALIZED (
    SELECT lexeme FROM (
        SELECT DISTINCT w.word AS lexeme
        FROM unnest({patterns}::text[]) AS p(pat),
             LATERAL (SELECT word FROM search_lexicon WHERE word LIKE p.pat
                      ORDER BY length(word), word LIMIT {per_pattern}) AS w
        WHERE w.word <> ALL({words}::text[])  -- the query's own words are matched as words already
    ) found
    ORDER BY length(lexeme), lexeme LIMIT {SUBSTRING_BUDGET // MIN_PER_SUBSTRING}
),
per_inside AS (SELECT greatest({MIN_PER_SUBSTRING}, {SUBSTRING_BUDGET} / greatest(count(*), 1)) AS n FROM inside),
sub AS MATERIALIZED (
    SELECT l.lexeme, p.*
    FROM inside l,
         LATERAL (SELECT {_POSTING_CARRIED} FROM search_postings s WHERE s.lexeme = l.lexeme {_filtered('s', filters)}
                  ORDER BY s.impact DESC, s.created_at DESC LIMIT (SELECT n FROM per_inside)) p
)"""


def _scored_and_page(limit: str, offset: str) -> str:
    """From `cand` (a row per document: its carried columns, text_score, all_match, inside): the
    scores, the counts and the page."""
    return f"""m AS MATERIALIZED (
    SELECT c.kind, c.entity_id, c.province, c.agency, c.status, c.created_at,
           (CASE WHEN c.all_match THEN 1.0 ELSE 0.0 END + c.text_score
            + CASE WHEN c.inside THEN 0.5 ELSE 0.0 END
            + {_popularity_score('c.doublings')}
            + 0.05 * exp(-greatest(extract(epoch FROM now() - c.created_at)::float8, 0) / 31557600.0)
           ) AS score
    FROM cand c
)
SELECT (SELECT count(*) FROM m) AS total,
       EXISTS (SELECT 1 FROM cut) OR EXISTS (SELECT 1 FROM sub GROUP BY lexeme HAVING count(*) >= (SELECT n FROM per_inside))
           OR (SELECT count(*) >= {ALL_CANDIDATES} FROM every) AS truncated,
       (SELECT array_agg(lexeme ORDER BY lexeme) FROM inside) AS inside,
{_PAGE_AND_FACETS.format(limit=limit, offset=offset, tokens="NULL::text")}
"""


_CANDIDATE_ROWS = f"""SELECT {_CARRIED_NAMES}, {{hit_values}}, false AS from_every, false AS from_sub FROM {{hit_rows}}
          UNION ALL SELECT {_CARRIED_NAMES}, {{no_hit}}, true, false FROM every
          UNION ALL SELECT {_CARRIED_NAMES}, {{no_hit}}, false, true FROM sub"""

_EVERY_CONCEPT_CUT = """SELECT count(DISTINCT concept) > 1
                  AND bool_and(EXISTS (SELECT 1 FROM q q2 JOIN cut USING (lexeme) WHERE q2.concept = c.concept))
           FROM (SELECT DISTINCT concept FROM q) c"""
SEARCH_BEST = f"""
WITH q AS (SELECT * FROM unnest($2::text[], $3::int[], $4::int[], $5::int[]) AS q(lexeme, concept, alt, alt_size)),
{_hit("(SELECT DISTINCT lexeme FROM q) l", "$6", 9)},
-- A concept matches a document that holds every word of one of its alternatives: any word of a
-- one-word alternative, or all the words of a longer one (`multi`, mostly empty). One level of
-- grouping per concept and one per document: each level cost ~0.2 ms at 500 candidates.
multi AS (
    SELECT kind, entity_id, concept
    FROM (SELECT h.kind, h.entity_id, q.concept, q.alt, q.alt_size, count(*) AS n
          FROM hit h JOIN q USING (lexeme) WHERE q.alt_size > 1 GROUP BY 1, 2, 3, 4, 5) a
    WHERE n = alt_size
),
concept_hit AS (
    SELECT h.kind, h.entity_id, {_ANY_CARRIED}, q.concept, max(h.impact) AS best,
           bool_or(q.alt_size = 1) OR (h.kind, h.entity_id, q.concept) IN (SELECT * FROM multi) AS whole
    FROM hit h JOIN q USING (lexeme) GROUP BY h.kind, h.entity_id, q.concept
),
{_every("(SELECT DISTINCT lexeme FROM q WHERE concept = 0 AND alt_size = 1) l", f"({_EVERY_CONCEPT_CUT})", "$15", 9)},
{_inside("$7", "$8", "$2", 9)},
cand AS (
    SELECT kind, entity_id, {_ANY_CARRIED}, COALESCE(sum(best), 0) AS text_score,
           count(*) FILTER (WHERE whole) = (SELECT count(DISTINCT concept) FROM q) OR bool_or(from_every) AS all_match,
           bool_or(from_sub) AS inside
    FROM ({_CANDIDATE_ROWS.format(hit_values="best, whole", hit_rows="concept_hit", no_hit="NULL, false")}) u
    GROUP BY kind, entity_id
),
{_scored_and_page("$13", "$14")}"""

# SEARCH_BEST for the commonest queries (_first_statement): one word, or one word and its
# one-word synonyms, or several words without synonyms. Each word then is its own concept, or
# all of them are one, so a document's concepts are counted and scored straight from its
# postings: one level of grouping, not two (~13 % less time over the bench queries). The same results:
# tests/integration/test_search_postings.py runs both on the relevance set.
# $1 all-concepts tsquery; $2 the words, distinct; $3 the number of concepts (1, or one a word);
# $4 documents read per word; $5 patterns, $6 lexicon words per pattern; $7-$10 filters;
# $11 limit, $12 offset, $13 `every`'s depth.
SEARCH_SIMPLE = f"""
WITH {_hit("unnest($2::text[]) AS l(lexeme)", "$4", 7)},
{_every("(SELECT ($2::text[])[1] AS lexeme) l", "$3 > 1 AND (SELECT count(*) FROM cut) = $3", "$13", 7)},
{_inside("$5", "$6", "$2", 7)},
cand AS (
    SELECT kind, entity_id, {_ANY_CARRIED},
           COALESCE(CASE WHEN $3 = 1 THEN max(impact) ELSE sum(impact) END, 0) AS text_score,
           CASE WHEN $3 = 1 THEN bool_or(from_hit) ELSE count(*) FILTER (WHERE from_hit) = $3 END
               OR bool_or(from_every) AS all_match,
           bool_or(from_sub) AS inside
    FROM ({_CANDIDATE_ROWS.format(hit_values="impact, true AS from_hit", hit_rows="hit", no_hit="NULL, false")}) u
    GROUP BY kind, entity_id
),
{_scored_and_page("$11", "$12")}"""

SEARCH_FUZZY = _fuzzy_sql()
FUZZY_BELOW = 5

# Words inside compounds (SEARCH_BEST's `inside`): the lexicon words (migrations/0022) that
# contain a query term, each LIKE pattern served by the lexicon's trigram index. Shortest first
# (closest to the term), at most SUBSTRING_WORDS_PER_TERM per term, so a fragment common to
# thousands of words stays bounded.
SUBSTRING_WORDS_PER_TERM = 15  # each word is one more list of documents to read

COUNT_LIVE = "SELECT count(*) FROM search_documents WHERE NOT deleted"

# What the search statements read (index-only scans of the postings, the page's documents, the
# lexicon, the tsvector and title-trigram indexes), prewarmed when they fit in half of shared
# buffers: more would push out whatever else the database keeps there.
SEARCH_RELATIONS = (
    "search_postings_best_idx", "search_documents", "search_documents_pkey", "search_documents_tsv_idx",
    "search_documents_title_trgm_idx", "search_lexicon", "search_lexicon_word_trgm_idx",
)  # fmt: skip
# Every app process starts the prewarm; the first to take this lock (held to the end of its
# transaction) does it, and the others find the pages loaded or loading.
PREWARM_LOCK_KEY = 0x63697669632D7077  # "civic-pw"
PREWARM = f"""
SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_prewarm') THEN 'no pg_prewarm'
            WHEN (SELECT sum(pg_relation_size(r::regclass)) FROM unnest($1::text[]) r)
                 > pg_size_bytes(current_setting('shared_buffers')) / 2 THEN 'larger than half of shared_buffers'
            WHEN NOT pg_try_advisory_xact_lock({PREWARM_LOCK_KEY}) THEN 'another process is prewarming them'
       END AS skipped
"""


async def prewarm(conn: asyncpg.Connection) -> int:
    """Load SEARCH_RELATIONS into shared buffers (pg_prewarm, migration 0025), as a search engine
    keeps its index in memory: the first search of a word then finds its postings there. Returns
    the blocks loaded, 0 when skipped (no pg_prewarm, too large, or another process at it; logged)."""
    async with conn.transaction():
        skipped = await conn.fetchval(PREWARM, list(SEARCH_RELATIONS))
        if skipped:
            log.info("search relations not prewarmed: %s", skipped)
            return 0
        # pg_prewarm is called by name only once it is known to exist (a statement naming a
        # missing function fails when it is planned)
        return await conn.fetchval(
            "SELECT sum(pg_prewarm(r::regclass))::bigint FROM unnest($1::text[]) r", list(SEARCH_RELATIONS)
        )


def _query_words(aq: text.AnalysedQuery) -> tuple[list[str], list[int], list[int], list[int]]:
    """SEARCH_BEST's $2-$5: every word of every alternative of every concept, with the size of its
    alternative."""
    rows = [
        (word, c, a, len(set(alt)))
        for c, group in enumerate(aq.groups)
        for a, alt in enumerate(group)
        for word in sorted(set(alt))
    ]
    lexemes, concepts, alts, sizes = (list(col) for col in zip(*rows, strict=True))
    return lexemes, concepts, alts, sizes


def _first_statement(
    aq: text.AnalysedQuery, query: SearchQuery, patterns: list[str], *, general: bool = False
) -> tuple[str, tuple]:
    """SEARCH_SIMPLE and its arguments when it can serve the query (every alternative one word,
    the words distinct, and one concept or a concept a word), unless `general`; else SEARCH_BEST."""
    lexemes, concepts, alts, sizes = _query_words(aq)
    per_word = max(MIN_PER_WORD, WORD_BUDGET // len(set(lexemes)))
    n = len(set(concepts))
    rest = (patterns, SUBSTRING_WORDS_PER_TERM, query.kind, query.province, query.agency, query.status,
            query.per_page, query.offset, EVERY_DEPTH)  # fmt: skip
    if general or set(sizes) != {1} or len(set(lexemes)) != len(lexemes) or n not in (1, len(lexemes)):
        return SEARCH_BEST, (text.tsquery_all(aq), lexemes, concepts, alts, sizes, per_word, *rest)
    return SEARCH_SIMPLE, (text.tsquery_all(aq), lexemes, n, per_word, *rest)


class PostgresBackend:
    name = "postgres"

    def __init__(self, db: asyncpg.Pool | asyncpg.Connection, *, search_pool: asyncpg.Pool | None = None) -> None:
        """db: for writes, and for searches when there is no search_pool (create_search_pool)."""
        self._db = db
        self._search_pool = search_pool

    @asynccontextmanager
    async def _conn(self) -> AsyncIterator[asyncpg.Connection]:
        if isinstance(self._db, asyncpg.Pool):
            async with self._db.acquire() as conn:
                yield conn
        else:
            yield self._db

    @asynccontextmanager
    async def _search_conn(self) -> AsyncIterator[asyncpg.Connection]:
        if self._search_pool is not None:
            async with self._search_pool.acquire() as conn:
                yield conn
        else:
            async with self._conn() as conn, _settings(conn, SEARCH_SETTINGS):
                yield conn

    async def ensure_index(self) -> None:
        # The table and its GIN indexes come from migrations/0020_create_search_documents.sql.
        async with self._conn() as conn:
            await conn.fetchval("SELECT 1 FROM search_documents LIMIT 1")

    async def upsert(self, docs: list[SearchDocument], version: int) -> None:
        if not docs:
            return
        cols: list[list] = [[] for _ in range(13)]
        for d in docs:
            d = SearchDocument(
                **(
                    msgspec.structs.asdict(d)
                    | {"title": text.strip_control(d.title), "body": text.strip_control(d.body)}
                )
            )
            title_tokens = thai.tokenise(d.title or "")
            body_tokens = thai.tokenise(d.body or "")
            row = (
                d.kind, d.id, d.title or "", d.body or "", d.url or "", " ".join(title_tokens),
                " ".join(title_tokens + body_tokens),
                text.tsvector_literal(title_tokens, body_tokens, thai.tokenise(text.place_text(d))),
                d.province, d.agency, d.status, d.created_at, int(d.popularity or 0),
            )  # fmt: skip
            for col, value in zip(cols, row, strict=True):
                col.append(value)
        async with self._conn() as conn:
            await conn.execute(UPSERT, version, *cols)

    async def delete(self, keys: list[tuple[str, int]], version: int) -> None:
        if not keys:
            return
        async with self._conn() as conn:
            await conn.execute(DELETE, version, [k for k, _ in keys], [e for _, e in keys])

    async def count(self) -> int:
        async with self._conn() as conn:
            return await conn.fetchval(COUNT_LIVE)

    async def search(self, query: SearchQuery) -> SearchResult:
        query = query.clamped()
        aq = text.analyse(query.q)
        if aq.empty:
            return empty_result(query)
        patterns = [p for p in text.like_patterns(aq) if p is not None]
        threshold = word_similarity_threshold(aq.fuzzy_text)
        async with self._search_conn() as conn:
            sql, args = _first_statement(aq, query, patterns)
            row = await conn.fetchrow(sql, *args)
            if row["total"] < FUZZY_BELOW and (split := text.with_compounds_split(aq)) is not None:
                sql, args = _first_statement(split, query, patterns)
                split_row = await conn.fetchrow(sql, *args)
                if split_row["total"] > row["total"]:
                    row, aq = split_row, split
            if row["total"] < FUZZY_BELOW and threshold < 1.0:
                q_sub = " | ".join(text.quote_lexeme(w) for w in row["inside"] or []) or None
                # The title-trigram index scanned at this query's own threshold: at the pool's
                # lowest, a short query's few trigrams matched thousands of titles, each then
                # rechecked and dropped (a 5-letter query: 42 ms, and 2.4 ms so; one more round trip).
                trigram = {"pg_trgm.word_similarity_threshold": str(threshold)} if threshold > WORD_SIMILARITY else {}
                async with _settings(conn, trigram):
                    row = await conn.fetchrow(
                        SEARCH_FUZZY, text.tsquery_all(aq), text.tsquery_any(aq), aq.fuzzy_text, query.kind,
                        query.province, query.agency, query.status, query.per_page, query.offset, q_sub,
                    )  # fmt: skip
        facets = {}
        for field, values in zip(FACET_FIELDS, row["facets"], strict=True):
            counts = Counter(values or ())
            counts.pop(None, None)  # a document without a province (or agency, status) has no value
            facets[field] = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
        hits = []
        for kind, entity_id, title, body, url, tokens in row["hits"] or ():
            terms = text.terms_for_document(aq, tokens.split() if tokens else [])  # tokens: fuzzy only
            hits.append(
                SearchHit(
                    kind=kind,
                    id=entity_id,
                    url=url,
                    title=str(text.highlight_title(title, terms)),
                    snippet=str(text.snippet(body, terms)),
                )
            )
        return SearchResult(
            query=query.q,
            total=row["total"],
            total_exact=not row["truncated"],
            hits=hits,
            facets=facets,
            page=query.page,
            per_page=query.per_page,
        )
