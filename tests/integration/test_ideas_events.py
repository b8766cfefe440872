"""Every state change of idea boards records its domain event, in the change's own transaction,
with the catalogue's payload, its actor, the board's agency and the idea's province."""

from __future__ import annotations

import msgspec

from civic.events import CATALOGUE
from civic.ideas import store
from tests.helpers import login, post_form, send_json
from tests.integration.test_ideas import BODY, _idea, _world


async def _events(conn, since: int = 0) -> list[dict]:
    rows = await conn.fetch(
        "SELECT id, kind, actor_id, subject_kind, subject_id, agency_id, province, visibility, payload"
        " FROM events WHERE id > $1 ORDER BY id",
        since,
    )
    for row in rows:  # each matches its kind's payload Struct
        msgspec.convert(row["payload"], CATALOGUE[row["kind"]].payload)
    return [dict(r) for r in rows]


async def _last_id(conn) -> int:
    return await conn.fetchval("SELECT COALESCE(max(id), 0) FROM events")


async def test_each_idea_verb_records_its_event(client, make_client, conn):
    world = await _world(conn, threshold=2)
    u = world["users"]
    await login(client, "citizen@example.com")
    start = await _last_id(conn)
    r = await send_json(
        client,
        "POST",
        "/api/v1/ideas",
        {
            "board": "hatyai-waste",
            "title": "ถังขยะแยกประเภท",
            "body": BODY,
            "category": "ขยะ",
            "province": "SKA",
        },
    )
    idea_id = r.json()["id"]
    r = await send_json(client, "PATCH", f"/api/v1/ideas/{idea_id}", {"title": "ถังขยะแยกประเภทสี่ถัง"})
    assert r.status_code == 200
    # A support by form and one by API go through the same action; the second reaches the threshold.
    assert (await post_form(client, f"/ideas/{idea_id}/support")).status_code == 303
    supporter = await make_client()
    await login(supporter, "citizen2@example.com")
    assert (await send_json(supporter, "POST", f"/api/v1/ideas/{idea_id}/support")).status_code == 200
    assert (await send_json(supporter, "POST", f"/api/v1/ideas/{idea_id}/support")).json()["changed"] is False
    assert (await send_json(supporter, "DELETE", f"/api/v1/ideas/{idea_id}/support")).status_code == 200
    r = await send_json(supporter, "POST", f"/api/v1/ideas/{idea_id}/comments", {"body": "เห็นด้วย"})
    comment_id = r.json()["id"]
    r = await post_form(supporter, f"/ideas/{idea_id}/comments/{comment_id}/edit", {"body": "เห็นด้วยมาก"})
    assert r.status_code == 303
    assert (await post_form(supporter, f"/ideas/{idea_id}/comments/{comment_id}/delete")).status_code == 303
    staff = await make_client()
    await login(staff, "staff@coowner.example")
    answer = {"body": "เทศบาลจะติดตั้งถังแยกประเภทภายในเดือนหน้า"}
    assert (await send_json(staff, "POST", f"/api/v1/ideas/{idea_id}/answer", answer)).status_code == 200
    r = await send_json(staff, "POST", f"/api/v1/ideas/{idea_id}/status", {"status": "accepted"})
    assert r.status_code == 200

    kinds = [(e["kind"], e["actor_id"]) for e in await _events(conn, start)]
    # The second support reaches the threshold: both events come from its one statement.
    kinds.remove(("idea.threshold_reached", None))
    assert kinds == [
        ("idea.submitted", u["citizen@example.com"]),
        ("idea.edited", u["citizen@example.com"]),
        ("idea.supported", u["citizen@example.com"]),
        ("idea.supported", u["citizen2@example.com"]),
        ("idea.support_withdrawn", u["citizen2@example.com"]),
        ("idea.commented", u["citizen2@example.com"]),
        ("comment.edited", u["citizen2@example.com"]),
        ("comment.deleted", u["citizen2@example.com"]),
        ("idea.answered", u["staff@coowner.example"]),
        ("idea.status_changed", u["staff@coowner.example"]),
    ]
    for e in await _events(conn, start):
        assert (e["agency_id"], e["province"]) == (world["owner"], "SKA"), e
    by_kind = {e["kind"]: e for e in await _events(conn, start)}
    assert by_kind["idea.supported"]["visibility"] == "private"
    assert by_kind["idea.support_withdrawn"]["payload"] == {"support_count": 1}
    assert by_kind["idea.status_changed"]["payload"]["to_status"] == "accepted"
    assert by_kind["idea.answered"]["payload"] == {"org_id": world["coowner"], "revised": False}
    # Refusals record nothing.
    before = await _last_id(conn)
    r = await send_json(supporter, "POST", f"/api/v1/ideas/{idea_id}/status", {"status": "implemented"})
    assert r.status_code == 403
    assert await _last_id(conn) == before


async def test_boards_and_moderation_record_their_events(client, make_client, conn):
    world = await _world(conn)
    u = world["users"]
    idea_id = await _idea(conn, world)
    staff = await make_client()
    await login(staff, "staff@owner.example")
    start = await _last_id(conn)
    board = {
        "slug": "new-board",
        "agency": "hdy-city",
        "title": "บอร์ดใหม่",
        "description_th": "คำอธิบายบอร์ดใหม่สำหรับทดสอบ",
        "scope": "SKA",
    }
    assert (await send_json(staff, "POST", "/api/v1/boards", board)).status_code == 201
    r = await send_json(
        staff, "PATCH", "/api/v1/boards/new-board", {"support_threshold": 7, "coowners": ["other-agency"]}
    )
    assert r.status_code == 200
    r = await post_form(staff, "/boards/hatyai-waste/coowners", {"agency": "other-agency"})
    assert r.status_code == 303
    other = await make_client()
    await login(other, "staff@other.example")
    assert (await post_form(other, "/boards/new-board/coowners/other-agency/accept", {})).status_code == 303
    assert (
        await post_form(other, "/boards/hatyai-waste/coowners/other-agency/decline", {})
    ).status_code == 303
    await login(client, "citizen2@example.com")
    flag = {"subject_kind": "idea", "subject_id": idea_id, "reason": "โฆษณาแฝง"}
    assert (await send_json(client, "POST", "/api/v1/flags", flag)).status_code == 201
    moderator = await make_client()
    await login(moderator, "mod@example.com")
    subject = {"subject_kind": "idea", "subject_id": str(idea_id)}
    assert (await post_form(moderator, "/moderation/hide", subject | {"reason": "สแปม"})).status_code == 303
    assert (await post_form(moderator, "/moderation/restore", subject)).status_code == 303
    assert (await post_form(moderator, "/moderation/dismiss", subject)).status_code == 303
    target = {"user_id": str(u["citizen3@example.com"])}
    assert (await post_form(moderator, "/moderation/block", target | {"confirmed": "yes"})).status_code == 303

    events = await _events(conn, start)
    assert [e["kind"] for e in events] == [
        "board.created",
        "coownership.invited",
        "board.settings_changed",
        "coownership.invited",
        "coownership.accepted",
        "coownership.declined",
        "content.flagged",
        "content.hidden",
        "content.restored",
        "flags.dismissed",
        "user.blocked",
    ]
    created, invited, changed, _invited, accepted, declined, flagged, hidden, *_ = events
    assert (created["agency_id"], created["province"], created["actor_id"]) == (
        world["owner"],
        "SKA",
        u["staff@owner.example"],
    )
    assert changed["payload"]["changed"] == ["support_threshold"]  # the invitation is its own event
    invitation = {"subject": "board", "title": "บอร์ดใหม่", "org_id": world["other"]}
    assert invited["payload"] == invitation and invited["visibility"] == "staff"
    assert (invited["agency_id"], invited["actor_id"]) == (world["owner"], u["staff@owner.example"])
    assert accepted["payload"] == invitation and accepted["visibility"] == "public"
    assert (accepted["agency_id"], accepted["actor_id"]) == (world["other"], u["staff@other.example"])
    assert declined["payload"]["title"] == "ขยะและความสะอาดเมืองหาดใหญ่" and declined["visibility"] == "staff"
    # the acceptance is an official act, so it is in the public record
    assert await conn.fetchval("SELECT count(*) FROM record_entries WHERE act = 'coownership.accepted'") == 1
    assert flagged["visibility"] == "staff" and flagged["subject_id"] == idea_id
    # The hide is public and official, and carries the reason, never the hidden text.
    assert hidden["visibility"] == "public" and hidden["payload"] == {"idea_id": idea_id, "reason": "สแปม"}
    assert (hidden["agency_id"], hidden["province"]) == (world["owner"], "SKA")
    assert events[-1]["subject_kind"] == "user" and events[-1]["visibility"] == "staff"


async def test_a_pending_idea_is_announced_to_staff_only(client, conn):
    world = await _world(conn, moderate_first=True)
    await login(client, "citizen@example.com")
    start = await _last_id(conn)
    payload = {"board": "hatyai-waste", "title": "ไฟส่องสว่างซอยสาม", "body": BODY}
    assert (await send_json(client, "POST", "/api/v1/ideas", payload)).status_code == 201
    (event,) = await _events(conn, start)
    assert event["kind"] == "idea.submitted" and event["visibility"] == "staff"
    assert event["payload"]["status"] == "pending_moderation"
    assert (await store.get_idea(conn, event["subject_id"])).status == "pending_moderation"
    assert world["board"]
