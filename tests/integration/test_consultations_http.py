"""HTTP: the issue's "Bad input" cases, permissions per agency, exports without personal data."""

import lxml.html

from civic.consultations import store
from civic.orgs import store as orgs
from tests import files
from tests.helpers import login, make_agency, make_user, post_form, send_json, text_of
from tests.integration.consultation_data import create_draft_policy

PDF = files.plain()
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 4000


async def setup(conn, status="open", kind="general"):
    mdes = await make_agency(conn, "mdes")
    other = await make_agency(conn, "other-agency")
    staff = await make_user(conn, "staff@mdes.example", name="เจ้าหน้าที่ ดีอี")
    rival = await make_user(conn, "staff@other.example", name="เจ้าหน้าที่อื่น")
    await orgs.add_member(conn, mdes, staff, "admin")
    await orgs.add_member(conn, other, rival, "admin")
    cid = await create_draft_policy(
        conn, actor_id=staff, owner_org_id=mdes, status=status, opens_in_days=-1, kind=kind,
        sections_text="มาตรา ๑ ข้อหนึ่ง\n\nมาตรา ๒ ข้อสอง",
    )  # fmt: skip
    qs = await store.list_questions(conn, cid)
    return {"cid": cid, "mdes": mdes, "other": other, "q": [str(q.id) for q in qs]}


def answers(q, single="เห็นด้วย", scale="4", text=""):
    return {q[0]: single, q[1]: scale, q[2]: text}


async def count_responses(conn):
    return await conn.fetchval("SELECT count(*) FROM consultation_responses")


async def test_respond_via_form_with_thai_digit_then_edit(client, conn):
    s = await setup(conn)
    await make_user(conn, "pim@x.example")
    await login(client, "pim@x.example")
    q = s["q"]
    r = await post_form(
        client,
        f"/consultations/{s['cid']}/respond",
        {f"q{q[0]}": "เห็นด้วย", f"q{q[1]}": "๕", "consent": "anonymous", "mode": "new"},
    )
    assert r.status_code == 303, r.text[:300]
    row = await conn.fetchrow("SELECT answers, consent FROM consultation_responses")
    assert row["answers"] == {q[0]: "เห็นด้วย", q[1]: 5}
    r = await post_form(
        client,
        f"/consultations/{s['cid']}/respond",
        {f"q{q[0]}": "ไม่เห็นด้วย", f"q{q[1]}": "2", "consent": "named", "mode": "edit"},
    )
    assert r.status_code == 303
    row = await conn.fetchrow("SELECT answers, consent FROM consultation_responses")
    assert row["answers"][q[0]] == "ไม่เห็นด้วย" and row["consent"] == "named"
    page = await client.get(f"/consultations/{s['cid']}")
    assert "ไม่เห็นด้วย" in page.text and page.status_code == 200


async def test_form_errors_rerender_with_typed_values(client, conn):
    s = await setup(conn)
    await make_user(conn, "pim@x.example")
    await login(client, "pim@x.example")
    q = s["q"]
    r = await post_form(
        client,
        f"/consultations/{s['cid']}/respond",
        {f"q{q[1]}": "6", f"q{q[2]}": "ข้อความที่พิมพ์ไว้", "consent": "anonymous"},
    )
    assert r.status_code == 400
    assert "ข้อความที่พิมพ์ไว้" in r.text
    text = text_of(r.text)
    assert "กรุณาเลือกคำตอบ" in text and "เลือกตัวเลขตั้งแต่ 1 ถึง 5" in text
    assert await count_responses(conn) == 0


async def test_api_bad_input_cases(client, conn):
    s = await setup(conn)
    await make_user(conn, "pim@x.example")
    await login(client, "pim@x.example")
    url = f"/api/v1/consultations/{s['cid']}/response"
    q = s["q"]
    cases = [
        ({q[1]: "3"}, q[0] and f"q{q[0]}", "Please answer this question."),
        (answers(q, single="บางที"), f"q{q[0]}", "Choose one of the options."),
        (answers(q, scale="6"), f"q{q[1]}", "Choose a number from 1 to 5."),
        (answers(q, scale=6), f"q{q[1]}", "Choose a number from 1 to 5."),
    ]
    for ans, field, _msg in cases:
        r = await send_json(client, "POST", url, {"consent": "none", "answers": ans})
        assert r.status_code == 422, r.text
        err = r.json()["error"]
        assert err["field"] == field and err["code"] == "invalid_input" and err["message"]
    assert await count_responses(conn) == 0
    r = await send_json(client, "POST", url, {"consent": "none", "answers": answers(q)})
    assert r.status_code == 201
    r = await send_json(client, "POST", url, {"consent": "none", "answers": answers(q, single="ไม่เห็นด้วย")})
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_responded"
    assert "แก้ไข" in r.json()["error"]["message"]
    mine = (await client.get(url)).json()
    assert mine["answers"][q[0]] == "เห็นด้วย"
    r = await send_json(
        client, "PUT", url, {"consent": "anonymous", "answers": answers(q, single="ไม่เห็นด้วย")}
    )
    assert r.status_code == 200
    assert (await client.get(url)).json()["answers"][q[0]] == "ไม่เห็นด้วย"
    assert await count_responses(conn) == 1


async def test_closed_consultation_refuses_answers(client, conn):
    s = await setup(conn, status="closed")
    await make_user(conn, "pim@x.example")
    await login(client, "pim@x.example")
    r = await send_json(
        client,
        "POST",
        f"/api/v1/consultations/{s['cid']}/response",
        {"consent": "none", "answers": answers(s["q"])},
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_open"
    r = await post_form(client, f"/consultations/{s['cid']}/respond", {"consent": "none"})
    assert r.status_code == 409 and "ไม่ได้เปิด" in text_of(r.text)
    assert await count_responses(conn) == 0


async def test_s77_ten_days_refused(client, conn):
    s = await setup(conn)
    await login(client, "staff@mdes.example")
    body = {
        "owner_org_id": s["mdes"],
        "title": "ร่างพระราชบัญญัติทดสอบ",
        "summary": "รับฟังความคิดเห็นร่างกฎหมาย",
        "kind": "s77",
        "opens_at": "2030-01-01T09:00:00+07:00",
        "closes_at": "2030-01-11T09:00:00+07:00",
    }
    before = await conn.fetchval("SELECT count(*) FROM consultations")
    r = await send_json(client, "POST", "/api/v1/consultations/", body)
    assert r.status_code == 422 and r.json()["error"]["field"] == "closes_at"
    assert "15" in r.json()["error"]["message"]
    # the HTML form says the same and keeps what was typed
    r = await post_form(
        client,
        "/consultations/new",
        {**body, "opens_at": "2030-01-01T09:00", "closes_at": "2030-01-11T09:00"},
    )
    assert r.status_code == 400 and "ร่างพระราชบัญญัติทดสอบ" in r.text and "15 วัน" in text_of(r.text)
    assert await conn.fetchval("SELECT count(*) FROM consultations") == before
    r = await send_json(
        client, "POST", "/api/v1/consultations/", body | {"closes_at": "2030-01-16T09:00:00+07:00"}
    )
    assert r.status_code == 201, r.text
    assert r.json()["consultation"]["status"] == "draft"


async def test_edit_by_other_agency_staff_forbidden(client, conn):
    s = await setup(conn, status="draft")
    await login(client, "staff@other.example")
    r = await send_json(client, "PATCH", f"/api/v1/consultations/{s['cid']}", {"title": "ชื่อที่ถูกแก้โดยผู้อื่น"})
    assert r.status_code == 404  # a draft of another agency is not even visible
    await conn.execute("UPDATE consultations SET status = 'scheduled' WHERE id = $1", s["cid"])
    r = await send_json(client, "PATCH", f"/api/v1/consultations/{s['cid']}", {"title": "ชื่อที่ถูกแก้โดยผู้อื่น"})
    assert r.status_code == 403
    r = await post_form(client, f"/consultations/{s['cid']}/transition", {"action": "open"})
    assert r.status_code == 403
    assert (
        await conn.fetchval("SELECT title FROM consultations WHERE id=$1", s["cid"])
        == "ร่างนโยบายอินเทอร์เน็ตชุมชน"
    )


async def test_edit_after_opening_is_versioned(client, conn):
    s = await setup(conn)
    await login(client, "staff@mdes.example")
    url = f"/api/v1/consultations/{s['cid']}"
    r = await send_json(client, "PATCH", url, {"summary": "สรุปใหม่ที่ชัดเจนกว่าเดิม"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "change_note"
    r = await send_json(client, "PATCH", url, {"summary": "สรุปใหม่ที่ชัดเจนกว่าเดิม", "change_note": "แก้ไขสรุป"})
    assert r.status_code == 200
    d = r.json()
    assert d["consultation"]["version"] == 2 and d["changes"][0]["note"] == "แก้ไขสรุป"
    r = await send_json(client, "PATCH", url, {"kind": "s77", "change_note": "x"})
    assert r.status_code == 409


async def test_s77_early_close_needs_public_reason(client, conn):
    s = await setup(conn, kind="s77")
    await login(client, "staff@mdes.example")
    url = f"/api/v1/consultations/{s['cid']}/transitions"
    r = await send_json(client, "POST", url, {"action": "close"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "early_close_reason"
    assert await conn.fetchval("SELECT status FROM consultations WHERE id=$1", s["cid"]) == "open"
    reason = "คณะรัฐมนตรีมีมติให้ถอนร่างกฎหมายเพื่อปรับปรุงใหม่ทั้งฉบับ"
    r = await send_json(client, "POST", url, {"action": "close", "reason": reason})
    assert r.status_code == 200 and r.json()["status"] == "closed"
    anon = await client.get(f"/consultations/{s['cid']}")
    assert reason in anon.text


async def test_uploads_executable_and_oversize(client, conn, settings):
    s = await setup(conn)
    await login(client, "staff@mdes.example")
    url = f"/consultations/{s['cid']}/documents"
    token = client.cookies.get("civic_csrf")
    r = await client.post(
        url,
        data={"_csrf_token": token, "title": "ร่าง"},
        files={"file": ("draft.pdf", ELF, "application/pdf")},
    )
    assert r.status_code == 415 and "PDF" in text_of(r.text)
    r = await client.post(
        url,
        data={"_csrf_token": token},
        files={"file": ("big.pdf", PDF + b"0" * (50 * 1024 * 1024), "application/pdf")},
    )
    assert r.status_code == 413 and "ใหญ่" in text_of(r.text)
    r = await client.post(
        url,
        data={"_csrf_token": token},
        files={"file": ("mid.pdf", PDF + b"0" * (settings.max_upload_bytes + 1), "application/pdf")},
    )
    assert r.status_code == 413 and "10 MB" in text_of(r.text)
    assert await conn.fetchval("SELECT count(*) FROM consultation_documents") == 0
    r = await client.post(
        url,
        data={"_csrf_token": token, "title": "ร่างฉบับเต็ม"},
        files={"file": ("draft.pdf", PDF, "application/pdf")},
    )
    assert r.status_code == 303
    doc = await conn.fetchrow("SELECT id, path FROM consultation_documents")
    assert (settings.upload_dir / doc["path"]).read_bytes() == PDF
    got = await client.get(f"/consultations/{s['cid']}/documents/{doc['id']}")
    assert got.status_code == 200 and got.content == PDF


async def test_comments_on_sections_and_moderation(client, make_client, conn):
    s = await setup(conn)
    await make_user(conn, "pim@x.example", name="พิมพ์")
    await login(client, "pim@x.example")
    sec = (await store.list_sections(conn, s["cid"]))[1]
    r = await send_json(
        client,
        "POST",
        f"/api/v1/consultations/{s['cid']}/comments",
        {"section_id": sec.id, "body": "ควรเพิ่มคำนิยาม"},
    )
    assert r.status_code == 201
    cm = r.json()["id"]
    r = await post_form(
        client,
        f"/consultations/{s['cid']}/comments",
        {"section_id": str(sec.id), "parent_id": str(cm), "body": "เห็นด้วยครับ"},
    )
    assert r.status_code == 303
    data = (await client.get(f"/api/v1/consultations/{s['cid']}/comments")).json()
    assert data[str(sec.id)][0]["replies"][0]["body"] == "เห็นด้วยครับ"
    r = await post_form(client, f"/consultations/{s['cid']}/comments/{cm}/hide", {"reason": "สแปม"})
    assert r.status_code == 403
    staff = await make_client()
    await login(staff, "staff@mdes.example")
    r = await post_form(staff, f"/consultations/{s['cid']}/comments/{cm}/hide", {"reason": "ข้อความไม่สุภาพ"})
    assert r.status_code == 303
    page = await client.get(f"/consultations/{s['cid']}")
    assert "ข้อความไม่สุภาพ" in page.text and "ควรเพิ่มคำนิยาม" not in page.text
    # a reply can be hidden from the page too: its own form, then a tombstone with the reason
    reply = data[str(sec.id)][0]["replies"][0]["id"]
    staff_page = await staff.get(f"/consultations/{s['cid']}")
    assert f'action="/consultations/{s["cid"]}/comments/{reply}/hide"' in staff_page.text
    assert f"/comments/{reply}/hide" not in page.text  # not for the citizen
    r = await post_form(staff, f"/consultations/{s['cid']}/comments/{reply}/hide", {"reason": "นอกประเด็น"})
    assert r.status_code == 303
    page = await client.get(f"/consultations/{s['cid']}")
    assert "นอกประเด็น" in page.text and "เห็นด้วยครับ" not in page.text


async def test_exports_have_no_personal_data(client, make_client, conn):
    s = await setup(conn)
    q = s["q"]
    people = [
        ("named@x.example", "สมหญิง เปิดเผยชื่อ", "named"),
        ("anon@x.example", "สมชาย ไม่ออกนาม", "anonymous"),
        ("none@x.example", "สมศรี ไม่เผยแพร่", "none"),
    ]
    for email, name, consent in people:
        uid = await make_user(conn, email, name=name)
        await store.submit_response(
            conn,
            s["cid"],
            uid,
            consent=consent,
            province="CMI",
            answers={q[0]: "เห็นด้วย", q[1]: 3, q[2]: f"ความเห็นของ {consent}"},
        )
    r = await client.get(f"/api/v1/consultations/{s['cid']}/responses.json")
    assert r.status_code == 409  # not before closing
    await conn.execute("UPDATE consultations SET status='closed' WHERE id=$1", s["cid"])
    js = await client.get(f"/api/v1/consultations/{s['cid']}/responses.json")
    csv_ = await client.get(f"/api/v1/consultations/{s['cid']}/responses.csv")
    stats = await client.get(f"/api/v1/consultations/{s['cid']}/statistics.json")
    assert js.status_code == csv_.status_code == stats.status_code == 200
    rows = js.json()["responses"]
    assert sorted(r["consent"] for r in rows) == ["anonymous", "named"]
    assert {r["name"] for r in rows} == {"สมหญิง เปิดเผยชื่อ", None}
    assert "ความเห็นของ none" not in js.text and "ความเห็นของ none" not in csv_.text
    users = await conn.fetch("SELECT id, email, display_name FROM users")
    ids = {str(u["id"]) for u in users}
    for body in (js.text, csv_.text, stats.text):
        for u in users:
            assert u["email"] not in body
            if u["display_name"] != "สมหญิง เปิดเผยชื่อ":
                assert u["display_name"] not in body
    assert all(r["response"] not in ids and len(r["response"]) == 36 for r in rows)
    assert "user_id" not in js.text
    assert stats.json()["responses"] == 3


async def test_outcome_with_an_untitled_theme_or_a_short_correction_note_is_refused(client, conn):
    """Over the API and the form: a theme without a title is refused with the field named, and
    nothing is written; the same outcome with the title goes through. A correction (version 2)
    needs a note of at least five characters."""
    s = await setup(conn, status="closed")
    await login(client, "staff@mdes.example")
    cid = s["cid"]
    summary = "ประชาชนส่วนใหญ่เห็นด้วยกับร่างนโยบาย แต่ขอให้ขยายพื้นที่บริการ"
    theme = {"title": "ขยายพื้นที่บริการ", "disposition": "adopted", "reason": "เพิ่มตำบลห่างไกลในระยะแรก"}

    async def written():
        return (
            await conn.fetchval("SELECT count(*) FROM consultation_outcomes"),
            await conn.fetchval("SELECT status FROM consultations WHERE id = $1", cid),
        )

    for title in ("", "   "):
        r = await send_json(
            client, "POST", f"/api/v1/consultations/{cid}/outcome",
            {"summary": summary, "themes": [theme, theme | {"title": title}]},
        )  # fmt: skip
        assert r.status_code == 422 and r.json()["error"]["field"] == "theme1_title", r.text
    form = {"summary": summary}
    for i, t in enumerate([theme, theme | {"title": ""}]):
        form |= {f"theme{i}_{k}": v for k, v in t.items()}
    r = await post_form(client, f"/consultations/{cid}/outcome", form)
    assert r.status_code == 400
    assert await written() == (0, "closed")

    form["theme1_title"] = "ทบทวนค่าบริการรายเดือน"
    r = await post_form(client, f"/consultations/{cid}/outcome", form)
    assert r.status_code == 303, text_of(r.text)[:600]
    assert await written() == (1, "outcome_published")
    page = text_of((await client.get(f"/consultations/{cid}/outcome")).text)
    assert "ขยายพื้นที่บริการ" in page and "ทบทวนค่าบริการรายเดือน" in page

    correction = {"summary": summary + " (แก้ไข)", "themes": [theme]}
    r = await send_json(client, "POST", f"/api/v1/consultations/{cid}/outcome", correction)
    assert r.status_code == 422 and r.json()["error"]["field"] == "correction_note"
    for note in ("แก้", "ab", "  abcd  "):
        r = await send_json(
            client, "POST", f"/api/v1/consultations/{cid}/outcome", correction | {"correction_note": note}
        )
        assert r.status_code == 422 and r.json()["error"]["field"] == "correction_note", (note, r.text)
    assert await written() == (1, "outcome_published")
    r = await send_json(
        client, "POST", f"/api/v1/consultations/{cid}/outcome", correction | {"correction_note": "แก้สรุปผล"}
    )
    assert r.status_code == 201 and r.json()["version"] == 2, r.text
    assert await written() == (2, "outcome_published")


async def test_the_hub_pages_through_every_consultation_of_a_tab(client, conn):
    """The hub listed a tab's first 50 and no more; each tab now pages, 20 at a time, on the page
    and in the API alike, and a page past the last shows the last."""
    s = await setup(conn)
    columns = ", ".join(r["column_name"] for r in await conn.fetch(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'consultations'"
        " AND column_name NOT IN ('id', 'closes_at') AND is_generated = 'NEVER'"))  # fmt: skip
    await conn.execute(
        f"INSERT INTO consultations ({columns}, closes_at) SELECT {columns}, closes_at + g * interval '1 hour'"
        " FROM consultations, generate_series(1, 44) g WHERE id = $1",
        s["cid"],
    )
    expected = [r["id"] for r in await conn.fetch("SELECT id FROM consultations WHERE status = 'open' ORDER BY closes_at, id")]
    assert len(expected) == 45
    seen = []
    for page in (1, 2, 3):
        r = await client.get(f"/consultations?tab=open&page={page}")
        assert r.status_code == 200
        seen += [int(h.split("/")[-1]) for h in lxml.html.fromstring(r.text).xpath("//ul[@class='item-list']/li//h3/a/@href")]
        assert f"45 การรับฟังความคิดเห็น · หน้า {page} จาก 3" in text_of(r.text)
    assert seen == expected
    last = lxml.html.fromstring((await client.get("/consultations?tab=open&page=๙๙")).text)
    assert last.xpath("//nav[@class='pagination']//a[@aria-current='page']/@href") == ["/consultations?tab=open&page=3"]
    api = (await client.get("/api/v1/consultations?status=open&page=2")).json()
    assert (api["total"], api["page"], api["pages"], api["per_page"]) == (45, 2, 3, 20)
    assert [c["id"] for c in api["items"]] == expected[20:40]
