"""Staff reach their tools from the header (issue 21, item 18): moderators, admins and agency
staff get a menu with what waits in each place; the moderation inbox holds ideas and
consultation comments together."""

from __future__ import annotations

from civic.ideas import store as ideas
from tests.helpers import PASSWORD, login, make_agency, make_user, post_form, send_json, text_of
from tests.integration.test_consultations_http import setup as consultation_setup


async def test_menu_counts_and_one_inbox(client, make_client, conn):
    s = await consultation_setup(conn)
    mod = await make_user(conn, "mod@example.com", role="moderator")
    citizen = await make_user(conn, "pim@x.example")
    board = await ideas.create_board(
        conn, slug="test-board", agency_id=s["mdes"], title="บอร์ดทดสอบ", description_th="ทดสอบ", description_en="",
        scope=None, categories=[], is_open=True, moderate_first=True, support_threshold=3, response_days=30,
        coowner_ids=[], actor_id=mod,
    )  # fmt: skip
    await ideas.create_idea(conn, board_id=board, author_id=citizen, title="ไอเดียรอตรวจ", body="รายละเอียดของไอเดีย",
                            category="", province=None, links=[])  # fmt: skip
    await login(client, "pim@x.example")
    page = await client.get("/")
    assert 'href="/staff"' not in page.text  # a citizen has no staff menu
    assert (await client.get("/api/v1/staff")).status_code == 403
    cid = s["cid"]
    section = await conn.fetchval("SELECT id FROM consultation_sections WHERE consultation_id = $1 LIMIT 1", cid)
    r = await post_form(client, f"/consultations/{cid}/comments", {"section_id": str(section), "body": "ความเห็นที่ถูกรายงาน"})
    assert r.status_code == 303, r.status_code
    comment = await conn.fetchval("SELECT id FROM consultation_comments")
    reporter = await make_client()
    await make_user(conn, "nok@x.example")
    await login(reporter, "nok@x.example")
    r = await post_form(reporter, f"/consultations/{cid}/comments/{comment}/flags", {"reason": "ไม่สุภาพ"})
    assert r.status_code in (303, 200), r.status_code

    moderator = await make_client()
    await login(moderator, "mod@example.com")
    page = await moderator.get("/")
    assert 'href="/staff"' in page.text and 'hx-get="/staff/badge"' in page.text
    badge = await moderator.get("/staff/badge", headers={"HX-Request": "true"})
    assert "2" in text_of(badge.text)  # one idea waiting, one reported consultation comment
    tools = (await moderator.get("/api/v1/staff")).json()
    assert tools["pending"] == 2 and tools["tools"][0]["href"] == "/moderation"
    inbox = text_of((await moderator.get("/moderation")).text)
    assert "ไอเดียรอตรวจ" in inbox and "ความเห็นที่ถูกรายงาน" in inbox and "ไม่สุภาพ" in inbox

    staff = await make_client()
    await login(staff, "staff@mdes.example")
    menu = (await send_json(staff, "GET", "/api/v1/staff")).json()
    assert [t["key"] for t in menu["tools"]] == ["tasks", "ideas", "queue", "counter"]
    # The queue and the counter are places to go; what waits there is counted on their own pages.
    assert [t["pending"] for t in menu["tools"]][2:] == [None, None]
    assert "เครื่องมือเจ้าหน้าที่" in text_of((await staff.get("/staff")).text)


async def test_signing_in_leads_staff_to_their_agency_queue(client, make_client, conn):
    agency = await make_agency(conn, "start-agency")
    staff = await make_user(conn, "staff@start.example")
    await conn.execute("INSERT INTO memberships (org_id, user_id, role) VALUES ($1, $2, 'member')", agency, staff)
    await make_user(conn, "citizen@start.example")
    await make_user(conn, "mod@start.example", role="moderator")
    for email, start in (
        ("staff@start.example", "/dashboard/mine"),
        ("citizen@start.example", "/"),
        ("mod@start.example", "/staff"),
    ):
        c = await make_client()
        r = await login(c, email)
        assert r.headers["location"] == "/start", email
        r = await c.get("/start")
        assert r.status_code == 303 and r.headers["location"] == start, email
        assert (await c.get(start)).status_code == 200, email
    # a page that asked for the sign-in is where it goes back to
    r = await post_form(
        await make_client(), "/login", {"email": "staff@start.example", "password": PASSWORD, "next": "/ideas"}
    )
    assert r.headers["location"] == "/ideas"
    assert (await client.get("/start")).headers["location"] == "/"  # nobody signed in
