"""A draft past the section limit (issue 21, item 10: one of 160,000 sections was accepted) is
refused over the JSON API, the form and a PDF upload, naming the field in Thai, with nothing
written and the form showing what was typed; a draft at the limit is saved."""

from civic.consultations import rules, store
from tests.helpers import login, post_form, send_json, text_of
from tests.integration.test_consultations_editor import NEW, field, read_form, setup
from tests.integration.test_consultations_pdf import thai_pdf

MAX = rules.MAX_SECTIONS
TOO_MANY_TH = f"ร่างหนึ่งฉบับมีได้ไม่เกิน {MAX} ย่อหน้า ร่างนี้มี {MAX + 1} ย่อหน้า"


def sections(n: int) -> list[str]:
    return [f"ข้อ {i} ให้หน่วยงานปฏิบัติตามแนวทางนี้" for i in range(1, n + 1)]


def draft(n: int) -> str:
    return "\n\n".join(sections(n))


async def counts(conn) -> tuple[int, int, int]:
    row = await conn.fetchrow(
        "SELECT (SELECT count(*) FROM consultations) AS c, (SELECT count(*) FROM consultation_sections) AS s, "
        "(SELECT count(*) FROM consultation_documents) AS d"
    )
    return tuple(row)


def api_body(s, n: int) -> dict:
    return {
        **NEW,
        "owner_org_id": s["mdes"],
        "opens_at": "2030-01-01T09:00:00+07:00",
        "closes_at": "2030-02-01T09:00:00+07:00",
        "draft_text": draft(n),
    }


async def test_api_refuses_one_section_past_the_limit_and_saves_the_limit(client, conn):
    s = await setup(conn)
    await login(client, "staff@mdes.example")
    before = await counts(conn)
    r = await send_json(client, "POST", "/api/v1/consultations", api_body(s, MAX + 1))
    assert r.status_code == 422, r.text[:500]
    error = r.json()["error"]
    assert error["field"] == "draft_text"
    assert error["message"].startswith(TOO_MANY_TH)
    assert error["fields"] == [{"key": "draft_text", "message": error["message"]}]
    assert await counts(conn) == before

    r = await send_json(client, "POST", "/api/v1/consultations", api_body(s, MAX))
    assert r.status_code == 201, r.text[:500]
    assert len(r.json()["sections"]) == MAX

    # an edit is held to the same limit, and leaves the sections as they were
    cid = r.json()["consultation"]["id"]
    r = await send_json(client, "PATCH", f"/api/v1/consultations/{cid}", {"draft_text": draft(MAX + 1)})
    assert r.status_code == 422 and r.json()["error"]["field"] == "draft_text"
    assert len(await store.list_sections(conn, cid)) == MAX


async def test_form_refuses_one_section_past_the_limit_keeping_what_was_typed(client, conn):
    s = await setup(conn)
    await login(client, "staff@mdes.example")
    before = await counts(conn)
    typed = {**NEW, "owner_org_id": str(s["mdes"]), "draft_text": draft(MAX + 1)}
    r = await post_form(client, "/consultations/new", typed)
    assert r.status_code == 400
    assert TOO_MANY_TH in text_of(r.text)
    assert 'href="#field-draft_text"' in r.text  # the error summary links to the field
    form = read_form(r.text)
    assert field(form, "title") == NEW["title"] and field(form, "summary") == NEW["summary"]
    assert field(form, "draft_text") == draft(MAX + 1)
    assert await counts(conn) == before


async def test_a_pdf_draft_past_the_limit_is_refused_on_the_pdf_field(client, conn):
    s = await setup(conn)
    await login(client, "staff@mdes.example")
    before = await counts(conn)
    pdf = thai_pdf(*sections(MAX + 1))
    r = await post_form(
        client,
        "/consultations/new",
        {**NEW, "owner_org_id": str(s["mdes"]), "draft_text": ""},
        files={"draft_pdf": ("ร่าง.pdf", pdf, "application/pdf")},
    )
    assert r.status_code == 400, text_of(r.text)[:500]
    assert TOO_MANY_TH in text_of(r.text)
    assert 'id="field-draft_pdf-error"' in r.text
    assert field(read_form(r.text), "title") == NEW["title"]
    assert await counts(conn) == before  # neither the consultation nor the PDF as its document
