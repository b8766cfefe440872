"""A real text-based PDF (built here with fpdf2 and a Thai TTF font) uploaded as the draft through
the create form: the sections come out repaired, the original is kept, the PDF is kept as a document."""

from pathlib import Path

import pytest
from fpdf import FPDF  # fpdf2, in the dev extras

from civic.consultations import store
from tests.helpers import login, text_of
from tests.integration.test_consultations_http import setup

# Debian's fonts-thai-tlwg (installed by .ci/run with chromium); any one of these will do.
THAI_FONTS = [
    Path("/usr/share/fonts/truetype/tlwg") / name
    for name in ("Garuda.ttf", "Loma.ttf", "Kinnari.ttf", "Norasi.ttf", "Sawasdee.ttf")
]
BROKEN = "มาตรา ๑ ข้อความที ่ด ี"  # a mark detached by a space, as old PDF exports leave it
SECOND = "มาตรา ๒ ให้ใช้บังคับตั้งแต่วันถัดจากวันประกาศในราชกิจจานุเบกษา"


def thai_pdf(*paragraphs: str) -> bytes:
    font = next((p for p in THAI_FONTS if p.exists()), None)
    if font is None:
        pytest.fail("no Thai TTF font: install Debian's fonts-thai-tlwg (see .ci/run)")
    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("thai", "", str(font))
    pdf.set_font("thai", size=14)
    for p in paragraphs:
        pdf.multi_cell(0, 10, p)
        pdf.ln(6)
    return bytes(pdf.output())


async def test_pdf_draft_upload_repairs_sections_and_keeps_pdf(client, conn, settings):
    s = await setup(conn)
    await login(client, "staff@mdes.example")
    data = thai_pdf(BROKEN, SECOND)
    assert data.startswith(b"%PDF-") and b"/FontFile2" in data  # text with an embedded TrueType font
    token = client.cookies.get("civic_csrf")
    r = await client.post(
        "/consultations/new",
        data={
            "_csrf_token": token,
            "owner_org_id": str(s["mdes"]),
            "title": "ร่างประกาศจากไฟล์ PDF",
            "summary": "ร่างที่อัปโหลดเป็นไฟล์ PDF",
            "kind": "general",
            "opens_at": "2030-01-01T09:00",
            "closes_at": "2030-01-31T09:00",
            "draft_text": "",
            "q1_prompt": "เห็นด้วยหรือไม่",
            "q1_kind": "single",
            "q1_options": "เห็นด้วย\nไม่เห็นด้วย",
        },
        files={"draft_pdf": ("ร่างประกาศ.pdf", data, "application/pdf")},
    )
    assert r.status_code == 303, text_of(r.text)[:500]
    cid = int(r.headers["location"].rstrip("/").split("/")[-1])
    assert cid != s["cid"]

    sections = await store.list_sections(conn, cid)
    assert [sec.body for sec in sections] == ["มาตรา ๑ ข้อความที่ดี", SECOND]
    assert sections[0].body_original == BROKEN  # what the PDF held is kept alongside

    docs = await store.list_documents(conn, cid)
    assert [(d.kind, d.filename, d.size_bytes) for d in docs] == [("pdf", "ร่างประกาศ.pdf", len(data))]
    path = await conn.fetchval("SELECT path FROM consultation_documents WHERE id = $1", docs[0].id)
    assert (settings.upload_dir / path).read_bytes() == data
    got = await client.get(docs[0].url)
    assert got.status_code == 200 and got.content == data

    page = await client.get(f"/consultations/{cid}")
    assert page.status_code == 200
    assert "ข้อความที่ดี" in text_of(page.text) and "ที ่ด ี" not in text_of(page.text)


async def test_pdf_with_no_text_is_refused_and_form_keeps_values(client, conn):
    s = await setup(conn)
    await login(client, "staff@mdes.example")
    blank = FPDF()
    blank.add_page()
    blank.rect(20, 20, 50, 30)  # a drawing, no text: what a scan looks like to the extractor
    token = client.cookies.get("civic_csrf")
    before = await conn.fetchval("SELECT count(*) FROM consultations")
    r = await client.post(
        "/consultations/new",
        data={
            "_csrf_token": token,
            "owner_org_id": str(s["mdes"]),
            "title": "ร่างจากภาพสแกน",
            "summary": "ไฟล์สแกนไม่มีข้อความ",
            "kind": "general",
            "opens_at": "2030-01-01T09:00",
            "closes_at": "2030-01-31T09:00",
        },
        files={"draft_pdf": ("scan.pdf", bytes(blank.output()), "application/pdf")},
    )
    assert r.status_code == 400
    assert "ร่างจากภาพสแกน" in r.text
    assert "อ่านข้อความจาก PDF นี้ไม่ได้ (อาจเป็นไฟล์สแกน)" in text_of(r.text)
    assert await conn.fetchval("SELECT count(*) FROM consultations") == before
    assert await conn.fetchval("SELECT count(*) FROM consultation_documents") == 0


def _create_form(s, token, title):
    return {
        "_csrf_token": token,
        "owner_org_id": str(s["mdes"]),
        "title": title,
        "summary": "ร่างที่อัปโหลดเป็นไฟล์ PDF",
        "kind": "general",
        "opens_at": "2030-01-01T09:00",
        "closes_at": "2030-01-31T09:00",
        "draft_text": "",
    }


async def _counts(conn):
    return await conn.fetchrow(
        "SELECT (SELECT count(*) FROM consultations) AS consultations, "
        "(SELECT count(*) FROM consultation_sections) AS sections, "
        "(SELECT count(*) FROM consultation_documents) AS documents, "
        "(SELECT count(*) FROM audit_log WHERE action LIKE 'consultation.%') AS audits"
    )


async def test_document_row_failure_leaves_no_consultation(client, conn, settings, monkeypatch):
    """The document row is written in the create transaction: if it fails after the consultation,
    its sections and the document row are inserted, all of them roll back together."""
    s = await setup(conn)
    await login(client, "staff@mdes.example")
    before = await _counts(conn)
    real_insert = store._insert_document
    calls = []

    async def insert_then_fail(conn_, cid, actor_id, doc):
        calls.append(await real_insert(conn_, cid, actor_id, doc))  # the row really was inserted
        raise RuntimeError("storage went away")

    monkeypatch.setattr(store, "_insert_document", insert_then_fail)
    data = thai_pdf(SECOND)
    r = await client.post(
        "/consultations/new",
        data=_create_form(s, client.cookies.get("civic_csrf"), "ร่างที่บันทึกเอกสารไม่สำเร็จ"),
        files={"draft_pdf": ("ร่าง.pdf", data, "application/pdf")},
    )
    assert r.status_code == 500
    assert len(calls) == 1 and calls[0] > 0
    after = await _counts(conn)
    assert dict(after) == dict(before)
    assert (
        await conn.fetchval("SELECT count(*) FROM consultations WHERE title = 'ร่างที่บันทึกเอกสารไม่สำเร็จ'") == 0
    )
    # The file itself was written first, under its content-addressed name: an orphan, harmless.
    assert any(p.suffix == ".pdf" for p in settings.upload_dir.rglob("*.pdf"))


async def test_file_write_failure_leaves_no_consultation(client, conn, monkeypatch):
    from civic.consultations import actions

    s = await setup(conn)
    await login(client, "staff@mdes.example")
    before = await _counts(conn)

    def disk_full(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(actions, "store_upload", disk_full)
    r = await client.post(
        "/consultations/new",
        data=_create_form(s, client.cookies.get("civic_csrf"), "ร่างที่เขียนไฟล์ไม่สำเร็จ"),
        files={"draft_pdf": ("ร่าง.pdf", thai_pdf(SECOND), "application/pdf")},
    )
    assert r.status_code == 500
    assert dict(await _counts(conn)) == dict(before)


async def test_store_create_with_bad_document_rolls_back(conn):
    """Store level, with a real constraint failure: a document kind the CHECK refuses."""
    s = await setup(conn)
    before = await _counts(conn)
    staff = await conn.fetchval("SELECT id FROM users WHERE email = 'staff@mdes.example'")
    now = await conn.fetchval("SELECT now()")
    from datetime import timedelta

    import asyncpg

    with pytest.raises(asyncpg.CheckViolationError):
        await store.create_consultation(
            conn,
            actor_id=staff,
            owner_org_id=s["mdes"],
            kind="general",
            title="ร่างที่มีเอกสารผิดชนิด",
            summary="สรุป",
            opens_at=now + timedelta(days=1),
            closes_at=now + timedelta(days=30),
            sections=store.sections_from_text("มาตรา ๑ ข้อหนึ่ง"),
            questions=[{"kind": "text", "prompt": "ความเห็น", "required": False}],
            documents=[
                {"title": "x", "filename": "x.exe", "kind": "exe", "path": "ab/x.exe", "size_bytes": 3}
            ],
        )
    assert dict(await _counts(conn)) == dict(before)
    # And a good document is there right after create, with no second step.
    cid = await store.create_consultation(
        conn,
        actor_id=staff,
        owner_org_id=s["mdes"],
        kind="general",
        title="ร่างพร้อมเอกสาร",
        summary="สรุป",
        opens_at=now + timedelta(days=1),
        closes_at=now + timedelta(days=30),
        documents=[{"title": "ร่าง", "filename": "r.pdf", "kind": "pdf", "path": "ab/r.pdf", "size_bytes": 3}],
    )
    assert [(d.kind, d.filename) for d in await store.list_documents(conn, cid)] == [("pdf", "r.pdf")]
