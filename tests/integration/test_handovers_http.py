"""Handovers through HTTP: pages, the JSON API, every "Bad input" case, the 20-way race, OCDS."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import jsonschema
import lxml.html
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from civic.handovers import store
from civic.orgs import store as orgs
from tests import files
from tests.helpers import (
    login,
    make_agency,
    make_partner,
    make_user,
    parse,
    post_form,
    rows_read,
    send_json,
    text_of,
)
from tests.integration.handover_data import task_raw
from tests.integration.race import Gate, race

VENDOR = Path(__file__).resolve().parents[2] / "static" / "vendor" / "ocds"
PNG = files.image("PNG")
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200


def form_data(**over) -> dict:
    today = date.today()
    data = task_raw(
        agency="kkn-pao",
        budget="45,000",
        confirm_days="7",
        review_days="14",
        verified_only="1",
        publish="1",
        m_title="อบรมครั้งที่ 1",
        m_due=(today + timedelta(days=20)).isoformat(),
        m_share="40",
    )
    data.update(over)
    return data


@pytest.fixture
async def world(conn, client, make_client):
    agency = await make_agency(conn, "kkn-pao", level="local", province="KKN")
    other = await make_agency(conn, "hdy-city", level="local", province="SKA")
    staff = await make_user(conn, "staff@kkn.example")
    await orgs.add_member(conn, agency, staff)
    rival = await make_user(conn, "staff@hdy.example", lang="en")
    await orgs.add_member(conn, other, rival)
    partner = await make_partner(conn, "rak-nam")
    nok = await make_user(conn, "nok@raknam.example")
    await orgs.add_member(conn, partner, nok)
    other_partner = await make_partner(conn, "green-hatyai")
    ton = await make_user(conn, "ton@green.example")
    await orgs.add_member(conn, other_partner, ton)
    pending = await make_partner(conn, "digital-villagers", verification="pending")
    newbie = await make_user(conn, "new@villagers.example")
    await orgs.add_member(conn, pending, newbie)
    clients = {}
    for name, email in (
        ("staff", "staff@kkn.example"),
        ("rival", "staff@hdy.example"),
        ("nok", "nok@raknam.example"),
        ("ton", "ton@green.example"),
        ("newbie", "new@villagers.example"),
    ):
        c = client if name == "staff" else await make_client()
        await login(c, email)
        clients[name] = c
    return clients


async def _post_task(c, **over) -> int:
    r = await post_form(c, "/handovers/new", form_data(**over))
    assert r.status_code == 303, text_of(r.text)[:600]
    return int(r.headers["location"].rsplit("/", 1)[1])


async def _claimed_and_confirmed(world, conn, task_id: int) -> int:
    """Nok's partner holds the task and staff have confirmed it; returns its (only) milestone's id."""
    await send_json(
        world["nok"], "POST", f"/api/v1/handovers/{task_id}/claim", {"plan": "x" * 30, "team": "ทีม"}
    )
    await send_json(world["staff"], "POST", f"/api/v1/handovers/{task_id}/confirm")
    return await conn.fetchval("SELECT id FROM handover_milestones WHERE task_id = $1", task_id)


async def _counts(conn) -> tuple:
    return (
        await conn.fetchval("SELECT count(*) FROM handover_claims"),
        await conn.fetchval("SELECT count(*) FROM handover_updates"),
        await conn.fetchval("SELECT count(*) FROM handover_events"),
        await conn.fetchval("SELECT string_agg(status, ',' ORDER BY id) FROM handover_tasks"),
    )


async def test_journey_through_html_pages(world, conn, make_client):
    staff, nok = world["staff"], world["nok"]
    task_id = await _post_task(staff)
    r = await post_form(
        nok, f"/handovers/{task_id}/claim", {"plan": "อบรมสามครั้งในสามตำบลริมน้ำพอง", "team": "นกและทีม 5 คน"}
    )
    assert r.status_code == 303
    assert (await post_form(staff, f"/handovers/{task_id}/confirm")).status_code == 303
    milestone = await conn.fetchval("SELECT id FROM handover_milestones WHERE task_id = $1", task_id)
    r = await nok.post(
        f"/handovers/{task_id}/updates",
        data={"_csrf_token": nok.cookies.get("civic_csrf"), "milestone_id": str(milestone), "body": "อบรมครั้งแรกแล้ว 45 คน",
              "percent": "100", "links": "https://example.org/photos"},
        files={"evidence": ("photo.png", PNG, "image/png")},
    )  # fmt: skip
    assert r.status_code == 303, text_of(r.text)[:400]
    r = await post_form(
        staff,
        f"/handovers/{task_id}/review",
        {"milestone_id": str(milestone), "verdict": "met", "comment": "ครบ"},
    )
    assert r.status_code == 303
    assert (await post_form(nok, f"/handovers/{task_id}/request-completion", {"note": ""})).status_code == 303
    r = await post_form(staff, f"/handovers/{task_id}/sign-off", {"comment": "ทำงานดีเยี่ยม ขอบคุณมาก"})
    assert r.status_code == 200 and 'name="confirmed" value="yes"' in r.text  # asked once more
    r = await post_form(
        staff, f"/handovers/{task_id}/sign-off", {"comment": "ทำงานดีเยี่ยม ขอบคุณมาก", "confirmed": "yes"}
    )
    assert r.status_code == 303
    visitor = await make_client()
    page = await visitor.get(f"/handovers/{task_id}")
    assert page.status_code == 200
    text = text_of(page.text)
    for step in ("เผยแพร่งานแล้ว", "ยืนยันการรับงานแล้ว", "ลงนามรับรอง", "ทำงานดีเยี่ยม ขอบคุณมาก", "องค์กร rak-nam"):
        assert step in text, step
    assert 'class="progress"' in page.text and 'value="100"' in page.text
    evidence_id = await conn.fetchval("SELECT id FROM handover_evidence")
    f = await visitor.get(f"/handovers/{task_id}/evidence/{evidence_id}")
    assert (
        f.status_code == 200 and f.content.startswith(b"\x89PNG") and f.headers["content-type"] == "image/png"
    )
    board = await visitor.get("/handovers?province=KKN&status=completed")
    assert f"/handovers/{task_id}" in board.text
    assert f"/handovers/{task_id}" not in (await visitor.get("/handovers?status=open")).text
    record = await visitor.get("/handovers/partners/rak-nam")
    assert "ทำงานดีเยี่ยม" in record.text and "/organisations/rak-nam" in record.text
    api = (await visitor.get(f"/api/v1/handovers/{task_id}")).json()
    assert api["task"]["status"] == "completed"
    assert [e["action"] for e in api["timeline"]][-1] == "sign_off"


async def test_unverified_partner_cannot_claim(world, conn):
    task_id = await _post_task(world["staff"])
    before = await _counts(conn)
    r = await send_json(
        world["newbie"], "POST", f"/api/v1/handovers/{task_id}/claim", {"plan": "x" * 30, "team": "ทีม"}
    )
    assert r.status_code == 403
    assert r.json()["error"]["message"] == "เฉพาะองค์กรภาคีที่ผ่านการยืนยันแล้วเท่านั้นที่รับงานนี้ได้"
    page = await post_form(world["newbie"], f"/handovers/{task_id}/claim", {"plan": "x" * 30, "team": "ทีม"})
    assert page.status_code == 403 and "ผ่านการยืนยันแล้ว" in text_of(page.text)
    assert await _counts(conn) == before


async def test_second_claim_is_409_in_the_users_language(world, conn):
    task_id = await _post_task(world["staff"])
    body = {"plan": "แผนงานอบรมชุมชนสามตำบลริมน้ำ", "team": "ทีมห้าคน"}
    assert (
        await send_json(world["nok"], "POST", f"/api/v1/handovers/{task_id}/claim", body)
    ).status_code == 201
    before = await _counts(conn)
    r = await send_json(world["ton"], "POST", f"/api/v1/handovers/{task_id}/claim", body)
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "already_claimed"
    assert r.json()["error"]["message"] == "มีองค์กรภาคีอื่นรับงานนี้ไปแล้ว"
    assert await _counts(conn) == before


async def test_claim_on_cancelled_task(world, conn):
    task_id = await _post_task(world["staff"])
    r = await send_json(
        world["staff"], "POST", f"/api/v1/handovers/{task_id}/cancel", {"reason": "งบประมาณถูกตัดกลางปี"}
    )
    assert r.status_code == 201 and r.json()["task"]["cancel_reason"] == "งบประมาณถูกตัดกลางปี"
    before = await _counts(conn)
    r = await send_json(
        world["nok"], "POST", f"/api/v1/handovers/{task_id}/claim", {"plan": "x" * 30, "team": "ทีม"}
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "wrong_state"
    assert await _counts(conn) == before
    assert "งบประมาณถูกตัดกลางปี" in text_of((await world["ton"].get(f"/handovers/{task_id}")).text)


async def test_confirming_as_another_agency_is_forbidden(world, conn):
    task_id = await _post_task(world["staff"])
    await send_json(
        world["nok"], "POST", f"/api/v1/handovers/{task_id}/claim", {"plan": "x" * 30, "team": "ทีม"}
    )
    before = await _counts(conn)
    r = await send_json(world["rival"], "POST", f"/api/v1/handovers/{task_id}/confirm")
    assert r.status_code == 403
    assert r.json()["error"]["message"] == "Only staff of the agency that posted this task can do this."
    assert await _counts(conn) == before


async def test_milestone_update_by_partner_not_holding_the_task(world, conn):
    task_id = await _post_task(world["staff"])
    milestone = await _claimed_and_confirmed(world, conn, task_id)
    before = await _counts(conn)
    r = await send_json(world["ton"], "POST", f"/api/v1/handovers/{task_id}/updates",
                        {"milestone_id": milestone, "body": "ทำแล้วนะ", "percent": 50})  # fmt: skip
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_holder"
    assert await _counts(conn) == before


async def test_negative_budget_and_deadline_before_window_rerender_form(world, conn):
    r = await post_form(world["staff"], "/handovers/new", form_data(budget="-500"))
    assert r.status_code == 400
    assert "งบประมาณติดลบไม่ได้" in text_of(r.text)
    assert parse(r.text).ids["field-title"]["value"] == "อบรมเตรียมความพร้อมรับน้ำท่วมชุมชน"
    closes = (date.today() + timedelta(days=14)).isoformat()
    r = await post_form(world["staff"], "/handovers/new", form_data(deadline=closes))
    assert r.status_code == 400 and "กำหนดส่งงานต้องอยู่หลังวันปิดรับงาน" in text_of(r.text)
    api = await send_json(world["staff"], "POST", "/api/v1/handovers/", {
        "agency": "kkn-pao", "title": "ทดสอบงบติดลบ", "description": "x" * 30, "deliverables": "ส่งมอบงาน",
        "province": "KKN", "category": "health", "claim_opens": "2026-01-01", "claim_closes": "2026-02-01",
        "deadline": "2026-03-01", "contact": "โทร 1111", "budget": -1})  # fmt: skip
    assert api.status_code == 422 and api.json()["error"]["field"] == "budget"
    assert await conn.fetchval("SELECT count(*) FROM handover_tasks") == 0


async def test_evidence_that_is_really_an_executable(world, conn):
    task_id = await _post_task(world["staff"])
    milestone = await _claimed_and_confirmed(world, conn, task_id)
    before = await _counts(conn)
    nok = world["nok"]
    r = await nok.post(
        f"/handovers/{task_id}/updates",
        data={"_csrf_token": nok.cookies.get("civic_csrf"), "milestone_id": str(milestone), "body": "รายงานความคืบหน้า",
              "percent": "30"},
        files={"evidence": ("report.pdf", ELF, "application/pdf")},
    )  # fmt: skip
    assert r.status_code == 415
    assert "รายงานความคืบหน้า" in r.text  # the form keeps what they typed
    assert await _counts(conn) == before
    assert await conn.fetchval("SELECT count(*) FROM handover_evidence") == 0


async def test_twenty_partners_claim_at_once_through_http(world, conn, make_client, db_url, pool):
    task_id = await _post_task(world["staff"])
    clients = []
    for i in range(20):
        pid = await make_partner(conn, f"racer-{i:02d}")
        uid = await make_user(conn, f"racer{i}@example.org", lang="en" if i % 2 else "th")
        await orgs.add_member(conn, pid, uid)
        c = await make_client()
        await login(c, f"racer{i}@example.org")
        await c.get("/login")
        clients.append(c)
    body = {"plan": "แผนงานอบรมชุมชนสามตำบลริมน้ำ", "team": "ทีมห้าคน"}
    # All 20 requests are sent and none answered until as many claims as the app's pool can
    # carry (all its connections but the one this test holds as `conn`) wait inside PostgreSQL
    # together at the task row.
    responses = await race(
        [lambda c=c: send_json(c, "POST", f"/api/v1/handovers/{task_id}/claim", body) for c in clients],
        gate=Gate(db_url, ["handover_tasks"], expect=pool.get_max_size() - 1),
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] + [409] * 19
    messages = {r.json()["error"]["message"] for r in responses if r.status_code == 409}
    assert messages <= {"มีองค์กรภาคีอื่นรับงานนี้ไปแล้ว", "Another partner has already claimed this task."}
    assert await conn.fetchval("SELECT count(*) FROM handover_claims WHERE task_id = $1", task_id) == 1


def _validator():
    """The vendored package schema $refs the release schema by URL: serve it from a `referencing`
    registry (the successor of the deprecated jsonschema.RefResolver), so nothing is fetched."""
    release = json.loads((VENDOR / "release-schema.json").read_text())
    package = json.loads((VENDOR / "release-package-schema.json").read_text())
    resource = Resource.from_contents(release, default_specification=DRAFT4)
    registry = Registry().with_resources(
        [("https://standard.open-contracting.org/schema/1__1__5/release-schema.json", resource),
         (release["id"], resource)]
    )  # fmt: skip
    return jsonschema.Draft4Validator(package, registry=registry, format_checker=jsonschema.FormatChecker())


@pytest.mark.filterwarnings("error::DeprecationWarning:jsonschema")
async def test_ocds_release_package_validates(world, conn, client, settings):
    done = await _post_task(world["staff"], budget="12000.50")
    milestone = await _claimed_and_confirmed(world, conn, done)
    await send_json(
        world["nok"],
        "POST",
        f"/api/v1/handovers/{done}/updates",
        {"milestone_id": milestone, "body": "ทำแล้ว", "percent": 80},
    )
    await send_json(world["staff"], "POST", f"/api/v1/handovers/{done}/milestones/{milestone}/review",
                    {"verdict": "partly_met", "comment": "ขาดรายชื่อผู้เข้าร่วม"})  # fmt: skip
    await send_json(world["nok"], "POST", f"/api/v1/handovers/{done}/request-completion", {"comment": ""})
    await send_json(world["staff"], "POST", f"/api/v1/handovers/{done}/sign-off", {"comment": "เรียบร้อย"})
    cancelled = await _post_task(world["staff"])
    await send_json(
        world["staff"], "POST", f"/api/v1/handovers/{cancelled}/cancel", {"reason": "ย้ายไปทำปีหน้า"}
    )
    validator = _validator()

    one = (await client.get(f"/api/v1/handovers/{done}/ocds")).json()
    errors = sorted(validator.iter_errors(one), key=str)
    assert not errors, [e.message for e in errors[:5]]
    tags = [r["tag"] for r in one["releases"]]
    assert tags == [
        ["tender"],
        ["award", "contract"],
        ["implementation", "contractUpdate"],
        ["contractTermination"],
    ]
    last = one["releases"][-1]
    assert last["ocid"] == f"{settings.ocds_prefix}-{done}" and last["initiationType"] == "tender"
    assert {p["roles"][0] for p in last["parties"]} == {"buyer", "supplier"}
    assert last["tender"]["value"] == {"amount": 12000.5, "currency": "THB"}
    assert last["awards"][0]["suppliers"][0]["name"] == "องค์กร rak-nam"
    assert last["contracts"][0]["implementation"]["milestones"][0]["status"] == "partiallyMet"

    bulk = (await client.get("/api/v1/handovers/ocds")).json()
    assert not list(validator.iter_errors(bulk))
    cancel_release = [r for r in bulk["releases"] if r["ocid"].endswith(f"-{cancelled}")][-1]
    assert (
        cancel_release["tag"] == ["tenderCancellation"] and cancel_release["tender"]["status"] == "cancelled"
    )
    # A broken release really fails: the validator is not a rubber stamp.
    broken = json.loads(json.dumps(one))
    broken["releases"][1]["contracts"][0]["implementation"]["milestones"][0]["status"] = "done"
    assert list(validator.iter_errors(broken))


async def test_drafts_are_private_and_board_filters(world, conn, make_client):
    draft = await _post_task(world["staff"], publish="")
    visitor = await make_client()
    assert (await visitor.get(f"/handovers/{draft}")).status_code == 404
    assert (await world["staff"].get(f"/handovers/{draft}")).status_code == 200
    open_task = await _post_task(world["staff"], title="เยี่ยมบ้านผู้สูงอายุติดเตียง", category="elderly")
    mine = (await world["nok"].get("/api/v1/handovers/?mine=1")).json()
    assert [t["id"] for t in mine["items"]] == [open_task]
    assert (await world["newbie"].get("/api/v1/handovers/?mine=1")).json()["items"] == []
    cats = (await visitor.get("/api/v1/handovers/?category=elderly")).json()
    assert [t["id"] for t in cats["items"]] == [open_task]
    r = await send_json(world["staff"], "PATCH", f"/api/v1/handovers/{open_task}", {"budget": "-3"})
    assert r.status_code == 422
    r = await send_json(
        world["staff"], "PATCH", f"/api/v1/handovers/{open_task}", {"title": "เยี่ยมบ้านผู้สูงอายุ ตำบลในเมือง"}
    )
    assert r.status_code == 200 and r.json()["task"]["title"] == "เยี่ยมบ้านผู้สูงอายุ ตำบลในเมือง"
    overdue = await visitor.get("/handovers/overdue")
    assert overdue.status_code == 200


async def test_html_edit_form_rerenders_typed_values_and_saves_changes(world, conn):
    staff = world["staff"]
    task_id = await _post_task(staff)
    page = await staff.get(f"/handovers/{task_id}/edit")
    assert page.status_code == 200
    assert parse(page.text).ids["field-title"]["value"] == "อบรมเตรียมความพร้อมรับน้ำท่วมชุมชน"
    assert parse(page.text).ids["field-budget"]["value"] == "45000.00"
    assert f'href="/handovers/{task_id}/edit"' in (await staff.get(f"/handovers/{task_id}")).text
    before = await _counts(conn)
    typed = {"title": "อบรมรับมือน้ำท่วม ตำบลท่าพระ", "description": "จัดอบรมอาสาสมัครชุมชนริมน้ำพองเรื่องการเตรียมความพร้อมรับมืออุทกภัย",
             "deliverables": "อบรม 3 ครั้ง ผู้เข้าร่วมรวม 120 คน", "district": "", "location": "",
             "budget": "-5", "contact": "กองสาธารณภัย โทร 043-000-000"}  # fmt: skip
    r = await post_form(staff, f"/handovers/{task_id}/edit", typed)
    assert r.status_code == 400
    assert "งบประมาณติดลบไม่ได้" in text_of(r.text)
    ids = parse(r.text).ids
    assert ids["field-title"]["value"] == "อบรมรับมือน้ำท่วม ตำบลท่าพระ" and ids["field-budget"]["value"] == "-5"
    assert await _counts(conn) == before
    typed["budget"] = "๕๐,๐๐๐"
    r = await post_form(staff, f"/handovers/{task_id}/edit", typed)
    assert r.status_code == 303 and r.headers["location"] == f"/handovers/{task_id}"
    row = await conn.fetchrow("SELECT title, budget FROM handover_tasks WHERE id = $1", task_id)
    assert (row["title"], str(row["budget"])) == ("อบรมรับมือน้ำท่วม ตำบลท่าพระ", "50000.00")
    event = await conn.fetchrow("SELECT action, note FROM handover_events WHERE task_id = $1 ORDER BY id DESC LIMIT 1",
                                task_id)  # fmt: skip
    assert (event["action"], event["note"]) == ("edit", "budget, title")
    # Saving the same values again changes nothing and adds no timeline row.
    events = await conn.fetchval("SELECT count(*) FROM handover_events WHERE task_id = $1", task_id)
    assert (await post_form(staff, f"/handovers/{task_id}/edit", typed)).status_code == 303
    assert await conn.fetchval("SELECT count(*) FROM handover_events WHERE task_id = $1", task_id) == events


async def test_edit_form_is_for_the_owning_agency_and_narrows_after_a_claim(world, conn):
    task_id = await _post_task(world["staff"])
    typed = {"title": "ชื่อใหม่ที่ไม่ควรบันทึก", "description": "x" * 30, "deliverables": "ส่งมอบงาน",
             "contact": "โทร 1111", "budget": ""}  # fmt: skip
    assert (await world["rival"].get(f"/handovers/{task_id}/edit")).status_code == 403
    assert (await world["nok"].get(f"/handovers/{task_id}/edit")).status_code == 403
    assert (await post_form(world["rival"], f"/handovers/{task_id}/edit", typed)).status_code == 403
    r = await send_json(
        world["nok"], "POST", f"/api/v1/handovers/{task_id}/claim", {"plan": "x" * 30, "team": "ทีม"}
    )
    assert r.status_code == 201
    # Claimed: the form offers only what cannot move the goal posts (rules.EDITABLE_BY_STATUS).
    r = await world["staff"].get(f"/handovers/{task_id}/edit")
    assert r.status_code == 200
    ids = parse(r.text).ids
    assert "field-title" not in ids and "field-claim_opens" not in ids and "add-milestone" not in ids
    assert ids["field-deadline"]["value"] == form_data()["deadline"] and "field-category" in ids
    assert "readonly" in ids["m-title-1"]
    before = await _counts(conn)
    r = await post_form(world["staff"], f"/handovers/{task_id}/edit", typed)
    assert r.status_code == 409 and "องค์กรภาคีรับงานนี้แล้ว ส่วนนี้จึงเปลี่ยนไม่ได้อีก" in text_of(r.text)
    r = await send_json(world["staff"], "PATCH", f"/api/v1/handovers/{task_id}", {"title": "ชื่อใหม่ผ่าน API"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "wrong_state"
    assert r.json()["error"]["field"] == "title"
    assert await _counts(conn) == before
    assert (
        await conn.fetchval("SELECT title FROM handover_tasks WHERE id = $1", task_id) == form_data()["title"]
    )
    assert f'href="/handovers/{task_id}/edit"' in (await world["staff"].get(f"/handovers/{task_id}")).text
    r = await send_json(
        world["staff"], "POST", f"/api/v1/handovers/{task_id}/cancel", {"reason": "ยกเลิกโครงการ"}
    )
    assert r.status_code == 201
    r = await world["staff"].get(f"/handovers/{task_id}/edit")
    assert r.status_code == 409 and "งานที่เสร็จสิ้น ยกเลิก หรือหมดอายุแล้ว แก้ไขไม่ได้อีก" in text_of(r.text)
    r = await send_json(world["staff"], "PATCH", f"/api/v1/handovers/{task_id}", {"category": "health"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "wrong_state"
    assert f'href="/handovers/{task_id}/edit"' not in (await world["staff"].get(f"/handovers/{task_id}")).text


async def test_partner_gives_back_an_unconfirmed_claim_with_a_reason(world, conn):
    staff, nok, ton = world["staff"], world["nok"], world["ton"]
    task_id = await _post_task(staff)
    r = await post_form(
        nok, f"/handovers/{task_id}/claim", {"plan": "อบรมสามครั้งในสามตำบลริมน้ำพอง", "team": "นกและทีม"}
    )
    assert r.status_code == 303
    page = await nok.get(f"/handovers/{task_id}")
    form = f'action="/handovers/{task_id}/withdraw"'
    assert form in page.text and form not in (await staff.get(f"/handovers/{task_id}")).text
    before = await _counts(conn)
    r = await post_form(nok, f"/handovers/{task_id}/withdraw", {"reason": ""})
    assert r.status_code == 400 and "#field-reason" in r.text
    assert await _counts(conn) == before
    for other in (ton, staff):  # neither holds the task
        r = await post_form(other, f"/handovers/{task_id}/withdraw", {"reason": "ขอคืนงานแทนเขา"})
        assert r.status_code == 403
    assert await _counts(conn) == before
    r = await post_form(nok, f"/handovers/{task_id}/withdraw", {"reason": "ทีมงานติดภารกิจน้ำท่วมในพื้นที่ตัวเอง"})
    assert r.status_code == 303
    claim = await conn.fetchrow(
        "SELECT status, reason, ended_at FROM handover_claims WHERE task_id = $1", task_id
    )
    assert (claim["status"], claim["reason"]) == ("withdrawn", "ทีมงานติดภารกิจน้ำท่วมในพื้นที่ตัวเอง")
    assert claim["ended_at"] is not None
    event = await conn.fetchrow(
        "SELECT action, actor_role, from_status, to_status, note FROM handover_events WHERE task_id = $1 "
        "ORDER BY id DESC LIMIT 1",
        task_id,
    )
    assert dict(event) == {"action": "withdraw", "actor_role": "partner", "from_status": "claimed",
                           "to_status": "open", "note": "ทีมงานติดภารกิจน้ำท่วมในพื้นที่ตัวเอง"}  # fmt: skip
    # The agency is told (notification outbox) and sees who gave it back and why.
    assert (
        await conn.fetchval(
            "SELECT count(*) FROM events WHERE kind = 'handover.claim_withdrawn' AND subject_id = $1", task_id
        )
        == 1
    )
    text = text_of((await staff.get(f"/handovers/{task_id}")).text)
    assert "องค์กรภาคีคืนงาน" in text and "ทีมงานติดภารกิจน้ำท่วมในพื้นที่ตัวเอง" in text and "องค์กร rak-nam" in text
    # The task is open again: another partner can claim it.
    r = await send_json(ton, "POST", f"/api/v1/handovers/{task_id}/claim", {"plan": "x" * 30, "team": "ทีม"})
    assert r.status_code == 201 and r.json()["task"]["status"] == "claimed"
    record = (await staff.get("/api/v1/handovers/partners/rak-nam")).json()
    assert record["withdrawn"] == 1


async def test_partner_gives_back_a_confirmed_task_through_the_api(world, conn, client):
    staff, ton = world["staff"], world["ton"]
    task_id = await _post_task(staff)
    await send_json(ton, "POST", f"/api/v1/handovers/{task_id}/claim", {"plan": "x" * 30, "team": "ทีม"})
    assert (await send_json(staff, "POST", f"/api/v1/handovers/{task_id}/confirm")).status_code == 201
    milestone = await conn.fetchval("SELECT id FROM handover_milestones WHERE task_id = $1", task_id)
    r = await send_json(ton, "POST", f"/api/v1/handovers/{task_id}/updates",
                        {"milestone_id": milestone, "body": "อบรมไปแล้วบางส่วน", "percent": 60})  # fmt: skip
    assert r.status_code == 201
    r = await send_json(
        world["nok"], "POST", f"/api/v1/handovers/{task_id}/withdraw", {"reason": "ขอคืนงานแทน"}
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_holder"
    r = await send_json(ton, "POST", f"/api/v1/handovers/{task_id}/withdraw", {"reason": "x"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "reason"
    r = await send_json(ton, "POST", f"/api/v1/handovers/{task_id}/withdraw", {"reason": "งบประมาณองค์กรไม่พอ"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["task"]["status"] == "open" and body["task"]["claim"] is None
    assert body["task"]["milestones"][0]["percent"] == 0  # the next partner starts afresh
    assert [u["percent"] for u in body["updates"]] == [60]  # the published update stays on record
    assert (
        body["timeline"][-1]["action"] == "withdraw" and body["timeline"][-1]["from_status"] == "in_progress"
    )
    assert body["claims"][0]["status"] == "withdrawn"
    one = (await client.get(f"/api/v1/handovers/{task_id}/ocds")).json()
    assert not list(_validator().iter_errors(one))
    assert one["releases"][-1]["awards"][0]["status"] == "cancelled"
    assert one["releases"][-1]["contracts"][0]["status"] == "cancelled"
    # Nothing left to give back.
    r = await send_json(ton, "POST", f"/api/v1/handovers/{task_id}/withdraw", {"reason": "งบประมาณองค์กรไม่พอ"})
    assert r.status_code == 403


async def test_expired_claim_reason_is_a_code_shown_in_the_readers_language(world, conn):
    from civic.handovers import actions

    task_id = await _post_task(world["staff"], confirm_days="3")
    r = await send_json(
        world["nok"], "POST", f"/api/v1/handovers/{task_id}/claim", {"plan": "x" * 30, "team": "ทีม"}
    )
    assert r.status_code == 201
    await conn.execute(
        "UPDATE handover_claims SET created_at = now() - interval '5 days' WHERE task_id = $1", task_id
    )
    assert await actions.expire_stale_claims(conn) == 1
    row = await conn.fetchrow("SELECT reason, reason_code FROM handover_claims WHERE task_id = $1", task_id)
    assert (row["reason"], row["reason_code"]) == ("", "not_confirmed_in_time")
    thai = text_of((await world["ton"].get(f"/handovers/{task_id}")).text)
    assert "เหตุผล: หน่วยงานไม่ได้ยืนยันการรับงานภายใน 3 วัน" in thai
    english = text_of((await world["rival"].get(f"/handovers/{task_id}")).text)  # rival reads English
    assert "Reason: The agency did not confirm the claim within 3 days." in english
    api = (await world["ton"].get(f"/api/v1/handovers/{task_id}")).json()
    assert api["claims"][0]["reason_code"] == "not_confirmed_in_time" and api["claims"][0]["reason"] == ""


def _deprecations(handler, path_parameters) -> list[str]:
    import warnings

    from litestar.exceptions import LitestarDeprecationWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        handler.create_kwargs_model(path_parameters=path_parameters)
    return [str(w.message) for w in caught if issubclass(w.category, LitestarDeprecationWarning)]


async def test_handover_routes_use_current_litestar_parameter_styles(app):
    """FromPath / FromQuery / JSONBody / `db: Db`: no handler relies on a deprecated inferred style."""
    import warnings

    from litestar import Litestar, get

    @get("/probe/{item_id:int}")
    async def probe(item_id: int) -> None:  # the deprecated style, as a control
        return None

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # registering the control warns once already
        control = Litestar([probe])
    route = next(r for r in control.routes if r.path.startswith("/probe"))
    assert _deprecations(route.route_handlers[0], route.path_parameters), "the check cannot see warnings"
    checked, found = 0, []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if getattr(handler.fn, "__module__", "") in ("civic.handovers.pages", "civic.handovers.api"):
                checked += 1
                found += _deprecations(handler, route.path_parameters)
    assert checked >= 25 and found == []


def _plan_form(shares: list[str]) -> dict:
    """The new-task form with one milestone row per share (repeated fields, as the browser sends them)."""
    due = (date.today() + timedelta(days=30)).isoformat()
    return form_data(
        m_title=[f"อบรมครั้งที่ {n}" for n in range(1, len(shares) + 1)],
        m_due=[due] * len(shares),
        m_share=shares,
    )


def _plan_json(shares: list[str]) -> dict:
    due = (date.today() + timedelta(days=30)).isoformat()
    body = {k: v for k, v in form_data().items() if k not in ("m_title", "m_due", "m_share")}
    body.update(publish=True, verified_only=True, confirm_days=7, review_days=14)
    body["milestones"] = [{"title": f"อบรมครั้งที่ {n}", "due": due, "share": s} for n, s in enumerate(shares, 1)]
    return body


async def test_milestone_shares_of_exactly_100_percent_are_accepted_and_100_01_refused(world, conn):
    staff = world["staff"]
    # Exactly 100 %, in the form and in the API: accepted, every share stored as typed.
    r = await post_form(staff, "/handovers/new", _plan_form(["33.33", "33.33", "33.34"]))
    assert r.status_code == 303, text_of(r.text)[:600]
    form_task = int(r.headers["location"].rsplit("/", 1)[1])
    r = await send_json(staff, "POST", "/api/v1/handovers/", _plan_json(["60", "40"]))
    assert r.status_code == 201, r.text
    api_task = r.json()["task"]["id"]
    for task_id, total in ((form_task, "100.00"), (api_task, "100.00")):
        stored = await conn.fetchval(
            "SELECT sum(budget_share)::text FROM handover_milestones WHERE task_id = $1", task_id
        )
        assert stored == total
    before = await conn.fetchval("SELECT count(*) FROM handover_tasks")
    # One hundredth more: refused with the reason, and nothing is stored.
    r = await post_form(staff, "/handovers/new", _plan_form(["33.33", "33.33", "33.35"]))
    assert r.status_code == 400
    assert "สัดส่วนงบประมาณรวมกันเกินร้อยละ 100" in text_of(r.text)
    r = await send_json(staff, "POST", "/api/v1/handovers/", _plan_json(["60", "40.01"]))
    assert r.status_code == 422 and r.json()["error"]["field"] == "milestones", r.text
    assert await conn.fetchval("SELECT count(*) FROM handover_tasks") == before


async def test_progress_report_text_is_public_on_the_page_and_in_the_api(world, conn, make_client):
    task_id = await _post_task(world["staff"])
    milestone = await _claimed_and_confirmed(world, conn, task_id)
    nok = world["nok"]
    by_api = "อบรมครั้งแรกที่ตำบลท่าพระแล้ว ผู้เข้าร่วม 41 คน"
    by_form = "อบรมครั้งที่สองที่ตำบลบ้านเป็ด ผู้เข้าร่วม 38 คน"
    r = await send_json(nok, "POST", f"/api/v1/handovers/{task_id}/updates",
                        {"milestone_id": milestone, "body": f"  {by_api}  ", "percent": 40})  # fmt: skip
    assert r.status_code in (200, 201), r.text
    r = await post_form(
        nok,
        f"/handovers/{task_id}/updates",
        {"milestone_id": str(milestone), "body": by_form, "percent": "70"},
    )
    assert r.status_code == 303, text_of(r.text)[:400]
    visitor = await make_client()
    page = await visitor.get(f"/handovers/{task_id}")
    assert page.status_code == 200
    # The reports are shown under their milestone on the public page, with who wrote them...
    card = page.text.split(f'id="milestone-{milestone}"', 1)[1].split("</li>", 1)[0]
    card_text = text_of(card)
    assert by_api in card_text and by_form in card_text and "องค์กร rak-nam" in card_text
    # ...and the public timeline records each report against the milestone.
    timeline = text_of(page.text.split('id="timeline"', 1)[1].split("</ol>", 1)[0])
    assert timeline.count("อบรมครั้งที่ 1: ") == 2, timeline
    api = (await visitor.get(f"/api/v1/handovers/{task_id}")).json()
    assert sorted(u["body"] for u in api["updates"]) == sorted([by_api, by_form])
    assert [e["action"] for e in api["timeline"]].count("update") == 2


async def test_a_thai_id_in_a_progress_report_is_masked_for_the_public(world, conn, make_client):
    """Issue 21, item 7 for handovers: a national ID typed into a progress report was published as
    typed on the task page and in its API; the partner and the task's agency still read it."""
    task_id = await _post_task(world["staff"])
    milestone = await _claimed_and_confirmed(world, conn, task_id)
    body = "ส่งเอกสารให้ผู้รับผิดชอบ เลขบัตร 1-1017-00203-45-0 และ ๑๑๐๑๗๐๐๒๐๓๔๕๐"
    r = await send_json(world["nok"], "POST", f"/api/v1/handovers/{task_id}/updates",
                        {"milestone_id": milestone, "body": body, "percent": 50})  # fmt: skip
    assert r.status_code in (200, 201), r.text
    visitor = await make_client()
    for reader in (visitor, world["rival"], world["ton"]):
        page = (await reader.get(f"/handovers/{task_id}")).text
        api = (await reader.get(f"/api/v1/handovers/{task_id}")).text
        for text in (page, api):
            assert "x-xxxx-xxxxx-45-0" in text
            assert "1-1017-00203-45-0" not in text and "๑๑๐๑๗๐๐๒๐๓๔๕๐" not in text
    for reader in (world["nok"], world["staff"]):
        assert (await reader.get(f"/api/v1/handovers/{task_id}")).json()["updates"][0]["body"] == body


async def _copies(conn, task_id: int, n: int, *, days_apart: bool = False) -> None:
    """`n` copies of a task, by SQL; `days_apart` spreads their claim closing dates and deadlines
    over a week and 11 days, so each order has ties to break."""
    closes, deadline = ("claim_closes + g % 7", "deadline + g % 11") if days_apart else ("claim_closes", "deadline")
    await conn.execute(
        "INSERT INTO handover_tasks (agency_id, title, description, deliverables, province, district, location, "
        "category, partner_types, skills, budget, claim_opens, claim_closes, deadline, contact, verified_only, "
        "status, created_by, published_at) "
        "SELECT agency_id, title || ' ' || g, description, deliverables, province, district, location, category, "
        f"partner_types, skills, budget, claim_opens, {closes}, {deadline}, contact, verified_only, status, "
        "created_by, published_at FROM handover_tasks, generate_series(1, $2) g WHERE id = $1",
        task_id,
        n,
    )


async def test_the_task_board_pages_through_many_tasks_with_a_window_of_links(world, conn, make_client):
    """A link per page grew with every task posted; the board shows a window around the page and
    the first and last pages, and its count is read without joining agencies or claims."""
    # 199 more, copied from the first by SQL: 200 tasks are 10 pages of 20
    await _copies(conn, await _post_task(world["staff"]), 199)
    visitor = await make_client()
    r = await visitor.get("/handovers?page=5&agency=kkn-pao")
    assert r.status_code == 200
    doc = lxml.html.fromstring(r.text)
    assert doc.xpath("string(//main//p[@class='muted'])").split()[0] == "200"
    links = doc.xpath("//nav[@class='pagination']//li[@class='pagination__item']/a")
    assert [a.text_content().split()[-1] for a in links] == ["1", "3", "4", "5", "6", "7", "10"]
    assert [a.get("href") for a in links if a.get("aria-current") == "page"] == [
        "/handovers?agency=kkn-pao&page=5"
    ]
    assert len(doc.xpath("//ul[@class='item-list']/li[@class='card']")) == 20
    # A page past the last shows the last (tasks 181-200), on the page and in the API alike.
    r = await visitor.get("/handovers?page=99&agency=kkn-pao")
    doc = lxml.html.fromstring(r.text)
    assert len(doc.xpath("//ul[@class='item-list']/li[@class='card']")) == 20
    current = doc.xpath("//nav[@class='pagination']//a[@aria-current='page']/@href")
    assert current == ["/handovers?agency=kkn-pao&page=10"]
    api = (await visitor.get("/api/v1/handovers?page=99&agency=kkn-pao")).json()
    assert (api["page"], api["total"], len(api["items"])) == (10, 200, 20)
    # A page number in Thai digits is read as the idea lists and the hub read it.
    assert (await visitor.get("/api/v1/handovers?page=๒&agency=kkn-pao")).json()["page"] == 2
    assert api["items"] == (await visitor.get("/api/v1/handovers?page=10&agency=kkn-pao")).json()["items"]


async def test_the_task_board_reads_each_order_from_an_index_and_pages_by_where_it_ends(world, conn, make_client):
    """Sorted by deadline or closing date, the board read and sorted every task for each page. Now
    each order walks an index (migration 0198) for the page's ids alone, and each page's links
    start from its own first or last task; "next" to the end shows every task once."""
    await _copies(conn, await _post_task(world["staff"]), 1999, days_apart=True)
    await conn.execute("ANALYZE handover_tasks")
    visitor = await make_client()
    for order, column in (("deadline", "deadline"), ("closing", "claim_closes"), ("newest", "created_at DESC")):
        expected = [r["id"] for r in await conn.fetch(
            f"SELECT id FROM handover_tasks WHERE status <> 'draft' ORDER BY {column}, id {'DESC' if 'DESC' in column else ''}"
        )]  # fmt: skip
        [[plan]] = await conn.fetchrow(
            "EXPLAIN (ANALYZE, FORMAT JSON) " + store.unfiltered_list_query(None, order, 20, 0)
        )
        assert rows_read(plan["Plan"], "handover_tasks") <= 2 * 20, order
        seen, url = [], f"/handovers?order={order}&page=95"
        while url:
            doc = lxml.html.fromstring((await visitor.get(url)).text)
            seen += [a.get("href") for a in doc.xpath("//ul[@class='item-list']/li[@class='card']/h2/a")]
            url = doc.xpath("string(//nav[@class='pagination']//a[@rel='next']/@href)")
            # up to page 97 from where the page before ends; the last three pages by number
            assert not url or ("&at=a0_" in url) == (int(url.split("page=")[1].split("&")[0]) <= 97), url
        assert seen == [f"/handovers/{i}" for i in expected[94 * 20 :]], order
        api = (await visitor.get(f"/api/v1/handovers?order={order}&page=50")).json()
        assert (api["page"], api["pages"], api["total"]) == (50, 100, 2000)
        after = (await visitor.get(f"/api/v1/handovers?order={order}&page=51&at={api['next_at']}")).json()
        assert [t["id"] for t in after["items"]] == expected[50 * 20 : 51 * 20]
        before = (await visitor.get(f"/api/v1/handovers?order={order}&page=49&at={api['previous_at']}")).json()
        assert [t["id"] for t in before["items"]] == expected[48 * 20 : 49 * 20]


async def test_a_small_agencys_board_reads_only_its_own_tasks(world, conn, make_client):
    # Named by a slug looked up inside the statement, the agency was unknown when the board was
    # planned, which walked the order's index past every other agency's tasks to find its few.
    task = await _post_task(world["staff"])
    await _copies(conn, task, 1999, days_apart=True)
    other = await conn.fetchrow(
        "SELECT id, slug FROM organisations WHERE kind = 'agency'"
        " AND id <> (SELECT agency_id FROM handover_tasks WHERE id = $1) ORDER BY id LIMIT 1",
        task,
    )
    await conn.execute("UPDATE handover_tasks SET agency_id = $1 WHERE id = $2", other["id"], task)
    await conn.execute("ANALYZE handover_tasks")
    for order in store.ORDERS:
        [[plan]] = await conn.fetchrow(
            "EXPLAIN (ANALYZE, FORMAT JSON) " + store.filtered_list_query(order, False, False),
            *(None, None, None, other["id"], None, None, []), 20, 0,
        )  # fmt: skip
        assert rows_read(plan["Plan"], "handover_tasks") <= 2, order
    visitor = await make_client()
    api = (await visitor.get(f"/api/v1/handovers?agency={other['slug']}")).json()
    assert (api["total"], [t["id"] for t in api["items"]]) == (1, [task])
    assert (await visitor.get("/api/v1/handovers?agency=no-such-agency")).json()["total"] == 0
