"""Co-ownership is an invitation (issue 21, item 6): staff of one agency named another as co-owner
of a consultation (POST) and of a board (PATCH) without its consent, and the subject was then
listed under that agency. Now the invited agency's staff see the invitation on /staff, accept or
decline it (pages and API), and only an accepted co-owner is listed or gets rights."""

from __future__ import annotations

from civic.orgs import store as orgs
from tests.helpers import login, make_agency, make_user, post_form, send_json, text_of
from tests.integration.test_consultations_http import setup
from tests.integration.test_ideas import _world

BODY = {
    "title": "ร่างแผนเมืองอัจฉริยะร่วมกัน",
    "summary": "ขอรับฟังความคิดเห็นต่อร่างแผนเมืองอัจฉริยะ",
    "kind": "general",
    "opens_at": "2030-01-01T09:00:00+07:00",
    "closes_at": "2030-02-01T09:00:00+07:00",
}


async def test_a_named_agency_is_invited_and_gets_nothing_until_it_accepts(client, make_client, conn):
    s = await setup(conn)
    bystander = await make_agency(conn, "bystander")
    await orgs.add_member(conn, bystander, await make_user(conn, "staff@bystander.example"), "admin")
    await login(client, "staff@mdes.example")
    r = await send_json(
        client,
        "POST",
        "/api/v1/consultations/",
        BODY | {"owner_org_id": s["mdes"], "coowner_ids": [s["other"]]},
    )
    assert r.status_code == 201, r.text
    cid = r.json()["consultation"]["id"]
    assert r.json()["consultation"]["coowner_ids"] == []

    rival = await make_client()
    await login(rival, "staff@other.example")
    # not listed under the invited agency, no rights over the draft
    assert BODY["title"] not in text_of((await rival.get("/consultations/mine")).text)
    assert (await rival.get(f"/api/v1/consultations/{cid}")).status_code == 404
    # the invitation waits on the invited agency's staff menu, and nowhere else
    menu = (await rival.get("/api/v1/staff")).json()
    assert [(i["kind"], i["title"], i["agency_slug"]) for i in menu["invitations"]] == [
        ("consultation", BODY["title"], "other-agency")
    ]
    assert menu["pending"] >= 1
    page = text_of((await rival.get("/staff")).text)
    assert BODY["title"] in page and "ยอมรับ" in page and "ปฏิเสธ" in page
    assert (await client.get("/api/v1/staff")).json()["invitations"] == []
    outsider = await make_client()
    await login(outsider, "staff@bystander.example")
    accept = f"/api/v1/consultations/{cid}/coowners/other-agency/accept"
    r = await send_json(outsider, "POST", accept, {})
    assert r.status_code == 403 and "หน่วยงานที่ได้รับเชิญ" in r.json()["error"]["message"]
    # the owner cannot accept on the invited agency's behalf either
    assert (await send_json(client, "POST", accept, {})).status_code == 403
    assert await conn.fetchval("SELECT status FROM consultation_coowners") == "pending"

    r = await post_form(rival, f"/consultations/{cid}/coowners/other-agency/accept", {})
    assert r.status_code == 303 and r.headers["location"] == f"/consultations/{cid}"
    assert (await rival.get(f"/api/v1/consultations/{cid}")).json()["consultation"]["coowner_ids"] == [
        s["other"]
    ]
    assert BODY["title"] in text_of((await rival.get("/consultations/mine")).text)
    assert (await rival.get("/api/v1/staff")).json()["invitations"] == []
    # answered once: a second answer finds no invitation
    assert (
        await send_json(rival, "POST", f"/api/v1/consultations/{cid}/coowners/other-agency/decline", {})
    ).status_code == 404
    audit = await conn.fetchrow(
        "SELECT actor_id, org_id FROM audit_log WHERE action = 'consultation.accept_coownership'"
    )
    assert audit["org_id"] == s["other"]
    kinds = [r["kind"] for r in await conn.fetch(
        "SELECT kind FROM events WHERE kind LIKE 'coownership.%' AND subject_id = $1 ORDER BY id", cid
    )]  # fmt: skip
    assert kinds == ["coownership.invited", "coownership.accepted"]


async def test_a_declined_board_invitation_gives_no_rights_and_can_be_renewed(client, make_client, conn):
    world = await _world(conn)
    await login(client, "staff@owner.example")
    r = await send_json(
        client, "PATCH", "/api/v1/boards/hatyai-waste", {"coowners": ["ska-province", "other-agency"]}
    )
    assert r.status_code == 200 and r.json()["coowner_ids"] == [world["coowner"]]
    other = await make_client()
    await login(other, "staff@other.example")
    listed = (await other.get("/api/v1/ideas?agency=other-agency")).json()
    assert listed["items"] == []
    r = await send_json(other, "POST", "/api/v1/boards/hatyai-waste/coowners/other-agency/decline", {})
    assert r.status_code == 200 and r.json() == {
        "kind": "board", "href": "/boards/hatyai-waste", "agency_slug": "other-agency", "status": "declined"
    }  # fmt: skip
    board = (await other.get("/api/v1/boards/hatyai-waste")).json()
    assert board["coowner_ids"] == [world["coowner"]] and "other-agency" not in [
        c["slug"] for c in board["coowners"]
    ]
    # inviting again after a refusal asks again
    r = await post_form(client, "/boards/hatyai-waste/coowners", {"agency": "other-agency"})
    assert r.status_code == 303
    assert [i["kind"] for i in (await other.get("/api/v1/staff")).json()["invitations"]] == ["board"]
    r = await post_form(other, "/boards/hatyai-waste/coowners/other-agency/accept", {})
    assert r.status_code == 303
    assert (await other.get("/api/v1/boards/hatyai-waste")).json()["coowner_ids"] == sorted(
        [world["coowner"], world["other"]]
    )


async def test_the_board_page_offers_agencies_to_its_managers_alone(client, make_client, conn):
    await _world(conn)
    await login(client, "staff@owner.example")
    page = (await client.get("/boards/hatyai-waste")).text
    assert 'action="/boards/hatyai-waste/coowners"' in page and 'value="other-agency"' in page
    visitor = await make_client()
    page = (await visitor.get("/boards/hatyai-waste")).text
    # a visitor's board page has no co-owner form, and so no agency to choose
    assert "/coowners" not in page and 'value="other-agency"' not in page
    assert "ขยะและความสะอาดเมืองหาดใหญ่" in page
