"""Implementation plans on the real database: staff attach a plan to an accepted idea or an
adopted theme, post updates (with evidence) and report it implemented, through the API and the
actions the pages call; every bad input is a 4xx naming its field and changes nothing."""

from __future__ import annotations

import json
from datetime import date, timedelta

import lxml.html
import msgspec
import pytest

from civic.accounts.store import user_by_id
from civic.implementation import actions
from civic.implementation.schemas import PlanIn, UpdateIn
from civic.validation import Invalid
from tests.helpers import login, send_json, text_of
from tests.integration.test_ideas import _idea, _world

TODAY = actions.today()
STAFF = "staff@owner.example"


def plan_body(idea_id: int, *, start: date = TODAY, dues: tuple[int, ...] = (10, 30)) -> dict:
    return {
        "idea_id": idea_id,
        "summary": "ติดตั้งไวไฟในตลาดกิมหยงให้ครบทุกโซน",
        "starts_on": start.isoformat(),
        "milestones": [{"title": f"ขั้นที่ {n}", "due": (start + timedelta(days=d)).isoformat()}
                       for n, d in enumerate(dues, 1)],
    }  # fmt: skip


async def accepted_idea(conn, *, status: str = "accepted") -> tuple[dict, int]:
    world = await _world(conn)
    idea_id = await _idea(conn, world)
    await conn.execute("UPDATE ideas SET status = $2 WHERE id = $1", idea_id, status)
    return world, idea_id


async def published_consultation(conn, owner: int) -> int:
    """A consultation of `owner` whose outcome is published: theme 1 adopted, theme 2 not."""
    cid = await conn.fetchval(
        "INSERT INTO consultations (owner_org_id, kind, province, title, summary, opens_at, closes_at, status, closed_at)"
        " VALUES ($1, 'general', 'SKA', 'รับฟังเรื่องตลาด', 'สรุป', now() - interval '30 days',"
        " now() - interval '10 days', 'outcome_published', now() - interval '10 days') RETURNING id", owner,
    )  # fmt: skip
    themes = [{"title": "ขยายทางเดิน", "disposition": "adopted", "reason": "ทำได้", "comment_ids": []},
              {"title": "ย้ายตลาด", "disposition": "not_adopted", "reason": "งบไม่พอ", "comment_ids": []}]  # fmt: skip
    await conn.execute(
        "INSERT INTO consultation_outcomes (consultation_id, version, summary, themes, published_at)"
        " VALUES ($1, 1, 'ผล', $2, now())", cid, themes,
    )  # fmt: skip
    return cid


async def counts(conn) -> tuple[int, int, int, int]:
    return (
        await conn.fetchval("SELECT count(*) FROM implementation_plans"),
        await conn.fetchval("SELECT count(*) FROM implementation_updates"),
        await conn.fetchval("SELECT count(*) FROM implementation_evidence"),
        await conn.fetchval("SELECT count(*) FROM events WHERE kind LIKE 'implementation.%'"),
    )


async def test_staff_attach_a_plan_to_an_accepted_idea_over_the_api(client, make_client, conn):
    world, idea_id = await accepted_idea(conn)
    await login(client, STAFF)
    r = await send_json(client, "POST", "/api/v1/implementation/plans", plan_body(idea_id))
    assert r.status_code == 201, r.text
    plan = r.json()
    assert plan["subject"] == "idea" and plan["idea_id"] == idea_id and plan["status"] == "in_progress"
    assert plan["agency_id"] == world["owner"] and plan["progress"] == 0 and plan["kept"] is None
    assert [m["title"] for m in plan["milestones"]] == ["ขั้นที่ 1", "ขั้นที่ 2"]
    assert plan["promised_on"] == (TODAY + timedelta(days=30)).isoformat()
    event = await conn.fetchrow("SELECT * FROM events WHERE kind = 'implementation.planned'")
    assert (event["subject_kind"], event["subject_id"], event["agency_id"]) == ("idea", idea_id, world["owner"])
    # An official act: on the public record in the same transaction.
    assert await conn.fetchval(
        "SELECT count(*) FROM record_entries WHERE act = 'implementation.planned' AND subject_id = $1", idea_id
    ) == 1
    # Anyone reads it, by plan and by idea.
    anon = await (await make_client()).get(f"/api/v1/implementation/plans/{plan['id']}")
    assert anon.status_code == 200
    by_idea = await client.get(f"/api/v1/implementation/ideas/{idea_id}")
    assert by_idea.json()["id"] == plan["id"]
    # One plan per promise.
    again = await send_json(client, "POST", "/api/v1/implementation/plans", plan_body(idea_id))
    assert again.status_code == 409 and again.json()["error"]["code"] == "plan_exists"


@pytest.mark.parametrize("who", ["citizen@example.com", "staff@other.example", "mod@example.com"])
async def test_non_staff_are_refused_and_nothing_changes(client, conn, who):
    _, idea_id = await accepted_idea(conn)
    await login(client, who)
    r = await send_json(client, "POST", "/api/v1/implementation/plans", plan_body(idea_id))
    assert r.status_code == 403, r.text
    assert await counts(conn) == (0, 0, 0, 0)


async def test_a_coowner_agency_staff_may_plan(client, conn):
    _, idea_id = await accepted_idea(conn)
    await login(client, "staff@coowner.example")
    r = await send_json(client, "POST", "/api/v1/implementation/plans", plan_body(idea_id))
    assert r.status_code == 201, r.text


@pytest.mark.parametrize("status", ["published", "under_review", "implemented"])
async def test_a_plan_on_an_idea_that_is_not_accepted_is_refused_naming_the_idea(client, conn, status):
    _, idea_id = await accepted_idea(conn, status=status)
    await login(client, STAFF)
    r = await send_json(client, "POST", "/api/v1/implementation/plans", plan_body(idea_id))
    assert r.status_code == 409, r.text
    assert r.json()["error"]["field"] == "idea_id"
    assert await counts(conn) == (0, 0, 0, 0)


async def test_a_milestone_due_before_the_start_is_refused_naming_the_field_in_thai(client, conn):
    _, idea_id = await accepted_idea(conn)
    await login(client, STAFF)
    r = await send_json(client, "POST", "/api/v1/implementation/plans", plan_body(idea_id, dues=(-1, 10)))
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["field"] == "milestones"
    assert "ก่อนวันเริ่มแผน" in error["message"] and "ขั้นที่ 1" in error["message"]
    assert await counts(conn) == (0, 0, 0, 0)


async def test_updates_progress_milestones_and_the_final_report(client, conn):
    _, idea_id = await accepted_idea(conn)
    await login(client, STAFF)
    plan = (await send_json(client, "POST", "/api/v1/implementation/plans", plan_body(idea_id))).json()
    before = await counts(conn)
    url = f"/api/v1/implementation/plans/{plan['id']}"
    bad = await send_json(client, "POST", f"{url}/updates", {"body": "ติดตั้งแล้วครึ่งตลาด", "percent": 120})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "percent"
    assert "0" in bad.json()["error"]["message"] and "100" in bad.json()["error"]["message"]
    assert await counts(conn) == before
    first = plan["milestones"][0]["id"]
    r = await send_json(client, "POST", f"{url}/updates",
                        {"body": "ติดตั้งแล้วครึ่งตลาด", "percent": 50, "milestone_id": first,
                         "links": ["https://example.org/photos"]})  # fmt: skip
    assert r.status_code == 201, r.text
    after = r.json()
    assert after["progress"] == 50 and after["updates"][0]["milestone_title"] == "ขั้นที่ 1"
    assert after["milestones"][0]["done_at"] is not None and after["milestones"][1]["done_at"] is None
    # A milestone already reached cannot be reached again.
    twice = await send_json(client, "POST", f"{url}/updates", {"body": "ซ้ำอีกครั้ง", "percent": 60, "milestone_id": first})
    assert twice.status_code == 422 and twice.json()["error"]["field"] == "milestone_id"
    empty = await send_json(client, "POST", f"{url}/implemented", {"report": ""})
    assert empty.status_code == 422 and empty.json()["error"]["field"] == "report"
    done = await send_json(client, "POST", f"{url}/implemented", {"report": "ติดตั้งไวไฟครบทุกโซนแล้ว"})
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "implemented" and done.json()["progress"] == 100 and done.json()["kept"] is True
    kinds = [r["kind"] for r in await conn.fetch("SELECT kind FROM events WHERE kind LIKE 'implementation.%' ORDER BY id")]
    assert kinds == ["implementation.planned", "implementation.updated", "implementation.completed"]
    completed = await conn.fetchval("SELECT payload FROM events WHERE kind = 'implementation.completed'")
    assert (json.loads(completed) if isinstance(completed, str) else completed)["kept"] is True
    late = await send_json(client, "POST", f"{url}/updates", {"body": "อัปเดตหลังเสร็จ", "percent": 100})
    assert late.status_code == 409
    # Another agency's staff may not post on it.
    await login(client, "staff@other.example")
    other = await send_json(client, "POST", f"{url}/implemented", {"report": "ไม่ใช่หน่วยงานของเรา"})
    assert other.status_code == 403


async def test_a_bad_evidence_file_changes_nothing(conn, settings):
    world, idea_id = await accepted_idea(conn)
    staff = await user_by_id(conn, world["users"][STAFF])
    plan = await actions.create_plan(conn, staff, msgspec.convert(plan_body(idea_id), PlanIn))
    before = await counts(conn)
    update = UpdateIn(body="รูปถ่ายหน้างาน", percent=30)
    with pytest.raises(Invalid) as refused:
        await actions.post_update(conn, staff, plan.id, update, evidence=[("photo.pdf", b"<html>not a pdf</html>")],
                                  settings=settings)  # fmt: skip
    assert refused.value.field == "evidence" and refused.value.status == 415
    assert await counts(conn) == before
    assert (await actions.plan(conn, staff, plan.id)).progress == 0


async def test_a_plan_on_an_adopted_theme_and_not_on_others(client, conn):
    world = await _world(conn)
    owner = world["owner"]
    cid = await published_consultation(conn, owner)
    await login(client, STAFF)
    body = {**plan_body(0), "idea_id": None, "consultation_id": cid}
    refused = await send_json(client, "POST", "/api/v1/implementation/plans", {**body, "theme": 2})
    assert refused.status_code == 409 and refused.json()["error"]["field"] == "theme"
    missing = await send_json(client, "POST", "/api/v1/implementation/plans", {**body, "theme": 3})
    assert missing.status_code == 409 and missing.json()["error"]["field"] == "theme"
    r = await send_json(client, "POST", "/api/v1/implementation/plans", {**body, "theme": 1})
    assert r.status_code == 201, r.text
    assert r.json()["theme"] == 1 and r.json()["theme_title"] == "ขยายทางเดิน"
    assert await conn.fetchval(
        "SELECT subject_kind || ':' || subject_id FROM events WHERE kind = 'implementation.planned'"
    ) == f"consultation:{cid}"
    listed = await client.get(f"/api/v1/implementation/consultations/{cid}")
    assert [p["theme"] for p in listed.json()] == [1]
    await login(client, "staff@other.example")
    other = await send_json(client, "POST", "/api/v1/implementation/plans", {**body, "theme": 1})
    assert other.status_code == 403


async def test_the_outcome_page_shows_a_themes_plan(client, conn):
    await test_a_plan_on_an_adopted_theme_and_not_on_others(client, conn)
    cid = await conn.fetchval("SELECT consultation_id FROM implementation_plans")
    page = await client.get(f"/consultations/{cid}/outcome")
    assert page.status_code == 200
    assert 'id="implementation-' in page.text and "ขั้นที่ 2" in text_of(page.text)
    # Staff of the consultation's agency see the link on the adopted theme that has no plan yet.
    await login(client, STAFF)
    await conn.execute("DELETE FROM implementation_plans")
    staff_page = await client.get(f"/consultations/{cid}/outcome")
    assert f"/implementation/new?consultation={cid}&amp;theme=1" in staff_page.text
    assert "theme=2" not in staff_page.text


async def test_a_themes_plan_follows_its_theme_through_a_correction(client, conn):
    """A correction may move, reword or drop themes: the plan stays with the theme it was made
    for (by its words), is never shown under another one, and its theme cannot be planned twice."""
    await test_a_plan_on_an_adopted_theme_and_not_on_others(client, conn)
    cid = await conn.fetchval("SELECT consultation_id FROM implementation_plans")
    await login(client, STAFF)

    async def correct(version: int, themes: list[tuple[str, str]]) -> None:
        await conn.execute(
            "INSERT INTO consultation_outcomes (consultation_id, version, summary, themes, published_at,"
            " correction_note) VALUES ($1, $2, 'ผล', $3, now(), 'แก้ไข')",
            cid, version, [{"title": t, "disposition": d, "reason": "เหตุผล", "comment_ids": []} for t, d in themes],
        )  # fmt: skip

    # Moved from first to second place.
    await correct(2, [("จัดที่จอดรถ", "adopted"), ("ขยายทางเดิน", "adopted"), ("ย้ายตลาด", "not_adopted")])
    listed = (await client.get(f"/api/v1/implementation/consultations/{cid}")).json()
    assert [(p["theme"], p["theme_title"]) for p in listed] == [(2, "ขยายทางเดิน")]
    body = {**plan_body(0), "idea_id": None, "consultation_id": cid}
    twice = await send_json(client, "POST", "/api/v1/implementation/plans", {**body, "theme": 2})
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "plan_exists"
    doc = lxml.html.fromstring((await client.get(f"/consultations/{cid}/outcome")).text)
    cards = doc.xpath("//section[@id='implementation']//li[@class='card']")
    assert [c.xpath("string(h3)") for c in cards] == ["จัดที่จอดรถ", "ขยายทางเดิน", "ย้ายตลาด"]
    assert cards[1].xpath(".//section[contains(@class, 'implementation')]") and not cards[0].xpath(
        ".//section[contains(@class, 'implementation')]"
    )

    # Reworded: listed apart under the words it was planned for, under no theme of the outcome.
    await correct(3, [("จัดที่จอดรถ", "adopted"), ("ขยายทางเดินทั้งสองฝั่ง", "adopted")])
    listed = (await client.get(f"/api/v1/implementation/consultations/{cid}")).json()
    assert [p["theme"] for p in listed] == [None]
    doc = lxml.html.fromstring((await client.get(f"/consultations/{cid}/outcome")).text)
    cards = doc.xpath("//section[@id='implementation']//li[@class='card']")
    assert [c.xpath("string(h3)") for c in cards] == ["จัดที่จอดรถ", "ขยายทางเดินทั้งสองฝั่ง", "ขยายทางเดิน"]
    assert [bool(c.xpath(".//section[contains(@class, 'implementation')]")) for c in cards] == [False, False, True]

    # The place the first plan was made at now holds another adopted theme: it can be planned,
    # once.
    r = await send_json(client, "POST", "/api/v1/implementation/plans", {**body, "theme": 1})
    assert r.status_code == 201, r.text
    listed = (await client.get(f"/api/v1/implementation/consultations/{cid}")).json()
    assert [(p["theme"], p["theme_title"]) for p in listed] == [(None, "ขยายทางเดิน"), (1, "จัดที่จอดรถ")]
    twice = await send_json(client, "POST", "/api/v1/implementation/plans", {**body, "theme": 1})
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "plan_exists"


async def test_followers_of_the_idea_are_told_of_each_update(client, make_client, conn, pool):
    from civic import consumers
    from civic.notifications.consumer import NOTIFIER

    world, idea_id = await accepted_idea(conn)
    follower = world["users"]["citizen2@example.com"]
    await conn.execute("INSERT INTO follows (user_id, target_kind, target_id) VALUES ($1, 'idea', $2)",
                       follower, str(idea_id))  # fmt: skip
    await login(client, STAFF)
    plan = (await send_json(client, "POST", "/api/v1/implementation/plans", plan_body(idea_id))).json()
    url = f"/api/v1/implementation/plans/{plan['id']}"
    await send_json(client, "POST", f"{url}/updates", {"body": "ติดตั้งแล้วครึ่งตลาด", "percent": 50})
    await send_json(client, "POST", f"{url}/implemented", {"report": "ติดตั้งไวไฟครบทุกโซนแล้ว"})
    await consumers.drain(pool, [NOTIFIER])
    told = await conn.fetch(
        "SELECT n.notice, n.email, e.kind FROM notifications n JOIN events e ON e.id = n.event_id"
        " WHERE n.user_id = $1 ORDER BY n.id", follower,
    )  # fmt: skip
    assert [(r["kind"], r["notice"], r["email"]) for r in told] == [
        ("implementation.planned", "implementation.update", "digest"),
        ("implementation.updated", "implementation.update", "digest"),
        ("implementation.completed", "implementation.done", "immediate"),
    ]
    # The idea's status followed its plan (in progress, then implemented), on its own history,
    # and the plan's events alone told the follower of it.
    assert await conn.fetchval("SELECT status FROM ideas WHERE id = $1", idea_id) == "implemented"
    moved = await conn.fetch(
        "SELECT payload->>'to_status' AS status FROM events WHERE kind = 'idea.status_changed'"
        " AND subject_id = $1 AND (payload->>'by_plan')::boolean ORDER BY id", idea_id,
    )  # fmt: skip
    assert [r["status"] for r in moved] == ["in_progress", "implemented"]
    # Nobody is told of their own act; the implemented promise is mailed at once.
    assert await conn.fetchval("SELECT count(*) FROM notifications WHERE user_id = $1",
                               world["users"][STAFF]) == 0  # fmt: skip
    assert await conn.fetchval("SELECT count(*) FROM mail_messages WHERE user_id = $1", follower) == 1
    inbox = await make_client()
    await login(inbox, "citizen2@example.com")
    page = await inbox.get("/notifications")
    assert f"/ideas/{idea_id}#implementation" in page.text
    assert "ไวไฟสาธารณะในตลาดกิมหยง" in text_of(page.text)


async def test_promises_kept_on_the_dashboard_equal_an_independent_count(client, conn, app):
    """Four promises of the owner agency: an idea kept (implemented by its last milestone), an idea
    implemented late, an accepted idea with no plan, and an adopted theme still in progress. A
    declined theme and an idea still under review are no promises. 1 of 4 kept: 25 %."""
    from civic.dashboard import actions as dashboard

    world = await _world(conn)
    owner = world["owner"]
    kept, late, unplanned, review = [await _idea(conn, world, title=f"ไอเดีย {n}") for n in "ABCD"]
    await conn.execute("UPDATE ideas SET status = 'accepted' WHERE id = ANY ($1::bigint[])", [kept, late, unplanned])
    await conn.execute("UPDATE ideas SET status = 'under_review' WHERE id = $1", review)
    cid = await published_consultation(conn, owner)
    await login(client, STAFF)
    start = TODAY - timedelta(days=40)
    for idea_id in (kept, late):
        plan = (await send_json(client, "POST", "/api/v1/implementation/plans",
                                plan_body(idea_id, start=start, dues=(10, 50)))).json()  # fmt: skip
        await send_json(client, "POST", f"/api/v1/implementation/plans/{plan['id']}/implemented",
                        {"report": "ดำเนินการครบทุกขั้นแล้ว"})  # fmt: skip
    # The late one was reported after its last milestone's day ended.
    await conn.execute("UPDATE implementation_plans SET implemented_at = now() + interval '20 days' WHERE idea_id = $1",
                       late)  # fmt: skip
    theme_plan = {**plan_body(0, start=start), "idea_id": None, "consultation_id": cid, "theme": 1}
    assert (await send_json(client, "POST", "/api/v1/implementation/plans", theme_plan)).status_code == 201
    async with conn.transaction():
        await dashboard.refresh(conn, app.state.settings)

    # Counted here without the dashboard's SQL: promises from the base rows, kept in Python.
    accepted = await conn.fetchval(
        "SELECT count(*) FROM ideas i JOIN idea_boards b ON b.id = i.board_id WHERE b.agency_id = $1"
        " AND i.status IN ('accepted', 'in_progress', 'implemented')", owner,
    )  # fmt: skip
    outcome = await conn.fetchval("SELECT themes FROM consultation_outcomes WHERE consultation_id = $1", cid)
    adopted = sum(1 for t in outcome if t["disposition"] == "adopted")
    plans = await conn.fetch(
        "SELECT p.implemented_at, max(m.due_on) AS last_due FROM implementation_plans p"
        " JOIN implementation_milestones m ON m.plan_id = p.id WHERE p.agency_id = $1 GROUP BY p.id", owner,
    )  # fmt: skip
    on_time = sum(1 for p in plans if p["implemented_at"] and actions.today(p["implemented_at"]) <= p["last_due"])
    assert (accepted + adopted, on_time) == (4, 1)

    body = (await client.get("/api/v1/dashboard")).json()
    mine = next(a for a in body["agencies"] if a["slug"] == "hdy-city")
    assert (mine["promises"], mine["promises_kept"], mine["promises_kept_share"]) == (4, 1, 25.0)
    page = await client.get("/dashboard?sort=-promises_kept_share")
    assert page.status_code == 200 and "(1/4)" in page.text
    profile = await client.get("/dashboard/agencies/hdy-city")
    assert "25.0" in profile.text and "(1/4)" in profile.text
