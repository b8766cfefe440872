"""Editing the dates, category and milestone plan of a posted task: HTML form (without JavaScript),
the PATCH twin, the refusals once a partner holds the task, and the public history."""

from __future__ import annotations

import json
from datetime import date, timedelta

from civic import thai
from tests.helpers import parse, post_form, send_json, text_of
from tests.integration import test_handovers_http as http
from tests.integration.test_handovers_http import _claimed_and_confirmed, _counts, _post_task, form_data

world = http.world  # the same people and organisations as the other handover HTTP tests

TODAY = date.today()


def day(n: int) -> str:
    return (TODAY + timedelta(days=n)).isoformat()


def thai_day(n: int) -> str:
    return thai.format_date(TODAY + timedelta(days=n), "th")


def edit_form(task_id: int, milestone_id: int, **over) -> dict:
    """What the edit form of a freshly posted task sends, with `over` typed on top."""
    data = {k: v for k, v in form_data().items() if k in (
        "title", "description", "deliverables", "contact", "district", "location", "category",
        "claim_opens", "claim_closes", "deadline")}  # fmt: skip
    data |= {"budget": "45000.00", "milestones": "1", "m_id": [str(milestone_id)], "m_title": ["อบรมครั้งที่ 1"],
             "m_due": [day(20)], "m_share": ["40.00"]}  # fmt: skip
    data.update(over)
    return data


async def _plan(conn, task_id: int) -> list[tuple]:
    rows = await conn.fetch(
        "SELECT id, position, title, due, budget_share FROM handover_milestones WHERE task_id = $1 ORDER BY position",
        task_id,
    )
    return [(r["id"], r["position"], r["title"], r["due"].isoformat(),
             None if r["budget_share"] is None else str(r["budget_share"])) for r in rows]  # fmt: skip


async def _posted_task(world, conn) -> tuple:
    """A task the agency's staff member has just posted, with its one milestone: (staff, id, milestone id)."""
    staff = world["staff"]
    task_id = await _post_task(staff)
    (first,) = [m[0] for m in await _plan(conn, task_id)]
    return staff, task_id, first


async def _last_event(conn, task_id: int):
    return await conn.fetchrow(
        "SELECT e.action, e.note, e.actor_role, e.actor_id, e.at FROM handover_events e WHERE task_id = $1 "
        "ORDER BY id DESC LIMIT 1",
        task_id,
    )


async def test_open_task_html_edit_changes_dates_category_and_milestones(world, conn):
    staff, task_id, first = await _posted_task(world, conn)
    page = parse((await staff.get(f"/handovers/{task_id}/edit")).text).ids
    assert page["field-deadline"]["value"] == day(60) and page["m-title-1"]["value"] == "อบรมครั้งที่ 1"
    assert "readonly" not in page["m-title-1"] and "add-milestone" in page
    typed = edit_form(task_id, first, category="health", claim_opens=day(0), claim_closes=day(21), deadline=day(75),
                      m_id=["", str(first)], m_title=["ลงพื้นที่สำรวจ", "อบรมครั้งที่ 1 (ปรับ)"],
                      m_due=[day(25), day(40)], m_share=["", "50"])  # fmt: skip
    r = await post_form(staff, f"/handovers/{task_id}/edit", typed)
    assert r.status_code == 303, text_of(r.text)[:400]
    task = await conn.fetchrow("SELECT category, claim_opens, claim_closes, deadline FROM handover_tasks WHERE id = $1",
                               task_id)  # fmt: skip
    assert (task["category"], task["claim_opens"].isoformat(), task["claim_closes"].isoformat(),
            task["deadline"].isoformat()) == ("health", day(0), day(21), day(75))  # fmt: skip
    plan = await _plan(conn, task_id)
    assert [p[1:] for p in plan] == [
        (1, "ลงพื้นที่สำรวจ", day(25), None),
        (2, "อบรมครั้งที่ 1 (ปรับ)", day(40), "50.00"),
    ]
    assert plan[1][0] == first  # the stored milestone kept its id (and so its history)
    event = await _last_event(conn, task_id)
    assert (event["action"], event["note"], event["actor_role"]) == (
        "edit",
        "category, claim_closes, claim_opens, deadline, milestones",
        "agency",
    )
    audit = await conn.fetchrow("SELECT actor_id, detail FROM audit_log WHERE action = 'handover.edit' "
                                "AND subject_id = $1 ORDER BY id DESC LIMIT 1", task_id)  # fmt: skip
    detail = audit["detail"] if isinstance(audit["detail"], dict) else json.loads(audit["detail"])
    assert audit["actor_id"] == event["actor_id"] and detail["deadline"] == {
        "before": day(60),
        "after": day(75),
    }
    assert detail["category"] == {"before": "disaster", "after": "health"}
    # The public timeline shows what changed, old and new, in the reader's language.
    page = (await world["ton"].get(f"/handovers/{task_id}")).text
    changes = [
        text_of(li).replace(" :", ":")
        for li in page.split('<ul class="timeline__changes">')[1].split("</ul>")[0].split("<li>")[1:]
    ]
    assert changes == [
        "หมวดหมู่: เตรียมพร้อมรับภัยพิบัติ → สุขภาพ",
        f"วันเปิดรับงาน: {thai_day(-1)} → {thai_day(0)}",
        f"วันปิดรับงาน: {thai_day(14)} → {thai_day(21)}",
        f"กำหนดส่งมอบงาน: {thai_day(60)} → {thai_day(75)}",
        "งานระยะที่วางแผนไว้ เพิ่ม “ลงพื้นที่สำรวจ” เปลี่ยนชื่อ “อบรมครั้งที่ 1” เป็น “อบรมครั้งที่ 1 (ปรับ)” "
        f"“อบรมครั้งที่ 1 (ปรับ)” กำหนดส่ง {thai_day(20)} → {thai_day(40)}",
    ]


async def test_api_twin_reorders_removes_and_adds_milestones(world, conn):
    staff, task_id, first = await _posted_task(world, conn)
    url = f"/api/v1/handovers/{task_id}"
    r = await send_json(staff, "PATCH", url, {"milestones": [
        {"id": first, "title": "อบรมครั้งที่ 1", "due": day(20), "share": "40"},
        {"title": "อบรมครั้งที่ 2", "due": day(30)}, {"title": "สรุปผล", "due": day(50), "share": 10}]})  # fmt: skip
    assert r.status_code == 200, r.text
    assert [(m["title"], m["position"]) for m in r.json()["task"]["milestones"]] == [
        ("อบรมครั้งที่ 1", 1),
        ("อบรมครั้งที่ 2", 2),
        ("สรุปผล", 3),
    ]
    second, third = [m[0] for m in (await _plan(conn, task_id))[1:]]
    r = await send_json(staff, "PATCH", url, {"milestones": [
        {"id": third, "title": "สรุปผล", "due": day(50), "share": 10},
        {"id": first, "title": "อบรมครั้งที่ 1", "due": day(20), "share": "40"}]})  # fmt: skip
    assert r.status_code == 200
    assert [(p[0], p[1]) for p in await _plan(conn, task_id)] == [(third, 1), (first, 2)]
    assert (await _last_event(conn, task_id))["note"] == "milestones"
    r = await send_json(staff, "PATCH", url, {"category": "elderly", "deadline": day(90)})
    assert r.status_code == 200 and r.json()["task"]["category"] == "elderly"
    assert (
        r.json()["task"]["deadline"] == day(90) and r.json()["timeline"][-1]["note"] == "category, deadline"
    )
    assert r.json()["timeline"][-1]["changes"] == [
        {"field": "category", "before": "disaster", "after": "elderly"},
        {"field": "deadline", "before": day(60), "after": day(90)},
    ]
    # the plan edit before it: one milestone removed, the other two swapped
    assert r.json()["timeline"][-2]["changes"] == [
        {"field": "milestones", "removed": ["อบรมครั้งที่ 2"], "reordered": True}
    ]


async def test_invalid_dates_and_plans_are_refused_with_creations_messages(world, conn):
    staff, task_id, first = await _posted_task(world, conn)
    before = await _counts(conn)
    url = f"/api/v1/handovers/{task_id}"
    cases = [
        ({"deadline": day(10)}, "deadline", "The delivery deadline must come after the claim window closes."),
        # The stored milestone is due on day 20: a deadline before it is a problem with the deadline.
        ({"deadline": day(18)}, "deadline", "A milestone cannot be due after the delivery deadline."),
        ({"claim_closes": day(70)}, "claim_closes", "The delivery deadline must come after the claim window closes."),
        ({"claim_opens": "31/05/2026"}, "claim_opens", "Enter a date like 2026-05-31."),
        ({"category": "weather"}, "category", "Choose one of the options."),
        ({"milestones": [{"title": "ระยะ", "due": day(99)}]}, "milestones",
         "A milestone cannot be due after the delivery deadline."),
        ({"milestones": [{"id": first + 999, "title": "ของงานอื่น", "due": day(20)}]}, "milestones",
         "We could not find that milestone."),
    ]  # fmt: skip
    for body, field, msgid in cases:
        r = await send_json(world["rival"], "PATCH", url, body)
        assert r.status_code == 403
        r = await send_json(staff, "PATCH", url, body, headers={"accept-language": "en"})
        assert r.status_code in (409, 422) and r.json()["error"]["field"] == field, (body, r.text)
    # In Thai for a Thai reader.
    r = await send_json(staff, "PATCH", url, {"deadline": day(10)})
    assert r.json()["error"]["message"] == "กำหนดส่งงานต้องอยู่หลังวันปิดรับงาน"
    assert await _counts(conn) == before
    assert [p[0] for p in await _plan(conn, task_id)] == [first]


async def test_html_errors_rerender_the_form_with_everything_typed(world, conn):
    staff, task_id, first = await _posted_task(world, conn)
    before = await _counts(conn)
    typed = edit_form(task_id, first, category="health", deadline=day(10), m_id=[str(first), ""],
                      m_title=["อบรมครั้งที่ 1", "ติดตามผลหลังอบรม"], m_due=[day(20), day(45)], m_share=["40", "5"])  # fmt: skip
    r = await post_form(staff, f"/handovers/{task_id}/edit", typed)
    assert r.status_code == 400
    assert "กำหนดส่งงานต้องอยู่หลังวันปิดรับงาน" in text_of(r.text)
    ids = parse(r.text).ids
    assert ids["field-deadline"]["value"] == day(10) and ids["m-title-2"]["value"] == "ติดตามผลหลังอบรม"
    assert ids["m-due-2"]["value"] == day(45) and ids["m-share-2"]["value"] == "5"
    assert 'value="health" selected' in r.text
    assert await _counts(conn) == before
    assert await conn.fetchval("SELECT category FROM handover_tasks WHERE id = $1", task_id) == "disaster"


async def test_add_move_and_remove_buttons_work_without_javascript(world, conn):
    staff, task_id, first = await _posted_task(world, conn)
    before = await _counts(conn)
    url = f"/handovers/{task_id}/edit"
    typed = edit_form(task_id, first, title="อบรมรับมือน้ำท่วม ตำบลท่าพระ", ms_action="add")
    r = await post_form(staff, url, typed)
    ids = parse(r.text).ids
    assert (
        r.status_code == 200 and ids["m-title-2"]["value"] == "" and ids["m-title-1"]["value"] == "อบรมครั้งที่ 1"
    )
    assert ids["field-title"]["value"] == "อบรมรับมือน้ำท่วม ตำบลท่าพระ"
    typed |= {"m_id": [str(first), ""], "m_title": ["อบรมครั้งที่ 1", "สรุปบทเรียน"], "m_due": [day(20), day(30)],
              "m_share": ["40", ""], "ms_action": "up:2"}  # fmt: skip
    ids = parse((await post_form(staff, url, typed)).text).ids
    assert (ids["m-title-1"]["value"], ids["m-title-2"]["value"]) == ("สรุปบทเรียน", "อบรมครั้งที่ 1")
    typed["ms_action"] = "remove:1"
    ids = parse((await post_form(staff, url, typed)).text).ids
    assert ids["m-title-1"]["value"] == "สรุปบทเรียน" and "m-title-2" not in ids
    assert await _counts(conn) == before  # nothing is saved until "Save changes"
    typed.pop("ms_action")
    assert (await post_form(staff, url, typed)).status_code == 303
    assert [p[2] for p in await _plan(conn, task_id)] == ["อบรมครั้งที่ 1", "สรุปบทเรียน"]


async def test_after_a_claim_only_more_time_and_the_category(world, conn):
    staff = world["staff"]
    task_id = await _post_task(staff)
    first = await _claimed_and_confirmed(world, conn, task_id)
    url = f"/api/v1/handovers/{task_id}"
    before = await _counts(conn)
    refusals = [
        ({"deadline": day(59)}, "deadline", "องค์กรภาคีรับงานนี้แล้ว กำหนดส่งมอบงานจึงเลื่อนออกไปได้เท่านั้น"),
        ({"claim_closes": day(20)}, "claim_closes", "องค์กรภาคีรับงานนี้แล้ว ส่วนนี้จึงเปลี่ยนไม่ได้อีก"),
        ({"budget": "30000"}, "budget", "องค์กรภาคีรับงานนี้แล้ว ส่วนนี้จึงเปลี่ยนไม่ได้อีก"),
        ({"milestones": [{"id": first, "title": "อบรมครั้งที่ 1", "due": day(15), "share": "40"}]}, "milestones",
         "กำหนดส่งของงานระยะจึงเลื่อนออกไปได้เท่านั้น"),
        ({"milestones": [{"id": first, "title": "อบรมแบบใหม่", "due": day(20), "share": "40"}]}, "milestones",
         "ชื่อ สัดส่วนงบประมาณ และลำดับต้องคงเดิม"),
        ({"milestones": [{"id": first, "title": "อบรมครั้งที่ 1", "due": day(20), "share": "40"},
                         {"title": "งานเพิ่ม", "due": day(30)}]}, "milestones", "เพิ่มหรือลบงานระยะไม่ได้"),
    ]  # fmt: skip
    for body, field, message in refusals:
        r = await send_json(staff, "PATCH", url, body)
        error = r.json()["error"]
        assert (r.status_code, error["code"], error["field"]) == (409, "wrong_state", field), (body, r.text)
        assert message in error["message"]
    assert await _counts(conn) == before
    # More time and another category are fine, and public.
    r = await send_json(staff, "PATCH", url, {"deadline": day(80), "category": "community", "milestones": [
        {"id": first, "title": "อบรมครั้งที่ 1", "due": day(35), "share": "40"}]})  # fmt: skip
    assert r.status_code == 200, r.text
    assert (r.json()["task"]["deadline"], r.json()["task"]["milestones"][0]["due"]) == (day(80), day(35))
    assert r.json()["task"]["status"] == "in_progress"
    event = await _last_event(conn, task_id)
    assert (event["action"], event["note"]) == ("edit", "category, deadline, milestones")
    # The HTML form in the same state: a shorter deadline is refused, with what was typed kept.
    r = await post_form(staff, f"/handovers/{task_id}/edit", {"category": "community", "deadline": day(70),
                        "milestones": "1", "m_id": [str(first)], "m_title": ["อบรมครั้งที่ 1"], "m_due": [day(35)],
                        "m_share": ["40.00"]})  # fmt: skip
    assert r.status_code == 409 and "กำหนดส่งมอบงานจึงเลื่อนออกไปได้เท่านั้น" in text_of(r.text)
    assert parse(r.text).ids["field-deadline"]["value"] == day(70)
    assert await conn.fetchval(
        "SELECT deadline FROM handover_tasks WHERE id = $1", task_id
    ) == TODAY + timedelta(80)


async def test_a_reported_milestone_survives_a_give_back(world, conn):
    """After the partner gives an in-progress task back it is open again and fully editable,
    except that milestones with published progress keep their title and cannot be removed."""
    staff, nok = world["staff"], world["nok"]
    task_id = await _post_task(staff)
    first = await _claimed_and_confirmed(world, conn, task_id)
    r = await send_json(nok, "POST", f"/api/v1/handovers/{task_id}/updates",
                        {"milestone_id": first, "body": "อบรมครั้งแรกแล้ว 40 คน", "percent": 50})  # fmt: skip
    assert r.status_code == 201
    r = await send_json(nok, "POST", f"/api/v1/handovers/{task_id}/withdraw", {"reason": "ทีมงานติดภารกิจน้ำท่วม"})
    assert r.status_code == 201 and r.json()["task"]["status"] == "open"
    url = f"/api/v1/handovers/{task_id}"
    before = await _counts(conn)
    for plan in ([], [{"id": first, "title": "ชื่อใหม่", "due": day(20)}]):
        r = await send_json(staff, "PATCH", url, {"milestones": plan})
        assert r.status_code == 409 and r.json()["error"]["field"] == "milestones"
        assert 'งานระยะ "อบรมครั้งที่ 1" มีความคืบหน้าที่เผยแพร่แล้ว' in r.json()["error"]["message"]
    assert await _counts(conn) == before
    page = parse((await staff.get(f"/handovers/{task_id}/edit")).text).ids
    assert "readonly" in page["m-title-1"] and "field-title" in page
    r = await send_json(staff, "PATCH", url, {"milestones": [
        {"title": "ปรับแผนใหม่", "due": day(10)}, {"id": first, "title": "อบรมครั้งที่ 1", "due": day(25)}]})  # fmt: skip
    assert r.status_code == 200
    assert await conn.fetchval("SELECT count(*) FROM handover_updates WHERE milestone_id = $1", first) == 1
