"""/search, /search/similar, /api/v1/search and /admin/search over HTTP."""

from __future__ import annotations

import re

import pytest

from civic.search.port import SearchDocument
from civic.search.postgres import PostgresBackend
from tests.helpers import login, make_agency, make_user, parse, post_form, text_of
from tests.integration.search_corpus import DOCS


@pytest.fixture
async def indexed(pool):
    await PostgresBackend(pool).upsert(DOCS, version=1)


async def test_search_page_works_without_js(client, indexed):
    r = await client.get("/search", params={"q": "ขยะ"})
    assert r.status_code == 200
    assert "<mark>ขยะ</mark>" in r.text
    assert 'id="search-results"' in r.text and "<html" in r.text
    assert 'hx-trigger="input changed delay:300ms' in r.text
    text = text_of(r.text)
    assert "ขอเพิ่มถังขยะแยกประเภทในตลาดสดเทศบาล" in text.replace(" ", "")
    # facet links keep the query and add the filter
    assert "/search?q=%E0%B8%82%E0%B8%A2%E0%B8%B0&amp;kind=consultation" in r.text
    # and read as words, not as stored values
    def facet_label(field: str, value: str) -> str:
        link = re.search(rf'<a href="[^"]*{field}={value}"[^>]*>(.*?)</a>', r.text, re.S)
        assert link is not None, (field, value)
        return text_of(link.group(1))

    assert "เปิดรับ" in facet_label("status", "open")
    assert "การรับฟังความคิดเห็น" in facet_label("kind", "consultation")
    assert "กรุงเทพมหานคร" in facet_label("province", "BKK")
    assert "ประเภทรายการ" in text  # the facet's title
    # each hit says what kind of item it is
    assert re.search(r'<p class="card__meta">\s*ไอเดีย\s*</p>', r.text)


async def test_agency_facet_shows_the_agency_name_and_filters_by_slug(client, conn, indexed):
    await make_agency(conn, "bkk-district", name_th="สำนักงานเขตจตุจักร")
    r = await client.get("/search", params={"q": "ขยะ"})
    link = re.search(r'<a href="[^"]*agency=bkk-district"[^>]*>(.*?)</a>', r.text, re.S)
    assert link is not None and "สำนักงานเขตจตุจักร" in text_of(link.group(1))
    assert "bkk-district" not in text_of(r.text)
    # A facet value with no organisation row behind it (gone since indexing) shows as itself.
    await conn.execute("DELETE FROM organisations WHERE slug = 'bkk-district'")
    r = await client.get("/search", params={"q": "ขยะ"})
    link = re.search(r'<a href="[^"]*agency=bkk-district"[^>]*>(.*?)</a>', r.text, re.S)
    assert link is not None and "bkk-district" in text_of(link.group(1))


async def test_a_facet_lists_its_ten_most_frequent_values_and_shows_the_rest_on_request(client, pool):
    # 13 agencies hold the word; agency-00 in 13 documents, agency-01 in 12, ... agency-12 in 1
    docs = [
        SearchDocument(kind="idea", id=100 * a + n, title=f"ซ่อมถนน {a} {n}", body="", url=f"/ideas/{a}",
                       agency=f"agency-{a:02}")
        for a in range(13) for n in range(13 - a)
    ]  # fmt: skip
    await PostgresBackend(pool).upsert(docs, version=1)

    def agency_links(html: str) -> list[str]:
        return re.findall(r'<a href="[^"]*(?:\?|&amp;)agency=(agency-\d+)"', html)

    r = await client.get("/search", params={"q": "ซ่อมถนน"})
    assert agency_links(r.text) == [f"agency-{a:02}" for a in range(10)]
    more = re.search(r'<a href="([^"]*more=agency[^"]*)" class="facets__more">(.*?)</a>', r.text)
    assert more is not None and text_of(more.group(2)) == "แสดงทั้งหมด (อีก 3 รายการ)"
    assert "q=%E0%B8%8B" in more.group(1)  # the query is kept
    # the JSON twin counts every value
    assert len((await client.get("/api/v1/search", params={"q": "ซ่อมถนน"})).json()["facets"]["agency"]) == 13

    r = await client.get(more.group(1).replace("&amp;", "&"))
    assert agency_links(r.text) == [f"agency-{a:02}" for a in range(13)]
    assert "more=agency" not in r.text


async def test_facet_filter_narrows_results(client, indexed):
    r = await client.get("/api/v1/search", params={"q": "ขยะ", "kind": "consultation"})
    body = r.json()
    assert body["total"] == 1 and body["hits"][0]["id"] == 25
    r = await client.get("/api/v1/search", params={"q": "ขยะ", "province": "BKK"})
    assert {h["id"] for h in r.json()["hits"]} == {1, 2}


async def test_htmx_gets_the_partial_only_for_its_target(client, indexed):
    r = await client.get(
        "/search", params={"q": "ขยะ"}, headers={"HX-Request": "true", "HX-Target": "search-results"}
    )
    assert r.status_code == 200 and "<html" not in r.text and 'id="search-results"' in r.text
    assert "HX-Target" in r.headers["vary"]
    r = await client.get("/search", params={"q": "ขยะ"}, headers={"HX-Request": "true"})
    assert "<html" in r.text  # hx-boost navigation gets the whole page


async def test_api_shape(client, indexed):
    r = await client.get("/api/v1/search", params={"q": "wifi"})
    assert r.status_code == 200
    body = r.json()
    assert set(body) >= {"query", "total", "hits", "facets"}
    assert body["query"] == "wifi" and body["total"] >= 2
    assert set(body["hits"][0]) == {"kind", "id", "url", "title", "snippet"}
    assert body["facets"]["kind"] == {"idea": 2}


@pytest.mark.parametrize(
    "params",
    [
        {"q": ""},
        {"q": "x" * 200},  # longer is refused by name (test_http_edges)
        {"q": "\u0e48\u0e49\u0e49"},
        {"q": "' OR 1=1; DROP TABLE ideas; --"},
        {"q": "<script>alert(1)</script>"},
        {"q": "ขยะ", "page": "abc"},
        {"q": "ขยะ", "page": "๒"},
        {"q": "ขยะ", "page": "99999999999999999999"},
        {"q": "ขยะ", "kind": "<b>"},
    ],
)
async def test_bad_queries_are_valid_empty_or_normal_results(client, indexed, params):
    r = await client.get("/api/v1/search", params=params)
    assert r.status_code == 200, r.text[:300]
    assert isinstance(r.json()["total"], int)
    page = await client.get("/search", params=params)
    assert page.status_code == 200 and "<script>alert" not in page.text


async def test_similar_ideas_partial(client, indexed):
    r = await client.get("/search/similar", params={"title": "อยากได้ถังขยะที่ตลาด"})
    assert r.status_code == 200 and "<html" not in r.text
    assert "similar-ideas" in parse(r.text).ids
    assert 'href="/ideas/1"' in r.text
    assert "/consultations/" not in r.text  # ideas only
    empty = await client.get("/search/similar", params={"title": "ab"})
    assert 'href="' not in empty.text


async def test_admin_status_page_is_for_admins(client, make_client, conn, indexed):
    r = await client.get("/admin/search")
    assert r.status_code in (302, 303, 401)
    await make_user(conn, "citizen@example.org")
    await login(client, "citizen@example.org")
    assert (await client.get("/admin/search")).status_code == 403
    assert (await post_form(client, "/admin/search/reindex")).status_code == 403

    admin = await make_client()
    await make_user(conn, "admin@example.org", role="admin")
    await login(admin, "admin@example.org")
    await conn.execute(
        "INSERT INTO search_outbox (kind, entity_id, op, last_error) VALUES ('idea', 9, 'upsert', 'boom')"
    )
    r = await admin.get("/admin/search")
    assert r.status_code == 200
    text = text_of(r.text)
    assert "postgres" in text and "boom" in text
    assert 'id="search-pending">1</dd>' in r.text
    r = await post_form(admin, "/admin/search/reindex")
    assert r.status_code == 303 and r.headers["location"] == "/admin/search"


async def test_health_reports_search(client):
    body = (await client.get("/api/v1/health")).json()
    assert body["search_backend"] == "postgres" and body["search_pending"] == 0
