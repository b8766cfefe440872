"""Idea boards through HTTP on real PostgreSQL."""

from __future__ import annotations

import asyncio

import asyncpg

from civic.accounts import store as accounts
from civic.ideas import actions, store
from civic.ideas.schemas import IdeaIn
from civic.orgs import store as orgs
from tests.helpers import index_events, login, make_agency, make_user, parse, post_form, send_json, text_of
from tests.integration.race import Gate, Overlap, race

BODY = "ตลาดเทศบาลยังไม่มีไวไฟ พ่อค้าแม่ค้ารับเงินผ่านพร้อมเพย์ไม่ได้เวลาเน็ตมือถือล่ม"


async def _world(conn, *, threshold: int = 3, moderate_first: bool = False, days: int = 30):
    """Owner agency with staff, a co-owner agency with staff, another agency with staff, a board."""
    owner = await make_agency(conn, "hdy-city", level="local", province="SKA")
    coowner = await make_agency(conn, "ska-province", level="regional", province="SKA")
    other = await make_agency(conn, "other-agency")
    ids = {}
    for email, org in (
        ("staff@owner.example", owner),
        ("staff@coowner.example", coowner),
        ("staff@other.example", other),
    ):
        ids[email] = await make_user(conn, email)
        await orgs.add_member(conn, org, ids[email], "member")
    for email in ("citizen@example.com", "citizen2@example.com", "citizen3@example.com"):
        ids[email] = await make_user(conn, email)
    ids["mod@example.com"] = await make_user(conn, "mod@example.com", role="moderator")
    board_id = await store.create_board(
        conn,
        slug="hatyai-waste",
        agency_id=owner,
        title="ขยะและความสะอาดเมืองหาดใหญ่",
        description_th="เสนอไอเดียเรื่องขยะและความสะอาดในเขตเทศบาล",
        description_en="",
        scope="SKA",
        categories=["ขยะ", "ตลาด"],
        is_open=True,
        moderate_first=moderate_first,
        support_threshold=threshold,
        response_days=days,
        coowner_ids=[coowner],
        actor_id=ids["staff@owner.example"],
    )
    # Co-ownership is an invitation: the co-owner's staff accept it before it counts.
    await store.respond_coownership(
        conn, board_id, coowner, accept=True, actor_id=ids["staff@coowner.example"]
    )
    return {"owner": owner, "coowner": coowner, "other": other, "board": board_id, "users": ids}


async def _idea(conn, world, title="ไวไฟสาธารณะในตลาดกิมหยง") -> int:
    return await store.create_idea(
        conn,
        board_id=world["board"],
        author_id=world["users"]["citizen@example.com"],
        title=title,
        body=BODY,
        category="ตลาด",
        province="SKA",
        links=[],
    )


async def test_submit_idea_form_and_render_escapes(client, conn):
    await _world(conn)
    await login(client, "citizen@example.com")
    body = "ไอเดีย <script>alert(1)</script>\n\nดูรายละเอียด https://example.org/a?x=1&y=2 นะ"
    r = await post_form(
        client,
        "/ideas",
        {
            "board": "hatyai-waste",
            "title": "ถังขยะแยกประเภทหน้าตลาด",
            "body": body,
            "category": "ขยะ",
            "province": "SKA",
        },
    )
    assert r.status_code == 303, r.text[:500]
    idea_id = int(r.headers["location"].rsplit("/", 1)[1])
    page = await client.get(f"/ideas/{idea_id}")
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert '<a href="https://example.org/a?x=1&amp;y=2" rel="nofollow ugc noopener"' in page.text
    assert "ถังขยะแยกประเภทหน้าตลาด" in text_of(page.text)
    # history starts with the publication
    assert await conn.fetchval("SELECT count(*) FROM idea_status_history WHERE idea_id = $1", idea_id) == 1
    await index_events(conn)
    assert (
        await conn.fetchval(
            "SELECT count(*) FROM search_outbox WHERE kind = 'idea' AND entity_id = $1", idea_id
        )
        == 1
    )


async def test_empty_and_huge_title_or_body_rejected_nothing_stored(client, conn):
    await _world(conn)
    await login(client, "citizen@example.com")
    huge = "ก" * (10 * 1024 * 1024)
    cases = [
        {"title": "", "body": BODY},
        {"title": "ไวไฟในตลาด", "body": ""},
        {"title": "   ", "body": "   "},
        {"title": huge, "body": BODY},
        {"title": "ไวไฟในตลาด", "body": huge},
    ]
    for case in cases:
        r = await post_form(client, "/ideas", {"board": "hatyai-waste", **case})
        assert 400 <= r.status_code < 500, r.status_code
        if r.status_code == 400:
            assert "error-summary" in r.text
    # the form keeps what was typed
    r = await post_form(
        client, "/ideas", {"board": "hatyai-waste", "title": "สั้น", "body": "รายละเอียดที่พิมพ์ไว้แล้ว"}
    )
    assert r.status_code == 400 and "รายละเอียดที่พิมพ์ไว้แล้ว" in r.text
    for case in cases[:2] + cases[3:]:
        r = await send_json(client, "POST", "/api/v1/ideas", {"board": "hatyai-waste", **case})
        assert r.status_code in (413, 422), r.status_code
        assert "error" in r.json() and r.json()["error"]["message"]
    assert await conn.fetchval("SELECT count(*) FROM ideas") == 0


async def test_api_create_and_get_and_list(client, conn):
    world = await _world(conn)
    await login(client, "citizen@example.com")
    r = await send_json(
        client,
        "POST",
        "/api/v1/ideas",
        {
            "board": "hatyai-waste",
            "title": "รถเมล์สายใหม่ไปสนามบิน",
            "body": BODY,
            "category": "ขยะ",
            "links": ["https://example.org"],
        },
    )
    assert r.status_code == 201, r.text
    idea = r.json()
    assert idea["status"] == "published" and idea["links"] == ["https://example.org"]
    r = await client.get(f"/api/v1/ideas/{idea['id']}")
    assert r.status_code == 200 and r.json()["history"][0]["to_status"] == "published"
    r = await client.get("/api/v1/ideas", params={"agency": "ska-province", "sort": "top"})
    assert r.json()["total"] == 1
    r = await client.get("/api/v1/ideas", params={"agency": "other-agency"})
    assert r.json()["total"] == 0
    r = await client.get("/api/v1/boards/hatyai-waste")
    assert r.json()["coowner_ids"] == [world["coowner"]]


async def test_unknown_idea_is_404(client, conn):
    await _world(conn)
    assert (await client.get("/ideas/999999")).status_code == 404
    r = await client.get("/api/v1/ideas/999999")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    await login(client, "citizen@example.com")
    assert (await send_json(client, "POST", "/api/v1/ideas/999999/support")).status_code == 404
    assert (await post_form(client, "/ideas/999999/support")).status_code == 404
    assert (
        await send_json(client, "POST", "/api/v1/ideas/999999/comments", {"body": "hi"})
    ).status_code == 404


async def test_support_toggle_htmx_and_plain(client, conn):
    world = await _world(conn)
    idea_id = await _idea(conn, world)
    await login(client, "citizen2@example.com")
    r = await post_form(
        client,
        f"/ideas/{idea_id}/support",
        {"action": "support"},
        headers={"HX-Request": "true", "HX-Target": f"support-{idea_id}"},
    )
    assert r.status_code == 200
    widget = parse(r.text)
    assert f"support-{idea_id}" in widget.ids and "Withdraw" not in r.text  # Thai UI
    assert "ถอนการสนับสนุน" in r.text and "<html" not in r.text
    assert "ยืนยันตัวตนแล้ว" not in r.text  # a list's card shows no verified count
    assert await conn.fetchval("SELECT support_count FROM ideas WHERE id = $1", idea_id) == 1
    # swapped into the idea page, the widget keeps the page's "verified: N"
    r = await post_form(
        client,
        f"/ideas/{idea_id}/support",
        {"action": "withdraw", "next": f"/ideas/{idea_id}"},
        headers={"HX-Request": "true", "HX-Target": f"support-{idea_id}"},
    )
    assert "ยืนยันตัวตนแล้ว: 0" in r.text and "สนับสนุนไอเดียนี้" in r.text
    page = await client.get(f"/ideas/{idea_id}")
    assert "ยืนยันตัวตนแล้ว: 0" in page.text
    await post_form(client, f"/ideas/{idea_id}/support", {"action": "support"})
    # HX-Request alone (hx-boost) gets the full flow: a redirect
    r = await post_form(
        client, f"/ideas/{idea_id}/support", {"action": "withdraw"}, headers={"HX-Request": "true"}
    )
    assert r.status_code == 303
    assert await conn.fetchval("SELECT support_count FROM ideas WHERE id = $1", idea_id) == 0
    r = await send_json(client, "POST", f"/api/v1/ideas/{idea_id}/support")
    assert r.json() == {
        "idea_id": idea_id,
        "supported": True,
        "support_count": 1,
        "changed": True,
        "threshold_reached": False,
    }
    r = await send_json(client, "POST", f"/api/v1/ideas/{idea_id}/support")
    assert r.json()["changed"] is False and r.json()["support_count"] == 1
    r = await send_json(client, "DELETE", f"/api/v1/ideas/{idea_id}/support")
    assert r.json()["support_count"] == 0 and r.json()["supported"] is False


async def test_fifty_way_support_race_leaves_one_row(conn, db_url, pool):
    world = await _world(conn)
    idea_id = await _idea(conn, world)
    user_id = world["users"]["citizen2@example.com"]
    from civic.db import _init_connection

    conns = [await asyncpg.connect(db_url) for _ in range(50)]
    try:
        for c in conns:
            await _init_connection(c)
        # The one SUPPORT statement of all 50 waits inside PostgreSQL at the gate, then all go at once.
        observed: list[Overlap] = []
        results = await race(
            [lambda c=c: store.support_idea(c, idea_id, user_id) for c in conns],
            gate=Gate(db_url, ["ideas", "idea_supports"], expect=50),
            observed=observed,
        )
    finally:
        await asyncio.gather(*(c.close() for c in conns))
    assert observed[0].queued == 50
    assert sum(1 for r in results if r.changed) == 1
    assert await conn.fetchval("SELECT count(*) FROM idea_supports WHERE idea_id = $1", idea_id) == 1
    assert await conn.fetchval("SELECT support_count FROM ideas WHERE id = $1", idea_id) == 1


async def test_fifty_way_support_race_through_http(app, make_client, conn, db_url):
    world = await _world(conn)
    idea_id = await _idea(conn, world)
    clients = []
    for _ in range(50):
        c = await make_client()
        await login(c, "citizen2@example.com")
        clients.append(c)
    # All 50 requests are sent and none answered until at least two of their statements wait
    # inside PostgreSQL together; then they all go at once.
    responses = await race(
        [lambda c=c: send_json(c, "POST", f"/api/v1/ideas/{idea_id}/support") for c in clients],
        gate=Gate(db_url, ["ideas", "idea_supports"], expect=2),
    )
    assert all(r.status_code == 200 for r in responses)
    assert sum(r.json()["changed"] for r in responses) == 1
    assert await conn.fetchval("SELECT count(*) FROM idea_supports WHERE idea_id = $1", idea_id) == 1
    assert await conn.fetchval("SELECT support_count FROM ideas WHERE id = $1", idea_id) == 1


async def test_threshold_starts_clock_and_records_event_once(conn):
    world = await _world(conn, threshold=2, days=10)
    idea_id = await _idea(conn, world)
    u = world["users"]
    await store.support_idea(conn, idea_id, u["citizen@example.com"])
    idea = await store.get_idea(conn, idea_id)
    assert idea.threshold_reached_at is None and idea.answer_due_at is None
    state = await store.support_idea(conn, idea_id, u["citizen2@example.com"])
    assert state.threshold_reached
    idea = await store.get_idea(conn, idea_id)
    assert (idea.answer_due_at - idea.threshold_reached_at).days == 10
    await store.withdraw_support(conn, idea_id, u["citizen2@example.com"])
    await store.support_idea(conn, idea_id, u["citizen2@example.com"])
    await store.support_idea(conn, idea_id, u["citizen3@example.com"])
    # Supports and withdrawals record their own (private) events; the clock starts once.
    events = await conn.fetch(
        "SELECT kind, payload FROM events WHERE subject_id = $1 AND kind LIKE 'idea.threshold%'", idea_id
    )
    assert [e["kind"] for e in events] == ["idea.threshold_reached"]
    assert events[0]["payload"]["threshold"] == 2


async def test_overdue_list_grouped_by_agency(client, conn):
    world = await _world(conn, threshold=1)
    idea_id = await _idea(conn, world)
    await store.support_idea(conn, idea_id, world["users"]["citizen2@example.com"])
    await conn.execute("UPDATE ideas SET answer_due_at = now() - interval '3 days' WHERE id = $1", idea_id)
    page = await client.get("/ideas/overdue")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "หน่วยงาน hdy-city" in text and "ไวไฟสาธารณะในตลาดกิมหยง" in text
    detail = await client.get(f"/ideas/{idea_id}")
    assert "เลยกำหนด" in text_of(detail.text)
    await store.answer_idea(
        conn,
        idea_id,
        org_id=world["owner"],
        author_id=world["users"]["staff@owner.example"],
        body="เทศบาลรับเรื่องแล้ว",
    )
    page = await client.get("/ideas/overdue")
    assert "ไวไฟสาธารณะในตลาดกิมหยง" not in text_of(page.text)


async def test_cannot_support_hidden_or_closed_idea(client, conn):
    world = await _world(conn)
    hidden = await _idea(conn, world, "ไอเดียที่ถูกซ่อน")
    declined = await _idea(conn, world, "ไอเดียที่ถูกปฏิเสธ")
    open_idea = await _idea(conn, world, "ไอเดียบนบอร์ดที่ปิด")
    await store.set_hidden(
        conn, "idea", hidden, hidden=True, reason="สแปม", actor_id=world["users"]["mod@example.com"]
    )
    await store.change_status(
        conn,
        declined,
        expected_from="published",
        to_status="declined",
        reason="งบประมาณไม่พอ",
        duplicate_of=None,
        actor_id=world["users"]["staff@owner.example"],
        org_id=world["owner"],
    )
    await login(client, "citizen2@example.com")
    for idea_id in (hidden, declined):
        r = await send_json(client, "POST", f"/api/v1/ideas/{idea_id}/support")
        assert r.status_code == 409 and r.json()["error"]["code"] == "not_supportable"
        r = await post_form(client, f"/ideas/{idea_id}/support", {"action": "support"})
        assert r.status_code == 409
    await conn.execute("UPDATE idea_boards SET is_open = false")
    r = await send_json(client, "POST", f"/api/v1/ideas/{open_idea}/support")
    assert r.status_code == 409
    assert await conn.fetchval("SELECT count(*) FROM idea_supports") == 0
    assert await conn.fetchval("SELECT sum(support_count) FROM ideas") == 0


async def test_hidden_idea_shows_tombstone_in_readers_language(client, conn):
    world = await _world(conn)
    idea_id = await _idea(conn, world)
    await store.set_hidden(
        conn, "idea", idea_id, hidden=True, reason="ข้อมูลส่วนบุคคล", actor_id=world["users"]["mod@example.com"]
    )
    page = await client.get(f"/ideas/{idea_id}")
    text = text_of(page.text)
    assert "ซ่อนโดยผู้ดูแลเนื้อหา: ข้อมูลส่วนบุคคล" in text
    assert BODY not in page.text
    await post_form(client, "/lang", {"lang": "en", "next": "/"})
    page = await client.get(f"/ideas/{idea_id}")
    assert "Hidden by a moderator: ข้อมูลส่วนบุคคล" in text_of(page.text)
    api = (await client.get(f"/api/v1/ideas/{idea_id}")).json()
    assert api["idea"]["body"] == "" and api["idea"]["hidden"] is True
    assert await store.search_documents(conn, [idea_id]) == []


async def test_answer_by_other_agency_is_403_and_coowner_can(client, make_client, conn):
    world = await _world(conn)
    idea_id = await _idea(conn, world)
    await login(client, "staff@other.example")
    r = await send_json(
        client, "POST", f"/api/v1/ideas/{idea_id}/answer", {"body": "ไม่ใช่หน่วยงานของเรา แต่ขอตอบ"}
    )
    assert r.status_code == 403
    r = await post_form(client, f"/ideas/{idea_id}/answer", {"body": "ไม่ใช่หน่วยงานของเรา แต่ขอตอบ"})
    assert r.status_code == 403
    r = await send_json(client, "POST", f"/api/v1/ideas/{idea_id}/status", {"status": "accepted"})
    assert r.status_code == 403
    assert await conn.fetchval("SELECT count(*) FROM idea_answers") == 0
    co = await make_client()
    await login(co, "staff@coowner.example")
    r = await post_form(co, f"/ideas/{idea_id}/answer", {"body": "สำนักงานจังหวัดสงขลาจะประสานติดตั้งไวไฟ"})
    assert r.status_code == 303
    answer = await store.get_answer(conn, idea_id)
    assert answer.org_id == world["coowner"]
    page = await client.get(f"/ideas/{idea_id}")
    official = page.text.split('class="official"', 1)
    assert len(official) == 2 and "สำนักงานจังหวัดสงขลาจะประสานติดตั้งไวไฟ" in official[1]
    r = await post_form(co, f"/ideas/{idea_id}/answer", {"body": "ปรับปรุงคำตอบ: ติดตั้งภายในเดือนหน้า"})
    assert r.status_code == 303
    assert await conn.fetchval("SELECT count(*) FROM idea_answer_revisions WHERE idea_id = $1", idea_id) == 2
    assert await conn.fetchval("SELECT count(*) FROM audit_log WHERE action = 'idea.answer'") == 2


async def test_status_workflow_and_history(client, conn):
    world = await _world(conn)
    idea_id = await _idea(conn, world)
    other = await _idea(conn, world, "ไวไฟในตลาดอีกครั้ง")
    await login(client, "staff@owner.example")
    r = await send_json(client, "POST", f"/api/v1/ideas/{idea_id}/status", {"status": "declined"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "reason"
    r = await post_form(client, f"/ideas/{idea_id}/status", {"status": "declined", "reason": ""})
    assert r.status_code == 400 and "เหตุผล" in text_of(r.text)
    r = await send_json(client, "POST", f"/api/v1/ideas/{idea_id}/status", {"status": "implemented"})
    assert r.status_code == 422
    assert await conn.fetchval("SELECT status FROM ideas WHERE id = $1", idea_id) == "published"
    r = await send_json(client, "POST", f"/api/v1/ideas/{other}/status", {"status": "duplicate"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "duplicate_of"
    r = await post_form(
        client, f"/ideas/{other}/status", {"status": "duplicate", "duplicate_of": f"http://x/ideas/{idea_id}"}
    )
    assert r.status_code == 303
    for status in ("under_review", "accepted", "in_progress"):
        r = await send_json(client, "POST", f"/api/v1/ideas/{idea_id}/status", {"status": status})
        assert r.status_code == 200, r.text
    history = (await client.get(f"/api/v1/ideas/{idea_id}")).json()["history"]
    assert [h["to_status"] for h in history] == ["published", "under_review", "accepted", "in_progress"]
    assert history[-1]["org_name_th"] == "หน่วยงาน hdy-city"
    assert await conn.fetchval("SELECT count(*) FROM audit_log WHERE action = 'idea.status'") == 4


async def test_comments_replies_edit_delete_and_pagination(client, make_client, conn):
    world = await _world(conn)
    idea_id = await _idea(conn, world)
    await login(client, "citizen2@example.com")
    r = await post_form(client, f"/ideas/{idea_id}/comments", {"body": "เห็นด้วยครับ"})
    assert r.status_code == 303
    top = await conn.fetchval("SELECT id FROM idea_comments WHERE parent_id IS NULL")
    r = await post_form(client, f"/ideas/{idea_id}/comments", {"body": "ตอบกลับ", "parent_id": str(top)})
    assert r.status_code == 303
    reply = await conn.fetchval("SELECT id FROM idea_comments WHERE parent_id = $1", top)
    r = await send_json(
        client, "POST", f"/api/v1/ideas/{idea_id}/comments", {"body": "ตอบซ้อน", "parent_id": reply}
    )
    assert r.status_code == 422
    r = await post_form(client, f"/ideas/{idea_id}/comments", {"body": ""})
    assert r.status_code == 400
    # HTMX post returns the form plus the new comment out of band
    r = await post_form(
        client,
        f"/ideas/{idea_id}/comments",
        {"body": "ผ่าน htmx"},
        headers={"HX-Request": "true", "HX-Target": "comment-form"},
    )
    assert r.status_code == 201 and 'hx-swap-oob="beforeend:#comment-list"' in r.text and "ผ่าน htmx" in r.text
    r = await post_form(
        client,
        f"/ideas/{idea_id}/comments",
        {"body": " "},
        headers={"HX-Request": "true", "HX-Target": "comment-form"},
    )
    assert r.status_code == 400 and 'id="comment-form"' in r.text and "<html" not in r.text
    # edit within 15 minutes, not after
    r = await post_form(client, f"/ideas/{idea_id}/comments/{top}/edit", {"body": "เห็นด้วยมากครับ"})
    assert r.status_code == 303
    await conn.execute(
        "UPDATE idea_comments SET created_at = now() - interval '16 minutes' WHERE id = $1", top
    )
    r = await post_form(client, f"/ideas/{idea_id}/comments/{top}/edit", {"body": "แก้อีก"})
    assert r.status_code == 403
    other = await make_client()
    await login(other, "citizen3@example.com")
    assert (await post_form(other, f"/ideas/{idea_id}/comments/{reply}/delete")).status_code == 403
    r = await post_form(client, f"/ideas/{idea_id}/comments/{top}/delete")
    assert r.status_code == 303
    page = await client.get(f"/ideas/{idea_id}")
    text = text_of(page.text)
    assert "ความคิดเห็นนี้ถูกลบโดยผู้เขียน" in text and "ตอบกลับ" in text and "เห็นด้วยมากครับ" not in text
    # keyset pagination: 45 more top-level comments -> load more link works with and without htmx
    for n in range(45):
        await store.add_comment(
            conn,
            idea_id,
            author_id=world["users"]["citizen3@example.com"],
            body=f"ความเห็นที่ {n}",
            parent_id=None,
        )
    page = await client.get(f"/ideas/{idea_id}")
    more = parse(page.text).ids["comments-more"]
    assert more is not None
    api = (await client.get(f"/api/v1/ideas/{idea_id}/comments")).json()
    assert len(api["comments"]) == 20 and api["total"] == 47
    after = api["next_after"]
    r = await client.get(
        f"/ideas/{idea_id}?after={after}", headers={"HX-Request": "true", "HX-Target": "comments-more"}
    )
    assert r.status_code == 200 and "<html" not in r.text and "ความเห็นที่ 18" in r.text
    r = await client.get(f"/ideas/{idea_id}?after={after}")
    assert r.status_code == 200 and "<html" in r.text and "ความเห็นที่ 18" in r.text


async def test_flags_and_moderation_queue(client, make_client, conn):
    world = await _world(conn)
    idea_id = await _idea(conn, world)
    await login(client, "citizen2@example.com")
    r = await send_json(
        client, "POST", "/api/v1/flags", {"subject_kind": "idea", "subject_id": idea_id, "reason": "โฆษณาแฝง"}
    )
    assert r.status_code == 201 and r.json()["created"]
    r = await send_json(
        client, "POST", "/api/v1/flags", {"subject_kind": "idea", "subject_id": 424242, "reason": "x y z"}
    )
    assert r.status_code == 404
    assert (await client.get("/moderation")).status_code == 403
    mod = await make_client()
    await login(mod, "mod@example.com")
    page = await mod.get("/moderation")
    assert page.status_code == 200 and "โฆษณาแฝง" in page.text
    r = await post_form(
        mod, "/moderation/hide", {"subject_kind": "idea", "subject_id": str(idea_id), "reason": "โฆษณา"}
    )
    assert r.status_code == 303
    assert await conn.fetchval("SELECT hidden_reason FROM ideas WHERE id = $1", idea_id) == "โฆษณา"
    assert await conn.fetchval("SELECT count(*) FROM idea_flags WHERE resolved_at IS NULL") == 0
    r = await post_form(mod, "/moderation/restore", {"subject_kind": "idea", "subject_id": str(idea_id)})
    assert await conn.fetchval("SELECT hidden_at FROM ideas WHERE id = $1", idea_id) is None
    author = world["users"]["citizen@example.com"]
    r = await post_form(mod, "/moderation/block", {"user_id": str(author), "confirmed": "yes"})
    assert r.status_code == 303
    assert await conn.fetchval("SELECT status FROM users WHERE id = $1", author) == "blocked"
    actions = [r["action"] for r in await conn.fetch("SELECT action FROM audit_log ORDER BY id")]
    assert actions[-3:] == ["idea.hide", "idea.restore", "user.block"]


async def test_moderate_first_board_queues_ideas(client, make_client, conn):
    await _world(conn, moderate_first=True)
    await login(client, "citizen@example.com")
    r = await post_form(client, "/ideas", {"board": "hatyai-waste", "title": "รถเมล์สายใหม่", "body": BODY})
    idea_id = int(r.headers["location"].rsplit("/", 1)[1])
    assert (await client.get(f"/ideas/{idea_id}")).status_code == 200  # the author sees it
    anon = await make_client()
    assert (await anon.get(f"/ideas/{idea_id}")).status_code == 404
    assert (await anon.get("/api/v1/ideas")).json()["total"] == 0
    mod = await make_client()
    await login(mod, "mod@example.com")
    r = await post_form(mod, f"/ideas/{idea_id}/status", {"status": "published"})
    assert r.status_code == 303
    assert (await anon.get(f"/ideas/{idea_id}")).status_code == 200
    # a moderator cannot drive the agency workflow
    r = await send_json(mod, "POST", f"/api/v1/ideas/{idea_id}/status", {"status": "accepted"})
    assert r.status_code == 403


async def test_lists_sort_filter_and_paginate(client, conn):
    world = await _world(conn)
    ids = [await _idea(conn, world, f"ไอเดียหมายเลข {n}") for n in range(25)]
    await store.support_idea(conn, ids[3], world["users"]["citizen2@example.com"])
    await store.support_idea(conn, ids[3], world["users"]["citizen3@example.com"])
    await store.support_idea(conn, ids[7], world["users"]["citizen2@example.com"])
    r = await client.get("/api/v1/ideas", params={"sort": "top"})
    body = r.json()
    assert (
        body["total"] == 25
        and body["pages"] == 2
        and [i["id"] for i in body["items"][:2]] == [ids[3], ids[7]]
    )
    assert (await client.get("/api/v1/ideas", params={"sort": "hot"})).json()["items"][0]["id"] == ids[3]
    assert (await client.get("/api/v1/ideas", params={"sort": "new"})).json()["items"][0]["id"] == ids[-1]
    # unknown sort falls back to the allow-list default, never reaches SQL
    r = await client.get("/api/v1/ideas", params={"sort": "id; DROP TABLE ideas"})
    assert r.status_code == 200
    page = await client.get("/ideas", params={"sort": "top", "page": "2"})
    assert page.status_code == 200 and "25" in text_of(page.text)
    page = await client.get("/boards/hatyai-waste", params={"province": "CMI"})
    assert "ยังไม่มีไอเดีย" in text_of(page.text)
    partial = await client.get("/ideas", headers={"HX-Request": "true", "HX-Target": "idea-list"})
    assert "<html" not in partial.text and 'id="idea-list"' in partial.text


async def test_boards_create_permissions(client, make_client, conn):
    world = await _world(conn)
    await login(client, "citizen@example.com")
    payload = {
        "slug": "new-board",
        "agency": "hdy-city",
        "title": "บอร์ดใหม่",
        "description_th": "คำอธิบายบอร์ดใหม่สำหรับทดสอบ",
    }
    assert (await send_json(client, "POST", "/api/v1/boards", payload)).status_code == 403
    staff = await make_client()
    await login(staff, "staff@owner.example")
    r = await send_json(staff, "POST", "/api/v1/boards", payload | {"coowners": ["other-agency"]})
    assert r.status_code == 201, r.text
    assert r.json()["coowner_ids"] == []  # invited, not yet a co-owner
    other = await make_client()
    await login(other, "staff@other.example")
    r = await send_json(other, "POST", "/api/v1/boards/new-board/coowners/other-agency/accept", {})
    assert r.status_code == 200 and r.json()["status"] == "accepted", r.text
    assert (await client.get("/api/v1/boards/new-board")).json()["coowner_ids"] == [world["other"]]
    assert (await send_json(staff, "POST", "/api/v1/boards", payload)).status_code == 409
    r = await post_form(
        staff, "/boards", {"slug": "Bad Slug", "agency": "hdy-city", "title": "x", "description_th": ""}
    )
    assert r.status_code == 400 and "Bad Slug" in r.text
    assert (await client.get("/boards")).status_code == 200


async def test_search_documents_contract(conn):
    world = await _world(conn)
    # Submitted through the action: its event is what queues the document (civic.search.consumer).
    author = await accounts.user_by_id(conn, world["users"]["citizen@example.com"])
    submitted = IdeaIn(board="hatyai-waste", title="ไวไฟสาธารณะในตลาดกิมหยง", body=BODY, category="ตลาด",
                       province="SKA")  # fmt: skip
    idea_id = (await actions.submit_idea(conn, author, submitted)).id
    await index_events(conn)  # before the support: one batch would queue the idea once for both
    docs = await store.search_documents(conn, [idea_id, 987654])
    assert len(docs) == 1
    doc = docs[0]
    assert set(doc) == {
        "kind",
        "id",
        "title",
        "body",
        "province",
        "agency",
        "status",
        "created_at",
        "popularity",
        "url",
    }
    assert doc["kind"] == "idea" and doc["agency"] == "hdy-city" and doc["url"] == f"/ideas/{idea_id}"
    await store.support_idea(conn, idea_id, world["users"]["citizen2@example.com"])
    assert (await store.search_documents(conn, [idea_id]))[0]["popularity"] == 1
    await index_events(conn)
    outbox = await conn.fetchval("SELECT count(*) FROM search_outbox WHERE entity_id = $1", idea_id)
    assert outbox == 2


async def test_blocked_user_cannot_act(client, conn):
    world = await _world(conn)
    idea_id = await _idea(conn, world)
    await login(client, "citizen2@example.com")
    await accounts.set_status(conn, world["users"]["citizen2@example.com"], "blocked")
    r = await send_json(client, "POST", f"/api/v1/ideas/{idea_id}/support")
    assert r.status_code in (401, 403)


async def test_hidden_idea_refuses_answer_comment_and_support_until_restored(client, make_client, conn):
    """A moderator hid the idea: the owning agency cannot answer it and citizens cannot comment on
    or support it, through the form or the API, and nothing is written. Restored, the very same
    requests go through, so the refusals were about the hiding and nothing else."""
    world = await _world(conn)
    idea_id = await _idea(conn, world)
    mod = world["users"]["mod@example.com"]
    await store.set_hidden(conn, "idea", idea_id, hidden=True, reason="สแปม", actor_id=mod)
    staff = client
    await login(staff, "staff@owner.example")
    citizen = await make_client()
    await login(citizen, "citizen2@example.com")

    async def written() -> tuple:
        return tuple(
            [
                await conn.fetchval(f"SELECT count(*) FROM {table} WHERE idea_id = $1", idea_id)
                for table in ("idea_answers", "idea_answer_revisions", "idea_comments", "idea_supports")
            ]
            + [await conn.fetchval("SELECT comment_count + support_count FROM ideas WHERE id = $1", idea_id)]
        )

    answer = {"body": "เทศบาลจะติดตั้งไวไฟในตลาดภายในเดือนหน้า"}
    comment = {"body": "เห็นด้วยอย่างยิ่งครับ"}
    r = await send_json(staff, "POST", f"/api/v1/ideas/{idea_id}/answer", answer)
    assert r.status_code == 403, r.text
    r = await post_form(staff, f"/ideas/{idea_id}/answer", answer)
    assert r.status_code == 403
    r = await send_json(citizen, "POST", f"/api/v1/ideas/{idea_id}/comments", comment)
    assert r.status_code == 409 and r.json()["error"]["code"] == "comments_closed"
    r = await post_form(citizen, f"/ideas/{idea_id}/comments", comment)
    assert r.status_code == 409
    r = await post_form(
        citizen,
        f"/ideas/{idea_id}/comments",
        comment,
        headers={"HX-Request": "true", "HX-Target": "comment-form"},
    )
    assert r.status_code == 409
    r = await send_json(citizen, "POST", f"/api/v1/ideas/{idea_id}/support")
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_supportable"
    r = await post_form(citizen, f"/ideas/{idea_id}/support", {"action": "support"})
    assert r.status_code == 409
    assert await written() == (0, 0, 0, 0, 0)

    await store.set_hidden(conn, "idea", idea_id, hidden=False, reason="", actor_id=mod)
    assert (await send_json(staff, "POST", f"/api/v1/ideas/{idea_id}/answer", answer)).status_code == 200
    assert (await post_form(staff, f"/ideas/{idea_id}/answer", answer)).status_code == 303
    assert (await send_json(citizen, "POST", f"/api/v1/ideas/{idea_id}/comments", comment)).status_code == 201
    assert (await post_form(citizen, f"/ideas/{idea_id}/comments", comment)).status_code == 303
    assert (await send_json(citizen, "POST", f"/api/v1/ideas/{idea_id}/support")).status_code == 200
    assert await written() == (1, 2, 2, 1, 3)
