"""Irreversible acts ask once more, without JavaScript (issue 21, item 13): closing a
consultation early (a reason for a general consultation too) and blocking an author."""

from __future__ import annotations

from tests.helpers import login, make_user, post_form, send_json
from tests.integration.test_consultations_http import setup as consultation_setup


async def _status(conn, cid: int) -> str:
    return await conn.fetchval("SELECT status FROM consultations WHERE id = $1", cid)


async def test_closing_a_general_consultation_early_needs_a_reason_and_a_confirmation(client, conn):
    s = await consultation_setup(conn)  # a general consultation, open for 20 more days
    await login(client, "staff@mdes.example")
    url = f"/consultations/{s['cid']}/transition"
    r = await post_form(client, url, {"action": "close", "reason": ""})
    assert r.status_code == 422 and await _status(conn, s["cid"]) == "open"
    r = await post_form(client, url, {"action": "close", "reason": "งบประมาณโครงการถูกยกเลิกแล้ว"})
    assert r.status_code == 200 and 'name="confirmed" value="yes"' in r.text
    assert 'name="action" value="close"' in r.text and await _status(conn, s["cid"]) == "open"
    reason = "งบประมาณโครงการถูกยกเลิกแล้ว"
    r = await post_form(client, url, {"action": "close", "reason": reason, "confirmed": "yes"})
    assert r.status_code == 303 and await _status(conn, s["cid"]) == "closed"
    r = await send_json(client, "GET", f"/api/v1/consultations/{s['cid']}")
    assert reason in r.text


async def test_blocking_an_author_asks_first(client, make_client, conn):
    s = await consultation_setup(conn)
    author = await make_user(conn, "pim@x.example")
    await make_user(conn, "mod@example.com", role="moderator")
    await login(client, "pim@x.example")
    section = await conn.fetchval("SELECT id FROM consultation_sections WHERE consultation_id = $1 LIMIT 1", s["cid"])
    await post_form(client, f"/consultations/{s['cid']}/comments", {"section_id": str(section), "body": "ข้อความหยาบคาย"})
    comment = await conn.fetchval("SELECT id FROM consultation_comments")
    mod = await make_client()
    await login(mod, "mod@example.com")
    r = await post_form(mod, f"/consultations/moderation/comments/{comment}/block")
    assert r.status_code == 200 and 'name="confirmed" value="yes"' in r.text
    assert await conn.fetchval("SELECT status FROM users WHERE id = $1", author) == "active"
    r = await post_form(mod, f"/consultations/moderation/comments/{comment}/block", {"confirmed": "yes"})
    assert r.status_code == 303
    assert await conn.fetchval("SELECT status FROM users WHERE id = $1", author) == "blocked"

    other = await make_user(conn, "nok@x.example")
    r = await post_form(mod, "/moderation/block", {"user_id": str(other), "next": "/moderation"})
    assert r.status_code == 200 and f'name="user_id" value="{other}"' in r.text
    assert await conn.fetchval("SELECT status FROM users WHERE id = $1", other) == "active"
    r = await post_form(mod, "/moderation/block", {"user_id": str(other), "next": "/moderation", "confirmed": "yes"})
    assert r.status_code == 303
    assert await conn.fetchval("SELECT status FROM users WHERE id = $1", other) == "blocked"
