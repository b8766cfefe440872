"""The verified gate: supporting, commenting, answering a consultation (and commenting on its
sections), submitting an idea and claiming a task need a verified address, over the pages and
the API alike, and say so in the reader's language with a way to get a new link. Browsing, and
drafting an idea, do not."""

from __future__ import annotations

from civic.web.i18n import gettext
from tests.helpers import login, make_user, parse, post_form, send_json, text_of
from tests.integration.test_consultations_http import answers, count_responses, setup
from tests.integration.test_handovers_http import _counts, _post_task, world  # noqa: F401 (a fixture)
from tests.integration.test_ideas import _idea, _world

VERIFY_FIRST = "Please verify your email address first: open the link we sent you, or ask for a new one on your account page."


def refused_json(r) -> None:
    assert r.status_code == 403, r.text
    error = r.json()["error"]
    assert error["code"] == "email_not_verified"
    assert error["message"] == gettext("th", VERIFY_FIRST)


def refused_page(r) -> None:
    assert r.status_code == 403, r.text[:300]
    assert gettext("th", VERIFY_FIRST) in text_of(r.text)


async def unverified(client, conn, email: str = "unverified@example.com") -> int:
    uid = await make_user(conn, email, verified=False)
    await login(client, email)
    return uid


async def test_ideas_support_comment_and_submit_need_a_verified_address(client, conn):
    board = await _world(conn)
    idea_id = await _idea(conn, board)
    await unverified(client, conn)
    before = await conn.fetchval(
        "SELECT (SELECT count(*) FROM idea_supports) + (SELECT count(*) FROM idea_comments)"
    )

    # Browsing works, and the buttons are replaced by the reason and a way to resend the link.
    page = await client.get(f"/ideas/{idea_id}")
    assert page.status_code == 200
    html = parse(page.text)
    assert not any(f.get("action") == f"/ideas/{idea_id}/support" for f in html.forms)
    assert any(f.get("action") == "/account/verify/resend" for f in html.forms)
    assert gettext("th", "Please verify your email address first: open the link we sent you.") in text_of(
        page.text
    )

    refused_page(await post_form(client, f"/ideas/{idea_id}/support", {"action": "support"}))
    refused_json(await send_json(client, "POST", f"/api/v1/ideas/{idea_id}/support"))
    refused_page(await post_form(client, f"/ideas/{idea_id}/comments", {"body": "ความเห็นของฉัน"}))
    refused_json(
        await send_json(client, "POST", f"/api/v1/ideas/{idea_id}/comments", {"body": "ความเห็นของฉัน"})
    )
    after = await conn.fetchval(
        "SELECT (SELECT count(*) FROM idea_supports) + (SELECT count(*) FROM idea_comments)"
    )
    assert after == before

    # Drafting an idea is allowed: the form opens, and a refused submission keeps what was typed.
    assert (await client.get("/ideas/new?board=hatyai-waste")).status_code == 200
    typed = {
        "board": "hatyai-waste",
        "title": "ถังขยะแยกประเภทหน้าตลาด",
        "body": "รายละเอียด " * 5,
        "category": "ขยะ",
    }
    form = await post_form(client, "/ideas", typed)
    assert form.status_code in (400, 403, 409, 422)
    assert gettext("th", VERIFY_FIRST) in text_of(form.text) and "ถังขยะแยกประเภทหน้าตลาด" in form.text
    refused_json(await send_json(client, "POST", "/api/v1/ideas", typed))
    assert await conn.fetchval("SELECT count(*) FROM ideas") == 1


async def test_a_verified_person_is_not_stopped(client, conn):
    board = await _world(conn)
    idea_id = await _idea(conn, board)
    await login(client, "citizen2@example.com")  # make_user verifies by default
    assert (await send_json(client, "POST", f"/api/v1/ideas/{idea_id}/support")).status_code == 200


async def test_answering_a_consultation_needs_a_verified_address(client, conn):
    s = await setup(conn)
    await unverified(client, conn)
    page = await client.get(f"/consultations/{s['cid']}")
    assert page.status_code == 200
    assert any(f.get("action") == "/account/verify/resend" for f in parse(page.text).forms)
    assert not any(f.get("action") == f"/consultations/{s['cid']}/respond" for f in parse(page.text).forms)

    body = {"consent": "none", "answers": answers(s["q"])}
    refused_json(await send_json(client, "POST", f"/api/v1/consultations/{s['cid']}/response", body))
    form = {"consent": "none", "mode": "new"} | {f"q{k}": v for k, v in answers(s["q"]).items()}
    refused_page(await post_form(client, f"/consultations/{s['cid']}/respond", form))
    section = await conn.fetchval(
        "SELECT min(id) FROM consultation_sections WHERE consultation_id = $1", s["cid"]
    )
    comment = {"section_id": section, "body": "ข้อนี้ควรแก้"}
    refused_json(await send_json(client, "POST", f"/api/v1/consultations/{s['cid']}/comments", comment))
    assert await count_responses(conn) == 0


async def test_claiming_a_task_needs_a_verified_address(world, conn):  # noqa: F811 (the imported fixture)
    task_id = await _post_task(world["staff"])
    await conn.execute("UPDATE users SET email_verified_at = NULL WHERE email = 'nok@raknam.example'")
    before = await _counts(conn)
    body = {"plan": "แผนงานอบรมชุมชนสามตำบลริมน้ำ", "team": "ทีมห้าคน"}
    page = await world["nok"].get(f"/handovers/{task_id}")
    assert any(f.get("action") == "/account/verify/resend" for f in parse(page.text).forms)
    refused_json(await send_json(world["nok"], "POST", f"/api/v1/handovers/{task_id}/claim", body))
    refused_page(await post_form(world["nok"], f"/handovers/{task_id}/claim", body))
    assert await _counts(conn) == before
