"""My activity (issue 21, item 28): my ideas with status and answer, supports, comments,
consultation answers with a receipt and an edit link while open, claims; and its JSON twin."""

from __future__ import annotations

from civic.consultations import store as consultations
from civic.ideas import store as ideas
from tests.helpers import login, make_user, post_form, send_json, text_of
from tests.integration.consultation_data import create_draft_policy
from tests.integration.test_consultations_http import answers
from tests.integration.test_ideas import _idea, _world


async def test_my_activity_page_and_twin(client, make_client, conn):
    world = await _world(conn)
    mine = await _idea(conn, world)  # by citizen@example.com
    other = await ideas.create_idea(
        conn, board_id=world["board"], author_id=world["users"]["citizen2@example.com"], title="ทางเท้าหน้าโรงเรียน",
        body="ทางเท้าหน้าโรงเรียนแตกเป็นหลุม เด็กเดินลำบาก", category="ตลาด", province="SKA", links=[],
    )  # fmt: skip
    await conn.execute(
        "INSERT INTO idea_answers (idea_id, org_id, author_id, body) VALUES ($1, $2, $3, $4)",
        mine, world["owner"], world["users"]["staff@owner.example"], "เทศบาลจะติดตั้งไวไฟภายในเดือนหน้า",
    )  # fmt: skip
    cid = await create_draft_policy(
        conn, actor_id=world["users"]["staff@owner.example"], owner_org_id=world["owner"], status="open",
        sections_text="มาตรา ๑ ข้อหนึ่ง",
    )  # fmt: skip
    q = [str(x.id) for x in await consultations.list_questions(conn, cid)]
    await login(client, "citizen@example.com")
    assert (await post_form(client, f"/ideas/{other}/support")).status_code in (200, 303)
    assert (await post_form(client, f"/ideas/{other}/comments", {"body": "เห็นด้วยอย่างยิ่งครับ"})).status_code == 303
    r = await send_json(client, "POST", f"/api/v1/consultations/{cid}/response",
                        {"consent": "anonymous", "answers": answers(q)})  # fmt: skip
    assert r.status_code in (200, 201), r.text[:300]

    page = await client.get("/activity")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "ไวไฟสาธารณะในตลาดกิมหยง" in text and "ทางเท้าหน้าโรงเรียน" in text and "เห็นด้วยอย่างยิ่งครับ" in text
    data = (await client.get("/api/v1/me/activity")).json()
    [idea] = data["ideas"]  # the other idea is another citizen's
    assert idea["id"] == mine and idea["answer"] == "เทศบาลจะติดตั้งไวไฟภายในเดือนหน้า"
    assert "เทศบาลจะติดตั้งไวไฟภายในเดือนหน้า" in text
    assert [s_["idea_id"] for s_ in data["supports"]] == [other]
    [receipt] = data["answers"]
    assert receipt["reference"].startswith(f"C{cid}-R") and receipt["reference"] in text
    assert receipt["edit_url"] == f"/consultations/{cid}#respond" and receipt["edit_url"] in page.text
    assert data["comments"][0]["url"].startswith(f"/ideas/{other}#comment-")

    stranger = await make_client()
    await make_user(conn, "other@example.com")
    await login(stranger, "other@example.com")
    theirs = (await stranger.get("/api/v1/me/activity")).json()
    assert theirs == {"ideas": [], "supports": [], "comments": [], "answers": [], "claims": []}
    visitor = await make_client()
    assert (await visitor.get("/api/v1/me/activity")).status_code == 401
