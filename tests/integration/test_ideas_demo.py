"""The ideas demo seeds realistic data, idempotently, and the pages show it."""

from __future__ import annotations

from civic import demo
from civic.ideas import demo as ideas_demo
from tests.helpers import text_of


async def test_ideas_demo_seeds_and_renders(client, conn):
    report = await demo.seed(conn, demos=[ideas_demo.seed])
    assert "idea boards" in report
    await demo.seed(conn, demos=[ideas_demo.seed])  # idempotent
    assert await conn.fetchval("SELECT count(*) FROM idea_boards") == 3
    assert await conn.fetchval("SELECT count(*) FROM ideas") == 7
    assert await conn.fetchval("SELECT count(*) FROM idea_answers") == 1
    assert await conn.fetchval("SELECT count(*) FROM idea_comments WHERE parent_id IS NOT NULL") == 1
    counts = await conn.fetch(
        "SELECT i.support_count, (SELECT count(*) FROM idea_supports s WHERE s.idea_id = i.id) AS n FROM ideas i"
    )
    assert all(r["support_count"] == r["n"] for r in counts)
    overdue = text_of((await client.get("/ideas/overdue")).text)
    assert "เพิ่มรอบเก็บขยะช่วงเทศกาลสงกรานต์และตรุษจีน" in overdue and "เทศบาลนครหาดใหญ่" in overdue
    listing = text_of((await client.get("/ideas", params={"sort": "top"})).text)
    assert "ถังขยะแยกประเภทหน้าตลาดกิมหยง" in listing
    bins = await conn.fetchval("SELECT id FROM ideas WHERE title = 'ถังขยะแยกประเภทหน้าตลาดกิมหยง'")
    page = await client.get(f"/ideas/{bins}")
    assert 'class="official"' in page.text and "รับไว้ดำเนินการ" in text_of(page.text)
