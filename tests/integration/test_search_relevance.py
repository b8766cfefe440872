"""Thai relevance on the PostgreSQL backend: recall@5 over tests/integration/search_corpus.py."""

from __future__ import annotations

from civic.search.port import SearchQuery
from civic.search.postgres import PostgresBackend
from tests.integration.search_corpus import CASES, DOCS, recall_at


async def test_thai_relevance_recall_at_5(pool, search_pool):
    backend = PostgresBackend(pool)
    await backend.upsert(DOCS, version=1)
    # as the app searches: on connections that carry the search settings from connect
    app_backend = PostgresBackend(pool, search_pool=search_pool)
    assert len(CASES) >= 40
    misses = []
    total = 0.0
    for q, relevant, why in CASES:
        result = await backend.search(SearchQuery(q=q, per_page=5))
        assert await app_backend.search(SearchQuery(q=q, per_page=5)) == result, q
        ids = [h.id for h in result.hits]
        r = recall_at(ids, relevant)
        total += r
        if r < 1.0:
            misses.append(f"{q!r} ({why}): wanted {sorted(relevant)}, got {ids} r@5={r:.2f}")
    mean = total / len(CASES)
    print(f"\nrecall@5 on {len(CASES)} Thai queries: {mean:.3f}")
    assert not misses, f"mean recall@5 {mean:.3f}\n" + "\n".join(misses)
