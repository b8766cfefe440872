"""The identity level a space asks for: a board or a consultation that requires a verified Thai
national ID refuses everyone without one (over the page and the API, in the reader's language,
pointing to /account/identity, nothing written), shows the reason where the button was, and its
counts say how many took part with a verified ID ("verified: N"), frozen into a published outcome."""

from __future__ import annotations

from civic.web.i18n import gettext
from tests.helpers import login, make_user, parse, post_form, send_json, text_of
from tests.integration.test_consultations_http import answers, count_responses, setup
from tests.integration.test_ideas import _idea, _world

REQUIRED = (
    "Only people who have verified their Thai national ID can take part here. "
    "Verify yours at /account/identity, then try again."
)


def refused_json(r) -> None:
    assert r.status_code == 403, r.text
    error = r.json()["error"]
    assert error["code"] == "national_id_required"
    assert error["message"] == gettext("th", REQUIRED)


def refused_page(r) -> None:
    assert r.status_code == 403, r.text[:300]
    assert gettext("th", REQUIRED) in text_of(r.text)


async def verify_id(conn, email: str) -> None:
    # What civic/identity's verify_national_id leaves behind (tested in test_identity.py).
    await conn.execute(
        "UPDATE users SET national_id_hash = sha256(email::bytea), id_verified_at = now() WHERE email = $1",
        email,
    )


async def test_a_board_requiring_id_refuses_an_unverified_supporter(client, make_client, conn):
    world = await _world(conn)
    idea_id = await _idea(conn, world)
    staff = await make_client()
    await login(staff, "staff@owner.example")
    # The owning agency turns it on over the API; a value of the wrong type is refused.
    bad = await send_json(
        staff, "PATCH", "/api/v1/boards/hatyai-waste", {"requires_national_id": "sometimes"}
    )
    assert bad.status_code in (400, 422)
    r = await send_json(staff, "PATCH", "/api/v1/boards/hatyai-waste", {"requires_national_id": True})
    assert r.status_code == 200 and r.json()["requires_national_id"] is True

    await login(client, "citizen2@example.com")  # a verified address, no verified ID
    page = await client.get(f"/ideas/{idea_id}")
    html = parse(page.text)
    assert not any(f.get("action") == f"/ideas/{idea_id}/support" for f in html.forms)
    assert not any(f.get("action") == f"/ideas/{idea_id}/comments" for f in html.forms)
    assert 'href="/account/identity"' in page.text
    before = await conn.fetchval(
        "SELECT (SELECT count(*) FROM idea_supports) + (SELECT count(*) FROM idea_comments)"
    )
    refused_page(await post_form(client, f"/ideas/{idea_id}/support", {"action": "support"}))
    refused_json(await send_json(client, "POST", f"/api/v1/ideas/{idea_id}/support"))
    refused_page(await post_form(client, f"/ideas/{idea_id}/comments", {"body": "ความเห็นของฉัน"}))
    refused_json(
        await send_json(client, "POST", f"/api/v1/ideas/{idea_id}/comments", {"body": "ความเห็นของฉัน"})
    )
    typed = {
        "board": "hatyai-waste",
        "title": "ถังขยะแยกประเภทหน้าตลาด",
        "body": "รายละเอียด " * 5,
        "category": "ขยะ",
    }
    form = await post_form(client, "/ideas", typed)
    assert form.status_code == 400  # the form comes back with what was typed
    assert gettext("th", REQUIRED) in text_of(form.text) and "ถังขยะแยกประเภทหน้าตลาด" in form.text
    refused_json(await send_json(client, "POST", "/api/v1/ideas", typed))
    assert (
        await conn.fetchval(
            "SELECT (SELECT count(*) FROM idea_supports) + (SELECT count(*) FROM idea_comments)"
        )
        == before
    )
    assert await conn.fetchval("SELECT count(*) FROM ideas") == 1

    # Once verified, the same person supports; the idea counts them as verified.
    await verify_id(conn, "citizen2@example.com")
    r = await send_json(client, "POST", f"/api/v1/ideas/{idea_id}/support")
    assert r.status_code == 200, r.text
    detail = (await client.get(f"/api/v1/ideas/{idea_id}")).json()
    assert detail["idea"]["support_count"] == 1 and detail["verified_supports"] == 1
    assert gettext("th", "verified: %(n)s", n=1) in text_of((await client.get(f"/ideas/{idea_id}")).text)

    # Turned off on the settings form, an unverified person may support again; they count
    # among the supports, not among the verified.
    settings = await staff.get("/boards/hatyai-waste/settings")
    assert 'name="requires_national_id"' in settings.text
    r = await post_form(
        staff,
        "/boards/hatyai-waste/settings",
        {
            "title": "ขยะและความสะอาดเมืองหาดใหญ่",
            "description_th": "เสนอไอเดียเรื่องขยะและความสะอาดในเขตเทศบาล",
            "scope": "SKA",
            "categories": "ขยะ\nตลาด",
            "is_open": "1",
            "support_threshold": "3",
            "response_days": "30",
        },
    )
    assert r.status_code == 303, text_of(r.text)[:500]
    assert (
        await conn.fetchval("SELECT requires_national_id FROM idea_boards WHERE slug = 'hatyai-waste'")
        is False
    )
    third = await make_client()
    await login(third, "citizen3@example.com")
    assert (await send_json(third, "POST", f"/api/v1/ideas/{idea_id}/support")).status_code == 200
    detail = (await third.get(f"/api/v1/ideas/{idea_id}")).json()
    assert (detail["idea"]["support_count"], detail["verified_supports"]) == (2, 1)


async def test_withdrawing_a_support_is_never_refused_for_the_level(client, conn):
    world = await _world(conn)
    idea_id = await _idea(conn, world)
    await login(client, "citizen2@example.com")
    assert (await send_json(client, "POST", f"/api/v1/ideas/{idea_id}/support")).status_code == 200
    await conn.execute("UPDATE idea_boards SET requires_national_id = true WHERE slug = 'hatyai-waste'")
    r = await send_json(client, "DELETE", f"/api/v1/ideas/{idea_id}/support")
    assert r.status_code == 200, r.text
    assert await conn.fetchval("SELECT count(*) FROM idea_supports") == 0


async def test_a_consultation_requiring_id_refuses_and_counts_verified_responses(client, make_client, conn):
    s = await setup(conn, status="scheduled", kind="s77")
    cid = s["cid"]
    staff = await make_client()
    await login(staff, "staff@mdes.example")
    r = await send_json(staff, "PATCH", f"/api/v1/consultations/{cid}", {"requires_national_id": True})
    assert r.status_code == 200, r.text
    await conn.execute("UPDATE consultations SET status = 'open' WHERE id = $1", cid)
    # Frozen at opening: answers already given were given under it.
    r = await send_json(
        staff,
        "PATCH",
        f"/api/v1/consultations/{cid}",
        {"requires_national_id": False, "change_note": "ปิดการยืนยันตัวตน"},
    )
    assert r.status_code in (409, 422) and r.json()["error"]["field"] == "requires_national_id", r.text

    await make_user(conn, "pim@x.example")
    await login(client, "pim@x.example")
    page = await client.get(f"/consultations/{cid}")
    html = parse(page.text)
    assert not any(f.get("action") == f"/consultations/{cid}/respond" for f in html.forms)
    assert 'href="/account/identity"' in page.text
    body = {"consent": "none", "answers": answers(s["q"])}
    refused_json(await send_json(client, "POST", f"/api/v1/consultations/{cid}/response", body))
    form = {"consent": "none", "mode": "new"} | {f"q{k}": v for k, v in answers(s["q"]).items()}
    refused_page(await post_form(client, f"/consultations/{cid}/respond", form))
    section = await conn.fetchval("SELECT min(id) FROM consultation_sections WHERE consultation_id = $1", cid)
    comment = {"section_id": section, "body": "ข้อนี้ควรแก้"}
    refused_json(await send_json(client, "POST", f"/api/v1/consultations/{cid}/comments", comment))
    assert await count_responses(conn) == 0

    await verify_id(conn, "pim@x.example")
    r = await send_json(client, "POST", f"/api/v1/consultations/{cid}/response", body)
    assert r.status_code == 201, r.text
    # An unverified response (given before the level was set, as through the counter) counts
    # among the responses, not among the verified.
    other = await make_user(conn, "nid@x.example")
    await conn.execute(
        "INSERT INTO consultation_responses (consultation_id, user_id, consent, answers) VALUES ($1, $2, 'none', '{}')",
        cid,
        other,
    )
    stats = (await staff.get(f"/api/v1/consultations/{cid}/statistics.json")).json()
    assert (stats["responses"], stats["verified_responses"]) == (2, 1)

    # Published, the verified count is frozen with the other statistics.
    await conn.execute("UPDATE consultations SET status = 'closed', closed_at = now() WHERE id = $1", cid)
    outcome = {"summary": "ประชาชนส่วนใหญ่เห็นด้วยกับร่างกฎหมายฉบับนี้", "themes": []}
    r = await send_json(staff, "POST", f"/api/v1/consultations/{cid}/outcome", outcome)
    assert r.status_code in (200, 201), r.text
    await conn.execute("UPDATE users SET id_verified_at = NULL WHERE email = 'pim@x.example'")
    frozen = await conn.fetchval(
        "SELECT stats->>'verified_responses' FROM consultation_outcomes WHERE consultation_id = $1", cid
    )
    assert frozen == "1"
    page = text_of((await client.get(f"/consultations/{cid}/outcome")).text)
    assert (
        gettext("th", "Of the responses, %(n)s came from people who verified their Thai national ID.", n=1)
        in page
    )


async def test_the_verified_count_kept_on_the_idea_always_equals_a_recount(conn):
    """Migration 0189 keeps "verified: N" on the idea; every way it can change moves it."""
    from civic.ideas import store as ideas
    from civic.privacy import store as privacy

    world = await _world(conn)
    idea_id = await _idea(conn, world)
    people = [await make_user(conn, f"p{i}@example.com") for i in range(4)]

    async def kept_and_recounted() -> tuple[int, int]:
        return tuple(
            await conn.fetchrow(
                "SELECT i.verified_support_count, (SELECT count(*) FROM idea_supports s JOIN users u "
                "ON u.id = s.user_id WHERE s.idea_id = i.id AND u.id_verified_at IS NOT NULL) "
                "FROM ideas i WHERE i.id = $1",
                idea_id,
            )
        )

    await verify_id(conn, "p0@example.com")
    for person in people:
        await ideas.support_idea(conn, idea_id, person)
    assert await kept_and_recounted() == (1, 1)  # p0 verified before supporting
    await verify_id(conn, "p1@example.com")  # verified after supporting
    await verify_id(conn, "p1@example.com")  # again: still one
    assert await kept_and_recounted() == (2, 2)
    await ideas.withdraw_support(conn, idea_id, people[0])  # a verified supporter withdraws
    await ideas.withdraw_support(conn, idea_id, people[2])  # an unverified one
    assert await kept_and_recounted() == (1, 1)
    assert await ideas.transfer_support(conn, idea_id, people[3], people[0])  # to a verified account
    assert await kept_and_recounted() == (2, 2)
    await privacy.erase(
        conn, people[1], "p1@example.com", "p1", tomb_email="erased-1@invalid", tomb_name="ผู้ใช้ที่ลบแล้ว"
    )
    assert await kept_and_recounted() == (1, 1)
    assert (await ideas.get_idea(conn, idea_id)).verified_support_count == 1
