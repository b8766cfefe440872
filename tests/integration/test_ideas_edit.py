"""Authors edit their own idea while it is published (or pending) and unanswered."""

from __future__ import annotations

from civic.ideas import store
from tests.helpers import index_events, login, parse, post_form, send_json, text_of
from tests.integration.test_ideas import BODY, _idea, _world

NEW_BODY = "ตลาดกิมหยงควรมีไวไฟฟรีบริเวณลานจอดรถและทางเข้าหลัก เพื่อให้รับเงินผ่านพร้อมเพย์ได้ตลอดเวลา"


async def _row(conn, idea_id):
    return dict(
        await conn.fetchrow(
            "SELECT title, body, category, province, links, updated_at FROM ideas WHERE id = $1", idea_id
        )
    )


async def test_author_edits_by_form_history_outbox_and_revision(client, conn):
    world = await _world(conn)
    idea_id = await _idea(conn, world)
    await index_events(conn)
    outbox_before = await conn.fetchval("SELECT count(*) FROM search_outbox WHERE entity_id = $1", idea_id)
    await login(client, "citizen@example.com")
    page = await client.get(f"/ideas/{idea_id}")
    assert f'href="/ideas/{idea_id}/edit"' in page.text
    form = await client.get(f"/ideas/{idea_id}/edit")
    assert form.status_code == 200 and BODY in form.text
    # the board has categories: the field is a select of them
    assert '<select class="select" id="field-category" name="category"' in form.text
    assert '<option value="ขยะ"' in form.text
    r = await post_form(
        client,
        f"/ideas/{idea_id}/edit",
        {
            "title": "ไวไฟฟรีในตลาดกิมหยง",
            "body": NEW_BODY,
            "category": "ขยะ",
            "province": "",
            "links": "https://example.org/wifi\n\n",
        },
    )
    assert r.status_code == 303 and r.headers["location"] == f"/ideas/{idea_id}"
    row = await _row(conn, idea_id)
    assert (row["title"], row["body"], row["category"], row["province"], row["links"]) == (
        "ไวไฟฟรีในตลาดกิมหยง",
        NEW_BODY,
        "ขยะ",
        None,
        ["https://example.org/wifi"],
    )
    history = (await client.get(f"/api/v1/ideas/{idea_id}")).json()["history"]
    assert [(h["kind"], h["to_status"]) for h in history] == [
        ("status", "published"),
        ("edited", "published"),
    ]
    assert history[-1]["actor_name"] == "citizen"
    revision = await conn.fetchrow(
        "SELECT title, body, category, province FROM idea_revisions WHERE idea_id = $1", idea_id
    )
    assert dict(revision) == {
        "title": "ไวไฟสาธารณะในตลาดกิมหยง",
        "body": BODY,
        "category": "ตลาด",
        "province": "SKA",
    }
    await index_events(conn)
    outbox_after = await conn.fetchval("SELECT count(*) FROM search_outbox WHERE entity_id = $1", idea_id)
    assert outbox_after == outbox_before + 1
    assert (await store.search_documents(conn, [idea_id]))[0]["title"] == "ไวไฟฟรีในตลาดกิมหยง"
    page = await client.get(f"/ideas/{idea_id}")
    assert "ผู้เสนอแก้ไขไอเดีย" in text_of(page.text)
    # saving the same text again records nothing
    r = await send_json(client, "PATCH", f"/api/v1/ideas/{idea_id}", {"title": "ไวไฟฟรีในตลาดกิมหยง"})
    assert r.status_code == 200
    assert await conn.fetchval("SELECT count(*) FROM idea_status_history WHERE idea_id = $1", idea_id) == 2


async def test_api_patch_changes_only_given_fields(client, conn):
    world = await _world(conn)
    idea_id = await _idea(conn, world)
    await login(client, "citizen@example.com")
    r = await send_json(client, "PATCH", f"/api/v1/ideas/{idea_id}", {"links": ["https://example.org/a"]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["links"] == ["https://example.org/a"] and body["title"] == "ไวไฟสาธารณะในตลาดกิมหยง"
    assert body["body"] == BODY and body["category"] == "ตลาด" and body["province"] == "SKA"


async def test_others_cannot_edit_and_answered_or_moved_ideas_are_frozen(client, make_client, conn):
    world = await _world(conn)
    idea_id = await _idea(conn, world)
    before = await _row(conn, idea_id)
    payload = {"title": "หัวข้อที่คนอื่นแก้", "body": NEW_BODY}
    for email in ("citizen2@example.com", "staff@owner.example", "mod@example.com"):
        c = await make_client()
        await login(c, email)
        assert (await c.get(f"/ideas/{idea_id}/edit")).status_code == 403, email
        assert (await post_form(c, f"/ideas/{idea_id}/edit", payload)).status_code == 403, email
        r = await send_json(c, "PATCH", f"/api/v1/ideas/{idea_id}", payload)
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden", email
        assert f"/ideas/{idea_id}/edit" not in (await c.get(f"/ideas/{idea_id}")).text
    anon = await make_client()
    assert (await send_json(anon, "PATCH", f"/api/v1/ideas/{idea_id}", payload)).status_code == 401
    assert await _row(conn, idea_id) == before

    await login(client, "citizen@example.com")
    await store.answer_idea(
        conn,
        idea_id,
        org_id=world["owner"],
        author_id=world["users"]["staff@owner.example"],
        body="รับเรื่องแล้ว",
    )
    before = await _row(conn, idea_id)
    assert (await client.get(f"/ideas/{idea_id}/edit")).status_code == 403
    r = await post_form(client, f"/ideas/{idea_id}/edit", payload)
    assert r.status_code == 403 and "ยังไม่มีคำตอบอย่างเป็นทางการ" in text_of(r.text)
    assert (await send_json(client, "PATCH", f"/api/v1/ideas/{idea_id}", payload)).status_code == 403
    assert f"/ideas/{idea_id}/edit" not in (await client.get(f"/ideas/{idea_id}")).text

    moved = await _idea(conn, world, "ไอเดียที่กำลังพิจารณา")
    await store.change_status(
        conn,
        moved,
        expected_from="published",
        to_status="under_review",
        reason="",
        duplicate_of=None,
        actor_id=world["users"]["staff@owner.example"],
        org_id=world["owner"],
    )
    assert (await send_json(client, "PATCH", f"/api/v1/ideas/{moved}", payload)).status_code == 403
    assert await _row(conn, idea_id) == before


async def test_store_rechecks_under_the_lock(conn):
    """An answer that lands between the check in the route and the write still wins."""
    world = await _world(conn)
    idea_id = await _idea(conn, world)
    await store.answer_idea(
        conn, idea_id, org_id=world["owner"], author_id=world["users"]["staff@owner.example"], body="ตอบแล้ว"
    )
    author = world["users"]["citizen@example.com"]
    args = dict(title="หัวข้อใหม่ที่ยาวพอ", body=NEW_BODY, category="", province=None, links=[])
    try:
        await store.edit_idea(conn, idea_id, author_id=author, **args)
        raise AssertionError("edited an answered idea")
    except store.NotAllowed:
        pass
    other = await _idea(conn, world, "อีกไอเดียหนึ่ง")
    try:
        await store.edit_idea(conn, other, author_id=world["users"]["citizen2@example.com"], **args)
        raise AssertionError("edited someone else's idea")
    except store.NotAllowed:
        pass
    assert await conn.fetchval("SELECT count(*) FROM idea_revisions") == 0


async def test_pending_idea_is_editable_and_bad_input_changes_nothing(client, conn):
    world = await _world(conn, moderate_first=True)
    idea_id = await _idea(conn, world)
    assert (await store.get_idea(conn, idea_id)).status == "pending_moderation"
    before = await _row(conn, idea_id)
    await login(client, "citizen@example.com")
    r = await post_form(
        client,
        f"/ideas/{idea_id}/edit",
        {"title": "หัวข้อที่พิมพ์ใหม่", "body": "สั้น", "category": "ไม่มีในรายการ", "links": "ftp://x"},
    )
    assert r.status_code == 400
    assert "หัวข้อที่พิมพ์ใหม่" in r.text and "ftp://x" in r.text
    for field in ("body", "category", "links"):
        assert f'href="#field-{field}"' in r.text, field
    huge = "ก" * (10 * 1024 * 1024)
    for payload in (
        {"title": ""},
        {"body": huge},
        {"category": "ไม่มีในรายการ"},
        {"province": "XXX"},
        {"links": ["javascript:alert(1)"]},
        {"title": 5},
        {"status": "accepted"},
    ):
        r = await send_json(client, "PATCH", f"/api/v1/ideas/{idea_id}", payload)
        assert r.status_code in (400, 413, 422), (payload, r.status_code)
        assert r.json()["error"]["message"]
    assert await _row(conn, idea_id) == before
    assert await conn.fetchval("SELECT count(*) FROM idea_status_history WHERE kind = 'edited'") == 0
    r = await send_json(client, "PATCH", f"/api/v1/ideas/{idea_id}", {"title": "หัวข้อระหว่างรอตรวจ"})
    assert r.status_code == 200 and r.json()["status"] == "pending_moderation"


async def test_board_without_categories_takes_free_text_and_dropped_category_may_stay(client, conn):
    world = await _world(conn)
    idea_id = await _idea(conn, world)  # category "ตลาด"
    await conn.execute("UPDATE idea_boards SET categories = '{ขยะ}'")
    await login(client, "citizen@example.com")
    form = await client.get(f"/ideas/{idea_id}/edit")
    assert '<option value="ตลาด" selected' in form.text  # kept, though the board dropped it
    r = await send_json(client, "PATCH", f"/api/v1/ideas/{idea_id}", {"title": "ไวไฟในตลาดกิมหยง"})
    assert r.status_code == 200 and r.json()["category"] == "ตลาด"
    await conn.execute("UPDATE idea_boards SET categories = '{}'")
    form = await client.get(f"/ideas/{idea_id}/edit")
    assert '<input class="input" id="field-category" name="category"' in form.text.replace("\n", " ")
    r = await send_json(client, "PATCH", f"/api/v1/ideas/{idea_id}", {"category": "ไวไฟสาธารณะ"})
    assert r.status_code == 200 and r.json()["category"] == "ไวไฟสาธารณะ"
    r = await send_json(client, "PATCH", f"/api/v1/ideas/{idea_id}", {"category": "ก" * 81})
    assert r.status_code == 422 and r.json()["error"]["field"] == "category"


async def test_new_idea_category_follows_the_chosen_board(client, conn):
    world = await _world(conn)
    await login(client, "citizen@example.com")
    # the only open board is chosen: its categories are a select
    form = await client.get("/ideas/new")
    assert '<select class="select" id="field-category" name="category"' in form.text
    assert '<option value="ตลาด"' in form.text
    select = parse(form.text).ids["field-board"]
    assert select["hx-get"] == "/ideas/new" and select["hx-target"] == "#category-field"
    # a second board without categories: htmx swaps the field to free text when it is chosen
    await store.create_board(
        conn,
        slug="songkhla-lake",
        agency_id=world["owner"],
        title="ทะเลสาบสงขลา",
        description_th="ไอเดียเพื่อฟื้นฟูทะเลสาบสงขลา",
        description_en="",
        scope="SKA",
        categories=[],
        is_open=True,
        moderate_first=False,
        support_threshold=10,
        response_days=30,
        coowner_ids=[],
        actor_id=world["users"]["staff@owner.example"],
    )
    form = await client.get("/ideas/new")
    assert 'id="category-field"' in form.text and 'name="category"' in form.text
    hx = {"HX-Request": "true", "HX-Target": "category-field"}
    r = await client.get("/ideas/new", params={"board": "songkhla-lake"}, headers=hx)
    assert r.status_code == 200 and "<html" not in r.text and 'id="category-field"' in r.text
    assert '<input class="input" id="field-category" name="category"' in r.text.replace("\n", " ")
    r = await client.get("/ideas/new", params={"board": "hatyai-waste"}, headers=hx)
    assert '<option value="ขยะ"' in r.text and "<html" not in r.text
    # posting: a category not in the board's list is refused, the form keeps the board's select
    r = await post_form(
        client,
        "/ideas",
        {"board": "hatyai-waste", "title": "ถังขยะแยกประเภท", "body": BODY, "category": "อื่น ๆ"},
    )
    assert r.status_code == 400 and 'href="#field-category"' in r.text
    assert '<option value="ขยะ"' in r.text
    r = await post_form(
        client,
        "/ideas",
        {"board": "songkhla-lake", "title": "เรือเก็บผักตบชวา", "body": BODY, "category": "น้ำ"},
    )
    assert r.status_code == 303
    assert await conn.fetchval("SELECT category FROM ideas WHERE title = 'เรือเก็บผักตบชวา'") == "น้ำ"
