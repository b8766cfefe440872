"""Small HTTP edges a new user's walk hit: HEAD answered as GET, and an over-long search told so
in the reader's language."""

from tests.helpers import make_user


async def test_head_answers_as_get_without_a_body(client, conn):
    await make_user(conn, "a@example.com")
    for path in ("/", "/ideas", "/consultations", "/search?q=ขยะ", "/api/v1/health", "/static/css/civic.css"):
        get = await client.get(path)
        head = await client.head(path)
        assert get.status_code == head.status_code == 200, path
        assert head.content == b""
        assert head.headers["content-type"] == get.headers["content-type"]
    assert (await client.head("/no-such-page")).status_code == 404
    # only HEAD becomes GET: an unsafe method still meets its route's methods
    assert (await client.delete("/")).status_code == 405


async def test_an_over_long_search_is_refused_in_the_readers_language(client):
    q = "ก" * 3000
    page = await client.get("/search", params={"q": q})
    assert page.status_code == 422 and "ค้นหาได้ไม่เกิน 200 ตัวอักษร" in page.text
    api = await client.get("/api/v1/search", params={"q": q})
    assert api.status_code == 422
    assert api.json()["error"] == {
        "code": "query_too_long",
        "message": "ค้นหาได้ไม่เกิน 200 ตัวอักษร",
        "field": "q",
    }
    client.cookies.set("lang", "en")
    api = await client.get("/api/v1/search", params={"q": q})
    assert api.json()["error"]["message"] == "Search with at most 200 characters."
    assert (await client.get("/api/v1/search", params={"q": "ก" * 200})).status_code == 200
