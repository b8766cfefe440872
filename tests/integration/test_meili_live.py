"""The SAME Thai relevance cases as test_search_relevance.py, against a real Meilisearch.

Runs only when MEILI_URL is set (MEILI_KEY optional); otherwise skipped with the reason shown
by `pytest -ra`. It uses a throw-away index (civic_test_<random>) and deletes it afterwards.
See README.md, "Search: running the live Meilisearch suite".
"""

from __future__ import annotations

import os
import uuid

import pytest

from civic.search.meili import MeiliBackend
from civic.search.port import SearchQuery
from tests.integration.search_corpus import CASES, DOCS, recall_at

MEILI_URL = os.environ.get("MEILI_URL")

pytestmark = pytest.mark.skipif(
    not MEILI_URL,
    reason="MEILI_URL is not set: no Meilisearch server to test against "
    "(start one, e.g. `docker run -p 7700:7700 getmeili/meilisearch:v1.50.0`, then MEILI_URL=http://127.0.0.1:7700)",
)


@pytest.fixture
async def backend():
    b = MeiliBackend(MEILI_URL, os.environ.get("MEILI_KEY"), f"civic_test_{uuid.uuid4().hex[:8]}")
    await b.ensure_index()
    yield b
    b.client.delete_index(b.index_uid)


async def test_meili_thai_relevance_recall_at_5(backend):
    """Every query must find all its relevant documents in the top 5, as on PostgreSQL: one miss
    fails the test (a mean would hide it)."""
    await backend.upsert(DOCS, version=1)
    misses, total = [], 0.0
    for q, relevant, why in CASES:
        result = await backend.search(SearchQuery(q=q, per_page=5))
        ids = [h.id for h in result.hits]
        r = recall_at(ids, relevant)
        total += r
        if r < 1.0:
            misses.append(f"{q!r} ({why}): recall@5 {r:.2f}, wanted {sorted(relevant)}, got {ids}")
    mean = total / len(CASES)
    print(f"\nMeilisearch recall@5 on {len(CASES)} Thai queries: {mean:.3f}")
    for line in misses:
        print("  miss:", line)
    assert not misses, (
        f"{len(misses)} of {len(CASES)} queries below recall@5 = 1 (mean {mean:.3f})\n" + "\n".join(misses)
    )


async def test_meili_filters_facets_and_delete(backend):
    await backend.upsert(DOCS, version=1)
    result = await backend.search(SearchQuery(q="ขยะ", kind="consultation"))
    assert [h.id for h in result.hits] == [25]
    await backend.delete([("consultation", 25)], version=2)
    assert (await backend.search(SearchQuery(q="ขยะ", kind="consultation"))).total == 0
