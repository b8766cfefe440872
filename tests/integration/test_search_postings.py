"""Impact-ordered postings (migrations 0023, 0024): kept in step with the documents, and what they buy:
the best and newest documents of a common word, however many hold it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from civic.search import postgres
from civic.search.port import SearchDocument, SearchQuery
from civic.search.postgres import PostgresBackend

START = datetime(2025, 1, 1, tzinfo=UTC)


def doc(i: int, title: str, body: str = "", day: int = 0, **kw) -> SearchDocument:
    return SearchDocument(
        kind="idea",
        id=i,
        title=title,
        body=body,
        url=f"/ideas/{i}",
        created_at=START + timedelta(days=day),
        **kw,
    )


async def postings(conn, entity_id: int) -> dict[str, float]:
    rows = await conn.fetch(
        "SELECT lexeme, impact FROM search_postings WHERE kind = 'idea' AND entity_id = $1", entity_id
    )
    return {r["lexeme"]: round(r["impact"], 3) for r in rows}


async def test_postings_follow_the_words_of_each_document(pool, conn):
    backend = PostgresBackend(pool)
    await backend.upsert([doc(1, "ขยะ", "ขยะ ล้น ขยะ")], version=1)
    # ln(1 + weights): in the title (1.0) and twice in the body (0.1 each), once in the body
    assert await postings(conn, 1) == {"ขยะ": 0.788, "ล้น": 0.095}

    async def carried() -> set[tuple]:
        rows = await conn.fetch(
            "SELECT province, agency, status, doublings, xmin::text FROM search_postings WHERE entity_id = 1"
        )
        return {tuple(r) for r in rows}

    # what a search needs of the document travels with each posting (migration 0024)
    await backend.upsert([doc(1, "ขยะ", "ขยะ ล้น ขยะ", province="CMI", agency="bma", status="open", popularity=40)], version=2)
    [(*values, xmin)] = await carried()
    assert values == ["CMI", "bma", "open", 5]  # 40 supports: five doublings
    # a support that does not double the popularity leaves the postings alone
    await backend.upsert([doc(1, "ขยะ", "ขยะ ล้น ขยะ", province="CMI", agency="bma", status="open", popularity=62)], version=3)
    assert await carried() == {("CMI", "bma", "open", 5, xmin)}
    await backend.upsert([doc(1, "ขยะ", "ขยะ ล้น ขยะ", province="CMI", agency="bma", status="done", popularity=62)], version=4)
    assert {r[:4] for r in await carried()} == {("CMI", "bma", "done", 5)}
    await backend.upsert([doc(1, "ขยะ", "ขยะ ล้น ขยะ", province="CMI", agency="bma", status="done", popularity=63)], version=5)
    assert {r[:4] for r in await carried()} == {("CMI", "bma", "done", 6)}  # 63 supports: the sixth doubling

    await backend.upsert([doc(1, "ไฟถนน", "ดับ")], version=6)
    assert set(await postings(conn, 1)) == {"ไฟถนน", "ดับ"}
    await backend.delete([("idea", 1)], version=7)
    assert await postings(conn, 1) == {}
    # rows removed by hand (a bulk reload) take their postings with them
    await backend.upsert([doc(2, "ขยะ"), doc(3, "ขยะ")], version=8)
    await conn.execute("DELETE FROM search_documents WHERE entity_id = 2")
    assert (await postings(conn, 2), await postings(conn, 3)) == ({}, {"ขยะ": 0.693})
    await conn.execute("TRUNCATE search_documents")
    assert await conn.fetchval("SELECT count(*) FROM search_postings") == 0


@pytest.fixture
def small_budget(monkeypatch):
    """Twenty documents read per word, so that a few dozen documents make a word common."""
    monkeypatch.setattr(postgres, "WORD_BUDGET", 20)
    monkeypatch.setattr(postgres, "MIN_PER_WORD", 20)


async def test_a_common_word_ranks_its_best_and_newest_documents_not_the_first_on_disk(pool, small_budget):
    backend = PostgresBackend(pool)
    await backend.upsert([doc(i, f"เรื่องที่ {i}", "ขยะ ล้น ถัง", day=i) for i in range(1, 61)], version=1)
    await backend.upsert([doc(100, "ขยะ ริมคลอง", "ส่งกลิ่น", day=90)], version=1)
    result = await backend.search(SearchQuery(q="ขยะ"))
    # the title match comes first, then the newest of the body matches
    assert [h.id for h in result.hits[:3]] == [100, 60, 59]
    assert result.total == 20 and not result.total_exact


async def test_a_filter_on_a_common_word_filters_all_its_documents(pool, small_budget):
    backend = PostgresBackend(pool)
    await backend.upsert(
        [doc(i, f"เรื่องที่ {i}", "ขยะ ล้น", day=i, province="BKK") for i in range(1, 61)], version=1
    )
    # the oldest, weakest match is the only one in Phuket: never among the twenty best of ขยะ
    await backend.upsert([doc(200, "น้ำท่วม", "ขยะ", day=-5, province="PKT")], version=1)
    result = await backend.search(SearchQuery(q="ขยะ", province="PKT"))
    assert [h.id for h in result.hits] == [200]
    assert result.total == 1 and result.total_exact


async def test_a_filtered_search_of_a_common_word_reads_the_best_and_newest_within_the_filter(pool, small_budget):
    backend = PostgresBackend(pool)
    await backend.upsert(
        [doc(i, f"เรื่องที่ {i}", "ขยะ ล้น", day=i, province="BKK") for i in range(1, 61)], version=1
    )
    # older than every Bangkok document, so none of them is among the twenty best of ขยะ overall
    await backend.upsert(
        [doc(i, f"เรื่องที่ {i}", "ขยะ ล้น", day=i - 100, province="PKT") for i in range(100, 130)], version=1
    )
    await backend.upsert([doc(200, "ขยะ ชายหาด", "", day=-200, province="PKT")], version=1)
    result = await backend.search(SearchQuery(q="ขยะ", province="PKT"))
    # the title match first, then the newest body matches in Phuket
    assert [h.id for h in result.hits] == [200, 129, 128, 127, 126, 125, 124, 123, 122, 121]
    assert (result.total, result.total_exact) == (20, False)
    assert result.facets["province"] == {"PKT": 20}


async def test_a_document_with_every_common_word_is_found_when_no_list_reaches_it(pool, small_budget):
    backend = PostgresBackend(pool)
    await backend.upsert([doc(i, "ขยะ", "", day=i) for i in range(1, 31)], version=1)
    await backend.upsert([doc(i, "ตลาด", "", day=i) for i in range(31, 61)], version=1)
    await backend.upsert([doc(300, "เรื่องร้องเรียน", "ตลาด มี ขยะ", day=-10)], version=1)
    result = await backend.search(SearchQuery(q="ขยะ ตลาด"))
    assert result.hits[0].id == 300  # the only document about both ranks first


def _executions(plan: dict, node: str, relation: str) -> int:
    """How many times the executed plan ran a `node` of `relation` (0: never executed)."""
    own = plan["Actual Loops"] if (plan["Node Type"], plan.get("Relation Name")) == (node, relation) else 0
    return own + sum(_executions(child, node, relation) for child in plan.get("Plans", ()))


@pytest.mark.parametrize("depth", [postgres.EVERY_DEPTH, 40])
async def test_documents_with_every_common_word_come_from_the_postings_and_only_too_few_send_to_the_gin_index(
    pool, conn, small_budget, monkeypatch, depth
):
    """The best documents of the first word (from its postings) that match the whole query (a
    probe of each one's tsvector) are found first; the GIN index, which reads every document of
    both words, only runs when they are fewer than EVERY_ENOUGH. Either way the same documents
    are found."""
    from civic.search import text

    monkeypatch.setattr(postgres, "EVERY_DEPTH", depth)
    backend = PostgresBackend(pool)
    # 60 documents with both words, and 30 with ตลาด in the title: both lists cut at twenty, and
    # the twenty best of ตลาด hold no ขยะ
    await backend.upsert([doc(i, "ขยะ", "ตลาด", day=i) for i in range(1, 61)], version=1)
    await backend.upsert([doc(i, "ตลาด", "", day=i) for i in range(100, 130)], version=1)
    # and ten newer ones of ขยะ alone, first in its postings (twice more in the body): read deep
    # first, and left out by the probe
    await backend.upsert([doc(i, "ขยะ", "ขยะ ขยะ", day=i) for i in range(200, 210)], version=1)
    aq = text.analyse("ขยะ ตลาด")
    sql, args = postgres._first_statement(aq, SearchQuery(q="x"), [p for p in text.like_patterns(aq) if p])
    async with postgres._settings(conn, postgres.SEARCH_SETTINGS):
        [[plan]] = await conn.fetchrow("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, *args)
    read_all = _executions(plan["Plan"], "Bitmap Heap Scan", "search_documents")
    assert read_all == (0 if depth >= 60 else 1)  # 40 read deep are fewer than EVERY_ENOUGH (50)
    result = await backend.search(SearchQuery(q="ขยะ ตลาด"))
    # the sixty with both, the twenty read of ตลาด and the ten of ขยะ alone; those with both
    # first, newest first
    assert (result.total, result.total_exact) == (90, False)
    assert [h.id for h in result.hits[:3]] == [60, 59, 58]


async def test_the_api_and_the_page_say_when_the_total_is_a_lower_bound(client, pool, small_budget):
    await PostgresBackend(pool).upsert([doc(i, "ขยะ", "", day=i) for i in range(1, 31)], version=1)
    body = (await client.get("/api/v1/search", params={"q": "ขยะ"})).json()
    assert (body["total"], body["total_exact"]) == (20, False)
    page = await client.get("/search", params={"q": "ขยะ"})
    assert "พบมากกว่า 20 รายการ" in page.text
    # filtered, the same: the best twenty within the filter were read, and there are more
    body = (await client.get("/api/v1/search", params={"q": "ขยะ", "kind": "idea"})).json()
    assert (body["total"], body["total_exact"]) == (20, False)
    body = (await client.get("/api/v1/search", params={"q": "ขยะ", "kind": "consultation"})).json()
    assert (body["total"], body["total_exact"]) == (0, True)


async def test_the_simple_statement_finds_ranks_and_counts_as_the_general_one(pool, conn, small_budget):
    """SEARCH_SIMPLE stands in for SEARCH_BEST, for speed, on the commonest queries. On the relevance
    set, and on common words whose lists are cut short (twenty read per word), unfiltered and
    filtered, both must return the same row: total, truncation, hits and facet values."""
    from civic.search import text
    from tests.integration.search_corpus import CASES, DOCS

    backend = PostgresBackend(pool)
    await backend.upsert(DOCS, version=1)
    # ตลาด and สะพาน have no synonyms: "ตลาด สะพาน" is two one-word concepts, each cut at 20,
    # and the one document with both is in neither list (SEARCH_SIMPLE's `every`)
    await backend.upsert([doc(100 + i, "ตลาด", "", day=i, province="BKK") for i in range(30)], version=1)
    await backend.upsert([doc(200 + i, "สะพาน", "", day=i, province="PKT") for i in range(30)], version=1)
    await backend.upsert([doc(300, "เรื่องร้องเรียน", "ตลาด ใต้ สะพาน", day=-10, province="PKT")], version=1)

    async def row(sql: str, args: tuple) -> tuple:
        r = await conn.fetchrow(sql, *args)
        return (r["total"], r["truncated"], r["inside"], r["hits"], [sorted(map(str, a or ())) for a in r["facets"]])

    queries = [q for q, _, _ in CASES] + ["ตลาด", "ตลาด สะพาน", "สะพาน ขยะ ถนน"]
    filters = [SearchQuery(q=""), SearchQuery(q="", province="PKT"), SearchQuery(q="", kind="idea", status="open")]
    simple, truncated = 0, 0
    async with postgres._settings(conn, postgres.SEARCH_SETTINGS):
        for q in queries:
            aq = text.analyse(q)
            patterns = [p for p in text.like_patterns(aq) if p is not None]
            for f in filters:
                query = SearchQuery(q=q, kind=f.kind, province=f.province, status=f.status)
                sql, args = postgres._first_statement(aq, query, patterns)
                if sql is not postgres.SEARCH_SIMPLE:
                    continue
                simple += 1
                fast = await row(sql, args)
                assert fast == await row(*postgres._first_statement(aq, query, patterns, general=True)), (q, f)
                truncated += fast[1]
        both = await row(*postgres._first_statement(text.analyse("ตลาด สะพาน"), SearchQuery(q="x"), []))
    # most queries take it, even in a set built around synonyms and compounds
    assert simple > len(queries) * len(filters) / 2
    assert truncated >= 3  # cut-short lists went through both, filtered and not
    assert both[:2] == (41, True) and both[3][0][1] == 300  # 20 + 20 read, and the one with both, first


async def test_the_sql_doublings_are_the_rules_doublings_at_every_power_of_two(conn):
    from civic.search.rules import popularity_doublings

    values = [-(2**31), -1, 0, 2**31 - 1, *(2**k + d for k in range(31) for d in (-2, -1, 0, 1) if 2**k + d < 2**31)]
    got = await conn.fetch("SELECT p, search_popularity_doublings(p) AS d FROM unnest($1::int[]) p", values)
    assert {r["p"]: r["d"] for r in got} == {p: popularity_doublings(p) for p in values}
