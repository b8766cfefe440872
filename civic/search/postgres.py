"""PostgreSQL search backend: the embedded default.

PostgreSQL has no Thai parser, so text is segmented in Python (civic.thai) and stored as
space-joined tokens: a 'simple'-style tsvector built from those tokens (title weight A, body D)
for exact words, and pg_trgm on the token text for typos, prefixes and words inside compounds.
Both have GIN indexes. The database must use a UTF-8 LC_CTYPE (C.UTF-8), or pg_trgm drops Thai.

Ranking (one number per document, higher first; ties by newest):

    1.0  if every query concept matches (a concept = a query word or any of its synonyms)
  + ts_rank(tsv, any concept)               exact words; title words weigh 10x body words
  + 0.5  if a query word or synonym is inside a token (a word in a compound: ป้ายรถเมล์)
  + 0.6 * word_similarity(query, tokens)    fuzzy: typos, prefixes, parts of compounds
  + 0.4 * word_similarity(query, title)     ... counted again when it is in the title
  + 0.03 * ln(1 + popularity)               supports/comments: 100 supports ~ +0.14
  + 0.05 * exp(-age / 1 year)               a little freshness, never enough to beat a match

A document is a candidate when the tsvector matches any concept, or a term is a substring of
its tokens (up to 4 `LIKE '%term%'`, each served by the trigram index). Only when that finds
fewer than FUZZY_BELOW documents is the query run again with typo tolerance: documents
word-similar to the query (pg_trgm `<%`, threshold by query length) join, and the two
word_similarity terms count in the rank (they cost one trigram comparison per candidate row,
too much to pay when exact matches abound).
"""

from __future__ import annotations

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

SET_THRESHOLD = "SELECT set_config('pg_trgm.word_similarity_threshold', $1, true)"

# $1 all-concepts tsquery, $2 any-concept tsquery, $3 fuzzy text, $4-$7 filters, $8 limit, $9 offset,
# $10-$13 substring LIKE patterns (text.like_patterns) or NULL.
# The tsqueries are built from quoted lexemes (text.quote_lexeme) and cast, never parsed from input.
# Two statements from one template (constants; nothing from input): EXACT matches words and
# substrings, both served by GIN indexes; FUZZY adds pg_trgm word similarity, which must be
# computed per candidate row and is therefore only run when EXACT found fewer than FUZZY_BELOW
# documents (typo tolerance when it is needed, as most engines do).
_SEARCH_TEMPLATE = """
WITH p AS (SELECT $1::tsquery AS q_all, $2::tsquery AS q_any, $3::text AS fz),
-- Candidates: one index-served branch per condition. As one OR-ed WHERE the planner
-- estimated a sequential scan cheaper and evaluated every condition on every row (700 ms at
-- 20k documents); as a UNION each branch is a GIN bitmap scan (about 2 ms each).
-- Each branch is capped (5000 word matches, 1000 per substring), so a very common word costs
-- bounded work; `total` is then a lower bound, like Meilisearch's estimatedTotalHits.
cand AS (
    (SELECT kind, entity_id FROM search_documents WHERE tsv @@ $2::tsquery LIMIT 5000)
    UNION (SELECT kind, entity_id FROM search_documents WHERE tokens LIKE $10::text LIMIT 1000)
    UNION (SELECT kind, entity_id FROM search_documents WHERE tokens LIKE $11::text LIMIT 1000)
    UNION (SELECT kind, entity_id FROM search_documents WHERE tokens LIKE $12::text LIMIT 1000)
    UNION (SELECT kind, entity_id FROM search_documents WHERE tokens LIKE $13::text LIMIT 1000)
    {fuzzy_match}
),
m AS MATERIALIZED (
    SELECT d.kind, d.entity_id, d.title, d.body, d.url, d.tokens, d.province, d.agency, d.status,
           d.created_at,
           (CASE WHEN d.tsv @@ p.q_all THEN 1.0 ELSE 0.0 END
            + ts_rank(d.tsv, p.q_any)
            + CASE WHEN d.tokens LIKE $10 OR d.tokens LIKE $11 OR d.tokens LIKE $12 OR d.tokens LIKE $13
                   THEN 0.5 ELSE 0.0 END
            {fuzzy_score}
            + 0.03 * ln(1 + greatest(d.popularity, 0))
            + 0.05 * exp(-greatest(extract(epoch FROM now() - d.created_at), 0) / 31557600.0)
           ) AS score
    FROM cand JOIN search_documents d USING (kind, entity_id), p
    WHERE NOT d.deleted
      AND ($4::text IS NULL OR d.kind = $4)
      AND ($5::text IS NULL OR d.province = $5)
      AND ($6::text IS NULL OR d.agency = $6)
      AND ($7::text IS NULL OR d.status = $7)
)
SELECT (SELECT count(*) FROM m) AS total,
       (SELECT COALESCE(jsonb_agg(jsonb_build_object(
                   'kind', h.kind, 'id', h.entity_id, 'title', h.title, 'body', h.body,
                   'url', h.url, 'tokens', h.tokens) ORDER BY h.score DESC, h.created_at DESC), '[]')
        FROM (SELECT * FROM m ORDER BY score DESC, created_at DESC, kind, entity_id
              LIMIT $8 OFFSET $9) h) AS hits,
       (SELECT COALESCE(jsonb_agg(jsonb_build_array(f.field, f.value, f.n)), '[]')
        FROM (SELECT 'kind' AS field, kind AS value, count(*) AS n FROM m GROUP BY kind
              UNION ALL SELECT 'province', province, count(*) FROM m WHERE province IS NOT NULL GROUP BY province
              UNION ALL SELECT 'agency', agency, count(*) FROM m WHERE agency IS NOT NULL GROUP BY agency
              UNION ALL SELECT 'status', status, count(*) FROM m WHERE status IS NOT NULL GROUP BY status
             ) f) AS facets
"""
SEARCH_EXACT = _SEARCH_TEMPLATE.format(fuzzy_score="", fuzzy_match="")
SEARCH_FUZZY = _SEARCH_TEMPLATE.format(
    fuzzy_score="+ 0.6 * word_similarity(p.fz, d.tokens) + 0.4 * word_similarity(p.fz, d.title_tokens)",
    # titles only, and at most 500: on bodies the trigram index returns most of the
    # table for common Thai characters and each recheck is a word_similarity over the whole body
    fuzzy_match="UNION (SELECT kind, entity_id FROM search_documents WHERE $3::text <% title_tokens LIMIT 500)",
)
FUZZY_BELOW = 5

COUNT_LIVE = "SELECT count(*) FROM search_documents WHERE NOT deleted"


class PostgresBackend:
    name = "postgres"

    def __init__(self, db: asyncpg.Pool | asyncpg.Connection) -> None:
        self._db = db

    @asynccontextmanager
    async def _conn(self) -> AsyncIterator[asyncpg.Connection]:
        if isinstance(self._db, asyncpg.Pool):
            async with self._db.acquire() as conn:
                yield conn
        else:
            yield self._db

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
                " ".join(title_tokens + body_tokens), text.tsvector_literal(title_tokens, body_tokens),
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
        args = (
            text.tsquery_all(aq), text.tsquery_any(aq), aq.fuzzy_text, query.kind, query.province,
            query.agency, query.status, query.per_page, query.offset, *text.like_patterns(aq),
        )  # fmt: skip
        async with self._conn() as conn:
            row = await conn.fetchrow(SEARCH_EXACT, *args)
            if row["total"] < FUZZY_BELOW and word_similarity_threshold(aq.fuzzy_text) < 1.0:
                async with conn.transaction():
                    await conn.execute(SET_THRESHOLD, str(word_similarity_threshold(aq.fuzzy_text)))
                    row = await conn.fetchrow(SEARCH_FUZZY, *args)
        facets: dict[str, dict[str, int]] = {f: {} for f in FACET_FIELDS}
        for field, value, n in row["facets"]:
            facets[field][value] = n
        for field in facets:
            facets[field] = dict(sorted(facets[field].items(), key=lambda kv: (-kv[1], kv[0])))
        hits = []
        for h in row["hits"]:
            terms = text.terms_for_document(aq, h["tokens"].split())
            hits.append(
                SearchHit(
                    kind=h["kind"],
                    id=h["id"],
                    url=h["url"],
                    title=str(text.highlight_title(h["title"], terms)),
                    snippet=str(text.snippet(h["body"], terms)),
                )
            )
        return SearchResult(
            query=query.q,
            total=row["total"],
            hits=hits,
            facets=facets,
            page=query.page,
            per_page=query.per_page,
        )
