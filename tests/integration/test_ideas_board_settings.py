"""Board settings and co-owners after opening: owning agency's staff only, every change audited."""

from __future__ import annotations

from civic.ideas import store
from tests.helpers import login, make_agency, post_form, send_json, text_of
from tests.integration.test_ideas import _idea, _world

FORM = {
    "title": "ขยะและความสะอาดเมืองหาดใหญ่ ปี 2570",
    "description_th": "เสนอไอเดียเรื่องขยะ ความสะอาด และตลาดสดในเขตเทศบาลนครหาดใหญ่",
    "description_en": "Ideas about waste and clean markets in Hat Yai.",
    "scope": "SKA",
    "categories": "ขยะ\nตลาด\nคลองและน้ำเสีย",
    "support_threshold": "50",
    "response_days": "14",
    "is_open": "1",
}


async def _snapshot(conn):
    row = await conn.fetchrow("SELECT * FROM idea_boards WHERE slug = 'hatyai-waste'")
    coowners = await conn.fetch("SELECT org_id FROM idea_board_coowners ORDER BY org_id")
    return dict(row), [r["org_id"] for r in coowners]


async def test_owner_staff_edits_settings_by_form_and_every_change_is_audited(client, conn):
    world = await _world(conn)
    extra = await make_agency(conn, "songkhla-pao", level="regional", province="SKA")
    await login(client, "staff@owner.example")
    page = await client.get("/boards/hatyai-waste")
    assert 'href="/boards/hatyai-waste/settings"' in page.text
    form = await client.get("/boards/hatyai-waste/settings")
    assert form.status_code == 200 and "ขยะและความสะอาดเมืองหาดใหญ่" in form.text
    assert 'value="hdy-city"' not in form.text  # the owner is not offered as its own co-owner
    r = await post_form(
        client,
        "/boards/hatyai-waste/settings",
        FORM | {"coowners": ["songkhla-pao"], "moderate_first": "1"},
    )
    assert r.status_code == 303 and r.headers["location"] == "/boards/hatyai-waste"
    board = await store.get_board(conn, "hatyai-waste")
    assert board.title == FORM["title"] and board.categories == ["ขยะ", "ตลาด", "คลองและน้ำเสีย"]
    assert (board.support_threshold, board.response_days, board.moderate_first) == (50, 14, True)
    assert board.coowner_ids == []  # ska-province removed; songkhla-pao invited, not yet a co-owner
    assert await store.invited_slugs(conn, board.id) == ["songkhla-pao"]
    assert extra not in board.coowner_ids
    audit = await conn.fetch(
        "SELECT action, org_id, actor_id, detail FROM audit_log WHERE subject_kind = 'idea_board' "
        "AND action NOT IN ('board.create', 'board.accept_coownership') ORDER BY id"
    )
    assert [a["action"] for a in audit] == ["board.update", "board.add_coowner", "board.remove_coowner"]
    assert {a["org_id"] for a in audit} == {world["owner"]}
    assert {a["actor_id"] for a in audit} == {world["users"]["staff@owner.example"]}
    changes = audit[0]["detail"]["changes"]
    assert set(changes) == {
        "title",
        "description_th",
        "description_en",
        "categories",
        "moderate_first",
        "support_threshold",
        "response_days",
    }
    assert changes["support_threshold"] == [3, 50]
    assert audit[1]["detail"] == {"org_id": extra} and audit[2]["detail"] == {"org_id": world["coowner"]}
    # closing the board: an unticked box posts nothing, and means closed
    form_closed = {k: v for k, v in FORM.items() if k != "is_open"}
    r = await post_form(client, "/boards/hatyai-waste/settings", form_closed | {"coowners": ["songkhla-pao"]})
    assert r.status_code == 303
    board = await store.get_board(conn, "hatyai-waste")
    assert board.is_open is False and board.moderate_first is False
    last = await conn.fetchrow("SELECT action, detail FROM audit_log ORDER BY id DESC LIMIT 1")
    assert last["action"] == "board.update"
    assert last["detail"]["changes"] == {"is_open": [True, False], "moderate_first": [True, False]}
    # saving the same values again writes nothing and audits nothing
    count = await conn.fetchval("SELECT count(*) FROM audit_log")
    r = await post_form(client, "/boards/hatyai-waste/settings", form_closed | {"coowners": ["songkhla-pao"]})
    assert r.status_code == 303 and await conn.fetchval("SELECT count(*) FROM audit_log") == count


async def test_coowner_other_agency_citizen_and_anonymous_cannot_change_settings(client, make_client, conn):
    await _world(conn)
    before = await _snapshot(conn)
    audit_before = await conn.fetchval("SELECT count(*) FROM audit_log")
    for email in ("staff@coowner.example", "staff@other.example", "citizen@example.com"):
        c = await make_client()
        await login(c, email)
        assert (await c.get("/boards/hatyai-waste/settings")).status_code == 403
        r = await post_form(c, "/boards/hatyai-waste/settings", FORM)
        assert r.status_code == 403, email
        assert "เฉพาะเจ้าหน้าที่ของหน่วยงานเจ้าของบอร์ด" in text_of(r.text)
        r = await send_json(c, "PATCH", "/api/v1/boards/hatyai-waste", {"title": "ยึดบอร์ด", "coowners": []})
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden", email
        # the co-owner's staff cannot add co-owners through the old form either
        r = await post_form(c, "/boards/hatyai-waste/coowners", {"agency": "other-agency"})
        assert r.status_code == 403
        page = await c.get("/boards/hatyai-waste")
        assert "/boards/hatyai-waste/settings" not in page.text
    anon = await make_client()
    r = await send_json(anon, "PATCH", "/api/v1/boards/hatyai-waste", {"title": "ยึดบอร์ด"})
    assert r.status_code == 401
    r = await anon.get("/boards/hatyai-waste/settings")
    assert r.status_code in (302, 303, 401)
    assert await _snapshot(conn) == before
    assert await conn.fetchval("SELECT count(*) FROM audit_log") == audit_before


async def test_bad_input_is_400_with_typed_values_and_changes_nothing(client, conn):
    await _world(conn)
    before = await _snapshot(conn)
    audit_before = await conn.fetchval("SELECT count(*) FROM audit_log")
    await login(client, "staff@owner.example")
    bad = FORM | {"title": "ชื่อใหม่ที่พิมพ์ไว้", "support_threshold": "ศูนย์", "response_days": "0", "scope": "XXX"}
    r = await post_form(client, "/boards/hatyai-waste/settings", bad | {"coowners": ["no-such-agency"]})
    assert r.status_code == 400
    text = text_of(r.text)
    assert "error-summary" in r.text and "ชื่อใหม่ที่พิมพ์ไว้" in r.text and "คลองและน้ำเสีย" in r.text
    for field in ("support_threshold", "response_days", "scope", "coowners"):
        assert f'href="#field-{field}"' in r.text, field
    assert "1 ถึง 10,000,000" in text or "10,000,000" in text
    r = await post_form(client, "/boards/hatyai-waste/settings", FORM | {"description_th": "", "title": "x"})
    assert r.status_code == 400
    huge = "ก" * (10 * 1024 * 1024)
    r = await post_form(client, "/boards/hatyai-waste/settings", FORM | {"title": huge})
    assert 400 <= r.status_code < 500
    # the API: invalid values, wrong types, unknown fields, one bad co-owner among good changes
    for payload in (
        {"support_threshold": 0},
        {"response_days": 99999},
        {"scope": "XXX"},
        {"title": ""},
        {"categories": ["ก" * 500]},
        {"title": "ชื่อใหม่ที่ถูกต้อง", "coowners": ["no-such-agency"]},
        {"support_threshold": "ห้าสิบ"},
        {"slug": "new-address"},
        {"agency": "other-agency"},
    ):
        r = await send_json(client, "PATCH", "/api/v1/boards/hatyai-waste", payload)
        assert r.status_code in (400, 422), (payload, r.status_code)
        assert r.json()["error"]["message"], payload
    r = await send_json(client, "PATCH", "/api/v1/boards/hatyai-waste", {"support_threshold": 0})
    assert r.json()["error"]["field"] == "support_threshold"
    assert await _snapshot(conn) == before
    assert await conn.fetchval("SELECT count(*) FROM audit_log") == audit_before
    assert (
        await send_json(client, "PATCH", "/api/v1/boards/no-such-board", {"title": "บอร์ด"})
    ).status_code == 404


async def test_api_patch_changes_only_given_fields_and_coowners(client, conn):
    world = await _world(conn)
    idea_id = await _idea(conn, world)
    await login(client, "staff@owner.example")
    r = await send_json(client, "PATCH", "/api/v1/boards/hatyai-waste", {"is_open": False, "scope": ""})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["is_open"] is False and body["scope"] is None
    assert body["title"] == "ขยะและความสะอาดเมืองหาดใหญ่" and body["categories"] == ["ขยะ", "ตลาด"]
    assert body["coowner_ids"] == [world["coowner"]]  # coowners not given: unchanged
    r = await send_json(
        client, "PATCH", "/api/v1/boards/hatyai-waste", {"coowners": ["other-agency", "hdy-city"]}
    )
    assert r.status_code == 200 and r.json()["coowner_ids"] == []  # owner ignored, other-agency invited
    await login(client, "staff@other.example")
    assert (
        await send_json(client, "POST", "/api/v1/boards/hatyai-waste/coowners/other-agency/accept", {})
    ).status_code == 200
    actions = [
        r["action"]
        for r in await conn.fetch("SELECT action FROM audit_log WHERE action LIKE 'board.%' ORDER BY id")
    ]
    assert actions == [
        "board.create", "board.accept_coownership", "board.update", "board.add_coowner", "board.remove_coowner",
        "board.accept_coownership",
    ]  # fmt: skip
    # the removed co-owner's staff lose the right to answer; the added one's gain it
    co = client
    await login(co, "staff@coowner.example")
    r = await send_json(co, "POST", f"/api/v1/ideas/{idea_id}/answer", {"body": "ตอบในนามจังหวัดสงขลา"})
    assert r.status_code == 403
    await login(co, "staff@other.example")
    r = await send_json(co, "POST", f"/api/v1/ideas/{idea_id}/answer", {"body": "ตอบในนามหน่วยงานที่เพิ่มเข้ามา"})
    assert r.status_code == 200 and r.json()["answer"]["org_id"] == world["other"]


async def test_lowering_the_threshold_starts_clocks_of_ideas_already_over_it(client, conn):
    world = await _world(conn, threshold=10, days=30)
    idea_id = await _idea(conn, world)
    quiet = await _idea(conn, world, "ไอเดียที่ยังไม่มีผู้สนับสนุน")
    for email in ("citizen2@example.com", "citizen3@example.com"):
        await store.support_idea(conn, idea_id, world["users"][email])
    await login(client, "staff@owner.example")
    r = await send_json(
        client, "PATCH", "/api/v1/boards/hatyai-waste", {"support_threshold": 2, "response_days": 7}
    )
    assert r.status_code == 200
    idea = await store.get_idea(conn, idea_id)
    assert idea.threshold_reached_at is not None
    assert (idea.answer_due_at - idea.threshold_reached_at).days == 7
    assert (await store.get_idea(conn, quiet)).answer_due_at is None
    events = await conn.fetch("SELECT subject_id, payload FROM events WHERE kind = 'idea.threshold_reached'")
    assert [e["subject_id"] for e in events] == [idea_id] and events[0]["payload"]["threshold"] == 2
    # raising it again does not stop a clock that has started
    r = await send_json(client, "PATCH", "/api/v1/boards/hatyai-waste", {"support_threshold": 100})
    assert (await store.get_idea(conn, idea_id)).answer_due_at == idea.answer_due_at
