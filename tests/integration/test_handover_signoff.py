"""Sign-off safeguards (issue 21, item 13): task 10 was signed off with milestone 1 at 0 %, nothing
reviewed, an empty comment and no confirmation step."""

from __future__ import annotations

from tests.helpers import post_form, send_json, text_of
from tests.integration.test_handovers_http import _claimed_and_confirmed, _post_task, world  # noqa: F401


async def _status(conn, task_id: int) -> str:
    return await conn.fetchval("SELECT status FROM handover_tasks WHERE id = $1", task_id)


async def test_sign_off_needs_every_milestone_reviewed_a_comment_and_a_confirmation(world, conn):  # noqa: F811
    staff, nok = world["staff"], world["nok"]
    task_id = await _post_task(staff)
    milestone = await _claimed_and_confirmed(world, conn, task_id)
    page = await staff.get(f"/handovers/{task_id}")
    assert 'value="met"' not in page.text  # nobody reported on the milestone: no review form
    r = await post_form(staff, f"/handovers/{task_id}/review", {"milestone_id": str(milestone), "verdict": "met",
                                                                "comment": "ครบ"})  # fmt: skip
    assert r.status_code == 400 and "ยกเว้น" in text_of(r.text)
    await send_json(nok, "POST", f"/api/v1/handovers/{task_id}/request-completion", {"comment": ""})

    r = await post_form(staff, f"/handovers/{task_id}/sign-off", {"comment": ""})
    assert r.status_code == 400
    text = text_of(r.text)
    assert "อบรมครั้งที่ 1" in text  # the unreviewed milestone is named
    hrefs = r.text[r.text.index("error-summary") :]
    assert 'href="#field-milestones"' in hrefs and 'href="#field-comment"' in hrefs
    r = await send_json(staff, "POST", f"/api/v1/handovers/{task_id}/sign-off", {"comment": "เรียบร้อย"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "milestones"
    assert await _status(conn, task_id) == "completion_requested"

    page = await staff.get(f"/handovers/{task_id}")
    assert 'value="waived"' in page.text  # the only way on for an unreported milestone
    r = await post_form(staff, f"/handovers/{task_id}/review", {"milestone_id": str(milestone), "verdict": "waived",
                                                                "comment": ""})  # fmt: skip
    assert r.status_code == 400  # a waiver needs its reason
    r = await post_form(staff, f"/handovers/{task_id}/review", {"milestone_id": str(milestone), "verdict": "waived",
                                                                "comment": "อบรมรวมในครั้งที่ 2 แล้ว"})  # fmt: skip
    assert r.status_code == 303

    r = await post_form(staff, f"/handovers/{task_id}/sign-off", {"comment": "รับงานแล้ว ขอบคุณ"})
    assert r.status_code == 200 and "ยกเลิกไม่ได้" in text_of(r.text)
    assert 'name="confirmed" value="yes"' in r.text and 'value="รับงานแล้ว ขอบคุณ"' in r.text
    assert await _status(conn, task_id) == "completion_requested"  # not yet: only asked
    r = await post_form(staff, f"/handovers/{task_id}/sign-off", {"comment": "รับงานแล้ว ขอบคุณ", "confirmed": "yes"})
    assert r.status_code == 303
    assert await _status(conn, task_id) == "completed"
    ocds = (await staff.get(f"/api/v1/handovers/{task_id}/ocds")).json()
    assert "notMet" in str(ocds)  # a waived milestone stays within the OCDS codelist


async def test_cancel_asks_for_confirmation_without_javascript(world, conn):  # noqa: F811
    staff = world["staff"]
    task_id = await _post_task(staff)
    r = await post_form(staff, f"/handovers/{task_id}/cancel", {"reason": ""})
    assert r.status_code == 400  # a refused reason is shown on the task page, not confirmed
    r = await post_form(staff, f"/handovers/{task_id}/cancel", {"reason": "งบประมาณถูกตัด"})
    assert r.status_code == 200 and f'action="/handovers/{task_id}/cancel"' in r.text
    assert await _status(conn, task_id) == "open"
    r = await post_form(staff, f"/handovers/{task_id}/cancel", {"reason": "งบประมาณถูกตัด", "confirmed": "yes"})
    assert r.status_code == 303 and await _status(conn, task_id) == "cancelled"
