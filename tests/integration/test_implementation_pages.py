"""Implementation plans through their HTML pages and the idea page: the forms call the same
actions as the API (bad input re-rendered with every error, nothing changed), evidence files,
the timeline on the idea page, and overdue milestones on the public overdue list and the
dashboard."""

from __future__ import annotations

from datetime import timedelta

from tests.helpers import login, post_form, send_json, text_of
from tests.integration.test_implementation import STAFF, TODAY, accepted_idea, counts, plan_body


def png() -> bytes:
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 40)).save(out, "PNG")
    return out.getvalue()


def form_rows(body: dict) -> dict:
    """plan_body as the HTML form sends it: the milestone rows as repeated m_title/m_due fields."""
    rows = {k: str(v) for k, v in body.items() if k != "milestones" and v is not None}
    return rows | {"m_title": [m["title"] for m in body["milestones"]], "m_due": [m["due"] for m in body["milestones"]]}


async def test_the_pages_call_the_same_actions_and_show_the_timeline(client, make_client, conn):
    _, idea_id = await accepted_idea(conn)
    await login(client, STAFF)
    idea_page = await client.get(f"/ideas/{idea_id}")
    assert f'href="/implementation/new?idea={idea_id}"' in idea_page.text
    form = await client.get(f"/implementation/new?idea={idea_id}")
    assert form.status_code == 200 and 'name="m_title"' in form.text
    # A milestone due before the start: the form again, with what was typed and the error in Thai.
    bad = await post_form(client, "/implementation", form_rows(plan_body(idea_id, dues=(-3, 5))))
    assert bad.status_code == 400
    assert "ก่อนวันเริ่มแผน" in text_of(bad.text) and "ติดตั้งไวไฟในตลาดกิมหยงให้ครบทุกโซน" in bad.text
    assert await counts(conn) == (0, 0, 0, 0)
    r = await post_form(client, "/implementation", form_rows(plan_body(idea_id)))
    assert r.status_code == 303, r.text[:800]
    plan_id = int(r.headers["location"].rsplit("/", 1)[1])
    # The same action as the API: the same event, the same plan.
    assert await conn.fetchval("SELECT count(*) FROM events WHERE kind = 'implementation.planned'") == 1
    api = (await client.get(f"/api/v1/implementation/plans/{plan_id}")).json()
    assert api["idea_id"] == idea_id and len(api["milestones"]) == 2
    # A bad file: refused with its own status, naming the field, nothing changed.
    before = await counts(conn)
    files = {"evidence": ("photo.png", b"GIF89a not a png", "image/png")}
    data = {"body": "ติดตั้งแล้วครึ่งตลาด", "percent": "40", "milestone_id": "0",
            "_csrf_token": client.cookies.get("civic_csrf")}  # fmt: skip
    refused = await client.post(f"/implementation/{plan_id}/updates", data=data, files=files)
    assert refused.status_code == 415
    assert "ติดตั้งแล้วครึ่งตลาด" in refused.text and 'id="field-evidence-error"' in refused.text
    assert await counts(conn) == before
    too_much = await client.post(f"/implementation/{plan_id}/updates", data={**data, "percent": "120"})
    assert too_much.status_code == 400 and "0" in text_of(too_much.text)
    assert await counts(conn) == before
    files = {"evidence": ("photo.png", png(), "image/png")}
    ok = await client.post(f"/implementation/{plan_id}/updates", data=data, files=files)
    assert ok.status_code == 303, ok.text[:800]
    plan = (await client.get(f"/api/v1/implementation/plans/{plan_id}")).json()
    evidence = plan["updates"][0]["evidence"][0]
    assert plan["progress"] == 40 and evidence["kind"] == "png"
    download = await (await make_client()).get(f"/implementation/{plan_id}/evidence/{evidence['id']}")
    assert download.status_code == 200 and download.headers["content-type"] == "image/png"
    assert "attachment" in download.headers["content-disposition"]
    # Anyone sees the timeline on the idea page and on the plan's page.
    visitor = await make_client()
    for path in (f"/ideas/{idea_id}", f"/implementation/{plan_id}"):
        page = await visitor.get(path)
        assert page.status_code == 200
        text = text_of(page.text)
        assert "ขั้นที่ 1" in text and "ติดตั้งแล้วครึ่งตลาด" in text and "40%" in text
        assert f"/implementation/{plan_id}/evidence/{evidence['id']}" in page.text
    assert 'action="/implementation/' not in (await visitor.get(f"/implementation/{plan_id}")).text
    done = await post_form(client, f"/implementation/{plan_id}/implemented", {"report": "ติดตั้งไวไฟครบทุกโซนแล้ว"})
    assert done.status_code == 303
    assert "ติดตั้งไวไฟครบทุกโซนแล้ว" in text_of((await visitor.get(f"/ideas/{idea_id}")).text)


async def test_overdue_milestones_join_the_public_overdue_list(client, make_client, conn):
    _, idea_id = await accepted_idea(conn)
    await login(client, STAFF)
    start = TODAY - timedelta(days=20)
    plan = (await send_json(client, "POST", "/api/v1/implementation/plans",
                            plan_body(idea_id, start=start, dues=(5, 15, 19, 40)))).json()  # fmt: skip
    url = f"/api/v1/implementation/plans/{plan['id']}"
    first, second, third, _ = (m["id"] for m in plan["milestones"])
    await send_json(client, "POST", f"{url}/updates", {"body": "สำรวจเสร็จแล้ว", "percent": 20, "milestone_id": first})
    visitor = await make_client()
    listed = (await visitor.get("/api/v1/implementation/overdue")).json()
    # Reached (first), still due (fourth) and due yesterday but not today are told apart.
    assert [(r["milestone_id"], r["days_late"]) for r in listed] == [(second, 4), (third, 0)]
    assert listed[0]["idea_id"] == idea_id and listed[0]["agency_slug"] == "hdy-city"
    page = await visitor.get("/ideas/overdue")
    section = page.text[page.text.index('id="implementation-overdue"'):]
    assert "ขั้นที่ 2" in section and "ขั้นที่ 3" in section and "ขั้นที่ 1" not in section and "ขั้นที่ 4" not in section
    # The dashboard's public clocks list them, in the page and its JSON twin.
    dash = (await visitor.get("/api/v1/dashboard")).json()
    assert [r["milestone_id"] for r in dash["overdue_milestones"]] == [second, third]
    board = (await visitor.get("/dashboard")).text
    assert "ขั้นที่ 2" in board[board.index('id="implementation-overdue"'):]
    # The plan's own timeline marks them too.
    marked = (await visitor.get(url)).json()["milestones"]
    assert [m["overdue"] for m in marked] == [False, True, True, False]
    # An implemented plan has nothing overdue.
    await send_json(client, "POST", f"{url}/implemented", {"report": "เสร็จครบทุกขั้นแล้ว"})
    assert (await visitor.get("/api/v1/implementation/overdue")).json() == []

