"""An agency's own consultations (/consultations/mine and its JSON twin): every one, drafts too,
paged with their total, the last changed first, and no other agency's."""

from __future__ import annotations

from civic.orgs import store as orgs
from tests.helpers import login, make_agency, make_user, text_of

INSERT = """
INSERT INTO consultations (owner_org_id, kind, province, title, summary, opens_at, closes_at, status, updated_at)
SELECT $1, 'general', 'SKA', $2 || ' ' || g, 'สรุป', now() - interval '10 days', now() + interval '10 days',
       CASE WHEN g % 2 = 0 THEN 'draft' ELSE 'open' END, now() - g * interval '1 minute'
FROM generate_series(1, $3) g
"""


async def test_an_agency_pages_through_all_its_consultations(client, conn):
    mine, other = await make_agency(conn, "mine-agency"), await make_agency(conn, "other-agency")
    await orgs.add_member(conn, mine, await make_user(conn, "staff@mine.example"), "member")
    await conn.execute(INSERT, mine, "ของเรา", 25)
    await conn.execute(INSERT, other, "ของหน่วยงานอื่น", 3)
    await login(client, "staff@mine.example")

    first = (await client.get("/api/v1/consultations/mine")).json()
    assert (first["total"], first["page"], first["pages"]) == (25, 1, 2)
    assert [c["title"] for c in first["items"][:2]] == ["ของเรา 1", "ของเรา 2"]  # the last changed first
    second = (await client.get("/api/v1/consultations/mine", params={"page": "2"})).json()
    titles = {c["title"] for c in first["items"] + second["items"]}
    assert len(second["items"]) == 5 and titles == {f"ของเรา {g}" for g in range(1, 26)}

    page = text_of((await client.get("/consultations/mine", params={"page": "2"})).text)
    assert "ของเรา 25" in page and "ของหน่วยงานอื่น" not in page and "หน้า 2 จาก 2" in page
    assert (await client.get("/api/v1/consultations/mine")).status_code == 200
    client.cookies.clear()
    assert (await client.get("/api/v1/consultations/mine")).status_code == 401
