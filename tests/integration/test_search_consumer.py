"""The search indexer is an event consumer (civic.search.consumer): a change reaches search_outbox
only when the consumer has read its event, each document once per batch, and never twice for the
same event."""

from __future__ import annotations

import pytest

from civic import consumers
from civic.accounts.store import user_by_id
from civic.ideas import actions as ideas
from civic.ideas.schemas import IdeaIn, IdeaPatch, ModerationIn
from civic.search.consumer import SEARCH_INDEXER
from tests.helpers import PASSWORD, index_events, login, post_form, send_json
from tests.integration import test_handovers_http as handovers_http
from tests.integration.test_consultations_http import setup as consultation_setup
from tests.integration.test_ideas import BODY, _world

world = handovers_http.world  # the handover tests' agency, partners and their logged-in clients


async def queued(conn, kind: str, entity_id: int) -> list[str]:
    """The ops of the outbox rows for one document, oldest first."""
    rows = await conn.fetch(
        "SELECT op FROM search_outbox WHERE kind = $1 AND entity_id = $2 ORDER BY id", kind, entity_id
    )
    return [r["op"] for r in rows]


def idea_in(title: str) -> IdeaIn:
    return IdeaIn(board="hatyai-waste", title=title, body=BODY, category="ตลาด", province="SKA")


async def test_an_idea_submitted_edited_and_hidden_reaches_the_outbox_through_the_consumer(conn):
    w = await _world(conn)
    citizen = await user_by_id(conn, w["users"]["citizen@example.com"])
    moderator = await user_by_id(conn, w["users"]["mod@example.com"])
    idea = await ideas.submit_idea(conn, citizen, idea_in("ไวไฟสาธารณะในตลาดกิมหยง"))
    assert await queued(conn, "idea", idea.id) == []  # the action itself writes no outbox row
    await index_events(conn)
    assert await queued(conn, "idea", idea.id) == ["upsert"]

    await ideas.edit_idea(conn, citizen, idea.id, IdeaPatch(title="ไวไฟฟรีในตลาดกิมหยง"))
    await index_events(conn)
    assert await queued(conn, "idea", idea.id) == ["upsert", "upsert"]

    await ideas.hide(conn, moderator, ModerationIn(subject_kind="idea", subject_id=idea.id, reason="สแปม"))
    await index_events(conn)
    assert await queued(conn, "idea", idea.id) == ["upsert", "upsert", "delete"]

    # Submitted and edited before the consumer runs: one batch, one row.
    other = await ideas.submit_idea(conn, citizen, idea_in("ถังขยะแยกประเภทหน้าตลาด"))
    await ideas.edit_idea(conn, citizen, other.id, IdeaPatch(title="ถังขยะแยกประเภทหน้าตลาดสด"))
    await index_events(conn)
    assert await queued(conn, "idea", other.id) == ["upsert"]


async def test_an_erasure_that_removes_content_takes_every_idea_of_its_author_out(client, conn):
    w = await _world(conn)
    citizen = await user_by_id(conn, w["users"]["citizen@example.com"])
    mine = [(await ideas.submit_idea(conn, citizen, idea_in(t))).id for t in ("ไฟส่องสว่างซอยวัด", "ทางเท้าชำรุด")]
    theirs = (await ideas.submit_idea(conn, await user_by_id(conn, w["users"]["citizen2@example.com"]),
                                      idea_in("ป้ายรถเมล์ไม่มีหลังคา"))).id  # fmt: skip
    await index_events(conn)
    await login(client, "citizen@example.com")
    r = await send_json(
        client, "DELETE", "/api/v1/me", {"password": PASSWORD, "confirm": True, "remove_content": True}
    )
    assert r.status_code == 200, r.text
    assert [await queued(conn, "idea", i) for i in mine] == [["upsert"], ["upsert"]]
    await index_events(conn)
    assert [await queued(conn, "idea", i) for i in mine] == [["upsert", "delete"], ["upsert", "delete"]]
    assert await queued(conn, "idea", theirs) == ["upsert"]


async def test_a_consultation_opened_closed_and_its_outcome_published_reach_the_outbox(client, conn):
    s = await consultation_setup(conn, status="scheduled", kind="s77")
    cid = s["cid"]
    await login(client, "staff@mdes.example")
    url = f"/api/v1/consultations/{cid}/transitions"
    assert (await send_json(client, "POST", url, {"action": "open"})).status_code == 200
    assert await queued(conn, "consultation", cid) == []
    await index_events(conn)
    assert await queued(conn, "consultation", cid) == ["upsert"]
    reason = "คณะรัฐมนตรีมีมติให้ถอนร่างกฎหมายเพื่อปรับปรุงใหม่ทั้งฉบับ"
    assert (await send_json(client, "POST", url, {"action": "close", "reason": reason})).status_code == 200
    await index_events(conn)
    assert len(await queued(conn, "consultation", cid)) == 2
    theme = {"title": "ขยายพื้นที่บริการ", "disposition": "adopted", "reason": "เพิ่มตำบลห่างไกลในระยะแรก"}
    r = await send_json(
        client,
        "POST",
        f"/api/v1/consultations/{cid}/outcome",
        {"summary": "ประชาชนเห็นด้วย", "themes": [theme]},
    )
    assert r.status_code == 201, r.text
    await index_events(conn)
    assert await queued(conn, "consultation", cid) == ["upsert"] * 3


async def test_a_task_posted_and_claimed_reaches_the_outbox(world, conn):
    task_id = await handovers_http._post_task(world["staff"])
    assert await queued(conn, "handover", task_id) == []
    await index_events(conn)
    assert await queued(conn, "handover", task_id) == ["upsert"]  # drafted and posted: one row
    r = await post_form(
        world["nok"], f"/handovers/{task_id}/claim", {"plan": "อบรมสามครั้งในสามตำบลริมน้ำพอง", "team": "นกและทีม"}
    )
    assert r.status_code == 303, r.text
    await index_events(conn)
    assert await queued(conn, "handover", task_id) == ["upsert", "upsert"]


async def test_a_consumer_run_twice_queues_nothing_twice(pool, conn):
    w = await _world(conn)
    citizen = await user_by_id(conn, w["users"]["citizen@example.com"])
    idea = await ideas.submit_idea(conn, citizen, idea_in("ไวไฟสาธารณะในตลาดกิมหยง"))
    assert await index_events(pool) >= 1
    rows = await conn.fetchval("SELECT count(*) FROM search_outbox")
    assert await index_events(pool) == 0  # the cursor moved with the rows it wrote
    assert await consumers.drain(pool, [SEARCH_INDEXER]) == 0
    assert await conn.fetchval("SELECT count(*) FROM search_outbox") == rows
    assert await queued(conn, "idea", idea.id) == ["upsert"]
    cursor = await conn.fetchrow("SELECT handled, last_error FROM event_cursors WHERE name = 'search.index'")
    assert cursor["handled"] >= 1 and cursor["last_error"] == ""


async def test_a_failing_batch_keeps_no_row_and_is_offered_again(pool, conn):
    w = await _world(conn)
    citizen = await user_by_id(conn, w["users"]["citizen@example.com"])
    idea = await ideas.submit_idea(conn, citizen, idea_in("ไวไฟสาธารณะในตลาดกิมหยง"))

    async def write_then_fail(c, batch):
        await SEARCH_INDEXER.handle(c, batch)  # the rows are written...
        raise RuntimeError("index mapping failed")  # ...and go with the failed batch

    failing = consumers.Consumer(SEARCH_INDEXER.name, write_then_fail, kinds=SEARCH_INDEXER.kinds)
    with pytest.raises(RuntimeError):
        await consumers.drain(pool, [failing])
    assert await queued(conn, "idea", idea.id) == []
    error = await conn.fetchval("SELECT last_error FROM event_cursors WHERE name = 'search.index'")
    assert "index mapping failed" in error
    await index_events(pool)
    assert await queued(conn, "idea", idea.id) == ["upsert"]
