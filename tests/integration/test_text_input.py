"""Names and titles that are only combining marks are refused in every domain, and a form whose
bytes are not UTF-8 is answered 400 instead of being stored with U+FFFD."""

from datetime import UTC, datetime, timedelta
from urllib.parse import quote_from_bytes

import pytest

from civic.orgs import store as orgs
from tests.helpers import csrf_token, login, make_agency, make_user, post_form, send_json
from tests.integration.handover_data import task_raw

MARKS = ["์", "ัิ้็", "ั" * 6, "่" * 6]


def fields_of(r) -> set[str]:
    error = r.json()["error"]
    return {f["key"] for f in error.get("fields", [])} | {error.get("field")}


async def test_display_name_of_marks_is_refused(client, conn):
    for i, name in enumerate(MARKS):
        body = {"email": f"m{i}@example.com", "display_name": name, "password": "ทุ่งนาเขียวขจี 2569"}
        r = await send_json(client, "POST", "/api/v1/accounts", body)
        assert r.status_code == 422 and "display_name" in fields_of(r), (name, r.text)
        page = await post_form(client, "/register", body)
        assert page.status_code == 400 and "display_name" in page.text
    assert await conn.fetchval("SELECT count(*) FROM users") == 0


async def test_organisation_name_of_marks_is_refused(client, conn):
    await make_user(conn, "lead@example.com")
    await login(client, "lead@example.com")
    for name in MARKS:
        body = {"kind": "partner", "name_th": name, "partner_type": "ngo"}
        r = await send_json(client, "POST", "/api/v1/organisations", body)
        assert r.status_code in (400, 422) and "name_th" in fields_of(r), (name, r.text)
    # a mark split from its letter by a space has no base either
    r = await send_json(client, "POST", "/api/v1/organisations", {**body, "name_th": "มูลนิธิ ์ดี"})
    assert r.status_code in (400, 422) and "name_th" in fields_of(r)
    assert await conn.fetchval("SELECT count(*) FROM organisations") == 0
    r = await send_json(client, "POST", "/api/v1/organisations", {**body, "name_th": "มูลนิธิรักษ์น้ำ"})
    assert r.status_code == 201, r.text


async def test_idea_title_of_marks_is_refused(client, conn):
    agency = await make_agency(conn, "hdy-city", level="local", province="SKA")
    from civic.ideas import store as ideas

    await ideas.create_board(
        conn, slug="hatyai-waste", agency_id=agency, title="ขยะเมืองหาดใหญ่", description_th="เสนอไอเดียเรื่องขยะ",
        description_en="", scope="SKA", categories=[], is_open=True, moderate_first=False, support_threshold=3,
        response_days=30, coowner_ids=[], actor_id=None,
    )  # fmt: skip
    await make_user(conn, "citizen@example.com")
    await login(client, "citizen@example.com")
    body = "อยากให้มีถังขยะแยกประเภทในตลาดทุกแห่ง"
    for title in MARKS:
        r = await send_json(
            client, "POST", "/api/v1/ideas", {"board": "hatyai-waste", "title": title, "body": body}
        )
        assert r.status_code == 422 and "title" in fields_of(r), (title, r.text)
        page = await post_form(client, "/ideas", {"board": "hatyai-waste", "title": title, "body": body})
        assert page.status_code == 400 and body in page.text  # re-rendered with what was typed
    # the body may not be marks alone either (it begins with a mark with no letter)
    r = await send_json(client, "POST", "/api/v1/ideas", {"board": "hatyai-waste", "title": "ถังขยะแยกประเภท",
                                                         "body": "ั" * 20})  # fmt: skip
    assert r.status_code == 422 and "body" in fields_of(r)
    assert await conn.fetchval("SELECT count(*) FROM ideas") == 0


async def test_consultation_and_task_titles_of_marks_are_refused(client, conn):
    mdes = await make_agency(conn, "kkn-pao")
    staff = await make_user(conn, "staff@kkn.example")
    await orgs.add_member(conn, mdes, staff, "admin")
    await login(client, "staff@kkn.example")
    now = datetime.now(UTC)
    for title in MARKS:
        consultation = {
            "owner_org_id": mdes, "title": title, "summary": "ขอรับฟังความคิดเห็นต่อร่างนโยบาย", "kind": "general",
            "opens_at": (now + timedelta(days=1)).isoformat(), "closes_at": (now + timedelta(days=20)).isoformat(),
        }  # fmt: skip
        r = await send_json(client, "POST", "/api/v1/consultations/", consultation)
        assert r.status_code == 422 and "title" in fields_of(r), (title, r.text)
        r = await send_json(client, "POST", "/api/v1/handovers/", task_raw(title=title, agency="kkn-pao"))
        assert r.status_code == 422 and "title" in fields_of(r), (title, r.text)
    assert await conn.fetchval("SELECT count(*) FROM consultations") == 0
    assert await conn.fetchval("SELECT count(*) FROM handover_tasks") == 0


@pytest.mark.parametrize("multipart", [False, True])
async def test_a_form_that_is_not_utf8_is_refused(client, conn, multipart):
    await make_user(conn, "lead@example.com")
    await login(client, "lead@example.com")
    token = await csrf_token(client)
    bad = "มูลนิธิ".encode() + b"\xff\xfe"
    if multipart:
        files = {
            "_csrf_token": (None, token.encode()),
            "kind": (None, b"partner"),
            "partner_type": (None, b"ngo"),
            "name_th": (None, bad),
        }
        r = await client.post("/organisations/new", files=files)
    else:
        body = f"_csrf_token={token}&kind=partner&partner_type=ngo&name_th={quote_from_bytes(bad)}".encode()
        r = await client.post(
            "/organisations/new", content=body, headers={"content-type": "application/x-www-form-urlencoded"}
        )
    assert r.status_code == 400, r.text[:500]
    assert "UTF-8" in r.text
    assert await conn.fetchval("SELECT count(*) FROM organisations") == 0
