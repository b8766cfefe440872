"""Consultation actions record their domain events in the change's own transaction: the sweep as
the platform (no actor), a response privately and without its answers, official acts as such."""

import asyncio

import msgspec
import pytest

from civic.accounts.store import user_by_id
from civic.consultations import actions, store
from civic.consultations.schemas import ResponseIn
from civic.events import CATALOGUE
from tests.helpers import login, make_user, post_form, send_json
from tests.integration.consultation_data import create_draft_policy
from tests.integration.test_consultations_http import answers, setup


async def _events(conn, *kinds):
    rows = await conn.fetch(
        "SELECT kind, actor_id, subject_kind, subject_id, agency_id, visibility, payload FROM events "
        "WHERE kind = ANY($1::text[]) ORDER BY id",
        list(kinds),
    )
    for r in rows:  # every row decodes against the catalogue
        msgspec.convert(r["payload"], CATALOGUE[r["kind"]].payload)
    return rows


async def test_a_response_is_private_and_carries_no_answers(client, conn):
    s = await setup(conn)
    pim = await make_user(conn, "pim@x.example")
    await login(client, "pim@x.example")
    url = f"/api/v1/consultations/{s['cid']}/response"
    r = await send_json(client, "POST", url, {"consent": "named", "answers": answers(s["q"], text="ความลับ")})
    assert r.status_code == 201
    r = await send_json(client, "PUT", url, {"consent": "none", "answers": answers(s["q"])})
    assert r.status_code == 200
    rows = await _events(conn, "consultation.responded", "response.edited")
    assert [(e["kind"], e["visibility"], e["actor_id"], e["agency_id"]) for e in rows] == [
        ("consultation.responded", "private", pim, s["mdes"]),
        ("response.edited", "private", pim, s["mdes"]),
    ]
    assert all(set(e["payload"]) == {"consultation_id", "response_id"} for e in rows)
    # a refused answer leaves no event behind
    r = await send_json(client, "POST", url, {"consent": "none", "answers": answers(s["q"])})
    assert r.status_code == 409
    assert len(await _events(conn, "consultation.responded")) == 1


async def test_racing_responses_leave_one_response_and_one_event(pool, conn):
    s = await setup(conn)
    pim = await user_by_id(conn, await make_user(conn, "pim@x.example"))
    data = ResponseIn(consent="anonymous", answers=answers(s["q"]))
    async with pool.acquire() as a, pool.acquire() as b:
        results = await asyncio.gather(
            actions.respond(a, pim, s["cid"], data),
            actions.respond(b, pim, s["cid"], data),
            return_exceptions=True,
        )
    assert sum(isinstance(r, store.AlreadyResponded) for r in results) == 1
    assert await conn.fetchval("SELECT count(*) FROM consultation_responses") == 1
    assert len(await _events(conn, "consultation.responded")) == 1


async def test_the_sweep_records_opening_and_closing_as_the_platform(conn):
    s = await setup(conn, status="draft")
    staff = await conn.fetchval("SELECT id FROM users WHERE email = 'staff@mdes.example'")
    due = await create_draft_policy(
        conn, actor_id=staff, owner_org_id=s["mdes"], status="scheduled", opens_in_days=-1, closes_in_days=5
    )
    missed = await create_draft_policy(
        conn, actor_id=staff, owner_org_id=s["mdes"], status="scheduled", opens_in_days=-9, closes_in_days=-1
    )
    assert await actions.advance_lifecycle(conn) == 2
    rows = await _events(conn, "consultation.opened", "consultation.closed")
    assert sorted((e["subject_id"], e["kind"]) for e in rows) == [
        (due, "consultation.opened"),
        (missed, "consultation.closed"),
        (missed, "consultation.opened"),
    ]
    assert {(e["actor_id"], e["agency_id"], e["visibility"], e["payload"]["by"]) for e in rows} == {
        (None, s["mdes"], "public", "schedule")
    }
    assert await actions.advance_lifecycle(conn) == 0
    assert len(await _events(conn, "consultation.opened", "consultation.closed")) == 3
    with pytest.raises(actions.Forbidden):
        await actions.advance_lifecycle(conn, await user_by_id(conn, staff))


async def test_staff_acts_are_recorded(client, conn):
    s = await setup(conn, kind="s77")
    await login(client, "staff@mdes.example")
    reason = "คณะรัฐมนตรีมีมติให้ถอนร่างกฎหมายเพื่อปรับปรุงใหม่ทั้งฉบับ"
    r = await send_json(
        client, "POST", f"/api/v1/consultations/{s['cid']}/transitions", {"action": "close", "reason": reason}
    )
    assert r.status_code == 200
    theme = {"title": "ขยายพื้นที่บริการ", "disposition": "adopted", "reason": "เพิ่มตำบลห่างไกลในระยะแรก"}
    url = f"/api/v1/consultations/{s['cid']}/outcome"
    summary = "ประชาชนส่วนใหญ่เห็นด้วยกับร่างนโยบาย"
    assert (await send_json(client, "POST", url, {"summary": summary, "themes": [theme]})).status_code == 201
    r = await send_json(
        client, "POST", url, {"summary": summary + " (แก้ไข)", "themes": [theme], "correction_note": "แก้ตัวเลข"}
    )
    assert r.status_code == 201
    sec = (await store.list_sections(conn, s["cid"]))[0]
    await conn.execute("UPDATE consultations SET status = 'open' WHERE id = $1", s["cid"])
    cm = await send_json(
        client,
        "POST",
        f"/api/v1/consultations/{s['cid']}/comments",
        {"section_id": sec.id, "body": "ควรเพิ่มคำนิยาม"},
    )
    r = await post_form(
        client, f"/consultations/{s['cid']}/comments/{cm.json()['id']}/hide", {"reason": "สแปม"}
    )
    assert r.status_code == 303
    rows = await _events(
        conn, "consultation.closed", "outcome.published", "outcome.corrected", "comment.hidden"
    )
    assert [e["kind"] for e in rows] == [
        "consultation.closed",
        "outcome.published",
        "outcome.corrected",
        "comment.hidden",
    ]
    closed = rows[0]["payload"]
    assert closed["early"] is True and closed["reason"] == reason and closed["by"] == "staff"
    assert [e["payload"]["version"] for e in rows[1:3]] == [1, 2]
    assert rows[3]["payload"]["reason"] == "สแปม" and rows[3]["subject_kind"] == "consultation_comment"
    assert all(CATALOGUE[e["kind"]].official for e in rows)
    assert len(await _events(conn, "section.commented")) == 1


async def test_blocking_an_author_is_one_platform_wide_event(client, conn):
    s = await setup(conn)
    author = await make_user(conn, "author@x.example")
    mod = await make_user(conn, "mod@x.example", role="moderator")
    sec = (await store.list_sections(conn, s["cid"]))[0]
    cm = await store.add_comment(conn, s["cid"], author, section_id=sec.id, body="ข้อความโฆษณาซ้ำ ๆ")
    await login(client, "mod@x.example")
    r = await send_json(client, "POST", f"/api/v1/consultations/comments/{cm}/block-author")
    assert r.status_code == 200
    rows = await _events(conn, "user.blocked")
    assert [(e["subject_kind"], e["subject_id"], e["actor_id"], e["visibility"]) for e in rows] == [
        ("user", author, mod, "staff")
    ]
    assert rows[0]["payload"] == {"role": "citizen"}
