"""Every handover verb records its domain event (civic.events) in the same transaction as the
change, about the task's agency and province; a refused verb records none."""

from __future__ import annotations

import msgspec

from civic.events import CATALOGUE
from civic.handovers import actions
from tests.helpers import post_form, send_json
from tests.integration import test_handovers_http as http
from tests.integration.test_handovers_http import _claimed_and_confirmed, _post_task

world = http.world  # the same people and organisations as the other handover HTTP tests


async def _events(conn, task_id: int) -> list:
    return await conn.fetch(
        "SELECT kind, actor_id, agency_id, province, visibility, payload FROM events "
        "WHERE subject_kind = 'handover' AND subject_id = $1 ORDER BY id",
        task_id,
    )


async def test_a_task_lifecycle_records_one_event_per_step(world, conn):
    staff, nok = world["staff"], world["nok"]
    task_id = await _post_task(staff)
    milestone = await _claimed_and_confirmed(world, conn, task_id)
    r = await send_json(nok, "POST", f"/api/v1/handovers/{task_id}/updates",
                        {"milestone_id": milestone, "body": "อบรมแล้ว 45 คน", "percent": 100})  # fmt: skip
    assert r.status_code == 201
    r = await post_form(staff, f"/handovers/{task_id}/review", {"milestone_id": str(milestone), "verdict": "met",
                                                                "comment": "ครบ"})  # fmt: skip
    assert r.status_code == 303
    assert (await post_form(nok, f"/handovers/{task_id}/request-completion", {"note": ""})).status_code == 303
    assert (
        await post_form(staff, f"/handovers/{task_id}/reject", {"reason": "ขาดรายงานสรุป"})
    ).status_code == 303
    assert (
        await post_form(nok, f"/handovers/{task_id}/request-completion", {"note": "ส่งแล้ว"})
    ).status_code == 303
    signed = await post_form(staff, f"/handovers/{task_id}/sign-off", {"comment": "ขอบคุณ", "confirmed": "yes"})
    assert signed.status_code == 303
    rows = await _events(conn, task_id)
    assert [r["kind"] for r in rows] == [
        "handover.drafted", "handover.posted", "handover.claimed", "handover.claim_confirmed",
        "handover.progress_reported", "handover.milestone_reviewed", "handover.completion_requested",
        "handover.completion_rejected", "handover.completion_requested", "handover.signed_off",
    ]  # fmt: skip
    agency = await conn.fetchval("SELECT id FROM organisations WHERE slug = 'kkn-pao'")
    for row in rows:
        assert (row["agency_id"], row["province"]) == (agency, "KKN")
        assert row["actor_id"] is not None
        msgspec.convert(row["payload"], CATALOGUE[row["kind"]].payload)
        assert row["visibility"] == CATALOGUE[row["kind"]].visibility.value
    by_kind = {r["kind"]: r["payload"] for r in rows}
    assert by_kind["handover.milestone_reviewed"]["verdict"] == "met"
    assert by_kind["handover.progress_reported"]["percent"] == 100
    assert by_kind["handover.signed_off"] == {"title": by_kind["handover.posted"]["title"],
                                              "from_status": "completion_requested", "to_status": "completed",
                                              "note": "ขอบคุณ"}  # fmt: skip


async def test_draft_events_are_staff_only_and_refusals_record_nothing(world, conn):
    staff = world["staff"]
    draft = await _post_task(staff, publish="")
    r = await send_json(staff, "PATCH", f"/api/v1/handovers/{draft}", {"title": "ชื่องานที่แก้ไขแล้วในร่าง"})
    assert r.status_code == 200
    before = await _events(conn, draft)
    # Refused: another agency, a short reason, an unverified partner on a draft it cannot see.
    assert (await send_json(world["rival"], "POST", f"/api/v1/handovers/{draft}/publish")).status_code == 404
    r = await send_json(staff, "POST", f"/api/v1/handovers/{draft}/cancel", {"reason": "x"})
    assert r.status_code == 422
    assert await _events(conn, draft) == before
    assert [(r["kind"], r["visibility"]) for r in before] == [("handover.drafted", "staff"),
                                                              ("handover.edited", "staff")]  # fmt: skip
    assert before[1]["payload"]["fields"] == ["title"]
    r = await send_json(staff, "POST", f"/api/v1/handovers/{draft}/cancel", {"reason": "ย้ายไปทำปีหน้า"})
    assert r.status_code == 201
    assert (await _events(conn, draft))[-1]["kind"] == "handover.cancelled"


async def test_a_cancelled_claim_and_the_sweeps_tell_the_partner(world, conn):
    staff, nok = world["staff"], world["nok"]
    held = await _post_task(staff)
    await send_json(nok, "POST", f"/api/v1/handovers/{held}/claim", {"plan": "x" * 30, "team": "ทีม"})
    r = await send_json(staff, "POST", f"/api/v1/handovers/{held}/cancel", {"reason": "งบประมาณถูกตัด"})
    assert r.status_code == 201
    kinds = [r["kind"] for r in await _events(conn, held)]
    assert kinds[-2:] == ["handover.cancelled", "handover.claim_released"]
    # The scheduler's sweeps act as the system: no actor, the task's agency and province.
    lapsing = await _post_task(staff)
    await send_json(nok, "POST", f"/api/v1/handovers/{lapsing}/claim", {"plan": "x" * 30, "team": "ทีม"})
    await conn.execute(
        "UPDATE handover_claims SET created_at = now() - interval '8 days' WHERE task_id = $1", lapsing
    )
    closing = await _post_task(staff)
    await conn.execute(
        "UPDATE handover_tasks SET claim_opens = claim_opens - 30, claim_closes = current_date - 2 WHERE id = $1",
        closing,
    )
    assert (await actions.expire_stale_claims(conn), await actions.expire_tasks(conn)) == (1, 1)
    lapsed = (await _events(conn, lapsing))[-1]
    assert lapsed["kind"] == "handover.claim_expired" and lapsed["actor_id"] is None
    assert lapsed["payload"]["reason_code"] == "not_confirmed_in_time" and lapsed["province"] == "KKN"
    expired = (await _events(conn, closing))[-1]
    assert (expired["kind"], expired["payload"]["to_status"], expired["actor_id"]) == (
        "handover.expired",
        "expired",
        None,
    )
