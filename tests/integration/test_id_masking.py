"""A Thai national ID number typed into public text is masked wherever the public reads it (the
idea page and its API, lists, comments, a consultation's comments and its open-data exports, and
search), while the author still sees what they wrote."""

from civic import registry
from civic.consultations import store as consultations
from civic.ideas import store as ideas
from civic.search import relay
from civic.search.backend import shared_backend
from tests.helpers import index_events, login, make_agency, make_user, send_json
from tests.integration.consultation_data import create_draft_policy

ID = "1101700203450"
DASHED = "1-1017-00203-45-0"
THAI = "๑๑๐๑๗๐๐๒๐๓๔๕๐"
MASKED = "x-xxxx-xxxxx-45-0"


def leaks(text: str) -> bool:
    return ID in text or DASHED in text or THAI in text


async def test_idea_text_and_comments_are_masked_for_everyone_but_the_author(
    app, client, make_client, conn, pool
):
    agency = await make_agency(conn, "hdy-city", level="local", province="SKA")
    await ideas.create_board(
        conn, slug="hatyai-waste", agency_id=agency, title="ขยะเมืองหาดใหญ่", description_th="เสนอไอเดียเรื่องขยะ",
        description_en="", scope="SKA", categories=[], is_open=True, moderate_first=False, support_threshold=3,
        response_days=30, coowner_ids=[], actor_id=None,
    )  # fmt: skip
    await make_user(conn, "author@example.com")
    await login(client, "author@example.com")
    body = f"ถังขยะเต็มทุกวัน ติดต่อผมได้ เลขบัตรประชาชน {DASHED} และเลข {THAI}"
    r = await send_json(
        client, "POST", "/api/v1/ideas", {"board": "hatyai-waste", "title": f"ถังขยะ {ID}", "body": body}
    )
    assert r.status_code == 201, r.text
    idea_id = r.json()["id"]
    r = await send_json(client, "POST", f"/api/v1/ideas/{idea_id}/comments", {"body": f"เพิ่มเติม: {ID}"})
    assert r.status_code == 201, r.text

    # the author sees the text as written
    own = await client.get(f"/ideas/{idea_id}")
    assert DASHED in own.text and THAI in own.text and f"เพิ่มเติม: {ID}" in own.text
    assert DASHED in (await client.get(f"/api/v1/ideas/{idea_id}")).json()["idea"]["body"]

    visitor = await make_client()
    await make_user(conn, "other@example.com")
    neighbour = await make_client()
    await login(neighbour, "other@example.com")
    for reader in (visitor, neighbour):
        page = await reader.get(f"/ideas/{idea_id}")
        api = await reader.get(f"/api/v1/ideas/{idea_id}")
        comments = await reader.get(f"/api/v1/ideas/{idea_id}/comments")
        listed = await reader.get("/api/v1/ideas")
        board = await reader.get("/boards/hatyai-waste")
        for r in (page, api, comments, listed, board):
            assert r.status_code == 200, r.url
            assert not leaks(r.text), r.url
        assert api.json()["idea"]["body"].endswith(f"{MASKED} และเลข x-xxxx-xxxxx-๔๕-๐") and MASKED in api.json()["idea"]["title"]
        assert MASKED in page.text and comments.json()["comments"][0]["body"] == f"เพิ่มเติม: {MASKED}"

    # search: the index never holds the number, so results show it masked and it finds nothing
    await index_events(pool)
    await relay.relay_all(pool, shared_backend(app.state), registry.SEARCH_LOADERS)
    hits = await visitor.get("/api/v1/search", params={"q": "ถังขยะ"})
    assert hits.status_code == 200 and MASKED in hits.text and not leaks(hits.text)
    page = await visitor.get("/search", params={"q": "ถังขยะ"})
    assert not leaks(page.text)
    by_number = (await visitor.get("/api/v1/search", params={"q": ID})).json()
    assert by_number["total"] == 0


async def test_consultation_comments_and_exports_are_masked(client, make_client, conn):
    mdes = await make_agency(conn, "mdes")
    cid = await create_draft_policy(
        conn, actor_id=None, owner_org_id=mdes, status="open", sections_text="มาตรา ๑ ข้อหนึ่ง\n\nมาตรา ๒ ข้อสอง"
    )
    q = [str(x.id) for x in await consultations.list_questions(conn, cid)]
    section = (await consultations.get_detail(conn, cid)).sections[0].id
    await make_user(conn, "pim@example.com")
    await login(client, "pim@example.com")
    r = await send_json(
        client,
        "POST",
        f"/api/v1/consultations/{cid}/comments",
        {"section_id": section, "body": f"ของผม {DASHED}"},
    )
    assert r.status_code == 201, r.text
    answers = {q[0]: "เห็นด้วย", q[1]: "3", q[2]: f"ติดต่อกลับที่เลขบัตร {ID}"}
    r = await send_json(
        client, "POST", f"/api/v1/consultations/{cid}/response", {"consent": "named", "answers": answers}
    )
    assert r.status_code == 201, r.text

    assert f"ของผม {DASHED}" in (await client.get(f"/consultations/{cid}")).text  # the author's own
    visitor = await make_client()
    page = await visitor.get(f"/consultations/{cid}")
    api = await visitor.get(f"/api/v1/consultations/{cid}/comments")
    assert not leaks(page.text) and not leaks(api.text)
    assert api.json()[str(section)][0]["body"] == f"ของผม {MASKED}"

    await conn.execute("UPDATE consultations SET status='closed' WHERE id=$1", cid)
    js = await visitor.get(f"/api/v1/consultations/{cid}/responses.json")
    csv_ = await visitor.get(f"/api/v1/consultations/{cid}/responses.csv")
    assert js.status_code == csv_.status_code == 200
    assert not leaks(js.text) and not leaks(csv_.text)
    assert js.json()["responses"][0]["answers"][q[2]] == f"ติดต่อกลับที่เลขบัตร {MASKED}"
    assert f"ติดต่อกลับที่เลขบัตร {MASKED}" in csv_.text
