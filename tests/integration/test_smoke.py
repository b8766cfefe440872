async def test_home_renders_thai(client):
    r = await client.get("/")
    assert r.status_code == 200
    assert '<html lang="th"' in r.text


async def test_health(client):
    r = await client.get("/api/v1/health")
    assert r.status_code == 200
    assert r.json()["database"] == "ok"
