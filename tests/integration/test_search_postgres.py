"""PostgreSQL search backend: Thai trigram under C.UTF-8, versions, bad queries, highlighting."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from civic.search.port import SearchDocument, SearchQuery
from civic.search.postgres import SEARCH_SETTINGS, PostgresBackend
from civic.search.text import plain


def doc(i: int, title: str, body: str = "", **kw) -> SearchDocument:
    return SearchDocument(
        kind=kw.pop("kind", "idea"), id=i, title=title, body=body, url=f"/ideas/{i}",
        created_at=kw.pop("created_at", datetime(2025, 1, 1, tzinfo=UTC)), **kw,
    )  # fmt: skip


async def test_the_indexes_a_search_reads_keep_no_pending_list(conn):
    # A pending list is scanned whole by every search until a vacuum merges it (migration 0191).
    rows = await conn.fetch(
        """SELECT c.relname, c.reloptions FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
           JOIN pg_am a ON a.oid = c.relam
           WHERE a.amname = 'gin' AND i.indrelid IN ('search_documents'::regclass, 'search_lexicon'::regclass,
                                                     'organisations'::regclass)"""
    )
    assert len(rows) == 5
    assert {r["relname"]: r["reloptions"] for r in rows} == {r["relname"]: ["fastupdate=off"] for r in rows}


async def test_database_locale_lets_pg_trgm_see_thai(conn):
    assert (
        await conn.fetchval("SELECT datctype FROM pg_database WHERE datname = current_database()")
        == "C.UTF-8"
    )
    assert await conn.fetchval("SELECT show_trgm('ที่ดี')") != []
    sim = await conn.fetchval("SELECT similarity('อินเทอร์เน็ต', 'อินเตอร์เน็ต')")
    assert 0.5 < sim < 1.0
    assert await conn.fetchval("SELECT word_similarity('เน็ต', 'อินเทอร์เน็ต ช้า')") > 0.5
    assert await conn.fetchval("SELECT 'ขยะ' <% 'ถัง ขยะ ล้น'") is True


async def test_search_finds_thai_and_highlights_the_original(pool):
    backend = PostgresBackend(pool)
    await backend.upsert(
        [
            doc(1, "ขอถังขยะเพิ่มที่ตลาดสด", "ขยะล้นถังทุกเช้า ส่งกลิ่นเหม็น", province="BKK", status="open"),
            doc(2, "ไฟถนนดับทั้งซอย", "ซอยมืดมาก อันตรายตอนกลางคืน", province="CMI", status="open"),
        ],
        version=1,
    )
    result = await backend.search(SearchQuery(q="ขยะ"))
    assert result.total == 1
    hit = result.hits[0]
    assert (hit.kind, hit.id, hit.url) == ("idea", 1, "/ideas/1")
    assert "<mark>ขยะ</mark>" in hit.title
    assert "<mark>ขยะ</mark>" in hit.snippet
    assert result.facets["province"] == {"BKK": 1}
    assert result.facets["kind"] == {"idea": 1}


async def test_highlight_maps_back_onto_pdf_damaged_original(pool):
    backend = PostgresBackend(pool)
    original = "การบริหารกิจการบ้านเมืองที ่ด ีเพื ่อประโยชน์สุขของประชาชน"
    await backend.upsert([doc(3, "ธรรมาภิบาล", original)], version=1)
    result = await backend.search(SearchQuery(q="ที่ดี"))
    assert [h.id for h in result.hits] == [3]
    snippet = result.hits[0].snippet
    # the author's text is shown as written, with the damaged word marked as a whole
    assert plain(snippet) == original
    assert "<mark>ที ่ด ี</mark>" in snippet


async def test_older_version_never_overwrites_newer(pool, conn):
    backend = PostgresBackend(pool)
    await backend.upsert([doc(1, "ฉบับใหม่")], version=20)
    await backend.upsert([doc(1, "ฉบับเก่า")], version=10)
    assert await conn.fetchval("SELECT title FROM search_documents WHERE entity_id = 1") == "ฉบับใหม่"
    await backend.delete([("idea", 1)], version=5)
    assert (await backend.search(SearchQuery(q="ฉบับใหม่"))).total == 1
    await backend.delete([("idea", 1)], version=30)
    await backend.upsert([doc(1, "ฉบับใหม่")], version=25)  # late replay of an older read
    assert (await backend.search(SearchQuery(q="ฉบับใหม่"))).total == 0


@pytest.mark.parametrize(
    "q",
    [
        "",
        "   ",
        "ก" * 10_000,
        "x" * 10_000,
        "\u0e48\u0e49\u0e35\u0e34",  # only combining marks
        "\u0301\u0302",
        "'; DROP TABLE search_documents; --",
        "ขยะ' OR 1=1 --",
        "<script>alert(1)</script>",
        "a & b | !c :* ( ) \\ ''",
        "%_\\",
        "[ขยะ(((*+?",
        "ขยะ{2,}|.*",
        "\x00",
    ],
)
async def test_bad_queries_give_valid_results(pool, conn, q):
    backend = PostgresBackend(pool)
    await backend.upsert([doc(1, "ขยะ <b>ตลาด</b>", "alert ขยะ")], version=1)
    result = await backend.search(SearchQuery(q=q))
    assert result.total >= 0
    for hit in result.hits:
        assert "<script>" not in hit.title + hit.snippet and "<b>" not in hit.title
    assert await conn.fetchval("SELECT count(*) FROM search_documents") == 1


async def test_html_in_documents_is_escaped(pool):
    backend = PostgresBackend(pool)
    await backend.upsert([doc(1, "<script>alert(1)</script> ขยะ", "<img src=x onerror=alert(1)> ขยะ")], 1)
    hit = (await backend.search(SearchQuery(q="ขยะ"))).hits[0]
    assert "&lt;script&gt;" in hit.title and "<script>" not in hit.title
    assert "&lt;img" in hit.snippet and "<img" not in hit.snippet


async def test_a_hit_found_by_typo_tolerance_marks_the_word_as_written(pool):
    backend = PostgresBackend(pool)
    await backend.upsert([doc(4, "ขอสัญญาณโทรศัพท์มือถือในหมู่บ้าน")], version=1)
    # "สัญญาน" is how many people write สัญญาณ; no synonym list holds it. Marking only the query's
    # words would light up สัญญา inside the word, not the word.
    result = await backend.search(SearchQuery(q="สัญญาน"))
    assert [h.id for h in result.hits] == [4]
    assert "<mark>สัญญาณ</mark>" in result.hits[0].title


async def test_a_concept_matches_all_the_words_of_a_multi_word_synonym(pool):
    backend = PostgresBackend(pool)
    await backend.upsert(
        [
            # ป้ายรถเมล์ = ป้าย + รถโดยสารประจำทาง here: every concept of the query matches
            doc(5, "ป้ายรถโดยสารประจำทางชำรุด"),
            # more often the query's words, but only half of that synonym: not every concept
            doc(6, "ป้ายชำรุด ป้ายชำรุดอีกแล้ว", created_at=datetime(2025, 6, 1, tzinfo=UTC)),
            # enough exact matches that typo tolerance is not needed (the fuzzy statement ranks
            # by the tsvector instead)
            *(doc(i, "ถนน", "ไฟทางชำรุด") for i in range(7, 11)),
        ],
        version=1,
    )
    result = await backend.search(SearchQuery(q="ป้ายรถเมล์ ชำรุด"))
    assert [h.id for h in result.hits][:2] == [5, 6]


async def test_a_compound_finds_documents_that_write_its_words_apart_only_when_it_finds_few(pool):
    backend = PostgresBackend(pool)
    await backend.upsert(
        [
            doc(11, "ปรับปรุงสวน สาธารณะ ริมคลอง", "ทางเดินชำรุด"),
            doc(12, "ขอม้านั่งใน สวน หน้าวัด"),  # one of the words only: not every concept
            doc(13, "ห้องน้ำสาธารณะสกปรก"),
        ],
        version=1,
    )
    result = await backend.search(SearchQuery(q="สวนสาธารณะ"))
    assert [h.id for h in result.hits][0] == 11
    assert "<mark>สวน</mark>" in result.hits[0].title and "<mark>สาธารณะ</mark>" in result.hits[0].title
    # Found as typed often enough, the query is not cut: the words apart are no match then.
    await backend.upsert([doc(i, f"สวนสาธารณะแห่งที่ {i}") for i in range(20, 25)], version=2)
    result = await backend.search(SearchQuery(q="สวนสาธารณะ"))
    assert sorted(h.id for h in result.hits) == list(range(20, 25))


async def test_a_search_pool_connection_carries_the_search_settings(search_pool):
    async with search_pool.acquire() as c:
        await c.execute("SELECT word_similarity('a', 'b')")  # pg_trgm, loaded now, takes its setting
        assert {name: await c.fetchval("SELECT current_setting($1)", name) for name in SEARCH_SETTINGS} == SEARCH_SETTINGS


async def test_typo_tolerance_asks_more_of_a_short_query(pool, search_pool):
    await PostgresBackend(pool).upsert([doc(1, "park"), doc(2, "market")], version=1)
    for backend in (PostgresBackend(pool), PostgresBackend(pool, search_pool=search_pool)):
        # "parkss" (6 characters) is 0.57 word-similar to "park": over the 0.5 it needs
        assert [h.id for h in (await backend.search(SearchQuery(q="parkss"))).hits] == [1]
        # "parks" (5) is 0.67: under the 0.7 a query that short needs (the index is read at 0.7
        # for it, and at 0.5 for longer ones)
        assert (await backend.search(SearchQuery(q="parks"))).hits == []
        assert [h.id for h in (await backend.search(SearchQuery(q="marke"))).hits] == [2]  # 0.83
    # a short query's threshold is its own: the connections keep theirs
    async with search_pool.acquire() as c:
        assert await c.fetchval("SELECT current_setting('pg_trgm.word_similarity_threshold')") == "0.5"
        assert not c.is_in_transaction()
    async with pool.acquire() as c:
        assert await c.fetchval("SELECT current_setting('pg_trgm.word_similarity_threshold', true)") in (None, "0.6")


async def test_the_search_relations_are_prewarmed_when_they_fit(pool, conn):
    from civic.search import postgres

    await PostgresBackend(pool).upsert([doc(1, "ขยะ ล้น", "ถนน พัง")], version=1)
    blocks = await conn.fetchval(
        "SELECT sum(pg_relation_size(r::regclass) / current_setting('block_size')::int) FROM unnest($1::text[]) r",
        list(postgres.SEARCH_RELATIONS),
    )
    assert await postgres.prewarm(conn) == blocks > 0
    # another app process already at it: this one leaves it to that one
    async with pool.acquire() as other, other.transaction():
        await other.execute(f"SELECT pg_advisory_xact_lock({postgres.PREWARM_LOCK_KEY})")
        assert await postgres.prewarm(conn) == 0
    await conn.execute("DROP EXTENSION pg_prewarm")
    assert await postgres.prewarm(conn) == 0  # a server without the module: skipped, not an error


async def test_the_app_prewarms_postgres_search_when_it_starts(pool, monkeypatch):
    from civic import background
    from civic.search import postgres

    calls = []

    async def prewarm(conn):
        calls.append(await conn.fetchval("SELECT 1"))
        return 1

    monkeypatch.setattr(postgres, "prewarm", prewarm)
    # every long-running worker off, so the tasks left are the one-shot prewarm
    off = {f"RUN_{w}": "false" for w in ("RELAY", "CONSUMERS", "SCHEDULER", "MAIL")}
    base = {"SECRET_KEY": "x" * 40, "CIVIC_DATA_DIR": "/tmp"} | off
    for extra, expected in (({}, [1]), ({"MEILI_URL": "http://127.0.0.1:7700"}, [])):
        calls.clear()
        from civic.settings import load_settings

        tasks = await background.start(pool, load_settings(base | extra))
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=30)
        assert calls == expected
