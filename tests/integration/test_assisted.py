"""The counter channel (issue 22, item 5): staff submit for a person through the domain actions,
consent required, one person counted once by ID hash, and the one-time take-over code."""

from __future__ import annotations

from civic.ideas import store as ideas
from civic.orgs import store as orgs
from tests.helpers import login, make_agency, make_user, post_form, send_json, text_of

ID = "1101700207030"  # a valid check digit
OTHER_ID = "3100600155670"



async def _setup(conn, client):
    agency = await make_agency(conn, "tessaban-x", name_th="เทศบาลตำบลบ้านใหม่")
    staff = await make_user(conn, "clerk@example.com", name="เจ้าหน้าที่")
    await orgs.add_member(conn, agency, staff, "member")
    board = await ideas.create_board(
        conn, slug="town", agency_id=agency, title="บอร์ดเทศบาล", description_th="ทดสอบ", description_en="",
        scope=None, categories=[], is_open=True, moderate_first=False, support_threshold=50, response_days=30,
        coowner_ids=[], actor_id=staff,
    )  # fmt: skip
    await login(client, "clerk@example.com")
    return agency, staff, board


def _person(agency, **kw):
    return {"agency": agency, "channel": "counter", "person_name": "ป้าสมศรี", "person_contact": "081-234-5678",
            "consent": True, **kw}  # fmt: skip


async def test_an_idea_without_consent_is_refused_and_nothing_is_written(client, conn):
    agency, _, _ = await _setup(conn, client)
    users = await conn.fetchval("SELECT count(*) FROM users")
    r = await send_json(client, "POST", "/api/v1/counter/ideas", {
        "person": _person(agency, consent=False),
        "idea": {"board": "town", "title": "ไฟถนนดับ", "body": "ไฟถนนหน้าตลาดดับมาสามวันแล้ว"},
    })  # fmt: skip
    assert r.status_code == 422 and [f["key"] for f in r.json()["error"]["fields"]] == ["consent"]
    assert "ยินยอม" in r.json()["error"]["message"] or "agree" in r.json()["error"]["message"]
    page = await post_form(client, "/counter/ideas", {"agency": str(agency), "channel": "phone", "person_name": "ป้าสมศรี",
                                                      "person_contact": "", "board": "town", "title": "ไฟถนนดับ", "body": ""})  # fmt: skip
    assert page.status_code == 400 and 'value="ป้าสมศรี"' in page.text
    for field in ("field-consent", "field-person_contact", "field-body"):
        assert f'href="#{field}"' in page.text, field
    assert await conn.fetchval("SELECT count(*) FROM ideas") == 0
    assert await conn.fetchval("SELECT count(*) FROM users") == users
    assert await conn.fetchval("SELECT count(*) FROM assisted_contributions") == 0


async def test_an_assisted_idea_shows_the_counter_and_is_taken_over_once(client, make_client, conn):
    agency, staff, _ = await _setup(conn, client)
    r = await send_json(client, "POST", "/api/v1/counter/ideas", {
        "person": _person(agency, national_id=ID),
        "idea": {"board": "town", "title": "ไฟถนนดับ", "body": "ไฟถนนหน้าตลาดดับมาสามวันแล้ว"},
    })  # fmt: skip
    assert r.status_code == 201, r.text
    out = r.json()
    idea_id = out["contribution_id"]
    row = await conn.fetchrow("SELECT * FROM assisted_contributions")
    assert row["staff_id"] == staff and row["channel"] == "counter" and row["person_name"] == "ป้าสมศรี"
    assert (
        row["national_id_hash"]
        and ID.encode() not in row["national_id_hash"]
        and row["code_hash"] != out["code"].encode()
    )
    consent = await conn.fetchrow(
        "SELECT purpose, granted, channel FROM consent_records WHERE user_id = $1", row["holder_id"]
    )
    assert dict(consent) == {"purpose": "assisted", "granted": True, "channel": "counter"}
    public = await make_client()
    th = text_of((await public.get(f"/ideas/{idea_id}")).text)
    assert "ส่งผ่านช่องทางเคาน์เตอร์ เทศบาลตำบลบ้านใหม่" in th and "ป้าสมศรี" not in th

    await make_user(conn, "somsri@example.com", name="สมศรี")
    await login(public, "somsri@example.com")
    wrong = await send_json(public, "POST", "/api/v1/claim", {"code": "ZZZZZZZZ"})
    assert wrong.status_code == 422 and wrong.json()["error"]["field"] == "code"
    r = await post_form(public, "/claim", {"code": out["code"].lower()})
    assert r.status_code == 303 and r.headers["location"] == f"/ideas/{idea_id}"
    assert (
        await conn.fetchval(
            "SELECT u.email FROM ideas i JOIN users u ON u.id = i.author_id WHERE i.id = $1", idea_id
        )
        == "somsri@example.com"
    )
    assert await conn.fetchval("SELECT count(*) FROM events WHERE kind = 'assisted.taken_over'") == 1
    again = await send_json(public, "POST", "/api/v1/claim", {"code": out["code"]})
    assert (
        again.status_code == 422 and "ใช้ไปแล้ว" in again.json()["error"]["message"] or again.status_code == 422
    )


async def test_an_expired_code_changes_nothing(client, make_client, conn):
    agency, _, board = await _setup(conn, client)
    idea = await ideas.create_idea(conn, board_id=board, author_id=(await conn.fetchval("SELECT id FROM users LIMIT 1")),
                                   title="ถนนพัง", body="ถนนหน้าบ้านพังเป็นหลุม", category="", province=None, links=[])  # fmt: skip
    r = await send_json(
        client, "POST", "/api/v1/counter/supports", {"person": _person(agency), "idea_id": idea}
    )
    assert r.status_code == 201, r.text
    await conn.execute("UPDATE assisted_contributions SET code_expires_at = now() - interval '1 minute'")
    await make_user(conn, "somsri@example.com")
    person = await make_client()
    await login(person, "somsri@example.com")
    late = await send_json(person, "POST", "/api/v1/claim", {"code": r.json()["code"]})
    assert late.status_code == 422 and late.json()["error"]["field"] == "code"
    assert await conn.fetchval("SELECT taken_over_at FROM assisted_contributions") is None


async def test_one_person_counts_once_by_id_hash(client, conn):
    agency, _, board = await _setup(conn, client)
    idea = await ideas.create_idea(conn, board_id=board, author_id=(await conn.fetchval("SELECT id FROM users LIMIT 1")),
                                   title="ถนนพัง", body="ถนนหน้าบ้านพังเป็นหลุม", category="", province=None, links=[])  # fmt: skip
    first = await send_json(
        client,
        "POST",
        "/api/v1/counter/supports",
        {"person": _person(agency, national_id=ID), "idea_id": idea},
    )
    assert first.status_code == 201
    # The same ID typed with Thai digits and dashes is the same person.
    thai = "๑-๑๐๑๗-๐๐๒๐๗-๐๓-๐"
    twice = await send_json(
        client,
        "POST",
        "/api/v1/counter/supports",
        {"person": _person(agency, national_id=thai), "idea_id": idea},
    )
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "counted_already"
    other = await send_json(
        client,
        "POST",
        "/api/v1/counter/supports",
        {"person": _person(agency, national_id=OTHER_ID), "idea_id": idea},
    )
    assert other.status_code == 201
    assert await conn.fetchval("SELECT support_count FROM ideas WHERE id = $1", idea) == 2
    bad = await send_json(
        client,
        "POST",
        "/api/v1/counter/supports",
        {"person": _person(agency, national_id="1234567890123"), "idea_id": idea},
    )
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "national_id"


async def test_only_the_agencys_staff_use_its_counter(client, make_client, conn):
    agency, _, _ = await _setup(conn, client)
    await make_user(conn, "pim@example.com")
    pim = await make_client()
    await login(pim, "pim@example.com")
    r = await send_json(pim, "POST", "/api/v1/counter/ideas", {
        "person": _person(agency), "idea": {"board": "town", "title": "ไฟถนนดับ", "body": "ไฟถนนหน้าตลาดดับมาสามวันแล้ว"},
    })  # fmt: skip
    assert r.status_code == 403


async def test_a_counter_answer_is_taken_over_once_and_never_doubles_an_answer(client, make_client, conn):
    from tests.integration.test_consultations_http import answers, setup

    s = await setup(conn)
    await login(client, "staff@mdes.example")
    cid = s["cid"]

    async def counter_answer():
        r = await send_json(client, "POST", "/api/v1/counter/answers", {
            "person": _person(s["mdes"]), "consultation_id": cid,
            "response": {"consent": "none", "answers": answers(s["q"])},
        })  # fmt: skip
        assert r.status_code == 201, r.text
        return r.json()["code"]

    code = await counter_answer()
    person = await make_client()
    await make_user(conn, "somsri@example.com", name="สมศรี")
    await login(person, "somsri@example.com")
    r = await send_json(person, "POST", "/api/v1/claim", {"code": code})
    assert r.status_code == 200, r.text
    assert r.json()["kind"] == "answer"
    owner = await conn.fetchval(
        "SELECT u.email FROM consultation_responses r JOIN users u ON u.id = r.user_id WHERE r.consultation_id = $1",
        cid,
    )
    assert owner == "somsri@example.com"
    # A second counter answer for the same person cannot become a second answer of theirs.
    second = await counter_answer()
    r = await send_json(person, "POST", "/api/v1/claim", {"code": second})
    assert r.status_code == 409, r.text
    assert (
        await conn.fetchval(
            "SELECT count(*) FROM consultation_responses r JOIN users u ON u.id = r.user_id "
            "WHERE u.email = 'somsri@example.com'"
        )
        == 1
    )
    assert (
        await conn.fetchval("SELECT taken_over_at FROM assisted_contributions ORDER BY id DESC LIMIT 1")
        is None
    )
