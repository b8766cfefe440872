import asyncio
from datetime import timedelta

import pytest

from civic.consultations import store
from civic.consultations.jobs import advance_once
from civic.consultations.schemas import Theme
from tests.helpers import make_agency, make_user


async def _now(conn):
    return await conn.fetchval("SELECT now()")


async def make_consultation(
    conn, owner, actor, *, kind="general", opens=-1, closes=20, status=None, questions=None
):
    now = await _now(conn)
    cid = await store.create_consultation(
        conn,
        actor_id=actor,
        owner_org_id=owner,
        kind=kind,
        title="ร่างนโยบายอินเทอร์เน็ตชุมชน",
        summary="ขอรับฟังความคิดเห็นต่อร่างนโยบายอินเทอร์เน็ตชุมชนทั่วประเทศ",
        opens_at=now + timedelta(days=opens),
        closes_at=now + timedelta(days=closes),
        sections=store.sections_from_text("มาตรา ๑ ข้อความที ่ด ี\n\nมาตรา ๒ ให้ใช้บังคับ"),
        questions=questions
        or [
            {"kind": "single", "prompt": "เห็นด้วยหรือไม่", "required": True, "options": ["เห็นด้วย", "ไม่เห็นด้วย"]},
            {"kind": "scale", "prompt": "ความสำคัญ", "required": False},
            {"kind": "text", "prompt": "ข้อเสนอแนะ", "required": False},
        ],
    )
    if status:
        await conn.execute("UPDATE consultations SET status = $2 WHERE id = $1", cid, status)
    return cid


async def test_sections_keep_original_and_repair(conn):
    org = await make_agency(conn, "mdes")
    u = await make_user(conn, "staff@x.example")
    cid = await make_consultation(conn, org, u)
    secs = await store.list_sections(conn, cid)
    assert [s.position for s in secs] == [1, 2]
    assert secs[0].body_original == "มาตรา ๑ ข้อความที ่ด ี"
    assert secs[0].body == "มาตรา ๑ ข้อความที่ดี"
    assert (
        await conn.fetchval(
            "SELECT count(*) FROM search_outbox WHERE kind='consultation' AND entity_id=$1", cid
        )
        == 1
    )


async def test_advance_lifecycle_opens_and_closes_idempotently(conn):
    org = await make_agency(conn, "mdes")
    u = await make_user(conn, "staff@x.example")
    due = await make_consultation(conn, org, u, opens=-1, closes=5, status="scheduled")
    later = await make_consultation(conn, org, u, opens=2, closes=20, status="scheduled")
    ending = await make_consultation(conn, org, u, opens=-10, closes=-1, status="open")
    missed = await make_consultation(conn, org, u, opens=-10, closes=-1, status="scheduled")
    draft = await make_consultation(conn, org, u, opens=-10, closes=-1)
    assert await store.advance_lifecycle(conn) == 3
    status = {r["id"]: r["status"] for r in await conn.fetch("SELECT id, status FROM consultations")}
    assert status == {due: "open", later: "scheduled", ending: "closed", missed: "closed", draft: "draft"}
    assert await store.advance_lifecycle(conn) == 0


async def test_advance_once_takes_advisory_lock(pool, conn):
    org = await make_agency(conn, "mdes")
    u = await make_user(conn, "staff@x.example")
    await make_consultation(conn, org, u, opens=-1, closes=5, status="scheduled")
    async with pool.acquire() as holder, holder.transaction():
        await holder.execute("SELECT pg_advisory_xact_lock($1)", 0x636F6E73)
        assert await advance_once(pool) == 0
    assert await advance_once(pool) == 1


async def test_response_race_leaves_one(pool, conn):
    org = await make_agency(conn, "mdes")
    staff = await make_user(conn, "staff@x.example")
    citizen = await make_user(conn, "pim@x.example")
    cid = await make_consultation(conn, org, staff, status="open")
    async with pool.acquire() as a, pool.acquire() as b:
        results = await asyncio.gather(
            store.submit_response(a, cid, citizen, consent="anonymous", province=None, answers={"x": 1}),
            store.submit_response(b, cid, citizen, consent="named", province=None, answers={"x": 2}),
            return_exceptions=True,
        )
    assert sum(isinstance(r, int) for r in results) == 1
    assert sum(isinstance(r, store.AlreadyResponded) for r in results) == 1
    assert (
        await conn.fetchval("SELECT count(*) FROM consultation_responses WHERE consultation_id=$1", cid) == 1
    )


async def test_closed_refuses_response(conn):
    org = await make_agency(conn, "mdes")
    staff = await make_user(conn, "staff@x.example")
    citizen = await make_user(conn, "pim@x.example")
    cid = await make_consultation(conn, org, staff, status="closed")
    with pytest.raises(store.NotOpen):
        await store.submit_response(conn, cid, citizen, consent="none", province=None, answers={})
    assert await conn.fetchval("SELECT count(*) FROM consultation_responses") == 0


async def test_stats_one_pass(conn):
    org = await make_agency(conn, "mdes")
    staff = await make_user(conn, "staff@x.example")
    cid = await make_consultation(conn, org, staff, status="open")
    qs = await store.list_questions(conn, cid)
    q1, q2, q3 = (str(q.id) for q in qs)
    answers = [
        ({q1: "เห็นด้วย", q2: 5, q3: "ดี"}, "BKK"),
        ({q1: "เห็นด้วย", q2: 3}, "CMI"),
        ({q1: "ไม่เห็นด้วย"}, "CMI"),
        ({}, None),
    ]
    for i, (ans, prov) in enumerate(answers):
        u = await make_user(conn, f"c{i}@x.example")
        await store.submit_response(conn, cid, u, consent="anonymous", province=prov, answers=ans)
    s = await store.stats(conn, cid)
    assert s.responses == 4
    by = {q.prompt: q for q in s.questions}
    assert by["เห็นด้วยหรือไม่"].answered == 3
    assert [(o.label, o.count) for o in by["เห็นด้วยหรือไม่"].options] == [("เห็นด้วย", 2), ("ไม่เห็นด้วย", 1)]
    assert by["ความสำคัญ"].mean == 4.0
    assert by["ข้อเสนอแนะ"].answered == 1 and by["ข้อเสนอแนะ"].options == []
    cmi = await store.stats(conn, cid, province="CMI")
    assert cmi.responses == 2


async def test_outcome_versions_and_search_documents(conn):
    org = await make_agency(conn, "mdes")
    staff = await make_user(conn, "staff@x.example")
    cid = await make_consultation(conn, org, staff, status="closed")
    draft = await make_consultation(conn, org, staff)
    theme = Theme(title="ค่าบริการ", disposition="adopted", reason="ลดค่าบริการ")
    assert await store.publish_outcome(conn, cid, actor_id=staff, summary="สรุปผลการรับฟัง", themes=[theme]) == 1
    with pytest.raises(store.Invalid):
        await store.publish_outcome(conn, cid, actor_id=staff, summary="สรุปผลแก้ไข", themes=[theme])
    assert (
        await store.publish_outcome(
            conn, cid, actor_id=staff, summary="สรุปผลแก้ไข", themes=[theme], correction_note="แก้ตัวเลข"
        )
        == 2
    )
    assert (await store.get_outcome(conn, cid)).summary == "สรุปผลแก้ไข"
    assert (await store.get_outcome(conn, cid, 1)).summary == "สรุปผลการรับฟัง"
    docs = await store.search_documents(conn, [cid, draft])
    assert [d["id"] for d in docs] == [cid]
    d = docs[0]
    assert d["kind"] == "consultation" and d["agency"] == "mdes" and d["status"] == "outcome_published"
    assert "ข้อความที่ดี" in d["body"] and d["url"] == f"/consultations/{cid}"


async def test_demo_seeds_open_hearing_and_outcome(conn, client):
    from civic import demo

    report = await demo.seed(conn)
    assert "consultations" in report
    await demo.seed(conn)  # idempotent
    rows = await conn.fetch("SELECT id, kind, status FROM consultations ORDER BY id")
    assert [(r["kind"], r["status"]) for r in rows] == [("s77", "open"), ("general", "outcome_published")]
    secs = await store.list_sections(conn, rows[0]["id"])
    fixture = [s for s in secs if "ที ่ด ี" in s.body_original]
    assert fixture and "ที่ดี" in fixture[0].body
    page = await client.get(f"/consultations/{rows[1]['id']}/outcome")
    assert page.status_code == 200 and "<svg" in page.text and "<title" in page.text
    assert "ศาลาประชาคม" in page.text
    report_page = await client.get(f"/consultations/{rows[0]['id']}")
    assert report_page.status_code == 200
