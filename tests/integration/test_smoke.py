async def test_home_renders_thai(client):
    r = await client.get("/")
    assert r.status_code == 200
    assert '<html lang="th"' in r.text


async def test_health(client):
    r = await client.get("/api/v1/health")
    assert r.status_code == 200
    assert r.json()["database"] == "ok"


async def test_home_page_has_a_json_twin_with_the_same_lists(client, conn):
    from civic.demo import seed

    await seed(conn)
    page = (await client.get("/")).text
    twin = (await client.get("/api/v1/home")).json()
    assert twin["consultations"] and twin["ideas"] and twin["tasks"] and twin["agencies"] and twin["partners"]
    for item in (twin["consultations"][0], twin["ideas"][0], twin["tasks"][0]):
        assert item["title"] in page
    assert twin["idea_count"] >= len(twin["ideas"]) and twin["task_count"] >= len(twin["tasks"])
