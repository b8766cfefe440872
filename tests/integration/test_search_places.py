"""Place and agency names are searchable (issue 24, item 4): the relay gives each document its
agency's names from `organisations`, and the PostgreSQL backend indexes them, with the
province's names, below the title and body. The relevance cases themselves are in
search_corpus.py (run on both backends)."""

from __future__ import annotations

from civic.orgs import store as orgs
from civic.search import outbox, relay, text
from civic.search.port import SearchDocument, SearchQuery
from civic.search.postgres import PostgresBackend


def _doc(i: int, title: str, body: str, province: str | None, agency: str | None) -> SearchDocument:
    return SearchDocument(
        kind="idea", id=i, title=title, body=body, url=f"/ideas/{i}", province=province, agency=agency
    )


async def test_relay_adds_the_agency_names_and_search_finds_them(pool, conn):
    await orgs.create_organisation(
        conn,
        slug="pwa-test",
        kind="agency",
        level="central",
        name_th="การประปาส่วนภูมิภาคสาขาทดสอบ",
        name_en="Waterworks Test Branch",
    )
    docs = {1: _doc(1, "น้ำขุ่นมาก", "สีเหมือนชา", "CRI", "pwa-test"), 2: _doc(2, "น้ำขุ่น", "สีเหลือง", "PKT", None)}

    async def load(_conn, ids):
        return [docs[i] for i in ids if i in docs]

    for i in docs:
        await outbox.enqueue(conn, "idea", i)
    backend = PostgresBackend(pool)
    assert await relay.relay_all(pool, backend, loaders={"idea": load}) == 2
    for q in ("Waterworks", "การประปาส่วนภูมิภาคสาขาทดสอบ", "เชียงราย", "Chiang Rai", "จ.เชียงราย"):
        assert [h.id for h in (await backend.search(SearchQuery(q=q))).hits] == [1], q
    assert [h.id for h in (await backend.search(SearchQuery(q="ภูเก็ต"))).hits] == [2]


async def test_a_place_named_in_the_text_ranks_above_one_only_in_the_metadata(pool):
    backend = PostgresBackend(pool)
    await backend.upsert(
        [_doc(1, "ถนนพัง", "ขอซ่อมด่วน", "NMA", None), _doc(2, "ถนนพัง", "ขอซ่อมถนนในโคราชด่วน", "KKN", None)],
        version=1,
    )
    assert [h.id for h in (await backend.search(SearchQuery(q="นครราชสีมา"))).hits] == [2, 1]
    # nothing is marked in a hit found by its province alone: the author's text does not say it
    hit = (await backend.search(SearchQuery(q="นครราชสีมา"))).hits[1]
    assert "<mark>" not in hit.title + hit.snippet


def test_place_text_and_query_forms():
    doc = _doc(1, "", "", "BKK", None)
    doc.agency_names = ["องค์การขนส่งมวลชนกรุงเทพ", "Bangkok Mass Transit Authority"]
    assert text.place_text(doc).split(" | ")[:3] == ["กรุงเทพมหานคร", "Bangkok", "กทม."]
    assert text.place_text(_doc(1, "", "", None, None)) == ""
    for q in ("กรุงเทพมหานคร", "กทม.", "กรุงเทพฯ", "Bangkok", "bangkok"):
        assert {"กรุงเทพมหานคร", "Bangkok", "กทม."} <= text.synonyms_of(q), q
    for q in ("จ.เชียงใหม่", "จังหวัดเชียงใหม่", "Chiang Mai"):
        assert ["เชียงใหม่"] in text.analyse(q).groups[0], q
    # a province named by a stop word (เลย) is found by its other names, never by every เลย typed
    assert "Loei" not in text.synonyms_of("เลย") and "Loei" in text.synonyms_of("จ.เลย")
    assert text.analyse("ดีมากเลย").groups == text.analyse("ดีมาก").groups
