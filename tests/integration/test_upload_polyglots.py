"""Issue 21 item 8: polyglots were accepted because only the magic bytes were checked (PDF+HTML,
PNG+HTML, PDFs with an OpenAction script), and evidence PDFs were served inline. Images are now
re-encoded (only pixels survive), PDFs with scripts, self-running actions or web-page markup are
refused, and every uploaded file is served as a download with nosniff and a sandboxing CSP."""

import io

from PIL import Image

from tests import files
from tests.helpers import login, text_of
from tests.integration.test_consultations_http import setup
from tests.integration.test_handovers_http import _claimed_and_confirmed, _post_task, world  # noqa: F401


def assert_served_as_download(r, media_type: str) -> None:
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(media_type)
    assert r.headers["content-disposition"].startswith("attachment")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["content-security-policy"] == "sandbox; default-src 'none'"


async def _document(client, cid: int, name: str, data: bytes, media: str):
    return await client.post(
        f"/consultations/{cid}/documents",
        data={"_csrf_token": client.cookies.get("civic_csrf"), "title": name},
        files={"file": (name, data, media)},
    )


async def test_png_polyglot_document_keeps_only_its_pixels(client, conn, settings):
    s = await setup(conn)
    await login(client, "staff@mdes.example")
    assert (
        await _document(client, s["cid"], "chart.png", files.png_polyglot(), "image/png")
    ).status_code == 303
    doc = await conn.fetchrow("SELECT id, path FROM consultation_documents")
    stored = (settings.upload_dir / doc["path"]).read_bytes()
    assert b"<html" not in stored and b"script" not in stored
    with Image.open(io.BytesIO(stored)) as im:
        assert im.size == (4, 3)
    r = await client.get(f"/consultations/{s['cid']}/documents/{doc['id']}")
    assert_served_as_download(r, "image/png")
    assert r.content == stored


async def test_active_pdfs_are_refused_with_a_reason(client, conn):
    s = await setup(conn)
    await login(client, "staff@mdes.example")
    r = await _document(client, s["cid"], "script.pdf", files.open_action_script(), "application/pdf")
    assert r.status_code == 422 and "สคริปต์" in text_of(r.text)
    r = await _document(client, s["cid"], "page.pdf", files.html_polyglot(), "application/pdf")
    assert r.status_code == 422 and "หน้าเว็บ" in text_of(r.text)
    assert await conn.fetchval("SELECT count(*) FROM consultation_documents") == 0
    r = await _document(client, s["cid"], "plain.pdf", files.plain(), "application/pdf")
    assert r.status_code == 303
    doc_id = await conn.fetchval("SELECT id FROM consultation_documents")
    assert_served_as_download(
        await client.get(f"/consultations/{s['cid']}/documents/{doc_id}"), "application/pdf"
    )


async def test_evidence_is_reencoded_and_served_as_a_download(world, conn, make_client, settings):  # noqa: F811
    task_id = await _post_task(world["staff"])
    milestone = await _claimed_and_confirmed(world, conn, task_id)
    nok = world["nok"]
    r = await nok.post(
        f"/handovers/{task_id}/updates",
        data={"_csrf_token": nok.cookies.get("civic_csrf"), "milestone_id": str(milestone), "body": "ภาพการอบรม",
              "percent": "50"},
        files=[("evidence", ("photo.png", files.png_polyglot(), "image/png")),
               ("evidence", ("report.pdf", files.plain(), "application/pdf"))],
    )  # fmt: skip
    assert r.status_code == 303, text_of(r.text)[:300]
    rows = await conn.fetch("SELECT id, kind, path FROM handover_evidence ORDER BY id")
    visitor = await make_client()
    for row in rows:
        assert b"<html" not in (settings.upload_dir / row["path"]).read_bytes()
        got = await visitor.get(f"/handovers/{task_id}/evidence/{row['id']}")
        assert_served_as_download(got, {"png": "image/png", "pdf": "application/pdf"}[row["kind"]])
    r = await nok.post(
        f"/handovers/{task_id}/updates",
        data={"_csrf_token": nok.cookies.get("civic_csrf"), "milestone_id": str(milestone), "body": "รายงานความคืบหน้าครั้งที่สอง",
              "percent": "60"},
        files={"evidence": ("report.pdf", files.open_action_script(), "application/pdf")},
    )  # fmt: skip
    assert r.status_code in (400, 422) and "สคริปต์" in text_of(r.text)  # the task page, re-rendered
